//! Score documents with the quality stage and print one TSV row per document: kind, lang,
//! id, verdict (`keep` or the drop reason), then every signal. Input: JSONL on stdin, one
//! `{"lang","kind","id"}` object per line with either `text` or `html_path` (`.gz` allowed;
//! extracted with seapile's extractor). `scripts/quality-eval-docs.py` writes such a file;
//! `docs/quality.md` derives the thresholds from this output.
//! `--bench` instead times scoring + deciding over the (extracted) documents, one thread;
//! `--dump` prints the documents as JSONL `{"lang","text"}` after extraction (for the peer).
#![allow(clippy::print_stdout)]

use std::io::{BufRead, Read};
use std::time::Instant;

use pipeline::Doc;
use stages::quality::QualityConfig;
use stages::quality::QualityModel;

fn load_doc(line: &str) -> Result<(String, Doc), Box<dyn std::error::Error>> {
    let v: serde_json::Value = serde_json::from_str(line)?;
    let field = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let text = match v["html_path"].as_str() {
        Some(path) => {
            let bytes = std::fs::read(path)?;
            let html = if path.ends_with(".gz") {
                let mut s = String::new();
                flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s)?;
                s
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            };
            stages::extract::extract(&html).text
        }
        None => field("text"),
    };
    let mut doc = Doc::from_text(field("id"), "eval", text);
    doc.lang = Some(field("lang"));
    Ok((field("kind"), doc))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bench = std::env::args().any(|a| a == "--bench");
    let stopwords = testkit::expect_cached(stages::quality::STOPWORDS_ASSET);
    let model = QualityModel::load(&QualityConfig::default(), &stopwords)?;
    let mut docs = Vec::new();
    for line in std::io::stdin().lock().lines() {
        docs.push(load_doc(&line?)?);
    }
    if std::env::args().any(|a| a == "--dump") {
        for (_, d) in &docs {
            let v = serde_json::json!({"lang": d.lang, "text": d.text});
            println!("{v}");
        }
        return Ok(());
    }
    if bench {
        let bytes: usize = docs.iter().map(|(_, d)| d.text.len()).sum();
        let mut best = f64::MAX;
        for _ in 0..20 {
            let start = Instant::now();
            for (_, doc) in &docs {
                let mut d = doc.clone();
                std::hint::black_box(model.judge(&mut d));
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        let start = Instant::now();
        let words: usize = docs.iter().map(|(_, d)| segment::word_count(&d.text)).sum();
        let seg = start.elapsed().as_secs_f64();
        println!(
            "segmentation alone: {:.0} docs/s ({words} words)",
            docs.len() as f64 / seg
        );
        println!(
            "{} docs, {:.1} KB mean text: {:.0} docs/s, {:.1} MB/s (one thread, best of 20)",
            docs.len(),
            bytes as f64 / docs.len() as f64 / 1e3,
            docs.len() as f64 / best,
            bytes as f64 / best / 1e6
        );
        return Ok(());
    }
    let mut header = false;
    for (kind, mut doc) in docs {
        let verdict = model.judge(&mut doc).unwrap_or("keep");
        if !header {
            let names: Vec<&str> = doc.attrs.keys().map(String::as_str).collect();
            println!("kind\tlang\tid\tverdict\t{}", names.join("\t"));
            header = true;
        }
        let values: Vec<String> = doc.attrs.values().map(|v| format!("{v:.4}")).collect();
        let lang = doc.lang.unwrap_or_default();
        println!(
            "{kind}\t{lang}\t{}\t{verdict}\t{}",
            doc.id,
            values.join("\t")
        );
    }
    Ok(())
}
