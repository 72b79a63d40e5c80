//! The decontamination section (`## Decontamination`) that every card of data checked
//! against a benchmark index carries — the run card, the mix card, and the card of
//! `seapile decontam` itself ([`render_decontam`]) — so a model card can say what its data
//! was decontaminated against: which benchmark files (with SHA-256) and what was found.
//!
//! Design decision: one plain input struct ([`DecontamSection`]), filled by the `decontam`
//! crate from its counts, rendered the same way wherever it appears.

use crate::escape::{md_cell, md_code, percent, thousands};
use crate::front_matter::{render_meta, Meta};
use crate::hub::License;

/// What was found for one benchmark file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecontamBenchmark {
    /// File name as indexed.
    pub name: String,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    pub records: u64,
    /// Records with n-grams in the index.
    pub items_indexed: u64,
    /// Records found in at least one document.
    pub items_found: u64,
    /// Documents with at least one of the file's n-grams.
    pub docs_hit: u64,
    /// Characters removed from documents whose main match was this file.
    pub chars_removed: u64,
}

/// The decontamination of one output against one index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecontamSection {
    /// The index file's name and SHA-256.
    pub index_name: String,
    pub index_sha256: String,
    /// Words per n-gram, and the shortest items indexed whole: `min_words` words, or
    /// `short_words` words with `short_letters` letters.
    pub ngram: usize,
    pub min_words: usize,
    pub short_words: usize,
    pub short_letters: usize,
    /// What was done with a contaminated document, in words.
    pub action: String,
    pub docs_scanned: u64,
    pub docs_contaminated: u64,
    pub docs_dropped: u64,
    pub docs_cut: u64,
    pub chars_removed: u64,
    pub benchmarks: Vec<DecontamBenchmark>,
}

/// The `## Decontamination` section.
pub fn decontam_section(d: &DecontamSection) -> String {
    let mut s = String::from("## Decontamination\n\n");
    s += &format!(
        "Every document was checked against {} benchmark file{} (index {}, SHA-256 {}): \
         {}-word n-grams of every benchmark item, and shorter items whole when they have at \
         least {} words, or {} words and {} letters, after folding case, width, Latin \
         diacritics, digits, punctuation and spacing, reading Zawgyi as Unicode and cutting \
         Thai, Lao, Khmer, Burmese and Chinese into dictionary words. Action: {}.\n\n",
        thousands(d.benchmarks.len() as u64),
        if d.benchmarks.len() == 1 { "" } else { "s" },
        md_code(&d.index_name),
        md_code(&d.index_sha256),
        d.ngram,
        d.min_words,
        d.short_words,
        d.short_letters,
        md_cell(&d.action),
    );
    s += &format!(
        "{} of {} documents ({}) held benchmark text: {} dropped, {} cut; {} characters \
         removed.\n\n",
        thousands(d.docs_contaminated),
        thousands(d.docs_scanned),
        percent(d.docs_contaminated, d.docs_scanned),
        thousands(d.docs_dropped),
        thousands(d.docs_cut),
        thousands(d.chars_removed),
    );
    s += "| Benchmark file | SHA-256 | Records | Items indexed | Items found | Documents hit | \
          Characters removed |\n|---|---|--:|--:|--:|--:|--:|\n";
    for b in &d.benchmarks {
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md_code(&b.name),
            md_code(&b.sha256),
            thousands(b.records),
            thousands(b.items_indexed),
            thousands(b.items_found),
            thousands(b.docs_hit),
            thousands(b.chars_removed),
        );
    }
    s
}

/// The card `seapile decontam` writes next to its output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecontamCardInput {
    pub pretty_name: String,
    pub license: String,
    /// Documents kept (rows of `data/`).
    pub rows: u64,
    /// Input files, as given.
    pub inputs: Vec<crate::InputFile>,
    pub section: DecontamSection,
    pub seapile_version: String,
    /// Glob of the data files relative to the card, e.g. `data/*.parquet`.
    pub data_files: String,
}

/// The card of a `seapile decontam` output: front matter, summary, the decontamination
/// section, inputs.
pub fn render_decontam(card: &DecontamCardInput) -> String {
    let license = License::new(&card.license, None, None);
    let mut out = render_meta(&Meta {
        pretty_name: &card.pretty_name,
        license: &license,
        languages: None,
        rows: card.rows,
        tags: &["seapile", "decontaminated"],
        data_files: &card.data_files,
    });
    out.push('\n');
    out += &format!(
        "# {}\n\n{} documents kept of {} by `seapile decontam` (seapile {}); the documents \
         that held benchmark text are listed in `contamination.jsonl` with the benchmark \
         file, record, field and n-grams matched.\n\n",
        md_cell(&card.pretty_name),
        thousands(card.rows),
        thousands(card.section.docs_scanned),
        md_cell(&card.seapile_version),
    );
    out += &decontam_section(&card.section);
    out.push('\n');
    out += &crate::body::inputs(&card.inputs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> DecontamSection {
        DecontamSection {
            index_name: "sea-helm.idx".into(),
            index_sha256: "ab".repeat(32),
            ngram: 13,
            min_words: 8,
            short_words: 4,
            short_letters: 30,
            action: "drop the document".into(),
            docs_scanned: 1000,
            docs_contaminated: 3,
            docs_dropped: 3,
            docs_cut: 0,
            chars_removed: 4200,
            benchmarks: vec![DecontamBenchmark {
                name: "global_mmlu_lite_id_test.jsonl".into(),
                sha256: "cd".repeat(32),
                records: 400,
                items_indexed: 398,
                items_found: 2,
                docs_hit: 3,
                chars_removed: 4200,
            }],
        }
    }

    #[test]
    fn section_names_each_benchmark_with_its_hash_and_counts() {
        let s = decontam_section(&section());
        assert!(s.starts_with("## Decontamination\n"), "{s}");
        assert!(s.contains(&format!("`{}`", "ab".repeat(32))), "{s}");
        assert!(
            s.contains(&format!(
                "| `global_mmlu_lite_id_test.jsonl` | `{}` | 400 | 398 | 2 | 3 | 4,200 |",
                "cd".repeat(32)
            )),
            "{s}"
        );
        assert!(s.contains("3 of 1,000 documents (0.3%)"), "{s}");
    }

    #[test]
    fn pass_card_has_front_matter_and_the_section() {
        let card = render_decontam(&DecontamCardInput {
            pretty_name: "clean".into(),
            license: "other".into(),
            rows: 997,
            inputs: vec![],
            section: section(),
            seapile_version: "0.1.0".into(),
            data_files: "data/*.parquet".into(),
        });
        assert!(card.starts_with("---\n"), "{card}");
        assert!(card.contains("## Decontamination"), "{card}");
        assert!(card.contains("997 documents kept of 1,000"), "{card}");
    }
}
