//! seapile mixes: plan a continued-pretraining blend over a token budget.
//!
//! Design decision: a plan is pure arithmetic over unique-token counts. Counting (reading the
//! `tokens` column of Parquet/JSONL files, [`count`]) happens once, before planning; the
//! planner ([`plan`]) then solves per-source multipliers (epochs) so that each group gets its
//! share of the budget, filling a group by weight and never past a source's `max_epochs`, and
//! refuses an impossible plan with the source or group and the numbers. Reports ([`report`])
//! are rendered from the solved [`Plan`] only. The sampler ([`write`]) writes the blend a plan
//! describes in two streaming passes (seeded copies → sorted runs on disk → merged shards).

pub mod card;
pub mod config;
pub mod count;
pub mod plan;
pub mod report;
pub mod rows;
pub mod runs;
pub mod write;

pub use config::{MixConfig, SourceConfig};
pub use plan::{plan, Plan, PlannedSource};
pub use write::{write_mix, OpenShard, ShardSink, WriteOptions, WriteSummary};

/// Errors of this crate; each message quotes the offending value.
#[derive(Debug, thiserror::Error)]
pub enum MixError {
    /// The config file cannot be read or parsed.
    #[error("mix config \"{path}\": {message}")]
    Config { path: String, message: String },
    /// A token count such as `"7.65X"` cannot be read.
    #[error("token count \"{0}\" is not a number with an optional K/M/B/T suffix")]
    TokenCount(String),
    /// A source's files cannot be counted.
    #[error("source \"{source_name}\": {message}")]
    Count {
        source_name: String,
        message: String,
    },
    /// Writing the blend failed.
    #[error("mix output \"{path}\": {message}")]
    Write { path: String, message: String },
    /// The config has sources that `mix write` cannot write.
    #[error("{0}")]
    NotWritable(String),
    /// The plan cannot meet its targets.
    #[error("{0}")]
    Infeasible(String),
}
