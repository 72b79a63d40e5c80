//! The Rust engine against the C++ fastText library (crate `fasttext` 0.7.8, the reference)
//! on real text from the asset cache: the same labels in the same order with bit-identical
//! probabilities, for lid.176 on whole UDHR pages in every language and on their lines, on
//! edge-case inputs, and for models of every loss trained here by the C++ library itself
//! (softmax, one-vs-all, negative sampling, hierarchical softmax with word n-grams, and a
//! pruned, quantised model with a quantised output matrix).

use std::path::{Path, PathBuf};

use langid::{as_fasttext_line, FastText};
use testkit::expect_cached as asset;

fn reference(path: &Path) -> fasttext::FastText {
    let mut cpp = fasttext::FastText::new();
    cpp.load_model(path.to_str().expect("UTF-8 path"))
        .expect("C++ loads the model");
    cpp
}

/// Both engines on `text` with `k` and `threshold`; panics on the first difference.
/// Returns how many labels were compared.
fn same(ours: &FastText, cpp: &fasttext::FastText, text: &str, k: usize, threshold: f32) -> usize {
    let a = ours.predict_above(text, k, threshold);
    let b = cpp
        .predict(&as_fasttext_line(text), k as i32, threshold)
        .expect("C++ predicts");
    let start: String = text.chars().take(80).collect();
    assert_eq!(
        a.iter()
            .map(|p| (&p.label[..], p.prob.to_bits()))
            .collect::<Vec<_>>(),
        b.iter()
            .map(|p| (&p.label[..], p.prob.to_bits()))
            .collect::<Vec<_>>(),
        "k={k} threshold={threshold} text {start:?}\nours {a:?}\nC++  {b:?}"
    );
    a.len()
}

/// Every UDHR page of the cache (~500 languages), as (stem, visible text).
fn udhr_pages() -> Vec<(String, String)> {
    let dir = asset("udhr/declaration");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("UDHR folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    paths.sort();
    assert!(paths.len() > 400, "{} UDHR pages", paths.len());
    paths
        .iter()
        .map(|p| {
            let html = std::fs::read_to_string(p).expect("UTF-8 page");
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, testkit::strip_tags(&html))
        })
        .collect()
}

fn lid176() -> (FastText, fasttext::FastText) {
    let path = asset("lid.176.ftz");
    (
        FastText::load(&path).expect("lid.176 loads"),
        reference(&path),
    )
}

#[test]
fn lid176_whole_udhr_pages_match_cpp() {
    let (ours, cpp) = lid176();
    let pages = udhr_pages();
    for (_, text) in &pages {
        // C++'s search drops labels below e^-11.5 even without a threshold: often < 5.
        assert!(same(&ours, &cpp, text, 5, 0.0) >= 1);
        // What the SEA layer asks for: two labels above 1%.
        same(&ours, &cpp, text, 2, 0.01);
    }
}

#[test]
fn lid176_udhr_lines_match_cpp() {
    let (ours, cpp) = lid176();
    let mut lines = 0;
    for (_, text) in udhr_pages() {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            same(&ours, &cpp, line, 1, 0.0);
            same(&ours, &cpp, line, 3, 0.05);
            lines += 1;
        }
    }
    assert!(lines > 20_000, "{lines} lines");
}

#[test]
fn lid176_raw_html_and_a_real_warc_match_cpp() {
    // Markup, URLs, scripts and HTTP headers: tokens no training text looked like.
    let (ours, cpp) = lid176();
    let dir = asset("udhr/declaration");
    for stem in ["eng", "tha", "vie", "khm", "mya", "cmn_hans", "arb", "rus"] {
        let html = std::fs::read_to_string(dir.join(format!("{stem}.html"))).unwrap();
        same(&ours, &cpp, &html, 10, 0.0);
    }
    let warc = std::fs::read(asset(
        "warc/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc",
    ))
    .unwrap();
    let warc = String::from_utf8_lossy(&warc);
    for record in warc.split("WARC/1.0").filter(|r| !r.trim().is_empty()) {
        same(&ours, &cpp, record, 3, 0.0);
    }
}

#[test]
fn lid176_edge_cases_match_cpp() {
    let (ours, cpp) = lid176();
    let cases = [
        "",
        " ",
        "\n",
        "\n\n\n",
        "\0",
        "a",
        "</s>",
        "hello </s> world",
        "__label__en",
        "__label__en Hello world",
        "__label__xx_unknown bonjour",
        "tab\tseparated\rcarriage\u{b}vertical\u{c}feed",
        "no-break\u{a0}space and ideographic\u{3000}space",
        "Ünïcödé wörds with ßharp s",
        "emoji 😀🙈 mixed with text",
        "ข้อ ๑ มนุษย์ทั้งหลายเกิดมามีอิสระ",
        "a very long word: Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft",
        "ALL CAPS SHOUTING TEXT",
        "1234 5678 90",
        "<>< <> >< <<<>>>",
    ];
    for text in cases {
        for k in [1, 3, 176, 500] {
            same(&ours, &cpp, text, k, 0.0);
        }
        same(&ours, &cpp, text, 2, 0.01);
        same(&ours, &cpp, text, 5, 0.5);
        same(&ours, &cpp, text, 1, 1.0);
    }
    assert!(ours.predict("anything", 0).is_empty());
    // A token too long for the per-thread cache (≥ 64 KiB), alone and among words.
    let long = "ab".repeat(40_000);
    same(&ours, &cpp, &long, 3, 0.0);
    same(&ours, &cpp, &format!("hello {long} world {long}"), 3, 0.0);
}

#[test]
fn lid176_more_distinct_tokens_than_the_cache_holds_match_cpp() {
    // 200,000 distinct tokens make the per-thread cache start over several times inside
    // one document and between documents.
    let (ours, cpp) = lid176();
    let words: Vec<String> = udhr_pages()
        .iter()
        .flat_map(|(_, t)| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .take(50_000)
        .collect();
    let mut big = String::new();
    for i in 0..200_000 {
        big.push_str(&format!("{}{} ", words[i % words.len()], i / words.len()));
    }
    same(&ours, &cpp, &big, 3, 0.0);
    for chunk in big.as_bytes().chunks(20_000).take(40) {
        let text = String::from_utf8_lossy(chunk);
        same(&ours, &cpp, &text, 2, 0.01);
    }
}

#[test]
fn lid176_slices_of_real_text_match_cpp() {
    // Pieces cut at arbitrary character positions of real pages: partial words, stray
    // combining marks, punctuation runs.
    let (ours, cpp) = lid176();
    let pages = udhr_pages();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..3_000 {
        let (_, text) = &pages[next(pages.len())];
        let chars: Vec<char> = text.chars().collect();
        let start = next(chars.len());
        let len = 1 + next(200);
        let piece: String = chars[start..(start + len).min(chars.len())]
            .iter()
            .collect();
        same(&ours, &cpp, &piece, 3, 0.0);
    }
}

/// Training lines `__label__<stem> <paragraph>` from the UDHR pages of `langs` languages
/// (first `per_lang` paragraph lines of each), and the held-out lines after them.
fn training_data(dir: &Path, langs: usize, per_lang: usize) -> (PathBuf, Vec<String>) {
    let pages = udhr_pages();
    let mut train = String::new();
    let mut held_out = Vec::new();
    for (stem, text) in pages.iter().take(langs) {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.chars().count() > 20)
            .collect();
        for line in lines.iter().take(per_lang) {
            train.push_str(&format!("__label__{stem} {line}\n"));
        }
        held_out.extend(lines.iter().skip(per_lang).take(5).map(|l| l.to_string()));
    }
    let path = dir.join("train.txt");
    std::fs::write(&path, train).unwrap();
    (path, held_out)
}

fn args(input: &Path, loss: fasttext::LossName) -> fasttext::Args {
    let mut a = fasttext::Args::new();
    a.set_input(input.to_str().unwrap()).unwrap();
    a.set_model(fasttext::ModelName::SUP);
    a.set_loss(loss);
    a.set_dim(12);
    a.set_epoch(3);
    a.set_thread(1);
    a.set_min_count(1);
    a.set_minn(2);
    a.set_maxn(4);
    a.set_bucket(50_000);
    a.set_verbose(0);
    a
}

/// Train with the C++ library, save, and compare both engines loading the saved file.
fn train_and_compare(
    dir: &Path,
    name: &str,
    args: &fasttext::Args,
    quantize: Option<&fasttext::Args>,
    held_out: &[String],
) {
    let mut model = fasttext::FastText::new();
    model.train(args).expect("C++ trains");
    if let Some(q) = quantize {
        model.quantize(q).expect("C++ quantizes");
    }
    let path = dir.join(name);
    model.save_model(path.to_str().unwrap()).unwrap();
    let ours = FastText::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let cpp = reference(&path);
    let nlabels = ours.labels().count();
    for text in held_out {
        same(&ours, &cpp, text, 1, 0.0);
        same(&ours, &cpp, text, nlabels, 0.0);
        same(&ours, &cpp, text, 4, 0.001);
    }
}

#[test]
fn trained_models_of_every_loss_match_cpp() {
    let dir = tempfile::tempdir().unwrap();
    let (input, held_out) = training_data(dir.path(), 40, 30);
    assert!(held_out.len() > 100);

    let mut softmax = args(&input, fasttext::LossName::SOFTMAX);
    softmax.set_word_ngrams(2);
    train_and_compare(dir.path(), "softmax.bin", &softmax, None, &held_out);

    let mut ova = args(&input, fasttext::LossName::OVA);
    ova.set_maxn(0);
    train_and_compare(dir.path(), "ova.bin", &ova, None, &held_out);

    let ns = args(&input, fasttext::LossName::NS);
    train_and_compare(dir.path(), "ns.bin", &ns, None, &held_out);

    let mut hs = args(&input, fasttext::LossName::HS);
    hs.set_word_ngrams(3);
    train_and_compare(dir.path(), "hs.bin", &hs, None, &held_out);
}

#[test]
fn a_pruned_quantised_model_with_quantised_output_matches_cpp() {
    // 300 labels: output quantisation needs at least 256 rows.
    let dir = tempfile::tempdir().unwrap();
    let (input, held_out) = training_data(dir.path(), 300, 8);
    let hs = args(&input, fasttext::LossName::HS);
    let mut q = fasttext::Args::new();
    q.set_input(input.to_str().unwrap()).unwrap();
    q.set_qout(true);
    q.set_qnorm(true);
    q.set_cutoff(5_000);
    q.set_dsub(2);
    q.set_retrain(false);
    q.set_thread(1);
    q.set_verbose(0);
    train_and_compare(dir.path(), "hs.ftz", &hs, Some(&q), &held_out);

    let softmax = args(&input, fasttext::LossName::SOFTMAX);
    let mut q = fasttext::Args::new();
    q.set_input(input.to_str().unwrap()).unwrap();
    q.set_qnorm(false);
    q.set_dsub(4);
    q.set_thread(1);
    q.set_verbose(0);
    train_and_compare(dir.path(), "softmax.ftz", &softmax, Some(&q), &held_out);
}

#[test]
fn truncated_and_foreign_files_are_load_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(asset("lid.176.ftz")).unwrap();
    for cut in [0, 3, 8, 100, 5_000, bytes.len() / 2, bytes.len() - 1] {
        let path = dir.path().join(format!("cut{cut}.ftz"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let e = FastText::load(&path).unwrap_err().to_string();
        assert!(e.contains(&path.display().to_string()), "{e}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    let path = dir.path().join("longer.ftz");
    std::fs::write(&path, &longer).unwrap();
    let e = FastText::load(&path).unwrap_err().to_string();
    assert!(e.contains("trailing bytes"), "{e}");
}
