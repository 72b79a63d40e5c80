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
    /// `table[b]` is the kept row offset of bucket `b`, or `u32::MAX` when dropped.
    Table(Vec<u32>),
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
            let mut table = vec![u32::MAX; args.bucket as usize];
            for _ in 0..pruneidx_size {
                let bucket = r.i32("the prune index")?;
                let row = r.i32("the prune index")?;
                let slot = usize::try_from(bucket)
                    .ok()
                    .and_then(|b| table.get_mut(b))
                    .ok_or_else(|| format!("prune index bucket {bucket} out of range"))?;
                *slot = u32::try_from(row).map_err(|_| format!("prune index row {row}"))?;
            }
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

    /// The largest input row any token can produce (`None`: no rows at all).
    pub(crate) fn max_row(&self) -> Option<usize> {
        let words = self.subwords.iter().flat_map(|s| s.iter()).copied().max();
        let ngrams = (self.args.maxn > 0 || self.args.word_ngrams > 1)
            .then(|| match &self.prune {
                Prune::None => Some(i64::from(self.args.bucket) - 1),
                Prune::All => None,
                Prune::Table(t) => t
                    .iter()
                    .filter(|&&r| r != u32::MAX)
                    .max()
                    .map(|&r| i64::from(r)),
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
            Prune::Table(table) => match table[id as usize] {
                u32::MAX => return,
                row => row as i32,
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
        let mut buf = Vec::with_capacity(word.len() + 2);
        buf.push(BOW);
        buf.extend_from_slice(word);
        buf.push(EOW);
        let w = &buf[..];
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
                    self.push_hash(out, (h % self.args.bucket) as i32);
                }
                n += 1;
            }
        }
    }

    /// The input rows one token adds (`getLine`'s body for one token), or `None` for a
    /// token that adds nothing and is not a word (a label).
    pub(crate) fn token_rows(&self, token: &[u8], out: &mut Vec<i32>) -> TokenKind {
        match self.ids.get(token) {
            Some(&wid) if self.is_label[wid as usize] => TokenKind::Label,
            Some(&wid) => {
                if self.args.maxn == 0 {
                    out.push(wid);
                } else {
                    out.extend_from_slice(&self.subwords[wid as usize]);
                }
                TokenKind::Word
            }
            None if token.starts_with(LABEL_PREFIX) => TokenKind::Label,
            None => {
                if token != EOS {
                    self.compute_subwords(token, out);
                }
                TokenKind::Word
            }
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
