//! `seapile dedup` as a job: its inputs resolved, its MinHash parameters loaded, its dataset
//! card written, and `seapile eval dedup`'s labelled sets assembled. The command line only
//! parses flags and prints; a Slurm array calling one step runs the same code as a laptop.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docs_io::Format;
use pipeline::Assets;

use crate::eval::{self, BaseSet, EvalReport, Plan};
use crate::{io_err, DedupError, DedupStats, MinhashConfig, Mode};

/// Files as given; a folder gives its `.parquet` and `.jsonl` files, sorted by name.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DedupError> {
    if paths.is_empty() {
        return Err(DedupError::Config(
            "seapile dedup needs at least one --input PATH".into(),
        ));
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let files = data_files_in(p)?;
            if files.is_empty() {
                return Err(DedupError::EmptyFolder(p.clone()));
            }
            out.extend(files);
        } else if p.is_file() {
            Format::of(p)?;
            out.push(p.clone());
        } else {
            return Err(DedupError::NoSuchInput(p.clone()));
        }
    }
    Ok(out)
}

/// The `.parquet` and `.jsonl` files directly in `dir`, sorted.
fn data_files_in(dir: &Path) -> Result<Vec<PathBuf>, DedupError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| Format::of(f).is_ok())
        .collect();
    files.sort();
    Ok(files)
}

/// MinHash parameters from a TOML file (`ngram`, `bands`, `rows`, `seed`, ...), else
/// FineWeb's; checked.
pub fn load_config(path: Option<&Path>) -> Result<MinhashConfig, DedupError> {
    let config = match path {
        None => MinhashConfig::default(),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(io_err(p))?;
            toml::from_str(&text).map_err(|e| DedupError::Input {
                path: p.to_path_buf(),
                message: format!("invalid dedup config: {e}"),
            })?
        }
    };
    config.validate()?;
    Ok(config)
}

/// What the dedup card needs beyond the stats.
#[derive(Debug, Clone)]
pub struct CardMeta {
    pub license: String,
    pub pretty_name: Option<String>,
    pub inputs: Vec<PathBuf>,
}

/// `OUT/README.md`: the dataset card of a dedup run over `OUT/data/`.
pub fn write_card(out: &Path, stats: &DedupStats, meta: &CardMeta) -> Result<(), DedupError> {
    let card = card_input(out, stats, meta)?;
    let path = out.join("README.md");
    std::fs::write(&path, data_cards::render_dedup(&card)).map_err(io_err(&path))
}

fn card_input(
    out: &Path,
    stats: &DedupStats,
    meta: &CardMeta,
) -> Result<data_cards::DedupCardInput, DedupError> {
    let pretty_name = meta.pretty_name.clone().unwrap_or_else(|| {
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
        format!(
            "{} (deduplicated)",
            name.unwrap_or_else(|| "seapile".into())
        )
    });
    let data = data_files_in(&out.join("data"))?;
    Ok(data_cards::DedupCardInput {
        pretty_name,
        license: meta.license.clone(),
        languages: kept_languages(&data)?,
        mode: mode_name(stats.mode).to_string(),
        docs_in: stats.docs_in,
        exact_duplicates_removed: stats.exact_duplicates_removed,
        near_duplicates_removed: stats.near_duplicates_removed,
        clusters: stats.clusters,
        docs_in_clusters: stats.docs_in_clusters,
        cluster_size_histogram: stats.cluster_size_histogram.clone(),
        removed: stats.removed,
        kept: stats.kept,
        minhash: (stats.mode != Mode::ExactOnly).then(|| minhash_params(&stats.config)),
        inputs: card_inputs(&meta.inputs)?,
        seapile_version: env!("CARGO_PKG_VERSION").to_string(),
        data_files: data_glob(&data),
    })
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Both => "both",
        Mode::ExactOnly => "exact_only",
        Mode::NearOnly => "near_only",
    }
}

fn minhash_params(c: &MinhashConfig) -> data_cards::MinhashParams {
    data_cards::MinhashParams {
        ngram: c.ngram,
        bands: c.bands,
        rows: c.rows,
        seed: c.seed,
        verify_threshold: c.verify_threshold,
        s_curve: [0.5, 0.7, 0.8, 0.9]
            .into_iter()
            .map(|j| (j, c.candidate_probability(j)))
            .collect(),
    }
}

/// `data/*.parquet` or `data/*.jsonl` when all files share one format, else `data/*`.
fn data_glob(files: &[PathBuf]) -> String {
    let exts: std::collections::BTreeSet<_> = files
        .iter()
        .filter_map(|f| Format::of(f).ok().map(|f| f.extension()))
        .collect();
    match exts.iter().next() {
        Some(ext) if exts.len() == 1 => format!("data/*.{ext}"),
        _ => "data/*".to_string(),
    }
}

/// Languages of the kept rows' `lang` column, most documents first; `None` when no file has
/// one.
fn kept_languages(files: &[PathBuf]) -> Result<Option<Vec<String>>, DedupError> {
    let mut total: BTreeMap<String, u64> = BTreeMap::new();
    let mut any = false;
    for f in files {
        if let Some(counts) = docs_io::read::value_counts(f, "lang")? {
            any = true;
            for (lang, n) in counts {
                *total.entry(lang).or_insert(0) += n;
            }
        }
    }
    let mut langs: Vec<(String, u64)> = total.into_iter().filter(|(l, _)| l != "und").collect();
    langs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(any.then(|| langs.into_iter().map(|(l, _)| l).collect()))
}

fn card_inputs(inputs: &[PathBuf]) -> Result<Vec<data_cards::InputFile>, DedupError> {
    inputs
        .iter()
        .map(|p| {
            let bytes = std::fs::metadata(p).map_err(io_err(p))?.len();
            let sha256 = pipeline::fs::sha256_file(p).map_err(io_err(p))?;
            Ok(data_cards::InputFile {
                // Cards are published: a file's name, never a machine's path.
                name: p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                bytes,
                sha256: Some(sha256),
                ..Default::default()
            })
        })
        .collect()
}

/// `seapile eval dedup`: labelled near-duplicate pairs made from the cached UDHR pages
/// (English, Thai, Chinese) and any `extra` JSONL texts, scored in a scratch folder.
pub fn eval_udhr(
    assets: &Assets,
    extra: &[PathBuf],
    config: &MinhashConfig,
) -> Result<EvalReport, DedupError> {
    let mut sets = Vec::new();
    for (name, stem, joiner) in [
        ("eng", "eng", " "),
        ("tha", "tha", ""),
        ("zho", "cmn_hans", ""),
    ] {
        let rel = format!("udhr/declaration/{stem}.html");
        let path = assets
            .require(&rel)
            .map_err(|e| DedupError::Config(e.to_string()))?;
        let html = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        sets.push(BaseSet {
            name: name.into(),
            docs: eval::udhr_articles(&html),
            joiner,
        });
    }
    for path in extra {
        sets.push(jsonl_set(path)?);
    }
    let work = tempfile::tempdir().map_err(io_err(&std::env::temp_dir()))?;
    eval::evaluate(&sets, config, Plan::default(), work.path())
}

/// Up to 300 texts of at least 50 words from a JSONL file's `text` field.
fn jsonl_set(path: &Path) -> Result<BaseSet, DedupError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    let docs: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .filter(|t| t.split_whitespace().count() >= 50)
        .take(300)
        .collect();
    if docs.is_empty() {
        return Err(DedupError::Input {
            path: path.to_path_buf(),
            message: "no `text` of 50 words or more".into(),
        });
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(BaseSet {
        name,
        docs,
        joiner: " ",
    })
}
