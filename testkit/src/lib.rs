//! Test-only helpers: where the asset cache is (`$SEAPILE_CACHE`, else `~/.cache/seapile`, as
//! the binary resolves it), real UDHR text from it, and the Python (`$SEAPILE_PYTHON`, the
//! venv `scripts/test` makes) that interop tests read our files with.
//!
//! The design decision: tests fail, never skip, without their real data, and say how to get
//! it. Only tests depend on this crate; no library reads the environment.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub use assets::UDHR_SEA;

/// The asset cache directory: `$SEAPILE_CACHE`, else `~/.cache/seapile`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("SEAPILE_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| ".".into()))
            .join(".cache/seapile"),
    }
}

/// The asset cache as the value stages are built from.
pub fn assets() -> pipeline::Assets {
    assets::Cache::new(cache_dir(), "python3").assets()
}

/// A cached asset (`rel` inside the cache). Panics, saying how to fetch it, when it is
/// missing: tests must fail, not skip, without their real data.
pub fn expect_cached(rel: &str) -> PathBuf {
    let path = cache_dir().join(rel);
    assert!(
        path.exists(),
        "asset {} is missing: run `seapile assets fetch` (or scripts/test)",
        path.display()
    );
    path
}

/// The cached UDHR page with stem `stem` (e.g. `tha`, `cmn_hans`), see [`UDHR_SEA`].
pub fn expect_udhr(stem: &str) -> PathBuf {
    expect_cached(&format!("udhr/declaration/{stem}.html"))
}

/// This thread's CPU time in seconds (`/proc/thread-self/schedstat`, nanoseconds; 0 where
/// there is none): steadier than the wall clock on a machine shared with compilers, for
/// the speed examples.
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

/// Every cached UDHR page (`udhr/declaration/*.html`, ~500 languages), in name order.
pub fn udhr_pages() -> Vec<PathBuf> {
    let dir = expect_cached("udhr/declaration");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable UDHR folder")
        .map(|e| e.expect("UDHR folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    paths.sort();
    assert!(
        paths.len() > 400,
        "{}: {} pages",
        dir.display(),
        paths.len()
    );
    paths
}

/// The `<p>` contents of a cached UDHR page, trimmed, in page order. The pages have no markup
/// or entities inside paragraphs (asserted, so fixtures keyed by paragraph index stay stable).
pub fn udhr_paragraphs(stem: &str) -> Vec<String> {
    let path = expect_udhr(stem);
    let html = std::fs::read_to_string(&path).expect("readable UDHR page");
    let paras: Vec<String> = html
        .split("<p>")
        .skip(1)
        .filter_map(|chunk| chunk.split_once("</p>").map(|(p, _)| p.trim().to_string()))
        .collect();
    assert!(
        paras.len() > 20,
        "{}: {} paragraphs",
        path.display(),
        paras.len()
    );
    assert!(
        paras.iter().all(|p| !p.contains(['<', '&'])),
        "{stem}: markup in <p>"
    );
    paras
}

/// A fixture key's UDHR text: `stem:i` → the i-th paragraph, `stem:all` → all of them joined
/// with `\n`.
pub fn udhr_text(key: &str) -> String {
    let (stem, which) = key.split_once(':').expect("key is stem:which");
    let paras = udhr_paragraphs(stem);
    match which {
        "all" => paras.join("\n"),
        i => paras[i.parse::<usize>().expect("a paragraph index")].clone(),
    }
}

/// The characters of `html` outside tags (entities left as they are): raw page text for
/// tests that compare two language identifiers on the same noisy input.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `$SEAPILE_PYTHON`, or the test venv's interpreter (pyarrow, duckdb, polars, pyyaml);
/// panics with setup advice when missing.
pub fn python() -> PathBuf {
    let path = match std::env::var_os("SEAPILE_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => cache_dir().join("venv/bin/python"),
    };
    assert!(
        path.exists(),
        "no Python at {}: run scripts/test (it creates the venv with pyarrow, duckdb, polars, pyyaml)",
        path.display()
    );
    path
}

/// Parse `yaml` with PyYAML's safe loader (what the Hub's tooling uses) and return it as JSON.
pub fn python_yaml(yaml: &str) -> serde_json::Value {
    let script = "import json, sys, yaml\nprint(json.dumps(yaml.safe_load(sys.stdin.read())))";
    let mut child = Command::new(python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running Python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml.as_bytes())
        .expect("writing to Python");
    let out = child.wait_with_output().expect("waiting for Python");
    assert!(
        out.status.success(),
        "PyYAML rejected:\n{yaml}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("Python printed JSON")
}

/// A TCP port free on 127.0.0.1 right now (for a server a test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}
