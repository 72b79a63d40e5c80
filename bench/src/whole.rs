//! The whole path (ingest → extract → exact dedup → langid → quality → tokens → Parquet) on
//! `threads` threads, side by side in the same run with the Python peers of `../shared/peers`
//! (`peer pipeline fastpy`, `peer pipeline datatrove`) on the same WARC: docs/s for each and
//! the ratios. Build with `--release` for real numbers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use pipeline::Assets;
use serde_json::{json, Value};

use crate::{io_err, peer_json, BenchError};

/// What to run.
#[derive(Debug, Clone)]
pub struct WholeOptions {
    /// WARC file(s); empty: build `make-bench-warc`'s WARC with the peers harness.
    pub warcs: Vec<PathBuf>,
    /// The peers harness folder, when present.
    pub peers: Option<PathBuf>,
    /// Peer stacks to run next to seapile (`none`: seapile alone).
    pub against: Vec<String>,
    /// Threads for seapile (the peers run on one core).
    pub threads: usize,
    /// Scratch folder for the bench WARC and the outputs.
    pub work: PathBuf,
}

/// Run seapile and the peers; the report.
pub fn run(opts: &WholeOptions, assets: &Assets) -> Result<Value, BenchError> {
    std::fs::create_dir_all(&opts.work).map_err(io_err(&opts.work))?;
    let warcs = if !opts.warcs.is_empty() {
        opts.warcs.clone()
    } else {
        let Some(peers) = &opts.peers else {
            return Err(BenchError::Missing(
                "no --warc given and no peers harness found (../shared/peers) to build the bench WARC"
                    .into(),
            ));
        };
        vec![bench_warc(peers, &opts.work)?]
    };
    let ours = run_seapile(&warcs, &opts.work.join("seapile-out"), opts.threads, assets)?;
    let mut result = json!({"input": warcs, "seapile": ours});
    let our_rate = ours["docs_per_s"].as_f64().unwrap_or(0.0);
    if let Some(peers) = &opts.peers {
        for stack in opts
            .against
            .iter()
            .filter(|s| !s.is_empty() && *s != "none")
        {
            let v = run_peer(
                peers,
                stack,
                &warcs,
                &opts.work.join(format!("peer-{stack}")),
            )?;
            let rate = v["docs_per_s"].as_f64().unwrap_or(0.0);
            result[stack.as_str()] = v;
            if rate > 0.0 {
                result[format!("ratio_vs_{stack}")] = json!(our_rate / rate);
            }
        }
    }
    result["stages"] = stage_table(&result);
    Ok(result)
}

/// The bench WARC `make-bench-warc` writes (built once into `work`).
fn bench_warc(peers: &Path, work: &Path) -> Result<PathBuf, BenchError> {
    let out = work.join("bench.warc.gz");
    if !out.exists() {
        let status = Command::new("python3")
            .arg(peers.join("make-bench-warc"))
            .arg(&out)
            .status()
            .map_err(|e| BenchError::Peer {
                what: "make-bench-warc".into(),
                message: e.to_string(),
            })?;
        if !status.success() {
            return Err(BenchError::Peer {
                what: "make-bench-warc".into(),
                message: format!("failed ({status})"),
            });
        }
    }
    Ok(out)
}

fn run_seapile(
    warcs: &[PathBuf],
    out: &Path,
    threads: usize,
    assets: &Assets,
) -> Result<Value, BenchError> {
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(io_err(out))?;
    }
    let overrides = run::RunOverrides {
        inputs: warcs.iter().map(|p| p.display().to_string()).collect(),
        output: Some(out.to_path_buf()),
        ..Default::default()
    };
    let config = run::resolve_config(None, &overrides)?;
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let report = run::Run {
        assets,
        threads,
        part: run::Part::ALL,
        staging: out.join(".staging"),
        observer: &run::Quiet,
        stop: &stop,
    }
    .all(&config)?;
    let wall = start.elapsed().as_secs_f64();
    let s = &report.stats;
    // Documents that reached extraction: HTML responses with a body.
    let html_in = s.stages.first().map(|i| i.kept).unwrap_or(0);
    let stage_s: serde_json::Map<String, Value> = s
        .stages
        .iter()
        .map(|st| (st.name.clone(), json!(st.seconds)))
        .collect();
    Ok(json!({
        "threads": threads,
        "records_read": s
            .stages
            .first()
            .map(|i| i.docs_in + i.skipped_total())
            .unwrap_or(0),
        "html_docs_in": html_in,
        "docs_kept_final": s.docs_out,
        "tokens_kept": s.tokens(),
        "wall_s": wall,
        "docs_per_s": html_in as f64 / wall.max(1e-9),
        "stage_s": stage_s,
        "stage_order": s.stages.iter().map(|st| st.name.as_str()).collect::<Vec<_>>(),
    }))
}

fn run_peer(peers: &Path, stack: &str, warcs: &[PathBuf], out: &Path) -> Result<Value, BenchError> {
    let mut args = vec!["pipeline".into(), stack.into()];
    args.extend(warcs.iter().map(|w| w.as_os_str().to_owned()));
    args.extend(["--out".into(), out.as_os_str().to_owned()]);
    peer_json(peers, &args)
}

/// Each stage's cost, per stack that reports stage times (seapile's `stage_s`, and a peer's
/// when it has one): seconds, µs per HTML document in, and share of the stack's stage time.
fn stage_table(report: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (stack, v) in report.as_object().into_iter().flatten() {
        let (Some(stage_s), Some(docs)) = (
            v.get("stage_s").and_then(Value::as_object),
            v.get("html_docs_in").and_then(Value::as_u64),
        ) else {
            continue;
        };
        let total: f64 = stage_s.values().filter_map(Value::as_f64).sum();
        // Pipeline order where the stack gives it, else by name.
        let order: Vec<&str> = match v.get("stage_order").and_then(Value::as_array) {
            Some(names) => names.iter().filter_map(Value::as_str).collect(),
            None => stage_s.keys().map(String::as_str).collect(),
        };
        let rows: Vec<Value> = order
            .into_iter()
            .filter_map(|name| {
                let s = stage_s.get(name)?.as_f64()?;
                Some(json!({
                    "stage": name,
                    "seconds": s,
                    "us_per_doc": if docs > 0 { s * 1e6 / docs as f64 } else { 0.0 },
                    "share": if total > 0.0 { s / total } else { 0.0 },
                }))
            })
            .collect();
        out.insert(stack.clone(), Value::Array(rows));
    }
    Value::Object(out)
}

/// The report as text: docs/s and ratios, then one per-stage table per stack.
pub fn table(report: &Value) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let stacks = ["seapile", "fastpy", "datatrove"];
    for stack in stacks {
        let Some(v) = report.get(stack) else { continue };
        let rate = v["docs_per_s"].as_f64().unwrap_or(0.0);
        let _ = write!(
            s,
            "{stack:<10} {rate:>9.1} docs/s  {:>7.2} s wall  {} HTML docs in, {} kept",
            v["wall_s"].as_f64().unwrap_or(0.0),
            v["html_docs_in"],
            v["docs_kept_final"]
        );
        if let Some(r) = report
            .get(format!("ratio_vs_{stack}"))
            .and_then(Value::as_f64)
        {
            let _ = write!(s, "  (seapile is {r:.2}x)");
        }
        s.push('\n');
    }
    for (stack, rows) in report["stages"].as_object().into_iter().flatten() {
        let _ = writeln!(s, "\n{stack}: stage        µs/doc   share");
        for row in rows.as_array().into_iter().flatten() {
            let _ = writeln!(
                s,
                "  {:<20} {:>9.1} {:>6.1}%",
                row["stage"].as_str().unwrap_or(""),
                row["us_per_doc"].as_f64().unwrap_or(0.0),
                100.0 * row["share"].as_f64().unwrap_or(0.0)
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_table_divides_by_documents_and_shares_the_stage_time() {
        let report = json!({
            "seapile": {"html_docs_in": 4, "docs_per_s": 2.0, "wall_s": 2.0, "docs_kept_final": 1,
                        "stage_s": {"langid": 1.0, "extract": 3.0},
                        "stage_order": ["extract", "langid"]},
            "fastpy": {"html_docs_in": 4, "docs_per_s": 1.0, "wall_s": 4.0, "docs_kept_final": 1,
                       "stage_s": {"extract": 2.0}},
            "datatrove": {"html_docs_in": 4, "docs_per_s": 0.5},
            "ratio_vs_fastpy": 2.0,
        });
        let t = stage_table(&report);
        assert_eq!(t["seapile"][0]["stage"], "extract");
        assert_eq!(t["seapile"][0]["us_per_doc"], 750_000.0);
        assert_eq!(t["seapile"][0]["share"], 0.75);
        assert_eq!(t["seapile"][1]["share"], 0.25);
        assert_eq!(t["fastpy"][0]["us_per_doc"], 500_000.0);
        assert!(t.get("datatrove").is_none(), "no stage times, no table");
        let mut report = report;
        report["stages"] = t;
        let text = table(&report);
        assert!(text.contains("seapile is 2.00x"), "{text}");
        assert!(text.contains("750000.0"), "{text}");
    }
}
