//! Decontamination against benchmarks: no SEA-HELM, Global-MMLU or Belebele item leaks into
//! a pretraining blend.
//!
//! Three steps, each a plain function over files:
//! - [`Index::build`]: benchmark files (JSONL, JSON, Parquet, CSV/TSV, text) → hashed word
//!   n-grams with provenance, written as one versioned file ([`index`]);
//! - [`Scanner`]: a document's words looked up in the index, and what to do about a match —
//!   drop the document, or cut the matched spans with a margin and drop it only when more
//!   than `max_cuts` cuts are needed (NeMo Curator's rule) ([`scan`]);
//! - [`pass::run`]: the global pass over Parquet/JSONL files (`DIR/data/`,
//!   `DIR/contamination.jsonl`, `DIR/README.md`), and [`DecontamConfig`], the same as a run
//!   stage (`type = "decontam"`).
//!
//! The one design decision: **compare words, not bytes, and define words per script**.
//! Every text goes through one folding table (compatibility forms, case, Latin diacritics,
//! digits of every script, Zawgyi → Unicode) and one tokenizer that splits spaced scripts on
//! non-letters and cuts Thai, Lao, Khmer, Burmese and Chinese into dictionary words with
//! the `segment` crate after dropping their spaces and punctuation — so a web copy with
//! other case, spacing, punctuation, digits or encoding gives the same words as the
//! benchmark, in every SEA script.

pub mod eval;
pub mod fold;
pub mod index;
pub mod ngrams;
pub mod pass;
pub mod records;
pub mod report;
pub mod scan;
pub mod stage;
mod table;
pub mod tokenize;

use std::path::{Path, PathBuf};

pub use index::{BenchmarkFile, Entry, Index, IndexParams};
pub use scan::{Action, Finding, Rules, Scanner, Verdict};
pub use stage::{reason, DecontamConfig, DecontamStage};
pub use tokenize::{RunGate, Token, Tokenizer};

/// Errors of this crate; each names the file or value at fault.
#[derive(Debug, thiserror::Error)]
pub enum DecontamError {
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no such benchmark or input file or folder \"{}\"", .0.display())]
    NoSuchInput(PathBuf),
    /// A benchmark file that cannot be read as its format.
    #[error("benchmark file \"{}\": {message}", path.display())]
    Benchmark { path: PathBuf, message: String },
    /// An index file that cannot be used.
    #[error("decontamination index \"{}\": {message}", path.display())]
    BadIndex { path: PathBuf, message: String },
    /// A parameter out of range.
    #[error("{0}")]
    Param(String),
    #[error(transparent)]
    Docs(#[from] docs_io::IoError),
    #[error(transparent)]
    Sink(#[from] docs_io::SinkError),
}

impl DecontamError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DecontamError + '_ {
        move |source| DecontamError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
