//! The `langid` pipeline stage.
//!
//! Design decision: the stage always records what it found (`lang`, `lang_score`, script,
//! the deciding rule, fastText's own answer, the document's `lang_share` — the share of its
//! paragraphs' letters in its language — and the code-switching share) before deciding, so
//! rejected documents carry their language too and a different threshold can be judged
//! from the rejects without re-running the model. Thresholds are per language.

use std::collections::BTreeMap;

use pipeline::{Doc, ModelFile, Outcome, Stage, StageError};

use crate::{LangidConfig, LangidError, SeaLangid};

/// Stable reasons for which the `langid` stage drops a document.
pub mod reason {
    pipeline::drop_reasons! {
        /// The document has no text (empty or only whitespace).
        NO_TEXT = "no_text";
        /// The language is not one of the configured languages.
        NOT_TARGET_LANGUAGE = "not_target_language";
        /// The language is wanted but its score is below its threshold.
        BELOW_THRESHOLD = "below_threshold";
    }
}

pub use reason::{BELOW_THRESHOLD, NOT_TARGET_LANGUAGE, NO_TEXT};

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
    /// The stage over a loaded SEA layer, checking the config against its model: every
    /// configured language must be one the model can predict.
    pub fn new(config: &LangidConfig, langid: SeaLangid) -> Result<Self, LangidError> {
        let model = langid.model();
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
            langid,
            threshold: config.threshold,
            thresholds: config.lang_thresholds(),
            languages: config.languages.clone(),
        })
    }

    /// The SEA layer this stage runs.
    pub fn langid(&self) -> &SeaLangid {
        &self.langid
    }

    /// Whether the stage keeps a document identified as `lang` with `score`: a configured
    /// language at or above its threshold.
    pub fn keeps(&self, lang: &str, score: f32) -> bool {
        self.languages.iter().any(|l| l == lang) && score >= self.threshold_for(lang)
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
        let document = self.langid.identify_document(&doc.text);
        let (id, line_share) = (document.id, document.line_share);
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
        doc.attrs.insert("lang_share".into(), document.lang_share);
        // Written files carry `meta`, not `attrs`: the share goes there too.
        doc.meta
            .insert("lang_share".into(), format!("{:.3}", document.lang_share));
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

    fn model_files(&self) -> Vec<ModelFile> {
        vec![ModelFile {
            role: "language ID (fastText)",
            path: self.langid.model().path().to_path_buf(),
        }]
    }
}
