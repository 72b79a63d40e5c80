//! Scoring extraction the way the web-content-extraction-benchmark (WCXB) `evaluate.py` does,
//! and loading a WCXB split (`html/NNNN.html.gz` + `ground-truth/NNNN.json`).
//!
//! Design decision: reproduce `evaluate.py` exactly so figures compare with published ones:
//! per page, Python's `\w+` tokens of the lower-cased text (letters, digits, `_`; combining
//! marks split tokens, as in Python) as bags of words; precision = overlap / output tokens,
//! recall = overlap / reference tokens, F1 per page (an empty reference scores 1 only for an
//! empty output; an empty output scores 0); every figure is a mean over pages, overall and per
//! page type (`category` is reported as `collection`, as `evaluate.py` does).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;

use super::{extract_with, Options};

/// One WCXB page.
#[derive(Debug, Clone)]
pub struct WcxbPage {
    /// File stem (`0001`).
    pub id: String,
    /// The page, decoded as UTF-8 with invalid bytes replaced.
    pub html: String,
    /// `ground_truth.main_content`.
    pub truth: String,
    /// `_internal.page_type.primary` (`category` read as `collection`; `article` when absent).
    pub page_type: String,
}

/// Why a WCXB split could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum WcxbError {
    /// A file could not be read or decompressed.
    #[error("cannot read \"{path}\": {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A ground-truth file is not JSON.
    #[error("\"{path}\" is not valid ground-truth JSON: {message}")]
    Json { path: PathBuf, message: String },
    /// The split holds no ground-truth files.
    #[error("no ground-truth/*.json files under \"{0}\" (expected a WCXB split such as wcxb-dev)")]
    Empty(PathBuf),
}

/// Precision, recall and F1 means over some pages.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Prf {
    /// Pages scored.
    pub pages: usize,
    /// Mean per-page precision.
    pub precision: f64,
    /// Mean per-page recall.
    pub recall: f64,
    /// Mean per-page F1 (not the F1 of the means).
    pub f1: f64,
}

/// The `evaluate.py` score of a set of pages.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct WcxbScore {
    /// All pages.
    pub all: Prf,
    /// Per page type.
    pub by_type: BTreeMap<String, Prf>,
}

fn tokens(text: &str) -> Vec<String> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    let re = WORD.get_or_init(|| Regex::new(r"[\p{L}\p{N}_]+").expect("static regex"));
    let lower = text.to_lowercase();
    re.find_iter(&lower)
        .map(|m| m.as_str().to_string())
        .collect()
}

/// Per-page precision, recall and F1 of `pred` against `truth`, as `evaluate.py`'s `word_f1`.
pub fn page_prf(pred: &str, truth: &str) -> (f64, f64, f64) {
    let (p, r) = (tokens(pred), tokens(truth));
    if r.is_empty() {
        let s = if p.is_empty() { 1.0 } else { 0.0 };
        return (s, s, s);
    }
    if p.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut bag: HashMap<&str, i64> = HashMap::with_capacity(r.len());
    for t in &r {
        *bag.entry(t).or_insert(0) += 1;
    }
    let mut overlap = 0u64;
    for t in &p {
        if let Some(c) = bag.get_mut(t.as_str()) {
            if *c > 0 {
                *c -= 1;
                overlap += 1;
            }
        }
    }
    let precision = overlap as f64 / p.len() as f64;
    let recall = overlap as f64 / r.len() as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    (precision, recall, f1)
}

#[derive(Default)]
struct Sums {
    n: usize,
    p: f64,
    r: f64,
    f: f64,
}

impl Sums {
    fn add(&mut self, (p, r, f): (f64, f64, f64)) {
        self.n += 1;
        self.p += p;
        self.r += r;
        self.f += f;
    }

    fn mean(&self) -> Prf {
        let n = self.n.max(1) as f64;
        Prf {
            pages: self.n,
            precision: self.p / n,
            recall: self.r / n,
            f1: self.f / n,
        }
    }
}

/// Score `(prediction, truth, page type)` triples with the `evaluate.py` rule.
pub fn score_pages<'a>(pages: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> WcxbScore {
    let mut all = Sums::default();
    let mut by_type: BTreeMap<String, Sums> = BTreeMap::new();
    for (pred, truth, page_type) in pages {
        let prf = page_prf(pred, truth);
        all.add(prf);
        by_type.entry(page_type.to_string()).or_default().add(prf);
    }
    WcxbScore {
        all: all.mean(),
        by_type: by_type.iter().map(|(k, s)| (k.clone(), s.mean())).collect(),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WcxbError + '_ {
    move |source| WcxbError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_html(path: &Path) -> Result<String, WcxbError> {
    let raw = std::fs::read(path).map_err(io(path))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(io(path))?;
        out
    } else {
        raw
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The page type as `evaluate.py` reads it.
fn page_type(v: &serde_json::Value) -> String {
    let pt = &v["_internal"]["page_type"];
    let name = match pt {
        serde_json::Value::Object(o) => o.get("primary").and_then(|p| p.as_str()),
        serde_json::Value::String(s) => Some(s.as_str()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
    .unwrap_or("article");
    if name == "category" {
        "collection".to_string()
    } else {
        name.to_string()
    }
}

/// Load a WCXB split: every `ground-truth/ID.json` whose `ground_truth` is an object, with its
/// page `html/ID.html.gz` (or `html/ID.html`), sorted by id. A ground-truth file without its
/// page is an error naming the missing page.
pub fn load_wcxb(dir: &Path) -> Result<Vec<WcxbPage>, WcxbError> {
    let gt_dir = dir.join("ground-truth");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&gt_dir)
        .map_err(io(&gt_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(WcxbError::Empty(dir.to_path_buf()));
    }
    let mut pages = Vec::with_capacity(files.len());
    for path in files {
        let id = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| WcxbError::Json {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let gt = &v["ground_truth"];
        if !gt.is_object() {
            continue;
        }
        let truth = gt["main_content"].as_str().unwrap_or_default().to_string();
        let gz = dir.join("html").join(format!("{id}.html.gz"));
        let html_path = if gz.exists() {
            gz
        } else {
            dir.join("html").join(format!("{id}.html"))
        };
        pages.push(WcxbPage {
            html: read_html(&html_path)?,
            page_type: page_type(&v),
            id,
            truth,
        });
    }
    Ok(pages)
}

/// `seapile eval extraction --wcxb DIR`: the scores and the extractor's speed (docs/s).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WcxbReport {
    pub pages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Mean F1 per page type.
    pub by_type: BTreeMap<String, f64>,
    /// Mean precision, recall and F1 per page type.
    pub by_type_prf: BTreeMap<String, Prf>,
    pub docs_per_s: f64,
    /// The `--favor` setting the pages were extracted with.
    pub favor: String,
}

impl WcxbReport {
    /// A plain-text table: F1, precision and recall per page type.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut out = format!(
            "{:<14} {:>5} {:>6} {:>6} {:>6}\n",
            "type", "pages", "f1", "p", "r"
        );
        for (t, x) in &self.by_type_prf {
            let _ = writeln!(
                out,
                "{t:<14} {:>5} {:>6.3} {:>6.3} {:>6.3}",
                x.pages, x.f1, x.precision, x.recall
            );
        }
        out
    }
}

/// Extract every page of the split in `dir` with `options` and score it; only extraction is
/// timed (one thread).
pub fn evaluate(dir: &Path, options: &Options) -> Result<WcxbReport, WcxbError> {
    let pages = load_wcxb(dir)?;
    let start = std::time::Instant::now();
    let preds: Vec<String> = pages
        .iter()
        .map(|p| extract_with(&p.html, options).text)
        .collect();
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let score = score_pages(
        preds
            .iter()
            .zip(&pages)
            .map(|(p, g)| (p.as_str(), g.truth.as_str(), g.page_type.as_str())),
    );
    Ok(WcxbReport {
        pages: score.all.pages,
        precision: score.all.precision,
        recall: score.all.recall,
        f1: score.all.f1,
        by_type: score
            .by_type
            .iter()
            .map(|(k, s)| (k.clone(), s.f1))
            .collect(),
        by_type_prf: score.by_type,
        docs_per_s: pages.len() as f64 / secs,
        favor: options.favor.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_of_words_lower_cased_with_python_word_rule() {
        // "The" and "the" are one word; the prediction has "cat" twice but the truth once.
        let (p, r, f) = page_prf("The cat cat sat", "the cat sat on mats");
        assert_eq!((p, r), (0.75, 0.6));
        assert!((f - 2.0 * 0.75 * 0.6 / 1.35).abs() < 1e-12);
        assert_eq!(tokens("ที่นี่ ÀB_c"), vec!["ท", "น", "àb_c"]);
    }

    #[test]
    fn empty_reference_and_empty_output() {
        assert_eq!(page_prf("", ""), (1.0, 1.0, 1.0));
        assert_eq!(page_prf("x", ""), (0.0, 0.0, 0.0));
        assert_eq!(page_prf("", "x"), (0.0, 0.0, 0.0));
    }

    #[test]
    fn means_are_over_pages_overall_and_per_type() {
        let s = score_pages([
            ("a b", "a b", "forum"),
            ("", "a b", "forum"),
            ("a", "a b", "product"),
        ]);
        assert_eq!(s.all.pages, 3);
        assert!((s.all.f1 - (1.0 + 0.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
        assert_eq!(s.by_type["forum"].f1, 0.5);
        assert_eq!(s.by_type["product"].recall, 0.5);
    }
}
