//! The Rust engine next to the C++ fastText library on an evaluation TSV and on whole
//! documents: label agreement, the largest probability difference, and the speed of both in
//! the same run.
//!
//! `cargo run --release -p langid --example engine_vs_cpp -- MODEL TSV [DOCS...]`
//!
//! DOCS are files or folders of real documents: a `.json` file is read as AEB's
//! `ground-truth.json` (every `articleBody`) or a WCXB ground-truth file
//! (`ground_truth.main_content`), a `.txt` file is one document, an `.html` file is its text
//! between tags. Prints one JSON object.

use std::io::Write;
use std::path::{Path, PathBuf};

use langid::{as_fasttext_line, FastText};
use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, tsv, docs @ ..] = &args[..] else {
        return Err("usage: engine_vs_cpp MODEL TSV [DOCS...]".into());
    };
    let ours = std::sync::Arc::new(FastText::load(model_path)?);
    let mut cpp = fasttext::FastText::new();
    cpp.load_model(model_path)?;
    let lines: Vec<String> = langid::eval::read_tsv(tsv)?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let mut documents = Vec::new();
    for d in docs {
        collect(Path::new(d), &mut documents)?;
    }
    let report = json!({
        "lines": compare(&ours, &cpp, &lines, &[(1, 0.0), (2, 0.01)]),
        "documents": compare(&ours, &cpp, &documents, &[(1, 0.0), (2, 0.01), (5, 0.0)]),
        "speed_lines_k1": speed(&ours, &cpp, &lines, 1, 0.0),
        "speed_documents_k2": speed(&ours, &cpp, &documents, 2, 0.01),
        "langid_stage": stage(ours.clone(), &cpp, &documents)?,
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

/// Top-1 agreement, whole top-k agreement (labels and order) and the largest probability
/// difference, per (k, threshold).
fn compare(
    ours: &FastText,
    cpp: &fasttext::FastText,
    texts: &[String],
    ks: &[(usize, f32)],
) -> Value {
    let mut out = Vec::new();
    for &(k, threshold) in ks {
        let (mut top1, mut all, mut max_diff, mut bit_equal) = (0usize, 0usize, 0f32, 0usize);
        for text in texts {
            let a = ours.predict_above(text, k, threshold);
            let b = cpp
                .predict(&as_fasttext_line(text), k as i32, threshold)
                .unwrap_or_default();
            top1 += usize::from(a.first().map(|p| &p.label) == b.first().map(|p| &p.label));
            let same_labels =
                a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.label == y.label);
            all += usize::from(same_labels);
            if same_labels {
                bit_equal += usize::from(
                    a.iter()
                        .zip(&b)
                        .all(|(x, y)| x.prob.to_bits() == y.prob.to_bits()),
                );
                for (x, y) in a.iter().zip(&b) {
                    max_diff = max_diff.max((x.prob - y.prob).abs());
                }
            }
        }
        out.push(json!({
            "k": k, "threshold": threshold, "texts": texts.len(),
            "top1_agree": top1, "topk_agree": all, "probs_bit_equal": bit_equal,
            "max_prob_diff": max_diff,
        }));
    }
    Value::Array(out)
}

/// The langid stage's work per document (`SeaLangid::identify_document`: the whole text,
/// then a sample of its lines, each through the SEA rules) with this engine, the same
/// fastText calls alone with both engines, and so the stage's cost per document with the
/// C++ engine (the SEA rules' own time does not depend on the engine). CPU µs per document,
/// best of 3 rounds.
fn stage(
    ours: std::sync::Arc<FastText>,
    cpp: &fasttext::FastText,
    texts: &[String],
) -> Result<Value, Box<dyn std::error::Error>> {
    let lexicon = langid::MalayLexicon::shared(testkit::expect_cached(langid::LEXICON_DIR))?;
    let sea = langid::SeaLangid::new(ours.clone(), lexicon);
    // The texts identify_document predicts on: the document, then its sampled lines.
    let calls: Vec<Vec<&str>> = texts
        .iter()
        .map(|t| {
            let all: Vec<&str> = t
                .lines()
                .filter(|l| l.trim().chars().count() >= langid::sea::MIN_LINE_CHARS)
                .collect();
            let mut v = vec![t.as_str()];
            if all.len() >= 2 {
                let step = all.len().div_ceil(langid::sea::MAX_LINES);
                v.extend(all.into_iter().step_by(step));
            }
            v
        })
        .collect();
    let (mut best_stage, mut best_ours, mut best_cpp) = (f64::MAX, f64::MAX, f64::MAX);
    let mut sink = 0usize;
    for _ in 0..3 {
        let t = cpu_seconds();
        for text in texts {
            sink += sea.identify_document(text).id.lang.len();
        }
        best_stage = best_stage.min(cpu_seconds() - t);
        let t = cpu_seconds();
        for c in calls.iter().flatten() {
            sink += ours.predict_above(c, 2, 0.01).len();
        }
        best_ours = best_ours.min(cpu_seconds() - t);
        let t = cpu_seconds();
        for c in calls.iter().flatten() {
            sink += cpp
                .predict(&as_fasttext_line(c), 2, 0.01)
                .map_or(0, |p| p.len());
        }
        best_cpp = best_cpp.min(cpu_seconds() - t);
    }
    let n = texts.len().max(1) as f64;
    let us = |s: f64| s * 1e6 / n;
    let rules = (best_stage - best_ours).max(0.0);
    Ok(json!({
        "documents": texts.len(), "predictions_per_doc": calls.iter().map(Vec::len).sum::<usize>() as f64 / n,
        "sink": sink,
        "stage_us_per_doc": us(best_stage),
        "fasttext_us_per_doc_ours": us(best_ours),
        "fasttext_us_per_doc_cpp": us(best_cpp),
        "sea_rules_us_per_doc": us(rules),
        "stage_us_per_doc_with_cpp": us(rules + best_cpp),
        "stage_speedup": (rules + best_cpp) / best_stage,
        "fasttext_speedup": best_cpp / best_ours,
    }))
}

/// This thread's CPU time in seconds (wall time on a shared machine counts other jobs).
#[allow(unsafe_code)]
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Predictions per CPU second of both engines, best of 3 alternating rounds.
fn speed(
    ours: &FastText,
    cpp: &fasttext::FastText,
    texts: &[String],
    k: usize,
    threshold: f32,
) -> Value {
    let (mut best_ours, mut best_cpp) = (f64::MAX, f64::MAX);
    let mut sink = 0usize;
    for _ in 0..3 {
        let t = cpu_seconds();
        for text in texts {
            sink += cpp
                .predict(&as_fasttext_line(text), k as i32, threshold)
                .map_or(0, |p| p.len());
        }
        best_cpp = best_cpp.min(cpu_seconds() - t);
        let t = cpu_seconds();
        for text in texts {
            sink += ours.predict_above(text, k, threshold).len();
        }
        best_ours = best_ours.min(cpu_seconds() - t);
    }
    let n = texts.len() as f64;
    let bytes: usize = texts.iter().map(String::len).sum();
    json!({
        "texts": texts.len(), "mean_bytes": bytes as f64 / n.max(1.0), "predictions": sink,
        "ours_per_s": n / best_ours, "cpp_per_s": n / best_cpp,
        "ours_us_each": best_ours * 1e6 / n, "cpp_us_each": best_cpp * 1e6 / n,
        "speedup": best_cpp / best_ours,
    })
}

fn collect(path: &Path, out: &mut Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            collect(&e, out)?;
        }
        return Ok(());
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "json" => {
            let v: Value = serde_json::from_slice(&std::fs::read(path)?)?;
            if let Some(main) = v
                .pointer("/ground_truth/main_content")
                .and_then(Value::as_str)
            {
                out.push(main.to_string());
            } else if let Some(map) = v.as_object() {
                out.extend(
                    map.values()
                        .filter_map(|e| e.get("articleBody").and_then(Value::as_str))
                        .map(str::to_string),
                );
            }
        }
        "txt" => out.push(std::fs::read_to_string(path)?),
        "html" => out.push(testkit::strip_tags(&String::from_utf8_lossy(
            &std::fs::read(path)?,
        ))),
        _ => {}
    }
    Ok(())
}
