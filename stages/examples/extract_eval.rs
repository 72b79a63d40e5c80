//! Measure extraction on an article-extraction-benchmark directory.
//!
//! `extract_eval AEB_DIR` extracts every page (single thread, best of 5 timed runs) and prints the
//! `evaluate.py` score; `extract_eval AEB_DIR --pred PREDS.json` scores someone else's
//! predictions (`{id: {"articleBody": text}}`, as `peer extract --out` writes them);
//! `--dump DIR` also writes each prediction to `DIR/ID.txt`.
//! `extract_eval --files F...` prints one JSON line (`path`, `pass`, `text`) per HTML file
//! (`.gz` allowed, decoded as UTF-8).
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use stages::extract::aeb::{load_aeb, score_pages};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--files") {
        return files(&args[1..]);
    }
    let dir = PathBuf::from(
        args.first()
            .ok_or("usage: extract_eval AEB_DIR [--pred F]")?,
    );
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let pages = load_aeb(&dir)?;
    let preds: Vec<String> = match opt("--pred") {
        Some(f) => {
            let v: HashMap<String, serde_json::Value> =
                serde_json::from_str(&std::fs::read_to_string(f)?)?;
            let body = |id: &str| v.get(id).and_then(|e| e["articleBody"].as_str());
            pages
                .iter()
                .map(|p| body(&p.id).unwrap_or("").to_string())
                .collect()
        }
        None => {
            let mut best = f64::MAX;
            let mut out = Vec::new();
            for _ in 0..5 {
                let start = Instant::now();
                out = pages
                    .iter()
                    .map(|p| stages::extract::extract(&p.html))
                    .collect();
                best = best.min(start.elapsed().as_secs_f64());
            }
            let rate = pages.len() as f64 / best;
            println!(
                "{} pages, best of 5 runs {best:.3}s: {rate:.1} docs/s",
                pages.len()
            );
            let fallback = out.iter().filter(|e| e.pass != "main").count();
            println!("non-main passes: {fallback}");
            out.into_iter().map(|e| e.text).collect()
        }
    };
    if let Some(d) = opt("--dump") {
        std::fs::create_dir_all(d)?;
        for (p, t) in pages.iter().zip(&preds) {
            std::fs::write(Path::new(d).join(format!("{}.txt", p.id)), t)?;
        }
    }
    let s = score_pages(
        preds
            .iter()
            .zip(&pages)
            .map(|(p, g)| (p.as_str(), g.truth.as_str())),
    );
    println!("{}", serde_json::to_string(&s)?);
    Ok(())
}

fn files(paths: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Read;
    for path in paths {
        let mut bytes = std::fs::read(path)?;
        if path.ends_with(".gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out)?;
            bytes = out;
        }
        let ex = stages::extract::extract(&String::from_utf8_lossy(&bytes));
        let line = serde_json::json!({"path": path, "pass": ex.pass, "text": ex.text});
        println!("{line}");
    }
    Ok(())
}
