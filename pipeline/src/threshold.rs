//! What a stage cuts: the limits it applies to document attributes, named so that a report
//! can draw each one on the distribution it cuts ([`crate::Stage::thresholds`]).

use serde::{Deserialize, Serialize};

/// Which side of a [`Threshold`] a document is dropped on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Dropped when the attribute is below the value.
    Min,
    /// Dropped when the attribute is above the value.
    Max,
}

/// One limit of one stage: documents in `lang` whose `attr` is beyond `value` on the `bound`
/// side are dropped with `reason`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The stage's name (`langid`, `quality`).
    pub stage: String,
    /// `lang_score` for the document's language score, else a key of `Doc::attrs`.
    pub attr: String,
    /// ISO 639-3 code of the language the limit applies to.
    pub lang: String,
    pub bound: Bound,
    pub value: f64,
    /// The stable drop reason a document beyond the limit gets.
    pub reason: String,
}

impl Threshold {
    /// Whether `x` is on the dropped side.
    pub fn cuts(&self, x: f64) -> bool {
        match self.bound {
            Bound::Min => x < self.value,
            Bound::Max => x > self.value,
        }
    }
}
