//! The two file formats of seapile's document outputs and inputs.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::IoError;

/// Parquet (the default: what the Hub, DuckDB, polars and pyarrow read) or JSON Lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Parquet,
    Jsonl,
}

impl Format {
    /// `.parquet` → Parquet; `.jsonl`, `.json`, `.ndjson` → JSON Lines.
    pub fn of(path: &Path) -> Result<Format, IoError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("parquet") => Ok(Format::Parquet),
            Some("jsonl" | "json" | "ndjson") => Ok(Format::Jsonl),
            _ => Err(IoError::input(
                path,
                "unknown format: expected a .parquet or .jsonl file",
            )),
        }
    }

    /// The file extension written for this format (`parquet`, `jsonl`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Jsonl => "jsonl",
        }
    }
}
