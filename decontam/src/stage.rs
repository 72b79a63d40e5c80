//! Decontamination as a run stage (`type = "decontam"` in a run config's `[[stages]]`), so a
//! crawl is cleaned in the same pass that extracts it.
//!
//! Design decision: the stage is a [`Scanner`] over an index loaded once per run and shared
//! by every shard (`Arc`); what it found travels with each document (`meta["decontam"]`,
//! also on rejected rows) and is counted per benchmark ([`Tally`]) into the stage's counters,
//! from which the run card's decontamination section is written.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use pipeline::{
    Assets, BuildError, BuildStage, Doc, InvalidValue, ModelFile, Outcome, Stage, StageError,
};
use serde::{Deserialize, Serialize};

use crate::report::{doc_meta, Tally};
use crate::scan::{Action, Rules, Scanner, Verdict};
use crate::Index;

/// The stage's name in stats, rejects and cards.
pub const NAME: &str = "decontam";

/// `meta` key holding what was found in a document (JSON).
pub const META_KEY: &str = "decontam";

pub mod reason {
    pipeline::drop_reasons! {
        /// The document contains benchmark text (an n-gram of the decontamination index) and
        /// the action is `drop`.
        CONTAMINATED = "contaminated";
        /// Action `cut`: more than `max_cuts` separate benchmark spans would have to be cut,
        /// so the document is dropped whole (NeMo Curator's rule).
        TOO_MANY_CUTS = "contaminated_too_many_cuts";
        /// Action `cut`: after cutting the benchmark spans and their margins no piece of at
        /// least `min_piece_chars` characters is left.
        NOTHING_LEFT = "contaminated_nothing_left";
    }
}

/// `[[stages]] type = "decontam"`: which index, and what to do with a document that holds
/// benchmark text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecontamConfig {
    /// The index file (`seapile decontam index ... --output IDX`).
    pub index: PathBuf,
    /// `drop` (the default) or `cut`.
    #[serde(default)]
    pub action: Action,
    /// `cut`: characters removed on each side of a match.
    #[serde(default = "default_margin")]
    pub margin_chars: usize,
    /// `cut`: a document needing more cuts than this is dropped.
    #[serde(default = "default_max_cuts")]
    pub max_cuts: usize,
    /// `cut`: pieces shorter than this many characters are not kept.
    #[serde(default = "default_min_piece")]
    pub min_piece_chars: usize,
    /// Matched n-grams that make a document contaminated.
    #[serde(default = "default_min_ngrams")]
    pub min_ngrams: usize,
}

fn default_margin() -> usize {
    Rules::default().margin_chars
}
fn default_max_cuts() -> usize {
    Rules::default().max_cuts
}
fn default_min_piece() -> usize {
    Rules::default().min_piece_chars
}
fn default_min_ngrams() -> usize {
    Rules::default().min_ngrams
}

impl DecontamConfig {
    /// A config for `index` with the default rules.
    pub fn new(index: impl Into<PathBuf>) -> Self {
        let r = Rules::default();
        DecontamConfig {
            index: index.into(),
            action: r.action,
            margin_chars: r.margin_chars,
            max_cuts: r.max_cuts,
            min_piece_chars: r.min_piece_chars,
            min_ngrams: r.min_ngrams,
        }
    }

    pub fn rules(&self) -> Rules {
        Rules {
            action: self.action,
            margin_chars: self.margin_chars,
            max_cuts: self.max_cuts,
            min_piece_chars: self.min_piece_chars,
            min_ngrams: self.min_ngrams,
        }
    }

    /// Check the values (no file access).
    pub fn check(&self) -> Result<(), InvalidValue> {
        if self.index.as_os_str().is_empty() {
            return Err(InvalidValue {
                field: "decontam.index".into(),
                value: "\"\"".into(),
                hint: "name an index file built by `seapile decontam index`".into(),
            });
        }
        if self.min_ngrams == 0 {
            return Err(InvalidValue {
                field: "decontam.min_ngrams".into(),
                value: "0".into(),
                hint: "at least 1 matched n-gram makes a document contaminated".into(),
            });
        }
        Ok(())
    }

    /// Load the index and make the stage.
    pub fn stage(&self) -> Result<DecontamStage, crate::DecontamError> {
        let index = Arc::new(Index::load(&self.index)?);
        Ok(DecontamStage {
            scanner: Scanner::new(index, self.rules()),
            path: self.index.clone(),
            tally: Tally::default(),
        })
    }
}

impl BuildStage for DecontamConfig {
    fn build(&self, _assets: &Assets) -> Result<Box<dyn Stage>, BuildError> {
        pipeline::stage::boxed(NAME, self.stage())
    }

    fn validate(&self) -> Result<(), InvalidValue> {
        self.check()
    }
}

/// The built stage.
#[derive(Debug, Clone)]
pub struct DecontamStage {
    scanner: Scanner,
    path: PathBuf,
    tally: Tally,
}

impl DecontamStage {
    /// What this stage (this shard's copy) counted so far.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }
}

impl Stage for DecontamStage {
    fn name(&self) -> &'static str {
        NAME
    }

    fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
        let verdict = self.scanner.check(&doc.text);
        let index = Arc::clone(self.scanner.index());
        self.tally.add(&index, &verdict);
        match verdict {
            Verdict::Clean => Ok(Outcome::Keep(doc)),
            Verdict::Cut {
                text,
                cuts,
                chars_removed,
                finding,
            } => {
                let meta = doc_meta(&index, &finding, "cut", None, cuts, chars_removed);
                doc.meta.insert(META_KEY.into(), meta.to_string());
                doc.text = text;
                Ok(Outcome::Keep(doc))
            }
            Verdict::Drop {
                reason,
                chars,
                finding,
            } => {
                let meta = doc_meta(&index, &finding, "drop", Some(reason), 0, chars);
                doc.meta.insert(META_KEY.into(), meta.to_string());
                Ok(Outcome::drop(doc, reason))
            }
        }
    }

    fn model_files(&self) -> Vec<ModelFile> {
        vec![ModelFile {
            role: "decontamination index",
            path: self.path.clone(),
        }]
    }

    fn counts(&self) -> BTreeMap<String, u64> {
        self.tally.to_counts()
    }
}
