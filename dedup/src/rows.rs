//! Reading `id`/`text` rows from Parquet or JSON Lines, and writing the kept rows back in the
//! same format. The design decision: the output of a file is its input with rows removed and
//! two columns added (`cluster_id`, `cluster_size`), so whatever schema came in — the
//! pipeline's own or another tool's — goes out unchanged.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Int32Array, Int64Array, LargeStringArray, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::extsort::io_err;
use crate::DedupError;

/// Input file formats, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Jsonl,
}

impl Format {
    /// `.parquet` → Parquet; `.jsonl`, `.json`, `.ndjson` → JSON Lines.
    pub fn of(path: &Path) -> Result<Format, DedupError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("parquet") => Ok(Format::Parquet),
            Some("jsonl" | "json" | "ndjson") => Ok(Format::Jsonl),
            _ => Err(DedupError::Input {
                path: path.to_path_buf(),
                message: "unknown format: expected a .parquet or .jsonl file".into(),
            }),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Jsonl => "jsonl",
        }
    }
}

fn input_err(path: &Path, message: String) -> DedupError {
    DedupError::Input {
        path: path.to_path_buf(),
        message,
    }
}

/// What the filter decided for one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub kept: bool,
    pub cluster_id: u64,
    pub cluster_size: u32,
}

/// Calls `f(row, id, text)` for every row of `path`, in order.
pub fn for_each_row(
    path: &Path,
    mut f: impl FnMut(u64, &str, &str) -> Result<(), DedupError>,
) -> Result<(), DedupError> {
    match Format::of(path)? {
        Format::Jsonl => for_each_line(path, |row, v| {
            let (id, text) = id_text(path, row, &v)?;
            f(row, &id, text)
        }),
        Format::Parquet => for_each_batch(path, |first, batch| {
            let (ids, texts) = (column(path, batch, "id")?, column(path, batch, "text")?);
            for i in 0..batch.num_rows() {
                let row = first + i as u64;
                let id = ids.get(i).ok_or_else(|| null_err(path, row, "id"))?;
                f(row, &id, &texts.get(i).unwrap_or_default())?;
            }
            Ok(())
        }),
    }
}

/// Writes the rows of `input` that `decide(row, id)` keeps to `output`, with `cluster_id`
/// and `cluster_size`. Returns the number of rows written.
pub fn filter_file(
    input: &Path,
    output: &Path,
    mut decide: impl FnMut(u64, &str) -> Result<Decision, DedupError>,
) -> Result<u64, DedupError> {
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    match Format::of(input)? {
        Format::Jsonl => filter_jsonl(input, output, &mut decide),
        Format::Parquet => filter_parquet(input, output, &mut decide),
    }
}

/// How often each non-null value of the string column `name` occurs in `path`; `None` when
/// the file has no such column (Parquet) or no row has that key (JSON Lines).
pub fn value_counts(path: &Path, name: &str) -> Result<Option<BTreeMap<String, u64>>, DedupError> {
    let mut counts = BTreeMap::new();
    match Format::of(path)? {
        Format::Jsonl => {
            let mut seen = false;
            for_each_line(path, |_, v| {
                if let Some(value) = v.get(name) {
                    seen = true;
                    if let Some(s) = value.as_str() {
                        *counts.entry(s.to_string()).or_insert(0) += 1;
                    }
                }
                Ok(())
            })?;
            Ok(seen.then_some(counts))
        }
        Format::Parquet => parquet_value_counts(path, name),
    }
}

/// Reads only the column `name` (a Parquet projection), not the texts.
fn parquet_value_counts(
    path: &Path,
    name: &str,
) -> Result<Option<BTreeMap<String, u64>>, DedupError> {
    let file = File::open(path).map_err(io_err(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| input_err(path, e.to_string()))?;
    let Ok(idx) = builder.schema().index_of(name) else {
        return Ok(None);
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), [idx]);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(|e| input_err(path, e.to_string()))?;
    let mut counts = BTreeMap::new();
    for batch in reader {
        let batch = batch.map_err(|e| input_err(path, e.to_string()))?;
        let col = column(path, &batch, name)?;
        for i in 0..batch.num_rows() {
            if let Some(s) = col.get(i) {
                *counts.entry(s).or_insert(0) += 1;
            }
        }
    }
    Ok(Some(counts))
}

fn null_err(path: &Path, row: u64, col: &str) -> DedupError {
    input_err(path, format!("row {row} has no `{col}`"))
}

fn for_each_line(
    path: &Path,
    mut f: impl FnMut(u64, serde_json::Map<String, serde_json::Value>) -> Result<(), DedupError>,
) -> Result<(), DedupError> {
    let r = BufReader::new(File::open(path).map_err(io_err(path))?);
    let mut row = 0;
    for (n, line) in r.lines().enumerate() {
        let line = line.map_err(io_err(path))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&line).map_err(|e| {
                let shown: String = line.chars().take(80).collect();
                input_err(path, format!("line {}: {e}: \"{shown}\"", n + 1))
            })?;
        f(row, v)?;
        row += 1;
    }
    Ok(())
}

fn id_text<'v>(
    path: &Path,
    row: u64,
    v: &'v serde_json::Map<String, serde_json::Value>,
) -> Result<(String, &'v str), DedupError> {
    let id = match v.get("id") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err(null_err(path, row, "id")),
    };
    let text = match v.get("text") {
        Some(serde_json::Value::String(s)) => s.as_str(),
        Some(serde_json::Value::Null) | None => "",
        Some(other) => {
            return Err(input_err(
                path,
                format!("row {row} (id \"{id}\"): `text` is not a string: {other}"),
            ))
        }
    };
    Ok((id, text))
}

fn for_each_batch(
    path: &Path,
    mut f: impl FnMut(u64, &RecordBatch) -> Result<(), DedupError>,
) -> Result<(), DedupError> {
    let file = File::open(path).map_err(io_err(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(1024).build())
        .map_err(|e| input_err(path, e.to_string()))?;
    let mut first = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| input_err(path, e.to_string()))?;
        f(first, &batch)?;
        first += batch.num_rows() as u64;
    }
    Ok(())
}

/// A string-like column of a batch.
enum Col<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    Int(&'a Int64Array),
}

impl Col<'_> {
    fn get(&self, i: usize) -> Option<String> {
        match self {
            Col::Utf8(a) => a.is_valid(i).then(|| a.value(i).to_string()),
            Col::Large(a) => a.is_valid(i).then(|| a.value(i).to_string()),
            Col::Int(a) => a.is_valid(i).then(|| a.value(i).to_string()),
        }
    }
}

fn column<'a>(path: &Path, batch: &'a RecordBatch, name: &str) -> Result<Col<'a>, DedupError> {
    let a = batch
        .column_by_name(name)
        .ok_or_else(|| input_err(path, format!("has no column `{name}`")))?;
    let any = a.as_any();
    if let Some(s) = any.downcast_ref::<StringArray>() {
        Ok(Col::Utf8(s))
    } else if let Some(s) = any.downcast_ref::<LargeStringArray>() {
        Ok(Col::Large(s))
    } else if let Some(s) = any.downcast_ref::<Int64Array>() {
        Ok(Col::Int(s))
    } else {
        Err(input_err(
            path,
            format!(
                "column `{name}` has type {}; expected a string",
                a.data_type()
            ),
        ))
    }
}

type Decide<'a> = dyn FnMut(u64, &str) -> Result<Decision, DedupError> + 'a;

fn filter_jsonl(input: &Path, output: &Path, decide: &mut Decide) -> Result<u64, DedupError> {
    let mut w = BufWriter::new(File::create(output).map_err(io_err(output))?);
    let mut kept = 0;
    for_each_line(input, |row, mut v| {
        let (id, _) = id_text(input, row, &v)?;
        let d = decide(row, &id)?;
        if d.kept {
            v.insert("cluster_id".into(), d.cluster_id.into());
            v.insert("cluster_size".into(), d.cluster_size.into());
            let line = serde_json::Value::Object(v).to_string();
            writeln!(w, "{line}").map_err(io_err(output))?;
            kept += 1;
        }
        Ok(())
    })?;
    w.flush().map_err(io_err(output))?;
    Ok(kept)
}

fn filter_parquet(input: &Path, output: &Path, decide: &mut Decide) -> Result<u64, DedupError> {
    let mut writer: Option<ArrowWriter<File>> = None;
    let mut kept = 0;
    for_each_batch(input, |first, batch| {
        let ids = column(input, batch, "id")?;
        let (mut mask, mut cid, mut csize) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..batch.num_rows() {
            let row = first + i as u64;
            let id = ids.get(i).ok_or_else(|| null_err(input, row, "id"))?;
            let d = decide(row, &id)?;
            mask.push(d.kept);
            if d.kept {
                cid.push(d.cluster_id as i64);
                csize.push(d.cluster_size as i32);
            }
        }
        let out = kept_batch(batch, mask, cid, csize).map_err(|e| parquet_err(output, e))?;
        kept += out.num_rows() as u64;
        if writer.is_none() {
            writer = Some(open_writer(output, out.schema())?);
        }
        if let Some(w) = writer.as_mut() {
            w.write(&out).map_err(|e| parquet_err(output, e))?;
        }
        Ok(())
    })?;
    match writer {
        Some(w) => w.close().map(|_| ()).map_err(|e| parquet_err(output, e))?,
        None => empty_parquet(input, output)?,
    }
    Ok(kept)
}

/// An input without rows still gives an output file, with the input's schema.
fn empty_parquet(input: &Path, output: &Path) -> Result<(), DedupError> {
    let file = File::open(input).map_err(io_err(input))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| input_err(input, e.to_string()))?;
    let schema = with_cluster_fields(builder.schema());
    let w = open_writer(output, schema)?;
    w.close().map(|_| ()).map_err(|e| parquet_err(output, e))
}

fn with_cluster_fields(schema: &Schema) -> Arc<Schema> {
    let mut fields: Vec<Field> = schema
        .fields()
        .iter()
        .filter(|f| !is_cluster_field(f.name()))
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(Field::new("cluster_id", DataType::Int64, false));
    fields.push(Field::new("cluster_size", DataType::Int32, false));
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// A rerun over dedup output replaces the columns of the earlier run.
fn is_cluster_field(name: &str) -> bool {
    name == "cluster_id" || name == "cluster_size"
}

fn kept_batch(
    batch: &RecordBatch,
    mask: Vec<bool>,
    cid: Vec<i64>,
    csize: Vec<i32>,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let filtered = arrow_select::filter::filter_record_batch(batch, &BooleanArray::from(mask))?;
    let mut cols: Vec<ArrayRef> = (filtered.schema().fields().iter())
        .zip(filtered.columns())
        .filter(|(f, _)| !is_cluster_field(f.name()))
        .map(|(_, c)| c.clone())
        .collect();
    cols.push(Arc::new(Int64Array::from(cid)));
    cols.push(Arc::new(Int32Array::from(csize)));
    RecordBatch::try_new(with_cluster_fields(batch.schema_ref()), cols)
}

fn open_writer(output: &Path, schema: Arc<Schema>) -> Result<ArrowWriter<File>, DedupError> {
    let file = File::create(output).map_err(io_err(output))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
        .build();
    ArrowWriter::try_new(file, schema, Some(props)).map_err(|e| parquet_err(output, e))
}

fn parquet_err(path: &Path, e: impl std::fmt::Display) -> DedupError {
    DedupError::Output {
        path: PathBuf::from(path),
        message: e.to_string(),
    }
}
