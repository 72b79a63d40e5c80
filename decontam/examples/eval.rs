//! The evaluation `seapile eval decontam` runs, without building the whole binary:
//! `cargo run -p decontam --release --example eval -- [SHARED_DIR] [PER_FILE] [ROUNDS]`
//! (SHARED_DIR defaults to `../shared`; UDHR pages from the asset cache).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shared = PathBuf::from(args.first().map_or("../shared", String::as_str));
    let per_file = args.get(1).map_or(Ok(60), |a| a.parse())?;
    let rounds = args.get(2).map_or(Ok(3), |a| a.parse())?;
    let cache = match std::env::var_os("SEAPILE_CACHE") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/seapile"),
    };
    let work = tempfile::tempdir()?;
    let params = decontam::IndexParams {
        min_words: std::env::var("MIN_WORDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(8),
        short_words: std::env::var("SHORT_WORDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4),
        short_letters: std::env::var("SHORT_LETTERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(30),
        cross_fields: std::env::var("NO_CROSS").is_err(),
        ..decontam::IndexParams::default()
    };
    let opts = decontam::eval::EvalOptions {
        benchmarks: vec![shared.join("eval/decontam/sea-helm")],
        dev_tsv: Some(shared.join("eval/langid/dev.tsv")),
        html_sea: Some(shared.join("eval/html_sea")),
        udhr: Some(cache.join("udhr/declaration")),
        aeb: Some(shared.join("eval/extraction/aeb")),
        wcxb: Some(shared.join("eval/extraction/wcxb-dev")),
        per_file,
        seed: 1,
        params,
        rounds,
        work: work.path().to_path_buf(),
    };
    let report = decontam::eval::evaluate(&opts)?;
    if let Ok(path) = std::env::var("MISSES") {
        std::fs::write(path, serde_json::to_string_pretty(&report.misses)?)?;
    }
    #[allow(clippy::print_stdout)]
    {
        print!("{}", report.tables());
    }
    Ok(())
}
