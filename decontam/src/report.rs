//! What decontamination found, counted per benchmark file ([`Tally`]), written per document
//! (`meta["decontam"]`, `contamination.jsonl`) and turned into the card section.
//!
//! Design decision: a tally survives being split over shards and merged — it is exported as
//! plain counters (`StageStats::counts`), with each matched item as its own key, so the run
//! card counts distinct items found across shards exactly.

use std::collections::{BTreeMap, BTreeSet};

use data_cards::{DecontamBenchmark, DecontamSection};
use serde_json::{json, Value};

use crate::index::{BenchmarkFile, Index, IndexParams};
use crate::scan::{Finding, Rules, Verdict};

/// Counts of one benchmark file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BenchTally {
    /// Documents with at least one of its n-grams.
    pub docs_hit: u64,
    /// Characters removed from documents whose main match (most n-grams) was this file.
    pub chars_removed: u64,
    /// Records matched.
    pub items: BTreeSet<u64>,
}

/// Counts over documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub docs: u64,
    pub contaminated: u64,
    pub dropped: u64,
    pub cut: u64,
    pub cuts: u64,
    pub chars_removed: u64,
    /// By benchmark file (its position in the index).
    pub benchmarks: BTreeMap<u32, BenchTally>,
}

impl Tally {
    /// Count one document's verdict.
    pub fn add(&mut self, index: &Index, verdict: &Verdict) {
        self.docs += 1;
        let (finding, chars) = match verdict {
            Verdict::Clean => return,
            Verdict::Cut {
                chars_removed,
                finding,
                cuts,
                ..
            } => {
                self.cut += 1;
                self.cuts += *cuts as u64;
                (finding, *chars_removed)
            }
            Verdict::Drop { chars, finding, .. } => {
                self.dropped += 1;
                (finding, *chars)
            }
        };
        self.contaminated += 1;
        self.chars_removed += chars as u64;
        let mut hit = BTreeSet::new();
        for &(e, _) in &finding.entries {
            let entry = &index.entries[e as usize];
            hit.insert(entry.benchmark);
            self.benchmarks
                .entry(entry.benchmark)
                .or_default()
                .items
                .insert(entry.record);
        }
        for b in hit {
            self.benchmarks.entry(b).or_default().docs_hit += 1;
        }
        if let Some(b) = finding.primary_benchmark(index) {
            self.benchmarks.entry(b).or_default().chars_removed += chars as u64;
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.docs += other.docs;
        self.contaminated += other.contaminated;
        self.dropped += other.dropped;
        self.cut += other.cut;
        self.cuts += other.cuts;
        self.chars_removed += other.chars_removed;
        for (b, t) in &other.benchmarks {
            let m = self.benchmarks.entry(*b).or_default();
            m.docs_hit += t.docs_hit;
            m.chars_removed += t.chars_removed;
            m.items.extend(t.items.iter().copied());
        }
    }

    /// As plain counters (a stage's `counts`).
    pub fn to_counts(&self) -> BTreeMap<String, u64> {
        let mut c = BTreeMap::new();
        for (k, v) in [
            ("docs", self.docs),
            ("contaminated", self.contaminated),
            ("dropped", self.dropped),
            ("cut", self.cut),
            ("cuts", self.cuts),
            ("chars_removed", self.chars_removed),
        ] {
            c.insert(k.to_string(), v);
        }
        for (b, t) in &self.benchmarks {
            c.insert(format!("b{b}/docs_hit"), t.docs_hit);
            c.insert(format!("b{b}/chars_removed"), t.chars_removed);
            for r in &t.items {
                c.insert(format!("b{b}/item/{r}"), 1);
            }
        }
        c
    }

    /// Back from counters (summed over shards).
    pub fn from_counts(counts: &BTreeMap<String, u64>) -> Tally {
        let mut t = Tally::default();
        for (k, &v) in counts {
            match k.as_str() {
                "docs" => t.docs = v,
                "contaminated" => t.contaminated = v,
                "dropped" => t.dropped = v,
                "cut" => t.cut = v,
                "cuts" => t.cuts = v,
                "chars_removed" => t.chars_removed = v,
                _ => {
                    let mut parts = k.splitn(3, '/');
                    let b = parts.next().and_then(|b| b.strip_prefix('b'));
                    let Some(b) = b.and_then(|b| b.parse::<u32>().ok()) else {
                        continue;
                    };
                    let m = t.benchmarks.entry(b).or_default();
                    match (parts.next(), parts.next()) {
                        (Some("docs_hit"), None) => m.docs_hit = v,
                        (Some("chars_removed"), None) => m.chars_removed = v,
                        (Some("item"), Some(r)) => {
                            if let Ok(r) = r.parse() {
                                m.items.insert(r);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        t
    }

    /// The card section for these counts.
    pub fn section(&self, about: &IndexAbout) -> DecontamSection {
        DecontamSection {
            index_name: about.name.clone(),
            index_sha256: about.sha256.clone(),
            ngram: about.params.ngram,
            min_words: about.params.prefix_len(),
            short_words: about.params.short_len(),
            short_letters: about.params.short_letters,
            action: about.action.clone(),
            docs_scanned: self.docs,
            docs_contaminated: self.contaminated,
            docs_dropped: self.dropped,
            docs_cut: self.cut,
            chars_removed: self.chars_removed,
            benchmarks: about
                .benchmarks
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let t = self
                        .benchmarks
                        .get(&(i as u32))
                        .cloned()
                        .unwrap_or_default();
                    DecontamBenchmark {
                        name: b.name.clone(),
                        sha256: b.sha256.clone(),
                        records: b.records,
                        items_indexed: b.items,
                        items_found: t.items.len() as u64,
                        docs_hit: t.docs_hit,
                        chars_removed: t.chars_removed,
                    }
                })
                .collect(),
        }
    }
}

/// What a card says about the index used.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexAbout {
    /// The index file's name and SHA-256.
    pub name: String,
    pub sha256: String,
    pub params: IndexParams,
    pub benchmarks: Vec<BenchmarkFile>,
    /// The action in words, e.g. `cut (200 characters each side, at most 10 cuts)`.
    pub action: String,
}

impl IndexAbout {
    /// Read from an index file (header only) and the rules it was used with.
    pub fn read(path: &std::path::Path, rules: &Rules) -> Result<IndexAbout, crate::DecontamError> {
        let (params, benchmarks) = crate::index::read_summary(path)?;
        Ok(IndexAbout {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            sha256: pipeline::fs::sha256_file(path).map_err(crate::DecontamError::io(path))?,
            params,
            benchmarks,
            action: action_words(rules),
        })
    }
}

/// The action as the card states it.
pub fn action_words(rules: &Rules) -> String {
    match rules.action {
        crate::Action::Drop => "drop the document".into(),
        crate::Action::Cut => format!(
            "cut the matched text and {} characters on each side, keep pieces of at least {} \
             characters, drop the document when more than {} cuts are needed",
            rules.margin_chars, rules.min_piece_chars, rules.max_cuts
        ),
    }
}

/// The matches of a finding as JSON (at most `limit`).
fn matches(index: &Index, finding: &Finding, limit: usize) -> Vec<Value> {
    finding
        .entries
        .iter()
        .take(limit)
        .map(|&(e, n)| {
            let entry = &index.entries[e as usize];
            json!({
                "benchmark": index.benchmarks[entry.benchmark as usize].name,
                "record": entry.record,
                "record_id": entry.id,
                "field": entry.field,
                "ngrams": n,
            })
        })
        .collect()
}

/// `meta["decontam"]` of a contaminated document.
pub fn doc_meta(
    index: &Index,
    finding: &Finding,
    action: &str,
    reason: Option<&str>,
    cuts: usize,
    chars_removed: usize,
) -> Value {
    json!({
        "action": action,
        "reason": reason,
        "ngrams": finding.ngrams,
        "cuts": cuts,
        "chars_removed": chars_removed,
        "matches": matches(index, finding, 10),
    })
}

/// One line of `contamination.jsonl`.
pub fn contamination_line(
    index: &Index,
    id: &str,
    url: Option<&str>,
    verdict: &Verdict,
) -> Option<Value> {
    let (finding, action, reason, cuts, chars) = match verdict {
        Verdict::Clean => return None,
        Verdict::Cut {
            cuts,
            chars_removed,
            finding,
            ..
        } => (finding, "cut", None, *cuts, *chars_removed),
        Verdict::Drop {
            reason,
            chars,
            finding,
        } => (finding, "drop", Some(*reason), 0, *chars),
    };
    let first = finding
        .entries
        .first()
        .map(|&(e, _)| &index.entries[e as usize]);
    Some(json!({
        "id": id,
        "url": url,
        "benchmark": first.map(|e| index.benchmarks[e.benchmark as usize].name.clone()),
        "record": first.map(|e| e.record),
        "record_id": first.and_then(|e| e.id.clone()),
        "field": first.map(|e| e.field.clone()),
        "ngrams": finding.ngrams,
        "action": action,
        "reason": reason,
        "cuts": cuts,
        "chars_removed": chars,
        "matches": matches(index, finding, 20),
    }))
}
