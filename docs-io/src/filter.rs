//! A file's kept rows, copied with two columns added: dedup's output.
//!
//! Design decision: the output of a file is its input with rows removed and `cluster_id` /
//! `cluster_size` added (replaced, on a rerun over dedup output), so whatever schema came in
//! — the pipeline's own or another tool's — goes out unchanged, in the same format.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

use crate::read::{for_each_batch, for_each_line, Row};
use crate::{Format, IoError};

/// What to do with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub kept: bool,
    pub cluster_id: u64,
    pub cluster_size: u32,
}

/// Writes the rows of `input` that `decide(row, id)` keeps to `output`, with `cluster_id` and
/// `cluster_size`. A row without an `id` is an error. Returns the number of rows written.
pub fn filter_file<E: From<IoError>>(
    input: &Path,
    output: &Path,
    mut decide: impl FnMut(u64, &str) -> Result<Decision, E>,
) -> Result<u64, E> {
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir).map_err(IoError::io(dir))?;
    }
    match Format::of(input)? {
        Format::Jsonl => filter_jsonl(input, output, &mut decide),
        Format::Parquet => filter_parquet(input, output, &mut decide),
    }
}

fn filter_jsonl<E: From<IoError>>(
    input: &Path,
    output: &Path,
    decide: &mut impl FnMut(u64, &str) -> Result<Decision, E>,
) -> Result<u64, E> {
    let mut w = BufWriter::new(File::create(output).map_err(IoError::io(output))?);
    let mut kept = 0;
    for_each_line(input, |index, mut v| -> Result<(), E> {
        let row = Row::from_json(index, input, &v);
        let id = row.id()?.ok_or_else(|| row.missing("id"))?.into_owned();
        let d = decide(index, &id)?;
        if d.kept {
            v.insert("cluster_id".into(), d.cluster_id.into());
            v.insert("cluster_size".into(), d.cluster_size.into());
            let line = serde_json::Value::Object(v).to_string();
            writeln!(w, "{line}").map_err(IoError::io(output))?;
            kept += 1;
        }
        Ok(())
    })?;
    w.flush().map_err(IoError::io(output))?;
    Ok(kept)
}

fn filter_parquet<E: From<IoError>>(
    input: &Path,
    output: &Path,
    decide: &mut impl FnMut(u64, &str) -> Result<Decision, E>,
) -> Result<u64, E> {
    let mut writer: Option<ArrowWriter<File>> = None;
    let mut kept = 0;
    for_each_batch(input, None, |first, batch| -> Result<(), E> {
        let (mut mask, mut cid, mut csize) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..batch.num_rows() {
            let index = first + i as u64;
            let row = Row::from_arrow(index, input, batch, i);
            row.require("id")?;
            let id = row.id()?.ok_or_else(|| row.missing("id"))?;
            let d = decide(index, &id)?;
            mask.push(d.kept);
            if d.kept {
                cid.push(d.cluster_id as i64);
                csize.push(d.cluster_size as i32);
            }
        }
        let out = kept_batch(batch, mask, cid, csize).map_err(|e| arrow_err(output, e))?;
        kept += out.num_rows() as u64;
        if writer.is_none() {
            writer = Some(open_writer(output, out.schema())?);
        }
        if let Some(w) = writer.as_mut() {
            w.write(&out).map_err(IoError::parquet(output))?;
        }
        Ok(())
    })?;
    match writer {
        Some(w) => {
            w.close().map_err(IoError::parquet(output))?;
        }
        None => empty_parquet(input, output)?,
    }
    Ok(kept)
}

fn arrow_err(path: &Path, e: arrow_schema::ArrowError) -> IoError {
    IoError::Parquet {
        path: path.to_path_buf(),
        source: Box::new(e),
    }
}

/// An input without rows still gives an output file, with the input's schema.
fn empty_parquet(input: &Path, output: &Path) -> Result<(), IoError> {
    let file = File::open(input).map_err(IoError::io(input))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(IoError::parquet(input))?;
    let schema = with_cluster_fields(builder.schema());
    let w = open_writer(output, schema)?;
    w.close().map_err(IoError::parquet(output))?;
    Ok(())
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

fn open_writer(output: &Path, schema: Arc<Schema>) -> Result<ArrowWriter<File>, IoError> {
    let file = File::create(output).map_err(IoError::io(output))?;
    ArrowWriter::try_new(file, schema, Some(crate::sink::basic_properties()))
        .map_err(IoError::parquet(output))
}
