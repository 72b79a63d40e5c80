//! The Markdown body: summary, per-language and per-stage tables, provenance, config and a
//! loading snippet. Each section is one small function returning its text.

use pipeline::{LangStats, RunStats, StageStats};

use crate::escape::{human_bytes, md_block, md_cell, md_code, percent, thousands};
use crate::langs::{hub_code, name};
use crate::{CardInput, InputFile};

/// The body after the front matter.
pub fn render(card: &CardInput) -> String {
    let mut sections = vec![summary(card), languages(card), filtering(&card.run)];
    sections.extend(card.decontam.as_ref().map(crate::decontam_section));
    sections.extend([
        inputs(&card.inputs),
        models(card),
        configuration(card),
        loading(card),
    ]);
    sections.join("\n")
}

fn summary(card: &CardInput) -> String {
    let run = &card.run;
    let names: Vec<&str> = card.languages.iter().map(|l| name(l)).collect();
    let input_bytes: u64 = card.inputs.iter().map(|i| i.bytes).sum();
    let mut s = format!("# {}\n\n", md_cell(&card.pretty_name));
    s += &format!(
        "{} documents and {} tokens (Llama 3 tokenizer) of web text in {} language{}{}, \
         extracted from {} Common Crawl WARC file{} ({}) by seapile {} on {}.\n",
        thousands(run.docs_out),
        thousands(run.tokens()),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        if names.is_empty() {
            String::new()
        } else {
            format!(" ({})", md_cell(&names.join(", ")))
        },
        thousands(card.inputs.len() as u64),
        if card.inputs.len() == 1 { "" } else { "s" },
        human_bytes(input_bytes),
        md_cell(&card.seapile_version),
        md_cell(&card.created),
    );
    s
}

fn languages(card: &CardInput) -> String {
    let langs = &card.run.langs;
    let total = langs.values().fold(LangStats::default(), |mut acc, l| {
        acc.merge(l);
        acc
    });
    let mut rows: Vec<(&String, &LangStats)> = langs.iter().filter(|(_, l)| l.docs > 0).collect();
    rows.sort_by(|a, b| b.1.docs.cmp(&a.1.docs).then(a.0.cmp(b.0)));
    let mut s = String::from("## Languages\n\n");
    s += "Language labels come from fastText language ID (ISO 639-3; `und` = no language ID).\n\n";
    s += "| Language | ISO 639-3 | Hub | Documents | Share | Tokens | Share | Characters | Words | Tokens/char | Tokens/word |\n";
    s += "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
    for (code, l) in rows {
        let (label, hub) = match code.as_str() {
            "und" => ("Undetermined".to_string(), "–".to_string()),
            _ => (md_cell(name(code)), md_code(hub_code(code))),
        };
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.3} | {:.2} |\n",
            label,
            md_code(code),
            hub,
            thousands(l.docs),
            percent(l.docs, total.docs),
            thousands(l.tokens),
            percent(l.tokens, total.tokens),
            thousands(l.chars),
            thousands(l.words),
            l.tokens_per_char(),
            l.tokens_per_word(),
        );
    }
    s += &format!(
        "| **Total** | | | **{}** | {} | **{}** | {} | **{}** | **{}** | {:.3} | {:.2} |\n",
        thousands(total.docs),
        percent(total.docs, total.docs),
        thousands(total.tokens),
        percent(total.tokens, total.tokens),
        thousands(total.chars),
        thousands(total.words),
        total.tokens_per_char(),
        total.tokens_per_word(),
    );
    s
}

fn filtering(run: &RunStats) -> String {
    let stages = &run.stages;
    let mut s = String::from("## Filtering\n\n");
    s += &format!(
        "{} shard{} ({:.1} s summed over shards, {:.1} s wall clock). Every stage counts what \
         it received, kept and dropped (`in = kept + dropped`).\n\n",
        thousands(run.shards),
        if run.shards == 1 { "" } else { "s" },
        run.shard_seconds,
        run.wall_seconds,
    );
    s += "| Stage | In | Kept | Dropped | Kept rate | Seconds |\n|---|--:|--:|--:|--:|--:|\n";
    for st in stages {
        s += &format!(
            "| {} | {} | {} | {} | {} | {:.1} |\n",
            md_code(&st.name),
            thousands(st.docs_in),
            thousands(st.kept),
            thousands(st.dropped_total()),
            percent(st.kept, st.docs_in),
            st.seconds,
        );
    }
    s += "\n### Drops by reason\n\n";
    let drops: Vec<(&StageStats, &String, u64)> = stages
        .iter()
        .flat_map(|st| st.dropped.iter().map(move |(r, n)| (st, r, *n)))
        .filter(|(_, _, n)| *n > 0)
        .collect();
    if drops.is_empty() {
        s += "No documents were dropped.\n";
        return s;
    }
    s += "| Stage | Reason | Documents | Rate of stage input |\n|---|---|--:|--:|\n";
    for (st, reason, n) in drops {
        s += &format!(
            "| {} | {} | {} | {} |\n",
            md_code(&st.name),
            md_code(reason),
            thousands(n),
            percent(n, st.docs_in),
        );
    }
    s
}

/// The `## Inputs` table (also used by the dedup card).
pub(crate) fn inputs(files: &[InputFile]) -> String {
    let mut s = String::from("## Inputs\n\n");
    if files.is_empty() {
        return s + "No inputs.\n";
    }
    s += "| File | Bytes | SHA-256 |\n|---|--:|---|\n";
    for i in files {
        let sha = i
            .sha256
            .as_deref()
            .map_or("– (remote, not hashed)".to_string(), md_code);
        s += &format!(
            "| {} | {} | {} |\n",
            md_code(&i.name),
            thousands(i.bytes),
            sha
        );
    }
    let total: u64 = files.iter().map(|i| i.bytes).sum();
    s += &format!(
        "| **Total** | **{}** ({}) | |\n",
        thousands(total),
        human_bytes(total)
    );
    s
}

fn models(card: &CardInput) -> String {
    let mut s = String::from("## Models\n\n");
    if card.models.is_empty() {
        return s + "No model files were used.\n";
    }
    s += "| Role | File | SHA-256 |\n|---|---|---|\n";
    for m in &card.models {
        s += &format!(
            "| {} | {} | {} |\n",
            md_cell(&m.role),
            md_code(&m.name),
            md_code(&m.sha256)
        );
    }
    s
}

fn configuration(card: &CardInput) -> String {
    format!(
        "## Configuration\n\nProduced by seapile {} with this configuration:\n\n{}",
        md_cell(&card.seapile_version),
        md_block("toml", &card.config_toml),
    )
}

fn loading(card: &CardInput) -> String {
    let files = &card.data_files;
    let builder = if files.ends_with(".jsonl") || files.ends_with(".json") {
        "json"
    } else {
        "parquet"
    };
    let quoted = serde_json::to_string(files).unwrap_or_default();
    let code = format!(
        "from datasets import load_dataset\n\n\
         ds = load_dataset(\"{builder}\", data_files={quoted}, split=\"train\")\n"
    );
    format!(
        "## How to load\n\n{}\nColumns: `id`, `url`, `date` (WARC-Date), `text`, `title`, \
         `lang` (ISO 639-3), `lang_score`, `tokens` (Llama 3), `source` (input file), \
         `meta` (JSON object of provenance).\n",
        md_block("python", &code)
    )
}
