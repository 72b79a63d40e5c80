//! Shared fixtures for the sink tests: documents built from the real UDHR pages in the asset
//! cache, and the Python interpreter used for interop checks.

#![allow(dead_code)]

use pipeline::Doc;

/// The `<p>` paragraphs of the UDHR page `code` (e.g. `tha`, `cmn_hans`), joined by newlines.
pub fn udhr_text(code: &str) -> String {
    let html = std::fs::read_to_string(testkit::expect_udhr(code)).expect("readable page");
    let paras: Vec<&str> = html
        .split("<p>")
        .skip(1)
        .filter_map(|s| s.split("</p>").next())
        .collect();
    assert!(
        paras.len() > 20,
        "udhr {code} has only {} paragraphs",
        paras.len()
    );
    paras.join("\n")
}

/// UDHR page code and the ISO 639-3 label the pipeline would give it.
pub const UDHR: [(&str, &str); 7] = [
    ("tha", "tha"),
    ("mya", "mya"),
    ("cmn_hans", "zho"),
    ("khm", "khm"),
    ("vie", "vie"),
    ("ind", "ind"),
    ("eng", "eng"),
];

/// One kept-looking document per UDHR language, plus one with every optional field missing
/// and awkward characters (quotes, backslashes, tabs, pipes, emoji, an embedded NUL).
pub fn udhr_docs() -> Vec<Doc> {
    let mut docs: Vec<Doc> = UDHR
        .iter()
        .enumerate()
        .map(|(i, (code, lang))| {
            let mut doc = Doc::from_text(
                format!("<urn:uuid:0000000{i}-udhr>"),
                "udhr.warc.gz",
                udhr_text(code),
            );
            doc.url = Some(format!("https://example.org/udhr/{code}?a=1&b=ü"));
            doc.date = Some(format!("2014-08-2{i}T02:13:34Z"));
            doc.title = Some(format!("UDHR — {code}"));
            doc.lang = Some(lang.to_string());
            doc.lang_score = Some(0.5 + i as f32 / 16.0);
            doc.tokens = Some(doc.text.chars().count() as u32 / 3 + i as u32);
            doc.meta.insert("charset".into(), "utf-8".into());
            doc.meta.insert("udhr_code".into(), code.to_string());
            doc
        })
        .collect();
    let mut odd = Doc::from_text(
        "odd\"id",
        "notes.txt",
        "pipe | quote \" backslash \\ tab \t newline \n emoji 🇹🇭 nul \0 end",
    );
    odd.meta
        .insert("note".into(), "value with \"quotes\"\nand a newline".into());
    docs.push(odd);
    docs
}

/// Mark `doc` as dropped by `stage` for `reason`, the way the binary does.
pub fn mark_rejected(mut doc: Doc, stage: &str, reason: &str) -> Doc {
    doc.meta.insert("drop_stage".into(), stage.into());
    doc.meta.insert("drop_reason".into(), reason.into());
    doc
}

#[allow(unused_imports)]
pub use testkit::python;
