//! The dataset card of a written mix: Hub YAML front matter and token tables.
//!
//! Design decision: the card is a pure function of the solved [`Plan`] and the
//! [`WriteSummary`] of what was actually written, so planned and achieved tokens and shares
//! sit side by side; strings go through `data_cards::escape` so no name breaks the YAML or a
//! table.

use std::collections::BTreeMap;
use std::fmt::Write;

use data_cards::escape::{md_cell, thousands, yaml_str};
use data_cards::langs::hub_languages;

use crate::plan::{Plan, Share};
use crate::write::WriteSummary;

/// Render `README.md` for a written mix.
pub fn render(plan: &Plan, summary: &WriteSummary) -> String {
    let mut out = front_matter(plan, summary);
    let _ = writeln!(out, "\n# {}\n", md_cell(&plan.name));
    let _ = writeln!(
        out,
        "A continued-pretraining blend written by `seapile mix write` (seed {}): {} rows, {} \
         tokens{}, shuffled across sources into {} Parquet shards. Each row keeps the pipeline \
         schema; `meta` adds `mix_source` and `mix_epoch` (0 for a row's first copy).\n",
        summary.seed,
        thousands(summary.rows),
        thousands(summary.tokens),
        plan.tokenizer
            .as_deref()
            .map(|t| format!(" ({})", md_cell(t)))
            .unwrap_or_default(),
        summary.shards.len()
    );
    sources_table(&mut out, summary);
    let by_group = totals(summary, |s| &s.group);
    share_table(&mut out, "group", &plan.groups, &by_group, summary.tokens);
    let by_lang = totals(summary, |s| &s.lang);
    share_table(
        &mut out,
        "language",
        &plan.languages,
        &by_lang,
        summary.tokens,
    );
    out
}

fn front_matter(plan: &Plan, summary: &WriteSummary) -> String {
    let langs: Vec<&str> = summary
        .sources
        .iter()
        .map(|s| s.lang.as_str())
        .filter(|l| l.len() == 3 && l.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    let mut out = String::from("---\n");
    let _ = writeln!(out, "pretty_name: {}", yaml_str(&plan.name));
    let _ = writeln!(out, "license: other");
    out.push_str("language:\n");
    for l in hub_languages(&langs) {
        let _ = writeln!(out, "- {}", yaml_str(&l));
    }
    let _ = writeln!(
        out,
        "size_categories:\n- {}",
        data_cards::size_category(summary.rows)
    );
    out.push_str("task_categories:\n- text-generation\n");
    out.push_str("configs:\n- config_name: default\n  data_files:\n  - split: train\n");
    out.push_str("    path: data/train-*.parquet\n---\n");
    out
}

fn sources_table(out: &mut String, summary: &WriteSummary) {
    out.push_str("## Sources\n\n");
    out.push_str(
        "| source | group | lang | unique rows | unique tokens | epochs | planned tokens | \
         written tokens | written / planned | share |\n",
    );
    out.push_str("|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for s in &summary.sources {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.3} | {} | {} | {:.4} | {} |",
            md_cell(&s.name),
            md_cell(&s.group),
            md_cell(&s.lang),
            thousands(s.unique_rows),
            thousands(s.unique_tokens),
            ratio(s.tokens, s.unique_tokens),
            thousands(s.planned_tokens),
            thousands(s.tokens),
            ratio(s.tokens, s.planned_tokens),
            pct(s.tokens, summary.tokens),
        );
    }
    out.push('\n');
}

fn share_table(
    out: &mut String,
    what: &str,
    planned: &[Share],
    written: &BTreeMap<String, u64>,
    total: u64,
) {
    let _ = writeln!(
        out,
        "## Shares by {what}\n\n| {what} | target | planned | written tokens | achieved |\n\
         |---|--:|--:|--:|--:|"
    );
    for (name, &tokens) in written {
        let plan = planned.iter().find(|s| &s.name == name);
        let target = plan
            .and_then(|s| s.target)
            .map_or("–".to_string(), |t| format!("{:.2}%", t * 100.0));
        let planned_share =
            plan.map_or("–".to_string(), |s| format!("{:.2}%", s.achieved * 100.0));
        let _ = writeln!(
            out,
            "| {} | {target} | {planned_share} | {} | {} |",
            md_cell(name),
            thousands(tokens),
            pct(tokens, total)
        );
    }
    out.push('\n');
}

fn totals(
    summary: &WriteSummary,
    key: impl Fn(&crate::write::WrittenSource) -> &String,
) -> BTreeMap<String, u64> {
    let mut map = BTreeMap::new();
    for s in &summary.sources {
        *map.entry(key(s).clone()).or_insert(0) += s.tokens;
    }
    map
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn pct(part: u64, whole: u64) -> String {
    format!("{:.2}%", ratio(part, whole) * 100.0)
}
