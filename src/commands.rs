//! The single-stage commands (each stage runnable alone on plain files and stdin/stdout) and
//! the printing of evaluation and mix reports.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use pipeline::StageStats;
use serde_json::{json, Value};
use stages::warc::{IngestItem, WarcReader, DEFAULT_MAX_RECORD_BYTES};

/// `seapile ingest`: WARC records → one JSON line per kept HTML page (decoded to UTF-8).
pub fn ingest(inputs: &[String], prefix: Option<&str>, out: &mut dyn Write) -> Result<StageStats> {
    let files = stages::warc::expand_inputs(inputs, prefix)?;
    let mut stats = StageStats::new("ingest");
    for file in &files {
        let reader = stages::warc::open_input(file)?;
        let source = run::source_label(file);
        for item in WarcReader::new(reader, &source, DEFAULT_MAX_RECORD_BYTES) {
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

/// `seapile extract PATH...`: one JSON line per page with `path`, `title`, `text`.
pub fn extract(
    paths: &[PathBuf],
    options: &stages::extract::Options,
    out: &mut dyn Write,
) -> Result<()> {
    use stages::extract::files::{html_files, read_maybe_gz};
    for file in &html_files(paths)? {
        let bytes = read_maybe_gz(file)?;
        let line = match stages::warc::decode_html(&bytes, None) {
            Ok((html, charset, _)) => {
                let ex = stages::extract::extract_with(&html, options);
                json!({"path": file.display().to_string(), "title": ex.title, "text": ex.text,
                       "date": ex.date, "author": ex.author, "pass": ex.pass,
                       "page_type": ex.page_type, "charset": charset})
            }
            Err(reason) => json!({"path": file.display().to_string(), "title": null, "text": "",
                                  "error": reason}),
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// fastText (`model`, else lid.176 from the cache) with the SEA layer, as a run sets it up.
pub fn sea_langid(model: Option<PathBuf>, assets: &pipeline::Assets) -> Result<langid::SeaLangid> {
    let config = langid::LangidConfig {
        model,
        ..Default::default()
    };
    Ok(config.sea_langid(assets)?)
}

/// `seapile langid`: text lines on stdin → `iso639_3<TAB>score` per line.
pub fn langid(sea: &langid::SeaLangid, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<()> {
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
    stage: &stages::tokens::TokensStage,
    out: &mut dyn Write,
) -> Result<()> {
    let counter = stage.counter();
    let file = std::fs::File::open(input)
        .with_context(|| format!("cannot read \"{}\"", input.display()))?;
    let mut out = BufWriter::new(out);
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let at = || format!("\"{}\" line {}", input.display(), i + 1);
        let line = line.with_context(at)?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value =
            serde_json::from_str(&line).with_context(|| format!("{}: not a JSON object", at()))?;
        let text = match value.get(field) {
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Null) | None => bail!("{}: no string field \"{field}\"", at()),
            Some(other) => bail!("{}: field \"{field}\" is not a string: {other}", at()),
        };
        let id = value.get("id").cloned().unwrap_or(json!(i));
        writeln!(out, "{}", json!({"id": id, "tokens": counter.count(text)}))?;
    }
    out.flush()?;
    Ok(())
}

/// `seapile reasons [--markdown]`.
pub fn reasons(markdown: bool, out: &mut dyn Write) -> Result<()> {
    if markdown {
        write!(out, "{}", run::registry::reasons_markdown())?;
        return Ok(());
    }
    for (stage, reasons) in run::registry::reasons() {
        for r in reasons {
            writeln!(out, "{stage:<12} {:<40} {}", r.name, r.meaning())?;
        }
    }
    Ok(())
}

/// `seapile mix plan CONFIG [--json]`: the solved plan's report; with `--compare A B`, two
/// plans side by side per group.
pub fn mix_plan(
    configs: &[PathBuf],
    json: bool,
    assets: &pipeline::Assets,
    out: &mut dyn Write,
) -> Result<()> {
    let plans = configs
        .iter()
        .map(|c| mixes::LoadedMix::load(c, assets)?.plan())
        .collect::<Result<Vec<_>, _>>()?;
    match (&plans[..], json) {
        ([plan], true) => writeln!(
            out,
            "{}",
            serde_json::to_string(&mixes::report::json(plan))?
        )?,
        ([plan], false) => write!(out, "{}", mixes::report::text(plan))?,
        ([a, b], true) => {
            let v = json!({"a": mixes::report::json(a), "b": mixes::report::json(b)});
            writeln!(out, "{}", serde_json::to_string(&v)?)?;
        }
        ([a, b], false) => write!(out, "{}", mixes::report::compare(a, b))?,
        _ => bail!("give one mix config, or --compare A B"),
    }
    Ok(())
}

/// `seapile mix write CONFIG --output DIR`: the blend under `output` and a summary.
pub fn mix_write(
    config: &Path,
    output: &Path,
    options: &mixes::WriteOptions,
    assets: &pipeline::Assets,
    out: &mut dyn Write,
) -> Result<()> {
    let mix = mixes::LoadedMix::load(config, assets)?;
    let plan = mix.plan()?;
    let summary = mixes::write_mix_counted(
        &mix.config,
        &mix.base,
        &plan,
        output,
        options,
        mix.counter.as_ref(),
    )?;
    writeln!(out, "{summary} under {}", output.join("data").display())?;
    report::mix::write(output)?;
    writeln!(out, "report: {}", output.join("report.html").display())?;
    Ok(())
}

#[allow(clippy::print_stdout)]
pub fn print_eval(v: &Value, json: bool, keys: &[&str]) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(v)?);
    } else {
        for k in keys {
            println!("{k:<12} {}", v[k]);
        }
    }
    Ok(())
}
