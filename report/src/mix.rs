//! The report of a `seapile mix write` output: target, planned and written shares per group
//! and per language, and each source's planned and written tokens, from `OUT/mix.json`.

use std::collections::BTreeMap;
use std::path::Path;

use data_cards::escape::thousands;
use serde::Deserialize;

use crate::html::{grid, table, Page};
use crate::svg::{self, esc, hbars, Layout, Series};
use crate::ReportError;

#[derive(Debug, Clone, Deserialize)]
pub struct MixFile {
    pub plan: Plan,
    pub written: Written,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Plan {
    pub name: String,
    #[serde(default)]
    pub tokenizer: Option<String>,
    #[serde(default)]
    pub budget: Option<u64>,
    pub total_tokens: u64,
    pub sources: Vec<PlannedSource>,
    pub groups: Vec<Share>,
    pub languages: Vec<Share>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PlannedSource {
    pub name: String,
    pub group: String,
    pub lang: String,
    pub unique_tokens: u64,
    pub multiplier: f64,
    pub total_tokens: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Share {
    pub name: String,
    #[serde(default)]
    pub target: Option<f64>,
    pub achieved: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Written {
    pub seed: u64,
    pub rows: u64,
    pub tokens: u64,
    pub sources: Vec<WrittenSource>,
    pub shards: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WrittenSource {
    pub name: String,
    pub group: String,
    pub lang: String,
    pub rows: u64,
    pub tokens: u64,
    pub planned_tokens: u64,
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Shares written, by `key` (group or language).
fn written_shares(w: &Written, key: impl Fn(&WrittenSource) -> &str) -> BTreeMap<String, f64> {
    let mut by: BTreeMap<String, u64> = BTreeMap::new();
    for s in &w.sources {
        *by.entry(key(s).to_string()).or_default() += s.tokens;
    }
    by.into_iter()
        .map(|(k, t)| {
            (
                k,
                if w.tokens > 0 {
                    t as f64 / w.tokens as f64
                } else {
                    0.0
                },
            )
        })
        .collect()
}

fn shares_part(page: &mut Page, title: &str, shares: &[Share], written: &BTreeMap<String, f64>) {
    let series = [
        Series {
            name: "target",
            color: svg::OTHER,
        },
        Series {
            name: "planned",
            color: svg::INK,
        },
        Series {
            name: "written",
            color: svg::KEPT,
        },
    ];
    let rows: Vec<(String, Vec<f64>)> = shares
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                vec![
                    s.target.unwrap_or(0.0) * 100.0,
                    s.achieved * 100.0,
                    written.get(&s.name).copied().unwrap_or(0.0) * 100.0,
                ],
            )
        })
        .collect();
    page.h3(title);
    page.push(&grid(&[hbars(
        &format!("{title}: share of tokens (%)"),
        &series,
        &rows,
        Layout::Grouped,
        &|v| format!("{v:.1}%"),
    )]));
    let rows: Vec<Vec<String>> = shares
        .iter()
        .map(|s| {
            let w = written.get(&s.name).copied().unwrap_or(0.0);
            vec![
                esc(&s.name),
                s.target.map_or("–".to_string(), pct),
                pct(s.achieved),
                pct(w),
                s.target
                    .map_or("–".to_string(), |t| format!("{:+.1} pp", (w - t) * 100.0)),
            ]
        })
        .collect();
    page.push(&table(
        &["Name", "Target", "Planned", "Written", "Written − target"],
        &rows,
        &[1, 2, 3, 4],
    ));
}

/// The page.
pub fn render(m: &MixFile) -> String {
    let mut page = Page::new(&format!("Mix: {}", m.plan.name));
    page.subtitle(format!(
        "{} rows and {} tokens written (seed {}, {} shards){}; the plan asked for {} tokens{}.",
        thousands(m.written.rows),
        thousands(m.written.tokens),
        m.written.seed,
        m.written.shards.len(),
        m.plan
            .tokenizer
            .as_deref()
            .map(|t| format!(", counted with {}", esc(t)))
            .unwrap_or_default(),
        thousands(m.plan.total_tokens),
        m.plan
            .budget
            .map(|b| format!(" (budget {})", thousands(b)))
            .unwrap_or_default()
    ));
    page.section("shares", "Achieved vs target");
    page.note(
        "Target: the share the mix config asks for; planned: what the solved plan gives (epochs \
         are capped per source, so a target can be out of reach); written: the tokens actually \
         written, copies included, whose whole epochs and seeded fractions land near the plan.",
    );
    shares_part(
        &mut page,
        "Groups",
        &m.plan.groups,
        &written_shares(&m.written, |s| &s.group),
    );
    shares_part(
        &mut page,
        "Languages",
        &m.plan.languages,
        &written_shares(&m.written, |s| &s.lang),
    );
    page.section("sources", "Sources");
    let epochs: BTreeMap<&str, (f64, u64)> = m
        .plan
        .sources
        .iter()
        .map(|s| (s.name.as_str(), (s.multiplier, s.unique_tokens)))
        .collect();
    let rows: Vec<Vec<String>> = m
        .written
        .sources
        .iter()
        .map(|s| {
            let (mult, unique) = epochs.get(s.name.as_str()).copied().unwrap_or((0.0, 0));
            vec![
                esc(&s.name),
                esc(&s.group),
                esc(&s.lang),
                thousands(unique),
                format!("{mult:.2}"),
                thousands(s.planned_tokens),
                thousands(s.tokens),
                if s.planned_tokens > 0 {
                    format!(
                        "{:+.2}%",
                        (s.tokens as f64 / s.planned_tokens as f64 - 1.0) * 100.0
                    )
                } else {
                    "–".into()
                },
                thousands(s.rows),
            ]
        })
        .collect();
    page.push(&table(
        &[
            "Source",
            "Group",
            "Language",
            "Unique tokens",
            "Epochs",
            "Planned tokens",
            "Written tokens",
            "Written vs planned",
            "Rows",
        ],
        &rows,
        &[3, 4, 5, 6, 7, 8],
    ));
    page.finish(
        "Made by seapile from mix.json. One self-contained file: no script, nothing loaded from \
         the network. See docs/report.md.",
    )
}

/// Write `OUT/report.html` for a written mix; its size in bytes.
pub fn write(out: &Path) -> Result<u64, ReportError> {
    let path = out.join("mix.json");
    let m: MixFile = crate::read_json_opt(&path)?
        .ok_or_else(|| ReportError::NothingToReport(out.to_path_buf()))?;
    let html = render(&m);
    crate::write_file(&out.join("report.html"), html.as_bytes())?;
    Ok(html.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_written_are_computed_from_tokens() {
        let m: MixFile = serde_json::from_value(serde_json::json!({
            "plan": {"name": "v3", "tokenizer": "llama3.1", "budget": 1000, "total_tokens": 1000,
                "sources": [
                    {"name": "a", "group": "web", "lang": "tha", "unique_tokens": 300, "multiplier": 2.0, "total_tokens": 600, "share": 0.6},
                    {"name": "b", "group": "code", "lang": "eng", "unique_tokens": 400, "multiplier": 1.0, "total_tokens": 400, "share": 0.4}],
                "groups": [{"name": "web", "target": 0.6, "achieved": 0.6, "total_tokens": 600},
                           {"name": "code", "target": null, "achieved": 0.4, "total_tokens": 400}],
                "languages": [{"name": "tha", "target": null, "achieved": 0.6, "total_tokens": 600}]},
            "written": {"seed": 7, "rows": 10, "tokens": 1000, "shards": ["data/a.parquet"],
                "sources": [
                    {"name": "a", "group": "web", "lang": "tha", "unique_rows": 3, "unique_tokens": 300, "rows": 6, "tokens": 550, "planned_tokens": 600},
                    {"name": "b", "group": "code", "lang": "eng", "unique_rows": 4, "unique_tokens": 400, "rows": 4, "tokens": 450, "planned_tokens": 400}]}
        }))
        .unwrap();
        let html = render(&m);
        assert!(html.contains("55.0%"), "written share of web");
        assert!(html.contains("-5.0 pp"), "written − target for web");
        assert!(html.contains("-8.33%"), "source a written vs planned");
        assert!(html.contains("class=\"chart\""));
    }
}
