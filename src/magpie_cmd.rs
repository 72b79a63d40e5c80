//! `seapile magpie`: SEA instruction pairs, Magpie-style (see the `synth` crate).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use synth::engine::Engine;
use synth::magpie::{EngineKind, MagpieConfig, Run};
use synth::template::ChatTemplate;

use crate::assets;

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

pub fn run(args: &MagpieArgs) -> Result<()> {
    let mut config = config(args)?;
    let progress = |line: &str| eprintln!("{line}");
    let (engine, template): (Box<dyn Engine>, ChatTemplate) = match config.engine {
        EngineKind::Local => {
            if config.model.is_empty() {
                let cache = assets::cache_dir();
                if !cache.join(assets::QWEN_GGUF).exists() {
                    eprintln!(
                        "[magpie] fetching the default model (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, 491 MB) into {}",
                        cache.display()
                    );
                }
                config.model = assets::assemble_qwen(&cache)?.display().to_string();
            }
            let template = template_for(&config, Some(&config.model))?;
            (local_engine(&config)?, template)
        }
        EngineKind::Openai => {
            if config.template.is_empty() {
                bail!(
                    "the OpenAI engine needs the served model's chat template: \
                     --template tokenizer_config.json (or the model's .gguf)"
                );
            }
            let template = template_for(&config, None)?;
            let engine =
                synth::openai::OpenAiEngine::connect(config.openai.clone(), &template.bos_token)?;
            if config.model.is_empty() {
                config.model = engine.model().to_string();
            }
            (Box::new(engine) as Box<dyn Engine>, template)
        }
    };
    let lid = langid::FastText::load(assets::require(assets::LID_176)?)?;
    let langid = langid::SeaLangid::new(Arc::new(lid), assets::malay_lexicon()?);
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

fn template_for(config: &MagpieConfig, gguf: Option<&str>) -> Result<ChatTemplate> {
    let path = if config.template.is_empty() {
        PathBuf::from(gguf.unwrap_or_default())
    } else {
        PathBuf::from(&config.template)
    };
    Ok(ChatTemplate::from_path(&path)?.with_vars(config.template_vars.clone()))
}

#[cfg(feature = "local")]
fn local_engine(config: &MagpieConfig) -> Result<Box<dyn Engine>> {
    let mut opts = synth::local::LocalOptions {
        n_ctx: config.local.n_ctx,
        batch: config.local.batch.max(1),
        ..Default::default()
    };
    if config.local.threads > 0 {
        opts.threads = config.local.threads;
    }
    let path = PathBuf::from(&config.model);
    Ok(Box::new(synth::local::LocalEngine::load(&path, opts)?))
}

#[cfg(not(feature = "local"))]
fn local_engine(_config: &MagpieConfig) -> Result<Box<dyn Engine>> {
    bail!(
        "this seapile was built without the in-process engine: build it with `--features local` \
         (it compiles llama.cpp and needs cmake, clang and libclang-dev), or use \
         `--engine openai --base-url URL` with a running server"
    )
}
