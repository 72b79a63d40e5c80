//! The two lookup structures a scan touches per word: a blocked Bloom filter of n-gram
//! prefixes (small enough for the CPU cache; most positions stop there) and an
//! open-addressing table from n-gram key to index entry.

/// Key → entry, linear probing over a power-of-two table; key 0 is stored as 1.
#[derive(Debug, Clone, Default)]
pub struct KeyTable {
    keys: Vec<u64>,
    values: Vec<u32>,
    shift: u32,
    len: usize,
}

fn nonzero(key: u64) -> u64 {
    key.max(1)
}

impl KeyTable {
    /// A table for `n` keys (load at most ~0.6).
    pub fn with_capacity(n: usize) -> Self {
        let cap = (n * 5 / 3 + 16).next_power_of_two();
        KeyTable {
            keys: vec![0; cap],
            values: vec![0; cap],
            shift: 64 - cap.trailing_zeros(),
            len: 0,
        }
    }

    /// Insert `key → value` unless the key is there (the first value stays).
    pub fn insert(&mut self, key: u64, value: u32) {
        let key = nonzero(key);
        let mask = self.keys.len() - 1;
        let mut i = (key >> self.shift) as usize;
        loop {
            match self.keys[i] {
                0 => {
                    self.keys[i] = key;
                    self.values[i] = value;
                    self.len += 1;
                    return;
                }
                k if k == key => return,
                _ => i = (i + 1) & mask,
            }
        }
    }

    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        let key = nonzero(key);
        let mask = self.keys.len() - 1;
        let mut i = (key >> self.shift) as usize;
        loop {
            match self.keys[i] {
                0 => return None,
                k if k == key => return Some(self.values[i]),
                _ => i = (i + 1) & mask,
            }
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.keys.len() * 12
    }
}

/// An exact set of 64-bit keys (linear probing; key 0 stored as 1).
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<u64>,
    shift: u32,
}

impl KeySet {
    pub fn new(keys: &[u64]) -> Self {
        let cap = (keys.len() * 5 / 3 + 16).next_power_of_two();
        let mut set = KeySet {
            keys: vec![0; cap],
            shift: 64 - cap.trailing_zeros(),
        };
        let mask = cap - 1;
        for &k in keys {
            let k = nonzero(k);
            let mut i = (k >> set.shift) as usize;
            while set.keys[i] != 0 && set.keys[i] != k {
                i = (i + 1) & mask;
            }
            set.keys[i] = k;
        }
        set
    }

    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        let key = nonzero(key);
        let mask = self.keys.len() - 1;
        let mut i = (key >> self.shift) as usize;
        loop {
            match self.keys[i] {
                0 => return false,
                k if k == key => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The keys held, in no order.
    pub fn keys(&self) -> Vec<u64> {
        self.keys.iter().copied().filter(|&k| k != 0).collect()
    }

    pub fn bytes(&self) -> usize {
        self.keys.len() * 8
    }
}

/// A blocked Bloom filter: each key sets two bits of one 64-bit word.
#[derive(Debug, Clone, Default)]
pub struct PrefixFilter {
    words: Vec<u64>,
    shift: u32,
}

impl PrefixFilter {
    /// About 16 bits per key.
    pub fn with_capacity(n: usize) -> Self {
        Self::with_bits(n, 16)
    }

    /// About `bits` bits per key (a power of two words).
    pub fn with_bits(n: usize, bits: usize) -> Self {
        let words = (n * bits / 64 + 64).next_power_of_two();
        PrefixFilter {
            words: vec![0; words],
            shift: 64 - words.trailing_zeros(),
        }
    }

    #[inline]
    fn slot(&self, key: u64) -> (usize, u64) {
        let bits = 1u64 << (key & 63) | 1u64 << ((key >> 6) & 63);
        ((key >> self.shift) as usize, bits)
    }

    pub fn insert(&mut self, key: u64) {
        let (i, bits) = self.slot(key);
        self.words[i] |= bits;
    }

    #[inline]
    pub fn may_contain(&self, key: u64) -> bool {
        let (i, bits) = self.slot(key);
        self.words[i] & bits == bits
    }

    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::mix;

    #[test]
    fn table_finds_what_was_inserted_and_nothing_else() {
        let mut t = KeyTable::with_capacity(1000);
        for i in 1..=1000u64 {
            t.insert(mix(i), i as u32);
        }
        t.insert(mix(5), 99);
        t.insert(0, 7);
        assert_eq!(t.len(), 1001);
        assert!((1..=1000u64).all(|i| t.get(mix(i)) == Some(i as u32)));
        assert_eq!(t.get(0), Some(7));
        assert!((1001..20_000u64).all(|i| t.get(mix(i)).is_none()));
    }

    #[test]
    fn filter_has_no_false_negatives_and_few_false_positives() {
        let mut f = PrefixFilter::with_capacity(10_000);
        for i in 0..10_000u64 {
            f.insert(mix(i));
        }
        assert!((0..10_000u64).all(|i| f.may_contain(mix(i))));
        let fp = (10_000..110_000u64)
            .filter(|&i| f.may_contain(mix(i)))
            .count();
        assert!(fp < 4_000, "{fp} of 100000");
    }
}
