//! `seapile mix write`: wiring, determinism of the shards for a seed, refusal of sources
//! that have no files.

use std::path::Path;

use docs_io::{open_sink, Format};

use crate::common::{run_ok, seapile, udhr};

/// `dir/<lang>.parquet`: one row per extracted UDHR paragraph, Llama 3 token counts.
pub(crate) fn corpus(dir: &Path) {
    let tokenizer = crate::common::asset("llama3/tokenizer.json");
    let counter = stages::tokens::TokenCounter::load(tokenizer).unwrap();
    for lang in ["ind", "eng"] {
        let html = std::fs::read_to_string(udhr(lang)).unwrap();
        let text = stages::extract::extract(&html).text;
        let path = dir.join(format!("{lang}.parquet"));
        let mut sink = open_sink(&path, Format::Parquet, false).unwrap();
        for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let mut doc = pipeline::Doc::from_text(format!("{lang}-{i}"), "udhr", line);
            doc.lang = Some(lang.into());
            doc.tokens = Some(counter.count(line));
            sink.write(&doc).unwrap();
        }
        sink.finish().unwrap();
    }
}

pub(crate) const CONFIG: &str = r#"
name = "cli mix"
budget = "12K"
[groups]
sea = 0.7
english = 0.3
[[source]]
name = "ind"
group = "sea"
lang = "ind"
files = ["ind.parquet"]
[[source]]
name = "eng"
group = "english"
lang = "eng"
files = ["eng.parquet"]
"#;

#[test]
fn mix_write_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let config = dir.path().join("mix.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let write = |out: &str, seed: &str| {
        let out = dir.path().join(out);
        run_ok(
            seapile()
                .args(["mix", "write"])
                .arg(&config)
                .arg("--output")
                .arg(&out)
                .args(["--seed", seed, "--shard-rows", "100"]),
        );
        let mut shards: Vec<_> = std::fs::read_dir(out.join("data"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        shards.sort();
        assert!(shards.len() >= 2, "{shards:?}");
        assert!(out.join("README.md").exists());
        shards
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect::<Vec<_>>()
    };
    let a = write("a", "7");
    assert_eq!(a, write("b", "7"));
    assert_ne!(a, write("c", "8"));
}

#[test]
fn mix_write_refuses_sources_with_only_declared_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("mixes/sea-lion-v3-cpt.toml");
    let out = seapile()
        .args(["mix", "write"])
        .arg(&config)
        .arg("--output")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SEA-LION-Pile v2 - Indonesian") && err.contains("no files"),
        "{err}"
    );
}
