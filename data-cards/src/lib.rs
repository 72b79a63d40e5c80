//! Dataset cards: the `README.md` a seapile run writes next to its data, with the YAML front
//! matter the Hugging Face Hub reads (`configs`, `language`, `license`, `size_categories`, ...)
//! and a body that reports what the run kept and dropped, from what inputs and models.
//!
//! The one design decision: **the card is rendered from numbers, never edited by hand**.
//! [`render`] is a pure function of a [`CardInput`] (run stats, input and model hashes, the
//! config), so the same run always gives the same card, snapshot tests pin its exact text, and
//! every value that comes from outside (names, paths, config) goes through one escaping layer
//! ([`escape`]) for YAML or Markdown.

mod body;
mod dedup_card;
pub mod escape;
mod front_matter;
pub mod langs;

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use dedup_card::{render_dedup, DedupCardInput, MinhashParams, DEDUP_TAGS};
pub use front_matter::{size_category, TAGS};

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

/// SHA-256 of a file's contents as lowercase hex, read in 64 KiB chunks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 1_000_000]).unwrap();
        assert_eq!(
            sha256_file(&big).unwrap(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        assert!(sha256_file(&dir.path().join("missing")).is_err());
    }
}
