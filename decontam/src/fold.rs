//! What a character becomes before benchmark text and documents are compared: one table
//! lookup per character that folds the differences a web copy introduces.
//!
//! Design decision: matching needs *a* canonical form, the same for the index and the scan,
//! not any one Unicode normal form; so each character is folded on its own, once, into a
//! table built at first use (the BMP; rarer characters are folded on the fly):
//!
//! - compatibility forms go (NFKD: full-width `Ａ１` → `A1`, ligatures, circled digits);
//! - case goes (lower case), and so do Latin diacritics (combining marks U+0300–036F and
//!   their kin are dropped after NFKD), so `Tiếng Việt`, its NFD spelling and the toneless
//!   `Tieng Viet` a copy may carry compare equal; `đ` → `d` for the same reason;
//! - letters of the scripts written without spaces (Thai, Lao, Khmer, Burmese, Han, kana)
//!   keep their composed (NFKC) form, which is what the ICU dictionaries segment;
//! - decimal digits of every script become ASCII digits (`๒๕๖๗`, `၁၂` → `2567`, `12`);
//! - apostrophes, zero-width joiners, soft hyphens and other format characters are dropped
//!   without splitting a word (`don't` = `dont`); every other punctuation, symbol, space and
//!   control character is a boundary.

use std::sync::OnceLock;

use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use icu_properties::props::GeneralCategory;
use icu_properties::CodePointMapData;

/// What a folded character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A letter or mark of a script written with spaces (Latin, Tamil, ...): part of a word.
    Word,
    /// A letter or mark of a script written without spaces (Thai, Lao, Khmer, Burmese, Han,
    /// kana): part of a run the word segmenter cuts.
    Spaceless,
    /// An ASCII digit (every script's digits are folded to one).
    Digit,
    /// Space, punctuation, symbol, control: ends a word.
    Boundary,
    /// Nothing: left out without ending a word (apostrophes, joiners, diacritics).
    Drop,
}

impl Class {
    fn code(self) -> u32 {
        match self {
            Class::Word => 0,
            Class::Spaceless => 1,
            Class::Digit => 2,
            Class::Boundary => 3,
            Class::Drop => 4,
        }
    }

    fn from_code(code: u32) -> Class {
        match code {
            0 => Class::Word,
            1 => Class::Spaceless,
            2 => Class::Digit,
            3 => Class::Boundary,
            _ => Class::Drop,
        }
    }
}

/// A table entry: one folded character (`char` in bits 0–20, class in 21–23) or, with bit 31
/// set, `len` (bits 24–30) characters at `index` (bits 0–23) of the overflow list.
const OVERFLOW: u32 = 1 << 31;

struct Table {
    bmp: Box<[u32]>,
    overflow: Vec<(char, Class)>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut bmp = vec![0u32; 0x1_0000].into_boxed_slice();
        let mut overflow = Vec::new();
        let mut out = Vec::with_capacity(8);
        for (cp, slot) in bmp.iter_mut().enumerate() {
            let Some(c) = char::from_u32(cp as u32) else {
                *slot = pack(' ', Class::Boundary);
                continue;
            };
            out.clear();
            fold_slow(c, &mut out);
            *slot = match out.as_slice() {
                [(f, class)] => pack(*f, *class),
                [] => pack('\0', Class::Drop),
                many => {
                    let index = overflow.len() as u32;
                    overflow.extend_from_slice(many);
                    OVERFLOW | (many.len() as u32) << 24 | index
                }
            };
        }
        Table { bmp, overflow }
    })
}

fn pack(c: char, class: Class) -> u32 {
    c as u32 | class.code() << 21
}

/// Call `f` with each folded character of `c` and its class (usually exactly one; none for
/// a dropped character; several for `ﬁ`, `①.`, `㍿`).
#[inline]
pub fn fold(c: char, mut f: impl FnMut(char, Class)) {
    let cp = c as u32;
    if cp < 0x80 {
        let b = cp as u8;
        match b {
            b'a'..=b'z' => f(c, Class::Word),
            b'A'..=b'Z' => f(c.to_ascii_lowercase(), Class::Word),
            b'0'..=b'9' => f(c, Class::Digit),
            b'\'' => {}
            _ => f(' ', Class::Boundary),
        }
        return;
    }
    if cp < 0x1_0000 {
        let t = table();
        let e = t.bmp[cp as usize];
        if e & OVERFLOW == 0 {
            let class = Class::from_code(e >> 21);
            if class != Class::Drop {
                // The packed value is a char by construction.
                f(char::from_u32(e & 0x1F_FFFF).unwrap_or(' '), class);
            }
        } else {
            let (index, len) = ((e & 0xFF_FFFF) as usize, ((e >> 24) & 0x7F) as usize);
            for &(c, class) in &t.overflow[index..index + len] {
                f(c, class);
            }
        }
        return;
    }
    let mut out = Vec::with_capacity(4);
    fold_slow(c, &mut out);
    for (c, class) in out {
        f(c, class);
    }
}

/// The folding rules themselves (what the table caches).
fn fold_slow(c: char, out: &mut Vec<(char, Class)>) {
    // Thai and Lao SARA AM stay whole: NFKC would split them into NIKHAHIT + AA, which the
    // dictionaries do not know (a copy that types the two is recomposed by the tokenizer).
    if matches!(c, '\u{0E33}' | '\u{0EB3}') {
        out.push((c, Class::Spaceless));
        return;
    }
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let composed: Vec<char> = nfkc.normalize_iter(std::iter::once(c)).collect();
    if !composed.is_empty() && composed.iter().all(|&k| is_spaceless(k)) {
        out.extend(composed.into_iter().map(|k| (k, Class::Spaceless)));
        return;
    }
    let nfkd = DecomposingNormalizerBorrowed::new_nfkd();
    for d in nfkd.normalize_iter(std::iter::once(c)) {
        for l in d.to_lowercase() {
            let class = classify(l);
            let l = match (l, class) {
                ('\u{0111}', _) => 'd',
                (_, Class::Digit) => ascii_digit(l),
                _ => l,
            };
            if class != Class::Drop {
                out.push((l, class));
            }
        }
    }
}

fn classify(c: char) -> Class {
    if matches!(c, '\'' | '\u{2019}' | '\u{02BC}') {
        return Class::Drop;
    }
    let gc = CodePointMapData::<GeneralCategory>::new().get(c);
    use GeneralCategory as G;
    match gc {
        G::Format if c == '\u{200B}' => Class::Boundary,
        G::Format => Class::Drop,
        G::NonspacingMark | G::SpacingMark | G::EnclosingMark if is_diacritic(c) => Class::Drop,
        G::DecimalNumber => Class::Digit,
        G::UppercaseLetter
        | G::LowercaseLetter
        | G::TitlecaseLetter
        | G::ModifierLetter
        | G::OtherLetter
        | G::NonspacingMark
        | G::SpacingMark
        | G::EnclosingMark
        | G::LetterNumber
        | G::OtherNumber => {
            if is_spaceless(c) {
                Class::Spaceless
            } else {
                Class::Word
            }
        }
        _ => Class::Boundary,
    }
}

/// Combining marks that decorate Latin, Greek and Cyrillic letters (dropped).
fn is_diacritic(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Letters and marks of the scripts written without spaces between words.
pub fn is_spaceless(c: char) -> bool {
    if segment::script_of(c).is_some_and(|s| s.is_spaceless()) {
        return true;
    }
    // Kana, the iteration and closing marks, and CJK ideographic number zero.
    matches!(c as u32, 0x3005..=0x3007 | 0x3031..=0x3035 | 0x3041..=0x30FF | 0x31F0..=0x31FF)
}

/// The ASCII digit of a decimal digit of any script: Unicode lays each script's digits out
/// as ten consecutive code points from zero.
fn ascii_digit(c: char) -> char {
    let gc = CodePointMapData::<GeneralCategory>::new();
    let mut zero = c as u32;
    while zero > 0 && gc.get32(zero - 1) == GeneralCategory::DecimalNumber && c as u32 - zero < 9 {
        zero -= 1;
    }
    char::from_digit((c as u32 - zero) % 10, 10).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> String {
        let mut s = String::new();
        for c in text.chars() {
            fold(c, |f, class| match class {
                Class::Boundary => s.push('|'),
                Class::Drop => {}
                _ => s.push(f),
            });
        }
        s
    }

    #[test]
    fn full_width_and_case_fold_to_ascii() {
        assert_eq!(folded("ＡＢＣ１２３"), "abc123");
        assert_eq!(folded("Ｑｕｅｓｔｉｏｎ？"), "question|");
    }

    #[test]
    fn latin_diacritics_go_in_any_spelling() {
        let nfc = "Tiếng Việt đẹp";
        let nfd: String = DecomposingNormalizerBorrowed::new_nfd()
            .normalize(nfc)
            .into_owned();
        assert_ne!(nfc, nfd);
        assert_eq!(folded(nfc), "tieng|viet|dep");
        assert_eq!(folded(&nfd), "tieng|viet|dep");
    }

    #[test]
    fn digits_of_every_script_are_ascii() {
        assert_eq!(folded("๒๕๖๗"), "2567");
        assert_eq!(folded("၁၂"), "12");
        assert_eq!(folded("១០"), "10");
        assert_eq!(folded("௧௯"), "19");
        assert_eq!(folded("①"), "1");
    }

    #[test]
    fn spaceless_scripts_keep_composed_letters() {
        let mut classes = Vec::new();
        for c in "ทำ ဦ 人".chars() {
            fold(c, |f, class| classes.push((f, class)));
        }
        assert_eq!(classes[0], ('ท', Class::Spaceless));
        assert_eq!(classes[1], ('\u{0E33}', Class::Spaceless));
        assert_eq!(classes[3], ('ဦ', Class::Spaceless));
        assert_eq!(classes[5], ('人', Class::Spaceless));
        // Han compatibility ideographs fold to the unified one.
        let mut f = Vec::new();
        fold('\u{F900}', |c, _| f.push(c));
        assert_eq!(f, ['\u{8C48}']);
    }

    #[test]
    fn apostrophes_and_joiners_do_not_split() {
        assert_eq!(folded("don't don’t"), "dont|dont");
        assert_eq!(folded("a\u{200D}b\u{00AD}c"), "abc");
        assert_eq!(folded("a\u{200B}b"), "a|b");
    }

    #[test]
    fn tamil_marks_stay_in_the_word() {
        assert_eq!(folded("மனிதக் குடும்பம்"), "மனிதக்|குடும்பம்");
    }
}
