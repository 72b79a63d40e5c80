//! The Hub's and FineWeb-2's dialect: cards that pass the Hub's dataset-card metadata spec
//! (`hub_card_spec.py`), outputs Hugging Face `datasets` loads per language config and as
//! `rejected`, and cards that say only what the run saw (snapshots over a Common Crawl WARC,
//! another WARC, and both).

use std::path::{Path, PathBuf};

use crate::common::*;

const SPEC: &str = include_str!("hub_card_spec.py");

/// The demo's two WARCs (built into the asset cache by `seapile demo`).
fn demo_inputs(tmp: &Path) -> (PathBuf, PathBuf) {
    run_ok(
        seapile()
            .args(["demo", "--threads", "1", "--output"])
            .arg(tmp.join("demo")),
    );
    let dir = cache().join("demo");
    (
        dir.join("CC-MAIN-20140820021334-00006.warc.gz"),
        dir.join("udhr-sea.warc.gz"),
    )
}

fn run(inputs: &[&Path], out: &Path, extra: &[&str]) {
    let mut c = seapile();
    c.args(["run", "--quiet", "--threads", "1", "--keep-rejected"]);
    for i in inputs {
        c.arg("--input").arg(i);
    }
    c.arg("--output").arg(out).args(extra);
    run_ok(&mut c);
}

fn spec_check(dir: &Path) -> serde_json::Value {
    let out = run_python(SPEC, &[dir.to_str().unwrap()]);
    serde_json::from_str(out.trim()).unwrap_or_else(|_| panic!("spec check: {out}"))
}

const LOAD: &str = r#"
import json, os, sys
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
import datasets
datasets.disable_progress_bars()
out = {}
for name in sys.argv[2:]:
    ds = datasets.load_dataset(sys.argv[1], name, split="train", cache_dir=sys.argv[1] + "/.hf")
    first = ds[0]
    out[name] = {"rows": len(ds), "columns": ds.column_names,
                 "language": first.get("language", first.get("lang")),
                 "reason": first.get("reason"),
                 "metadata": first.get("metadata")}
print(json.dumps(out, ensure_ascii=False))
"#;

#[test]
fn by_language_fineweb_output_loads_with_datasets_per_language_and_as_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let (cc, udhr) = demo_inputs(tmp.path());
    let out = tmp.path().join("fw");
    run(
        &[&cc, &udhr],
        &out,
        &["--layout", "by-language", "--schema", "fineweb"],
    );
    // FineWeb-2's layout: one folder per language and script.
    for dir in [
        "tha_Thai", "mya_Mymr", "ind_Latn", "khm_Khmr", "lao_Laoo", "tam_Taml",
    ] {
        assert!(out.join("data").join(dir).is_dir(), "data/{dir}");
    }
    let checked = spec_check(&out);
    let configs: Vec<String> = checked["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(configs.len(), 14, "13 languages + rejected: {configs:?}");
    assert_eq!(configs.last().map(String::as_str), Some("rejected"));
    let loaded = run_python(
        LOAD,
        &[out.to_str().unwrap(), "tha_Thai", "zsm_Latn", "rejected"],
    );
    let loaded: serde_json::Value = serde_json::from_str(loaded.trim()).unwrap();
    assert_eq!(loaded["tha_Thai"]["rows"], 1);
    assert_eq!(loaded["tha_Thai"]["language"], "tha");
    assert_eq!(loaded["zsm_Latn"]["language"], "zsm");
    let cols = loaded["tha_Thai"]["columns"].as_array().unwrap();
    for c in [
        "text",
        "id",
        "dump",
        "url",
        "date",
        "file_path",
        "language",
        "language_score",
    ] {
        assert!(cols.contains(&c.into()), "{c} in {cols:?}");
    }
    assert!(
        loaded["tha_Thai"]["metadata"]["token_count"]
            .as_u64()
            .unwrap()
            > 100,
        "metadata is a struct: {}",
        loaded["tha_Thai"]["metadata"]
    );
    assert_eq!(loaded["rejected"]["rows"], checked["rows"]["rejected"]);
    assert!(loaded["rejected"]["reason"].is_string());
}

#[test]
fn flat_output_card_passes_the_spec_and_loads_as_default() {
    let tmp = tempfile::tempdir().unwrap();
    let (cc, udhr) = demo_inputs(tmp.path());
    let out = tmp.path().join("flat");
    run(&[&cc, &udhr], &out, &[]);
    let checked = spec_check(&out);
    assert_eq!(
        checked["configs"],
        serde_json::json!(["default", "rejected"])
    );
    let loaded = run_python(LOAD, &[out.to_str().unwrap(), "default"]);
    let loaded: serde_json::Value = serde_json::from_str(loaded.trim()).unwrap();
    assert_eq!(loaded["default"]["rows"], 13);
    assert!(loaded["default"]["columns"]
        .as_array()
        .unwrap()
        .contains(&"lang_rule".into()));
}

#[test]
fn an_empty_run_says_so_and_writes_no_empty_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("empty");
    // The Common Crawl sample alone keeps no document (its pages are too short).
    run(&[&cc_warc()], &out, &[]);
    assert!(
        !out.join("data").exists() || std::fs::read_dir(out.join("data")).unwrap().count() == 0
    );
    assert!(!out.join(".tmp").exists());
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(!card.contains("\nlanguage:"), "no `language: []`");
    assert!(
        card.contains("pretty_name: \"Common Crawl web text (no documents kept)\""),
        "{card}"
    );
    assert!(card.contains("No documents were kept, so there is nothing to load."));
    spec_check(&out);
}

/// The card with what changes from run to run (date, version, timings) replaced.
fn normalised_card(out: &Path) -> String {
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    let date = regex::Regex::new(r"\d{4}-\d{2}-\d{2}").unwrap();
    let secs = regex::Regex::new(r"\| [0-9.]+ \|\n").unwrap();
    let summed =
        regex::Regex::new(r"\([0-9.]+ s summed over shards, [0-9.]+ s wall clock\)").unwrap();
    let card = card.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    let card = date.replace_all(&card, "DATE");
    let card = secs.replace_all(&card, "| S |\n");
    summed.replace_all(&card, "(S)").into_owned()
}

#[test]
fn cards_say_only_what_the_run_saw() {
    let tmp = tempfile::tempdir().unwrap();
    let (cc, udhr) = demo_inputs(tmp.path());
    for (name, inputs) in [
        ("common_crawl_warc", vec![cc.as_path()]),
        ("other_warc", vec![udhr.as_path()]),
        ("both", vec![cc.as_path(), udhr.as_path()]),
    ] {
        let out = tmp.path().join(name);
        run(&inputs, &out, &[]);
        let card = normalised_card(&out);
        assert!(
            !card.contains(tmp.path().to_str().unwrap()),
            "no local path"
        );
        assert!(
            !card.contains("/root/") && !card.contains("/home/"),
            "no local path"
        );
        assert!(
            !card.contains("github.com/seapile"),
            "no link to what does not exist"
        );
        insta::assert_snapshot!(format!("card_{name}"), card);
    }
}
