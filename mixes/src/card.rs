//! The dataset card of a written mix: the solved [`Plan`] and what was written, handed to
//! `data_cards::render_mix` (planned and achieved tokens and shares side by side).

use data_cards::{MixCardInput, MixShare, MixSource};

use crate::plan::{Plan, Share};
use crate::write::WriteSummary;

/// Render `README.md` for a written mix.
pub fn render(plan: &Plan, summary: &WriteSummary) -> String {
    let shares = |v: &[Share]| -> Vec<MixShare> {
        v.iter()
            .map(|s| MixShare {
                name: s.name.clone(),
                target: s.target,
                planned: s.achieved,
            })
            .collect()
    };
    data_cards::render_mix(&MixCardInput {
        name: plan.name.clone(),
        tokenizer: plan.tokenizer.clone(),
        seed: summary.seed,
        rows: summary.rows,
        tokens: summary.tokens,
        shards: summary.shards.len(),
        sources: summary
            .sources
            .iter()
            .map(|s| MixSource {
                name: s.name.clone(),
                group: s.group.clone(),
                lang: s.lang.clone(),
                unique_rows: s.unique_rows,
                unique_tokens: s.unique_tokens,
                planned_tokens: s.planned_tokens,
                tokens: s.tokens,
            })
            .collect(),
        groups: shares(&plan.groups),
        languages: shares(&plan.languages),
        decontam: summary.decontam.clone(),
    })
}
