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
    fn udhr_pages_are_sorted_into_sea_other_and_near() {
        assert_eq!(udhr_gold("mly_latn", "zlm"), UdhrGold::Sea("zsm"));
        assert_eq!(udhr_gold("cmn_hant", "cmn"), UdhrGold::Sea("zho"));
        assert_eq!(udhr_gold("cmn_hans_beijing", "cmn"), UdhrGold::Near);
        assert_eq!(udhr_gold("jav_java", "jav"), UdhrGold::Near);
        assert_eq!(udhr_gold("shn", "shn"), UdhrGold::Other);
        assert_eq!(udhr_gold("yue", "yue"), UdhrGold::Other);
    }

    #[test]
    fn sentences_split_at_full_stops_of_every_script() {
        let p = "Semua manusia dilahirkan bebas. Mereka dikaruniai akal dan hati nurani! Pasal 1";
        assert_eq!(
            sentences(p),
            vec![
                "Semua manusia dilahirkan bebas.",
                "Mereka dikaruniai akal dan hati nurani!"
            ]
        );
        assert_eq!(
            sentences("人人生而自由。他们赋有理性和良心，并应以兄弟关系的精神相对待。").len(),
            1
        );
        assert_eq!(sentences("Pasal 1").len(), 0);
        assert_eq!(
            sentences("လူတိုင်းသည် တူညီ လွတ်လပ်သော ဂုဏ်သိက္ခာ။ ရပိုင်ခွင့်များဖြင့် မွေးဖွားလာသူများ ဖြစ်သည်။").len(),
            2
        );
    }

    #[test]
    fn udhr_report_counts_acceptance_and_recall() {
        let page = |stem: &str, iso: &str, p: &str| UdhrPage {
            stem: stem.into(),
            iso6393: iso.into(),
            paragraphs: vec![p.into()],
        };
        let pages = [
            page(
                "ind",
                "ind",
                "Semua orang dilahirkan merdeka dan mempunyai martabat.",
            ),
            page(
                "min",
                "min",
                "Sadonyo manusia dilahiakan mardeka jo punyo martabat.",
            ),
            page(
                "ban",
                "ban",
                "Sami manusane sane nyantenang kamahardikan ring harkat.",
            ),
        ];
        // A stand-in identifier: everything is Indonesian, Balinese below the threshold.
        let r = udhr_report(
            &pages,
            |t| ("ind", if t.starts_with("Sami") { 0.1 } else { 0.9 }),
            |_, score| score >= 0.5,
        );
        assert_eq!(r.sea["ind"].sentences_correct, 1);
        assert_eq!(r.other["min"].sentences_accepted, 1);
        assert_eq!(r.other["ban"].sentences_accepted, 0);
        assert!((r.other_accepted_mean - 0.5).abs() < 1e-9);
        assert_eq!(r.other_above_30pct, 1);
        assert_eq!(r.other["min"].accepted_as["ind"], 1);
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

/// How the UDHR evaluation treats one page of the `udhr` package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdhrGold {
    /// A page in one of the 13 languages, in the script SEA-LION keeps (ISO 639-3).
    Sea(&'static str),
    /// A language that is none of the 13: every sentence accepted is a false positive.
    Other,
    /// Listed but not scored: Chinese varieties written in Han characters much like
    /// Mandarin (Min Nan, Hakka, Gan, Xiang, Wu, dialect readings of Mandarin), Malay
    /// creoles (Papuan, Ambonese Malay), and the 13 in scripts SEA-LION does not collect
    /// (Javanese script, Baybayin, Chữ Nôm).
    Near,
}

/// The gold category of a UDHR page from its file stem and `data-iso6393`.
pub fn udhr_gold(stem: &str, iso6393: &str) -> UdhrGold {
    const NEAR: [&str; 8] = ["nan", "hak", "gan", "hsn", "wuu", "cjy", "pmy", "abs"];
    // 016/017 Min Dong (spoken, written), 023 Jinan Mandarin: pages without a code.
    let sinitic = matches!(stem, "016" | "017" | "023");
    if matches!(stem, "jav_java" | "tgl_tglg" | "vie_han") || sinitic || NEAR.contains(&iso6393) {
        return UdhrGold::Near;
    }
    if iso6393 == "cmn" {
        return if matches!(stem, "cmn_hans" | "cmn_hant") {
            UdhrGold::Sea("zho")
        } else {
            UdhrGold::Near
        };
    }
    let iso = if iso6393 == "zlm" { "zsm" } else { iso6393 };
    match SEA_LANGS.iter().find(|l| **l == iso) {
        Some(l) => UdhrGold::Sea(l),
        None => UdhrGold::Other,
    }
}

/// One UDHR page: its stem, language and the text of its `<p>` elements.
#[derive(Debug, Clone)]
pub struct UdhrPage {
    pub stem: String,
    pub iso6393: String,
    pub paragraphs: Vec<String>,
}

/// Read every `*.html` page of the `udhr` package's `declaration/` folder (in name order).
pub fn read_udhr(dir: impl AsRef<Path>) -> Result<Vec<UdhrPage>, LangidError> {
    let dir = dir.as_ref();
    let read_err = |path: &Path, source| LangidError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| read_err(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    paths.sort();
    let mut pages = Vec::new();
    for path in paths {
        let html = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
        let iso6393 = html
            .split_once("data-iso6393=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map_or("und", |(iso, _)| iso)
            .to_string();
        let paragraphs = html
            .split("<p>")
            .skip(1)
            .filter_map(|c| c.split_once("</p>").map(|(p, _)| strip_markup(p)))
            .filter(|p| !p.is_empty())
            .collect();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        pages.push(UdhrPage {
            stem,
            iso6393,
            paragraphs,
        });
    }
    Ok(pages)
}

fn strip_markup(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut in_tag = false;
    for c in p.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .trim()
        .to_string()
}

/// Split a paragraph into sentences: after `.`, `!`, `?` and the full stops of the SEA
/// scripts (`။`, `។`, `।`) followed by a space, and after `。！？`. Sentences under four
/// words are left out (headings, article numbers) unless they have at least 10 letters
/// (Chinese, Thai, Burmese write few spaces).
pub fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = paragraph.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        let cut = match c {
            '。' | '！' | '？' => true,
            '.' | '!' | '?' | '။' | '។' | '।' => {
                chars.peek().is_some_and(|(_, n)| n.is_whitespace())
            }
            _ => false,
        };
        if cut {
            out.push(paragraph[start..end].trim());
            start = end;
        }
    }
    out.push(paragraph[start..].trim());
    out.retain(|s| {
        let words = s.split_whitespace().count();
        words >= 4 || (words <= 3 && s.chars().filter(|c| c.is_alphabetic()).count() >= 10)
    });
    out
}

/// Acceptance of one UDHR language at sentence and paragraph level.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UdhrLang {
    /// The page stems scored for this language.
    pub pages: Vec<String>,
    pub sentences: u64,
    /// Sentences the langid stage keeps (any of the 13 at or above its threshold).
    pub sentences_accepted: u64,
    /// For a SEA language: sentences kept as the right language (recall's numerator).
    pub sentences_correct: u64,
    pub paragraphs: u64,
    pub paragraphs_accepted: u64,
    pub paragraphs_correct: u64,
    /// What the accepted sentences were kept as, language → sentences.
    pub accepted_as: BTreeMap<String, u64>,
}

impl UdhrLang {
    pub fn sentence_share(&self, n: u64) -> f64 {
        ratio(n, self.sentences)
    }
    pub fn paragraph_share(&self, n: u64) -> f64 {
        ratio(n, self.paragraphs)
    }
}

/// `seapile eval langid --udhr DIR`: per non-SEA language the share of its sentences and
/// paragraphs the langid stage keeps as one of the 13 (false positives), per SEA language
/// recall, with the stage's thresholds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UdhrReport {
    /// Mean over the non-SEA languages of the share of sentences accepted.
    pub other_accepted_mean: f64,
    /// Non-SEA languages with more than 30% of their sentences accepted.
    pub other_above_30pct: u64,
    pub other_paragraphs_accepted_mean: f64,
    /// Mean recall over the 13 (sentences kept as the right language).
    pub sea_recall_mean: f64,
    pub sea_paragraph_recall_mean: f64,
    pub sea: BTreeMap<String, UdhrLang>,
    pub other: BTreeMap<String, UdhrLang>,
    pub near: BTreeMap<String, UdhrLang>,
    pub sentences_per_s: f64,
}

/// Score `pages` with `identify` (text → language, score) and the stage's `keep` rule
/// (language, score → kept).
pub fn udhr_report(
    pages: &[UdhrPage],
    identify: impl Fn(&str) -> (&'static str, f32),
    keep: impl Fn(&str, f32) -> bool,
) -> UdhrReport {
    let mut report = UdhrReport::default();
    let (mut seconds, mut n) = (0.0f64, 0u64);
    for page in pages {
        let gold = udhr_gold(&page.stem, &page.iso6393);
        let lang = match gold {
            UdhrGold::Sea(l) => l.to_string(),
            _ => page.iso6393.clone(),
        };
        let bucket = match gold {
            UdhrGold::Sea(_) => &mut report.sea,
            UdhrGold::Other => &mut report.other,
            UdhrGold::Near => &mut report.near,
        };
        let entry = bucket.entry(lang.clone()).or_default();
        entry.pages.push(page.stem.clone());
        for p in &page.paragraphs {
            let start = Instant::now();
            let (l, score) = identify(p);
            let kept = keep(l, score);
            entry.paragraphs += 1;
            entry.paragraphs_accepted += u64::from(kept);
            entry.paragraphs_correct += u64::from(kept && l == lang);
            for s in sentences(p) {
                let (l, score) = identify(s);
                n += 1;
                let kept = keep(l, score);
                entry.sentences += 1;
                entry.sentences_accepted += u64::from(kept);
                entry.sentences_correct += u64::from(kept && l == lang);
                if kept {
                    *entry.accepted_as.entry(l.to_string()).or_default() += 1;
                }
            }
            seconds += start.elapsed().as_secs_f64();
        }
    }
    let mean = |m: &BTreeMap<String, UdhrLang>, f: &dyn Fn(&UdhrLang) -> f64| {
        let v: Vec<f64> = m.values().filter(|l| l.sentences > 0).map(f).collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    report.other_accepted_mean = mean(&report.other, &|l| l.sentence_share(l.sentences_accepted));
    report.other_paragraphs_accepted_mean =
        mean(&report.other, &|l| l.paragraph_share(l.paragraphs_accepted));
    report.other_above_30pct = report
        .other
        .values()
        .filter(|l| l.sentence_share(l.sentences_accepted) > 0.3)
        .count() as u64;
    report.sea_recall_mean = mean(&report.sea, &|l| l.sentence_share(l.sentences_correct));
    report.sea_paragraph_recall_mean =
        mean(&report.sea, &|l| l.paragraph_share(l.paragraphs_correct));
    report.sentences_per_s = if seconds > 0.0 {
        n as f64 / seconds
    } else {
        0.0
    };
    report
}

impl UdhrReport {
    /// The human-readable tables: SEA recall, then every non-SEA language with any
    /// sentence accepted, most accepted first.
    pub fn tables(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n{:<6} {:>9} {:>8} {:>10} {:>8}",
            "SEA", "sentences", "recall", "paragraphs", "recall"
        );
        for (lang, l) in &self.sea {
            let _ = writeln!(
                out,
                "{lang:<6} {:>9} {:>8.3} {:>10} {:>8.3}",
                l.sentences,
                l.sentence_share(l.sentences_correct),
                l.paragraphs,
                l.paragraph_share(l.paragraphs_correct)
            );
        }
        let mut others: Vec<(&String, &UdhrLang)> = self
            .other
            .iter()
            .chain(&self.near)
            .filter(|(_, l)| l.sentences_accepted + l.paragraphs_accepted > 0)
            .collect();
        others.sort_by(|a, b| {
            b.1.sentence_share(b.1.sentences_accepted)
                .total_cmp(&a.1.sentence_share(a.1.sentences_accepted))
        });
        let _ = writeln!(
            out,
            "\n{:<8} {:>9} {:>9} {:>10} {:>9}  accepted as (pages)",
            "other", "sentences", "accepted", "paragraphs", "accepted"
        );
        for (lang, l) in others {
            let near = if self.near.contains_key(lang) {
                " [near, not scored]"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{lang:<8} {:>9} {:>9.3} {:>10} {:>9.3}  {:?} ({}){near}",
                l.sentences,
                l.sentence_share(l.sentences_accepted),
                l.paragraphs,
                l.paragraph_share(l.paragraphs_accepted),
                l.accepted_as,
                l.pages.join(",")
            );
        }
        let _ = writeln!(
            out,
            "\nnon-SEA languages: {}, sentences accepted on average {:.4} ({} above 30%), paragraphs {:.4}; SEA recall: sentences {:.4}, paragraphs {:.4}",
            self.other.len(),
            self.other_accepted_mean,
            self.other_above_30pct,
            self.other_paragraphs_accepted_mean,
            self.sea_recall_mean,
            self.sea_paragraph_recall_mean
        );
        out
    }
}
