//! The GPT-4-family split regex (Llama 3, Qwen 2.5/3) as a hand-written scanner.
//!
//! Design decision: instead of running the pattern
//! `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,K}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
//! through a backtracking engine (what makes Hugging Face slow), each alternative is decided
//! by looking at most two characters ahead, in the pattern's own order, and the character
//! classes come from `regex-syntax`'s Unicode tables (`\p{L}`, `\p{N}`, `\s` = White_Space).
//! Every piece is exactly what Oniguruma's leftmost-first `find_iter` returns; the pattern
//! covers every character, so there are no gaps between matches.

use regex_syntax::hir::{Class, HirKind};

/// The split pattern of Llama 3 / 3.1 (and tiktoken's cl100k): digits in runs of up to 3.
pub(crate) const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// The split pattern of Qwen 2.5 / 3: every digit on its own.
pub(crate) const QWEN2_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cls {
    Other = 0,
    Letter = 1,
    Number = 2,
    Space = 3,
}

/// Character classes: a table for the Basic Multilingual Plane, sorted ranges above it.
#[derive(Debug, Clone)]
struct Classes {
    bmp: Vec<u8>,
    astral: Vec<(u32, u32, Cls)>,
}

impl Classes {
    fn new() -> Self {
        let mut ranges = Vec::new();
        for (pattern, cls) in [
            (r"\p{L}", Cls::Letter),
            (r"\p{N}", Cls::Number),
            (r"\s", Cls::Space),
        ] {
            ranges.extend(
                unicode_ranges(pattern)
                    .into_iter()
                    .map(|(a, b)| (a, b, cls)),
            );
        }
        let mut bmp = vec![Cls::Other as u8; 0x10000];
        let mut astral = Vec::new();
        for &(a, b, cls) in &ranges {
            for cp in a..=b.min(0xFFFF) {
                bmp[cp as usize] = cls as u8;
            }
            if b > 0xFFFF {
                astral.push((a.max(0x10000), b, cls));
            }
        }
        astral.sort_unstable_by_key(|r| r.0);
        Classes { bmp, astral }
    }

    #[inline]
    fn of(&self, c: char) -> Cls {
        let cp = c as u32;
        if cp < 0x10000 {
            return match self.bmp[cp as usize] {
                1 => Cls::Letter,
                2 => Cls::Number,
                3 => Cls::Space,
                _ => Cls::Other,
            };
        }
        let i = self.astral.partition_point(|r| r.1 < cp);
        match self.astral.get(i) {
            Some(&(a, _, cls)) if a <= cp => cls,
            _ => Cls::Other,
        }
    }
}

/// The code point ranges of a one-class pattern such as `\p{L}`.
fn unicode_ranges(pattern: &str) -> Vec<(u32, u32)> {
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .expect("built-in class pattern");
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        _ => Vec::new(),
    }
}

/// Splits text into the pieces the pattern matches.
#[derive(Debug, Clone)]
pub(crate) struct Splitter {
    classes: Classes,
    max_digits: usize,
}

#[inline]
fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|t| t.chars().next())
}

impl Splitter {
    /// The scanner for one of the supported patterns, or `None` for any other pattern.
    pub(crate) fn for_pattern(pattern: &str) -> Option<Self> {
        let max_digits = match pattern {
            LLAMA3_PATTERN => 3,
            QWEN2_PATTERN => 1,
            _ => return None,
        };
        Some(Splitter {
            classes: Classes::new(),
            max_digits,
        })
    }

    /// Calls `f` on each piece of `text`, in order.
    #[inline]
    pub(crate) fn for_each_piece<'t>(&self, text: &'t str, mut f: impl FnMut(&'t str)) {
        let mut i = 0;
        while i < text.len() {
            let end = self.piece_end(text, i);
            f(&text[i..end]);
            i = end;
        }
    }

    /// The end of the match starting at `i` (a char boundary before the end of `s`).
    fn piece_end(&self, s: &str, i: usize) -> usize {
        let c = char_at(s, i).unwrap_or('\0');
        let after = i + c.len_utf8();
        let cls = self.classes.of(c);
        if c == '\'' {
            if let Some(end) = contraction_end(s, after) {
                return end;
            }
        }
        let next = char_at(s, after);
        let next_cls = next.map(|n| self.classes.of(n));
        if cls == Cls::Letter {
            return self.run_end(s, after, Cls::Letter);
        }
        if c != '\r' && c != '\n' && cls != Cls::Number && next_cls == Some(Cls::Letter) {
            return self.run_end(s, after, Cls::Letter);
        }
        if cls == Cls::Number {
            return self.digits_end(s, after);
        }
        if c == ' ' && next_cls == Some(Cls::Other) {
            return self.other_end(s, after);
        }
        if cls == Cls::Other {
            return self.other_end(s, i);
        }
        self.space_end(s, i)
    }

    fn run_end(&self, s: &str, mut i: usize, cls: Cls) -> usize {
        for c in s[i..].chars() {
            if self.classes.of(c) != cls {
                break;
            }
            i += c.len_utf8();
        }
        i
    }

    fn digits_end(&self, s: &str, mut i: usize) -> usize {
        for c in s[i..].chars().take(self.max_digits - 1) {
            if self.classes.of(c) != Cls::Number {
                break;
            }
            i += c.len_utf8();
        }
        i
    }

    /// ` ?[^\s\p{L}\p{N}]+[\r\n]*` from the first "other" character at `i`.
    fn other_end(&self, s: &str, i: usize) -> usize {
        let mut end = self.run_end(s, i, Cls::Other);
        end += s[end..]
            .bytes()
            .take_while(|&b| b == b'\r' || b == b'\n')
            .count();
        end
    }

    /// `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace character.
    fn space_end(&self, s: &str, i: usize) -> usize {
        let mut end = i;
        let mut last_start = i;
        let mut after_newline = None;
        for c in s[i..].chars() {
            if self.classes.of(c) != Cls::Space {
                break;
            }
            last_start = end;
            end += c.len_utf8();
            if c == '\r' || c == '\n' {
                after_newline = Some(end);
            }
        }
        if let Some(e) = after_newline {
            e
        } else if end == s.len() || last_start == i {
            end
        } else {
            last_start
        }
    }
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` after the apostrophe at `i`; Oniguruma folds `ſ` to `s`.
fn contraction_end(s: &str, i: usize) -> Option<usize> {
    let mut chars = s[i..].chars();
    let first = chars.next()?;
    let second = chars.next().map(|c| c.to_ascii_lowercase());
    let one = i + first.len_utf8();
    match (first.to_ascii_lowercase(), second) {
        ('s' | 'ſ' | 't' | 'm' | 'd', _) => Some(one),
        ('r' | 'v', Some('e')) | ('l', Some('l')) => Some(one + 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        let splitter = Splitter::for_pattern(LLAMA3_PATTERN).unwrap();
        let mut out = Vec::new();
        splitter.for_each_piece(text, |p| out.push(p));
        out
    }

    #[test]
    fn splits_like_the_pattern() {
        assert_eq!(
            pieces("Hello world's 12345 ok!!\n\n  x  \n"),
            ["Hello", " world", "'s", " ", "123", "45", " ok", "!!\n\n", " ", " x", "  \n"]
        );
        assert_eq!(pieces("a  b"), ["a", " ", " b"]);
        assert_eq!(pieces("a \tb  "), ["a", " ", "\tb", "  "]);
        assert_eq!(pieces("'RE 'x"), ["'RE", " '", "x"]);
        assert_eq!(pieces("ภาษาไทย ๑๒๓๔"), ["ภาษาไทย", " ", "๑๒๓", "๔"]);
    }

    #[test]
    fn other_patterns_are_not_supported() {
        assert!(Splitter::for_pattern(r"\s+").is_none());
        let qwen = Splitter::for_pattern(QWEN2_PATTERN).unwrap();
        let mut out = Vec::new();
        qwen.for_each_piece("x 123", |p| out.push(p));
        assert_eq!(out, ["x", " ", "1", "2", "3"]);
    }
}
