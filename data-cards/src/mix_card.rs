//! The card of a written mix (`seapile mix write`): Hub YAML front matter and token tables.
//!
//! Design decision: a pure function of planned and written numbers ([`MixCardInput`], filled
//! by the `mixes` crate), so planned and achieved tokens and shares sit side by side.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::escape::{md_cell, thousands};
use crate::hub::License;
use crate::langs::hub_languages;
use crate::yaml::FrontMatter;

/// Everything the mix card shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MixCardInput {
    /// The mix's name (title and `pretty_name`).
    pub name: String,
    /// The tokenizer the counts are in, when the config names one.
    pub tokenizer: Option<String>,
    pub seed: u64,
    /// Rows and tokens written, copies included.
    pub rows: u64,
    pub tokens: u64,
    /// Output shard files.
    pub shards: usize,
    pub sources: Vec<MixSource>,
    /// Planned shares by group and by language.
    pub groups: Vec<MixShare>,
    pub languages: Vec<MixShare>,
    /// The benchmark decontamination of the rows, when the mix names an index.
    pub decontam: Option<crate::DecontamSection>,
}

/// One source: what it had, what the plan asked for, what was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MixSource {
    pub name: String,
    pub group: String,
    pub lang: String,
    pub unique_rows: u64,
    pub unique_tokens: u64,
    pub planned_tokens: u64,
    /// Tokens written, copies included.
    pub tokens: u64,
}

/// A group's or language's target and planned fraction of the total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MixShare {
    pub name: String,
    pub target: Option<f64>,
    pub planned: f64,
}

/// Render `README.md` for a written mix.
pub fn render_mix(card: &MixCardInput) -> String {
    let mut out = front_matter(card);
    let _ = writeln!(out, "\n# {}\n", md_cell(&card.name));
    let _ = writeln!(
        out,
        "A continued-pretraining blend written by `seapile mix write` (seed {}): {} rows, {} \
         tokens{}, shuffled across sources into {} Parquet shards. Each row keeps the pipeline \
         schema; `meta` adds `mix_source` and `mix_epoch` (0 for a row's first copy).\n",
        card.seed,
        thousands(card.rows),
        thousands(card.tokens),
        card.tokenizer
            .as_deref()
            .map(|t| format!(" ({})", md_cell(t)))
            .unwrap_or_default(),
        card.shards
    );
    sources_table(&mut out, card);
    let by_group = totals(card, |s| &s.group);
    share_table(&mut out, "group", &card.groups, &by_group, card.tokens);
    let by_lang = totals(card, |s| &s.lang);
    share_table(&mut out, "language", &card.languages, &by_lang, card.tokens);
    if let Some(d) = &card.decontam {
        out.push_str(&crate::decontam_section(d));
    }
    out.push_str(
        "\n## License\n\nThe rows come from the sources above, each under its own license and \
         terms (web text remains its publishers'); seapile, which sampled this blend, grants no \
         license to them.\n",
    );
    out
}

fn front_matter(card: &MixCardInput) -> String {
    let langs: Vec<&str> = card
        .sources
        .iter()
        .map(|s| s.lang.as_str())
        .filter(|l| l.len() == 3 && l.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    let y = FrontMatter::new().scalar("pretty_name", &card.name);
    let y = License::other().front(y);
    let hub = hub_languages(&langs);
    let y = if hub.is_empty() {
        y
    } else {
        y.list("language", &hub)
    };
    y.raw_list("size_categories", &[crate::size_category(card.rows)])
        .raw_list("task_categories", &["text-generation"])
        .raw_list("task_ids", &["language-modeling"])
        .default_config("data/train-*.parquet")
        .finish()
}

fn sources_table(out: &mut String, card: &MixCardInput) {
    out.push_str("## Sources\n\n");
    out.push_str(
        "| source | group | lang | unique rows | unique tokens | epochs | planned tokens | \
         written tokens | written / planned | share |\n",
    );
    out.push_str("|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for s in &card.sources {
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
            pct(s.tokens, card.tokens),
        );
    }
    out.push('\n');
}

fn share_table(
    out: &mut String,
    what: &str,
    planned: &[MixShare],
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
            plan.map_or("–".to_string(), |s| format!("{:.2}%", s.planned * 100.0));
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

fn totals(card: &MixCardInput, key: impl Fn(&MixSource) -> &String) -> BTreeMap<String, u64> {
    let mut map = BTreeMap::new();
    for s in &card.sources {
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
