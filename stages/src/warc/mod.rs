//! WARC ingest: a streaming reader that turns WARC records into HTML [`Doc`]s, plus the input
//! plumbing (local files, globs, folders, `warc.paths` lists, http(s) URLs, object stores
//! through `docs_io::store`) and a small gzip-per-record writer.
//!
//! The one design decision: **every record read becomes exactly one [`IngestItem`]**, either
//! a page or a drop with a stable reason, and the reader never holds more than one record in
//! memory. Records that will not be kept (wrong type, status or content type, too large) are
//! skipped through the buffer without being copied; a record whose `Content-Length` does not
//! end at a record boundary is dropped as `bad_content_length` and the reader re-synchronises
//! on the next `WARC/` line; a stream that ends (or whose gzip breaks) inside a record yields
//! one `truncated` / `corrupt_gzip` drop and then ends cleanly.
//!
//! Charset decoding ([`decode_html`]) trusts content over declarations: a byte-order mark,
//! then valid non-ASCII UTF-8, then the HTTP header, then `<meta>`, then detection.

mod charset;
mod gz;
mod http;
mod input;
mod lines;
mod reader;
mod writer;

use pipeline::Doc;

pub use charset::{decode_html, decode_html_for_url};
pub use input::{expand_inputs, open_input, DEFAULT_PATHS_PREFIX};
pub use reader::{crawl_in_path, is_crawl_id, WarcInfo, WarcReader, DEFAULT_MAX_RECORD_BYTES};
pub use writer::{
    http_response, recompress_per_record, response_record, write_gzip_member, WarcWriter,
};

/// Stable reasons for which ingest drops a record (`IngestItem::Dropped::reason`).
pub mod reasons {
    pipeline::drop_reasons! {
        /// A record other than `response` (warcinfo, request, metadata, revisit, resource, ...).
        NOT_RESPONSE = "not_response";
        /// A `response` record whose block is not an HTTP message (e.g. `text/dns`).
        NOT_HTTP = "not_http";
        /// HTTP status other than 200.
        HTTP_STATUS = "http_status";
        /// An HTTP 200 HTML response whose body is empty or only whitespace.
        EMPTY_BODY = "empty_body";
        /// Content-Type is not HTML, or (without one) the body does not look like HTML.
        NOT_HTML = "not_html";
        /// The HTTP status line or header block cannot be parsed.
        BAD_HTTP_HEADERS = "bad_http_headers";
        /// Transfer- or Content-Encoding could not be undone (or is unknown).
        DECODE_FAILED = "decode_failed";
        /// More than 5% of the decoded characters are U+FFFD.
        CHARSET_UNDECODABLE = "charset_undecodable";
        /// Record (or decoded body) larger than the limit; skipped without buffering.
        RECORD_TOO_LARGE = "record_too_large";
        /// The stream ended inside the record.
        TRUNCATED = "truncated";
        /// The gzip stream is corrupt inside the record.
        CORRUPT_GZIP = "corrupt_gzip";
        /// WARC header without a usable Content-Length, WARC-Type or WARC-Record-ID, or too long.
        BAD_WARC_HEADER = "bad_warc_header";
        /// The record's Content-Length does not end where the next record starts.
        BAD_CONTENT_LENGTH = "bad_content_length";
    }
}

/// Ingest reasons for records that are not documents at all — WARC request, metadata and
/// warcinfo records, non-HTTP blocks, redirects and errors, non-HTML responses. A run counts
/// them as records *skipped* (`StageStats::skipped`), not as documents dropped, and does
/// not write them to `rejected/`.
pub const NOT_DOCUMENTS: &[&str] = &[
    reasons::NOT_RESPONSE,
    reasons::NOT_HTTP,
    reasons::HTTP_STATUS,
    reasons::NOT_HTML,
];

/// Whether an ingest reason means "this record is not a document" ([`NOT_DOCUMENTS`]).
pub fn is_not_a_document(reason: &str) -> bool {
    NOT_DOCUMENTS.contains(&reason)
}

/// One record read from a WARC file.
#[derive(Debug, Clone, PartialEq)]
pub enum IngestItem {
    /// An HTTP 200 HTML response, decoded to UTF-8 in `Doc::html`.
    Page(Doc),
    /// Any other record, with a stable reason from [`reasons`]. `id` is the WARC-Record-ID
    /// without angle brackets (empty when the header was unreadable).
    Dropped {
        id: String,
        url: Option<String>,
        reason: &'static str,
    },
}

/// Failure to open, list or read an input (not the fault of one record).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A local file could not be opened or read.
    #[error("cannot open \"{path}\": {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An http(s) download failed.
    #[error("cannot fetch \"{url}\": {message}")]
    Fetch { url: String, message: String },
    /// A URL scheme or bucket we cannot read.
    #[error("cannot read \"{url}\": {message}")]
    UnsupportedUrl { url: String, message: &'static str },
    /// The input does not start with a WARC record.
    #[error("\"{name}\" is not a WARC file: {detail}")]
    NotWarc { name: String, detail: String },
    /// An I/O error while reading records (not a truncation, which is a drop).
    #[error("cannot read \"{name}\": {source}")]
    Read {
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// A local path that does not exist.
    #[error("\"{path}\": no such file or folder")]
    NotFound { path: String },
    /// A glob pattern that matches no file.
    #[error("the glob \"{glob}\" matches no file")]
    NoMatch { glob: String },
    /// A glob pattern that cannot be parsed.
    #[error("the glob \"{glob}\" is invalid: {message}")]
    BadGlob { glob: String, message: String },
    /// A folder without `.warc` / `.warc.gz` files.
    #[error("the folder \"{path}\" has no .warc or .warc.gz file")]
    EmptyFolder { path: String },
    /// Writing a WARC file failed.
    #[error("cannot write WARC output: {0}")]
    Write(#[source] std::io::Error),
    /// An object-store input could not be listed or read.
    #[error(transparent)]
    Store(#[from] docs_io::store::StoreError),
}
