//! Exact counts for byte-level BPE `tokenizer.json` files without the `tokenizers` machinery.
//!
//! Design decision: support only what can be reproduced exactly and say why anything else is
//! not supported (the caller then uses Hugging Face's own code). Supported: model `BPE`
//! (no dropout, no subword prefix/suffix, all 256 byte tokens present), normalizer none or
//! `NFC`, pre-tokenizer `Split(Llama 3 / Qwen pattern, Isolated)` + `ByteLevel(use_regex =
//! false)`, added tokens without `lstrip`/`rstrip`/`single_word`. The count is computed on raw
//! bytes: vocabulary keys are decoded from the byte-to-Unicode alphabet once at load, a piece
//! that is a whole vocabulary entry is one token when `ignore_merges` is set, other pieces are
//! merged by rank exactly as `tokenizers`' `Word::merge_all` does (lowest rank, leftmost first).

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use ahash::AHashMap;
use aho_corasick::{AhoCorasick, MatchKind};
use serde_json::Value;
use unicode_normalization_alignments::UnicodeNormalization;

use super::json::TokenizerJson;
use super::piece_cache;
use super::pretok::Splitter;

/// Pair of token ids → (rank, merged id).
type Merges = AHashMap<(u32, u32), (u32, u32)>;

/// The rank of a pair that has no merge.
const NO_MERGE: (u32, u32) = (u32::MAX, 0);

/// A byte-level BPE counter built from a parsed `tokenizer.json`.
#[derive(Debug, Clone)]
pub(crate) struct FastBpe {
    splitter: Splitter,
    nfc: bool,
    /// Added tokens matched on the raw text, then (`normalized: true`) on normalized text.
    raw_added: Option<AhoCorasick>,
    normalized_added: Option<AhoCorasick>,
    vocab: AHashMap<Box<[u8]>, u32>,
    byte_ids: [u32; 256],
    merges: Merges,
    ignore_merges: bool,
    /// This counter's id in the per-thread [`piece_cache`].
    cache_owner: u64,
}

/// Why a file is not handled by [`FastBpe`] (the reference implementation is used instead).
pub(crate) type Unsupported = String;

pub(crate) fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&Value::Null)
}

pub(crate) fn is_unset(v: &Value) -> bool {
    v.is_null() || v.as_str() == Some("")
}

/// GPT-2's byte ↔ printable-character alphabet used by `ByteLevel`: the byte of each
/// character below U+0144 (all of the alphabet's), `None` for the others.
type Alphabet = [Option<u8>; 0x144];

fn byte_of_char() -> Alphabet {
    let mut printable: Vec<u32> = (u32::from(b'!')..=u32::from(b'~')).collect();
    printable.extend(0xA1..=0xAC);
    printable.extend(0xAE..=0xFF);
    let mut map = [None; 0x144];
    let mut extra = 0;
    for b in 0..=255u8 {
        let c = if printable.contains(&u32::from(b)) {
            u32::from(b)
        } else {
            extra += 1;
            255 + extra
        };
        map[c as usize] = Some(b);
    }
    map
}

fn decode_token(token: &str, alphabet: &Alphabet) -> Option<Box<[u8]>> {
    token
        .chars()
        .map(|c| alphabet.get(c as usize).copied().flatten())
        .collect()
}

impl FastBpe {
    /// Build from a `tokenizer.json` value, or say which part is not supported.
    pub(crate) fn from_json(file: &TokenizerJson<'_>) -> Result<Self, Unsupported> {
        let json = &file.rest;
        let nfc = check_normalizer(field(json, "normalizer"))?;
        let splitter = check_pre_tokenizer(field(json, "pre_tokenizer"))?;
        let model = field(json, "model");
        check_model(model)?;
        let alphabet = byte_of_char();
        // The two big tables (128K tokens, 280K merges for Llama 3) are built at the same
        // time: they are most of a run's start-up.
        let (vocab, merges) = std::thread::scope(|scope| {
            let merges = scope.spawn(|| read_merges(file));
            let vocab = read_vocab(file.vocab.as_deref(), &alphabet);
            let merges = merges
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (vocab, merges)
        });
        let vocab = vocab?;
        let mut byte_ids = [0u32; 256];
        for (b, id) in byte_ids.iter_mut().enumerate() {
            *id = *vocab
                .get(&[b as u8][..])
                .ok_or_else(|| format!("byte {b:#04x} has no token"))?;
        }
        let merges = merges?;
        let (raw_added, normalized_added) = added_matchers(field(json, "added_tokens"))?;
        Ok(FastBpe {
            splitter,
            nfc,
            raw_added,
            normalized_added,
            vocab,
            byte_ids,
            merges,
            ignore_merges: field(model, "ignore_merges").as_bool().unwrap_or(false),
            cache_owner: piece_cache::new_owner(),
        })
    }

    /// Tokens of `text` as `encode(text, add_special_tokens=False)` would give.
    pub(crate) fn count(&self, text: &str) -> usize {
        let mut n = 0;
        split_added(self.raw_added.as_ref(), text, &mut n, |segment, n| {
            if self.nfc && !is_nfc_quick(segment) {
                let normalized: String = segment.nfc().map(|(c, _)| c).collect();
                self.count_normalized(&normalized, n);
            } else {
                self.count_normalized(segment, n);
            }
        });
        n
    }

    fn count_normalized(&self, text: &str, n: &mut usize) {
        piece_cache::with(self.cache_owner, |cache| {
            split_added(self.normalized_added.as_ref(), text, n, |segment, n| {
                self.splitter.for_each_piece(segment, |piece| {
                    let piece = piece.as_bytes();
                    *n += match piece.len() {
                        1 => 1,
                        2..=piece_cache::MAX_LEN => cache.count(piece, || self.count_piece(piece)),
                        _ => self.count_piece(piece),
                    };
                });
            });
        });
    }

    fn count_piece(&self, piece: &[u8]) -> usize {
        if piece.len() == 1 || (self.ignore_merges && self.vocab.contains_key(piece)) {
            return 1;
        }
        let ids: Vec<u32> = piece.iter().map(|&b| self.byte_ids[b as usize]).collect();
        if ids.len() <= 24 {
            self.merge_small(ids)
        } else {
            self.merge_heap(ids)
        }
    }

    fn rank(&self, a: u32, b: u32) -> Option<(u32, u32)> {
        self.merges.get(&(a, b)).copied()
    }

    /// Merge loop for short pieces: the pair ranks sit in an array, the lowest-ranked,
    /// leftmost pair is merged and only its two neighbours are looked up again.
    fn merge_small(&self, mut ids: Vec<u32>) -> usize {
        let mut ranks: Vec<(u32, u32)> = ids
            .windows(2)
            .map(|w| self.rank(w[0], w[1]).unwrap_or(NO_MERGE))
            .collect();
        loop {
            let mut best = 0;
            for (i, r) in ranks.iter().enumerate() {
                if r.0 < ranks[best].0 {
                    best = i;
                }
            }
            let Some(&(rank, id)) = ranks.get(best) else {
                return ids.len();
            };
            if rank == u32::MAX {
                return ids.len();
            }
            ids[best] = id;
            ids.remove(best + 1);
            ranks.remove(best);
            if best > 0 {
                ranks[best - 1] = self.rank(ids[best - 1], id).unwrap_or(NO_MERGE);
            }
            if best < ranks.len() {
                ranks[best] = self.rank(id, ids[best + 1]).unwrap_or(NO_MERGE);
            }
        }
    }

    /// `tokenizers`' `Word::merge_all`: a heap of (rank, position) over a linked list.
    fn merge_heap(&self, mut ids: Vec<u32>) -> usize {
        let len = ids.len();
        let mut next: Vec<usize> = (1..=len).collect();
        let mut prev: Vec<usize> = (0..len).map(|i| i.wrapping_sub(1)).collect();
        let mut alive = vec![true; len];
        let mut heap = BinaryHeap::new();
        for i in 0..len - 1 {
            if let Some((r, _)) = self.rank(ids[i], ids[i + 1]) {
                heap.push(Reverse((r, i)));
            }
        }
        let mut count = len;
        while let Some(Reverse((r, i))) = heap.pop() {
            let j = next[i];
            if !alive[i] || j >= len {
                continue;
            }
            let Some((rank, id)) = self.rank(ids[i], ids[j]) else {
                continue;
            };
            if rank != r {
                continue;
            }
            ids[i] = id;
            alive[j] = false;
            next[i] = next[j];
            if next[j] < len {
                prev[next[j]] = i;
            }
            count -= 1;
            if prev[i] < len {
                if let Some((r, _)) = self.rank(ids[prev[i]], id) {
                    heap.push(Reverse((r, prev[i])));
                }
            }
            if next[i] < len {
                if let Some((r, _)) = self.rank(id, ids[next[i]]) {
                    heap.push(Reverse((r, i)));
                }
            }
        }
        count
    }
}

/// ASCII is always NFC; anything else goes through the normalizer.
fn is_nfc_quick(s: &str) -> bool {
    s.is_ascii()
}

/// Split `text` around added-token matches (each one token) and call `f` on the rest.
pub(crate) fn split_added(
    matcher: Option<&AhoCorasick>,
    text: &str,
    n: &mut usize,
    mut f: impl FnMut(&str, &mut usize),
) {
    let Some(matcher) = matcher else {
        if !text.is_empty() {
            f(text, n);
        }
        return;
    };
    let mut start = 0;
    for m in matcher.find_iter(text) {
        if m.start() > start {
            f(&text[start..m.start()], n);
        }
        *n += 1;
        start = m.end();
    }
    if start < text.len() {
        f(&text[start..], n);
    }
}

fn check_normalizer(v: &Value) -> Result<bool, Unsupported> {
    match field(v, "type").as_str() {
        None if v.is_null() => Ok(false),
        Some("NFC") => Ok(true),
        _ => Err(format!("normalizer {v}")),
    }
}

fn check_pre_tokenizer(v: &Value) -> Result<Splitter, Unsupported> {
    let unsupported = || format!("pre_tokenizer {}", short(v));
    let steps = field(v, "pretokenizers")
        .as_array()
        .ok_or_else(unsupported)?;
    let [split, byte_level] = &steps[..] else {
        return Err(unsupported());
    };
    let pattern = field(field(split, "pattern"), "Regex").as_str();
    let split_ok = field(split, "type").as_str() == Some("Split")
        && field(split, "behavior").as_str() == Some("Isolated")
        && field(split, "invert").as_bool() == Some(false);
    let byte_level_ok = field(byte_level, "type").as_str() == Some("ByteLevel")
        && field(byte_level, "use_regex").as_bool() == Some(false)
        && field(byte_level, "add_prefix_space").as_bool() == Some(false);
    match pattern.and_then(Splitter::for_pattern) {
        Some(splitter) if split_ok && byte_level_ok => Ok(splitter),
        _ => Err(unsupported()),
    }
}

fn check_model(model: &Value) -> Result<(), Unsupported> {
    let ok = field(model, "type").as_str() == Some("BPE")
        && field(model, "dropout").is_null()
        && is_unset(field(model, "continuing_subword_prefix"))
        && is_unset(field(model, "end_of_word_suffix"));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "model type {} with these options",
            field(model, "type")
        ))
    }
}

fn read_vocab(
    v: Option<&[(Cow<'_, str>, u32)]>,
    alphabet: &Alphabet,
) -> Result<AHashMap<Box<[u8]>, u32>, Unsupported> {
    let list = v.ok_or("model.vocab is not an object")?;
    let mut vocab = AHashMap::with_capacity(list.len());
    for (token, id) in list {
        let bytes = decode_token(token, alphabet)
            .ok_or_else(|| format!("vocab token {token:?} is not byte-level"))?;
        vocab.insert(bytes, *id);
    }
    Ok(vocab)
}

/// The merge table, looked up by the tokens' strings as the file writes them (a merge's
/// parts need not be decoded: every vocabulary token was checked to be byte-level).
fn read_merges(file: &TokenizerJson<'_>) -> Result<Merges, Unsupported> {
    let list = file.merges.as_deref().ok_or("model.merges is not a list")?;
    let vocab: AHashMap<&str, u32> = file
        .vocab
        .iter()
        .flatten()
        .map(|(token, id)| (token.as_ref(), *id))
        .collect();
    let mut merges = AHashMap::with_capacity(list.len());
    let mut joined = String::new();
    for (rank, m) in list.iter().enumerate() {
        let bad = || format!("merge #{rank} {m:?}");
        let (a, b) = m.as_ref().ok_or_else(bad)?;
        joined.clear();
        joined.push_str(a);
        joined.push_str(b);
        let ids = (
            vocab.get(a.as_ref()),
            vocab.get(b.as_ref()),
            vocab.get(joined.as_str()),
        );
        let (Some(&a), Some(&b), Some(&new)) = ids else {
            return Err(bad());
        };
        let rank = u32::try_from(rank).map_err(|_| bad())?;
        merges.insert((a, b), (rank, new));
    }
    Ok(merges)
}

pub(crate) type Matchers = (Option<AhoCorasick>, Option<AhoCorasick>);

pub(crate) fn added_matchers(v: &Value) -> Result<Matchers, Unsupported> {
    let mut raw = Vec::new();
    let mut normalized = Vec::new();
    for t in v.as_array().map(Vec::as_slice).unwrap_or_default() {
        let flags = ["lstrip", "rstrip", "single_word"].map(|k| field(t, k).as_bool());
        if flags.contains(&Some(true)) {
            return Err(format!("added token {t} with lstrip/rstrip/single_word"));
        }
        let content = field(t, "content")
            .as_str()
            .ok_or("added token without content")?;
        if field(t, "normalized").as_bool() == Some(true) {
            normalized.push(content.to_string());
        } else {
            raw.push(content.to_string());
        }
    }
    Ok((matcher(&raw)?, matcher(&normalized)?))
}

fn matcher(patterns: &[String]) -> Result<Option<AhoCorasick>, Unsupported> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .map(Some)
        .map_err(|e| format!("added tokens: {e}"))
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(120).collect()
}
