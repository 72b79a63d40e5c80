//! The page around the charts: one HTML file with its style inline, no script, no external
//! resource, and a Content-Security-Policy that forbids both — so the report opens offline,
//! and text from crawled documents can be shown but never run. Every text from outside goes
//! through [`crate::svg::esc`]; document text is shown in `<pre>` with bidi and control
//! characters made visible.

use std::fmt::Write;

use crate::svg::esc;

/// The policy: nothing may load or run; inline styles and SVG are all the page uses.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = r#"
:root{--ink:#264653;--muted:#666;--line:#e3e3e3;--kept:#2a9d8f;--drop:#e76f51}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Myanmar",sans-serif;color:#222;background:#fafafa}
header{background:var(--ink);color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;opacity:.9}
nav{padding:8px 28px;background:#fff;border-bottom:1px solid var(--line);position:sticky;top:0}
nav a{margin-right:16px;color:var(--ink);text-decoration:none;font-weight:600}
main{padding:8px 28px 40px;max-width:1400px}
section{margin-top:22px}
h2{color:var(--ink);border-bottom:2px solid var(--line);padding-bottom:4px}
h3{color:var(--ink);margin:18px 0 6px}
.note{color:var(--muted);font-size:13px;max-width:900px}
.grid{display:flex;flex-wrap:wrap;gap:10px}
.chart{border:1px solid var(--line);border-radius:4px;background:#fff}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
details{background:#fff;border:1px solid var(--line);border-radius:4px;margin:8px 0;padding:4px 10px}
summary{cursor:pointer;font-weight:600;color:var(--ink)}
.doc{border-left:4px solid var(--kept);margin:10px 0;padding:4px 10px;background:#fcfcfc}
.doc.dropped{border-left-color:var(--drop)}
.doc .meta{font-size:12px;color:var(--muted);word-break:break-all}
.doc pre{white-space:pre-wrap;word-break:break-word;unicode-bidi:plaintext;font:13px/1.4 ui-monospace,"Noto Sans Mono",monospace;margin:6px 0;max-height:18em;overflow:auto}
.cut{color:var(--muted);font-style:italic}
code{background:#f2f2f2;padding:0 3px;border-radius:3px}
"#;

/// An HTML page under construction.
pub struct Page {
    title: String,
    subtitle: Vec<String>,
    nav: Vec<(String, String)>,
    body: String,
}

impl Page {
    pub fn new(title: &str) -> Self {
        Page {
            title: title.to_string(),
            subtitle: Vec::new(),
            nav: Vec::new(),
            body: String::new(),
        }
    }

    /// A line under the title (HTML).
    pub fn subtitle(&mut self, html: String) {
        self.subtitle.push(html);
    }

    /// Start a section with an `<h2>` and an entry in the navigation bar.
    pub fn section(&mut self, id: &str, title: &str) {
        if !self.body.is_empty() {
            self.body.push_str("</section>\n");
        }
        self.nav.push((id.to_string(), title.to_string()));
        let _ = writeln!(
            self.body,
            "<section id=\"{}\"><h2>{}</h2>",
            esc(id),
            esc(title)
        );
    }

    /// Raw HTML (built with [`esc`] by the caller).
    pub fn push(&mut self, html: &str) {
        self.body.push_str(html);
        self.body.push('\n');
    }

    pub fn h3(&mut self, text: &str) {
        let _ = writeln!(self.body, "<h3>{}</h3>", esc(text));
    }

    /// A paragraph of explanation (HTML).
    pub fn note(&mut self, html: &str) {
        let _ = writeln!(self.body, "<p class=\"note\">{html}</p>");
    }

    /// The whole document.
    pub fn finish(mut self, footer: &str) -> String {
        if !self.body.is_empty() {
            self.body.push_str("</section>\n");
        }
        let mut out = String::with_capacity(self.body.len() + 4096);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <title>{}</title>\n<style>{STYLE}</style></head>\n<body>\n<header><h1>{}</h1>",
            esc(&self.title),
            esc(&self.title)
        );
        for s in &self.subtitle {
            let _ = write!(out, "<p>{s}</p>");
        }
        out.push_str("</header>\n<nav>");
        for (id, title) in &self.nav {
            let _ = write!(out, "<a href=\"#{}\">{}</a>", esc(id), esc(title));
        }
        out.push_str("</nav>\n<main>\n");
        out.push_str(&self.body);
        let _ = write!(
            out,
            "</main>\n<footer class=\"note\" style=\"padding:0 28px 28px\">{footer}</footer>\n</body></html>\n"
        );
        out
    }
}

/// A table: `head` as text, cells as HTML; columns listed in `numeric` are right-aligned.
pub fn table(head: &[&str], rows: &[Vec<String>], numeric: &[usize]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if numeric.contains(&i) {
                let _ = write!(out, "<td class=\"n\">{cell}</td>");
            } else {
                let _ = write!(out, "<td>{cell}</td>");
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// Charts side by side.
pub fn grid(charts: &[String]) -> String {
    let mut out = String::from("<div class=\"grid\">");
    for c in charts {
        out.push_str(c);
    }
    out.push_str("</div>");
    out
}

/// A collapsible block; `open` shows it unfolded.
pub fn details(summary: &str, inner: &str, open: bool) -> String {
    format!(
        "<details{}><summary>{}</summary>{inner}</details>",
        if open { " open" } else { "" },
        esc(summary)
    )
}

/// A document's text, escaped, in a `<pre>`; `total` characters in all, a note when cut.
pub fn doc_text(text: &str, total: u64) -> String {
    let shown = text.chars().count() as u64;
    let mut out = format!("<pre>{}</pre>", esc(text));
    if total > shown {
        let _ = write!(
            out,
            "<div class=\"cut\">… cut: {} of {} characters shown</div>",
            shown,
            data_cards::escape::thousands(total)
        );
    }
    if total == 0 {
        out = "<div class=\"cut\">(no text)</div>".to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_has_the_policy_and_no_script() {
        let mut p = Page::new("a <b> run");
        p.section("funnel", "Funnel");
        p.push(&doc_text("<script>alert(1)</script>\u{202E}", 40));
        let html = p.finish("seapile");
        assert!(html.contains("Content-Security-Policy"));
        assert!(html.contains("default-src 'none'"));
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;[U+202E]"));
        assert!(html.contains("<title>a &lt;b&gt; run</title>"));
        assert!(html.contains("<a href=\"#funnel\">Funnel</a>"));
        assert_eq!(
            html.matches("<section").count(),
            html.matches("</section>").count()
        );
    }
}
