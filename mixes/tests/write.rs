//! `mix write` over real text: UDHR paragraphs in five languages, token-counted with the
//! Llama 3 tokenizer and written as pipeline Parquet, then mixed, shuffled and read back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docs_io::{open_sink, Format};
use mixes::write::{EPOCH_KEY, SOURCE_KEY};
use mixes::{MixConfig, WriteOptions, WriteSummary};
use pipeline::Doc;
use stages::tokens::TokenCounter;

const LANGS: [(&str, &str); 5] = [
    ("ind", "ind"),
    ("tha", "tha"),
    ("vie", "vie"),
    ("eng", "eng"),
    ("tgl", "tgl"),
];

/// One document per non-empty extracted paragraph of each UDHR page, in `dir/<lang>.parquet`.
fn build_corpus(dir: &Path) {
    let counter = TokenCounter::load(testkit::expect_cached("llama3/tokenizer.json")).unwrap();
    for (lang, stem) in LANGS {
        let html = std::fs::read_to_string(testkit::expect_udhr(stem)).unwrap();
        let text = stages::extract::extract(&html).text;
        let path = dir.join(format!("{lang}.parquet"));
        let mut sink = open_sink(&path, Format::Parquet, false).unwrap();
        let lines = text.lines().filter(|l| !l.trim().is_empty());
        for (i, line) in lines.enumerate() {
            let mut doc = Doc::from_text(format!("{lang}-{i}"), "udhr", line);
            doc.lang = Some(lang.to_string());
            doc.tokens = Some(counter.count(line));
            sink.write(&doc).unwrap();
        }
        sink.finish().unwrap();
    }
}

const CONFIG: &str = r#"
name = "UDHR test mix"
tokenizer = "meta-llama/Meta-Llama-3-8B"
budget = "BUDGET"
max_epochs = 4

[groups]
sea = 0.55
english = 0.25
other = 0.20

[[source]]
name = "udhr-ind"
group = "sea"
lang = "ind"
files = ["corpus/ind.parquet"]

[[source]]
name = "udhr-tha"
group = "sea"
lang = "tha"
files = ["corpus/tha.parquet"]
weight = 2

[[source]]
name = "udhr-vie"
group = "sea"
lang = "vie"
files = ["corpus/vie.parquet"]

[[source]]
name = "udhr-eng"
group = "english"
lang = "eng"
files = ["corpus/eng.parquet"]

[[source]]
name = "udhr-tgl"
group = "other"
lang = "tgl"
files = ["corpus/*.parquet"]
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    config: MixConfig,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    build_corpus(&root.join("corpus"));
    let config = MixConfig::parse(&CONFIG.replace("BUDGET", "30K"), "test").unwrap();
    Fixture {
        _dir: dir,
        root,
        config,
    }
}

fn write(f: &Fixture, out: &str, seed: u64) -> (PathBuf, WriteSummary) {
    let unique = mixes::count::unique_tokens(&f.config, &f.root, None).unwrap();
    let plan = mixes::plan(&f.config, &unique).unwrap();
    let options = WriteOptions {
        seed,
        shard_rows: 150,
        run_bytes: 16 << 10,
    };
    let out = f.root.join(out);
    let summary = mixes::write_mix(&f.config, &f.root, &plan, &out, &options).unwrap();
    (out, summary)
}

/// Every written row, shard by shard in order.
fn read_back(out: &Path, summary: &WriteSummary) -> Vec<Doc> {
    let mut docs = Vec::new();
    for shard in &summary.shards {
        docs_io::for_each_doc(&out.join(shard), |d| {
            docs.push(d);
            Ok::<_, docs_io::IoError>(())
        })
        .unwrap();
    }
    docs
}

fn order(docs: &[Doc]) -> Vec<(String, String)> {
    docs.iter()
        .map(|d| (d.id.clone(), d.meta[EPOCH_KEY].clone()))
        .collect()
}

#[test]
fn written_mix_meets_the_plan_is_seeded_and_has_a_card() {
    let f = fixture();
    let (out, summary) = write(&f, "mix-a", 1);
    let docs = read_back(&out, &summary);

    // Every row written is in the shards, with its source's tokens.
    assert_eq!(docs.len() as u64, summary.rows);
    assert!(summary.shards.len() >= 3, "{:?}", summary.shards);
    let mut tokens_by_source: BTreeMap<String, u64> = BTreeMap::new();
    for d in &docs {
        *tokens_by_source
            .entry(d.meta[SOURCE_KEY].clone())
            .or_default() += u64::from(d.tokens.unwrap());
    }
    for s in &summary.sources {
        assert_eq!(tokens_by_source[&s.name], s.tokens, "{}", s.name);
        // Whole epochs exact, the fractional part sampled: within 10% of the plan.
        let ratio = s.tokens as f64 / s.planned_tokens as f64;
        assert!((0.9..1.1).contains(&ratio), "{}: {ratio}", s.name);
        assert!(s.tokens >= s.unique_tokens * (s.tokens / s.unique_tokens.max(1)));
    }
    // The source restricted to `tgl` read only Tagalog rows out of all five files.
    let tgl = &summary.sources[4];
    assert!(docs
        .iter()
        .filter(|d| d.meta[SOURCE_KEY] == tgl.name)
        .all(|d| d.lang.as_deref() == Some("tgl")));

    // Shuffled across sources: the first shard mixes all five.
    let first: std::collections::BTreeSet<&str> = docs[..150]
        .iter()
        .map(|d| d.meta[SOURCE_KEY].as_str())
        .collect();
    assert_eq!(first.len(), 5, "{first:?}");

    // Same seed, same rows in the same order; another seed differs.
    let (out_b, summary_b) = write(&f, "mix-b", 1);
    assert_eq!(order(&docs), order(&read_back(&out_b, &summary_b)));
    let (out_c, summary_c) = write(&f, "mix-c", 2);
    assert_ne!(order(&docs), order(&read_back(&out_c, &summary_c)));
    assert!(!out.join(".tmp-mix").exists());

    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    for key in [
        "pretty_name: ",
        "license: ",
        "language:\n- en\n- id\n- th\n- tl\n- vi\n",
        "size_categories:\n- ",
        "task_categories:\n- text-generation",
        "configs:\n- config_name: default\n  data_files:",
        "path: data/train-*.parquet",
        "| udhr-tha | sea | tha |",
        "## Shares by group",
        "| sea | 55.00% |",
    ] {
        assert!(card.contains(key), "card lacks {key:?}:\n{card}");
    }
}

#[test]
fn a_source_without_files_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
        name = "m"
        budget = "10B"
        [groups]
        sea = 1.0
        [[source]]
        name = "sea-lion-pile"
        group = "sea"
        unique_tokens = "20B"
    "#;
    let config = MixConfig::parse(text, "m.toml").unwrap();
    let plan = mixes::plan(&config, &[20_000_000_000]).unwrap();
    let e = mixes::write_mix(
        &config,
        dir.path(),
        &plan,
        dir.path(),
        &WriteOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("sea-lion-pile") && e.contains("no files"), "{e}");
}

#[test]
fn a_mix_naming_gemma3_counts_and_writes_gemma3_tokens() {
    let f = fixture();
    let text = CONFIG.replace("BUDGET", "30K").replace(
        "tokenizer = \"meta-llama/Meta-Llama-3-8B\"",
        "tokenizer = \"gemma3\"",
    );
    let path = f.root.join("gemma.toml");
    std::fs::write(&path, text).unwrap();
    let mix = mixes::LoadedMix::load(&path, &testkit::assets()).unwrap();
    let counter = mix.counter.as_ref().expect("gemma3 is a known tokenizer");
    assert_eq!(counter.engine().name(), "fast-spm-bpe");
    let plan = mix.plan().unwrap();
    assert_eq!(plan.counted_with.as_deref(), Some("fast-spm-bpe"));
    // The Thai source's unique tokens are the Gemma 3 counts of its rows, not the Llama 3
    // counts in the files' `tokens` column.
    let reference =
        TokenCounter::load_reference(testkit::expect_cached("tokenizers/gemma3/tokenizer.json"))
            .unwrap();
    let mut gemma = 0u64;
    let mut llama = 0u64;
    docs_io::for_each_doc(&f.root.join("corpus/tha.parquet"), |d| {
        gemma += u64::from(reference.count(&d.text));
        llama += u64::from(d.tokens.unwrap());
        Ok::<_, docs_io::IoError>(())
    })
    .unwrap();
    let tha = plan.sources.iter().find(|s| s.name == "udhr-tha").unwrap();
    assert_eq!(tha.unique_tokens, gemma);
    assert_ne!(gemma, llama);
    let out = f.root.join("mix-gemma");
    let options = WriteOptions {
        seed: 2,
        shard_rows: 150,
        run_bytes: 16 << 10,
    };
    let summary = mixes::write_mix_counted(
        &mix.config,
        &mix.base,
        &plan,
        &out,
        &options,
        mix.counter.as_ref(),
    )
    .unwrap();
    for d in read_back(&out, &summary) {
        assert_eq!(d.tokens, Some(reference.count(&d.text)), "{}", d.id);
    }
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(card.contains("(gemma3)"), "{card}");
    let report = mixes::report::text(&plan);
    assert!(
        report.contains("tokenizer: gemma3 (files counted with it: fast-spm-bpe)"),
        "{report}"
    );
}

#[test]
fn a_mix_with_a_decontamination_index_drops_the_benchmark_rows_and_says_so() {
    let f = fixture();
    // The benchmark: five Thai and three Vietnamese UDHR paragraphs, as the corpus has them.
    let text_of = |stem: &str| {
        let html = std::fs::read_to_string(testkit::expect_udhr(stem)).unwrap();
        stages::extract::extract(&html).text
    };
    let long = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.chars().count() > 150)
            .map(String::from)
            .collect()
    };
    let (tha, vie) = (long(&text_of("tha")), long(&text_of("vie")));
    let items: Vec<&String> = tha[..5].iter().chain(&vie[..3]).collect();
    let bench = f.root.join("bench.jsonl");
    let lines: String = items
        .iter()
        .map(|t| format!("{}\n", serde_json::json!({ "question": t })))
        .collect();
    std::fs::write(&bench, lines).unwrap();
    decontam::Index::build(
        std::slice::from_ref(&bench),
        &decontam::IndexParams::default(),
    )
    .unwrap()
    .write(&f.root.join("bench.idx"))
    .unwrap();
    let text = format!(
        "{}\n[decontam]\nindex = \"bench.idx\"\n",
        CONFIG.replace("BUDGET", "30K")
    );
    let config = MixConfig::parse(&text, "decontam mix").unwrap();
    let f = Fixture { config, ..f };
    let (out, summary) = write(&f, "mix-clean", 1);
    let docs = read_back(&out, &summary);
    assert!(docs.iter().all(|d| !items.contains(&&d.text)));
    let section = summary
        .decontam
        .as_ref()
        .expect("a decontamination section");
    // Each item is one row of its source (the Tagalog source reads every file but keeps
    // only `tgl` rows, so it adds none).
    assert_eq!(section.docs_contaminated, 8);
    assert_eq!(section.docs_dropped, 8);
    assert_eq!(section.benchmarks[0].items_found, 8);
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    let sha = docs_io::sha256_file(&bench).unwrap();
    assert!(card.contains("## Decontamination"), "{card}");
    assert!(
        card.contains(&format!("| `bench.jsonl` | `{sha}` | 8 | 8 | 8 | 8 |")),
        "{card}"
    );
}
