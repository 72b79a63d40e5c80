//! The fast byte-level BPE counter gives exactly the `tokenizers` crate's counts on real
//! multilingual text (every cached UDHR declaration, ~500 languages) and on edge cases of the
//! split pattern; files it does not support fall back to `tokenizers` automatically.

use stages::tokens::{Engine, TokenCounter};
use testkit::expect_cached as asset;

fn llama3() -> (TokenCounter, TokenCounter) {
    let path = asset("llama3/tokenizer.json");
    let fast = TokenCounter::load(&path).unwrap();
    let reference = TokenCounter::load_reference(&path).unwrap();
    assert_eq!(
        fast.engine(),
        Engine::FastBpe,
        "{:?}",
        fast.fallback_reason()
    );
    assert_eq!(reference.engine(), Engine::HfTokenizers);
    (fast, reference)
}

/// Split-pattern edge cases: contractions (with Oniguruma's `ſ` folding), whitespace runs
/// before letters, newlines and the end of text, digits of several scripts, astral
/// characters, combining marks, special tokens and near-misses.
const EDGE_CASES: &[&str] = &[
    "'ſ 'ſt 'S 'RE 'Ll 'lL 'DX 'x '''s '' 's's",
    "a\u{a0}b  \u{a0}c \u{3000}漢字\t\tword",
    "x\r\n\r\n  y\n \n  \n",
    "12345678 ١٢٣٤٥ ๑๒๓๔ 1,000.50 $3.14 3rd ½ ² Ⅻ",
    "😀😀 👍🏽 a😀b 𝐀𝐁 𠀀𠀁",
    "<|eot_id|><|eot_id|>x<|begin_of_text|> <|eot_id| <|eot_id|>\n",
    "e\u{301} café ก่อนที่จะ မြန်မာ ខ្មែរ",
    "a \u{2028} b\u{2029}\u{85}x \u{b}\u{c} y ",
    "Hello!!!\n\n\nWorld...  \r  \r\n",
    "\u{feff}bom \u{200b} zw\u{200d}join",
    " ",
    "  ",
    "\n",
];

/// Deterministic pseudo-random strings over an alphabet chosen to hit every alternative.
fn generated(n: usize) -> Vec<String> {
    let alphabet: Vec<char> = " \n\r\t'sSreRElLdDmMtTvV019aé漢ก่\u{a0}\u{3000}!?.<|>eot_id😀\u{301}"
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
            let len = 1 + (next() % 40) as usize;
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn equals_tokenizers_on_edge_cases_and_generated_text() {
    let (fast, reference) = llama3();
    let texts: Vec<String> = EDGE_CASES
        .iter()
        .map(|s| s.to_string())
        .chain(generated(2000))
        .collect();
    for text in &texts {
        assert_eq!(fast.count(text), reference.count(text), "{text:?}");
    }
}

#[test]
fn equals_tokenizers_on_every_udhr_declaration() {
    let (fast, reference) = llama3();
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

#[test]
fn unsupported_tokenizers_fall_back_to_hugging_face() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokenizer.json");
    let word_level = r#"{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],
        "normalizer":null,"pre_tokenizer":{"type":"Whitespace"},"post_processor":null,
        "decoder":null,"model":{"type":"WordLevel","vocab":{"[UNK]":0,"hello":1,"world":2},
        "unk_token":"[UNK]"}}"#;
    std::fs::write(&path, word_level).unwrap();
    let counter = TokenCounter::load(&path).unwrap();
    assert_eq!(counter.engine(), Engine::HfTokenizers);
    let reason = counter.fallback_reason().unwrap();
    assert!(reason.starts_with("pre_tokenizer"), "{reason}");
    assert_eq!(counter.count("hello big world"), 3);
}
