//! Unique tokens of a source from its files: the sum of the `tokens` column.
//!
//! Design decision: read only the `tokens` and `lang` columns (Parquet projection, JSONL
//! fields), one file at a time, so counting a corpus needs memory for one batch; with a
//! source `lang`, only rows of that language count.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use crate::config::{MixConfig, SourceConfig};
use crate::MixError;

/// Unique tokens per source, in config order: declared, or summed from `files` whose globs
/// are relative to `base_dir`.
pub fn unique_tokens(config: &MixConfig, base_dir: &Path) -> Result<Vec<u64>, MixError> {
    config
        .sources
        .iter()
        .map(|s| match s.unique_tokens {
            Some(n) => Ok(n),
            None => count_source(s, base_dir),
        })
        .collect()
}

fn count_source(source: &SourceConfig, base_dir: &Path) -> Result<u64, MixError> {
    let mut total = 0;
    for path in source_files(source, base_dir)? {
        let lang = source.lang.as_deref();
        total += count_file(&path, lang).map_err(|m| MixError::Count {
            source_name: source.name.clone(),
            message: format!("\"{}\": {m}", path.display()),
        })?;
    }
    Ok(total)
}

/// The files of a source: its globs (relative to `base_dir`) expanded, in glob order; an
/// error when none matches.
pub fn source_files(source: &SourceConfig, base_dir: &Path) -> Result<Vec<PathBuf>, MixError> {
    let err = |message: String| MixError::Count {
        source_name: source.name.clone(),
        message,
    };
    let mut files = Vec::new();
    for pattern in &source.files {
        let full = base_dir.join(pattern);
        let paths = glob::glob(&full.to_string_lossy())
            .map_err(|e| err(format!("glob \"{pattern}\": {e}")))?;
        for path in paths {
            files.push(path.map_err(|e| err(e.to_string()))?);
        }
    }
    if files.is_empty() {
        return Err(err(format!("no file matches {:?}", source.files)));
    }
    Ok(files)
}

/// Sum of `tokens` over the rows of one Parquet or JSONL file (of `lang`, if given).
pub fn count_file(path: &Path, lang: Option<&str>) -> Result<u64, String> {
    let is_parquet = path.extension().is_some_and(|e| e == "parquet");
    if is_parquet {
        count_parquet(path, lang)
    } else {
        count_jsonl(path, lang)
    }
}

fn count_jsonl(path: &Path, lang: Option<&str>) -> Result<u64, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut total = 0;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if lang.is_some_and(|l| row["lang"].as_str() != Some(l)) {
            continue;
        }
        total += row["tokens"]
            .as_u64()
            .ok_or_else(|| format!("line {}: no integer \"tokens\"", i + 1))?;
    }
    Ok(total)
}

fn count_parquet(path: &Path, lang: Option<&str>) -> Result<u64, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| e.to_string())?;
    let schema = builder.parquet_schema();
    let wanted: Vec<usize> = (0..schema.num_columns())
        .filter(|&i| matches!(schema.column(i).name(), "tokens" | "lang"))
        .collect();
    let mask = ProjectionMask::leaves(schema, wanted);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(|e| e.to_string())?;
    let mut total = 0;
    for batch in reader {
        total += count_batch(&batch.map_err(|e| e.to_string())?, lang)?;
    }
    Ok(total)
}

fn count_batch(batch: &RecordBatch, lang: Option<&str>) -> Result<u64, String> {
    let tokens = batch
        .column_by_name("tokens")
        .ok_or("no \"tokens\" column")?;
    let langs = match lang {
        Some(_) => Some(
            batch
                .column_by_name("lang")
                .and_then(|c| c.as_string_opt::<i32>())
                .ok_or("no string \"lang\" column")?,
        ),
        None => None,
    };
    let value = |i: usize| -> Option<u64> {
        if tokens.is_null(i) {
            return None;
        }
        match tokens.data_type() {
            DataType::Int32 => u64::try_from(tokens.as_primitive::<Int32Type>().value(i)).ok(),
            DataType::Int64 => u64::try_from(tokens.as_primitive::<Int64Type>().value(i)).ok(),
            DataType::UInt32 => Some(u64::from(tokens.as_primitive::<UInt32Type>().value(i))),
            DataType::UInt64 => Some(tokens.as_primitive::<UInt64Type>().value(i)),
            _ => None,
        }
    };
    if !matches!(
        tokens.data_type(),
        DataType::Int32 | DataType::Int64 | DataType::UInt32 | DataType::UInt64
    ) {
        return Err(format!("\"tokens\" column is {}", tokens.data_type()));
    }
    let mut total = 0;
    for i in 0..batch.num_rows() {
        let keep = match (&langs, lang) {
            (Some(l), Some(want)) => l.is_valid(i) && l.value(i) == want,
            _ => true,
        };
        if keep {
            total += value(i).unwrap_or(0);
        }
    }
    Ok(total)
}
