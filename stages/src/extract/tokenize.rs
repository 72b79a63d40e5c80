//! A small HTML tokenizer for extraction: start tags with attributes, end tags, text with
//! character references decoded, and the raw text of `<script>`/`<style>`-like elements.
//!
//! Design decision: extraction needs the WHATWG tokenizer's *results* for real pages, not its
//! error reporting or its incremental input handling, so this is one forward scan over the
//! bytes of a `&str` (memchr to the next `<` or `&`), with the spec's states collapsed into
//! plain functions. Text without references is passed to the sink as a slice of the input;
//! tag and attribute names are lower-cased into reused buffers, so a page costs no allocation
//! per token. Behaviour follows html5ever where it matters for text: named references by
//! longest match over the HTML5 entity table (the same table html5ever uses, prefixes
//! included), legacy references without `;`, the attribute-value exception, numeric
//! references with the C1 replacements, CR/CRLF → LF, comments, bogus comments, the
//! appropriate-end-tag rule for raw text, and a tag cut by the end of input dropped. Script
//! data's escaped states (`<!--` … `<script>` inside a script) are not modelled: a script
//! ends at its first `</script`.

use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};
use memchr::{memchr, memchr2};

/// How the content after a start tag is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw {
    /// Markup as usual.
    No,
    /// Text with references, up to the matching end tag (`title`, `textarea`).
    Rcdata,
    /// Text without references up to the matching end tag (`script`, `style`, ...).
    Rawtext,
    /// The rest of the input is text.
    Plaintext,
}

/// What the tokenizer reports.
pub trait Sink {
    /// A start tag; the return value says how to read what follows.
    fn start_tag(&mut self, name: &str, attrs: &Attrs, self_closing: bool) -> Raw;
    /// An end tag.
    fn end_tag(&mut self, name: &str);
    /// Text (references decoded, line breaks normalised), in order; may come in pieces.
    fn text(&mut self, text: &str);
    /// The content of a raw-text element (`script`, `style`, ...), undecoded.
    fn raw_text(&mut self, _text: &str) {}
    /// Asked every so many tokens: `true` stops the tokenizer.
    fn stop(&mut self) -> bool {
        false
    }
}

/// The attributes of one start tag: lower-cased names and decoded values in two reused
/// buffers. A repeated name keeps its first value, as in HTML.
#[derive(Debug, Default)]
pub struct Attrs {
    names: String,
    values: String,
    spans: Vec<(u32, u32, u32, u32)>,
}

impl Attrs {
    fn clear(&mut self) {
        self.names.clear();
        self.values.clear();
        self.spans.clear();
    }

    /// The value of attribute `name` (lower case), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `(name, value)` pairs in source order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans.iter().map(|&(a, b, c, d)| {
            (
                &self.names[a as usize..b as usize],
                &self.values[c as usize..d as usize],
            )
        })
    }
}

/// How many tokens pass between two calls of [`Sink::stop`].
const CHECK_EVERY: u32 = 1024;

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Tokenize `html` into `sink`.
pub fn tokenize(html: &str, sink: &mut impl Sink) {
    let mut t = Tokenizer {
        src: html,
        bytes: html.as_bytes(),
        pos: 0,
        scratch: String::new(),
        name: String::new(),
        attrs: Attrs::default(),
        tokens: 0,
    };
    t.run(sink);
}

struct Tokenizer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Decoded text.
    scratch: String,
    /// The current tag name, lower case.
    name: String,
    attrs: Attrs,
    tokens: u32,
}

impl Tokenizer<'_> {
    fn run(&mut self, sink: &mut impl Sink) {
        let n = self.bytes.len();
        while self.pos < n {
            self.tokens = self.tokens.wrapping_add(1);
            if self.tokens.is_multiple_of(CHECK_EVERY) && sink.stop() {
                return;
            }
            let start = self.pos;
            let lt = memchr(b'<', &self.bytes[start..]).map_or(n, |i| start + i);
            if lt > start {
                self.data(start, lt, sink);
            }
            self.pos = lt;
            if lt >= n {
                return;
            }
            self.markup(sink);
        }
    }

    /// Text between `a` and `b` (no `<` inside), references decoded.
    fn data(&mut self, a: usize, b: usize, sink: &mut impl Sink) {
        let s = &self.src[a..b];
        if memchr2(b'&', b'\r', s.as_bytes()).is_none() {
            sink.text(s);
            return;
        }
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        decode_into(s, false, &mut out);
        sink.text(&out);
        self.scratch = out;
    }

    /// At a `<`: a tag, a comment, or a literal `<`.
    fn markup(&mut self, sink: &mut impl Sink) {
        let b = self.bytes;
        let p = self.pos;
        let next = b.get(p + 1).copied();
        match next {
            Some(c) if c.is_ascii_alphabetic() => self.tag(sink, false),
            Some(b'/') => match b.get(p + 2).copied() {
                Some(c) if c.is_ascii_alphabetic() => self.tag(sink, true),
                Some(b'>') => self.pos = p + 3,
                None => {
                    sink.text("</");
                    self.pos = p + 2;
                }
                Some(_) => self.bogus_comment(p + 2),
            },
            Some(b'!') => {
                if b[p + 2..].starts_with(b"--") {
                    self.comment(p + 4);
                } else {
                    self.bogus_comment(p + 2);
                }
            }
            Some(b'?') => self.bogus_comment(p + 1),
            _ => {
                sink.text("<");
                self.pos = p + 1;
            }
        }
    }

    /// `<!--` seen; content starts at `from`.
    fn comment(&mut self, from: usize) {
        let b = self.bytes;
        // `<!-->` and `<!--->` are empty comments.
        if b.get(from) == Some(&b'>') {
            self.pos = from + 1;
            return;
        }
        if b.get(from..from + 2) == Some(b"->") {
            self.pos = from + 2;
            return;
        }
        let mut i = from;
        while let Some(j) = memchr(b'-', &b[i..]).map(|j| i + j) {
            if b[j..].starts_with(b"-->") {
                self.pos = j + 3;
                return;
            }
            if b[j..].starts_with(b"--!>") {
                self.pos = j + 4;
                return;
            }
            i = j + 1;
        }
        self.pos = b.len();
    }

    /// Up to and including the next `>`.
    fn bogus_comment(&mut self, from: usize) {
        self.pos = memchr(b'>', &self.bytes[from..]).map_or(self.bytes.len(), |i| from + i + 1);
    }

    /// A start (or end) tag at `self.pos`.
    fn tag(&mut self, sink: &mut impl Sink, end: bool) {
        let b = self.bytes;
        let n = b.len();
        let mut i = self.pos + if end { 2 } else { 1 };
        let name_start = i;
        while i < n && !is_ws(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        self.name.clear();
        push_lower(&mut self.name, &self.src[name_start..i]);
        self.attrs.clear();
        let mut self_closing = false;
        // Attributes.
        loop {
            while i < n && is_ws(b[i]) {
                i += 1;
            }
            if i >= n {
                // End of input inside a tag: the tag is dropped.
                self.pos = n;
                return;
            }
            match b[i] {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    i += 1;
                    if b.get(i) == Some(&b'>') {
                        self_closing = true;
                        i += 1;
                        break;
                    }
                    continue;
                }
                _ => {}
            }
            // Attribute name (a leading `=` belongs to it).
            let a = i;
            i += 1;
            while i < n && !is_ws(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let name = &self.src[a..i];
            while i < n && is_ws(b[i]) {
                i += 1;
            }
            let (va, vb) = if b.get(i) == Some(&b'=') {
                i += 1;
                while i < n && is_ws(b[i]) {
                    i += 1;
                }
                match b.get(i).copied() {
                    Some(q @ (b'"' | b'\'')) => {
                        let va = i + 1;
                        match memchr(q, &b[va..]) {
                            Some(k) => {
                                i = va + k + 1;
                                (va, va + k)
                            }
                            None => {
                                self.pos = n;
                                return;
                            }
                        }
                    }
                    Some(b'>') | None => (i, i),
                    Some(_) => {
                        let va = i;
                        while i < n && !is_ws(b[i]) && b[i] != b'>' {
                            i += 1;
                        }
                        (va, i)
                    }
                }
            } else {
                (i, i)
            };
            if end {
                continue;
            }
            let ns = self.attrs.names.len() as u32;
            push_lower(&mut self.attrs.names, name);
            let ne = self.attrs.names.len() as u32;
            let dup = {
                let new = &self.attrs.names[ns as usize..];
                self.attrs
                    .spans
                    .iter()
                    .any(|&(x, y, _, _)| &self.attrs.names[x as usize..y as usize] == new)
            };
            if dup {
                self.attrs.names.truncate(ns as usize);
                continue;
            }
            let vs = self.attrs.values.len() as u32;
            let v = &self.src[va..vb];
            if memchr2(b'&', b'\r', v.as_bytes()).is_some() {
                decode_into(v, true, &mut self.attrs.values);
            } else {
                self.attrs.values.push_str(v);
            }
            let ve = self.attrs.values.len() as u32;
            self.attrs.spans.push((ns, ne, vs, ve));
        }
        self.pos = i;
        if end {
            let name = std::mem::take(&mut self.name);
            sink.end_tag(&name);
            self.name = name;
            return;
        }
        let name = std::mem::take(&mut self.name);
        let raw = sink.start_tag(&name, &self.attrs, self_closing);
        match raw {
            Raw::No => {}
            Raw::Plaintext => {
                let rest = self.pos;
                self.pos = n;
                if rest < n {
                    self.data_plain(rest, n, sink);
                }
            }
            Raw::Rcdata | Raw::Rawtext => {
                let a = self.pos;
                let e = find_end_tag(b, a, &name);
                if e > a {
                    if raw == Raw::Rcdata {
                        self.data_plain(a, e, sink);
                    } else {
                        sink.raw_text(&self.src[a..e]);
                    }
                }
                self.pos = e;
            }
        }
        self.name = name;
    }

    /// Text that may contain `<` (RCDATA, PLAINTEXT): references decoded.
    fn data_plain(&mut self, a: usize, b: usize, sink: &mut impl Sink) {
        self.data(a, b, sink);
    }
}

/// The position of `</name` followed by whitespace, `/` or `>` (ASCII case-insensitive) at or
/// after `from`, else the end of input.
fn find_end_tag(b: &[u8], from: usize, name: &str) -> usize {
    let nb = name.as_bytes();
    let mut i = from;
    while let Some(k) = memchr(b'<', &b[i..]) {
        let j = i + k;
        if b.get(j + 1) == Some(&b'/') {
            let s = j + 2;
            if b.len() >= s + nb.len()
                && b[s..s + nb.len()].eq_ignore_ascii_case(nb)
                && b.get(s + nb.len())
                    .is_none_or(|&c| is_ws(c) || c == b'/' || c == b'>')
            {
                return j;
            }
        }
        i = j + 1;
    }
    b.len()
}

/// `s` lower-cased (ASCII) onto `out`; NUL becomes U+FFFD.
fn push_lower(out: &mut String, s: &str) {
    if s.bytes().all(|c| !c.is_ascii_uppercase() && c != 0) {
        out.push_str(s);
        return;
    }
    for ch in s.chars() {
        out.push(match ch {
            '\0' => '\u{fffd}',
            c => c.to_ascii_lowercase(),
        });
    }
}

/// Decode character references in `s` onto `out`, and turn CR and CRLF into LF.
/// `in_attr` applies the attribute-value rule for legacy references.
pub fn decode_into(s: &str, in_attr: bool, out: &mut String) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut last = 0;
    while let Some(k) = memchr2(b'&', b'\r', &b[i..]) {
        let j = i + k;
        out.push_str(&s[last..j]);
        if b[j] == b'\r' {
            out.push('\n');
            i = if b.get(j + 1) == Some(&b'\n') {
                j + 2
            } else {
                j + 1
            };
            last = i;
            continue;
        }
        match char_ref(s, j + 1, in_attr) {
            Some((c1, c2, end)) => {
                out.push(c1);
                if let Some(c2) = c2 {
                    out.push(c2);
                }
                i = end;
            }
            None => {
                out.push('&');
                i = j + 1;
            }
        }
        last = i;
    }
    out.push_str(&s[last..]);
}

/// The character reference after an `&` at `s[at - 1]`: its characters and where it ends.
fn char_ref(s: &str, at: usize, in_attr: bool) -> Option<(char, Option<char>, usize)> {
    let b = s.as_bytes();
    match b.get(at).copied()? {
        b'#' => numeric_ref(b, at + 1),
        c if c.is_ascii_alphanumeric() => named_ref(s, at, in_attr),
        _ => None,
    }
}

fn numeric_ref(b: &[u8], mut i: usize) -> Option<(char, Option<char>, usize)> {
    let hex = matches!(b.get(i), Some(b'x' | b'X'));
    if hex {
        i += 1;
    }
    let start = i;
    let mut num: u32 = 0;
    let mut too_big = false;
    while let Some(&c) = b.get(i) {
        let d = if hex {
            (c as char).to_digit(16)
        } else {
            (c as char).to_digit(10)
        };
        let Some(d) = d else { break };
        num = match num.checked_mul(if hex { 16 } else { 10 }) {
            Some(x) => x.saturating_add(d),
            None => {
                too_big = true;
                u32::MAX
            }
        };
        if num > 0x10FFFF {
            too_big = true;
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    if b.get(i) == Some(&b';') {
        i += 1;
    }
    let c = match num {
        _ if too_big => '\u{fffd}',
        0 | 0xD800..=0xDFFF => '\u{fffd}',
        0x80..=0x9F => C1_REPLACEMENTS[(num - 0x80) as usize]
            .unwrap_or_else(|| char::from_u32(num).unwrap_or('\u{fffd}')),
        n => char::from_u32(n).unwrap_or('\u{fffd}'),
    };
    Some((c, None, i))
}

fn named_ref(s: &str, at: usize, in_attr: bool) -> Option<(char, Option<char>, usize)> {
    let b = s.as_bytes();
    // The common case in one look-up: a whole name ending in `;` (`&amp;`, `&nbsp;`).
    let mut e = at;
    while e < b.len() && e - at < 40 && b[e].is_ascii_alphanumeric() {
        e += 1;
    }
    if b.get(e) == Some(&b';') {
        if let Some(&(c1, c2)) = NAMED_ENTITIES.get(&s[at..=e]) {
            if c1 != 0 {
                let c1 = char::from_u32(c1)?;
                let c2 = if c2 == 0 { None } else { char::from_u32(c2) };
                return Some((c1, c2, e + 1));
            }
        }
    }
    let mut best: Option<(u32, u32, usize)> = None;
    let mut i = at;
    // Entity names are ASCII alphanumerics, optionally ending in `;` (longest is 32 bytes).
    while i < b.len() && i - at < 40 {
        let c = b[i];
        if !(c.is_ascii_alphanumeric() || c == b';') {
            break;
        }
        i += 1;
        match NAMED_ENTITIES.get(&s[at..i]) {
            Some(&(c1, c2)) => {
                if c1 != 0 {
                    best = Some((c1, c2, i));
                }
            }
            None => break,
        }
        if c == b';' {
            break;
        }
    }
    let (c1, c2, end) = best?;
    if in_attr && b[end - 1] != b';' {
        if let Some(&next) = b.get(end) {
            if next == b'=' || next.is_ascii_alphanumeric() {
                return None;
            }
        }
    }
    let c1 = char::from_u32(c1)?;
    let c2 = if c2 == 0 { None } else { char::from_u32(c2) };
    Some((c1, c2, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Rec(Vec<String>);

    impl Sink for Rec {
        fn start_tag(&mut self, name: &str, attrs: &Attrs, sc: bool) -> Raw {
            let a: Vec<String> = attrs.iter().map(|(n, v)| format!("{n}={v}")).collect();
            let sc = if sc { "/" } else { "" };
            let a = a.join(",");
            self.0.push(format!("<{name}{sc} {a}>").replace(" >", ">"));
            match name {
                "script" | "style" => Raw::Rawtext,
                "title" => Raw::Rcdata,
                _ => Raw::No,
            }
        }
        fn end_tag(&mut self, name: &str) {
            self.0.push(format!("</{name}>"));
        }
        fn text(&mut self, text: &str) {
            self.0.push(text.to_string());
        }
        fn raw_text(&mut self, text: &str) {
            self.0.push(format!("RAW[{text}]"));
        }
    }

    fn toks(html: &str) -> Vec<String> {
        let mut r = Rec::default();
        tokenize(html, &mut r);
        r.0
    }

    #[test]
    fn tags_attributes_and_text() {
        assert_eq!(
            toks("<P Class=\"a b\" id=x data-x='1' hidden class=dup>Hi</p><br/>"),
            ["<p class=a b,id=x,data-x=1,hidden=>", "Hi", "</p>", "<br/>"]
        );
    }

    #[test]
    fn references_in_text_and_attributes() {
        assert_eq!(
            toks("a&amp;b &lt;&#x41;&#66;&#128; &copy2024 &notit; &zz; &"),
            ["a&b <AB€ ©2024 ¬it; &zz; &"]
        );
        assert_eq!(
            toks("<a href='?a=1&copy=2&amp;x'>")[0],
            "<a href=?a=1&copy=2&x>"
        );
    }

    #[test]
    fn comments_raw_text_and_cut_tags() {
        assert_eq!(
            toks("x<!-- <p>no</p> -->y<!---->z<!DOCTYPE html><?php ?>w"),
            ["x", "y", "z", "w"]
        );
        assert_eq!(
            toks("<script>if (a<b) x='</p>'</script ><title>A &amp; B</title>"),
            [
                "<script>",
                "RAW[if (a<b) x='</p>']",
                "</script>",
                "<title>",
                "A & B",
                "</title>"
            ]
        );
        assert_eq!(toks("ok<div class=\"unterminated"), ["ok"]);
        assert_eq!(toks("a < b\r\nc"), ["a ", "<", " b\nc"]);
    }
}
