//! Benchmark files as records of string fields, whatever their format: JSON Lines, JSON,
//! Parquet, CSV/TSV, plain text (each optionally `.gz`).
//!
//! Design decision: a record is a JSON value and a field is any string inside it, named by
//! its path (`prompts[0].question`), so nested schemas (SEA-HELM's `prompts` list,
//! Belebele's flat columns, Global-MMLU's options) need no per-benchmark code; which fields
//! count is decided later (`--fields`, length, repetition).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::DecontamError;

/// A JSON value that keeps object keys in file order (a question before its options), which
/// `serde_json::Value` does not without a workspace-wide feature.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Str(String),
    Num(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
    Other,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Str(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Num(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Num(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Num(v.to_string()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Node>()? {
                    items.push((k, v));
                }
                Ok(Node::Map(items))
            }
        }
        d.deserialize_any(V)
    }
}

impl From<Value> for Node {
    fn from(v: Value) -> Node {
        match v {
            Value::String(s) => Node::Str(s),
            Value::Number(n) => Node::Num(n.to_string()),
            Value::Array(a) => Node::List(a.into_iter().map(Node::from).collect()),
            Value::Object(m) => Node::Map(m.into_iter().map(|(k, v)| (k, v.into())).collect()),
            _ => Node::Other,
        }
    }
}

/// One record of a benchmark file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 0-based position in the file.
    pub index: u64,
    /// The record's own id, when it has one (`id`, `sample_id`, `uid`, ... at the top or one
    /// level down).
    pub id: Option<String>,
    /// `(path, text)` of every string field, in document order.
    pub fields: Vec<(String, String)>,
}

/// The formats read, chosen by extension (after a `.gz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Jsonl,
    Json,
    Parquet,
    Csv,
    Tsv,
    Text,
}

impl FileFormat {
    /// `.jsonl`/`.ndjson`, `.json`, `.parquet`, `.csv`, `.tsv`; anything else is plain text
    /// (one record per non-blank line).
    pub fn of(path: &Path) -> FileFormat {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        match name.rsplit_once('.').map(|(_, e)| e) {
            Some("jsonl" | "ndjson") => FileFormat::Jsonl,
            Some("json") => FileFormat::Json,
            Some("parquet") => FileFormat::Parquet,
            Some("csv") => FileFormat::Csv,
            Some("tsv") => FileFormat::Tsv,
            _ => FileFormat::Text,
        }
    }
}

/// The files under `paths`: files as given, folders walked (sorted, recursively), skipping
/// hidden files and the `LICENSE`/`README`/`COMMIT` files a dataset folder carries.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DecontamError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(DecontamError::NoSuchInput(p.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DecontamError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(DecontamError::io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.split('.').next().unwrap_or("").to_uppercase();
        if name.starts_with('.') || matches!(stem.as_str(), "LICENSE" | "README" | "COMMIT") {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn open(path: &Path) -> Result<Box<dyn Read>, DecontamError> {
    let file = std::fs::File::open(path).map_err(DecontamError::io(path))?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Call `each` with every record of the benchmark file `path`.
pub fn for_each_record(
    path: &Path,
    mut each: impl FnMut(Record) -> Result<(), DecontamError>,
) -> Result<(), DecontamError> {
    let bad = |message: String| DecontamError::Benchmark {
        path: path.to_path_buf(),
        message,
    };
    let mut index = 0u64;
    let mut emit = |value: Node| -> Result<(), DecontamError> {
        let record = record_of(index, &value);
        index += 1;
        each(record)
    };
    match FileFormat::of(path) {
        FileFormat::Jsonl => {
            let reader = BufReader::new(open(path)?);
            for (n, line) in reader.lines().enumerate() {
                let line = line.map_err(DecontamError::io(path))?;
                if line.trim().is_empty() {
                    continue;
                }
                let value: Node = serde_json::from_str(&line).map_err(|e| {
                    let shown: String = line.chars().take(80).collect();
                    bad(format!("line {}: {e}: \"{shown}\"", n + 1))
                })?;
                emit(value)?;
            }
        }
        FileFormat::Json => {
            let value: Node = serde_json::from_reader(BufReader::new(open(path)?))
                .map_err(|e| bad(format!("not JSON: {e}")))?;
            for v in json_records(value) {
                emit(v)?;
            }
        }
        FileFormat::Parquet => {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
            {
                return Err(bad("a gzipped Parquet file: unpack it first".into()));
            }
            docs_io::for_each_row(path, None, |row| {
                let pairs = row.to_json().into_iter().map(|(k, v)| (k, v.into()));
                emit(Node::Map(pairs.collect()))
            })?;
        }
        FileFormat::Csv | FileFormat::Tsv => {
            let delimiter = if FileFormat::of(path) == FileFormat::Csv {
                b','
            } else {
                b'\t'
            };
            let mut text = String::new();
            open(path)?
                .read_to_string(&mut text)
                .map_err(|e| bad(format!("not UTF-8 text: {e}")))?;
            let mut rows = delimited(&text, delimiter as char).into_iter();
            let header = rows
                .next()
                .ok_or_else(|| bad("empty: a header line is needed".into()))?;
            for row in rows {
                let pairs = header
                    .iter()
                    .zip(row)
                    .map(|(k, v)| (k.clone(), Node::Str(v)));
                emit(Node::Map(pairs.collect()))?;
            }
        }
        FileFormat::Text => {
            let reader = BufReader::new(open(path)?);
            for line in reader.lines() {
                let line = line.map_err(|e| bad(format!("not UTF-8 text: {e}")))?;
                if !line.trim().is_empty() {
                    emit(Node::Map(vec![("text".to_string(), Node::Str(line))]))?;
                }
            }
        }
    }
    Ok(())
}

/// The records of a JSON document: the elements of a top-level array, else of the longest
/// array of objects under a top-level object (`{"data": [{...}, ...]}`), else the value
/// itself.
fn json_records(value: Node) -> Vec<Node> {
    match value {
        Node::List(items) => items,
        Node::Map(map) => {
            let longest = map
                .iter()
                .enumerate()
                .filter_map(|(i, (_, v))| match v {
                    Node::List(a) if a.iter().all(|x| matches!(x, Node::Map(_))) => {
                        Some((a.len(), i))
                    }
                    _ => None,
                })
                .max_by_key(|&(n, i)| (n, std::cmp::Reverse(i)));
            match longest {
                Some((n, i)) if n > 1 => {
                    let mut map = map;
                    match map.swap_remove(i).1 {
                        Node::List(items) => items,
                        _ => Vec::new(),
                    }
                }
                _ => vec![Node::Map(map)],
            }
        }
        other => vec![other],
    }
}

const ID_KEYS: [&str; 7] = ["id", "sample_id", "uid", "idx", "qid", "question_id", "_id"];

fn record_of(index: u64, value: &Node) -> Record {
    let mut fields = Vec::new();
    strings(value, &mut String::new(), &mut fields);
    Record {
        index,
        id: record_id(value),
        fields,
    }
}

fn scalar_id(v: &Node) -> Option<String> {
    match v {
        Node::Str(s) if !s.is_empty() => Some(s.clone()),
        Node::Num(n) => Some(n.clone()),
        _ => None,
    }
}

fn id_in(map: &[(String, Node)]) -> Option<String> {
    ID_KEYS.iter().find_map(|k| {
        map.iter()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| scalar_id(v))
    })
}

fn record_id(value: &Node) -> Option<String> {
    let Node::Map(map) = value else { return None };
    id_in(map).or_else(|| {
        map.iter().find_map(|(_, v)| match v {
            Node::Map(m) => id_in(m),
            _ => None,
        })
    })
}

fn strings(value: &Node, path: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Node::Str(s) => out.push((path.clone(), s.clone())),
        Node::List(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                strings(v, path, out);
                path.truncate(len);
            }
        }
        Node::Map(map) => {
            for (k, v) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                strings(v, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Whether a field is an identifier, not text: its key is an id key (`id`, `sample_id`, ...)
/// or its value is one token of at least 10 ASCII letters, digits and `_-/.:`, with a
/// letter, a digit and one of `_-/` in it (`astronomy/test/58`, `c3-d-test-56-75-1`; not
/// `F-16` or `COVID-19`). Identifiers are never items, and left out of a record read as one
/// text (a web copy does not carry them).
pub fn is_identifier(path: &str, text: &str) -> bool {
    let key = path.rsplit('.').next().unwrap_or(path);
    let key = key.split('[').next().unwrap_or(key);
    if ID_KEYS.contains(&key) {
        return true;
    }
    let t = text.trim();
    t.len() >= 10
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | ':'))
        && t.chars().any(|c| c.is_ascii_alphabetic())
        && t.chars().any(|c| c.is_ascii_digit())
        && t.contains(['_', '-', '/'])
}

/// Whether the field at `path` is one of `names`: any key along the path (without list
/// positions) equal to a name, so `question` selects `prompts[0].question` and `choices`
/// selects every string under `choices`.
pub fn selected(path: &str, names: &[String]) -> bool {
    names.is_empty()
        || path
            .split('.')
            .map(|k| k.split('[').next().unwrap_or(k))
            .any(|k| names.iter().any(|n| n == k))
}

/// Rows of CSV (RFC 4180 quoting: `"a, b"`, `""` inside quotes, line breaks inside quotes) or
/// TSV (the same quoting, tab-separated).
fn delimited(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            c if c == delimiter => row.push(std::mem::take(&mut cell)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                if !(row.len() == 1 && row[0].is_empty()) {
                    rows.push(std::mem::take(&mut row));
                }
                row.clear();
                any = false;
            }
            _ => cell.push(c),
        }
    }
    if any {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_strings_have_paths_and_records_ids() {
        let v: Node = serde_json::from_str(
            r#"{"metadata": {"sample_id": "astronomy/test/58"}, "prompts": [{"question": "Q?", "option_a": "A"}], "label": "C", "n": 3}"#,
        )
        .unwrap();
        let r = record_of(4, &v);
        assert_eq!(r.id.as_deref(), Some("astronomy/test/58"));
        let paths: Vec<&str> = r.fields.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "metadata.sample_id",
                "prompts[0].question",
                "prompts[0].option_a",
                "label"
            ]
        );
        assert!(selected("prompts[0].question", &["question".into()]));
        assert!(selected("choices[2]", &["choices".into()]));
        assert!(!selected("prompts[0].option_a", &["question".into()]));
        assert!(is_identifier("metadata.sample_id", "astronomy/test/58"));
        assert!(is_identifier("key", "c3-d-test-56-75-1"));
        assert!(is_identifier("id", "anything at all"));
        assert!(!is_identifier("question", "1 + 1 = ?"));
        assert!(!is_identifier("option_a", "F-16"));
        assert!(!is_identifier("option_b", "COVID-19"));
        assert!(!is_identifier("option_c", "3.5"));
        assert!(is_identifier("x", "myparaphrase_0378"));
    }

    #[test]
    fn csv_quotes_commas_and_line_breaks() {
        let rows = delimited("q,a\n\"x, \"\"y\"\"\nz\",2\r\nlast,3", ',');
        assert_eq!(
            rows,
            [
                vec!["q".to_string(), "a".into()],
                vec!["x, \"y\"\nz".into(), "2".into()],
                vec!["last".into(), "3".into()]
            ]
        );
    }

    #[test]
    fn json_finds_the_record_list() {
        let v: Node =
            serde_json::from_str(r#"{"version": 1, "data": [{"q": "a"}, {"q": "b"}]}"#).unwrap();
        assert_eq!(json_records(v).len(), 2);
    }
}
