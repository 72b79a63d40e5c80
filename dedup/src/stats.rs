//! Dedup statistics for the dataset card. The design decision: counts are kept per input
//! file by the filter step and summed at the end, so they are the same however the run
//! was sharded, and `docs_in == kept + exact + near` holds by construction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::params::MinhashConfig;
use crate::steps::{ClusterLine, ClusterSummary, Mode};

/// Counts of one input file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStats {
    pub docs_in: u64,
    pub kept: u64,
    pub exact_duplicates_removed: u64,
    pub near_duplicates_removed: u64,
}

impl FileStats {
    pub(crate) fn count(&mut self, line: &ClusterLine) {
        self.docs_in += 1;
        match line.duplicate.as_deref() {
            None => self.kept += 1,
            Some("exact") => self.exact_duplicates_removed += 1,
            Some(_) => self.near_duplicates_removed += 1,
        }
    }
}

/// `OUT/dedup_stats.json`: what the card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupStats {
    pub mode: Mode,
    pub config: MinhashConfig,
    pub docs_in: u64,
    pub kept: u64,
    pub removed: u64,
    pub exact_duplicates_removed: u64,
    pub near_duplicates_removed: u64,
    /// Clusters of two or more documents (linked by either pass).
    pub clusters: u64,
    pub docs_in_clusters: u64,
    /// Cluster size bucket → number of clusters.
    pub cluster_size_histogram: BTreeMap<String, u64>,
    /// Peak resident memory of the process that finished the run (Linux `VmHWM`), MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_mb: Option<f64>,
}

impl DedupStats {
    pub(crate) fn new(mode: Mode, config: &MinhashConfig, s: ClusterSummary) -> Self {
        DedupStats {
            mode,
            config: config.clone(),
            docs_in: 0,
            kept: 0,
            removed: 0,
            exact_duplicates_removed: 0,
            near_duplicates_removed: 0,
            clusters: s.clusters,
            docs_in_clusters: s.docs_in_clusters,
            cluster_size_histogram: s.size_histogram,
            peak_rss_mb: None,
        }
    }

    pub(crate) fn add(&mut self, f: &FileStats) {
        self.docs_in += f.docs_in;
        self.kept += f.kept;
        self.exact_duplicates_removed += f.exact_duplicates_removed;
        self.near_duplicates_removed += f.near_duplicates_removed;
        self.removed = self.exact_duplicates_removed + self.near_duplicates_removed;
    }
}

/// The peak resident set size of this process in MiB, from `VmHWM` in `/proc/self/status`;
/// `None` where that file does not exist (not Linux) or has no such line.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

/// `VmHWM:\t  12345 kB` → 12345 / 1024 MiB.
fn parse_vm_hwm(status: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_parsed_in_mib() {
        let status =
            "Name:\tseapile\nVmPeak:\t  999999 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1024 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(2.0));
        assert_eq!(parse_vm_hwm("VmRSS:\t 1024 kB\n"), None);
    }

    #[test]
    fn peak_rss_grows_with_a_touched_allocation() {
        let Some(before) = peak_rss_mb() else {
            assert!(!std::path::Path::new("/proc/self/status").exists());
            return;
        };
        let big = vec![1u8; 64 << 20];
        let after = peak_rss_mb().unwrap();
        assert!(big.iter().map(|&b| b as u64).sum::<u64>() == 64 << 20);
        assert!(after >= before.max(64.0), "{before} -> {after}");
    }
}
