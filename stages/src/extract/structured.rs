//! The page's own structured data: JSON-LD (`<script type="application/ld+json">`) types and
//! texts.
//!
//! Design decision: parse each script with `serde_json` once and walk the values (`@graph`,
//! arrays, nested objects such as `mainEntity`); a script that is not valid JSON still gives
//! its `"@type"` names by a plain scan, so broken markup keeps its type signal.

use serde_json::Value;

use super::dom::Dom;

/// What the JSON-LD of a page says.
#[derive(Debug, Default, Clone)]
pub struct LinkedData {
    /// Every `@type` named anywhere, in order of appearance (no repeats).
    pub types: Vec<String>,
    /// `articleBody` / `text` of an article, post, question or answer, longest first.
    pub bodies: Vec<String>,
    /// `description` of a `Product` (or `ProductGroup`).
    pub product_description: Option<String>,
    /// Offers listed under one product (`AggregateOffer.offerCount`, or `offers` entries).
    pub offer_count: usize,
}

impl LinkedData {
    /// Does any `@type` equal one of `names`?
    pub fn has(&self, names: &[&str]) -> bool {
        self.types.iter().any(|t| names.contains(&t.as_str()))
    }
}

/// Read the JSON-LD scripts of `dom`.
pub fn linked_data(dom: &Dom) -> LinkedData {
    let mut out = LinkedData::default();
    for script in &dom.signals.ld_json {
        match serde_json::from_str::<Value>(script.trim()) {
            Ok(v) => walk(&v, &mut out, 0),
            Err(_) => scan_types(script, &mut out),
        }
    }
    out.bodies.sort_by_key(|b| std::cmp::Reverse(b.len()));
    out
}

fn push_type(out: &mut LinkedData, t: &str) {
    let t = t.rsplit('/').next().unwrap_or(t).trim();
    if !t.is_empty() && !out.types.iter().any(|x| x == t) && out.types.len() < 64 {
        out.types.push(t.to_string());
    }
}

fn types_of(v: &Value) -> Vec<&str> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn walk(v: &Value, out: &mut LinkedData, depth: u32) {
    if depth > 12 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| walk(x, out, depth + 1)),
        Value::Object(o) => {
            let types = types_of(v);
            for t in &types {
                push_type(out, t);
            }
            let is = |names: &[&str]| types.iter().any(|t| names.contains(t));
            if is(&["Product", "ProductGroup"]) {
                if let Some(d) = o.get("description").and_then(Value::as_str) {
                    if out
                        .product_description
                        .as_ref()
                        .is_none_or(|p| p.len() < d.len())
                    {
                        out.product_description = Some(d.to_string());
                    }
                }
                match o.get("offers") {
                    Some(Value::Array(a)) => out.offer_count = out.offer_count.max(a.len()),
                    Some(offer @ Value::Object(_)) => {
                        let n = offer
                            .get("offerCount")
                            .and_then(|c| c.as_u64().or_else(|| c.as_str()?.parse().ok()))
                            .unwrap_or(1);
                        out.offer_count = out.offer_count.max(n as usize);
                    }
                    _ => {}
                }
            }
            for key in ["articleBody", "text"] {
                if let Some(b) = o.get(key).and_then(Value::as_str) {
                    if b.len() > 200 && out.bodies.len() < 256 {
                        out.bodies.push(b.to_string());
                    }
                }
            }
            for (k, x) in o {
                if matches!(x, Value::Object(_) | Value::Array(_)) && k != "@context" {
                    walk(x, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// `"@type": "X"` and `"@type": ["X", "Y"]` found by scanning text that is not valid JSON.
fn scan_types(s: &str, out: &mut LinkedData) {
    let mut rest = s;
    while let Some(i) = rest.find("\"@type\"") {
        rest = &rest[i + 7..];
        let after = rest
            .trim_start()
            .strip_prefix(':')
            .unwrap_or("")
            .trim_start();
        let list = if let Some(a) = after.strip_prefix('[') {
            a.split(']').next().unwrap_or("")
        } else {
            after
        };
        for part in list.split(',') {
            let part = part.trim();
            if let Some(q) = part.strip_prefix('"') {
                if let Some(end) = q.find('"') {
                    push_type(out, &q[..end]);
                }
            }
            if !after.starts_with('[') {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(scripts: &[&str]) -> LinkedData {
        let html: String = scripts
            .iter()
            .map(|s| format!("<script type=\"application/ld+json\">{s}</script>"))
            .collect();
        linked_data(&Dom::parse(&html))
    }

    #[test]
    fn types_descriptions_and_bodies_from_graphs() {
        let d = ld(&[
            r#"{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},
               {"@type":["Product"],"name":"Mug","description":"A mug for tea.",
                "offers":{"@type":"Offer","price":"9"}}]}"#,
            r#"{"@type":"QAPage","mainEntity":{"@type":"Question","text":"How do I brew tea without a kettle when the power is out and the stove is electric? I have a camping stove and a pot but no kettle, and the pot is large."}}"#,
        ]);
        assert_eq!(
            d.types,
            ["WebPage", "Product", "Offer", "QAPage", "Question"]
        );
        assert_eq!(d.product_description.as_deref(), Some("A mug for tea."));
        assert_eq!(d.offer_count, 1);
        assert_eq!(d.bodies.len(), 0, "under 200 bytes is not a body");
    }

    #[test]
    fn broken_json_still_gives_types() {
        let d = ld(&[r#"{"@type": "NewsArticle", "headline": "x",, }"#]);
        assert_eq!(d.types, ["NewsArticle"]);
        let d = ld(&[r#"{"@type": ["BlogPosting", "Article"], oops}"#]);
        assert_eq!(d.types, ["BlogPosting", "Article"]);
    }
}
