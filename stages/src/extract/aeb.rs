//! Scoring extraction the way scrapinghub's article-extraction-benchmark (`evaluate.py`) does,
//! and loading a benchmark directory (`html/*.html.gz` + `ground-truth.json`).
//!
//! Design decision: reproduce `evaluate.py` exactly rather than a nicer metric, so figures
//! compare with published ones: Python's `\w+` tokens (letters, digits, `_`; combining marks
//! split tokens, as in Python), 4-token shingle multisets, per-page precision and recall
//! averaged over the pages where they are defined, F1 of the two averages.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;

/// Averaged precision, recall and their F1 over `pages` pages.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct AebScore {
    /// Pages scored.
    pub pages: usize,
    /// Mean precision over pages with a non-empty prediction.
    pub precision: f64,
    /// Mean recall over pages with a non-empty truth.
    pub recall: f64,
    /// F1 of the two means.
    pub f1: f64,
}

/// One benchmark page.
#[derive(Debug, Clone)]
pub struct AebPage {
    /// File name up to the first `.` (the key in `ground-truth.json`).
    pub id: String,
    /// The page, decoded as UTF-8 with invalid bytes replaced.
    pub html: String,
    /// `articleBody` from the ground truth.
    pub truth: String,
}

/// Why a benchmark directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AebError {
    /// A file could not be read or decompressed.
    #[error("cannot read \"{path}\": {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `ground-truth.json` is not a JSON object of pages.
    #[error("\"{path}\" is not valid ground-truth JSON: {message}")]
    Json { path: PathBuf, message: String },
    /// An HTML page has no ground-truth entry.
    #[error("page \"{id}\" has no entry in \"{path}\"")]
    MissingTruth { id: String, path: PathBuf },
    /// The directory holds no pages.
    #[error("no html/*.html.gz pages under \"{0}\"")]
    Empty(PathBuf),
}

fn tokens(text: &str) -> Vec<&str> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    let re = WORD.get_or_init(|| Regex::new(r"[\p{L}\p{N}_]+").expect("static regex"));
    re.find_iter(text).map(|m| m.as_str()).collect()
}

fn shingles<'a>(toks: &'a [&'a str]) -> HashMap<&'a [&'a str], u32> {
    let mut out = HashMap::new();
    if toks.is_empty() {
        return out;
    }
    let n = 4.min(toks.len());
    for w in toks.windows(n) {
        *out.entry(w).or_insert(0) += 1;
    }
    out
}

/// Shingle true positives, false positives and false negatives of one page.
pub fn page_counts(pred: &str, truth: &str) -> (u64, u64, u64) {
    let (tt, pt) = (tokens(truth), tokens(pred));
    let (t, p) = (shingles(&tt), shingles(&pt));
    let mut tp = 0u64;
    let mut fneg = 0u64;
    for (k, &ct) in &t {
        let cp = p.get(k).copied().unwrap_or(0);
        tp += ct.min(cp) as u64;
        fneg += ct.saturating_sub(cp) as u64;
    }
    let fp = p
        .iter()
        .map(|(k, &cp)| cp.saturating_sub(t.get(k).copied().unwrap_or(0)) as u64)
        .sum();
    (tp, fp, fneg)
}

/// Score `(prediction, truth)` pairs with the `evaluate.py` rule.
pub fn score_pages<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> AebScore {
    let (mut p_sum, mut p_n, mut r_sum, mut r_n, mut pages) = (0.0, 0usize, 0.0, 0usize, 0);
    for (pred, truth) in pairs {
        pages += 1;
        let (tp, fp, fneg) = page_counts(pred, truth);
        let perfect = fp == 0 && fneg == 0;
        if tp + fp > 0 {
            p_sum += if perfect {
                1.0
            } else {
                tp as f64 / (tp + fp) as f64
            };
            p_n += 1;
        }
        if tp + fneg > 0 {
            r_sum += if perfect {
                1.0
            } else {
                tp as f64 / (tp + fneg) as f64
            };
            r_n += 1;
        }
    }
    let precision = if p_n > 0 { p_sum / p_n as f64 } else { 0.0 };
    let recall = if r_n > 0 { r_sum / r_n as f64 } else { 0.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    AebScore {
        pages,
        precision,
        recall,
        f1,
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AebError + '_ {
    move |source| AebError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_gz(path: &Path) -> Result<String, AebError> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Load a benchmark directory laid out like article-extraction-benchmark's; pages are sorted
/// by id and HTML is decoded as UTF-8 (invalid bytes replaced).
pub fn load_aeb(dir: &Path) -> Result<Vec<AebPage>, AebError> {
    let gt_path = dir.join("ground-truth.json");
    let gt_text = std::fs::read_to_string(&gt_path).map_err(io(&gt_path))?;
    let gt: HashMap<String, serde_json::Value> =
        serde_json::from_str(&gt_text).map_err(|e| AebError::Json {
            path: gt_path.clone(),
            message: e.to_string(),
        })?;
    let html_dir = dir.join("html");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&html_dir)
        .map_err(io(&html_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(AebError::Empty(dir.to_path_buf()));
    }
    files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let id = name.split('.').next().unwrap_or_default().to_string();
            let entry = gt.get(&id).ok_or_else(|| AebError::MissingTruth {
                id: id.clone(),
                path: gt_path.clone(),
            })?;
            let truth = entry["articleBody"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            Ok(AebPage {
                id,
                html: read_gz(path)?,
                truth,
            })
        })
        .collect()
}

/// `seapile eval extraction --aeb DIR`: the scores and the extractor's speed (docs/s).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AebReport {
    pub pages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub docs_per_s: f64,
}

/// Extract every page of the benchmark in `dir` and score it; only extraction is timed.
pub fn evaluate(dir: &Path) -> Result<AebReport, AebError> {
    evaluate_with(dir, &super::Options::default())
}

/// [`evaluate`] with extraction `options`.
pub fn evaluate_with(dir: &Path, options: &super::Options) -> Result<AebReport, AebError> {
    let pages = load_aeb(dir)?;
    let start = std::time::Instant::now();
    let preds: Vec<String> = pages
        .iter()
        .map(|p| super::extract_with(&p.html, options).text)
        .collect();
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let score = score_pages(
        preds
            .iter()
            .zip(&pages)
            .map(|(p, page)| (p.as_str(), page.truth.as_str())),
    );
    Ok(AebReport {
        pages: score.pages,
        precision: score.precision,
        recall: score.recall,
        f1: score.f1,
        docs_per_s: pages.len() as f64 / secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_word_rule_splits_on_combining_marks() {
        assert_eq!(
            tokens("ที่นี่ ၁၂ abc_d ஆம்"),
            vec!["ท", "น", "၁၂", "abc_d", "ஆம"]
        );
    }

    #[test]
    fn identical_texts_score_one_and_disjoint_zero() {
        let t = "one two three four five six";
        let s = score_pages([(t, t)]);
        assert_eq!((s.precision, s.recall, s.f1), (1.0, 1.0, 1.0));
        let s = score_pages([("alpha beta gamma delta", t)]);
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
    }

    #[test]
    fn multiset_counts_repeats_and_skips_undefined_pages() {
        // truth has the shingle twice, prediction once: tp 1, fn 1.
        assert_eq!(page_counts("a b c d", "a b c d x a b c d"), (1, 0, 5));
        let s = score_pages([("", ""), ("a b c d", "a b c d e")]);
        assert_eq!(s.pages, 2);
        assert_eq!(s.precision, 1.0);
        assert_eq!(s.recall, 0.5);
    }
}
