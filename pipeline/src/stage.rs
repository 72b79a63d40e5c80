//! The [`Stage`] trait and the [`Chain`] that runs stages in order while counting.

use std::time::Instant;

use crate::{Doc, StageStats};

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
    #[error("stage `{stage}`: {message}")]
    Failed {
        stage: &'static str,
        message: String,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One step of the pipeline: look at a document, keep it or drop it with a reason.
pub trait Stage: Send {
    /// Short stable name used in stats and cards (`extract`, `langid`, `tokens`, ...).
    fn name(&self) -> &'static str;

    /// Process one document.
    fn process(&mut self, doc: Doc) -> Result<Outcome, StageError>;

    /// Called once after the last document of a shard.
    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }
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
        for (stage, stats) in self.stages.iter_mut().zip(self.stats.iter_mut()) {
            let start = Instant::now();
            let outcome = stage.process(doc);
            stats.seconds += start.elapsed().as_secs_f64();
            stats.docs_in += 1;
            match outcome? {
                Outcome::Keep(d) => {
                    stats.kept += 1;
                    doc = d;
                }
                Outcome::Drop { doc, reason } => {
                    *stats.dropped.entry(reason.to_string()).or_default() += 1;
                    return Ok((Outcome::Drop { doc, reason }, Some(stage.name())));
                }
            }
        }
        Ok((Outcome::Keep(doc), None))
    }

    /// Finish every stage and hand back the counters.
    pub fn finish(mut self) -> Result<Vec<StageStats>, StageError> {
        for stage in &mut self.stages {
            stage.finish()?;
        }
        Ok(self.stats)
    }

    pub fn stats(&self) -> &[StageStats] {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
