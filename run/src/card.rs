//! The run's final outputs besides the shards: `OUT/stats.json` (merged + per shard) and the
//! dataset card `OUT/README.md`.

use data_cards::{CardInput, InputFile, ModelFile};
use pipeline::fs::{sha256_file, write_atomic};
use pipeline::Chain;
use serde::Serialize;

use crate::{Config, RunError, RunReport};

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
            name: s.input.clone(),
            bytes: s.bytes_in,
            sha256: local_sha256(&s.input),
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
            path: path.display().to_string(),
            sha256: sha256_file(path).map_err(|e| RunError::io(path, e))?,
        });
    }
    let card = CardInput {
        pretty_name: config
            .output
            .pretty_name
            .clone()
            .unwrap_or_else(|| default_pretty_name(report)),
        license: config.output.license.clone(),
        languages: report
            .stats
            .langs
            .iter()
            .filter(|(l, s)| s.docs > 0 && l.as_str() != "und")
            .map(|(l, _)| l.clone())
            .collect(),
        run: report.stats.clone(),
        inputs,
        models,
        config_toml: config.to_toml(),
        seapile_version: env!("CARGO_PKG_VERSION").to_string(),
        data_files: format!("data/*.{}", config.output.format.extension()),
        created: today(),
        decontam: decontam_section(config, report)?,
    };
    let text = data_cards::render(&card);
    let path = report.out_dir.join("README.md");
    write_atomic(&path, text.as_bytes()).map_err(|e| RunError::io(&path, e))
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

fn default_pretty_name(report: &RunReport) -> String {
    let name = report
        .out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "seapile".into());
    format!("seapile {name}")
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
    fn today_looks_like_a_date() {
        let t = super::today();
        assert_eq!(t.len(), 10);
        assert!(t.starts_with("20"), "{t}");
    }
}
