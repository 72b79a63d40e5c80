//! Time the extractor alone, one thread, on HTML pages (`.html` or `.html.gz`) in a folder
//! (e.g. a WCXB split's `html/`): pages are read and decoded first, then extracted `--runs N`
//! times (default 5); prints the best and median wall time and docs/s as one JSON line.
//! `--out F` writes `{"path": ID, "text": ...}` lines (the last run), for scoring elsewhere.
//!
//! Uses only `stages::extract::extract`, so the same file builds against older versions of
//! the extractor to compare speed in one run.
#![allow(clippy::print_stdout)]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        args.first()
            .ok_or("usage: extract_bench DIR [--runs N] [--out F]")?,
    );
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let runs: usize = opt("--runs").map_or(Ok(5), |s| s.parse())?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let s = p.to_string_lossy();
            s.ends_with(".html") || s.ends_with(".html.gz")
        })
        .collect();
    files.sort();
    let mut pages = Vec::with_capacity(files.len());
    let mut bytes_total = 0usize;
    for f in &files {
        let raw = std::fs::read(f)?;
        let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
            out
        } else {
            raw
        };
        bytes_total += bytes.len();
        let id = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_string();
        pages.push((id, String::from_utf8_lossy(&bytes).into_owned()));
    }
    let mut times = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        texts = pages
            .iter()
            .map(|(_, h)| stages::extract::extract(h).text)
            .collect();
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let n = pages.len() as f64;
    let (best, median) = (times[0], times[times.len() / 2]);
    if let Some(out) = opt("--out") {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
        for ((id, _), t) in pages.iter().zip(&texts) {
            writeln!(w, "{}", serde_json::json!({"path": id, "text": t}))?;
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "pages": pages.len(), "mb": bytes_total as f64 / 1e6, "runs": runs,
            "best_s": best, "median_s": median,
            "docs_per_s_best": n / best, "docs_per_s_median": n / median,
            "ms_per_doc_median": median * 1e3 / n,
        })
    );
    Ok(())
}
