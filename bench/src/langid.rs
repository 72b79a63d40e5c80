//! Language ID on a labelled TSV: the same lines through seapile (fastText alone, then the
//! SEA layer; prediction time only, one thread) and through `peer langid` (Python fastText),
//! in one run.

use std::path::Path;

use langid::eval::Report;
use serde_json::{json, Value};

use crate::{peer_json, BenchError};

/// The report: lines/s of both seapile paths and the peer, their ratios, and the scores.
pub fn run(sea: &langid::SeaLangid, tsv: &Path, peers: Option<&Path>) -> Result<Value, BenchError> {
    if !tsv.exists() {
        return Err(BenchError::Missing(format!(
            "{} not found: give --tsv FILE",
            tsv.display()
        )));
    }
    let lines = langid::eval::read_tsv_with_sources(tsv)?;
    let ours: Report = langid::eval::report(sea, &lines);
    let peer = match peers {
        Some(peers) => Some(peer_json(
            peers,
            &["langid".into(), "--tsv".into(), tsv.into()],
        )?),
        None => None,
    };
    let peer_rate = peer
        .as_ref()
        .and_then(|p| p["lines_per_s"].as_f64())
        .filter(|r| *r > 0.0);
    let (sea_rate, ft_rate) = (ours.lines_per_s, ours.fasttext_only.lines_per_s);
    Ok(json!({
        "tsv": tsv,
        "lines": ours.lines,
        "seapile_sea": {"lines_per_s": sea_rate, "macro_f1": ours.macro_f1, "confusion": ours.confusion},
        "seapile_fasttext": {"lines_per_s": ft_rate, "macro_f1": ours.fasttext_only.macro_f1},
        "peer_fasttext": peer.as_ref().map(|p| json!({
            "lines_per_s": p["lines_per_s"], "macro_f1": p["macro_f1"], "accuracy": p["accuracy"],
        })),
        "ratio_sea_vs_peer": peer_rate.map(|r| sea_rate / r),
        "ratio_fasttext_vs_peer": peer_rate.map(|r| ft_rate / r),
    }))
}
