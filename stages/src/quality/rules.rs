//! Deciding: read the signals [`super::signals`] wrote into `doc.attrs` and return the first
//! rule that fails, as a stable reason. Rules run in a fixed order (Gopher quality, Gopher
//! repetition, C4, FineWeb) so a page failing several always reports the same one.

use std::collections::BTreeMap;

use pipeline::Bound;

use super::reason as r;
use super::signals::attr;
use super::thresholds::Thresholds;

/// `Some(reason)` for the first failing rule, `None` when the document passes.
pub fn decide(attrs: &BTreeMap<String, f64>, t: &Thresholds) -> Option<&'static str> {
    let get = |k: &str| attrs.get(k).copied().unwrap_or(0.0);
    let q = &t.gopher_quality;
    let rep = &t.gopher_repetition;
    let checks: [(bool, &'static str); 13] = [
        (get(attr::WORD_COUNT) < q.min_words, r::MIN_WORDS),
        (get(attr::WORD_COUNT) > q.max_words, r::MAX_WORDS),
        (
            get(attr::MEAN_WORD_LENGTH) < q.min_mean_word_length,
            r::MIN_MEAN_WORD_LENGTH,
        ),
        (
            get(attr::MEAN_WORD_LENGTH) > q.max_mean_word_length,
            r::MAX_MEAN_WORD_LENGTH,
        ),
        (
            get(attr::SYMBOL_WORD_RATIO) > q.max_symbol_word_ratio,
            r::SYMBOL_WORD_RATIO,
        ),
        (
            get(attr::BULLET_LINE_RATIO) > q.max_bullet_line_ratio,
            r::BULLET_LINES,
        ),
        (
            get(attr::ELLIPSIS_LINE_RATIO) > q.max_ellipsis_line_ratio,
            r::ELLIPSIS_LINES,
        ),
        (
            get(attr::ALPHA_WORD_RATIO) < q.min_alpha_word_ratio,
            r::ALPHA_WORDS,
        ),
        (get(attr::STOP_WORDS) < q.min_stop_words, r::STOP_WORDS),
        (
            get(attr::DUP_LINE_FRAC) > rep.max_dup_line_frac,
            r::DUP_LINE_FRAC,
        ),
        (
            get(attr::DUP_PARA_FRAC) > rep.max_dup_para_frac,
            r::DUP_PARA_FRAC,
        ),
        (
            get(attr::DUP_LINE_CHAR_FRAC) > rep.max_dup_line_char_frac,
            r::DUP_LINE_CHAR_FRAC,
        ),
        (
            get(attr::DUP_PARA_CHAR_FRAC) > rep.max_dup_para_char_frac,
            r::DUP_PARA_CHAR_FRAC,
        ),
    ];
    if let Some((_, reason)) = checks.iter().find(|(fail, _)| *fail) {
        return Some(reason);
    }
    ngrams(&get, t)
        .or_else(|| c4(&get, t))
        .or_else(|| fineweb(&get, t))
}

fn ngrams(get: &dyn Fn(&str) -> f64, t: &Thresholds) -> Option<&'static str> {
    let rep = &t.gopher_repetition;
    let top = attr::TOP_NGRAM
        .iter()
        .zip(rep.max_top_ngram)
        .zip(r::TOP_NGRAM);
    let dup = attr::DUP_NGRAM
        .iter()
        .zip(rep.max_dup_ngram)
        .zip(r::DUP_NGRAM);
    top.chain(dup)
        .find(|((a, max), _)| get(a) > *max)
        .map(|(_, reason)| reason)
}

fn c4(get: &dyn Fn(&str) -> f64, t: &Thresholds) -> Option<&'static str> {
    let c = &t.c4;
    [
        (get(attr::LOREM_IPSUM) > 0.0, r::LOREM_IPSUM),
        (get(attr::CURLY_BRACKET) > 0.0, r::CURLY_BRACKET),
        (
            get(attr::POLICY_LINE_RATIO) > c.max_policy_line_ratio,
            r::POLICY,
        ),
        (
            get(attr::JAVASCRIPT_LINE_RATIO) > c.max_javascript_line_ratio,
            r::JAVASCRIPT,
        ),
        (
            get(attr::TERMINAL_SENTENCES) < c.min_terminal_sentences,
            r::TERMINAL_PUNCT,
        ),
    ]
    .into_iter()
    .find(|(fail, _)| *fail)
    .map(|(_, reason)| reason)
}

fn fineweb(get: &dyn Fn(&str) -> f64, t: &Thresholds) -> Option<&'static str> {
    let f = &t.fineweb;
    [
        (
            get(attr::LINE_PUNCT_RATIO) < f.min_line_punct_ratio,
            r::LINE_PUNCT_RATIO,
        ),
        (
            get(attr::SHORT_LINE_RATIO) > f.max_short_line_ratio,
            r::SHORT_LINE_RATIO,
        ),
        (
            get(attr::DUP_LINE_CHAR_FRAC) > f.max_char_dup_ratio,
            r::CHAR_DUP_RATIO,
        ),
        (get(attr::LIST_RATIO) > f.max_list_ratio, r::LIST_RATIO),
    ]
    .into_iter()
    .find(|(fail, _)| *fail)
    .map(|(_, reason)| reason)
}

/// Every limit [`decide`] applies, in its order, as (attribute, side, value, reason); rules a
/// threshold file turns off (a minimum of 0) are left out. Reports draw these on the
/// signals' distributions.
pub fn limits(t: &Thresholds) -> Vec<(&'static str, Bound, f64, &'static str)> {
    use Bound::{Max, Min};
    let q = &t.gopher_quality;
    let rep = &t.gopher_repetition;
    let (c, f) = (&t.c4, &t.fineweb);
    let mut v = vec![
        (attr::WORD_COUNT, Min, q.min_words, r::MIN_WORDS),
        (attr::WORD_COUNT, Max, q.max_words, r::MAX_WORDS),
        (
            attr::MEAN_WORD_LENGTH,
            Min,
            q.min_mean_word_length,
            r::MIN_MEAN_WORD_LENGTH,
        ),
        (
            attr::MEAN_WORD_LENGTH,
            Max,
            q.max_mean_word_length,
            r::MAX_MEAN_WORD_LENGTH,
        ),
        (
            attr::SYMBOL_WORD_RATIO,
            Max,
            q.max_symbol_word_ratio,
            r::SYMBOL_WORD_RATIO,
        ),
        (
            attr::BULLET_LINE_RATIO,
            Max,
            q.max_bullet_line_ratio,
            r::BULLET_LINES,
        ),
        (
            attr::ELLIPSIS_LINE_RATIO,
            Max,
            q.max_ellipsis_line_ratio,
            r::ELLIPSIS_LINES,
        ),
        (
            attr::ALPHA_WORD_RATIO,
            Min,
            q.min_alpha_word_ratio,
            r::ALPHA_WORDS,
        ),
        (attr::STOP_WORDS, Min, q.min_stop_words, r::STOP_WORDS),
        (
            attr::DUP_LINE_FRAC,
            Max,
            rep.max_dup_line_frac,
            r::DUP_LINE_FRAC,
        ),
        (
            attr::DUP_PARA_FRAC,
            Max,
            rep.max_dup_para_frac,
            r::DUP_PARA_FRAC,
        ),
        (
            attr::DUP_LINE_CHAR_FRAC,
            Max,
            rep.max_dup_line_char_frac,
            r::DUP_LINE_CHAR_FRAC,
        ),
        (
            attr::DUP_PARA_CHAR_FRAC,
            Max,
            rep.max_dup_para_char_frac,
            r::DUP_PARA_CHAR_FRAC,
        ),
    ];
    for ((a, max), reason) in attr::TOP_NGRAM
        .iter()
        .zip(rep.max_top_ngram)
        .zip(r::TOP_NGRAM)
    {
        v.push((a, Max, max, reason));
    }
    for ((a, max), reason) in attr::DUP_NGRAM
        .iter()
        .zip(rep.max_dup_ngram)
        .zip(r::DUP_NGRAM)
    {
        v.push((a, Max, max, reason));
    }
    v.extend([
        (attr::LOREM_IPSUM, Max, 0.0, r::LOREM_IPSUM),
        (attr::CURLY_BRACKET, Max, 0.0, r::CURLY_BRACKET),
        (
            attr::POLICY_LINE_RATIO,
            Max,
            c.max_policy_line_ratio,
            r::POLICY,
        ),
        (
            attr::JAVASCRIPT_LINE_RATIO,
            Max,
            c.max_javascript_line_ratio,
            r::JAVASCRIPT,
        ),
        (
            attr::TERMINAL_SENTENCES,
            Min,
            c.min_terminal_sentences,
            r::TERMINAL_PUNCT,
        ),
        (
            attr::LINE_PUNCT_RATIO,
            Min,
            f.min_line_punct_ratio,
            r::LINE_PUNCT_RATIO,
        ),
        (
            attr::SHORT_LINE_RATIO,
            Max,
            f.max_short_line_ratio,
            r::SHORT_LINE_RATIO,
        ),
        (
            attr::DUP_LINE_CHAR_FRAC,
            Max,
            f.max_char_dup_ratio,
            r::CHAR_DUP_RATIO,
        ),
        (attr::LIST_RATIO, Max, f.max_list_ratio, r::LIST_RATIO),
    ]);
    v.retain(|(_, bound, value, _)| !(*bound == Min && *value <= 0.0));
    v
}
