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
    let html_in = s.stages.first().map(|i| i.kept).unwrap_or(0);
    let stage_s: serde_json::Map<String, Value> = s
        .stages
        .iter()
        .map(|st| (st.name.clone(), json!(st.seconds)))
        .collect();
    Ok(json!({
        "threads": threads,
        "records_read": s.stages.first().map(|i| i.docs_in).unwrap_or(0),
        "html_docs_in": html_in,
        "docs_kept_final": s.docs_out,
        "tokens_kept": s.tokens(),
        "wall_s": wall,
        "docs_per_s": html_in as f64 / wall.max(1e-9),
        "stage_s": stage_s,
    }))
}

fn run_peer(peers: &Path, stack: &str, warcs: &[PathBuf], out: &Path) -> Result<Value, BenchError> {
    let mut args = vec!["pipeline".into(), stack.into()];
    args.extend(warcs.iter().map(|w| w.as_os_str().to_owned()));
    args.extend(["--out".into(), out.as_os_str().to_owned()]);
    peer_json(peers, &args)
}
