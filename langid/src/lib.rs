//! seapile language ID: fastText `lid.176` inference, its labels mapped to ISO 639-3, a SEA
//! layer on top ([`SeaLangid`]: Zawgyi, script checks, Malay/Indonesian/Javanese/Sundanese
//! and Tagalog markers; see `README.md`), and the `langid` stage that keeps the SEA-LION
//! languages with per-language thresholds.
//!
//! The one design decision: inference is this crate's own fastText engine (module `engine`),
//! which repeats the C++ library's arithmetic operation by operation on exactly the line
//! Python fastText feeds it, so every label and probability equals the reference
//! implementation's (checked against the C++ library, crate `fasttext` 0.7.8, and stored
//! Python outputs in the tests), only faster. Labels are mapped once, at load, through a
//! closed table.

mod config;
mod engine;
pub mod eval;
pub mod evidence;
pub mod labels;
pub mod lexicon;
pub mod markers;
mod model;
pub mod script;
pub mod sea;
mod stage;
pub mod zawgyi;

use std::path::PathBuf;

pub use config::{
    LangidConfig, ThresholdTable, GLOTLID_FINEWEB2_THRESHOLDS, LANGID_THRESHOLDS, LEXICON_DIR,
    LID_176, SEA_LANGS,
};
pub use labels::{parse_label, LangLabel, UND};
pub use lexicon::MalayLexicon;
pub use model::{as_fasttext_line, FastText, Prediction};
pub use sea::{DocumentLanguage, Identification, Rule, SeaLangid};
pub use stage::{reason, LangidStage, BELOW_THRESHOLD, NOT_TARGET_LANGUAGE, NO_TEXT};

/// Everything that can go wrong in this crate (never a document's fault).
#[derive(Debug, thiserror::Error)]
pub enum LangidError {
    /// The model file does not exist.
    #[error("fastText model \"{}\" not found; run: seapile assets fetch", path.display())]
    MissingModel { path: PathBuf },
    /// The model file exists but fastText cannot load it.
    #[error("cannot load fastText model \"{}\": {message}", path.display())]
    Load { path: PathBuf, message: String },
    /// The Malay/Indonesian word lists cannot be read.
    #[error(
        "cannot read Malay/Indonesian word list \"{}\": {source}; run: seapile assets fetch",
        path.display()
    )]
    Lexicon {
        path: PathBuf,
        #[source]
        source: lexicon::ListError,
    },
    /// A configured language is never predicted by the model.
    #[error(
        "language \"{lang}\" is never predicted by fastText model \"{}\"; \
         use the ISO 639-3 codes its labels map to (e.g. \"zsm\" for lid.176's `ms`)",
        path.display()
    )]
    UnknownLanguage { lang: String, path: PathBuf },
    /// The default model or word lists are not in the asset cache.
    #[error(transparent)]
    Missing(#[from] pipeline::MissingAsset),
    /// An evaluation file cannot be read.
    #[error("cannot read \"{}\": {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A line of an evaluation TSV is not `iso639-3<TAB>source<TAB>text`.
    #[error("\"{}\" line {line_no}: expected `iso639-3<TAB>source<TAB>text`, got \"{line}\"", path.display())]
    BadTsvLine {
        path: PathBuf,
        line_no: usize,
        line: String,
    },
}
