//! The HTTP message inside a `response` record: status line and headers (read from the
//! stream, so that unwanted records are skipped unread), then the body's transfer and content
//! encodings undone in memory.
//!
//! Crawlers often store bodies already de-chunked or decompressed while keeping the original
//! headers (Common Crawl's Nutch-era WARCs do), so a body that is plainly not in the declared
//! encoding but looks like markup is passed through as it is.

use std::io::{self, BufRead, Read, Take};

use super::lines::{chomp, read_line_capped, split_header, Line};
use super::reasons;

/// Longest HTTP header line kept, and most header lines read.
const MAX_LINE: usize = 16 << 10;
const MAX_LINES: usize = 512;

/// The parts of an HTTP response head that ingest needs.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct HttpHead {
    pub status: u16,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub transfer_encoding: Option<String>,
}

impl HttpHead {
    /// Whether the declared Content-Type is HTML; `None` when there is none to go by.
    pub fn declares_html(&self) -> Option<bool> {
        let ct = self.content_type.as_deref()?;
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime.is_empty() {
            return None;
        }
        Some(mime == "text/html" || mime == "application/xhtml+xml")
    }
}

/// Read the status line and headers from a record block. `Ok(Err(reason))` for a malformed
/// head; an `UnexpectedEof` error when the stream (not just the block) ends inside it.
pub(crate) fn read_head<R: BufRead>(
    block: &mut Take<R>,
    line: &mut Vec<u8>,
) -> io::Result<Result<HttpHead, &'static str>> {
    let ended = |block: &Take<R>| -> io::Result<()> {
        if block.limit() > 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    };
    if read_line_capped(block, line, MAX_LINE)? == Line::Eof {
        ended(block)?;
        return Ok(Err(reasons::BAD_HTTP_HEADERS));
    }
    let Some(status) = parse_status(chomp(line)) else {
        return Ok(Err(reasons::BAD_HTTP_HEADERS));
    };
    let mut head = HttpHead {
        status,
        ..HttpHead::default()
    };
    for _ in 0..MAX_LINES {
        match read_line_capped(block, line, MAX_LINE)? {
            Line::Eof => {
                ended(block)?;
                return Ok(Ok(head)); // a head that fills the whole block: no body
            }
            Line::Long => return Ok(Err(reasons::BAD_HTTP_HEADERS)),
            Line::Read => {}
        }
        let l = chomp(line);
        if l.is_empty() {
            return Ok(Ok(head));
        }
        if let Some((name, value)) = split_header(l) {
            let slot = match name.to_ascii_lowercase().as_slice() {
                b"content-type" => &mut head.content_type,
                b"content-encoding" => &mut head.content_encoding,
                b"transfer-encoding" => &mut head.transfer_encoding,
                _ => continue,
            };
            *slot = Some(String::from_utf8_lossy(value).into_owned());
        }
    }
    Ok(Err(reasons::BAD_HTTP_HEADERS))
}

/// `HTTP/1.1 200 OK` → 200.
fn parse_status(line: &[u8]) -> Option<u16> {
    let rest = line.strip_prefix(b"HTTP/")?;
    let mut parts = rest
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|p| !p.is_empty());
    parts.next()?; // version
    let code = parts.next()?;
    if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(code).ok()?.parse().ok()
}

/// Undo Transfer-Encoding (chunked) and Content-Encoding (gzip, x-gzip, deflate, br) of a
/// body. `truncated` (WARC-Truncated) allows a partial result; `cap` bounds decoded size.
pub(crate) fn decode_body(
    body: Vec<u8>,
    head: &HttpHead,
    truncated: bool,
    cap: usize,
) -> Result<Vec<u8>, &'static str> {
    let mut body = body;
    if has_token(head.transfer_encoding.as_deref(), "chunked") {
        body = dechunk(body, truncated)?;
    }
    let Some(codings) = head.content_encoding.as_deref() else {
        return Ok(body);
    };
    for coding in codings.rsplit(',').map(|c| c.trim().to_ascii_lowercase()) {
        body = match coding.as_str() {
            "" | "identity" => body,
            "gzip" | "x-gzip" if !body.starts_with(&[0x1f, 0x8b]) && looks_like_markup(&body) => {
                body
            }
            "gzip" | "x-gzip" => inflate(
                flate2::read::MultiGzDecoder::new(&body[..]),
                &body,
                truncated,
                cap,
            )?,
            "deflate" if is_zlib(&body) => inflate(
                flate2::read::ZlibDecoder::new(&body[..]),
                &body,
                truncated,
                cap,
            )?,
            "deflate" => inflate(
                flate2::read::DeflateDecoder::new(&body[..]),
                &body,
                truncated,
                cap,
            )?,
            "br" => inflate(
                brotli_decompressor::Decompressor::new(&body[..], 4096),
                &body,
                truncated,
                cap,
            )?,
            _ => return Err(reasons::DECODE_FAILED),
        };
    }
    Ok(body)
}

fn has_token(value: Option<&str>, token: &str) -> bool {
    value.is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

fn is_zlib(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] & 0x0f == 8 && (u16::from(b[0]) << 8 | u16::from(b[1])) % 31 == 0
}

/// Run a decoder to the end (at most `cap` bytes). On failure: keep a partial result for a
/// truncated record, pass a body that already looks like markup through, else fail.
fn inflate(
    mut dec: impl Read,
    raw: &[u8],
    truncated: bool,
    cap: usize,
) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(cap));
    let res = dec.by_ref().take(cap as u64 + 1).read_to_end(&mut out);
    if out.len() > cap {
        return Err(reasons::RECORD_TOO_LARGE);
    }
    match res {
        Ok(_) => Ok(out),
        Err(_) if truncated && !out.is_empty() => Ok(out),
        Err(_) if looks_like_markup(raw) => Ok(raw.to_vec()),
        Err(_) => Err(reasons::DECODE_FAILED),
    }
}

/// Undo `Transfer-Encoding: chunked`. A body whose first line is not a chunk size was stored
/// de-chunked already and is returned as it is.
fn dechunk(body: Vec<u8>, truncated: bool) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(body.len());
    let mut pos = 0;
    let mut first = true;
    loop {
        let Some((size, data_start)) = chunk_header(&body[pos..]) else {
            if first {
                return Ok(body);
            }
            return if truncated {
                Ok(out)
            } else {
                Err(reasons::DECODE_FAILED)
            };
        };
        first = false;
        let start = pos + data_start;
        if size == 0 {
            return Ok(out); // trailers after the last chunk are ignored
        }
        let end = start.saturating_add(size);
        if end > body.len() {
            if truncated {
                out.extend_from_slice(&body[start.min(body.len())..]);
                return Ok(out);
            }
            return Err(reasons::DECODE_FAILED);
        }
        out.extend_from_slice(&body[start..end]);
        pos = end;
        // The CRLF after the chunk data (tolerate a bare LF or none at the very end).
        for nl in [b'\r', b'\n'] {
            if body.get(pos) == Some(&nl) {
                pos += 1;
            }
        }
        if pos >= body.len() {
            return Ok(out);
        }
    }
}

/// `1a;ext=1\r\n` → (26, offset of the data).
fn chunk_header(b: &[u8]) -> Option<(usize, usize)> {
    let nl = b.iter().take(1024).position(|&c| c == b'\n')?;
    let line = chomp(&b[..=nl]);
    let hex = line.split(|&c| c == b';').next()?.trim_ascii();
    if hex.is_empty() || hex.len() > 15 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let size = usize::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    Some((size, nl + 1))
}

/// Skip a UTF-8 BOM and ASCII whitespace.
fn trim_start(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// The body starts with `<` (after a BOM and whitespace): already-decoded markup.
pub(crate) fn looks_like_markup(b: &[u8]) -> bool {
    trim_start(b).first() == Some(&b'<')
}

/// Sniff a body without Content-Type: `<!doctype html` at the start or `<html` in the first KiB.
pub(crate) fn sniff_html(b: &[u8]) -> bool {
    let head = trim_start(b);
    let head = &head[..head.len().min(1024)];
    let lower = head.to_ascii_lowercase();
    lower.starts_with(b"<!doctype html") || lower.windows(5).any(|w| w == b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status(b"HTTP/1.1 200 OK"), Some(200));
        assert_eq!(parse_status(b"HTTP/1.0 404"), Some(404));
        assert_eq!(parse_status(b"HTTP/2 301 Moved"), Some(301));
        assert_eq!(parse_status(b"HTTP/1.1 2000 OK"), None);
        assert_eq!(parse_status(b"GET / HTTP/1.1"), None);
    }

    #[test]
    fn dechunk_passes_dechunked_bodies_through() {
        let body = b"<html>already plain</html>".to_vec();
        assert_eq!(dechunk(body.clone(), false).unwrap(), body);
        let chunked = b"5\r\n<html\r\n1;x=y\r\n>\r\n0\r\n\r\n".to_vec();
        assert_eq!(dechunk(chunked, false).unwrap(), b"<html>");
        assert_eq!(dechunk(b"5\r\n<ht".to_vec(), false), Err("decode_failed"));
        assert_eq!(dechunk(b"5\r\n<ht".to_vec(), true).unwrap(), b"<ht");
    }

    #[test]
    fn sniffing() {
        assert!(sniff_html(b"\xEF\xBB\xBF  <!DOCTYPE HTML><p>x"));
        assert!(sniff_html(b"<?xml version=\"1.0\"?>\n<HTML>"));
        assert!(!sniff_html(b"%PDF-1.4"));
        assert!(!sniff_html(b""));
    }
}
