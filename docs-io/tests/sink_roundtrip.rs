//! Sinks write real multilingual documents; the files are read back with the `parquet`
//! crate's Arrow reader (and `serde_json` for JSONL) and compared field by field.

mod sink_fixtures;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use docs_io::sink::{open_sink, SinkSummary, ROW_GROUP_ROWS};
use docs_io::Format as OutputFormat;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::metadata::ParquetMetaData;
use pipeline::Doc;
use sink_fixtures::{mark_rejected, udhr_docs, udhr_text};

fn write_all(path: &Path, format: OutputFormat, rejected: bool, docs: &[Doc]) -> SinkSummary {
    let mut sink = open_sink(path, format, rejected).unwrap();
    for doc in docs {
        sink.write(doc).unwrap();
    }
    sink.finish().unwrap()
}

/// A small Parquet file as one batch, and its footer.
fn read_parquet(path: &Path) -> (RecordBatch, ParquetMetaData) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let meta = builder.metadata().as_ref().clone();
    let mut batches: Vec<RecordBatch> = builder
        .with_batch_size(1 << 20)
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(batches.len(), 1, "small test files read back as one batch");
    (batches.remove(0), meta)
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let col = batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    col.as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

#[test]
fn udhr_docs_round_trip_through_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/shard-00000.parquet");
    let docs = udhr_docs();
    let summary = write_all(&path, OutputFormat::Parquet, false, &docs);
    assert_eq!(summary.rows, docs.len() as u64);
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());

    let (batch, meta) = read_parquet(&path);
    assert_eq!(batch.num_rows(), docs.len());
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let want = [
        "id",
        "url",
        "date",
        "text",
        "title",
        "lang",
        "lang_score",
        "lang_rule",
        "tokens",
        "source",
        "meta",
    ];
    assert_eq!(names, want);
    assert_eq!(
        batch
            .schema()
            .field_with_name("tokens")
            .unwrap()
            .data_type(),
        &DataType::Int32
    );
    assert!(!batch
        .schema()
        .field_with_name("text")
        .unwrap()
        .is_nullable());

    let text = strings(&batch, "text");
    let url = strings(&batch, "url");
    let lang = strings(&batch, "lang");
    let scores = batch
        .column_by_name("lang_score")
        .unwrap()
        .as_primitive::<Float32Type>()
        .clone();
    let tokens = batch
        .column_by_name("tokens")
        .unwrap()
        .as_primitive::<Int32Type>()
        .clone();
    let meta_col = strings(&batch, "meta");
    for (i, doc) in docs.iter().enumerate() {
        assert_eq!(text[i].as_deref(), Some(doc.text.as_str()), "row {i}");
        assert_eq!(url[i], doc.url, "row {i}");
        assert_eq!(lang[i], doc.lang, "row {i}");
        assert_eq!(scores.is_null(i), doc.lang_score.is_none(), "row {i}");
        assert_eq!(tokens.is_null(i), doc.tokens.is_none(), "row {i}");
        if let Some(t) = doc.tokens {
            assert_eq!(tokens.value(i), t as i32);
            assert_eq!(scores.value(i), doc.lang_score.unwrap());
        }
        let m: BTreeMap<String, String> =
            serde_json::from_str(meta_col[i].as_deref().unwrap()).unwrap();
        assert_eq!(m, doc.meta, "row {i}");
    }
    // The Thai, Burmese and Chinese pages arrive intact.
    assert_eq!(text[0].as_deref(), Some(udhr_text("tha").as_str()));
    assert!(
        text[1].as_deref().unwrap().contains("လူတိုင်း"),
        "Burmese text lost"
    );
    assert!(
        text[2].as_deref().unwrap().contains("人人生而自由"),
        "Chinese text lost"
    );
    // The last document has every optional field missing.
    let last = docs.len() - 1;
    assert_eq!((url[last].as_ref(), lang[last].as_ref()), (None, None));
    assert_eq!(strings(&batch, "title")[last], None);
    assert_eq!(strings(&batch, "date")[last], None);

    let kv = meta.file_metadata().key_value_metadata().unwrap();
    let version = kv.iter().find(|k| k.key == "seapile.version").unwrap();
    assert_eq!(version.value.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    for col in meta.row_group(0).columns() {
        assert!(matches!(col.compression(), Compression::ZSTD(_)), "{col:?}");
    }
}

#[test]
fn rejected_parquet_has_stage_and_reason_and_leaner_meta() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rejected.parquet");
    let docs: Vec<Doc> = udhr_docs()
        .into_iter()
        .enumerate()
        .map(|(i, d)| match i % 2 {
            0 => mark_rejected(d, "langid", "lang_not_kept"),
            _ => mark_rejected(d, "extract", "too_short"),
        })
        .collect();
    write_all(&path, OutputFormat::Parquet, true, &docs);
    let (batch, _) = read_parquet(&path);
    assert_eq!(batch.num_columns(), 13);
    let stage = strings(&batch, "stage");
    let reason = strings(&batch, "reason");
    assert_eq!(stage[0].as_deref(), Some("langid"));
    assert_eq!(reason[1].as_deref(), Some("too_short"));
    let meta: BTreeMap<String, String> =
        serde_json::from_str(strings(&batch, "meta")[0].as_deref().unwrap()).unwrap();
    assert_eq!(meta.get("udhr_code").map(String::as_str), Some("tha"));
    assert!(
        !meta.contains_key("drop_reason") && !meta.contains_key("drop_stage"),
        "{meta:?}"
    );
}

#[test]
fn rejected_sink_refuses_doc_without_reason_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for format in [OutputFormat::Parquet, OutputFormat::Jsonl] {
        let mut sink = open_sink(&dir.path().join("r.out"), format, true).unwrap();
        let doc = Doc::from_text("<urn:uuid:no-reason>", "x.warc", "text");
        let e = sink.write(&doc).unwrap_err().to_string();
        assert!(
            e.contains("<urn:uuid:no-reason>") && e.contains("drop_stage"),
            "{e}"
        );
    }
}

#[test]
fn open_sink_error_quotes_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let bad = blocker.join("data/shard.parquet");
    let e = open_sink(&bad, OutputFormat::Parquet, false)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains(&bad.parent().unwrap().display().to_string()),
        "{e}"
    );
}

#[test]
fn row_groups_close_at_the_row_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.parquet");
    let n = 2 * ROW_GROUP_ROWS + 1_234;
    let mut sink = open_sink(&path, OutputFormat::Parquet, false).unwrap();
    let mut doc = Doc::from_text("", "many.warc", "สวัสดี");
    for i in 0..n {
        doc.id = format!("doc-{i}");
        doc.tokens = Some(i as u32 % 7);
        sink.write(&doc).unwrap();
    }
    assert_eq!(sink.finish().unwrap().rows, n as u64);
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
    let rows: Vec<i64> = builder
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect();
    assert_eq!(rows, [ROW_GROUP_ROWS as i64, ROW_GROUP_ROWS as i64, 1_234]);
    let total: i64 = builder
        .build()
        .unwrap()
        .map(|b| {
            let b = b.unwrap();
            let t = b
                .column_by_name("tokens")
                .unwrap()
                .as_primitive::<Int32Type>()
                .clone();
            t.iter().map(|v| i64::from(v.unwrap())).sum::<i64>()
        })
        .sum();
    assert_eq!(total, (0..n).map(|i| (i % 7) as i64).sum::<i64>());
}

#[test]
fn row_groups_close_at_the_byte_limit() {
    // ~1 MiB of real Thai text per document: 150 documents exceed the 128 MiB row-group limit
    // once, so the file has two row groups although it has far fewer rows than the row limit.
    let thai = udhr_text("tha");
    let big = thai.repeat((1 << 20) / thai.len() + 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.parquet");
    let mut sink = open_sink(&path, OutputFormat::Parquet, false).unwrap();
    let mut doc = Doc::from_text("", "big.warc", big);
    for i in 0..150 {
        doc.id = format!("big-{i}");
        sink.write(&doc).unwrap();
    }
    let summary = sink.finish().unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
    let groups = builder.metadata().row_groups();
    assert_eq!(
        groups.len(),
        2,
        "{:?}",
        groups.iter().map(|g| g.num_rows()).collect::<Vec<_>>()
    );
    assert_eq!(groups.iter().map(|g| g.num_rows()).sum::<i64>(), 150);
    assert!(
        summary.bytes < 150 << 20,
        "zstd should shrink repeated text: {}",
        summary.bytes
    );
}

#[test]
fn jsonl_has_same_fields_with_nested_meta_and_nulls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/shard-00000.jsonl");
    let docs = udhr_docs();
    let summary = write_all(&path, OutputFormat::Jsonl, false, &docs);
    let body = std::fs::read_to_string(&path).unwrap();
    assert_eq!(summary.bytes, body.len() as u64);
    let lines: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), docs.len());
    for (doc, line) in docs.iter().zip(&lines) {
        let keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 11, "{keys:?}");
        assert_eq!(line["text"], doc.text.as_str());
        assert_eq!(line["id"], doc.id.as_str());
        assert_eq!(line["tokens"].as_u64(), doc.tokens.map(u64::from));
        assert_eq!(
            line["lang_score"].as_f64().map(|f| f as f32),
            doc.lang_score
        );
        assert_eq!(line["meta"], serde_json::to_value(&doc.meta).unwrap());
    }
    let odd = lines.last().unwrap();
    assert!(odd["url"].is_null() && odd["lang"].is_null() && odd["tokens"].is_null());

    let rpath = dir.path().join("rejected/shard-00000.jsonl");
    let rejected: Vec<Doc> = docs
        .into_iter()
        .map(|d| mark_rejected(d, "ingest", "not_html"))
        .collect();
    write_all(&rpath, OutputFormat::Jsonl, true, &rejected);
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&rpath)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (first["stage"].as_str(), first["reason"].as_str()),
        (Some("ingest"), Some("not_html"))
    );
    assert!(first["meta"].get("drop_reason").is_none(), "{first}");
}
