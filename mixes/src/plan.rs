//! The planner: per-source multipliers that give each group its share of the budget.
//!
//! Design decision: within a group, sources with a `weight` are filled by water-filling —
//! epochs are `λ · weight` for one λ per group, a source that would pass its `max_epochs` is
//! held at it and the rest share what is left — so small sources are repeated no more than
//! allowed and the group total is met exactly whenever it is possible at all.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Amount, MixConfig};
use crate::MixError;

/// One source in a solved plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedSource {
    pub name: String,
    pub group: String,
    pub lang: String,
    pub unique_tokens: u64,
    /// Epochs (total / unique).
    pub multiplier: f64,
    pub total_tokens: u64,
    /// Fraction of the plan's total tokens.
    pub share: f64,
    /// The source's `max_epochs`.
    #[serde(skip)]
    pub max_epochs: f64,
    /// The published percentage to compare with, if the config gives one.
    #[serde(skip)]
    pub published_percent: Option<f64>,
}

/// A group (or a language): target and achieved fraction of the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub name: String,
    pub target: Option<f64>,
    pub achieved: f64,
    pub total_tokens: u64,
}

/// A solved plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub name: String,
    pub tokenizer: Option<String>,
    /// The counter `files` sources were counted with, when the config names a tokenizer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted_with: Option<String>,
    pub budget: Option<u64>,
    pub total_tokens: u64,
    pub sources: Vec<PlannedSource>,
    pub groups: Vec<Share>,
    pub languages: Vec<Share>,
}

/// Solve `config` given each source's unique tokens (same order as `config.sources`).
pub fn plan(config: &MixConfig, unique: &[u64]) -> Result<Plan, MixError> {
    if unique.len() != config.sources.len() {
        return Err(MixError::Infeasible(format!(
            "{} unique-token counts for {} sources",
            unique.len(),
            config.sources.len()
        )));
    }
    let mut epochs = fixed_epochs(config, unique)?;
    for group in weighted_groups(config) {
        fill_group(config, unique, &group, &mut epochs)?;
    }
    Ok(assemble(config, unique, &epochs))
}

/// Epochs of sources with fixed `epochs` or `share`; weighted ones start at 0.
fn fixed_epochs(config: &MixConfig, unique: &[u64]) -> Result<Vec<f64>, MixError> {
    let budget = config.budget.unwrap_or(0) as f64;
    let mut epochs = Vec::with_capacity(unique.len());
    for (s, &u) in config.sources.iter().zip(unique) {
        let e = match s.amount() {
            Amount::Epochs(e) => e,
            Amount::Share(share) => required_epochs(share * budget, u as f64),
            Amount::Weight(_) => 0.0,
        };
        let max = config.max_epochs_of(s);
        if e > max + 1e-9 {
            let what = match s.amount() {
                Amount::Share(share) => {
                    format!("{} of {}", percent(share), tokens_short(budget))
                }
                _ => format!("epochs = {e}"),
            };
            return Err(MixError::Infeasible(format!(
                "{}: {} unique tokens, {what} needs {} epochs > max {max}",
                s.name,
                unique_short(u as f64),
                epochs_text(e)
            )));
        }
        epochs.push(e);
    }
    Ok(epochs)
}

fn required_epochs(target: f64, unique: f64) -> f64 {
    if target <= 0.0 {
        0.0
    } else if unique <= 0.0 {
        f64::INFINITY
    } else {
        target / unique
    }
}

/// The groups that have weighted sources: a name and its target tokens.
struct GroupTarget {
    name: String,
    share: f64,
    target: f64,
}

fn weighted_groups(config: &MixConfig) -> Vec<GroupTarget> {
    let budget = config.budget.unwrap_or(0) as f64;
    let has_weighted = |g: &str| {
        config
            .sources
            .iter()
            .any(|s| s.group == g && matches!(s.amount(), Amount::Weight(_)))
    };
    if config.groups.is_empty() {
        // One pool: weighted sources fill whatever the fixed ones leave of the budget.
        let any = config
            .sources
            .iter()
            .any(|s| matches!(s.amount(), Amount::Weight(_)));
        return if any && config.budget.is_some() {
            vec![GroupTarget {
                name: String::new(),
                share: 1.0,
                target: budget,
            }]
        } else {
            Vec::new()
        };
    }
    config
        .groups
        .iter()
        .filter(|(g, _)| has_weighted(g))
        .map(|(g, &share)| GroupTarget {
            name: g.clone(),
            share,
            target: share * budget,
        })
        .collect()
}

fn in_group(group: &GroupTarget, source_group: &str) -> bool {
    group.name.is_empty() || group.name == source_group
}

/// Water-fill the weighted sources of one group up to its target.
fn fill_group(
    config: &MixConfig,
    unique: &[u64],
    group: &GroupTarget,
    epochs: &mut [f64],
) -> Result<(), MixError> {
    let members: Vec<usize> = (0..config.sources.len())
        .filter(|&i| in_group(group, &config.sources[i].group))
        .collect();
    let fixed: f64 = members
        .iter()
        .filter(|&&i| !matches!(config.sources[i].amount(), Amount::Weight(_)))
        .map(|&i| epochs[i] * unique[i] as f64)
        .sum();
    let mut open: Vec<(usize, f64, f64)> = members
        .iter()
        .filter_map(|&i| match config.sources[i].amount() {
            Amount::Weight(w) if w > 0.0 && unique[i] > 0 => {
                Some((i, w, config.max_epochs_of(&config.sources[i])))
            }
            _ => None,
        })
        .collect();
    let mut remaining = group.target - fixed;
    if remaining < -0.5 {
        return Err(MixError::Infeasible(format!(
            "{}: fixed sources give {} tokens, more than {} of {}",
            group_label(group),
            tokens_short(fixed),
            percent(group.share),
            tokens_short(config.budget.unwrap_or(0) as f64)
        )));
    }
    let capacity: f64 = open.iter().map(|&(i, _, m)| m * unique[i] as f64).sum();
    if capacity + 0.5 < remaining {
        return Err(infeasible_group(config, unique, group, &open, remaining));
    }
    // Sources with the smallest max/weight reach their cap first.
    open.sort_by(|a, b| (a.2 / a.1).total_cmp(&(b.2 / b.1)));
    let mut weight_units: f64 = open.iter().map(|&(i, w, _)| w * unique[i] as f64).sum();
    for &(i, w, max) in &open {
        let lambda = if weight_units > 0.0 {
            remaining.max(0.0) / weight_units
        } else {
            0.0
        };
        let e = (lambda * w).min(max);
        epochs[i] = e;
        remaining -= e * unique[i] as f64;
        weight_units -= w * unique[i] as f64;
    }
    Ok(())
}

fn group_label(group: &GroupTarget) -> &str {
    if group.name.is_empty() {
        "budget"
    } else {
        &group.name
    }
}

fn infeasible_group(
    config: &MixConfig,
    unique: &[u64],
    group: &GroupTarget,
    open: &[(usize, f64, f64)],
    remaining: f64,
) -> MixError {
    let u: f64 = open.iter().map(|&(i, _, _)| unique[i] as f64).sum();
    let capacity: f64 = open.iter().map(|&(i, _, m)| m * unique[i] as f64).sum();
    let label = match open {
        [(i, _, _)] => config.sources[*i].name.as_str(),
        _ => group_label(group),
    };
    MixError::Infeasible(format!(
        "{label}: {} unique tokens, {} of {} needs {} epochs > max {}",
        unique_short(u),
        percent(group.share),
        tokens_short(config.budget.unwrap_or(0) as f64),
        epochs_text(required_epochs(remaining, u)),
        max_text(if u > 0.0 { capacity / u } else { 0.0 })
    ))
}

fn assemble(config: &MixConfig, unique: &[u64], epochs: &[f64]) -> Plan {
    let totals: Vec<u64> = epochs
        .iter()
        .zip(unique)
        .map(|(e, &u)| (e * u as f64).round() as u64)
        .collect();
    let total: u64 = totals.iter().sum();
    let fraction = |t: u64| {
        if total == 0 {
            0.0
        } else {
            t as f64 / total as f64
        }
    };
    let sources: Vec<PlannedSource> = config
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| PlannedSource {
            name: s.name.clone(),
            group: s.group.clone(),
            lang: s.lang.clone().unwrap_or_else(|| "mul".into()),
            unique_tokens: unique[i],
            multiplier: epochs[i],
            total_tokens: totals[i],
            share: fraction(totals[i]),
            max_epochs: config.max_epochs_of(s),
            published_percent: s.published_percent,
        })
        .collect();
    let groups = shares(&sources, |s| &s.group, &config.groups, fraction);
    let languages = shares(&sources, |s| &s.lang, &BTreeMap::new(), fraction);
    Plan {
        name: config.name.clone(),
        tokenizer: config.tokenizer.clone(),
        counted_with: None,
        budget: config.budget,
        total_tokens: total,
        sources,
        groups,
        languages,
    }
}

fn shares(
    sources: &[PlannedSource],
    key: impl Fn(&PlannedSource) -> &String,
    targets: &BTreeMap<String, f64>,
    fraction: impl Fn(u64) -> f64,
) -> Vec<Share> {
    let mut sums: BTreeMap<&str, u64> = targets.keys().map(|k| (k.as_str(), 0)).collect();
    for s in sources {
        *sums.entry(key(s).as_str()).or_default() += s.total_tokens;
    }
    sums.into_iter()
        .map(|(name, t)| Share {
            name: name.to_string(),
            target: targets.get(name).copied(),
            achieved: fraction(t),
            total_tokens: t,
        })
        .collect()
}

/// `10.0B`, `200B`: billions with one decimal, none when whole.
pub fn tokens_short(tokens: f64) -> String {
    let b = tokens / 1e9;
    if (b - b.round()).abs() < 1e-9 && b >= 1.0 {
        format!("{}B", b.round())
    } else {
        format!("{b:.1}B")
    }
}

/// Unique tokens in refusals, always with one decimal: `10.0B`, `0.5B`.
fn unique_short(tokens: f64) -> String {
    format!("{:.1}B", tokens / 1e9)
}

fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}

/// `2` for whole numbers, `1.8` otherwise.
fn max_text(e: f64) -> String {
    if (e - e.round()).abs() < 1e-9 {
        format!("{}", e.round())
    } else {
        format!("{e:.1}")
    }
}

fn epochs_text(e: f64) -> String {
    if e.is_infinite() {
        "infinite".into()
    } else {
        format!("{e:.1}")
    }
}
