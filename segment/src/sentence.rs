//! Sentence splitting that knows the SEA sentence marks. A line break always ends a
//! sentence; inside a line a sentence ends after a terminal mark (`.` `!` `?` only when
//! followed by a space or the end, so `3.5` and `www.x.id` stay whole; `。` `！` `？`
//! `။` `។` `៕` `๚` `๛` always), and in Thai and Lao a space between two letters of the
//! script is a sentence break, as those scripts write it.

use crate::script::{script_of, Script};

/// Characters that end a sentence in the 13 SEA-LION languages' scripts, plus closing
/// quotes (C4 treats a line ending in `"` as terminated).
pub const TERMINAL_MARKS: &[char] = &[
    '.', '!', '?', '"', '”', '’', '…', '。', '！', '？', '．', '」', '』', '။', '។', '៕', '๚', '๛',
    '।', '॥',
];

/// Marks that end a sentence even without a following space.
const HARD_MARKS: &[char] = &['。', '！', '？', '။', '។', '៕', '๚', '๛'];

/// Whether `line` (trailing spaces ignored) ends in a terminal mark of any script.
pub fn ends_with_terminal(line: &str) -> bool {
    line.trim_end()
        .chars()
        .next_back()
        .is_some_and(|c| TERMINAL_MARKS.contains(&c))
}

/// The sentences of `text`, trimmed, empty ones skipped.
pub fn sentences(text: &str) -> Sentences<'_> {
    Sentences { rest: text }
}

/// Iterator returned by [`sentences`].
#[derive(Debug, Clone)]
pub struct Sentences<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Sentences<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let end = sentence_end(self.rest);
            let (head, tail) = self.rest.split_at(end);
            self.rest = tail;
            let s = head.trim();
            if !s.is_empty() {
                return Some(s);
            }
        }
    }
}

/// Byte offset just past the first sentence of `text` (its whole length when none ends).
fn sentence_end(text: &str) -> usize {
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let after = i + c.len_utf8();
        if c == '\n' || HARD_MARKS.contains(&c) {
            return after;
        }
        if matches!(c, '.' | '!' | '?' | '…') && next.is_none_or(char::is_whitespace) {
            return after;
        }
        if c == ' ' && is_thai_lao(prev) && is_thai_lao(next) {
            return after;
        }
        prev = Some(c);
    }
    text.len()
}

fn is_thai_lao(c: Option<char>) -> bool {
    c.and_then(script_of)
        .is_some_and(|s| matches!(s, Script::Thai | Script::Lao))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_sentences_keep_decimals() {
        let s: Vec<&str> =
            sentences("Harga naik 3.5 persen. Apa kabar? Baik!\nBaris dua").collect();
        assert_eq!(
            s,
            ["Harga naik 3.5 persen.", "Apa kabar?", "Baik!", "Baris dua"]
        );
    }

    #[test]
    fn sea_marks_end_sentences() {
        let mya: Vec<&str> = sentences("လူတိုင်းသည် လွတ်လပ်စွာ။ ထိုနည်းတူ။").collect();
        assert_eq!(mya, ["လူတိုင်းသည် လွတ်လပ်စွာ။", "ထိုနည်းတူ။"]);
        let khm: Vec<&str> = sentences("មនុស្សទាំងអស់។មនុស្ស៕").collect();
        assert_eq!(khm, ["មនុស្សទាំងអស់។", "មនុស្ស៕"]);
        let zho: Vec<&str> = sentences("人人生而自由。他们赋有理性！").collect();
        assert_eq!(zho, ["人人生而自由。", "他们赋有理性！"]);
    }

    #[test]
    fn thai_space_is_a_sentence_break() {
        let s: Vec<&str> = sentences("มนุษย์ทั้งหลายเกิดมามีอิสระ ต่างมีเหตุผล ปี 2019").collect();
        assert_eq!(s, ["มนุษย์ทั้งหลายเกิดมามีอิสระ", "ต่างมีเหตุผล", "ปี 2019"]);
    }

    #[test]
    fn terminal_line_endings() {
        assert!(ends_with_terminal("Ia pergi.  "));
        assert!(ends_with_terminal("ထိုနည်းတူ။"));
        assert!(ends_with_terminal("“Kutipan.”"));
        assert!(!ends_with_terminal("Home | About"));
        assert!(!ends_with_terminal(""));
    }
}
