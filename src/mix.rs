//! `seapile mix plan CONFIG [--json]`: solve a mix config and print its report;
//! `seapile mix write CONFIG --output DIR`: write the blend through the pipeline's Parquet sink.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

/// Plan `config` (counting `files` sources relative to the config's folder) and write the
/// text report, or one JSON object with `--json`.
pub fn plan(config: &Path, json: bool, out: &mut dyn Write) -> Result<()> {
    let mix = mixes::MixConfig::load(config)?;
    let base = config.parent().unwrap_or(Path::new("."));
    let unique = mixes::count::unique_tokens(&mix, base)?;
    let plan = mixes::plan(&mix, &unique)?;
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&mixes::report::json(&plan))?
        )?;
    } else {
        write!(out, "{}", mixes::report::text(&plan))?;
    }
    Ok(())
}

/// Plan `config`, write the blend under `output` (shards + README.md) and print a summary.
pub fn write(
    config: &Path,
    output: &Path,
    seed: u64,
    shard_rows: u64,
    out: &mut dyn Write,
) -> Result<()> {
    let mix = mixes::MixConfig::load(config)?;
    let base = config.parent().unwrap_or(Path::new("."));
    let unique = mixes::count::unique_tokens(&mix, base)?;
    let plan = mixes::plan(&mix, &unique)?;
    let options = mixes::WriteOptions {
        seed,
        shard_rows: shard_rows.max(1),
        ..mixes::WriteOptions::default()
    };
    let summary = mixes::write_mix(&mix, base, &plan, output, &options, &mut open_shard)?;
    for s in &summary.sources {
        writeln!(
            out,
            "{:<24} {:>14} tokens written of {:>14} planned ({} rows)",
            s.name, s.tokens, s.planned_tokens, s.rows
        )?;
    }
    writeln!(
        out,
        "{} rows, {} tokens in {} shards under {}",
        summary.rows,
        summary.tokens,
        summary.shards.len(),
        output.join("data").display()
    )?;
    Ok(())
}

/// A Parquet shard through the pipeline's sink, so the schema is the pipeline's.
struct SinkShard(Box<dyn stages::sink::DocSink + Send>);

impl mixes::ShardSink for SinkShard {
    fn write(&mut self, doc: &pipeline::Doc) -> Result<(), String> {
        self.0.write(doc).map_err(|e| e.to_string())
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        self.0.finish().map(|_| ()).map_err(|e| e.to_string())
    }
}

fn open_shard(path: &Path) -> Result<Box<dyn mixes::ShardSink>, String> {
    let sink = stages::sink::open_sink(path, pipeline::config::OutputFormat::Parquet, false)
        .map_err(|e| e.to_string())?;
    Ok(Box::new(SinkShard(sink)))
}
