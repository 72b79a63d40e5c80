//! Runs whose output is on an object store (`--output s3://bucket/prefix` or `gs://...`).
//! Shards are written to a local staging folder exactly as for a local output (temporary
//! names, renamed when complete), then each completed shard's files are uploaded, its stats
//! marker last; an object appears whole or not at all, so readers of the store never see a
//! part, and a shard counts as complete on the store only once its marker is there. Before a
//! run, the staging folder's markers are made equal to the store's: shards completed on the
//! store are skipped (by any task, on any machine), shards completed here but never uploaded
//! are redone. The merged `stats.json` and the card go up last.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use docs_io::store::{self, StoreUrl};
use sha2::{Digest, Sha256};

use crate::RunError;

pub struct RemoteOut {
    pub url: String,
    pub staging: PathBuf,
}

impl RemoteOut {
    /// `Some` when `out` is an object-store URL; its staging folder is under `staging_root`.
    pub fn parse(out: &Path, staging_root: &Path) -> Option<RemoteOut> {
        let spec = out.to_string_lossy();
        let parsed = StoreUrl::parse(&spec)?;
        let url = spec.trim_end_matches('/').to_string();
        let name = parsed
            .key
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or(&parsed.bucket)
            .to_string();
        let hash = hex::encode(&Sha256::digest(url.as_bytes())[..8]);
        let staging = staging_root.join(hash).join(name);
        Some(RemoteOut { url, staging })
    }

    /// Make the staging folder's shard markers those of the store.
    pub fn sync_markers(&self) -> Result<(), RunError> {
        let stats = self.staging.join("stats");
        let local = |e| RunError::io(&stats, e);
        std::fs::create_dir_all(&stats).map_err(local)?;
        let prefix = format!("{}/stats/", self.url);
        let remote: Vec<String> = store::list(&prefix)?
            .into_iter()
            .filter(|k| k.ends_with(".json"))
            .collect();
        let names: BTreeSet<String> = remote
            .iter()
            .filter_map(|k| k.rsplit('/').next().map(str::to_string))
            .collect();
        for e in std::fs::read_dir(&stats).map_err(local)? {
            let p = e.map_err(local)?.path();
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if !names.contains(&name) {
                std::fs::remove_file(&p).map_err(|e| RunError::io(&p, e))?;
            }
        }
        for (key, name) in remote.iter().zip(&names) {
            store::get_file(key, &stats.join(name))?;
        }
        Ok(())
    }

    /// Fetch every shard's report collection (`report/<shard>.json`) into the staging folder,
    /// for the report written at the end: shards may have run on other machines.
    pub fn fetch_reports(&self) -> Result<(), RunError> {
        let report = self.staging.join("report");
        std::fs::create_dir_all(&report).map_err(|e| RunError::io(&report, e))?;
        for key in store::list(&format!("{}/report/", self.url))? {
            if let Some(name) = key.rsplit('/').next().filter(|n| n.ends_with(".json")) {
                store::get_file(&key, &report.join(name))?;
            }
        }
        Ok(())
    }

    /// The upload of a completed shard's files (marker last), for the shard runner.
    pub fn publisher(&self) -> Box<pipeline::runner::Publish> {
        let url = self.url.clone();
        Box::new(move |out_dir: &Path, files: &[PathBuf]| {
            for f in files {
                let rel = f.strip_prefix(out_dir).map_err(std::io::Error::other)?;
                let target = format!("{url}/{}", rel.to_string_lossy());
                store::put_file(&target, f).map_err(std::io::Error::other)?;
            }
            Ok(())
        })
    }

    /// Upload the merged stats, the report and its figures, and the card (last).
    pub fn upload_final(&self) -> Result<(), RunError> {
        let mut names = vec!["stats.json".to_string()];
        for extra in ["report.html", "report/context.json"] {
            if self.staging.join(extra).is_file() {
                names.push(extra.to_string());
            }
        }
        let figures = self.staging.join("figures");
        if let Ok(entries) = std::fs::read_dir(&figures) {
            let mut svgs: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".svg"))
                .collect();
            svgs.sort();
            names.extend(svgs.into_iter().map(|n| format!("figures/{n}")));
        }
        names.push("README.md".to_string());
        for name in names {
            let file = self.staging.join(&name);
            store::put_file(&format!("{}/{name}", self.url), &file)?;
        }
        Ok(())
    }
}
