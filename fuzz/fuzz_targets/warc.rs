//! Fuzz the WARC reader and charset decoding: any byte stream yields items, drops or an
//! error, never a panic; every page's HTML then goes through `extract`. The raw input is
//! also decoded directly as an HTML body under a content type taken from its first line.
#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use stages::warc::{decode_html_for_url, IngestItem, WarcReader};

fuzz_target!(|data: &[u8]| {
    let first_line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    let content_type = std::str::from_utf8(first_line).ok();
    if let Ok((text, _, _)) = decode_html_for_url(data, content_type, Some("http://a.th/x")) {
        let _ = stages::extract::extract(&text);
    }
    let reader = WarcReader::new(BufReader::with_capacity(64, data), "fuzz.warc", 1 << 20);
    for item in reader.take(1000) {
        match item {
            Ok(IngestItem::Page(doc)) => {
                let _ = stages::extract::extract(doc.html.as_deref().unwrap_or(""));
            }
            Ok(IngestItem::Dropped { reason, .. }) => assert!(!reason.is_empty()),
            Err(_) => break,
        }
    }
});
