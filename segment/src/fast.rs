//! Unicode word boundaries (UAX #29) without the rule machine, for the text most documents
//! are: scripts written with spaces, no combining marks.
//!
//! Design decision: ICU4X's rule iterator is the reference and stays the only segmenter of
//! anything unusual. Text qualifies for this path only when every character is in a
//! space-separated script's block (Latin, Greek, Cyrillic, Armenian, Latin Extended
//! Additional, general punctuation, currency and letterlike symbols) and has one of the
//! Word_Break values the rules below cover; a combining mark, a format character, ZWJ, an
//! emoji, a Hebrew letter, kana, any dictionary script sends the whole text to ICU4X. The
//! rules are UAX #29's WB3–WB13b restricted to those values, with the property values read
//! from ICU4X's own data; the tests compare both paths on real text in every script and on
//! random strings built from every class.

use icu_properties::props::WordBreak;
use icu_properties::CodePointMapData;

/// The classes the rules distinguish.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Class {
    Other,
    Letter,
    Numeric,
    /// MidLetter.
    MidLetter,
    /// MidNum.
    MidNum,
    /// MidNumLet and Single_Quote (the same to these rules without Hebrew letters).
    MidNumLet,
    ExtendNumLet,
    Space,
    Cr,
    Lf,
    Newline,
}

/// The class of `c`, or `None` when the text must go to ICU4X.
#[inline]
fn class(c: char) -> Option<Class> {
    let cp = c as u32;
    let allowed = cp < 0x0590
        || (0x1E00..0x1F00).contains(&cp)
        || (0x2000..0x2070).contains(&cp)
        || (0x20A0..0x20D0).contains(&cp)
        || (0x2100..0x2150).contains(&cp);
    if !allowed {
        return None;
    }
    let wb = CodePointMapData::<WordBreak>::new().get(c);
    Some(match wb {
        WordBreak::Other => Class::Other,
        WordBreak::ALetter => Class::Letter,
        WordBreak::Numeric => Class::Numeric,
        WordBreak::MidLetter => Class::MidLetter,
        WordBreak::MidNum => Class::MidNum,
        WordBreak::MidNumLet | WordBreak::SingleQuote => Class::MidNumLet,
        WordBreak::ExtendNumLet => Class::ExtendNumLet,
        WordBreak::WSegSpace => Class::Space,
        WordBreak::CR => Class::Cr,
        WordBreak::LF => Class::Lf,
        WordBreak::Newline => Class::Newline,
        // Double quotes join only around Hebrew letters, which are not here.
        WordBreak::DoubleQuote => Class::Other,
        _ => return None,
    })
}

/// Classes of the ASCII characters (from the same data).
fn ascii_classes() -> &'static [Class; 128] {
    static TABLE: std::sync::OnceLock<[Class; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [Class::Other; 128];
        for (b, slot) in t.iter_mut().enumerate() {
            *slot = class(b as u8 as char).unwrap_or(Class::Other);
        }
        t
    })
}

/// Every segment of `text` between UAX #29 word boundaries, in order, or `None` when the
/// text has a character this path does not cover.
pub(crate) fn segments(text: &str) -> Option<Vec<&str>> {
    let ascii = ascii_classes();
    if !text.is_ascii() && text.chars().any(|c| !c.is_ascii() && class(c).is_none()) {
        return None;
    }
    let of = |c: char| {
        if c.is_ascii() {
            ascii[c as usize]
        } else {
            class(c).unwrap_or(Class::Other)
        }
    };
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut chars = text.char_indices().map(|(i, c)| (i, of(c)));
    let Some(first) = chars.next() else {
        return Some(out);
    };
    // The window: the class before `a`, `a`, `b` (with its offset), and the one after `b`.
    let (mut before, mut a) = (None, first.1);
    let mut next = chars.next();
    let mut start = 0;
    while let Some((at, b)) = next {
        next = chars.next();
        if breaks(before, a, b, next.map(|(_, k)| k)) {
            out.push(&text[start..at]);
            start = at;
        }
        before = Some(a);
        a = b;
    }
    out.push(&text[start..]);
    Some(out)
}

/// Is there a boundary between `a` and `b` (`before` precedes `a`, `after` follows `b`)?
#[inline]
fn breaks(before: Option<Class>, a: Class, b: Class, after: Option<Class>) -> bool {
    use Class::*;
    let mid_letter = |k: Class| matches!(k, MidLetter | MidNumLet);
    let mid_num = |k: Class| matches!(k, MidNum | MidNumLet);
    match (a, b) {
        // WB3, WB3a, WB3b.
        (Cr, Lf) => false,
        (Cr | Lf | Newline, _) | (_, Cr | Lf | Newline) => true,
        // WB3d.
        (Space, Space) => false,
        // WB5, WB8, WB9, WB10.
        (Letter | Numeric, Letter | Numeric) => false,
        // WB6, WB12.
        (Letter, m) if mid_letter(m) && after == Some(Letter) => false,
        (Numeric, m) if mid_num(m) && after == Some(Numeric) => false,
        // WB7, WB11.
        (m, Letter) if mid_letter(m) && before == Some(Letter) => false,
        (m, Numeric) if mid_num(m) && before == Some(Numeric) => false,
        // WB13a, WB13b.
        (Letter | Numeric | ExtendNumLet, ExtendNumLet) => false,
        (ExtendNumLet, Letter | Numeric) => false,
        // WB999.
        _ => true,
    }
}
