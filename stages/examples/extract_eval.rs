//! Measure extraction on an article-extraction-benchmark directory.
//!
//! `extract_eval AEB_DIR` extracts every page (single thread, best of 5 timed runs) and prints the
//! `evaluate.py` score; `extract_eval AEB_DIR --pred PREDS.json` scores someone else's
//! predictions (`{id: {"articleBody": text}}`, as `peer extract --out` writes them);
//! `--dump DIR` also writes each prediction to `DIR/ID.txt`.
//! `extract_eval --files F...` prints one JSON line (`path`, `pass`, `text`) per HTML file
//! (`.gz` allowed, decoded as UTF-8).
//! `extract_eval --sea HTML_SEA_DIR` scores each page of `manifest.tsv` (newspaper4k `.txt`,
//! fundus `.json` summary + sections, htmltotext `.txt`, or the `<p>`/`<li>` text of a UDHR
//! page) with the per-page `evaluate.py` shingle precision, recall and F1.
//! `extract_eval --wcxb WCXB_DIR [--favor F] [--pred PREDS.jsonl] [--dump OUT.jsonl]` scores a
//! WCXB split like its `evaluate.py` (overall and per page type: precision, recall, F1), either
//! our extraction or someone else's predictions (`{"path": ID, "text": ...}` lines, as
//! `peer extract --wcxb --out` writes them); `--dump` writes one line per page with its type,
//! scores and text.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use stages::extract::aeb::{load_aeb, score_pages};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--files") {
        return files(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--wcxb") {
        return wcxb(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--sea") {
        return sea(Path::new(
            args.get(1).ok_or("usage: extract_eval --sea DIR")?,
        ));
    }
    let dir = PathBuf::from(
        args.first()
            .ok_or("usage: extract_eval AEB_DIR [--pred F]")?,
    );
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let pages = load_aeb(&dir)?;
    let preds: Vec<String> = match opt("--pred") {
        Some(f) => {
            let v: HashMap<String, serde_json::Value> =
                serde_json::from_str(&std::fs::read_to_string(f)?)?;
            let body = |id: &str| v.get(id).and_then(|e| e["articleBody"].as_str());
            pages
                .iter()
                .map(|p| body(&p.id).unwrap_or("").to_string())
                .collect()
        }
        None => {
            let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
            let mut out = Vec::new();
            for _ in 0..5 {
                let (start, cpu0) = (Instant::now(), testkit::cpu_seconds());
                out = pages
                    .iter()
                    .map(|p| stages::extract::extract(&p.html))
                    .collect();
                best = best.min(start.elapsed().as_secs_f64());
                best_cpu = best_cpu.min(testkit::cpu_seconds() - cpu0);
            }
            let n = pages.len() as f64;
            println!(
                "{} pages, best of 5 runs: wall {best:.3}s = {:.1} docs/s, cpu {best_cpu:.3}s = {:.1} docs/s",
                pages.len(),
                n / best,
                n / best_cpu
            );
            let fallback = out.iter().filter(|e| e.pass != "main").count();
            println!("non-main passes: {fallback}");
            out.into_iter().map(|e| e.text).collect()
        }
    };
    if let Some(d) = opt("--dump") {
        std::fs::create_dir_all(d)?;
        for (p, t) in pages.iter().zip(&preds) {
            std::fs::write(Path::new(d).join(format!("{}.txt", p.id)), t)?;
        }
    }
    let s = score_pages(
        preds
            .iter()
            .zip(&pages)
            .map(|(p, g)| (p.as_str(), g.truth.as_str())),
    );
    println!("{}", serde_json::to_string(&s)?);
    Ok(())
}

fn read_html(path: &Path) -> Result<String, Box<dyn std::error::Error>> {
    use std::io::Read;
    let mut bytes = std::fs::read(path)?;
    if path.to_string_lossy().ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out)?;
        bytes = out;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Expected text of one manifest row.
fn expected(dir: &Path, html: &str, truth: &str) -> Result<String, Box<dyn std::error::Error>> {
    if truth.starts_with('<') {
        // `<p>/<li>` as the manifest says; `<p>/<li>/<hN>` also keeps the article headings.
        let tags = if truth.contains("<h") {
            "p|li|h[1-6]"
        } else {
            "p|li"
        };
        let block = regex::Regex::new(&format!(r"(?s)<({tags})\b[^>]*>(.*?)</({tags})>"))?;
        let tag = regex::Regex::new(r"(?s)<[^>]*>")?;
        let lines: Vec<String> = block
            .captures_iter(html)
            .map(|c| tag.replace_all(&c[2], " ").into_owned())
            .collect();
        return Ok(lines.join("\n"));
    }
    let text = std::fs::read_to_string(dir.join(truth))?;
    if !truth.ends_with(".json") {
        return Ok(text);
    }
    let v: serde_json::Value = serde_json::from_str(&text)?;
    let first = v
        .as_object()
        .and_then(|o| o.values().next())
        .ok_or("empty json")?;
    let mut out: Vec<&str> = Vec::new();
    let strs = |x: &'_ serde_json::Value| -> Vec<String> {
        x.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let body = &first["body"];
    let mut owned = strs(&body["summary"]);
    for sec in body["sections"].as_array().into_iter().flatten() {
        owned.extend(strs(&sec["headline"]));
        owned.extend(strs(&sec["paragraphs"]));
    }
    out.extend(owned.iter().map(String::as_str));
    Ok(out.join("\n"))
}

fn sea(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv"))?;
    let (mut sum, mut n) = (0.0, 0);
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, truth) = (cols[0], cols[4]);
        let html = read_html(&dir.join(file))?;
        let want = expected(dir, &html, truth)?;
        let ex = stages::extract::extract(&html);
        let s = score_pages([(ex.text.as_str(), want.as_str())]);
        sum += s.f1;
        n += 1;
        let with_headings = if truth.starts_with('<') {
            let want = expected(dir, &html, "<p>/<li>/<hN>")?;
            let h = score_pages([(ex.text.as_str(), want.as_str())]);
            format!(
                "  (with headings: F1 {:.3} P {:.3} R {:.3})",
                h.f1, h.precision, h.recall
            )
        } else {
            String::new()
        };
        println!(
            "{:.3}  P {:.3}  R {:.3}  {:<8}  {file}{with_headings}",
            s.f1, s.precision, s.recall, ex.pass
        );
    }
    println!("mean F1 {:.3} over {n} pages", sum / n as f64);
    Ok(())
}

fn files(paths: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Read;
    for path in paths {
        let mut bytes = std::fs::read(path)?;
        if path.ends_with(".gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out)?;
            bytes = out;
        }
        let ex = stages::extract::extract(&String::from_utf8_lossy(&bytes));
        let line = serde_json::json!({"path": path, "pass": ex.pass, "text": ex.text});
        println!("{line}");
    }
    Ok(())
}

fn wcxb(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    use stages::extract::wcxb::{load_wcxb, page_prf, score_pages};
    let dir = PathBuf::from(args.first().ok_or("usage: extract_eval --wcxb DIR")?);
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let favor: stages::extract::Favor = opt("--favor").map_or("balanced", |s| s).parse()?;
    let options = stages::extract::Options { favor };
    let pages = load_wcxb(&dir)?;
    let (preds, extra): (Vec<String>, Vec<String>) = match opt("--pred") {
        Some(f) => {
            let mut by_id = HashMap::new();
            for line in std::fs::read_to_string(f)?.lines() {
                let v: serde_json::Value = serde_json::from_str(line)?;
                let id = v["path"].as_str().unwrap_or_default().to_string();
                by_id.insert(id, v["text"].as_str().unwrap_or_default().to_string());
            }
            let preds = pages
                .iter()
                .map(|p| by_id.get(&p.id).cloned().unwrap_or_default())
                .collect();
            (preds, vec![String::new(); pages.len()])
        }
        None => {
            let start = Instant::now();
            let out: Vec<_> = pages
                .iter()
                .map(|p| stages::extract::extract_with(&p.html, &options))
                .collect();
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{} pages in {secs:.2}s = {:.1} docs/s",
                pages.len(),
                pages.len() as f64 / secs
            );
            out.into_iter()
                .map(|e| (e.text, format!("{} {}", e.pass, e.page_type)))
                .unzip()
        }
    };
    if let Some(d) = opt("--dump") {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(d)?);
        for ((p, g), x) in preds.iter().zip(&pages).zip(&extra) {
            let (pr, rc, f1) = page_prf(p, &g.truth);
            let line = serde_json::json!({"id": g.id, "type": g.page_type, "p": pr, "r": rc,
                "f1": f1, "how": x, "text": p});
            writeln!(w, "{line}")?;
        }
    }
    let s = score_pages(
        preds
            .iter()
            .zip(&pages)
            .map(|(p, g)| (p.as_str(), g.truth.as_str(), g.page_type.as_str())),
    );
    println!(
        "{:<14} {:>5} {:>6} {:>6} {:>6}",
        "type", "pages", "F1", "P", "R"
    );
    for (t, x) in
        std::iter::once(("all", &s.all)).chain(s.by_type.iter().map(|(k, v)| (k.as_str(), v)))
    {
        println!(
            "{t:<14} {:>5} {:>6.4} {:>6.4} {:>6.4}",
            x.pages, x.f1, x.precision, x.recall
        );
    }
    Ok(())
}
