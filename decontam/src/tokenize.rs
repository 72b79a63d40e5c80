//! Text → words, each as a 64-bit hash with its byte span in the text.
//!
//! Design decision: two kinds of runs, one pass. In scripts written with spaces a word is a
//! maximal run of folded letters and digits ([`crate::fold`]): splitting on everything else
//! is what ICU's word rules give there, at a fraction of the cost; a lone Latin letter (an
//! option label, `A.`) is no word. In the scripts written without spaces (Thai, Lao, Khmer,
//! Burmese, Chinese) the run of letters goes on across spaces and punctuation, which are
//! left out, up to a line break, a digit or a letter of another script, and the `segment`
//! crate's ICU dictionaries cut it into words: a copy that adds, drops or moves spaces and
//! punctuation (Thai phrase spaces, Chinese full stops) is segmented as the original was. Burmese in the
//! Zawgyi encoding is converted to Unicode first, line by line (so a Zawgyi paragraph
//! pasted into a Unicode page is caught).

use std::borrow::Cow;

use crate::fold::{fold, Class};

/// One word: its hash and where it is in the (possibly Zawgyi-converted) text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub hash: u64,
    /// Byte offsets of the word's first character and just past its last.
    pub start: u32,
    pub end: u32,
    /// Folded characters in the word.
    pub letters: u32,
    /// Whether it was cut from a spaceless run (by the dictionaries).
    pub run: bool,
}

/// Bumped whenever a change here or in [`crate::fold`] changes which hashes a text gives, so
/// an index built by another version is refused instead of silently matching nothing.
pub const TOKENIZER_VERSION: u32 = 2;

/// The spaced word being read.
#[derive(Debug, Default)]
struct Word {
    hash: u64,
    start: u32,
    end: u32,
    chars: u32,
    /// Whether its one character is a Latin letter written as one (ASCII or full-width).
    letter: bool,
}

impl Word {
    #[inline]
    fn push(&mut self, folded: char, source: char, start: u32, end: u32) {
        if self.chars == 0 {
            self.hash = FNV_OFFSET;
            self.start = start;
            self.letter = folded.is_ascii_lowercase()
                && (source.is_ascii_alphabetic() || ('\u{FF21}'..='\u{FF5A}').contains(&source));
        }
        self.hash = step(self.hash, folded);
        self.chars += 1;
        self.end = end;
    }

    /// Emit the word, unless it is a lone Latin letter: option labels (`A.`, `(b)`) and the
    /// English article are left out, so a copy that labels its options reads as the
    /// benchmark's fields one after the other.
    #[inline]
    fn end(&mut self) -> Option<Token> {
        let t = (self.chars > 0 && !(self.chars == 1 && self.letter)).then(|| Token {
            hash: mix(self.hash),
            start: self.start,
            end: self.end,
            letters: self.chars,
            run: false,
        });
        self.chars = 0;
        t
    }
}

use crate::table::KeySet;

/// Reusable buffers for [`Tokenizer::tokenize`].
#[derive(Debug, Default, Clone)]
pub struct Tokenizer {
    /// When set, the folded text of each run word is kept in `folded` (building an index).
    capture: bool,
    folded: Vec<(usize, String)>,
    chars: Vec<char>,
    /// A run of Han or kana the gate would skip unless the word after it makes it the start
    /// of an n-gram (decided when that word comes).
    pending: Option<(String, Vec<u32>, Vec<u32>)>,
    pending_chars: Vec<char>,
    run: String,
    /// For each byte of `run`: the original span of the character it came from.
    run_start: Vec<u32>,
    run_end: Vec<u32>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
fn step(h: u64, c: char) -> u64 {
    (h ^ c as u64).wrapping_mul(FNV_PRIME)
}

/// The final mix of a word's hash (splitmix64), so every bit depends on every character.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Text after Zawgyi lines are converted to Unicode (borrowed when there are none).
pub fn unzawgyi(text: &str) -> Cow<'_, str> {
    if !has_myanmar(text) {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    let mut done = 0;
    for (offset, line) in line_spans(text) {
        if has_myanmar(line) && is_zawgyi_line(line) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            o.push_str(&text[done..offset]);
            o.push_str(&langid::zawgyi::zawgyi_to_unicode(line));
            done = offset + line.len();
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[done..]);
            Cow::Owned(o)
        }
    }
}

/// Whether a line of Burmese is in Zawgyi: `langid`'s detector (two Zawgyi signals, more
/// than Unicode ones), or, for the short lines it leaves alone (an option, a label), more
/// Zawgyi signals than Unicode ones counting one more: `္` (Zawgyi's asat) before no
/// consonant, and `ၚ` (U+105A). Zawgyi signals: its own code points (U+1060–1097), `ေ` or
/// `ျ` not after a consonant; Unicode signals: the medial `ှ` (U+103E), `ေ` after a
/// consonant. Well-formed Unicode Burmese has no Zawgyi signal at all.
fn is_zawgyi_line(line: &str) -> bool {
    if langid::zawgyi::is_zawgyi(line) {
        return true;
    }
    let consonant = |c: Option<char>| c.is_some_and(|c| ('\u{1000}'..='\u{1021}').contains(&c));
    let (mut zawgyi, mut unicode) = (0, 0);
    let mut prev: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let after_consonant =
            prev.is_some_and(|p| consonant(Some(p)) || ('\u{103B}'..='\u{103E}').contains(&p));
        match c {
            '\u{1060}'..='\u{1097}' | '\u{105A}' => zawgyi += 1,
            '\u{103E}' => unicode += 1,
            '\u{1031}' if after_consonant => unicode += 1,
            '\u{1031}' | '\u{103B}' if !consonant(prev) => zawgyi += 1,
            '\u{1039}' if !consonant(chars.peek().copied()) => zawgyi += 1,
            _ => {}
        }
        prev = Some(c);
    }
    zawgyi >= 1 && zawgyi > unicode
}

/// A Burmese letter, vowel sign or medial (not a digit or punctuation).
fn is_myanmar_letter(c: char) -> bool {
    matches!(c as u32, 0x1000..=0x103F | 0x1050..=0x108F | 0x109A..=0x109F)
}

/// Lines with their byte offsets (without the `\n`).
fn line_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let at = offset;
        offset += line.len() + 1;
        (at, line)
    })
}

/// Whether `text` has a character of the Myanmar block (U+1000–109F = E1 80 80–E1 82 9F).
fn has_myanmar(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&x| x == 0xE1) {
        let j = i + p;
        if matches!(b.get(j + 1), Some(0x80..=0x82)) {
            return true;
        }
        i = j + 1;
    }
    false
}

impl Tokenizer {
    pub fn new() -> Self {
        Tokenizer::default()
    }

    /// The words of `text` into `out` (cleared first). Returns the text the spans refer to:
    /// `text` itself, or its Zawgyi lines converted to Unicode.
    pub fn tokenize<'t>(&mut self, text: &'t str, out: &mut Vec<Token>) -> Cow<'t, str> {
        self.tokenize_gated(text, out, None)
    }

    /// [`Tokenizer::tokenize`], a run of Han or kana that cannot hold an n-gram of the index
    /// the `gate` belongs to left unsegmented, as one word that matches nothing.
    pub fn tokenize_gated<'t>(
        &mut self,
        text: &'t str,
        out: &mut Vec<Token>,
        gate: Option<&RunGate>,
    ) -> Cow<'t, str> {
        out.clear();
        self.folded.clear();
        let text = unzawgyi(text);
        self.words(&text, out, gate);
        text
    }

    /// [`Tokenizer::tokenize`], keeping the folded text of each run word: `(token index,
    /// text)` (for building an index's [`RunGate`]).
    pub(crate) fn tokenize_captured(
        &mut self,
        text: &str,
        out: &mut Vec<Token>,
    ) -> &[(usize, String)] {
        self.capture = true;
        self.tokenize_gated(text, out, None);
        self.capture = false;
        &self.folded
    }

    fn words(&mut self, text: &str, out: &mut Vec<Token>, gate: Option<&RunGate>) {
        self.run.clear();
        self.run_start.clear();
        self.run_end.clear();
        let mut word = Word::default();
        let mut prev = ' ';
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                // ASCII, the bulk of Latin-script text: no table, no decoding.
                let (start, end) = (i as u32, i as u32 + 1);
                i += 1;
                prev = b as char;
                match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => {
                        if !self.run.is_empty() {
                            self.flush_run(out, gate);
                        }
                        let c = b as char;
                        word.push(c.to_ascii_lowercase(), c, start, end);
                    }
                    b'\'' => {}
                    b'\n' | b'\r' => {
                        self.end_word(&mut word, out, gate);
                        if !self.run.is_empty() {
                            self.flush_run(out, gate);
                        }
                    }
                    _ => self.end_word(&mut word, out, gate),
                }
                continue;
            }
            let c = text[i..].chars().next().unwrap_or(' ');
            let (start, end) = (i as u32, (i + c.len_utf8()) as u32);
            i += c.len_utf8();
            // A line break ends a spaceless run: items and paragraphs are lines, so a copy
            // on its own line is segmented as the benchmark field was.
            if matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') && !self.run.is_empty() {
                self.flush_run(out, gate);
            }
            // Burmese typed with the digit zero for the letter WA (usual in Zawgyi-era text).
            let c = if c == '\u{1040}' && is_myanmar_letter(prev) {
                '\u{101D}'
            } else {
                c
            };
            prev = c;
            fold(c, |f, class| match class {
                Class::Spaceless => {
                    self.end_word(&mut word, out, gate);
                    self.push_run(f, start, end);
                }
                Class::Word | Class::Digit => {
                    if !self.run.is_empty() {
                        self.flush_run(out, gate);
                    }
                    word.push(f, c, start, end);
                }
                Class::Boundary => self.end_word(&mut word, out, gate),
                Class::Drop => {}
            });
        }
        self.end_word(&mut word, out, gate);
        if !self.run.is_empty() {
            self.flush_run(out, gate);
        }
        self.resolve(Next::End, out, gate);
    }

    /// Emit the word being read (after the run waiting for it).
    #[inline]
    fn end_word(&mut self, word: &mut Word, out: &mut Vec<Token>, gate: Option<&RunGate>) {
        if let Some(t) = word.end() {
            if self.pending.is_some() {
                self.resolve(Next::Word(t.hash), out, gate);
            }
            out.push(t);
        }
    }

    /// Decide on the pending run now that what follows it is known.
    fn resolve(&mut self, next: Next, out: &mut Vec<Token>, gate: Option<&RunGate>) {
        let (Some((run, starts, ends)), Some(g)) = (self.pending.take(), gate) else {
            return;
        };
        let mut chars = std::mem::take(&mut self.pending_chars);
        chars.clear();
        chars.extend(run.chars());
        if g.may_start(&chars, next) {
            self.segment(&run, &starts, &ends, out);
        } else {
            out.push(opaque(&starts, &ends, chars.len()));
        }
        self.pending_chars = chars;
    }

    /// Append a folded character of a spaceless run, recomposing the pairs a copy may type
    /// apart (Thai/Lao NIKHAHIT + AA = SARA AM, Burmese U + II = UU).
    fn push_run(&mut self, c: char, start: u32, end: u32) {
        let last = self.run.chars().next_back();
        let composed = match (last, c) {
            (Some('\u{0E4D}'), '\u{0E32}') => Some('\u{0E33}'),
            (Some('\u{0ECD}'), '\u{0EB2}') => Some('\u{0EB3}'),
            (Some('\u{1025}'), '\u{102E}') => Some('\u{1026}'),
            _ => None,
        };
        if let (Some(k), Some(prev)) = (composed, last) {
            let cut = self.run.len() - prev.len_utf8();
            let first = self.run_start[cut];
            self.run.truncate(cut);
            self.run_start.truncate(cut);
            self.run_end.truncate(cut);
            self.run.push(k);
            for _ in 0..k.len_utf8() {
                self.run_start.push(first);
                self.run_end.push(end);
            }
            return;
        }
        self.run.push(c);
        for _ in 0..c.len_utf8() {
            self.run_start.push(start);
            self.run_end.push(end);
        }
    }

    /// Cut the spaceless run into dictionary words; with a gate, a run of Han or kana that
    /// no indexed n-gram can touch is left whole (or waits for the next word to decide).
    fn flush_run(&mut self, out: &mut Vec<Token>, gate: Option<&RunGate>) {
        let run = std::mem::take(&mut self.run);
        let starts = std::mem::take(&mut self.run_start);
        let ends = std::mem::take(&mut self.run_end);
        let mut keep = true;
        if let Some(g) = gate {
            self.chars.clear();
            self.chars.extend(run.chars());
            if self.pending.is_some() {
                let next = std::mem::take(&mut self.chars);
                self.resolve(Next::Run(&next), out, gate);
                self.chars = next;
            }
            if self.chars.len() >= g.chars
                && self.chars.iter().all(|&c| is_han_or_kana(c))
                && !g.may_hold(&self.chars, out.last())
            {
                if g.may_start_any(&self.chars) {
                    // Wait for the word after the run.
                    self.pending = Some((run, starts, ends));
                    self.run_start = Vec::new();
                    self.run_end = Vec::new();
                    return;
                }
                out.push(opaque(&starts, &ends, self.chars.len()));
                keep = false;
            }
        }
        if keep {
            self.segment(&run, &starts, &ends, out);
        }
        self.run = run;
        self.run.clear();
        self.run_start = starts;
        self.run_start.clear();
        self.run_end = ends;
        self.run_end.clear();
    }

    /// The dictionary words of `run`, whose bytes came from `starts[i]..ends[i]`.
    fn segment(&mut self, run: &str, starts: &[u32], ends: &[u32], out: &mut Vec<Token>) {
        let base = run.as_ptr() as usize;
        // The run holds letters only, so every segment is a word.
        for w in segment::segments(run) {
            let at = w.as_ptr() as usize - base;
            let last = at + w.len() - 1;
            let (h, n) = w
                .chars()
                .fold((FNV_OFFSET, 0), |(h, n), c| (step(h, c), n + 1));
            if self.capture {
                self.folded.push((out.len(), w.to_string()));
            }
            out.push(Token {
                hash: mix(h),
                start: starts[at],
                end: ends[last],
                letters: n,
                run: true,
            });
        }
    }
}

/// The word standing for a run the gate let through unsegmented: in no index.
const OPAQUE: u64 = 0x5EA9_11E0_DEC0_7A11;

fn opaque(starts: &[u32], ends: &[u32], chars: usize) -> Token {
    Token {
        hash: OPAQUE,
        start: starts[0],
        end: ends[ends.len() - 1],
        letters: chars as u32,
        run: true,
    }
}

/// What follows a run the gate is deciding on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Next<'a> {
    /// A word (not from a spaceless run), by its hash.
    Word(u64),
    /// Another spaceless run (after a line break), by its characters.
    Run(&'a [char]),
    /// The end of the text.
    End,
}

/// The longest dictionary word a following run is checked to start with.
const NEXT_WORD_CHARS: usize = 8;

/// The key of a short text next to the word beside it.
pub(crate) fn pair(text: u64, word: u64) -> u64 {
    mix(text ^ word.rotate_left(17))
}

/// Han ideographs and kana: the runs the [`RunGate`] may skip (the ICU dictionary for
/// Chinese and Japanese is the slowest, and Chinese pages rarely share 8 characters running
/// with a benchmark; Thai and Burmese pages share that much with any text in their language).
pub fn is_han_or_kana(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F
        | 0x3005..=0x3007 | 0x3031..=0x3035 | 0x3041..=0x30FF | 0x31F0..=0x31FF)
}

/// What a scan needs to know to skip segmenting a run of Han or kana exactly when no
/// n-gram of the index can touch it (built with the index, see `crate::index`):
/// the `chars`-character grams of the benchmark's runs (an exact set: a Chinese page has
/// hundreds of grams per run, and a filter's false positives would add up), and the
/// benchmark words shorter than that at the edges of its n-grams.
#[derive(Debug, Clone, Default)]
pub struct RunGate {
    pub(crate) chars: usize,
    pub(crate) grams: KeySet,
    /// A small filter in front of `grams` (most characters of a page stop there).
    pub(crate) grams_filter: crate::table::PrefixFilter,
    /// The texts (shorter than `chars`, whole run words) an n-gram may start with, each
    /// with the word that follows it there ([`pair`] of the two; `starts_text`: the texts
    /// alone): a run may end with one, followed by that word.
    pub(crate) starts_pair: KeySet,
    pub(crate) starts_text: KeySet,
    /// The texts an n-gram may end with, with the word before each: a run may start with
    /// one, after that word.
    pub(crate) ends_pair: KeySet,
}

/// Hash of a text as one word (what [`Tokenizer`] gives a word with those characters).
pub(crate) fn text_hash(chars: &[char]) -> u64 {
    mix(chars.iter().fold(FNV_OFFSET, |h, &c| step(h, c)))
}

/// Call `f` with the hash of every `width`-character gram of `chars`.
pub(crate) fn gram_hashes(chars: &[char], width: usize, mut f: impl FnMut(u64)) {
    if width == 0 || chars.len() < width {
        return;
    }
    const B: u64 = 0x100_0000_01B3;
    let top = B.wrapping_pow(width as u32 - 1);
    let mut h = 0u64;
    for (i, &c) in chars.iter().enumerate() {
        if i >= width {
            h = h.wrapping_sub((chars[i - width] as u64 + 1).wrapping_mul(top));
        }
        h = h.wrapping_mul(B).wrapping_add(c as u64 + 1);
        if i + 1 >= width {
            // The multiplications spread every character over the high bits the sets use.
            f(h);
        }
    }
}

/// Hashes of the first `n` characters of `chars`, n = 1, 2, ... up to `max` (as
/// [`text_hash`] gives them).
fn prefix_hashes(chars: &[char], max: usize) -> impl Iterator<Item = u64> + '_ {
    chars[..max.min(chars.len())]
        .iter()
        .scan(FNV_OFFSET, |h, &c| {
            *h = step(*h, c);
            Some(mix(*h))
        })
}

/// Hashes of the last `n` characters of `chars`, n = 1 .. up to `max`.
fn suffix_hashes(chars: &[char], max: usize) -> impl Iterator<Item = u64> + '_ {
    (1..=max.min(chars.len())).map(move |n| text_hash(&chars[chars.len() - n..]))
}

impl RunGate {
    /// Whether a run of these characters, after the word `prev`, may hold an indexed
    /// n-gram or the end of one. (After a run left whole, none continues into this one.)
    fn may_hold(&self, chars: &[char], prev: Option<&Token>) -> bool {
        let mut hit = false;
        gram_hashes(chars, self.chars, |h| {
            hit |= self.grams_filter.may_contain(h) && self.grams.contains(h)
        });
        if hit {
            return true;
        }
        let Some(prev) = prev.filter(|p| p.hash != OPAQUE) else {
            return false;
        };
        prefix_hashes(chars, self.chars - 1).any(|t| self.ends_pair.contains(pair(t, prev.hash)))
    }

    /// Whether the run may be the start of an n-gram, whatever follows it.
    fn may_start_any(&self, chars: &[char]) -> bool {
        suffix_hashes(chars, self.chars - 1).any(|t| self.starts_text.contains(t))
    }

    /// Whether the run may be the start of an n-gram, given what follows it.
    pub(crate) fn may_start(&self, chars: &[char], next: Next) -> bool {
        let suffixes: Vec<u64> = suffix_hashes(chars, self.chars - 1)
            .filter(|&t| self.starts_text.contains(t))
            .collect();
        if suffixes.is_empty() {
            return false;
        }
        match next {
            Next::Word(w) => suffixes
                .iter()
                .any(|&t| self.starts_pair.contains(pair(t, w))),
            Next::Run(next) => prefix_hashes(next, NEXT_WORD_CHARS).any(|w| {
                suffixes
                    .iter()
                    .any(|&t| self.starts_pair.contains(pair(t, w)))
            }),
            Next::End => false,
        }
    }
}

/// The words of `text` as hashes only (for building an index).
pub fn hashes(tokenizer: &mut Tokenizer, text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    tokenizer.tokenize(text, &mut out);
    out.into_iter().map(|t| t.hash).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<String> {
        let mut t = Tokenizer::new();
        let mut out = Vec::new();
        let text = t.tokenize(text, &mut out);
        out.iter()
            .map(|w| text[w.start as usize..w.end as usize].to_string())
            .collect()
    }

    fn same(a: &str, b: &str) {
        let mut t = Tokenizer::new();
        assert_eq!(hashes(&mut t, a), hashes(&mut t, b), "{a:?} vs {b:?}");
    }

    #[test]
    fn spaced_words_and_their_spans() {
        assert_eq!(
            spans("Semua orang, 2 kali!  Don't (B) a ｂ"),
            ["Semua", "orang", "2", "kali", "Don't"]
        );
    }

    #[test]
    fn copies_with_other_case_spacing_punctuation_and_width_match() {
        same(
            "Apakah akan lebih mudah? (Asumsikan 2 truk)",
            "APAKAH  akan lebih\nmudah ... asumsikan ２ TRUK",
        );
        same(
            "人人生而自由，在尊严和权利上一律平等。",
            "人人生而自由 在尊严和权利上 一律平等",
        );
        same(
            "มนุษย์ทั้งหลายเกิดมามีอิสระ ต่างมีเหตุผล",
            "มนุษย์ทั้งหลายเกิดมามีอิสระต่างมีเหตุผล",
        );
    }

    #[test]
    fn thai_is_cut_into_dictionary_words_with_spans() {
        assert_eq!(
            spans("ทุกสองสัปดาห์ 12 ครั้ง"),
            ["ทุก", "สอง", "สัปดาห์", "12", "ครั้ง"]
        );
    }

    #[test]
    fn latin_word_ends_a_spaceless_run() {
        assert_eq!(spans("ใช้ iPhone ได้"), ["ใช้", "iPhone", "ได้"]);
    }

    #[test]
    fn sara_am_typed_apart_is_recomposed() {
        same("ทำงาน", "ท\u{0E4D}\u{0E32}งาน");
        assert_eq!(spans("ท\u{0E4D}\u{0E32}งาน"), ["ท\u{0E4D}\u{0E32}งาน"]);
    }

    #[test]
    fn zawgyi_lines_are_read_as_unicode() {
        let uni = "လူတိုင်းသည် တူညီ လွတ်လပ်သော ဂုဏ်သိက္ခာဖြင့်လည်းကောင်း၊ တူညီလွတ်လပ်သော အခွင့်အရေးများဖြင့် လည်းကောင်း၊ မွေးဖွားလာသူများ ဖြစ်သည်။";
        let zg = langid::zawgyi::unicode_to_zawgyi(uni);
        assert_ne!(zg, uni);
        assert!(langid::zawgyi::is_zawgyi(&zg));
        same(uni, &zg);
        // The digit zero typed for WA.
        same("အဝိုင်း", "အ၀ိုင်း");
        same(&format!("Hello\n{uni}"), &format!("Hello\n{zg}"));
    }
}
