//! The shard runner: one input file = one shard, shards run in parallel on an explicit
//! number of threads, each shard's files are written under a temporary name and renamed into
//! place when the shard completes, and its stats JSON — written last — is the completion
//! marker. A rerun of the same command skips shards whose marker exists for the same input.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::ShardStats;

/// One unit of work: an input (path or URL) and its position in the run's input list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub input: String,
}

impl Shard {
    /// File stem used for every output of this shard, e.g. `shard-00003`.
    pub fn name(&self) -> String {
        format!("shard-{:05}", self.index)
    }
}

/// Where a shard writes: [`ShardOutput::file`] hands out temporary paths that are moved to
/// their final place only once the whole shard succeeded.
#[derive(Debug)]
pub struct ShardOutput {
    out_dir: PathBuf,
    tmp_dir: PathBuf,
    files: Vec<(PathBuf, PathBuf)>,
}

impl ShardOutput {
    /// A temporary path for the output file `rel` (relative to the output directory, e.g.
    /// `data/shard-00000.parquet`).
    pub fn file(&mut self, rel: &str) -> std::io::Result<PathBuf> {
        let tmp = self.tmp_dir.join(rel.replace('/', "__"));
        let fin = self.out_dir.join(rel);
        if let Some(parent) = fin.parent() {
            std::fs::create_dir_all(parent)?;
        }
        self.files.push((tmp.clone(), fin));
        Ok(tmp)
    }

    fn commit(self) -> std::io::Result<()> {
        for (tmp, fin) in &self.files {
            if tmp.exists() {
                std::fs::rename(tmp, fin)?;
            }
        }
        std::fs::remove_dir_all(&self.tmp_dir).or_else(ignore_not_found)
    }
}

fn ignore_not_found(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// A shard that failed, with the input it was reading.
#[derive(Debug, thiserror::Error)]
#[error("shard {shard} (input \"{input}\"): {message}")]
pub struct ShardError {
    pub shard: String,
    pub input: String,
    pub message: String,
}

/// What a run did: stats of every shard (completed now or earlier) and the failures.
#[derive(Debug, Default)]
pub struct RunOutcome {
    pub stats: Vec<ShardStats>,
    pub skipped: usize,
    pub errors: Vec<ShardError>,
    pub wall_seconds: f64,
}

/// Called with a completed shard's files (absolute local paths, its stats marker last) to copy
/// them elsewhere, e.g. to an object store. An error fails the shard and removes its local
/// marker, so a rerun redoes it.
pub type Publish = dyn Fn(&Path, &[PathBuf]) -> std::io::Result<()> + Sync;

pub struct ShardRunner {
    out_dir: PathBuf,
    threads: usize,
    publish: Option<Box<Publish>>,
}

impl ShardRunner {
    pub fn new(out_dir: impl Into<PathBuf>, threads: usize) -> Self {
        ShardRunner {
            out_dir: out_dir.into(),
            threads: threads.max(1),
            publish: None,
        }
    }

    /// Copy each shard's files elsewhere once it completes (see [`Publish`]); called with the
    /// output folder and the files.
    pub fn with_publish(mut self, publish: Box<Publish>) -> Self {
        self.publish = Some(publish);
        self
    }

    fn stats_path(&self, shard: &Shard) -> PathBuf {
        self.out_dir
            .join("stats")
            .join(format!("{}.json", shard.name()))
    }

    /// The stats of a shard completed by an earlier run for the same input, if any.
    pub fn completed(&self, shard: &Shard) -> Option<ShardStats> {
        let text = std::fs::read_to_string(self.stats_path(shard)).ok()?;
        let stats: ShardStats = serde_json::from_str(&text).ok()?;
        (stats.input == shard.input).then_some(stats)
    }

    /// Run `work` on every shard not completed yet, `threads` at a time. `work` writes its
    /// files through the [`ShardOutput`] and returns the shard's stats.
    pub fn run<F, E>(&self, shards: &[Shard], work: F) -> std::io::Result<RunOutcome>
    where
        F: Fn(&Shard, &mut ShardOutput) -> Result<ShardStats, E> + Sync,
        E: std::fmt::Display,
    {
        std::fs::create_dir_all(self.out_dir.join("stats"))?;
        let start = Instant::now();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(std::io::Error::other)?;
        let results: Vec<ShardResult> = pool.install(|| {
            use rayon::prelude::*;
            shards
                .par_iter()
                .map(|shard| self.run_one(shard, &work))
                .collect()
        });
        let mut outcome = RunOutcome::default();
        for r in results {
            match r {
                ShardResult::Done(s) => outcome.stats.push(s),
                ShardResult::Skipped(s) => {
                    outcome.skipped += 1;
                    outcome.stats.push(s)
                }
                ShardResult::Failed(e) => outcome.errors.push(e),
            }
        }
        outcome.wall_seconds = start.elapsed().as_secs_f64();
        // Each shard removed its own temporary folder; the parent goes when it is empty.
        let _ = std::fs::remove_dir(self.out_dir.join(".tmp"));
        Ok(outcome)
    }

    fn run_one<F, E>(&self, shard: &Shard, work: &F) -> ShardResult
    where
        F: Fn(&Shard, &mut ShardOutput) -> Result<ShardStats, E> + Sync,
        E: std::fmt::Display,
    {
        if let Some(done) = self.completed(shard) {
            return ShardResult::Skipped(done);
        }
        let fail = |message: String| {
            ShardResult::Failed(ShardError {
                shard: shard.name(),
                input: shard.input.clone(),
                message,
            })
        };
        let tmp_dir = self.out_dir.join(".tmp").join(shard.name());
        if let Err(e) = reset_dir(&tmp_dir) {
            return fail(format!("cannot prepare {}: {e}", tmp_dir.display()));
        }
        let mut output = ShardOutput {
            out_dir: self.out_dir.clone(),
            tmp_dir,
            files: Vec::new(),
        };
        let start = Instant::now();
        let mut stats = match work(shard, &mut output) {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&output.tmp_dir);
                return fail(format!("{e:#}"));
            }
        };
        stats.shard = shard.name();
        stats.input = shard.input.clone();
        stats.seconds = start.elapsed().as_secs_f64();
        let marker = self.stats_path(shard);
        let mut files: Vec<PathBuf> = output
            .files
            .iter()
            .filter(|(tmp, _)| tmp.exists())
            .map(|(_, fin)| fin.clone())
            .collect();
        let committed = output.commit().and_then(|()| {
            let json = serde_json::to_vec_pretty(&stats).map_err(std::io::Error::other)?;
            crate::fs::write_atomic(&marker, &json)
        });
        if let Err(e) = committed {
            return fail(format!("cannot commit outputs: {e}"));
        }
        if let Some(publish) = &self.publish {
            files.push(marker.clone());
            if let Err(e) = publish(&self.out_dir, &files) {
                let _ = std::fs::remove_file(&marker);
                return fail(format!("cannot publish outputs: {e}"));
            }
        }
        ShardResult::Done(stats)
    }
}

enum ShardResult {
    Done(ShardStats),
    Skipped(ShardStats),
    Failed(ShardError),
}

fn reset_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::remove_dir_all(dir).or_else(ignore_not_found)?;
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn shards(n: usize) -> Vec<Shard> {
        (0..n)
            .map(|i| Shard {
                index: i,
                input: format!("in-{i}"),
            })
            .collect()
    }

    #[test]
    fn rerun_skips_completed_and_redoes_failed() {
        let dir = tempfile::tempdir().unwrap();
        let runner = ShardRunner::new(dir.path(), 2);
        let calls = AtomicUsize::new(0);
        let work = |s: &Shard, out: &mut ShardOutput| -> Result<ShardStats, String> {
            calls.fetch_add(1, Ordering::SeqCst);
            if s.index == 2 {
                return Err("boom".into());
            }
            let p = out
                .file(&format!("data/{}.txt", s.name()))
                .map_err(|e| e.to_string())?;
            std::fs::write(p, &s.input).map_err(|e| e.to_string())?;
            Ok(ShardStats {
                docs_out: 1,
                ..Default::default()
            })
        };
        let first = runner.run(&shards(3), work).unwrap();
        assert_eq!(first.stats.len(), 2);
        assert_eq!(first.errors.len(), 1);
        assert!(first.errors[0].to_string().contains("in-2"));
        assert!(dir.path().join("data/shard-00000.txt").exists());
        assert!(!dir.path().join("data/shard-00002.txt").exists());
        assert!(!dir.path().join(".tmp").exists(), "no leftovers");
        let before = calls.load(Ordering::SeqCst);
        let second = runner.run(&shards(3), work).unwrap();
        assert_eq!(second.skipped, 2);
        assert_eq!(
            calls.load(Ordering::SeqCst) - before,
            1,
            "only the failed shard reruns"
        );
    }

    #[test]
    fn changed_input_is_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let runner = ShardRunner::new(dir.path(), 1);
        let work = |_: &Shard, _: &mut ShardOutput| -> Result<ShardStats, String> {
            Ok(ShardStats::default())
        };
        runner.run(&shards(1), work).unwrap();
        let other = vec![Shard {
            index: 0,
            input: "different".into(),
        }];
        assert!(runner.completed(&other[0]).is_none());
        assert_eq!(runner.run(&other, work).unwrap().skipped, 0);
    }
}
