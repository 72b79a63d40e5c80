//! The `langid` pipeline stage.
//!
//! Design decision: the stage always records what the model said (`lang`, `lang_score`,
//! `meta.lang_label`) before deciding, so rejected documents carry their language too and
//! a different threshold can be judged from the rejects without re-running the model.

use std::path::Path;
use std::sync::Arc;

use pipeline::config::LangidConfig;
use pipeline::{Doc, Outcome, Stage, StageError};

use crate::{FastText, LangidError};

/// Drop reason: the document has no text (empty or only whitespace).
pub const NO_TEXT: &str = "no_text";
/// Drop reason: the top language is not one of the configured languages.
pub const NOT_TARGET_LANGUAGE: &str = "not_target_language";
/// Drop reason: the top language is wanted but its probability is below the threshold.
pub const BELOW_THRESHOLD: &str = "below_threshold";

/// Predicts each document's language (top-1) and keeps the configured languages above the
/// configured probability.
#[derive(Debug, Clone)]
pub struct LangidStage {
    model: Arc<FastText>,
    threshold: f32,
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
        Ok(LangidStage {
            model,
            threshold: config.threshold,
            languages: config.languages.clone(),
        })
    }

    /// Annotate `doc` with the top prediction and return the drop reason, if any.
    fn decide(&self, doc: &mut Doc) -> Option<&'static str> {
        if doc.text.trim().is_empty() {
            return Some(NO_TEXT);
        }
        let Some(top) = self.model.predict(&doc.text, 1).into_iter().next() else {
            return Some(NOT_TARGET_LANGUAGE);
        };
        doc.lang = Some(top.iso639_3.to_string());
        doc.lang_score = Some(top.prob);
        if let Some(script) = top.script {
            doc.meta.insert("lang_script".into(), script.to_string());
        }
        doc.meta.insert("lang_label".into(), top.label);
        if !self.languages.iter().any(|l| l == top.iso639_3) {
            Some(NOT_TARGET_LANGUAGE)
        } else if top.prob < self.threshold {
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
