//! Language-ID evaluation on labelled lines (`seapile eval langid`).
//!
//! Design decision: scoring follows `shared/eval`'s published convention so figures compare
//! with the Python peer: top-1 only, precision/recall/F1 per SEA-LION language, macro-F1 as
//! their plain mean, and a prediction outside the 13 languages is always wrong.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use crate::SEA_LANGS;
use serde::{Serialize, Serializer};

use crate::{FastText, LangidError, SeaLangid};

/// Precision, recall and F1 of one language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Correct predictions of this language / all predictions of it (0 when none).
    pub precision: f64,
    /// Correct predictions of this language / lines of it (0 when none).
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Lines whose gold label is this language.
    pub support: u64,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LangidEval {
    /// Lines scored.
    pub lines: u64,
    /// Share of lines whose prediction equals the gold label (and is a SEA language).
    pub accuracy: f64,
    /// Mean F1 over the 13 SEA languages.
    pub macro_f1: f64,
    /// Scores per SEA language (ISO 639-3).
    pub per_lang: BTreeMap<String, Prf>,
    /// Prediction throughput (model time only, not reading the file).
    pub lines_per_s: f64,
    /// Counts of (gold, predicted ISO 639-3) pairs, correct ones included.
    #[serde(serialize_with = "confusion_as_list")]
    pub confusion: BTreeMap<(String, String), u64>,
}

/// Predict every `(gold, text)` line with fastText alone (k = 1) and score it.
pub fn evaluate<I, G, T>(model: &FastText, lines: I) -> LangidEval
where
    I: IntoIterator<Item = (G, T)>,
    G: AsRef<str>,
    T: AsRef<str>,
{
    evaluate_by(
        |text| {
            model
                .predict(text, 1)
                .first()
                .map_or(crate::UND, |p| p.iso639_3)
        },
        lines,
    )
}

/// Predict every `(gold, text)` line with the SEA layer and score it.
pub fn evaluate_sea<I, G, T>(langid: &SeaLangid, lines: I) -> LangidEval
where
    I: IntoIterator<Item = (G, T)>,
    G: AsRef<str>,
    T: AsRef<str>,
{
    evaluate_by(|text| langid.identify(text).lang, lines)
}

/// Score any predictor (text → ISO 639-3); only the predictor's time is measured.
pub fn evaluate_by<F, I, G, T>(mut predict: F, lines: I) -> LangidEval
where
    F: FnMut(&str) -> &'static str,
    I: IntoIterator<Item = (G, T)>,
    G: AsRef<str>,
    T: AsRef<str>,
{
    let mut confusion: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut seconds = 0.0;
    for (gold, text) in lines {
        let start = Instant::now();
        let pred = predict(text.as_ref());
        seconds += start.elapsed().as_secs_f64();
        *confusion
            .entry((gold.as_ref().to_string(), pred.to_string()))
            .or_default() += 1;
    }
    score(confusion, seconds)
}

impl LangidEval {
    /// Macro-F1 over the SEA languages this evaluation has lines of (for a subset of a
    /// file, where absent languages would otherwise count as F1 0).
    pub fn macro_f1_present(&self) -> f64 {
        let present: Vec<f64> = self
            .per_lang
            .values()
            .filter(|p| p.support > 0)
            .map(|p| p.f1)
            .collect();
        if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        }
    }

    /// Lines of gold `gold` predicted `pred`.
    pub fn confused(&self, gold: &str, pred: &str) -> u64 {
        self.confusion
            .get(&(gold.to_string(), pred.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

fn score(confusion: BTreeMap<(String, String), u64>, seconds: f64) -> LangidEval {
    let lines: u64 = confusion.values().sum();
    let correct: u64 = confusion
        .iter()
        .filter(|((g, p), _)| g == p && is_sea(p))
        .map(|(_, n)| n)
        .sum();
    let per_lang: BTreeMap<String, Prf> = SEA_LANGS
        .iter()
        .map(|lang| (lang.to_string(), prf(&confusion, lang)))
        .collect();
    let macro_f1 = per_lang.values().map(|p| p.f1).sum::<f64>() / SEA_LANGS.len() as f64;
    LangidEval {
        lines,
        accuracy: ratio(correct, lines),
        macro_f1,
        per_lang,
        lines_per_s: if seconds > 0.0 {
            lines as f64 / seconds
        } else {
            0.0
        },
        confusion,
    }
}

fn is_sea(code: &str) -> bool {
    SEA_LANGS.contains(&code)
}

fn prf(confusion: &BTreeMap<(String, String), u64>, lang: &str) -> Prf {
    let count = |f: &dyn Fn(&str, &str) -> bool| -> u64 {
        confusion
            .iter()
            .filter(|((g, p), _)| f(g, p))
            .map(|(_, n)| n)
            .sum()
    };
    let tp = count(&|g, p| g == lang && p == lang);
    let predicted = count(&|_, p| p == lang);
    let support = count(&|g, _| g == lang);
    let precision = ratio(tp, predicted);
    let recall = ratio(tp, support);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Prf {
        precision,
        recall,
        f1,
        support,
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn confusion_as_list<S: Serializer>(
    confusion: &BTreeMap<(String, String), u64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Pair<'a> {
        gold: &'a str,
        pred: &'a str,
        n: u64,
    }
    s.collect_seq(
        confusion
            .iter()
            .map(|((gold, pred), &n)| Pair { gold, pred, n }),
    )
}

/// Read `iso639-3<TAB>source<TAB>text` lines as `(gold, text)`. Empty lines are skipped; any
/// other line without two tabs is an error quoting it.
pub fn read_tsv(path: impl AsRef<Path>) -> Result<Vec<(String, String)>, LangidError> {
    Ok(read_tsv_with_sources(path)?
        .into_iter()
        .map(|(gold, _, text)| (gold, text))
        .collect())
}

/// Like [`read_tsv`], keeping each line's source: `(gold, source, text)`.
pub fn read_tsv_with_sources(
    path: impl AsRef<Path>,
) -> Result<Vec<(String, String, String)>, LangidError> {
    let path = path.as_ref();
    let content = std::fs::read_to_string(path).map_err(|source| LangidError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in content.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        match line.splitn(3, '\t').collect::<Vec<_>>()[..] {
            [gold, source, text] => {
                out.push((gold.to_string(), source.to_string(), text.to_string()))
            }
            _ => {
                return Err(LangidError::BadTsvLine {
                    path: path.to_path_buf(),
                    line_no: i + 1,
                    line: line.chars().take(200).collect(),
                })
            }
        }
    }
    Ok(out)
}

/// `seapile eval langid`: the SEA layer next to fastText alone on the same lines, overall
/// and per source family.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub lines: u64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_lang: BTreeMap<String, Prf>,
    pub lines_per_s: f64,
    /// The confusions the SEA rules target, `gold_as_pred` → lines.
    pub confusion: BTreeMap<String, u64>,
    /// The same lines through fastText alone.
    pub fasttext_only: Baseline,
    /// Per source family (the source column up to its first `:`, e.g. `udhr`,
    /// `tatoeba-…`): full sentences, short sentences and web lines fail differently.
    pub by_source: BTreeMap<String, SourceScore>,
}

impl Report {
    /// The human-readable tables: per language, the SEA confusions next to fastText's, and
    /// per source family.
    pub fn tables(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n{:<6} {:>9} {:>9} {:>9} {:>8}",
            "lang", "precision", "recall", "f1", "support"
        );
        for (lang, s) in &self.per_lang {
            let _ = writeln!(
                out,
                "{lang:<6} {:>9.3} {:>9.3} {:>9.3} {:>8}",
                s.precision, s.recall, s.f1, s.support
            );
        }
        let _ = writeln!(
            out,
            "\n{:<12} {:>8} {:>13}",
            "confusion", "seapile", "fastText only"
        );
        for (pair, n) in &self.confusion {
            let raw = self.fasttext_only.confusion.get(pair).copied().unwrap_or(0);
            let _ = writeln!(out, "{pair:<12} {n:>8} {raw:>13}");
        }
        let _ = writeln!(
            out,
            "{:<12} {:>8.4} {:>13.4}",
            "macro_f1", self.macro_f1, self.fasttext_only.macro_f1
        );
        let _ = writeln!(
            out,
            "\n{:<28} {:>6} {:>9} {:>9} {:>8} {:>8}",
            "source", "lines", "macro_f1", "fastText", "zsm↔ind", "fastText"
        );
        for (name, s) in &self.by_source {
            let _ = writeln!(
                out,
                "{name:<28} {:>6} {:>9.4} {:>9.4} {:>8} {:>8}",
                s.lines, s.macro_f1, s.fasttext_macro_f1, s.zsm_ind, s.fasttext_zsm_ind
            );
        }
        out.push_str("(macro-F1 per source over the languages it has lines of)\n");
        out
    }
}

/// fastText alone, for comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub accuracy: f64,
    pub macro_f1: f64,
    pub lines_per_s: f64,
    pub confusion: BTreeMap<String, u64>,
}

/// One source family's scores (macro-F1 over the languages it has lines of).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceScore {
    pub lines: u64,
    pub macro_f1: f64,
    pub fasttext_macro_f1: f64,
    /// Malay called Indonesian plus Indonesian called Malay.
    pub zsm_ind: u64,
    pub fasttext_zsm_ind: u64,
}

/// The (gold, predicted) pairs the SEA rules target.
const SEA_CONFUSIONS: [(&str, &str); 6] = [
    ("zsm", "ind"),
    ("ind", "zsm"),
    ("jav", "ind"),
    ("ind", "jav"),
    ("sun", "ind"),
    ("ind", "sun"),
];

fn sea_confusion(e: &LangidEval) -> BTreeMap<String, u64> {
    SEA_CONFUSIONS
        .iter()
        .map(|(g, p)| (format!("{g}_as_{p}"), e.confused(g, p)))
        .collect()
}

/// Score `(gold, source, text)` lines with `sea` and with its fastText model alone.
pub fn report(sea: &SeaLangid, lines: &[(String, String, String)]) -> Report {
    let ft = sea.model();
    let pairs = || lines.iter().map(|(g, _, t)| (g.as_str(), t.as_str()));
    let e = evaluate_sea(sea, pairs());
    let raw = evaluate(ft, pairs());
    let family = |s: &str| s.split(':').next().unwrap_or(s).to_string();
    let mut families: Vec<String> = lines.iter().map(|(_, s, _)| family(s)).collect();
    families.sort_unstable();
    families.dedup();
    let by_source = families
        .into_iter()
        .map(|fam| {
            let subset = || {
                lines
                    .iter()
                    .filter(|(_, s, _)| s.split(':').next() == Some(fam.as_str()))
                    .map(|(g, _, t)| (g.as_str(), t.as_str()))
            };
            let e = evaluate_sea(sea, subset());
            let raw = evaluate(ft, subset());
            let score = SourceScore {
                lines: e.lines,
                macro_f1: e.macro_f1_present(),
                fasttext_macro_f1: raw.macro_f1_present(),
                zsm_ind: e.confused("zsm", "ind") + e.confused("ind", "zsm"),
                fasttext_zsm_ind: raw.confused("zsm", "ind") + raw.confused("ind", "zsm"),
            };
            (fam, score)
        })
        .collect();
    Report {
        lines: e.lines,
        accuracy: e.accuracy,
        macro_f1: e.macro_f1,
        per_lang: e.per_lang.clone(),
        lines_per_s: e.lines_per_s,
        confusion: sea_confusion(&e),
        fasttext_only: Baseline {
            accuracy: raw.accuracy,
            macro_f1: raw.macro_f1,
            lines_per_s: raw.lines_per_s,
            confusion: sea_confusion(&raw),
        },
        by_source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str, u64)]) -> BTreeMap<(String, String), u64> {
        v.iter()
            .map(|(g, p, n)| ((g.to_string(), p.to_string()), *n))
            .collect()
    }

    #[test]
    fn scores_follow_the_eval_convention() {
        // 3 zsm lines: 1 right, 2 called ind; 2 ind lines right; 1 eng line called fra.
        let c = pairs(&[
            ("zsm", "zsm", 1),
            ("zsm", "ind", 2),
            ("ind", "ind", 2),
            ("eng", "fra", 1),
        ]);
        let e = score(c, 1.0);
        assert_eq!(e.lines, 6);
        assert!((e.accuracy - 0.5).abs() < 1e-12);
        let ind = e.per_lang["ind"];
        assert!((ind.precision - 0.5).abs() < 1e-12 && ind.recall == 1.0 && ind.support == 2);
        assert!((e.per_lang["zsm"].recall - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(e.per_lang["eng"].f1, 0.0, "fra is outside the set: wrong");
        let mean = e.per_lang.values().map(|p| p.f1).sum::<f64>() / 13.0;
        assert!((e.macro_f1 - mean).abs() < 1e-12);
        assert_eq!(e.per_lang.len(), 13);
    }

    #[test]
    fn a_non_sea_gold_never_counts_as_correct() {
        let e = score(pairs(&[("fra", "fra", 1), ("tha", "tha", 1)]), 1.0);
        assert!((e.accuracy - 0.5).abs() < 1e-12);
    }

    #[test]
    fn confusion_serializes_as_a_list() {
        let e = score(pairs(&[("zsm", "ind", 2)]), 1.0);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["confusion"][0]["pred"], "ind");
        assert_eq!(json["confusion"][0]["n"], 2);
    }

    #[test]
    fn bad_tsv_line_is_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.tsv");
        std::fs::write(&p, "ind\tsrc\tSaya makan.\n\nzsm only-one-tab\tx\n").unwrap();
        let e = read_tsv(&p).unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("zsm only-one-tab"),
            "{e}"
        );
        std::fs::write(&p, "ind\tsrc\tSaya\tmakan.\n").unwrap();
        assert_eq!(
            read_tsv(&p).unwrap(),
            vec![("ind".into(), "Saya\tmakan.".into())]
        );
    }
}
