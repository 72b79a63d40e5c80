//! The Parquet writer: Arrow record batches of at most [`BATCH_ROWS`] rows or
//! [`BATCH_BYTES`] of strings, zstd level 3, row groups of at most [`ROW_GROUP_ROWS`] rows
//! or [`ROW_GROUP_BYTES`] of uncompressed strings, so memory stays bounded and the Hub's
//! dataset viewer (which refuses row groups over ~286 MiB in memory) can page through it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    Float32Builder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use pipeline::Doc;

use super::{create_file, DocSink, Row, SinkError, SinkSummary, VERSION_KEY};
use crate::schema::{Cell, Column, ColumnType, Schema};

/// Rows per Arrow record batch handed to the writer.
pub const BATCH_ROWS: usize = 2_000;
/// String bytes per record batch (whichever of rows and bytes comes first).
pub const BATCH_BYTES: usize = 32 << 20;
/// Rows per Parquet row group at most.
pub const ROW_GROUP_ROWS: usize = 100_000;
/// Uncompressed string bytes per row group at most.
pub const ROW_GROUP_BYTES: usize = 128 << 20;

/// Columns whose values are (nearly) all distinct: no dictionary, no min/max statistics.
const FREE_TEXT: [&str; 8] = [
    "id",
    "url",
    "text",
    "title",
    "meta",
    "metadata.title",
    "metadata.warc_record_id",
    "metadata.extra",
];

/// The default (seapile) output schema; `rejected` adds the `stage` and `reason` columns.
///
/// `tokens` is `int32`: every reader (pyarrow/HF `datasets`, polars, DuckDB, Spark, BigQuery)
/// maps it to a plain signed integer, while unsigned Parquet integers are unsupported or
/// widened by some of them; a document's token count never approaches 2^31.
pub fn output_schema(rejected: bool) -> SchemaRef {
    arrow_schema(Schema::Seapile, rejected)
}

/// The Arrow schema of `schema`'s columns.
pub fn arrow_schema(schema: Schema, rejected: bool) -> SchemaRef {
    Arc::new(ArrowSchema::new(fields(&schema.columns(rejected))))
}

fn data_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Str | ColumnType::Json => DataType::Utf8,
        ColumnType::F32 => DataType::Float32,
        ColumnType::F64 => DataType::Float64,
        ColumnType::I32 => DataType::Int32,
        ColumnType::I64 => DataType::Int64,
        ColumnType::Struct(cols) => DataType::Struct(fields(cols).into()),
    }
}

fn fields(cols: &[Column]) -> Vec<Field> {
    cols.iter()
        .map(|c| Field::new(c.name, data_type(c.ty), c.nullable))
        .collect()
}

/// Writes documents to one Parquet file.
pub struct ParquetSink {
    path: PathBuf,
    rejected: bool,
    layout: Schema,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    batch: Columns,
    row_group_rows: usize,
    row_group_bytes: usize,
    rows: u64,
    arrow_bytes: u64,
}

impl ParquetSink {
    /// Create (truncate) `path` and write the file header (seapile's schema).
    pub fn create(path: &Path, rejected: bool) -> Result<Self, SinkError> {
        Self::create_with(path, rejected, Schema::Seapile)
    }

    /// Create (truncate) `path` for rows of `layout`.
    pub fn create_with(path: &Path, rejected: bool, layout: Schema) -> Result<Self, SinkError> {
        let file = create_file(path)?;
        let schema = arrow_schema(layout, rejected);
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(properties()))
            .map_err(|e| parquet_error(path, e))?;
        Ok(ParquetSink {
            path: path.to_path_buf(),
            rejected,
            layout,
            batch: Columns::new(&layout.columns(rejected)),
            schema,
            writer,
            row_group_rows: 0,
            row_group_bytes: 0,
            rows: 0,
            arrow_bytes: 0,
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
        let cells = row.values().cells(self.layout);
        self.arrow_bytes += cells.iter().map(Cell::arrow_bytes).sum::<u64>();
        self.batch.append(cells);
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
            arrow_bytes: self.arrow_bytes,
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
        let col = ColumnPath::new(name.split('.').map(String::from).collect());
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

/// Builders for one column.
enum Builder {
    Str(StringBuilder),
    F32(Float32Builder),
    F64(Float64Builder),
    I32(Int32Builder),
    I64(Int64Builder),
    Struct(Vec<Field>, Vec<Builder>),
}

impl Builder {
    fn new(ty: ColumnType) -> Builder {
        match ty {
            ColumnType::Str | ColumnType::Json => Builder::Str(StringBuilder::new()),
            ColumnType::F32 => Builder::F32(Float32Builder::new()),
            ColumnType::F64 => Builder::F64(Float64Builder::new()),
            ColumnType::I32 => Builder::I32(Int32Builder::new()),
            ColumnType::I64 => Builder::I64(Int64Builder::new()),
            ColumnType::Struct(cols) => Builder::Struct(
                fields(cols),
                cols.iter().map(|c| Builder::new(c.ty)).collect(),
            ),
        }
    }

    /// Append `cell`; returns the string bytes appended.
    fn append(&mut self, cell: Cell<'_>) -> usize {
        match (self, cell) {
            (Builder::Str(b), Cell::Str(v)) => {
                let n = v.as_ref().map_or(0, |v| v.len());
                b.append_option(v);
                n
            }
            (Builder::Str(b), Cell::Json(v)) => {
                b.append_value(&v);
                v.len()
            }
            (Builder::F32(b), Cell::F32(v)) => {
                b.append_option(v);
                0
            }
            (Builder::F64(b), Cell::F64(v)) => {
                b.append_option(v);
                0
            }
            (Builder::I32(b), Cell::I32(v)) => {
                b.append_option(v);
                0
            }
            (Builder::I64(b), Cell::I64(v)) => {
                b.append_option(v);
                0
            }
            (Builder::Struct(_, children), Cell::Struct(cells)) => children
                .iter_mut()
                .zip(cells)
                .map(|(b, c)| b.append(c))
                .sum(),
            // `RowValues::cells` and `Schema::columns` are one table (tested in `schema`).
            (_, cell) => unreachable!("a cell of the wrong type for its column: {cell:?}"),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::F32(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
            Builder::I32(b) => Arc::new(b.finish()),
            Builder::I64(b) => Arc::new(b.finish()),
            Builder::Struct(fields, children) => {
                let arrays = children.iter_mut().map(Builder::finish).collect();
                Arc::new(StructArray::new(fields.clone().into(), arrays, None))
            }
        }
    }
}

/// Column builders for one record batch.
struct Columns {
    builders: Vec<Builder>,
    rows: usize,
    /// String bytes appended so far (the batch's in-memory size, roughly).
    bytes: usize,
}

impl Columns {
    fn new(cols: &[Column]) -> Self {
        Columns {
            builders: cols.iter().map(|c| Builder::new(c.ty)).collect(),
            rows: 0,
            bytes: 0,
        }
    }

    fn append(&mut self, cells: Vec<Cell<'_>>) {
        for (b, c) in self.builders.iter_mut().zip(cells) {
            self.bytes += b.append(c);
        }
        self.rows += 1;
    }

    /// Take the buffered rows as a batch and start empty again.
    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let cols: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        self.rows = 0;
        self.bytes = 0;
        RecordBatch::try_new(schema.clone(), cols)
    }
}
