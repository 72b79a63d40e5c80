//! Which script a text is mostly written in, by counting letters in each script's Unicode
//! blocks: the quality rules pick terminal marks and defaults by script, and a page's
//! script is cheaper to know than its language.

/// A writing system: the seven of the 13 SEA-LION languages, the ones language ID tells
/// apart from them, and `Other`. Named by its ISO 15924 code ([`Script::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    Latin,
    Thai,
    Lao,
    Khmer,
    Myanmar,
    Tamil,
    Han,
    /// Han with kana (Japanese), or kana alone.
    Japanese,
    Hangul,
    Cyrillic,
    Arabic,
    Devanagari,
    Greek,
    /// Letters of any other script.
    Other,
}

impl Script {
    /// Every script, in declaration order (`ALL[s as usize] == s`).
    pub const ALL: [Script; 14] = [
        Script::Latin,
        Script::Thai,
        Script::Lao,
        Script::Khmer,
        Script::Myanmar,
        Script::Tamil,
        Script::Han,
        Script::Japanese,
        Script::Hangul,
        Script::Cyrillic,
        Script::Arabic,
        Script::Devanagari,
        Script::Greek,
        Script::Other,
    ];

    /// Whether words in this script are written without spaces between them.
    pub fn is_spaceless(self) -> bool {
        matches!(
            self,
            Script::Thai | Script::Lao | Script::Khmer | Script::Myanmar | Script::Han
        )
    }

    /// The ISO 15924 code (`Latn`, `Thai`, `Hani`, `Jpan`, ...); `Zyyy` for [`Script::Other`].
    pub fn code(self) -> &'static str {
        match self {
            Script::Latin => "Latn",
            Script::Thai => "Thai",
            Script::Lao => "Laoo",
            Script::Khmer => "Khmr",
            Script::Myanmar => "Mymr",
            Script::Tamil => "Taml",
            Script::Han => "Hani",
            Script::Japanese => "Jpan",
            Script::Hangul => "Hang",
            Script::Cyrillic => "Cyrl",
            Script::Arabic => "Arab",
            Script::Devanagari => "Deva",
            Script::Greek => "Grek",
            Script::Other => "Zyyy",
        }
    }
}

/// The script of one character for word segmentation and quality rules, or `None` for
/// characters that are not letters or marks (digits, punctuation, spaces, symbols). Coarse:
/// only the seven SEA scripts are told apart, every other letter is `Other` (language ID
/// tells more apart, with its own table).
pub fn script_of(c: char) -> Option<Script> {
    let script = match c as u32 {
        0x41..=0x5A | 0x61..=0x7A => Script::Latin,
        0x80..=0x24F | 0x1E00..=0x1EFF if c.is_alphabetic() => Script::Latin,
        0x0E00..=0x0E7F => Script::Thai,
        0x0E80..=0x0EFF => Script::Lao,
        0x1780..=0x17FF | 0x19E0..=0x19FF => Script::Khmer,
        0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F => Script::Myanmar,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
        0x0B80..=0x0BFF => Script::Tamil,
        _ if c.is_alphabetic() => Script::Other,
        _ => return None,
    };
    // Digits and punctuation inside the script blocks (Thai digits, ๚, ។, ။) are not letters.
    if c.is_alphabetic() || is_combining_mark(c) {
        Some(script)
    } else {
        None
    }
}

/// Vowel signs and viramas of the Brahmic scripts are marks, not `alphabetic()` in every
/// case; they still belong to their script.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E
        | 0x0EB1 | 0x0EB4..=0x0EBC | 0x0EC8..=0x0ECE
        | 0x17B4..=0x17D3 | 0x102B..=0x103E | 0x0BBE..=0x0BCD)
}

/// The scripts [`script_of`] returns, in the order that breaks a tie in [`dominant_script`].
const COARSE: [Script; 8] = [
    Script::Latin,
    Script::Thai,
    Script::Lao,
    Script::Khmer,
    Script::Myanmar,
    Script::Han,
    Script::Tamil,
    Script::Other,
];

/// The script with the most letters in `text` by [`script_of`] (`Other` when there are
/// none; on a tie, the first in `Latin, Thai, Lao, Khmer, Myanmar, Han, Tamil, Other`).
pub fn dominant_script(text: &str) -> Script {
    let mut counts = [0usize; COARSE.len()];
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_alphabetic() {
            continue;
        }
        if let Some(s) = script_of(c) {
            if let Some(i) = COARSE.iter().position(|&k| k == s) {
                counts[i] += 1;
            }
        }
    }
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))
        .unwrap_or((COARSE.len() - 1, &0));
    if *n == 0 {
        Script::Other
    } else {
        COARSE[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_script_with_most_letters() {
        assert_eq!(
            dominant_script("ข้อ 1 มนุษย์ทั้งหลายเกิดมามีอิสระ (UDHR)"),
            Script::Thai
        );
        assert_eq!(dominant_script("Điều 1. Tất cả mọi người"), Script::Latin);
        assert_eq!(dominant_script("人人生而自由 UN"), Script::Han);
        assert_eq!(dominant_script("ប្រការ ១"), Script::Khmer);
        assert_eq!(dominant_script("အပိုဒ် ၁"), Script::Myanmar);
        assert_eq!(dominant_script("ມາດຕາ 1"), Script::Lao);
        assert_eq!(dominant_script("உறுப்புரை 1"), Script::Tamil);
        assert_eq!(dominant_script("Статья 1"), Script::Other);
        assert_eq!(dominant_script("123 !!"), Script::Other);
    }

    #[test]
    fn spaceless_scripts() {
        assert!(Script::Thai.is_spaceless() && Script::Han.is_spaceless());
        assert!(!Script::Latin.is_spaceless() && !Script::Tamil.is_spaceless());
    }
}
