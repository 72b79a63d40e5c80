//! Deduplication. The design decision: documents are compared by a hash of their
//! *normalised* text (case folded, digits unified, punctuation and whitespace runs collapsed),
//! so trivially different copies — a changed date, extra spaces — are still the same page.
//!
//! This crate has the exact pass as a per-shard [`Stage`] (first occurrence kept, in input
//! order, so output is deterministic). MinHash LSH near-dedup and the cross-shard passes
//! build on [`normalize`] and [`content_hash`].

use std::collections::HashSet;

use pipeline::config::ExactDedupConfig;
use pipeline::{Doc, Outcome, Stage, StageError};
use xxhash_rust::xxh3::xxh3_128;

/// Text normalised for duplicate detection: lower case, every digit → `0`, runs of
/// whitespace and punctuation → one space, trimmed. Letters of every script are kept as is.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_numeric() {
            push_gap(&mut out, &mut gap);
            out.push('0');
        } else if c.is_alphanumeric() || is_mark(c) {
            push_gap(&mut out, &mut gap);
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

fn push_gap(out: &mut String, gap: &mut bool) {
    if *gap && !out.is_empty() {
        out.push(' ');
    }
    *gap = false;
}

/// Combining marks (Thai, Burmese, Khmer, Tamil vowel signs...) belong to the word.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0B82..=0x0BCD | 0x0E31..=0x0E4E | 0x0EB1..=0x0ECD |
        0x102B..=0x103E | 0x1056..=0x1059 | 0x105E..=0x1060 | 0x1062..=0x1064 |
        0x1067..=0x106D | 0x1071..=0x1074 | 0x1082..=0x108D | 0x17B4..=0x17D3 |
        0x200C | 0x200D)
}

/// The 128-bit xxh3 of the normalised text.
pub fn content_hash(text: &str) -> u128 {
    xxh3_128(normalize(text).as_bytes())
}

/// Drops a document whose normalised text was already seen in this shard
/// (reason `exact_duplicate`). Memory: 16 bytes per distinct document.
#[derive(Default)]
pub struct ExactDedupStage {
    seen: HashSet<u128>,
}

impl ExactDedupStage {
    pub fn build(_config: &ExactDedupConfig) -> Self {
        ExactDedupStage::default()
    }
}

impl Stage for ExactDedupStage {
    fn name(&self) -> &'static str {
        "exact_dedup"
    }

    fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
        let hash = content_hash(&doc.text);
        doc.meta
            .insert("content_hash".into(), format!("{hash:032x}"));
        if self.seen.insert(hash) {
            Ok(Outcome::Keep(doc))
        } else {
            Ok(Outcome::drop(doc, "exact_duplicate"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_digits_and_punctuation() {
        assert_eq!(normalize("Hello,  World! 2024"), "hello world 0000");
        assert_eq!(normalize("  สวัสดี ครับ  "), "สวัสดี ครับ");
        assert_eq!(normalize("မင်္ဂလာပါ"), "မင်္ဂလာပါ");
    }

    #[test]
    fn trivially_different_copies_are_duplicates() {
        let mut s = ExactDedupStage::default();
        let a = Doc::from_text("a", "t", "Berita hari ini: 12 Mei 2024.");
        let b = Doc::from_text("b", "t", "berita hari ini  13 mei 2025");
        let c = Doc::from_text("c", "t", "Berita kemarin: 12 Mei 2024.");
        assert!(matches!(s.process(a).unwrap(), Outcome::Keep(_)));
        assert!(matches!(
            s.process(b).unwrap(),
            Outcome::Drop {
                reason: "exact_duplicate",
                ..
            }
        ));
        assert!(matches!(s.process(c).unwrap(), Outcome::Keep(_)));
    }
}
