//! `seapile dedup` (all four steps on this machine, or one step as shard `i` of `n`) and
//! `seapile eval dedup`. The design decision: the CLI only resolves paths and parameters;
//! everything that touches documents is in the `dedup` crate, so a Slurm array calling
//! `seapile dedup signatures --task $SLURM_ARRAY_TASK_ID ...` runs the same code as a laptop.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use dedup::job::{expand_inputs as expand, load_config, write_card, CardMeta};
use dedup::{LocalRun, Mode, Params, Shard};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DedupArgs {
    #[command(subcommand)]
    step: Option<Step>,
    #[command(flatten)]
    all: AllArgs,
}

#[derive(Subcommand)]
enum Step {
    /// Step 1: exact hashes and LSH band keys of the input files of one shard.
    Signatures {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        shard: ShardIndex,
    },
    /// Step 2: documents sharing a band value, per band (bands split over shards).
    Buckets(ShardArgs),
    /// Step 3: clusters by union-find over the bucket links.
    Clusters(ShardArgs),
    /// Step 4: keep one document per cluster; write OUT/data/ and OUT/clusters.jsonl.
    Filter(ShardArgs),
}

#[derive(Args)]
struct AllArgs {
    #[command(flatten)]
    inputs: Option<InputArgs>,
    /// Print the LSH S-curve for the parameters and exit.
    #[arg(long)]
    explain: bool,
    /// Parallel shards per step. Default: all cores.
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Keep the work files (OUT/.dedup/) afterwards.
    #[arg(long)]
    keep_work: bool,
    /// Hub license identifier for OUT/README.md.
    #[arg(long, default_value = "other")]
    license: String,
    /// Display name for OUT/README.md. Default: the output folder's name.
    #[arg(long)]
    pretty_name: Option<String>,
}

#[derive(Args)]
struct InputArgs {
    /// Parquet or JSONL files (or folders of them) with `id` and `text`, in priority order:
    /// the first copy of a cluster is kept.
    #[arg(long = "input", short, num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Output folder (kept rows under data/, clusters.jsonl, dedup_stats.json, the card).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// MinHash parameters (TOML: ngram, bands, rows, seed); default FineWeb's 5-grams, 14×8.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Only the exact (normalised xxh3-128) pass.
    #[arg(long, conflicts_with = "near_only")]
    exact_only: bool,
    /// Only the MinHash LSH pass.
    #[arg(long)]
    near_only: bool,
    /// Memory for sorting signatures per shard, MiB (spilled to disk beyond it).
    #[arg(long, default_value_t = 256)]
    memory_mb: usize,
}

#[derive(Args)]
struct ShardArgs {
    /// The output folder given to the signatures step.
    #[arg(long, short)]
    output: PathBuf,
    #[command(flatten)]
    index: ShardIndex,
}

#[derive(Args)]
struct ShardIndex {
    /// This task, 0-based (e.g. $SLURM_ARRAY_TASK_ID). (Older spelling: --shard.)
    #[arg(long = "task", alias = "shard", value_name = "I", default_value_t = 0)]
    shard: usize,
    /// How many tasks run this step. (Older spelling: --num-shards.)
    #[arg(
        long = "tasks",
        alias = "num-shards",
        value_name = "N",
        default_value_t = 1
    )]
    num_shards: usize,
}

/// `seapile dedup ...`.
pub fn run(args: DedupArgs, threads: usize) -> Result<()> {
    match args.step {
        None => run_all(args.all, threads),
        Some(Step::Signatures { inputs, shard }) => {
            let params = params(&inputs, shard.num_shards)?;
            let s = Shard::new(shard.shard, shard.num_shards)?;
            let out = output_dir(&inputs)?;
            dedup::steps::signatures(&out, &params, s, max_records(&inputs))?;
            Ok(())
        }
        Some(Step::Buckets(s)) => Ok(dedup::steps::buckets(&s.output, shard(&s)?)?),
        Some(Step::Clusters(s)) => Ok(dedup::steps::clusters(&s.output, shard(&s)?)?),
        Some(Step::Filter(s)) => {
            if dedup::steps::filter(&s.output, shard(&s)?)? {
                report::dedup::write(&s.output)?;
                print_stats(&dedup::read_stats(&s.output)?, &s.output);
            }
            Ok(())
        }
    }
}

fn shard(s: &ShardArgs) -> Result<Shard> {
    Ok(Shard::new(s.index.shard, s.index.num_shards)?)
}

fn max_records(inputs: &InputArgs) -> usize {
    (inputs.memory_mb << 20) / dedup::steps::RECORD_BYTES
}

fn run_all(all: AllArgs, threads: usize) -> Result<()> {
    if all.explain {
        let config = load_config(all.inputs.as_ref().and_then(|i| i.config.as_deref()))?;
        let mut out = std::io::stdout().lock();
        write!(out, "{}", config.explain())?;
        return Ok(());
    }
    let Some(inputs) = all.inputs else {
        bail!("seapile dedup needs --input PATH... and --output DIR (or --explain)");
    };
    let threads = all.threads.unwrap_or(threads);
    let params = params(&inputs, threads)?;
    let output = output_dir(&inputs)?;
    let stats = dedup::run_local(&LocalRun {
        inputs: params.inputs,
        output: output.clone(),
        config: params.config,
        mode: params.mode,
        threads,
        max_records: max_records(&inputs),
        keep_work: all.keep_work,
    })?;
    let card = CardMeta {
        license: all.license,
        pretty_name: all.pretty_name,
        inputs: expand(&inputs.inputs)?,
    };
    write_card(&output, &stats, &card)?;
    report::dedup::write(&output)?;
    print_stats(&stats, &output);
    Ok(())
}

fn output_dir(inputs: &InputArgs) -> Result<PathBuf> {
    inputs
        .output
        .clone()
        .context("seapile dedup needs --output DIR")
}

fn params(inputs: &InputArgs, signature_shards: usize) -> Result<Params> {
    output_dir(inputs)?;
    let mode = match (inputs.exact_only, inputs.near_only) {
        (true, _) => Mode::ExactOnly,
        (_, true) => Mode::NearOnly,
        _ => Mode::Both,
    };
    Ok(Params {
        inputs: expand(&inputs.inputs)?,
        config: load_config(inputs.config.as_deref())?,
        mode,
        signature_shards,
    })
}

fn print_stats(s: &dedup::DedupStats, out: &Path) {
    eprintln!(
        "dedup: {} docs in, {} kept, {} removed ({} exact, {} near); {} clusters of 2+ ({} docs)",
        s.docs_in,
        s.kept,
        s.removed,
        s.exact_duplicates_removed,
        s.near_duplicates_removed,
        s.clusters,
        s.docs_in_clusters
    );
    let mut hist: Vec<(&String, &u64)> = s.cluster_size_histogram.iter().collect();
    hist.sort_by_key(|(k, _)| k.split('-').next().and_then(|n| n.parse::<u32>().ok()));
    for (size, n) in hist {
        eprintln!("  cluster size {size:>9}: {n}");
    }
    if let Some(mb) = s.peak_rss_mb {
        eprintln!("peak memory (VmHWM): {mb:.1} MiB");
    }
    eprintln!(
        "wrote {0}/data/, {0}/clusters.jsonl, {0}/dedup_stats.json, {0}/README.md, {0}/report.html",
        out.display()
    );
}

/// Per-set lines of `seapile eval dedup`.
#[allow(clippy::print_stdout)]
pub fn print_sets(v: &serde_json::Value) {
    println!(
        "signature_docs_per_s {:.0}",
        v["signature_docs_per_s"].as_f64().unwrap_or(0.0)
    );
    if let Some(mb) = v["peak_rss_mb"].as_f64() {
        println!("peak_rss_mb  {mb:.1}");
    }
    println!(
        "\n{:<10} {:>5} {:>9} {:>9} {:>8} {:>9} {:>6} {:>12}",
        "set", "docs", "dup_pairs", "recall", "distinct", "precision", "grey", "grey_merged"
    );
    let sets = v["sets"].as_array().into_iter().flatten();
    for s in sets.chain(std::iter::once(&v["total"])) {
        println!(
            "{:<10} {:>5} {:>9} {:>9.4} {:>8} {:>9.4} {:>6} {:>12}",
            s["name"].as_str().unwrap_or(""),
            s["docs"],
            s["duplicate_pairs"],
            s["recall"].as_f64().unwrap_or(0.0),
            s["distinct_pairs"],
            s["precision"].as_f64().unwrap_or(0.0),
            s["grey_pairs"],
            s["grey_merged"]
        );
    }
}
