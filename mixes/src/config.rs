//! The mix config (TOML): sources with their group, language and how much of each to take.
//!
//! Design decision: each source says *one* way its amount is set — fixed `epochs`, a fixed
//! `share` of the budget, or a `weight` within its group (the default) — so the planner never
//! has to guess which constraint wins. Token counts are written as numbers or as `"7.65B"`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::MixError;

/// A whole mix: a budget (or none: the sum of fixed epochs), group shares and sources.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixConfig {
    /// Name shown in reports.
    pub name: String,
    /// The tokenizer the counts are in. A known name (`llama3`, `llama3.1`, `gemma3`,
    /// `qwen2.5`, `qwen3`: from the asset cache) or a `tokenizer.json` path (relative to the
    /// config) counts the `text` of `files` sources with it (and the written rows' `tokens`);
    /// anything else only labels the counts, which then come from the files' `tokens` column.
    #[serde(default)]
    pub tokenizer: Option<String>,
    /// Total tokens to train on; without it, every source needs fixed `epochs`.
    #[serde(default, deserialize_with = "opt_tokens")]
    pub budget: Option<u64>,
    /// Target fraction of the budget per group (`sea = 0.55`); they sum to 1.
    #[serde(default)]
    pub groups: BTreeMap<String, f64>,
    /// Default `max_epochs` for sources that do not set one.
    #[serde(default = "default_max_epochs")]
    pub max_epochs: f64,
    /// The sources, in report order.
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceConfig>,
    /// Check every written row against a benchmark index (`[decontam] index = "x.idx"`,
    /// relative to the config; `action = "cut"` etc. as the run stage takes them): rows
    /// holding benchmark text are dropped or cut, and the card says against what.
    #[serde(default)]
    pub decontam: Option<decontam::DecontamConfig>,
}

/// One source of the mix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub name: String,
    /// `sea`, `english`, `code` or any other name used in `[groups]`.
    pub group: String,
    /// ISO 639-3 code (`ind`), or e.g. `code`/`mul`; with `files`, only rows of this `lang`.
    #[serde(default)]
    pub lang: Option<String>,
    /// Unique tokens counted elsewhere (`"7.65B"` or a number).
    #[serde(default, deserialize_with = "opt_tokens")]
    pub unique_tokens: Option<u64>,
    /// Parquet/JSONL globs (relative to the config file) whose rows carry `tokens`.
    #[serde(default)]
    pub files: Vec<String>,
    /// Fixed multiplier.
    #[serde(default)]
    pub epochs: Option<f64>,
    /// Fixed fraction of the budget.
    #[serde(default)]
    pub share: Option<f64>,
    /// Relative epochs within the group (default 1 when neither `epochs` nor `share`).
    #[serde(default)]
    pub weight: Option<f64>,
    /// Most times this source may be repeated (default: the mix's `max_epochs`).
    #[serde(default)]
    pub max_epochs: Option<f64>,
    /// The percentage a published table gives for this source, to compare against.
    #[serde(default)]
    pub published_percent: Option<f64>,
}

fn default_max_epochs() -> f64 {
    4.0
}

/// How a source's amount is set, after validation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    Epochs(f64),
    Share(f64),
    Weight(f64),
}

impl SourceConfig {
    /// The one way this source's amount is set (validated by [`MixConfig::validate`]).
    pub fn amount(&self) -> Amount {
        match (self.epochs, self.share, self.weight) {
            (Some(e), _, _) => Amount::Epochs(e),
            (_, Some(s), _) => Amount::Share(s),
            (_, _, w) => Amount::Weight(w.unwrap_or(1.0)),
        }
    }
}

/// What is wrong with a mix config.
#[derive(Debug, thiserror::Error)]
pub enum ConfigProblem {
    #[error(transparent)]
    Read(#[from] std::io::Error),
    #[error(transparent)]
    Toml(#[from] toml::de::Error),
    /// A rule the planner relies on is broken; the message names the source and value.
    #[error("{0}")]
    Invalid(String),
}

impl MixConfig {
    /// Read and validate a mix config file.
    pub fn load(path: &Path) -> Result<Self, MixError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| MixError::config(path.display(), e))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parse and validate TOML text (`origin` names it in errors).
    pub fn parse(text: &str, origin: &str) -> Result<Self, MixError> {
        let config: MixConfig = toml::from_str(text).map_err(|e| MixError::config(origin, e))?;
        config.validate().map_err(|e| MixError::config(origin, e))?;
        Ok(config)
    }

    /// The `max_epochs` that applies to `source`.
    pub fn max_epochs_of(&self, source: &SourceConfig) -> f64 {
        source.max_epochs.unwrap_or(self.max_epochs)
    }

    /// Check the rules a planner relies on; the message names the source and value.
    pub fn validate(&self) -> Result<(), ConfigProblem> {
        self.check().map_err(ConfigProblem::Invalid)
    }

    fn check(&self) -> Result<(), String> {
        if self.sources.is_empty() {
            return Err("no [[source]]".into());
        }
        let shares: f64 = self.groups.values().sum();
        if !self.groups.is_empty() && (shares - 1.0).abs() > 1e-6 {
            return Err(format!("[groups] shares sum to {shares}, not 1"));
        }
        if let Some((g, s)) = self.groups.iter().find(|(_, s)| !(0.0..=1.0).contains(*s)) {
            return Err(format!("group \"{g}\": share {s} is not between 0 and 1"));
        }
        if self.budget.is_none() && !self.groups.is_empty() {
            return Err("[groups] shares need a budget".into());
        }
        if let Some(d) = &self.decontam {
            d.check().map_err(|e| format!("[decontam]: {e}"))?;
        }
        let mut names = std::collections::BTreeSet::new();
        for s in &self.sources {
            if !names.insert(s.name.as_str()) {
                return Err(format!("source \"{}\" appears twice", s.name));
            }
            self.validate_source(s)
                .map_err(|m| format!("source \"{}\": {m}", s.name))?;
        }
        Ok(())
    }

    fn validate_source(&self, s: &SourceConfig) -> Result<(), String> {
        match (s.unique_tokens.is_some(), s.files.is_empty()) {
            (true, false) => return Err("set unique_tokens or files, not both".into()),
            (false, true) => return Err("needs unique_tokens or files".into()),
            _ => {}
        }
        let set = [s.epochs, s.share, s.weight].iter().flatten().count();
        if set > 1 {
            return Err("set only one of epochs, share, weight".into());
        }
        let numbers = [s.epochs, s.share, s.weight, s.max_epochs];
        if let Some(v) = numbers
            .iter()
            .flatten()
            .find(|v| !v.is_finite() || **v < 0.0)
        {
            return Err(format!("{v} is not a non-negative number"));
        }
        match s.amount() {
            Amount::Epochs(_) => {}
            Amount::Share(_) if self.budget.is_none() => {
                return Err("share needs a budget".into());
            }
            Amount::Share(v) if v > 1.0 => return Err(format!("share {v} is above 1")),
            Amount::Share(_) => {}
            Amount::Weight(_) if self.budget.is_none() => {
                return Err("without a budget every source needs epochs".into());
            }
            Amount::Weight(_) if !self.groups.is_empty() && !self.groups.contains_key(&s.group) => {
                return Err(format!(
                    "group \"{}\" has no share in [groups]; give the source epochs or share",
                    s.group
                ));
            }
            Amount::Weight(_) => {}
        }
        Ok(())
    }
}

/// Parse `"7.65B"`, `"200B"`, `"1.5M"`, `"12345"` (K, M, B, T = 10^3..10^12).
pub fn parse_tokens(text: &str) -> Result<u64, MixError> {
    let t = text.trim().replace('_', "");
    let (number, scale) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 1e3),
        Some((i, 'M' | 'm')) => (&t[..i], 1e6),
        Some((i, 'B' | 'b' | 'G' | 'g')) => (&t[..i], 1e9),
        Some((i, 'T' | 't')) => (&t[..i], 1e12),
        _ => (t.as_str(), 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok((v * scale).round() as u64),
        _ => Err(MixError::TokenCount(text.to_string())),
    }
}

fn opt_tokens<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(u64),
        Float(f64),
        Text(String),
    }
    let value = match Raw::deserialize(d)? {
        Raw::Int(v) => v,
        Raw::Float(v) if v.is_finite() && v >= 0.0 => v.round() as u64,
        Raw::Float(v) => return Err(serde::de::Error::custom(format!("token count {v}"))),
        Raw::Text(s) => parse_tokens(&s).map_err(serde::de::Error::custom)?,
    };
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_counts_with_suffixes() {
        assert_eq!(parse_tokens("7.65B").unwrap(), 7_650_000_000);
        assert_eq!(parse_tokens("200B").unwrap(), 200_000_000_000);
        assert_eq!(parse_tokens("1_500").unwrap(), 1500);
        let e = parse_tokens("7.6X").unwrap_err().to_string();
        assert!(e.contains("\"7.6X\""), "{e}");
    }

    #[test]
    fn a_source_with_two_amounts_is_refused_by_name() {
        let text = r#"
            name = "m"
            budget = "10B"
            [[source]]
            name = "wiki"
            group = "sea"
            unique_tokens = "1B"
            epochs = 2
            weight = 1
        "#;
        let e = MixConfig::parse(text, "m.toml").unwrap_err().to_string();
        assert!(e.contains("\"wiki\"") && e.contains("only one of"), "{e}");
    }
}
