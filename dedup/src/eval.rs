//! `seapile eval dedup`: near-duplicate detection scored on labelled pairs. The design
//! decision: the labels are *exact* Jaccard similarities of the same shingles the job uses,
//! measured after editing real documents (UDHR articles and any given text) by random word
//! replacements, deletions and insertions until a drawn target is reached — so every pair of
//! documents, copies and unrelated ones alike, has a known similarity, and the whole job
//! (signatures → buckets → clusters) is run over them as it would run on a crawl.
//!
//! A pair is a duplicate when J ≥ 0.8 and a non-duplicate when J < 0.5; pairs in between
//! are the S-curve's grey zone, reported but not scored.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::minhash::{jaccard, segment_words, MinHasher};
use crate::params::MinhashConfig;
use crate::steps::{ClusterLine, Mode};
use crate::{io_err, run_local, DedupError, LocalRun};

/// Pairs at or above this similarity are duplicates.
pub const DUPLICATE_J: f64 = 0.8;
/// Pairs below this similarity are not.
pub const DISTINCT_J: f64 = 0.5;

/// Real base documents of one language or source.
#[derive(Debug, Clone)]
pub struct BaseSet {
    pub name: String,
    pub docs: Vec<String>,
    /// How words are joined back into text: `" "`, or `""` for scripts without spaces.
    pub joiner: &'static str,
}

/// Edited copies per base document: near (target J in [0.8, 1)) and far (in [0.1, 0.5)).
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub near: usize,
    pub far: usize,
    pub seed: u64,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            near: 6,
            far: 3,
            seed: 7,
        }
    }
}

/// The scores of one set (or of all).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    pub name: String,
    pub docs: usize,
    pub duplicate_pairs: u64,
    pub distinct_pairs: u64,
    pub grey_pairs: u64,
    pub found: u64,
    pub false_merges: u64,
    pub grey_merged: u64,
    pub recall: f64,
    pub precision: f64,
    /// Duplicate pairs by similarity: `0.80`, `0.85`, `0.90`, `0.95` (lower bounds), `1.00`.
    pub duplicate_j: std::collections::BTreeMap<String, u64>,
}

/// `seapile eval dedup`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub recall: f64,
    pub precision: f64,
    /// Documents per second through all of signatures → buckets → clusters → filter.
    pub docs_per_s: f64,
    /// Documents per second of the signature computation alone, one thread.
    pub signature_docs_per_s: f64,
    pub config: MinhashConfig,
    pub sets: Vec<Score>,
    pub total: Score,
}

/// One document of the labelled collection.
struct EvalDoc {
    set: usize,
    id: String,
    text: String,
    shingles: Vec<u64>,
}

/// Text of the UDHR page `html`: the preamble and each article as one document.
/// Consecutive articles are joined until a document has [`MIN_WORDS`] words, so that one
/// word edit moves the similarity by a few percent, not by a third.
pub fn udhr_articles(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut doc = String::new();
    for part in html.split("<article") {
        let text = strip_tags(&strip_headings(part));
        if !doc.is_empty() {
            doc.push('\n');
        }
        doc.push_str(text.trim());
        if segment::word_count(&doc) >= MIN_WORDS {
            out.push(std::mem::take(&mut doc));
        }
    }
    out
}

/// Words per base document at least.
pub const MIN_WORDS: usize = 60;

fn strip_headings(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("<h") {
        out.push_str(&rest[..i]);
        match rest[i..]
            .find("</h")
            .and_then(|j| rest[i + j..].find('>').map(|k| i + j + k + 1))
        {
            Some(end) => rest = &rest[end..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Edits `words` (replace, delete or insert a run of 1–3 words from `vocab`) until the
/// Jaccard similarity to `base` would drop below `target`: a near copy (`target` ≥
/// [`DUPLICATE_J`]) stops at the last text still at or above it, a far one at the first
/// below it, so the labels are never in the grey zone by construction.
fn edit_to(
    words: &[String],
    base: &[u64],
    target: f64,
    vocab: &[String],
    joiner: &str,
    hasher: &MinHasher,
    rng: &mut Rng,
) -> String {
    let near = target >= DUPLICATE_J;
    let mut w = words.to_vec();
    let mut text = w.join(joiner);
    let mut last = text.clone();
    for _ in 0..10_000 {
        if jaccard(base, &hasher.shingles(&text)) <= target {
            let j = jaccard(base, &hasher.shingles(&text));
            return if near && j < DUPLICATE_J { last } else { text };
        }
        if w.len() < 2 {
            break;
        }
        last = text.clone();
        let at = rng.below(w.len());
        let span = if near { 1 } else { 1 + rng.below(3) }.min(w.len() - at);
        match rng.below(3) {
            0 => (at..at + span).for_each(|i| w[i] = vocab[rng.below(vocab.len())].clone()),
            1 => {
                w.drain(at..at + span);
            }
            _ => (0..span).for_each(|_| w.insert(at, vocab[rng.below(vocab.len())].clone())),
        }
        text = w.join(joiner);
    }
    text
}

/// The labelled collection: every base document, then its near and far copies, shuffled.
fn build(sets: &[BaseSet], plan: Plan, hasher: &MinHasher) -> Vec<EvalDoc> {
    let mut rng = Rng(plan.seed);
    let mut docs = Vec::new();
    for (si, set) in sets.iter().enumerate() {
        let split: Vec<Vec<String>> = set
            .docs
            .iter()
            .map(|d| segment_words(d).into_iter().map(str::to_string).collect())
            .collect();
        let vocab: Vec<String> = split.iter().flatten().cloned().collect();
        for (bi, words) in split.iter().enumerate() {
            let text = words.join(set.joiner);
            let base = hasher.shingles(&text);
            let mut push = |id: String, text: String| {
                let shingles = hasher.shingles(&text);
                docs.push(EvalDoc {
                    set: si,
                    id,
                    text,
                    shingles,
                });
            };
            for c in 0..plan.near + plan.far {
                let target = if c < plan.near {
                    0.8 + 0.2 * rng.unit()
                } else {
                    0.1 + 0.4 * rng.unit()
                };
                let copy = edit_to(words, &base, target, &vocab, set.joiner, hasher, &mut rng);
                push(format!("{}-{bi}-c{c}", set.name), copy);
            }
            push(format!("{}-{bi}", set.name), text);
        }
    }
    for i in (1..docs.len()).rev() {
        docs.swap(i, rng.below(i + 1));
    }
    docs
}

/// Build the labelled pairs from `sets`, run the dedup job over them in `work`, score.
pub fn evaluate(
    sets: &[BaseSet],
    config: &MinhashConfig,
    plan: Plan,
    work: &Path,
) -> Result<EvalReport, DedupError> {
    config.validate()?;
    let hasher = MinHasher::new(config);
    let docs = build(sets, plan, &hasher);
    let input = work.join("eval.jsonl");
    write_docs(&input, &docs)?;
    let signature_docs_per_s = signature_speed(&hasher, &docs);
    let out = work.join("out");
    let start = Instant::now();
    run_local(&LocalRun {
        inputs: vec![input],
        output: out.clone(),
        config: config.clone(),
        mode: Mode::NearOnly,
        threads: 1,
        max_records: 1 << 22,
        keep_work: false,
    })?;
    let docs_per_s = docs.len() as f64 / start.elapsed().as_secs_f64();
    let cluster = read_clusters(&out.join("clusters.jsonl"))?;
    let mut scores: Vec<Score> = sets
        .iter()
        .map(|s| Score {
            name: s.name.clone(),
            ..Score::default()
        })
        .collect();
    let mut total = Score {
        name: "all".into(),
        docs: docs.len(),
        ..Score::default()
    };
    score_pairs(&docs, &cluster, &mut scores, &mut total);
    scores.iter_mut().for_each(finish);
    finish(&mut total);
    Ok(EvalReport {
        recall: total.recall,
        precision: total.precision,
        docs_per_s,
        signature_docs_per_s,
        config: config.clone(),
        sets: scores,
        total,
    })
}

fn write_docs(path: &Path, docs: &[EvalDoc]) -> Result<(), DedupError> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(io_err(path))?);
    for d in docs {
        let line = serde_json::json!({"id": d.id, "text": d.text});
        writeln!(w, "{line}").map_err(io_err(path))?;
    }
    w.flush().map_err(io_err(path))
}

fn signature_speed(hasher: &MinHasher, docs: &[EvalDoc]) -> f64 {
    let start = Instant::now();
    let mut n = 0usize;
    for d in docs {
        n += hasher.signature(&d.text).map_or(0, |s| s.len());
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    std::hint::black_box(n);
    docs.len() as f64 / secs
}

fn read_clusters(path: &Path) -> Result<HashMap<String, u64>, DedupError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    text.lines()
        .map(|l| {
            serde_json::from_str::<ClusterLine>(l)
                .map(|c| (c.id, c.cluster_id))
                .map_err(|e| DedupError::Input {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })
        })
        .collect()
}

fn score_pairs(
    docs: &[EvalDoc],
    cluster: &HashMap<String, u64>,
    sets: &mut [Score],
    total: &mut Score,
) {
    for d in docs {
        sets[d.set].docs += 1;
    }
    for (i, a) in docs.iter().enumerate() {
        for b in &docs[i + 1..] {
            let same = cluster.get(&a.id) == cluster.get(&b.id);
            let j = jaccard(&a.shingles, &b.shingles);
            tally(total, j, same);
            if a.set == b.set {
                tally(&mut sets[a.set], j, same);
            }
        }
    }
}

fn tally(s: &mut Score, j: f64, same: bool) {
    if j >= DUPLICATE_J {
        s.duplicate_pairs += 1;
        let bin = ((j * 20.0).floor() / 20.0).min(1.0);
        *s.duplicate_j.entry(format!("{bin:.2}")).or_default() += 1;
        s.found += same as u64;
    } else if j < DISTINCT_J {
        s.distinct_pairs += 1;
        s.false_merges += same as u64;
    } else {
        s.grey_pairs += 1;
        s.grey_merged += same as u64;
    }
}

fn finish(s: &mut Score) {
    s.recall = s.found as f64 / s.duplicate_pairs.max(1) as f64;
    s.precision = s.found as f64 / (s.found + s.false_merges).max(1) as f64;
}
