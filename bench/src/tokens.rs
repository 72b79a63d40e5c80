//! Token counting: seapile's counter next to the Hugging Face `tokenizers` crate (the
//! reference it must equal) on the same texts, one thread, in the same run: MB/s of each,
//! the ratio, and the number of texts whose counts differ (must be 0).

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};
use stages::tokens::TokenCounter;

use crate::BenchError;

/// The texts: AEB ground-truth article bodies and `dev.tsv` lines (the peers' eval_text),
/// plus every cached UDHR page.
pub fn texts(eval: &Path, udhr: &Path) -> Result<Vec<String>, BenchError> {
    let aeb = eval.join("extraction/aeb");
    let tsv = eval.join("langid/dev.tsv");
    let mut texts = Vec::new();
    if aeb.exists() {
        let pages =
            stages::extract::aeb::load_aeb(&aeb).map_err(|e| BenchError::Missing(e.to_string()))?;
        texts.extend(pages.into_iter().map(|p| p.truth));
    }
    if tsv.exists() {
        texts.extend(langid::eval::read_tsv(&tsv)?.into_iter().map(|(_, t)| t));
    }
    if udhr.exists() {
        let mut pages: Vec<PathBuf> = std::fs::read_dir(udhr)
            .map_err(crate::io_err(udhr))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        pages.sort();
        texts.extend(pages.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    }
    if texts.is_empty() {
        return Err(BenchError::Missing(
            "no texts: neither ../shared/eval nor the cached UDHR pages are here".into(),
        ));
    }
    Ok(texts)
}

/// Best of `rounds` for each counter (alternating), the ratio and the mismatches. Every round
/// starts with seapile's chunk cache empty: one cold pass over the texts.
pub fn run(tokenizer: &Path, texts: &[String], rounds: usize) -> Result<Value, BenchError> {
    let load = |fast: bool| {
        let c = if fast {
            TokenCounter::load(tokenizer)
        } else {
            TokenCounter::load_reference(tokenizer)
        };
        c.map_err(|e| BenchError::Missing(e.to_string()))
    };
    let (ours, reference) = (load(true)?, load(false)?);
    let bytes: usize = texts.iter().map(String::len).sum();
    let time = |c: &TokenCounter| {
        TokenCounter::clear_thread_cache();
        let start = Instant::now();
        let counts: Vec<u32> = texts.iter().map(|t| c.count(t)).collect();
        (start.elapsed().as_secs_f64().max(1e-9), counts)
    };
    let (mut best_ours, mut best_ref) = (f64::MAX, f64::MAX);
    let (mut ours_counts, mut ref_counts) = (Vec::new(), Vec::new());
    let mut seen = Vec::new();
    for round in 0..rounds.max(1) {
        let (t_ref, c_ref) = time(&reference);
        let (t_ours, c_ours) = time(&ours);
        seen.push(
            json!({"round": round + 1, "seapile_mb_per_s": bytes as f64 / 1e6 / t_ours,
                         "hf_mb_per_s": bytes as f64 / 1e6 / t_ref}),
        );
        best_ours = best_ours.min(t_ours);
        best_ref = best_ref.min(t_ref);
        ours_counts = c_ours;
        ref_counts = c_ref;
    }
    let mismatches = ours_counts
        .iter()
        .zip(&ref_counts)
        .filter(|(a, b)| a != b)
        .count();
    Ok(json!({
        "tokenizer": tokenizer,
        "engine": ours.engine().name(),
        "texts": texts.len(),
        "bytes": bytes,
        "tokens": ours_counts.iter().map(|&n| u64::from(n)).sum::<u64>(),
        "mismatches": mismatches,
        "seapile_mb_per_s": bytes as f64 / 1e6 / best_ours,
        "hf_tokenizers_mb_per_s": bytes as f64 / 1e6 / best_ref,
        "ratio": best_ref / best_ours,
        "rounds": seen,
    }))
}
