//! `seapile bench`: the whole path (ingest → extract → langid → tokens → Parquet) on one
//! thread, side by side in the same run with the Python peers of `../shared/peers`
//! (`peer pipeline fastpy`, `peer pipeline datatrove`) on the same WARC. Prints one JSON
//! object with docs/s for each and the ratios. Build with `--release` for real numbers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};

use crate::{assets, run};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// Another benchmark instead of the whole path.
    #[command(subcommand)]
    kind: Option<BenchKind>,
    /// WARC file(s) to run on. Default: build `make-bench-warc`'s WARC (738 real pages + 50
    /// genuine Common Crawl records) with the peers harness.
    #[arg(long)]
    warc: Vec<PathBuf>,
    /// The peers harness folder (default: ../shared/peers when present).
    #[arg(long)]
    peers: Option<PathBuf>,
    /// Peers to run next to seapile (`none`: seapile alone, e.g. to compare thread counts).
    #[arg(long, value_delimiter = ',', default_value = "fastpy,datatrove")]
    against: Vec<String>,
    /// Threads for seapile (the peers run on one core).
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

#[derive(clap::Subcommand)]
enum BenchKind {
    /// The OpenAI-compatible client of `seapile magpie` next to a minimal Python client: tokens/s
    /// against llama.cpp's server, requests/s against an endpoint that answers at once.
    Magpie(crate::bench_magpie::MagpieBenchArgs),
    /// Language ID on a labelled TSV next to `peer langid` (Python fastText): lines/s of
    /// fastText alone and of the SEA layer, their ratios to the peer, and both scores.
    Langid {
        /// `iso639-3<TAB>source<TAB>text` lines (default: ../shared/eval/langid/dev.tsv).
        #[arg(long)]
        tsv: Option<PathBuf>,
    },
}

fn peers_dir(arg: &Option<PathBuf>) -> Option<PathBuf> {
    arg.clone()
        .or_else(|| Some(PathBuf::from("../shared/peers")))
        .filter(|p| p.join("peer").exists())
}

#[allow(clippy::print_stdout)]
pub fn run(args: &BenchArgs) -> Result<()> {
    let peers = peers_dir(&args.peers);
    match &args.kind {
        Some(BenchKind::Magpie(m)) => return crate::bench_magpie::run(m),
        Some(BenchKind::Langid { tsv }) => return bench_langid(tsv.as_deref(), peers.as_deref()),
        None => {}
    }
    let work = assets::cache_dir().join("bench");
    std::fs::create_dir_all(&work)?;
    let warcs = if !args.warc.is_empty() {
        args.warc.clone()
    } else {
        let Some(peers) = &peers else {
            bail!("no --warc given and no peers harness found (../shared/peers) to build the bench WARC")
        };
        let out = work.join("bench.warc.gz");
        if !out.exists() {
            eprintln!("building {} with make-bench-warc", out.display());
            let status = Command::new("python3")
                .arg(peers.join("make-bench-warc"))
                .arg(&out)
                .status()
                .context("running make-bench-warc")?;
            if !status.success() {
                bail!("make-bench-warc failed ({status})");
            }
        }
        vec![out]
    };
    let ours = run_seapile(&warcs, &work.join("seapile-out"), args.threads)?;
    let mut result = json!({"input": warcs, "seapile": ours});
    let our_rate = ours["docs_per_s"].as_f64().unwrap_or(0.0);
    if let Some(peers) = &peers {
        for stack in args
            .against
            .iter()
            .filter(|s| !s.is_empty() && *s != "none")
        {
            eprintln!("running peer pipeline {stack} ...");
            let v = run_peer(peers, stack, &warcs, &work.join(format!("peer-{stack}")))?;
            let rate = v["docs_per_s"].as_f64().unwrap_or(0.0);
            result[stack.as_str()] = v;
            if rate > 0.0 {
                result[format!("ratio_vs_{stack}")] = json!(our_rate / rate);
            }
        }
    } else {
        eprintln!("peers harness not found: reporting seapile alone");
    }
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}

/// `seapile bench langid`: the same lines through seapile (fastText alone, then the SEA
/// layer; prediction time only, one thread) and through `peer langid`, in one run.
#[allow(clippy::print_stdout)]
fn bench_langid(tsv: Option<&Path>, peers: Option<&Path>) -> Result<()> {
    let tsv = tsv.map_or_else(
        || PathBuf::from("../shared/eval/langid/dev.tsv"),
        Path::to_path_buf,
    );
    if !tsv.exists() {
        bail!("{} not found: give --tsv FILE", tsv.display());
    }
    let ours = crate::commands::eval_langid(&tsv, None)?;
    let peer = match peers {
        Some(peers) => {
            eprintln!("running peer langid ...");
            Some(peer_json(
                peers,
                &["langid".into(), "--tsv".into(), tsv.clone().into()],
            )?)
        }
        None => {
            eprintln!("peers harness not found: reporting seapile alone");
            None
        }
    };
    let sea = ours["lines_per_s"].as_f64().unwrap_or(0.0);
    let fasttext = ours["fasttext_only"]["lines_per_s"].as_f64().unwrap_or(0.0);
    let peer_rate = peer
        .as_ref()
        .and_then(|p| p["lines_per_s"].as_f64())
        .filter(|r| *r > 0.0);
    let report = json!({
        "tsv": tsv,
        "lines": ours["lines"],
        "seapile_sea": {"lines_per_s": sea, "macro_f1": ours["macro_f1"], "confusion": ours["confusion"]},
        "seapile_fasttext": {"lines_per_s": fasttext, "macro_f1": ours["fasttext_only"]["macro_f1"]},
        "peer_fasttext": peer.as_ref().map(|p| json!({
            "lines_per_s": p["lines_per_s"], "macro_f1": p["macro_f1"], "accuracy": p["accuracy"],
        })),
        "ratio_sea_vs_peer": peer_rate.map(|r| sea / r),
        "ratio_fasttext_vs_peer": peer_rate.map(|r| fasttext / r),
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

fn run_seapile(warcs: &[PathBuf], out: &Path, threads: usize) -> Result<Value> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    let overrides = run::RunOverrides {
        inputs: warcs.iter().map(|p| p.display().to_string()).collect(),
        output: Some(out.to_path_buf()),
        ..Default::default()
    };
    let config = run::resolve_config(None, &overrides)?;
    let start = Instant::now();
    let report = run::run(&config, threads, false)?;
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

fn run_peer(peers: &Path, stack: &str, warcs: &[PathBuf], out: &Path) -> Result<Value> {
    let mut args = vec!["pipeline".into(), stack.into()];
    args.extend(warcs.iter().map(|w| w.as_os_str().to_owned()));
    args.extend(["--out".into(), out.as_os_str().to_owned()]);
    peer_json(peers, &args)
}

/// Run `peers/peer ARGS...` and parse the one JSON object it prints last on stdout.
pub fn peer_json(peers: &Path, args: &[std::ffi::OsString]) -> Result<Value> {
    let what = args
        .iter()
        .take(2)
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let output = Command::new(peers.join("peer"))
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("running peer {what}"))?;
    if !output.status.success() {
        bail!("peer {what} failed ({})", output.status);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or("{}");
    serde_json::from_str(line).with_context(|| format!("peer {what} printed no JSON"))
}
