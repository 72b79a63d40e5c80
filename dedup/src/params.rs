//! MinHash LSH parameters and their S-curve. The design decision: one serde config shared by
//! all four steps and stored in the work directory by the first, so every later step (on any
//! machine) hashes and bands exactly as the signatures were made.

use serde::{Deserialize, Serialize};

use crate::DedupError;

/// MinHash LSH parameters. Defaults are FineWeb's: word 5-grams, 14 bands × 8 rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinhashConfig {
    /// Words per shingle.
    #[serde(default = "default_ngram")]
    pub ngram: usize,
    /// LSH bands; two documents are candidates when all rows of one band agree.
    #[serde(default = "default_bands")]
    pub bands: usize,
    /// MinHash values per band.
    #[serde(default = "default_rows")]
    pub rows: usize,
    /// Seed of the hash permutations (same seed, same signatures).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Documents sharing a band are linked only when their signatures agree on at least
    /// this fraction of all hashes (the MinHash Jaccard estimate); 0 links every candidate.
    /// 0.7 leaves pairs at J ≥ 0.8 linked (the estimate's spread is ~0.04 at 112 hashes)
    /// and cuts band collisions of pairs at J ≤ 0.5.
    #[serde(default = "default_verify")]
    pub verify_threshold: f64,
}

fn default_ngram() -> usize {
    5
}
fn default_bands() -> usize {
    14
}
fn default_rows() -> usize {
    8
}
fn default_seed() -> u64 {
    1
}
fn default_verify() -> f64 {
    0.7
}

impl Default for MinhashConfig {
    fn default() -> Self {
        MinhashConfig {
            ngram: default_ngram(),
            bands: default_bands(),
            rows: default_rows(),
            seed: default_seed(),
            verify_threshold: default_verify(),
        }
    }
}

impl MinhashConfig {
    /// Check the parameters once, before any document is hashed.
    pub fn validate(&self) -> Result<(), DedupError> {
        let bad = |what: String| Err(DedupError::Config(what));
        if self.ngram == 0 || self.ngram > 64 {
            return bad(format!("ngram = {} must be between 1 and 64", self.ngram));
        }
        if self.bands == 0 || self.rows == 0 || self.bands * self.rows > 1024 {
            return bad(format!(
                "bands × rows = {} × {} must be positive and at most 1024 hashes",
                self.bands, self.rows
            ));
        }
        if !(0.0..=1.0).contains(&self.verify_threshold) {
            return bad(format!(
                "verify_threshold = {} must be between 0 and 1",
                self.verify_threshold
            ));
        }
        Ok(())
    }

    /// Number of MinHash values per signature.
    pub fn num_hashes(&self) -> usize {
        self.bands * self.rows
    }

    /// Probability that two documents with Jaccard similarity `j` share a band:
    /// `1 − (1 − j^rows)^bands`.
    pub fn candidate_probability(&self, j: f64) -> f64 {
        1.0 - (1.0 - j.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The similarity at which the S-curve is steepest, `(1/bands)^(1/rows)`.
    pub fn threshold(&self) -> f64 {
        (1.0 / self.bands as f64).powf(1.0 / self.rows as f64)
    }

    /// The S-curve as a small table, for `seapile dedup --explain`.
    pub fn explain(&self) -> String {
        let mut s = format!(
            "MinHash LSH: {}-word shingles, {} bands × {} rows = {} hashes, seed {}\n\
             threshold (1/b)^(1/r) ≈ {:.3}; candidates linked when estimated J ≥ {}\n\nJaccard  P(candidate)\n",
            self.ngram,
            self.bands,
            self.rows,
            self.num_hashes(),
            self.seed,
            self.threshold(),
            self.verify_threshold
        );
        for j in [
            0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0,
        ] {
            let p = self.candidate_probability(j);
            let bar = "#".repeat((p * 40.0).round() as usize);
            s.push_str(&format!("{j:>7.2}  {p:>12.4}  {bar}\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fineweb_defaults_and_their_threshold() {
        let c = MinhashConfig::default();
        assert_eq!((c.ngram, c.bands, c.rows), (5, 14, 8));
        assert!((c.threshold() - 0.719).abs() < 0.001, "{}", c.threshold());
        assert!(c.candidate_probability(0.8) > 0.92);
        assert!(c.candidate_probability(0.5) < 0.06);
    }

    #[test]
    fn config_rejects_unknown_fields_and_zero_bands() {
        let e = serde_json::from_str::<MinhashConfig>(r#"{"band": 3}"#).unwrap_err();
        assert!(e.to_string().contains("band"), "{e}");
        let c = MinhashConfig {
            bands: 0,
            ..MinhashConfig::default()
        };
        assert!(c.validate().unwrap_err().to_string().contains("0 × 8"));
    }
}
