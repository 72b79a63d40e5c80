//! Predict every line of an `iso639-3<TAB>source<TAB>text` file and score it.
//!
//! `cargo run --release -p langid --example langid_tsv -- MODEL TSV [OUT [MALAY_WEIGHT]]` prints the
//! evaluations (fastText alone, then the SEA layer) as JSON; with OUT it also writes
//! `gold<TAB>model label<TAB>prob<TAB>sea label<TAB>score<TAB>rule<TAB>text` per line.

use std::io::Write;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, tsv, rest @ ..] = &args[..] else {
        return Err("usage: langid_tsv MODEL TSV [OUT]".into());
    };
    let model = Arc::new(langid::FastText::load(model)?);
    let mut sea = langid::SeaLangid::new(
        model.clone(),
        langid::MalayLexicon::shared(testkit::expect_cached(langid::LEXICON_DIR))?,
    );
    if let Some(w) = rest.get(1) {
        sea = sea.with_malay_weight(w.parse()?);
    }
    let lines = langid::eval::read_tsv(tsv)?;
    if let Some(out) = rest.first() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(out)?);
        for (gold, text) in &lines {
            let id = sea.identify(text);
            writeln!(
                out,
                "{gold}\t{}\t{}\t{}\t{}\t{}\t{text}",
                id.model_label,
                id.model_score,
                id.lang,
                id.score,
                id.rule.name()
            )?;
        }
    }
    let raw = langid::eval::evaluate(&model, lines.iter().map(|(g, t)| (g, t)));
    let e = langid::eval::evaluate_sea(&sea, lines.iter().map(|(g, t)| (g, t)));
    let mut stdout = std::io::stdout().lock();
    for (name, e) in [("lid.176", &raw), ("sea", &e)] {
        let f1: Vec<String> = e
            .per_lang
            .iter()
            .map(|(l, p)| format!("{l} {:.3}", p.f1))
            .collect();
        writeln!(
            stdout,
            "{name}: acc {:.4} macro-F1 {:.4} zsm→ind {} ind→zsm {} jav→ind {} sun→ind {} {:.0} lines/s\n  {}",
            e.accuracy,
            e.macro_f1,
            e.confused("zsm", "ind"),
            e.confused("ind", "zsm"),
            e.confused("jav", "ind"),
            e.confused("sun", "ind"),
            e.lines_per_s,
            f1.join(" ")
        )?;
    }
    Ok(())
}
