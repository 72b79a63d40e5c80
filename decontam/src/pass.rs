//! `seapile decontam`: the global pass over Parquet/JSONL document files.
//!
//! Output: `DIR/data/<input>.<ext>` (the kept documents in the pipeline schema, cut ones
//! with their benchmark spans removed and `meta["decontam"]` saying what was cut),
//! `DIR/contamination.jsonl` (one line per contaminated document: id, url, benchmark file,
//! record, field, n-grams matched, action), `DIR/stats.json` and the card `DIR/README.md`.
//!
//! Design decision: each input file is scanned by one thread with its own [`Scanner`] over
//! the one shared index and written to its own output file, and its contamination lines are
//! kept in input order, so the output does not depend on the thread count.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use docs_io::Format;
use rayon::prelude::*;
use serde::Serialize;

use crate::report::{contamination_line, doc_meta, IndexAbout, Tally};
use crate::scan::{Rules, Scanner, Verdict};
use crate::stage::META_KEY;
use crate::{DecontamError, Index};

/// What the pass reads and writes (flags, not config).
#[derive(Debug, Clone)]
pub struct PassOptions {
    /// Parquet/JSONL files or folders of them (rows with `text`, optional `id`, `url`, ...).
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub index: PathBuf,
    pub rules: Rules,
    pub threads: usize,
    pub format: Format,
    pub license: String,
    pub pretty_name: Option<String>,
}

/// What the pass did.
#[derive(Debug, Clone, Serialize)]
pub struct PassReport {
    pub docs: u64,
    pub kept: u64,
    pub contaminated: u64,
    pub dropped: u64,
    pub cut: u64,
    /// Bytes of text scanned and the seconds spent scanning (summed over threads).
    pub text_bytes: u64,
    pub scan_seconds: f64,
    pub load_seconds: f64,
    pub wall_seconds: f64,
    /// Peak resident memory of the process (Linux), MiB.
    pub peak_rss_mb: Option<f64>,
    #[serde(skip)]
    pub tally: Tally,
}

/// The `.parquet`/`.jsonl` files under `paths` (folders: sorted, not recursive).
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DecontamError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(DecontamError::io(p))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| Format::of(f).is_ok())
                .collect();
            files.sort();
            out.extend(files);
        } else if p.is_file() {
            Format::of(p)?;
            out.push(p.clone());
        } else {
            return Err(DecontamError::NoSuchInput(p.clone()));
        }
    }
    if out.is_empty() {
        return Err(DecontamError::Param(
            "no input files: give --input FILE_OR_FOLDER... (Parquet or JSONL)".into(),
        ));
    }
    Ok(out)
}

struct FileResult {
    tally: Tally,
    kept: u64,
    lines: Vec<String>,
    text_bytes: u64,
    seconds: f64,
}

/// Run the pass.
pub fn run(opts: &PassOptions) -> Result<PassReport, DecontamError> {
    let wall = Instant::now();
    let inputs = expand_inputs(&opts.inputs)?;
    let index = Arc::new(Index::load(&opts.index)?);
    let load_seconds = wall.elapsed().as_secs_f64();
    let about = IndexAbout::read(&opts.index, &opts.rules)?;
    let names = output_names(&inputs, opts.format);
    let scanner = Scanner::new(Arc::clone(&index), opts.rules.clone());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| DecontamError::Param(format!("thread pool: {e}")))?;
    let results: Vec<FileResult> = pool.install(|| {
        inputs
            .par_iter()
            .zip(names.par_iter())
            .map(|(input, name)| {
                let out = opts.output.join("data").join(name);
                scan_file(input, &out, opts.format, scanner.clone())
            })
            .collect::<Result<_, _>>()
    })?;
    let mut tally = Tally::default();
    let mut lines = String::new();
    let (mut kept, mut text_bytes, mut scan_seconds) = (0, 0, 0.0);
    for r in &results {
        tally.merge(&r.tally);
        kept += r.kept;
        text_bytes += r.text_bytes;
        scan_seconds += r.seconds;
        for l in &r.lines {
            lines.push_str(l);
            lines.push('\n');
        }
    }
    let path = opts.output.join("contamination.jsonl");
    docs_io::write_atomic(&path, lines.as_bytes()).map_err(DecontamError::io(&path))?;
    let report = PassReport {
        docs: tally.docs,
        kept,
        contaminated: tally.contaminated,
        dropped: tally.dropped,
        cut: tally.cut,
        text_bytes,
        scan_seconds,
        load_seconds,
        wall_seconds: wall.elapsed().as_secs_f64(),
        peak_rss_mb: peak_rss_mb(),
        tally,
    };
    write_card(opts, &inputs, &about, &report)?;
    Ok(report)
}

fn write_card(
    opts: &PassOptions,
    inputs: &[PathBuf],
    about: &IndexAbout,
    report: &PassReport,
) -> Result<(), DecontamError> {
    let section = report.tally.section(about);
    let stats = serde_json::json!({
        "seapile_version": env!("CARGO_PKG_VERSION"),
        "report": report,
        "counts": report.tally.to_counts(),
    });
    let path = opts.output.join("stats.json");
    let json = serde_json::to_vec_pretty(&stats).expect("stats serialize");
    docs_io::write_atomic(&path, &json).map_err(DecontamError::io(&path))?;
    let files = inputs
        .iter()
        .map(|p| data_cards::InputFile {
            // Cards are published: a file's name, never a machine's path.
            name: p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            bytes: std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            sha256: pipeline::fs::sha256_file(p).ok(),
            ..Default::default()
        })
        .collect();
    let card = data_cards::render_decontam(&data_cards::DecontamCardInput {
        pretty_name: opts.pretty_name.clone().unwrap_or_else(|| {
            let name = opts
                .output
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "decontam".into());
            format!("seapile {name}")
        }),
        license: opts.license.clone(),
        rows: report.kept,
        inputs: files,
        section,
        seapile_version: env!("CARGO_PKG_VERSION").into(),
        data_files: format!("data/*.{}", opts.format.extension()),
    });
    let path = opts.output.join("README.md");
    docs_io::write_atomic(&path, card.as_bytes()).map_err(DecontamError::io(&path))
}

/// One output file name per input: its stem with the output extension, numbered when two
/// inputs share a stem.
fn output_names(inputs: &[PathBuf], format: Format) -> Vec<String> {
    let stems: Vec<String> = inputs
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.rsplit_once('.')
                .map_or(name.clone(), |(s, _)| s.to_string())
        })
        .collect();
    stems
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let clash = stems.iter().filter(|o| *o == s).count() > 1;
            let stem = if clash {
                format!("{s}-{i:05}")
            } else {
                s.clone()
            };
            format!("{stem}.{}", format.extension())
        })
        .collect()
}

fn scan_file(
    input: &Path,
    output: &Path,
    format: Format,
    mut scanner: Scanner,
) -> Result<FileResult, DecontamError> {
    let tmp = pipeline::fs::temp_path(output);
    let mut sink = docs_io::open_sink(&tmp, format, false)?;
    let index = Arc::clone(scanner.index());
    let mut result = FileResult {
        tally: Tally::default(),
        kept: 0,
        lines: Vec::new(),
        text_bytes: 0,
        seconds: 0.0,
    };
    let stem = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    docs_io::for_each_row(input, None, |row| -> Result<(), DecontamError> {
        let mut doc = row.doc()?;
        if doc.id.is_empty() {
            doc.id = format!("{stem}:{}", row.index);
        }
        let start = Instant::now();
        let verdict = scanner.check(&doc.text);
        result.seconds += start.elapsed().as_secs_f64();
        result.text_bytes += doc.text.len() as u64;
        result.tally.add(&index, &verdict);
        if let Some(line) = contamination_line(&index, &doc.id, doc.url.as_deref(), &verdict) {
            result.lines.push(line.to_string());
        }
        match verdict {
            Verdict::Clean => {}
            Verdict::Cut {
                text,
                cuts,
                chars_removed,
                finding,
            } => {
                let meta = doc_meta(&index, &finding, "cut", None, cuts, chars_removed);
                doc.meta.insert(META_KEY.into(), meta.to_string());
                doc.text = text;
            }
            Verdict::Drop { .. } => return Ok(()),
        }
        result.kept += 1;
        sink.write(&doc)?;
        Ok(())
    })?;
    sink.finish()?;
    std::fs::rename(&tmp, output).map_err(DecontamError::io(output))?;
    Ok(result)
}

/// `VmHWM` of this process from `/proc/self/status`, MiB (`None` off Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
