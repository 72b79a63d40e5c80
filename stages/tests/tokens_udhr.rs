//! Token counts on real UDHR text equal Hugging Face `tokenizers`' (stored fixture), special
//! tokens in raw text included; the `tokens` stage sets counts and never drops.

use std::sync::{Arc, OnceLock};

use pipeline::{Chain, Doc, Outcome, Stage};
use stages::tokens::TokensConfig;
use stages::tokens::{TokenCounter, TokensStage};
use testkit::expect_cached as asset;
use testkit::udhr_text;

fn counter() -> Arc<TokenCounter> {
    static COUNTER: OnceLock<Arc<TokenCounter>> = OnceLock::new();
    COUNTER
        .get_or_init(|| Arc::new(TokenCounter::load(asset("llama3/tokenizer.json")).unwrap()))
        .clone()
}

#[test]
fn counts_equal_hugging_face_on_udhr() {
    let fixture = include_str!("fixtures/udhr_llama3_counts.tsv");
    let mut rows = 0;
    let mut with_special = 0;
    for row in fixture.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [key, template, count] = cols[..] else {
            panic!("bad fixture row {row:?}")
        };
        let template: String = serde_json::from_str(template).unwrap();
        let text = template.replace("{}", &udhr_text(key));
        let expected: u32 = count.parse().unwrap();
        assert_eq!(counter().count(&text), expected, "{key} in {template:?}");
        rows += 1;
        with_special += usize::from(template != "{}");
    }
    assert_eq!((rows, with_special), (50, 8));
}

#[test]
fn special_tokens_in_raw_text_are_one_token_each() {
    let c = counter();
    let text = udhr_text("ind:0");
    let plain = c.count(&text);
    assert_eq!(c.count("<|eot_id|>"), 1);
    assert_eq!(c.count(&format!("{text}<|eot_id|>")), plain + 1);
    assert_eq!(
        c.count(&format!("<|begin_of_text|>{text}<|eot_id|>")),
        plain + 2
    );
    assert!(
        c.count("<|eot_id|") > 1,
        "an incomplete special token is ordinary text"
    );
}

#[test]
fn no_bos_is_added_and_empty_text_is_zero() {
    let c = counter();
    assert_eq!(c.count(""), 0);
    assert_eq!(c.count(" "), 1);
    assert_eq!(c.count("Hello world"), 2);
    let texts = ["", "Hello world", "<|eot_id|>"];
    assert_eq!(c.count_batch(&texts), vec![0, 2, 1]);
}

#[test]
fn missing_tokenizer_says_how_to_fetch_it() {
    let e = TokenCounter::load("/nonexistent/tokenizer.json")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("/nonexistent/tokenizer.json") && e.contains("run: seapile assets fetch"),
        "{e}"
    );
    let config = TokensConfig {
        tokenizer: Some("/nonexistent/custom.json".into()),
    };
    let e = config.stage(&testkit::assets()).unwrap_err().to_string();
    assert!(e.contains("/nonexistent/custom.json"), "{e}");
}

#[test]
fn a_file_that_is_not_a_tokenizer_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("tokenizer.json");
    std::fs::write(&bad, "{\"model\": 42}").unwrap();
    let e = TokenCounter::load(&bad).unwrap_err().to_string();
    assert!(
        e.starts_with("cannot load tokenizer") && e.contains("tokenizer.json"),
        "{e}"
    );
}

#[test]
fn stage_sets_tokens_and_never_drops() {
    let stage = TokensConfig::default().stage(&testkit::assets()).unwrap();
    let mut chain = Chain::new(vec![Box::new(stage)]);
    let texts = [udhr_text("tha:0"), String::new(), udhr_text("mya:all")];
    let mut counts = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        match chain
            .process(Doc::from_text(i.to_string(), "udhr", text.as_str()))
            .unwrap()
            .0
        {
            Outcome::Keep(doc) => counts.push(doc.tokens.unwrap()),
            Outcome::Drop { reason, .. } => panic!("tokens dropped a document: {reason}"),
        }
    }
    assert_eq!(counts[1], 0);
    assert_eq!(counts[2], 28645, "stored HF count of mya:all");
    assert_eq!(counts[0], counter().count(&texts[0]));
    let stats = chain.finish().unwrap();
    assert_eq!(
        (stats[0].name.as_str(), stats[0].docs_in, stats[0].kept),
        ("tokens", 3, 3)
    );
    let mut shared = TokensStage::with_counter(counter());
    match shared
        .process(Doc::from_text("x", "t", "<|eot_id|>"))
        .unwrap()
    {
        Outcome::Keep(doc) => assert_eq!(doc.tokens, Some(1)),
        Outcome::Drop { reason, .. } => panic!("dropped: {reason}"),
    }
}
