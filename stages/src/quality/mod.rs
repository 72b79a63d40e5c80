//! The quality stage: Gopher quality, Gopher repetition, C4 and FineWeb rules for every SEA
//! script, with per-language thresholds.
//!
//! The one decision is Dolma's: *score, then decide*. [`signals::score`] writes every signal
//! into `doc.attrs` (`gopher.word_count`, `rep.dup_5gram`, `fineweb.short_line_ratio`, ...)
//! using the [`segment`] crate's words, so Thai or Chinese text is counted in real words;
//! [`rules::decide`] reads only those attributes against the document language's
//! [`thresholds::Thresholds`] and names the first failing rule with a stable reason from
//! [`reason`]. Changing a threshold needs no re-scoring, and `score_only` keeps every page
//! with its signals. The optional URL filter runs first; optional PII masking runs last, on
//! kept pages only.

pub mod pii;
pub mod rules;
pub mod signals;
pub mod stopwords;
pub mod thresholds;
pub mod url;

use std::collections::HashMap;
use std::path::PathBuf;

use pipeline::config::QualityConfig;
use pipeline::{Doc, Outcome, Stage, StageError};
use segment::Script;

use signals::ScoreContext;
use stopwords::StopWords;
use thresholds::Thresholds;
use url::UrlFilter;

/// Stable drop reasons, `group:rule`.
pub mod reason {
    pub const MIN_WORDS: &str = "gopher_quality:min_words";
    pub const MAX_WORDS: &str = "gopher_quality:max_words";
    pub const MIN_MEAN_WORD_LENGTH: &str = "gopher_quality:min_mean_word_length";
    pub const MAX_MEAN_WORD_LENGTH: &str = "gopher_quality:max_mean_word_length";
    pub const SYMBOL_WORD_RATIO: &str = "gopher_quality:symbol_word_ratio";
    pub const BULLET_LINES: &str = "gopher_quality:bullet_lines";
    pub const ELLIPSIS_LINES: &str = "gopher_quality:ellipsis_lines";
    pub const ALPHA_WORDS: &str = "gopher_quality:alpha_words";
    pub const STOP_WORDS: &str = "gopher_quality:stop_words";
    pub const DUP_LINE_FRAC: &str = "gopher_repetition:dup_line_frac";
    pub const DUP_PARA_FRAC: &str = "gopher_repetition:dup_para_frac";
    pub const DUP_LINE_CHAR_FRAC: &str = "gopher_repetition:dup_line_char_frac";
    pub const DUP_PARA_CHAR_FRAC: &str = "gopher_repetition:dup_para_char_frac";
    pub const TOP_NGRAM: [&str; 3] = [
        "gopher_repetition:top_2gram",
        "gopher_repetition:top_3gram",
        "gopher_repetition:top_4gram",
    ];
    pub const DUP_NGRAM: [&str; 6] = [
        "gopher_repetition:dup_5gram",
        "gopher_repetition:dup_6gram",
        "gopher_repetition:dup_7gram",
        "gopher_repetition:dup_8gram",
        "gopher_repetition:dup_9gram",
        "gopher_repetition:dup_10gram",
    ];
    pub const LOREM_IPSUM: &str = "c4:lorem_ipsum";
    pub const CURLY_BRACKET: &str = "c4:curly_bracket";
    pub const POLICY: &str = "c4:policy";
    pub const JAVASCRIPT: &str = "c4:javascript";
    pub const TERMINAL_PUNCT: &str = "c4:terminal_punct";
    pub const LINE_PUNCT_RATIO: &str = "fineweb:line_punct_ratio";
    pub const SHORT_LINE_RATIO: &str = "fineweb:short_line_ratio";
    pub const CHAR_DUP_RATIO: &str = "fineweb:char_dup_ratio";
    pub const LIST_RATIO: &str = "fineweb:list_ratio";
    pub const URL_BLOCKLIST: &str = "url:blocklist";
    pub const URL_ADULT: &str = "url:adult";
}

#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    #[error("cannot read \"{path}\": {message}")]
    Read { path: PathBuf, message: String },
    #[error("invalid quality thresholds \"{origin}\": {message}")]
    Thresholds { origin: String, message: String },
}

impl From<QualityError> for StageError {
    fn from(e: QualityError) -> Self {
        StageError::Failed {
            stage: "quality",
            message: e.to_string(),
        }
    }
}

/// Everything the stage reads from disk, loaded once and shared by all shards.
pub struct QualityModel {
    thresholds: HashMap<String, Thresholds>,
    stop_words: HashMap<String, StopWords>,
    url: Option<UrlFilter>,
    score_only: bool,
    mask_pii: bool,
}

impl QualityModel {
    /// Load thresholds (built in unless `thresholds_dir`), stop words (the cached
    /// `stopwords-iso.json` unless `stopwords`) and the optional URL blocklist.
    pub fn load(config: &QualityConfig) -> Result<QualityModel, QualityError> {
        let thresholds = match &config.thresholds_dir {
            Some(dir) => thresholds::from_dir(dir)?,
            None => thresholds::built_in()?,
        };
        let stop_path = config
            .stopwords
            .clone()
            .unwrap_or_else(|| pipeline::assets::cache_dir().join("stopwords/stopwords-iso.json"));
        let url = (config.url_blocklist.is_some() || config.url_adult_words)
            .then(|| UrlFilter::new(config.url_blocklist.as_deref(), config.url_adult_words))
            .transpose()?;
        Ok(QualityModel {
            thresholds,
            stop_words: stopwords::load(&stop_path)?,
            url,
            score_only: config.score_only,
            mask_pii: config.mask_pii,
        })
    }

    /// The language whose thresholds apply: the document's own, else the language that
    /// owns its dominant script (English for Latin and unknown scripts).
    fn lang_for<'a>(&self, doc: &'a Doc) -> &'a str {
        match doc.lang.as_deref() {
            Some(l) if self.thresholds.contains_key(l) => l,
            _ => match segment::dominant_script(&doc.text) {
                Script::Thai => "tha",
                Script::Lao => "lao",
                Script::Khmer => "khm",
                Script::Myanmar => "mya",
                Script::Han => "zho",
                Script::Tamil => "tam",
                Script::Latin | Script::Other => "eng",
            },
        }
    }

    /// Score `doc` (signals into `doc.attrs`) and return the reason to drop it, if any.
    pub fn judge(&self, doc: &mut Doc) -> Option<&'static str> {
        if let (Some(filter), Some(url)) = (&self.url, doc.url.as_deref()) {
            if let Some(reason) = filter.check(url) {
                return Some(reason);
            }
        }
        let lang = self.lang_for(doc).to_string();
        let t = &self.thresholds[&lang];
        let ctx = ScoreContext {
            stop_words: self.stop_words.get(&lang),
            short_line_chars: t.fineweb.short_line_chars,
            min_words_per_line: t.c4.min_words_per_line,
        };
        signals::score(doc, &ctx);
        rules::decide(&doc.attrs, t)
    }
}

/// The pipeline stage around a shared [`QualityModel`].
pub struct QualityStage {
    model: std::sync::Arc<QualityModel>,
}

impl QualityStage {
    pub fn build(config: &QualityConfig) -> Result<QualityStage, QualityError> {
        Ok(Self::with_model(std::sync::Arc::new(QualityModel::load(
            config,
        )?)))
    }

    pub fn with_model(model: std::sync::Arc<QualityModel>) -> QualityStage {
        QualityStage { model }
    }
}

impl Stage for QualityStage {
    fn name(&self) -> &'static str {
        "quality"
    }

    fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
        let verdict = self.model.judge(&mut doc);
        match verdict {
            Some(reason) if !self.model.score_only => Ok(Outcome::drop(doc, reason)),
            _ => {
                if self.model.mask_pii {
                    let (text, n) = pii::mask(&doc.text);
                    doc.text = text;
                    doc.attrs.insert("pii.masked".to_string(), n as f64);
                }
                Ok(Outcome::Keep(doc))
            }
        }
    }
}

#[cfg(test)]
mod tests;
