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

use std::collections::BTreeMap;

use docs_io::{open_sink_with, DocSink};
use pipeline::ordered::{Emitted, Input};
use pipeline::{
    Assets, Chain, Doc, Outcome, OutputFile, RunStats, Shard, ShardOutput, ShardRunner, ShardStats,
    StageStats,
};
use stages::warc::{IngestItem, WarcReader};

use crate::config::{Layout, OutputConfig};
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
        // Threads beyond one per shard go to the records of each shard.
        let workers = (self.threads / mine.len().max(1)).max(1);
        let outcome = runner
            .run(&mine, |shard, out| {
                let r = self.shard(config, &chain, shard, out, workers);
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
        workers: usize,
    ) -> Result<ShardStats, RunError> {
        let name = shard.name();
        let reader = stages::warc::open_input(&shard.input)?;
        let source = source_label(&shard.input);
        let records = WarcReader::new(reader, &source, config.input.max_record_bytes());
        let input = ShardInput {
            records,
            stop: self.stop,
            input: &shard.input,
            source: source.clone(),
            file_path: published_name(&shard.input),
            path_crawl: stages::warc::crawl_in_path(&shard.input).map(str::to_string),
        };
        let mut writer = ShardWriter {
            sinks: Sinks::new(&config.output, out, &name),
            ingest: StageStats::new("ingest"),
            stats: ShardStats::default(),
            source,
            observer: self.observer,
        };
        let (stage_stats, input) = if workers <= 1 {
            let mut chain = chain.fork();
            let mut input = input;
            let mut busy = std::time::Duration::ZERO;
            loop {
                let t = std::time::Instant::now();
                let Some(item) = input.next() else { break };
                busy += t.elapsed();
                let emitted = match item? {
                    Input::Pass(p) => Emitted::Pass(p),
                    Input::Doc(doc) => {
                        let (outcome, by) = chain.process(doc)?;
                        Emitted::Doc(outcome, by)
                    }
                };
                writer.emit(emitted)?;
            }
            writer.ingest.seconds = busy.as_secs_f64();
            (chain.finish()?, input)
        } else {
            let (stats, done) =
                pipeline::ordered::process_ordered(chain, workers, input, |e| writer.emit(e))?;
            writer.ingest.seconds = done.busy.as_secs_f64();
            (stats, done.input)
        };
        let info = input.records.info();
        let mut stats = writer.finish()?;
        stats.input_kind = if info.is_common_crawl() || input.path_crawl.is_some() {
            "common-crawl".into()
        } else {
            "warc".into()
        };
        stats.crawl = info
            .crawl()
            .map(str::to_string)
            .or_else(|| input.path_crawl.clone());
        stats.bytes_in = input_size(&shard.input);
        stats.stages.extend(stage_stats);
        Ok(stats)
    }
}

/// A record ingest did not turn into a document: skipped (not a document at all) or dropped.
pub(crate) struct NotAPage {
    id: String,
    url: Option<String>,
    reason: &'static str,
}

/// A shard's WARC records as the chain's input: pages become documents (with the shard's
/// source, file and crawl in `meta`), every other record keeps its place as a pass item.
struct ShardInput<'a, R: std::io::BufRead> {
    records: WarcReader<R>,
    stop: &'a AtomicBool,
    input: &'a str,
    source: String,
    /// The input as published in outputs: its URL, or a local file's name.
    file_path: String,
    /// The crawl named in the input's path, when it is a Common Crawl path.
    path_crawl: Option<String>,
}

impl<R: std::io::BufRead> Iterator for ShardInput<'_, R> {
    type Item = Result<Input<NotAPage>, RunError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stop.load(Ordering::SeqCst) {
            return Some(Err(RunError::Stopped { completed: 0 }));
        }
        let item = match self.records.next()? {
            Ok(item) => item,
            Err(source) => {
                return Some(Err(RunError::Input {
                    input: self.input.to_string(),
                    source,
                }))
            }
        };
        Some(Ok(match item {
            IngestItem::Dropped { id, url, reason } => Input::Pass(NotAPage { id, url, reason }),
            IngestItem::Page(mut doc) => {
                doc.source = self.source.clone();
                let crawl = self.records.info().crawl().or(self.path_crawl.as_deref());
                if let Some(crawl) = crawl {
                    doc.meta
                        .insert(docs_io::schema::DUMP_KEY.into(), crawl.to_string());
                }
                doc.meta.insert(
                    docs_io::schema::FILE_PATH_KEY.into(),
                    self.file_path.clone(),
                );
                Input::Doc(doc)
            }
        }))
    }
}

/// Takes a shard's items in input order: counts them and writes them to the sinks.
struct ShardWriter<'a> {
    sinks: Sinks<'a>,
    ingest: StageStats,
    stats: ShardStats,
    source: String,
    observer: &'a dyn Observer,
}

impl ShardWriter<'_> {
    fn emit(&mut self, item: Emitted<NotAPage>) -> Result<(), RunError> {
        match item {
            Emitted::Pass(NotAPage { id, url, reason }) => {
                if stages::warc::is_not_a_document(reason) {
                    self.ingest.skip(reason);
                    return Ok(());
                }
                self.ingest.drop(reason);
                if self.sinks.keeps_rejected() {
                    let mut doc = Doc {
                        id,
                        url,
                        source: self.source.clone(),
                        ..Doc::default()
                    };
                    mark_rejected(&mut doc, "ingest", reason);
                    self.sinks.reject(&doc)?;
                }
            }
            Emitted::Doc(outcome, dropped_by) => {
                self.ingest.keep();
                match outcome {
                    Outcome::Keep(doc) => {
                        count_kept(&mut self.stats, &doc);
                        self.sinks.keep(&doc)?;
                    }
                    Outcome::Drop { mut doc, reason } => {
                        if self.sinks.keeps_rejected() {
                            doc.html = None;
                            mark_rejected(&mut doc, dropped_by.unwrap_or("stage"), reason);
                            self.sinks.reject(&doc)?;
                        }
                    }
                }
                self.observer.doc();
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<ShardStats, RunError> {
        let mut stats = self.stats;
        stats.outputs = self.sinks.finish()?;
        stats.stages = vec![self.ingest];
        Ok(stats)
    }
}

/// A shard's output files, opened when their first row comes (so a shard writes no 0-row
/// file): one data file (or one per language with `layout = "by-language"`) and, when
/// rejects are kept, one rejected file.
struct Sinks<'a> {
    out: &'a mut ShardOutput,
    name: String,
    config: &'a OutputConfig,
    data: BTreeMap<String, (String, Box<dyn DocSink + Send>)>,
    rejected: Option<(String, Box<dyn DocSink + Send>)>,
}

impl<'a> Sinks<'a> {
    fn new(config: &'a OutputConfig, out: &'a mut ShardOutput, name: &str) -> Self {
        Sinks {
            out,
            name: name.to_string(),
            config,
            data: BTreeMap::new(),
            rejected: None,
        }
    }

    fn keeps_rejected(&self) -> bool {
        self.config.keep_rejected
    }

    fn open(&mut self, rel: &str, rejected: bool) -> Result<Box<dyn DocSink + Send>, RunError> {
        let path = self
            .out
            .file(rel)
            .map_err(|e| RunError::io(Path::new(rel), e))?;
        Ok(open_sink_with(
            &path,
            self.config.format,
            rejected,
            self.config.schema,
        )?)
    }

    fn keep(&mut self, doc: &Doc) -> Result<(), RunError> {
        let config = match self.config.layout {
            Layout::Flat => "default".to_string(),
            Layout::ByLanguage => language_config(doc),
        };
        if !self.data.contains_key(&config) {
            let ext = self.config.format.extension();
            let rel = match self.config.layout {
                Layout::Flat => format!("data/{}.{ext}", self.name),
                Layout::ByLanguage => format!("data/{config}/{}.{ext}", self.name),
            };
            let sink = self.open(&rel, false)?;
            self.data.insert(config.clone(), (rel, sink));
        }
        let (_, sink) = self.data.get_mut(&config).expect("opened above");
        sink.write(doc)?;
        Ok(())
    }

    fn reject(&mut self, doc: &Doc) -> Result<(), RunError> {
        if self.rejected.is_none() {
            let rel = format!("rejected/{}.{}", self.name, self.config.format.extension());
            let sink = self.open(&rel, true)?;
            self.rejected = Some((rel, sink));
        }
        let (_, sink) = self.rejected.as_mut().expect("opened above");
        sink.write(doc)?;
        Ok(())
    }

    fn finish(self) -> Result<Vec<OutputFile>, RunError> {
        let mut files = Vec::new();
        let rejected = self
            .rejected
            .map(|(rel, s)| ("rejected".to_string(), (rel, s)));
        for (config, (rel, sink)) in self.data.into_iter().chain(rejected) {
            let summary = sink.finish()?;
            files.push(OutputFile {
                path: rel,
                config,
                rows: summary.rows,
                bytes: summary.bytes,
                arrow_bytes: summary.arrow_bytes,
            });
        }
        Ok(files)
    }
}

/// The `by-language` folder (and Hub config) of a kept document: `<lang>_<script>` as
/// FineWeb-2 names them (`ind_Latn`, `tha_Thai`, `zho_Hans`); `und_Zyyy` without language ID.
pub fn language_config(doc: &Doc) -> String {
    let lang = doc.lang.as_deref().unwrap_or("und");
    let script = doc
        .meta
        .get("lang_script")
        .map(String::as_str)
        .filter(|s| s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()))
        .unwrap_or("Zyyy");
    format!("{lang}_{script}")
}

/// How an input is named in outputs and cards: a URL as given; a local file by its name only
/// (a machine's paths are not published).
pub fn published_name(input: &str) -> String {
    if input.contains("://") {
        input.to_string()
    } else {
        source_label(input)
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
