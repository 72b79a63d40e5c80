//! Per-language thresholds, one TOML file per language (`configs/quality/<iso639-3>.toml`,
//! built into the binary; a config may point at another folder). Every file states every
//! threshold, so a language's rules are read in one place; `docs/quality.md` says how each
//! number was derived from real text in that language.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::QualityError;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub gopher_quality: GopherQuality,
    pub gopher_repetition: GopherRepetition,
    pub c4: C4,
    pub fineweb: FineWeb,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GopherQuality {
    pub min_words: f64,
    pub max_words: f64,
    pub min_mean_word_length: f64,
    pub max_mean_word_length: f64,
    pub max_symbol_word_ratio: f64,
    pub max_bullet_line_ratio: f64,
    pub max_ellipsis_line_ratio: f64,
    pub min_alpha_word_ratio: f64,
    /// 0 turns the rule off (languages without a stop-word list).
    pub min_stop_words: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GopherRepetition {
    pub max_dup_line_frac: f64,
    pub max_dup_para_frac: f64,
    pub max_dup_line_char_frac: f64,
    pub max_dup_para_char_frac: f64,
    /// For n = 2, 3, 4.
    pub max_top_ngram: [f64; 3],
    /// For n = 5 ..= 10.
    pub max_dup_ngram: [f64; 6],
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct C4 {
    /// Sentences in lines ending in a terminal mark; 0 turns the rule off.
    pub min_terminal_sentences: f64,
    /// Lines with fewer words do not count towards `min_terminal_sentences`.
    pub min_words_per_line: usize,
    pub max_policy_line_ratio: f64,
    pub max_javascript_line_ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineWeb {
    /// 0 turns the rule off (Thai and Lao end sentences with a space, not a mark).
    pub min_line_punct_ratio: f64,
    pub short_line_chars: usize,
    pub max_short_line_ratio: f64,
    pub max_char_dup_ratio: f64,
    pub max_list_ratio: f64,
}

/// The files built in from `configs/quality/`.
const BUILT_IN: [(&str, &str); 13] = [
    ("eng", include_str!("../../../configs/quality/eng.toml")),
    ("ind", include_str!("../../../configs/quality/ind.toml")),
    ("jav", include_str!("../../../configs/quality/jav.toml")),
    ("khm", include_str!("../../../configs/quality/khm.toml")),
    ("lao", include_str!("../../../configs/quality/lao.toml")),
    ("mya", include_str!("../../../configs/quality/mya.toml")),
    ("sun", include_str!("../../../configs/quality/sun.toml")),
    ("tam", include_str!("../../../configs/quality/tam.toml")),
    ("tgl", include_str!("../../../configs/quality/tgl.toml")),
    ("tha", include_str!("../../../configs/quality/tha.toml")),
    ("vie", include_str!("../../../configs/quality/vie.toml")),
    ("zho", include_str!("../../../configs/quality/zho.toml")),
    ("zsm", include_str!("../../../configs/quality/zsm.toml")),
];

/// The built-in thresholds of the 13 languages.
pub fn built_in() -> Result<HashMap<String, Thresholds>, QualityError> {
    BUILT_IN
        .iter()
        .map(|(lang, text)| {
            Ok((
                lang.to_string(),
                parse(text, &format!("configs/quality/{lang}.toml"))?,
            ))
        })
        .collect()
}

/// Every `<lang>.toml` in `dir`; the 13 SEA languages must all be there.
pub fn from_dir(dir: &Path) -> Result<HashMap<String, Thresholds>, QualityError> {
    let mut out = HashMap::new();
    for (lang, _) in BUILT_IN {
        let path = dir.join(format!("{lang}.toml"));
        let text = std::fs::read_to_string(&path).map_err(|e| QualityError::Read {
            path: path.clone(),
            message: e.to_string(),
        })?;
        out.insert(lang.to_string(), parse(&text, &path.display().to_string())?);
    }
    Ok(out)
}

fn parse(text: &str, origin: &str) -> Result<Thresholds, QualityError> {
    toml::from_str(text).map_err(|e| QualityError::Thresholds {
        origin: origin.to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_file_parses() {
        let all = built_in().unwrap();
        assert_eq!(all.len(), 13);
        // Derived, not copied: the spaceless scripts have shorter words than English.
        assert!(
            all["zho"].gopher_quality.max_mean_word_length
                < all["eng"].gopher_quality.min_mean_word_length * 2.0
        );
        assert!(
            all["tam"].gopher_quality.max_mean_word_length
                > all["eng"].gopher_quality.max_mean_word_length
        );
    }

    #[test]
    fn unknown_field_names_file_and_field() {
        let e = parse("[gopher_quality]\nmin_wrods = 3\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.toml") && e.contains("min_wrods"), "{e}");
    }
}
