//! Exact counts for SentencePiece-style BPE `tokenizer.json` files (Gemma 2/3, Llama 2,
//! Mistral): spaces become `▁`, there is no pre-tokenizer, so a whole segment between added
//! tokens is one "word" merged by rank, with byte fallback for characters outside the vocab.
//!
//! Design decision: `tokenizers` merges a whole paragraph as one word (slow: no word cache
//! applies). Merges never join a non-`▁` character to a following `▁` unless the vocabulary
//! has a token that does (checked at load: Gemma 3 has one, `>▁</`, so `>` is never a cut),
//! so a segment is cut before every such `▁` into chunks whose merges are independent of each
//! other, and each chunk is merged exactly as `Word::merge_all` does (lowest rank, leftmost
//! first) or taken from a per-thread cache. The sum of the chunks' counts is the count of the
//! whole segment. Supported: model `BPE` without dropout, prefixes or `ignore_merges`;
//! normalizer `Replace(" " → "▁")`, optionally after `Prepend("▁")`; pre-tokenizer none or
//! `Split(" ", MergedWithPrevious)` (which finds no space after the normalizer); added tokens
//! without `lstrip`/`rstrip`/`single_word`.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use ahash::{AHashMap, AHashSet};
use aho_corasick::AhoCorasick;
use rustc_hash::FxHashMap;
use serde_json::Value;

use super::fast::{added_matchers, field, is_unset, split_added, Unsupported};
use super::json::TokenizerJson;
use super::pairs::{CharPairSet, PairMap};

const SPACE: char = '\u{2581}';

/// Per-thread state: chunk → count per vocabulary (lock-free, bounded), and the buffers one
/// merge reuses.
#[derive(Default)]
struct ThreadState {
    counts: AHashMap<u64, ChunkCache>,
    ids: Vec<u32>,
    ranks: Vec<u32>,
    next: Vec<usize>,
    prev: Vec<usize>,
    heap: BinaryHeap<Reverse<HeapEntry>>,
}

/// (rank, position, the pair it merges): an entry is stale when the pair at its position is
/// no longer that pair.
type HeapEntry = (u32, usize, u32, u32);

thread_local! {
    static STATE: RefCell<ThreadState> = RefCell::new(ThreadState::default());
}

/// Chunk → count without an allocation per chunk: the chunks' bytes live in one arena and
/// the map holds their 64-bit hash with where their bytes are. A hit is checked against the
/// bytes, so a hash collision is only a miss (counted, never cached), never a wrong count.
#[derive(Default)]
struct ChunkCache {
    arena: Vec<u8>,
    map: FxHashMap<u64, (u32, u32, u32)>,
}

impl ChunkCache {
    const MAX_ENTRIES: usize = 1 << 18;

    fn hash(chunk: &str) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(chunk.as_bytes())
    }

    fn get(&self, h: u64, chunk: &str) -> Option<u32> {
        let &(off, len, n) = self.map.get(&h)?;
        let bytes = &self.arena[off as usize..(off + len) as usize];
        (bytes == chunk.as_bytes()).then_some(n)
    }

    fn insert(&mut self, h: u64, chunk: &str, n: u32) {
        if self.map.len() >= Self::MAX_ENTRIES {
            self.map.clear();
            self.arena.clear();
        }
        if self.map.is_empty() {
            self.map.reserve(1 << 14);
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = self.map.entry(h) {
            slot.insert((self.arena.len() as u32, chunk.len() as u32, n));
            self.arena.extend_from_slice(chunk.as_bytes());
        }
    }
}

/// Forget this thread's cached chunk counts (benchmarks measure a cold start with it).
pub(crate) fn clear_thread_cache() {
    STATE.with(|s| s.borrow_mut().counts.clear());
}

/// A SentencePiece-style BPE counter built from a parsed `tokenizer.json`.
#[derive(Debug, Clone)]
pub(crate) struct SpmBpe {
    /// `Prepend("▁")` before the replace (Llama 2 style).
    prepend: bool,
    raw_added: Option<AhoCorasick>,
    normalized_added: Option<AhoCorasick>,
    /// Single characters that are tokens (ASCII ones also in `ascii`, `u32::MAX` for none).
    chars: AHashMap<char, u32>,
    ascii: [u32; 128],
    /// Byte-fallback token ids (`<0x00>`..`<0xFF>`), when the model falls back to bytes.
    bytes: Option<Box<[u32; 256]>>,
    /// `unk` token id, and whether consecutive unknowns fuse into one.
    unk: Option<u32>,
    fuse_unk: bool,
    merges: PairMap,
    /// Characters after which a `▁` may still be merged (the chunk is not cut there).
    glue: AHashSet<char>,
    /// Every pair of characters adjacent inside some token: between two characters that are
    /// not such a pair no merge can ever happen, so a long chunk is cut there too.
    bigrams: CharPairSet,
    /// Identity of this vocabulary in the per-thread chunk cache.
    key: u64,
}

impl SpmBpe {
    /// Build from a `tokenizer.json` value, or say which part is not supported.
    pub(crate) fn from_json(file: &TokenizerJson<'_>) -> Result<Self, Unsupported> {
        let json = &file.rest;
        let prepend = check_normalizer(field(json, "normalizer"))?;
        check_pre_tokenizer(field(json, "pre_tokenizer"))?;
        let model = field(json, "model");
        let ok = field(model, "type").as_str() == Some("BPE")
            && field(model, "dropout").is_null()
            && is_unset(field(model, "continuing_subword_prefix"))
            && is_unset(field(model, "end_of_word_suffix"))
            && field(model, "ignore_merges").as_bool() != Some(true);
        if !ok {
            return Err(format!("model {} with these options", field(model, "type")));
        }
        let list = file
            .vocab
            .as_deref()
            .ok_or("model.vocab is not an object")?;
        let mut vocab: AHashMap<&str, u32> = AHashMap::with_capacity(list.len());
        for (token, id) in list {
            vocab.insert(token, *id);
        }
        let mut chars = AHashMap::new();
        let mut glue = AHashSet::new();
        let mut pairs: AHashSet<(char, char)> = AHashSet::new();
        for (&token, &id) in &vocab {
            let mut last: Option<char> = None;
            for c in token.chars() {
                if let Some(l) = last {
                    pairs.insert((l, c));
                }
                last = Some(c);
            }
            let mut it = token.chars();
            if let (Some(c), None) = (it.next(), it.next()) {
                chars.insert(c, id);
            }
            let cs: Vec<char> = token.chars().collect();
            for w in cs.windows(2) {
                if w[0] != SPACE && w[1] == SPACE {
                    glue.insert(w[0]);
                }
            }
        }
        let bytes = if field(model, "byte_fallback").as_bool() == Some(true) {
            let mut ids = Box::new([0u32; 256]);
            for (b, id) in ids.iter_mut().enumerate() {
                *id = *vocab
                    .get(format!("<0x{b:02X}>").as_str())
                    .ok_or_else(|| format!("byte_fallback without token <0x{b:02X}>"))?;
            }
            Some(ids)
        } else {
            None
        };
        let unk = match field(model, "unk_token").as_str() {
            Some(u) => Some(*vocab.get(u).ok_or_else(|| format!("unk_token {u:?}"))?),
            None => None,
        };
        let list = file.merges.as_deref().ok_or("model.merges is not a list")?;
        let mut merges = Vec::with_capacity(list.len());
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
            merges.push(((a, b), (rank, new)));
        }
        let merges_len = merges.len();
        let merges = PairMap::new(&merges).ok_or("merge table too large to pack")?;
        let (raw_added, normalized_added) = added_matchers(field(json, "added_tokens"))?;
        let mut ascii = [u32::MAX; 128];
        for (&c, &id) in &chars {
            if c.is_ascii() {
                ascii[c as usize] = id;
            }
        }
        let key = vocab.len() as u64 ^ (merges_len as u64) << 32 ^ u64::from(prepend);
        Ok(SpmBpe {
            prepend,
            raw_added,
            normalized_added,
            chars,
            ascii,
            bytes,
            unk,
            fuse_unk: field(model, "fuse_unk").as_bool() == Some(true),
            merges,
            glue,
            bigrams: CharPairSet::new(pairs.into_iter()),
            key,
        })
    }

    /// Tokens of `text` as `encode(text, add_special_tokens=False)` would give.
    pub(crate) fn count(&self, text: &str) -> usize {
        let mut n = 0;
        split_added(self.raw_added.as_ref(), text, &mut n, |segment, n| {
            if self.normalized_added.is_none() {
                // Spaces are read as `▁` on the fly: no normalized copy.
                *n += self.count_segment(segment, self.prepend);
                return;
            }
            let mut normalized = String::with_capacity(segment.len() + 3);
            if self.prepend {
                normalized.push(SPACE);
            }
            normalized.extend(segment.chars().map(|c| if c == ' ' { SPACE } else { c }));
            split_added(
                self.normalized_added.as_ref(),
                &normalized,
                n,
                |piece, n| *n += self.count_segment(piece, false),
            );
        });
        n
    }

    /// A segment cut into independent chunks: before each `▁` (or space) that follows a
    /// character no token joins to a `▁`. With `prepend`, the segment starts with a `▁`.
    fn count_segment(&self, segment: &str, prepend: bool) -> usize {
        let is_space = |c: char| c == ' ' || c == SPACE;
        let mut total = 0;
        let mut start = 0;
        let mut first = true;
        let mut prev: Option<char> = prepend.then_some(SPACE);
        for (i, c) in segment.char_indices() {
            if is_space(c) {
                if let Some(p) = prev {
                    if !is_space(p) && !self.glue.contains(&p) && i > start {
                        total += self.count_cut(&segment[start..i], prepend && first);
                        start = i;
                        first = false;
                    }
                }
            }
            prev = Some(c);
        }
        if start < segment.len() || (prepend && first) {
            total += self.count_cut(&segment[start..], prepend && first);
        }
        total
    }

    /// A chunk longer than a word (spaceless scripts, markup) cut further between characters
    /// no token has side by side. Needs byte fallback: without it, unknown characters could
    /// fuse into one `unk` across a cut.
    fn count_cut(&self, chunk: &str, prepend: bool) -> usize {
        const LONG: usize = 24;
        if chunk.len() <= LONG || self.bytes.is_none() {
            return self.count_chunk(chunk, prepend);
        }
        let norm = |c: char| if c == ' ' { SPACE } else { c };
        let mut total = 0;
        let mut start = 0;
        let mut first = true;
        let mut prev: Option<char> = prepend.then_some(SPACE);
        for (i, c) in chunk.char_indices() {
            let c = norm(c);
            if let Some(p) = prev {
                if i > start && !self.bigrams.contains(p, c) {
                    total += self.count_chunk(&chunk[start..i], prepend && first);
                    start = i;
                    first = false;
                }
            }
            prev = Some(c);
        }
        total + self.count_chunk(&chunk[start..], prepend && first)
    }

    /// One chunk (with a `▁` before it when `prepend`), from the per-thread cache when seen.
    fn count_chunk(&self, chunk: &str, prepend: bool) -> usize {
        const MAX_CACHED_CHUNK: usize = 64;
        STATE.with(|state| {
            let state = &mut *state.borrow_mut();
            if prepend || chunk.len() > MAX_CACHED_CHUNK {
                return self.merge(chunk, prepend, state);
            }
            let h = ChunkCache::hash(chunk);
            if let Some(n) = state.counts.get(&self.key).and_then(|m| m.get(h, chunk)) {
                return n as usize;
            }
            let n = self.merge(chunk, false, state);
            state
                .counts
                .entry(self.key)
                .or_default()
                .insert(h, chunk, n as u32);
            n
        })
    }

    fn char_id(&self, c: char) -> Option<u32> {
        if c.is_ascii() {
            let id = self.ascii[c as usize];
            return (id != u32::MAX).then_some(id);
        }
        self.chars.get(&c).copied()
    }

    /// The symbols of `chunk` (characters — a space read as `▁` —, bytes for characters
    /// outside the vocabulary, or `unk`) merged by rank; their number.
    fn merge(&self, chunk: &str, prepend: bool, state: &mut ThreadState) -> usize {
        let mut ids = std::mem::take(&mut state.ids);
        ids.clear();
        let mut last_unk = false;
        let mut buf = [0u8; 4];
        let chars = prepend.then_some(SPACE).into_iter().chain(chunk.chars());
        for c in chars.map(|c| if c == ' ' { SPACE } else { c }) {
            if let Some(id) = self.char_id(c) {
                ids.push(id);
                last_unk = false;
            } else if let Some(bytes) = &self.bytes {
                ids.extend(c.encode_utf8(&mut buf).bytes().map(|b| bytes[b as usize]));
                last_unk = false;
            } else if let Some(unk) = self.unk {
                if !(self.fuse_unk && last_unk) {
                    ids.push(unk);
                }
                last_unk = true;
            }
        }
        let n = match ids.len() {
            0 | 1 => ids.len(),
            2..=32 => self.merge_small(&mut ids, &mut state.ranks),
            _ => self.merge_ids(&mut ids, state),
        };
        state.ids = ids;
        n
    }

    /// Merge loop for short chunks: the pair ranks sit in an array, the lowest-ranked,
    /// leftmost pair is merged and only its two neighbours are looked up again (the same
    /// order as the heap).
    fn merge_small(&self, ids: &mut Vec<u32>, ranks: &mut Vec<u32>) -> usize {
        const NONE: u32 = u32::MAX;
        ranks.clear();
        ranks.extend(
            ids.windows(2)
                .map(|w| self.rank(w[0], w[1]).unwrap_or(NONE)),
        );
        loop {
            let mut best = 0;
            for (i, &r) in ranks.iter().enumerate() {
                if r < ranks[best] {
                    best = i;
                }
            }
            let Some(&rank) = ranks.get(best) else {
                return ids.len();
            };
            if rank == NONE {
                return ids.len();
            }
            let id = self.merges.merged(rank);
            ids[best] = id;
            ids.remove(best + 1);
            ranks.remove(best);
            if best > 0 {
                ranks[best - 1] = self.rank(ids[best - 1], id).unwrap_or(NONE);
            }
            if best < ranks.len() {
                ranks[best] = self.rank(id, ids[best + 1]).unwrap_or(NONE);
            }
        }
    }

    #[inline]
    fn rank(&self, a: u32, b: u32) -> Option<u32> {
        self.merges.rank(a, b)
    }

    /// `tokenizers`' `Word::merge_all`: a heap of (rank, position) over a linked list.
    fn merge_ids(&self, ids: &mut [u32], state: &mut ThreadState) -> usize {
        let len = ids.len();
        let (next, prev, heap) = (&mut state.next, &mut state.prev, &mut state.heap);
        next.clear();
        next.extend(1..=len);
        prev.clear();
        prev.extend((0..len).map(|i| i.wrapping_sub(1)));
        heap.clear();
        // A merged-away symbol has `prev` = `usize::MAX - 1` (never a real index).
        const DEAD: usize = usize::MAX - 1;
        for i in 0..len - 1 {
            if let Some(r) = self.rank(ids[i], ids[i + 1]) {
                heap.push(Reverse((r, i, ids[i], ids[i + 1])));
            }
        }
        let mut count = len;
        while let Some(Reverse((r, i, a, b))) = heap.pop() {
            let j = next[i];
            if prev[i] == DEAD || j >= len || ids[i] != a || ids[j] != b {
                continue;
            }
            let id = self.merges.merged(r);
            ids[i] = id;
            prev[j] = DEAD;
            next[i] = next[j];
            if next[j] < len {
                prev[next[j]] = i;
            }
            count -= 1;
            if prev[i] < len {
                let p = prev[i];
                if let Some(r) = self.rank(ids[p], id) {
                    heap.push(Reverse((r, p, ids[p], id)));
                }
            }
            if next[i] < len {
                let n = next[i];
                if let Some(r) = self.rank(id, ids[n]) {
                    heap.push(Reverse((r, i, id, ids[n])));
                }
            }
        }
        count
    }
}

fn is_space_replace(v: &Value) -> bool {
    field(v, "type").as_str() == Some("Replace")
        && field(field(v, "pattern"), "String").as_str() == Some(" ")
        && field(v, "content").as_str() == Some("\u{2581}")
}

/// `Replace(" " → "▁")`, or `Sequence[Prepend("▁"), Replace(" " → "▁")]`; whether to prepend.
fn check_normalizer(v: &Value) -> Result<bool, Unsupported> {
    if is_space_replace(v) {
        return Ok(false);
    }
    if let Some([prepend, replace]) = field(v, "normalizers").as_array().map(Vec::as_slice) {
        let prepend_ok = field(prepend, "type").as_str() == Some("Prepend")
            && field(prepend, "prepend").as_str() == Some("\u{2581}");
        if field(v, "type").as_str() == Some("Sequence") && prepend_ok && is_space_replace(replace)
        {
            return Ok(true);
        }
    }
    Err(format!("normalizer {v}"))
}

/// None, or a split on `" "` (which finds nothing once spaces are `▁`).
fn check_pre_tokenizer(v: &Value) -> Result<(), Unsupported> {
    let noop_split = field(v, "type").as_str() == Some("Split")
        && field(field(v, "pattern"), "String").as_str() == Some(" ")
        && field(v, "invert").as_bool() == Some(false);
    if v.is_null() || noop_split {
        Ok(())
    } else {
        Err(format!("pre_tokenizer {v}"))
    }
}
