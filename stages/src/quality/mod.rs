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
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipeline::{
    Assets, BuildError, BuildStage, Doc, MissingAsset, Outcome, Stage, StageError, Threshold,
};
use segment::Script;
use serde::{Deserialize, Serialize};

use signals::ScoreContext;
use stopwords::StopWords;
use thresholds::Thresholds;
use url::UrlFilter;

/// Stable drop reasons, `group:rule`: the first rule a document fails.
pub mod reason {
    pipeline::drop_reasons! {
        /// Fewer words than `gopher_quality.min_words` (words by the script's segmentation).
        MIN_WORDS = "gopher_quality:min_words";
        /// More words than `gopher_quality.max_words`.
        MAX_WORDS = "gopher_quality:max_words";
        /// Mean word length below `gopher_quality.min_mean_word_length` characters.
        MIN_MEAN_WORD_LENGTH = "gopher_quality:min_mean_word_length";
        /// Mean word length above `gopher_quality.max_mean_word_length` characters.
        MAX_MEAN_WORD_LENGTH = "gopher_quality:max_mean_word_length";
        /// Too many `#` and `...` symbols per word.
        SYMBOL_WORD_RATIO = "gopher_quality:symbol_word_ratio";
        /// Too many lines start with a bullet.
        BULLET_LINES = "gopher_quality:bullet_lines";
        /// Too many lines end with an ellipsis.
        ELLIPSIS_LINES = "gopher_quality:ellipsis_lines";
        /// Too few words contain a letter.
        ALPHA_WORDS = "gopher_quality:alpha_words";
        /// Too few of the language's stop words (where a stop-word list exists).
        STOP_WORDS = "gopher_quality:stop_words";
        /// Too many lines are duplicates of other lines.
        DUP_LINE_FRAC = "gopher_repetition:dup_line_frac";
        /// Too many paragraphs are duplicates of other paragraphs.
        DUP_PARA_FRAC = "gopher_repetition:dup_para_frac";
        /// Too many characters are in duplicated lines.
        DUP_LINE_CHAR_FRAC = "gopher_repetition:dup_line_char_frac";
        /// Too many characters are in duplicated paragraphs.
        DUP_PARA_CHAR_FRAC = "gopher_repetition:dup_para_char_frac";
        /// The most frequent word 2-gram covers too many characters.
        TOP_2GRAM = "gopher_repetition:top_2gram";
        /// The most frequent word 3-gram covers too many characters.
        TOP_3GRAM = "gopher_repetition:top_3gram";
        /// The most frequent word 4-gram covers too many characters.
        TOP_4GRAM = "gopher_repetition:top_4gram";
        /// Duplicated word 5-grams cover too many characters.
        DUP_5GRAM = "gopher_repetition:dup_5gram";
        /// Duplicated word 6-grams cover too many characters.
        DUP_6GRAM = "gopher_repetition:dup_6gram";
        /// Duplicated word 7-grams cover too many characters.
        DUP_7GRAM = "gopher_repetition:dup_7gram";
        /// Duplicated word 8-grams cover too many characters.
        DUP_8GRAM = "gopher_repetition:dup_8gram";
        /// Duplicated word 9-grams cover too many characters.
        DUP_9GRAM = "gopher_repetition:dup_9gram";
        /// Duplicated word 10-grams cover too many characters.
        DUP_10GRAM = "gopher_repetition:dup_10gram";
        /// The text contains "lorem ipsum".
        LOREM_IPSUM = "c4:lorem_ipsum";
        /// The text contains a curly bracket (code, templates).
        CURLY_BRACKET = "c4:curly_bracket";
        /// Too many lines are cookie, privacy or terms-of-use notices.
        POLICY = "c4:policy";
        /// Too many lines mention JavaScript.
        JAVASCRIPT = "c4:javascript";
        /// Too few sentences end in a terminal mark of the script.
        TERMINAL_PUNCT = "c4:terminal_punct";
        /// Too few lines end in punctuation.
        LINE_PUNCT_RATIO = "fineweb:line_punct_ratio";
        /// Too many lines are shorter than `fineweb.short_line_chars`.
        SHORT_LINE_RATIO = "fineweb:short_line_ratio";
        /// Too many characters are in duplicated lines.
        CHAR_DUP_RATIO = "fineweb:char_dup_ratio";
        /// Too many lines are list items.
        LIST_RATIO = "fineweb:list_ratio";
        /// The URL's domain is on the configured blocklist.
        URL_BLOCKLIST = "url:blocklist";
        /// The URL contains an adult word as a token.
        URL_ADULT = "url:adult";
    }

    /// The top-n-gram reasons for n = 2, 3, 4.
    pub const TOP_NGRAM: [&str; 3] = [TOP_2GRAM, TOP_3GRAM, TOP_4GRAM];
    /// The duplicated-n-gram reasons for n = 5..=10.
    pub const DUP_NGRAM: [&str; 6] = [
        DUP_5GRAM, DUP_6GRAM, DUP_7GRAM, DUP_8GRAM, DUP_9GRAM, DUP_10GRAM,
    ];
}

/// `type = "quality"`: Gopher/C4/FineWeb rules with per-language thresholds (needs `lang`: put
/// it after `langid`). Signals go to `attrs`; the first failing rule is the drop reason.
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

/// The stop-word lists in the asset cache (npm `stopwords-iso`).
pub const STOPWORDS_ASSET: &str = "stopwords/stopwords-iso.json";

impl QualityConfig {
    /// Load thresholds, stop words (`stopwords`, else the cached list) and the URL filter.
    pub fn stage(&self, assets: &Assets) -> Result<QualityStage, QualityError> {
        let stopwords = match &self.stopwords {
            Some(p) => p.clone(),
            None => assets.require(STOPWORDS_ASSET)?,
        };
        let model = QualityModel::load(self, &stopwords)?;
        Ok(QualityStage::with_model(Arc::new(model)))
    }
}

impl BuildStage for QualityConfig {
    fn build(&self, assets: &Assets) -> Result<Box<dyn Stage>, BuildError> {
        pipeline::stage::boxed("quality", self.stage(assets))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    #[error("cannot read \"{path}\": {message}")]
    Read { path: PathBuf, message: String },
    #[error("invalid quality thresholds \"{origin}\": {message}")]
    Thresholds { origin: String, message: String },
    #[error(transparent)]
    Missing(#[from] MissingAsset),
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
    /// Load thresholds (built in unless `thresholds_dir`), the stop words at `stop_path`
    /// (`stopwords-iso.json`) and the optional URL blocklist.
    pub fn load(config: &QualityConfig, stop_path: &Path) -> Result<QualityModel, QualityError> {
        let thresholds = match &config.thresholds_dir {
            Some(dir) => thresholds::from_dir(dir)?,
            None => thresholds::built_in()?,
        };
        let url = (config.url_blocklist.is_some() || config.url_adult_words)
            .then(|| UrlFilter::new(config.url_blocklist.as_deref(), config.url_adult_words))
            .transpose()?;
        Ok(QualityModel {
            thresholds,
            stop_words: stopwords::load(stop_path)?,
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
                _ => "eng",
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

    /// Every language's limits ([`rules::limits`]), languages in code order.
    pub fn thresholds(&self) -> Vec<Threshold> {
        let mut langs: Vec<&String> = self.thresholds.keys().collect();
        langs.sort();
        let mut out = Vec::new();
        for lang in langs {
            for (attr, bound, value, reason) in rules::limits(&self.thresholds[lang]) {
                out.push(Threshold {
                    stage: "quality".into(),
                    attr: attr.into(),
                    lang: lang.clone(),
                    bound,
                    value,
                    reason: reason.into(),
                });
            }
        }
        out
    }
}

/// The pipeline stage around a shared [`QualityModel`].
#[derive(Clone)]
pub struct QualityStage {
    model: Arc<QualityModel>,
}

impl QualityStage {
    pub fn with_model(model: Arc<QualityModel>) -> QualityStage {
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

    fn thresholds(&self) -> Vec<Threshold> {
        self.model.thresholds()
    }
}

#[cfg(test)]
mod tests;
