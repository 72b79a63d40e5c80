//! The run configuration (TOML). Config describes the data; CLI flags describe the run
//! (threads, shard selection) and override `input`/`output` when given.
//!
//! Stage configs are a closed, internally tagged enum (`type = "langid"`) and every struct
//! denies unknown fields, so a typo is an error that names the field, not a silent default.
//! This module only parses and checks values; each stage crate's `build()` turns its config
//! into a runtime stage (loading models) and validates what needs the file system.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The 13 languages SEA-LION keeps, as ISO 639-3.
pub const SEA_LANGS: [&str; 13] = [
    "eng", "ind", "jav", "khm", "lao", "mya", "sun", "tam", "tgl", "tha", "vie", "zho", "zsm",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file \"{path}\": {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config \"{origin}\": {message}")]
    Parse { origin: String, message: String },
    #[error("invalid config value {field} = {value}: {hint}")]
    Invalid {
        field: String,
        value: String,
        hint: String,
    },
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            input: InputConfig::default(),
            output: OutputConfig::default(),
            stages: default_stages(),
            cluster: ClusterConfig::default(),
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
    /// held in memory. Default 16 MiB.
    #[serde(default)]
    pub max_record_bytes: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Parquet,
    Jsonl,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    #[serde(default)]
    pub dir: Option<PathBuf>,
    #[serde(default)]
    pub format: OutputFormat,
    /// Also write dropped documents with their reason to `OUT/rejected/`.
    #[serde(default)]
    pub keep_rejected: bool,
    /// Dataset card fields.
    #[serde(default = "default_license")]
    pub license: String,
    #[serde(default)]
    pub pretty_name: Option<String>,
}

fn default_license() -> String {
    "other".to_string()
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: None,
            format: OutputFormat::default(),
            keep_rejected: false,
            license: default_license(),
            pretty_name: None,
        }
    }
}

/// One configured stage, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StageConfig {
    Extract(ExtractConfig),
    ExactDedup(ExactDedupConfig),
    Langid(LangidConfig),
    Quality(QualityConfig),
    Tokens(TokensConfig),
}

impl StageConfig {
    pub fn name(&self) -> &'static str {
        match self {
            StageConfig::Extract(_) => "extract",
            StageConfig::ExactDedup(_) => "exact_dedup",
            StageConfig::Langid(_) => "langid",
            StageConfig::Quality(_) => "quality",
            StageConfig::Tokens(_) => "tokens",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractConfig {
    /// Pages whose extracted text has fewer characters than this are dropped (`too_short`).
    #[serde(default = "default_min_chars")]
    pub min_chars: usize,
    /// Pages whose HTML is larger than this are dropped (`html_too_large`). Default 8 MiB.
    #[serde(default = "default_max_html_bytes")]
    pub max_html_bytes: usize,
    /// Pages whose extraction takes longer than this many milliseconds are dropped
    /// (`extract_timeout`). Default 2000.
    #[serde(default = "default_max_extract_millis")]
    pub max_millis: u64,
}

fn default_min_chars() -> usize {
    50
}
fn default_max_html_bytes() -> usize {
    8 << 20
}
fn default_max_extract_millis() -> u64 {
    2000
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            min_chars: default_min_chars(),
            max_html_bytes: default_max_html_bytes(),
            max_millis: default_max_extract_millis(),
        }
    }
}

/// Drop documents whose normalised text was already seen in the same shard.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExactDedupConfig {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangidConfig {
    /// fastText model file; default: `lid.176.ftz` from the asset cache.
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// Minimum probability of the top label for a document to be kept.
    #[serde(default = "default_threshold")]
    pub threshold: f32,
    /// Languages to keep, ISO 639-3. Default: the 13 SEA-LION languages.
    #[serde(default = "default_langs")]
    pub languages: Vec<String>,
    /// Minimum score per language (ISO 639-3 → score); a language without an entry uses
    /// `threshold`. Default: [`LANGID_THRESHOLDS`]. A table given in the config replaces
    /// the default one as a whole.
    #[serde(default = "default_lang_thresholds")]
    pub thresholds: BTreeMap<String, f32>,
    /// Apply the SEA rules on top of fastText (Zawgyi, scripts, Malay/Indonesian,
    /// Javanese/Sundanese, Tagalog); `false` keeps fastText's top label as it is.
    #[serde(default = "default_sea_rules")]
    pub sea_rules: bool,
    /// Weight of fastText's `ms` probability against `id` on text without Malay or
    /// Indonesian markers (multiplies the odds the word lexicon gives; 1 = no prior).
    #[serde(default = "default_malay_weight")]
    pub malay_weight: f32,
    /// Folder with wordfreq's `small_ms.msgpack.gz` and `small_id.msgpack.gz`, the word
    /// frequencies that tell Malay from Indonesian; default: `wordfreq/` in the asset cache.
    #[serde(default)]
    pub malay_lexicon: Option<PathBuf>,
}

/// Shipped per-language thresholds: for each language, the score that keeps 95% of the
/// `shared/eval/langid/dev.tsv` lines the SEA layer labels correctly as that language
/// (5th percentile, rounded down to 0.05; the lingua `zsm`/`ind` lines, whose labels are
/// unreliable, left out). Documents score higher than single lines, so these keep more.
pub const LANGID_THRESHOLDS: [(&str, f32); 13] = [
    ("eng", 0.65),
    ("ind", 0.40),
    ("jav", 0.15),
    ("khm", 0.80),
    ("lao", 0.75),
    ("mya", 0.95),
    ("sun", 0.15),
    ("tam", 0.95),
    ("tgl", 0.30),
    ("tha", 0.95),
    ("vie", 0.80),
    ("zho", 0.50),
    ("zsm", 0.40),
];

fn default_threshold() -> f32 {
    0.65
}
fn default_langs() -> Vec<String> {
    SEA_LANGS.iter().map(|s| s.to_string()).collect()
}
fn default_lang_thresholds() -> BTreeMap<String, f32> {
    LANGID_THRESHOLDS
        .iter()
        .map(|(l, t)| (l.to_string(), *t))
        .collect()
}
fn default_sea_rules() -> bool {
    true
}
fn default_malay_weight() -> f32 {
    1.0
}

impl Default for LangidConfig {
    fn default() -> Self {
        LangidConfig {
            model: None,
            threshold: default_threshold(),
            languages: default_langs(),
            thresholds: default_lang_thresholds(),
            sea_rules: default_sea_rules(),
            malay_weight: default_malay_weight(),
            malay_lexicon: None,
        }
    }
}

/// Gopher/C4/FineWeb quality rules with per-language thresholds (needs `lang`: put it after
/// `langid`). Signals go to `attrs`; the first failing rule is the drop reason.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityConfig {
    /// Folder of `<iso639-3>.toml` threshold files; default: the built-in `configs/quality`.
    #[serde(default)]
    pub thresholds_dir: Option<PathBuf>,
    /// `stopwords-iso.json`; default: the asset cache.
    #[serde(default)]
    pub stopwords: Option<PathBuf>,
    /// Write the signals but drop nothing.
    #[serde(default)]
    pub score_only: bool,
    /// Domains to drop (one per line, subdomains included).
    #[serde(default)]
    pub url_blocklist: Option<PathBuf>,
    /// Drop URLs containing an adult word as a token.
    #[serde(default)]
    pub url_adult_words: bool,
    /// Mask e-mail addresses and phone numbers in kept documents.
    #[serde(default)]
    pub mask_pii: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensConfig {
    /// Hugging Face `tokenizer.json`; default: Llama 3's from the asset cache.
    #[serde(default)]
    pub tokenizer: Option<PathBuf>,
}

impl Config {
    /// Parse TOML text; `origin` (a file name) is quoted in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text, &path.display().to_string())
    }

    /// Value checks that need no file system.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for stage in &self.stages {
            if let StageConfig::Langid(l) = stage {
                if !(0.0..=1.0).contains(&l.threshold) || l.threshold.is_nan() {
                    return Err(ConfigError::Invalid {
                        field: "stages.langid.threshold".into(),
                        value: l.threshold.to_string(),
                        hint: "a probability between 0 and 1".into(),
                    });
                }
                for (lang, t) in &l.thresholds {
                    if !(0.0..=1.0).contains(t) || t.is_nan() {
                        return Err(ConfigError::Invalid {
                            field: format!("stages.langid.thresholds.{lang}"),
                            value: t.to_string(),
                            hint: "a score between 0 and 1".into(),
                        });
                    }
                }
                if !(l.malay_weight > 0.0 && l.malay_weight.is_finite()) {
                    return Err(ConfigError::Invalid {
                        field: "stages.langid.malay_weight".into(),
                        value: l.malay_weight.to_string(),
                        hint: "a positive number (1 = fastText's own ms/id choice)".into(),
                    });
                }
                for lang in l.languages.iter().chain(l.thresholds.keys()) {
                    let ok = lang.len() == 3 && lang.bytes().all(|b| b.is_ascii_lowercase());
                    if !ok {
                        return Err(ConfigError::Invalid {
                            field: "stages.langid.languages".into(),
                            value: format!("\"{lang}\""),
                            hint: "ISO 639-3 codes such as \"ind\", \"zsm\", \"tha\"".into(),
                        });
                    }
                }
            }
        }
        let mut names: Vec<&str> = self.stages.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(ConfigError::Invalid {
                field: "stages".into(),
                value: format!("\"{}\"", w[0]),
                hint: "each stage type may appear once".into(),
            });
        }
        Ok(())
    }

    /// The config as TOML (written into the dataset card).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn default_round_trips() {
        let c = Config::default();
        let back = Config::from_toml(&c.to_toml(), "rt").unwrap();
        assert_eq!(c, back);
    }
}
