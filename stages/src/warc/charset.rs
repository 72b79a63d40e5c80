//! Decoding an HTML body to UTF-8.
//!
//! Content beats declarations: a byte-order mark wins, then a body that is valid UTF-8 with
//! non-ASCII bytes is UTF-8 whatever it declares (many pages say GB2312 or ISO-8859-1 and are
//! UTF-8), then the HTTP header, then `<meta>` in the first 4 KiB, then `chardetng`. A UTF-8
//! declaration on a body that is not valid UTF-8 is ignored. Labels resolve as browsers do
//! (`encoding_rs`: GB2312 → GBK, ISO-8859-1 → windows-1252).

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::reasons;

/// How far into the body `<meta charset>` is looked for.
const META_SCAN: usize = 4096;
/// How much of the body `chardetng` sees.
const DETECT_SCAN: usize = 64 << 10;
/// Largest tolerated share of U+FFFD among decoded characters (1 in 20 = 5%).
const MAX_REPLACEMENT_PER: usize = 20;

/// Decode `body` to UTF-8 text. Returns `(text, charset name, charset source)` where the
/// source is one of `bom`, `utf8_valid`, `header`, `meta`, `detected`; or the drop reason
/// `charset_undecodable` when more than 5% of the characters come out as U+FFFD.
pub fn decode_html(
    body: &[u8],
    content_type: Option<&str>,
) -> Result<(String, &'static str, &'static str), &'static str> {
    decode_html_for_url(body, content_type, None)
}

/// [`decode_html`] with the page URL, whose top-level domain guides detection
/// (e.g. `.th` favours windows-874, `.vn` windows-1258).
pub fn decode_html_for_url(
    body: &[u8],
    content_type: Option<&str>,
    url: Option<&str>,
) -> Result<(String, &'static str, &'static str), &'static str> {
    let (enc, bom_len, source) = choose(body, content_type, url.and_then(tld));
    let (text, had_errors) = enc.decode_without_bom_handling(&body[bom_len..]);
    if had_errors {
        let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
        if bad * MAX_REPLACEMENT_PER > text.chars().count() {
            return Err(reasons::CHARSET_UNDECODABLE);
        }
    }
    Ok((text.into_owned(), enc.name(), source))
}

/// Pick the encoding: `(encoding, BOM length, source)`.
fn choose(
    body: &[u8],
    content_type: Option<&str>,
    tld: Option<String>,
) -> (&'static Encoding, usize, &'static str) {
    if let Some((enc, len)) = Encoding::for_bom(body) {
        return (enc, len, "bom");
    }
    let ascii = body.is_ascii();
    if !ascii && std::str::from_utf8(body).is_ok() {
        return (UTF_8, 0, "utf8_valid");
    }
    // Without a BOM, UTF-16 declarations are wrong in practice; UTF-8 ones are wrong here.
    let usable =
        |enc: &&'static Encoding| *enc != UTF_16LE && *enc != UTF_16BE && (ascii || *enc != UTF_8);
    if let Some(enc) = content_type.and_then(header_charset).filter(usable) {
        return (enc, 0, "header");
    }
    if let Some(enc) = meta_charset(&body[..body.len().min(META_SCAN)]).filter(usable) {
        return (enc, 0, "meta");
    }
    if ascii {
        return (UTF_8, 0, "utf8_valid");
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(&body[..body.len().min(DETECT_SCAN)], true);
    let tld = tld.as_deref().map(str::as_bytes);
    (
        detector.guess(tld, chardetng::Utf8Detection::Deny),
        0,
        "detected",
    )
}

/// `text/html; charset="gb2312"` → GBK.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(
            value
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .as_bytes(),
        )
    })
}

/// The charset named by the first `<meta>` tag that names one (`<meta charset=...>` or
/// `<meta http-equiv="Content-Type" content="...; charset=...">`), as browsers map it.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i + 5;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        if let Some(enc) = charset_in_tag(&lower[start..end]) {
            return Some(enc.output_encoding());
        }
        from = end;
    }
    None
}

fn charset_in_tag(tag: &[u8]) -> Option<&'static Encoding> {
    let at = find(tag, b"charset")?;
    let rest = tag[at + 7..].trim_ascii_start().strip_prefix(b"=")?;
    let rest = rest.trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let len = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    Encoding::for_label(&rest[..len])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `https://www.example.co.th:8080/x` → `th`.
fn tld(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let last = host.trim_end_matches('.').rsplit('.').next()?;
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| last.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_forms() {
        assert_eq!(
            meta_charset(b"<META CHARSET='Windows-1251'>"),
            Some(encoding_rs::WINDOWS_1251)
        );
        let http_equiv =
            br#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />"#;
        assert_eq!(meta_charset(http_equiv), Some(encoding_rs::GBK));
        assert_eq!(
            meta_charset(b"<meta name=x><meta charset=utf-16>"),
            Some(UTF_8)
        );
        assert_eq!(
            meta_charset(b"<meta name=description content=charset>"),
            None
        );
    }

    #[test]
    fn header_forms() {
        assert_eq!(
            header_charset("text/html; charset=\"ISO-8859-1\""),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(header_charset("text/html"), None);
        assert_eq!(header_charset("text/html; charset=nonsense"), None);
    }

    #[test]
    fn top_level_domains() {
        assert_eq!(tld("http://www.thairath.co.th/news?a=b"), Some("th".into()));
        assert_eq!(tld("https://user@VN.example.VN:443/"), Some("vn".into()));
    }
}
