//! The streaming record reader: one [`IngestItem`] per WARC record, one record in memory.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};

use pipeline::Doc;

use super::charset::decode_html_for_url;
use super::http::{self, HttpHead};
use super::lines::{chomp, fill, read_line_capped, skip_bytes, skip_newlines, split_header, Line};
use super::{reasons, IngestError, IngestItem};

/// Records larger than this are skipped unless the caller sets another limit.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 16 << 20;
/// A decoded (decompressed) body may be this many times the record limit.
const DECODED_FACTOR: u64 = 4;
const MAX_VERSION_LINE: usize = 256;
const MAX_HEADER_LINE: usize = 16 << 10;
const MAX_HEADER_LINES: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing read yet: the stream must start with a WARC record.
    Fresh,
    /// The previous record ended on a record boundary.
    Between,
    /// The previous record's length was wrong: scan for the next `WARC/` line.
    Resync,
    /// End of stream, or stopped after a truncation or error.
    Done,
}

/// Why reading stopped short of an item.
enum Fail {
    Io(io::Error),
    NotWarc(String),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail::Io(e)
    }
}

/// The WARC header fields ingest uses.
#[derive(Debug, Default)]
struct WarcHead {
    kind: Option<String>,
    id: Option<String>,
    url: Option<String>,
    date: Option<String>,
    content_type: Option<String>,
    length: Option<u64>,
    truncated: Option<String>,
    /// `WARC-Filename` (warcinfo records).
    filename: Option<String>,
    /// A header line was too long to keep.
    bad: bool,
}

impl WarcHead {
    fn set(&mut self, name: &[u8], value: &[u8]) {
        let text = || Some(String::from_utf8_lossy(value).into_owned());
        match name.to_ascii_lowercase().as_slice() {
            b"warc-type" => self.kind = text(),
            b"warc-record-id" => self.id = text(),
            b"warc-target-uri" => self.url = text(),
            b"warc-date" => self.date = text(),
            b"content-type" => self.content_type = text(),
            b"warc-truncated" => self.truncated = text(),
            b"warc-filename" => self.filename = text(),
            b"content-length" => {
                self.length = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok())
            }
            _ => {}
        }
    }

    /// Why a record with a known length is skipped without looking at its block.
    fn skip_reason(&self) -> Option<&'static str> {
        let is_http = |ct: &str| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/http")
        };
        if self.bad || self.id.is_none() {
            return Some(reasons::BAD_WARC_HEADER);
        }
        match self.kind.as_deref() {
            None => Some(reasons::BAD_WARC_HEADER),
            Some(k) if !k.eq_ignore_ascii_case("response") => Some(reasons::NOT_RESPONSE),
            _ if self.content_type.as_deref().is_some_and(|ct| !is_http(ct)) => {
                Some(reasons::NOT_HTTP)
            }
            _ => None,
        }
    }
}

/// What the file's `warcinfo` records say about it (the first value of each field wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarcInfo {
    /// `WARC-Filename` of the warcinfo record.
    pub filename: Option<String>,
    /// `isPartOf` (Common Crawl: the crawl, e.g. `CC-MAIN-2014-35`).
    pub is_part_of: Option<String>,
    /// `publisher` / `operator`.
    pub publisher: Option<String>,
    pub operator: Option<String>,
    /// `software` that wrote the file.
    pub software: Option<String>,
}

impl WarcInfo {
    /// Whether the file says it is Common Crawl's: `isPartOf: CC-MAIN-…`, a `CC-MAIN-`
    /// file name, or Common Crawl as publisher or operator.
    pub fn is_common_crawl(&self) -> bool {
        let cc_name = |v: &Option<String>| v.as_deref().is_some_and(|v| v.starts_with("CC-MAIN-"));
        let cc_org = |v: &Option<String>| {
            v.as_deref().is_some_and(|v| {
                let v: String = v.chars().filter(|c| c.is_alphanumeric()).collect();
                v.to_ascii_lowercase().contains("commoncrawl")
            })
        };
        cc_name(&self.is_part_of)
            || cc_name(&self.filename)
            || cc_org(&self.publisher)
            || cc_org(&self.operator)
    }

    /// The Common Crawl crawl (`CC-MAIN-YYYY-WW`) the file belongs to, when it says so.
    pub fn crawl(&self) -> Option<&str> {
        self.is_part_of.as_deref().filter(|p| is_crawl_id(p))
    }

    fn read_fields(&mut self, block: &[u8]) {
        for line in block.split(|&b| b == b'\n') {
            let Some((name, value)) = split_header(chomp(line)) else {
                continue;
            };
            let value = String::from_utf8_lossy(value).trim().to_string();
            if value.is_empty() {
                continue;
            }
            let slot = match name.to_ascii_lowercase().as_slice() {
                b"ispartof" => &mut self.is_part_of,
                b"publisher" => &mut self.publisher,
                b"operator" => &mut self.operator,
                b"software" => &mut self.software,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
    }
}

/// `CC-MAIN-2014-35`: a Common Crawl crawl id.
pub fn is_crawl_id(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 15
        && s.starts_with("CC-MAIN-")
        && b[8..12].iter().all(u8::is_ascii_digit)
        && b[12] == b'-'
        && b[13..15].iter().all(u8::is_ascii_digit)
}

/// The crawl id in a Common Crawl path or URL (`…/crawl-data/CC-MAIN-2024-10/segments/…`).
pub fn crawl_in_path(path: &str) -> Option<&str> {
    path.match_indices("CC-MAIN-")
        .map(|(i, _)| &path[i..path.len().min(i + 15)])
        .find(|c| is_crawl_id(c))
}

/// Largest warcinfo block read for its fields; larger ones are skipped unread.
const MAX_WARCINFO: u64 = 64 << 10;

/// Streams [`IngestItem`]s out of an (already decompressed) WARC byte stream.
///
/// `name` is used in error messages and, by its base name, as `Doc::source`. Every record
/// read yields exactly one item; after a `truncated`/`corrupt_gzip` drop or an error the
/// iterator ends.
pub struct WarcReader<R: BufRead> {
    inner: R,
    name: String,
    source: String,
    max_record_bytes: u64,
    line: Vec<u8>,
    state: State,
    records: u64,
    /// Id and URL of the record being read, for a drop when the stream stops inside it.
    current: (String, Option<String>),
    started: bool,
    /// A stream error met while looking past a finished record, reported on the next call.
    pending: Option<io::Error>,
    info: WarcInfo,
}

impl<R: BufRead> WarcReader<R> {
    /// A reader over `inner`; records over `max_record_bytes` are dropped unread.
    pub fn new(inner: R, name: &str, max_record_bytes: u64) -> Self {
        WarcReader {
            inner,
            name: name.to_string(),
            source: base_name(name).to_string(),
            max_record_bytes,
            line: Vec::with_capacity(256),
            state: State::Fresh,
            records: 0,
            current: (String::new(), None),
            started: false,
            pending: None,
            info: WarcInfo::default(),
        }
    }

    /// What the `warcinfo` records read so far say about the file.
    pub fn info(&self) -> &WarcInfo {
        &self.info
    }

    /// Set the `Doc::source` label (default: the base name of `name`).
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// Records read so far (= items yielded, errors excepted).
    pub fn records_read(&self) -> u64 {
        self.records
    }

    fn dropped(&self, reason: &'static str) -> IngestItem {
        IngestItem::Dropped {
            id: self.current.0.clone(),
            url: self.current.1.clone(),
            reason,
        }
    }

    fn read_record(&mut self) -> Result<Option<IngestItem>, Fail> {
        self.current = (String::new(), None);
        self.started = false;
        if let Some(e) = self.pending.take() {
            return Err(Fail::Io(e));
        }
        if !self.start_record()? {
            return Ok(None);
        }
        self.started = true;
        let head = match self.read_warc_head()? {
            Ok(head) => head,
            Err(reason) => {
                self.state = State::Resync;
                return Ok(Some(self.dropped(reason)));
            }
        };
        self.current = (
            head.id
                .as_deref()
                .map(strip_brackets)
                .unwrap_or_default()
                .to_string(),
            head.url.as_deref().map(|u| strip_brackets(u).to_string()),
        );
        let Some(len) = head.length else {
            self.state = State::Resync; // without a length the record's end is unknown
            return Ok(Some(self.dropped(reasons::BAD_WARC_HEADER)));
        };
        let warcinfo = head
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("warcinfo"));
        if warcinfo && !head.bad && head.id.is_some() && len <= MAX_WARCINFO {
            let mut block = Vec::with_capacity(len as usize);
            (&mut self.inner).take(len).read_to_end(&mut block)?;
            if (block.len() as u64) < len {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
            }
            if self.info.filename.is_none() {
                self.info.filename = head.filename.clone();
            }
            self.info.read_fields(&block);
            return Ok(Some(self.end_record(reasons::NOT_RESPONSE)));
        }
        if let Some(reason) = head.skip_reason() {
            if skip_bytes(&mut self.inner, len)? < len {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
            }
            return Ok(Some(self.end_record(reason)));
        }
        self.read_response(&head, len).map(Some)
    }

    /// Position the stream after a record's `WARC/` version line; `false` at end of stream.
    fn start_record(&mut self) -> Result<bool, Fail> {
        let state = std::mem::replace(&mut self.state, State::Between);
        if state == State::Resync {
            return Ok(self.resync()?);
        }
        if !skip_newlines(&mut self.inner)? {
            return Ok(false);
        }
        if state == State::Fresh {
            let buf = fill(&mut self.inner)?;
            if !b"WARC/".starts_with(&buf[..buf.len().min(5)]) {
                return Err(Fail::NotWarc(describe_start(buf)));
            }
        }
        read_line_capped(&mut self.inner, &mut self.line, MAX_VERSION_LINE)?;
        if self.line.starts_with(b"WARC/") {
            return Ok(true);
        }
        if state == State::Fresh {
            return Err(Fail::NotWarc(describe_start(&self.line)));
        }
        Ok(self.resync()?)
    }

    /// Skip lines until one starts a record (`WARC/...`); `false` at end of stream.
    fn resync(&mut self) -> io::Result<bool> {
        loop {
            match read_line_capped(&mut self.inner, &mut self.line, MAX_VERSION_LINE)? {
                Line::Eof => return Ok(false),
                Line::Read if self.line.starts_with(b"WARC/") => return Ok(true),
                _ => {}
            }
        }
    }

    /// Read header lines up to the blank line. `Ok(Err)` when the header is too long to
    /// find its end.
    fn read_warc_head(&mut self) -> Result<Result<WarcHead, &'static str>, Fail> {
        let mut head = WarcHead::default();
        for _ in 0..MAX_HEADER_LINES {
            match read_line_capped(&mut self.inner, &mut self.line, MAX_HEADER_LINE)? {
                Line::Long => {
                    head.bad = true;
                    continue;
                }
                Line::Read if self.line.ends_with(b"\n") => {}
                _ => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            }
            let line = chomp(&self.line);
            if line.is_empty() {
                return Ok(Ok(head));
            }
            if let Some((name, value)) = split_header(line) {
                head.set(name, value);
            }
        }
        Ok(Err(reasons::BAD_WARC_HEADER))
    }

    /// A record read or skipped to its declared end is dropped for `reason`, or as
    /// `bad_content_length` when no record boundary follows.
    fn end_record(&mut self, reason: &'static str) -> IngestItem {
        let reason = if self.ends_cleanly() {
            reason
        } else {
            reasons::BAD_CONTENT_LENGTH
        };
        self.dropped(reason)
    }

    /// Whether a record boundary follows; if not, the next call re-synchronises.
    fn ends_cleanly(&mut self) -> bool {
        let ok = self.at_boundary();
        if !ok {
            self.state = State::Resync;
        }
        ok
    }

    /// After a record's block: only newlines, then `WARC/` or the end of the stream.
    fn at_boundary(&mut self) -> bool {
        let peek = |r: &mut R| -> io::Result<bool> {
            if !skip_newlines(r)? {
                return Ok(true);
            }
            let buf = fill(r)?;
            Ok(b"WARC/".starts_with(&buf[..buf.len().min(5)]))
        };
        peek(&mut self.inner).unwrap_or_else(|e| {
            self.pending = Some(e); // the next record is the broken one, not this one
            true
        })
    }

    fn read_response(&mut self, head: &WarcHead, len: u64) -> Result<IngestItem, Fail> {
        let mut block = (&mut self.inner).take(len);
        let http = http::read_head(&mut block, &mut self.line)?;
        let reject = match &http {
            Err(reason) => Some(*reason),
            Ok(h) if h.status != 200 => Some(reasons::HTTP_STATUS),
            Ok(h) if h.declares_html() == Some(false) => Some(reasons::NOT_HTML),
            Ok(_) if len > self.max_record_bytes => Some(reasons::RECORD_TOO_LARGE),
            Ok(_) => None,
        };
        let mut body = Vec::new();
        if reject.is_some() {
            let rest = block.limit();
            skip_bytes(&mut block, rest)?;
        } else {
            body.reserve_exact(usize::try_from(block.limit()).unwrap_or(0));
            block.read_to_end(&mut body)?;
        }
        if block.limit() > 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
        }
        Ok(match (reject, http) {
            (Some(reason), _) | (None, Err(reason)) => self.end_record(reason),
            (None, Ok(http)) if self.ends_cleanly() => self.page(head, &http, body),
            (None, Ok(_)) => self.dropped(reasons::BAD_CONTENT_LENGTH),
        })
    }

    /// Decode an HTTP 200 body into a page, or drop it.
    fn page(&self, head: &WarcHead, http: &HttpHead, body: Vec<u8>) -> IngestItem {
        let cap = usize::try_from(self.max_record_bytes.saturating_mul(DECODED_FACTOR))
            .unwrap_or(usize::MAX);
        let body = match http::decode_body(body, http, head.truncated.is_some(), cap) {
            Ok(body) => body,
            Err(reason) => return self.dropped(reason),
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return self.dropped(reasons::EMPTY_BODY);
        }
        if http.declares_html().is_none() && !http::sniff_html(&body) {
            return self.dropped(reasons::NOT_HTML);
        }
        let ct = http.content_type.as_deref();
        let (html, charset, charset_source) =
            match decode_html_for_url(&body, ct, self.current.1.as_deref()) {
                Ok(decoded) => decoded,
                Err(reason) => return self.dropped(reason),
            };
        let mut meta = BTreeMap::new();
        meta.insert("charset".to_string(), charset.to_string());
        meta.insert("charset_source".to_string(), charset_source.to_string());
        if let Some(ct) = ct {
            meta.insert("content_type".to_string(), ct.to_string());
        }
        meta.insert(
            "warc_record_id".to_string(),
            head.id.clone().unwrap_or_default(),
        );
        meta.insert("http_status".to_string(), http.status.to_string());
        meta.insert("content_length".to_string(), body.len().to_string());
        if let Some(t) = &head.truncated {
            meta.insert("warc_truncated".to_string(), t.clone());
        }
        IngestItem::Page(Doc {
            id: self.current.0.clone(),
            url: self.current.1.clone(),
            date: head.date.clone(),
            source: self.source.clone(),
            html: Some(html),
            meta,
            ..Doc::default()
        })
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = Result<IngestItem, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == State::Done {
            return None;
        }
        let item = match self.read_record() {
            Ok(Some(item)) => Ok(item),
            Ok(None) => {
                self.state = State::Done;
                return None;
            }
            Err(fail) => {
                self.state = State::Done;
                self.stopped(fail)
            }
        };
        if item.is_ok() {
            self.records += 1;
        }
        Some(item)
    }
}

impl<R: BufRead> WarcReader<R> {
    /// A stream that ends or breaks inside a record is that record's drop; anything else
    /// (not a WARC file, an I/O error) is an error naming the input.
    fn stopped(&self, fail: Fail) -> Result<IngestItem, IngestError> {
        let name = self.name.clone();
        let e = match fail {
            Fail::NotWarc(detail) => return Err(IngestError::NotWarc { name, detail }),
            Fail::Io(e) => e,
        };
        let reason = match e.kind() {
            io::ErrorKind::UnexpectedEof => reasons::TRUNCATED,
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => reasons::CORRUPT_GZIP,
            _ => return Err(IngestError::Read { name, source: e }),
        };
        if self.started || self.records > 0 {
            Ok(self.dropped(reason))
        } else {
            Err(IngestError::Read { name, source: e })
        }
    }
}

/// `.../CC-MAIN-x.warc.gz?y` → `CC-MAIN-x.warc.gz`.
fn base_name(name: &str) -> &str {
    let name = name.split(['?', '#']).next().unwrap_or(name);
    name.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(name)
}

/// `<urn:uuid:x>` → `urn:uuid:x`.
fn strip_brackets(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(s)
}

/// Describe how a non-WARC stream starts, for the error message.
fn describe_start(buf: &[u8]) -> String {
    if buf.starts_with(b"filedesc://") {
        return "it is an ARC file (it starts with \"filedesc://\"); ARC is not supported, only WARC".to_string();
    }
    let first = &buf[..buf.len().min(40)];
    let first = first.split(|&b| b == b'\n').next().unwrap_or(first);
    format!(
        "it starts with \"{}\" instead of \"WARC/\"",
        first.escape_ascii()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawl_ids_in_info_and_paths() {
        assert!(is_crawl_id("CC-MAIN-2014-35"));
        assert!(!is_crawl_id("CC-MAIN-20140820021334-00006"));
        assert_eq!(
            crawl_in_path("s3://commoncrawl/crawl-data/CC-MAIN-2024-10/segments/1/warc/x.warc.gz"),
            Some("CC-MAIN-2024-10")
        );
        assert_eq!(crawl_in_path("CC-MAIN-20140820021334-00006.warc.gz"), None);
        let mut info = WarcInfo::default();
        info.read_fields(
            b"software: Nutch\r\nisPartOf: CC-MAIN-2014-35\r\npublisher: CommonCrawl\r\n",
        );
        assert_eq!(info.crawl(), Some("CC-MAIN-2014-35"));
        assert!(info.is_common_crawl());
        let other = WarcInfo {
            software: Some("wget/1.21".into()),
            ..WarcInfo::default()
        };
        assert!(!other.is_common_crawl());
    }

    #[test]
    fn names_and_ids() {
        assert_eq!(
            base_name("https://h/crawl-data/x/CC-MAIN-1.warc.gz"),
            "CC-MAIN-1.warc.gz"
        );
        assert_eq!(base_name("local.warc"), "local.warc");
        assert_eq!(strip_brackets("<urn:uuid:1>"), "urn:uuid:1");
        assert_eq!(strip_brackets("http://a/"), "http://a/");
    }
}
