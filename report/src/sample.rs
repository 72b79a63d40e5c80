//! Sample documents chosen so that shards merge to exactly the choice one shard would make.
//!
//! Each document gets a key, a seeded 64-bit hash of its id; a category keeps the `k`
//! documents with the smallest keys (a *bottom-k* sample). Hashes behave like uniform random
//! numbers, so the `k` smallest are a uniform random sample of the category; and because a
//! document's key does not depend on the shard it is in, the `k` smallest of the union of
//! the shards' bottom-`k` sets are the `k` smallest overall. A reservoir sample seeded per
//! shard would be random too, but two shardings of the same data would pick different
//! documents; this one picks the same ones however the input is split, and costs one hash
//! and one comparison per document (the text is copied only when a document enters).

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The seed of the sample keys; changing it draws another sample.
pub const SEED: u64 = 0x5ea9_11e5;

/// A document's sample key.
pub fn key(id: &str) -> u64 {
    xxh3_64_with_seed(id.as_bytes(), SEED)
}

/// One sampled document: what the report shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub key: u64,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang_score: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang_share: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u32>,
    /// Characters of the whole text.
    pub chars: u64,
    /// The text's first characters (at most [`crate::collect::SAMPLE_CHARS`]).
    pub text: String,
    /// The signals the drop reason is about, with their values (`rep.dup_line_frac`, 0.41).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<(String, f64)>,
}

impl Sample {
    fn order(&self) -> (u64, &str, &str) {
        (self.key, &self.id, &self.text)
    }
}

/// The `k` documents with the smallest keys seen so far, smallest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BottomK {
    pub k: usize,
    pub items: Vec<Sample>,
}

impl BottomK {
    pub fn new(k: usize) -> Self {
        BottomK {
            k,
            items: Vec::with_capacity(k),
        }
    }

    /// Whether a document with this key would enter (so callers build the [`Sample`] only
    /// then).
    pub fn wants(&self, key: u64) -> bool {
        self.items.len() < self.k || self.items.last().is_some_and(|last| key <= last.key)
    }

    /// Offer a sample; kept when it is among the `k` smallest.
    pub fn offer(&mut self, s: Sample) {
        if !self.wants(s.key) {
            return;
        }
        let at = self.items.partition_point(|x| x.order() < s.order());
        if self.items.get(at).is_some_and(|x| x.order() == s.order()) {
            return; // the same document twice
        }
        self.items.insert(at, s);
        self.items.truncate(self.k);
    }

    /// The `k` smallest of both.
    pub fn merge(&mut self, other: &BottomK) {
        self.k = self.k.max(other.k);
        for s in &other.items {
            self.offer(s.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str) -> Sample {
        Sample {
            key: key(id),
            id: id.to_string(),
            url: None,
            lang_score: None,
            lang_share: None,
            tokens: None,
            chars: 0,
            text: String::new(),
            signals: Vec::new(),
        }
    }

    fn ids(b: &BottomK) -> Vec<String> {
        b.items.iter().map(|s| s.id.clone()).collect()
    }

    #[test]
    fn any_split_picks_the_same_documents() {
        let all: Vec<String> = (0..1000).map(|i| format!("doc-{i}")).collect();
        let mut one = BottomK::new(5);
        all.iter().for_each(|id| one.offer(sample(id)));
        assert_eq!(one.items.len(), 5);
        for parts in [2, 3, 7, 64] {
            let mut merged = BottomK::new(5);
            for p in 0..parts {
                let mut shard = BottomK::new(5);
                all.iter()
                    .skip(p)
                    .step_by(parts)
                    .for_each(|id| shard.offer(sample(id)));
                merged.merge(&shard);
            }
            assert_eq!(ids(&merged), ids(&one), "{parts} shards");
        }
        // The order of offers does not matter either.
        let mut rev = BottomK::new(5);
        all.iter().rev().for_each(|id| rev.offer(sample(id)));
        assert_eq!(ids(&rev), ids(&one));
    }

    #[test]
    fn keys_spread_like_uniform_numbers() {
        // Of 10,000 ids, about a tenth have a key in the lowest tenth of the range.
        let low = (0..10_000)
            .filter(|i| key(&format!("urn:uuid:{i}")) < u64::MAX / 10)
            .count();
        assert!((900..1100).contains(&low), "{low}");
    }

    #[test]
    fn a_document_offered_twice_is_kept_once() {
        let mut b = BottomK::new(3);
        b.offer(sample("a"));
        b.offer(sample("a"));
        assert_eq!(b.items.len(), 1);
    }
}
