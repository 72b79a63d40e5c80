//! `seapile demo` / `seapile run` end to end on real crawled pages.

use std::path::Path;

use crate::common::*;

const SEA: [&str; 13] = [
    "eng", "ind", "jav", "khm", "lao", "mya", "sun", "tam", "tgl", "tha", "vie", "zho", "zsm",
];

fn parquet_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    v.sort();
    v
}

#[test]
fn demo_end_to_end_then_rerun_skips_and_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let first = run_ok(
        seapile()
            .args(["demo", "--threads", "2", "--output"])
            .arg(&out),
    );
    let summary = String::from_utf8_lossy(&first.stderr).to_string();
    assert!(summary.contains("stage"), "summary printed: {summary}");

    // Layout: OUT/data/*.parquet, OUT/stats/<shard>.json, OUT/stats.json, OUT/README.md.
    // One Parquet file per input WARC that kept documents: the Common Crawl sample keeps none
    // (its two English pages are too short), and a 0-row file is not written.
    let files = parquet_files(&out.join("data"));
    assert_eq!(
        files,
        [out.join("data/shard-00001.parquet")],
        "no 0-row Parquet file"
    );
    assert!(!out.join(".tmp").exists(), "no leftover temporary folder");
    assert!(out.join("stats/shard-00000.json").exists());
    assert!(
        !out.join(".tmp/shard-00000").exists(),
        "temporary files cleaned up"
    );

    // Every stage's counters balance: in = kept + dropped.
    let stats = read_json(&out.join("stats.json"));
    let stages = stats["run"]["stages"].as_array().unwrap();
    assert_eq!(stages[0]["name"], "ingest");
    for st in stages {
        let dropped: u64 = st["dropped"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            st["docs_in"].as_u64().unwrap(),
            st["kept"].as_u64().unwrap() + dropped,
            "{st}"
        );
    }
    // The genuine CC WARC has 13 records: 9 are not responses (warcinfo, requests, metadata)
    // and are skipped, 4 are responses, 3 of them HTML with bodies.
    let shard0 = read_json(&out.join("stats/shard-00000.json"));
    assert_eq!(
        shard0["stages"][0]["skipped"]["not_response"], 9,
        "{shard0}"
    );
    assert_eq!(shard0["stages"][0]["docs_in"], 4, "{shard0}");
    assert_eq!(shard0["stages"][0]["kept"], 3, "{shard0}");
    // The UDHR WARC has 13 pages, one per SEA language, and each comes out as itself: lid.176
    // alone calls the Malay page Indonesian and leaves Javanese and Sundanese below threshold;
    // the SEA layer (markers, per-language thresholds) gets all 13.
    let langs = stats["run"]["langs"].as_object().unwrap();
    let found: Vec<&str> = SEA
        .iter()
        .copied()
        .filter(|l| langs.contains_key(*l))
        .collect();
    assert_eq!(found, SEA, "SEA languages kept");
    for l in SEA {
        assert!(langs.contains_key(l), "{l} missing from {langs:?}");
        assert!(
            langs[l]["tokens"].as_u64().unwrap() > 500,
            "{l}: {}",
            langs[l]
        );
    }

    // The Parquet opens in pyarrow and DuckDB with the documented columns.
    let docs_out = stats["run"]["docs_out"].as_u64().unwrap();
    let tokens: u64 = langs.values().map(|l| l["tokens"].as_u64().unwrap()).sum();
    let glob = format!("{}/data/*.parquet", out.display());
    let got = run_python(
        r#"
import sys, glob, pyarrow.parquet as pq, pyarrow as pa, duckdb
files = sorted(glob.glob(sys.argv[1]))
t = pa.concat_tables([pq.read_table(f) for f in files])
need = ["id", "url", "date", "text", "lang", "lang_score", "tokens", "source"]
missing = [c for c in need if c not in t.column_names]
assert not missing, missing
n, s = duckdb.connect().execute(f"SELECT count(*), sum(tokens) FROM read_parquet('{sys.argv[1]}')").fetchone()
assert n == t.num_rows, (n, t.num_rows)
print(n, s)
"#,
        &[&glob],
    );
    assert_eq!(got.trim(), format!("{docs_out} {tokens}"));

    // The card: YAML front matter the Hub accepts, body with the tables.
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(card.starts_with("---\n"), "front matter first");
    let keys = run_python(
        r#"
import sys, yaml
text = open(sys.argv[1], encoding="utf-8").read()
meta = yaml.safe_load(text.split("---\n")[1])
for k in ["configs", "language", "license", "task_categories", "size_categories", "pretty_name"]:
    assert k in meta, k
assert meta["configs"][0]["data_files"], meta["configs"]
print(",".join(sorted(meta["language"])))
"#,
        &[out.join("README.md").to_str().unwrap()],
    );
    assert!(keys.contains("th") || keys.contains("tha"), "{keys}");
    assert!(
        card.contains("lid.176.ftz") && card.contains("tokenizer.json"),
        "models named"
    );
    assert!(
        card.contains("8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"),
        "model sha256"
    );

    // Rejected documents were kept with their stage and reason (the demo asks for them): every
    // dropped document is a rejected row, and a shard that dropped nothing writes no file.
    let mut with_drops = 0;
    for shard in ["shard-00000", "shard-00001"] {
        let st = read_json(&out.join(format!("stats/{shard}.json")));
        let dropped: u64 = st["stages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["dropped"].as_object().unwrap().values())
            .map(|v| v.as_u64().unwrap())
            .sum();
        let rejected: u64 = st["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["config"] == "rejected")
            .map(|o| o["rows"].as_u64().unwrap())
            .sum();
        assert_eq!(dropped, rejected, "{st}");
        with_drops += usize::from(dropped > 0);
    }
    assert!(with_drops > 0);
    assert_eq!(parquet_files(&out.join("rejected")).len(), with_drops);

    // Rerun: every shard is skipped and the data is byte-identical.
    let before: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let second = run_ok(
        seapile()
            .args(["demo", "--threads", "2", "--output"])
            .arg(&out),
    );
    let summary = String::from_utf8_lossy(&second.stderr).to_string();
    assert!(summary.contains("2 skipped"), "{summary}");
    let after: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(before == after, "rerun changed the data");
}

#[test]
fn run_with_config_file_writes_jsonl_and_a_fresh_run_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let cc = cc_warc();
    let mut outs = Vec::new();
    let mut rejected = String::new();
    for name in ["a", "b"] {
        let out = tmp.path().join(name);
        run_ok(
            seapile()
                .args([
                    "run",
                    "configs/cc-sea.toml",
                    "--quiet",
                    "--format",
                    "jsonl",
                    "--threads",
                    "1",
                    "--keep-rejected",
                ])
                .arg("--input")
                .arg(&cc)
                .arg("--output")
                .arg(&out)
                .current_dir(env!("CARGO_MANIFEST_DIR")),
        );
        // Nothing kept from this sample: no 0-row data file.
        outs.push(std::fs::read_to_string(out.join("data/shard-00000.jsonl")).unwrap_or_default());
        if name == "a" {
            rejected = std::fs::read_to_string(out.join("rejected/shard-00000.jsonl")).unwrap();
        }
    }
    assert_eq!(outs[0], outs[1], "same input, same output");
    let lines: Vec<serde_json::Value> = outs[0]
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The sample's two English pages are photo-gallery pages of ~30 words (EXIF line, view
    // count, comment form): the quality stage rightly drops them as under Gopher's 50 words.
    let low_quality: Vec<serde_json::Value> = rejected
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["stage"] == "quality")
        .collect();
    assert_eq!(
        lines.len() + low_quality.len(),
        2,
        "the CC sample has 2 English pages"
    );
    for l in &low_quality {
        assert_eq!(
            (&l["lang"], &l["reason"]),
            (&"eng".into(), &"gopher_quality:min_words".into())
        );
    }
    for l in &lines {
        assert_eq!(l["lang"], "eng");
        assert!(l["tokens"].as_u64().unwrap() > 0);
        assert!(
            l["id"].as_str().unwrap().starts_with("urn:uuid:")
                || l["id"].as_str().unwrap().starts_with("<urn")
        );
        assert!(l["url"].as_str().unwrap().starts_with("http"));
    }
}

#[test]
fn every_config_file_in_the_repo_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let name = p.file_name().unwrap().to_string_lossy();
            if name.starts_with("magpie") {
                let text = std::fs::read_to_string(&p).unwrap();
                synth::magpie::MagpieConfig::from_toml(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            } else {
                ::run::Config::from_file(&p).unwrap_or_else(|e| panic!("{e}"));
            }
            n += 1;
        }
    }
    assert!(n >= 1);
}

#[test]
fn log_format_json_gives_one_event_per_line_for_cluster_logs() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = crate::kill::build_inputs(tmp.path());
    let out = tmp.path().join("out");
    let run = run_ok(
        seapile()
            .args(["--log-format", "json", "run", "-j", "2", "--output"])
            .arg(&out)
            .arg("--input")
            .args(&inputs),
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    let events: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"run_start"), "{stderr}");
    assert_eq!(kinds.last(), Some(&"run_done"), "{stderr}");
    let shards: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "shard_done")
        .collect();
    assert_eq!(shards.len(), inputs.len());
    let done: Vec<u64> = shards.iter().map(|e| e["done"].as_u64().unwrap()).collect();
    assert_eq!(done, (1..=inputs.len() as u64).collect::<Vec<_>>());
    for e in &shards {
        assert_eq!(e["total"], inputs.len());
        assert!(e["bytes_per_s"].as_f64().unwrap() > 0.0 && e["eta_s"].as_f64().is_some());
        assert!(e["stages"]["ingest"]["in"].as_u64().unwrap() > 0, "{e}");
    }
    let stats = read_json(&out.join("stats.json"));
    let sum: u64 = shards.iter().map(|e| e["docs_out"].as_u64().unwrap()).sum();
    assert_eq!(sum, stats["run"]["docs_out"].as_u64().unwrap());
    assert_eq!(
        events.last().unwrap()["stats"]["docs_out"],
        stats["run"]["docs_out"]
    );

    // Errors are JSON too.
    let bad = seapile()
        .args([
            "--log-format",
            "json",
            "run",
            "--input",
            "/no/such.warc",
            "--output",
        ])
        .arg(tmp.path().join("bad"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&bad.stderr).trim()).unwrap();
    assert_eq!(line["event"], "error");
    assert!(line["message"].as_str().unwrap().contains("/no/such.warc"));
}
