//! Writing WARC records the way Common Crawl stores them: one gzip member per record, so that
//! any record can be read alone from its offset.

use std::io::{self, BufRead, Read, Write};

use flate2::write::GzEncoder;

use super::lines::{chomp, read_line_capped, skip_newlines, split_header, Line};
use super::IngestError;

/// Write `record_bytes` as one complete gzip member.
pub fn write_gzip_member(out: &mut impl Write, record_bytes: &[u8]) -> io::Result<()> {
    let mut gz = GzEncoder::new(out, flate2::Compression::default());
    gz.write_all(record_bytes)?;
    gz.finish()?;
    Ok(())
}

/// An HTTP/1.1 response message: status line, the given headers, a blank line, the body.
pub fn http_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let reason = if status == 200 { "OK" } else { "Status" };
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A complete WARC/1.0 `response` record (with the two trailing CRLFs) whose block is the
/// HTTP message `http`. `record_id` gets angle brackets if it has none.
pub fn response_record(uri: &str, date: &str, record_id: &str, http: &[u8]) -> Vec<u8> {
    let id = if record_id.starts_with('<') {
        record_id.to_string()
    } else {
        format!("<{record_id}>")
    };
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Date: {date}\r\nWARC-Record-ID: {id}\r\n\
         WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\n\
         Content-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    out.extend_from_slice(http);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// Writes records as gzip members (a `.warc.gz` file).
pub struct WarcWriter<W: Write> {
    out: W,
    records: u64,
}

impl<W: Write> WarcWriter<W> {
    /// A writer appending to `out`.
    pub fn new(out: W) -> Self {
        WarcWriter { out, records: 0 }
    }

    /// Write a `response` record (see [`response_record`]) as one gzip member.
    pub fn write_response(
        &mut self,
        uri: &str,
        date: &str,
        record_id: &str,
        http: &[u8],
    ) -> io::Result<()> {
        self.write_record(&response_record(uri, date, record_id, http))
    }

    /// Write an already-formed record (header, block, trailing CRLFs) as one gzip member.
    pub fn write_record(&mut self, record: &[u8]) -> io::Result<()> {
        write_gzip_member(&mut self.out, record)?;
        self.records += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flush and hand back the output.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Copy the records of an uncompressed WARC stream to `out`, each as its own gzip member
/// (the layout of Common Crawl's `.warc.gz`). Returns the number of records. The copy is
/// byte-exact apart from the separator, which is normalised to `\r\n\r\n`.
pub fn recompress_per_record<R: BufRead>(
    mut input: R,
    name: &str,
    out: &mut impl Write,
) -> Result<u64, IngestError> {
    let read_err = |source| IngestError::Read {
        name: name.to_string(),
        source,
    };
    let mut writer = WarcWriter::new(out);
    let mut record = Vec::new();
    let mut line = Vec::new();
    while skip_newlines(&mut input).map_err(read_err)? {
        record.clear();
        let len = read_header(&mut input, &mut record, &mut line, writer.records())
            .map_err(|e| e.into_error(name))?;
        let got = (&mut input)
            .take(len)
            .read_to_end(&mut record)
            .map_err(read_err)?;
        if (got as u64) < len {
            return Err(read_err(io::ErrorKind::UnexpectedEof.into()));
        }
        record.extend_from_slice(b"\r\n\r\n");
        writer.write_record(&record).map_err(IngestError::Write)?;
    }
    let n = writer.records();
    writer.into_inner().map_err(IngestError::Write)?;
    Ok(n)
}

enum HeaderError {
    Io(io::Error),
    NotWarc(String),
}

impl HeaderError {
    fn into_error(self, name: &str) -> IngestError {
        let name = name.to_string();
        match self {
            HeaderError::Io(source) => IngestError::Read { name, source },
            HeaderError::NotWarc(detail) => IngestError::NotWarc { name, detail },
        }
    }
}

/// Copy one WARC header (through its blank line) into `record`; returns its Content-Length.
fn read_header(
    input: &mut impl BufRead,
    record: &mut Vec<u8>,
    line: &mut Vec<u8>,
    index: u64,
) -> Result<u64, HeaderError> {
    let mut len = None;
    loop {
        let kind = read_line_capped(input, line, 64 << 10).map_err(HeaderError::Io)?;
        if record.is_empty() && !line.starts_with(b"WARC/") {
            let detail = format!(
                "record {index} starts with \"{}\"",
                chomp(line).escape_ascii()
            );
            return Err(HeaderError::NotWarc(detail));
        }
        if kind != Line::Read || !line.ends_with(b"\n") {
            let detail = format!("record {index} has an unfinished or over-long header line");
            return Err(HeaderError::NotWarc(detail));
        }
        record.extend_from_slice(line);
        let l = chomp(line);
        if l.is_empty() {
            return len.ok_or_else(|| {
                HeaderError::NotWarc(format!("record {index} has no Content-Length"))
            });
        }
        if let Some((name, value)) = split_header(l) {
            if name.eq_ignore_ascii_case(b"content-length") {
                len = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
            }
        }
    }
}
