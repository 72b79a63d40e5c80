//! The JSON Lines writer: one object per line with the columns of the schema as keys, `null`
//! for missing values and JSON-object columns (`meta`) nested.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pipeline::Doc;

use super::{create_file, DocSink, Row, SinkError, SinkSummary};
use crate::schema::{Cell, Column, ColumnType, Schema};

/// Writes documents to one `.jsonl` file.
pub struct JsonlSink {
    path: PathBuf,
    rejected: bool,
    columns: Vec<Column>,
    layout: Schema,
    out: BufWriter<File>,
    rows: u64,
    bytes: u64,
    arrow_bytes: u64,
}

impl JsonlSink {
    /// Create (truncate) `path` (seapile's schema).
    pub fn create(path: &Path, rejected: bool) -> Result<Self, SinkError> {
        Self::create_with(path, rejected, Schema::Seapile)
    }

    /// Create (truncate) `path` for rows of `layout`.
    pub fn create_with(path: &Path, rejected: bool, layout: Schema) -> Result<Self, SinkError> {
        Ok(JsonlSink {
            path: path.to_path_buf(),
            rejected,
            columns: layout.columns(rejected),
            layout,
            out: BufWriter::new(create_file(path)?),
            rows: 0,
            bytes: 0,
            arrow_bytes: 0,
        })
    }

    fn io_error(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// One JSON object with the columns as keys, in column order; `null` for missing values,
/// JSON-object columns (`meta`) nested.
fn write_object(out: &mut String, cols: &[Column], cells: &[Cell<'_>]) {
    out.push('{');
    for (i, (col, cell)) in cols.iter().zip(cells).enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, col.name);
        out.push(':');
        match (cell, col.ty) {
            (Cell::Str(Some(v)), _) => push_json_str(out, v),
            (Cell::Str(None), _) => out.push_str("null"),
            (Cell::Json(v), _) => out.push_str(v),
            (Cell::F32(Some(v)), _) if v.is_finite() => {
                // f32 written as f32 (shortest round-trip), not widened to f64 digits.
                out.push_str(&serde_json::to_string(v).unwrap_or_default())
            }
            (Cell::F32(_), _) => out.push_str("null"),
            (Cell::F64(v), _) => push_number(out, *v),
            (Cell::I32(v), _) => push_int(out, v.map(i64::from)),
            (Cell::I64(v), _) => push_int(out, *v),
            (Cell::Struct(children), ColumnType::Struct(sub)) => write_object(out, sub, children),
            (Cell::Struct(_), _) => out.push_str("null"),
        }
    }
    out.push('}');
}

fn push_json_str(out: &mut String, s: &str) {
    // Serialising a string cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// A float as serde_json writes it (`0.5`, `1.0`), `null` when absent or not finite.
fn push_number(out: &mut String, v: Option<f64>) {
    match v.and_then(serde_json::Number::from_f64) {
        Some(n) => out.push_str(&n.to_string()),
        None => out.push_str("null"),
    }
}

fn push_int(out: &mut String, v: Option<i64>) {
    match v {
        Some(n) => out.push_str(&n.to_string()),
        None => out.push_str("null"),
    }
}

impl DocSink for JsonlSink {
    fn write(&mut self, doc: &Doc) -> Result<(), SinkError> {
        let row = Row::new(doc, self.rejected)?;
        let cells = row.values().cells(self.layout);
        self.arrow_bytes += cells.iter().map(Cell::arrow_bytes).sum::<u64>();
        let mut line = String::with_capacity(doc.text.len() + 256);
        write_object(&mut line, &self.columns, &cells);
        line.push('\n');
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| self.io_error(e))?;
        self.rows += 1;
        self.bytes += line.len() as u64;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<SinkSummary, SinkError> {
        self.out.flush().map_err(|e| self.io_error(e))?;
        Ok(SinkSummary {
            rows: self.rows,
            bytes: self.bytes,
            arrow_bytes: self.arrow_bytes,
        })
    }
}
