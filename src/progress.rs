//! Progress of a run on stderr: a bar when stderr is a terminal (shards done of total with an
//! ETA, documents and documents/s, input MB/s), or with `--log-format json` one JSON line per
//! finished shard (for cluster logs: counters, docs/s, bytes/s, ETA) and per run.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pipeline::ShardStats;
use serde_json::{json, Value};

static JSON_LOG: AtomicBool = AtomicBool::new(false);

/// `--log-format json`: progress and errors as JSON lines on stderr.
pub fn set_json_log(on: bool) {
    JSON_LOG.store(on, Ordering::Relaxed);
}

pub fn json_log() -> bool {
    JSON_LOG.load(Ordering::Relaxed)
}

/// One JSON log line on stderr: `{"ts": unix seconds, "event": ..., ...fields}`.
pub fn log_event(event: &str, fields: Value) {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default();
    let mut line = json!({"ts": (ts * 1000.0).round() / 1000.0, "event": event});
    if let (Some(l), Value::Object(f)) = (line.as_object_mut(), fields) {
        l.extend(f);
    }
    eprintln!("{line}");
}

pub struct Progress {
    bar: Option<ProgressBar>,
    json: bool,
    total: u64,
    shards: AtomicU64,
    docs: AtomicU64,
    bytes: AtomicU64,
    start: Instant,
}

impl Progress {
    pub fn new(shards: u64, enabled: bool) -> Self {
        let json = json_log();
        let bar = (enabled && !json && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(shards), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} shards, ETA {eta}  {msg}",
                )
                .expect("valid template"),
            );
            bar
        });
        if json {
            log_event("run_start", json!({"shards": shards}));
        }
        Progress {
            bar,
            json,
            total: shards,
            shards: AtomicU64::new(0),
            docs: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    fn rates(&self) -> (f64, f64, f64) {
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        let docs = self.docs.load(Ordering::Relaxed) as f64;
        let bytes = self.bytes.load(Ordering::Relaxed) as f64;
        (secs, docs / secs, bytes / secs)
    }

    /// One HTML document went through the stages.
    pub fn doc(&self) {
        let n = self.docs.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = &self.bar {
            if n.is_multiple_of(64) {
                let (_, docs_s, bytes_s) = self.rates();
                bar.set_message(format!(
                    "{n} docs, {docs_s:.0} docs/s, {:.1} MB/s in",
                    bytes_s / 1e6
                ));
            }
        }
    }

    /// A shard finished (its stats when it completed).
    pub fn shard_done(&self, name: &str, input: &str, stats: Option<&ShardStats>) {
        let done = self.shards.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(s) = stats {
            self.bytes.fetch_add(s.bytes_in, Ordering::Relaxed);
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        if self.json {
            let (secs, docs_s, bytes_s) = self.rates();
            let eta = secs / done as f64 * self.total.saturating_sub(done) as f64;
            let mut fields = json!({
                "done": done, "total": self.total,
                "docs_per_s": (docs_s * 10.0).round() / 10.0,
                "bytes_per_s": bytes_s.round(),
                "eta_s": (eta * 10.0).round() / 10.0,
                "shard": name, "input": input,
            });
            match stats {
                Some(s) => {
                    fields["docs_in"] = json!(s.stages.first().map_or(0, |i| i.docs_in));
                    fields["docs_out"] = json!(s.docs_out);
                    fields["stages"] = json!(s
                        .stages
                        .iter()
                        .map(|st| (
                            st.name.clone(),
                            json!({"in": st.docs_in, "kept": st.kept, "dropped": st.dropped})
                        ))
                        .collect::<serde_json::Map<String, Value>>());
                    log_event("shard_done", fields);
                }
                None => log_event("shard_failed", fields),
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
