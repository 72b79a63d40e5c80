//! The column layouts a run can write: seapile's own (the default) and FineWeb-2's.
//!
//! Design decision: a schema is a list of [`Column`]s, each with a type and a function from a
//! document to its value ([`Cell`]), so the Parquet and JSON Lines writers, the Hugging Face
//! `dataset_info` features on the card and the per-row size estimate all come from one table
//! and cannot disagree.
//!
//! - [`Schema::Seapile`]: `id, url, date, text, title, lang, lang_score, lang_rule, tokens,
//!   source, meta` (`meta`: every provenance string as one JSON object);
//! - [`Schema::Fineweb`]: FineWeb-2's names — `text, id, dump, url, date, file_path,
//!   language, language_score, language_script, minhash_cluster_size, top_langs` — plus
//!   `metadata`, a struct (datatrove keeps metadata as a dict): `token_count, title, source,
//!   lang_rule, lang_share, extract_page_type, charset, warc_record_id`, and `extra` (the
//!   rest of the provenance as a JSON object string).
//!
//! Rejected documents add `stage` and `reason` in both.

use std::collections::BTreeMap;

use pipeline::Doc;
use serde::{Deserialize, Serialize};

/// Which column layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Schema {
    /// seapile's columns (the default).
    #[default]
    Seapile,
    /// FineWeb-2's column names and a `metadata` struct.
    Fineweb,
}

/// A column's type on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Str,
    /// A JSON object: a string in Parquet, a nested object in JSON Lines.
    Json,
    F32,
    F64,
    I32,
    I64,
    Struct(&'static [Column]),
}

/// One column: name, type, and whether it may be null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
}

const fn col(name: &'static str, ty: ColumnType, nullable: bool) -> Column {
    Column { name, ty, nullable }
}

use ColumnType::{Json, Str, Struct, F32, F64, I32, I64};

const SEAPILE: &[Column] = &[
    col("id", Str, false),
    col("url", Str, true),
    col("date", Str, true),
    col("text", Str, false),
    col("title", Str, true),
    col("lang", Str, true),
    col("lang_score", F32, true),
    col("lang_rule", Str, true),
    col("tokens", I32, true),
    col("source", Str, false),
    col("meta", Json, false),
];

const FINEWEB_METADATA: &[Column] = &[
    col("token_count", I64, true),
    col("title", Str, true),
    col("source", Str, true),
    col("lang_rule", Str, true),
    col("lang_share", F64, true),
    col("extract_page_type", Str, true),
    col("charset", Str, true),
    col("warc_record_id", Str, true),
    col("extra", Str, true),
];

const FINEWEB: &[Column] = &[
    col("text", Str, false),
    col("id", Str, false),
    col("dump", Str, true),
    col("url", Str, true),
    col("date", Str, true),
    col("file_path", Str, true),
    col("language", Str, true),
    col("language_score", F64, true),
    col("language_script", Str, true),
    col("minhash_cluster_size", I64, true),
    col("top_langs", Str, true),
    col("metadata", Struct(FINEWEB_METADATA), false),
];

const DROP: &[Column] = &[col("stage", Str, false), col("reason", Str, false)];

/// `meta` keys that seapile's own columns or FineWeb's top-level/`metadata` columns hold.
const FINEWEB_META_KEYS: &[&str] = &[
    "dump",
    "file_path",
    "lang_script",
    "lang_rule",
    "lang_model",
    "lang_share",
    "extract_page_type",
    "charset",
    "warc_record_id",
];

/// The `meta` key holding the crawl (`CC-MAIN-2024-10`) a document came from.
pub const DUMP_KEY: &str = "dump";
/// The `meta` key holding the input file (a URL, or a local file's name).
pub const FILE_PATH_KEY: &str = "file_path";

impl Schema {
    /// The columns, in order; `rejected` adds `stage` and `reason`.
    pub fn columns(self, rejected: bool) -> Vec<Column> {
        let base = match self {
            Schema::Seapile => SEAPILE,
            Schema::Fineweb => FINEWEB,
        };
        let mut cols = base.to_vec();
        if rejected {
            cols.extend_from_slice(DROP);
        }
        cols
    }

    /// `seapile` or `fineweb`.
    pub fn name(self) -> &'static str {
        match self {
            Schema::Seapile => "seapile",
            Schema::Fineweb => "fineweb",
        }
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Str(Option<std::borrow::Cow<'a, str>>),
    /// A JSON object as text (already serialised).
    Json(String),
    F32(Option<f32>),
    F64(Option<f64>),
    I32(Option<i32>),
    I64(Option<i64>),
    Struct(Vec<Cell<'a>>),
}

impl Cell<'_> {
    /// Bytes this value takes in an Arrow table (strings: bytes + a 4-byte offset), the
    /// measure Hugging Face `datasets` reports as `num_bytes`.
    pub fn arrow_bytes(&self) -> u64 {
        match self {
            Cell::Str(s) => 4 + s.as_ref().map_or(0, |s| s.len() as u64),
            Cell::Json(s) => 4 + s.len() as u64,
            Cell::F32(_) | Cell::I32(_) => 4,
            Cell::F64(_) | Cell::I64(_) => 8,
            Cell::Struct(cells) => cells.iter().map(Cell::arrow_bytes).sum(),
        }
    }
}

/// What a row writer needs besides the document: its drop stage and reason (rejected rows)
/// and its token count as `int32`.
pub(crate) struct RowValues<'a> {
    pub doc: &'a Doc,
    pub tokens: Option<i32>,
    pub drop: Option<(&'a str, &'a str)>,
    /// `meta` without the keys that became the `stage`/`reason` columns.
    pub meta: BTreeMap<&'a str, &'a str>,
}

fn json_object(map: &BTreeMap<&str, &str>) -> String {
    // A map of strings always serialises.
    serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string())
}

fn s<'a>(v: Option<&'a str>) -> Cell<'a> {
    Cell::Str(v.map(std::borrow::Cow::Borrowed))
}

impl<'a> RowValues<'a> {
    fn meta_str(&self, key: &str) -> Option<&'a str> {
        self.meta.get(key).copied().filter(|v| !v.is_empty())
    }

    fn meta_f64(&self, key: &str) -> Option<f64> {
        self.meta_str(key)
            .and_then(|v| v.parse().ok())
            .or_else(|| self.doc.attrs.get(key).copied())
    }

    /// The row's cells for `schema`, in column order.
    pub fn cells(&self, schema: Schema) -> Vec<Cell<'a>> {
        let d = self.doc;
        let mut out = match schema {
            Schema::Seapile => vec![
                s(Some(&d.id)),
                s(d.url.as_deref()),
                s(d.date.as_deref()),
                s(Some(&d.text)),
                s(d.title.as_deref()),
                s(d.lang.as_deref()),
                Cell::F32(d.lang_score),
                s(self.meta_str("lang_rule")),
                Cell::I32(self.tokens),
                s(Some(&d.source)),
                Cell::Json(json_object(&self.meta)),
            ],
            Schema::Fineweb => {
                let extra: BTreeMap<&str, &str> = self
                    .meta
                    .iter()
                    .filter(|(k, _)| !FINEWEB_META_KEYS.contains(k))
                    .map(|(k, v)| (*k, *v))
                    .collect();
                let cluster = d
                    .attrs
                    .get("minhash_cluster_size")
                    .map(|&v| v as i64)
                    .or_else(|| self.meta_str("cluster_size").and_then(|v| v.parse().ok()));
                vec![
                    s(Some(&d.text)),
                    s(Some(&d.id)),
                    s(self.meta_str(DUMP_KEY)),
                    s(d.url.as_deref()),
                    s(d.date.as_deref()),
                    s(self.meta_str(FILE_PATH_KEY).or(Some(d.source.as_str()))),
                    s(d.lang.as_deref()),
                    Cell::F64(d.lang_score.map(f64::from)),
                    s(self.meta_str("lang_script")),
                    Cell::I64(cluster),
                    Cell::Str(self.top_langs().map(std::borrow::Cow::Owned)),
                    Cell::Struct(vec![
                        Cell::I64(self.tokens.map(i64::from)),
                        s(d.title.as_deref()),
                        s(Some(&d.source)),
                        s(self.meta_str("lang_rule")),
                        Cell::F64(self.meta_f64("lang_share")),
                        s(self.meta_str("extract_page_type")),
                        s(self.meta_str("charset")),
                        s(self.meta_str("warc_record_id")),
                        Cell::Str(Some(std::borrow::Cow::Owned(json_object(&extra)))),
                    ]),
                ]
            }
        };
        if let Some((stage, reason)) = self.drop {
            out.push(s(Some(stage)));
            out.push(s(Some(reason)));
        }
        out
    }

    /// FineWeb-2's `top_langs`: `{"<lang>_<script>_score": p, ...}` for the chosen language
    /// and, when the model's own label differs, the model's.
    fn top_langs(&self) -> Option<String> {
        let d = self.doc;
        let lang = d.lang.as_deref()?;
        let script = self.meta_str("lang_script").unwrap_or("Zyyy");
        let mut map = serde_json::Map::new();
        if let Some(score) = d.lang_score {
            map.insert(
                format!("{lang}_{script}_score"),
                serde_json::json!(round4(f64::from(score))),
            );
        }
        if let (Some(model), Some(p)) = (
            self.meta_str("lang_model"),
            d.attrs.get("lang_model_score").copied(),
        ) {
            if model != lang && model != "und" {
                map.insert(
                    format!("{model}_{script}_score"),
                    serde_json::json!(round4(p)),
                );
            }
        }
        Some(serde_json::Value::Object(map).to_string())
    }
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// The Hugging Face `datasets` feature type of a column (`string`, `float32`, ...).
pub fn hf_dtype(ty: ColumnType) -> Option<&'static str> {
    Some(match ty {
        Str | Json => "string",
        F32 => "float32",
        F64 => "float64",
        I32 => "int32",
        I64 => "int64",
        Struct(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(doc: &Doc) -> RowValues<'_> {
        RowValues {
            doc,
            tokens: doc.tokens.map(|t| t as i32),
            drop: None,
            meta: doc
                .meta
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        }
    }

    #[test]
    fn every_cell_matches_its_column() {
        let mut doc = Doc::from_text("d", "x.warc.gz", "teks");
        doc.lang = Some("ind".into());
        doc.lang_score = Some(0.9);
        doc.tokens = Some(3);
        doc.meta.insert("lang_script".into(), "Latn".into());
        doc.meta.insert("dump".into(), "CC-MAIN-2024-10".into());
        doc.meta.insert("charset".into(), "utf-8".into());
        doc.meta.insert("http_status".into(), "200".into());
        for schema in [Schema::Seapile, Schema::Fineweb] {
            let cells = row(&doc).cells(schema);
            let cols = schema.columns(false);
            assert_eq!(cells.len(), cols.len(), "{schema:?}");
            for (c, col) in cells.iter().zip(&cols) {
                let ok = matches!(
                    (c, col.ty),
                    (Cell::Str(_), Str)
                        | (Cell::Json(_), Json)
                        | (Cell::F32(_), F32)
                        | (Cell::F64(_), F64)
                        | (Cell::I32(_), I32)
                        | (Cell::I64(_), I64)
                        | (Cell::Struct(_), Struct(_))
                );
                assert!(ok, "{schema:?} {}: {c:?}", col.name);
            }
        }
        let fw = row(&doc).cells(Schema::Fineweb);
        assert_eq!(fw[2], Cell::Str(Some("CC-MAIN-2024-10".into())));
        assert_eq!(
            fw[10],
            Cell::Str(Some(r#"{"ind_Latn_score":0.9}"#.into())),
            "top_langs"
        );
        let Cell::Struct(meta) = &fw[11] else {
            panic!("metadata is a struct")
        };
        assert_eq!(meta[0], Cell::I64(Some(3)));
        assert_eq!(
            meta[8],
            Cell::Str(Some(r#"{"http_status":"200"}"#.into())),
            "what no column holds stays in extra"
        );
    }
}
