//! `seapile decontam index`, `seapile decontam` and the `decontam` run stage end to end: UDHR
//! articles are the benchmark, the UDHR pages (wrapped as crawled responses) the crawl.

use std::path::Path;

use crate::common::{
    gzip_member, http_response, read_json, run_ok, seapile, udhr, udhr_paragraphs, warc_record,
};

/// A benchmark file of four long Thai and four long Indonesian UDHR paragraphs.
fn benchmark(dir: &Path) -> (std::path::PathBuf, Vec<String>) {
    let mut items = Vec::new();
    for stem in ["tha", "ind"] {
        items.extend(
            udhr_paragraphs(stem)
                .into_iter()
                .filter(|p| p.chars().count() > 150)
                .take(4),
        );
    }
    let path = dir.join("udhr-items.jsonl");
    let lines: String = items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "{}\n",
                serde_json::json!({"id": format!("item-{i}"), "question": t})
            )
        })
        .collect();
    std::fs::write(&path, lines).unwrap();
    (path, items)
}

/// A crawl of three pages: the Thai and Indonesian UDHR (holding the items) and the Khmer
/// one (clean).
fn crawl(dir: &Path) -> std::path::PathBuf {
    let mut warc = Vec::new();
    for (i, stem) in ["tha", "ind", "khm"].iter().enumerate() {
        let html = std::fs::read(udhr(stem)).unwrap();
        let block = http_response("Content-Type: text/html; charset=utf-8\r\n", &html);
        let uri = format!("https://udhr.example/{stem}.html");
        let id = format!("00000000-0000-0000-0000-00000000000{i}");
        warc.extend(gzip_member(&warc_record("response", &uri, &id, &block)));
    }
    let path = dir.join("udhr.warc.gz");
    std::fs::write(&path, warc).unwrap();
    path
}

#[test]
fn index_then_a_run_with_the_decontam_stage_cuts_the_items_and_says_so_on_the_card() {
    let tmp = tempfile::tempdir().unwrap();
    let (bench, items) = benchmark(tmp.path());
    let idx = tmp.path().join("udhr.idx");
    let out = run_ok(
        seapile()
            .args(["decontam", "index", "--benchmarks"])
            .arg(&bench)
            .arg("--output")
            .arg(&idx),
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("udhr-items.jsonl") && log.contains("8 records"),
        "{log}"
    );

    let config = tmp.path().join("run.toml");
    std::fs::write(
        &config,
        format!(
            "[[stages]]\ntype = \"extract\"\n[[stages]]\ntype = \"decontam\"\nindex = {:?}\n\
             action = \"cut\"\nmargin_chars = 20\nmin_piece_chars = 50\n",
            idx.display().to_string()
        ),
    )
    .unwrap();
    let run_out = tmp.path().join("run");
    run_ok(
        seapile()
            .arg("run")
            .arg(&config)
            .args([
                "--quiet",
                "--format",
                "jsonl",
                "--keep-rejected",
                "--threads",
                "1",
            ])
            .arg("--input")
            .arg(crawl(tmp.path()))
            .arg("--output")
            .arg(&run_out),
    );
    let kept: Vec<serde_json::Value> =
        std::fs::read_to_string(run_out.join("data/shard-00000.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert_eq!(kept.len(), 3, "each page keeps what is not benchmark text");
    for doc in &kept {
        let text = doc["text"].as_str().unwrap();
        for item in &items {
            let inner: String = item.chars().skip(30).take(60).collect();
            assert!(!text.contains(&inner), "{} still holds an item", doc["url"]);
        }
        let url = doc["url"].as_str().unwrap();
        let meta = doc["meta"]["decontam"].as_str();
        assert_eq!(
            meta.is_some(),
            !url.ends_with("khm.html"),
            "{url}: {meta:?}"
        );
    }
    let stats = read_json(&run_out.join("stats.json"));
    let stage = stats["run"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "decontam")
        .unwrap()
        .clone();
    assert_eq!(stage["docs_in"], 3);
    assert_eq!(stage["counts"]["cut"], 2);
    let card = std::fs::read_to_string(run_out.join("README.md")).unwrap();
    let sha = docs_io::sha256_file(&bench).unwrap();
    assert!(card.contains("## Decontamination"), "{card}");
    assert!(
        card.contains(&format!("| `udhr-items.jsonl` | `{sha}` | 8 | 8 | 8 | 2 |")),
        "{card}"
    );
    assert!(
        card.contains("decontamination index"),
        "the index is among the models: {card}"
    );
}

#[test]
fn the_pass_drops_contaminated_documents_and_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (bench, items) = benchmark(tmp.path());
    let idx = tmp.path().join("udhr.idx");
    run_ok(
        seapile()
            .args(["decontam", "index", "--benchmarks"])
            .arg(&bench)
            .arg("--output")
            .arg(&idx),
    );
    let docs = tmp.path().join("docs.jsonl");
    let khm = udhr_paragraphs("khm").join("\n");
    let host = udhr_paragraphs("vie").join("\n");
    let lines = [
        serde_json::json!({"id": "clean-khm", "text": khm}),
        serde_json::json!({"id": "dirty", "url": "https://x.example/q", "text": format!("{host}\n{}", items[1].to_uppercase())}),
        serde_json::json!({"id": "clean-vie", "text": host}),
    ];
    std::fs::write(&docs, lines.map(|l| format!("{l}\n")).concat()).unwrap();
    let out = tmp.path().join("clean");
    run_ok(
        seapile()
            .args(["decontam", "--index"])
            .arg(&idx)
            .arg("--input")
            .arg(&docs)
            .arg("--output")
            .arg(&out),
    );
    let mut ids = Vec::new();
    docs_io::for_each_doc(&out.join("data/docs.parquet"), |d| {
        ids.push(d.id);
        Ok::<_, docs_io::IoError>(())
    })
    .unwrap();
    assert_eq!(ids, ["clean-khm", "clean-vie"]);
    let lines = std::fs::read_to_string(out.join("contamination.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(lines.trim()).unwrap();
    assert_eq!(line["id"], "dirty");
    assert_eq!(line["url"], "https://x.example/q");
    assert_eq!(line["benchmark"], "udhr-items.jsonl");
    assert_eq!(line["record_id"], "item-1");
    assert_eq!(line["field"], "question");
    assert_eq!(line["action"], "drop");
    assert!(std::fs::read_to_string(out.join("README.md"))
        .unwrap()
        .contains("## Decontamination"));
}
