//! The checks every generated pair goes through. Each failure is a counted drop with a stable
//! reason (the constants below, in the order the checks run: [`ALL`]), reported per language
//! in the stats and the dataset card.

use serde::{Deserialize, Serialize};

use crate::engine::{Finish, Generation};

pipeline::drop_reasons! {
    /// The engine failed on the request (after its retries).
    ENGINE_ERROR = "engine_error";
    /// The model wrote no instruction.
    INSTRUCTION_EMPTY = "instruction_empty";
    /// The instruction reached its token limit before the end of the turn.
    INSTRUCTION_TRUNCATED = "instruction_truncated";
    /// The instruction has fewer tokens than `min_instruction_tokens`.
    INSTRUCTION_TOO_SHORT = "instruction_too_short";
    /// The instruction has more tokens than `max_instruction_tokens`.
    INSTRUCTION_TOO_LONG = "instruction_too_long";
    /// The model started a new turn (template markup in the text) without closing its own.
    TURN_NOT_CLOSED = "turn_not_closed";
    /// The "instruction" is not a request (an answer, a greeting, a fragment).
    NOT_A_REQUEST = "not_a_request";
    /// A turn loops: the same n-grams over and over.
    REPETITION = "repetition";
    /// The model wrote no response.
    RESPONSE_EMPTY = "response_empty";
    /// The response reached its token limit before the end of the turn.
    RESPONSE_TRUNCATED = "response_truncated";
    /// The response has fewer tokens than `min_response_tokens`.
    RESPONSE_TOO_SHORT = "response_too_short";
    /// The response has more tokens than `max_response_tokens`.
    RESPONSE_TOO_LONG = "response_too_long";
    /// The response refuses ("I cannot help with that").
    REFUSAL = "refusal";
    /// The response talks about the model itself ("As an AI language model").
    SELF_REFERENCE = "self_reference";
    /// Language ID does not find the target language in both turns.
    LANG_MISMATCH = "lang_mismatch";
    /// The instruction is a near duplicate of an earlier one in the set.
    NEAR_DUPLICATE = "near_duplicate";
}

/// Filter thresholds (`[filters]` in the config).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilterConfig {
    pub min_instruction_tokens: u32,
    pub max_instruction_tokens: u32,
    pub min_response_tokens: u32,
    pub max_response_tokens: u32,
    /// Drop when this share of a text's 20-character windows (whitespace collapsed) repeats an
    /// earlier window: loops of any script.
    pub max_repeated_window_share: f64,
    /// Drop when a non-empty line appears this many times or more.
    pub max_line_repeats: usize,
    /// Instructions closer than this MinHash Jaccard (word 3-grams) to an earlier kept one are
    /// near-duplicates.
    pub near_duplicate_jaccard: f64,
    /// The language both turns must be identified as needs at least this score.
    pub min_lang_score: f32,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            min_instruction_tokens: 4,
            max_instruction_tokens: 256,
            min_response_tokens: 8,
            max_response_tokens: 2048,
            max_repeated_window_share: 0.3,
            max_line_repeats: 3,
            near_duplicate_jaccard: 0.7,
            min_lang_score: 0.5,
        }
    }
}

/// The instruction checks that need no response: returns the reason to drop.
pub fn check_instruction(
    text: &str,
    generation: &Generation,
    config: &FilterConfig,
) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some(INSTRUCTION_EMPTY);
    }
    if generation.finish == Finish::Length {
        return Some(INSTRUCTION_TRUNCATED);
    }
    if generation.tokens < config.min_instruction_tokens {
        return Some(INSTRUCTION_TOO_SHORT);
    }
    if generation.tokens > config.max_instruction_tokens {
        return Some(INSTRUCTION_TOO_LONG);
    }
    if has_template_markup(text) {
        return Some(TURN_NOT_CLOSED);
    }
    if !looks_like_request(text) {
        return Some(NOT_A_REQUEST);
    }
    if repetitive(text, config) {
        return Some(REPETITION);
    }
    None
}

/// The response checks (language and near-duplicates are checked by the caller).
pub fn check_response(
    text: &str,
    generation: &Generation,
    config: &FilterConfig,
) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some(RESPONSE_EMPTY);
    }
    if generation.finish == Finish::Length {
        return Some(RESPONSE_TRUNCATED);
    }
    if generation.tokens < config.min_response_tokens {
        return Some(RESPONSE_TOO_SHORT);
    }
    if generation.tokens > config.max_response_tokens {
        return Some(RESPONSE_TOO_LONG);
    }
    if has_template_markup(text) {
        return Some(TURN_NOT_CLOSED);
    }
    if repetitive(text, config) {
        return Some(REPETITION);
    }
    if contains_any(text, REFUSALS) {
        return Some(REFUSAL);
    }
    if contains_any(text, SELF_REFERENCES) {
        return Some(SELF_REFERENCE);
    }
    None
}

fn contains_any(text: &str, needles: &[&str]) -> bool {
    let lower = text.to_lowercase();
    needles.iter().any(|n| lower.contains(n))
}

/// Refusals, lower-cased, in the languages we generate.
const REFUSALS: &[&str] = &[
    "i'm sorry, but i can",
    "i am sorry, but i can",
    "i cannot help",
    "i can't help",
    "i cannot assist",
    "i can't assist",
    "i'm unable to",
    "i am unable to",
    "maaf, saya tidak dapat",
    "maaf, saya tidak bisa",
    "saya tidak dapat membantu",
    "saya tidak boleh membantu",
    "xin lỗi, tôi không thể",
    "tôi không thể giúp",
    "ขออภัย ฉันไม่สามารถ",
    "ขออภัย แต่ฉันไม่สามารถ",
    "ฉันไม่สามารถช่วย",
    "paumanhin, hindi ko",
    "hindi ko kayang",
    "抱歉，我无法",
    "对不起，我不能",
    "我无法帮助",
    "我不能帮助",
    "我不能为您提供",
    "我不能提供",
    "我无法提供",
    "很抱歉，我",
];

/// The model talking about itself instead of the task.
const SELF_REFERENCES: &[&str] = &[
    "as an ai language model",
    "as an ai model",
    "as a language model",
    "i am an ai",
    "i'm an ai",
    "i am qwen",
    "i'm qwen",
    "created by alibaba",
    "trained by hugging face",
    "i am smollm",
    "sebagai model bahasa",
    "sebagai asisten ai",
    "sebagai ai,",
    "là một mô hình ngôn ngữ",
    "là một trợ lý ai",
    "ในฐานะ ai",
    "ในฐานะโมเดลภาษา",
    "bilang isang ai",
    "作为一个ai",
    "作为一个人工智能",
    "作为ai",
    "我是通义千问",
];

/// Openings that show the model answered (wrote the assistant's part) instead of asking.
const ANSWER_OPENINGS: &[&str] = &[
    "sure",
    "certainly",
    "of course",
    "here is",
    "here's",
    "i'd be happy",
    "i would be happy",
    "tentu",
    "baiklah",
    "berikut adalah",
    "berikut ialah",
    "chắc chắn",
    "dưới đây là",
    "แน่นอน",
    "นี่คือ",
    "siyempre",
    "narito ang",
    "当然",
    "以下是",
    "好的，",
];

/// Is `instruction` a user's request rather than an answer?
pub fn looks_like_request(instruction: &str) -> bool {
    let t = instruction.trim_start().to_lowercase();
    !ANSWER_OPENINGS.iter().any(|o| t.starts_with(o))
}

/// Chat-template markup or role labels inside a turn's text: the model began another turn
/// instead of ending its own with the end-of-turn token.
pub fn has_template_markup(text: &str) -> bool {
    let t = text.to_lowercase();
    const DEBRIS: &[&str] = &[
        "<|im_start|>",
        "<|im_end|>",
        "<start_of_turn>",
        "<end_of_turn>",
        "<|start_header_id|>",
        "<|eot_id|>",
        "\nassistant:",
        "\nuser:",
        "\n### response",
        "\n### assistant",
        "<|endoftext|>",
        "<bos>",
        "<eos>",
    ];
    DEBRIS.iter().any(|d| t.contains(d))
}

/// Repeated lines or a large share of repeated 20-character windows.
pub fn repetitive(text: &str, config: &FilterConfig) -> bool {
    let mut lines: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().count() >= 8)
    {
        let n = lines.entry(line).or_default();
        *n += 1;
        if *n >= config.max_line_repeats {
            return true;
        }
    }
    repeated_window_share(text, 20) > config.max_repeated_window_share
}

/// The share of `n`-character windows (whitespace collapsed) that repeat an earlier window.
pub fn repeated_window_share(text: &str, n: usize) -> f64 {
    let chars: Vec<char> = text
        .split_whitespace()
        .flat_map(|w| w.chars().chain([' ']))
        .collect();
    if chars.len() < n * 2 {
        return 0.0;
    }
    let mut seen = std::collections::HashSet::new();
    let windows = chars.len() - n + 1;
    let mut repeated = 0usize;
    for w in chars.windows(n) {
        let h = xxhash(w);
        if !seen.insert(h) {
            repeated += 1;
        }
    }
    repeated as f64 / windows as f64
}

fn xxhash(w: &[char]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    w.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen(tokens: u32, finish: Finish) -> Generation {
        Generation {
            text: String::new(),
            finish,
            tokens,
        }
    }

    #[test]
    fn instruction_reasons() {
        let c = FilterConfig::default();
        let ok = gen(12, Finish::Stop);
        assert_eq!(check_instruction("  ", &ok, &c), Some(INSTRUCTION_EMPTY));
        assert_eq!(
            check_instruction("Apa itu fotosintesis?", &gen(12, Finish::Length), &c),
            Some(INSTRUCTION_TRUNCATED)
        );
        assert_eq!(
            check_instruction("Hai", &gen(2, Finish::Stop), &c),
            Some(INSTRUCTION_TOO_SHORT)
        );
        assert_eq!(
            check_instruction("Tentu! Berikut adalah resep rendang.", &ok, &c),
            Some(NOT_A_REQUEST)
        );
        assert_eq!(
            check_instruction(
                "What is 2+2?\n<|im_start|>\n<|im_start|>\nIt is 4.",
                &ok,
                &c
            ),
            Some(TURN_NOT_CLOSED)
        );
        assert_eq!(check_instruction("Apa itu fotosintesis?", &ok, &c), None);
    }

    #[test]
    fn loops_are_repetition_in_any_script() {
        let c = FilterConfig::default();
        let thai_loop = "ประเทศไทยมีจังหวัดมากมาย ".repeat(8);
        assert!(repetitive(&thai_loop, &c));
        let list =
            "1. Makan nasi goreng.\n2. Minum teh.\n1. Makan nasi goreng.\n1. Makan nasi goreng.\n";
        assert!(repetitive(list, &c));
        let fine = "Fotosintesis adalah proses tumbuhan hijau mengubah cahaya matahari, air, dan karbon dioksida menjadi glukosa dan oksigen. Proses ini terjadi di kloroplas.";
        assert!(!repetitive(fine, &c));
    }

    #[test]
    fn response_reasons() {
        let c = FilterConfig::default();
        let ok = gen(40, Finish::Stop);
        assert_eq!(
            check_response("Maaf, saya tidak dapat membantu dengan itu.", &ok, &c),
            Some(REFUSAL)
        );
        assert_eq!(
            check_response("Sebagai model bahasa, saya tidak punya pendapat.", &ok, &c),
            Some(SELF_REFERENCE)
        );
        assert_eq!(
            check_response("Jawabannya 4.", &gen(40, Finish::Length), &c),
            Some(RESPONSE_TRUNCATED)
        );
        assert_eq!(check_response("Jawabannya adalah empat.", &ok, &c), None);
    }
}
