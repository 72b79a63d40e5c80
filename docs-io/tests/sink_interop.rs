//! The Parquet files we write are read by the tools dataset users have: pyarrow (what HF
//! `datasets` uses), DuckDB and polars, through `$SEAPILE_PYTHON` (the test venv).

mod sink_fixtures;

use std::path::Path;
use std::process::Command;

use docs_io::sink::open_sink;
use docs_io::Format as OutputFormat;
use pipeline::Doc;
use serde_json::Value;
use sink_fixtures::{mark_rejected, python, udhr_docs};

const READ_BACK: &str = r#"
import json, sys
import duckdb, polars, pyarrow.parquet as pq
path = sys.argv[1]
t = pq.read_table(path)
kv = pq.read_metadata(path).metadata or {}
con = duckdb.connect()
count, tokens = con.execute(f"SELECT count(*), sum(tokens) FROM '{path}'").fetchone()
langs = con.execute(f"SELECT lang FROM '{path}' WHERE lang IS NOT NULL ORDER BY id").fetchall()
df = polars.read_parquet(path)
print(json.dumps({
    "types": {f.name: str(f.type) for f in t.schema},
    "rows": t.num_rows,
    "texts": t.column("text").to_pylist(),
    "url_nulls": t.column("url").null_count,
    "meta0": json.loads(t.column("meta")[0].as_py()),
    "version": kv.get(b"seapile.version", b"").decode(),
    "duckdb": [count, int(tokens)],
    "duckdb_langs": [l for (l,) in langs],
    "polars": [df.height, int(df["tokens"].sum()), str(df.schema["tokens"])],
    "reasons": t.column("reason").to_pylist() if "reason" in t.column_names else None,
}, ensure_ascii=False))
"#;

fn write_parquet(path: &Path, rejected: bool, docs: &[Doc]) {
    let mut sink = open_sink(path, OutputFormat::Parquet, rejected).unwrap();
    for doc in docs {
        sink.write(doc).unwrap();
    }
    sink.finish().unwrap();
}

fn read_back(path: &Path) -> Value {
    let out = Command::new(python())
        .arg("-c")
        .arg(READ_BACK)
        .arg(path)
        .output()
        .expect("running Python");
    assert!(
        out.status.success(),
        "Python could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn pyarrow_duckdb_and_polars_read_what_we_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shard-00000.parquet");
    let docs = udhr_docs();
    write_parquet(&path, false, &docs);
    let got = read_back(&path);

    let tokens: u64 = docs.iter().filter_map(|d| d.tokens).map(u64::from).sum();
    let n = docs.len() as u64;
    assert_eq!(got["rows"], n);
    assert_eq!(got["duckdb"], serde_json::json!([n, tokens]));
    assert_eq!(got["polars"], serde_json::json!([n, tokens, "Int32"]));
    assert_eq!(got["types"]["tokens"], "int32");
    assert_eq!(got["types"]["lang_score"], "float");
    assert_eq!(got["types"]["text"], "string");
    assert_eq!(got["url_nulls"], 1);
    assert_eq!(got["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(got["meta0"]["udhr_code"], "tha");
    let texts: Vec<&str> = got["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let want: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, want, "text changed on the way through pyarrow");
    let langs: Vec<&str> = got["duckdb_langs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(langs, ["tha", "mya", "zho", "khm", "vie", "ind", "eng"]);
}

#[test]
fn rejected_files_read_with_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rejected.parquet");
    let docs: Vec<Doc> = udhr_docs()
        .into_iter()
        .map(|d| mark_rejected(d, "quality", "too_many_symbols"))
        .collect();
    write_parquet(&path, true, &docs);
    let got = read_back(&path);
    assert_eq!(got["rows"], docs.len());
    let reasons = got["reasons"].as_array().unwrap();
    assert!(
        reasons.iter().all(|r| r == "too_many_symbols"),
        "{reasons:?}"
    );
}

const READ_FINEWEB: &str = r#"
import json, sys
import duckdb, polars, pyarrow.parquet as pq
path = sys.argv[1]
t = pq.read_table(path)
rows = t.to_pylist()
con = duckdb.connect()
(n, tokens) = con.execute(f"SELECT count(*), sum(metadata.token_count) FROM '{path}'").fetchone()
df = polars.read_parquet(path)
print(json.dumps({
    "names": t.column_names,
    "metadata_fields": [f.name for f in t.schema.field("metadata").type],
    "first": {k: v for k, v in rows[0].items() if k != "text"},
    "duckdb": [n, int(tokens)],
    "polars_language": df["language"].to_list(),
}, ensure_ascii=False))
"#;

#[test]
fn fineweb_schema_has_fineweb_2_names_and_a_metadata_struct() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fw.parquet");
    let mut docs = udhr_docs();
    for d in &mut docs {
        d.meta.insert("dump".into(), "CC-MAIN-2024-10".into());
        d.meta.insert("lang_script".into(), "Latn".into());
        d.meta.insert("lang_rule".into(), "model".into());
    }
    let mut sink = docs_io::open_sink_with(
        &path,
        OutputFormat::Parquet,
        false,
        docs_io::Schema::Fineweb,
    )
    .unwrap();
    for doc in &docs {
        sink.write(doc).unwrap();
    }
    let summary = sink.finish().unwrap();
    assert!(summary.arrow_bytes > docs.iter().map(|d| d.text.len() as u64).sum::<u64>());
    let out = Command::new(python())
        .arg("-c")
        .arg(READ_FINEWEB)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = got["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "text",
            "id",
            "dump",
            "url",
            "date",
            "file_path",
            "language",
            "language_score",
            "language_script",
            "minhash_cluster_size",
            "top_langs",
            "metadata"
        ]
    );
    let first = &got["first"];
    assert_eq!(first["dump"], "CC-MAIN-2024-10");
    assert_eq!(first["language"], docs[0].lang.as_deref().unwrap());
    assert_eq!(first["language_script"], "Latn");
    assert_eq!(first["metadata"]["lang_rule"], "model");
    assert_eq!(
        first["metadata"]["token_count"].as_u64(),
        docs[0].tokens.map(u64::from)
    );
    let extra: Value = serde_json::from_str(first["metadata"]["extra"].as_str().unwrap()).unwrap();
    assert_eq!(extra["udhr_code"], "tha", "other provenance stays in extra");
    let tokens: u64 = docs.iter().filter_map(|d| d.tokens).map(u64::from).sum();
    assert_eq!(got["duckdb"], serde_json::json!([docs.len(), tokens]));
    assert_eq!(got["polars_language"].as_array().unwrap().len(), docs.len());
}
