//! Writers for kept and rejected documents: Parquet (the default, what the Hub and DuckDB
//! read) and JSON Lines.
//!
//! The one design decision: **one flat, fixed schema for every run**. Typed columns hold what
//! every consumer filters on (`lang`, `tokens`, `url`, ...); everything else in
//! [`Doc::meta`] travels as one JSON-object column `meta`, so adding provenance never changes
//! the schema and shards from different runs concatenate. Rejected documents use the same
//! schema plus `stage` and `reason`, taken from `meta["drop_stage"]`/`meta["drop_reason"]`
//! (and removed from `meta` so they are stored once).

mod jsonl;
mod parquet;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pipeline::Doc;

use crate::schema::{RowValues, Schema};
use crate::Format;

pub use self::jsonl::JsonlSink;
pub(crate) use self::parquet::basic_properties;
pub use self::parquet::{
    arrow_schema, output_schema, parquet_bytes, ParquetSink, BATCH_BYTES, BATCH_ROWS,
    ROW_GROUP_BYTES, ROW_GROUP_ROWS,
};

/// The `meta` key from which a rejected document's `stage` column is taken.
pub const DROP_STAGE_KEY: &str = "drop_stage";
/// The `meta` key from which a rejected document's `reason` column is taken.
pub const DROP_REASON_KEY: &str = "drop_reason";
/// Parquet key-value metadata key holding the version of seapile that wrote the file.
pub const VERSION_KEY: &str = "seapile.version";

/// A destination for documents, written one at a time and finished once.
pub trait DocSink {
    /// Append one document.
    fn write(&mut self, doc: &Doc) -> Result<(), SinkError>;
    /// Flush everything, close the file and report what was written.
    fn finish(self: Box<Self>) -> Result<SinkSummary, SinkError>;
}

/// What a finished sink wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SinkSummary {
    /// Documents written.
    pub rows: u64,
    /// Size of the finished file in bytes.
    pub bytes: u64,
    /// Size of the rows as an Arrow table (what Hugging Face `datasets` reports as
    /// `num_bytes`): string bytes plus offsets and fixed-width values.
    pub arrow_bytes: u64,
}

/// Errors while writing output files; each names the file (and the document when it is at
/// fault).
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The output file could not be created or written.
    #[error("cannot write output file \"{path}\": {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The Parquet/Arrow writer failed.
    #[error("cannot write Parquet file \"{path}\": {source}")]
    Parquet {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A rejected document lacks the drop stage or reason the caller must set in `meta`.
    #[error(
        "rejected document \"{id}\" has no meta[\"{key}\"]: set meta[\"drop_stage\"] and \
         meta[\"drop_reason\"] before writing it to a rejected sink"
    )]
    MissingDropInfo { id: String, key: &'static str },
    /// A token count that does not fit the `int32` column.
    #[error("document \"{id}\" has {tokens} tokens, more than the int32 column `tokens` holds")]
    TokensOverflow { id: String, tokens: u32 },
}

/// Open a sink writing `format` to `path` (parent directories are created). With `rejected`,
/// the schema gains `stage` and `reason` columns and every document must carry them in `meta`.
pub fn open_sink(
    path: &Path,
    format: Format,
    rejected: bool,
) -> Result<Box<dyn DocSink + Send>, SinkError> {
    open_sink_with(path, format, rejected, Schema::Seapile)
}

/// [`open_sink`] writing the columns of `schema`.
pub fn open_sink_with(
    path: &Path,
    format: Format,
    rejected: bool,
    schema: Schema,
) -> Result<Box<dyn DocSink + Send>, SinkError> {
    Ok(match format {
        Format::Parquet => Box::new(ParquetSink::create_with(path, rejected, schema)?),
        Format::Jsonl => Box::new(JsonlSink::create_with(path, rejected, schema)?),
    })
}

/// Create `path` (and its parent directory) for writing.
fn create_file(path: &Path) -> Result<std::fs::File, SinkError> {
    let io = |source| SinkError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::File::create(path).map_err(io)
}

/// One document as an output row: the shared view both formats write.
struct Row<'a> {
    doc: &'a Doc,
    tokens: Option<i32>,
    /// `(stage, reason)` for rejected documents.
    drop: Option<(&'a str, &'a str)>,
}

impl<'a> Row<'a> {
    fn new(doc: &'a Doc, rejected: bool) -> Result<Self, SinkError> {
        let tokens = doc
            .tokens
            .map(|t| {
                i32::try_from(t).map_err(|_| SinkError::TokensOverflow {
                    id: doc.id.clone(),
                    tokens: t,
                })
            })
            .transpose()?;
        let drop = if rejected {
            Some((
                drop_info(doc, DROP_STAGE_KEY)?,
                drop_info(doc, DROP_REASON_KEY)?,
            ))
        } else {
            None
        };
        Ok(Row { doc, tokens, drop })
    }

    /// `doc.meta` without the keys that became the `stage`/`reason` columns.
    fn meta(&self) -> BTreeMap<&'a str, &'a str> {
        let moved = |k: &str| self.drop.is_some() && (k == DROP_STAGE_KEY || k == DROP_REASON_KEY);
        self.doc
            .meta
            .iter()
            .filter(|(k, _)| !moved(k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// `meta` as a JSON object string (the Parquet column).
    #[cfg(test)]
    fn meta_json(&self) -> String {
        // A map of strings always serialises.
        serde_json::to_string(&self.meta()).unwrap_or_else(|_| "{}".to_string())
    }

    /// The values the schemas take their cells from.
    fn values(&self) -> RowValues<'a> {
        RowValues {
            doc: self.doc,
            tokens: self.tokens,
            drop: self.drop,
            meta: self.meta(),
        }
    }
}

fn drop_info<'a>(doc: &'a Doc, key: &'static str) -> Result<&'a str, SinkError> {
    doc.meta
        .get(key)
        .map(String::as_str)
        .ok_or_else(|| SinkError::MissingDropInfo {
            id: doc.id.clone(),
            key,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_row_moves_drop_keys_out_of_meta() {
        let mut doc = Doc::from_text("d1", "s", "x");
        doc.meta.insert("charset".into(), "utf-8".into());
        doc.meta.insert(DROP_STAGE_KEY.into(), "langid".into());
        doc.meta
            .insert(DROP_REASON_KEY.into(), "lang_not_kept".into());
        let row = Row::new(&doc, true).unwrap();
        assert_eq!(row.drop, Some(("langid", "lang_not_kept")));
        assert_eq!(row.meta_json(), r#"{"charset":"utf-8"}"#);
        let kept = Row::new(&doc, false).unwrap();
        assert_eq!(kept.meta().len(), 3);
    }

    #[test]
    fn rejected_doc_without_reason_is_an_error_naming_it() {
        let mut doc = Doc::from_text("urn:uuid:42", "s", "x");
        doc.meta.insert(DROP_STAGE_KEY.into(), "extract".into());
        let e = Row::new(&doc, true).err().unwrap().to_string();
        assert!(
            e.contains("urn:uuid:42") && e.contains("drop_reason"),
            "{e}"
        );
    }

    #[test]
    fn token_count_beyond_int32_is_an_error() {
        let mut doc = Doc::from_text("big", "s", "x");
        doc.tokens = Some(u32::MAX);
        let e = Row::new(&doc, false).err().unwrap().to_string();
        assert!(e.contains("big") && e.contains("4294967295"), "{e}");
    }
}
