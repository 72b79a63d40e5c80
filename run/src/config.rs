//! The run configuration (TOML). Config describes the data; CLI flags describe the run
//! (threads, shard selection) and override `input`/`output` when given.
//!
//! Stage configs are a closed, internally tagged enum ([`StageConfig`], `type = "langid"`)
//! over each stage crate's own config type, and every struct denies unknown fields, so a typo
//! is an error that names the field, not a silent default. Parsing checks values
//! (`BuildStage::validate`); building the stages (`crate::stages`) checks what needs files.

use std::path::{Path, PathBuf};

use decontam::DecontamConfig;
use dedup::ExactDedupConfig;
use docs_io::{Format, Schema};
use langid::LangidConfig;
use pipeline::{BuildStage, InvalidValue, Reason};
use serde::{Deserialize, Serialize};
use stages::extract::ExtractConfig;
use stages::quality::QualityConfig;
use stages::tokens::TokensConfig;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file \"{}\": {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config \"{origin}\": {message}")]
    Parse { origin: String, message: String },
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub input: InputConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default = "default_stages")]
    pub stages: Vec<StageConfig>,
    /// Resources for `seapile slurm` / `seapile k8s` (their flags override these).
    #[serde(default, skip_serializing_if = "ClusterConfig::is_empty")]
    pub cluster: ClusterConfig,
    /// Settings that cannot take effect, found when the file was parsed (printed by the
    /// binary; never an error).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            input: InputConfig::default(),
            output: OutputConfig::default(),
            stages: default_stages(),
            cluster: ClusterConfig::default(),
            warnings: Vec::new(),
        }
    }
}

/// `[cluster]`: how `seapile slurm` and `seapile k8s` size their jobs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// Array tasks / Job completions.
    #[serde(default)]
    pub tasks: Option<usize>,
    /// CPUs per task (also each task's `--threads`).
    #[serde(default)]
    pub cpus: Option<usize>,
    /// Slurm: partition, memory (`8G`) and wall time (`04:00:00`) per task.
    #[serde(default)]
    pub partition: Option<String>,
    #[serde(default)]
    pub mem: Option<String>,
    #[serde(default)]
    pub time: Option<String>,
    /// Kubernetes: image, memory per pod (`8Gi`), PersistentVolumeClaims (`CLAIM:/mount`).
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub memory: Option<String>,
    #[serde(default)]
    pub volumes: Vec<String>,
}

impl ClusterConfig {
    pub fn is_empty(&self) -> bool {
        *self == ClusterConfig::default()
    }
}

fn default_stages() -> Vec<StageConfig> {
    vec![
        StageConfig::Extract(ExtractConfig::default()),
        StageConfig::ExactDedup(ExactDedupConfig::default()),
        StageConfig::Langid(LangidConfig::default()),
        StageConfig::Quality(QualityConfig::default()),
        StageConfig::Tokens(TokensConfig::default()),
    ]
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Local paths, globs, `warc.paths`/`warc.paths.gz` lists, or http(s) URLs.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Prepended to the relative entries of a `warc.paths` list
    /// (e.g. `https://data.commoncrawl.org/`).
    #[serde(default)]
    pub prefix: Option<String>,
    /// Records larger than this are skipped (dropped as `record_too_large`) without being
    /// held in memory. Default 16 MiB (`stages::warc::DEFAULT_MAX_RECORD_BYTES`).
    #[serde(default)]
    pub max_record_bytes: Option<u64>,
}

impl InputConfig {
    /// The record size limit in force.
    pub fn max_record_bytes(&self) -> u64 {
        self.max_record_bytes
            .unwrap_or(stages::warc::DEFAULT_MAX_RECORD_BYTES)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    #[serde(default)]
    pub dir: Option<PathBuf>,
    #[serde(default)]
    pub format: Format,
    /// Also write dropped documents with their reason to `OUT/rejected/`.
    #[serde(default)]
    pub keep_rejected: bool,
    /// `flat` (default: `data/<shard>.parquet`) or `by-language`
    /// (`data/<lang>_<script>/<shard>.parquet`, FineWeb-2's layout, one Hub config each).
    #[serde(default, skip_serializing_if = "Layout::is_flat")]
    pub layout: Layout,
    /// Column names: `seapile` (default) or `fineweb` (FineWeb-2's names, `metadata` struct).
    #[serde(default, skip_serializing_if = "is_seapile")]
    pub schema: Schema,
    /// Dataset card fields.
    #[serde(default = "default_license")]
    pub license: String,
    /// For `license = "other"`: an id for it and a link (a URL or a file in the dataset
    /// repository). Default: `publishers-terms`, explained in the card (`README.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_link: Option<String>,
    #[serde(default)]
    pub pretty_name: Option<String>,
    /// Write `OUT/report.html` (charts and sample documents, collected per shard while the
    /// run streams) and the card's `OUT/figures/`. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub report: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn default_license() -> String {
    "other".to_string()
}

fn is_seapile(s: &Schema) -> bool {
    *s == Schema::Seapile
}

/// Where kept documents go under `OUT/data/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// `data/<shard>.<ext>`: every language in the same files.
    #[default]
    Flat,
    /// `data/<lang>_<script>/<shard>.<ext>` (FineWeb-2's layout), one Hub config per language.
    ByLanguage,
}

impl Layout {
    pub fn is_flat(&self) -> bool {
        *self == Layout::Flat
    }
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: None,
            format: Format::default(),
            keep_rejected: false,
            layout: Layout::default(),
            schema: Schema::default(),
            license: default_license(),
            license_name: None,
            license_link: None,
            pretty_name: None,
            report: true,
        }
    }
}

/// The registry of stages a run can build: one line per stage gives its `type` (also its
/// name in stats, rejects and cards), its config type (owned by its crate) and its drop
/// reasons. Expands to the tagged [`StageConfig`] enum and [`STAGE_REASONS`].
macro_rules! stage_registry {
    ($($(#[$doc:meta])* $variant:ident($config:ty) = $name:literal, $reasons:expr;)+) => {
        /// One configured stage, tagged by `type`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum StageConfig {
            $($(#[$doc])* $variant($config),)+
        }

        impl StageConfig {
            /// The stage's name in stats, rejects and cards (= its `type`).
            pub fn name(&self) -> &'static str {
                match self {
                    $(StageConfig::$variant(_) => $name,)+
                }
            }

            /// The config as the stage builder it is.
            pub fn builder(&self) -> &dyn BuildStage {
                match self {
                    $(StageConfig::$variant(c) => c,)+
                }
            }
        }

        /// Every stage's stable drop reasons, in registry order.
        pub const STAGE_REASONS: &[(&str, &[Reason])] = &[$(($name, $reasons)),+];
    };
}

stage_registry! {
    /// Main text from HTML (`stages::extract`).
    Extract(ExtractConfig) = "extract", stages::extract::reason::ALL;
    /// Exact duplicates within a shard (`dedup`).
    ExactDedup(ExactDedupConfig) = "exact_dedup", dedup::reason::ALL;
    /// Language ID and the SEA languages (`langid`).
    Langid(LangidConfig) = "langid", langid::reason::ALL;
    /// Gopher/C4/FineWeb quality rules (`stages::quality`).
    Quality(QualityConfig) = "quality", stages::quality::reason::ALL;
    /// Token counts (`stages::tokens`).
    Tokens(TokensConfig) = "tokens", &[];
    /// Benchmark text dropped or cut against an index (`decontam`).
    Decontam(DecontamConfig) = "decontam", decontam::reason::ALL;
}

impl Config {
    /// Parse TOML text; `origin` (a file name) is quoted in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let raw: toml::Value = toml::from_str(text).unwrap_or(toml::Value::Boolean(false));
        config.warnings = ineffective_settings(&config, &raw);
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text, &path.display().to_string())
    }

    /// Value checks that need no file system: each stage's own, then the chain's (every
    /// stage after the stages it needs, see [`check_chain`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        for stage in &self.stages {
            stage.builder().validate()?;
        }
        check_chain(self)?;
        let mut names: Vec<&str> = self.stages.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(InvalidValue {
                field: "stages".into(),
                value: format!("\"{}\"", w[0]),
                hint: "each stage type may appear once".into(),
            }
            .into());
        }
        Ok(())
    }

    /// The config as TOML (written into the dataset card).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

/// What each stage needs before it in the chain, and why.
fn needs(stage: &str) -> &'static [(&'static str, &'static str)] {
    const TEXT: (&str, &str) = ("extract", "WARC pages have no text until `extract` runs");
    match stage {
        "extract" => &[],
        "quality" => &[
            TEXT,
            (
                "langid",
                "its thresholds and word segmentation are per language",
            ),
        ],
        _ => &[TEXT],
    }
}

/// A chain that cannot work is an error naming the stage and the fix: a run reads WARC
/// pages, so `extract` must come first (or nothing has text), and a stage must come after
/// the stages it needs (`quality` after `langid`); `layout = "by-language"` needs `langid`.
pub fn check_chain(config: &Config) -> Result<(), InvalidValue> {
    let names: Vec<&str> = config.stages.iter().map(|s| s.name()).collect();
    let order = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    for (i, name) in names.iter().enumerate() {
        for (need, why) in needs(name) {
            match names.iter().position(|n| n == need) {
                Some(j) if j < i => {}
                Some(_) => {
                    return Err(InvalidValue {
                        field: "stages".into(),
                        value: format!("[{order}]"),
                        hint: format!(
                            "`{name}` comes before `{need}`, which it needs ({why}): move the \
                             `{need}` stage before `{name}`"
                        ),
                    })
                }
                None => {
                    return Err(InvalidValue {
                        field: "stages".into(),
                        value: format!("[{order}]"),
                        hint: format!(
                            "`{name}` needs a `{need}` stage before it ({why}): add \
                             [[stages]] type = \"{need}\" before it"
                        ),
                    })
                }
            }
        }
    }
    if !names.contains(&"extract") {
        return Err(InvalidValue {
            field: "stages".into(),
            value: format!("[{order}]"),
            hint: "a run reads WARC pages, which have no text until extracted: add \
                   [[stages]] type = \"extract\" first"
                .into(),
        });
    }
    if config.output.layout == Layout::ByLanguage && !names.contains(&"langid") {
        return Err(InvalidValue {
            field: "output.layout".into(),
            value: "\"by-language\"".into(),
            hint: "writing one folder per language needs a `langid` stage".into(),
        });
    }
    Ok(())
}

/// Settings written in the file that cannot take effect.
fn ineffective_settings(config: &Config, raw: &toml::Value) -> Vec<String> {
    let mut out = Vec::new();
    let raw_stages = raw
        .get("stages")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (stage, table) in config.stages.iter().zip(&raw_stages) {
        if let StageConfig::Langid(l) = stage {
            let in_force = l.lang_thresholds();
            let covered = l.languages.iter().all(|lang| in_force.contains_key(lang));
            if table.get("threshold").is_some() && covered {
                out.push(format!(
                    "langid: threshold = {} has no effect: every language in `languages` has \
                     its own per-language threshold (from `threshold_table`, or `thresholds`); \
                     set thresholds.<lang> instead",
                    l.threshold
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_without_extract_or_out_of_order_is_an_error_naming_the_fix() {
        let e = Config::from_toml("[[stages]]\ntype = \"langid\"\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("needs a `extract` stage") || e.contains("extract"),
            "{e}"
        );
        let e = Config::from_toml(
            "[[stages]]\ntype = \"extract\"\n[[stages]]\ntype = \"quality\"\n\
             [[stages]]\ntype = \"langid\"\n",
            "x.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("`quality` comes before `langid`") && e.contains("move the `langid` stage"),
            "{e}"
        );
        let e = Config::from_toml("[[stages]]\ntype = \"tokens\"\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("add [[stages]] type = \"extract\""), "{e}");
        let e = Config::from_toml(
            "[output]\nlayout = \"by-language\"\n[[stages]]\ntype = \"extract\"\n",
            "x.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("needs a `langid` stage"), "{e}");
    }

    #[test]
    fn a_global_threshold_the_table_overrides_is_a_warning() {
        let c = Config::from_toml(
            "[[stages]]\ntype = \"extract\"\n[[stages]]\ntype = \"langid\"\nthreshold = 0.65\n",
            "x.toml",
        )
        .unwrap();
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("threshold = 0.65 has no effect"));
        let c = Config::from_toml(
            "[[stages]]\ntype = \"extract\"\n[[stages]]\ntype = \"langid\"\nthreshold = 0.7\n\
             languages = [\"ind\", \"ceb\"]\n",
            "x.toml",
        );
        // `ceb` has no per-language entry: the global threshold applies to it.
        assert!(c.map(|c| c.warnings.is_empty()).unwrap_or(true));
    }

    #[test]
    fn parses_tagged_stages() {
        let c = Config::from_toml(
            r#"
            [input]
            paths = ["a.warc.gz"]
            [[stages]]
            type = "extract"
            [[stages]]
            type = "langid"
            threshold = 0.5
            languages = ["ind", "zsm"]
            "#,
            "t.toml",
        )
        .unwrap();
        assert_eq!(c.stages.len(), 2);
        assert!(matches!(&c.stages[1], StageConfig::Langid(l) if l.threshold == 0.5));
    }

    #[test]
    fn unknown_field_is_an_error_naming_it() {
        let e = Config::from_toml(
            "[[stages]]\ntype = \"langid\"\nthreshhold = 0.5\n",
            "x.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("x.toml") && e.contains("threshhold"), "{e}");
    }

    #[test]
    fn unknown_stage_type_is_an_error() {
        let e = Config::from_toml("[[stages]]\ntype = \"magic\"\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("magic"), "{e}");
    }

    #[test]
    fn bad_threshold_quotes_value() {
        let e = Config::from_toml("[[stages]]\ntype = \"langid\"\nthreshold = 1.5\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("1.5") && e.contains("x.toml"), "{e}");
    }

    #[test]
    fn decontam_stage_parses_with_its_defaults_and_checks_values() {
        let c = Config::from_toml(
            "[[stages]]\ntype = \"extract\"\n\
             [[stages]]\ntype = \"decontam\"\nindex = \"sea-helm.idx\"\naction = \"cut\"\n",
            "d.toml",
        )
        .unwrap();
        match &c.stages[1] {
            StageConfig::Decontam(d) => {
                assert_eq!(d.index, std::path::PathBuf::from("sea-helm.idx"));
                assert_eq!(d.action, decontam::Action::Cut);
                assert_eq!((d.margin_chars, d.max_cuts), (200, 10));
            }
            other => panic!("{other:?}"),
        }
        let e = Config::from_toml(
            "[[stages]]\ntype = \"extract\"\n\
             [[stages]]\ntype = \"decontam\"\nindex = \"x.idx\"\nmin_ngrams = 0\n",
            "d.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("min_ngrams") && e.contains("d.toml"), "{e}");
        let e = Config::from_toml(
            "[[stages]]\ntype = \"decontam\"\naction = \"cut\"\n",
            "d.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("index"), "{e}");
    }

    #[test]
    fn default_round_trips() {
        let c = Config::default();
        let mut back = Config::from_toml(&c.to_toml(), "rt").unwrap();
        back.warnings.clear();
        assert_eq!(c, back);
    }
}
