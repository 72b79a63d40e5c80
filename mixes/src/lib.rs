//! seapile mixes: plan a continued-pretraining blend over a token budget.
//!
//! Design decision: a plan is pure arithmetic over unique-token counts. Counting (reading the
//! `tokens` column of Parquet/JSONL files, [`count`]) happens once, before planning; the
//! planner ([`plan`]) then solves per-source multipliers (epochs) so that each group gets its
//! share of the budget, filling a group by weight and never past a source's `max_epochs`, and
//! refuses an impossible plan with the source or group and the numbers. Reports ([`report`])
//! are rendered from the solved [`Plan`] only. The sampler ([`write`]) writes the blend a plan
//! describes in two streaming passes (seeded copies → sorted runs on disk → merged shards).

mod card;
pub mod config;
pub mod count;
pub mod plan;
pub mod report;
mod runs;
pub mod write;

use std::path::{Path, PathBuf};

pub use config::{ConfigProblem, MixConfig, SourceConfig};
pub use plan::{plan, Plan, PlannedSource};
pub use write::{write_mix, WriteOptions, WriteSummary};

/// Errors of this crate; each message quotes the offending value.
#[derive(Debug, thiserror::Error)]
pub enum MixError {
    /// The config file cannot be read or parsed.
    #[error("mix config \"{path}\": {source}")]
    Config {
        path: String,
        #[source]
        source: ConfigProblem,
    },
    /// A token count such as `"7.65X"` cannot be read.
    #[error("token count \"{0}\" is not a number with an optional K/M/B/T suffix")]
    TokenCount(String),
    /// A source's files cannot be found.
    #[error("source \"{source_name}\": {message}")]
    Count {
        source_name: String,
        message: String,
    },
    /// A source's file cannot be read.
    #[error("source \"{source_name}\": {source}")]
    Read {
        source_name: String,
        #[source]
        source: docs_io::IoError,
    },
    /// Writing the blend failed.
    #[error("mix output \"{}\": {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The config has sources that `mix write` cannot write.
    #[error("{0}")]
    NotWritable(String),
    /// The plan cannot meet its targets.
    #[error("{0}")]
    Infeasible(String),
}

/// Load the mix config at `path`, count the unique tokens of its `files` sources (globs
/// relative to the config's folder) and solve it: the config, its folder and the plan.
pub fn load_and_plan(path: &Path) -> Result<(MixConfig, PathBuf, Plan), MixError> {
    let config = MixConfig::load(path)?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let unique = count::unique_tokens(&config, &base)?;
    let plan = plan(&config, &unique)?;
    Ok((config, base, plan))
}

impl MixError {
    fn config(path: impl std::fmt::Display, e: impl Into<ConfigProblem>) -> Self {
        MixError::Config {
            path: path.to_string(),
            source: e.into(),
        }
    }

    fn write(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> Self {
        MixError::Write {
            path: path.to_path_buf(),
            source: Box::new(e),
        }
    }
}
