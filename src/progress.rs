//! Progress of a run on stderr: a bar when stderr is a terminal (shards done of total with an
//! ETA, documents and documents/s, input MB/s), or with `--log-format json` one JSON line per
//! finished shard (for cluster logs: counters, docs/s, bytes/s, ETA) and per run.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pipeline::ShardStats;
use serde_json::{json, Value};
use std::sync::Mutex;

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

/// The run's [`run::Observer`]: a bar on a terminal, JSON lines with `--log-format json`.
pub struct Progress {
    enabled: bool,
    bar: Mutex<Option<ProgressBar>>,
    json: bool,
    total: AtomicU64,
    shards: AtomicU64,
    docs: AtomicU64,
    bytes: AtomicU64,
    start: Mutex<Instant>,
}

impl Progress {
    /// `enabled`: show a bar (when stderr is a terminal and the log is text).
    pub fn new(enabled: bool) -> Self {
        Progress {
            enabled,
            bar: Mutex::new(None),
            json: json_log(),
            total: AtomicU64::new(0),
            shards: AtomicU64::new(0),
            docs: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            start: Mutex::new(Instant::now()),
        }
    }

    fn bar(&self) -> Option<ProgressBar> {
        self.bar.lock().ok().and_then(|b| b.clone())
    }

    fn rates(&self) -> (f64, f64, f64) {
        let start = self
            .start
            .lock()
            .map(|s| *s)
            .unwrap_or_else(|_| Instant::now());
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        let docs = self.docs.load(Ordering::Relaxed) as f64;
        let bytes = self.bytes.load(Ordering::Relaxed) as f64;
        (secs, docs / secs, bytes / secs)
    }
}

impl run::Observer for Progress {
    fn run_start(&self, shards: usize) {
        if let Ok(mut start) = self.start.lock() {
            *start = Instant::now();
        }
        let shards = shards as u64;
        self.total.store(shards, Ordering::Relaxed);
        if self.json {
            log_event("run_start", json!({"shards": shards}));
        } else if self.enabled && std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(shards), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} shards, ETA {eta}  {msg}",
                )
                .expect("valid template"),
            );
            if let Ok(mut b) = self.bar.lock() {
                *b = Some(bar);
            }
        }
    }

    /// One HTML document went through the stages.
    fn doc(&self) {
        let n = self.docs.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = self.bar() {
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
    fn shard_done(&self, name: &str, input: &str, stats: Option<&ShardStats>) {
        let done = self.shards.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(s) = stats {
            self.bytes.fetch_add(s.bytes_in, Ordering::Relaxed);
        }
        if let Some(bar) = self.bar() {
            bar.inc(1);
        }
        if self.json {
            let (secs, docs_s, bytes_s) = self.rates();
            let total = self.total.load(Ordering::Relaxed);
            let eta = secs / done as f64 * total.saturating_sub(done) as f64;
            let mut fields = json!({
                "done": done, "total": total,
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

    fn finish(&self) {
        if let Some(bar) = self.bar() {
            bar.finish_and_clear();
        }
    }
}
