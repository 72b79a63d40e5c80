//! `cargo run --release -p langid --example langid_dump -- udhr [DIR] | tsv FILE`: one line per
//! UDHR sentence/paragraph (or TSV line) with the decision, whether the default stage keeps
//! it, and the word-list evidence, for error analysis:
//! `set<TAB>page<TAB>gold<TAB>lang<TAB>score<TAB>kept<TAB>rule<TAB>model:p<TAB>evidence<TAB>text`.

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stage = langid::LangidConfig::default().stage(&testkit::assets())?;
    let lexicon = langid::MalayLexicon::shared(testkit::expect_cached(langid::LEXICON_DIR))?;
    let mut line = |set: &str, page: &str, gold: &str, text: &str| -> std::io::Result<()> {
        let id = stage.langid().identify(text);
        let e = langid::evidence::support(&lexicon, text);
        writeln!(
            out,
            "{set}\t{page}\t{gold}\t{}\t{:.3}\t{}\t{}\t{}:{:.3}\tw{} ms{} en{} fil{} vi{} jo{}/{} so{}/{} ot{}\t{}",
            id.lang,
            id.score,
            u8::from(stage.keeps(id.lang, id.score)),
            id.rule.name(),
            id.model_lang,
            id.model_score,
            e.words,
            e.malay,
            e.english,
            e.filipino,
            e.vietnamese,
            e.javanese_only,
            e.javanese_or_malay,
            e.sundanese_only,
            e.sundanese_or_malay,
            e.other_malayic,
            text.replace(['\t', '\n'], " ")
        )
    };
    match args.first().map(String::as_str) {
        Some("tsv") => {
            let path = args.get(1).ok_or("tsv FILE")?;
            for row in std::fs::read_to_string(path)?.lines() {
                let mut f = row.splitn(3, '\t');
                let (Some(g), Some(src), Some(t)) = (f.next(), f.next(), f.next()) else {
                    continue;
                };
                line("tsv", src, g, t)?;
            }
        }
        _ => {
            let dir = args
                .get(1)
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| testkit::expect_cached("udhr/declaration"));
            for page in langid::eval::read_udhr(&dir)? {
                let gold = match langid::eval::udhr_gold(&page.stem, &page.iso6393) {
                    langid::eval::UdhrGold::Sea(l) => l.to_string(),
                    langid::eval::UdhrGold::Other => format!("other:{}", page.iso6393),
                    langid::eval::UdhrGold::Near => format!("near:{}", page.iso6393),
                };
                for p in &page.paragraphs {
                    line("para", &page.stem, &gold, p)?;
                    for s in langid::eval::sentences(p) {
                        line("sent", &page.stem, &gold, s)?;
                    }
                }
            }
        }
    }
    Ok(())
}
