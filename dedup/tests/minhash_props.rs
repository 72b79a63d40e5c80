//! Property tests: the MinHash estimate tracks the true Jaccard similarity, and the LSH
//! candidate rate follows `1 − (1 − J^r)^b`.

use dedup::{estimate_jaccard, jaccard, MinHasher, MinhashConfig};
use proptest::prelude::*;

/// Two sorted sets sharing `common` elements, with `only_a` and `only_b` of their own.
fn sets(seed: u64, common: usize, only_a: usize, only_b: usize) -> (Vec<u64>, Vec<u64>) {
    let mut x = seed;
    let mut next = move || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z ^ (z >> 31)
    };
    let shared: Vec<u64> = (0..common).map(|_| next()).collect();
    let mut a = shared.clone();
    let mut b = shared;
    a.extend((0..only_a).map(|_| next()));
    b.extend((0..only_b).map(|_| next()));
    a.sort_unstable();
    b.sort_unstable();
    (a, b)
}

fn config(bands: usize, rows: usize, seed: u64) -> MinhashConfig {
    MinhashConfig {
        bands,
        rows,
        seed,
        ..MinhashConfig::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// With 256 hashes the estimate's standard deviation is at most 1/32; allow 5 of them.
    #[test]
    fn estimate_is_within_five_sigma_of_the_true_jaccard(
        seed in any::<u64>(),
        common in 1usize..400,
        only_a in 0usize..300,
        only_b in 0usize..300,
    ) {
        let (a, b) = sets(seed, common, only_a, only_b);
        let j = jaccard(&a, &b);
        let m = MinHasher::new(&config(32, 8, seed ^ 1));
        let est = estimate_jaccard(&m.signature_of(&a), &m.signature_of(&b));
        let sigma = (j * (1.0 - j) / 256.0).sqrt().max(1.0 / 256.0);
        prop_assert!((est - j).abs() <= 5.0 * sigma, "J {j:.3} estimated {est:.3}");
    }

    /// The S-curve is a probability, increasing in J, and exactly its formula.
    #[test]
    fn candidate_probability_is_monotone_and_bounded(
        bands in 1usize..40,
        rows in 1usize..16,
        j1 in 0.0f64..1.0,
        j2 in 0.0f64..1.0,
    ) {
        let c = config(bands, rows, 1);
        let (lo, hi) = if j1 <= j2 { (j1, j2) } else { (j2, j1) };
        let (p_lo, p_hi) = (c.candidate_probability(lo), c.candidate_probability(hi));
        prop_assert!((0.0..=1.0).contains(&p_lo) && (0.0..=1.0).contains(&p_hi));
        prop_assert!(p_lo <= p_hi + 1e-12);
        let formula = 1.0 - (1.0 - hi.powi(rows as i32)).powi(bands as i32);
        prop_assert!((p_hi - formula).abs() < 1e-12);
        // At the threshold t = (1/b)^(1/r), t^r = 1/b, so P = 1 − (1 − 1/b)^b ≥ 1 − 1/e.
        prop_assert!(c.candidate_probability(c.threshold()) >= 1.0 - (-1.0f64).exp() - 1e-9);
    }
}

/// Empirical candidate rate over 400 seeds at several similarities, FineWeb's 14 × 8:
/// within 4 binomial standard deviations of the S-curve.
#[test]
fn band_collisions_follow_the_s_curve() {
    for (common, only) in [(60, 20), (70, 15), (80, 10), (90, 5)] {
        let (mut hits, trials) = (0, 400);
        let mut j = 0.0;
        for t in 0..trials {
            let (a, b) = sets(t * 7 + 3, common, only, only);
            j = jaccard(&a, &b);
            let c = config(14, 8, t);
            let m = MinHasher::new(&c);
            let (ka, kb) = (
                m.band_keys(&m.signature_of(&a)),
                m.band_keys(&m.signature_of(&b)),
            );
            hits += ka.iter().zip(&kb).any(|(x, y)| x == y) as u32;
        }
        let p = config(14, 8, 0).candidate_probability(j);
        let rate = f64::from(hits) / trials as f64;
        let sd = (p * (1.0 - p) / trials as f64).sqrt().max(0.005);
        assert!(
            (rate - p).abs() <= 4.0 * sd,
            "J {j:.3}: candidates {rate:.3}, S-curve {p:.3}"
        );
    }
}
