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
