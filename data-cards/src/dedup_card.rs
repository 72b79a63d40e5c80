//! The card `seapile dedup` writes next to its output. The design decision: it shares the
//! run card's front matter and escaping ([`crate::front_matter`], [`crate::escape`]) and takes
//! plain numbers, not the `dedup` crate's types, so this crate stays independent of the job
//! that produced them and the card is a pure function of [`DedupCardInput`].

use std::collections::BTreeMap;

use crate::escape::{md_block, md_cell, md_code, percent, thousands};
use crate::front_matter::{render_meta, Meta};
use crate::hub::License;
use crate::InputFile;

/// Tags every dedup card carries.
pub const DEDUP_TAGS: [&str; 2] = ["seapile", "deduplicated"];

/// The MinHash LSH parameters of a dedup run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinhashParams {
    /// Words per shingle.
    pub ngram: usize,
    pub bands: usize,
    pub rows: usize,
    pub seed: u64,
    /// Estimated Jaccard at or above which band candidates are linked.
    pub verify_threshold: f64,
    /// Points `(jaccard, probability of becoming a candidate)` of the S-curve.
    pub s_curve: Vec<(f64, f64)>,
}

/// Everything the dedup card shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DedupCardInput {
    /// Display name (`pretty_name:` and the title).
    pub pretty_name: String,
    /// Hub license identifier, e.g. `other`, `odc-by`.
    pub license: String,
    /// ISO 639-3 codes of the kept rows' `lang` column; `None` when the rows have none.
    pub languages: Option<Vec<String>>,
    /// Which passes ran: `both`, `exact_only` or `near_only`.
    pub mode: String,
    pub docs_in: u64,
    pub exact_duplicates_removed: u64,
    pub near_duplicates_removed: u64,
    /// Clusters of two or more documents (linked by either pass).
    pub clusters: u64,
    pub docs_in_clusters: u64,
    /// Cluster size bucket (`2`, `3-4`, ...) → number of clusters.
    pub cluster_size_histogram: BTreeMap<String, u64>,
    pub removed: u64,
    pub kept: u64,
    /// `None` when near-dedup did not run.
    pub minhash: Option<MinhashParams>,
    /// The input files, in priority order.
    pub inputs: Vec<InputFile>,
    pub seapile_version: String,
    /// Glob of the data files relative to the card, e.g. `data/*.parquet`.
    pub data_files: String,
}

/// The dedup card as Markdown with YAML front matter.
pub fn render_dedup(card: &DedupCardInput) -> String {
    let license = License::new(&card.license, None, None);
    let mut out = render_meta(&Meta {
        pretty_name: &card.pretty_name,
        license: &license,
        languages: card.languages.as_deref(),
        rows: card.kept,
        tags: &DEDUP_TAGS,
        data_files: &card.data_files,
    });
    out.push('\n');
    let sections = [
        summary(card),
        counts(card),
        histogram(&card.cluster_size_histogram),
        minhash(card.minhash.as_ref()),
        crate::body::inputs(&card.inputs),
        license.section(false),
        loading(card),
    ];
    out.push_str(&sections.join("\n"));
    out
}

fn summary(card: &DedupCardInput) -> String {
    format!(
        "# {}\n\n{} of {} documents kept after deduplication (mode {}) by seapile {}.\n",
        md_cell(&card.pretty_name),
        thousands(card.kept),
        thousands(card.docs_in),
        md_code(&card.mode),
        md_cell(&card.seapile_version),
    )
}

fn counts(card: &DedupCardInput) -> String {
    let rows = [
        ("Documents in", card.docs_in),
        ("Exact duplicates removed", card.exact_duplicates_removed),
        ("Near duplicates removed", card.near_duplicates_removed),
        ("Documents removed", card.removed),
        ("Documents kept", card.kept),
        ("Duplicate clusters (2+ documents)", card.clusters),
        ("Documents in duplicate clusters", card.docs_in_clusters),
    ];
    let mut s = String::from("## Deduplication\n\n");
    s += "Exact duplicates share the xxh3-128 hash of their normalised text; near duplicates \
          are linked by MinHash LSH. One document per cluster is kept (the first in input \
          order).\n\n";
    s += "| Count | Documents | Share of input |\n|---|--:|--:|\n";
    for (label, n) in rows {
        s += &format!(
            "| {label} | {} | {} |\n",
            thousands(n),
            percent(n, card.docs_in)
        );
    }
    s
}

fn histogram(hist: &BTreeMap<String, u64>) -> String {
    let mut s = String::from("### Cluster sizes\n\n");
    if hist.is_empty() {
        return s + "No duplicate clusters.\n";
    }
    let mut rows: Vec<(&String, &u64)> = hist.iter().collect();
    rows.sort_by_key(|(k, _)| k.split('-').next().and_then(|n| n.parse::<u64>().ok()));
    s += "| Cluster size | Clusters |\n|--:|--:|\n";
    for (size, n) in rows {
        s += &format!("| {} | {} |\n", md_cell(size), thousands(*n));
    }
    s
}

fn minhash(params: Option<&MinhashParams>) -> String {
    let mut s = String::from("## MinHash parameters\n\n");
    let Some(p) = params else {
        return s + "Near-duplicate detection did not run (exact pass only).\n";
    };
    s += "| Parameter | Value |\n|---|--:|\n";
    s += &format!("| Shingle (word n-gram) | {} |\n", p.ngram);
    s += &format!(
        "| Bands × rows | {} × {} = {} hashes |\n",
        p.bands,
        p.rows,
        p.bands * p.rows
    );
    s += &format!("| Seed | {} |\n", p.seed);
    s += &format!(
        "| Verify threshold (estimated J) | {} |\n",
        p.verify_threshold
    );
    s += "\nEstimated probability that a pair becomes an LSH candidate, \
          `1 − (1 − J^rows)^bands`:\n\n| Jaccard | P(candidate) |\n|--:|--:|\n";
    for (j, prob) in &p.s_curve {
        s += &format!("| {j:.2} | {prob:.4} |\n");
    }
    s
}

fn loading(card: &DedupCardInput) -> String {
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
        "## How to load\n\n{}\nThe rows keep their input columns and gain `cluster_id` (the id \
         of the kept document's cluster) and `cluster_size`. `clusters.jsonl` maps every input \
         `id` to its cluster and whether it was kept.\n",
        md_block("python", &code)
    )
}
