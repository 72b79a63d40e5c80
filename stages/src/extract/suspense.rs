//! React's streamed HTML (Suspense, `renderToPipeableStream`; Next.js's app router) put back
//! together before parsing.
//!
//! Such a page first sends its shell, with a `<template id="B:0"></template>` and a fallback
//! ("Loading…") where each suspended part goes, then each part as a hidden segment at the
//! end of the body, `<div hidden id="S:0">…</div>`, and a script (`$RC("B:0","S:0")`) that
//! moves the segment into its place; a segment can itself hold `<template id="P:…">`
//! placeholders for later segments (`$RS("S:…","P:…")`). A crawler runs no script, so the
//! article sits hidden below the footer while its place holds "Loading paragraph...".
//!
//! Design decision: do what the scripts do, on the source, before the tree is built: each
//! segment replaces its boundary's template and fallback (up to the boundary's closing
//! `<!--/$-->`, when the page kept React's comments) or its placeholder, recursively, and
//! leaves the end of the body. Pairs come from the `$RC`/`$RS` calls when the page kept its
//! scripts, else by id (`B:x`, `P:x` ↔ `S:x`, as React numbers them). A segment with no place
//! stays where it was (hidden). Pages without segments are not copied.

use std::collections::HashMap;

use memchr::memmem;

/// Segments nested deeper than this are left as they are (a bound against cycles).
const MAX_DEPTH: usize = 16;

/// `html` with its streamed segments moved into place, or `None` when it has none.
pub(super) fn splice(html: &str) -> Option<String> {
    memmem::find(html.as_bytes(), b"hidden id=\"S:")?;
    let mut segments: HashMap<&str, &str> = HashMap::new();
    // The segments' ids in document order: those that find no place go back in it.
    let mut order: Vec<&str> = Vec::new();
    let mut shell = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<div hidden id=\"S:") {
        let after_id = &rest[at + "<div hidden id=\"".len()..];
        let Some(quote) = after_id.find('"') else {
            break;
        };
        let id = &after_id[..quote];
        let Some(open_end) = after_id[quote..].find('>') else {
            break;
        };
        let inner_start = at + "<div hidden id=\"".len() + quote + open_end + 1;
        let Some((inner_end, close_end)) = matching_div_end(rest, inner_start) else {
            break;
        };
        shell.push_str(&rest[..at]);
        if segments.insert(id, &rest[inner_start..inner_end]).is_none() {
            order.push(id);
        }
        rest = &rest[close_end..];
    }
    shell.push_str(rest);
    if segments.is_empty() {
        return None;
    }
    let pairs = script_pairs(html);
    let mut used = Vec::new();
    let mut out = String::with_capacity(html.len());
    fill(&shell, &segments, &pairs, 0, &mut used, &mut out);
    // Segments that found no place go back, hidden, as they were, in their order (not the
    // hash map's, which differs from one run of the program to the next).
    for id in &order {
        if !used.contains(id) {
            let inner = segments[id];
            out.push_str("<div hidden id=\"");
            out.push_str(id);
            out.push_str("\">");
            out.push_str(inner);
            out.push_str("</div>");
        }
    }
    Some(out)
}

/// The byte offsets of the `</div>` that closes a `<div>` whose content starts at `from`:
/// (start of `</div>`, end of it).
fn matching_div_end(html: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = html.as_bytes();
    let mut depth = 1usize;
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + off;
        let tail = &bytes[at..];
        if tail.len() >= 6 && tail[1..5].eq_ignore_ascii_case(b"/div") && !is_name(tail[5]) {
            depth -= 1;
            if depth == 0 {
                let end = memchr::memchr(b'>', tail).map_or(bytes.len(), |e| at + e + 1);
                return Some((at, end));
            }
        } else if tail.len() >= 5 && tail[1..4].eq_ignore_ascii_case(b"div") && !is_name(tail[4]) {
            depth += 1;
        }
        i = at + 1;
    }
    None
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Boundary or placeholder id → segment id, from the page's `$RC("B:x","S:y")` and
/// `$RS("S:y","P:x")` calls.
fn script_pairs(html: &str) -> HashMap<String, String> {
    let mut pairs = HashMap::new();
    for (call, swap) in [("$RC(\"", false), ("$RS(\"", true)] {
        for at in memmem::find_iter(html.as_bytes(), call.as_bytes()) {
            let args = &html[at + call.len()..];
            let Some(end) = args.find("\")") else {
                continue;
            };
            let Some((a, b)) = args[..end].split_once("\",\"") else {
                continue;
            };
            let (place, segment) = if swap { (b, a) } else { (a, b) };
            pairs.insert(place.to_string(), segment.to_string());
        }
    }
    pairs
}

/// `html` with every `<template id="B:…">`/`<template id="P:…">` that has a segment replaced
/// by it (and, for a boundary, its fallback up to the boundary's `<!--/$-->`), into `out`.
fn fill<'a>(
    html: &str,
    segments: &HashMap<&'a str, &'a str>,
    pairs: &HashMap<String, String>,
    depth: usize,
    used: &mut Vec<&'a str>,
    out: &mut String,
) {
    const OPEN: &str = "<template id=\"";
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let place = after.find('"').map(|q| &after[..q]);
        let close = after.find("</template>");
        let (Some(place), Some(close)) = (place, close) else {
            break;
        };
        let template_end = at + OPEN.len() + close + "</template>".len();
        let segment_id = pairs.get(place).map_or_else(
            || place.get(2..).map(|n| format!("S:{n}")),
            |s| Some(s.clone()),
        );
        let found = segment_id
            .as_deref()
            .and_then(|s| segments.get_key_value(s))
            .filter(|(id, _)| depth < MAX_DEPTH && !used.contains(id));
        let boundary = place.starts_with("B:");
        let Some((&id, &inner)) = found.filter(|_| boundary || place.starts_with("P:")) else {
            out.push_str(&rest[..template_end]);
            rest = &rest[template_end..];
            continue;
        };
        used.push(id);
        out.push_str(&rest[..at]);
        fill(inner, segments, pairs, depth + 1, used, out);
        rest = &rest[template_end..];
        if boundary {
            if let Some(end) = fallback_end(rest) {
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
}

/// Where a boundary's fallback ends: just before its `<!--/$-->` (nested boundaries
/// skipped), or `None` when the page has no such comment (it dropped React's markers).
fn fallback_end(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = rest[i..].find("<!--") {
        let at = i + off;
        let tail = &rest[at..];
        if tail.starts_with("<!--/$-->") {
            if depth == 0 {
                return Some(at);
            }
            depth -= 1;
        } else if tail.starts_with("<!--$") {
            depth += 1;
        }
        i = at + 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_replace_their_boundaries_and_placeholders() {
        let html = "<main><!--$?--><template id=\"B:0\"></template><div>Loading...</div><!--/$-->\
                    <p>shell</p></main><footer>f</footer>\
                    <div hidden id=\"S:0\"><div><p>First</p><template id=\"P:2\"></template></div></div>\
                    <script>$RC(\"B:0\",\"S:0\")</script>\
                    <div hidden id=\"S:2\"><p>Second</p></div>";
        let out = splice(html).unwrap();
        assert_eq!(
            out,
            "<main><!--$?--><div><p>First</p><p>Second</p></div><!--/$-->\
             <p>shell</p></main><footer>f</footer>\
             <script>$RC(\"B:0\",\"S:0\")</script>"
        );
    }

    #[test]
    fn pairs_come_from_the_scripts_and_unplaced_segments_stay_hidden() {
        let html = "<template id=\"B:1\"></template>x<!--/$-->\
                    <div hidden id=\"S:7\"><p>Seven</p></div><div hidden id=\"S:9\"><p>Nine</p></div>\
                    <script>$RC(\"B:1\",\"S:7\")</script>";
        let out = splice(html).unwrap();
        assert!(out.starts_with("<p>Seven</p><!--/$-->"), "{out}");
        assert!(
            out.contains("<div hidden id=\"S:9\"><p>Nine</p></div>"),
            "{out}"
        );
        assert!(!out.contains("id=\"S:7\""), "{out}");
    }

    #[test]
    fn unplaced_segments_go_back_in_document_order_every_time() {
        // Several segments that find no place: back in the order they came, on every call
        // (each call's hash map has new keys, so an order taken from it changed).
        let segs: String = (1..=6)
            .map(|i| format!("<div hidden id=\"S:{i}\"><p>Seg{i}</p></div>"))
            .collect();
        let html = format!("<p>shell</p>{segs}");
        for _ in 0..16 {
            let out = splice(&html).unwrap();
            assert_eq!(out, html, "{out}");
        }
    }

    #[test]
    fn without_react_comments_the_fallback_stays_and_pages_without_segments_are_untouched() {
        let html = "<template id=\"B:0\"></template><div>Loading paragraph...</div>\
                    <div hidden id=\"S:0\"><p>Text</p></div>";
        assert_eq!(
            splice(html).unwrap(),
            "<p>Text</p><div>Loading paragraph...</div>"
        );
        assert_eq!(splice("<p>no segments</p>"), None);
        // A segment whose `</div>` never comes is left alone.
        assert!(splice("<div hidden id=\"S:0\"><p>cut").is_none());
    }
}
