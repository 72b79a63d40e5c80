//! The core of seapile: a [`Doc`] flows through a chain of [`Stage`]s, each of which keeps it
//! or drops it with a stable, `'static` reason string.
//!
//! The one design decision: **bad input is data, not an error**. A malformed record, an
//! undecodable page or a page in the wrong language is an [`Outcome::Drop`] with a reason that
//! is counted in [`StageStats`] (so `in = kept + dropped` always holds and the dataset card can
//! show it). `Err` is reserved for I/O failures, bad configuration and broken invariants.
//!
//! Everything else here is small plumbing shared by all stages: the counters, the TOML config
//! (tagged enums, `deny_unknown_fields`), and the [`runner`] that runs shards in parallel and
//! makes reruns skip shards that completed.

pub mod assets;
pub mod config;
pub mod doc;
pub mod runner;
pub mod stage;
pub mod stats;

pub use config::{Config, ConfigError};
pub use doc::Doc;
pub use runner::{Shard, ShardOutput, ShardRunner};
pub use stage::{Chain, Outcome, Stage, StageError};
pub use stats::{LangStats, RunStats, ShardStats, StageStats};
