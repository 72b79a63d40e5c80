//! Counters: per stage, per language, per shard, and merged over a run.
//!
//! Every component reports what it received and what it dropped, by reason, so that
//! `docs_in == kept + sum(dropped)` can be checked ([`StageStats::is_balanced`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Counters for one stage (or for ingest, where `docs_in` counts the WARC records that are
/// documents: HTML responses).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageStats {
    pub name: String,
    pub docs_in: u64,
    pub kept: u64,
    /// Dropped documents by stable reason.
    pub dropped: BTreeMap<String, u64>,
    /// Records that are not documents at all (ingest only: WARC request, metadata and
    /// warcinfo records, non-HTML responses), by reason. Not part of `docs_in`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, u64>,
    pub seconds: f64,
    /// The stage's own counters ([`Stage::counts`](crate::Stage::counts)), summed on merge.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, u64>,
}

impl StageStats {
    pub fn new(name: &str) -> Self {
        StageStats {
            name: name.to_string(),
            ..Default::default()
        }
    }

    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }

    /// `docs_in == kept + dropped`: nothing was lost silently.
    pub fn is_balanced(&self) -> bool {
        self.docs_in == self.kept + self.dropped_total()
    }

    pub fn drop(&mut self, reason: &str) {
        self.docs_in += 1;
        *self.dropped.entry(reason.to_string()).or_default() += 1;
    }

    pub fn keep(&mut self) {
        self.docs_in += 1;
        self.kept += 1;
    }

    /// Count a record that is not a document (not part of `docs_in`).
    pub fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }

    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    pub fn merge(&mut self, other: &StageStats) {
        self.docs_in += other.docs_in;
        self.kept += other.kept;
        for (k, v) in &other.dropped {
            *self.dropped.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.skipped {
            *self.skipped.entry(k.clone()).or_default() += v;
        }
        self.seconds += other.seconds;
        for (k, v) in &other.counts {
            *self.counts.entry(k.clone()).or_default() += v;
        }
    }
}

/// What was kept, per language.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LangStats {
    pub docs: u64,
    pub tokens: u64,
    pub chars: u64,
    /// Words by the native word segmentation (ICU for Thai, Lao, Khmer, Burmese, Chinese).
    #[serde(default)]
    pub words: u64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl LangStats {
    /// Tokens per character (0 when there is no text).
    pub fn tokens_per_char(&self) -> f64 {
        ratio(self.tokens, self.chars)
    }

    /// Tokens per word (0 when there are no words).
    pub fn tokens_per_word(&self) -> f64 {
        ratio(self.tokens, self.words)
    }

    pub fn merge(&mut self, other: &LangStats) {
        self.docs += other.docs;
        self.tokens += other.tokens;
        self.chars += other.chars;
        self.words += other.words;
    }
}

/// One file a shard wrote, for the card's `configs` and `dataset_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Path relative to the output folder, e.g. `data/ind_Latn/shard-00000.parquet`.
    pub path: String,
    /// The Hub config it belongs to: `default`, `rejected`, or a language (`ind_Latn`).
    pub config: String,
    pub rows: u64,
    /// Size on disk.
    pub bytes: u64,
    /// Size as an Arrow table (the Hub's `num_bytes`).
    pub arrow_bytes: u64,
}

/// Everything one shard (one input file) did. Written as `stats/<shard>.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardStats {
    pub shard: String,
    pub input: String,
    /// What the input is, from its own records: `common-crawl` (its warcinfo or name says
    /// so) or `warc` (any other WARC file). Empty in stats written before this field existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub input_kind: String,
    /// The Common Crawl crawl the input belongs to (`CC-MAIN-2014-35`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crawl: Option<String>,
    pub bytes_in: u64,
    /// Ingest first, then each configured stage in order.
    pub stages: Vec<StageStats>,
    /// Kept documents by language (ISO 639-3; `und` when no language ID ran).
    pub langs: BTreeMap<String, LangStats>,
    pub docs_out: u64,
    pub seconds: f64,
    /// The files the shard wrote (none for an empty result: no 0-row files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OutputFile>,
}

/// A run's stats: the shards' stats merged (stage order is kept by name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    pub shards: u64,
    pub bytes_in: u64,
    pub stages: Vec<StageStats>,
    pub langs: BTreeMap<String, LangStats>,
    pub docs_out: u64,
    /// Sum of shard seconds (CPU-ish time, not wall time).
    pub shard_seconds: f64,
    /// Wall-clock seconds of the run that produced the last shards (0 when all were skipped).
    pub wall_seconds: f64,
}

impl RunStats {
    pub fn add(&mut self, shard: &ShardStats) {
        self.shards += 1;
        self.bytes_in += shard.bytes_in;
        for s in &shard.stages {
            match self.stages.iter_mut().find(|m| m.name == s.name) {
                Some(m) => m.merge(s),
                None => self.stages.push(s.clone()),
            }
        }
        for (lang, l) in &shard.langs {
            self.langs.entry(lang.clone()).or_default().merge(l);
        }
        self.docs_out += shard.docs_out;
        self.shard_seconds += shard.seconds;
    }

    pub fn from_shards<'a>(shards: impl IntoIterator<Item = &'a ShardStats>) -> Self {
        let mut run = RunStats::default();
        for s in shards {
            run.add(s);
        }
        run
    }

    pub fn tokens(&self) -> u64 {
        self.langs.values().map(|l| l.tokens).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_stage_order_and_sums() {
        let mut a = StageStats::new("ingest");
        a.keep();
        a.drop("not_html");
        let mut b = StageStats::new("ingest");
        b.drop("not_html");
        b.drop("truncated");
        let s1 = ShardStats {
            stages: vec![a, StageStats::new("extract")],
            ..Default::default()
        };
        let s2 = ShardStats {
            stages: vec![b],
            ..Default::default()
        };
        let run = RunStats::from_shards([&s1, &s2]);
        assert_eq!(run.stages[0].name, "ingest");
        assert_eq!(run.stages[1].name, "extract");
        assert_eq!(run.stages[0].docs_in, 4);
        assert_eq!(run.stages[0].dropped["not_html"], 2);
        assert!(run.stages[0].is_balanced());
    }
}
