//! Rows of Parquet or JSON Lines files, by column name.
//!
//! Design decision: one [`Row`] view over both formats, so every reader in seapile (dedup's
//! signatures, mixes' token counts and sampler, card language counts) reads files the same
//! way. Columns are found by name and are optional unless the caller needs them; Parquet
//! files are read with a projection of the wanted columns, one batch at a time, so memory is
//! bounded whatever the file size and texts are not decoded when only counts are wanted.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use pipeline::Doc;
use serde_json::{Map, Value};

use crate::{Format, IoError};

/// Rows per batch read from Parquet.
pub const READ_BATCH_ROWS: usize = 1024;

/// One row of a file: the `index`-th (0-based, in file order; blank JSONL lines not counted).
pub struct Row<'a> {
    pub index: u64,
    path: &'a Path,
    cells: Cells<'a>,
}

enum Cells<'a> {
    Arrow(&'a RecordBatch, usize),
    Json(&'a Map<String, Value>),
}

impl<'a> Row<'a> {
    pub(crate) fn from_json(index: u64, path: &'a Path, map: &'a Map<String, Value>) -> Self {
        Row {
            index,
            path,
            cells: Cells::Json(map),
        }
    }

    pub(crate) fn from_arrow(index: u64, path: &'a Path, batch: &'a RecordBatch, i: usize) -> Self {
        Row {
            index,
            path,
            cells: Cells::Arrow(batch, i),
        }
    }

    fn err(&self, message: String) -> IoError {
        IoError::input(self.path, message)
    }

    /// An error unless a Parquet file has column `name` (a JSON line may lack a key: the
    /// value is then missing, as if null).
    pub fn require(&self, name: &str) -> Result<(), IoError> {
        match self.cells {
            Cells::Arrow(batch, _) if batch.column_by_name(name).is_none() => {
                Err(self.err(format!("has no column `{name}`")))
            }
            _ => Ok(()),
        }
    }

    /// The error for a row without a required value.
    pub fn missing(&self, name: &str) -> IoError {
        self.err(format!("row {} has no `{name}`", self.index))
    }

    /// Whether the file has column `name` (for JSON Lines: whether this line has the key).
    pub fn has(&self, name: &str) -> bool {
        match self.cells {
            Cells::Arrow(batch, _) => batch.column_by_name(name).is_some(),
            Cells::Json(map) => map.contains_key(name),
        }
    }

    fn arrow(&self, name: &str) -> Option<(&'a ArrayRef, usize)> {
        match self.cells {
            Cells::Arrow(batch, i) => batch
                .column_by_name(name)
                .filter(|c| c.is_valid(i))
                .map(|c| (c, i)),
            Cells::Json(_) => None,
        }
    }

    fn json(&self, name: &str) -> Option<&'a Value> {
        match self.cells {
            Cells::Json(map) => map.get(name).filter(|v| !v.is_null()),
            Cells::Arrow(..) => None,
        }
    }

    /// A string column; `None` when missing or null, an error naming the type otherwise.
    pub fn str(&self, name: &str) -> Result<Option<Cow<'a, str>>, IoError> {
        if let Some((c, i)) = self.arrow(name) {
            if let Some(s) = c.as_string_opt::<i32>() {
                return Ok(Some(Cow::Borrowed(s.value(i))));
            }
            if let Some(s) = c.as_string_opt::<i64>() {
                return Ok(Some(Cow::Borrowed(s.value(i))));
            }
            return Err(self.err(format!(
                "column `{name}` has type {}; expected a string",
                c.data_type()
            )));
        }
        match self.json(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(Cow::Borrowed(s.as_str()))),
            Some(other) => Err(self.err(format!(
                "row {}: `{name}` is not a string: {other}",
                self.index
            ))),
        }
    }

    /// The row's `id`: a string, or an integer written as one (other tools' files).
    pub fn id(&self) -> Result<Option<Cow<'a, str>>, IoError> {
        if let Some((c, i)) = self.arrow("id") {
            if c.data_type() == &DataType::Int64 {
                return Ok(Some(Cow::Owned(
                    c.as_primitive::<Int64Type>().value(i).to_string(),
                )));
            }
        }
        if let Some(Value::Number(n)) = self.json("id") {
            return Ok(Some(Cow::Owned(n.to_string())));
        }
        self.str("id")
    }

    /// An unsigned integer column (any integer type); `None` when missing or null; an error
    /// for another type or a value below 0 or above `u64`.
    pub fn uint(&self, name: &str) -> Result<Option<u64>, IoError> {
        let out_of_range =
            |v: i128| self.err(format!("row {}: {name} {v} out of range", self.index));
        if let Some((c, i)) = self.arrow(name) {
            let v: i128 = match c.data_type() {
                DataType::Int32 => c.as_primitive::<Int32Type>().value(i).into(),
                DataType::Int64 => c.as_primitive::<Int64Type>().value(i).into(),
                DataType::UInt32 => c.as_primitive::<UInt32Type>().value(i).into(),
                DataType::UInt64 => c.as_primitive::<UInt64Type>().value(i).into(),
                other => return Err(self.err(format!("`{name}` column is {other}"))),
            };
            return u64::try_from(v).map(Some).map_err(|_| out_of_range(v));
        }
        match self.json(name) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) => Ok(Some(n)),
                None => Err(self.err(format!(
                    "line {}: no integer \"{name}\": {v}",
                    self.index + 1
                ))),
            },
        }
    }

    /// A `float32` column (JSON: any number); `None` when missing, null or of another type.
    pub fn f32(&self, name: &str) -> Option<f32> {
        if let Some((c, i)) = self.arrow(name) {
            return (c.data_type() == &DataType::Float32)
                .then(|| c.as_primitive::<Float32Type>().value(i));
        }
        self.json(name).and_then(Value::as_f64).map(|v| v as f32)
    }

    /// The row as a [`Doc`] of the pipeline schema: `text` is required, every other column is
    /// optional; `meta` is the JSON object the sinks write (a string in Parquet, an object in
    /// JSON Lines).
    pub fn doc(&self) -> Result<Doc, IoError> {
        let text = self
            .str("text")?
            .ok_or_else(|| self.err("no string \"text\" column".into()))?;
        let tokens = self
            .uint("tokens")?
            .map(|t| {
                u32::try_from(t)
                    .map_err(|_| self.err(format!("row {}: tokens {t} out of range", self.index)))
            })
            .transpose()?;
        let owned = |v: Option<Cow<str>>| v.map(Cow::into_owned);
        Ok(Doc {
            id: owned(self.id()?).unwrap_or_default(),
            url: owned(self.str("url")?),
            date: owned(self.str("date")?),
            source: owned(self.str("source")?).unwrap_or_default(),
            html: None,
            text: text.into_owned(),
            title: owned(self.str("title")?),
            lang: owned(self.str("lang")?),
            lang_score: self.f32("lang_score"),
            tokens,
            attrs: BTreeMap::new(),
            meta: self.meta()?,
        })
    }

    /// The whole row as `(column, JSON value)` pairs in the file's column order: every
    /// column, whatever its type (strings, numbers, booleans, lists and structs of them; other
    /// Arrow types as `null`). For files of any schema, e.g. benchmark Parquet files.
    pub fn to_json(&self) -> Vec<(String, Value)> {
        match self.cells {
            Cells::Json(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Cells::Arrow(batch, i) => batch
                .schema()
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| (f.name().clone(), arrow_value(c.as_ref(), i)))
                .collect(),
        }
    }

    fn meta(&self) -> Result<BTreeMap<String, String>, IoError> {
        let bad = |e: &dyn std::fmt::Display| {
            self.err(format!(
                "row {}: \"meta\" is not a JSON object of strings: {e}",
                self.index
            ))
        };
        match self.json("meta") {
            Some(v @ Value::Object(_)) => serde_json::from_value(v.clone()).map_err(|e| bad(&e)),
            _ => match self.str("meta")? {
                Some(json) if !json.is_empty() => serde_json::from_str(&json).map_err(|e| bad(&e)),
                _ => Ok(BTreeMap::new()),
            },
        }
    }
}

/// Cell `i` of an Arrow array as JSON.
fn arrow_value(c: &dyn Array, i: usize) -> Value {
    use arrow_array::types::{Float64Type, Int16Type, Int8Type, UInt16Type, UInt8Type};
    if c.is_null(i) {
        return Value::Null;
    }
    let list = |values: ArrayRef| -> Value {
        Value::Array(
            (0..values.len())
                .map(|j| arrow_value(values.as_ref(), j))
                .collect(),
        )
    };
    match c.data_type() {
        DataType::Utf8 => Value::from(c.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Value::from(c.as_string::<i64>().value(i)),
        DataType::Utf8View => Value::from(c.as_string_view().value(i)),
        DataType::Boolean => Value::from(c.as_boolean().value(i)),
        DataType::Int8 => Value::from(c.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => Value::from(c.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => Value::from(c.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => Value::from(c.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => Value::from(c.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => Value::from(c.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => Value::from(c.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => Value::from(c.as_primitive::<UInt64Type>().value(i)),
        DataType::Float32 => Value::from(f64::from(c.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => Value::from(c.as_primitive::<Float64Type>().value(i)),
        DataType::List(_) => list(c.as_list::<i32>().value(i)),
        DataType::LargeList(_) => list(c.as_list::<i64>().value(i)),
        DataType::FixedSizeList(..) => list(c.as_fixed_size_list().value(i)),
        DataType::Struct(fields) => {
            let s = c.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(s.columns())
                    .map(|(f, col)| (f.name().clone(), arrow_value(col.as_ref(), i)))
                    .collect(),
            )
        }
        DataType::Dictionary(..) => {
            let d = c.as_any_dictionary();
            match arrow_value(d.keys(), i).as_u64() {
                Some(k) => arrow_value(d.values().as_ref(), k as usize),
                None => Value::Null,
            }
        }
        _ => Value::Null,
    }
}

/// Call `each` with every row of `path` (Parquet or JSON Lines, by extension), in order.
/// `columns` limits what Parquet decodes (`None`: every column); a JSON line is parsed whole.
pub fn for_each_row<E: From<IoError>>(
    path: &Path,
    columns: Option<&[&str]>,
    mut each: impl FnMut(&Row) -> Result<(), E>,
) -> Result<(), E> {
    match Format::of(path)? {
        Format::Jsonl => for_each_line(path, |index, map| each(&Row::from_json(index, path, &map))),
        Format::Parquet => for_each_batch(path, columns, |first, batch| {
            for i in 0..batch.num_rows() {
                each(&Row::from_arrow(first + i as u64, path, batch, i))?;
            }
            Ok(())
        }),
    }
}

/// Call `each` with every row of `path` as a [`Doc`] (see [`Row::doc`]).
pub fn for_each_doc<E: From<IoError>>(
    path: &Path,
    mut each: impl FnMut(Doc) -> Result<(), E>,
) -> Result<(), E> {
    for_each_row(path, None, |row| each(row.doc()?))
}

/// How often each non-null value of the string column `name` occurs in `path`; `None` when
/// the file has no such column (Parquet) or no row has that key (JSON Lines). Only that
/// column is decoded.
pub fn value_counts(path: &Path, name: &str) -> Result<Option<BTreeMap<String, u64>>, IoError> {
    let mut counts = BTreeMap::new();
    let mut seen = false;
    for_each_row(path, Some(&[name]), |row| {
        if row.has(name) {
            seen = true;
            if let Some(v) = row.str(name)? {
                *counts.entry(v.into_owned()).or_insert(0) += 1;
            }
        }
        Ok::<_, IoError>(())
    })?;
    if Format::of(path)? == Format::Parquet && !seen {
        seen = parquet_has_column(path, name)?;
    }
    Ok(seen.then_some(counts))
}

fn parquet_has_column(path: &Path, name: &str) -> Result<bool, IoError> {
    let file = File::open(path).map_err(IoError::io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(IoError::parquet(path))?;
    Ok(builder.schema().index_of(name).is_ok())
}

/// Every non-blank line of a JSON Lines file as an object, with its row number.
pub(crate) fn for_each_line<E: From<IoError>>(
    path: &Path,
    mut f: impl FnMut(u64, Map<String, Value>) -> Result<(), E>,
) -> Result<(), E> {
    let r = BufReader::new(File::open(path).map_err(IoError::io(path))?);
    let mut row = 0;
    for (n, line) in r.lines().enumerate() {
        let line = line.map_err(IoError::io(path))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Map<String, Value> = serde_json::from_str(&line).map_err(|e| {
            let shown: String = line.chars().take(80).collect();
            IoError::input(path, format!("line {}: {e}: \"{shown}\"", n + 1))
        })?;
        f(row, v)?;
        row += 1;
    }
    Ok(())
}

/// Every record batch of a Parquet file (only `columns`, when given), with the index of its
/// first row.
pub(crate) fn for_each_batch<E: From<IoError>>(
    path: &Path,
    columns: Option<&[&str]>,
    mut f: impl FnMut(u64, &RecordBatch) -> Result<(), E>,
) -> Result<(), E> {
    let file = File::open(path).map_err(IoError::io(path))?;
    let mut builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(IoError::parquet(path))?;
    if let Some(names) = columns {
        let schema = builder.schema().clone();
        let roots: Vec<usize> = names
            .iter()
            .filter_map(|n| schema.index_of(n).ok())
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        builder = builder.with_projection(mask);
    }
    let reader = builder
        .with_batch_size(READ_BATCH_ROWS)
        .build()
        .map_err(IoError::parquet(path))?;
    let mut first = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| IoError::Parquet {
            path: path.to_path_buf(),
            source: Box::new(e),
        })?;
        f(first, &batch)?;
        first += batch.num_rows() as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_rows_read_ids_numbers_and_meta_objects() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(
            &p,
            "{\"id\": 7, \"text\": \"x\", \"tokens\": 3, \"meta\": {\"k\": \"v\"}}\n\n\
             {\"id\": \"b\", \"text\": \"y\", \"lang\": \"tha\"}\n",
        )
        .unwrap();
        let mut docs = Vec::new();
        for_each_doc(&p, |d| {
            docs.push(d);
            Ok::<_, IoError>(())
        })
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].id.as_str(), docs[0].tokens), ("7", Some(3)));
        assert_eq!(docs[0].meta["k"], "v");
        assert_eq!(docs[1].lang.as_deref(), Some("tha"));
        assert_eq!(
            value_counts(&p, "lang").unwrap(),
            Some(BTreeMap::from([("tha".to_string(), 1)]))
        );
        assert_eq!(value_counts(&p, "nope").unwrap(), None);
    }

    #[test]
    fn a_bad_json_line_names_file_line_and_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.jsonl");
        std::fs::write(&p, "{\"id\": \"a\", \"text\": \"x\"}\n{text}\n").unwrap();
        let e = for_each_doc(&p, |_| Ok::<_, IoError>(()))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad.jsonl") && e.contains("line 2") && e.contains("{text}"),
            "{e}"
        );
    }
}
