//! Count every line of a JSONL file's `text` (or every file under a folder) with a
//! tokenizer.json, for profiling: `count_bench TOKENIZER.json INPUT [--reference]`.
#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [tokenizer, input, rest @ ..] = &args[..] else {
        return Err("usage: count_bench TOKENIZER.json INPUT [--reference]".into());
    };
    let counter = if rest.iter().any(|a| a == "--reference") {
        stages::tokens::TokenCounter::load_reference(tokenizer)?
    } else {
        stages::tokens::TokenCounter::load(tokenizer)?
    };
    let path = std::path::Path::new(input);
    let texts: Vec<String> = if path.is_dir() {
        std::fs::read_dir(path)?
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    } else {
        std::fs::read_to_string(path)?
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect()
    };
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let start = std::time::Instant::now();
    let mut total = 0u64;
    for _ in 0..rounds {
        stages::tokens::TokenCounter::clear_thread_cache();
        total = texts.iter().map(|t| u64::from(counter.count(t))).sum();
    }
    let secs = start.elapsed().as_secs_f64() / rounds as f64;
    let bytes: usize = texts.iter().map(String::len).sum();
    println!(
        "{} texts, {total} tokens, {:.2} MB/s",
        texts.len(),
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
