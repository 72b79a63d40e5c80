//! The document schema on disk: everything seapile writes and reads back as files.
//!
//! - [`sink`]: the Parquet and JSON Lines writers of the pipeline schema (kept and rejected);
//! - [`read`]: rows of Parquet/JSONL files — ours or another tool's — read back by column
//!   name (a projection for Parquet), as values or as [`pipeline::Doc`]s;
//! - [`filter`]: a file's kept rows copied with cluster columns added (dedup's output);
//! - [`extsort`]: the external sort that keeps memory flat for dedup and mixing;
//! - [`store`]: `s3://` and `gs://` objects: streamed reads, listings, whole-object uploads;
//! - [`write_atomic`] (from `pipeline::fs`): files that appear whole or not at all.
//!
//! The one design decision: **one flat, fixed schema for every document output**, written and
//! read in this crate only, so the run, dedup, mixes and synthesis agree by construction and
//! a new output format is one new writer here.

pub mod extsort;
pub mod filter;
mod format;
pub mod read;
pub mod schema;
pub mod sink;
pub mod store;

use std::path::{Path, PathBuf};

pub use format::Format;
pub use pipeline::fs::{sha256_file, write_atomic};
pub use read::{for_each_doc, for_each_row, Row};
pub use schema::Schema;
pub use sink::{open_sink, open_sink_with, output_schema, DocSink, SinkError, SinkSummary};

/// Errors reading or rewriting document files; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not what it should be (bad JSON line, missing or mistyped column).
    #[error("bad input \"{}\": {message}", path.display())]
    Input { path: PathBuf, message: String },
    /// Parquet or Arrow refused the file.
    #[error("bad Parquet file \"{}\": {source}", path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl IoError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IoError + '_ {
        move |source| IoError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn input(path: &Path, message: impl Into<String>) -> IoError {
        IoError::Input {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub(crate) fn parquet(
        path: &Path,
    ) -> impl FnOnce(parquet::errors::ParquetError) -> IoError + '_ {
        move |e| IoError::Parquet {
            path: path.to_path_buf(),
            source: Box::new(e),
        }
    }
}
