//! Shingles, MinHash signatures and LSH band keys. The design decision: shingles are word
//! n-grams over [`segment::words`] (ICU dictionaries for Thai, Lao, Khmer, Burmese and
//! Chinese, so scripts without spaces get real words), and each of the `bands × rows`
//! permutations is a multiply-shift hash `(a·x + b) >> 32` of one 64-bit shingle hash: one
//! multiply and add per shingle and hash, which the compiler vectorises.

use xxhash_rust::xxh3::{xxh3_128_with_seed, xxh3_64};

use crate::params::MinhashConfig;

/// A source of words for shingling; [`segment_words`] is the default.
pub type WordSource = for<'a> fn(&'a str) -> Vec<&'a str>;

/// The words of `text` by `segment` (native segmentation of every SEA script).
pub fn segment_words(text: &str) -> Vec<&str> {
    segment::words(text).collect()
}

/// A word's hash after folding case and turning every digit into `0`.
fn word_hash(word: &str, buf: &mut String) -> u64 {
    if word.bytes().all(|b| b.is_ascii_lowercase()) {
        return xxh3_64(word.as_bytes());
    }
    buf.clear();
    for c in word.chars() {
        if c.is_numeric() {
            buf.push('0');
        } else {
            buf.extend(c.to_lowercase());
        }
    }
    xxh3_64(buf.as_bytes())
}

/// The sorted, distinct hashes of the word `n`-grams of `text` (a text shorter than `n`
/// words is one shingle; an empty one has none).
pub fn shingles(text: &str, n: usize, words: WordSource) -> Vec<u64> {
    let mut buf = String::new();
    let hashes: Vec<u64> = words(text)
        .into_iter()
        .map(|w| word_hash(w, &mut buf))
        .collect();
    if hashes.is_empty() {
        return Vec::new();
    }
    let n = n.min(hashes.len()).max(1);
    let mut bytes = Vec::with_capacity(8 * n);
    let mut out: Vec<u64> = hashes
        .windows(n)
        .map(|w| {
            bytes.clear();
            w.iter()
                .for_each(|h| bytes.extend_from_slice(&h.to_le_bytes()));
            xxh3_64(&bytes)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Exact Jaccard similarity of two sorted, distinct shingle sets (1 for two empty sets).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Computes signatures and band keys for one configuration.
#[derive(Debug, Clone)]
pub struct MinHasher {
    ngram: usize,
    rows: usize,
    /// Odd multipliers and offsets of the permutations.
    a: Vec<u64>,
    b: Vec<u64>,
    words: WordSource,
}

impl MinHasher {
    /// Permutations drawn from `config.seed`; words from [`segment_words`].
    pub fn new(config: &MinhashConfig) -> Self {
        Self::with_words(config, segment_words)
    }

    /// As [`MinHasher::new`] with another word source.
    pub fn with_words(config: &MinhashConfig, words: WordSource) -> Self {
        let mut state = config.seed;
        let mut next = || splitmix64(&mut state);
        let k = config.num_hashes();
        let (mut a, mut b) = (Vec::with_capacity(k), Vec::with_capacity(k));
        for _ in 0..k {
            a.push(next() | 1);
            b.push(next());
        }
        MinHasher {
            ngram: config.ngram,
            rows: config.rows,
            a,
            b,
            words,
        }
    }

    /// The shingles of `text` under this configuration.
    pub fn shingles(&self, text: &str) -> Vec<u64> {
        shingles(text, self.ngram, self.words)
    }

    /// The signature of `text`; `None` when it has no words.
    pub fn signature(&self, text: &str) -> Option<Vec<u32>> {
        let sh = self.shingles(text);
        (!sh.is_empty()).then(|| self.signature_of(&sh))
    }

    /// The signature of a shingle set: per permutation, the minimum hash.
    pub fn signature_of(&self, shingles: &[u64]) -> Vec<u32> {
        let mut sig = vec![u32::MAX; self.a.len()];
        for &x in shingles {
            for ((s, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                *s = (*s).min(h);
            }
        }
        sig
    }

    /// One 128-bit key per band (the band's values hashed with its index as seed).
    pub fn band_keys(&self, sig: &[u32]) -> Vec<u128> {
        sig.chunks(self.rows)
            .enumerate()
            .map(|(band, rows)| {
                let bytes: Vec<u8> = rows.iter().flat_map(|v| v.to_le_bytes()).collect();
                xxh3_128_with_seed(&bytes, band as u64)
            })
            .collect()
    }
}

/// Fraction of equal positions: the MinHash estimate of the Jaccard similarity.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingles_fold_case_and_digits() {
        let a = shingles("The cat sat on the mat in 2024", 3, segment_words);
        let b = shingles("the CAT sat, on the mat in 1999!", 3, segment_words);
        assert_eq!(a, b);
        assert_eq!(a.len(), 6);
        assert!(shingles("  ... ", 5, segment_words).is_empty());
        assert_eq!(shingles("two words", 5, segment_words).len(), 1);
    }

    #[test]
    fn thai_is_shingled_over_dictionary_words() {
        let sh = shingles("ทุกสองสัปดาห์", 2, segment_words);
        assert_eq!(sh.len(), 2, "ทุก|สอง|สัปดาห์ gives two bigrams");
    }

    #[test]
    fn identical_texts_have_identical_signatures() {
        let m = MinHasher::new(&MinhashConfig::default());
        let t = "Everyone has the right to life, liberty and security of person.";
        let (a, b) = (m.signature(t).unwrap(), m.signature(t).unwrap());
        assert_eq!(a.len(), 112);
        assert_eq!(estimate_jaccard(&a, &b), 1.0);
        assert_eq!(m.band_keys(&a).len(), 14);
        assert!(m.signature("").is_none());
    }
}
