//! Decontamination over real text: UDHR articles in every SEA script (from the asset cache)
//! are the benchmark items; they are planted, with the edits a web copy has, into real
//! documents (other articles of the same pages) and must be found, while the unplanted
//! documents must not be flagged.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use decontam::{Action, Index, IndexParams, Rules, Scanner, Verdict};
use serde_json::json;
use testkit::udhr_paragraphs;

/// The UDHR pages of the 13 SEA-LION languages (scripts: Latin, Thai, Lao, Khmer, Burmese,
/// Tamil, Chinese).
const PAGES: [&str; 13] = [
    "ind", "mly_latn", "tgl", "vie", "jav", "sun", "eng", "tha", "lao", "khm", "mya", "tam",
    "cmn_hans",
];

/// The paragraphs of the first 30 of a page long enough to be items (Chinese writes in
/// fewer characters); the documents are built from paragraphs 30 and later.
fn long_paras(stem: &str) -> Vec<String> {
    let min = if stem == "cmn_hans" { 40 } else { 120 };
    udhr_paragraphs(stem)
        .into_iter()
        .take(30)
        .filter(|p| p.chars().count() >= min)
        .collect()
}

/// Record `k` of a page: a question and two options, three long paragraphs.
fn item(stem: &str, k: usize) -> (String, String, String) {
    let p = long_paras(stem);
    (p[3 * k].clone(), p[3 * k + 1].clone(), p[3 * k + 2].clone())
}

fn write_jsonl(path: &Path, records: &[serde_json::Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// One benchmark file per page: a record per item paragraph (`question`) with two options
/// (the next paragraphs), and a prompt template shared by every record.
fn benchmark(dir: &Path) -> Vec<PathBuf> {
    PAGES
        .iter()
        .map(|stem| {
            let records: Vec<_> = (0..3)
                .map(|k| {
                    let (q, a, b) = item(stem, k);
                    json!({
                        "id": format!("{stem}-{k}"),
                        "prompts": [{"question": q, "option_a": a, "option_b": b}],
                        "label": "A",
                        "template": "Answer the following question about human rights with the letter of the right option only.",
                    })
                })
                .collect();
            let path = dir.join(format!("{stem}.jsonl"));
            write_jsonl(&path, &records);
            path
        })
        .collect()
}

/// The page the templated records take their passages from (no other test plants or hosts it).
const TEMPLATE_PAGE: &str = "fra";

/// Twelve records share `instruction`, so it is a template; every passage is unique.
fn with_template_records(dir: &Path) -> PathBuf {
    let p = udhr_paragraphs(TEMPLATE_PAGE);
    let records: Vec<_> = (0..12)
        .map(|i| {
            json!({"id": i, "instruction": "Read the passage and answer the question that follows it with one of the letters A, B, C or D.", "passage": p[40 + i]})
        })
        .collect();
    let path = dir.join("templated.jsonl");
    write_jsonl(&path, &records);
    path
}

fn index(paths: &[PathBuf]) -> Arc<Index> {
    Arc::new(Index::build(paths, &IndexParams::default()).unwrap())
}

fn host(stem: &str) -> String {
    udhr_paragraphs(stem)[30..].join("\n")
}

fn plant(host: &str, copy: &str) -> String {
    let lines: Vec<&str> = host.lines().collect();
    let at = lines.len() / 2;
    let mut out: Vec<&str> = lines[..at].to_vec();
    out.push(copy);
    out.extend_from_slice(&lines[at..]);
    out.join("\n")
}

fn fullwidth(t: &str) -> String {
    t.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
            _ => c,
        })
        .collect()
}

fn no_punctuation(t: &str) -> String {
    t.chars()
        .filter(|c| {
            !matches!(
                c,
                '.' | ','
                    | ';'
                    | ':'
                    | '!'
                    | '?'
                    | '('
                    | ')'
                    | '"'
                    | '，'
                    | '。'
                    | '；'
                    | '、'
                    | '។'
                    | '៖'
                    | '။'
                    | '၊'
            )
        })
        .collect()
}

/// The edits a web copy has, each as a function of (question, option a, option b).
fn copies(stem: &str, q: &str, a: &str, b: &str) -> Vec<(&'static str, String)> {
    let full = format!("{q}\nA. {a}\nB. {b}");
    let mut v = vec![
        ("verbatim", full.clone()),
        ("case", full.to_uppercase()),
        ("spacing", full.replace('\n', "   ").replace(' ', "\u{A0} ")),
        ("punctuation", no_punctuation(&full)),
        ("fullwidth", fullwidth(&full)),
        ("question_only", q.to_string()),
        ("reordered", format!("{q}\nA. {b}\nB. {a}")),
        ("line_missing", format!("{q}\nB. {b}")),
    ];
    if stem == "mya" {
        v.push(("zawgyi", langid::zawgyi::unicode_to_zawgyi(&full)));
    }
    if matches!(stem, "tha" | "lao" | "khm" | "mya" | "cmn_hans") {
        // Spaces removed where the script needs none.
        v.push(("no_spaces", full.replace(' ', "")));
    }
    v
}

#[test]
fn planted_items_are_found_in_every_sea_script_with_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let files = benchmark(dir.path());
    let index = index(&files);
    let mut scanner = Scanner::new(Arc::clone(&index), Rules::default());
    let mut missed = Vec::new();
    for (b, stem) in PAGES.iter().enumerate() {
        let host = host(stem);
        for record in 0..3 {
            let (q, a, b_opt) = item(stem, record);
            for (edit, copy) in copies(stem, &q, &a, &b_opt) {
                let finding = scanner.find(&plant(&host, &copy));
                let right = finding.entries.iter().any(|&(e, _)| {
                    let e = &index.entries[e as usize];
                    e.benchmark == b as u32 && e.record == record as u64
                });
                if !right {
                    missed.push(format!("{stem} #{record} {edit}"));
                }
            }
        }
    }
    assert!(missed.is_empty(), "not found: {missed:?}");
}

#[test]
fn real_documents_without_items_are_not_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = benchmark(dir.path());
    files.push(with_template_records(dir.path()));
    let index = index(&files);
    let mut scanner = Scanner::new(Arc::clone(&index), Rules::default());
    for stem in PAGES {
        let finding = scanner.find(&host(stem));
        assert_eq!(finding.ngrams, 0, "{stem}: {finding:?}");
    }
    // The other UDHR pages: those in other languages are clean. Other versions of the item
    // pages' languages (`tam_LK`, `tha2`, ...) and the pages that reuse their sentences
    // (the Chinese varieties written with the Mandarin text, Papuan Malay) may be flagged,
    // but only for text that really is an item's, letter for letter.
    // A record's fields in any order (n-grams run across them).
    let items: Vec<String> = PAGES
        .iter()
        .flat_map(|stem| (0..3).map(|k| item(stem, k)))
        .flat_map(|(q, a, b)| {
            [
                [&q, &a, &b],
                [&a, &b, &q],
                [&b, &q, &a],
                [&q, &b, &a],
                [&b, &a, &q],
                [&a, &q, &b],
            ]
            .map(|[x, y, z]| letters(&format!("{x}{y}{z}")))
        })
        .collect();
    let mut flagged = Vec::new();
    let pages = testkit::cache_dir().join("udhr/declaration");
    let mut n = 0;
    for entry in std::fs::read_dir(pages).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if PAGES.contains(&stem.as_str())
            || stem == TEMPLATE_PAGE
            || path.extension().is_none_or(|e| e != "html")
        {
            continue;
        }
        n += 1;
        let text = strip_tags(&std::fs::read_to_string(&path).unwrap());
        let matched = scanner.matched_text(&text);
        for (_, m) in &matched {
            assert!(
                items.iter().any(|i| i.contains(&letters(m))),
                "{stem}: {m:?} is no item's text"
            );
        }
        let related = PAGES.iter().any(|p| stem.get(..3) == p.get(..3))
            || segment::dominant_script(&text) == segment::Script::Han
            // Papuan Malay, whose preamble is the Indonesian one.
            || stem == "046";
        if !matched.is_empty() {
            assert!(related, "{stem} is flagged: {matched:?}");
            flagged.push(stem);
        }
    }
    assert!(n > 400, "{n} pages");
    // tha2, tam_LK, the Chinese varieties, Papuan Malay: 15 today.
    assert!(flagged.len() <= 16, "flagged: {flagged:?}");
}

/// The text of an HTML page, each tag a line break.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push('\n');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Letters and digits only, lower case: what survives any re-spacing or re-punctuation.
fn letters(t: &str) -> String {
    t.chars()
        .filter(|c| c.is_alphanumeric() || segment::script_of(*c).is_some())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn a_template_repeated_across_records_is_not_an_item() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_template_records(dir.path());
    let index = index(&[path]);
    assert_eq!(index.benchmarks[0].template_fields, 12);
    assert_eq!(index.benchmarks[0].items, 12);
    let mut scanner = Scanner::new(Arc::clone(&index), Rules::default());
    let host = host("eng");
    let template = "Read the passage and answer the question that follows it with one of the letters A, B, C or D.";
    assert_eq!(scanner.find(&plant(&host, template)).ngrams, 0);
    let p = udhr_paragraphs(TEMPLATE_PAGE);
    assert!(scanner.find(&plant(&host, &p[45])).ngrams > 0);
}

#[test]
fn a_short_item_is_one_ngram_of_itself_and_a_shorter_one_is_no_item() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.jsonl");
    // 9 words (between min_words 8 and ngram 13) and 5 words.
    write_jsonl(
        &path,
        &[
            json!({"q": "Setiap orang berhak atas kebebasan berpikir, berkeyakinan dan beragama."}),
            json!({"q": "Semua orang sama di depan"}),
        ],
    );
    let index = index(&[path]);
    assert_eq!(index.len(), 1);
    let mut scanner = Scanner::new(Arc::clone(&index), Rules::default());
    let host = host("ind");
    let whole = "SETIAP orang berhak atas kebebasan berpikir berkeyakinan, dan beragama!";
    assert_eq!(scanner.find(&plant(&host, whole)).ngrams, 1);
    let missing_word = "Setiap orang berhak atas kebebasan berpikir, berkeyakinan beragama.";
    assert_eq!(scanner.find(&plant(&host, missing_word)).ngrams, 0);
    assert_eq!(
        scanner
            .find(&plant(&host, "Semua orang sama di depan"))
            .ngrams,
        0
    );
}

#[test]
fn every_input_format_gives_the_same_index() {
    let dir = tempfile::tempdir().unwrap();
    let p = udhr_paragraphs("tha");
    let items: Vec<&str> = vec![&p[1], &p[4], &p[9]];
    let jsonl = dir.path().join("b.jsonl");
    write_jsonl(
        &jsonl,
        &items
            .iter()
            .map(|t| json!({"question": t}))
            .collect::<Vec<_>>(),
    );
    let json_file = dir.path().join("b.json");
    std::fs::write(
        &json_file,
        json!({"version": "1", "data": items.iter().map(|t| json!({"question": t})).collect::<Vec<_>>()}).to_string(),
    )
    .unwrap();
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let csv = dir.path().join("b.csv");
    std::fs::write(
        &csv,
        format!(
            "question,n\n{}",
            items
                .iter()
                .map(|t| format!("{},1\n", quote(t)))
                .collect::<String>()
        ),
    )
    .unwrap();
    let tsv = dir.path().join("b.tsv");
    std::fs::write(
        &tsv,
        format!(
            "n\tquestion\n{}",
            items
                .iter()
                .map(|t| format!("1\t{t}\n"))
                .collect::<String>()
        ),
    )
    .unwrap();
    let txt = dir.path().join("b.txt");
    std::fs::write(&txt, items.join("\n\n")).unwrap();
    let gz = dir.path().join("c.jsonl.gz");
    {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        e.write_all(&std::fs::read(&jsonl).unwrap()).unwrap();
        e.finish().unwrap();
    }
    let parquet = dir.path().join("b.parquet");
    let mut sink = docs_io::open_sink(&parquet, docs_io::Format::Parquet, false).unwrap();
    for (i, t) in items.iter().enumerate() {
        sink.write(&pipeline::Doc::from_text(i.to_string(), "udhr", *t))
            .unwrap();
    }
    sink.finish().unwrap();

    let reference = Index::build(std::slice::from_ref(&jsonl), &IndexParams::default()).unwrap();
    assert_eq!(reference.benchmarks[0].items, 3);
    for path in [json_file, csv, tsv, txt, gz, parquet] {
        let params = IndexParams {
            fields: vec!["question".into(), "text".into()],
            ..IndexParams::default()
        };
        let index = Index::build(std::slice::from_ref(&path), &params).unwrap();
        assert_eq!(index.len(), reference.len(), "{}", path.display());
        assert_eq!(index.benchmarks[0].items, 3, "{}", path.display());
        assert_eq!(
            index.benchmarks[0].sha256,
            docs_io::sha256_file(&path).unwrap()
        );
    }
}

#[test]
fn cut_removes_the_item_and_its_margin_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let files = benchmark(dir.path());
    let index = index(&files);
    let (item_text, _, _) = item("vie", 1);
    let host = host("vie");
    let doc = plant(&host, &item_text);
    let rules = Rules {
        action: Action::Cut,
        margin_chars: 20,
        min_piece_chars: 50,
        ..Rules::default()
    };
    let mut scanner = Scanner::new(Arc::clone(&index), rules.clone());
    match scanner.check(&doc) {
        Verdict::Cut {
            text,
            cuts,
            chars_removed,
            ..
        } => {
            assert_eq!(cuts, 1);
            let inner: String = item_text.chars().skip(10).take(50).collect();
            assert!(!text.contains(&inner), "item still there");
            let before = doc.chars().count();
            assert_eq!(before - text.chars().count(), chars_removed);
            // The item and at most 2 x 20 characters of margin (+ the joining newline).
            let item = item_text.chars().count();
            assert!(
                chars_removed >= item && chars_removed <= item + 41,
                "{chars_removed} vs {item}"
            );
            assert_eq!(scanner.find(&text).ngrams, 0);
        }
        other => panic!("expected a cut, got {other:?}"),
    }
    // Eleven separate copies: more than max_cuts (10) → dropped.
    let lines: Vec<String> = host.lines().map(String::from).collect();
    let mut many = Vec::new();
    for (i, l) in lines.iter().enumerate().take(11) {
        many.push(l.clone());
        many.push(item("vie", i % 3).0);
    }
    match scanner.check(&many.join("\n")) {
        Verdict::Drop { reason, .. } => assert_eq!(reason, decontam::reason::TOO_MANY_CUTS),
        other => panic!("expected a drop, got {other:?}"),
    }
    // Nothing but the item: nothing left.
    match scanner.check(&item_text) {
        Verdict::Drop { reason, .. } => assert_eq!(reason, decontam::reason::NOTHING_LEFT),
        other => panic!("expected a drop, got {other:?}"),
    }
    let mut dropper = Scanner::new(index, Rules::default());
    match dropper.check(&doc) {
        Verdict::Drop { reason, chars, .. } => {
            assert_eq!(reason, decontam::reason::CONTAMINATED);
            assert_eq!(chars, doc.chars().count());
        }
        other => panic!("expected a drop, got {other:?}"),
    }
}

#[test]
fn an_index_file_round_trips_and_bad_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let files = benchmark(dir.path());
    let built = Index::build(&files, &IndexParams::default()).unwrap();
    let path = dir.path().join("x.idx");
    built.write(&path).unwrap();
    let loaded = Index::load(&path).unwrap();
    assert_eq!(loaded.len(), built.len());
    assert_eq!(loaded.benchmarks, built.benchmarks);
    assert_eq!(loaded.entries, built.entries);
    let (params, benchmarks) = decontam::index::read_summary(&path).unwrap();
    assert_eq!(params, IndexParams::default());
    assert_eq!(benchmarks.len(), PAGES.len());
    assert_eq!(benchmarks[0].name, "ind.jsonl");
    let doc = plant(&host("khm"), &item("khm", 2).0);
    let a = Scanner::new(Arc::new(built), Rules::default()).find(&doc);
    let b = Scanner::new(Arc::new(loaded), Rules::default()).find(&doc);
    assert_eq!(a, b);
    assert!(a.ngrams > 0);

    let bad = dir.path().join("bad.idx");
    std::fs::write(&bad, b"not an index at all, just text").unwrap();
    let e = Index::load(&bad).unwrap_err().to_string();
    assert!(
        e.contains("bad.idx") && e.contains("not a seapile decontamination index"),
        "{e}"
    );
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[16] = 99;
    std::fs::write(&bad, &bytes).unwrap();
    let e = Index::load(&bad).unwrap_err().to_string();
    assert!(e.contains("format version 99"), "{e}");
    let e = Index::build(&[dir.path().join("missing.jsonl")], &IndexParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.jsonl"), "{e}");
    let broken = dir.path().join("broken.jsonl");
    std::fs::write(&broken, "{\"q\": \"fine\"}\n{not json}\n").unwrap();
    let e = Index::build(&[broken], &IndexParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("broken.jsonl") && e.contains("line 2"), "{e}");
}

#[test]
fn the_pass_writes_kept_rows_contamination_lines_and_a_card() {
    let dir = tempfile::tempdir().unwrap();
    let files = benchmark(dir.path());
    let idx = dir.path().join("b.idx");
    Index::build(&files, &IndexParams::default())
        .unwrap()
        .write(&idx)
        .unwrap();
    let input = dir.path().join("docs.jsonl");
    write_jsonl(
        &input,
        &[
            json!({"id": "clean", "text": host("tha"), "url": "https://a.example/1"}),
            json!({"id": "dirty", "text": plant(&host("tha"), &item("tha", 2).0), "url": "https://a.example/2"}),
            json!({"text": host("lao")}),
        ],
    );
    let out = dir.path().join("out");
    let report = decontam::pass::run(&decontam::pass::PassOptions {
        inputs: vec![input],
        output: out.clone(),
        index: idx,
        rules: Rules::default(),
        threads: 2,
        format: docs_io::Format::Parquet,
        license: "other".into(),
        pretty_name: None,
    })
    .unwrap();
    assert_eq!((report.docs, report.kept, report.dropped), (3, 2, 1));
    let mut ids = Vec::new();
    docs_io::for_each_doc(&out.join("data/docs.parquet"), |d| {
        ids.push(d.id);
        Ok::<_, docs_io::IoError>(())
    })
    .unwrap();
    assert_eq!(ids, ["clean", "docs.jsonl:2"]);
    let lines = std::fs::read_to_string(out.join("contamination.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    assert_eq!(l["id"], "dirty");
    assert_eq!(l["url"], "https://a.example/2");
    assert_eq!(l["benchmark"], "tha.jsonl");
    assert_eq!(l["record"], 2);
    assert_eq!(l["record_id"], "tha-2");
    assert_eq!(l["field"], "prompts[0].question");
    assert_eq!(l["action"], "drop");
    assert!(l["ngrams"].as_u64().unwrap() > 5);
    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(card.contains("## Decontamination"), "{card}");
    let sha = docs_io::sha256_file(&files[7]).unwrap();
    assert!(
        card.contains(&format!("| `tha.jsonl` | `{sha}` | 3 | 3 | 1 | 1 |")),
        "{card}"
    );
}

/// The matches of `text` as `(entry, byte span)`, with or without the run gate.
fn spans(index: &Index, text: &str, gated: bool) -> Vec<(u32, u32, u32)> {
    let mut tokenizer = decontam::Tokenizer::new();
    let mut tokens = Vec::new();
    let gate = gated.then(|| index.gate());
    let _ = tokenizer.tokenize_gated(text, &mut tokens, gate);
    let mut rolling = decontam::ngrams::Rolling::default();
    let mut hits = Vec::new();
    index.find(&tokens, &mut rolling, &mut hits);
    let mut out: Vec<(u32, u32, u32)> = hits
        .iter()
        .map(|h| {
            let (a, b) = (
                tokens[h.start as usize],
                tokens[(h.start + h.len - 1) as usize],
            );
            (h.entry, a.start, b.end)
        })
        .collect();
    out.sort_unstable();
    out
}

#[test]
fn the_run_gate_skips_only_runs_that_cannot_match() {
    // Chinese items (question + options, and short ones), Chinese documents: the UDHR in
    // Mandarin and the other Han-script pages, with items planted whole, cut short at either
    // end, and next to Latin words and digits.
    let dir = tempfile::tempdir().unwrap();
    let p = udhr_paragraphs("cmn_hans");
    let records: Vec<_> = (0..12)
        .map(|k| json!({"q": p[2 * k], "a": p[2 * k + 1], "short": p[30 + k].chars().take(12).collect::<String>()}))
        .collect();
    let path = dir.path().join("zh.jsonl");
    write_jsonl(&path, &records);
    let index = Index::build(&[path], &IndexParams::default()).unwrap();
    let mut docs: Vec<String> = Vec::new();
    let pages = testkit::cache_dir().join("udhr/declaration");
    for stem in [
        "cmn_hans",
        "cmn_hant",
        "yue",
        "gan",
        "hak",
        "wuu",
        "cmn_hans_beijing",
        "jpn",
    ] {
        let path = pages.join(format!("{stem}.html"));
        if let Ok(html) = std::fs::read_to_string(&path) {
            docs.push(strip_tags(&html));
        }
    }
    let host = p[40..].join("\n");
    for k in 0..12 {
        let q: Vec<char> = p[2 * k].chars().collect();
        let n = q.len();
        let head: String = q[..n / 2].iter().collect();
        let tail: String = q[n / 2..].iter().collect();
        docs.push(plant(&host, &p[2 * k]));
        docs.push(format!("{host}{head}"));
        docs.push(format!("{tail}{host}"));
        docs.push(format!("Chapter 7 {tail} 2024 {head} end"));
        docs.push(format!("{host}\n{}", records[k]["short"].as_str().unwrap()));
    }
    let mut matched = 0;
    for d in &docs {
        let (a, b) = (spans(&index, d, false), spans(&index, d, true));
        assert_eq!(
            a,
            b,
            "gate changed the matches of {:?}",
            d.chars().take(60).collect::<String>()
        );
        matched += usize::from(!a.is_empty());
    }
    assert!(matched >= 30, "{matched} documents matched");
    // And it did skip runs: fewer words with the gate on the pages of other Han languages.
    let count = |text: &str, gated: bool| {
        let mut tokens = Vec::new();
        let _ = decontam::Tokenizer::new().tokenize_gated(
            text,
            &mut tokens,
            gated.then(|| index.gate()),
        );
        tokens.len()
    };
    let (all, gated): (usize, usize) = docs[..3]
        .iter()
        .map(|d| (count(d, false), count(d, true)))
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
    assert!(gated < all, "{gated} words with the gate, {all} without");
}
