//! `seapile magpie`: SEA instruction pairs, Magpie-style (see the `synth` crate).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use synth::magpie::{EngineKind, MagpieConfig, Run};

#[derive(Clone, Copy, ValueEnum)]
pub enum EngineArg {
    /// In-process llama.cpp on the CPU (a GGUF model).
    Local,
    /// An OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp's server) by URL.
    Openai,
}

#[derive(Args)]
pub struct MagpieArgs {
    /// TOML config (see configs/magpie-sea.toml); flags override it.
    pub config: Option<PathBuf>,
    /// `local` (in-process llama.cpp on a GGUF) or `openai` (an OpenAI-compatible server).
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// GGUF path (local engine; default: Qwen2.5-Coder-0.5B-Instruct, fetched on first use) or
    /// the served model name (OpenAI engine; default: the first the server lists).
    #[arg(long)]
    pub model: Option<String>,
    /// tokenizer_config.json or .gguf whose chat template to use (default: the GGUF's own).
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// OpenAI-compatible server, e.g. http://localhost:8000/v1.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Languages (ISO 639-3), equal shares, or with shares: `ind:0.3,vie:0.2,tha:0.5`.
    #[arg(long)]
    pub langs: Option<String>,
    /// Samples in all (instruction attempts; kept pairs are fewer).
    #[arg(long)]
    pub n: Option<usize>,
    /// Seed of the sampling and the language quotas (same seed, same set).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Requests in flight (OpenAI engine).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// CPU threads (local engine; default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also write data/*.jsonl.
    #[arg(long)]
    pub jsonl: bool,
    /// Add a ShareGPT `conversations` column.
    #[arg(long)]
    pub sharegpt: bool,
    /// Output folder (data/, rejected/, stats.json, the card, the request cache).
    #[arg(long, short, default_value = "out/magpie")]
    pub output: PathBuf,
    /// No progress lines.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_langs(s: &str) -> Result<Vec<(String, f64)>> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_once(':') {
            Some((code, share)) => Ok((
                code.to_string(),
                share
                    .parse()
                    .with_context(|| format!("bad share in --langs entry {t:?}"))?,
            )),
            None => Ok((t.to_string(), 1.0)),
        })
        .collect()
}

/// The config after flags.
pub fn config(args: &MagpieArgs) -> Result<MagpieConfig> {
    let mut c = match &args.config {
        Some(path) => MagpieConfig::from_toml(
            &std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )
        .with_context(|| format!("in {}", path.display()))?,
        None => MagpieConfig::default(),
    };
    if let Some(e) = args.engine {
        c.engine = match e {
            EngineArg::Local => EngineKind::Local,
            EngineArg::Openai => EngineKind::Openai,
        };
    }
    if let Some(m) = &args.model {
        c.model = m.clone();
    }
    if let Some(t) = &args.template {
        c.template = t.display().to_string();
    }
    if let Some(u) = &args.base_url {
        c.openai.base_url = u.clone();
    }
    if let Some(l) = &args.langs {
        c.languages = parse_langs(l)?.into_iter().collect();
    }
    if let Some(n) = args.n {
        c.n = n;
    }
    if let Some(s) = args.seed {
        c.seed = s;
    }
    if let Some(k) = args.concurrency {
        c.openai.concurrency = k.max(1);
    }
    if let Some(t) = args.threads {
        c.local.threads = t;
    }
    c.output.jsonl |= args.jsonl;
    c.output.sharegpt |= args.sharegpt;
    c.quotas()?;
    Ok(c)
}

pub fn run(args: &MagpieArgs, assets_cache: &assets::Cache) -> Result<()> {
    let mut config = config(args)?;
    let progress = |line: &str| eprintln!("{line}");
    if config.engine == EngineKind::Local && config.model.is_empty() {
        if !assets_cache.root().join(assets::QWEN_GGUF).exists() {
            eprintln!(
                "[magpie] fetching the default model (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, 491 MB) into {}",
                assets_cache.root().display()
            );
        }
        config.model = assets_cache.assemble_qwen()?.display().to_string();
    }
    let (engine, template) = synth::setup::engine(&mut config)?;
    crate::ensure_lexicon(assets_cache)?;
    let langid = crate::commands::sea_langid(None, &assets_cache.assets())?;
    let mut cache = synth::magpie::open_cache(&args.output)?;
    if !args.quiet {
        eprintln!(
            "[magpie] {} samples with {} ({} cached requests{})",
            config.n,
            engine.model(),
            cache.len(),
            if cache.torn_lines > 0 {
                format!(", {} torn batch lines ignored", cache.torn_lines)
            } else {
                String::new()
            }
        );
    }
    let run = Run {
        config: &config,
        engine: engine.as_ref(),
        template: &template,
        langid: &langid,
        progress: if args.quiet { None } else { Some(&progress) },
    };
    let (pairs, report) = run.execute(&mut cache)?;
    synth::output::write_all(&args.output, &config, &pairs, &report)?;
    eprintln!(
        "[magpie] kept {} of {} pairs -> {} ({} requests sent, {} from the cache, {:.1} tok/s)",
        report.kept,
        report.samples,
        args.output.display(),
        report.requests_sent,
        report.cache_hits,
        if report.generation_seconds > 0.0 {
            report.generated_tokens as f64 / report.generation_seconds
        } else {
            0.0
        }
    );
    for (code, r) in &report.per_language {
        let drops: Vec<String> = r.dropped.iter().map(|(k, v)| format!("{k} {v}")).collect();
        eprintln!(
            "  {code}: {}/{} kept ({:.0}%){}{}",
            r.kept,
            r.samples,
            r.keep_rate() * 100.0,
            if drops.is_empty() { "" } else { "; dropped: " },
            drops.join(", ")
        );
    }
    Ok(())
}
