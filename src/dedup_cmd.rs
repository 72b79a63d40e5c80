//! `seapile dedup` (all four steps on this machine, or one step as shard `i` of `n`) and
//! `seapile eval dedup`. The design decision: the CLI only resolves paths and parameters;
//! everything that touches documents is in the `dedup` crate, so a Slurm array calling
//! `seapile dedup signatures --shard $SLURM_ARRAY_TASK_ID ...` runs the same code as a laptop.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use dedup::eval::{self, BaseSet, Plan};
use dedup::{LocalRun, MinhashConfig, Mode, Params, Shard};

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
    /// This task's shard, 0-based (e.g. $SLURM_ARRAY_TASK_ID).
    #[arg(long, default_value_t = 0)]
    shard: usize,
    /// How many tasks run this step.
    #[arg(long, default_value_t = 1)]
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
    (inputs.memory_mb << 20) / 24
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
    print_stats(&stats, &output);
    Ok(())
}

/// What the dedup card needs beyond the stats.
struct CardMeta {
    license: String,
    pretty_name: Option<String>,
    inputs: Vec<PathBuf>,
}

/// `OUT/README.md`: the dataset card of a dedup run.
fn write_card(out: &Path, stats: &dedup::DedupStats, meta: &CardMeta) -> Result<()> {
    let card = card_input(out, stats, meta)?;
    let path = out.join("README.md");
    std::fs::write(&path, data_cards::render_dedup(&card))
        .with_context(|| format!("cannot write \"{}\"", path.display()))
}

fn card_input(
    out: &Path,
    stats: &dedup::DedupStats,
    meta: &CardMeta,
) -> Result<data_cards::DedupCardInput> {
    let pretty_name = meta.pretty_name.clone().unwrap_or_else(|| {
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
        format!(
            "{} (deduplicated)",
            name.unwrap_or_else(|| "seapile".into())
        )
    });
    let data = data_files(out)?;
    Ok(data_cards::DedupCardInput {
        pretty_name,
        license: meta.license.clone(),
        languages: kept_languages(&data)?,
        mode: serde_json::to_value(stats.mode)?
            .as_str()
            .unwrap_or_default()
            .to_string(),
        docs_in: stats.docs_in,
        exact_duplicates_removed: stats.exact_duplicates_removed,
        near_duplicates_removed: stats.near_duplicates_removed,
        clusters: stats.clusters,
        docs_in_clusters: stats.docs_in_clusters,
        cluster_size_histogram: stats.cluster_size_histogram.clone(),
        removed: stats.removed,
        kept: stats.kept,
        minhash: (stats.mode != Mode::ExactOnly).then(|| minhash_params(&stats.config)),
        inputs: card_inputs(&meta.inputs)?,
        seapile_version: env!("CARGO_PKG_VERSION").to_string(),
        data_files: data_glob(&data),
    })
}

fn minhash_params(c: &MinhashConfig) -> data_cards::MinhashParams {
    data_cards::MinhashParams {
        ngram: c.ngram,
        bands: c.bands,
        rows: c.rows,
        seed: c.seed,
        verify_threshold: c.verify_threshold,
        s_curve: [0.5, 0.7, 0.8, 0.9]
            .into_iter()
            .map(|j| (j, c.candidate_probability(j)))
            .collect(),
    }
}

/// The files in OUT/data/, sorted.
fn data_files(out: &Path) -> Result<Vec<PathBuf>> {
    let dir = out.join("data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list \"{}\"", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| dedup::rows::Format::of(f).is_ok())
        .collect();
    files.sort();
    Ok(files)
}

/// `data/*.parquet` or `data/*.jsonl` when all files share one format, else `data/*`.
fn data_glob(files: &[PathBuf]) -> String {
    let exts: std::collections::BTreeSet<_> = files
        .iter()
        .filter_map(|f| dedup::rows::Format::of(f).ok().map(|f| f.extension()))
        .collect();
    match exts.iter().next() {
        Some(ext) if exts.len() == 1 => format!("data/*.{ext}"),
        _ => "data/*".to_string(),
    }
}

/// Languages of the kept rows' `lang` column, most documents first; `None` when no file has
/// one.
fn kept_languages(files: &[PathBuf]) -> Result<Option<Vec<String>>> {
    let mut total: std::collections::BTreeMap<String, u64> = Default::default();
    let mut any = false;
    for f in files {
        if let Some(counts) = dedup::rows::value_counts(f, "lang")? {
            any = true;
            for (lang, n) in counts {
                *total.entry(lang).or_insert(0) += n;
            }
        }
    }
    let mut langs: Vec<(String, u64)> = total.into_iter().filter(|(l, _)| l != "und").collect();
    langs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(any.then(|| langs.into_iter().map(|(l, _)| l).collect()))
}

fn card_inputs(inputs: &[PathBuf]) -> Result<Vec<data_cards::InputFile>> {
    inputs
        .iter()
        .map(|p| {
            let bytes = std::fs::metadata(p)
                .with_context(|| format!("cannot read \"{}\"", p.display()))?
                .len();
            let sha256 = data_cards::sha256_file(p)
                .with_context(|| format!("cannot hash \"{}\"", p.display()))?;
            Ok(data_cards::InputFile {
                name: p.display().to_string(),
                bytes,
                sha256: Some(sha256),
            })
        })
        .collect()
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

fn load_config(path: Option<&Path>) -> Result<MinhashConfig> {
    let config = match path {
        None => MinhashConfig::default(),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read dedup config \"{}\"", p.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("invalid dedup config \"{}\"", p.display()))?
        }
    };
    config.validate()?;
    Ok(config)
}

/// Files as given; a folder gives its `.parquet` and `.jsonl` files, sorted by name.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if paths.is_empty() {
        bail!("seapile dedup needs at least one --input PATH");
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot list \"{}\"", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| dedup::rows::Format::of(f).is_ok())
                .collect();
            files.sort();
            if files.is_empty() {
                bail!(
                    "input folder \"{}\" has no .parquet or .jsonl files",
                    p.display()
                );
            }
            out.extend(files);
        } else if p.is_file() {
            dedup::rows::Format::of(p)?;
            out.push(p.clone());
        } else {
            bail!("input \"{}\" does not exist", p.display());
        }
    }
    Ok(out)
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
        "wrote {0}/data/, {0}/clusters.jsonl, {0}/dedup_stats.json, {0}/README.md",
        out.display()
    );
}

/// `seapile eval dedup`: labelled near-duplicate pairs from the UDHR (English, Thai,
/// Chinese) and any `--jsonl` texts; the report as JSON.
pub fn eval(extra: &[PathBuf], config: Option<&Path>) -> Result<serde_json::Value> {
    let config = load_config(config)?;
    let mut sets = Vec::new();
    for (name, stem, joiner) in [
        ("eng", "eng", " "),
        ("tha", "tha", ""),
        ("zho", "cmn_hans", ""),
    ] {
        let path = crate::assets::cache_dir()
            .join("udhr/declaration")
            .join(format!("{stem}.html"));
        let html = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read \"{}\": run `seapile assets fetch`",
                path.display()
            )
        })?;
        sets.push(BaseSet {
            name: name.into(),
            docs: eval::udhr_articles(&html),
            joiner,
        });
    }
    for path in extra {
        sets.push(jsonl_set(path)?);
    }
    let work = tempfile::tempdir()?;
    let report = eval::evaluate(&sets, &config, Plan::default(), work.path())?;
    let mut v = serde_json::to_value(report)?;
    if let (Some(obj), Some(mb)) = (v.as_object_mut(), dedup::peak_rss_mb()) {
        obj.insert("peak_rss_mb".into(), mb.into());
    }
    Ok(v)
}

/// Up to 300 texts of at least 50 words from a JSONL file's `text` field.
fn jsonl_set(path: &Path) -> Result<BaseSet> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read \"{}\"", path.display()))?;
    let docs: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .filter(|t| t.split_whitespace().count() >= 50)
        .take(300)
        .collect();
    if docs.is_empty() {
        bail!("\"{}\" has no `text` of 50 words or more", path.display());
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(BaseSet {
        name,
        docs,
        joiner: " ",
    })
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
