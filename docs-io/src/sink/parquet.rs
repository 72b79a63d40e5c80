//! The Parquet writer: Arrow record batches of at most [`BATCH_ROWS`] rows or
//! [`BATCH_BYTES`] of strings, zstd level 3, row groups of at most [`ROW_GROUP_ROWS`] rows
//! or [`ROW_GROUP_BYTES`] of uncompressed strings, so memory stays bounded and the Hub's
//! dataset viewer (which refuses row groups over ~286 MiB in memory) can page through it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Float32Builder, Int32Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use pipeline::Doc;

use super::{create_file, DocSink, Row, SinkError, SinkSummary, VERSION_KEY};

/// Rows per Arrow record batch handed to the writer.
pub const BATCH_ROWS: usize = 2_000;
/// String bytes per record batch (whichever of rows and bytes comes first).
pub const BATCH_BYTES: usize = 32 << 20;
/// Rows per Parquet row group at most.
pub const ROW_GROUP_ROWS: usize = 100_000;
/// Uncompressed string bytes per row group at most.
pub const ROW_GROUP_BYTES: usize = 128 << 20;

/// Columns whose values are (nearly) all distinct: no dictionary, no min/max statistics.
const FREE_TEXT: [&str; 5] = ["id", "url", "text", "title", "meta"];

/// The output schema; `rejected` adds the `stage` and `reason` columns.
///
/// `tokens` is `int32`: every reader (pyarrow/HF `datasets`, polars, DuckDB, Spark, BigQuery)
/// maps it to a plain signed integer, while unsigned Parquet integers are unsupported or
/// widened by some of them; a document's token count never approaches 2^31.
pub fn output_schema(rejected: bool) -> SchemaRef {
    let s = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    let mut fields = vec![
        s("id", false),
        s("url", true),
        s("date", true),
        s("text", false),
        s("title", true),
        s("lang", true),
        Field::new("lang_score", DataType::Float32, true),
        Field::new("tokens", DataType::Int32, true),
        s("source", false),
        s("meta", false),
    ];
    if rejected {
        fields.extend([s("stage", false), s("reason", false)]);
    }
    Arc::new(Schema::new(fields))
}

/// Writes documents to one Parquet file.
pub struct ParquetSink {
    path: PathBuf,
    rejected: bool,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    batch: Columns,
    row_group_rows: usize,
    row_group_bytes: usize,
    rows: u64,
}

impl ParquetSink {
    /// Create (truncate) `path` and write the file header.
    pub fn create(path: &Path, rejected: bool) -> Result<Self, SinkError> {
        let file = create_file(path)?;
        let schema = output_schema(rejected);
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(properties()))
            .map_err(|e| parquet_error(path, e))?;
        Ok(ParquetSink {
            path: path.to_path_buf(),
            rejected,
            schema,
            writer,
            batch: Columns::new(rejected),
            row_group_rows: 0,
            row_group_bytes: 0,
            rows: 0,
        })
    }

    /// Hand the buffered rows to the writer; close the row group when it is full.
    fn flush_batch(&mut self) -> Result<(), SinkError> {
        if self.batch.rows == 0 {
            return Ok(());
        }
        let (rows, bytes) = (self.batch.rows, self.batch.bytes);
        let batch = self
            .batch
            .finish(&self.schema)
            .map_err(|e| parquet_error(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| parquet_error(&self.path, e))?;
        self.row_group_rows += rows;
        self.row_group_bytes += bytes;
        if self.row_group_rows >= ROW_GROUP_ROWS || self.row_group_bytes >= ROW_GROUP_BYTES {
            self.writer
                .flush()
                .map_err(|e| parquet_error(&self.path, e))?;
            self.row_group_rows = 0;
            self.row_group_bytes = 0;
        }
        Ok(())
    }
}

impl DocSink for ParquetSink {
    fn write(&mut self, doc: &Doc) -> Result<(), SinkError> {
        let row = Row::new(doc, self.rejected)?;
        self.batch.append(&row);
        self.rows += 1;
        if self.batch.rows >= BATCH_ROWS || self.batch.bytes >= BATCH_BYTES {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<SinkSummary, SinkError> {
        self.flush_batch()?;
        self.writer
            .finish()
            .map_err(|e| parquet_error(&self.path, e))?;
        Ok(SinkSummary {
            rows: self.rows,
            bytes: self.writer.bytes_written() as u64,
        })
    }
}

fn properties() -> WriterProperties {
    let zstd3 = ZstdLevel::try_new(3).unwrap_or_default();
    let mut props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(zstd3))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            VERSION_KEY.to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        )]));
    for name in FREE_TEXT {
        let col = ColumnPath::from(name);
        props = props
            .set_column_dictionary_enabled(col.clone(), false)
            .set_column_statistics_enabled(col, EnabledStatistics::None);
    }
    props.build()
}

fn parquet_error(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> SinkError {
    SinkError::Parquet {
        path: path.to_path_buf(),
        source: Box::new(e),
    }
}

/// zstd level 3 and nothing else: for files of other schemas (dedup's copies, Magpie pairs).
pub(crate) fn basic_properties() -> WriterProperties {
    let zstd3 = ZstdLevel::try_new(3).unwrap_or_default();
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(zstd3))
        .build()
}

/// One record batch (of any schema) as the bytes of a Parquet file, zstd level 3; for small
/// outputs written whole with [`crate::write_atomic`].
pub fn parquet_bytes(batch: &RecordBatch) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(basic_properties()))?;
    writer.write(batch)?;
    writer.close()?;
    Ok(bytes)
}

/// Column builders for one record batch.
struct Columns {
    id: StringBuilder,
    url: StringBuilder,
    date: StringBuilder,
    text: StringBuilder,
    title: StringBuilder,
    lang: StringBuilder,
    lang_score: Float32Builder,
    tokens: Int32Builder,
    source: StringBuilder,
    meta: StringBuilder,
    /// `stage` and `reason`, for rejected sinks.
    drop: Option<(StringBuilder, StringBuilder)>,
    rows: usize,
    /// String bytes appended so far (the batch's in-memory size, roughly).
    bytes: usize,
}

impl Columns {
    fn new(rejected: bool) -> Self {
        Columns {
            id: StringBuilder::new(),
            url: StringBuilder::new(),
            date: StringBuilder::new(),
            text: StringBuilder::new(),
            title: StringBuilder::new(),
            lang: StringBuilder::new(),
            lang_score: Float32Builder::new(),
            tokens: Int32Builder::new(),
            source: StringBuilder::new(),
            meta: StringBuilder::new(),
            drop: rejected.then(|| (StringBuilder::new(), StringBuilder::new())),
            rows: 0,
            bytes: 0,
        }
    }

    fn append(&mut self, row: &Row<'_>) {
        let d = row.doc;
        let meta = row.meta_json();
        self.bytes += d.id.len() + d.text.len() + meta.len();
        self.bytes +=
            d.url.as_ref().map_or(0, String::len) + d.title.as_ref().map_or(0, String::len);
        self.id.append_value(&d.id);
        self.url.append_option(d.url.as_deref());
        self.date.append_option(d.date.as_deref());
        self.text.append_value(&d.text);
        self.title.append_option(d.title.as_deref());
        self.lang.append_option(d.lang.as_deref());
        self.lang_score.append_option(d.lang_score);
        self.tokens.append_option(row.tokens);
        self.source.append_value(&d.source);
        self.meta.append_value(meta);
        if let (Some((stage, reason)), Some((s, r))) = (self.drop.as_mut(), row.drop) {
            stage.append_value(s);
            reason.append_value(r);
        }
        self.rows += 1;
    }

    /// Take the buffered rows as a batch and start empty again.
    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.url.finish()),
            Arc::new(self.date.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.lang.finish()),
            Arc::new(self.lang_score.finish()),
            Arc::new(self.tokens.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.meta.finish()),
        ];
        if let Some((stage, reason)) = self.drop.as_mut() {
            cols.push(Arc::new(stage.finish()));
            cols.push(Arc::new(reason.finish()));
        }
        self.rows = 0;
        self.bytes = 0;
        RecordBatch::try_new(schema.clone(), cols)
    }
}
