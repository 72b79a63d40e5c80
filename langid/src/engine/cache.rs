//! The per-thread token → input-rows cache.
//!
//! A token's rows (its dictionary id, then its character n-grams through the prune index)
//! depend only on the token, so each thread remembers them: a token seen before costs one
//! probe of this table and a copy of its row list, the same ids in the same order as
//! computing them again. The table is open addressing over 32-byte slots that hold the
//! token itself when it is at most 16 bytes (most words), so a probe touches one cache line
//! and compares two words, no pointer chase. It starts over when full, so its memory is
//! bounded (~1 MiB of slots and ≤ 2 MiB of rows per thread).

use super::dict::{Dict, TokenKind};

/// Slots (a power of two); at most half are used before the cache starts over.
const SLOTS: usize = 1 << 17;
/// Rows held before the cache starts over.
const MAX_ROWS: usize = 1 << 20;
/// Bytes of long tokens held before the cache starts over.
const MAX_KEY_BYTES: usize = 1 << 20;
/// The row count that marks a label token (it adds no rows and is not a word).
const LABEL: u16 = u16::MAX;

#[derive(Clone, Copy, Default)]
struct Slot {
    /// The token's hash with the low bit set; 0 for an empty slot.
    hash: u64,
    /// The token's bytes (≤ 16, zero-padded), or `[offset into long_keys, 0]`.
    key: [u64; 2],
    /// First row in `rows`.
    start: u32,
    /// Number of rows, or [`LABEL`].
    len: u16,
    key_len: u16,
}

/// Start loading the cache line of `p` into the CPU's caches (a hint: no effect on memory
/// or on results; nothing on other CPUs).
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program can see and never faults, whatever the
    // address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// A token's cache key and hash.
#[derive(Clone, Copy)]
pub(crate) struct Key {
    key: [u64; 2],
    hash: u64,
}

#[derive(Default)]
pub(crate) struct TokenCache {
    /// The model these rows belong to (0: none yet).
    model: u64,
    slots: Vec<Slot>,
    used: usize,
    rows: Vec<i32>,
    long_keys: Vec<u8>,
}

/// Up to 8 bytes as a little-endian word, zero-padded.
#[inline]
fn word(bytes: &[u8]) -> u64 {
    if bytes.len() >= 8 {
        return u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default());
    }
    let mut w = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        w |= u64::from(b) << (8 * i);
    }
    w
}

/// A token's key words and hash: for a token of at most 16 bytes the key is the token
/// itself (zero-padded), otherwise the hash runs over all its bytes.
#[inline]
fn key_and_hash(token: &[u8]) -> ([u64; 2], u64) {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mix = |h: u64, w: u64| (h.rotate_left(26) ^ w).wrapping_mul(K);
    let len = token.len();
    let (key, h) = if len <= 16 {
        let key = [word(token), word(token.get(8..).unwrap_or_default())];
        (key, mix(mix(len as u64, key[0]), key[1]))
    } else {
        let mut h = len as u64;
        let mut chunks = token.chunks_exact(8);
        for c in &mut chunks {
            h = mix(h, word(c));
        }
        h = mix(h, word(chunks.remainder()));
        ([0, 0], h)
    };
    // Fold the high bits down (the slot index uses the low ones); never 0 (empty).
    (key, (h ^ (h >> 29)) | 1)
}

impl TokenCache {
    /// Use this cache for `model`; forget everything when it held another one.
    pub(crate) fn prepare(&mut self, model: u64) {
        if self.model != model || self.slots.is_empty() {
            self.model = model;
            self.clear();
        }
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.slots.resize(SLOTS, Slot::default());
        self.used = 0;
        self.rows.clear();
        self.long_keys.clear();
    }

    /// A token's key, for [`TokenCache::prefetch`] and [`TokenCache::rows_of`].
    #[inline]
    pub(crate) fn key(token: &[u8]) -> Key {
        let (key, hash) = key_and_hash(token);
        Key { key, hash }
    }

    /// Start loading the slot `key` probes first, so that looking it up a few tokens later
    /// does not wait on memory (the table is larger than the CPU's caches).
    #[inline]
    pub(crate) fn prefetch(&self, key: &Key) {
        if let Some(slot) = self.slots.get(key.hash as usize & (SLOTS - 1)) {
            prefetch(slot);
        }
    }

    /// The rows of word `token` (computed and remembered on first sight), or `None` for a
    /// label token; `key` is [`TokenCache::key`]`(token)`. `scratch` holds the rows of a
    /// token too long to remember.
    #[inline]
    pub(crate) fn rows_of<'a>(
        &'a mut self,
        dict: &Dict,
        token: &[u8],
        key: Key,
        scratch: &'a mut Vec<i32>,
    ) -> Option<&'a [i32]> {
        let Key { key, hash: h } = key;
        let short = token.len() <= 16;
        let mask = SLOTS - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot.hash == 0 {
                break;
            }
            if slot.hash == h && usize::from(slot.key_len) == token.len() {
                let same = if short {
                    slot.key == key
                } else {
                    let at = slot.key[0] as usize;
                    self.long_keys[at..at + token.len()] == *token
                };
                if same {
                    if slot.len == LABEL {
                        return None;
                    }
                    let start = slot.start as usize;
                    return Some(&self.rows[start..start + usize::from(slot.len)]);
                }
            }
            i = (i + 1) & mask;
        }
        self.insert(dict, token, h, key, scratch)
    }

    #[cold]
    fn insert<'a>(
        &'a mut self,
        dict: &Dict,
        token: &[u8],
        h: u64,
        key: [u64; 2],
        scratch: &'a mut Vec<i32>,
    ) -> Option<&'a [i32]> {
        scratch.clear();
        let kind = dict.token_rows(token, scratch);
        let added = scratch.len();
        if token.len() > usize::from(u16::MAX) || added >= usize::from(LABEL) {
            // Not remembered: a token of 64 KiB or more.
            return (kind == TokenKind::Word).then_some(&scratch[..]);
        }
        if self.used * 2 >= SLOTS
            || self.rows.len() + added > MAX_ROWS
            || self.long_keys.len() + token.len() > MAX_KEY_BYTES
        {
            self.clear();
        }
        let key = if token.len() <= 16 {
            key
        } else {
            let at = self.long_keys.len() as u64;
            self.long_keys.extend_from_slice(token);
            [at, 0]
        };
        let start = self.rows.len();
        let slot = Slot {
            hash: h,
            key,
            start: start as u32,
            len: match kind {
                TokenKind::Word => added as u16,
                TokenKind::Label => LABEL,
            },
            key_len: token.len() as u16,
        };
        self.rows.extend_from_slice(scratch);
        let mask = SLOTS - 1;
        let mut i = h as usize & mask;
        while self.slots[i].hash != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
        self.used += 1;
        (kind == TokenKind::Word).then_some(&self.rows[start..])
    }
}
