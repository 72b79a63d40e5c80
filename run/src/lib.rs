//! A run as a library: inputs → shards → the stage chain → sinks → stats → card → upload,
//! with resume, `--shard i --num-shards n` and `--finalize`; and what prepares and spreads
//! runs: the demo inputs ([`demo`]) and Slurm / Kubernetes job files ([`launch`]).
//!
//! The one design decision: **one build path, once per run**. A [`Config`] names its stages
//! as a closed, tagged enum over each stage crate's own config type ([`StageConfig`]); the
//! run builds the chain once from an explicit asset cache ([`pipeline::Assets`]) before any
//! shard starts, and every shard works on a fork of it (shared models, fresh state). The
//! `seapile` binary parses flags into a [`Config`] and a [`Run`], calls it, and prints.

mod card;
mod config;
pub mod demo;
mod engine;
pub mod launch;
pub mod registry;
mod remote;

use std::path::{Path, PathBuf};

pub use card::today;
pub use config::{
    ClusterConfig, Config, ConfigError, InputConfig, Layout, OutputConfig, StageConfig,
};
pub use engine::{
    language_config, output_spec, published_name, source_label, Observer, Part, PartResult, Quiet,
    Run, RunReport,
};

/// Why a run (or one task of it) did not complete; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("no input: give --input PATH_OR_GLOB (or [input] paths = [...] in the config)")]
    NoInputGiven,
    #[error("the inputs {0:?} name no file")]
    NoInput(Vec<String>),
    #[error("--tasks 0: need at least one task")]
    NoTasks,
    #[error("--task {index} is not below --tasks {num} (tasks are numbered from 0)")]
    BadPart { index: usize, num: usize },
    #[error(transparent)]
    Build(#[from] pipeline::BuildError),
    #[error(transparent)]
    Missing(#[from] pipeline::MissingAsset),
    #[error(transparent)]
    Ingest(#[from] stages::warc::IngestError),
    #[error("reading \"{input}\": {source}")]
    Input {
        input: String,
        #[source]
        source: stages::warc::IngestError,
    },
    #[error(transparent)]
    Stage(#[from] pipeline::StageError),
    #[error(transparent)]
    Sink(#[from] docs_io::SinkError),
    #[error(transparent)]
    Store(#[from] docs_io::store::StoreError),
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "stopped by a signal: {completed} shards completed and kept, unfinished ones \
         discarded; rerun the same command to resume"
    )]
    Stopped { completed: usize },
    #[error(
        "{failed} of {total} shards failed (completed shards are kept; rerun to retry):\n  {}",
        messages.join("\n  ")
    )]
    ShardsFailed {
        failed: usize,
        total: usize,
        messages: Vec<String>,
    },
    #[error("cannot finalize: shards not complete: {}", missing.join(", "))]
    CannotFinalize { missing: Vec<String> },
    #[error("only {complete} of {total} shards are complete; rerun to finish")]
    Incomplete { complete: usize, total: usize },
}

impl RunError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        RunError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What the command line says about a run; `None` means "take it from the config".
#[derive(Debug, Default, Clone)]
pub struct RunOverrides {
    pub inputs: Vec<String>,
    pub output: Option<PathBuf>,
    pub keep_rejected: bool,
    pub format: Option<docs_io::Format>,
    pub prefix: Option<String>,
    pub layout: Option<Layout>,
    pub schema: Option<docs_io::Schema>,
}

/// The config file (or the default config) with the command line's flags on top; an error
/// when it names no input.
pub fn resolve_config(config: Option<&Path>, o: &RunOverrides) -> Result<Config, RunError> {
    let mut config = match config {
        Some(p) => Config::from_file(p)?,
        None => Config::default(),
    };
    if !o.inputs.is_empty() {
        config.input.paths = o.inputs.clone();
    }
    if let Some(prefix) = &o.prefix {
        config.input.prefix = Some(prefix.clone());
    }
    if let Some(out) = &o.output {
        config.output.dir = Some(out.clone());
    }
    if o.keep_rejected {
        config.output.keep_rejected = true;
    }
    if let Some(f) = o.format {
        config.output.format = f;
    }
    if let Some(l) = o.layout {
        config.output.layout = l;
    }
    if let Some(s) = o.schema {
        config.output.schema = s;
    }
    if o.layout.is_some() {
        config::check_chain(&config).map_err(ConfigError::from)?;
    }
    if config.input.paths.is_empty() {
        return Err(RunError::NoInputGiven);
    }
    Ok(config)
}
