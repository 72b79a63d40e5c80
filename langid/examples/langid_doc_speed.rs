//! `cargo run --release -p langid --example langid_doc_speed -- TEXTS.jsonl [REPS] [DUMP]`:
//! the time of [`langid::SeaLangid::identify_document`] per document (each JSON line's
//! `text`, e.g. `seapile extract` output), best of REPS rounds (CPU time of this thread), and
//! with DUMP each document's decision (language, score bits, rule, script, shares) written
//! there, so two builds can be compared byte for byte.

use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: langid_doc_speed TEXTS.jsonl [REPS] [DUMP]")?;
    let reps: usize = args.get(1).map_or(Ok(5), |r| r.parse())?;
    let texts: Vec<String> = std::io::BufReader::new(std::fs::File::open(path)?)
        .lines()
        .map(|l| -> Result<String, Box<dyn std::error::Error>> {
            let v: serde_json::Value = serde_json::from_str(&l?)?;
            Ok(v["text"].as_str().unwrap_or_default().to_string())
        })
        .collect::<Result<_, _>>()?;
    let sea = langid::LangidConfig::default().sea_langid(&testkit::assets())?;
    // Rounds of the document decision and of the whole text alone, interleaved.
    let (mut best, mut whole) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..reps {
        let start = testkit::cpu_seconds();
        for t in &texts {
            std::hint::black_box(sea.identify_document(t));
        }
        best = best.min(testkit::cpu_seconds() - start);
        let start = testkit::cpu_seconds();
        for t in &texts {
            std::hint::black_box(sea.identify(t));
        }
        whole = whole.min(testkit::cpu_seconds() - start);
    }
    let per_doc = |s: f64| s * 1e6 / texts.len() as f64;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} documents, best of {reps}: {:.1} µs/doc (the whole text alone: {:.1} µs/doc)",
        texts.len(),
        per_doc(best),
        per_doc(whole)
    )?;
    if let Some(dump) = args.get(2) {
        let mut w = std::io::BufWriter::new(std::fs::File::create(dump)?);
        for t in &texts {
            let d = sea.identify_document(t);
            writeln!(
                w,
                "{} {:08x} {} {} {} {:08x} {:016x} {:016x}",
                d.id.lang,
                d.id.score.to_bits(),
                d.id.rule.name(),
                d.id.script,
                d.id.model_lang,
                d.id.model_score.to_bits(),
                d.lang_share.to_bits(),
                d.line_share.to_bits()
            )?;
        }
    }
    Ok(())
}
