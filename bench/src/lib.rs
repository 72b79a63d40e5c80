//! `seapile bench`: seapile measured side by side with a peer in the same run, never as a
//! timed test. [`whole`] runs the whole path next to the Python stacks of `../shared/peers`
//! on the same WARC; [`langid`] the language ID next to Python fastText; [`magpie`] the
//! OpenAI-compatible client of `seapile magpie` next to a minimal Python client; [`tokens`]
//! the token counters next to Hugging Face `tokenizers`. Each returns
//! the JSON report the command prints.

pub mod langid;
pub mod magpie;
pub mod tokens;
pub mod whole;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Why a benchmark could not run; each message says what was missing or failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Something the benchmark needs is not here (a WARC, the peers harness, a server).
    #[error("{0}")]
    Missing(String),
    /// A peer or helper process failed or printed no report.
    #[error("{what}: {message}")]
    Peer { what: String, message: String },
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Run(#[from] run::RunError),
    #[error(transparent)]
    Langid(#[from] ::langid::LangidError),
    #[error(transparent)]
    Engine(#[from] synth::engine::EngineError),
    #[error(transparent)]
    Template(#[from] synth::template::TemplateError),
    #[error(transparent)]
    MissingAsset(#[from] pipeline::MissingAsset),
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The peers harness: `dir` when given, else `../shared/peers` when present.
pub fn peers_dir(dir: Option<&Path>) -> Option<PathBuf> {
    dir.map(Path::to_path_buf)
        .or_else(|| Some(PathBuf::from("../shared/peers")))
        .filter(|p| p.join("peer").exists())
}

/// Run `peers/peer ARGS...` and parse the one JSON object it prints last on stdout.
pub fn peer_json(peers: &Path, args: &[std::ffi::OsString]) -> Result<Value, BenchError> {
    let what = args
        .iter()
        .take(2)
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let failed = |message: String| BenchError::Peer {
        what: format!("peer {what}"),
        message,
    };
    let output = Command::new(peers.join("peer"))
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| failed(format!("cannot run it: {e}")))?;
    if !output.status.success() {
        return Err(failed(format!("failed ({})", output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or("{}");
    serde_json::from_str(line).map_err(|e| failed(format!("printed no JSON: {e}")))
}
