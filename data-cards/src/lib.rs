//! Dataset cards: the `README.md` every seapile output carries — a run ([`render`]), a dedup
//! pass ([`render_dedup`]), a mix ([`render_mix`]) and a Magpie synthesis run
//! ([`render_magpie`]), with a decontamination section ([`decontam_section`]) wherever an
//! index was used, — with the YAML front matter the Hugging Face Hub reads (`configs`,
//! `language`, `license`, `size_categories`, ...) and a body that reports what was kept and
//! dropped, from what inputs and models.
//!
//! The one design decision: **a card is rendered from numbers, never edited by hand**. Each
//! renderer is a pure function of a plain input struct (stats, hashes, config), filled by the
//! crate that did the work, so this crate depends on none of them, the same output always
//! gives the same card, snapshot tests pin its exact text, and every value that comes from
//! outside (names, paths, config) goes through one quoting layer ([`yaml`], [`escape`]).

mod body;
mod decontam_card;
mod dedup_card;
pub mod escape;
mod front_matter;
pub mod langs;
mod magpie_card;
mod mix_card;
pub mod yaml;

pub use decontam_card::{
    decontam_section, render_decontam, DecontamBenchmark, DecontamCardInput, DecontamSection,
};
pub use dedup_card::{render_dedup, DedupCardInput, MinhashParams, DEDUP_TAGS};
pub use front_matter::{size_category, TAGS};
pub use magpie_card::{render_magpie, MagpieCardInput, MagpieLanguage, Sampling};
pub use mix_card::{render_mix, MixCardInput, MixShare, MixSource};

/// Everything a card shows about one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardInput {
    /// Display name (`pretty_name:` and the title).
    pub pretty_name: String,
    /// Hub license identifier, e.g. `odc-by`, `cc-by-4.0`, `other`.
    pub license: String,
    /// ISO 639-3 codes of the languages with kept documents (mapped to Hub codes here).
    pub languages: Vec<String>,
    /// The merged stats of the run.
    pub run: pipeline::RunStats,
    /// The input files (WARCs), in run order.
    pub inputs: Vec<InputFile>,
    /// Model files the run used (language ID, tokenizer).
    pub models: Vec<ModelFile>,
    /// The configuration the run used, as TOML.
    pub config_toml: String,
    /// Version of seapile that produced the data.
    pub seapile_version: String,
    /// Glob of the data files relative to the card, e.g. `data/*.parquet`.
    pub data_files: String,
    /// Creation date, `YYYY-MM-DD`.
    pub created: String,
    /// The benchmark decontamination, when a `decontam` stage ran.
    pub decontam: Option<DecontamSection>,
}

/// One input file of the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputFile {
    /// Path or URL as given.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 (lowercase hex) when the file was local and hashed.
    pub sha256: Option<String>,
}

/// One model file the run used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelFile {
    /// What it was used for, e.g. `langid`, `tokenizer`.
    pub role: String,
    /// File name.
    pub name: String,
    /// Local path it was loaded from (not shown in the card: it is machine-specific).
    pub path: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// The card as Markdown with YAML front matter.
pub fn render(card: &CardInput) -> String {
    let mut out = front_matter::render(card);
    out.push('\n');
    out.push_str(&body::render(card));
    out
}
