//! `seapile extract PAGES | cargo run -p langid --example langid_docs`: each JSON line's
//! `text` through the default langid stage: kept or the drop reason, language, score, rule,
//! `lang_share`, and the line's `url`/`path` when it has one.

use std::io::BufRead;

use pipeline::{Doc, Outcome, Stage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let mut stage = langid::LangidConfig::default().stage(&testkit::assets())?;
    for line in std::io::stdin().lock().lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let text = v["text"].as_str().unwrap_or_default();
        let name = ["path", "url", "id"]
            .iter()
            .find_map(|k| v[*k].as_str())
            .unwrap_or("?")
            .to_string();
        let (verdict, doc) = match stage.process(Doc::from_text(&name, "x", text))? {
            Outcome::Keep(doc) => ("kept", doc),
            Outcome::Drop { doc, reason } => (reason, doc),
        };
        writeln!(
            out,
            "{verdict:<20} {:<4} {:.3} {:<20} share {:.2} {} chars {name}",
            doc.lang.as_deref().unwrap_or("-"),
            doc.lang_score.unwrap_or(0.0),
            doc.meta.get("lang_rule").map_or("-", String::as_str),
            doc.attrs.get("lang_share").copied().unwrap_or(0.0),
            text.chars().count(),
        )?;
    }
    Ok(())
}
