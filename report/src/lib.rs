//! seapile's report: `OUT/report.html`, one self-contained page that shows a run (or a dedup
//! pass, or a written mix) with charts and sample documents, and the charts the dataset card
//! embeds (`OUT/figures/*.svg`).
//!
//! The one design decision: **collect while streaming, merge exactly, render once**. A run's
//! shards each feed a [`collect::Collector`] as documents go by (counts, fixed-bin
//! histograms, bottom-k samples by a hash of the document id) and write it next to their
//! data; the end of the run merges those files — integer sums and smallest keys, so any
//! sharding of the same documents merges to the same value — and renders HTML from the
//! merged value alone, never re-reading the data. The page has no script and loads nothing
//! (a Content-Security-Policy forbids both); every outside string is escaped, document text
//! is shown as text with bidi and control characters made visible, and nothing time- or
//! machine-dependent (dates, timings, local paths) is in it.

pub mod collect;
pub mod dedup;
pub mod hist;
pub mod html;
pub mod mix;
pub mod run;
pub mod sample;
pub mod svg;

use std::path::{Path, PathBuf};

pub use collect::{Collection, Collector, Limits};
pub use run::Context;

/// Why a report could not be written; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("\"{}\" is not a valid report input: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("\"{}\" cannot be merged with the other shards' report data: {message}", path.display())]
    Incompatible { path: PathBuf, message: String },
    #[error(
        "\"{}\" holds no seapile output to report on: expected stats.json (a run), \
         dedup_stats.json (seapile dedup) or mix.json (seapile mix write)",
        .0.display()
    )]
    NothingToReport(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Write `bytes` to `path` atomically (folders created).
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    pipeline::fs::write_atomic(path, bytes).map_err(io(path))
}

/// A JSON file, or `None` when it does not exist.
pub(crate) fn read_json_opt<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Option<T>, ReportError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ReportError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// What kind of seapile output a folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Run,
    Dedup,
    Mix,
}

/// The kind of output in `out`, by the file each kind writes last.
pub fn kind_of(out: &Path) -> Option<Kind> {
    if out.join("stats.json").is_file() {
        Some(Kind::Run)
    } else if out.join("dedup_stats.json").is_file() {
        Some(Kind::Dedup)
    } else if out.join("mix.json").is_file() {
        Some(Kind::Mix)
    } else {
        None
    }
}

/// `seapile report OUT`: (re)write `OUT/report.html` for whatever output `out` holds (and,
/// for a run, `OUT/figures/`). Returns the kind and the report's size in bytes.
pub fn write_for(out: &Path) -> Result<(Kind, u64), ReportError> {
    match kind_of(out) {
        Some(Kind::Run) => {
            #[derive(serde::Deserialize)]
            struct StatsFile {
                run: pipeline::RunStats,
                shards: Vec<pipeline::ShardStats>,
            }
            let path = out.join("stats.json");
            let stats: StatsFile =
                read_json_opt(&path)?.ok_or_else(|| ReportError::NothingToReport(out.into()))?;
            let names: Vec<String> = stats.shards.iter().map(|s| s.shard.clone()).collect();
            let w = run::write(out, &stats.run, &names)?;
            Ok((Kind::Run, w.bytes))
        }
        Some(Kind::Dedup) => Ok((Kind::Dedup, dedup::write(out)?)),
        Some(Kind::Mix) => Ok((Kind::Mix, mix::write(out)?)),
        None => Err(ReportError::NothingToReport(out.to_path_buf())),
    }
}
