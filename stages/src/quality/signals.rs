//! Scoring: every signal the rules read, computed in one pass over a document's lines and
//! words and written to `doc.attrs` under stable names (`gopher.word_count`, ...). Nothing
//! here decides; [`super::rules`] reads these numbers, so thresholds change without
//! re-scoring.

use std::collections::{HashMap, HashSet};

use ahash::AHashSet;
use std::hash::{BuildHasherDefault, Hasher};

use pipeline::Doc;

use super::stopwords::StopWords;

/// Attribute names, one constant per signal.
pub mod attr {
    pub const WORD_COUNT: &str = "gopher.word_count";
    pub const MEAN_WORD_LENGTH: &str = "gopher.mean_word_length";
    pub const SYMBOL_WORD_RATIO: &str = "gopher.symbol_word_ratio";
    pub const BULLET_LINE_RATIO: &str = "gopher.bullet_line_ratio";
    pub const ELLIPSIS_LINE_RATIO: &str = "gopher.ellipsis_line_ratio";
    pub const ALPHA_WORD_RATIO: &str = "gopher.alpha_word_ratio";
    pub const STOP_WORDS: &str = "gopher.stop_words";
    pub const DUP_LINE_FRAC: &str = "rep.dup_line_frac";
    pub const DUP_PARA_FRAC: &str = "rep.dup_para_frac";
    pub const DUP_LINE_CHAR_FRAC: &str = "rep.dup_line_char_frac";
    pub const DUP_PARA_CHAR_FRAC: &str = "rep.dup_para_char_frac";
    /// `rep.top_2gram` .. `rep.top_4gram`.
    pub const TOP_NGRAM: [&str; 3] = ["rep.top_2gram", "rep.top_3gram", "rep.top_4gram"];
    /// `rep.dup_5gram` .. `rep.dup_10gram`.
    pub const DUP_NGRAM: [&str; 6] = [
        "rep.dup_5gram",
        "rep.dup_6gram",
        "rep.dup_7gram",
        "rep.dup_8gram",
        "rep.dup_9gram",
        "rep.dup_10gram",
    ];
    pub const LOREM_IPSUM: &str = "c4.lorem_ipsum";
    pub const CURLY_BRACKET: &str = "c4.curly_bracket";
    pub const POLICY_LINE_RATIO: &str = "c4.policy_line_ratio";
    pub const JAVASCRIPT_LINE_RATIO: &str = "c4.javascript_line_ratio";
    pub const TERMINAL_SENTENCES: &str = "c4.terminal_sentences";
    pub const LINE_PUNCT_RATIO: &str = "fineweb.line_punct_ratio";
    pub const SHORT_LINE_RATIO: &str = "fineweb.short_line_ratio";
    pub const LIST_RATIO: &str = "fineweb.list_ratio";
}

/// What scoring needs besides the text: the language's stop words and its short-line length.
pub struct ScoreContext<'a> {
    pub stop_words: Option<&'a StopWords>,
    /// A line of at most this many characters counts as short (FineWeb).
    pub short_line_chars: usize,
    /// C4 counts sentences only in terminated lines with at least this many words.
    pub min_words_per_line: usize,
}

const BULLETS: &[char] = &[
    '•', '‣', '⁃', '◦', '●', '▪', '■', '-', '*', '·', '–', '—', '»',
];

/// Lines that C4 removes as site policy; English from C4, the rest from the SEA sites' own
/// footers (privacy policy, terms of use, cookies).
pub(super) const POLICY_PHRASES: &[&str] = &[
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
    "kebijakan privasi",
    "syarat dan ketentuan",
    "menggunakan cookie",
    "dasar privasi",
    "terma penggunaan",
    "chính sách bảo mật",
    "điều khoản sử dụng",
    "นโยบายความเป็นส่วนตัว",
    "ข้อกำหนดการใช้งาน",
    "คุกกี้",
    "隐私政策",
    "使用条款",
    "隱私權政策",
    "patakaran sa privacy",
];

/// One automaton over [`POLICY_PHRASES`] and then "javascript" (its last pattern): a line's
/// phrases are found in one scan, where a substring search per phrase and line was 13% of
/// the quality stage. Overlapping matches, so a line holds a phrase exactly when
/// `str::contains` says it does.
fn line_phrases() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        let patterns = POLICY_PHRASES.iter().copied().chain(["javascript"]);
        aho_corasick::AhoCorasick::new(patterns).expect("fixed phrases build an automaton")
    })
}

/// Compute every signal of `doc.text` into `doc.attrs`.
pub fn score(doc: &mut Doc, ctx: &ScoreContext<'_>) {
    let text = doc.text.as_str();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let words: Vec<&str> = segment::words(text).collect();
    let mut out = Vec::with_capacity(32);
    gopher_quality(text, &lines, &words, ctx, &mut out);
    gopher_repetition(text, &lines, &words, &mut out);
    c4(text, &lines, &words, ctx, &mut out);
    fineweb(&lines, words.len(), ctx, &mut out);
    doc.attrs
        .extend(out.into_iter().map(|(k, v)| (k.to_string(), v)));
}

type Out = Vec<(&'static str, f64)>;

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

fn gopher_quality(
    text: &str,
    lines: &[&str],
    words: &[&str],
    ctx: &ScoreContext<'_>,
    out: &mut Out,
) {
    let chars: usize = words.iter().map(|w| w.chars().count()).sum();
    let symbols =
        text.matches('#').count() + text.matches("...").count() + text.matches('…').count();
    let bullets = lines.iter().filter(|l| l.starts_with(BULLETS)).count();
    let ellipsis = lines
        .iter()
        .filter(|l| l.ends_with("...") || l.ends_with('…'))
        .count();
    let alpha = words
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    let stop = ctx.stop_words.map_or(0, |s| s.count(words));
    out.extend([
        (attr::WORD_COUNT, words.len() as f64),
        (attr::MEAN_WORD_LENGTH, ratio(chars, words.len())),
        (attr::SYMBOL_WORD_RATIO, ratio(symbols, words.len())),
        (attr::BULLET_LINE_RATIO, ratio(bullets, lines.len())),
        (attr::ELLIPSIS_LINE_RATIO, ratio(ellipsis, lines.len())),
        (attr::ALPHA_WORD_RATIO, ratio(alpha, words.len())),
        (attr::STOP_WORDS, stop as f64),
    ]);
}

fn gopher_repetition(text: &str, lines: &[&str], words: &[&str], out: &mut Out) {
    let paragraphs: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let total_chars = text.chars().filter(|c| *c != '\n').count();
    let (dup_lines, dup_line_chars) = duplicates(lines);
    let (dup_paras, dup_para_chars) = duplicates(&paragraphs);
    out.extend([
        (attr::DUP_LINE_FRAC, ratio(dup_lines, lines.len())),
        (attr::DUP_PARA_FRAC, ratio(dup_paras, paragraphs.len())),
        (attr::DUP_LINE_CHAR_FRAC, ratio(dup_line_chars, total_chars)),
        (attr::DUP_PARA_CHAR_FRAC, ratio(dup_para_chars, total_chars)),
    ]);
    let lens: Vec<usize> = words.iter().map(|w| w.chars().count()).collect();
    let hashes: Vec<u64> = words.iter().map(|w| fnv(w.as_bytes())).collect();
    let word_chars: usize = lens.iter().sum();
    for (i, n) in (2..=4).enumerate() {
        out.push((
            attr::TOP_NGRAM[i],
            ratio(top_ngram_chars(&hashes, &lens, n), word_chars),
        ));
    }
    for (i, chars) in dup_ngram_chars(&hashes, &lens).into_iter().enumerate() {
        out.push((attr::DUP_NGRAM[i], ratio(chars, word_chars)));
    }
}

/// (number of items equal to an earlier one, their characters).
fn duplicates(items: &[&str]) -> (usize, usize) {
    let mut seen = AHashSet::with_capacity(items.len());
    let mut n = 0;
    let mut chars = 0;
    for item in items {
        if !seen.insert(*item) {
            n += 1;
            chars += item.chars().count();
        }
    }
    (n, chars)
}

/// Hashes of every `n`-word window, combined from per-word hashes.
fn ngram_keys(hashes: &[u64], n: usize) -> impl Iterator<Item = u64> + '_ {
    hashes.windows(n).map(ngram_key)
}

fn ngram_key(words: &[u64]) -> u64 {
    words.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
        (h ^ x).wrapping_mul(0x0100_0000_01b3).rotate_left(5)
    })
}

/// Characters covered by the most frequent `n`-gram (its length times its count), when it
/// occurs more than once.
fn top_ngram_chars(hashes: &[u64], lens: &[usize], n: usize) -> usize {
    let mut counts: HashMap<u64, (usize, usize), IdBuild> =
        HashMap::with_capacity_and_hasher(hashes.len(), IdBuild::default());
    for (i, key) in ngram_keys(hashes, n).enumerate() {
        counts.entry(key).or_insert((0, i)).0 += 1;
    }
    counts
        .values()
        .filter(|(count, _)| *count > 1)
        .map(|&(count, first)| count * lens[first..first + n].iter().sum::<usize>())
        .max()
        .unwrap_or(0)
}

/// For n = 5 ..= 10: characters of the words covered by repeats of an `n`-gram seen
/// earlier (each word once). A repeated `n`-gram starts with a repeated 5-gram, so the
/// longer n-grams are only hashed where the 5-gram at that position occurs twice or more.
fn dup_ngram_chars(hashes: &[u64], lens: &[usize]) -> [usize; 6] {
    let mut out = [0; 6];
    let five: Vec<u64> = ngram_keys(hashes, 5).collect();
    let mut count: HashMap<u64, u32, IdBuild> =
        HashMap::with_capacity_and_hasher(five.len(), IdBuild::default());
    for key in &five {
        *count.entry(*key).or_default() += 1;
    }
    let candidates: Vec<usize> = (0..five.len()).filter(|&i| count[&five[i]] > 1).collect();
    if candidates.is_empty() {
        return out;
    }
    let mut covered = vec![false; lens.len()];
    let mut seen: HashSet<u64, IdBuild> = HashSet::default();
    for (slot, n) in (5..=10).enumerate() {
        covered.iter_mut().for_each(|c| *c = false);
        seen.clear();
        for &i in candidates.iter().filter(|&&i| i + n <= hashes.len()) {
            if !seen.insert(ngram_key(&hashes[i..i + n])) {
                covered[i..i + n].iter_mut().for_each(|c| *c = true);
            }
        }
        out[slot] = covered
            .iter()
            .zip(lens)
            .filter(|(c, _)| **c)
            .map(|(_, l)| l)
            .sum();
    }
    out
}

fn c4(text: &str, lines: &[&str], words: &[&str], ctx: &ScoreContext<'_>, out: &mut Out) {
    // Lower-cased once: its non-empty trimmed lines are `lines` lower-cased, in order
    // (lower-casing adds or removes no line break or white space).
    let lower = text.to_lowercase();
    let (mut policy, mut javascript) = (0, 0);
    let phrases = line_phrases();
    for l in lower.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (mut p, mut j) = (false, false);
        for m in phrases.find_overlapping_iter(l) {
            let is_js = m.pattern().as_usize() == POLICY_PHRASES.len();
            j |= is_js;
            p |= !is_js;
            if p && j {
                break;
            }
        }
        policy += usize::from(p);
        javascript += usize::from(j);
    }
    // Words per line from the text's own segmentation: a line break is always a word
    // boundary, so a line's words are the text's words that start inside it.
    let base = text.as_ptr() as usize;
    let starts: Vec<usize> = words.iter().map(|w| w.as_ptr() as usize - base).collect();
    let words_in = |line: &str| {
        let from = line.as_ptr() as usize - base;
        starts.partition_point(|&s| s < from + line.len()) - starts.partition_point(|&s| s < from)
    };
    let sentences: usize = lines
        .iter()
        .filter(|l| segment::ends_with_terminal(l))
        .filter(|l| words_in(l) >= ctx.min_words_per_line.max(1))
        .map(|l| segment::sentences(l).count())
        .sum();
    out.extend([
        (
            attr::LOREM_IPSUM,
            f64::from(u8::from(lower.contains("lorem ipsum"))),
        ),
        (attr::CURLY_BRACKET, f64::from(u8::from(text.contains('{')))),
        (attr::POLICY_LINE_RATIO, ratio(policy, lines.len())),
        (attr::JAVASCRIPT_LINE_RATIO, ratio(javascript, lines.len())),
        (attr::TERMINAL_SENTENCES, sentences as f64),
    ]);
}

fn fineweb(lines: &[&str], words: usize, ctx: &ScoreContext<'_>, out: &mut Out) {
    let punct = lines
        .iter()
        .filter(|l| segment::ends_with_terminal(l))
        .count();
    let short = lines
        .iter()
        .filter(|l| l.chars().count() <= ctx.short_line_chars)
        .count();
    out.extend([
        (attr::LINE_PUNCT_RATIO, ratio(punct, lines.len())),
        (attr::SHORT_LINE_RATIO, ratio(short, lines.len())),
        (attr::LIST_RATIO, ratio(lines.len(), words)),
    ]);
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The keys are hashes already: pass them through.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv(bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type IdBuild = BuildHasherDefault<IdHasher>;
