//! Word n-grams as 64-bit keys, any length from any start in O(1) after one pass.
//!
//! Design decision: a polynomial prefix hash over the word hashes (`P[k+1] = P[k]·B + w_k`,
//! wrapping), so the n-gram of length `L` at `i` is `P[i+L] − P[i]·B^L`, finished with the
//! length and a bijective mix. The index stores 13-grams and, for items shorter than that,
//! the whole item as one shorter n-gram; the scanner asks for every length the index has at
//! each position where the first `min_words` words are a known prefix, from the same table.

use crate::tokenize::mix;

const BASE: u64 = 0x9E37_79B9_7F4A_7C15;

/// Longest n-gram (the `--ngram` ceiling).
pub const MAX_NGRAM: usize = 64;

/// Prefix hashes of one word sequence.
#[derive(Debug, Default, Clone)]
pub struct Rolling {
    prefix: Vec<u64>,
    /// A buffer for the caller's keys.
    pub(crate) scratch: Vec<u64>,
}

#[inline]
fn pow(len: usize) -> u64 {
    if len > MAX_NGRAM {
        return BASE.wrapping_pow(len as u32);
    }
    static POW: std::sync::OnceLock<[u64; MAX_NGRAM + 1]> = std::sync::OnceLock::new();
    POW.get_or_init(|| {
        let mut p = [1u64; MAX_NGRAM + 1];
        for i in 1..=MAX_NGRAM {
            p[i] = p[i - 1].wrapping_mul(BASE);
        }
        p
    })[len]
}

impl Rolling {
    /// Recompute for `words` (reusing the buffer).
    pub fn reset(&mut self, words: impl IntoIterator<Item = u64>) {
        self.prefix.clear();
        self.prefix.push(0);
        let mut h = 0u64;
        for w in words {
            h = h.wrapping_mul(BASE).wrapping_add(w);
            self.prefix.push(h);
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.prefix.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key of the `len` words from word `i` (`i + len <= self.len()`).
    #[inline]
    pub fn key(&self, i: usize, len: usize) -> u64 {
        let h = self.prefix[i + len].wrapping_sub(self.prefix[i].wrapping_mul(pow(len)));
        mix(h ^ (len as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93))
    }
}

/// Key of a whole word sequence (as [`Rolling::key`] of all of it).
pub fn key_of(words: &[u64]) -> u64 {
    let mut r = Rolling::default();
    r.reset(words.iter().copied());
    r.key(0, words.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_key_does_not_depend_on_its_context() {
        let words: Vec<u64> = (1..=30u64).map(mix).collect();
        let mut all = Rolling::default();
        all.reset(words.iter().copied());
        for (i, len) in [(0, 13), (5, 13), (17, 13), (3, 8), (0, 30)] {
            assert_eq!(all.key(i, len), key_of(&words[i..i + len]), "{i} {len}");
        }
        assert_ne!(all.key(0, 13), all.key(1, 13));
        assert_ne!(all.key(0, 12), all.key(0, 13));
    }
}
