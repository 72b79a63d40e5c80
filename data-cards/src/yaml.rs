//! The YAML seapile writes: the front matter of every card ([`FrontMatter`]) and job
//! manifests ([`to_yaml`], for `seapile k8s`). One quoting rule for all of it: a value that
//! YAML could read as anything but the string it is — a boolean or null word, a number, a
//! flow or comment character — is double-quoted and escaped.

/// Words YAML 1.1 (which the Hub's parser and PyYAML accept) reads as booleans or null.
const RESERVED: [&str; 26] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
];

/// Whether YAML reads `word` as a boolean or null.
pub fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

/// A YAML scalar for `s`: plain when it is unambiguously a string (starts with a letter, only
/// word characters and `.-/_<>+`, not a boolean/null word), double-quoted and escaped
/// otherwise.
pub fn yaml_str(s: &str) -> String {
    let safe_char = |c: char| c.is_ascii_alphanumeric() || ".-/_<>+".contains(c);
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(safe_char)
        && !is_reserved(s);
    if plain {
        s.to_string()
    } else {
        yaml_quoted(s)
    }
}

/// `s` as a double-quoted YAML scalar.
pub fn yaml_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A card's `---`-delimited front matter, written key by key in the order given. Values go
/// through [`yaml_str`]; `raw` variants take text the caller knows is plain YAML.
#[derive(Debug, Clone)]
pub struct FrontMatter(String);

impl Default for FrontMatter {
    fn default() -> Self {
        FrontMatter("---\n".to_string())
    }
}

impl FrontMatter {
    pub fn new() -> Self {
        Self::default()
    }

    /// `key: value`.
    pub fn scalar(self, key: &str, value: &str) -> Self {
        self.raw(key, &yaml_str(value))
    }

    /// `key: value`, `value` written as it is.
    pub fn raw(mut self, key: &str, value: &str) -> Self {
        self.0 += &format!("{key}: {value}\n");
        self
    }

    /// A block sequence `key:\n- a\n- b`, or `key: []` when empty.
    pub fn list<S: AsRef<str>>(self, key: &str, items: &[S]) -> Self {
        let items: Vec<String> = items.iter().map(|i| yaml_str(i.as_ref())).collect();
        self.raw_list(key, &items)
    }

    /// [`FrontMatter::list`] with items written as they are.
    pub fn raw_list<S: AsRef<str>>(mut self, key: &str, items: &[S]) -> Self {
        if items.is_empty() {
            self.0 += &format!("{key}: []\n");
            return self;
        }
        self.0 += &format!("{key}:\n");
        for item in items {
            self.0 += &format!("- {}\n", item.as_ref());
        }
        self
    }

    /// One `default` config whose train split is `path` (a glob relative to the card),
    /// written as it is.
    pub fn default_config(mut self, path: &str) -> Self {
        self.0 += "configs:\n- config_name: default\n  data_files:\n  - split: train\n";
        self.0 += &format!("    path: {path}\n");
        self
    }

    /// Text the caller wrote as YAML, appended as it is.
    pub(crate) fn block(mut self, yaml: &str) -> Self {
        self.0 += yaml;
        self
    }

    /// The front matter with its closing `---`.
    pub fn finish(self) -> String {
        self.0 + "---\n"
    }
}

/// Block-style YAML for a JSON value (a Kubernetes manifest); every string is a JSON (= YAML
/// double-quoted) scalar, so no value can be misread as another type.
pub fn to_yaml(v: &serde_json::Value) -> String {
    let mut out = String::new();
    block(v, 0, &mut out);
    out
}

fn scalar(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        other => other.to_string(),
    }
}

/// A plain key when it is an identifier YAML cannot read as anything else, else quoted.
fn key(k: &str) -> String {
    let plain = k.starts_with(|c: char| c.is_ascii_alphabetic())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !is_reserved(k)
        && !is_reserved(&k.to_ascii_lowercase());
    if plain {
        k.to_string()
    } else {
        yaml_quoted(k)
    }
}

fn is_block(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    matches!(v, Value::Array(a) if !a.is_empty()) || matches!(v, Value::Object(o) if !o.is_empty())
}

fn block(v: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = " ".repeat(indent);
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, val) in o {
                let k = key(k);
                if is_block(val) {
                    out.push_str(&format!("{pad}{k}:\n"));
                    block(val, indent + 2, out);
                } else {
                    out.push_str(&format!("{pad}{k}: {}\n", scalar(val)));
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                if is_block(item) {
                    out.push_str(&format!("{pad}-\n"));
                    block(item, indent + 2, out);
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_quotes_what_would_change_meaning() {
        assert_eq!(yaml_str("en"), "en");
        assert_eq!(yaml_str("n<1K"), "n<1K");
        assert_eq!(yaml_str("data/*.parquet"), "\"data/*.parquet\"");
        assert_eq!(yaml_str("no"), "\"no\"", "Norwegian must not become false");
        assert_eq!(yaml_str("1K<n<10K"), "\"1K<n<10K\"");
        assert_eq!(yaml_str(""), "\"\"");
        assert_eq!(yaml_str("a: b"), "\"a: b\"");
        assert_eq!(yaml_str("say \"hi\"\\\n"), r#""say \"hi\"\\\n""#);
        assert_eq!(yaml_str("bell\u{7}"), "\"bell\\u0007\"");
    }

    #[test]
    fn front_matter_in_the_order_given() {
        let y = FrontMatter::new()
            .scalar("pretty_name", "a: b")
            .list::<&str>("language", &[])
            .raw_list("size_categories", &["1K<n<10K"])
            .default_config("data/*.parquet")
            .finish();
        assert_eq!(
            y,
            "---\npretty_name: \"a: b\"\nlanguage: []\nsize_categories:\n- 1K<n<10K\n\
             configs:\n- config_name: default\n  data_files:\n  - split: train\n    \
             path: data/*.parquet\n---\n"
        );
    }

    #[test]
    fn manifest_keys_and_strings_cannot_be_misread() {
        let v = serde_json::json!({"on": "yes", "apiVersion": "batch/v1", "n": [1, "2"], "e": {}});
        assert_eq!(
            to_yaml(&v),
            "apiVersion: \"batch/v1\"\ne: {}\n\"n\":\n  - 1\n  - \"2\"\n\"on\": \"yes\"\n"
        );
    }
}
