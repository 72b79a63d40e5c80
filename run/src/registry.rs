//! The stages a run can build, in one place: the chain built from a config's
//! [`StageConfig`]s, and every stable drop reason with what it means (`seapile reasons`,
//! `docs/drop-reasons.md`).
//!
//! A new stage is a config type with `BuildStage` in its crate and one line of the registry
//! in `config.rs` ([`StageConfig`](crate::StageConfig)).

use pipeline::{Assets, Chain, Reason};

use crate::{Config, RunError};

/// Build every configured stage once (models loaded, configs checked against them); shards
/// take forks of the chain. The stages load at the same time, each on its own thread
/// (parsing Llama 3's tokenizer.json and reading the language-ID word lists are most of a
/// run's start-up), and the chain keeps the configured order; the first failing stage in
/// that order is the error reported.
pub fn build_chain(config: &Config, assets: &Assets) -> Result<Chain, RunError> {
    let built: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = config
            .stages
            .iter()
            .map(|s| scope.spawn(move || s.builder().build(assets)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let stages = built.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(Chain::new(stages))
}

/// Every stable drop reason: ingest's, then each registered stage's.
pub fn reasons() -> Vec<(&'static str, &'static [Reason])> {
    std::iter::once(("ingest", stages::warc::reasons::ALL))
        .chain(crate::config::STAGE_REASONS.iter().copied())
        .collect()
}

/// The drop reasons as the Markdown page `docs/drop-reasons.md`.
pub fn reasons_markdown() -> String {
    let mut out = String::from(
        "# Drop reasons\n\n\
         Every document a run drops is counted under its stage and one of these stable \
         reasons (in `stats.json`, the card, and the `stage`/`reason` columns of \
         `OUT/rejected/`). Generated from the code by `seapile reasons --markdown`.\n",
    );
    for (stage, reasons) in reasons() {
        out.push_str(&format!("\n## `{stage}`\n\n"));
        if reasons.is_empty() {
            out.push_str("Never drops.\n");
            continue;
        }
        out.push_str("| reason | meaning |\n|---|---|\n");
        for r in reasons {
            out.push_str(&format!("| `{}` | {} |\n", r.name, r.meaning()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_named_once_and_explained() {
        let all = reasons();
        let listed: Vec<&str> = all.iter().map(|(s, _)| *s).collect();
        for stage in &Config::default().stages {
            assert!(
                listed.contains(&stage.name()),
                "{} is not listed",
                stage.name()
            );
        }
        let names: Vec<&str> = all
            .iter()
            .flat_map(|(_, r)| r.iter().map(|r| r.name))
            .collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a reason is declared twice");
        assert!(all
            .iter()
            .flat_map(|(_, r)| r.iter())
            .all(|r| !r.meaning().is_empty()));
    }

    #[test]
    fn the_reasons_page_is_current() {
        let page = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/drop-reasons.md"
        ))
        .unwrap_or_default();
        assert!(
            page == reasons_markdown(),
            "docs/drop-reasons.md is stale: run `seapile reasons --markdown > docs/drop-reasons.md`"
        );
    }
}
