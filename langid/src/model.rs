//! fastText inference through the C++ library (crate `fasttext` 0.7.8).
//!
//! Design decision: a document is turned into exactly the line C++/Python fastText would see
//! — newlines (and NULs, which C++ also treats as blanks) become spaces and one `\n` is
//! appended — so labels and probabilities equal the reference implementation's. Without the
//! final `\n` the C++ reader never emits the end-of-sentence token `</s>` and near-ties flip.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::labels::{parse_label, LangLabel};
use crate::LangidError;

/// A loaded fastText classifier (e.g. `lid.176.ftz`). Safe to share between threads.
pub struct FastText {
    inner: fasttext::FastText,
    path: PathBuf,
    /// Every label of the model, parsed once at load.
    labels: HashMap<String, LangLabel>,
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
            .field("labels", &self.labels.len())
            .finish()
    }
}

impl FastText {
    /// Load a fastText model file. A missing file is an error naming the path and the
    /// command that fetches the assets.
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
        let path_str = path
            .to_str()
            .ok_or_else(|| load_err("the path is not valid UTF-8".into()))?;
        let mut inner = fasttext::FastText::new();
        inner.load_model(path_str).map_err(load_err)?;
        let (raw, _counts) = inner.get_labels().map_err(load_err)?;
        if raw.is_empty() {
            return Err(load_err(
                "the model has no labels (not a classifier)".into(),
            ));
        }
        let labels = raw
            .into_iter()
            .map(|l| (l.clone(), parse_label(&l)))
            .collect();
        Ok(FastText {
            inner,
            path: path.to_path_buf(),
            labels,
        })
    }

    /// The file this model was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The model's raw labels (`__label__en`, ...), in no particular order.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.labels.keys().map(String::as_str)
    }

    /// Whether some label of the model maps to this ISO 639-3 code.
    pub fn predicts_language(&self, iso639_3: &str) -> bool {
        self.labels.values().any(|l| l.iso639_3 == iso639_3)
    }

    /// The `k` most probable labels for `text`, best first. Empty only when `k` is 0.
    pub fn predict(&self, text: &str, k: usize) -> Vec<Prediction> {
        self.predict_above(text, k, 0.0)
    }

    /// Like [`FastText::predict`], leaving out labels below probability `threshold`
    /// (fastText then prunes its search, which makes k > 1 cheaper); may be empty.
    pub fn predict_above(&self, text: &str, k: usize, threshold: f32) -> Vec<Prediction> {
        if k == 0 {
            return Vec::new();
        }
        let k = i32::try_from(k).unwrap_or(i32::MAX);
        // Errors are impossible here: `as_fasttext_line` removes NULs and C++ only rejects k < 1.
        let raw = self
            .inner
            .predict(&as_fasttext_line(text), k, threshold)
            .unwrap_or_default();
        raw.into_iter().map(|p| self.prediction(p)).collect()
    }

    fn prediction(&self, p: fasttext::Prediction) -> Prediction {
        let lang = self
            .labels
            .get(&p.label)
            .copied()
            .unwrap_or_else(|| parse_label(&p.label));
        Prediction {
            label: p.label,
            iso639_3: lang.iso639_3,
            script: lang.script,
            prob: p.prob,
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
