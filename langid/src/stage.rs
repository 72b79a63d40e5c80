//! The `langid` pipeline stage.
//!
//! Design decision: the stage always records what it found (`lang`, `lang_score`, script,
//! the deciding rule, fastText's own answer, the code-switching share) before deciding, so
//! rejected documents carry their language too and a different threshold can be judged
//! from the rejects without re-running the model. Thresholds are per language.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use pipeline::config::LangidConfig;
use pipeline::{Doc, Outcome, Stage, StageError};

use crate::{FastText, LangidError, MalayLexicon, SeaLangid};

/// Drop reason: the document has no text (empty or only whitespace).
pub const NO_TEXT: &str = "no_text";
/// Drop reason: the language is not one of the configured languages.
pub const NOT_TARGET_LANGUAGE: &str = "not_target_language";
/// Drop reason: the language is wanted but its score is below its threshold.
pub const BELOW_THRESHOLD: &str = "below_threshold";

/// Identifies each document's language (fastText + SEA rules) and keeps the configured
/// languages whose score reaches their threshold.
#[derive(Debug, Clone)]
pub struct LangidStage {
    langid: SeaLangid,
    threshold: f32,
    thresholds: BTreeMap<String, f32>,
    languages: Vec<String>,
}

impl LangidStage {
    /// Load the model (`config.model`, else `default_model`) and check the config against it:
    /// every configured language must be one the model can predict.
    pub fn build(config: &LangidConfig, default_model: &Path) -> Result<Self, LangidError> {
        let path = config.model.as_deref().unwrap_or(default_model);
        let model = Arc::new(FastText::load(path)?);
        Self::with_model(config, model)
    }

    /// Like [`LangidStage::build`] with an already loaded model (shared between shards).
    pub fn with_model(config: &LangidConfig, model: Arc<FastText>) -> Result<Self, LangidError> {
        if let Some(lang) = config
            .languages
            .iter()
            .find(|l| !model.predicts_language(l))
        {
            return Err(LangidError::UnknownLanguage {
                lang: lang.clone(),
                path: model.path().to_path_buf(),
            });
        }
        let lexicon = match &config.malay_lexicon {
            Some(dir) => MalayLexicon::shared(dir)?,
            None => MalayLexicon::cached()?,
        };
        let langid = SeaLangid::new(model, lexicon)
            .with_rules(config.sea_rules)
            .with_malay_weight(config.malay_weight);
        Ok(LangidStage {
            langid,
            threshold: config.threshold,
            thresholds: config.thresholds.clone(),
            languages: config.languages.clone(),
        })
    }

    /// The minimum score for `lang`: its own threshold, else the global one.
    pub fn threshold_for(&self, lang: &str) -> f32 {
        self.thresholds.get(lang).copied().unwrap_or(self.threshold)
    }

    /// Annotate `doc` and return the drop reason, if any.
    fn decide(&self, doc: &mut Doc) -> Option<&'static str> {
        if doc.text.trim().is_empty() {
            return Some(NO_TEXT);
        }
        let (id, line_share) = self.langid.identify_document(&doc.text);
        doc.lang = Some(id.lang.to_string());
        doc.lang_score = Some(id.score);
        doc.meta.insert("lang_script".into(), id.script.to_string());
        doc.meta
            .insert("lang_rule".into(), id.rule.name().to_string());
        doc.meta
            .insert("lang_model".into(), id.model_lang.to_string());
        doc.meta.insert("lang_label".into(), id.model_label);
        doc.attrs
            .insert("lang_model_score".into(), f64::from(id.model_score));
        doc.attrs.insert("lang_line_share".into(), line_share);
        if let Some(unicode) = id.converted {
            doc.text = unicode;
            doc.meta.insert("zawgyi".into(), "converted".into());
        }
        if !self.languages.iter().any(|l| l == id.lang) {
            Some(NOT_TARGET_LANGUAGE)
        } else if id.score < self.threshold_for(id.lang) {
            Some(BELOW_THRESHOLD)
        } else {
            None
        }
    }
}

impl Stage for LangidStage {
    fn name(&self) -> &'static str {
        "langid"
    }

    fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
        Ok(match self.decide(&mut doc) {
            Some(reason) => Outcome::drop(doc, reason),
            None => Outcome::Keep(doc),
        })
    }
}
