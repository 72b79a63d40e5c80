//! `mix write`: the blend a [`Plan`] describes, as shuffled Parquet shards and a card.
//!
//! Design decision: two streaming passes. Pass 1 reads each source once and gives every row
//! `floor(m)` copies plus one more with probability `m - floor(m)` (a seeded hash of source,
//! row and seed, so a seed always picks the same rows), each copy with a seeded random sort
//! key, spilled to disk in sorted runs of bounded size ([`crate::runs`]). Pass 2 merges the
//! runs by key and cuts the stream into shards of `shard_rows` rows. Memory is one run
//! buffer plus the shard writer, whatever the corpus size. Shards are written with the
//! pipeline schema's Parquet sink (`docs_io`), so a mix reads like any run's output.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use docs_io::extsort::{remove_runs, Merge, RunWriter};
use docs_io::{DocSink, Format};
use pipeline::Doc;
use stages::tokens::TokenCounter;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::config::MixConfig;
use crate::plan::Plan;
use crate::runs::Record;
use crate::MixError;

/// `meta` key naming the mix source a written row came from.
pub const SOURCE_KEY: &str = "mix_source";
/// `meta` key with the copy number of a written row (0 = first epoch).
pub const EPOCH_KEY: &str = "mix_epoch";

/// How to write (flags, not config).
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    pub seed: u64,
    /// Rows per output shard.
    pub shard_rows: u64,
    /// Serialized bytes buffered before a sorted run is spilled to disk.
    pub run_bytes: usize,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            seed: 0,
            shard_rows: 100_000,
            run_bytes: 128 << 20,
        }
    }
}

/// What was written for one source.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WrittenSource {
    pub name: String,
    pub group: String,
    pub lang: String,
    /// Distinct rows read (of the source's `lang`).
    pub unique_rows: u64,
    pub unique_tokens: u64,
    /// Rows and tokens written, copies included.
    pub rows: u64,
    pub tokens: u64,
    /// What the plan asked for.
    pub planned_tokens: u64,
}

/// What `mix write` produced.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WriteSummary {
    pub seed: u64,
    pub rows: u64,
    pub tokens: u64,
    pub sources: Vec<WrittenSource>,
    /// Shard paths relative to the output folder (`data/train-00000-of-00003.parquet`).
    pub shards: Vec<String>,
    /// What the `[decontam]` index found in the rows read, for the card.
    #[serde(skip)]
    pub decontam: Option<data_cards::DecontamSection>,
}

impl std::fmt::Display for WriteSummary {
    /// One line per source (written vs planned tokens), then the totals.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.sources {
            writeln!(
                f,
                "{:<24} {:>14} tokens written of {:>14} planned ({} rows)",
                s.name, s.tokens, s.planned_tokens, s.rows
            )?;
        }
        write!(
            f,
            "{} rows, {} tokens in {} shards",
            self.rows,
            self.tokens,
            self.shards.len()
        )
    }
}

/// Write the blend of `plan` (solved from `config`, `files` relative to `base_dir`) into
/// `out_dir/data/`, the card into `out_dir/README.md` and the plan with what was written into
/// `out_dir/mix.json`.
pub fn write_mix(
    config: &MixConfig,
    base_dir: &Path,
    plan: &Plan,
    out_dir: &Path,
    options: &WriteOptions,
) -> Result<WriteSummary, MixError> {
    write_mix_counted(config, base_dir, plan, out_dir, options, None)
}

/// [`write_mix`], each row's `tokens` counted again with `counter` (the mix's tokenizer)
/// when one is given.
pub fn write_mix_counted(
    config: &MixConfig,
    base_dir: &Path,
    plan: &Plan,
    out_dir: &Path,
    options: &WriteOptions,
    counter: Option<&TokenCounter>,
) -> Result<WriteSummary, MixError> {
    refuse_declared_only(config)?;
    let tmp = out_dir.join(".tmp-mix");
    std::fs::create_dir_all(&tmp).map_err(|e| MixError::write(&tmp, e))?;
    let mut runs = RunWriter::new(tmp.join("run"), options.run_bytes);
    let mut seq = 0u64;
    let mut sources = Vec::with_capacity(config.sources.len());
    let mut decon = Decon::open(config, base_dir)?;
    for (index, planned) in plan.sources.iter().enumerate() {
        let sampler = Sampler {
            seed: options.seed,
            source: index as u32,
            multiplier: planned.multiplier,
        };
        let mut written = WrittenSource {
            name: planned.name.clone(),
            group: planned.group.clone(),
            lang: planned.lang.clone(),
            unique_rows: 0,
            unique_tokens: 0,
            rows: 0,
            tokens: 0,
            planned_tokens: planned.total_tokens,
        };
        let source = &config.sources[index];
        for path in crate::count::source_files(source, base_dir)? {
            let lang = source.lang.as_deref();
            let mut each = |mut doc: Doc| {
                if lang.is_some_and(|l| doc.lang.as_deref() != Some(l)) {
                    return Ok(());
                }
                if let Some(d) = decon.as_mut() {
                    if !d.keep(&mut doc) {
                        return Ok(());
                    }
                }
                if let Some(c) = counter {
                    doc.tokens = Some(c.count(&doc.text));
                }
                sampler.sample(doc, &mut written, &mut seq, &mut runs)
            };
            docs_io::for_each_doc(&path, &mut each).map_err(|e| MixError::Read {
                source_name: source.name.clone(),
                source: e,
            })?;
        }
        sources.push(written);
    }
    let run_files = runs.finish().map_err(|e| MixError::write(&tmp, e))?;
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    let shards = write_shards(&run_files, &names, seq, out_dir, options)?;
    remove_runs(&run_files).map_err(|e| MixError::write(&tmp, e))?;
    std::fs::remove_dir_all(&tmp).map_err(|e| MixError::write(&tmp, e))?;
    let summary = WriteSummary {
        seed: options.seed,
        rows: sources.iter().map(|s| s.rows).sum(),
        tokens: sources.iter().map(|s| s.tokens).sum(),
        sources,
        shards,
        decontam: decon.map(|d| d.tally.section(&d.about)),
    };
    let card = crate::card::render(plan, &summary);
    let readme = out_dir.join("README.md");
    std::fs::write(&readme, card).map_err(|e| MixError::write(&readme, e))?;
    // The plan and what was written, for `seapile report OUT` (target vs achieved shares).
    let json = serde_json::json!({ "plan": plan, "written": &summary });
    let path = out_dir.join("mix.json");
    let bytes = serde_json::to_vec_pretty(&json).expect("plan and summary serialize");
    std::fs::write(&path, bytes).map_err(|e| MixError::write(&path, e))?;
    Ok(summary)
}

/// The `[decontam]` check of a mix: each row read is judged before it is sampled.
struct Decon {
    scanner: decontam::Scanner,
    tally: decontam::report::Tally,
    about: decontam::report::IndexAbout,
}

impl Decon {
    fn open(config: &MixConfig, base_dir: &Path) -> Result<Option<Decon>, MixError> {
        let Some(c) = &config.decontam else {
            return Ok(None);
        };
        let path = base_dir.join(&c.index);
        let index = Arc::new(decontam::Index::load(&path)?);
        Ok(Some(Decon {
            scanner: decontam::Scanner::new(index, c.rules()),
            tally: decontam::report::Tally::default(),
            about: decontam::report::IndexAbout::read(&path, &c.rules())?,
        }))
    }

    /// Whether to keep `doc` (cut in place when the action is `cut`). A cut row without a
    /// mix tokenizer keeps its `tokens` scaled by the characters left (an estimate).
    fn keep(&mut self, doc: &mut Doc) -> bool {
        let verdict = self.scanner.check(&doc.text);
        self.tally.add(self.scanner.index(), &verdict);
        match verdict {
            decontam::Verdict::Clean => true,
            decontam::Verdict::Drop { .. } => false,
            decontam::Verdict::Cut {
                text,
                cuts,
                chars_removed,
                finding,
            } => {
                let meta = decontam::report::doc_meta(
                    self.scanner.index(),
                    &finding,
                    "cut",
                    None,
                    cuts,
                    chars_removed,
                );
                doc.meta
                    .insert(decontam::stage::META_KEY.into(), meta.to_string());
                let before = doc.text.chars().count().max(1) as f64;
                let after = text.chars().count() as f64;
                doc.tokens = doc
                    .tokens
                    .map(|t| (t as f64 * after / before).round() as u32);
                doc.text = text;
                true
            }
        }
    }
}

/// Sources with only a declared `unique_tokens` have no rows to write.
fn refuse_declared_only(config: &MixConfig) -> Result<(), MixError> {
    let declared: Vec<&str> = config
        .sources
        .iter()
        .filter(|s| s.files.is_empty())
        .map(|s| s.name.as_str())
        .collect();
    if declared.is_empty() {
        return Ok(());
    }
    Err(MixError::NotWritable(format!(
        "cannot write sources with only a declared unique_tokens (no files): {}; \
         give them `files` or remove them from the config",
        declared.join(", ")
    )))
}

/// Copies of one source's rows: whole epochs plus a seeded fraction.
struct Sampler {
    seed: u64,
    source: u32,
    multiplier: f64,
}

impl Sampler {
    /// Seeded uniform hash of (source, row, salt).
    fn hash(&self, row: u64, salt: u64) -> u64 {
        let mut bytes = [0u8; 20];
        bytes[..4].copy_from_slice(&self.source.to_le_bytes());
        bytes[4..12].copy_from_slice(&row.to_le_bytes());
        bytes[12..].copy_from_slice(&salt.to_le_bytes());
        xxh3_64_with_seed(&bytes, self.seed)
    }

    /// How many copies row `row` gets.
    fn copies(&self, row: u64) -> u32 {
        let whole = self.multiplier.floor();
        let fraction = self.multiplier - whole;
        let draw = (self.hash(row, u64::MAX) >> 11) as f64 / (1u64 << 53) as f64;
        whole as u32 + u32::from(draw < fraction)
    }

    fn sample(
        &self,
        doc: Doc,
        written: &mut WrittenSource,
        seq: &mut u64,
        runs: &mut RunWriter<Record>,
    ) -> Result<(), docs_io::IoError> {
        let row = written.unique_rows;
        let tokens = u64::from(doc.tokens.unwrap_or(0));
        written.unique_rows += 1;
        written.unique_tokens += tokens;
        let copies = self.copies(row);
        if copies == 0 {
            return Ok(());
        }
        let payload = Arc::new(serde_json::to_vec(&doc).expect("a Doc serializes"));
        for epoch in 0..copies {
            let record = Record {
                key: self.hash(row, u64::from(epoch)),
                seq: *seq,
                source: self.source,
                epoch,
                payload: Arc::clone(&payload),
            };
            runs.push(record)?;
            *seq += 1;
            written.rows += 1;
            written.tokens += tokens;
        }
        Ok(())
    }
}

/// Shard file names for `total` rows.
fn shard_names(total: u64, shard_rows: u64) -> Vec<String> {
    let n = total.div_ceil(shard_rows.max(1)).max(1);
    (0..n)
        .map(|i| format!("data/train-{i:05}-of-{n:05}.parquet"))
        .collect()
}

fn write_shards(
    runs: &[PathBuf],
    names: &[&str],
    total: u64,
    out_dir: &Path,
    options: &WriteOptions,
) -> Result<Vec<String>, MixError> {
    let shards = shard_names(total, options.shard_rows);
    let open = |name: &str| {
        let path = out_dir.join(name);
        docs_io::open_sink(&path, Format::Parquet, false).map_err(|e| MixError::write(&path, e))
    };
    let mut index = 0usize;
    let mut in_shard = 0u64;
    let mut sink: Box<dyn DocSink + Send> = open(&shards[0])?;
    let mut merge = Merge::<Record>::open(runs).map_err(|e| MixError::write(out_dir, e))?;
    while let Some(record) = merge
        .next_record()
        .map_err(|e| MixError::write(out_dir, e))?
    {
        if in_shard == options.shard_rows.max(1) {
            let full = std::mem::replace(&mut sink, open(&shards[index + 1])?);
            full.finish()
                .map_err(|e| MixError::write(&out_dir.join(&shards[index]), e))?;
            index += 1;
            in_shard = 0;
        }
        let mut doc: Doc =
            serde_json::from_slice(&record.payload).expect("a row this run serialized");
        let name = names.get(record.source as usize).copied().unwrap_or("");
        doc.meta.insert(SOURCE_KEY.into(), name.to_string());
        doc.meta.insert(EPOCH_KEY.into(), record.epoch.to_string());
        in_shard += 1;
        sink.write(&doc)
            .map_err(|e| MixError::write(&out_dir.join(&shards[index]), e))?;
    }
    sink.finish()
        .map_err(|e| MixError::write(&out_dir.join(&shards[index]), e))?;
    Ok(shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_whole_epochs_plus_a_seeded_fraction() {
        let s = |seed, multiplier| Sampler {
            seed,
            source: 0,
            multiplier,
        };
        let count = |sampler: &Sampler| (0..10_000).map(|r| sampler.copies(r) as u64).sum::<u64>();
        assert_eq!(count(&s(1, 3.0)), 30_000);
        let a = count(&s(1, 2.25));
        assert!((22_300..22_700).contains(&a), "{a}");
        let rows = |seed| (0..200).map(|r| s(seed, 0.5).copies(r)).collect::<Vec<_>>();
        assert_eq!(rows(7), rows(7));
        assert_ne!(rows(7), rows(8));
    }

    #[test]
    fn shard_names_cover_all_rows() {
        assert_eq!(shard_names(0, 10), ["data/train-00000-of-00001.parquet"]);
        let n = shard_names(21, 10);
        assert_eq!(n.len(), 3);
        assert_eq!(n[2], "data/train-00002-of-00003.parquet");
    }
}
