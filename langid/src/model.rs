//! fastText inference with this crate's own engine (module `engine`), bit-identical to the
//! C++ library (crate `fasttext` 0.7.8, kept as the reference the tests compare with).
//!
//! Design decision: a document is read exactly as C++/Python fastText would read the line
//! Python's `predict` builds from it — newlines (and NULs, which C++ also treats as blanks)
//! are spaces and the line ends with the end-of-sentence token `</s>` — so labels and
//! probabilities equal the reference implementation's. Without the final `</s>` near-ties
//! flip. No line is built: the engine splits the text on the same bytes directly.

use std::path::{Path, PathBuf};

use crate::engine::{Engine, Hidden, Hiddens, Scored};
use crate::labels::{parse_label, LangLabel};
use crate::LangidError;

/// A loaded fastText classifier (e.g. `lid.176.ftz`). Safe to share between threads.
pub struct FastText {
    engine: Engine,
    path: PathBuf,
    /// Every label of the model, parsed once at load, by label index.
    langs: Vec<LangLabel>,
}

/// One predicted label.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The model's raw label, e.g. `__label__ms`.
    pub label: String,
    /// The label as ISO 639-3 (`zsm`), or `und` when the label is not recognised.
    pub iso639_3: &'static str,
    /// Script, for GlotLID-style labels (`__label__zsm_Latn` → `Latn`).
    pub script: Option<&'static str>,
    /// Probability in [0, 1], as fastText reports it.
    pub prob: f32,
}

impl std::fmt::Debug for FastText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastText")
            .field("path", &self.path)
            .field("labels", &self.langs.len())
            .finish()
    }
}

impl FastText {
    /// Load a fastText model file (`.bin` or quantised `.ftz`, supervised). A missing file is
    /// an error naming the path and the command that fetches the assets.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LangidError> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(LangidError::MissingModel {
                path: path.to_path_buf(),
            });
        }
        let load_err = |message: String| LangidError::Load {
            path: path.to_path_buf(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| load_err(e.to_string()))?;
        let engine = Engine::from_bytes(&bytes).map_err(load_err)?;
        let langs = engine.labels().iter().map(|l| parse_label(l)).collect();
        Ok(FastText {
            engine,
            path: path.to_path_buf(),
            langs,
        })
    }

    /// The file this model was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The model's raw labels (`__label__en`, ...), in the model's order (most frequent in
    /// training first).
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.engine.labels().iter().map(String::as_str)
    }

    /// Whether some label of the model maps to this ISO 639-3 code.
    pub fn predicts_language(&self, iso639_3: &str) -> bool {
        self.langs.iter().any(|l| l.iso639_3 == iso639_3)
    }

    /// The `k` most probable labels for `text`, best first. Empty only when `k` is 0.
    pub fn predict(&self, text: &str, k: usize) -> Vec<Prediction> {
        self.predict_above(text, k, 0.0)
    }

    /// Like [`FastText::predict`], leaving out labels below probability `threshold`
    /// (fastText then prunes its search, which makes k > 1 cheaper); may be empty.
    pub fn predict_above(&self, text: &str, k: usize, threshold: f32) -> Vec<Prediction> {
        let mut scored = Vec::with_capacity(k.min(16));
        self.engine.predict(text, k, threshold, &mut scored);
        scored.into_iter().map(|s| self.prediction(s)).collect()
    }

    /// The best label's ISO 639-3 code and probability, without building a [`Prediction`]
    /// (no allocation): what a caller that needs only the top language uses.
    pub fn top_language(&self, text: &str) -> Option<(&'static str, f32)> {
        let mut scored = Vec::with_capacity(1);
        self.engine.predict(text, 1, 0.0, &mut scored);
        scored
            .first()
            .map(|s| (self.langs[s.label].iso639_3, s.prob))
    }

    /// The hidden vectors of `text` and of each of `spans` (sorted, disjoint byte ranges of
    /// `text`, none holding a newline), from one pass over the text, for
    /// [`FastText::predict_hidden`]: its predictions equal [`FastText::predict_above`] on
    /// the text and on each span's text, bit for bit. `None` where a pass cannot give that
    /// (see `Engine::hiddens`).
    pub(crate) fn hiddens(&self, text: &str, spans: &[std::ops::Range<usize>]) -> Option<Hiddens> {
        self.engine.hiddens(text, spans)
    }

    /// [`FastText::predict_above`] from a vector of [`FastText::hiddens`].
    pub(crate) fn predict_hidden(
        &self,
        hidden: &Hidden,
        k: usize,
        threshold: f32,
    ) -> Vec<Prediction> {
        let mut scored = Vec::with_capacity(k.min(16));
        self.engine
            .predict_hidden(hidden, k, threshold, &mut scored);
        scored.into_iter().map(|s| self.prediction(s)).collect()
    }

    fn prediction(&self, s: Scored) -> Prediction {
        let lang = self.langs[s.label];
        Prediction {
            label: self.engine.labels()[s.label].clone(),
            iso639_3: lang.iso639_3,
            script: lang.script,
            prob: s.prob,
        }
    }
}

/// The single line fastText reads for `text`: `\n` and NUL → space, plus a final `\n`
/// (what Python's `predict` appends, after the peer replaced newlines by spaces).
pub fn as_fasttext_line(text: &str) -> String {
    let mut line = text.replace(['\n', '\0'], " ");
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_has_one_final_newline_and_no_nul() {
        assert_eq!(as_fasttext_line("a\nb\0c\r\n"), "a b c\r \n");
        assert_eq!(as_fasttext_line(""), "\n");
    }
}
