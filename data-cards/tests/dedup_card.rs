//! The dedup card from fixed stats: an exact snapshot, and front matter that Python's `yaml`
//! reads back with the Hub's keys (`language` only when the rows had a `lang` column).

use std::collections::BTreeMap;

use data_cards::{render_dedup, DedupCardInput, InputFile, MinhashParams};
use testkit::python_yaml;

fn card() -> DedupCardInput {
    let hist: BTreeMap<String, u64> = [("2", 311), ("3-4", 42), ("5-8", 7), ("17-32", 1)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    DedupCardInput {
        pretty_name: "SEA web | dedup: \"v1\"".into(),
        license: "other".into(),
        languages: Some(vec!["tha".into(), "ind".into(), "zsm".into()]),
        mode: "both".into(),
        docs_in: 54_013,
        exact_duplicates_removed: 1_204,
        near_duplicates_removed: 377,
        clusters: 361,
        docs_in_clusters: 1_980,
        cluster_size_histogram: hist,
        removed: 1_581,
        kept: 52_432,
        minhash: Some(MinhashParams {
            ngram: 5,
            bands: 14,
            rows: 8,
            seed: 1,
            verify_threshold: 0.7,
            s_curve: vec![(0.5, 0.0532), (0.7, 0.5464), (0.8, 0.9235), (0.9, 0.9999)],
        }),
        inputs: vec![
            InputFile {
                name: "out/data/00000.parquet".into(),
                bytes: 12_345_678,
                sha256: Some("ab".repeat(32)),
                ..InputFile::default()
            },
            InputFile {
                name: "more|rows.jsonl".into(),
                bytes: 999,
                sha256: None,
                ..InputFile::default()
            },
        ],
        seapile_version: "0.1.0".into(),
        data_files: "data/*.parquet".into(),
    }
}

#[test]
fn dedup_card_snapshot() {
    insta::assert_snapshot!(render_dedup(&card()));
}

#[test]
fn dedup_card_front_matter_parses_with_python_yaml() {
    let text = render_dedup(&card());
    let yaml = text.split("---\n").nth(1).expect("front matter");
    let v = python_yaml(yaml);
    assert_eq!(v["pretty_name"], "SEA web | dedup: \"v1\"");
    assert_eq!(v["license"], "other");
    assert_eq!(v["language"], serde_json::json!(["id", "ms", "th"]));
    assert_eq!(v["task_categories"], serde_json::json!(["text-generation"]));
    assert_eq!(v["size_categories"], serde_json::json!(["10K<n<100K"]));
    assert_eq!(
        v["configs"][0]["data_files"][0]["path"],
        serde_json::json!("data/*.parquet")
    );

    let no_lang = DedupCardInput {
        languages: None,
        minhash: None,
        ..card()
    };
    let text = render_dedup(&no_lang);
    let v = python_yaml(text.split("---\n").nth(1).unwrap());
    assert!(v.get("language").is_none(), "{v}");
    assert!(text.contains("did not run (exact pass only)"), "{text}");
}
