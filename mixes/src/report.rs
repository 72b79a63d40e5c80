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
        match &plan.counted_with {
            Some(engine) => {
                let _ = writeln!(out, "tokenizer: {t} (files counted with it: {engine})");
            }
            None => {
                let _ = writeln!(out, "tokenizer: {t}");
            }
        }
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
    let gw = plan
        .sources
        .iter()
        .map(|s| s.group.len())
        .max()
        .unwrap_or(0)
        .max(8);
    let _ = write!(
        out,
        "{:<width$}  {:<gw$} {:<5} {:>9} {:>6} {:>4} {:>9} {:>7}",
        "source", "group", "lang", "unique", "epochs", "max", "total", "share"
    );
    let _ = writeln!(out, "{}", if published { "  published" } else { "" });
    for s in &plan.sources {
        let _ = write!(
            out,
            "{:<width$}  {:<gw$} {:<5} {:>9} {:>6.2} {:>4} {:>9} {:>7}",
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
    let w = shares
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0)
        .max(10);
    let _ = writeln!(
        out,
        "{title:<w$} {:>8} {:>9} {:>9}",
        "target", "achieved", "total"
    );
    for s in shares {
        let target = s.target.map_or("-".into(), pct);
        let _ = writeln!(
            out,
            "{:<w$} {target:>8} {:>9} {:>9}",
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
    let mut v = json!({
        "name": plan.name,
        "tokenizer": plan.tokenizer,
        "budget": plan.budget,
        "total_tokens": plan.total_tokens,
        "sources": plan.sources,
        "groups": plan.groups,
        "languages": plan.languages,
    });
    if let Some(engine) = &plan.counted_with {
        v["counted_with"] = json!(engine);
    }
    v
}

/// Two plans side by side per group (and the SEA total: every group but `english` and
/// `code`): share and tokens of each.
pub fn compare(first: &Plan, second: &Plan) -> String {
    let (a, z) = (first, second);
    let mut names: Vec<&str> = a.groups.iter().map(|g| g.name.as_str()).collect();
    for g in &z.groups {
        if !names.contains(&g.name.as_str()) {
            names.push(&g.name);
        }
    }
    let width = names.iter().map(|n| n.len()).max().unwrap_or(5).max(9);
    let find = |p: &Plan, name: &str| p.groups.iter().find(|g| g.name == name).cloned();
    let cell = |s: Option<Share>| match s {
        Some(s) => format!("{:>8} {:>10}", pct(s.achieved), b(s.total_tokens)),
        None => format!("{:>8} {:>10}", "-", "-"),
    };
    let mut out = String::new();
    let _ = writeln!(out, "A: {} ({})", a.name, b(a.total_tokens));
    let _ = writeln!(out, "B: {} ({})\n", z.name, b(z.total_tokens));
    let _ = writeln!(
        out,
        "{:<width$}  {:>8} {:>10}  {:>8} {:>10}  {:>8}",
        "group", "A share", "A tokens", "B share", "B tokens", "B - A"
    );
    for name in &names {
        let (ga, gb) = (find(a, name), find(z, name));
        let delta =
            gb.as_ref().map_or(0.0, |g| g.achieved) - ga.as_ref().map_or(0.0, |g| g.achieved);
        let _ = writeln!(
            out,
            "{name:<width$}  {}  {}  {:>+7.2}pp",
            cell(ga),
            cell(gb),
            delta * 100.0
        );
    }
    let sea = |p: &Plan| -> Share {
        let sea: Vec<&Share> = p
            .groups
            .iter()
            .filter(|g| g.name != "english" && g.name != "code")
            .collect();
        Share {
            name: "sea".into(),
            target: None,
            achieved: sea.iter().map(|g| g.achieved).sum(),
            total_tokens: sea.iter().map(|g| g.total_tokens).sum(),
        }
    };
    let (sa, sb) = (sea(a), sea(z));
    let delta = sb.achieved - sa.achieved;
    let _ = writeln!(
        out,
        "{:<width$}  {}  {}  {:>+7.2}pp",
        "SEA total",
        cell(Some(sa)),
        cell(Some(sb)),
        delta * 100.0
    );
    out
}
