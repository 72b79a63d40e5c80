//! `extract_debug PAGE.html[.gz] PHRASE`: where the extractor sees the text containing PHRASE
//! (ancestors with flags, counts and scores) and its top candidates; then the extracted text.
#![allow(clippy::print_stdout)]

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: extract_debug PAGE PHRASE")?;
    let raw = std::fs::read(path)?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        out
    } else {
        raw
    };
    let html = String::from_utf8_lossy(&bytes);
    let phrase = args.get(1).map_or("", String::as_str);
    print!("{}", stages::extract::debug_report(&html, phrase));
    let ex = stages::extract::extract(&html);
    println!("--- pass {} type {}\n{}", ex.pass, ex.page_type, ex.text);
    Ok(())
}
