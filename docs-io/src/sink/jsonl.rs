//! The JSON Lines writer: one object per line with the Parquet columns as keys, `null` for
//! missing values and `meta` as a nested object.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pipeline::Doc;
use serde::Serialize;

use super::{create_file, DocSink, Row, SinkError, SinkSummary};

/// Writes documents to one `.jsonl` file.
pub struct JsonlSink {
    path: PathBuf,
    rejected: bool,
    out: BufWriter<File>,
    rows: u64,
    bytes: u64,
}

/// One line; field order matches the Parquet schema.
#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    url: Option<&'a str>,
    date: Option<&'a str>,
    text: &'a str,
    title: Option<&'a str>,
    lang: Option<&'a str>,
    lang_score: Option<f32>,
    tokens: Option<i32>,
    source: &'a str,
    meta: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl<'a> From<&Row<'a>> for Line<'a> {
    fn from(row: &Row<'a>) -> Self {
        let d = row.doc;
        Line {
            id: &d.id,
            url: d.url.as_deref(),
            date: d.date.as_deref(),
            text: &d.text,
            title: d.title.as_deref(),
            lang: d.lang.as_deref(),
            lang_score: d.lang_score,
            tokens: row.tokens,
            source: &d.source,
            meta: row.meta(),
            stage: row.drop.map(|(s, _)| s),
            reason: row.drop.map(|(_, r)| r),
        }
    }
}

impl JsonlSink {
    /// Create (truncate) `path`.
    pub fn create(path: &Path, rejected: bool) -> Result<Self, SinkError> {
        Ok(JsonlSink {
            path: path.to_path_buf(),
            rejected,
            out: BufWriter::new(create_file(path)?),
            rows: 0,
            bytes: 0,
        })
    }

    fn io_error(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

impl DocSink for JsonlSink {
    fn write(&mut self, doc: &Doc) -> Result<(), SinkError> {
        let row = Row::new(doc, self.rejected)?;
        let mut line = serde_json::to_vec(&Line::from(&row))
            .map_err(|e| self.io_error(std::io::Error::other(e)))?;
        line.push(b'\n');
        self.out.write_all(&line).map_err(|e| self.io_error(e))?;
        self.rows += 1;
        self.bytes += line.len() as u64;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<SinkSummary, SinkError> {
        self.out.flush().map_err(|e| self.io_error(e))?;
        Ok(SinkSummary {
            rows: self.rows,
            bytes: self.bytes,
        })
    }
}
