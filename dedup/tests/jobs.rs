//! The dedup job over real text (UDHR articles in five languages, two without spaces):
//! planted exact and near copies are found, unrelated documents are not, and every sharding
//! — and a memory budget that forces many sorted runs — gives the same result.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use dedup::eval::udhr_articles;
use dedup::steps::{self, ClusterLine};
use dedup::{jaccard, LocalRun, MinHasher, MinhashConfig, Mode, Params, Shard};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

const LANGS: [&str; 5] = ["eng", "tha", "cmn_hans", "vie", "ind"];

struct Fixture {
    /// (id, text) of the originals, then of the copies.
    bases: Vec<(String, String)>,
    copies: Vec<(String, String)>,
    /// copy id → (base id, "exact" | "near").
    planted: BTreeMap<String, (String, &'static str)>,
}

/// Every article group of the five UDHR pages; every third gets a near copy (one word
/// changed, a footer added) and every seventh an exact copy (case and spacing changed).
fn fixture() -> Fixture {
    let mut f = Fixture {
        bases: Vec::new(),
        copies: Vec::new(),
        planted: BTreeMap::new(),
    };
    let hasher = MinHasher::new(&MinhashConfig::default());
    for lang in LANGS {
        let html = std::fs::read_to_string(testkit::expect_udhr(lang)).unwrap();
        for (i, text) in udhr_articles(&html).into_iter().enumerate() {
            let id = format!("{lang}-{i}");
            if i % 3 == 1 {
                let copy = near_copy(&text);
                let j = jaccard(&hasher.shingles(&text), &hasher.shingles(&copy));
                assert!(j >= 0.8, "planted near copy of {id} has J {j:.3}");
                plant(&mut f, &id, copy, "near");
            }
            if i % 7 == 2 {
                let copy = format!("  {}  ", text.to_uppercase().replace(' ', "   "));
                plant(&mut f, &id, copy, "exact");
            }
            f.bases.push((id, text));
        }
    }
    f
}

fn plant(f: &mut Fixture, base: &str, text: String, kind: &'static str) {
    let id = format!("{base}-{kind}");
    f.planted.insert(id.clone(), (base.to_string(), kind));
    f.copies.push((id, text));
}

/// The text with its middle word replaced and a footer line appended.
fn near_copy(text: &str) -> String {
    let words: Vec<&str> = segment::words(text).collect();
    let middle = words[words.len() / 2];
    let at = text.find(middle).unwrap_or(0);
    format!(
        "{}Zanzibar{}\nShare this page",
        &text[..at],
        &text[at + middle.len()..]
    )
}

fn write_jsonl(path: &Path, rows: &[(String, String)]) {
    let lines: Vec<String> = rows
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text, "source": "udhr"}).to_string())
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn read_clusters(out: &Path) -> Vec<ClusterLine> {
    std::fs::read_to_string(out.join("clusters.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn local(
    inputs: Vec<PathBuf>,
    out: &Path,
    threads: usize,
    max_records: usize,
) -> dedup::DedupStats {
    dedup::run_local(&LocalRun {
        inputs,
        output: out.to_path_buf(),
        config: MinhashConfig::default(),
        mode: Mode::Both,
        threads,
        max_records,
        keep_work: false,
    })
    .unwrap()
}

/// Inputs: originals in two files, copies in two more (so originals come first).
fn inputs(dir: &Path, f: &Fixture) -> Vec<PathBuf> {
    let (b1, b2) = f.bases.split_at(f.bases.len() / 2);
    let (c1, c2) = f.copies.split_at(f.copies.len() / 2);
    let mut paths = Vec::new();
    for (i, rows) in [b1, b2, c1, c2].into_iter().enumerate() {
        let p = dir.join(format!("part{i}.jsonl"));
        write_jsonl(&p, rows);
        paths.push(p);
    }
    paths
}

#[test]
fn planted_copies_are_found_and_unrelated_documents_are_kept() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let stats = local(inputs(dir.path(), &f), &out, 2, 1 << 20);
    let lines = read_clusters(&out);
    let by_id: BTreeMap<&str, &ClusterLine> = lines.iter().map(|l| (l.id.as_str(), l)).collect();
    assert_eq!(lines.len(), f.bases.len() + f.copies.len());
    for (copy, (base, kind)) in &f.planted {
        let (c, b) = (by_id[copy.as_str()], by_id[base.as_str()]);
        assert!(!c.kept, "{copy} was kept");
        assert_eq!(c.duplicate.as_deref(), Some(*kind), "{copy}");
        assert_eq!(
            c.cluster_id, b.cluster_id,
            "{copy} not clustered with {base}"
        );
    }
    for (id, _) in &f.bases {
        let l = by_id[id.as_str()];
        let copies = f.planted.values().filter(|(b, _)| b == id).count() as u32;
        assert!(l.kept, "{id} was removed");
        assert_eq!(
            l.cluster_size,
            1 + copies,
            "{id} clustered with unrelated text"
        );
    }
    let exact = f.planted.values().filter(|(_, k)| *k == "exact").count() as u64;
    assert_eq!(stats.docs_in, (f.bases.len() + f.copies.len()) as u64);
    assert_eq!(stats.kept, f.bases.len() as u64);
    assert_eq!(stats.exact_duplicates_removed, exact);
    assert_eq!(stats.near_duplicates_removed, f.copies.len() as u64 - exact);
    let in_clusters: u64 = stats.cluster_size_histogram.values().sum();
    assert_eq!(in_clusters, stats.clusters);
    // Kept rows keep their fields and gain the cluster columns.
    let kept = std::fs::read_to_string(out.join("data/00000.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(kept.lines().next().unwrap()).unwrap();
    assert_eq!(first["source"], "udhr");
    assert!(first["cluster_id"].is_u64() && first["cluster_size"].is_u64());
    assert!(!out.join(".dedup").exists(), "work files are removed");
}

/// Every step as its own shards, with different shard counts per step, equals one shard.
#[test]
fn sharded_steps_give_the_same_kept_set_as_one_shard() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let paths = inputs(dir.path(), &f);
    let single = dir.path().join("single");
    local(paths.clone(), &single, 1, 1 << 20);

    let sharded = dir.path().join("sharded");
    let params = Params {
        inputs: paths.clone(),
        config: MinhashConfig::default(),
        mode: Mode::Both,
        signature_shards: 4,
    };
    for i in 0..4 {
        // 200 records in memory: many sorted runs, merged at the buckets step.
        steps::signatures(&sharded, &params, Shard::new(i, 4).unwrap(), 200).unwrap();
    }
    for i in 0..3 {
        steps::buckets(&sharded, Shard::new(i, 3).unwrap()).unwrap();
    }
    for i in 0..2 {
        steps::clusters(&sharded, Shard::new(i, 2).unwrap()).unwrap();
    }
    let finished: Vec<bool> = (0..4)
        .map(|i| steps::filter(&sharded, Shard::new(i, 4).unwrap()).unwrap())
        .collect();
    assert_eq!(
        finished,
        [false, false, false, true],
        "the last shard merges"
    );

    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    assert_eq!(
        read(&single.join("clusters.jsonl")),
        read(&sharded.join("clusters.jsonl"))
    );
    for k in 0..paths.len() {
        let name = format!("data/{k:05}.jsonl");
        assert_eq!(
            read(&single.join(&name)),
            read(&sharded.join(&name)),
            "{name}"
        );
    }
    let parallel = dir.path().join("parallel");
    local(paths, &parallel, 4, 300);
    assert_eq!(
        read(&single.join("clusters.jsonl")),
        read(&parallel.join("clusters.jsonl"))
    );
}

#[test]
fn a_later_step_before_its_input_is_ready_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let e = steps::buckets(dir.path(), Shard::ONE)
        .unwrap_err()
        .to_string();
    assert!(e.contains("signatures step first"), "{e}");
    let f = fixture();
    let paths = inputs(dir.path(), &f);
    let params = Params {
        inputs: paths,
        config: MinhashConfig::default(),
        mode: Mode::NearOnly,
        signature_shards: 2,
    };
    let out = dir.path().join("out");
    steps::signatures(&out, &params, Shard::new(0, 2).unwrap(), 1000).unwrap();
    let e = steps::buckets(&out, Shard::ONE).unwrap_err().to_string();
    assert!(
        e.contains("signatures shard 1 of 2 has not finished"),
        "{e}"
    );
}

fn pipeline_like_parquet(path: &Path, rows: &[(String, String)]) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("lang", DataType::Utf8, true),
        Field::new("tokens", DataType::Int32, true),
    ]));
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let texts: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let langs: Vec<Option<&str>> = rows.iter().map(|r| r.0.split('-').next()).collect();
    let tokens: Vec<i32> = rows.iter().map(|r| r.1.len() as i32).collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(ids)),
            Arc::new(StringArray::from(texts)),
            Arc::new(StringArray::from(langs)),
            Arc::new(Int32Array::from(tokens)),
        ],
    )
    .unwrap();
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_rows_keep_their_schema_plus_cluster_columns() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.parquet");
    let mut rows = f.bases.clone();
    rows.extend(f.copies.iter().cloned());
    pipeline_like_parquet(&input, &rows);
    let out = dir.path().join("out");
    let stats = local(vec![input], &out, 1, 1 << 20);
    let file = File::open(out.join("data/00000.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let names: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        ["id", "text", "lang", "tokens", "cluster_id", "cluster_size"]
    );
    let mut ids = BTreeSet::new();
    for batch in reader.build().unwrap() {
        let batch = batch.unwrap();
        let col = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        ids.extend((0..col.len()).map(|i| col.value(i).to_string()));
    }
    let bases: BTreeSet<String> = f.bases.iter().map(|b| b.0.clone()).collect();
    assert_eq!(ids, bases);
    assert_eq!(stats.kept, bases.len() as u64);
}

#[test]
fn bad_rows_are_errors_that_quote_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"a\", \"text\": \"fine\"}\n{\"id\": \"b\", text}\n",
    )
    .unwrap();
    let e = dedup::run_local(&LocalRun {
        inputs: vec![input],
        output: dir.path().join("out"),
        config: MinhashConfig::default(),
        mode: Mode::Both,
        threads: 1,
        max_records: 1000,
        keep_work: false,
    })
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("bad.jsonl") && e.contains("line 2") && e.contains("text}"),
        "{e}"
    );
}
