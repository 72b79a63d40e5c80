//! Pipeline Parquet rows back into [`Doc`]s, one record batch at a time.
//!
//! Design decision: columns are found by name and all but `text` are optional, so any file
//! with the pipeline schema (or a subset of it, plus `tokens`) can be mixed; `meta` is the
//! JSON-object column the sink writes and is parsed back into `Doc::meta`.

use std::collections::BTreeMap;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use pipeline::Doc;

/// Rows per batch read: bounded memory whatever the file size.
const READ_BATCH_ROWS: usize = 1024;

/// Call `each` with every row of a Parquet file, in file order.
pub fn for_each_doc(
    path: &Path,
    each: &mut dyn FnMut(Doc) -> Result<(), String>,
) -> Result<(), String> {
    let is_parquet = path.extension().is_some_and(|e| e == "parquet");
    if !is_parquet {
        return Err("mix write reads Parquet files only (convert JSONL with `seapile run`)".into());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(READ_BATCH_ROWS).build())
        .map_err(|e| e.to_string())?;
    for batch in reader {
        let batch = batch.map_err(|e| e.to_string())?;
        for i in 0..batch.num_rows() {
            each(doc_at(&batch, i)?)?;
        }
    }
    Ok(())
}

fn doc_at(batch: &RecordBatch, i: usize) -> Result<Doc, String> {
    let text = string(batch, "text", i)?.ok_or("no string \"text\" column")?;
    let meta = match string(batch, "meta", i)? {
        Some(json) if !json.is_empty() => {
            serde_json::from_str::<BTreeMap<String, String>>(&json)
                .map_err(|e| format!("row {i}: \"meta\" is not a JSON object of strings: {e}"))?
        }
        _ => BTreeMap::new(),
    };
    Ok(Doc {
        id: string(batch, "id", i)?.unwrap_or_default(),
        url: string(batch, "url", i)?,
        date: string(batch, "date", i)?,
        source: string(batch, "source", i)?.unwrap_or_default(),
        html: None,
        text,
        title: string(batch, "title", i)?,
        lang: string(batch, "lang", i)?,
        lang_score: column(batch, "lang_score", i)
            .filter(|c| c.data_type() == &DataType::Float32)
            .map(|c| c.as_primitive::<Float32Type>().value(i)),
        tokens: tokens_at(batch, i)?,
        attrs: BTreeMap::new(),
        meta,
    })
}

fn column<'a>(batch: &'a RecordBatch, name: &str, i: usize) -> Option<&'a ArrayRef> {
    batch.column_by_name(name).filter(|c| c.is_valid(i))
}

fn string(batch: &RecordBatch, name: &str, i: usize) -> Result<Option<String>, String> {
    match column(batch, name, i) {
        None => Ok(None),
        Some(c) => c
            .as_string_opt::<i32>()
            .map(|s| Some(s.value(i).to_string()))
            .ok_or_else(|| format!("column \"{name}\" is {}, not a string", c.data_type())),
    }
}

/// The `tokens` value of row `i` (null → `None`); a negative or oversized count is an error.
pub fn tokens_at(batch: &RecordBatch, i: usize) -> Result<Option<u32>, String> {
    let Some(c) = column(batch, "tokens", i) else {
        return Ok(None);
    };
    let wide: Option<i128> = match c.data_type() {
        DataType::Int32 => Some(c.as_primitive::<Int32Type>().value(i).into()),
        DataType::Int64 => Some(c.as_primitive::<Int64Type>().value(i).into()),
        DataType::UInt32 => Some(c.as_primitive::<UInt32Type>().value(i).into()),
        DataType::UInt64 => Some(c.as_primitive::<UInt64Type>().value(i).into()),
        other => return Err(format!("\"tokens\" column is {other}")),
    };
    wide.map(|v| u32::try_from(v).map_err(|_| format!("row {i}: tokens {v} out of range")))
        .transpose()
}
