//! The whole path (ingest → extract → exact dedup → langid → quality → tokens → Parquet) on
//! `threads` threads, side by side in the same run with the Python peers of `../shared/peers`
//! (`peer pipeline fastpy`, `peer pipeline datatrove`) on the same WARC: docs/s for each and
//! the ratios. Build with `--release` for real numbers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use pipeline::Assets;
use serde_json::{json, Value};

use crate::{io_err, peer_json, BenchError};

/// What to run.
#[derive(Debug, Clone)]
pub struct WholeOptions {
    /// WARC file(s); empty: build `make-bench-warc`'s WARC with the peers harness.
    pub warcs: Vec<PathBuf>,
    /// The peers harness folder, when present.
    pub peers: Option<PathBuf>,
    /// Peer stacks to run next to seapile (`none`: seapile alone).
    pub against: Vec<String>,
    /// Threads for seapile (the peers run on one core).
    pub threads: usize,
    /// Scratch folder for the bench WARC and the outputs.
    pub work: PathBuf,
    /// A folder of HTML pages to run on instead of a WARC (see [`pages_warc`]).
    pub pages: Option<PathBuf>,
}

/// Run seapile and the peers; the report.
pub fn run(opts: &WholeOptions, assets: &Assets) -> Result<Value, BenchError> {
    std::fs::create_dir_all(&opts.work).map_err(io_err(&opts.work))?;
    let warcs = if let Some(dir) = &opts.pages {
        let warc = opts.work.join("pages.warc.gz");
        pages_warc(dir, &warc)?;
        vec![warc]
    } else if !opts.warcs.is_empty() {
        opts.warcs.clone()
    } else {
        let Some(peers) = &opts.peers else {
            return Err(BenchError::Missing(
                "no --warc given and no peers harness found (../shared/peers) to build the bench WARC"
                    .into(),
            ));
        };
        vec![bench_warc(peers, &opts.work)?]
    };
    let ours = run_seapile(&warcs, &opts.work.join("seapile-out"), opts.threads, assets)?;
    let mut result = json!({"input": warcs, "seapile": ours});
    let our_rate = ours["docs_per_s"].as_f64().unwrap_or(0.0);
    if let Some(peers) = &opts.peers {
        for stack in opts
            .against
            .iter()
            .filter(|s| !s.is_empty() && *s != "none")
        {
            let v = run_peer(
                peers,
                stack,
                &warcs,
                &opts.work.join(format!("peer-{stack}")),
            )?;
            let rate = v["docs_per_s"].as_f64().unwrap_or(0.0);
            result[stack.as_str()] = v;
            if rate > 0.0 {
                result[format!("ratio_vs_{stack}")] = json!(our_rate / rate);
            }
        }
    }
    result["stages"] = stage_table(&result);
    Ok(result)
}

/// A WARC of the HTML pages under `dir` (`*.html`, `*.htm`, optionally gzipped; sorted by
/// path, subfolders included), written to `out` as one gzip member per response record,
/// as Common Crawl lays them out: what `seapile bench --pages DIR` runs on, so seapile and
/// the peers read the same pages. Each page is a `200 text/html` response at
/// `http://pages.bench/<path under dir>`, without a declared charset (detected, as for a
/// page whose server says nothing). Returns the number of pages.
pub fn pages_warc(dir: &Path, out: &Path) -> Result<usize, BenchError> {
    use std::io::Read;
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).map_err(io_err(&d))? {
            let path = entry.map_err(io_err(&d))?.path();
            if path.is_dir() {
                todo.push(path);
            } else if is_html_name(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(BenchError::Missing(format!(
            "no *.html, *.htm, *.html.gz or *.htm.gz file under \"{}\"",
            dir.display()
        )));
    }
    let file = std::fs::File::create(out).map_err(io_err(out))?;
    let mut warc = stages::warc::WarcWriter::new(std::io::BufWriter::new(file));
    for (i, path) in files.iter().enumerate() {
        let raw = std::fs::read(path).map_err(io_err(path))?;
        let body = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut html = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_end(&mut html)
                .map_err(io_err(path))?;
            html
        } else {
            raw
        };
        let rel = path.strip_prefix(dir).unwrap_or(path).to_string_lossy();
        let uri = format!("http://pages.bench/{}", rel.replace('\\', "/"));
        let http = stages::warc::http_response(200, &[("Content-Type", "text/html")], &body);
        let id = format!("<urn:uuid:00000000-0000-4000-8000-{i:012}>");
        warc.write_response(&uri, "2025-01-01T00:00:00Z", &id, &http)
            .map_err(io_err(out))?;
    }
    warc.into_inner().map_err(io_err(out))?;
    Ok(files.len())
}

fn is_html_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".html") || name.ends_with(".htm")
}

/// The bench WARC `make-bench-warc` writes (built once into `work`).
fn bench_warc(peers: &Path, work: &Path) -> Result<PathBuf, BenchError> {
    let out = work.join("bench.warc.gz");
    if !out.exists() {
        let status = Command::new("python3")
            .arg(peers.join("make-bench-warc"))
            .arg(&out)
            .status()
            .map_err(|e| BenchError::Peer {
                what: "make-bench-warc".into(),
                message: e.to_string(),
            })?;
        if !status.success() {
            return Err(BenchError::Peer {
                what: "make-bench-warc".into(),
                message: format!("failed ({status})"),
            });
        }
    }
    Ok(out)
}

fn run_seapile(
    warcs: &[PathBuf],
    out: &Path,
    threads: usize,
    assets: &Assets,
) -> Result<Value, BenchError> {
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(io_err(out))?;
    }
    let overrides = run::RunOverrides {
        inputs: warcs.iter().map(|p| p.display().to_string()).collect(),
        output: Some(out.to_path_buf()),
        ..Default::default()
    };
    let config = run::resolve_config(None, &overrides)?;
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let report = run::Run {
        assets,
        threads,
        part: run::Part::ALL,
        staging: out.join(".staging"),
        observer: &run::Quiet,
        stop: &stop,
    }
    .all(&config)?;
    let wall = start.elapsed().as_secs_f64();
    let s = &report.stats;
    // Documents that reached extraction: HTML responses with a body.
    let html_in = s.stages.first().map(|i| i.kept).unwrap_or(0);
    let stage_s: serde_json::Map<String, Value> = s
        .stages
        .iter()
        .map(|st| (st.name.clone(), json!(st.seconds)))
        .collect();
    Ok(json!({
        "threads": threads,
        "records_read": s
            .stages
            .first()
            .map(|i| i.docs_in + i.skipped_total())
            .unwrap_or(0),
        "html_docs_in": html_in,
        "docs_kept_final": s.docs_out,
        "tokens_kept": s.tokens(),
        "wall_s": wall,
        "docs_per_s": html_in as f64 / wall.max(1e-9),
        "stage_s": stage_s,
        "stage_order": s.stages.iter().map(|st| st.name.as_str()).collect::<Vec<_>>(),
    }))
}

fn run_peer(peers: &Path, stack: &str, warcs: &[PathBuf], out: &Path) -> Result<Value, BenchError> {
    let mut args = vec!["pipeline".into(), stack.into()];
    args.extend(warcs.iter().map(|w| w.as_os_str().to_owned()));
    args.extend(["--out".into(), out.as_os_str().to_owned()]);
    peer_json(peers, &args)
}

/// Each stage's cost, per stack that reports stage times (seapile's `stage_s`, and a peer's
/// when it has one): seconds, µs per HTML document in, and share of the stack's stage time.
fn stage_table(report: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (stack, v) in report.as_object().into_iter().flatten() {
        let (Some(stage_s), Some(docs)) = (
            v.get("stage_s").and_then(Value::as_object),
            v.get("html_docs_in").and_then(Value::as_u64),
        ) else {
            continue;
        };
        let total: f64 = stage_s.values().filter_map(Value::as_f64).sum();
        // Pipeline order where the stack gives it, else by name.
        let order: Vec<&str> = match v.get("stage_order").and_then(Value::as_array) {
            Some(names) => names.iter().filter_map(Value::as_str).collect(),
            None => stage_s.keys().map(String::as_str).collect(),
        };
        let rows: Vec<Value> = order
            .into_iter()
            .filter_map(|name| {
                let s = stage_s.get(name)?.as_f64()?;
                Some(json!({
                    "stage": name,
                    "seconds": s,
                    "us_per_doc": if docs > 0 { s * 1e6 / docs as f64 } else { 0.0 },
                    "share": if total > 0.0 { s / total } else { 0.0 },
                }))
            })
            .collect();
        out.insert(stack.clone(), Value::Array(rows));
    }
    Value::Object(out)
}

/// The report as text: docs/s and ratios, then one per-stage table per stack.
pub fn table(report: &Value) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let stacks = ["seapile", "fastpy", "datatrove"];
    for stack in stacks {
        let Some(v) = report.get(stack) else { continue };
        let rate = v["docs_per_s"].as_f64().unwrap_or(0.0);
        let _ = write!(
            s,
            "{stack:<10} {rate:>9.1} docs/s  {:>7.2} s wall  {} HTML docs in, {} kept",
            v["wall_s"].as_f64().unwrap_or(0.0),
            v["html_docs_in"],
            v["docs_kept_final"]
        );
        if let Some(r) = report
            .get(format!("ratio_vs_{stack}"))
            .and_then(Value::as_f64)
        {
            let _ = write!(s, "  (seapile is {r:.2}x)");
        }
        s.push('\n');
    }
    for (stack, rows) in report["stages"].as_object().into_iter().flatten() {
        let _ = writeln!(s, "\n{stack}: stage        µs/doc   share");
        for row in rows.as_array().into_iter().flatten() {
            let _ = writeln!(
                s,
                "  {:<20} {:>9.1} {:>6.1}%",
                row["stage"].as_str().unwrap_or(""),
                row["us_per_doc"].as_f64().unwrap_or(0.0),
                100.0 * row["share"].as_f64().unwrap_or(0.0)
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_table_divides_by_documents_and_shares_the_stage_time() {
        let report = json!({
            "seapile": {"html_docs_in": 4, "docs_per_s": 2.0, "wall_s": 2.0, "docs_kept_final": 1,
                        "stage_s": {"langid": 1.0, "extract": 3.0},
                        "stage_order": ["extract", "langid"]},
            "fastpy": {"html_docs_in": 4, "docs_per_s": 1.0, "wall_s": 4.0, "docs_kept_final": 1,
                       "stage_s": {"extract": 2.0}},
            "datatrove": {"html_docs_in": 4, "docs_per_s": 0.5},
            "ratio_vs_fastpy": 2.0,
        });
        let t = stage_table(&report);
        assert_eq!(t["seapile"][0]["stage"], "extract");
        assert_eq!(t["seapile"][0]["us_per_doc"], 750_000.0);
        assert_eq!(t["seapile"][0]["share"], 0.75);
        assert_eq!(t["seapile"][1]["share"], 0.25);
        assert_eq!(t["fastpy"][0]["us_per_doc"], 500_000.0);
        assert!(t.get("datatrove").is_none(), "no stage times, no table");
        let mut report = report;
        report["stages"] = t;
        let text = table(&report);
        assert!(text.contains("seapile is 2.00x"), "{text}");
        assert!(text.contains("750000.0"), "{text}");
    }
}

#[cfg(test)]
mod pages_tests {
    use super::*;
    use stages::warc::{open_input, IngestItem, WarcReader, DEFAULT_MAX_RECORD_BYTES};
    use std::io::Write;

    #[test]
    fn a_folder_of_pages_becomes_one_response_per_page() {
        let dir = tempfile::tempdir().unwrap();
        let pages = dir.path().join("pages");
        std::fs::create_dir_all(pages.join("sub")).unwrap();
        let thai = "<html><body><p>ข้อ ๑ มนุษย์ทั้งหลายเกิดมามีอิสระ</p></body></html>";
        std::fs::write(
            pages.join("a.html"),
            "<html><body><p>first</p></body></html>",
        )
        .unwrap();
        std::fs::write(pages.join("sub/c.HTM"), thai).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<html><body><p>second</p></body></html>")
            .unwrap();
        std::fs::write(pages.join("b.html.gz"), gz.finish().unwrap()).unwrap();
        std::fs::write(pages.join("notes.txt"), "not a page").unwrap();
        let warc = dir.path().join("pages.warc.gz");
        assert_eq!(pages_warc(&pages, &warc).unwrap(), 3);
        let input = open_input(warc.to_str().unwrap()).unwrap();
        let docs: Vec<(Option<String>, String)> =
            WarcReader::new(input, "pages.warc.gz", DEFAULT_MAX_RECORD_BYTES)
                .map(|item| match item.unwrap() {
                    IngestItem::Page(doc) => (doc.url.clone(), doc.html.clone().unwrap()),
                    IngestItem::Dropped { reason, .. } => panic!("dropped: {reason}"),
                })
                .collect();
        let urls: Vec<&str> = docs.iter().filter_map(|(u, _)| u.as_deref()).collect();
        assert_eq!(
            urls,
            [
                "http://pages.bench/a.html",
                "http://pages.bench/b.html.gz",
                "http://pages.bench/sub/c.HTM"
            ]
        );
        assert!(docs[1].1.contains("second"));
        assert!(
            docs[2].1.contains("มนุษย์"),
            "UTF-8 detected without a declared charset"
        );
        let empty = dir.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let e = pages_warc(&empty, &dir.path().join("x.warc.gz")).unwrap_err();
        assert!(e.to_string().contains("no *.html"), "{e}");
    }
}
