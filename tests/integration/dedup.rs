//! `seapile dedup` and `seapile eval dedup` over real UDHR text.

use std::path::Path;

use serde_json::Value;

use crate::common::{run_ok, run_python, seapile, udhr};

/// UDHR articles (English and Thai) as JSONL rows, with one near copy of the first
/// English article (a word changed, a footer added) and one exact copy of the last Thai one.
/// Returns the number of originals and the ids of the two copied originals.
pub(crate) fn write_docs(path: &Path) -> (usize, String, String) {
    let mut rows = Vec::new();
    for stem in ["eng", "tha"] {
        let html = std::fs::read_to_string(udhr(stem)).unwrap();
        for (i, text) in ::dedup::eval::udhr_articles(&html).into_iter().enumerate() {
            rows.push((format!("{stem}-{i}"), text));
        }
    }
    let (first, last) = (rows[0].clone(), rows[rows.len() - 1].clone());
    assert!(first.1.contains("dignity"), "{}", first.1);
    let n = rows.len();
    rows.push((
        "near-copy".into(),
        first.1.replacen("dignity", "worth", 1) + "\nShare this page",
    ));
    rows.push(("exact-copy".into(), last.1.replace(' ', "  ")));
    let lines: Vec<String> = rows
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    std::fs::write(path, lines.join("\n")).unwrap();
    (n, first.0, last.0)
}

fn clusters(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("clusters.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn dedup_removes_the_planted_copies_and_maps_every_id() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.jsonl");
    let (originals, eng0, tha_last) = write_docs(&input);
    let out = dir.path().join("out");
    run_ok(
        seapile()
            .args(["dedup", "-j", "2", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    let lines = clusters(&out);
    assert_eq!(lines.len(), originals + 2);
    let find = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap().clone();
    let (near, exact) = (find("near-copy"), find("exact-copy"));
    assert_eq!(
        (near["kept"].clone(), near["duplicate"].clone()),
        (false.into(), "near".into())
    );
    assert_eq!(near["cluster_id"], find(&eng0)["cluster_id"]);
    assert_eq!(exact["duplicate"], "exact");
    assert_eq!(exact["cluster_id"], find(&tha_last)["cluster_id"]);
    let kept = lines.iter().filter(|l| l["kept"] == true).count();
    assert_eq!(kept, originals, "no original is removed");
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("dedup_stats.json")).unwrap())
            .unwrap();
    assert_eq!(stats["removed"], 2);
    assert_eq!(stats["clusters"], 2);
    let data = std::fs::read_to_string(out.join("data/00000.jsonl")).unwrap();
    assert_eq!(data.lines().count(), originals);

    // --exact-only keeps the near copy.
    let exact_out = dir.path().join("exact");
    run_ok(
        seapile()
            .args(["dedup", "--exact-only", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&exact_out),
    );
    let kept = clusters(&exact_out)
        .iter()
        .filter(|l| l["kept"] == true)
        .count();
    assert_eq!(kept, originals + 1);
}

#[test]
fn dedup_steps_run_as_shards_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.jsonl");
    write_docs(&input);
    let single = dir.path().join("single");
    run_ok(
        seapile()
            .args(["dedup", "-j", "1", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&single),
    );
    let out = dir.path().join("sharded");
    let shard = |step: &str, i: usize, n: usize| {
        let mut c = seapile();
        c.args(["dedup", step, "--output"]).arg(&out);
        c.args(["--shard", &i.to_string(), "--num-shards", &n.to_string()]);
        if step == "signatures" {
            c.arg("--input").arg(&input);
        }
        run_ok(&mut c);
    };
    for step in ["signatures", "buckets", "clusters", "filter"] {
        for i in 0..2 {
            shard(step, i, 2);
        }
    }
    assert_eq!(
        std::fs::read_to_string(single.join("clusters.jsonl")).unwrap(),
        std::fs::read_to_string(out.join("clusters.jsonl")).unwrap()
    );
}

#[test]
fn dedup_explain_prints_the_s_curve() {
    let out = run_ok(seapile().args(["dedup", "--explain"]));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("14 bands × 8 rows"), "{text}");
    assert!(text.contains("   0.80        0.9235"), "{text}");
}

#[test]
fn eval_dedup_json_reports_recall_precision_and_speed() {
    let out = run_ok(seapile().args(["eval", "dedup", "--json"]));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["recall"].as_f64().unwrap() >= 0.95, "{v}");
    assert!(v["precision"].as_f64().unwrap() >= 0.95, "{v}");
    assert!(v["docs_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["peak_rss_mb"].as_f64().unwrap() > 1.0, "{v}");
    for set in v["sets"].as_array().unwrap() {
        assert!(set["duplicate_pairs"].as_u64().unwrap() >= 100, "{set}");
        assert!(set["recall"].as_f64().unwrap() >= 0.95, "{set}");
    }
}

/// The body's row `| {label} | {n} |` as a number.
fn card_count(card: &str, label: &str) -> u64 {
    let prefix = format!("| {label} | ");
    let line = card
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no row {label:?} in\n{card}"));
    line[prefix.len()..]
        .split(" |")
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

#[test]
fn dedup_writes_a_card_whose_numbers_are_the_stats() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("docs.jsonl");
    let (originals, _, _) = write_docs(&plain);
    // The same rows with a `lang` column, as the pipeline writes it.
    let input = dir.path().join("with_lang.jsonl");
    let rows: Vec<String> = std::fs::read_to_string(&plain)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let lang = if v["id"].as_str().unwrap().starts_with("tha") {
                "tha"
            } else {
                "eng"
            };
            v["lang"] = lang.into();
            v.to_string()
        })
        .collect();
    std::fs::write(&input, rows.join("\n")).unwrap();
    let out = dir.path().join("sea-dedup");
    run_ok(
        seapile()
            .args(["dedup", "-j", "2", "--license", "odc-by", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("dedup_stats.json")).unwrap())
            .unwrap();
    assert!(stats["peak_rss_mb"].as_f64().unwrap() > 1.0, "{stats}");
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    let yaml = card.split("---\n").nth(1).unwrap();
    let code = "import json, sys, yaml\nprint(json.dumps(yaml.safe_load(sys.argv[1])))";
    let meta: Value = serde_json::from_str(&run_python(code, &[yaml])).unwrap();
    assert_eq!(meta["license"], "odc-by");
    assert_eq!(meta["pretty_name"], "sea-dedup (deduplicated)");
    assert_eq!(meta["language"], serde_json::json!(["en", "th"]), "{meta}");
    assert_eq!(
        meta["task_categories"],
        serde_json::json!(["text-generation"])
    );
    assert_eq!(meta["size_categories"], serde_json::json!(["n<1K"]));
    assert_eq!(meta["configs"][0]["data_files"][0]["path"], "data/*.jsonl");

    for (label, key) in [
        ("Documents in", "docs_in"),
        ("Exact duplicates removed", "exact_duplicates_removed"),
        ("Near duplicates removed", "near_duplicates_removed"),
        ("Documents removed", "removed"),
        ("Documents kept", "kept"),
        ("Duplicate clusters (2+ documents)", "clusters"),
        ("Documents in duplicate clusters", "docs_in_clusters"),
    ] {
        assert_eq!(
            card_count(&card, label),
            stats[key].as_u64().unwrap(),
            "{label}"
        );
    }
    assert_eq!(stats["kept"].as_u64().unwrap(), originals as u64);
    for (size, n) in stats["cluster_size_histogram"].as_object().unwrap() {
        assert_eq!(card_count(&card, size), n.as_u64().unwrap(), "size {size}");
    }
    assert!(
        card.contains("| Bands × rows | 14 × 8 = 112 hashes |"),
        "{card}"
    );
    assert!(card.contains("| 0.80 | 0.9235 |"), "{card}");
    let sha = run_python(
        "import hashlib, sys\nprint(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
        &[input.to_str().unwrap()],
    );
    assert!(card.contains(&format!("`{}`", sha.trim())), "{card}");
    assert!(
        card.contains(&format!("by seapile {}", env!("CARGO_PKG_VERSION"))),
        "{card}"
    );

    // Rows without `lang`: no `language` key.
    let bare = dir.path().join("bare");
    run_ok(
        seapile()
            .args(["dedup", "--exact-only", "--input"])
            .arg(&plain)
            .arg("--output")
            .arg(&bare),
    );
    let card = std::fs::read_to_string(bare.join("README.md")).unwrap();
    let meta: Value =
        serde_json::from_str(&run_python(code, &[card.split("---\n").nth(1).unwrap()])).unwrap();
    assert_eq!(meta["license"], "other");
    assert!(meta.get("language").is_none(), "{meta}");
    assert!(card.contains("did not run (exact pass only)"), "{card}");
}
