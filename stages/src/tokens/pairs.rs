//! Tables keyed by a pair of small integers, for BPE merges and character bigrams: open
//! addressing with linear probing over one flat array of `u64`, the key packed with its
//! value, so a lookup costs one cache line where a general hash map costs two (control
//! bytes, then the bucket), and the table is half the size of a `(u64, u64)` layout. Merge
//! tables have ~10^5–10^6 entries probed at random, so that line is usually a miss.

/// An empty slot.
const EMPTY: u64 = u64::MAX;

/// Fibonacci hashing: the high bits of the product are well mixed.
fn slot(k: u64, mask: usize) -> usize {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24) as usize & mask
}

fn bits(n: u64) -> u32 {
    64 - n.leading_zeros()
}

/// One merge: the pair `(a, b)` and `(rank, merged id)`.
pub(crate) type Merge = ((u32, u32), (u32, u32));

/// Pair `(a, b)` → `(rank, merged id)`. Each slot packs `key << rank_bits | rank` with
/// `key = a * width + b`; the merged id of a rank is in `merged[rank]` (read only when a
/// merge happens). Tables too large to pack keep `(key, value)` in two words.
#[derive(Debug, Clone)]
pub(crate) struct PairMap {
    slots: Vec<u64>,
    mask: usize,
    width: u64,
    rank_bits: u32,
    merged: Vec<u32>,
}

impl PairMap {
    /// A table for `entries` given in rank order (`(a, b), (rank, merged id)`); the first
    /// entry of a pair is kept, as a merge list's first occurrence wins. `None` when the ids
    /// or ranks are too large to pack into 63 bits.
    pub(crate) fn new(entries: &[Merge]) -> Option<Self> {
        let width = entries
            .iter()
            .map(|((a, b), _)| u64::from(*a.max(b)) + 1)
            .max()
            .unwrap_or(1);
        let max_rank = entries
            .iter()
            .map(|(_, (r, _))| u64::from(*r))
            .max()
            .unwrap_or(0);
        let rank_bits = bits(max_rank).max(1);
        if bits(width * width) + rank_bits > 63 {
            return None;
        }
        let capacity = (entries.len().max(1) * 2).next_power_of_two();
        let mask = capacity - 1;
        let mut slots = vec![EMPTY; capacity];
        let mut merged = vec![0u32; max_rank as usize + 1];
        for &((a, b), (rank, new)) in entries {
            let key = u64::from(a) * width + u64::from(b);
            let mut i = slot(key, mask);
            loop {
                if slots[i] == EMPTY {
                    slots[i] = key << rank_bits | u64::from(rank);
                    merged[rank as usize] = new;
                    break;
                }
                if slots[i] >> rank_bits == key {
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        Some(PairMap {
            slots,
            mask,
            width,
            rank_bits,
            merged,
        })
    }

    /// `(rank, merged id)` of the pair, if it merges.
    #[cfg(test)]
    fn get(&self, a: u32, b: u32) -> Option<(u32, u32)> {
        self.rank(a, b).map(|r| (r, self.merged(r)))
    }

    /// The id a merge of rank `rank` makes.
    #[inline]
    pub(crate) fn merged(&self, rank: u32) -> u32 {
        self.merged[rank as usize]
    }

    /// The rank of the pair's merge, if it merges.
    #[inline]
    pub(crate) fn rank(&self, a: u32, b: u32) -> Option<u32> {
        let (a, b) = (u64::from(a), u64::from(b));
        if a >= self.width || b >= self.width {
            return None;
        }
        let key = a * self.width + b;
        let mut i = slot(key, self.mask);
        loop {
            let s = self.slots[i];
            if s == EMPTY {
                return None;
            }
            if s >> self.rank_bits == key {
                return Some((s & ((1 << self.rank_bits) - 1)) as u32);
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// A set of pairs of Unicode scalar values (21 bits each).
#[derive(Debug, Clone)]
pub(crate) struct CharPairSet {
    slots: Vec<u64>,
    mask: usize,
}

impl CharPairSet {
    pub(crate) fn new(pairs: impl ExactSizeIterator<Item = (char, char)>) -> Self {
        let capacity = (pairs.len().max(1) * 2).next_power_of_two();
        let mask = capacity - 1;
        let mut slots = vec![EMPTY; capacity];
        for (a, b) in pairs {
            let key = u64::from(a) << 21 | u64::from(b);
            let mut i = slot(key, mask);
            while slots[i] != EMPTY && slots[i] != key {
                i = (i + 1) & mask;
            }
            slots[i] = key;
        }
        CharPairSet { slots, mask }
    }

    #[inline]
    pub(crate) fn contains(&self, a: char, b: char) -> bool {
        let key = u64::from(a) << 21 | u64::from(b);
        let mut i = slot(key, self.mask);
        loop {
            let s = self.slots[i];
            if s == key {
                return true;
            }
            if s == EMPTY {
                return false;
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_put_and_keeps_the_first() {
        let entries = vec![((1, 2), (0, 10)), ((2, 3), (1, 11)), ((1, 2), (2, 99))];
        let m = PairMap::new(&entries).unwrap();
        assert_eq!(m.get(1, 2), Some((0, 10)));
        assert_eq!(m.get(2, 3), Some((1, 11)));
        assert_eq!(m.get(3, 2), None);
        assert_eq!(m.get(9, 9), None, "ids beyond the table");
        let entries: Vec<_> = (0..100_000u32).map(|i| ((i, i + 1), (i, i + 7))).collect();
        let big = PairMap::new(&entries).unwrap();
        assert!((0..100_000u32).all(|i| big.get(i, i + 1) == Some((i, i + 7))));
        assert_eq!(big.get(5, 5), None);
        assert!(PairMap::new(&[((u32::MAX - 1, 0), (0, 0))]).is_none());
    }

    #[test]
    fn char_pairs() {
        let s = CharPairSet::new([('a', 'b'), ('▁', 'x'), ('\u{10FFFF}', '\0')].into_iter());
        assert!(s.contains('a', 'b') && s.contains('▁', 'x') && s.contains('\u{10FFFF}', '\0'));
        assert!(!s.contains('b', 'a'));
    }
}
