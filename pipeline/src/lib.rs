//! The core of seapile: a [`Doc`] flows through a chain of [`Stage`]s, each of which keeps it
//! or drops it with a stable, `'static` reason string.
//!
//! The one design decision: **bad input is data, not an error**. A malformed record, an
//! undecodable page or a page in the wrong language is an [`Outcome::Drop`] with a reason that
//! is counted in [`StageStats`] (so `in = kept + dropped` always holds and the dataset card can
//! show it). `Err` is reserved for I/O failures, bad configuration and broken invariants.
//!
//! Everything else here is small plumbing shared by all stages: the [`BuildStage`] contract a
//! stage's config fulfils (built once per run from the [`Assets`] cache), drop reasons
//! declared one way ([`drop_reasons!`]), the counters, atomic writes ([`fs`]), and the
//! [`runner`] that runs shards in parallel and makes reruns skip shards that completed. No
//! stage's config lives here, and nothing here reads the environment.

pub mod assets;
pub mod doc;
pub mod fs;
pub mod ordered;
pub mod reason;
pub mod runner;
pub mod stage;
pub mod stats;

pub use assets::{Assets, MissingAsset};
pub use doc::Doc;
pub use reason::Reason;
pub use runner::{Shard, ShardOutput, ShardRunner};
pub use stage::{
    BuildError, BuildStage, Chain, ForkStage, InvalidValue, ModelFile, Outcome, Stage, StageError,
    Step,
};
pub use stats::{LangStats, OutputFile, RunStats, ShardStats, StageStats};
