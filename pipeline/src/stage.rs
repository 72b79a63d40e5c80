//! The [`Stage`] trait, the [`BuildStage`] trait its config implements, and the [`Chain`]
//! that runs stages in order while counting.
//!
//! A run builds its chain once (models loaded, config checked against them) and each shard
//! takes a [`Chain::fork`]: fresh per-shard state, the same shared models.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use crate::{Assets, Doc, StageStats, Threshold};

/// What a stage decided about a document.
#[derive(Debug)]
pub enum Outcome {
    /// Keep the (possibly modified) document.
    Keep(Doc),
    /// Drop it. `reason` is stable across releases (tests and dataset cards rely on it):
    /// lower-case, `snake_case`, e.g. `not_html`, `below_threshold`, `empty_text`.
    Drop { doc: Doc, reason: &'static str },
}

impl Outcome {
    /// Shorthand for [`Outcome::Drop`].
    pub fn drop(doc: Doc, reason: &'static str) -> Self {
        Outcome::Drop { doc, reason }
    }
}

/// A failure that is not the document's fault: I/O, a missing model, a broken invariant.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The stage failed on document `doc` (empty when it is not about one document).
    #[error("stage `{stage}`{}: {source}", if doc.is_empty() { String::new() } else { format!(", document \"{doc}\"") })]
    Failed {
        stage: &'static str,
        doc: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl StageError {
    /// Stage `stage` failed on document `doc` because of `source`.
    pub fn failed(
        stage: &'static str,
        doc: &str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StageError::Failed {
            stage,
            doc: doc.to_string(),
            source: Box::new(source),
        }
    }
}

/// One step of the pipeline: look at a document, keep it or drop it with a reason.
///
/// A stage is `Clone` (derive it; models live behind an `Arc`): the built stage is the
/// template each shard copies, so per-shard state (e.g. the hashes exact dedup has seen)
/// starts empty in every shard.
pub trait Stage: Send + Sync + ForkStage {
    /// Short stable name used in stats and cards (`extract`, `langid`, `tokens`, ...).
    fn name(&self) -> &'static str;

    /// Process one document.
    fn process(&mut self, doc: Doc) -> Result<Outcome, StageError>;

    /// Whether the stage's decision depends on the documents before it in the shard (exact
    /// dedup keeps the first copy). Such a stage sees a shard's documents in input order
    /// even when the shard runs on several threads ([`crate::ordered`]).
    fn ordered(&self) -> bool {
        false
    }

    /// For an [`ordered`](Stage::ordered) stage: the part of the work that does not depend on
    /// other documents (e.g. hashing the text), run on any thread before [`Stage::process`]
    /// runs in input order. `process` must give the same result whether or not it ran.
    fn prepare(&self, _doc: &mut Doc) -> Result<(), StageError> {
        Ok(())
    }

    /// Called once after the last document of a shard.
    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }

    /// The model and data files this stage read when it was built, for provenance.
    fn model_files(&self) -> Vec<ModelFile> {
        Vec::new()
    }

    /// The limits this stage drops documents by, per language, for reports that draw them
    /// on the distributions they cut. Default: none.
    fn thresholds(&self) -> Vec<Threshold> {
        Vec::new()
    }

    /// The stage's own counters for this shard (beyond in/kept/dropped), read after
    /// [`Stage::finish`] into [`StageStats::counts`] and summed over shards.
    fn counts(&self) -> BTreeMap<String, u64> {
        BTreeMap::new()
    }
}

/// A fresh copy of a built stage for another shard; implemented for every `Stage + Clone`.
pub trait ForkStage {
    fn fork(&self) -> Box<dyn Stage>;
}

impl<T: Stage + Clone + 'static> ForkStage for T {
    fn fork(&self) -> Box<dyn Stage> {
        Box::new(self.clone())
    }
}

/// A file a stage was built from (named in the dataset card, with its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    /// What it is for, e.g. `language ID (fastText)`.
    pub role: &'static str,
    pub path: PathBuf,
}

/// A stage's config: checked when parsed ([`BuildStage::validate`]), turned into the runtime
/// stage once per run by [`BuildStage::build`], which loads models from the asset cache and
/// validates against them.
pub trait BuildStage {
    fn build(&self, assets: &Assets) -> Result<Box<dyn Stage>, BuildError>;

    /// Value checks that need no file system, run when the config is parsed.
    fn validate(&self) -> Result<(), InvalidValue> {
        Ok(())
    }
}

/// A config value that cannot work: the field, the value as written and what would work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid config value {field} = {value}: {hint}")]
pub struct InvalidValue {
    pub field: String,
    pub value: String,
    pub hint: String,
}

/// A stage that cannot be built: a missing model, a config the model contradicts.
#[derive(Debug, thiserror::Error)]
#[error("stage `{stage}`: {source}")]
pub struct BuildError {
    pub stage: &'static str,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl BuildError {
    pub fn new(
        stage: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        BuildError {
            stage,
            source: Box::new(source),
        }
    }
}

/// A typed stage constructor's result as [`BuildStage::build`] returns it: the stage boxed,
/// or its error named after `stage`.
pub fn boxed<S, E>(stage: &'static str, built: Result<S, E>) -> Result<Box<dyn Stage>, BuildError>
where
    S: Stage + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    match built {
        Ok(s) => Ok(Box::new(s)),
        Err(e) => Err(BuildError::new(stage, e)),
    }
}

/// Where a document stands after running part of a chain.
#[derive(Debug)]
pub enum Step {
    /// Kept to the end, or dropped (with the name of the stage that dropped it).
    Finished(Outcome, Option<&'static str>),
    /// Kept so far; stage `at` is [`Stage::ordered`] and has not run yet.
    Ordered(Doc, usize),
}

/// Stages run in order, each with its own counters (in, kept, dropped by reason, seconds).
pub struct Chain {
    stages: Vec<Box<dyn Stage>>,
    stats: Vec<StageStats>,
}

impl Chain {
    pub fn new(stages: Vec<Box<dyn Stage>>) -> Self {
        let stats = stages.iter().map(|s| StageStats::new(s.name())).collect();
        Chain { stages, stats }
    }

    /// Run `doc` through every stage until one drops it. A drop is returned with the name of
    /// the stage that dropped it, so rejects can be written with `stage:reason`.
    pub fn process(&mut self, mut doc: Doc) -> Result<(Outcome, Option<&'static str>), StageError> {
        for i in 0..self.stages.len() {
            doc = match self.one(i, doc)? {
                Outcome::Keep(d) => d,
                dropped => return Ok((dropped, Some(self.stages[i].name()))),
            };
        }
        Ok((Outcome::Keep(doc), None))
    }

    /// Run stage `i` on `doc`, counting.
    fn one(&mut self, i: usize, doc: Doc) -> Result<Outcome, StageError> {
        let (stage, stats) = (&mut self.stages[i], &mut self.stats[i]);
        let start = Instant::now();
        let outcome = stage.process(doc);
        stats.seconds += start.elapsed().as_secs_f64();
        stats.docs_in += 1;
        let outcome = outcome?;
        match &outcome {
            Outcome::Keep(_) => stats.kept += 1,
            Outcome::Drop { reason, .. } => {
                *stats.dropped.entry(reason.to_string()).or_default() += 1
            }
        }
        Ok(outcome)
    }

    /// Run stages from `from` on, stopping before the next [`Stage::ordered`] one.
    pub fn run_from(&mut self, mut doc: Doc, from: usize) -> Result<Step, StageError> {
        for i in from..self.stages.len() {
            if self.stages[i].ordered() {
                let start = Instant::now();
                self.stages[i].prepare(&mut doc)?;
                self.stats[i].seconds += start.elapsed().as_secs_f64();
                return Ok(Step::Ordered(doc, i));
            }
            doc = match self.one(i, doc)? {
                Outcome::Keep(d) => d,
                dropped => return Ok(Step::Finished(dropped, Some(self.stages[i].name()))),
            };
        }
        Ok(Step::Finished(Outcome::Keep(doc), None))
    }

    /// Run the ordered stage `at` on `doc`; a kept document continues at `at + 1`
    /// ([`Step::Ordered`] with `at + 1`, to be run with [`Chain::run_from`]) unless that was
    /// the last stage.
    pub fn run_at(&mut self, doc: Doc, at: usize) -> Result<Step, StageError> {
        match self.one(at, doc)? {
            Outcome::Keep(d) if at + 1 < self.stages.len() => Ok(Step::Ordered(d, at + 1)),
            Outcome::Keep(d) => Ok(Step::Finished(Outcome::Keep(d), None)),
            dropped => Ok(Step::Finished(dropped, Some(self.stages[at].name()))),
        }
    }

    /// Whether any stage is [`Stage::ordered`].
    pub fn has_ordered(&self) -> bool {
        self.stages.iter().any(|s| s.ordered())
    }

    /// The stages' names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    /// Finish every stage and hand back the counters.
    pub fn finish(mut self) -> Result<Vec<StageStats>, StageError> {
        for (stage, stats) in self.stages.iter_mut().zip(self.stats.iter_mut()) {
            stage.finish()?;
            stats.counts = stage.counts();
        }
        Ok(self.stats)
    }

    pub fn stats(&self) -> &[StageStats] {
        &self.stats
    }

    /// A chain of fresh copies of these stages (shared models, empty per-shard state, zeroed
    /// counters), for one shard.
    pub fn fork(&self) -> Chain {
        Chain::new(self.stages.iter().map(|s| s.fork()).collect())
    }

    /// The thresholds of every stage, in chain order.
    pub fn thresholds(&self) -> Vec<Threshold> {
        self.stages.iter().flat_map(|s| s.thresholds()).collect()
    }

    /// The model files of every stage, in chain order.
    pub fn model_files(&self) -> Vec<ModelFile> {
        self.stages.iter().flat_map(|s| s.model_files()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone)]
    struct MinChars(usize);
    impl Stage for MinChars {
        fn name(&self) -> &'static str {
            "min_chars"
        }
        fn process(&mut self, doc: Doc) -> Result<Outcome, StageError> {
            if doc.text.chars().count() < self.0 {
                Ok(Outcome::drop(doc, "too_short"))
            } else {
                Ok(Outcome::Keep(doc))
            }
        }
    }

    #[derive(Clone)]
    struct Upper;
    impl Stage for Upper {
        fn name(&self) -> &'static str {
            "upper"
        }
        fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
            doc.text = doc.text.to_uppercase();
            Ok(Outcome::Keep(doc))
        }
    }

    #[test]
    fn chain_counts_in_kept_dropped() {
        let mut chain = Chain::new(vec![Box::new(MinChars(3)), Box::new(Upper)]);
        let (o, by) = chain.process(Doc::from_text("a", "t", "ab")).unwrap();
        assert!(matches!(
            o,
            Outcome::Drop {
                reason: "too_short",
                ..
            }
        ));
        assert_eq!(by, Some("min_chars"));
        let (o, by) = chain.process(Doc::from_text("b", "t", "abc")).unwrap();
        match o {
            Outcome::Keep(d) => assert_eq!(d.text, "ABC"),
            _ => panic!("kept expected"),
        }
        assert_eq!(by, None);
        let stats = chain.finish().unwrap();
        assert_eq!(stats[0].docs_in, 2);
        assert_eq!(stats[0].kept, 1);
        assert_eq!(stats[0].dropped["too_short"], 1);
        assert_eq!(stats[1].docs_in, 1);
        assert!(stats.iter().all(|s| s.is_balanced()));
    }
}
