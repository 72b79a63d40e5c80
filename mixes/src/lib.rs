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

use pipeline::Assets;
use stages::tokens::TokenCounter;

pub use config::{ConfigProblem, MixConfig, SourceConfig};
pub use plan::{plan, Plan, PlannedSource};
pub use write::{write_mix, write_mix_counted, WriteOptions, WriteSummary};

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
    /// The decontamination index the config names cannot be used.
    #[error(transparent)]
    Decontam(#[from] decontam::DecontamError),
    /// The tokenizer the config names cannot be loaded.
    #[error("tokenizer \"{name}\": {source}")]
    Tokenizer {
        name: String,
        #[source]
        source: stages::tokens::TokensError,
    },
}

/// The mix configs shipped in `mixes/`, by short name: `v2`, `v3`, `v3-cpt`, `v4`.
pub const SHIPPED: [(&str, &str, &str); 4] = [
    (
        "v2",
        "sea-lion-v2.toml",
        include_str!("../sea-lion-v2.toml"),
    ),
    (
        "v3",
        "sea-lion-v3-8b.toml",
        include_str!("../sea-lion-v3-8b.toml"),
    ),
    (
        "v3-cpt",
        "sea-lion-v3-cpt.toml",
        include_str!("../sea-lion-v3-cpt.toml"),
    ),
    (
        "v4",
        "sea-lion-v4-27b.toml",
        include_str!("../sea-lion-v4-27b.toml"),
    ),
];

/// A shipped mix config by short name (see [`SHIPPED`]).
pub fn shipped(name: &str) -> Option<Result<MixConfig, MixError>> {
    SHIPPED
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, file, text)| MixConfig::parse(text, file))
}

/// A mix config ready to plan and write: the config, the folder its paths are relative to,
/// and the tokenizer its `files` are counted with (when it names one).
pub struct LoadedMix {
    pub config: MixConfig,
    pub base: PathBuf,
    pub counter: Option<TokenCounter>,
}

impl LoadedMix {
    /// Load the mix config at `path` and its tokenizer (a known name from `assets`, or a
    /// `tokenizer.json` relative to the config). A `path` that does not exist but is the
    /// short name of a shipped mix (`v3`, `v4`, ...) loads that one.
    pub fn load(path: &Path, assets: &Assets) -> Result<LoadedMix, MixError> {
        if !path.exists() {
            if let Some(config) = shipped(&path.to_string_lossy()) {
                return Self::with_config(config?, PathBuf::from("."), assets);
            }
        }
        let config = MixConfig::load(path)?;
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Self::with_config(config, base, assets)
    }

    /// The same for a config already parsed (e.g. a shipped one, see [`shipped`]).
    pub fn with_config(
        config: MixConfig,
        base: PathBuf,
        assets: &Assets,
    ) -> Result<LoadedMix, MixError> {
        let counter = match &config.tokenizer {
            Some(t) => tokenizer_of(t, &base, assets)?,
            None => None,
        };
        Ok(LoadedMix {
            config,
            base,
            counter,
        })
    }

    /// Count the `files` sources and solve the plan.
    pub fn plan(&self) -> Result<Plan, MixError> {
        let unique = count::unique_tokens(&self.config, &self.base, self.counter.as_ref())?;
        let mut plan = plan(&self.config, &unique)?;
        if self.config.sources.iter().any(|s| !s.files.is_empty()) {
            plan.counted_with = self.counter.as_ref().map(|c| c.engine().name().to_string());
        }
        Ok(plan)
    }
}

/// The tokenizer `name` names: a known one, or an existing `tokenizer.json` (relative to
/// `base`); `None` for a label such as "Llama 3 (meta-llama/...)".
fn tokenizer_of(
    name: &str,
    base: &Path,
    assets: &Assets,
) -> Result<Option<TokenCounter>, MixError> {
    let known = stages::tokens::NAMED
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name));
    let file = base.join(name);
    let is_file = name.ends_with(".json") && file.is_file();
    if !known && !is_file {
        return Ok(None);
    }
    let path = if known {
        stages::tokens::resolve(Path::new(name), assets)
    } else {
        Ok(file)
    };
    let counter = path
        .and_then(TokenCounter::load)
        .map_err(|e| MixError::Tokenizer {
            name: name.to_string(),
            source: e,
        })?;
    Ok(Some(counter))
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
