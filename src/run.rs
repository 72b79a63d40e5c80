//! `seapile run`: WARC files in, Parquet (or JSONL) shards, stats and a dataset card out.
//!
//! Wiring only: each input file is a shard; a shard streams its WARC records through the
//! configured stages and writes kept documents to `OUT/data/<shard>.parquet` (and, with
//! `--keep-rejected`, dropped ones with their stage and reason to `OUT/rejected/`). The
//! [`pipeline::ShardRunner`] makes shard outputs atomic and reruns skip completed shards.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use pipeline::config::{OutputFormat, StageConfig};
use pipeline::{
    Chain, Config, Doc, Outcome, RunStats, Shard, ShardOutput, ShardRunner, ShardStats, Stage,
    StageStats,
};
use stages::sink::{open_sink, DocSink};
use stages::warc::{IngestItem, WarcReader};

use crate::{assets, progress::Progress};

/// What the command line says about a run; `None` means "take it from the config".
#[derive(Debug, Default, Clone)]
pub struct RunOverrides {
    pub inputs: Vec<String>,
    pub output: Option<PathBuf>,
    pub keep_rejected: bool,
    pub format: Option<OutputFormat>,
    pub prefix: Option<String>,
}

/// A finished run: where it wrote and what it counted.
pub struct RunReport {
    pub out_dir: PathBuf,
    pub stats: RunStats,
    pub shards: Vec<ShardStats>,
    pub skipped: usize,
    pub threads: usize,
}

/// Merge CLI flags into the config (flags win).
pub fn resolve_config(config: Option<&Path>, o: &RunOverrides) -> Result<Config> {
    let mut config = match config {
        Some(p) => Config::from_file(p)?,
        None => Config::default(),
    };
    if !o.inputs.is_empty() {
        config.input.paths = o.inputs.clone();
    }
    if let Some(prefix) = &o.prefix {
        config.input.prefix = Some(prefix.clone());
    }
    if let Some(out) = &o.output {
        config.output.dir = Some(out.clone());
    }
    if o.keep_rejected {
        config.output.keep_rejected = true;
    }
    if let Some(f) = o.format {
        config.output.format = f;
    }
    if config.input.paths.is_empty() {
        bail!("no input: give --input PATH_OR_GLOB (or [input] paths = [...] in the config)");
    }
    Ok(config)
}

/// Model files the configured stages use, resolved against the asset cache and loaded once
/// (shared by every shard through an `Arc`).
pub struct Models {
    pub langid: Option<(PathBuf, Arc<langid::FastText>)>,
    pub tokenizer: Option<(PathBuf, Arc<stages::tokens::TokenCounter>)>,
    pub quality: Option<Arc<stages::quality::QualityModel>>,
}

impl Models {
    pub fn load(config: &Config) -> Result<Models> {
        let mut models = Models {
            langid: None,
            tokenizer: None,
            quality: None,
        };
        for stage in &config.stages {
            match stage {
                StageConfig::Langid(l) => {
                    let path = match &l.model {
                        Some(p) => existing(p, "stages.langid.model")?,
                        None => assets::require(assets::LID_176)?,
                    };
                    if l.malay_lexicon.is_none() {
                        assets::malay_lexicon()?; // fetched on first use, shared from here on
                    }
                    let model = langid::FastText::load(&path)?;
                    models.langid = Some((path, Arc::new(model)));
                }
                StageConfig::Tokens(t) => {
                    let path = match &t.tokenizer {
                        Some(p) => existing(p, "stages.tokens.tokenizer")?,
                        None => assets::require(assets::LLAMA3_TOKENIZER)?,
                    };
                    let counter = stages::tokens::TokenCounter::load(&path)?;
                    models.tokenizer = Some((path, Arc::new(counter)));
                }
                StageConfig::Quality(q) => {
                    if q.stopwords.is_none() {
                        assets::require(assets::STOPWORDS)?;
                    }
                    let model = stages::quality::QualityModel::load(q)?;
                    models.quality = Some(Arc::new(model));
                }
                StageConfig::Extract(_) | StageConfig::ExactDedup(_) => {}
            }
        }
        Ok(models)
    }

    /// (role, path) pairs for the dataset card.
    pub fn files(&self) -> Vec<(&'static str, &Path)> {
        let mut v = Vec::new();
        if let Some((p, _)) = &self.langid {
            v.push(("language ID (fastText)", p.as_path()));
        }
        if let Some((p, _)) = &self.tokenizer {
            v.push(("token counts (tokenizer.json)", p.as_path()));
        }
        v
    }
}

fn existing(path: &Path, field: &str) -> Result<PathBuf> {
    if path.exists() {
        Ok(path.to_path_buf())
    } else {
        bail!("{field} = \"{}\": no such file", path.display())
    }
}

/// Build the runtime stages (cheap: models are shared) from the validated config.
pub fn build_stages(config: &Config, models: &Models) -> Result<Vec<Box<dyn Stage>>> {
    let mut out: Vec<Box<dyn Stage>> = Vec::new();
    for stage in &config.stages {
        match stage {
            StageConfig::Extract(c) => out.push(Box::new(stages::extract::ExtractStage::build(c)?)),
            StageConfig::ExactDedup(c) => out.push(Box::new(dedup::ExactDedupStage::build(c))),
            StageConfig::Langid(c) => {
                let (_, model) = models.langid.as_ref().expect("loaded with the config");
                out.push(Box::new(langid::LangidStage::with_model(c, model.clone())?))
            }
            StageConfig::Quality(_) => {
                let model = models.quality.as_ref().expect("loaded with the config");
                out.push(Box::new(stages::quality::QualityStage::with_model(
                    model.clone(),
                )))
            }
            StageConfig::Tokens(_) => {
                let (_, counter) = models.tokenizer.as_ref().expect("loaded with the config");
                out.push(Box::new(stages::tokens::TokensStage::with_counter(
                    counter.clone(),
                )))
            }
        }
    }
    Ok(out)
}

fn ext(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Parquet => "parquet",
        OutputFormat::Jsonl => "jsonl",
    }
}

/// Which shards of the input list this process runs (`--shard i --num-shards n`): shard `k`
/// belongs to task `k % n == i`. With `finalize`, none run: only the card and merged stats
/// are written, and only if every shard is complete.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    pub index: usize,
    pub num: usize,
    pub finalize: bool,
}

impl Part {
    pub const ALL: Part = Part {
        index: 0,
        num: 1,
        finalize: false,
    };

    fn owns(&self, shard: usize) -> bool {
        !self.finalize && shard % self.num.max(1) == self.index
    }
}

/// What one task of a sharded run achieved: the whole run's report when every shard is
/// complete (this task wrote the card), else how far the run is.
pub enum PartResult {
    Complete(RunReport),
    Incomplete {
        ran: usize,
        complete: usize,
        total: usize,
    },
}

/// Run the pipeline over every input shard; returns merged stats.
pub fn run(config: &Config, threads: usize, show_progress: bool) -> Result<RunReport> {
    match run_part(config, threads, show_progress, Part::ALL)? {
        PartResult::Complete(report) => Ok(report),
        PartResult::Incomplete {
            complete, total, ..
        } => bail!("only {complete} of {total} shards are complete; rerun to finish"),
    }
}

/// Run this task's shards; whichever task finds every shard complete writes the card and
/// the merged stats (or a later `--finalize` does).
pub fn run_part(
    config: &Config,
    threads: usize,
    show_progress: bool,
    part: Part,
) -> Result<PartResult> {
    if part.num == 0 {
        bail!("--num-shards 0: need at least one task");
    }
    if part.index >= part.num {
        bail!(
            "--shard {} is not below --num-shards {}",
            part.index,
            part.num
        );
    }
    let out_spec = config
        .output
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("out/run"));
    let remote = crate::remote::RemoteOut::parse(&out_spec);
    let out_dir = remote.as_ref().map_or(out_spec, |r| r.staging.clone());
    let inputs = stages::warc::expand_inputs(&config.input.paths, config.input.prefix.as_deref())?;
    if inputs.is_empty() {
        bail!("the inputs {:?} name no file", config.input.paths);
    }
    let models = Models::load(config)?;
    // Build once up front so a bad model or config fails before any shard starts.
    build_stages(config, &models)?;
    let shards: Vec<Shard> = inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| Shard { index, input })
        .collect();
    let mine: Vec<Shard> = shards
        .iter()
        .filter(|s| part.owns(s.index))
        .cloned()
        .collect();
    let progress = Progress::new(mine.len() as u64, show_progress);
    let mut runner = ShardRunner::new(&out_dir, threads);
    if let Some(r) = &remote {
        r.sync_markers()?;
        runner = runner.with_publish(r.publisher());
    }
    let docs = Arc::new(AtomicU64::new(0));
    let outcome = runner.run(&mine, |shard, out| {
        let r = run_shard(config, &models, shard, out, &docs, &progress);
        progress.shard_done(&shard.name(), &shard.input, r.as_ref().ok());
        r
    })?;
    progress.finish();
    if crate::signals::stop_requested() {
        bail!(
            "stopped by a signal: {} shards completed and kept, unfinished ones discarded; \
             rerun the same command to resume",
            outcome.stats.len()
        );
    }
    if !outcome.errors.is_empty() {
        let msgs: Vec<String> = outcome.errors.iter().map(|e| e.to_string()).collect();
        bail!(
            "{} of {} shards failed (completed shards are kept; rerun to retry):\n  {}",
            outcome.errors.len(),
            shards.len(),
            msgs.join("\n  ")
        );
    }
    let mut shard_stats: Vec<ShardStats> =
        shards.iter().filter_map(|s| runner.completed(s)).collect();
    if shard_stats.len() < shards.len() {
        if part.finalize {
            let missing: Vec<String> = shards
                .iter()
                .filter(|s| runner.completed(s).is_none())
                .map(|s| s.name())
                .collect();
            bail!(
                "cannot finalize: shards not complete: {}",
                missing.join(", ")
            );
        }
        return Ok(PartResult::Incomplete {
            ran: outcome.stats.len() - outcome.skipped,
            complete: shard_stats.len(),
            total: shards.len(),
        });
    }
    shard_stats.sort_by(|a, b| a.shard.cmp(&b.shard));
    let mut stats = RunStats::from_shards(&shard_stats);
    stats.wall_seconds = outcome.wall_seconds;
    let report = RunReport {
        out_dir,
        stats,
        shards: shard_stats,
        skipped: outcome.skipped,
        threads,
    };
    crate::card::write_outputs(config, &models, &report)?;
    if let Some(r) = &remote {
        r.upload_final()?;
    }
    Ok(PartResult::Complete(report))
}

fn run_shard(
    config: &Config,
    models: &Models,
    shard: &Shard,
    out: &mut ShardOutput,
    docs: &AtomicU64,
    progress: &Progress,
) -> Result<ShardStats> {
    let name = shard.name();
    let format = config.output.format;
    let reader = stages::warc::open_input(&shard.input)?;
    let source = source_label(&shard.input);
    let max = config.input.max_record_bytes.unwrap_or(16 << 20);
    let records = WarcReader::new(reader, &source, max);
    let mut chain = Chain::new(build_stages(config, models)?);
    let data_path = out.file(&format!("data/{name}.{}", ext(format)))?;
    let mut sink = open_sink(&data_path, format, false)?;
    let mut rejected: Option<Box<dyn DocSink + Send>> = if config.output.keep_rejected {
        let p = out.file(&format!("rejected/{name}.{}", ext(format)))?;
        Some(open_sink(&p, format, true)?)
    } else {
        None
    };
    let mut ingest = StageStats::new("ingest");
    let mut stats = ShardStats::default();
    for item in records {
        if crate::signals::stop_requested() {
            bail!("stopped by a signal");
        }
        let item = item.with_context(|| format!("reading \"{}\"", shard.input))?;
        match item {
            IngestItem::Dropped { id, url, reason } => {
                ingest.drop(reason);
                if let Some(r) = rejected.as_mut() {
                    let mut doc = Doc {
                        id,
                        url,
                        source: source.clone(),
                        ..Doc::default()
                    };
                    mark_rejected(&mut doc, "ingest", reason);
                    r.write(&doc)?;
                }
            }
            IngestItem::Page(mut doc) => {
                ingest.keep();
                doc.source = source.clone();
                let (outcome, dropped_by) = chain.process(doc)?;
                match outcome {
                    Outcome::Keep(doc) => {
                        let l = stats
                            .langs
                            .entry(doc.lang.clone().unwrap_or_else(|| "und".into()))
                            .or_default();
                        l.docs += 1;
                        l.tokens += u64::from(doc.tokens.unwrap_or(0));
                        l.chars += doc.text.chars().count() as u64;
                        l.words += word_count(&doc);
                        stats.docs_out += 1;
                        sink.write(&doc)?;
                    }
                    Outcome::Drop { mut doc, reason } => {
                        if let Some(r) = rejected.as_mut() {
                            doc.html = None;
                            mark_rejected(&mut doc, dropped_by.unwrap_or("stage"), reason);
                            r.write(&doc)?;
                        }
                    }
                }
                docs.fetch_add(1, Ordering::Relaxed);
                progress.doc();
            }
        }
    }
    sink.finish()?;
    if let Some(r) = rejected {
        r.finish()?;
    }
    stats.bytes_in = input_size(&shard.input);
    stats.stages = std::iter::once(ingest).chain(chain.finish()?).collect();
    Ok(stats)
}

/// Words of a kept document: the quality stage's count when it ran, else the segmenter's.
fn word_count(doc: &Doc) -> u64 {
    match doc.attrs.get("gopher.word_count") {
        Some(&w) if w >= 0.0 => w as u64,
        _ => segment::word_count(&doc.text) as u64,
    }
}

fn mark_rejected(doc: &mut Doc, stage: &str, reason: &str) {
    doc.meta.insert("drop_stage".into(), stage.into());
    doc.meta.insert("drop_reason".into(), reason.into());
}

/// A short, stable label for an input: its file name.
pub fn source_label(input: &str) -> String {
    input
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(input)
        .to_string()
}

fn input_size(input: &str) -> u64 {
    std::fs::metadata(input).map(|m| m.len()).unwrap_or(0)
}
