//! The rendered card: an exact snapshot, front matter that YAML parsers (Python's `yaml`, as
//! the Hub uses, and a structural check here) read back with the keys the Hub needs, and the
//! escaping of hostile names.

use std::collections::BTreeMap;

use data_cards::{
    render, size_category, CardInput, Feature, HubConfig, InputFile, License, ModelFile,
    COMMON_CRAWL,
};
use pipeline::{LangStats, RunStats, StageStats};
use testkit::python_yaml;

fn stage(name: &str, docs_in: u64, dropped: &[(&str, u64)], seconds: f64) -> StageStats {
    let dropped: BTreeMap<String, u64> = dropped.iter().map(|(r, n)| (r.to_string(), *n)).collect();
    let kept = docs_in - dropped.values().sum::<u64>();
    StageStats {
        name: name.into(),
        docs_in,
        kept,
        dropped,
        seconds,
        ..StageStats::default()
    }
}

fn lang(docs: u64, tokens: u64, chars: u64) -> LangStats {
    LangStats {
        docs,
        tokens,
        chars,
        words: chars / 5,
    }
}

/// A fixed config (not `Config::default()`, so the snapshot does not move with the defaults).
const CONFIG: &str = r#"[input]
paths = ["warc/*.warc.gz"]

[output]
format = "parquet"
keep_rejected = true
license = "odc-by"
pretty_name = "SEA web: \"sample\" | v1"

[[stages]]
type = "extract"
min_chars = 50

[[stages]]
type = "langid"
threshold = 0.65
languages = ["eng", "mya", "tha", "zsm"]

[[stages]]
type = "tokens"
"#;

/// A fixed run over two inputs, one local and hashed, one remote.
fn fixture() -> CardInput {
    let run = RunStats {
        shards: 2,
        bytes_in: 256_305 + 1_073_741_824,
        stages: vec![
            stage(
                "ingest",
                54_013,
                &[("not_html", 20_001), ("truncated", 12)],
                40.25,
            ),
            stage("extract", 34_000, &[("too_short", 9_000)], 310.0),
            stage(
                "langid",
                25_000,
                &[("lang_not_kept", 19_000), ("low_confidence", 4_750)],
                12.5,
            ),
            stage("tokens", 1_250, &[], 3.0),
        ],
        langs: [
            ("eng".to_string(), lang(700, 420_000, 1_900_000)),
            ("tha".to_string(), lang(300, 510_000, 700_000)),
            ("zsm".to_string(), lang(150, 90_000, 400_000)),
            ("mya".to_string(), lang(99, 250_000, 300_000)),
            ("und".to_string(), lang(1, 10, 50)),
        ]
        .into_iter()
        .collect(),
        docs_out: 1_250,
        shard_seconds: 365.75,
        wall_seconds: 190.0,
    };
    CardInput {
        pretty_name: Some("SEA web: \"sample\" | v1".into()),
        license: License::new("odc-by", None, None),
        languages: vec!["eng".into(), "mya".into(), "tha".into(), "zsm".into()],
        run,
        inputs: vec![
            InputFile {
                name: "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc".into(),
                bytes: 256_305,
                sha256: Some(
                    "627039a633e80b8a4b6b3e5f202bdca89ab776612b0cd270fc65240b5fd25bb8".into(),
                ),
                kind: COMMON_CRAWL.into(),
                crawl: Some("CC-MAIN-2014-35".into()),
                docs: 3,
                kept: 0,
            },
            InputFile {
                name:
                    "https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/segments/x|y.warc.gz"
                        .into(),
                bytes: 1_073_741_824,
                sha256: None,
                kind: COMMON_CRAWL.into(),
                crawl: Some("CC-MAIN-2024-10".into()),
                docs: 33_997,
                kept: 1_250,
            },
        ],
        models: vec![
            ModelFile {
                role: "langid".into(),
                name: "lid.176.ftz".into(),
                sha256: "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83".into(),
            },
            ModelFile {
                role: "tokenizer".into(),
                name: "tokenizer.json".into(),
                sha256: "c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78".into(),
            },
        ],
        tokenizer: Some("Llama 3 tokenizer, `llama3`".into()),
        langid: Some("fastText `lid.176.ftz` with seapile's SEA rules on top".into()),
        configs: vec![HubConfig {
            name: "default".into(),
            path: "data/*.parquet".into(),
            features: vec![
                Feature::Value {
                    name: "id".into(),
                    dtype: "string".into(),
                },
                Feature::Value {
                    name: "text".into(),
                    dtype: "string".into(),
                },
            ],
            rows: 1_250,
            num_bytes: 4_500_000,
            download_size: 1_200_000,
        }],
        schema: "seapile".into(),
        config_toml: CONFIG.into(),
        seapile_version: "0.1.0".into(),
        created: "2025-01-31".into(),
        decontam: None,
        figures: Vec::new(),
        report: None,
    }
}

/// The text between the opening and closing `---` lines.
fn front_matter(card: &str) -> &str {
    let rest = card.strip_prefix("---\n").expect("card starts with ---");
    let end = rest.find("\n---\n").expect("front matter is closed by ---");
    &rest[..end + 1]
}

#[test]
fn card_snapshot() {
    insta::assert_snapshot!(render(&fixture()));
}

/// A small structural check of the front matter without a YAML library: top-level keys in
/// order, each list item under its key, and the exact `configs` block.
#[test]
fn front_matter_has_hub_keys_in_block_style() {
    let card = render(&fixture());
    let fm = front_matter(&card);
    let mut keys = Vec::new();
    let mut items: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in fm.lines() {
        if let Some(item) = line.strip_prefix("- ") {
            items
                .entry(keys.last().copied().unwrap())
                .or_default()
                .push(item);
        } else if !line.starts_with(' ') {
            let (key, _) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("not a key: {line:?}"));
            keys.push(key);
        }
    }
    assert_eq!(
        keys,
        [
            "pretty_name",
            "license",
            "language",
            "multilinguality",
            "annotations_creators",
            "language_creators",
            "source_datasets",
            "task_categories",
            "task_ids",
            "size_categories",
            "tags",
            "configs",
            "dataset_info",
        ]
    );
    assert_eq!(items["language"], ["en", "ms", "my", "th"]);
    assert_eq!(items["size_categories"], ["\"1K<n<10K\""]);
    assert_eq!(items["tags"], ["seapile", "common-crawl", "southeast-asia"]);
    assert!(fm.contains(
        "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: \"data/*.parquet\"\n"
    ));
    assert!(
        fm.ends_with("  download_size: 1200000\n  dataset_size: 4500000\n"),
        "{fm}"
    );
    assert!(
        fm.contains("pretty_name: \"SEA web: \\\"sample\\\" | v1\"\n"),
        "{fm}"
    );
}

#[test]
fn pyyaml_reads_the_front_matter() {
    let card = render(&fixture());
    let y = python_yaml(front_matter(&card));
    assert_eq!(y["pretty_name"], "SEA web: \"sample\" | v1");
    assert_eq!(y["license"], "odc-by");
    assert_eq!(y["language"], serde_json::json!(["en", "ms", "my", "th"]));
    assert_eq!(y["task_categories"], serde_json::json!(["text-generation"]));
    assert_eq!(y["size_categories"], serde_json::json!(["1K<n<10K"]));
    assert_eq!(
        y["tags"],
        serde_json::json!(["seapile", "common-crawl", "southeast-asia"])
    );
    assert_eq!(
        y["configs"],
        serde_json::json!([{"config_name": "default", "data_files": [{"split": "train", "path": "data/*.parquet"}]}])
    );
}

#[test]
fn hostile_strings_stay_strings_in_yaml() {
    let mut card = fixture();
    card.pretty_name = Some("no".into());
    card.license = License::new("other: #1\n- injected: true", None, None);
    card.languages = vec!["nor".into(), "ceb".into(), "und".into()];
    card.configs[0].path = "*.jsonl".into();
    let rendered = render(&card);
    let y = python_yaml(front_matter(&rendered));
    assert_eq!(y["pretty_name"], "no", "must not become a boolean");
    assert_eq!(y["license"], "other: #1\n- injected: true");
    assert_eq!(y["language"], serde_json::json!(["ceb", "no"]));
    assert_eq!(y["configs"][0]["data_files"][0]["path"], "*.jsonl");
    assert!(
        rendered.contains("load_dataset(\"json\", data_files=\"*.jsonl\""),
        "{rendered}"
    );
}

#[test]
fn size_categories_follow_the_hub_buckets() {
    assert_eq!(size_category(999), "n<1K");
    assert_eq!(size_category(1_000), "1K<n<10K");
    assert_eq!(size_category(99_999), "10K<n<100K");
    assert_eq!(size_category(100_000), "100K<n<1M");
    let mut card = fixture();
    card.run.docs_out = 999;
    assert!(render(&card).contains("size_categories:\n- n<1K\n"));
}

#[test]
fn table_cells_escape_pipes_and_newlines() {
    let mut card = fixture();
    card.models[0].role = "lang|id\nrole".into();
    let rendered = render(&card);
    assert!(
        rendered.contains("| lang\\|id<br>role | `lid.176.ftz` |"),
        "{rendered}"
    );
    assert!(rendered.contains(
        "`https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/segments/x\\|y.warc.gz`"
    ));
    // Every table row has the same number of unescaped pipes as its header.
    for table in rendered.split("\n\n").filter(|b| b.starts_with('|')) {
        let counts: Vec<usize> = table
            .lines()
            .map(|l| l.replace("\\|", "").matches('|').count())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] == w[1]),
            "ragged table:\n{table}"
        );
    }
}
