//! `cargo run --release -p langid --example langid_speed -- TSV [REPS]`: per-line time of the
//! SEA layer alone (identify minus the same fastText prediction it makes), best of REPS
//! rounds, interleaved so both see the same machine load.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tsv = args.first().ok_or("usage: langid_speed TSV [REPS]")?;
    let reps: usize = args.get(1).map_or(Ok(7), |r| r.parse())?;
    let model = std::sync::Arc::new(langid::FastText::load(testkit::expect_cached(
        "lid.176.ftz",
    ))?);
    let sea = langid::SeaLangid::new(
        model.clone(),
        langid::MalayLexicon::shared(testkit::expect_cached(langid::LEXICON_DIR))?,
    );
    let lines: Vec<String> = langid::eval::read_tsv(tsv)?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let n = lines.len() as f64;
    let (mut best_ft, mut best_sea) = (f64::MAX, f64::MAX);
    let mut sink = 0usize;
    let rules_only = args.iter().any(|a| a == "--rules-only");
    for _ in 0..if rules_only { 0 } else { reps } {
        let t = testkit::cpu_seconds();
        for l in &lines {
            sink += model.predict_above(l, 2, 0.01).len();
        }
        best_ft = best_ft.min((testkit::cpu_seconds() - t) / n);
        let t = testkit::cpu_seconds();
        for l in &lines {
            sink += sea.identify(l).lang.len();
        }
        best_sea = best_sea.min((testkit::cpu_seconds() - t) / n);
    }
    // The rules alone, on predictions made once: pure CPU, so the best of many rounds is a
    // stable figure even on a loaded machine.
    let preds: Vec<Vec<langid::Prediction>> = lines
        .iter()
        .map(|l| model.predict_above(l, 2, 0.01))
        .collect();
    let lexicon = langid::MalayLexicon::shared(testkit::expect_cached(langid::LEXICON_DIR))?;
    let malay = langid::sea::Malay {
        weight: 1.0,
        lexicon: Some(&lexicon),
    };
    let mut best_rules = f64::MAX;
    for _ in 0..reps {
        let t = testkit::cpu_seconds();
        for _ in 0..10 {
            for (l, p) in lines.iter().zip(&preds) {
                let counts = langid::script::ScriptCounts::of(l);
                if let (Some(dominant), false) = (counts.dominant(), p.is_empty()) {
                    sink += langid::sea::decide(l, dominant, p, &malay).0.len();
                }
            }
        }
        best_rules = best_rules.min((testkit::cpu_seconds() - t) / (10.0 * n));
    }
    writeln!(
        out,
        "rules alone (script counts + decide) {:.2} us/line (CPU time)",
        best_rules * 1e6
    )?;
    if args.iter().any(|a| a == "--by-lang") {
        let gold: Vec<String> = langid::eval::read_tsv(tsv)?
            .into_iter()
            .map(|(g, _)| g)
            .collect();
        let mut langs: Vec<&String> = gold.iter().collect();
        langs.sort();
        langs.dedup();
        for lang in langs {
            let mut best = f64::MAX;
            let idx: Vec<usize> = (0..lines.len()).filter(|&i| &gold[i] == lang).collect();
            for _ in 0..reps * 3 {
                let t = Instant::now();
                for &i in &idx {
                    let counts = langid::script::ScriptCounts::of(&lines[i]);
                    if let (Some(dominant), false) = (counts.dominant(), preds[i].is_empty()) {
                        sink += langid::sea::decide(&lines[i], dominant, &preds[i], &malay)
                            .0
                            .len();
                    }
                }
                best = best.min(t.elapsed().as_secs_f64() / idx.len() as f64);
            }
            writeln!(out, "  {lang} {:.2} us/line", best * 1e6)?;
        }
    }
    writeln!(
        out,
        "lines {} fastText {:.2} us/line, identify {:.2} us/line, SEA layer {:.2} us/line, CPU time ({sink})",
        lines.len(),
        best_ft * 1e6,
        best_sea * 1e6,
        (best_sea - best_ft) * 1e6
    )?;
    Ok(())
}
