//! The card of a Magpie synthesis run (`seapile magpie`), in the style of SEA-LION's
//! SEA-Instruct cards: counts per language, drop reasons, model and template, generation
//! settings, licence. A pure function of [`MagpieCardInput`], filled by the `synth` crate.

use std::collections::BTreeMap;

use crate::escape::{md_block, md_cell, md_code, percent, thousands};
use crate::hub::License;
use crate::langs::{hub_languages, name};
use crate::yaml::FrontMatter;

/// Everything the Magpie card shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MagpieCardInput {
    pub pretty_name: String,
    pub license: String,
    pub model: String,
    /// `local` or `openai`.
    pub engine: String,
    pub template: String,
    pub template_hash: String,
    pub stops: Vec<String>,
    /// How the language was steered (system turn, opening words, both).
    pub steering: String,
    /// Language → the pre-query prefix sent to the model.
    pub pre_query: BTreeMap<String, String>,
    pub samples: u64,
    pub kept: u64,
    /// ISO 639-3 → counts.
    pub languages: BTreeMap<String, MagpieLanguage>,
    /// Every drop reason, in the order the checks run.
    pub reasons: Vec<&'static str>,
    pub instruction: Sampling,
    pub response: Sampling,
    pub seed: u64,
    pub requests_sent: u64,
    pub cache_hits: u64,
    pub generated_tokens: u64,
    pub generation_seconds: f64,
    /// Whether the data has a ShareGPT `conversations` column.
    pub sharegpt: bool,
}

/// One language's counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MagpieLanguage {
    pub samples: u64,
    pub kept: u64,
    pub instruction_tokens: u64,
    pub response_tokens: u64,
    /// Drop reason → pairs.
    pub dropped: BTreeMap<String, u64>,
}

/// Sampling settings of one turn.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sampling {
    pub temperature: f32,
    pub top_p: f32,
    pub max_tokens: u32,
}

/// The Magpie card as Markdown with YAML front matter.
pub fn render_magpie(card: &MagpieCardInput) -> String {
    let langs: Vec<&str> = card.languages.keys().map(String::as_str).collect();
    let y = FrontMatter::new().scalar("pretty_name", &card.pretty_name);
    let y = License::new(&card.license, None, None).front(y);
    let hub = hub_languages(&langs);
    let y = if hub.is_empty() {
        y
    } else {
        y.list("language", &hub)
    };
    let mut y = y
        .raw_list("task_categories", &["text-generation"])
        .list("size_categories", &[crate::size_category(card.kept)])
        .raw_list(
            "tags",
            &["seapile", "synthetic", "magpie", "southeast-asia"],
        )
        .default_config("data/*.parquet")
        .finish();
    y += "\n";
    y += &format!("# {}\n\n", card.pretty_name);
    y += &format!(
        "Instruction–response pairs made Magpie-style by seapile: \
the chat model {} was given only the pre-query prefix of its own chat template, wrote a user \
turn, then answered it. Every pair was checked: both turns must end at the end of turn, stay within \
length bounds, not loop, refuse or talk about the model, and be identified (lid.176 + seapile's SEA \
rules) as the target language; near-duplicate instructions were dropped across the whole set.\n\n",
        md_code(&card.model)
    );
    y += &format!(
        "{} pairs kept of {} samples ({}).\n\n",
        thousands(card.kept),
        thousands(card.samples),
        percent(card.kept, card.samples)
    );
    y += "## Languages\n\n| language | samples | kept | keep rate | instruction tokens | response tokens |\n|---|---:|---:|---:|---:|---:|\n";
    for (code, r) in &card.languages {
        y += &format!(
            "| {} ({}) | {} | {} | {} | {} | {} |\n",
            md_cell(name(code)),
            md_code(code),
            thousands(r.samples),
            thousands(r.kept),
            percent(r.kept, r.samples),
            thousands(r.instruction_tokens),
            thousands(r.response_tokens)
        );
    }
    y += &dropped_table(card);
    y += &generation(card);
    y +=
        "\n## Columns\n\n`id`, `messages` (`[{role, content}]`), `language` (ISO 639-3), `model`, \
`template_hash`, `sampling` (JSON), `seed`, `instruction_tokens`, `response_tokens`, \
`instruction_lang_score`, `response_lang_score`";
    if card.sharegpt {
        y += ", `conversations` (ShareGPT)";
    }
    y += ".\n\nDropped pairs and their reasons are in `rejected/rejected.jsonl`; the run's counters in `stats.json`.\n";
    y += &format!(
        "\n## Licence\n\n{} — check the generating model's licence: it usually governs its outputs.\n",
        md_code(&card.license)
    );
    y
}

fn dropped_table(card: &MagpieCardInput) -> String {
    let mut y = String::from("\n## Dropped pairs\n\n| reason |");
    for code in card.languages.keys() {
        y += &format!(" {} |", md_cell(code));
    }
    y += " total |\n|---|";
    for _ in card.languages.keys() {
        y += "---:|";
    }
    y += "---:|\n";
    for reason in &card.reasons {
        let counts: Vec<u64> = card
            .languages
            .values()
            .map(|r| r.dropped.get(*reason).copied().unwrap_or(0))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            continue;
        }
        y += &format!("| `{reason}` |");
        for c in counts {
            y += &format!(" {} |", thousands(c));
        }
        y += &format!(" {} |\n", thousands(total));
    }
    y
}

fn generation(card: &MagpieCardInput) -> String {
    let mut y = String::from("\n## Generation\n\n");
    y += &format!(
        "- model: {} (engine: {})\n",
        md_code(&card.model),
        card.engine
    );
    y += &format!(
        "- chat template: {} (hash {}), stops: {}\n",
        md_code(&card.template),
        md_code(&card.template_hash),
        card.stops
            .iter()
            .map(|s| md_code(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    y += &format!("- language steering: {}\n", card.steering);
    let (i, r) = (&card.instruction, &card.response);
    y += &format!(
        "- instruction sampling: temperature {}, top-p {}, at most {} tokens\n",
        i.temperature, i.top_p, i.max_tokens
    );
    y += &format!(
        "- response sampling: temperature {}, top-p {}, at most {} tokens\n",
        r.temperature, r.top_p, r.max_tokens
    );
    y += &format!(
        "- seed {}; {} requests sent, {} answered from the cache, {} generated tokens in {:.1} s\n",
        card.seed,
        thousands(card.requests_sent),
        thousands(card.cache_hits),
        thousands(card.generated_tokens),
        card.generation_seconds
    );
    if let Some((code, prefix)) = card.pre_query.iter().next() {
        y += &format!(
            "\nThe pre-query prefix ({code}; other languages differ in the system turn):\n\n"
        );
        y += &md_block("text", prefix);
    }
    y
}
