//! Histograms with fixed bins, so that shards merge by adding counts: the bins of a signal
//! are a function of its name ([`Bins::for_attr`]), never of the data.

use serde::{Deserialize, Serialize};

/// How values map to bins. Bin 0 and the last bin catch everything below and above the
/// range, so no value is lost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Bins {
    /// `n` equal bins over `[lo, hi)`, plus bin 0 (`< lo`) and bin `n + 1` (`>= hi`).
    Linear { lo: f64, hi: f64, n: u32 },
    /// Counts: bin 0 holds `[0, 1)`, then `per_decade` bins per power of ten up to
    /// `10^decades`, and a last bin for larger values.
    Log10 { per_decade: u32, decades: u32 },
}

impl Bins {
    /// Ratios and scores in `[0, 1]`: 40 bins of 0.025 (1.0 itself falls in the `>= 1` bin).
    pub const UNIT: Bins = Bins::Linear {
        lo: 0.0,
        hi: 1.0,
        n: 40,
    };
    /// Lengths in characters, words or tokens: 5 bins per decade up to 10 million.
    pub const LENGTH: Bins = Bins::Log10 {
        per_decade: 5,
        decades: 7,
    };
    /// Small counts (sentences, stop words): 5 bins per decade up to 100,000.
    pub const COUNT: Bins = Bins::Log10 {
        per_decade: 5,
        decades: 5,
    };
    /// Mean word length in characters: 0.5-character bins up to 20.
    pub const WORD_LENGTH: Bins = Bins::Linear {
        lo: 0.0,
        hi: 20.0,
        n: 40,
    };

    /// The bins of a document attribute, by its name: counts on a log scale, mean word length
    /// in characters, everything else (ratios, fractions, scores) on `[0, 1]`.
    pub fn for_attr(attr: &str) -> Bins {
        if attr.ends_with("word_count") {
            Bins::LENGTH
        } else if attr.ends_with("mean_word_length") {
            Bins::WORD_LENGTH
        } else if attr.ends_with("sentences")
            || attr.ends_with("stop_words")
            || attr.ends_with("masked")
            || attr.ends_with("count")
        {
            Bins::COUNT
        } else {
            Bins::UNIT
        }
    }

    /// Number of bins, the two catch-all bins included.
    pub fn len(&self) -> usize {
        match *self {
            Bins::Linear { n, .. } => n as usize + 2,
            Bins::Log10 {
                per_decade,
                decades,
            } => (per_decade * decades) as usize + 2,
        }
    }

    /// Never empty (there are always the two catch-all bins).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Where `x` falls, in bin units: bin `i` covers `[i, i + 1)`. Used to place a threshold
    /// on a chart; [`Bins::index`] is its floor, clamped.
    pub fn position(&self, x: f64) -> f64 {
        let last = (self.len() - 1) as f64;
        let p = match *self {
            Bins::Linear { lo, hi, n } => {
                if x < lo {
                    0.5
                } else {
                    1.0 + (x - lo) / ((hi - lo) / f64::from(n))
                }
            }
            Bins::Log10 { per_decade, .. } => {
                if x < 1.0 {
                    x.max(0.0)
                } else {
                    1.0 + x.log10() * f64::from(per_decade)
                }
            }
        };
        p.clamp(0.0, last + 0.999)
    }

    /// The bin of `x` (`None` for NaN).
    pub fn index(&self, x: f64) -> Option<usize> {
        if x.is_nan() {
            return None;
        }
        let i = self.position(x).floor() as usize;
        Some(i.min(self.len() - 1))
    }

    /// The lower edge of bin `i` (`f64::NEG_INFINITY` for bin 0 of a linear scale).
    pub fn lower(&self, i: usize) -> f64 {
        match *self {
            Bins::Linear { lo, hi, n } => {
                if i == 0 {
                    f64::NEG_INFINITY
                } else {
                    lo + (i as f64 - 1.0) * (hi - lo) / f64::from(n)
                }
            }
            Bins::Log10 { per_decade, .. } => {
                if i == 0 {
                    0.0
                } else {
                    10f64.powf((i as f64 - 1.0) / f64::from(per_decade))
                }
            }
        }
    }

    /// A short label of bin `i`'s range, e.g. `0.45–0.475`, `≥ 1`, `100–158`.
    pub fn label(&self, i: usize) -> String {
        let last = self.len() - 1;
        if i == last {
            return format!("≥ {}", short(self.lower(i)));
        }
        match (self, i) {
            (Bins::Linear { lo, .. }, 0) => format!("< {}", short(*lo)),
            (Bins::Log10 { .. }, 0) => "0".to_string(),
            _ => format!("{}–{}", short(self.lower(i)), short(self.lower(i + 1))),
        }
    }
}

/// A number as a short label: `0.025`, `12`, `1.6k`, `2.5M`.
pub fn short(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        trim(format!("{:.1}", x / 1e6)) + "M"
    } else if a >= 1e4 {
        trim(format!("{:.0}", x / 1e3)) + "k"
    } else if a >= 1e3 {
        trim(format!("{:.1}", x / 1e3)) + "k"
    } else if a >= 10.0 || x == x.round() {
        format!("{x:.0}")
    } else {
        trim(format!("{x:.3}"))
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Counts per bin. Serialized sparsely: only the non-empty bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub bins: Bins,
    #[serde(with = "sparse")]
    pub counts: Vec<u64>,
}

impl Histogram {
    pub fn new(bins: Bins) -> Self {
        Histogram {
            bins,
            counts: vec![0; bins.len()],
        }
    }

    /// Count `x` (NaN is ignored).
    pub fn add(&mut self, x: f64) {
        if let Some(i) = self.bins.index(x) {
            self.counts[i] += 1;
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Add `other`'s counts; an error when the bins differ (written by another version).
    pub fn merge(&mut self, other: &Histogram) -> Result<(), Incompatible> {
        if self.bins != other.bins || self.counts.len() != other.counts.len() {
            return Err(Incompatible(format!("{:?} vs {:?}", self.bins, other.bins)));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        Ok(())
    }
}

/// Two histograms over different bins.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("histograms with different bins cannot be merged: {0}")]
pub struct Incompatible(pub String);

mod sparse {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(counts: &[u64], s: S) -> Result<S::Ok, S::Error> {
        let pairs: Vec<(usize, u64)> = counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(i, &c)| (i, c))
            .collect();
        (counts.len(), pairs).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        let (len, pairs): (usize, Vec<(usize, u64)>) = Deserialize::deserialize(d)?;
        if len > 1 << 16 {
            return Err(serde::de::Error::custom(format!("{len} bins")));
        }
        let mut counts = vec![0; len];
        for (i, c) in pairs {
            *counts
                .get_mut(i)
                .ok_or_else(|| serde::de::Error::custom(format!("bin {i} of {len}")))? = c;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_bins_catch_everything() {
        let b = Bins::UNIT;
        assert_eq!(b.len(), 42);
        assert_eq!(b.index(-0.1), Some(0));
        assert_eq!(b.index(0.0), Some(1));
        assert_eq!(b.index(0.024), Some(1));
        assert_eq!(b.index(0.025), Some(2));
        assert_eq!(b.index(0.999), Some(40));
        assert_eq!(b.index(1.0), Some(41));
        assert_eq!(b.index(7.0), Some(41));
        assert_eq!(b.index(f64::NAN), None);
        assert_eq!(b.label(0), "< 0");
        assert_eq!(b.label(41), "≥ 1");
        assert_eq!(b.label(2), "0.025–0.05");
    }

    #[test]
    fn log_bins_are_decades() {
        let b = Bins::LENGTH;
        assert_eq!(b.len(), 37);
        assert_eq!(b.index(0.0), Some(0));
        assert_eq!(b.index(1.0), Some(1));
        assert_eq!(b.index(9.9), Some(5));
        assert_eq!(b.index(10.0), Some(6));
        assert_eq!(b.index(1e9), Some(36));
        assert_eq!(b.label(0), "0");
        assert_eq!(b.label(6), "10–16");
        assert_eq!(b.label(36), "≥ 10M");
    }

    #[test]
    fn merge_adds_and_sparse_json_round_trips() {
        let mut a = Histogram::new(Bins::UNIT);
        let mut b = Histogram::new(Bins::UNIT);
        [0.1, 0.1, 0.9].into_iter().for_each(|x| a.add(x));
        [0.1, 1.0].into_iter().for_each(|x| b.add(x));
        a.merge(&b).unwrap();
        assert_eq!(a.total(), 5);
        assert_eq!(a.counts[Bins::UNIT.index(0.1).unwrap()], 3);
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.len() < 120, "sparse: {json}");
        let back: Histogram = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let other = Histogram::new(Bins::LENGTH);
        assert!(a.merge(&other).is_err());
    }

    #[test]
    fn attrs_get_bins_by_name() {
        assert_eq!(Bins::for_attr("gopher.word_count"), Bins::LENGTH);
        assert_eq!(Bins::for_attr("gopher.mean_word_length"), Bins::WORD_LENGTH);
        assert_eq!(Bins::for_attr("c4.terminal_sentences"), Bins::COUNT);
        assert_eq!(Bins::for_attr("fineweb.short_line_ratio"), Bins::UNIT);
        assert_eq!(Bins::for_attr("lang_score"), Bins::UNIT);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.025), "0.025");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(1585.0), "1.6k");
        assert_eq!(short(25_000.0), "25k");
        assert_eq!(short(2.5e6), "2.5M");
        assert_eq!(short(0.5), "0.5");
    }
}
