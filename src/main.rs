//! The `seapile` command line: parses arguments, calls the library crates (a run is
//! `run::Run`, a global pass is `dedup`/`mixes`/`synth`), prints, and sets the exit code.

mod cli;
mod commands;
mod decontam_cmd;
mod dedup_cmd;
mod magpie_cmd;
mod progress;
mod summary;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use clap::Parser;
use cli::{AssetsCommand, BenchKind, Cli, Command, EvalCommand, LogFormat, MixCommand};

/// Raised by SIGINT/SIGTERM: shards stop between records (see [`install_signals`]).
static STOP: AtomicBool = AtomicBool::new(false);

fn main() {
    let cli = Cli::parse();
    progress::set_json_log(cli.log_format == LogFormat::Json);
    if let Err(e) = real_main(cli) {
        let message = error_chain(e.as_ref());
        if progress::json_log() {
            progress::log_event("error", serde_json::json!({ "message": message }));
        } else {
            eprintln!("error: {message}");
        }
        std::process::exit(1);
    }
}

/// The error and its causes, `: `-joined, each cause left out when its text is already said.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = s.source();
    }
    message
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The asset cache: `$SEAPILE_CACHE`, else `~/.cache/seapile`; `pip` through `$PYTHON`.
fn cache() -> assets::Cache {
    let root = match std::env::var_os("SEAPILE_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| ".".into()))
            .join(".cache/seapile"),
    };
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    assets::Cache::new(root, python)
}

/// The word lists language ID needs (wordfreq, Javanese roots, CLDR's Javanese words),
/// fetched on first use when a cache filled before they were an asset lacks them.
fn ensure_lexicon(cache: &assets::Cache) -> Result<()> {
    for name in ["wordfreq-ms-id", "javanese-roots", "cldr-jv"] {
        let asset = assets::by_name(name).context("the word-list asset is listed")?;
        if !cache.is_cached(asset) {
            eprintln!("[assets] fetching {} ({})", asset.name, asset.package);
        }
        cache.ensure(asset)?;
    }
    Ok(())
}

/// SIGINT/SIGTERM: the first signal only raises [`STOP`], which shards check between
/// records, so the current shards are abandoned (their temporary files never reach the
/// output) and the run exits non-zero; a second signal exits at once. Either way a rerun
/// resumes, because only completed shards are ever in place.
fn install_signals() -> Result<()> {
    ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            eprintln!("seapile: second signal, exiting now");
            std::process::exit(130);
        }
        eprintln!("seapile: signal received, abandoning unfinished shards");
    })?;
    Ok(())
}

/// A run of `config` with this process's flags.
fn run_with<'a>(
    assets: &'a pipeline::Assets,
    cache: &assets::Cache,
    threads: usize,
    part: run::Part,
    observer: &'a dyn run::Observer,
) -> run::Run<'a> {
    let staging = std::env::var_os("SEAPILE_STAGING")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.root().join("staging"));
    run::Run {
        assets,
        threads,
        part,
        staging,
        observer,
        stop: &STOP,
    }
}

#[allow(clippy::print_stdout)]
fn real_main(cli: Cli) -> Result<()> {
    let stdout = std::io::stdout();
    let cache = cache();
    match cli.command {
        Command::Run(a) => {
            let overrides = run::RunOverrides {
                inputs: a.inputs,
                output: a.output,
                keep_rejected: a.keep_rejected,
                format: a.format,
                prefix: a.prefix,
                layout: a.layout,
                schema: a.schema,
            };
            let config = run::resolve_config(a.config.as_deref(), &overrides)?;
            for w in &config.warnings {
                eprintln!("warning: {w}");
            }
            if config
                .stages
                .iter()
                .any(|s| matches!(s, run::StageConfig::Langid(l) if l.malay_lexicon.is_none()))
            {
                ensure_lexicon(&cache)?;
            }
            install_signals()?;
            let part = run::Part {
                index: a.task,
                num: a.tasks,
                finalize: a.finalize,
            };
            let progress = progress::Progress::new(!a.quiet);
            let assets = cache.assets();
            let threads = a.threads.unwrap_or_else(default_threads);
            let result = run_with(&assets, &cache, threads, part, &progress).part(&config)?;
            summary::part_done(&result, &a.task, a.tasks);
        }
        Command::Ingest { inputs, prefix } => {
            let stats = commands::ingest(&inputs, prefix.as_deref(), &mut stdout.lock())?;
            eprintln!("{}", serde_json::to_string(&stats)?);
        }
        Command::Extract {
            mut inputs,
            paths,
            favor,
        } => {
            inputs.extend(paths);
            let options = stages::extract::Options { favor };
            commands::extract(&inputs, &options, &mut stdout.lock())?
        }
        Command::Langid { input, model } => {
            ensure_lexicon(&cache)?;
            let sea = commands::sea_langid(model, &cache.assets())?;
            match input {
                Some(path) => {
                    let file = std::fs::File::open(&path)
                        .with_context(|| format!("cannot open \"{}\"", path.display()))?;
                    let mut lines = std::io::BufReader::new(file);
                    commands::langid(&sea, &mut lines, &mut stdout.lock())?;
                }
                None => commands::langid(&sea, &mut std::io::stdin().lock(), &mut stdout.lock())?,
            }
        }
        Command::Tokens {
            input,
            field,
            tokenizer,
        } => {
            let config = stages::tokens::TokensConfig { tokenizer };
            let counter = config.stage(&cache.assets())?;
            commands::tokens(&input, &field, &counter, &mut stdout.lock())?;
        }
        Command::Eval(EvalCommand::Extraction {
            aeb,
            wcxb,
            json,
            favor,
        }) => {
            let options = stages::extract::Options { favor };
            let keys = ["pages", "precision", "recall", "f1", "docs_per_s"];
            if let Some(aeb) = aeb {
                let v = serde_json::to_value(stages::extract::aeb::evaluate_with(&aeb, &options)?)?;
                commands::print_eval(&v, json, &keys)?;
            }
            if let Some(wcxb) = wcxb {
                let report = stages::extract::wcxb::evaluate(&wcxb, &options)?;
                let v = serde_json::to_value(&report)?;
                commands::print_eval(&v, json, &keys)?;
                if !json {
                    print!("{}", report.table());
                }
            }
        }
        Command::Eval(EvalCommand::Langid {
            udhr: Some(dir),
            json,
            model,
            ..
        }) => {
            ensure_lexicon(&cache)?;
            let config = langid::LangidConfig {
                model,
                ..Default::default()
            };
            let stage = config.stage(&cache.assets())?;
            let pages = langid::eval::read_udhr(&dir)?;
            let report = langid::eval::udhr_report(
                &pages,
                |t| {
                    let id = stage.langid().identify(t);
                    (id.lang, id.score)
                },
                |lang, score| stage.keeps(lang, score),
            );
            let v = serde_json::to_value(&report)?;
            commands::print_eval(
                &v,
                json,
                &[
                    "other_accepted_mean",
                    "other_above_30pct",
                    "sea_recall_mean",
                    "sentences_per_s",
                ],
            )?;
            if !json {
                print!("{}", report.tables());
            }
        }
        Command::Eval(EvalCommand::Langid {
            tsv: Some(tsv),
            json,
            model,
            ..
        }) => {
            ensure_lexicon(&cache)?;
            let sea = commands::sea_langid(model, &cache.assets())?;
            let lines = langid::eval::read_tsv_with_sources(&tsv)?;
            let report = langid::eval::report(&sea, &lines);
            let v = serde_json::to_value(&report)?;
            commands::print_eval(&v, json, &["lines", "accuracy", "macro_f1", "lines_per_s"])?;
            if !json {
                print!("{}", report.tables());
            }
        }
        Command::Eval(EvalCommand::Decontam(args)) => {
            decontam_cmd::eval(args, &cache.assets())?;
        }
        Command::Eval(EvalCommand::Langid { .. }) => {
            anyhow::bail!("eval langid needs --tsv FILE or --udhr DIR")
        }
        Command::Eval(EvalCommand::Dedup {
            json,
            jsonl,
            config,
        }) => {
            let config = dedup::job::load_config(config.as_deref())?;
            let report = dedup::job::eval_udhr(&cache.assets(), &jsonl, &config)?;
            let mut v = serde_json::to_value(report)?;
            if let (Some(obj), Some(mb)) = (v.as_object_mut(), dedup::peak_rss_mb()) {
                obj.insert("peak_rss_mb".into(), mb.into());
            }
            commands::print_eval(&v, json, &["recall", "precision", "docs_per_s"])?;
            if !json {
                dedup_cmd::print_sets(&v);
            }
        }
        Command::Assets(AssetsCommand::Fetch { all }) => {
            let upto = if all {
                assets::Need::OnDemand
            } else {
                assets::Need::Tests
            };
            for line in cache.fetch_all(upto)? {
                eprintln!("{line}");
            }
            eprintln!("assets in {}", cache.root().display());
        }
        Command::Assets(AssetsCommand::List) => {
            for a in assets::ASSETS {
                let state = if cache.is_cached(a) {
                    "cached "
                } else {
                    "missing"
                };
                println!("{:<18} {state} {:<32} {}", a.name, a.package, a.what);
            }
            println!("cache: {}", cache.root().display());
        }
        Command::Demo { output, threads } => {
            for line in cache.fetch_all(assets::Need::Core)? {
                eprintln!("{line}");
            }
            let assets = cache.assets();
            let inputs = run::demo::build_inputs(&assets, &cache.root().join("demo"))?;
            let overrides = run::RunOverrides {
                inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
                output: Some(output),
                keep_rejected: true,
                ..Default::default()
            };
            let mut config = run::resolve_config(None, &overrides)?;
            config.output.pretty_name = Some(run::demo::PRETTY_NAME.into());
            let progress = progress::Progress::new(true);
            let threads = threads.unwrap_or_else(default_threads);
            let report =
                run_with(&assets, &cache, threads, run::Part::ALL, &progress).all(&config)?;
            eprint!("{}", summary::render(&report));
        }
        Command::Bench(args) => bench(args, &cache)?,
        Command::Dedup(args) => dedup_cmd::run(args, default_threads())?,
        Command::Decontam(args) => decontam_cmd::run(args, default_threads())?,
        Command::Slurm(args) => {
            let (args, notes) = args.resolve()?;
            notes.iter().for_each(|n| eprintln!("{n}"));
            let exe = std::env::current_exe().context("locating the seapile binary")?;
            for line in run::launch::slurm(&args, &exe)? {
                println!("{line}");
            }
        }
        Command::K8s(args) => {
            let (args, notes) = args.resolve()?;
            notes.iter().for_each(|n| eprintln!("{n}"));
            println!("{}", run::launch::k8s(&args)?.display());
        }
        Command::Magpie(args) => magpie_cmd::run(&args, &cache)?,
        Command::Mix(MixCommand::Plan {
            config,
            json,
            compare,
        }) => {
            let configs: Vec<PathBuf> = config.into_iter().chain(compare).collect();
            commands::mix_plan(&configs, json, &cache.assets(), &mut stdout.lock())?;
        }
        Command::Mix(MixCommand::Write {
            config,
            output,
            seed,
            shard_rows,
        }) => {
            let options = mixes::WriteOptions {
                seed,
                shard_rows: shard_rows.max(1),
                ..Default::default()
            };
            commands::mix_write(
                &config,
                &output,
                &options,
                &cache.assets(),
                &mut stdout.lock(),
            )?;
        }
        Command::Reasons { markdown } => commands::reasons(markdown, &mut stdout.lock())?,
        Command::Report { output } => {
            let (kind, bytes) = report::write_for(&output)?;
            eprintln!(
                "wrote {} ({kind:?} report, {} KiB)",
                output.join("report.html").display(),
                bytes.div_ceil(1024)
            );
        }
    }
    std::io::stdout().flush()?;
    Ok(())
}

/// `seapile bench [magpie|langid]`: the report as pretty JSON on stdout.
#[allow(clippy::print_stdout)]
fn bench(args: cli::BenchArgs, cache: &assets::Cache) -> Result<()> {
    let peers = bench::peers_dir(args.peers.as_deref());
    if peers.is_none() {
        eprintln!("peers harness not found: reporting seapile alone");
    }
    let report = match args.kind {
        Some(BenchKind::Magpie(flags)) => {
            let server = std::env::var_os("SEAPILE_LLAMA_SERVER")
                .map(PathBuf::from)
                .unwrap_or_else(|| cache.root().join("llama-server/bin/llama-server"));
            let model = || Ok(cache.assets().require(assets::SMOLLM2_GGUF)?);
            let args = flags.resolve(model, server, cache.root().join("bench/magpie"))?;
            bench::magpie::run(&args)?
        }
        Some(BenchKind::Tokens { tokenizer, rounds }) => {
            let path = stages::tokens::resolve(&tokenizer, &cache.assets())?;
            let udhr = cache.root().join(assets::UDHR_DIR);
            let texts = bench::tokens::texts(Path::new("../shared/eval"), &udhr)?;
            bench::tokens::run(&path, &texts, rounds)?
        }
        Some(BenchKind::Langid { tsv }) => {
            ensure_lexicon(cache)?;
            let tsv = tsv.unwrap_or_else(|| PathBuf::from("../shared/eval/langid/dev.tsv"));
            let sea = commands::sea_langid(None, &cache.assets())?;
            bench::langid::run(&sea, &tsv, peers.as_deref())?
        }
        None => {
            ensure_lexicon(cache)?;
            let opts = bench::whole::WholeOptions {
                warcs: args.warc,
                peers,
                against: args.against,
                threads: args.threads,
                work: cache.root().join("bench"),
                pages: args.pages,
            };
            let report = bench::whole::run(&opts, &cache.assets())?;
            eprint!("{}", bench::whole::table(&report));
            report
        }
    };
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
