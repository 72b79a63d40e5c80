//! The run's final outputs besides the shards: `OUT/stats.json` (merged + per shard) and the
//! dataset card `OUT/README.md`.

use std::collections::BTreeMap;

use data_cards::{CardInput, Feature, HubConfig, InputFile, License, ModelFile};
use docs_io::Schema;
use pipeline::fs::{sha256_file, write_atomic};
use pipeline::{Chain, ShardStats};
use serde::Serialize;

use crate::{Config, RunError, RunReport, StageConfig};

#[derive(Serialize)]
struct StatsFile<'a> {
    seapile_version: &'a str,
    run: &'a pipeline::RunStats,
    shards: &'a [pipeline::ShardStats],
}

/// Write `stats.json` and `README.md` for a complete run built as `chain`.
pub fn write_outputs(config: &Config, chain: &Chain, report: &RunReport) -> Result<(), RunError> {
    let stats = StatsFile {
        seapile_version: env!("CARGO_PKG_VERSION"),
        run: &report.stats,
        shards: &report.shards,
    };
    let json = serde_json::to_vec_pretty(&stats).expect("stats serialize");
    let path = report.out_dir.join("stats.json");
    write_atomic(&path, &json).map_err(|e| RunError::io(&path, e))?;

    let inputs = report
        .shards
        .iter()
        .map(|s| InputFile {
            name: crate::published_name(&s.input),
            bytes: s.bytes_in,
            sha256: local_sha256(&s.input),
            kind: if s.input_kind.is_empty() {
                "warc".into()
            } else {
                s.input_kind.clone()
            },
            crawl: s.crawl.clone(),
            docs: s
                .stages
                .iter()
                .find(|st| st.name == "ingest")
                .map_or(0, |st| st.docs_in),
            kept: s.docs_out,
        })
        .collect();
    let mut models = Vec::new();
    for file in chain.model_files() {
        let path = &file.path;
        models.push(ModelFile {
            role: file.role.to_string(),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            sha256: sha256_file(path).map_err(|e| RunError::io(path, e))?,
        });
    }
    let out = &config.output;
    let card = CardInput {
        pretty_name: out.pretty_name.clone(),
        license: License::new(
            &out.license,
            out.license_name.as_deref(),
            out.license_link.as_deref(),
        ),
        languages: report
            .stats
            .langs
            .iter()
            .filter(|(l, s)| s.docs > 0 && l.as_str() != "und")
            .map(|(l, _)| l.clone())
            .collect(),
        run: report.stats.clone(),
        inputs,
        tokenizer: tokenizer_name(config),
        langid: langid_description(config, &models),
        models,
        configs: hub_configs(config, &report.shards),
        schema: out.schema.name().to_string(),
        config_toml: published_toml(config),
        seapile_version: env!("CARGO_PKG_VERSION").to_string(),
        created: today(),
        figures: Vec::new(),
        report: None,
        decontam: decontam_section(config, report)?,
    };
    let card = if config.output.report {
        with_report(chain, report, card)?
    } else {
        card
    };
    let text = data_cards::render(&card);
    let path = report.out_dir.join("README.md");
    write_atomic(&path, text.as_bytes()).map_err(|e| RunError::io(&path, e))
}

/// Write `OUT/report/context.json`, `OUT/report.html` and `OUT/figures/` (from the shards'
/// collections under `OUT/report/`), and embed the figures in the card.
fn with_report(
    chain: &Chain,
    report: &RunReport,
    mut card: CardInput,
) -> Result<CardInput, RunError> {
    let context = report::Context {
        title: card.title(),
        seapile_version: card.seapile_version.clone(),
        tokenizer: card.tokenizer.clone(),
        langid: card.langid.clone(),
        thresholds: chain.thresholds(),
    };
    let out = &report.out_dir;
    report::run::write_context(out, &context)?;
    let names: Vec<String> = report.shards.iter().map(|s| s.shard.clone()).collect();
    let written = report::run::write(out, &report.stats, &names)?;
    card.figures = written.figures;
    card.report = Some("report.html".into());
    Ok(card)
}

/// The card's decontamination section, when the run had a `decontam` stage: the index's
/// benchmark files and the stage's counts summed over shards.
fn decontam_section(
    config: &Config,
    report: &RunReport,
) -> Result<Option<data_cards::DecontamSection>, RunError> {
    let Some(c) = config.stages.iter().find_map(|s| match s {
        crate::StageConfig::Decontam(c) => Some(c),
        _ => None,
    }) else {
        return Ok(None);
    };
    let about = decontam::report::IndexAbout::read(&c.index, &c.rules())
        .map_err(|e| RunError::io(&c.index, std::io::Error::other(e.to_string())))?;
    let counts = report
        .stats
        .stages
        .iter()
        .find(|s| s.name == decontam::stage::NAME)
        .map(|s| s.counts.clone())
        .unwrap_or_default();
    Ok(Some(
        decontam::report::Tally::from_counts(&counts).section(&about),
    ))
}

/// The tokenizer the `tokens` stage counts with, by the name the config gives.
fn tokenizer_name(config: &Config) -> Option<String> {
    config.stages.iter().find_map(|s| match s {
        StageConfig::Tokens(t) => Some(match t.tokenizer.as_deref() {
            None => "Llama 3 tokenizer, `llama3`".to_string(),
            Some(p) => {
                let given = p.display().to_string();
                let known = match given.as_str() {
                    "llama3" => Some("Llama 3"),
                    "llama3.1" => Some("Llama 3.1"),
                    "gemma3" => Some("Gemma 3"),
                    "qwen2.5" => Some("Qwen 2.5"),
                    "qwen3" => Some("Qwen 3"),
                    _ => None,
                };
                match known {
                    Some(name) => format!("{name} tokenizer, `{given}`"),
                    // A file: named by its folder and file name, not the machine's path.
                    None => {
                        let file = p.file_name().map(|f| f.to_string_lossy().into_owned());
                        let dir = p
                            .parent()
                            .and_then(|d| d.file_name())
                            .map(|d| d.to_string_lossy().into_owned());
                        match (dir, file) {
                            (Some(d), Some(f)) => format!("tokenizer `{d}/{f}`"),
                            (None, Some(f)) => format!("tokenizer `{f}`"),
                            _ => "a tokenizer.json".to_string(),
                        }
                    }
                }
            }
        }),
        _ => None,
    })
}

/// How languages were identified: the model file and whether the SEA rules ran.
fn langid_description(config: &Config, models: &[ModelFile]) -> Option<String> {
    let langid = config.stages.iter().find_map(|s| match s {
        StageConfig::Langid(l) => Some(l),
        _ => None,
    })?;
    let model = models
        .iter()
        .find(|m| m.role.contains("language ID"))
        .map_or_else(
            || "a fastText model".to_string(),
            |m| format!("fastText `{}`", m.name),
        );
    Some(if langid.sea_rules {
        format!("{model} with seapile's SEA rules on top (scripts, Zawgyi, Malay/Indonesian, Javanese/Sundanese, Tagalog)")
    } else {
        format!("{model} alone (its top label)")
    })
}

/// One Hub config per subset the shards wrote, with the features of the schema written.
fn hub_configs(config: &Config, shards: &[ShardStats]) -> Vec<HubConfig> {
    let mut by_name: BTreeMap<&str, HubConfig> = BTreeMap::new();
    let ext = config.output.format.extension();
    for f in shards.iter().flat_map(|s| &s.outputs) {
        let c = by_name.entry(f.config.as_str()).or_insert_with(|| {
            let (path, rejected) = match f.config.as_str() {
                "default" => (format!("data/*.{ext}"), false),
                "rejected" => (format!("rejected/*.{ext}"), true),
                lang => (format!("data/{lang}/*.{ext}"), false),
            };
            HubConfig {
                name: f.config.clone(),
                path,
                features: features(config.output.schema, rejected),
                ..HubConfig::default()
            }
        });
        c.rows += f.rows;
        c.num_bytes += f.arrow_bytes;
        c.download_size += f.bytes;
    }
    let mut configs: Vec<HubConfig> = by_name.into_values().collect();
    // `default` first, `rejected` last, languages in between by name.
    configs.sort_by_key(|c| (c.name != "default", c.name == "rejected", c.name.clone()));
    configs
}

/// The Hugging Face features of a schema's columns.
fn features(schema: Schema, rejected: bool) -> Vec<Feature> {
    fn convert(cols: &[docs_io::schema::Column]) -> Vec<Feature> {
        cols.iter()
            .map(|c| match (c.ty, docs_io::schema::hf_dtype(c.ty)) {
                (docs_io::schema::ColumnType::Struct(sub), _) => Feature::Struct {
                    name: c.name.to_string(),
                    fields: convert(sub),
                },
                (_, dtype) => Feature::Value {
                    name: c.name.to_string(),
                    dtype: dtype.unwrap_or("string").to_string(),
                },
            })
            .collect()
    }
    convert(&schema.columns(rejected))
}

/// The config as TOML with every absolute local path cut to its file name: cards are
/// published, a machine's folders are not (URLs and relative paths stay as written).
pub fn published_toml(config: &Config) -> String {
    fn clean(v: &mut toml::Value) {
        match v {
            toml::Value::String(s) if is_local_absolute(s) => {
                let name = s
                    .trim_end_matches('/')
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("");
                *s = name.to_string();
            }
            // f32 settings widened to f64 print as 0.6499999761581421: show them as written.
            toml::Value::Float(f) => {
                if let Ok(short) = format!("{:.6}", *f).parse::<f64>() {
                    *f = short;
                }
            }
            toml::Value::Array(items) => items.iter_mut().for_each(clean),
            toml::Value::Table(t) => t.iter_mut().for_each(|(_, v)| clean(v)),
            _ => {}
        }
    }
    let Ok(mut value) = toml::Value::try_from(config) else {
        return config.to_toml();
    };
    clean(&mut value);
    toml::to_string(&value).unwrap_or_default()
}

/// `/home/x`, `~/x`, `C:\x`: a path that names a machine's folders.
pub fn is_local_absolute(s: &str) -> bool {
    let b = s.as_bytes();
    s.starts_with('/')
        || s.starts_with('~')
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

fn local_sha256(input: &str) -> Option<String> {
    let p = std::path::Path::new(input);
    p.is_file().then(|| sha256_file(p).ok()).flatten()
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn published_config_has_no_local_absolute_path() {
        let mut c = crate::Config::default();
        c.input.paths = vec![
            "/home/ann/crawl/CC-MAIN-1.warc.gz".into(),
            "https://data.commoncrawl.org/crawl-data/x.warc.gz".into(),
            "rel/a.warc.gz".into(),
        ];
        c.output.dir = Some("/tmp/out/run".into());
        let t = super::published_toml(&c);
        assert!(!t.contains("/home") && !t.contains("/tmp"), "{t}");
        assert!(t.contains("\"CC-MAIN-1.warc.gz\""), "{t}");
        assert!(
            t.contains("https://data.commoncrawl.org/crawl-data/x.warc.gz"),
            "{t}"
        );
        assert!(t.contains("rel/a.warc.gz"), "{t}");
    }

    #[test]
    fn today_looks_like_a_date() {
        let t = super::today();
        assert_eq!(t.len(), 10);
        assert!(t.starts_with("20"), "{t}");
    }
}
