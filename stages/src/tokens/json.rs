//! `tokenizer.json` read in one pass, the model's vocabulary and merges as borrowed strings.
//!
//! Design decision: the vocabulary and the merge list are nearly all of the file (Llama 3:
//! 128,256 tokens and 280,147 merges in 9 MB). Parsed into a `serde_json::Value` they become
//! a sorted map of 128k owned keys and 280k owned strings, which cost more than the rest of a
//! run's set-up together (a third of a second per process). Here they are read as strings
//! borrowed from the file's bytes (owned only where JSON escapes force it), in file order;
//! everything else stays a small `Value` so the format checks read it as before.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One `tokenizer.json`: `rest` is the whole file but for `model.vocab` and `model.merges`
/// (so `rest["model"]` holds the model's options).
pub(crate) struct TokenizerJson<'a> {
    pub rest: Value,
    /// `model.vocab` when it is an object of token → id, in file order; `None` when absent
    /// or of another form (a Unigram list).
    pub vocab: Option<Vec<(Cow<'a, str>, u32)>>,
    /// `model.merges` when it is a list: each `"a b"` string or `["a", "b"]` pair split in
    /// two, `None` for an entry of neither form.
    pub merges: Option<Vec<Option<MergePair<'a>>>>,
}

/// A merge's two parts.
pub(crate) type MergePair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Parse a `tokenizer.json` file's bytes.
pub(crate) fn parse(bytes: &[u8]) -> Result<TokenizerJson<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let file = de.deserialize_map(FileVisitor)?;
    de.end()?;
    Ok(file)
}

struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = TokenizerJson<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tokenizer.json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rest = Map::new();
        let (mut vocab, mut merges) = (None, None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "model" {
                let model = map.next_value::<Model<'de>>()?;
                vocab = model.vocab;
                merges = model.merges;
                rest.insert(key.into_owned(), model.rest);
            } else {
                rest.insert(key.into_owned(), map.next_value()?);
            }
        }
        Ok(TokenizerJson {
            rest: Value::Object(rest),
            vocab,
            merges,
        })
    }
}

struct Model<'a> {
    rest: Value,
    vocab: Option<Vec<(Cow<'a, str>, u32)>>,
    merges: Option<Vec<Option<MergePair<'a>>>>,
}

impl<'de> Deserialize<'de> for Model<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ModelVisitor)
    }
}

struct ModelVisitor;

impl<'de> Visitor<'de> for ModelVisitor {
    type Value = Model<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a model object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rest = Map::new();
        let (mut vocab, mut merges) = (None, None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "vocab" => vocab = map.next_value::<Vocab<'de>>()?.0,
                "merges" => merges = map.next_value::<Merges<'de>>()?.0,
                _ => {
                    rest.insert(key.into_owned(), map.next_value()?);
                }
            }
        }
        Ok(Model {
            rest: Value::Object(rest),
            vocab,
            merges,
        })
    }

    // A model that is not an object is kept as it is, for the checks to reject.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Model {
            rest: Value::Null,
            vocab: None,
            merges: None,
        })
    }
}

/// A JSON string, borrowed from the input when it has no escapes (`Cow<str>`'s own
/// `Deserialize` always copies).
struct BorrowStrOut<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for BorrowStrOut<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BorrowStrOut(d.deserialize_str(StrVisitor)?))
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

struct Vocab<'a>(Option<Vec<(Cow<'a, str>, u32)>>);

impl<'de> Deserialize<'de> for Vocab<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(VocabVisitor)
    }
}

struct VocabVisitor;

impl<'de> Visitor<'de> for VocabVisitor {
    type Value = Vocab<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a vocabulary")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(1 << 17));
        while let Some(token) = map.next_key::<BorrowStrOut<'de>>()? {
            out.push((token.0, map.next_value::<u32>()?));
        }
        Ok(Vocab(Some(out)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Vocab(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vocab(None))
    }
}

struct Merges<'a>(Option<Vec<Option<MergePair<'a>>>>);

impl<'de> Deserialize<'de> for Merges<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MergesVisitor)
    }
}

struct MergesVisitor;

impl<'de> Visitor<'de> for MergesVisitor {
    type Value = Merges<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a merge list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1 << 18));
        while let Some(m) = seq.next_element::<Merge<'de>>()? {
            out.push(m.0);
        }
        Ok(Merges(Some(out)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Merges(None))
    }
}

struct Merge<'a>(Option<MergePair<'a>>);

impl<'de> Deserialize<'de> for Merge<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MergeVisitor)
    }
}

struct MergeVisitor;

impl<'de> Visitor<'de> for MergeVisitor {
    type Value = Merge<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a merge")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Merge(
            v.split_once(' ')
                .map(|(a, b)| (Cow::Borrowed(a), Cow::Borrowed(b))),
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Merge(v.split_once(' ').map(|(a, b)| {
            (Cow::Owned(a.to_owned()), Cow::Owned(b.to_owned()))
        })))
    }

    // `["a", "b"]` (tokenizers ≥ 0.20); a list of another length is no merge.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let a = seq.next_element::<BorrowStrOut<'de>>()?;
        let b = seq.next_element::<BorrowStrOut<'de>>()?;
        let extra = seq.next_element::<IgnoredAny>()?.is_some();
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Merge(match (a, b, extra) {
            (Some(a), Some(b), false) => Some((a.0, b.0)),
            _ => None,
        }))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Merge(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Merge(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Merge(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Merge(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Merge(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Merge(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_and_merges_are_read_in_order_borrowed_where_unescaped() {
        let text = r#"{"version": "1.0", "normalizer": null,
            "model": {"type": "BPE", "dropout": null,
                "vocab": {"a": 0, "b": 1, "ab": 2, "\"q": 3},
                "merges": ["a b", ["a", "b"], ["a", "b", "c"], 5, "ab"]},
            "added_tokens": []}"#;
        let file = parse(text.as_bytes()).expect("parse");
        let vocab = file.vocab.expect("vocab");
        let tokens: Vec<(&str, u32)> = vocab.iter().map(|(t, i)| (t.as_ref(), *i)).collect();
        assert_eq!(tokens, [("a", 0), ("b", 1), ("ab", 2), ("\"q", 3)]);
        assert!(matches!(vocab[0].0, Cow::Borrowed(_)));
        assert!(
            matches!(vocab[3].0, Cow::Owned(_)),
            "an escape forces a copy"
        );
        let merges = file.merges.expect("merges");
        let pair = |m: &Option<(Cow<str>, Cow<str>)>| {
            m.as_ref().map(|(a, b)| (a.to_string(), b.to_string()))
        };
        let ab = Some(("a".to_string(), "b".to_string()));
        let got: Vec<_> = merges.iter().map(pair).collect();
        assert_eq!(got, [ab.clone(), ab, None, None, None]);
        assert_eq!(file.rest["model"]["type"], "BPE");
        assert!(file.rest["model"].get("vocab").is_none());
        assert_eq!(file.rest["version"], "1.0");
        assert!(file.rest["added_tokens"].is_array());
    }

    #[test]
    fn a_unigram_vocabulary_is_not_a_bpe_vocabulary() {
        let text = r#"{"model": {"type": "Unigram", "vocab": [["a", -1.5], ["b", -2.0]]}}"#;
        let file = parse(text.as_bytes()).expect("parse");
        assert!(file.vocab.is_none() && file.merges.is_none());
        assert_eq!(file.rest["model"]["type"], "Unigram");
    }

    #[test]
    fn broken_json_is_an_error() {
        assert!(parse(br#"{"model": {"vocab": {"a": 0,}}}"#).is_err());
        assert!(parse(br#"{"model": {"vocab": {"a": -1}}}"#).is_err());
        assert!(parse(br#"{"model": {}} trailing"#).is_err());
    }
}
