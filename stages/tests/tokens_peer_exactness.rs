//! Measurement against the Python peer (not part of the normal suite: it needs files the
//! peers harness writes). Run:
//!
//! ```text
//! ./peer make-jsonl --aeb ../eval/extraction/aeb --tsv ../eval/langid/dev.tsv --out /tmp/eval_text.jsonl
//! ./peer tokens --jsonl /tmp/eval_text.jsonl --out /tmp/hf_tokens.jsonl
//! SEAPILE_TOKENS_PEER=/tmp/eval_text.jsonl,/tmp/hf_tokens.jsonl \
//!   cargo test --release -p stages --test tokens_peer_exactness -- --ignored --nocapture
//! ```

use std::time::Instant;

use stages::tokens::TokenCounter;

fn jsonl(path: &str, field: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()[field].clone())
        .collect()
}

/// CPU seconds of the calling thread (Linux `/proc/thread-self/stat`, 10 ms ticks): on a
/// shared machine CPU time is far steadier than wall time.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<f64> = after_name
        .split(' ')
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    (fields[11] + fields[12]) / 100.0 // utime + stime (fields 14, 15 of the whole line)
}

/// MB/s as (first run's CPU — the BPE cache cold, as in the peer's single pass — then the
/// best wall and best CPU of five warm runs).
fn mb_per_s(bytes: usize, f: impl Fn()) -> (f64, f64, f64) {
    let cpu0 = thread_cpu_seconds();
    f();
    let cold = thread_cpu_seconds() - cpu0;
    let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        let (start, cpu0) = (Instant::now(), thread_cpu_seconds());
        f();
        wall = wall.min(start.elapsed().as_secs_f64());
        cpu = cpu.min(thread_cpu_seconds() - cpu0);
    }
    let mb = bytes as f64 / 1e6;
    (mb / cold, mb / wall, mb / cpu)
}

#[test]
#[ignore = "needs the peers' JSONL files; see the module docs"]
fn counts_equal_the_peers_on_eval_text() {
    let var = std::env::var("SEAPILE_TOKENS_PEER")
        .expect("set SEAPILE_TOKENS_PEER=TEXT.jsonl,HF_TOKENS.jsonl (see module docs)");
    let (text_path, hf_path) = var.split_once(',').expect("two paths, comma-separated");
    let texts: Vec<String> = jsonl(text_path, "text")
        .into_iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    let hf: Vec<u64> = jsonl(hf_path, "tokens")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(texts.len(), hf.len());
    let home = std::env::var("HOME").unwrap();
    let tok_path = format!("{home}/.cache/seapile/llama3/tokenizer.json");
    let counter = TokenCounter::load(&tok_path).unwrap();
    let ours = counter.count_batch(&texts);
    let mismatches: Vec<usize> = (0..texts.len())
        .filter(|&i| u64::from(ours[i]) != hf[i])
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let total: u64 = ours.iter().map(|&n| u64::from(n)).sum();
    let fast = mb_per_s(bytes, || {
        counter.count_batch(&texts);
    });
    let tok = tokenizers::Tokenizer::from_file(&tok_path).unwrap();
    let with_offsets = mb_per_s(bytes, || {
        texts
            .iter()
            .for_each(|t| drop(tok.encode(t.as_str(), false).unwrap()));
    });
    eprintln!(
        "docs {} bytes {bytes} tokens {total} mismatches {} | MB/s (cold cpu, warm wall, warm cpu): count = encode_fast {fast:.2?}, \
         encode with byte offsets {with_offsets:.2?}",
        texts.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "first mismatches at lines {:?}",
        &mismatches[..mismatches.len().min(10)]
    );
}
