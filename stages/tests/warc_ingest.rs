//! WARC ingest over real data: the genuine Common Crawl WARC from the asset cache (as it is and
//! re-written one gzip member per record), real UDHR pages wrapped as HTTP responses, and
//! malformed inputs built here from those. Every test checks `records read = pages + drops`.

use std::io::{BufReader, Cursor, Read, Write};
use std::path::Path;

use pipeline::{Doc, StageStats};
use stages::warc::{
    decode_html, expand_inputs, http_response, open_input, recompress_per_record, response_record,
    write_gzip_member, IngestItem, WarcReader, WarcWriter, DEFAULT_MAX_RECORD_BYTES,
};
use testkit::expect_cached as asset;

const CC_WARC: &str = "warc/CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc";
const DATE: &str = "2024-01-01T00:00:00Z";

fn udhr(stem: &str) -> Vec<u8> {
    std::fs::read(asset(&format!("udhr/declaration/{stem}.html"))).unwrap()
}

/// Read every item; panics on an error item. Checks `read = pages + drops`.
fn read_items(bytes: &[u8], max: u64) -> Vec<IngestItem> {
    let mut reader = WarcReader::new(Cursor::new(bytes), "test.warc", max);
    let items: Vec<IngestItem> = reader.by_ref().map(|item| item.unwrap()).collect();
    assert_eq!(reader.records_read(), items.len() as u64);
    assert!(reader.next().is_none(), "the iterator stays finished");
    items
}

fn read_all(bytes: &[u8]) -> Vec<IngestItem> {
    read_items(bytes, DEFAULT_MAX_RECORD_BYTES)
}

/// `page` for pages, else the drop reason.
fn outcomes(items: &[IngestItem]) -> Vec<&'static str> {
    items
        .iter()
        .map(|item| match item {
            IngestItem::Page(_) => "page",
            IngestItem::Dropped { reason, .. } => reason,
        })
        .collect()
}

fn ids(items: &[IngestItem]) -> Vec<&str> {
    items
        .iter()
        .map(|item| match item {
            IngestItem::Page(doc) => doc.id.as_str(),
            IngestItem::Dropped { id, .. } => id.as_str(),
        })
        .collect()
}

fn only_page(items: &[IngestItem]) -> &Doc {
    match items {
        [IngestItem::Page(doc)] => doc,
        other => panic!("expected one page, got {other:?}"),
    }
}

/// A multi-member gzip stream, decoded as `open_input` does.
fn gunzip(bytes: &[u8]) -> BufReader<flate2::bufread::MultiGzDecoder<&[u8]>> {
    BufReader::new(flate2::bufread::MultiGzDecoder::new(bytes))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_gzip_member(&mut out, bytes).unwrap();
    out
}

/// A `response` record around an HTTP 200 message with these headers and body.
fn html_record(n: u32, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let http = http_response(200, headers, body);
    response_record(
        &format!("http://example.org/{n}"),
        DATE,
        &format!("urn:uuid:{n}"),
        &http,
    )
}

/// A record with exactly these WARC headers and block (no Content-Length added).
fn raw_record(headers: &[&str], block: &[u8]) -> Vec<u8> {
    let mut out = b"WARC/1.0\r\n".to_vec();
    for h in headers {
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn small_page(n: u32) -> Vec<u8> {
    html_record(
        n,
        &[("Content-Type", "text/html")],
        format!("<html><p>page {n}</p></html>").as_bytes(),
    )
}

fn cc_raw() -> Vec<u8> {
    std::fs::read(asset(CC_WARC)).unwrap()
}

fn cc_gz() -> Vec<u8> {
    let mut out = Vec::new();
    let n = recompress_per_record(BufReader::new(&cc_raw()[..]), "cc.warc", &mut out).unwrap();
    assert_eq!(n, 13);
    out
}

// ---------------------------------------------------------------- the genuine CC WARC

#[test]
fn genuine_cc_warc_gives_three_pages_and_ten_counted_drops() {
    let path = asset(CC_WARC);
    let reader = open_input(path.to_str().unwrap()).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let mut stats = StageStats::new("ingest");
    let mut pages = Vec::new();
    for item in WarcReader::new(reader, path.to_str().unwrap(), DEFAULT_MAX_RECORD_BYTES) {
        match item.unwrap() {
            IngestItem::Page(doc) => {
                stats.keep();
                pages.push(doc);
            }
            IngestItem::Dropped { reason, .. } => stats.drop(reason),
        }
    }
    assert_eq!(stats.docs_in, 13);
    assert!(stats.is_balanced());
    assert_eq!(stats.kept, 3);
    assert_eq!(
        stats.dropped["not_response"], 9,
        "warcinfo + 4 requests + 4 metadata"
    );
    assert_eq!(
        stats.dropped["empty_body"], 1,
        "the msn.com 200 with Content-Length: 0"
    );

    let got: Vec<(&str, &str)> = pages
        .iter()
        .map(|d| (d.id.as_str(), d.url.as_deref().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("urn:uuid:d2ce4c32-7c09-477e-87c9-36e8e49ce467", "http://0pointer.de/photos/?gallery=Australia&photo=496"),
            (
                "urn:uuid:4d6e9288-d174-493b-a373-8a822759982b",
                "http://0pointer.de/photos/?gallery=Thailand%202011-01&photo=726&show_thumbs=yes&exif_style="
            ),
            (
                "urn:uuid:a448a920-781f-4f53-a5c6-ca9f215239c4",
                "http://0x20.be/Special:WhatLinksHere/Thread:Talk:Gentse_feesten/foo"
            ),
        ]
    );
    let first = &pages[0];
    assert_eq!(first.source, name);
    assert_eq!(first.date.as_deref(), Some("2014-08-21T05:52:58Z"));
    assert_eq!(
        first.meta["warc_record_id"],
        "<urn:uuid:d2ce4c32-7c09-477e-87c9-36e8e49ce467>"
    );
    assert_eq!(first.meta["http_status"], "200");
    assert_eq!(first.meta["content_type"], "text/html; charset=utf-8");
    assert_eq!(
        first.meta["content_length"], "7204",
        "the body length the server sent"
    );
    assert_eq!(first.meta["charset"], "UTF-8");
    assert!(!first.meta.contains_key("warc_truncated"));
    assert!(first
        .html
        .as_deref()
        .unwrap()
        .contains("<title>Photos</title>"));
    for doc in &pages[1..] {
        assert_eq!(doc.meta["warc_truncated"], "length", "{}", doc.id);
    }
    // Declares Content-Encoding: gzip but was stored decoded by the crawler: passed through.
    let wiki = pages[2].html.as_deref().unwrap();
    assert!(
        wiki.starts_with("<!DOCTYPE html>\n<html lang=\"en\""),
        "{}",
        &wiki[..80]
    );
}

#[test]
fn multi_member_gzip_reads_like_the_plain_file_and_is_found_by_magic_bytes() {
    let plain = read_all(&cc_raw());
    let gz = cc_gz();
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-gz-extension.warc");
    std::fs::write(&path, &gz).unwrap();
    let reader = open_input(path.to_str().unwrap()).unwrap();
    let from_gz: Vec<IngestItem> = WarcReader::new(reader, "CC.warc", DEFAULT_MAX_RECORD_BYTES)
        .map(Result::unwrap)
        .collect();
    assert_eq!(from_gz.len(), 13);
    assert_eq!(outcomes(&from_gz), outcomes(&plain));
    assert_eq!(
        from_gz,
        plain
            .iter()
            .cloned()
            .map(with_source("CC.warc"))
            .collect::<Vec<_>>()
    );
}

fn with_source(source: &'static str) -> impl Fn(IngestItem) -> IngestItem {
    move |item| match item {
        IngestItem::Page(mut doc) => {
            doc.source = source.to_string();
            IngestItem::Page(doc)
        }
        other => other,
    }
}

#[test]
fn gzip_cut_inside_a_member_yields_one_truncated_drop_then_ends() {
    let full = read_all(&cc_raw());
    let gz = cc_gz();
    // The 223 kB response 4d6e9288 is most of the compressed bytes: cut in its middle.
    let cut = &gz[..gz.len() / 2];
    let mut reader = WarcReader::new(gunzip(cut), "cut.warc.gz", DEFAULT_MAX_RECORD_BYTES);
    let items: Vec<IngestItem> = reader
        .by_ref()
        .map(Result::unwrap)
        .map(with_source("test.warc"))
        .collect();
    let last = items.len() - 1;
    assert_eq!(items[..last], full[..last]);
    assert_eq!(
        items[last],
        IngestItem::Dropped {
            id: "urn:uuid:4d6e9288-d174-493b-a373-8a822759982b".into(),
            url: Some("http://0pointer.de/photos/?gallery=Thailand%202011-01&photo=726&show_thumbs=yes&exif_style=".into()),
            reason: "truncated",
        }
    );
    assert_eq!(reader.records_read(), 9);
    assert!(reader.next().is_none());
}

#[test]
fn gzip_cut_right_after_a_member_reports_the_next_record_not_the_finished_one() {
    let first = gzip(&small_page(1));
    let second = gzip(&small_page(2));
    let mut bytes = first.clone();
    bytes.extend_from_slice(&second[..5]); // only part of the next member's gzip header
    let items: Vec<_> = WarcReader::new(gunzip(&bytes), "x.warc.gz", DEFAULT_MAX_RECORD_BYTES)
        .map(Result::unwrap)
        .collect();
    assert_eq!(outcomes(&items), ["page", "truncated"]);
    assert_eq!(ids(&items), ["urn:uuid:1", ""]);
}

#[test]
fn plain_file_cut_inside_a_body_is_truncated() {
    let raw = cc_raw();
    let items = read_all(&raw[..raw.len() - 5000]); // inside the last response's body
    assert_eq!(items.len(), 12);
    assert_eq!(outcomes(&items)[11], "truncated");
    assert_eq!(
        ids(&items)[11],
        "urn:uuid:a448a920-781f-4f53-a5c6-ca9f215239c4"
    );
}

// ---------------------------------------------------------------- malformed records

fn with_length_off_by(record: &[u8], delta: i64) -> Vec<u8> {
    let text = String::from_utf8(record.to_vec()).unwrap();
    let start = text.find("Content-Length: ").unwrap() + 16;
    let end = start + text[start..].find('\r').unwrap();
    let len: i64 = text[start..end].parse().unwrap();
    format!("{}{}{}", &text[..start], len + delta, &text[end..]).into_bytes()
}

#[test]
fn content_length_too_short_drops_the_record_and_resyncs() {
    let mut bytes = with_length_off_by(&small_page(1), -10);
    bytes.extend(small_page(2));
    let items = read_all(&bytes);
    assert_eq!(outcomes(&items), ["bad_content_length", "page"]);
    assert_eq!(ids(&items), ["urn:uuid:1", "urn:uuid:2"]);
}

#[test]
fn content_length_too_long_drops_the_record_and_loses_only_the_swallowed_one() {
    let mut bytes = with_length_off_by(&small_page(1), 10);
    bytes.extend(small_page(2));
    bytes.extend(small_page(3));
    let items = read_all(&bytes);
    assert_eq!(outcomes(&items), ["bad_content_length", "page"]);
    assert_eq!(ids(&items), ["urn:uuid:1", "urn:uuid:3"]);
    // On the last record, a length past the end is a truncation.
    let items = read_all(&with_length_off_by(&small_page(1), 100));
    assert_eq!(outcomes(&items), ["truncated"]);
}

#[test]
fn missing_warc_headers_are_bad_warc_header() {
    let http = http_response(200, &[("Content-Type", "text/html")], b"<html>x</html>");
    let len = format!("Content-Length: {}", http.len());
    let mut bytes = raw_record(
        &["WARC-Type: response", "WARC-Record-ID: <urn:uuid:nolen>"],
        &http,
    );
    bytes.extend(raw_record(&["WARC-Type: response", &len], &http));
    bytes.extend(raw_record(
        &["WARC-Record-ID: <urn:uuid:notype>", &len],
        &http,
    ));
    bytes.extend(raw_record(
        &[
            "WARC-Type: response",
            "WARC-Record-ID: <urn:uuid:badlen>",
            "Content-Length: 12x",
        ],
        &http,
    ));
    bytes.extend(small_page(5));
    let items = read_all(&bytes);
    assert_eq!(
        outcomes(&items),
        [
            "bad_warc_header",
            "bad_warc_header",
            "bad_warc_header",
            "bad_warc_header",
            "page"
        ]
    );
    assert_eq!(
        ids(&items),
        [
            "urn:uuid:nolen",
            "",
            "urn:uuid:notype",
            "urn:uuid:badlen",
            "urn:uuid:5"
        ]
    );
}

#[test]
fn http_level_drops_have_stable_reasons() {
    let record = |n: u32, http: Vec<u8>| {
        response_record(
            &format!("http://e.org/{n}"),
            DATE,
            &format!("urn:uuid:{n}"),
            &http,
        )
    };
    let mut bytes = Vec::new();
    bytes.extend(record(
        1,
        http_response(404, &[("Content-Type", "text/html")], b"<html>gone</html>"),
    ));
    bytes.extend(record(
        2,
        http_response(200, &[("Content-Type", "image/png")], b"\x89PNG\r\n"),
    ));
    bytes.extend(record(
        3,
        http_response(200, &[], b"\n <!DOCTYPE html><title>sniffed</title>"),
    ));
    bytes.extend(record(4, http_response(200, &[], b"%PDF-1.4 binary")));
    bytes.extend(record(
        5,
        http_response(200, &[("Content-Type", "text/html")], b"  \r\n"),
    ));
    bytes.extend(record(6, b"HTTP/1.1 OK\r\n\r\n<html></html>".to_vec()));
    bytes.extend(record(7, b"garbage\x00\x01".to_vec()));
    bytes.extend(raw_record(
        &[
            "WARC-Type: response",
            "WARC-Record-ID: <urn:uuid:8>",
            "Content-Type: text/dns",
            "Content-Length: 4",
        ],
        b"1.2.",
    ));
    bytes.extend(raw_record(
        &[
            "WARC-Type: request",
            "WARC-Record-ID: <urn:uuid:9>",
            "Content-Length: 0",
        ],
        b"",
    ));
    bytes.extend(record(
        10,
        http_response(
            200,
            &[("Content-Type", "application/xhtml+xml")],
            b"<html/>",
        ),
    ));
    let items = read_all(&bytes);
    assert_eq!(
        outcomes(&items),
        [
            "http_status",
            "not_html",
            "page",
            "not_html",
            "empty_body",
            "bad_http_headers",
            "bad_http_headers",
            "not_http",
            "not_response",
            "page"
        ]
    );
    let IngestItem::Page(sniffed) = &items[2] else {
        unreachable!()
    };
    assert!(!sniffed.meta.contains_key("content_type"));
    assert_eq!(sniffed.url.as_deref(), Some("http://e.org/3"));
}

#[test]
fn records_over_the_limit_are_skipped_and_the_next_one_is_read() {
    let big = "<p>Universal Declaration of Human Rights</p>".repeat(200);
    let mut bytes = html_record(
        1,
        &[("Content-Type", "text/html")],
        format!("<html>{big}</html>").as_bytes(),
    );
    bytes.extend(small_page(2));
    let items = read_items(&bytes, 1000);
    assert_eq!(outcomes(&items), ["record_too_large", "page"]);
}

// ---------------------------------------------------------------- not WARC at all

fn first_error(bytes: &[u8], name: &str) -> String {
    let mut reader = WarcReader::new(Cursor::new(bytes), name, DEFAULT_MAX_RECORD_BYTES);
    let err = reader.next().expect("an item").expect_err("an error");
    assert!(reader.next().is_none());
    err.to_string()
}

#[test]
fn non_warc_inputs_are_errors_that_name_the_file() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let msg = first_error(&garbage, "garbage.bin");
    assert!(
        msg.starts_with("\"garbage.bin\" is not a WARC file: it starts with \""),
        "{msg}"
    );

    let msg = first_error(&udhr("eng"), "eng.html");
    assert_eq!(
        msg,
        "\"eng.html\" is not a WARC file: it starts with \"<!doctype html>\" instead of \"WARC/\""
    );

    let arc = b"filedesc://example.arc 0.0.0.0 20140101000000 text/plain 76\n1 0 Example\nURL IP-address Archive-date Content-type Archive-length\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("example.arc.gz");
    std::fs::write(&path, gzip(arc)).unwrap();
    let p = path.to_str().unwrap();
    let mut reader = WarcReader::new(open_input(p).unwrap(), p, DEFAULT_MAX_RECORD_BYTES);
    let msg = reader.next().unwrap().unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("\"{p}\" is not a WARC file: it is an ARC file")),
        "{msg}"
    );
    assert!(msg.contains("ARC is not supported"), "{msg}");
}

#[test]
fn empty_inputs_are_empty_iterators() {
    assert!(read_all(b"").is_empty());
    assert!(read_all(b"\r\n\r\n").is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.warc.gz");
    std::fs::write(&path, b"").unwrap();
    let reader = open_input(path.to_str().unwrap()).unwrap();
    assert_eq!(WarcReader::new(reader, "empty", 1 << 20).count(), 0);
}

#[test]
fn opening_a_missing_file_or_a_folder_names_it() {
    let err = open_input("/nonexistent/x.warc.gz")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("cannot open \"/nonexistent/x.warc.gz\": "),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let err = open_input(d).err().unwrap().to_string();
    assert_eq!(
        err,
        format!("cannot open \"{d}\": it is a folder, not a file")
    );
}

// ---------------------------------------------------------------- encodings and charsets

fn udhr_record(stem: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let http = http_response(200, headers, body);
    response_record(
        &format!("https://www.unicode.org/udhr/d/udhr_{stem}.html"),
        DATE,
        "urn:uuid:u",
        &http,
    )
}

#[test]
fn udhr_pages_in_a_warc_decode_to_the_file_text() {
    let stems = [
        "tha", "mya", "khm", "lao", "vie", "cmn_hans", "ind", "tam", "eng",
    ];
    let mut out = Vec::new();
    let mut writer = WarcWriter::new(&mut out);
    for stem in stems {
        let http = http_response(
            200,
            &[("Content-Type", "text/html; charset=UTF-8")],
            &udhr(stem),
        );
        let url = format!("https://www.unicode.org/udhr/d/udhr_{stem}.html");
        writer
            .write_response(&url, DATE, &format!("urn:uuid:{stem}"), &http)
            .unwrap();
    }
    assert_eq!(writer.records(), stems.len() as u64);
    writer.into_inner().unwrap();
    let items: Vec<_> = WarcReader::new(gunzip(&out), "udhr.warc.gz", 1 << 20)
        .map(Result::unwrap)
        .collect();
    assert_eq!(items.len(), stems.len());
    for (stem, item) in stems.iter().zip(&items) {
        let IngestItem::Page(doc) = item else {
            panic!("{stem}: {item:?}")
        };
        let expected = String::from_utf8(udhr(stem)).unwrap();
        assert_eq!(doc.html.as_deref(), Some(expected.as_str()), "{stem}");
        assert_eq!(doc.meta["charset"], "UTF-8");
        assert_eq!(doc.meta["content_length"], expected.len().to_string());
    }
}

#[test]
fn chunked_gzip_deflate_and_brotli_bodies_are_undone() {
    let body = udhr("tha");
    let text = String::from_utf8(body.clone()).unwrap();
    let gz = gzip(&body);
    let mut chunked = Vec::new();
    for chunk in gz.chunks(1000) {
        chunked.extend_from_slice(format!("{:x};ext=1\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(&body).unwrap();
    let zlib = zlib.finish().unwrap();
    let mut br = Vec::new();
    brotli::CompressorReader::new(&body[..], 4096, 9, 22)
        .read_to_end(&mut br)
        .unwrap();

    let ct = ("Content-Type", "text/html; charset=utf-8");
    let mut bytes = html_record(
        1,
        &[
            ct,
            ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"),
        ],
        &chunked,
    );
    bytes.extend(html_record(
        2,
        &[ct, ("Content-Encoding", "deflate")],
        &zlib,
    ));
    bytes.extend(html_record(3, &[ct, ("Content-Encoding", "br")], &br));
    bytes.extend(html_record(
        4,
        &[ct, ("Content-Encoding", "x-gzip, identity")],
        &gz,
    ));
    bytes.extend(html_record(5, &[ct, ("Content-Encoding", "compress")], &gz));
    let mut corrupt = gz.clone();
    corrupt[20..60].fill(0xAA);
    bytes.extend(html_record(
        6,
        &[ct, ("Content-Encoding", "gzip")],
        &corrupt,
    ));
    bytes.extend(html_record(
        7,
        &[ct, ("Content-Encoding", "br")],
        &br[..br.len() / 2],
    ));
    // Declared but already undone by the crawler (as in Common Crawl): passed through.
    bytes.extend(html_record(8, &[ct, ("Content-Encoding", "br")], &body));
    let items = read_all(&bytes);
    assert_eq!(
        outcomes(&items),
        [
            "page",
            "page",
            "page",
            "page",
            "decode_failed",
            "decode_failed",
            "decode_failed",
            "page"
        ]
    );
    for item in items[..4].iter().chain(&items[7..]) {
        let IngestItem::Page(doc) = item else {
            unreachable!()
        };
        assert_eq!(doc.html.as_deref(), Some(text.as_str()), "{}", doc.id);
    }
}

#[test]
fn gb2312_declared_page_that_is_utf8_comes_out_as_utf8() {
    let body = udhr("cmn_hans");
    let items = read_all(&udhr_record(
        "cmn_hans",
        &[("Content-Type", "text/html; charset=gb2312")],
        &body,
    ));
    let doc = only_page(&items);
    assert_eq!(
        doc.html.as_deref(),
        Some(std::str::from_utf8(&body).unwrap())
    );
    assert_eq!(
        (
            doc.meta["charset"].as_str(),
            doc.meta["charset_source"].as_str()
        ),
        ("UTF-8", "utf8_valid")
    );
}

#[test]
fn windows_1251_declared_only_in_meta_is_decoded() {
    let text = String::from_utf8(udhr("rus")).unwrap().replacen(
        "<head>",
        "<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">",
        1,
    );
    let (encoded, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(!unmappable);
    let items = read_all(&udhr_record(
        "rus",
        &[("Content-Type", "text/html")],
        &encoded,
    ));
    let doc = only_page(&items);
    assert_eq!(doc.html.as_deref(), Some(text.as_str()));
    assert_eq!(
        (
            doc.meta["charset"].as_str(),
            doc.meta["charset_source"].as_str()
        ),
        ("windows-1251", "meta")
    );
}

#[test]
fn undeclared_gbk_is_detected_and_a_wrong_declaration_is_undecodable() {
    let text = String::from_utf8(udhr("cmn_hans")).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let items = read_all(&udhr_record(
        "cmn_hans",
        &[("Content-Type", "text/html")],
        &gbk,
    ));
    let doc = only_page(&items);
    assert_eq!(doc.html.as_deref(), Some(text.as_str()));
    assert_eq!(
        (
            doc.meta["charset"].as_str(),
            doc.meta["charset_source"].as_str()
        ),
        ("GBK", "detected")
    );
    // Declared ISO-2022-JP (7-bit): every GBK byte pair is malformed.
    let items = read_all(&udhr_record(
        "cmn_hans",
        &[("Content-Type", "text/html; charset=iso-2022-jp")],
        &gbk,
    ));
    assert_eq!(outcomes(&items), ["charset_undecodable"]);
    assert_eq!(
        decode_html(&gbk, Some("text/html; charset=ISO-2022-JP")),
        Err("charset_undecodable")
    );
}

#[test]
fn decode_html_prefers_bom_then_utf8_then_declarations() {
    let text = String::from_utf8(udhr("tha")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(
        decode_html(&utf16, Some("text/html; charset=tis-620")),
        Ok((text.clone(), "UTF-16LE", "bom"))
    );
    let (tis, _, _) = encoding_rs::WINDOWS_874.encode(&text);
    assert_eq!(
        decode_html(&tis, Some("text/html; charset=TIS-620")),
        Ok((text.clone(), "windows-874", "header"))
    );
    // A UTF-8 header on a body that is not UTF-8 is ignored in favour of <meta>.
    let ascii_meta = text.replacen("<head>", "<head><meta charset=\"tis-620\">", 1);
    let (tis_meta, _, _) = encoding_rs::WINDOWS_874.encode(&ascii_meta);
    assert_eq!(
        decode_html(&tis_meta, Some("text/html; charset=utf-8")),
        Ok((ascii_meta, "windows-874", "meta"))
    );
    assert_eq!(
        decode_html(b"<p>plain</p>", None),
        Ok(("<p>plain</p>".into(), "UTF-8", "utf8_valid"))
    );
}

// ---------------------------------------------------------------- expanding inputs

fn touch(path: &Path, bytes: &[u8]) -> String {
    std::fs::write(path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn folders_and_globs_expand_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b = touch(&d.join("b.warc.gz"), b"");
    let a = touch(&d.join("a.warc"), b"");
    touch(&d.join("notes.txt"), b"");
    std::fs::create_dir(d.join("sub.warc")).unwrap();
    let ds = d.to_str().unwrap().to_string();
    assert_eq!(
        expand_inputs(std::slice::from_ref(&ds), None).unwrap(),
        [a.clone(), b.clone()]
    );
    let glob = format!("{ds}/*.warc*");
    assert_eq!(
        expand_inputs(&[glob], None).unwrap(),
        [a.clone(), b.clone()]
    );
    let url = "https://data.commoncrawl.org/crawl-data/x.warc.gz".to_string();
    assert_eq!(
        expand_inputs(&[b.clone(), url.clone(), a.clone()], None).unwrap(),
        [b, url, a]
    );

    let none = format!("{ds}/*.arc");
    let err = expand_inputs(std::slice::from_ref(&none), None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, format!("the glob \"{none}\" matches no file"));
    let missing = format!("{ds}/missing.warc");
    let err = expand_inputs(std::slice::from_ref(&missing), None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, format!("\"{missing}\": no such file or folder"));
    let empty = d.join("sub.warc").to_str().unwrap().to_string();
    let err = expand_inputs(std::slice::from_ref(&empty), None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!("the folder \"{empty}\" has no .warc or .warc.gz file")
    );
}

#[test]
fn paths_lists_get_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let keys = "crawl-data/CC-MAIN-2024-10/segments/1/warc/a.warc.gz\n\n# comment\n/crawl-data/b.warc.gz\n";
    let plain = touch(&dir.path().join("warc.paths"), keys.as_bytes());
    assert_eq!(
        expand_inputs(&[plain], None).unwrap(),
        [
            "https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/segments/1/warc/a.warc.gz",
            "https://data.commoncrawl.org/crawl-data/b.warc.gz"
        ]
    );
    let gz = touch(&dir.path().join("warc.paths.gz"), &gzip(keys.as_bytes()));
    assert_eq!(
        expand_inputs(&[gz], Some("/mnt/cc/")).unwrap(),
        [
            "/mnt/cc/crawl-data/CC-MAIN-2024-10/segments/1/warc/a.warc.gz",
            "/mnt/cc/crawl-data/b.warc.gz"
        ]
    );
}
