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
pub mod hub;
pub mod langs;
mod magpie_card;
mod mix_card;
pub mod yaml;

pub use decontam_card::{
    decontam_section, render_decontam, DecontamBenchmark, DecontamCardInput, DecontamSection,
};
pub use dedup_card::{render_dedup, DedupCardInput, MinhashParams, DEDUP_TAGS};
pub use front_matter::{size_category, TAGS};
pub use hub::{Feature, HubConfig, License};
pub use magpie_card::{render_magpie, MagpieCardInput, MagpieLanguage, Sampling};
pub use mix_card::{render_mix, MixCardInput, MixShare, MixSource};

/// Everything a card shows about one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardInput {
    /// Display name (`pretty_name:` and the title); `None`: said from the languages and
    /// inputs ([`CardInput::title`]).
    pub pretty_name: Option<String>,
    pub license: License,
    /// ISO 639-3 codes of the languages with kept documents (mapped to Hub codes here).
    pub languages: Vec<String>,
    /// The merged stats of the run.
    pub run: pipeline::RunStats,
    /// The input files (WARCs), in run order.
    pub inputs: Vec<InputFile>,
    /// Model files the run used (language ID, tokenizer).
    pub models: Vec<ModelFile>,
    /// The tokenizer the `tokens` stage counted with, e.g. "Llama 3 tokenizer, `llama3`"; `None`
    /// when no stage counted tokens.
    pub tokenizer: Option<String>,
    /// How languages were identified (model and rules); `None` when no language ID ran.
    pub langid: Option<String>,
    /// The Hub configs (subsets) the run wrote: `default` or one per language, and
    /// `rejected`. Empty when nothing was written.
    pub configs: Vec<HubConfig>,
    /// Column names written: `seapile` or `fineweb`.
    pub schema: String,
    /// The configuration the run used, as TOML.
    pub config_toml: String,
    /// Version of seapile that produced the data.
    pub seapile_version: String,
    /// Creation date, `YYYY-MM-DD`.
    pub created: String,
    /// Charts to embed (image files in the dataset repository, e.g. `figures/funnel.svg`).
    pub figures: Vec<Figure>,
    /// The run's HTML report in the repository (`report.html`), when one was written.
    pub report: Option<String>,
    /// The benchmark decontamination, when a `decontam` stage ran.
    pub decontam: Option<DecontamSection>,
}

/// A chart the card embeds: an image file in the dataset repository, with the alt text a
/// reader without the image gets instead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figure {
    /// Relative path in the repository (`figures/funnel.svg`); never a local path.
    pub path: String,
    /// What the chart shows, in words and numbers.
    pub alt: String,
    /// A one-line caption under it.
    pub caption: String,
}

impl CardInput {
    /// Whether any input came from Common Crawl.
    pub fn common_crawl(&self) -> bool {
        self.inputs.iter().any(|i| i.kind == COMMON_CRAWL)
    }

    /// The configured name, else one said from what the run kept: `Common Crawl web text
    /// in Thai and Vietnamese`, `Web text in 13 languages`.
    pub fn title(&self) -> String {
        if let Some(name) = &self.pretty_name {
            return name.clone();
        }
        let all_cc = !self.inputs.is_empty() && self.inputs.iter().all(|i| i.kind == COMMON_CRAWL);
        let what = if all_cc {
            "Common Crawl web text"
        } else {
            "Web text"
        };
        let names: Vec<&str> = self.languages.iter().map(|l| langs::name(l)).collect();
        match names.len() {
            0 => format!("{what} (no documents kept)"),
            1 => format!("{what} in {}", names[0]),
            2 | 3 => format!(
                "{what} in {} and {}",
                names[..names.len() - 1].join(", "),
                names[names.len() - 1]
            ),
            n => format!("{what} in {n} languages"),
        }
    }
}

/// [`InputFile::kind`] of a Common Crawl WARC.
pub const COMMON_CRAWL: &str = "common-crawl";

/// One input file of the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputFile {
    /// Its URL, or a local file's name (never a local path: cards are published).
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 (lowercase hex) when the file was local and hashed.
    pub sha256: Option<String>,
    /// What the file's own records say it is: [`COMMON_CRAWL`] or `warc`.
    pub kind: String,
    /// Its Common Crawl crawl (`CC-MAIN-2014-35`), when known.
    pub crawl: Option<String>,
    /// HTML documents read from it, and kept.
    pub docs: u64,
    pub kept: u64,
}

/// One model file the run used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelFile {
    /// What it was used for, e.g. `langid`, `tokenizer`.
    pub role: String,
    /// File name.
    pub name: String,
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
