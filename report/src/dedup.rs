//! The report of a `seapile dedup` output: what was removed, the cluster-size histogram and
//! example clusters, from `OUT/dedup_stats.json` and `OUT/clusters.jsonl` (one line per
//! input document, read once as a stream; only the example clusters are held).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use data_cards::escape::{percent, thousands};
use serde::Deserialize;

use crate::html::{grid, table, Page};
use crate::sample;
use crate::svg::{self, esc, hbars, Layout, Series};
use crate::ReportError;

/// The part of `dedup_stats.json` the report shows.
#[derive(Debug, Clone, Deserialize)]
pub struct DedupStats {
    #[serde(default)]
    pub mode: serde_json::Value,
    #[serde(default)]
    pub config: serde_json::Value,
    pub docs_in: u64,
    pub kept: u64,
    pub removed: u64,
    pub exact_duplicates_removed: u64,
    pub near_duplicates_removed: u64,
    pub clusters: u64,
    pub docs_in_clusters: u64,
    pub cluster_size_histogram: BTreeMap<String, u64>,
}

/// One line of `clusters.jsonl`.
#[derive(Debug, Clone, Deserialize)]
struct Line {
    id: String,
    cluster_id: u64,
    cluster_size: u32,
    kept: bool,
    #[serde(default)]
    duplicate: Option<String>,
}

/// Members of an example cluster (the first [`MEMBERS`] in file order).
#[derive(Debug, Clone, Default)]
pub struct Example {
    pub cluster_id: u64,
    pub size: u32,
    pub members: Vec<(String, bool, Option<String>)>,
}

/// Members listed per example cluster.
pub const MEMBERS: usize = 12;
/// Example clusters: the largest, and a uniform sample by a hash of the cluster id.
pub const LARGEST: usize = 5;
pub const SAMPLED: usize = 8;

/// Pick the example clusters from `clusters.jsonl` in one pass.
pub fn examples(path: &Path) -> Result<(Vec<Example>, Vec<Example>), ReportError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((vec![], vec![])),
        Err(e) => return Err(crate::io(path)(e)),
    };
    // (size desc, id) → example; (hash, id) → example.
    let mut largest: BTreeMap<(std::cmp::Reverse<u32>, u64), Example> = BTreeMap::new();
    let mut sampled: BTreeMap<(u64, u64), Example> = BTreeMap::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(crate::io(path))?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line).map_err(|e| ReportError::Parse {
            path: path.to_path_buf(),
            message: format!("line {}: {e}", n + 1),
        })?;
        if l.cluster_size < 2 {
            continue;
        }
        let member = (l.id.clone(), l.kept, l.duplicate.clone());
        let add = |map_entry: &mut Example| {
            if map_entry.members.len() < MEMBERS {
                map_entry.members.push(member.clone());
            }
        };
        let big = (std::cmp::Reverse(l.cluster_size), l.cluster_id);
        if largest.len() < LARGEST
            || largest.contains_key(&big)
            || big < *largest.keys().last().expect("full")
        {
            add(largest.entry(big).or_insert_with(|| Example {
                cluster_id: l.cluster_id,
                size: l.cluster_size,
                members: Vec::new(),
            }));
            while largest.len() > LARGEST {
                largest.pop_last();
            }
        }
        let key = (sample::key(&l.cluster_id.to_string()), l.cluster_id);
        if sampled.len() < SAMPLED
            || sampled.contains_key(&key)
            || key < *sampled.keys().last().expect("full")
        {
            add(sampled.entry(key).or_insert_with(|| Example {
                cluster_id: l.cluster_id,
                size: l.cluster_size,
                members: Vec::new(),
            }));
            while sampled.len() > SAMPLED {
                sampled.pop_last();
            }
        }
    }
    Ok((
        largest.into_values().collect(),
        sampled.into_values().collect(),
    ))
}

/// `1`, `2`, `3-4`, `5-8` in size order.
fn bucket_order(label: &str) -> u64 {
    label
        .split('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// The page.
pub fn render(title: &str, s: &DedupStats, largest: &[Example], sampled: &[Example]) -> String {
    let mut page = Page::new(title);
    page.subtitle(format!(
        "{} documents in, {} kept, {} removed ({} exact, {} near duplicates); {} clusters of \
         two or more documents.",
        thousands(s.docs_in),
        thousands(s.kept),
        thousands(s.removed),
        thousands(s.exact_duplicates_removed),
        thousands(s.near_duplicates_removed),
        thousands(s.clusters)
    ));
    page.section("summary", "Summary");
    let rows = vec![(
        "documents".to_string(),
        vec![
            s.kept as f64,
            s.exact_duplicates_removed as f64,
            s.near_duplicates_removed as f64,
        ],
    )];
    let series = [
        Series {
            name: "kept",
            color: svg::KEPT,
        },
        Series {
            name: "exact duplicates removed",
            color: svg::DROPPED,
        },
        Series {
            name: "near duplicates removed",
            color: svg::ACCENT,
        },
    ];
    let mut charts = vec![hbars("Documents", &series, &rows, Layout::Stacked, &|v| {
        thousands(v as u64)
    })];
    let mut hist: Vec<(&String, &u64)> = s.cluster_size_histogram.iter().collect();
    hist.sort_by_key(|(k, _)| bucket_order(k));
    let rows: Vec<(String, Vec<f64>)> = hist
        .iter()
        .map(|(k, v)| (format!("size {k}"), vec![**v as f64]))
        .collect();
    if !rows.is_empty() {
        charts.push(hbars(
            "Clusters by size",
            &[Series {
                name: "clusters",
                color: svg::INK,
            }],
            &rows,
            Layout::Stacked,
            &|v| thousands(v as u64),
        ));
    }
    page.push(&grid(&charts));
    page.push(&table(
        &["", "Documents", "Share"],
        &[
            vec![
                "in".into(),
                thousands(s.docs_in),
                percent(s.docs_in, s.docs_in),
            ],
            vec!["kept".into(), thousands(s.kept), percent(s.kept, s.docs_in)],
            vec![
                "exact duplicates removed".into(),
                thousands(s.exact_duplicates_removed),
                percent(s.exact_duplicates_removed, s.docs_in),
            ],
            vec![
                "near duplicates removed".into(),
                thousands(s.near_duplicates_removed),
                percent(s.near_duplicates_removed, s.docs_in),
            ],
            vec![
                "in clusters of 2+".into(),
                thousands(s.docs_in_clusters),
                percent(s.docs_in_clusters, s.docs_in),
            ],
        ],
        &[1, 2],
    ));
    if let serde_json::Value::Object(cfg) = &s.config {
        let mut rows: Vec<Vec<String>> = vec![vec![
            "mode".into(),
            esc(&s
                .mode
                .as_str()
                .map_or_else(|| s.mode.to_string(), str::to_string)),
        ]];
        rows.extend(cfg.iter().map(|(k, v)| vec![esc(k), esc(&v.to_string())]));
        page.h3("Parameters");
        page.push(&table(&["Parameter", "Value"], &rows, &[]));
    }
    page.section("clusters", "Example clusters");
    page.note(&format!(
        "The {LARGEST} largest clusters, then {SAMPLED} clusters of two or more chosen by a \
         hash of their id (a uniform sample). Up to {MEMBERS} members each, by document id: \
         the kept one, and the removed ones with how they were found. Removed documents are \
         not in the output; their ids find them in the inputs."
    ));
    for (name, list) in [("Largest", largest), ("Sampled", sampled)] {
        page.h3(name);
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|e| {
                let members: Vec<String> = e
                    .members
                    .iter()
                    .map(|(id, kept, dup)| {
                        format!(
                            "<code>{}</code> {}",
                            esc(id),
                            if *kept {
                                "<b>kept</b>".to_string()
                            } else {
                                esc(dup.as_deref().unwrap_or("removed"))
                            }
                        )
                    })
                    .collect();
                let more = e.size as usize - e.members.len().min(e.size as usize);
                vec![
                    e.cluster_id.to_string(),
                    thousands(u64::from(e.size)),
                    members.join("<br>")
                        + &if more > 0 {
                            format!("<br>… {more} more")
                        } else {
                            String::new()
                        },
                ]
            })
            .collect();
        if rows.is_empty() {
            page.note("None.");
        } else {
            page.push(&table(&["Cluster", "Size", "Members"], &rows, &[0, 1]));
        }
    }
    page.finish(
        "Made by seapile from dedup_stats.json and clusters.jsonl. One self-contained file: no \
         script, nothing loaded from the network. See docs/report.md.",
    )
}

/// Write `OUT/report.html` for a dedup output; its size in bytes.
pub fn write(out: &Path) -> Result<u64, ReportError> {
    let path = out.join("dedup_stats.json");
    let stats: DedupStats = crate::read_json_opt(&path)?
        .ok_or_else(|| ReportError::NothingToReport(out.to_path_buf()))?;
    let (largest, sampled) = examples(&out.join("clusters.jsonl"))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dedup".into());
    let html = render(&format!("Dedup: {name}"), &stats, &largest, &sampled);
    crate::write_file(&out.join("report.html"), html.as_bytes())?;
    Ok(html.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_the_largest_and_a_hash_sample() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clusters.jsonl");
        let mut text = String::new();
        // 30 clusters of sizes 2..=31 (cluster c has c + 2 members), then singletons.
        for c in 0..30u64 {
            for m in 0..c + 2 {
                let kept = m == 0;
                text += &format!(
                    "{{\"id\":\"d{c}-{m}\",\"cluster_id\":{c},\"cluster_size\":{},\"kept\":{kept}{}}}\n",
                    c + 2,
                    if kept { "" } else { ",\"duplicate\":\"near\"" }
                );
            }
        }
        text += "{\"id\":\"lone\",\"cluster_id\":999,\"cluster_size\":1,\"kept\":true}\n";
        std::fs::write(&path, text).unwrap();
        let (largest, sampled) = examples(&path).unwrap();
        let sizes: Vec<u32> = largest.iter().map(|e| e.size).collect();
        assert_eq!(sizes, [31, 30, 29, 28, 27]);
        assert_eq!(largest[0].members.len(), MEMBERS);
        assert!(largest[0].members[0].1, "the kept member first");
        assert_eq!(sampled.len(), SAMPLED);
        assert!(sampled.iter().all(|e| e.cluster_id != 999));
        let stats = DedupStats {
            mode: serde_json::json!("both"),
            config: serde_json::json!({"num_perm": 128}),
            docs_in: 100,
            kept: 70,
            removed: 30,
            exact_duplicates_removed: 10,
            near_duplicates_removed: 20,
            clusters: 30,
            docs_in_clusters: 40,
            cluster_size_histogram: [("2".to_string(), 3), ("3-4".to_string(), 2)].into(),
        };
        let html = render("Dedup <x>", &stats, &largest, &sampled);
        assert!(html.contains("Dedup &lt;x&gt;"));
        assert!(html.contains("<code>d29-0</code> <b>kept</b>"));
        assert!(html.contains("… 19 more"));
        assert!(html.find(">size 2<").unwrap() < html.find(">size 3-4<").unwrap());
        assert!(!html.contains("<script"));
    }
}
