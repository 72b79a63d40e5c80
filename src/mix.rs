//! `seapile mix plan CONFIG [--json]`: solve a mix config and print its report.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

/// Plan `config` (counting `files` sources relative to the config's folder) and write the
/// text report, or one JSON object with `--json`.
pub fn plan(config: &Path, json: bool, out: &mut dyn Write) -> Result<()> {
    let mix = mixes::MixConfig::load(config)?;
    let base = config.parent().unwrap_or(Path::new("."));
    let unique = mixes::count::unique_tokens(&mix, base)?;
    let plan = mixes::plan(&mix, &unique)?;
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&mixes::report::json(&plan))?
        )?;
    } else {
        write!(out, "{}", mixes::report::text(&plan))?;
    }
    Ok(())
}
