//! The single-stage commands: each stage runnable alone on plain files and stdin/stdout.

use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use pipeline::StageStats;
use serde_json::{json, Value};
use stages::warc::{IngestItem, WarcReader};

use crate::assets;

/// `seapile ingest`: WARC records → one JSON line per kept HTML page (decoded to UTF-8).
pub fn ingest(inputs: &[String], prefix: Option<&str>, out: &mut dyn Write) -> Result<StageStats> {
    let files = stages::warc::expand_inputs(inputs, prefix)?;
    let mut stats = StageStats::new("ingest");
    for file in &files {
        let reader = stages::warc::open_input(file)?;
        let source = crate::run::source_label(file);
        for item in WarcReader::new(reader, &source, 16 << 20) {
            match item.with_context(|| format!("reading \"{file}\""))? {
                IngestItem::Dropped { reason, .. } => stats.drop(reason),
                IngestItem::Page(doc) => {
                    stats.keep();
                    let line = json!({
                        "id": doc.id, "url": doc.url, "date": doc.date, "source": source,
                        "meta": doc.meta, "html": doc.html,
                    });
                    writeln!(out, "{line}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(stats)
}

/// HTML files under `paths` (files as given; folders walked, sorted): `.html`, `.htm`,
/// optionally gzipped.
pub fn html_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).with_context(|| format!("reading folder \"{}\"", p.display()))?;
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            bail!("\"{}\": no such file or folder", p.display());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let name = name.strip_suffix(".gz").unwrap_or(&name);
            if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml") {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// Read a file, gunzipping it when it starts with the gzip magic bytes.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read \"{}\"", path.display()))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| format!("\"{}\": broken gzip", path.display()))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// `seapile extract PATH...`: one JSON line per page with `path`, `title`, `text`.
pub fn extract(paths: &[PathBuf], out: &mut dyn Write) -> Result<usize> {
    let files = html_files(paths)?;
    for file in &files {
        let bytes = read_maybe_gz(file)?;
        let line = match stages::warc::decode_html(&bytes, None) {
            Ok((html, charset, _)) => {
                let ex = stages::extract::extract(&html);
                json!({"path": file.display().to_string(), "title": ex.title, "text": ex.text,
                       "date": ex.date, "author": ex.author, "pass": ex.pass, "charset": charset})
            }
            Err(reason) => json!({"path": file.display().to_string(), "title": null, "text": "",
                                  "error": reason}),
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(files.len())
}

/// `seapile langid`: text lines on stdin → `iso639_3<TAB>score` per line.
pub fn langid(model: Option<&Path>, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<()> {
    let path = match model {
        Some(p) => p.to_path_buf(),
        None => assets::require(assets::LID_176)?,
    };
    let sea = langid::SeaLangid::new(
        std::sync::Arc::new(langid::FastText::load(&path)?),
        assets::malay_lexicon()?,
    );
    let mut line = String::new();
    let mut out = BufWriter::new(out);
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            writeln!(out, "und\t0.0000")?;
            continue;
        }
        let id = sea.identify(text);
        writeln!(out, "{}\t{:.4}", id.lang, id.score)?;
    }
    out.flush()?;
    Ok(())
}

/// `seapile tokens`: one JSON line per input JSONL line, in order, with `id` and `tokens`.
pub fn tokens(
    input: &Path,
    field: &str,
    tokenizer: Option<&Path>,
    out: &mut dyn Write,
) -> Result<u64> {
    let path = match tokenizer {
        Some(p) => p.to_path_buf(),
        None => assets::require(assets::LLAMA3_TOKENIZER)?,
    };
    let counter = stages::tokens::TokenCounter::load(&path)?;
    let file = std::fs::File::open(input)
        .with_context(|| format!("cannot read \"{}\"", input.display()))?;
    let mut out = BufWriter::new(out);
    let mut total = 0u64;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("\"{}\" line {}", input.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(&line).with_context(|| {
            format!("\"{}\" line {}: not a JSON object", input.display(), i + 1)
        })?;
        let text = match value.get(field) {
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Null) | None => bail!(
                "\"{}\" line {}: no string field \"{field}\"",
                input.display(),
                i + 1
            ),
            Some(other) => bail!(
                "\"{}\" line {}: field \"{field}\" is not a string: {other}",
                input.display(),
                i + 1
            ),
        };
        let n = counter.count(text);
        total += u64::from(n);
        let id = value.get("id").cloned().unwrap_or(json!(i));
        writeln!(out, "{}", json!({"id": id, "tokens": n}))?;
    }
    out.flush()?;
    Ok(total)
}

/// `seapile eval extraction --aeb DIR`.
pub fn eval_extraction(aeb: &Path) -> Result<Value> {
    let pages = stages::extract::aeb::load_aeb(aeb)?;
    let start = Instant::now();
    let preds: Vec<String> = pages
        .iter()
        .map(|p| stages::extract::extract(&p.html).text)
        .collect();
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let score = stages::extract::aeb::score_pages(
        preds
            .iter()
            .zip(&pages)
            .map(|(p, page)| (p.as_str(), page.truth.as_str())),
    );
    Ok(json!({
        "pages": score.pages, "precision": score.precision, "recall": score.recall,
        "f1": score.f1, "docs_per_s": pages.len() as f64 / secs,
    }))
}

/// `seapile eval langid --tsv FILE`.
pub fn eval_langid(tsv: &Path, model: Option<&Path>) -> Result<Value> {
    let path = match model {
        Some(p) => p.to_path_buf(),
        None => assets::require(assets::LID_176)?,
    };
    let ft = std::sync::Arc::new(langid::FastText::load(&path)?);
    let lines = langid::eval::read_tsv_with_sources(tsv)?;
    let pairs = || lines.iter().map(|(g, _, t)| (g.as_str(), t.as_str()));
    let sea = langid::SeaLangid::new(ft.clone(), assets::malay_lexicon()?);
    let e = langid::eval::evaluate_sea(&sea, pairs());
    let raw = langid::eval::evaluate(&ft, pairs());
    // Per source family (the source column up to its first ':', e.g. `udhr`, `tatoeba-…`):
    // full sentences, short sentences and web lines fail differently.
    let mut families: Vec<&str> = lines
        .iter()
        .map(|(_, s, _)| s.split(':').next().unwrap_or(s))
        .collect();
    families.sort_unstable();
    families.dedup();
    let by_source: serde_json::Map<String, Value> = families
        .iter()
        .map(|fam| {
            let subset = || {
                lines
                    .iter()
                    .filter(|(_, s, _)| s.split(':').next() == Some(*fam))
                    .map(|(g, _, t)| (g.as_str(), t.as_str()))
            };
            let e = langid::eval::evaluate_sea(&sea, subset());
            let raw = langid::eval::evaluate(&ft, subset());
            let v = json!({
                "lines": e.lines,
                "macro_f1": e.macro_f1_present(),
                "fasttext_macro_f1": raw.macro_f1_present(),
                "zsm_ind": e.confused("zsm", "ind") + e.confused("ind", "zsm"),
                "fasttext_zsm_ind": raw.confused("zsm", "ind") + raw.confused("ind", "zsm"),
            });
            (fam.to_string(), v)
        })
        .collect();
    Ok(json!({
        "lines": e.lines, "accuracy": e.accuracy, "macro_f1": e.macro_f1,
        "per_lang": e.per_lang, "lines_per_s": e.lines_per_s,
        "confusion": sea_confusion(&e),
        "fasttext_only": {
            "accuracy": raw.accuracy, "macro_f1": raw.macro_f1,
            "lines_per_s": raw.lines_per_s, "confusion": sea_confusion(&raw),
        },
        "by_source": by_source,
    }))
}

/// The confusions the SEA rules target: `gold_as_pred` line counts.
fn sea_confusion(e: &langid::eval::LangidEval) -> Value {
    let pairs = [
        ("zsm", "ind"),
        ("ind", "zsm"),
        ("jav", "ind"),
        ("ind", "jav"),
        ("sun", "ind"),
        ("ind", "sun"),
    ];
    let map: serde_json::Map<String, Value> = pairs
        .iter()
        .map(|(g, p)| (format!("{g}_as_{p}"), json!(e.confused(g, p))))
        .collect();
    Value::Object(map)
}
