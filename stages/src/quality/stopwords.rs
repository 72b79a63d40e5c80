//! Stop words per language from the `stopwords-iso` JSON (ISO 639-1 keys), looked up by the
//! pipeline's ISO 639-3 codes. Only single-word entries are kept: multi-word entries (the
//! Vietnamese list has `ai nấy`) never equal one segmented word.

use std::collections::HashMap;

use ahash::AHashSet;
use std::path::Path;

use super::QualityError;

/// ISO 639-3 (the pipeline's codes) → the ISO 639-1 key in `stopwords-iso.json`.
const KEYS: [(&str, &str); 13] = [
    ("eng", "en"),
    ("ind", "id"),
    ("jav", "jv"),
    ("khm", "km"),
    ("lao", "lo"),
    ("mya", "my"),
    ("sun", "su"),
    ("tam", "ta"),
    ("tgl", "tl"),
    ("tha", "th"),
    ("vie", "vi"),
    ("zho", "zh"),
    ("zsm", "ms"),
];

/// One language's stop words (lower-case).
#[derive(Debug, Default)]
pub struct StopWords(AHashSet<String>);

impl StopWords {
    /// How many of `words` are stop words (case-insensitive).
    pub fn count(&self, words: &[&str]) -> usize {
        words
            .iter()
            .filter(|w| {
                if w.chars().any(char::is_uppercase) {
                    self.0.contains(&w.to_lowercase())
                } else {
                    self.0.contains(**w)
                }
            })
            .count()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Stop words for the SEA languages that the list has (ISO 639-3 keys).
pub fn load(path: &Path) -> Result<HashMap<String, StopWords>, QualityError> {
    let text = std::fs::read_to_string(path).map_err(|e| QualityError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    parse(&text).map_err(|message| QualityError::Read {
        path: path.to_path_buf(),
        message,
    })
}

fn parse(json: &str) -> Result<HashMap<String, StopWords>, String> {
    let all: HashMap<String, Vec<String>> =
        serde_json::from_str(json).map_err(|e| format!("not a stopwords-iso JSON object: {e}"))?;
    let mut out = HashMap::new();
    for (iso3, iso1) in KEYS {
        let Some(list) = all.get(iso1) else { continue };
        let set: AHashSet<String> = list
            .iter()
            .filter(|w| !w.contains(' ') && segment::word_count(w) == 1)
            .map(|w| w.to_lowercase())
            .collect();
        if !set.is_empty() {
            out.insert(iso3.to_string(), StopWords(set));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_list_has_the_languages_it_covers() {
        let path = testkit::expect_cached("stopwords/stopwords-iso.json");
        let lists = load(&path).unwrap();
        for lang in ["eng", "ind", "tgl", "tha", "vie", "zho", "zsm"] {
            assert!(lists.get(lang).is_some_and(|s| s.len() > 50), "{lang}");
        }
        // stopwords-iso has no list for these: the stop-word rule is off there.
        for lang in ["jav", "khm", "lao", "mya", "sun", "tam"] {
            assert!(!lists.contains_key(lang), "{lang}");
        }
        let eng = &lists["eng"];
        assert_eq!(eng.count(&["The", "cat", "is", "on", "the", "mat"]), 4);
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(parse("[1, 2]").unwrap_err().contains("stopwords-iso"));
    }
}
