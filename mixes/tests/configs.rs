//! Every shipped mix config parses and plans; the v2 table's totals are reproduced and the
//! report (snapshot) shows the correct percentages next to the published ones.

use std::path::{Path, PathBuf};

use mixes::{count, plan, report, MixConfig};

fn mixes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn planned(file: &str) -> mixes::Plan {
    let path = mixes_dir().join(file);
    let config = MixConfig::load(&path).unwrap();
    let unique = count::unique_tokens(&config, &mixes_dir(), None).unwrap();
    plan(&config, &unique).unwrap()
}

#[test]
fn every_file_in_mixes_parses_and_plans() {
    let mut files = 0;
    for entry in std::fs::read_dir(mixes_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") && !path.ends_with("Cargo.toml") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let p = planned(&name);
            let sum: f64 = p.sources.iter().map(|s| s.share).sum();
            assert!((sum - 1.0).abs() < 1e-9, "{name}: shares sum to {sum}");
            files += 1;
        }
    }
    assert!(files >= 2, "{files} mix configs");
}

#[test]
fn v2_reproduces_the_48b_table() {
    let p = planned("sea-lion-v2.toml");
    assert_eq!(p.sources.len(), 15);
    assert_eq!(p.total_tokens, 47_999_000_000);
    let row = |name: &str| p.sources.iter().find(|s| s.name == name).unwrap();
    assert_eq!(
        row("SEA-LION Pile - Indonesian").total_tokens,
        6_800_000_000
    );
    assert_eq!(row("Wiki* + News - Tamil").multiplier, 4.0);
    assert_eq!(row("Wiki* - Vietnamese").total_tokens, 1_240_000_000);
    let group = |g: &str| p.groups.iter().find(|s| s.name == g).unwrap().total_tokens;
    assert_eq!(
        (group("sea"), group("english"), group("code")),
        (32_000_000_000, 11_577_000_000, 4_422_000_000)
    );
    // The published column is right for RefinedWeb and the SEA rows, shifted for C4..StarCoder.
    let c4 = row("Dolma C4 - English");
    assert!((c4.share * 100.0 - 2.42).abs() < 0.01, "{}", c4.share);
    assert_eq!(c4.published_percent, Some(9.21));
    let starcoder = row("Dolma StarCoder");
    assert!((starcoder.share * 100.0 - 9.21).abs() < 0.01);
}

#[test]
fn v2_report_snapshot() {
    insta::assert_snapshot!(report::text(&planned("sea-lion-v2.toml")));
}

#[test]
fn v3_meets_55_25_20_of_200b_within_max_epochs() {
    let p = planned("sea-lion-v3-cpt.toml");
    assert_eq!(p.budget, Some(200_000_000_000));
    for g in &p.groups {
        let target = g.target.unwrap();
        assert!(
            (g.achieved - target).abs() < 1e-6,
            "{}: {}",
            g.name,
            g.achieved
        );
    }
    assert!((p.total_tokens as f64 - 200e9).abs() < 100.0);
    for s in &p.sources {
        assert!(s.multiplier <= s.max_epochs + 1e-9, "{}", s.name);
    }
    let json = report::json(&p);
    let first = &json["sources"][0];
    for key in [
        "name",
        "group",
        "lang",
        "unique_tokens",
        "multiplier",
        "total_tokens",
        "share",
    ] {
        assert!(!first[key].is_null(), "{key} missing in {first}");
    }
}

#[test]
fn impossible_plan_names_the_source_and_numbers() {
    let text = r#"
        name = "too little code"
        budget = "200B"
        [groups]
        sea = 0.8
        code = 0.2
        [[source]]
        name = "sea"
        group = "sea"
        unique_tokens = "400B"
        [[source]]
        name = "code"
        group = "code"
        unique_tokens = "10B"
        max_epochs = 2
    "#;
    let config = MixConfig::parse(text, "t.toml").unwrap();
    let e = plan(&config, &[400_000_000_000, 10_000_000_000])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "code: 10.0B unique tokens, 20% of 200B needs 4.0 epochs > max 2"
    );
}

#[test]
fn unique_tokens_are_summed_from_jsonl_and_parquet_files() {
    use arrow_array::{Int32Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.jsonl"),
        "{\"tokens\": 5, \"lang\": \"ind\"}\n{\"tokens\": 7, \"lang\": \"vie\"}\n",
    )
    .unwrap();
    let batch = RecordBatch::try_from_iter([
        (
            "lang",
            Arc::new(StringArray::from(vec!["ind", "ind", "tha"])) as _,
        ),
        ("tokens", Arc::new(Int32Array::from(vec![10, 20, 40])) as _),
    ])
    .unwrap();
    let file = std::fs::File::create(dir.path().join("b.parquet")).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let text = r#"
        name = "files"
        [[source]]
        name = "ind"
        group = "sea"
        lang = "ind"
        files = ["*.jsonl", "*.parquet"]
        epochs = 1
        [[source]]
        name = "all"
        group = "sea"
        files = ["b.parquet"]
        epochs = 2
    "#;
    let config = MixConfig::parse(text, "t.toml").unwrap();
    assert_eq!(
        count::unique_tokens(&config, dir.path(), None).unwrap(),
        [35, 70]
    );
    let missing = MixConfig::parse(&text.replace("b.parquet\"]", "none.parquet\"]"), "t").unwrap();
    let e = count::unique_tokens(&missing, dir.path(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"all\"") && e.contains("none.parquet"), "{e}");
}

/// Each row's share within the table's rounding (0.01 point) of its published percentage,
/// every group at its target, the whole at the budget.
fn assert_reproduces(p: &mixes::Plan, total: u64) {
    assert!(
        (p.total_tokens as f64 - total as f64).abs() < 1e3,
        "{}",
        p.total_tokens
    );
    for g in &p.groups {
        let target = g.target.unwrap();
        assert!(
            (g.achieved - target).abs() < 1e-9,
            "{}: {}",
            g.name,
            g.achieved
        );
    }
    let mut rows = 0;
    for s in &p.sources {
        if let Some(published) = s.published_percent {
            assert!(
                (s.share * 100.0 - published).abs() <= 0.005 + 1e-9,
                "{}: {:.4}% vs published {published}%",
                s.name,
                s.share * 100.0
            );
            rows += 1;
        }
        assert!(s.multiplier <= s.max_epochs, "{}", s.name);
    }
    assert!(rows >= 19, "{rows} published rows");
}

#[test]
fn v3_8b_reproduces_the_published_200b_table() {
    let p = planned("sea-lion-v3-8b.toml");
    assert_reproduces(&p, 200_000_000_000);
    let share = |g: &str| p.groups.iter().find(|s| s.name == g).unwrap().achieved;
    let want = [
        ("code", 0.20),
        ("english", 0.25),
        ("chinese", 0.13),
        ("vietnamese", 0.13),
        ("indonesian", 0.13),
        ("thai", 0.10),
        ("filipino-malay-tamil", 0.03),
        ("khmer-lao-burmese", 0.03),
    ];
    for (g, s) in want {
        assert!((share(g) - s).abs() < 1e-9, "{g}");
    }
    assert_eq!(p.tokenizer.as_deref(), Some("llama3.1"));
}

#[test]
fn v4_27b_reproduces_the_published_500b_table() {
    let p = planned("sea-lion-v4-27b.toml");
    assert_reproduces(&p, 500_000_000_000);
    let zho: u64 = p
        .sources
        .iter()
        .filter(|s| s.lang == "zho")
        .map(|s| s.total_tokens)
        .sum();
    assert!(
        (zho as f64 - 45e9).abs() < 1e3,
        "Chinese is 9% of 500B: {zho}"
    );
    assert_eq!(p.tokenizer.as_deref(), Some("gemma3"));
}

#[test]
fn shipped_mixes_are_the_files_and_compare_side_by_side() {
    for (name, file, _) in mixes::SHIPPED {
        let shipped = mixes::shipped(name).unwrap().unwrap();
        let on_disk = MixConfig::load(&mixes_dir().join(file)).unwrap();
        assert_eq!(shipped.name, on_disk.name, "{name}");
    }
    let text = report::compare(
        &planned("sea-lion-v3-8b.toml"),
        &planned("sea-lion-v4-27b.toml"),
    );
    let line = |g: &str| text.lines().find(|l| l.starts_with(g)).unwrap().to_string();
    assert!(line("english").contains("25.00%") && line("english").contains("40.00%"));
    assert!(line("english").ends_with("+15.00pp"), "{text}");
    assert!(line("SEA total").contains("55.00%") && line("SEA total").contains("50.00%"));
    assert!(line("khmer-lao-burmese").contains(" - "), "{text}");
}
