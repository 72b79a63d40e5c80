//! A progress bar on stderr (only when stderr is a terminal): shards done of total with an
//! ETA, documents processed and documents per second.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    docs: AtomicU64,
    start: Instant,
}

impl Progress {
    pub fn new(shards: u64, enabled: bool) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(shards), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} shards, ETA {eta}  {msg}",
                )
                .expect("valid template"),
            );
            bar
        });
        Progress {
            bar,
            docs: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    /// One HTML document went through the stages.
    pub fn doc(&self) {
        let n = self.docs.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = &self.bar {
            if n.is_multiple_of(64) {
                let secs = self.start.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!("{n} docs, {:.0} docs/s", n as f64 / secs));
            }
        }
    }

    pub fn shard_done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
