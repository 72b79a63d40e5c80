//! Words and sentences for every SEA script.
//!
//! The one decision: a single ICU4X word segmenter with its *dictionary* data does all
//! scripts at once — UAX #29 word boundaries for space-separated scripts (Latin, Vietnamese,
//! Tamil, ...) and ICU's dictionaries for the scripts written without spaces (Thai, Lao,
//! Khmer, Burmese, Chinese). The dictionaries are what ICU4C's `BreakIterator` uses, so
//! counts match ICU's reference segmentation, and they are several times faster than the
//! LSTM models; mixed-script text needs no detection step first.
//!
//! Sentences are split on lines and on each script's terminal marks (see
//! [`TERMINAL_MARKS`]), plus Thai and Lao's space-as-sentence-break.

mod fast;
mod script;
mod sentence;

pub use script::{dominant_script, script_of, Script};
pub use sentence::{ends_with_terminal, sentences, Sentences, TERMINAL_MARKS};

use std::sync::OnceLock;

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};

fn segmenter() -> WordSegmenterBorrowed<'static> {
    static SEGMENTER: OnceLock<WordSegmenterBorrowed<'static>> = OnceLock::new();
    *SEGMENTER.get_or_init(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()))
}

/// The word-like segments of `text` (letters, ideographs, numbers), in order; spaces and
/// punctuation are skipped.
///
/// A segment is word-like when it holds a letter or digit. ICU4X's own word type is not
/// used: it reports a Tamil word ending in a virama (`மனிதக்`) as not word-like, where
/// ICU4C's rule status says letter.
pub fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    Segments::of(text).filter(|segment| segment.chars().any(char::is_alphanumeric))
}

/// Every segment of `text` in order, word-like or not (what [`words`] filters): for callers
/// whose text holds only letters, where the filter's check per segment is wasted.
pub fn segments(text: &str) -> impl Iterator<Item = &str> + '_ {
    Segments::of(text)
}

/// The non-empty segments between word boundaries: from [`fast::segments`] when the text
/// qualifies, else from ICU4X.
enum Segments<'t> {
    Fast(std::vec::IntoIter<&'t str>),
    Icu {
        text: &'t str,
        start: usize,
        breaks:
            icu_segmenter::iterators::WordBreakIterator<'static, 't, icu_segmenter::scaffold::Utf8>,
    },
}

impl<'t> Segments<'t> {
    fn of(text: &'t str) -> Self {
        match fast::segments(text) {
            Some(all) => Segments::Fast(all.into_iter()),
            None => Segments::Icu {
                text,
                start: 0,
                breaks: segmenter().segment_str(text),
            },
        }
    }
}

impl<'t> Iterator for Segments<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        match self {
            Segments::Fast(all) => all.next(),
            Segments::Icu {
                text,
                start,
                breaks,
            } => loop {
                let end = breaks.next()?;
                let segment = &text[*start..end];
                *start = end;
                if !segment.is_empty() {
                    return Some(segment);
                }
            },
        }
    }
}

/// The segments ICU4X alone finds (the reference [`fast::segments`] is tested against).
#[doc(hidden)]
pub fn icu_segments(text: &str) -> Vec<&str> {
    let mut start = 0;
    segmenter()
        .segment_str(text)
        .filter_map(|end| {
            let segment = &text[start..end];
            start = end;
            (!segment.is_empty()).then_some(segment)
        })
        .collect()
}

/// The segments [`fast::segments`] finds, `None` when the text goes to ICU4X.
#[doc(hidden)]
pub fn fast_segments(text: &str) -> Option<Vec<&str>> {
    fast::segments(text)
}

/// How many word-like segments [`words`] yields.
pub fn word_count(text: &str) -> usize {
    words(text).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_text_splits_on_spaces_and_punctuation() {
        let w: Vec<&str> = words("Semua orang dilahirkan merdeka, 2 kali.").collect();
        assert_eq!(w, ["Semua", "orang", "dilahirkan", "merdeka", "2", "kali"]);
    }

    #[test]
    fn thai_is_split_into_dictionary_words() {
        // ICU4X's own documented example: "ทุกสองสัปดาห์" = ทุก | สอง | สัปดาห์.
        let w: Vec<&str> = words("ทุกสองสัปดาห์").collect();
        assert_eq!(w, ["ทุก", "สอง", "สัปดาห์"]);
    }

    #[test]
    fn chinese_is_split_into_dictionary_words() {
        let w: Vec<&str> = words("人人生而自由，在尊严和权利上一律平等。").collect();
        assert!(w.len() >= 8 && w.len() <= 14, "{w:?}");
        assert!(w.contains(&"自由") && w.contains(&"权利"), "{w:?}");
    }

    #[test]
    fn tamil_words_ending_in_virama_count() {
        // Regression: ICU4X's word type says "none" for `மனிதக்` (ends in U+0BCD virama).
        let w: Vec<&str> = words("மனிதக் குடும்பத்தினைச் சேர்ந்த யாவரதும்,").collect();
        assert_eq!(w, ["மனிதக்", "குடும்பத்தினைச்", "சேர்ந்த", "யாவரதும்"]);
    }

    #[test]
    fn segments_are_words_and_the_rest() {
        let s: Vec<&str> = segments("ทุกสองสัปดาห์ 12").collect();
        assert_eq!(s, ["ทุก", "สอง", "สัปดาห์", " ", "12"]);
        assert_eq!(segments("").count(), 0);
    }

    #[test]
    fn empty_and_punctuation_only_have_no_words() {
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count(" ... !!! — "), 0);
    }
}
