//! The SEA layer on top of fastText: Zawgyi → Unicode, script checks, Chinese script tag,
//! and lexical disambiguation of the Latin-script languages lid.176 confuses.
//!
//! Design decision: fastText's top-k is the evidence and the rules only choose among
//! languages it already considers close (Malay/Indonesian/Javanese/Sundanese, Tagalog and
//! the other Philippine languages), or overrule a label whose script cannot be right. Every
//! decision names the rule that made it ([`Rule`]), so a change in the numbers can be traced
//! to one rule, and the model's own answer is kept next to the final one.

use std::cell::OnceCell;
use std::ops::Range;
use std::sync::Arc;

use crate::SEA_LANGS;

use crate::engine::Hidden;
use crate::evidence::Evidence;
use crate::lexicon::MalayLexicon;
use crate::markers::{self, Markers};
use crate::script::{
    han_variant, is_cantonese, is_letter, jawi_share, myanmar_language, prediction_fits_script,
    Script, ScriptCounts,
};
use crate::zawgyi;
use crate::{FastText, Prediction, UND};

/// How many fastText labels the rules look at (3 changes no dev.tsv figure by more than
/// 0.001 and costs 5% more time), and the least probability worth looking at
/// (labels below it never change a decision; leaving them out lets fastText prune).
const TOP_K: usize = 2;
const MIN_PROB: f32 = 0.01;

/// Default weight of fastText's `ms` probability against its `id` probability when a text
/// has fewer than two net Malay or Indonesian markers; the word-frequency evidence of
/// [`MalayLexicon`] is added to the log of the weighted ratio. 1 (no prior): before the
/// lexicon a weight of 2 was needed to balance lid.176's lean to `id`, with it the ratio
/// needs no help (2 moves 60 clean dev.tsv lines to Malay and 59 Indonesian lines with
/// them; see `langid/README.md`).
pub const DEFAULT_MALAY_WEIGHT: f32 = 1.0;

/// The rule that produced a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// fastText's top label, unchanged.
    Model,
    /// The text has no letters.
    NoLetters,
    /// fastText's top label does not fit the text's script; the best label that does (or
    /// the script's only language) was taken.
    Script,
    /// Han text labelled with a Chinese variety (`yue`, `wuu`) is Chinese (`zho`).
    ChineseVariety,
    /// Malay vs Indonesian decided by lexical markers.
    MalayMarkers,
    /// Malay vs Indonesian decided against fastText's own order by the weight on its `ms`
    /// probability (no markers, no word the lexicon knows).
    MalayWeight,
    /// Malay vs Indonesian decided against fastText's own order by the word frequencies of
    /// [`MalayLexicon`] added to fastText's weighted log-ratio.
    MalayLexicon,
    /// Javanese markers outnumber the others.
    JavaneseMarkers,
    /// Sundanese markers outnumber the others.
    SundaneseMarkers,
    /// Tagalog markers in text labelled another Philippine language, English or a
    /// non-SEA language.
    TagalogMarkers,
    /// Latin text with Vietnamese letters on most words, labelled non-SEA.
    VietnameseLetters,
    /// Han text written in vernacular Cantonese (see [`crate::script::is_cantonese`]): `yue`.
    Cantonese,
    /// Myanmar-script text with Shan, Mon or Karen letters: not Burmese.
    OtherMyanmar,
    /// Malay written in Jawi (Arabic script): Jawi letters and Malay words.
    Jawi,
    /// A document's paragraphs hold more characters of another language than the one its
    /// whole text is identified as: the paragraphs' majority is taken.
    ParagraphMajority,
    /// A Latin-script SEA label without enough words of that language to back it
    /// ([`crate::evidence::Support`]): fastText's best non-SEA label, or `und`.
    NoEvidence,
}

impl Rule {
    /// A stable name for `doc.meta` and reports.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Model => "model",
            Rule::NoLetters => "no_letters",
            Rule::Script => "script",
            Rule::ChineseVariety => "chinese_variety",
            Rule::MalayMarkers => "malay_markers",
            Rule::MalayWeight => "malay_weight",
            Rule::MalayLexicon => "malay_lexicon",
            Rule::JavaneseMarkers => "javanese_markers",
            Rule::SundaneseMarkers => "sundanese_markers",
            Rule::TagalogMarkers => "tagalog_markers",
            Rule::VietnameseLetters => "vietnamese_letters",
            Rule::Cantonese => "cantonese",
            Rule::OtherMyanmar => "other_myanmar",
            Rule::Jawi => "jawi",
            Rule::NoEvidence => "no_evidence",
            Rule::ParagraphMajority => "paragraph_majority",
        }
    }
}

/// The SEA layer's answer for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Identification {
    /// ISO 639-3 code, or `und`.
    pub lang: &'static str,
    /// Confidence in [0, 1]: fastText's probability, or for a changed label the larger of
    /// the probability fastText gave the confusable group and the marker evidence (for
    /// Malay/Indonesian by the lexicon: the group's probability × the log-odds' sigmoid).
    pub score: f32,
    /// ISO 15924 script of the text (`Hans`/`Hant` for Chinese when they can be told apart).
    pub script: &'static str,
    /// The rule that decided.
    pub rule: Rule,
    /// fastText's own top label (ISO 639-3) and probability, before the rules.
    pub model_lang: &'static str,
    pub model_score: f32,
    /// fastText's raw top label (`__label__ms`), empty for a text without letters.
    pub model_label: String,
    /// The Unicode text, when the input was Zawgyi and has been converted.
    pub converted: Option<String>,
}

/// fastText plus the SEA rules. Cheap to clone (the model is shared).
#[derive(Debug, Clone)]
pub struct SeaLangid {
    model: Arc<FastText>,
    lexicon: Arc<MalayLexicon>,
    malay_weight: f32,
    rules: bool,
}

impl SeaLangid {
    /// The SEA layer over a loaded model and the Malay/Indonesian word lists, with
    /// [`DEFAULT_MALAY_WEIGHT`].
    pub fn new(model: Arc<FastText>, lexicon: Arc<MalayLexicon>) -> Self {
        SeaLangid {
            model,
            lexicon,
            malay_weight: DEFAULT_MALAY_WEIGHT,
            rules: true,
        }
    }

    /// Switch the SEA rules off (`false`): [`SeaLangid::identify`] then gives fastText's
    /// top label as it is, for comparison and for non-SEA uses.
    pub fn with_rules(mut self, rules: bool) -> Self {
        self.rules = rules;
        self
    }

    /// The same with another Malay weight (see [`DEFAULT_MALAY_WEIGHT`]).
    pub fn with_malay_weight(mut self, weight: f32) -> Self {
        self.malay_weight = weight;
        self
    }

    /// The underlying fastText model.
    pub fn model(&self) -> &Arc<FastText> {
        &self.model
    }

    /// Identify the language of `text` (one line or a whole document).
    pub fn identify(&self, text: &str) -> Identification {
        if !self.rules {
            return self.model_only(text);
        }
        self.identify_with(text, None)
    }

    /// [`SeaLangid::identify`] with the rules on, given fastText's vector of `text` when it
    /// has been computed already (used only if `text` is read as it is: not recomposed,
    /// not converted from Zawgyi).
    fn identify_with(&self, text: &str, hidden: Option<&Hidden>) -> Identification {
        let original = text;
        // Text written with combining marks (Vietnamese tones typed as U+0300-U+036F, as on
        // the UDHR's Vietnamese page and many older sites) is read in NFC, the form fastText
        // and the word lists know; the document itself is not changed.
        let composed = has_combining_marks(text).then(|| nfc(text));
        let text = composed.as_deref().unwrap_or(text);
        let mut counts = ScriptCounts::of(text);
        let converted = (counts.get(Script::Myanmar) > 0 && zawgyi::is_zawgyi(text))
            .then(|| zawgyi::zawgyi_to_unicode(text));
        if let Some(unicode) = &converted {
            counts = ScriptCounts::of(unicode);
        }
        let text = converted.as_deref().unwrap_or(text);
        let Some(dominant) = counts.dominant() else {
            return Identification {
                lang: UND,
                score: 0.0,
                script: Script::Other.code(),
                rule: Rule::NoLetters,
                model_lang: UND,
                model_score: 0.0,
                model_label: String::new(),
                converted,
            };
        };
        let preds = match hidden.filter(|_| std::ptr::eq(text, original)) {
            Some(h) => {
                let preds = self.model.predict_hidden(h, TOP_K, MIN_PROB);
                if preds.is_empty() {
                    self.model.predict_hidden(h, 1, 0.0)
                } else {
                    preds
                }
            }
            None => {
                let preds = self.model.predict_above(text, TOP_K, MIN_PROB);
                if preds.is_empty() {
                    self.model.predict(text, 1)
                } else {
                    preds
                }
            }
        };
        let malay = Malay {
            weight: self.malay_weight,
            lexicon: Some(&self.lexicon),
        };
        let (lang, score, rule) = decide(text, dominant, &preds, &malay);
        let top = preds.into_iter().next();
        Identification {
            lang,
            score,
            script: script_tag(text, dominant, lang),
            rule,
            model_lang: top.as_ref().map_or(UND, |p| p.iso639_3),
            model_score: top.as_ref().map_or(0.0, |p| p.prob),
            model_label: top.map(|p| p.label).unwrap_or_default(),
            converted,
        }
    }

    fn model_only(&self, text: &str) -> Identification {
        let top = self.model.predict(text, 1).into_iter().next();
        let lang = top.as_ref().map_or(UND, |p| p.iso639_3);
        let score = top.as_ref().map_or(0.0, |p| p.prob);
        let dominant = ScriptCounts::of(text).dominant().unwrap_or(Script::Other);
        Identification {
            lang,
            score,
            script: top
                .as_ref()
                .and_then(|p| p.script)
                .unwrap_or_else(|| dominant.code()),
            rule: Rule::Model,
            model_lang: lang,
            model_score: score,
            model_label: top.map(|p| p.label).unwrap_or_default(),
            converted: None,
        }
    }

    /// Identify a document: the language that holds the most characters over its
    /// paragraphs (lines of at least [`MIN_LINE_CHARS`] characters; an evenly spread sample
    /// of at most [`MAX_LINES`] of them), with its share of those characters
    /// ([`DocumentLanguage::lang_share`]) and of the lines ([`DocumentLanguage::line_share`]).
    /// A Tagalog page quoting English stays Tagalog (share < 1); a page half Thai, half
    /// English is the larger half, at a share near 0.5. A document with fewer than two such
    /// lines is identified whole (shares 1).
    ///
    /// fastText reads the text and its sampled lines in one pass (each token looked up
    /// once, every sum in its own prediction's order, so the figures are the same as
    /// predicting each alone); text that is recomposed or converted first is read twice.
    pub fn identify_document(&self, text: &str) -> DocumentLanguage {
        if self.rules && !has_combining_marks(text) {
            let lines = sampled_lines(text);
            let spans: Vec<Range<usize>> = lines
                .iter()
                .map(|l| {
                    let start = l.as_ptr() as usize - text.as_ptr() as usize;
                    start..start + l.len()
                })
                .collect();
            if let Some(hiddens) = self.model.hiddens(text, &spans) {
                let whole = self.identify_with(text, Some(&hiddens.text));
                if whole.converted.is_none() {
                    let lines = lines
                        .iter()
                        .zip(&hiddens.spans)
                        .map(|(l, h)| (self.identify_with(l, Some(h)), letters(l)))
                        .collect();
                    return document(whole, lines);
                }
                // Zawgyi: the lines are the converted text's.
                return self.document_lines(whole, text);
            }
        }
        self.document_lines(self.identify(text), text)
    }

    /// The document from its whole text's identification, its lines identified one by one.
    fn document_lines(&self, whole: Identification, text: &str) -> DocumentLanguage {
        let body = whole.converted.as_deref().unwrap_or(text);
        let lines = self.identify_lines(&sampled_lines(body));
        document(whole, lines)
    }

    fn identify_lines(&self, lines: &[&str]) -> Vec<(Identification, f64)> {
        lines
            .iter()
            .map(|l| (self.identify(l), letters(l)))
            .collect()
    }
}

/// The lines of `body` a document's shares are measured on: those of at least
/// [`MIN_LINE_CHARS`] characters, an evenly spread sample of at most [`MAX_LINES`] (the
/// shares are estimates, and the cost stays bounded); none when fewer than two.
fn sampled_lines(body: &str) -> Vec<&str> {
    let all: Vec<&str> = body
        .lines()
        .filter(|l| l.trim().chars().count() >= MIN_LINE_CHARS)
        .collect();
    if all.len() < 2 {
        return Vec::new();
    }
    let step = all.len().div_ceil(MAX_LINES);
    all.into_iter().step_by(step).collect()
}

/// The letters of a line, the weight of its language in the document.
fn letters(line: &str) -> f64 {
    line.chars().filter(|&c| is_letter(c)).count() as f64
}

/// The document's language from its whole text's and its lines' identifications.
fn document(whole: Identification, lines: Vec<(Identification, f64)>) -> DocumentLanguage {
    if lines.is_empty() {
        return DocumentLanguage {
            id: whole,
            lang_share: 1.0,
            line_share: 1.0,
        };
    }
    let mut chars: Vec<(&'static str, f64, f64)> = Vec::new();
    for (id, n) in lines.iter().filter(|(id, _)| id.lang != UND) {
        match chars.iter_mut().find(|(l, _, _)| *l == id.lang) {
            Some(entry) => {
                entry.1 += n;
                entry.2 += n * f64::from(id.score);
            }
            None => chars.push((id.lang, *n, n * f64::from(id.score))),
        }
    }
    let total: f64 = lines.iter().map(|(_, n)| n).sum();
    let best = chars.iter().copied().max_by(|a, b| {
        // Ties go to the whole text's language.
        a.1.total_cmp(&b.1)
            .then((a.0 == whole.lang).cmp(&(b.0 == whole.lang)))
    });
    let id = match best {
        Some((lang, n, weighted)) if lang != whole.lang => Identification {
            lang,
            score: (weighted / n.max(1.0)) as f32,
            rule: Rule::ParagraphMajority,
            script: lines
                .iter()
                .find(|(id, _)| id.lang == lang)
                .map_or(whole.script, |(id, _)| id.script),
            ..whole
        },
        _ => whole,
    };
    let in_lang: f64 = chars
        .iter()
        .filter(|(l, _, _)| *l == id.lang)
        .map(|(_, n, _)| n)
        .sum();
    let same = lines.iter().filter(|(l, _)| l.lang == id.lang).count();
    DocumentLanguage {
        lang_share: if total > 0.0 { in_lang / total } else { 1.0 },
        line_share: same as f64 / lines.len() as f64,
        id,
    }
}

/// Whether `text` has a combining diacritical mark (U+0300-U+036F: UTF-8 `CC 80`-`CD AF`).
fn has_combining_marks(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &x)| {
        (x == 0xCC && b.get(i + 1).is_some_and(|&y| y >= 0x80))
            || (x == 0xCD && b.get(i + 1).is_some_and(|&y| y <= 0xAF))
    })
}

/// `text` in Unicode Normalization Form C.
fn nfc(text: &str) -> String {
    use unicode_normalization_alignments::UnicodeNormalization;
    text.nfc().map(|(c, _)| c).collect()
}

/// A document's language ([`SeaLangid::identify_document`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentLanguage {
    /// The document's language: the whole text's identification, or, when another
    /// language holds more of its paragraphs' characters, that language
    /// ([`Rule::ParagraphMajority`], scored by its paragraphs' character-weighted mean).
    pub id: Identification,
    /// Share of the scored paragraphs' letters that are in paragraphs of `id.lang`.
    pub lang_share: f64,
    /// Share of the scored paragraphs whose own language is `id.lang`.
    pub line_share: f64,
}

/// What decides Malay vs Indonesian when markers do not: the weight on fastText's `ms`
/// probability and, when given, the word-frequency lexicon.
#[derive(Debug, Clone, Copy)]
pub struct Malay<'a> {
    pub weight: f32,
    pub lexicon: Option<&'a MalayLexicon>,
}

/// The SEA rules on fastText's top-k `preds` for `text`, whose dominant script is
/// `dominant`: (language, score, rule).
pub fn decide(
    text: &str,
    dominant: Script,
    preds: &[Prediction],
    malay: &Malay<'_>,
) -> (&'static str, f32, Rule) {
    if let Some(decided) = by_script(text, dominant) {
        return decided;
    }
    let fitting = preds
        .iter()
        .find(|p| prediction_fits_script(p.iso639_3, p.script, dominant));
    let script_changed = preds.first().map(|p| p.iso639_3) != fitting.map(|p| p.iso639_3);
    let Some(base) = fitting else {
        return script_only_language(dominant, preds);
    };
    let (lang, score, rule) = match dominant {
        Script::Latin => latin(text, base, preds, malay),
        Script::Han if is_cantonese(text) => (
            "yue",
            group_prob(preds, &["zho", "yue", "wuu"]).clamp(0.5, MAX_RULE_SCORE),
            Rule::Cantonese,
        ),
        Script::Han if matches!(base.iso639_3, "yue" | "wuu") => (
            "zho",
            group_prob(preds, &["zho", "yue", "wuu"]),
            Rule::ChineseVariety,
        ),
        // Han text that is not Japanese by its kana (see `ScriptCounts::dominant`): fastText's
        // `jpn` on it (lid.176 says `ja` for many short formal Chinese sentences) is
        // probability of Han-script text, and belongs to Chinese.
        Script::Han if base.iso639_3 == "zho" => ("zho", group_prob(preds, &HAN), Rule::Model),
        _ => (base.iso639_3, base.prob, Rule::Model),
    };
    let rule = if rule == Rule::Model && script_changed {
        Rule::Script
    } else {
        rule
    };
    // A rule's decision borrows fastText's probability for a group of languages (Malayic,
    // Philippine) or counts markers: evidence, not a probability of this language.
    let score = match rule {
        Rule::Model | Rule::Script => score,
        _ => score.min(MAX_RULE_SCORE),
    };
    (lang, score, rule)
}

/// Decisions a script makes before any label is looked at: Myanmar-script text that is not
/// Burmese, Malay in Jawi.
fn by_script(text: &str, dominant: Script) -> Option<(&'static str, f32, Rule)> {
    match dominant {
        Script::Myanmar => {
            let lang = myanmar_language(text);
            (lang != "mya").then_some((lang, OTHER_MYANMAR_SCORE, Rule::OtherMyanmar))
        }
        Script::Arabic => {
            // Jawi letters plus Malay words: 0.75 at the least share, more with more words.
            let share = jawi_share(text)?;
            Some(("zsm", (0.6 + share).min(MAX_RULE_SCORE), Rule::Jawi))
        }
        _ => None,
    }
}

/// The score of an [`Rule::OtherMyanmar`] decision: letters Burmese never writes are
/// unambiguous, but the language named (Shan, Mon) is only the most likely one.
const OTHER_MYANMAR_SCORE: f32 = 0.9;

/// No rule's score is above this: a rule is evidence, not certainty (the model's own
/// probabilities are kept as they are).
pub const MAX_RULE_SCORE: f32 = 0.95;

fn latin(
    text: &str,
    base: &Prediction,
    preds: &[Prediction],
    malay: &Malay<'_>,
) -> (&'static str, f32, Rule) {
    // fastText's own confident Vietnamese is its own evidence (see `TRUSTED_PROB`): no word
    // is looked at.
    if base.iso639_3 == "vie" && base.prob >= TRUSTED_PROB {
        return (base.iso639_3, base.prob, Rule::Model);
    }
    let m = markers::count(text);
    // The word lists are looked up only when a rule asks (a non-SEA label needs none).
    let cell = OnceCell::new();
    let evidence = || {
        malay
            .lexicon
            .map(|l| cell.get_or_init(|| Evidence::new(l, text)))
    };
    let candidate = latin_candidate(text, base, preds, malay, &m, &evidence);
    if m.words < MIN_GATE_WORDS || !is_sea(candidate.0) || trusted(candidate, base, &m) {
        return candidate;
    }
    match evidence() {
        Some(e) => {
            let decided = gate(candidate, e, &m, preds);
            // Javanese or Sundanese proposed by a marker word (a name spelled `Dh…`, an
            // all-caps `TI`) against fastText's Malay/Indonesian, that the word lists do not
            // back, on text whose words are Malay/Indonesian: Malay or Indonesian, not
            // fastText's next, foreign guess. (Other languages' short words fill the Malay
            // list too — Northern Sotho's `le`, `na`, `ya` — so fastText's label must agree.)
            if decided.2 == Rule::NoEvidence
                && matches!(candidate.0, "jav" | "sun")
                && matches!(base.iso639_3, "ind" | "zsm")
                && malay_words_explain(e)
            {
                return malay_or_indonesian(text, &m, preds, malay, &evidence);
            }
            decided
        }
        None => candidate,
    }
}

/// Whether Malay/Indonesian words explain `e`'s text: [`MIN_MALAY`] of its words, and few
/// words of the Malayic languages around them ([`MAX_OTHER_MALAYIC`]).
fn malay_words_explain(e: &Evidence<'_>) -> bool {
    let n = e.other_malayic();
    e.share(e.malay()) >= MIN_MALAY && (n < 2 || e.share(n) < MAX_OTHER_MALAYIC)
}

/// fastText's label is "confident" from this probability on: a confident English, Tagalog
/// or other non-Malayic label is never given to Javanese or Sundanese.
const CONFIDENT: f32 = 0.8;

fn latin_candidate<'a>(
    text: &str,
    base: &Prediction,
    preds: &[Prediction],
    malay: &Malay<'_>,
    m: &Markers,
    evidence: &dyn Fn() -> Option<&'a Evidence<'a>>,
) -> (&'static str, f32, Rule) {
    let lang = base.iso639_3;
    if matches!(lang, "tgl" | "vie") {
        return (lang, base.prob, Rule::Model);
    }
    let foreign = !is_sea(lang);
    if let Some(r) = javanese_or_sundanese(m, base, preds, evidence) {
        return r;
    }
    let malay_words = (m.zsm + m.ind).div_ceil(2);
    let malay_over_javanese = malay_words >= 2 && malay_words > m.jav + m.sun;
    if matches!(lang, "ind" | "zsm" | "min")
        || (matches!(lang, "jav" | "sun") && malay_over_javanese)
        || ((foreign || lang == "eng") && looks_malayic(m))
    {
        return malay_or_indonesian(text, m, preds, malay, evidence);
    }
    if PHILIPPINE.contains(&lang) || lang == "eng" || foreign {
        if let Some(r) = tagalog(m, lang, preds) {
            return r;
        }
    }
    if foreign && vietnamese_letters(text, m.words) {
        return ("vie", prob(preds, "vie").max(0.5), Rule::VietnameseLetters);
    }
    (lang, base.prob, Rule::Model)
}

/// fastText's own English or Vietnamese label at this probability or more is its own
/// evidence: on the UDHR sentences of ~430 other languages only Scots and Nigerian Pidgin
/// (English-based) get one, and skipping the word lookups halves the layer's cost on them.
/// English with one word of an English-based creole or Scots ([`Markers::creole`]) is
/// checked all the same. Tagalog: [`TRUSTED_TAGALOG_PROB`].
pub const TRUSTED_PROB: f32 = 0.95;

/// fastText's own Tagalog at this probability or more, with a Tagalog-only marker word and
/// no word of the other Philippine languages, is evidence enough: of the 893 UDHR sentences
/// of other languages lid.176 labels `tl`, none reaches 0.8 (one reaches 0.7); of dev.tsv's
/// 3,063 Tagalog lines 1,728 do.
pub const TRUSTED_TAGALOG_PROB: f32 = 0.8;

fn trusted(candidate: (&'static str, f32, Rule), base: &Prediction, m: &Markers) -> bool {
    candidate.2 == Rule::Model
        && candidate.0 == base.iso639_3
        && match candidate.0 {
            "eng" => base.prob >= TRUSTED_PROB && m.creole == 0,
            "vie" => base.prob >= TRUSTED_PROB,
            "tgl" => base.prob >= TRUSTED_TAGALOG_PROB && m.tgl >= 1 && m.philippine == 0,
            _ => false,
        }
}

/// Texts with fewer scored words than this are not gated (a two-word line is no sample).
const MIN_GATE_WORDS: u32 = 3;
/// Least share of the words a Latin-script SEA label needs from its language's list
/// ([`Support`]); chosen on the UDHR sentences (`seapile eval langid --udhr`), where the
/// 13 languages' own sentences score 0.9–1.0 on their lists and the languages around them
/// (Minangkabau 0.47, Balinese 0.39, Tok Pisin 0.44 on Malay/Indonesian) far lower.
pub const MIN_ENGLISH: f64 = 0.80;
pub const MIN_MALAY: f64 = 0.70;
pub const MIN_FILIPINO: f64 = 0.65;
/// Tagalog by [`Rule::TagalogMarkers`] against fastText's label: the other Philippine
/// languages share many Tagalog words (Hiligaynon 0.69, Bikol 0.63, Waray 0.62 of theirs).
pub const MIN_FILIPINO_OVERRULED: f64 = 0.80;
pub const MIN_VIETNAMESE: f64 = 0.60;
/// Javanese/Sundanese: words of their own (not common Malay/Indonesian words) on this
/// share...
pub const MIN_OWN_WORDS: f64 = 0.10;
/// ...and their own words plus Malay/Indonesian ones on this share; or twice the own words
/// on [`MIN_COVERED_LOW`] (literary Javanese, whose vocabulary no list has).
pub const MIN_COVERED: f64 = 0.50;
pub const MIN_COVERED_LOW: f64 = 0.40;
/// Words of the Malayic languages around the 13 ([`evidence::OTHER_MALAYIC`]) on this share
/// or more and the text is none of Malay, Indonesian, Javanese, Sundanese.
pub const MAX_OTHER_MALAYIC: f64 = 0.08;

/// Keep a Latin-script SEA label only with positive evidence for it.
fn gate(
    candidate: (&'static str, f32, Rule),
    e: &Evidence<'_>,
    m: &Markers,
    preds: &[Prediction],
) -> (&'static str, f32, Rule) {
    if e.words() < MIN_GATE_WORDS || !is_sea(candidate.0) {
        return candidate;
    }
    let few_others = || {
        let n = e.other_malayic();
        n < 2 || e.share(n) < MAX_OTHER_MALAYIC
    };
    let own = |(only, covered): (u32, u32)| {
        let (only, covered) = (e.share(only), e.share(covered));
        let enough = (only >= MIN_OWN_WORDS && covered >= MIN_COVERED)
            || (only >= 2.0 * MIN_OWN_WORDS && covered >= MIN_COVERED_LOW);
        enough && few_others()
    };
    let ok = match candidate.0 {
        // English-based creoles and Scots are mostly English words: their own words veto.
        "eng" => e.share(e.english()) >= MIN_ENGLISH && !m.creole_text(),
        "ind" | "zsm" => e.share(e.malay()) >= MIN_MALAY && few_others(),
        // Overruling fastText (Bikol, Hiligaynon, Waray called Tagalog) takes more.
        // Bikol, Hiligaynon, Waray share most of their words with Tagalog's list: their own
        // function words veto.
        "tgl" if m.other_philippine_text() => false,
        "tgl" if candidate.2 == Rule::TagalogMarkers => {
            e.share(e.filipino()) >= MIN_FILIPINO_OVERRULED
        }
        "tgl" => e.share(e.filipino()) >= MIN_FILIPINO,
        "vie" => e.share(e.vietnamese()) >= MIN_VIETNAMESE,
        "jav" => own(e.javanese()),
        "sun" => own(e.sundanese()),
        _ => true,
    };
    if ok {
        return candidate;
    }
    // Text called Malay/Indonesian without enough Malay/Indonesian words, whose words are
    // Javanese's (or Sundanese's) own on the shares those labels need: that language
    // (colloquial and krama Javanese borrow half their words from Indonesian, and fastText
    // reads the rest as noise).
    if matches!(candidate.0, "ind" | "zsm") {
        let (jav, sun) = (e.javanese(), e.sundanese());
        let (lang, rule, mine, other) = if jav.0 >= sun.0 {
            ("jav", Rule::JavaneseMarkers, jav, sun.0)
        } else {
            ("sun", Rule::SundaneseMarkers, sun, jav.0)
        };
        if mine.0 > other && own(mine) {
            let markers = marker_confidence(u64::from(mine.0 - other));
            let score = group_prob(preds, &MALAYIC).max(markers);
            return (lang, score.min(MAX_RULE_SCORE), rule);
        }
    }
    let fallback = preds.iter().find(|p| {
        !is_sea(p.iso639_3) && prediction_fits_script(p.iso639_3, p.script, Script::Latin)
    });
    match fallback {
        Some(p) => (p.iso639_3, p.prob, Rule::NoEvidence),
        None => (UND, 0.0, Rule::NoEvidence),
    }
}

fn malay_or_indonesian<'a>(
    text: &str,
    m: &Markers,
    preds: &[Prediction],
    malay: &Malay<'_>,
    evidence: &dyn Fn() -> Option<&'a Evidence<'a>>,
) -> (&'static str, f32, Rule) {
    let group = group_prob(preds, &MALAYIC);
    let net = i64::from(m.zsm) - i64::from(m.ind);
    if net.abs() >= 2 {
        let lang = if net > 0 { "zsm" } else { "ind" };
        let points = net.unsigned_abs().div_ceil(2);
        return (
            lang,
            group.max(marker_confidence(points)),
            Rule::MalayMarkers,
        );
    }
    // Log-odds of Malay: fastText's weighted ratio (a label outside its top-k counts as
    // MIN_PROB) plus the words' frequency ratio.
    let (ms, id) = (prob(preds, "zsm"), prob(preds, "ind"));
    let model_odds = (ms.max(MIN_PROB) * malay.weight).ln() - id.max(MIN_PROB).ln();
    let (word_odds, known) = match evidence() {
        Some(e) => e.log_ratio(),
        None => malay.lexicon.map_or((0.0, 0), |l| l.log_ratio(text)),
    };
    let odds = model_odds + word_odds;
    let lang = if odds > 0.0 { "zsm" } else { "ind" };
    let rule = if (ms > id) == (lang == "zsm") {
        Rule::Model
    } else if known > 0 && word_odds != 0.0 {
        Rule::MalayLexicon
    } else {
        Rule::MalayWeight
    };
    let score = if rule == Rule::Model && preds.first().is_some_and(|p| p.iso639_3 == lang) {
        preds[0].prob
    } else {
        // P(group) × P(language | group), the latter from the log-odds.
        let within = 1.0 / (1.0 + (-odds.abs()).exp());
        (group * within).max(marker_confidence(u64::from(m.malayic.min(3))) * within)
    };
    (lang, score, rule)
}

/// Lines shorter than this are not scored as paragraphs of a document.
pub const MIN_LINE_CHARS: usize = 20;
/// At most this many lines of a document are scored as its paragraphs.
pub const MAX_LINES: usize = 16;

/// Languages fastText confuses with Malay/Indonesian.
const MALAYIC: [&str; 5] = ["ind", "zsm", "jav", "sun", "min"];
/// Labels fastText gives Han-script text: on text whose kana share says it is not Japanese,
/// their probabilities together are Chinese's.
const HAN: [&str; 4] = ["zho", "yue", "wuu", "jpn"];
/// Philippine languages lid.176 gives Tagalog text.
const PHILIPPINE: [&str; 6] = ["tgl", "ceb", "war", "pam", "bcl", "ilo"];

fn is_sea(lang: &str) -> bool {
    SEA_LANGS.contains(&lang)
}

fn prob(preds: &[Prediction], lang: &str) -> f32 {
    preds
        .iter()
        .filter(|p| p.iso639_3 == lang)
        .map(|p| p.prob)
        .sum()
}

fn group_prob(preds: &[Prediction], langs: &[&str]) -> f32 {
    langs.iter().map(|l| prob(preds, l)).sum::<f32>().min(1.0)
}

/// Confidence from `n` net markers: 1 → 0.5, 2 → 0.75, 3 → 0.875, ..., never above
/// [`MAX_RULE_SCORE`].
fn marker_confidence(n: u64) -> f32 {
    (1.0 - 0.5f32.powi(i32::try_from(n.min(30)).unwrap_or(30))).min(MAX_RULE_SCORE)
}

/// Malay/Indonesian words on at least a third of a text's words (two at least), or on half
/// the words of a line of at most three words.
fn looks_malayic(m: &Markers) -> bool {
    let n = m.malayic + (m.zsm + m.ind).div_ceil(2);
    (n >= 2 && n * 3 >= m.words) || (n >= 1 && m.words <= 3 && n * 2 >= m.words)
}

fn javanese_or_sundanese<'a>(
    m: &Markers,
    base: &Prediction,
    preds: &[Prediction],
    evidence: &dyn Fn() -> Option<&'a Evidence<'a>>,
) -> Option<(&'static str, f32, Rule)> {
    let lang = base.iso639_3;
    let malayic_label = MALAYIC.contains(&lang);
    let confident = base.prob >= CONFIDENT;
    // A label outside the 13, English or Tagalog may be Javanese or Sundanese when fastText
    // is unsure of it; Indonesian only when its words do not explain the text.
    let open = malayic_label || (!confident && (!is_sea(lang) || matches!(lang, "eng" | "tgl")));
    if !open {
        return None;
    }
    // Words are only looked up when a marker or the label gives a reason to.
    // A Javanese or Sundanese text without one marker word is rare; without one, the word
    // lists are not consulted.
    if m.jav + m.sun == 0 {
        return None;
    }
    let lists = evidence();
    if lang == "ind" && confident && lists.is_some_and(|e| e.share(e.malay()) >= MIN_MALAY) {
        return None;
    }
    let malay = (m.zsm + m.ind).div_ceil(2);
    let words = m.words;
    let (jav, sun) = match lists {
        Some(e) => (e.javanese().0.max(m.jav), e.sundanese().0.max(m.sun)),
        None => (m.jav, m.sun),
    };
    let (target, rule, own, other) = if jav >= sun {
        ("jav", Rule::JavaneseMarkers, jav, sun)
    } else {
        ("sun", Rule::SundaneseMarkers, sun, jav)
    };
    // On text fastText already calls Malay/Indonesian one marker is enough when no
    // Malay/Indonesian marker contradicts it; elsewhere two, on a fifth of the words.
    let needed = if malayic_label && malay == 0 { 1 } else { 2 };
    if own < needed || own <= other || own <= malay || (!malayic_label && own * 5 < words) {
        return None;
    }
    // fastText agreeing at a low probability (0.1-0.3 is common for Javanese and Sundanese)
    // is no reason to score the text lower than the markers alone would.
    let markers = marker_confidence(u64::from(own - other));
    if lang == target && prob(preds, target) >= markers {
        return Some((target, prob(preds, target), Rule::Model));
    }
    let score = group_prob(preds, &MALAYIC).max(markers);
    Some((target, score, rule))
}

fn tagalog(m: &Markers, lang: &str, preds: &[Prediction]) -> Option<(&'static str, f32, Rule)> {
    if lang == "tgl" {
        return None;
    }
    let tagalog = m.tgl + m.tgl_shared;
    let philippine = PHILIPPINE.contains(&lang);
    let enough = if philippine {
        (m.tgl >= 1 && m.tgl > m.ceb) || (m.ceb == 0 && m.tgl_shared >= 1)
    } else {
        let share = (tagalog >= 2 && tagalog * 4 >= m.words) || tagalog * 3 >= m.words;
        m.tgl >= 1 && share && m.tgl > m.ceb
    };
    enough.then(|| {
        let score = group_prob(preds, &PHILIPPINE).max(marker_confidence(u64::from(m.tgl - m.ceb)));
        ("tgl", score, Rule::TagalogMarkers)
    })
}

/// Vietnamese-only letters (ă â đ ê ô ơ ư and the tone-marked vowels) on half the words.
fn vietnamese_letters(text: &str, words: u32) -> bool {
    let marked = text
        .split(|c: char| !is_letter(c))
        .filter(|w| w.chars().any(is_vietnamese_letter))
        .count();
    words >= 2 && marked * 2 >= words as usize
}

fn is_vietnamese_letter(c: char) -> bool {
    matches!(c, 'ă' | 'Ă' | 'đ' | 'Đ' | 'ơ' | 'Ơ' | 'ư' | 'Ư')
        || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
}

/// No label of the top-k fits the script: a script used by one SEA language gives that
/// language (with fastText's probability for it, usually low); any other script is `und`.
fn script_only_language(dominant: Script, preds: &[Prediction]) -> (&'static str, f32, Rule) {
    let lang = match dominant {
        Script::Thai => "tha",
        Script::Lao => "lao",
        Script::Khmer => "khm",
        Script::Myanmar => "mya",
        Script::Tamil => "tam",
        Script::Han => return ("zho", group_prob(preds, &HAN), Rule::Script),
        _ => UND,
    };
    (lang, prob(preds, lang), Rule::Script)
}

/// The script tag written to the document: `Hans`/`Hant` for Chinese when the characters
/// tell, otherwise the dominant script's code.
fn script_tag(text: &str, dominant: Script, lang: &str) -> &'static str {
    if lang == "zho" || dominant == Script::Han {
        if let Some(tag) = han_variant(text) {
            return tag;
        }
    }
    dominant.code()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(iso: &'static str, prob: f32) -> Prediction {
        Prediction {
            label: format!("__label__{iso}"),
            iso639_3: iso,
            script: None,
            prob,
        }
    }

    fn run(text: &str, preds: &[Prediction]) -> (&'static str, Rule) {
        let dominant = ScriptCounts::of(text).dominant().expect("letters");
        let malay = Malay {
            weight: DEFAULT_MALAY_WEIGHT,
            lexicon: None,
        };
        let (lang, score, rule) = decide(text, dominant, preds, &malay);
        assert!((0.0..=1.0).contains(&score), "{score}");
        (lang, rule)
    }

    #[test]
    fn a_label_in_the_wrong_script_is_not_trusted() {
        let thai = "ข้อ ๑ มนุษย์ทั้งหลายเกิดมามีอิสระและเสมอภาคกัน";
        assert_eq!(
            run(thai, &[p("lao", 0.6), p("tha", 0.3)]),
            ("tha", Rule::Script)
        );
        assert_eq!(
            run(thai, &[p("lao", 0.9), p("eng", 0.1)]),
            ("tha", Rule::Script)
        );
        let tamil = "மனிதப் பிறவியினர் சகலரும் சுதந்திரமாகவே பிறக்கின்றனர்";
        assert_eq!(run(tamil, &[p("eng", 0.5)]), ("tam", Rule::Script));
        let chinese = "人人生而自由，在尊严和权利上一律平等。";
        assert_eq!(
            run(chinese, &[p("jpn", 0.6), p("zho", 0.3)]),
            ("zho", Rule::Script)
        );
        assert_eq!(
            run(chinese, &[p("wuu", 0.6)]),
            ("zho", Rule::ChineseVariety)
        );
        assert_eq!(run("Hello there", &[p("rus", 0.5)]), (UND, Rule::Script));
    }

    #[test]
    fn malay_and_indonesian_markers_decide() {
        let ms = "Kerajaan tidak mempunyai wang kerana cukai tidak dibayar.";
        assert_eq!(
            run(ms, &[p("ind", 0.8), p("zsm", 0.2)]),
            ("zsm", Rule::MalayMarkers)
        );
        let id = "Pemerintah tidak punya uang karena pajak tidak dibayar.";
        assert_eq!(
            run(id, &[p("zsm", 0.8), p("ind", 0.2)]),
            ("ind", Rule::MalayMarkers)
        );
        // No marker and no lexicon: fastText's order, ms weighted by DEFAULT_MALAY_WEIGHT.
        let neutral = "Saya tidak tahu.";
        assert_eq!(
            run(neutral, &[p("ind", 0.6), p("zsm", 0.35)]),
            ("ind", Rule::Model)
        );
        assert_eq!(
            run(neutral, &[p("zsm", 0.5), p("ind", 0.45)]),
            ("zsm", Rule::Model)
        );
    }

    #[test]
    fn a_document_read_in_one_pass_is_identified_as_line_by_line() {
        let assets = testkit::assets();
        let sea = crate::LangidConfig::default().sea_langid(&assets).unwrap();
        let paths = testkit::udhr_pages();
        let mut changed = 0;
        for p in paths.iter().step_by(3) {
            let text = testkit::strip_tags(&std::fs::read_to_string(p).unwrap());
            // Two languages in one document: the lines disagree with the whole.
            let mixed = format!("{text}\nThe quick brown fox jumps over the lazy dog again.\n");
            for t in [&text, &mixed] {
                let one_pass = sea.identify_document(t);
                let by_line = sea.document_lines(sea.identify(t), t);
                assert_eq!(one_pass, by_line, "{}", p.display());
                changed += usize::from(one_pass.lang_share < 1.0);
            }
        }
        assert!(
            changed > 10,
            "{changed} documents with lines of another language"
        );
    }

    #[test]
    fn javanese_sundanese_and_tagalog_markers_decide() {
        let jv = "Aku ora ngerti apa sing kok omongke.";
        assert_eq!(
            run(jv, &[p("ind", 0.7), p("jav", 0.1)]),
            ("jav", Rule::JavaneseMarkers)
        );
        let su = "Abdi teu acan terang naon anu anjeun carioskeun.";
        assert_eq!(run(su, &[p("ind", 0.7)]), ("sun", Rule::SundaneseMarkers));
        let tl = "Hindi ko alam kung bakit late siya sa meeting natin.";
        assert_eq!(
            run(tl, &[p("eng", 0.6), p("tgl", 0.3)]),
            ("tgl", Rule::TagalogMarkers)
        );
        let ceb = "Dili ko kahibalo kung unsa ang iyang gusto.";
        assert_eq!(
            run(ceb, &[p("ceb", 0.6), p("tgl", 0.3)]),
            ("ceb", Rule::Model)
        );
        let en = "I do not know why she is late for our meeting.";
        assert_eq!(run(en, &[p("eng", 0.9)]), ("eng", Rule::Model));
    }
}
