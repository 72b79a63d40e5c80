//! Compare the fast counter with the `tokenizers` reference on a JSONL file, one thread:
//! `cargo run --release -p stages --example tokens_check -- TOKENIZER.json TEXT.jsonl [FIELD]`.
//! Prints mismatches (first 10) and MB/s of both.

use std::io::BufRead;
use std::time::Instant;

use stages::tokens::TokenCounter;

#[allow(clippy::print_stdout)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, tokenizer, input, rest @ ..] = &args[..] else {
        eprintln!("usage: tokens_check TOKENIZER.json TEXT.jsonl [FIELD]");
        std::process::exit(2);
    };
    let field = rest.first().map_or("text", String::as_str);
    let file = std::fs::File::open(input).expect("input");
    let texts: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.expect("line")).expect("json");
            v[field].as_str().unwrap_or_default().to_string()
        })
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let start = Instant::now();
    let fast = TokenCounter::load(tokenizer).expect("load");
    let load_s = start.elapsed().as_secs_f64();
    if std::env::var_os("FAST_ONLY").is_some() {
        let (counts, s) = timed(&fast, &texts);
        let tokens: u64 = counts.iter().map(|&n| u64::from(n)).sum();
        println!(
            "fast only: tokens {tokens} {:.1} MB/s",
            bytes as f64 / 1e6 / s
        );
        return;
    }
    let start = Instant::now();
    let reference = TokenCounter::load_reference(tokenizer).expect("load reference");
    println!(
        "engine {} {:?}; load {:.3} s (hf-crate {:.3} s)",
        fast.engine().name(),
        fast.fallback_reason(),
        load_s,
        start.elapsed().as_secs_f64()
    );
    let (fast_counts, fast_s) = timed(&fast, &texts);
    let (ref_counts, ref_s) = timed(&reference, &texts);
    let mut mismatches = 0;
    for (i, (a, b)) in fast_counts.iter().zip(&ref_counts).enumerate() {
        if a != b {
            mismatches += 1;
            if mismatches <= 10 {
                let start: String = texts[i].chars().take(80).collect();
                println!("line {i}: fast {a} hf {b} {start:?}");
            }
        }
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "docs {} bytes {bytes} tokens {} mismatches {mismatches}\nfast {:.1} MB/s  hf-crate {:.1} MB/s  ratio {:.1}x",
        texts.len(),
        ref_counts.iter().map(|&n| u64::from(n)).sum::<u64>(),
        mb / fast_s,
        mb / ref_s,
        ref_s / fast_s
    );
}

fn timed(counter: &TokenCounter, texts: &[String]) -> (Vec<u32>, f64) {
    let start = Instant::now();
    let counts = counter.count_batch(texts);
    (counts, start.elapsed().as_secs_f64())
}
