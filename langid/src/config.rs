//! `type = "langid"`: the stage's config, its shipped per-language thresholds, and how it is
//! built from the asset cache.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use pipeline::{Assets, BuildError, BuildStage, InvalidValue, Stage};
use serde::{Deserialize, Serialize};

use crate::sea::DEFAULT_MALAY_WEIGHT;
use crate::{FastText, LangidError, LangidStage, MalayLexicon, SeaLangid};

/// The 13 languages SEA-LION keeps, as ISO 639-3.
pub const SEA_LANGS: [&str; 13] = [
    "eng", "ind", "jav", "khm", "lao", "mya", "sun", "tam", "tgl", "tha", "vie", "zho", "zsm",
];

/// fastText's `lid.176.ftz` in the asset cache: the default model.
pub const LID_176: &str = "lid.176.ftz";

/// The Malay/Indonesian word lists' folder in the asset cache (see [`MalayLexicon`]).
pub const LEXICON_DIR: &str = crate::lexicon::DEFAULT_DIR;

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

/// FineWeb-2's per-language thresholds for GlotLID (its `fineweb-2` language configs), in
/// SEA-LION's codes (`cmn` → `zho`, `fil` → `tgl`). FineWeb-2 has no English; `eng` keeps
/// FineWeb's 0.65.
pub const GLOTLID_FINEWEB2_THRESHOLDS: [(&str, f32); 13] = [
    ("eng", 0.65),
    ("ind", 0.685),
    ("jav", 0.3),
    ("khm", 0.3),
    ("lao", 0.691),
    ("mya", 0.839),
    ("sun", 0.3),
    ("tam", 0.888),
    ("tgl", 0.68),
    ("tha", 0.9),
    ("vie", 0.802),
    ("zho", 0.692),
    ("zsm", 0.618),
];

/// Which shipped per-language threshold table a config starts from: the one measured for
/// `lid.176` with the SEA layer ([`LANGID_THRESHOLDS`]), or FineWeb-2's for GlotLID
/// ([`GLOTLID_FINEWEB2_THRESHOLDS`]). `thresholds` in the config replaces either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdTable {
    #[default]
    Lid176,
    GlotlidFineweb2,
}

impl ThresholdTable {
    /// The table's (language, threshold) pairs.
    pub fn table(self) -> &'static [(&'static str, f32); 13] {
        match self {
            ThresholdTable::Lid176 => &LANGID_THRESHOLDS,
            ThresholdTable::GlotlidFineweb2 => &GLOTLID_FINEWEB2_THRESHOLDS,
        }
    }
}

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
    /// `threshold`. Default: the `threshold_table`. A table given in the config replaces
    /// the shipped one as a whole.
    #[serde(default)]
    pub thresholds: Option<BTreeMap<String, f32>>,
    /// The shipped per-language table used when `thresholds` is not given: `"lid176"`
    /// (default, for `lid.176.ftz`) or `"glotlid-fineweb2"` (FineWeb-2's, for a GlotLID
    /// model given as `model`).
    #[serde(default)]
    pub threshold_table: ThresholdTable,
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

fn default_threshold() -> f32 {
    0.65
}
fn default_langs() -> Vec<String> {
    SEA_LANGS.iter().map(|s| s.to_string()).collect()
}
fn default_sea_rules() -> bool {
    true
}
fn default_malay_weight() -> f32 {
    DEFAULT_MALAY_WEIGHT
}

impl Default for LangidConfig {
    fn default() -> Self {
        LangidConfig {
            model: None,
            threshold: default_threshold(),
            languages: default_langs(),
            thresholds: None,
            threshold_table: ThresholdTable::default(),
            sea_rules: default_sea_rules(),
            malay_weight: default_malay_weight(),
            malay_lexicon: None,
        }
    }
}

fn invalid(field: impl Into<String>, value: impl ToString, hint: &str) -> InvalidValue {
    InvalidValue {
        field: field.into(),
        value: value.to_string(),
        hint: hint.into(),
    }
}

impl LangidConfig {
    /// The per-language thresholds in force: `thresholds`, else the `threshold_table`.
    pub fn lang_thresholds(&self) -> BTreeMap<String, f32> {
        match &self.thresholds {
            Some(t) => t.clone(),
            None => self
                .threshold_table
                .table()
                .iter()
                .map(|(l, t)| (l.to_string(), *t))
                .collect(),
        }
    }

    /// The model file: `model`, else the cached `lid.176.ftz`.
    pub fn model_path(&self, assets: &Assets) -> Result<PathBuf, LangidError> {
        Ok(match &self.model {
            Some(p) => p.clone(),
            None => assets.require(LID_176)?,
        })
    }

    /// The Malay/Indonesian lexicon: `malay_lexicon`, else the cached one.
    pub fn lexicon(&self, assets: &Assets) -> Result<Arc<MalayLexicon>, LangidError> {
        match &self.malay_lexicon {
            Some(dir) => MalayLexicon::shared(dir),
            None => MalayLexicon::shared(assets.require(LEXICON_DIR)?),
        }
    }

    /// fastText plus the SEA layer as this config sets it up (model and lexicon loaded).
    pub fn sea_langid(&self, assets: &Assets) -> Result<SeaLangid, LangidError> {
        let model = Arc::new(FastText::load(self.model_path(assets)?)?);
        self.sea_langid_with(model, assets)
    }

    /// [`LangidConfig::sea_langid`] over an already loaded model.
    pub fn sea_langid_with(
        &self,
        model: Arc<FastText>,
        assets: &Assets,
    ) -> Result<SeaLangid, LangidError> {
        Ok(SeaLangid::new(model, self.lexicon(assets)?)
            .with_rules(self.sea_rules)
            .with_malay_weight(self.malay_weight))
    }

    /// Load the model and lexicon and check the config against the model: every configured
    /// language must be one the model can predict.
    pub fn stage(&self, assets: &Assets) -> Result<LangidStage, LangidError> {
        LangidStage::new(self, self.sea_langid(assets)?)
    }

    /// [`LangidConfig::stage`] over an already loaded model.
    pub fn stage_with_model(
        &self,
        model: Arc<FastText>,
        assets: &Assets,
    ) -> Result<LangidStage, LangidError> {
        LangidStage::new(self, self.sea_langid_with(model, assets)?)
    }
}

impl BuildStage for LangidConfig {
    fn build(&self, assets: &Assets) -> Result<Box<dyn Stage>, BuildError> {
        pipeline::stage::boxed("langid", self.stage(assets))
    }

    fn validate(&self) -> Result<(), InvalidValue> {
        if !(0.0..=1.0).contains(&self.threshold) || self.threshold.is_nan() {
            return Err(invalid(
                "stages.langid.threshold",
                self.threshold,
                "a probability between 0 and 1",
            ));
        }
        for (lang, t) in self.thresholds.iter().flatten() {
            if !(0.0..=1.0).contains(t) || t.is_nan() {
                return Err(invalid(
                    format!("stages.langid.thresholds.{lang}"),
                    t,
                    "a score between 0 and 1",
                ));
            }
        }
        if !(self.malay_weight > 0.0 && self.malay_weight.is_finite()) {
            return Err(invalid(
                "stages.langid.malay_weight",
                self.malay_weight,
                "a positive number (1 = fastText's own ms/id choice)",
            ));
        }
        for lang in self
            .languages
            .iter()
            .chain(self.thresholds.iter().flat_map(|t| t.keys()))
        {
            let ok = lang.len() == 3 && lang.bytes().all(|b| b.is_ascii_lowercase());
            if !ok {
                return Err(invalid(
                    "stages.langid.languages",
                    format!("\"{lang}\""),
                    "ISO 639-3 codes such as \"ind\", \"zsm\", \"tha\"",
                ));
            }
        }
        Ok(())
    }
}
