//! The report of a run (`OUT/report.html`) and the charts its dataset card embeds
//! (`OUT/figures/*.svg`), from the merged counters ([`RunStats`]), the merged shard
//! collections ([`Collection`]) and what the run knew at the end ([`Context`]).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use data_cards::escape::{percent, thousands};
use data_cards::langs;
use data_cards::Figure;
use pipeline::{Bound, RunStats, Threshold};
use serde::{Deserialize, Serialize};

use crate::collect::{Collection, LangData, Mass, Split, KEPT, UND};
use crate::hist::{short, Bins};
use crate::html::{details, doc_text, grid, table, Page};
use crate::sample::Sample;
use crate::svg::{self, esc, hbars, histogram, Layout, Mark, Series};
use crate::ReportError;

/// `OUT/report/context.json`: what the run knows at the end that shards do not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// The dataset's title (the card's).
    pub title: String,
    pub seapile_version: String,
    /// How tokens were counted ("Llama 3 tokenizer, `llama3`"), when a stage counted them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
    /// How languages were identified, when a stage did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub langid: Option<String>,
    /// Every stage's limits, in chain order.
    #[serde(default)]
    pub thresholds: Vec<Threshold>,
}

/// Everything a run report is made of.
pub struct RunInput<'a> {
    pub context: &'a Context,
    pub stats: &'a RunStats,
    pub collection: &'a Collection,
    /// Shards whose collection file is missing (completed by an older seapile).
    pub missing: &'a [String],
}

/// Tokens per character of kept text: per language, and over all languages for the rest.
struct TokenRates {
    by_lang: BTreeMap<String, f64>,
    all: f64,
}

impl TokenRates {
    fn new(stats: &RunStats) -> Self {
        let (mut t, mut c) = (0u64, 0u64);
        let mut by_lang = BTreeMap::new();
        for (lang, l) in &stats.langs {
            t += l.tokens;
            c += l.chars;
            if l.chars > 0 && l.tokens > 0 {
                by_lang.insert(lang.clone(), l.tokens as f64 / l.chars as f64);
            }
        }
        TokenRates {
            by_lang,
            all: if c > 0 { t as f64 / c as f64 } else { 0.0 },
        }
    }

    /// Estimated tokens of `chars` characters of `lang` text.
    fn estimate(&self, lang: &str, chars: u64) -> f64 {
        chars as f64 * self.by_lang.get(lang).copied().unwrap_or(self.all)
    }
}

fn approx(x: f64) -> String {
    format!("≈{}", thousands(x.round() as u64))
}

fn lang_label(code: &str) -> String {
    match code {
        UND => "und (no language)".to_string(),
        c if langs::name(c) != c => format!("{} ({c})", langs::name(c)),
        c => c.to_string(),
    }
}

/// The stages in order with (in, kept, dropped) and the estimated tokens they dropped.
struct Funnel<'a> {
    rows: Vec<(&'a pipeline::StageStats, f64)>,
    kept_tokens: u64,
    has_tokens: bool,
}

fn funnel<'a>(input: &RunInput<'a>, rates: &TokenRates) -> Funnel<'a> {
    let rows = input
        .stats
        .stages
        .iter()
        .map(|st| {
            let est: f64 = input
                .collection
                .dropped_by_lang(&st.name)
                .iter()
                .map(|(lang, m)| rates.estimate(lang, m.chars))
                .sum();
            (st, est)
        })
        .collect();
    let kept_tokens = input.stats.tokens();
    Funnel {
        rows,
        kept_tokens,
        has_tokens: kept_tokens > 0,
    }
}

/// The report page.
pub fn render(input: &RunInput) -> String {
    let rates = TokenRates::new(input.stats);
    let f = funnel(input, &rates);
    let ctx = input.context;
    let title = if ctx.title.is_empty() {
        "seapile run"
    } else {
        &ctx.title
    };
    let mut page = Page::new(title);
    let pages = input.stats.stages.first().map_or(0, |s| s.docs_in);
    let langs_kept = input
        .stats
        .langs
        .iter()
        .filter(|(l, s)| s.docs > 0 && l.as_str() != UND)
        .count();
    page.subtitle(format!(
        "{} documents kept of {} HTML pages ({}){}, in {} language{}.",
        thousands(input.stats.docs_out),
        thousands(pages),
        percent(input.stats.docs_out, pages),
        if f.has_tokens {
            format!(
                ", {} tokens{}",
                thousands(f.kept_tokens),
                ctx.tokenizer
                    .as_deref()
                    .map(|t| format!(" ({})", esc(&t.replace('`', ""))))
                    .unwrap_or_default()
            )
        } else {
            String::new()
        },
        langs_kept,
        if langs_kept == 1 { "" } else { "s" }
    ));
    page.subtitle(format!(
        "Report of seapile {}: made from the run's counters and the samples and histograms each \
         shard collected as it streamed (no data re-read). Timings are left out: the same \
         data gives the same report however it was sharded.",
        esc(&ctx.seapile_version)
    ));
    funnel_section(&mut page, input, &f, &rates);
    languages_section(&mut page, input);
    langid_section(&mut page, input);
    quality_section(&mut page, input);
    samples_section(&mut page, input);
    page.finish(
        "Made by seapile. One self-contained file: no script, nothing loaded from the network \
         (a Content-Security-Policy forbids both). Document text is shown as text; bidi and \
         control characters are written as [U+XXXX]. See docs/report.md.",
    )
}

fn funnel_section(page: &mut Page, input: &RunInput, f: &Funnel, rates: &TokenRates) {
    page.section("funnel", "Funnel");
    if !input.missing.is_empty() {
        page.note(&format!(
            "{} shard{} completed by an older seapile left no report data ({}): their \
             documents are in the counts but not in the histograms, reasons by language or \
             samples.",
            input.missing.len(),
            if input.missing.len() == 1 { "" } else { "s" },
            esc(&input.missing.join(", "))
        ));
    }
    page.push(&grid(&funnel_charts(f)));
    if f.has_tokens {
        page.note(
            "Tokens of kept documents are counted exactly by the tokens stage. Dropped \
             documents are never tokenized, so their tokens are an <b>estimate</b> (marked ≈): \
             their characters times the tokens per character of the kept documents in the same \
             language (of all kept documents where a language has none kept, or before language \
             ID). Pages dropped before extraction have no text and count 0.",
        );
    } else {
        page.note("No stage counted tokens: the funnel is in documents only.");
    }
    // Tokens entering each stage: kept at the end plus all dropped from that stage on.
    let mut after = 0.0;
    let mut tokens_in: Vec<f64> = f
        .rows
        .iter()
        .rev()
        .map(|(_, est)| {
            after += est;
            f.kept_tokens as f64 + after
        })
        .collect();
    tokens_in.reverse();
    let mut rows = Vec::new();
    for ((st, est), t_in) in f.rows.iter().zip(&tokens_in) {
        let mut row = vec![
            format!("<code>{}</code>", esc(&st.name)),
            thousands(st.docs_in),
            thousands(st.kept),
            thousands(st.dropped_total()),
            percent(st.dropped_total(), st.docs_in),
        ];
        if f.has_tokens {
            row.push(approx(*t_in));
            row.push(approx(*est));
        }
        rows.push(row);
    }
    let mut head = vec!["Stage", "In", "Kept", "Dropped", "Dropped %"];
    if f.has_tokens {
        head.extend(["Tokens in", "Tokens dropped"]);
    }
    page.push(&table(&head, &rows, &[1, 2, 3, 4, 5, 6]));
    if let Some(ingest) = input.stats.stages.iter().find(|s| s.name == "ingest") {
        if ingest.skipped_total() > 0 {
            let list: Vec<String> = ingest
                .skipped
                .iter()
                .map(|(r, n)| format!("<code>{}</code> {}", esc(r), thousands(*n)))
                .collect();
            page.note(&format!(
                "Besides the HTML pages, ingest read {} WARC records that are not documents \
                 and skipped them: {}.",
                thousands(ingest.skipped_total()),
                list.join(", ")
            ));
        }
    }

    page.h3("Drops by reason");
    let mut rows = Vec::new();
    for (stage, reasons) in ordered_stages(input) {
        for (reason, by_lang) in reasons {
            let total = by_lang.values().fold(Mass::default(), |mut a, m| {
                a.add(*m);
                a
            });
            let est: f64 = by_lang
                .iter()
                .map(|(l, m)| rates.estimate(l, m.chars))
                .sum();
            let mut top: Vec<(&String, &Mass)> = by_lang.iter().collect();
            top.sort_by(|a, b| b.1.docs.cmp(&a.1.docs).then(a.0.cmp(b.0)));
            let langs: Vec<String> = top
                .iter()
                .take(6)
                .map(|(l, m)| format!("{} {}", esc(l), thousands(m.docs)))
                .collect();
            let more = if top.len() > 6 {
                format!(" … +{}", top.len() - 6)
            } else {
                String::new()
            };
            let mut row = vec![
                format!("<code>{}</code>", esc(stage)),
                format!("<code>{}</code>", esc(reason)),
                thousands(total.docs),
                thousands(total.chars),
            ];
            if f.has_tokens {
                row.push(approx(est));
            }
            row.push(langs.join(", ") + &more);
            rows.push(row);
        }
    }
    if rows.is_empty() {
        page.note("Nothing was dropped.");
    } else {
        let mut head = vec!["Stage", "Reason", "Documents", "Characters"];
        if f.has_tokens {
            head.push("Tokens");
        }
        head.push("Languages");
        page.push(&table(&head, &rows, &[2, 3, 4]));
        page.note("Each reason's meaning: <code>seapile reasons</code> or docs/drop-reasons.md.");
    }

    page.h3("Per language");
    let stages: Vec<&str> = input.stats.stages.iter().map(|s| s.name.as_str()).collect();
    let mut per: BTreeMap<&str, (Vec<u64>, u64)> = BTreeMap::new();
    for (i, st) in stages.iter().enumerate() {
        for (lang, m) in input.collection.dropped_by_lang(st) {
            per.entry(lang)
                .or_insert_with(|| (vec![0; stages.len()], 0))
                .0[i] += m.docs;
        }
    }
    for (lang, l) in &input.stats.langs {
        per.entry(lang.as_str())
            .or_insert_with(|| (vec![0; stages.len()], 0))
            .1 += l.docs;
    }
    let mut langs: Vec<(&str, (Vec<u64>, u64))> = per.into_iter().collect();
    let total = |v: &(Vec<u64>, u64)| v.0.iter().sum::<u64>() + v.1;
    langs.sort_by(|a, b| total(&b.1).cmp(&total(&a.1)).then(a.0.cmp(b.0)));
    let mut rows = Vec::new();
    for (lang, v) in langs.iter().take(40) {
        let mut row = vec![esc(&lang_label(lang)), thousands(total(v))];
        row.extend(v.0.iter().map(|n| thousands(*n)));
        row.push(thousands(v.1));
        rows.push(row);
    }
    let mut head: Vec<String> = vec!["Language".into(), "Documents".into()];
    head.extend(stages.iter().map(|s| format!("dropped: {s}")));
    head.push("Kept".into());
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let numeric: Vec<usize> = (1..head.len()).collect();
    page.push(&table(&head, &rows, &numeric));
    if langs.len() > 40 {
        page.note(&format!("… and {} more languages.", langs.len() - 40));
    }
    page.note(
        "A document's language is the one language ID gave it; documents dropped before \
         language ID ran have none (und).",
    );
}

/// A stage's drops: reason → language → mass.
type Reasons = BTreeMap<String, BTreeMap<String, Mass>>;

/// Stages in chain order (ingest first), each with its reasons.
fn ordered_stages<'a>(input: &RunInput<'a>) -> Vec<(&'a str, &'a Reasons)> {
    let mut out: Vec<(&str, &Reasons)> = Vec::new();
    for st in &input.stats.stages {
        if let Some(r) = input.collection.dropped.get(&st.name) {
            out.push((st.name.as_str(), r));
        }
    }
    for (name, r) in &input.collection.dropped {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.as_str(), r));
        }
    }
    out
}

const SERIES_DOCS: [Series; 2] = [
    Series {
        name: "kept by the stage",
        color: svg::KEPT,
    },
    Series {
        name: "dropped",
        color: svg::DROPPED,
    },
];

fn funnel_charts(f: &Funnel) -> Vec<String> {
    let docs: Vec<(String, Vec<f64>)> = f
        .rows
        .iter()
        .map(|(st, _)| {
            (
                st.name.clone(),
                vec![st.kept as f64, st.dropped_total() as f64],
            )
        })
        .collect();
    let mut charts = vec![hbars(
        "Documents through the stages",
        &SERIES_DOCS,
        &docs,
        Layout::Stacked,
        &|v| thousands(v.round() as u64),
    )];
    if f.has_tokens {
        let mut after = 0.0;
        let mut rows: Vec<(String, Vec<f64>)> = f
            .rows
            .iter()
            .rev()
            .map(|(st, est)| {
                let row = (st.name.clone(), vec![f.kept_tokens as f64 + after, *est]);
                after += est;
                row
            })
            .collect();
        rows.reverse();
        charts.push(hbars(
            "Tokens through the stages (dropped ≈ estimated)",
            &[
                Series {
                    name: "kept by the stage",
                    color: svg::KEPT,
                },
                Series {
                    name: "dropped (≈)",
                    color: svg::DROPPED,
                },
            ],
            &rows,
            Layout::Stacked,
            &|v| short(v.round()),
        ));
    }
    charts
}

fn languages_section(page: &mut Page, input: &RunInput) {
    page.section("languages", "Languages");
    let mut langs: Vec<(&String, &pipeline::LangStats)> = input
        .stats
        .langs
        .iter()
        .filter(|(_, l)| l.docs > 0)
        .collect();
    langs.sort_by(|a, b| b.1.docs.cmp(&a.1.docs).then(a.0.cmp(b.0)));
    if langs.is_empty() {
        page.note("No document was kept.");
        return;
    }
    let rows: Vec<Vec<String>> = langs
        .iter()
        .map(|(code, l)| {
            vec![
                esc(&lang_label(code)),
                thousands(l.docs),
                thousands(l.tokens),
                thousands(l.chars),
                thousands(l.words),
                format!("{:.3}", l.tokens_per_char()),
                format!("{:.2}", l.tokens_per_word()),
            ]
        })
        .collect();
    page.push(&table(
        &[
            "Language",
            "Documents",
            "Tokens",
            "Characters",
            "Words",
            "Tokens/char",
            "Tokens/word",
        ],
        &rows,
        &[1, 2, 3, 4, 5, 6],
    ));
    page.note(
        "Kept documents. Words by each script's own segmentation (ICU dictionaries for Thai, \
         Lao, Khmer, Burmese and Chinese), so tokens per word compares across languages.",
    );
    page.push(&grid(&language_charts(input.stats)));
    page.h3("Lengths of kept documents");
    for (i, (code, _)) in langs.iter().enumerate() {
        let Some(d) = input.collection.langs.get(code.as_str()) else {
            continue;
        };
        let one = |h: &crate::hist::Histogram, what: &str| {
            histogram(
                &format!("{code}: {what}"),
                h.bins,
                &[(
                    Series {
                        name: what,
                        color: svg::INK,
                    },
                    &h.counts,
                )],
                &[],
                300.0,
            )
        };
        let mut charts = vec![one(&d.chars, "characters"), one(&d.words, "words")];
        if d.tokens.total() > d.tokens.counts[0] {
            charts.push(one(&d.tokens, "tokens"));
        }
        page.push(&details(&lang_label(code), &grid(&charts), i < 3));
    }
}

fn language_charts(stats: &RunStats) -> Vec<String> {
    let mut langs: Vec<(&String, &pipeline::LangStats)> =
        stats.langs.iter().filter(|(_, l)| l.docs > 0).collect();
    langs.sort_by(|a, b| b.1.docs.cmp(&a.1.docs).then(a.0.cmp(b.0)));
    let docs: Vec<(String, Vec<f64>)> = langs
        .iter()
        .map(|(c, l)| (c.to_string(), vec![l.docs as f64]))
        .collect();
    let mut charts = vec![hbars(
        "Kept documents per language",
        &[Series {
            name: "documents",
            color: svg::KEPT,
        }],
        &docs,
        Layout::Stacked,
        &|v| thousands(v as u64),
    )];
    if stats.tokens() > 0 {
        let mut by_tokens = langs.clone();
        by_tokens.sort_by(|a, b| b.1.tokens.cmp(&a.1.tokens).then(a.0.cmp(b.0)));
        let rows: Vec<(String, Vec<f64>)> = by_tokens
            .iter()
            .map(|(c, l)| (c.to_string(), vec![l.tokens as f64]))
            .collect();
        charts.push(hbars(
            "Kept tokens per language",
            &[Series {
                name: "tokens",
                color: svg::INK,
            }],
            &rows,
            Layout::Stacked,
            &|v| short(v),
        ));
    }
    charts
}

/// The limits on `attr` for `lang`, as chart marks.
fn marks(thresholds: &[Threshold], attr: &str, lang: &str) -> Vec<Mark> {
    thresholds
        .iter()
        .filter(|t| t.attr == attr && t.lang == lang)
        .map(|t| Mark {
            value: t.value,
            bound: t.bound,
            label: format!(
                "{} {}",
                if t.bound == Bound::Min { "min" } else { "max" },
                short(t.value)
            ),
        })
        .collect()
}

fn split_series<'a>(split: &'a Split, here: &'a str) -> Vec<(Series<'a>, &'a [u64])> {
    let all = [
        (
            Series {
                name: "kept",
                color: svg::KEPT,
            },
            &split.kept,
        ),
        (
            Series {
                name: here,
                color: svg::DROPPED,
            },
            &split.dropped_here,
        ),
        (
            Series {
                name: "dropped by another stage",
                color: svg::OTHER,
            },
            &split.dropped_elsewhere,
        ),
    ];
    all.into_iter()
        .filter(|(_, h)| h.total() > 0)
        .map(|(s, h)| (s, h.counts.as_slice()))
        .collect()
}

/// Languages with data for a chart, most documents first.
fn langs_by_size(c: &Collection, has: impl Fn(&LangData) -> u64) -> Vec<(&String, &LangData)> {
    let mut v: Vec<(&String, &LangData)> = c.langs.iter().filter(|(_, d)| has(d) > 0).collect();
    v.sort_by(|a, b| has(b.1).cmp(&has(a.1)).then(a.0.cmp(b.0)));
    v
}

fn langid_section(page: &mut Page, input: &RunInput) {
    let th = &input.context.thresholds;
    let wanted: Vec<&str> = th
        .iter()
        .filter(|t| t.attr == "lang_score")
        .map(|t| t.lang.as_str())
        .collect();
    let kept = |l: &str| input.stats.langs.get(l).is_some_and(|s| s.docs > 0);
    let langs: Vec<(&String, &LangData)> =
        langs_by_size(input.collection, |d| d.lang_score.total())
            .into_iter()
            .filter(|(l, _)| wanted.contains(&l.as_str()) || kept(l))
            .collect();
    if langs.is_empty() {
        return;
    }
    page.section("langid", "Language ID");
    if let Some(how) = &input.context.langid {
        page.note(&format!(
            "Languages identified by {}. The score is the probability given to the chosen \
             language; each configured language has its own threshold (the dashed line; the \
             shaded side is dropped as <code>below_threshold</code>). <code>lang_share</code> \
             is the share of a document's paragraph letters in its language: below 1, some \
             paragraphs are in another language (code-switching).",
            esc(&how.replace('`', ""))
        ));
    }
    let mut rows = Vec::new();
    for (lang, d) in &langs {
        let t = th
            .iter()
            .find(|t| t.attr == "lang_score" && t.lang == **lang)
            .map_or("–".to_string(), |t| short(t.value));
        rows.push(vec![
            esc(&lang_label(lang)),
            thousands(d.lang_score.total()),
            thousands(d.lang_score.dropped_here.total()),
            t,
            percent(d.mixed, d.shared),
            if d.mixed > 0 {
                format!("{:.1}%", d.other_milli as f64 / d.mixed as f64 / 10.0)
            } else {
                "–".to_string()
            },
        ]);
    }
    page.push(&table(
        &[
            "Language",
            "Identified",
            "Dropped by language ID",
            "Threshold",
            "Code-switched documents",
            "Their other-language letters",
        ],
        &rows,
        &[1, 2, 3, 4, 5],
    ));
    page.note(
        "Code-switched: documents with <code>lang_share</code> below 1; the last column is the \
         mean share of their paragraph letters in other languages.",
    );
    for (i, (lang, d)) in langs.iter().enumerate() {
        let series = split_series(&d.lang_score, "dropped by language ID");
        let mut charts = vec![histogram(
            &format!("{lang}: language-ID score"),
            Bins::UNIT,
            &series,
            &marks(th, "lang_score", lang),
            340.0,
        )];
        if d.lang_share.total() > 0 {
            charts.push(histogram(
                &format!("{lang}: lang_share (1 = one language)"),
                d.lang_share.bins,
                &[(
                    Series {
                        name: "documents",
                        color: svg::INK,
                    },
                    &d.lang_share.counts,
                )],
                &[],
                340.0,
            ));
        }
        page.push(&details(&lang_label(lang), &grid(&charts), i < 4));
    }
    if let Some(not_target) = input
        .collection
        .dropped
        .get("langid")
        .and_then(|r| r.get("not_target_language"))
    {
        let mut v: Vec<(&String, &Mass)> = not_target.iter().collect();
        v.sort_by(|a, b| b.1.docs.cmp(&a.1.docs).then(a.0.cmp(b.0)));
        let rows: Vec<Vec<String>> = v
            .iter()
            .take(30)
            .map(|(l, m)| vec![esc(&lang_label(l)), thousands(m.docs)])
            .collect();
        page.h3("Languages not kept");
        page.push(&table(&["Language", "Documents"], &rows, &[1]));
        if v.len() > 30 {
            page.note(&format!("… and {} more.", v.len() - 30));
        }
    }
}

fn quality_section(page: &mut Page, input: &RunInput) {
    let th = &input.context.thresholds;
    let mut attrs: Vec<String> = Vec::new();
    for t in th {
        if t.attr != "lang_score" && !attrs.contains(&t.attr) {
            attrs.push(t.attr.clone());
        }
    }
    let mut rest: Vec<&String> = input
        .collection
        .langs
        .values()
        .flat_map(|d| d.signals.keys())
        .filter(|a| !attrs.contains(a))
        .collect();
    rest.sort();
    rest.dedup();
    attrs.extend(rest.into_iter().cloned());
    let present: Vec<&String> = attrs
        .iter()
        .filter(|a| {
            input
                .collection
                .langs
                .values()
                .any(|d| d.signals.get(*a).is_some_and(|s| s.total() > 0))
        })
        .collect();
    if present.is_empty() {
        return;
    }
    page.section("quality", "Quality signals");
    page.note(
        "Each signal a stage wrote to a document's <code>attrs</code>, per language, over every \
         document it was computed on: kept in the end, dropped by the stage whose limit the \
         dashed line shows (shaded: the side it drops), or dropped later by another stage. A \
         document fails only the first rule it breaks, so a chart's shaded side can hold \
         documents dropped for another reason.",
    );
    let dropped_reasons: Vec<&String> = input
        .collection
        .dropped
        .values()
        .flat_map(|r| r.keys())
        .collect();
    for attr in present {
        let limits: Vec<&Threshold> = th.iter().filter(|t| &t.attr == attr).collect();
        let stage = limits.first().map_or("a stage", |t| t.stage.as_str());
        let here = format!("dropped by {stage}");
        let mut reasons: Vec<&str> = Vec::new();
        for t in &limits {
            if !reasons.contains(&t.reason.as_str()) {
                reasons.push(&t.reason);
            }
        }
        let cut: u64 = reasons
            .iter()
            .flat_map(|r| {
                input
                    .collection
                    .dropped
                    .values()
                    .filter_map(move |m| m.get(*r))
            })
            .flat_map(|langs| langs.values())
            .map(|m| m.docs)
            .sum();
        let charts: Vec<String> = langs_by_size(input.collection, |d| {
            d.signals.get(attr).map_or(0, Split::total)
        })
        .into_iter()
        .map(|(lang, d)| {
            let split = &d.signals[attr];
            histogram(
                &format!("{lang}: {attr}"),
                split.bins(),
                &split_series(split, &here),
                &marks(th, attr, lang),
                300.0,
            )
        })
        .collect();
        let summary = if reasons.is_empty() {
            format!("{attr} (no limit)")
        } else {
            format!(
                "{attr} — {}: {} dropped",
                reasons.join(", "),
                thousands(cut)
            )
        };
        let open = reasons
            .iter()
            .any(|r| dropped_reasons.iter().any(|d| d == r));
        page.push(&details(&summary, &grid(&charts), open));
    }
}

fn samples_section(page: &mut Page, input: &RunInput) {
    let langs = langs_by_size(input.collection, |d| {
        d.samples.values().map(|s| s.items.len() as u64).sum()
    });
    if langs.is_empty() {
        return;
    }
    page.section("samples", "Sample documents");
    page.note(&format!(
        "For every language, up to {} kept documents and up to {} per drop reason: the \
         documents with the smallest hash of their id (a uniform sample that is the same \
         however the run was sharded). Text is shown as text, cut at {} characters.",
        crate::collect::KEPT_SAMPLES,
        crate::collect::DROPPED_SAMPLES,
        crate::collect::SAMPLE_CHARS
    ));
    for (i, (lang, d)) in langs.iter().enumerate() {
        let mut inner = String::new();
        // Kept first, then the drop categories by name.
        let mut cats: Vec<&String> = d.samples.keys().collect();
        cats.sort_by_key(|c| (c.as_str() != KEPT, c.as_str()));
        for cat in cats {
            let s = &d.samples[cat];
            let _ = write!(
                inner,
                "<h3>{}</h3>",
                if cat == KEPT {
                    "kept".to_string()
                } else {
                    format!("dropped: {}", esc(cat))
                }
            );
            for item in &s.items {
                inner.push_str(&sample_html(item, cat, lang, &input.context.thresholds));
            }
        }
        page.push(&details(&lang_label(lang), &inner, i == 0));
    }
}

fn sample_html(s: &Sample, cat: &str, lang: &str, th: &[Threshold]) -> String {
    let mut meta = vec![format!("id <code>{}</code>", esc(&s.id))];
    if let Some(url) = &s.url {
        meta.push(format!("url {}", esc(url)));
    }
    if let Some(score) = s.lang_score {
        meta.push(format!("lang score {score:.3}"));
    }
    if let Some(share) = s.lang_share {
        meta.push(format!("lang_share {share:.3}"));
    }
    if let Some(t) = s.tokens {
        meta.push(format!("{} tokens", thousands(u64::from(t))));
    }
    meta.push(format!("{} characters", thousands(s.chars)));
    let reason = cat.split_once(':').map_or("", |(_, r)| r);
    for (attr, v) in &s.signals {
        let limit = th
            .iter()
            .find(|t| &t.attr == attr && t.lang == lang && t.reason == reason)
            .map(|t| {
                format!(
                    " ({} {})",
                    if t.bound == Bound::Min { "min" } else { "max" },
                    short(t.value)
                )
            })
            .unwrap_or_default();
        meta.push(format!(
            "<b>{} = {}</b>{}",
            esc(attr),
            trim_float(*v),
            esc(&limit)
        ));
    }
    format!(
        "<div class=\"doc{}\"><div class=\"meta\">{}</div>{}</div>",
        if cat == KEPT { "" } else { " dropped" },
        meta.join(" · "),
        doc_text(&s.text, s.chars)
    )
}

fn trim_float(v: f64) -> String {
    if v == v.round() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// The charts a dataset card embeds, as (file name under `figures/`, figure, SVG).
pub fn figures(input: &RunInput) -> Vec<(String, Figure, String)> {
    let rates = TokenRates::new(input.stats);
    let f = funnel(input, &rates);
    let mut out = Vec::new();
    let charts = funnel_charts(&f);
    let stages: Vec<String> = f
        .rows
        .iter()
        .filter(|(st, _)| st.dropped_total() > 0)
        .map(|(st, _)| format!("{} dropped {}", st.name, thousands(st.dropped_total())))
        .collect();
    let pages = input.stats.stages.first().map_or(0, |s| s.docs_in);
    out.push((
        "funnel.svg".to_string(),
        Figure {
            path: "figures/funnel.svg".into(),
            alt: format!(
                "Bar chart of documents per stage: {} HTML pages in, {} kept{}{}",
                thousands(pages),
                thousands(input.stats.docs_out),
                if stages.is_empty() { "" } else { "; " },
                stages.join(", ")
            ),
            caption: "Documents through the stages: kept (green) and dropped (red) by each".into(),
        },
        charts[0].clone(),
    ));
    if let Some(tokens) = charts.get(1) {
        out.push((
            "tokens.svg".to_string(),
            Figure {
                path: "figures/tokens.svg".into(),
                alt: format!(
                    "Bar chart of tokens per stage: {} tokens kept; tokens of dropped documents \
                     are estimated from their characters",
                    thousands(f.kept_tokens)
                ),
                caption: "Tokens through the stages (dropped documents' tokens estimated from \
                          their characters)"
                    .into(),
            },
            tokens.clone(),
        ));
    }
    let lang_charts = language_charts(input.stats);
    let mut langs: Vec<(&String, &pipeline::LangStats)> = input
        .stats
        .langs
        .iter()
        .filter(|(_, l)| l.docs > 0)
        .collect();
    if !langs.is_empty() {
        let by_tokens = input.stats.tokens() > 0;
        langs.sort_by(|a, b| {
            let key = |l: &pipeline::LangStats| if by_tokens { l.tokens } else { l.docs };
            key(b.1).cmp(&key(a.1)).then(a.0.cmp(b.0))
        });
        let list: Vec<String> = langs
            .iter()
            .take(13)
            .map(|(c, l)| {
                format!(
                    "{} {}",
                    langs::name(c),
                    thousands(if by_tokens { l.tokens } else { l.docs })
                )
            })
            .collect();
        let what = if by_tokens { "tokens" } else { "documents" };
        out.push((
            "languages.svg".to_string(),
            Figure {
                path: "figures/languages.svg".into(),
                alt: format!("Bar chart of kept {what} per language: {}", list.join(", ")),
                caption: format!("Kept {what} per language"),
            },
            lang_charts.last().cloned().unwrap_or_default(),
        ));
    }
    out
}

/// What [`write`] wrote.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub figures: Vec<Figure>,
    pub missing: Vec<String>,
    pub bytes: u64,
}

/// Merge the collections of `shards` under `OUT/report/`, read `OUT/report/context.json`
/// (an empty context when absent), write `OUT/report.html` and `OUT/figures/*.svg`.
pub fn write(out: &Path, stats: &RunStats, shards: &[String]) -> Result<Written, ReportError> {
    let dir = out.join("report");
    let context: Context = crate::read_json_opt(&dir.join("context.json"))?.unwrap_or_default();
    let mut collection = Collection::default();
    let mut missing = Vec::new();
    for shard in shards {
        let path = dir.join(format!("{shard}.json"));
        match crate::read_json_opt::<Collection>(&path)? {
            Some(c) => collection
                .merge(&c)
                .map_err(|e| ReportError::Incompatible {
                    path: path.clone(),
                    message: e.to_string(),
                })?,
            None => missing.push(shard.clone()),
        }
    }
    let input = RunInput {
        context: &context,
        stats,
        collection: &collection,
        missing: &missing,
    };
    let html = render(&input);
    crate::write_file(&out.join("report.html"), html.as_bytes())?;
    let mut figures = Vec::new();
    for (name, fig, svg) in figures_of(&input) {
        crate::write_file(&out.join("figures").join(name), svg.as_bytes())?;
        figures.push(fig);
    }
    Ok(Written {
        figures,
        missing,
        bytes: html.len() as u64,
    })
}

fn figures_of(input: &RunInput) -> Vec<(String, Figure, String)> {
    figures(input)
        .into_iter()
        .map(|(n, f, s)| {
            (
                n,
                f,
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{s}\n"),
            )
        })
        .collect()
}

/// Write the run's context next to the shard collections (`OUT/report/context.json`).
pub fn write_context(out: &Path, context: &Context) -> Result<(), ReportError> {
    let json = serde_json::to_vec_pretty(context).expect("context serializes");
    crate::write_file(&out.join("report").join("context.json"), &json)
}
