//! `cargo run --release -p langid --example langid_udhr -- [DIR] [--json]`: the UDHR
//! precision/recall evaluation of `seapile eval langid --udhr` without building the binary.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| testkit::expect_cached("udhr/declaration"));
    let stage = langid::LangidConfig::default().stage(&testkit::assets())?;
    let pages = langid::eval::read_udhr(&dir)?;
    if let Some(i) = args.iter().position(|a| a == "--stem") {
        // Every sentence of one page: the decision and the word-list evidence behind it.
        let stem = &args[i + 1];
        let lexicon = langid::MalayLexicon::shared(testkit::expect_cached(langid::LEXICON_DIR))?;
        for page in pages.iter().filter(|p| &p.stem == stem) {
            for p in &page.paragraphs {
                for s in langid::eval::sentences(p) {
                    let id = stage.langid().identify(s);
                    let e = langid::evidence::support(&lexicon, s);
                    writeln!(out, "{}\t{:.3}\t{}\t{}:{:.3}\tw{} ms{} en{} fil{} vi{} jo{}/{} so{}/{} ot{}\t{s}",
                        id.lang, id.score, id.rule.name(), id.model_lang, id.model_score,
                        e.words, e.malay, e.english, e.filipino, e.vietnamese,
                        e.javanese_only, e.javanese_or_malay, e.sundanese_only,
                        e.sundanese_or_malay, e.other_malayic
                    )?;
                }
            }
        }
        return Ok(());
    }
    let report = langid::eval::udhr_report(
        &pages,
        |t| {
            let id = stage.langid().identify(t);
            (id.lang, id.score)
        },
        |lang, score| stage.keeps(lang, score),
    );
    if args.iter().any(|a| a == "--json") {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", report.tables())?;
    }
    Ok(())
}
