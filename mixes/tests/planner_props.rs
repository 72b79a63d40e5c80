//! Property tests of the planner: shares sum to 1, group targets are met, no source passes
//! its `max_epochs`, and a group whose capacity is below its target is refused.

use mixes::{plan, MixConfig};
use proptest::prelude::*;

/// (unique tokens, weight, max epochs) of one source.
type Source = (u64, f64, f64);
/// Groups: (relative share, sources).
type Groups = Vec<(f64, Vec<Source>)>;

fn config(groups: &[(f64, Vec<Source>)]) -> (MixConfig, Vec<u64>) {
    let total: f64 = groups.iter().map(|g| g.0).sum();
    let mut text = String::from("name = \"p\"\nbudget = \"100B\"\n[groups]\n");
    for (g, (share, _)) in groups.iter().enumerate() {
        text += &format!("g{g} = {}\n", share / total);
    }
    let mut unique = Vec::new();
    for (g, (_, sources)) in groups.iter().enumerate() {
        for (i, &(u, weight, max)) in sources.iter().enumerate() {
            text += &format!(
                "[[source]]\nname = \"g{g}s{i}\"\ngroup = \"g{g}\"\nunique_tokens = {u}\nweight = {weight}\nmax_epochs = {max}\n"
            );
            unique.push(u);
        }
    }
    (MixConfig::parse(&text, "prop").unwrap(), unique)
}

fn groups() -> impl Strategy<Value = Groups> {
    let source = (1_000_000u64..80_000_000_000, 0.1f64..4.0, 0.5f64..8.0);
    prop::collection::vec((0.05f64..1.0, prop::collection::vec(source, 1..5)), 1..5)
}

proptest! {
    #[test]
    fn feasible_plans_meet_targets_within_max_epochs(groups in groups()) {
        let (config, unique) = config(&groups);
        let budget = 100e9;
        let feasible = config.groups.iter().all(|(g, share)| {
            let capacity: f64 = config.sources.iter().zip(&unique)
                .filter(|(s, _)| &s.group == g)
                .map(|(s, &u)| config.max_epochs_of(s) * u as f64)
                .sum();
            capacity >= share * budget * (1.0 + 1e-9)
        });
        match plan(&config, &unique) {
            Ok(p) => {
                let sum: f64 = p.sources.iter().map(|s| s.share).sum();
                prop_assert!((sum - 1.0).abs() < 1e-9);
                for s in &p.sources {
                    prop_assert!(s.multiplier <= s.max_epochs + 1e-9);
                }
                for g in &p.groups {
                    let target = g.target.unwrap();
                    prop_assert!((g.total_tokens as f64 - target * budget).abs() < 100.0);
                }
            }
            Err(e) => {
                prop_assert!(!feasible, "feasible plan refused: {e}");
                prop_assert!(e.to_string().contains("epochs > max"), "{e}");
            }
        }
    }
}
