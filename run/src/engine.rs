//! A run: inputs → shards → the stage chain → sinks → stats → card → upload.
//!
//! Each input file is a shard; a shard streams its WARC records through a fork of the chain
//! built once for the run, writing kept documents to `OUT/data/<shard>.<ext>` (and, with
//! `keep_rejected`, dropped ones with their stage and reason to `OUT/rejected/`). The
//! [`ShardRunner`] makes shard outputs atomic; reruns skip completed shards; `--shard i
//! --num-shards n` runs one task's share, and whichever task finds every shard complete (or
//! `--finalize`) writes the merged stats and the card.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use docs_io::{open_sink, DocSink};
use pipeline::{
    Assets, Chain, Doc, Outcome, RunStats, Shard, ShardOutput, ShardRunner, ShardStats, StageStats,
};
use stages::warc::{IngestItem, WarcReader};

use crate::remote::RemoteOut;
use crate::{Config, RunError};

/// What a run reports as it goes (a progress bar, JSON log lines); every method has a
/// default that does nothing.
pub trait Observer: Sync {
    /// The run starts `shards` shards in this process.
    fn run_start(&self, _shards: usize) {}
    /// One HTML document went through the stages.
    fn doc(&self) {}
    /// A shard finished: its stats when it completed, `None` when it failed.
    fn shard_done(&self, _name: &str, _input: &str, _stats: Option<&ShardStats>) {}
    /// No more shards will run here.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// Which shards of the input list this process runs (`--shard i --num-shards n`): shard `k`
/// belongs to task `k % n == i`. With `finalize`, none run: only the card and merged stats
/// are written, and only if every shard is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// How to run (flags, not config): everything a run needs besides its [`Config`].
pub struct Run<'a> {
    /// The asset cache the stages are built from.
    pub assets: &'a Assets,
    /// Shards run in parallel on this many threads.
    pub threads: usize,
    pub part: Part,
    /// Where shards of an object-store output are staged before upload.
    pub staging: PathBuf,
    pub observer: &'a dyn Observer,
    /// Raised (e.g. by a signal handler) to stop between records: unfinished shards are
    /// abandoned, completed ones kept.
    pub stop: &'a AtomicBool,
}

/// A finished run: where it wrote and what it counted.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub out_dir: PathBuf,
    pub stats: RunStats,
    pub shards: Vec<ShardStats>,
    pub skipped: usize,
    pub threads: usize,
}

/// What one task of a sharded run achieved: the whole run's report when every shard is
/// complete (this task wrote the card), else how far the run is.
#[derive(Debug)]
pub enum PartResult {
    Complete(RunReport),
    Incomplete {
        ran: usize,
        complete: usize,
        total: usize,
    },
}

/// The output folder of a config (default `out/run`).
pub fn output_spec(config: &Config) -> PathBuf {
    config
        .output
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("out/run"))
}

impl Run<'_> {
    /// Run every shard; the merged report.
    pub fn all(&self, config: &Config) -> Result<RunReport, RunError> {
        match self.part(config)? {
            PartResult::Complete(report) => Ok(report),
            PartResult::Incomplete {
                complete, total, ..
            } => Err(RunError::Incomplete { complete, total }),
        }
    }

    /// Run this task's shards; whichever task finds every shard complete writes the card and
    /// the merged stats (or a later `--finalize` does).
    pub fn part(&self, config: &Config) -> Result<PartResult, RunError> {
        let part = self.part;
        if part.num == 0 {
            return Err(RunError::NoTasks);
        }
        if part.index >= part.num {
            return Err(RunError::BadPart {
                index: part.index,
                num: part.num,
            });
        }
        let out_spec = output_spec(config);
        let remote = RemoteOut::parse(&out_spec, &self.staging);
        let out_dir = remote.as_ref().map_or(out_spec, |r| r.staging.clone());
        let inputs =
            stages::warc::expand_inputs(&config.input.paths, config.input.prefix.as_deref())?;
        if inputs.is_empty() {
            return Err(RunError::NoInput(config.input.paths.clone()));
        }
        // Built once, before any shard: a bad model or config fails here.
        let chain = crate::registry::build_chain(config, self.assets)?;
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
        self.observer.run_start(mine.len());
        let mut runner = ShardRunner::new(&out_dir, self.threads);
        if let Some(r) = &remote {
            r.sync_markers()?;
            runner = runner.with_publish(r.publisher());
        }
        let outcome = runner
            .run(&mine, |shard, out| {
                let r = self.shard(config, &chain, shard, out);
                self.observer
                    .shard_done(&shard.name(), &shard.input, r.as_ref().ok());
                r
            })
            .map_err(|e| RunError::io(&out_dir, e))?;
        self.observer.finish();
        if self.stop.load(Ordering::SeqCst) {
            return Err(RunError::Stopped {
                completed: outcome.stats.len(),
            });
        }
        if !outcome.errors.is_empty() {
            return Err(RunError::ShardsFailed {
                failed: outcome.errors.len(),
                total: shards.len(),
                messages: outcome.errors.iter().map(|e| e.to_string()).collect(),
            });
        }
        let mut shard_stats: Vec<ShardStats> =
            shards.iter().filter_map(|s| runner.completed(s)).collect();
        if shard_stats.len() < shards.len() {
            if part.finalize {
                let missing = shards
                    .iter()
                    .filter(|s| runner.completed(s).is_none())
                    .map(|s| s.name())
                    .collect();
                return Err(RunError::CannotFinalize { missing });
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
            threads: self.threads,
        };
        crate::card::write_outputs(config, &chain, &report)?;
        if let Some(r) = &remote {
            r.upload_final()?;
        }
        Ok(PartResult::Complete(report))
    }

    fn shard(
        &self,
        config: &Config,
        chain: &Chain,
        shard: &Shard,
        out: &mut ShardOutput,
    ) -> Result<ShardStats, RunError> {
        let name = shard.name();
        let format = config.output.format;
        let reader = stages::warc::open_input(&shard.input)?;
        let source = source_label(&shard.input);
        let records = WarcReader::new(reader, &source, config.input.max_record_bytes());
        let mut chain = chain.fork();
        let data_path = out
            .file(&format!("data/{name}.{}", format.extension()))
            .map_err(|e| RunError::io(Path::new(&name), e))?;
        let mut sink = open_sink(&data_path, format, false)?;
        let mut rejected: Option<Box<dyn DocSink + Send>> = if config.output.keep_rejected {
            let p = out
                .file(&format!("rejected/{name}.{}", format.extension()))
                .map_err(|e| RunError::io(Path::new(&name), e))?;
            Some(open_sink(&p, format, true)?)
        } else {
            None
        };
        let mut ingest = StageStats::new("ingest");
        let mut stats = ShardStats::default();
        for item in records {
            if self.stop.load(Ordering::SeqCst) {
                return Err(RunError::Stopped { completed: 0 });
            }
            let item = item.map_err(|e| RunError::Input {
                input: shard.input.clone(),
                source: e,
            })?;
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
                            count_kept(&mut stats, &doc);
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
                    self.observer.doc();
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
}

/// A kept document's share of its language's counters.
fn count_kept(stats: &mut ShardStats, doc: &Doc) {
    let l = stats
        .langs
        .entry(doc.lang.clone().unwrap_or_else(|| "und".into()))
        .or_default();
    l.docs += 1;
    l.tokens += u64::from(doc.tokens.unwrap_or(0));
    l.chars += doc.text.chars().count() as u64;
    l.words += word_count(doc);
    stats.docs_out += 1;
}

/// Words of a kept document: the quality stage's count when it ran, else the segmenter's.
fn word_count(doc: &Doc) -> u64 {
    match doc.attrs.get("gopher.word_count") {
        Some(&w) if w >= 0.0 => w as u64,
        _ => segment::word_count(&doc.text) as u64,
    }
}

fn mark_rejected(doc: &mut Doc, stage: &str, reason: &str) {
    doc.meta
        .insert(docs_io::sink::DROP_STAGE_KEY.into(), stage.into());
    doc.meta
        .insert(docs_io::sink::DROP_REASON_KEY.into(), reason.into());
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
