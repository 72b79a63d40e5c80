//! The document record that flows through the pipeline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One web page (or text document) on its way through the pipeline.
///
/// Typed fields for what every stage and every output needs; `attrs` for per-stage signals
/// (scores, flags) that later rules read, and `meta` for provenance strings (HTTP headers,
/// charset, extraction pass) that travel with the document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    /// Stable identifier: the WARC-Record-ID for crawled pages.
    pub id: String,
    /// The page's URL (WARC-Target-URI), if known.
    pub url: Option<String>,
    /// Crawl date (WARC-Date, RFC 3339), if known.
    pub date: Option<String>,
    /// Where the document came from (input file name or a source label).
    pub source: String,
    /// The decoded HTML, present between ingest and extraction.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub html: Option<String>,
    /// The document's text (empty until extraction for crawled pages).
    pub text: String,
    /// Page title, when the extractor found one.
    pub title: Option<String>,
    /// Language as ISO 639-3 (e.g. `ind`, `zsm`, `tha`), set by language ID.
    pub lang: Option<String>,
    /// Confidence of `lang` in [0, 1].
    pub lang_score: Option<f32>,
    /// Token count under the configured tokenizer (no special tokens added).
    pub tokens: Option<u32>,
    /// Numeric signals written by stages (scores, ratios), read by selection rules.
    pub attrs: BTreeMap<String, f64>,
    /// Provenance strings (charset, content type, extraction pass, ...).
    pub meta: BTreeMap<String, String>,
}

impl Doc {
    /// A document with just an id, a source label and text (for text inputs and tests).
    pub fn from_text(
        id: impl Into<String>,
        source: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Doc {
            id: id.into(),
            source: source.into(),
            text: text.into(),
            ..Doc::default()
        }
    }
}
