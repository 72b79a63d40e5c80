//! Plan reports: a text table (target vs achieved per group, language and source) and JSON.
//!
//! Design decision: percentages are always recomputed from the solved totals; a published
//! percentage from the config is shown beside them and every difference above 0.05 points
//! is listed as a note, so a hand-made table's errors are visible rather than copied.

use std::fmt::Write;

use serde_json::json;

use crate::plan::{Plan, Share};

/// Differences between computed and published percentages below this are rounding.
const PUBLISHED_TOLERANCE: f64 = 0.05;

fn b(tokens: u64) -> String {
    format!("{:.3}B", tokens as f64 / 1e9)
}

fn pct(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// The human-readable report.
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "mix: {}", plan.name);
    if let Some(t) = &plan.tokenizer {
        let _ = writeln!(out, "tokenizer: {t}");
    }
    let budget = plan.budget.map_or("none (sum of fixed epochs)".into(), b);
    let _ = writeln!(out, "budget: {budget}");
    let _ = writeln!(out, "total: {}\n", b(plan.total_tokens));
    sources_table(&mut out, plan);
    shares_table(&mut out, "group", &plan.groups);
    shares_table(&mut out, "language", &plan.languages);
    notes(&mut out, plan);
    out
}

fn sources_table(out: &mut String, plan: &Plan) {
    let width = plan
        .sources
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let published = plan.sources.iter().any(|s| s.published_percent.is_some());
    let _ = write!(
        out,
        "{:<width$}  {:<8} {:<5} {:>9} {:>6} {:>4} {:>9} {:>7}",
        "source", "group", "lang", "unique", "epochs", "max", "total", "share"
    );
    let _ = writeln!(out, "{}", if published { "  published" } else { "" });
    for s in &plan.sources {
        let _ = write!(
            out,
            "{:<width$}  {:<8} {:<5} {:>9} {:>6.2} {:>4} {:>9} {:>7}",
            s.name,
            s.group,
            s.lang,
            b(s.unique_tokens),
            s.multiplier,
            s.max_epochs,
            b(s.total_tokens),
            pct(s.share)
        );
        match s.published_percent {
            Some(p) => {
                let _ = writeln!(out, "  {p:>8.2}%");
            }
            None => out.push('\n'),
        }
    }
    out.push('\n');
}

fn shares_table(out: &mut String, title: &str, shares: &[Share]) {
    let _ = writeln!(
        out,
        "{title:<10} {:>8} {:>9} {:>9}",
        "target", "achieved", "total"
    );
    for s in shares {
        let target = s.target.map_or("-".into(), pct);
        let _ = writeln!(
            out,
            "{:<10} {target:>8} {:>9} {:>9}",
            s.name,
            pct(s.achieved),
            b(s.total_tokens)
        );
    }
    out.push('\n');
}

fn notes(out: &mut String, plan: &Plan) {
    let differing: Vec<String> = plan
        .sources
        .iter()
        .filter_map(|s| {
            let p = s.published_percent?;
            let actual = s.share * 100.0;
            ((actual - p).abs() > PUBLISHED_TOLERANCE).then(|| {
                format!(
                    "- {}: published {p:.2}%, but {} of {} is {actual:.2}%",
                    s.name,
                    b(s.total_tokens),
                    b(plan.total_tokens)
                )
            })
        })
        .collect();
    if differing.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "notes: published percentages that differ from the totals"
    );
    for line in differing {
        let _ = writeln!(out, "{line}");
    }
}

/// `{total_tokens, sources: [{name, group, lang, unique_tokens, multiplier, total_tokens,
/// share}], groups, languages, ...}`.
pub fn json(plan: &Plan) -> serde_json::Value {
    json!({
        "name": plan.name,
        "tokenizer": plan.tokenizer,
        "budget": plan.budget,
        "total_tokens": plan.total_tokens,
        "sources": plan.sources,
        "groups": plan.groups,
        "languages": plan.languages,
    })
}
