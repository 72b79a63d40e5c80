//! Predict every line of an `iso639-3<TAB>source<TAB>text` file and score it.
//!
//! `cargo run --release -p langid --example langid_tsv -- MODEL TSV [OUT]` prints the
//! evaluation as JSON; with OUT it also writes `label<TAB>prob` per line (for comparing
//! with Python fastText).

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, tsv, rest @ ..] = &args[..] else {
        return Err("usage: langid_tsv MODEL TSV [OUT]".into());
    };
    let model = langid::FastText::load(model)?;
    let lines = langid::eval::read_tsv(tsv)?;
    if let Some(out) = rest.first() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(out)?);
        for (_, text) in &lines {
            let top = model.predict(text, 1);
            let p = top.first().ok_or("no prediction")?;
            writeln!(out, "{}\t{}", p.label, p.prob)?;
        }
    }
    let e = langid::eval::evaluate(&model, lines.iter().map(|(g, t)| (g, t)));
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", serde_json::to_string_pretty(&e)?)?;
    Ok(())
}
