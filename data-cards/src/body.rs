//! The Markdown body: summary, per-language and per-stage tables, provenance, config and a
//! loading snippet. Each section is one small function returning its text.

use pipeline::{LangStats, RunStats, StageStats};

use crate::escape::{human_bytes, md_block, md_cell, md_code, percent, thousands};
use crate::langs::{hub_code, name};
use crate::{CardInput, InputFile, COMMON_CRAWL};

/// The body after the front matter.
pub fn render(card: &CardInput) -> String {
    let mut sections = vec![summary(card)];
    let glance = figures(card);
    if !glance.is_empty() {
        sections.push(glance);
    }
    sections.extend([languages(card), filtering(&card.run)]);
    sections.extend(card.decontam.as_ref().map(crate::decontam_section));
    sections.extend([
        run_inputs(card),
        models(card),
        card.license.section(card.common_crawl()),
        configuration(card),
        loading(card),
    ]);
    sections.join("\n")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// What the inputs were, as their own records say: `2 WARC files (1.2 MB): 1 from Common
/// Crawl (CC-MAIN-2014-35) and 1 from elsewhere`.
fn inputs_sentence(card: &CardInput) -> String {
    let bytes: u64 = card.inputs.iter().map(|i| i.bytes).sum();
    let cc: Vec<&InputFile> = card
        .inputs
        .iter()
        .filter(|i| i.kind == COMMON_CRAWL)
        .collect();
    let n = card.inputs.len() as u64;
    let mut s = format!(
        "{} ({})",
        plural(n, "WARC file", "WARC files"),
        human_bytes(bytes)
    );
    let mut crawls: Vec<&str> = cc.iter().filter_map(|i| i.crawl.as_deref()).collect();
    crawls.sort_unstable();
    crawls.dedup();
    let crawls = if crawls.is_empty() {
        String::new()
    } else {
        format!(" ({})", md_cell(&crawls.join(", ")))
    };
    let (c, other) = (cc.len() as u64, n - cc.len() as u64);
    s += &match (c, other) {
        (0, 1) => ", not from Common Crawl".to_string(),
        (0, _) => ", none of them from Common Crawl".to_string(),
        (1, 0) => format!(" from Common Crawl{crawls}"),
        (_, 0) => format!(", all from Common Crawl{crawls}"),
        (c, o) => format!(
            ": {} from Common Crawl{crawls} and {} from elsewhere",
            thousands(c),
            thousands(o)
        ),
    };
    s
}

fn summary(card: &CardInput) -> String {
    let run = &card.run;
    let names: Vec<&str> = card.languages.iter().map(|l| name(l)).collect();
    let mut s = format!("# {}\n\n", md_cell(&card.title()));
    let tokens = match &card.tokenizer {
        Some(t) => format!(
            " and {} ({})",
            plural(run.tokens(), "token", "tokens"),
            md_cell(t)
        ),
        None => String::new(),
    };
    let langs = match names.len() {
        0 => String::new(),
        n => format!(
            " in {} ({})",
            plural(n as u64, "language", "languages"),
            md_cell(&names.join(", "))
        ),
    };
    s += &format!(
        "{}{tokens} of text{langs}, extracted by seapile {} on {} from {}.",
        plural(run.docs_out, "document", "documents"),
        md_cell(&card.seapile_version),
        md_cell(&card.created),
        inputs_sentence(card),
    );
    let contributing: Vec<&InputFile> = card.inputs.iter().filter(|i| i.kept > 0).collect();
    if card.inputs.len() > 1 && !contributing.is_empty() && run.docs_out > 0 {
        let from: Vec<String> = contributing
            .iter()
            .map(|i| format!("{} from {}", thousands(i.kept), md_code(&i.name)))
            .collect();
        s += &format!(" Kept documents: {}.", from.join(", "));
    }
    s += "\n";
    s
}

/// The embedded charts and a pointer to the HTML report; nothing when there are neither.
fn figures(card: &CardInput) -> String {
    if card.figures.is_empty() && card.report.is_none() {
        return String::new();
    }
    let mut s = String::from("## At a glance\n\n");
    for f in &card.figures {
        s += &format!(
            "![{}]({})\n\n*{}*\n\n",
            md_alt(&f.alt),
            md_link_target(&f.path),
            md_cell(&f.caption)
        );
    }
    if let Some(report) = &card.report {
        s += &format!(
            "{} shows the run in detail: the funnel per stage, reason and language, each \
             quality signal's distribution with its threshold, language-ID scores, and sample \
             kept and dropped documents per language. It is one self-contained file: download \
             it and open it in a browser (it loads nothing and runs no script).\n",
            md_code(report)
        );
    }
    s
}

/// Alt text inside `![...]`: no brackets or newlines that would end it.
fn md_alt(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '[' | ']' => ' ',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect::<String>()
        .replace('\\', "/")
}

/// A relative link target: spaces and parentheses escaped so the link holds.
fn md_link_target(s: &str) -> String {
    s.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
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
    s += &match &card.langid {
        Some(how) => format!(
            "Languages (ISO 639-3) were identified by {}. `lang_score` is the probability \
             the model gave the chosen language; `lang_rule` says what decided the label \
             (`model`: the model's own top label; otherwise the named seapile rule).\n\n",
            md_cell(how)
        ),
        None => "No language ID ran: every document is `und`.\n\n".to_string(),
    };
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
    if let Some(ingest) = stages.iter().find(|st| st.name == "ingest") {
        let skipped = ingest.skipped_total();
        if skipped > 0 {
            let mut reasons: Vec<String> = ingest
                .skipped
                .iter()
                .map(|(r, n)| format!("{} {}", md_code(r), thousands(*n)))
                .collect();
            reasons.sort();
            s += &format!(
                "Ingest read {} WARC records: {} were HTML documents and {} were not \
                 documents and were skipped ({}).\n\n",
                thousands(ingest.docs_in + skipped),
                thousands(ingest.docs_in),
                thousands(skipped),
                reasons.join(", ")
            );
        }
    }
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

/// The run card's `## Inputs` table: each file with what it is and what it gave.
fn run_inputs(card: &CardInput) -> String {
    let files = &card.inputs;
    let mut s = String::from("## Inputs\n\n");
    if files.is_empty() {
        return s + "No inputs.\n";
    }
    s += "Inputs are named by their URL, or by file name for local files.\n\n";
    s += "| File | Kind | Crawl | Bytes | HTML documents | Kept | SHA-256 |\n";
    s += "|---|---|---|--:|--:|--:|---|\n";
    for i in files {
        let sha = i
            .sha256
            .as_deref()
            .map_or("– (remote, not hashed)".to_string(), md_code);
        let kind = if i.kind == COMMON_CRAWL {
            "Common Crawl WARC"
        } else {
            "WARC"
        };
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md_code(&i.name),
            kind,
            i.crawl.as_deref().map_or("–".to_string(), md_code),
            thousands(i.bytes),
            thousands(i.docs),
            thousands(i.kept),
            sha
        );
    }
    let total: u64 = files.iter().map(|i| i.bytes).sum();
    let docs: u64 = files.iter().map(|i| i.docs).sum();
    let kept: u64 = files.iter().map(|i| i.kept).sum();
    s += &format!(
        "| **Total** | | | **{}** ({}) | **{}** | **{}** | |\n",
        thousands(total),
        human_bytes(total),
        thousands(docs),
        thousands(kept)
    );
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
    let mut s = String::from("## How to load\n\n");
    let Some(first) = card.configs.iter().find(|c| c.name != "rejected") else {
        return s + "No documents were kept, so there is nothing to load.\n";
    };
    let builder = if first.path.ends_with(".jsonl") {
        "json"
    } else {
        "parquet"
    };
    let quoted = serde_json::to_string(&first.path).unwrap_or_default();
    let code = format!(
        "from datasets import load_dataset\n\n\
         # this folder (or its Hub repository), subset \"{name}\"\n\
         ds = load_dataset(\"path/to/this/folder\", \"{name}\", split=\"train\")\n\
         # or the files alone\n\
         ds = load_dataset(\"{builder}\", data_files={quoted}, split=\"train\")\n",
        name = first.name
    );
    let names: Vec<String> = card.configs.iter().map(|c| md_code(&c.name)).collect();
    s += &format!(
        "Subsets (configs): {}.\n\n{}\n",
        names.join(", "),
        md_block("python", &code)
    );
    s += if card.schema == "fineweb" {
        "Columns (FineWeb-2's names): `text`, `id`, `dump` (Common Crawl crawl), `url`, \
         `date` (WARC-Date), `file_path` (input file), `language` (ISO 639-3), \
         `language_score`, `language_script`, `minhash_cluster_size` (null until `seapile \
         dedup`), `top_langs` (JSON), `metadata` (struct: `token_count`, `title`, `source`, \
         `lang_rule`, `lang_share`, `extract_page_type`, `charset`, `warc_record_id`, `extra` \
         as JSON).\n"
    } else {
        "Columns: `id`, `url`, `date` (WARC-Date), `text`, `title`, `lang` (ISO 639-3), \
         `lang_score`, `lang_rule`, `tokens`, `source` (input file), `meta` (JSON object of \
         provenance).\n"
    };
    if card.configs.iter().any(|c| c.name == "rejected") {
        s += "The `rejected` subset holds the dropped documents with two more columns, `stage` \
              and `reason`.\n";
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Figure;

    #[test]
    fn figures_are_embedded_with_alt_text() {
        let card = CardInput {
            figures: vec![Figure {
                path: "figures/funnel.svg".into(),
                alt: "Documents per stage: 13 in [all], 10 kept".into(),
                caption: "Documents through the stages | kept and dropped".into(),
            }],
            report: Some("report.html".into()),
            ..CardInput::default()
        };
        let s = figures(&card);
        assert!(
            s.contains("![Documents per stage: 13 in  all , 10 kept](figures/funnel.svg)"),
            "{s}"
        );
        assert!(
            s.contains("*Documents through the stages \\| kept and dropped*"),
            "{s}"
        );
        assert!(s.contains("`report.html`"), "{s}");
        assert!(render(&CardInput::default()).find("At a glance").is_none());
        assert!(crate::render(&card).contains("## At a glance"));
    }
}
