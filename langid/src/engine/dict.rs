//! The dictionary: words and labels, the prune index of a quantised model, and the input
//! rows of a token (`Dictionary::getLine` / `addSubwords` / `computeSubwords`).
//!
//! What differs from the C++ is only *how* ids are found, never *which* ids in which
//! order: words are found through a hash map of their bytes instead of fastText's
//! open-addressing table, and the prune index (hash bucket → row) is a dense table with
//! one slot per bucket instead of an `unordered_map`, which was a quarter of all CPU of a
//! run.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::read::{count, Reader};

pub(crate) const EOS: &[u8] = b"</s>";
const BOW: u8 = b'<';
const EOW: u8 = b'>';
/// `Args::label`'s default; it is not stored in the model file, so C++ always uses it.
const LABEL_PREFIX: &[u8] = b"__label__";

/// fastText's FNV-1a over the bytes *as signed chars* (`uint32_t(int8_t(c))`), the hash
/// every released model was trained with.
#[inline]
pub(crate) fn hash(bytes: &[u8]) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &b in bytes {
        h ^= b as i8 as i32 as u32;
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// How n-gram buckets map to input rows.
#[derive(Debug, Clone)]
enum Prune {
    /// Not pruned (`pruneidx_size_ < 0`): bucket `b` is row `nwords + b`.
    None,
    /// Pruned to nothing (`pruneidx_size_ == 0`): n-grams have no rows.
    All,
    /// The kept buckets and their rows.
    Table(PruneIndex),
}

/// The prune index (`pruneidx_`: bucket → row) as a bitmap of kept buckets with rank
/// counts, and the rows in bucket order: a lookup reads one 64-byte block of the bitmap
/// and, for a kept bucket, one row entry. For lid.176 (2M buckets, 42,765 kept) that is
/// 250 KiB + 16 KiB + 167 KiB, small enough to stay in a core's cache, where a dense
/// table would be 8 MiB and C++'s `unordered_map` a pointer chase per n-gram.
#[derive(Debug, Clone)]
pub(crate) struct PruneIndex {
    /// One bit per bucket, in blocks of 8 words (512 buckets, one cache line).
    bits: Vec<u64>,
    /// Kept buckets before each block.
    block_rank: Vec<u32>,
    /// Rows of the kept buckets, in bucket order.
    rows: Vec<u32>,
}

impl PruneIndex {
    fn new(buckets: usize, mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.sort_unstable();
        let words = buckets.div_ceil(512) * 8;
        let mut bits = vec![0u64; words];
        for &(b, _) in &pairs {
            bits[b as usize / 64] |= 1 << (b % 64);
        }
        let mut block_rank = Vec::with_capacity(words / 8);
        let mut total = 0u32;
        for block in bits.chunks_exact(8) {
            block_rank.push(total);
            total += block.iter().map(|w| w.count_ones()).sum::<u32>();
        }
        PruneIndex {
            bits,
            block_rank,
            rows: pairs.into_iter().map(|(_, r)| r).collect(),
        }
    }

    /// The row of `bucket`, if it was kept.
    #[inline]
    fn get(&self, bucket: usize) -> Option<u32> {
        let word = bucket / 64;
        let bit = 1u64 << (bucket % 64);
        if self.bits[word] & bit == 0 {
            return None;
        }
        let block = word / 8;
        let mut rank = self.block_rank[block];
        for w in &self.bits[block * 8..word] {
            rank += w.count_ones();
        }
        rank += (self.bits[word] & (bit - 1)).count_ones();
        Some(self.rows[rank as usize])
    }

    fn max_row(&self) -> Option<u32> {
        self.rows.iter().copied().max()
    }
}

/// The parts of `Args` the dictionary needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SubwordArgs {
    pub(crate) minn: usize,
    pub(crate) maxn: usize,
    pub(crate) bucket: u32,
    pub(crate) word_ngrams: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Dict {
    args: SubwordArgs,
    nwords: i32,
    /// Word (or label) bytes → id.
    ids: HashMap<Box<[u8]>, i32, FxBuildHasher>,
    /// Entry types by id: `true` for labels.
    is_label: Vec<bool>,
    /// Labels in id order (id − nwords).
    labels: Vec<String>,
    /// Label counts (the hierarchical softmax tree is built from them).
    label_counts: Vec<i64>,
    /// The input rows of each in-vocabulary word: itself, then its n-grams (`initNgrams`).
    subwords: Vec<Box<[i32]>>,
    prune: Prune,
    /// `u64::MAX / bucket + 1`, for [`Dict::bucket_of`].
    bucket_magic: u64,
}

impl Dict {
    /// `Dictionary::load`.
    pub(crate) fn load(r: &mut Reader<'_>, args: SubwordArgs) -> Result<Self, String> {
        let size = count(r.i32("the dictionary size")?.into(), "the dictionary size")?;
        let nwords = r.i32("nwords")?;
        let nlabels = r.i32("nlabels")?;
        let _ntokens = r.i64("ntokens")?;
        let pruneidx_size = r.i64("the prune index size")?;
        if nwords < 0 || nlabels < 0 || i64::from(nwords) + i64::from(nlabels) != size as i64 {
            return Err(format!(
                "dictionary of {size} entries has {nwords} words and {nlabels} labels"
            ));
        }
        let mut ids = HashMap::with_capacity_and_hasher(size, FxBuildHasher);
        let mut is_label = Vec::with_capacity(size);
        let mut labels = Vec::new();
        let mut label_counts = Vec::new();
        let mut words = Vec::with_capacity(size);
        for id in 0..size {
            let word = r.c_string("a dictionary entry")?;
            let count = r.i64("an entry count")?;
            let label = match r.u8("an entry type")? {
                0 => false,
                1 => true,
                t => return Err(format!("entry {id} has unknown type {t}")),
            };
            if label {
                labels.push(String::from_utf8_lossy(word).into_owned());
                label_counts.push(count);
            }
            // Of two equal entries C++ finds the last (its table slot is overwritten).
            ids.insert(word.into(), id as i32);
            is_label.push(label);
            words.push(word);
        }
        if words[..nwords as usize]
            .iter()
            .zip(&is_label)
            .any(|(_, l)| *l)
            || is_label[nwords as usize..].iter().any(|l| !l)
        {
            return Err("dictionary words and labels are not in order".into());
        }
        let prune = if pruneidx_size < 0 {
            Prune::None
        } else if pruneidx_size == 0 {
            Prune::All
        } else {
            let mut pairs = std::collections::BTreeMap::new();
            for _ in 0..pruneidx_size {
                let bucket = r.i32("the prune index")?;
                let row = r.i32("the prune index")?;
                let bucket = u32::try_from(bucket)
                    .ok()
                    .filter(|&b| b < args.bucket)
                    .ok_or_else(|| format!("prune index bucket {bucket} out of range"))?;
                let row = u32::try_from(row).map_err(|_| format!("prune index row {row}"))?;
                // The last pair read for a bucket wins, as in `pruneidx_[first] = second`.
                pairs.insert(bucket, row);
            }
            let table = PruneIndex::new(args.bucket as usize, pairs.into_iter().collect());
            Prune::Table(table)
        };
        let mut dict = Dict {
            args,
            nwords,
            ids,
            is_label,
            labels,
            label_counts,
            subwords: Vec::new(),
            prune,
            bucket_magic: (u64::MAX / u64::from(args.bucket.max(1))).wrapping_add(1),
        };
        // initNgrams, for the words (a label's rows are never used).
        dict.subwords = words[..nwords as usize]
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut v = vec![i as i32];
                if *w != EOS {
                    dict.compute_subwords(w, &mut v);
                }
                v.into_boxed_slice()
            })
            .collect();
        Ok(dict)
    }

    pub(crate) fn labels(&self) -> &[String] {
        &self.labels
    }

    pub(crate) fn label_counts(&self) -> &[i64] {
        &self.label_counts
    }

    pub(crate) fn word_ngrams(&self) -> usize {
        self.args.word_ngrams
    }

    /// `h % bucket` by Lemire's exact 32-bit "fastmod" (a multiplication instead of a
    /// division: every n-gram needs one).
    #[inline]
    fn bucket_of(&self, h: u32) -> u32 {
        let low = self.bucket_magic.wrapping_mul(u64::from(h));
        ((u128::from(low) * u128::from(self.args.bucket)) >> 64) as u32
    }

    /// The largest input row any token can produce (`None`: no rows at all).
    pub(crate) fn max_row(&self) -> Option<usize> {
        let words = self.subwords.iter().flat_map(|s| s.iter()).copied().max();
        let ngrams = (self.args.maxn > 0 || self.args.word_ngrams > 1)
            .then(|| match &self.prune {
                Prune::None => Some(i64::from(self.args.bucket) - 1),
                Prune::All => None,
                Prune::Table(t) => t.max_row().map(i64::from),
            })
            .flatten()
            .map(|r| i64::from(self.nwords) + r);
        let words = words.map(i64::from);
        words.max(ngrams).and_then(|m| usize::try_from(m).ok())
    }

    /// `pushHash`: the row of n-gram bucket `id`, if it has one.
    #[inline]
    fn push_hash(&self, out: &mut Vec<i32>, id: i32) {
        if id < 0 {
            return;
        }
        let row = match &self.prune {
            Prune::None => id,
            Prune::All => return,
            Prune::Table(table) => match table.get(id as usize) {
                None => return,
                Some(row) => row as i32,
            },
        };
        out.push(self.nwords + row);
    }

    /// `computeSubwords(BOW + word + EOW)`: character n-grams of minn..=maxn code points
    /// (not the single boundary characters), in C++'s order.
    fn compute_subwords(&self, word: &[u8], out: &mut Vec<i32>) {
        let (minn, maxn) = (self.args.minn, self.args.maxn);
        if maxn == 0 {
            return;
        }
        // `<word>` on the stack for the usual short word.
        let mut small = [0u8; 64];
        let mut large = Vec::new();
        let w: &mut [u8] = if word.len() + 2 <= small.len() {
            &mut small[..word.len() + 2]
        } else {
            large.resize(word.len() + 2, 0);
            &mut large
        };
        w[0] = BOW;
        w[1..=word.len()].copy_from_slice(word);
        w[word.len() + 1] = EOW;
        let w = &*w;
        for i in 0..w.len() {
            if w[i] & 0xC0 == 0x80 {
                continue;
            }
            // FNV-1a is incremental: the hash of ngram[..j] extends to ngram[..j + k].
            let mut h: u32 = 2_166_136_261;
            let mut j = i;
            let mut n = 1;
            while j < w.len() && n <= maxn {
                h ^= w[j] as i8 as i32 as u32;
                h = h.wrapping_mul(16_777_619);
                j += 1;
                while j < w.len() && w[j] & 0xC0 == 0x80 {
                    h ^= w[j] as i8 as i32 as u32;
                    h = h.wrapping_mul(16_777_619);
                    j += 1;
                }
                if n >= minn && !(n == 1 && (i == 0 || j == w.len())) {
                    self.push_hash(out, self.bucket_of(h) as i32);
                }
                n += 1;
            }
        }
    }

    /// An in-vocabulary token: its rows (itself, then its n-grams), or `None` for a label.
    /// `Err(())` for a token the dictionary does not have.
    #[inline]
    pub(crate) fn known(&self, token: &[u8]) -> Result<Option<&[i32]>, ()> {
        match self.ids.get(token) {
            Some(&wid) if self.is_label[wid as usize] => Ok(None),
            // With maxn == 0 this is `[wid]` alone, as `addSubwords` pushes.
            Some(&wid) => Ok(Some(&self.subwords[wid as usize])),
            None => Err(()),
        }
    }

    /// The input rows of a token the dictionary does not have (`addSubwords` with
    /// `wid < 0`), or [`TokenKind::Label`] for an unknown `__label__…` token.
    pub(crate) fn unknown_rows(&self, token: &[u8], out: &mut Vec<i32>) -> TokenKind {
        if token.starts_with(LABEL_PREFIX) {
            return TokenKind::Label;
        }
        if token != EOS {
            self.compute_subwords(token, out);
        }
        TokenKind::Word
    }

    /// The input rows one token adds (`getLine`'s body for one token).
    pub(crate) fn token_rows(&self, token: &[u8], out: &mut Vec<i32>) -> TokenKind {
        match self.known(token) {
            Ok(Some(rows)) => {
                out.extend_from_slice(rows);
                TokenKind::Word
            }
            Ok(None) => TokenKind::Label,
            Err(()) => self.unknown_rows(token, out),
        }
    }

    /// `addWordNgrams`: hashes of word n-grams (2..=wordNgrams) over the words' hashes.
    pub(crate) fn add_word_ngrams(&self, hashes: &[i32], out: &mut Vec<i32>) {
        let n = self.args.word_ngrams;
        for i in 0..hashes.len() {
            let mut h = hashes[i] as i64 as u64;
            for &next in hashes.iter().take(i + n).skip(i + 1) {
                h = h.wrapping_mul(116_049_371).wrapping_add(next as i64 as u64);
                self.push_hash(out, (h % u64::from(self.args.bucket)) as i32);
            }
        }
    }
}

/// What a token is to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A word: its rows were added (possibly none) and it takes part in word n-grams.
    Word,
    /// A label (`__label__…`): ignored by prediction.
    Label,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fastmod_equals_the_remainder() {
        for bucket in [
            1u32,
            2,
            3,
            7,
            1000,
            2_000_000,
            2_000_003,
            u32::MAX / 2,
            u32::MAX,
        ] {
            let dict = Dict {
                args: SubwordArgs {
                    minn: 2,
                    maxn: 4,
                    bucket,
                    word_ngrams: 1,
                },
                nwords: 0,
                ids: HashMap::default(),
                is_label: Vec::new(),
                labels: Vec::new(),
                label_counts: Vec::new(),
                subwords: Vec::new(),
                prune: Prune::None,
                bucket_magic: (u64::MAX / u64::from(bucket)).wrapping_add(1),
            };
            let mut h = 0x9e37_79b9u32;
            for x in [0u32, 1, bucket - 1, bucket, u32::MAX, u32::MAX - 1] {
                assert_eq!(dict.bucket_of(x), x % bucket, "{x} % {bucket}");
            }
            for _ in 0..100_000 {
                h ^= h << 13;
                h ^= h >> 17;
                h ^= h << 5;
                assert_eq!(dict.bucket_of(h), h % bucket, "{h} % {bucket}");
            }
        }
    }
}
