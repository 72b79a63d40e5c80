//! A flat, index-linked DOM built straight from our tokenizer ([`super::tokenize`]).
//!
//! Design decision: we do not run the full HTML5 tree builder. Its scope checks scan the whole
//! open-element stack for every start tag, which is quadratic on deeply nested pages. Our own
//! builder applies the few implied-end rules that matter for text (`p`, `li`, `dt`/`dd`,
//! table rows and cells, `a`), caps the open-element stack at [`MAX_DEPTH`] (deeper elements
//! are flattened into the deepest one), and stores nodes in one `Vec` in document order, so a
//! parent always has a smaller index than its children and every later pass is a plain loop.
//! Open elements are matched by a hash of their name, so building allocates nothing per node
//! beyond the node vector and the text buffer.

use std::time::Instant;

use super::hints;
use super::tokenize::{tokenize, Attrs, Raw, Sink};

/// Deepest open-element stack the builder keeps; deeper elements become siblings.
pub const MAX_DEPTH: usize = 512;
/// "No node" in the index links.
pub const NONE: u32 = u32::MAX;

/// Subtree is never text (scripts, styles, form controls).
pub const REMOVED: u16 = 1;
/// Structural boilerplate (`nav`, `footer`, `aside`, `menu`, ARIA landmarks of that kind).
pub const BOILER_TAG: u16 = 2;
/// Class/id names boilerplate (`comment`, `share`, `sidebar`, `cookie`, ...).
pub const BOILER_CLASS: u16 = 4;
/// A newsletter- or footer-named box with at least this many characters, more than half of
/// the page's, is the page's content ([`Dom::reveal`]).
const MIN_PAGE_CHARS: u32 = 1000;
/// `itemprop="articleBody"`.
pub const ARTICLE_BODY: u16 = 8;
/// Hidden (`hidden`, `display:none`, `visibility:hidden`): not text, unless the hidden subtree
/// is most of the page (server-rendered pages that a script reveals; see
/// [`Dom::reveal`]).
pub const HIDDEN: u16 = 16;
/// Inside `<noscript>`: not text, unless it holds more than the rest of the page.
pub const NOSCRIPT: u16 = 32;
/// An `<a>` with an `href` to another page (not `#fragment`, not `javascript:`).
pub const OUT_LINK: u16 = 64;
/// Has a non-empty `class` attribute.
pub const HAS_CLASS: u16 = 128;
/// A comment-named block under a post that has a body of its own (a Q&A answer's comment
/// thread): the post's comments, not posts of the thread, so a forum does not forgive it.
pub const POST_COMMENTS: u16 = 256;
/// An element whose role is a dialog (`role=dialog|alertdialog`), set with [`BOILER_TAG`]:
/// a popup, unless it holds most of the page (see [`Dom::reveal`]).
pub const DIALOG: u16 = 512;
/// An `<a>` whose `href` is a fragment of this page (`#main`): a skip link, a table of
/// contents entry, a footnote mark ([`Dom::judge_controls`]).
pub const IN_PAGE_LINK: u16 = 1024;
/// A `<form>` that asks the reader to write (a `<textarea>`, an e-mail or password field): a
/// reply, comment, sign-up or contact form ([`Dom::mark_writing_forms`]).
pub const WRITING_FORM: u16 = 2048;
/// A `<button>` that opens a panel (`aria-expanded`, `aria-controls`, or inside a heading,
/// WAI-ARIA's accordion): an FAQ's question, a tab's name ([`Dom::judge_controls`]).
pub const DISCLOSURE_BUTTON: u16 = 4096;
/// A `<button>`, kept past parsing to be judged with its content ([`Dom::judge_controls`]).
pub const BUTTON: u16 = 8192;
/// Characters of its own (outside comment blocks) that make a post-named block a post
/// with a body, for [`POST_COMMENTS`].
const POST_BODY_MIN: u32 = 50;
/// How close under its post a comment block sits, for [`POST_COMMENTS`]: an answer's
/// comments are a sibling of its body, two or three levels down; a post-named wrapper far
/// above a thread's replies (`div.body.forum-post` around a whole page) is not their post.
const POST_COMMENTS_DEPTH: u32 = 3;
/// Longest `<noscript>` notice that asks for JavaScript ([`Dom::asks_for_javascript`]).
const MAX_NOSCRIPT_NOTICE_CHARS: u32 = 200;
/// Fewest words of a panel-opening button's text that make it a line of text
/// ([`DISCLOSURE_BUTTON`]), unless it asks a question.
const MIN_BUTTON_WORDS: usize = 3;
/// Longest text of a skip link ([`Dom::judge_controls`]).
const MAX_SKIP_LINK_CHARS: usize = 40;
/// How skip links start (lower case): English, and WordPress's own "Skip to content" in the
/// languages around ours (its `a.skip-link` is removed by name in any language).
const SKIP_LINK_STARTS: &[&str] = &[
    "skip to ",
    "skip navigation",
    "jump to main content",
    "jump to content",
    "langsung ke konten",
    "lewati ke konten",
    "chuyển đến nội dung",
    "跳至内容",
    "跳到主要内容",
    "zum inhalt springen",
    "aller au contenu",
    "saltar al contenido",
];
/// Never text on any pass.
pub const GONE: u16 = REMOVED | HIDDEN | NOSCRIPT;

/// The element kinds extraction cares about; everything else is `Inline` or `Block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Root,
    Text,
    Html,
    Head,
    Title,
    Body,
    P,
    Div,
    Br,
    Heading(u8),
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Table,
    Tr,
    Td,
    Th,
    A,
    Pre,
    Blockquote,
    Article,
    Main,
    Section,
    Nav,
    Header,
    Footer,
    Aside,
    Form,
    Figure,
    Block,
    Inline,
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "html" => Tag::Html,
            "head" => Tag::Head,
            "title" => Tag::Title,
            "body" => Tag::Body,
            "p" => Tag::P,
            "div" => Tag::Div,
            "br" => Tag::Br,
            "h1" => Tag::Heading(1),
            "h2" => Tag::Heading(2),
            "h3" => Tag::Heading(3),
            "h4" => Tag::Heading(4),
            "h5" => Tag::Heading(5),
            "h6" => Tag::Heading(6),
            "ul" => Tag::Ul,
            "ol" => Tag::Ol,
            "li" => Tag::Li,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "dd" => Tag::Dd,
            "table" => Tag::Table,
            "tr" => Tag::Tr,
            "td" => Tag::Td,
            "th" => Tag::Th,
            "a" => Tag::A,
            "pre" | "listing" => Tag::Pre,
            "blockquote" => Tag::Blockquote,
            "article" => Tag::Article,
            "main" => Tag::Main,
            "section" => Tag::Section,
            "nav" | "menu" => Tag::Nav,
            "header" => Tag::Header,
            "footer" => Tag::Footer,
            "aside" => Tag::Aside,
            "form" => Tag::Form,
            "figure" => Tag::Figure,
            "address" | "caption" | "center" | "details" | "summary" | "fieldset" | "legend"
            | "hgroup" | "thead" | "tbody" | "tfoot" | "figcaption" | "hr" | "dialog" => Tag::Block,
            _ => Tag::Inline,
        }
    }

    /// Starts a new line of text.
    pub fn is_block(self) -> bool {
        !matches!(self, Tag::Inline | Tag::A | Tag::Text | Tag::Br)
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
    )
}

/// Elements whose whole subtree is never article text.
fn is_removed_name(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "template"
            | "svg"
            | "math"
            | "select"
            | "button"
            | "input"
            | "textarea"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "iframe"
            | "noembed"
            | "noframes"
            | "xmp"
            | "map"
            | "label"
            | "dialog"
            | "datalist"
            | "option"
    )
}

fn raw_kind(name: &str) -> Raw {
    match name {
        "script" | "style" | "iframe" | "noembed" | "noframes" | "xmp" => Raw::Rawtext,
        "title" | "textarea" => Raw::Rcdata,
        "plaintext" => Raw::Plaintext,
        _ => Raw::No,
    }
}

/// FNV-1a of a tag name, to match end tags against open elements without storing names.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One node: an element or a run of text.
#[derive(Debug, Clone)]
pub struct Node {
    pub tag: Tag,
    pub parent: u32,
    pub first_child: u32,
    pub last_child: u32,
    pub next_sibling: u32,
    /// For text nodes: byte range into [`Dom::text`].
    pub start: u32,
    pub end: u32,
    /// Class/id weight (readability style: +25 per positive name, -25 per negative one).
    pub weight: i16,
    pub flags: u16,
    /// Why class/id names call this boilerplate ([`hints::cat`]); set with [`BOILER_CLASS`].
    pub cats: u16,
    /// What class/id words say otherwise ([`hints::hint`]).
    pub hint: u16,
    /// Hash of the tag name and class attribute: siblings with equal `sig` are repetitions of
    /// one template (posts, cards, rows).
    pub sig: u32,
    /// Text nodes: characters other than whitespace (counted once, while parsing).
    pub chars: u32,
    /// Text nodes: commas (Latin, CJK, Arabic).
    pub commas: u32,
}

/// Characters other than whitespace, and commas (Latin, CJK, Arabic), in `s`.
///
/// One pass over the bytes: a character is a byte that does not continue a UTF-8 sequence;
/// the few multi-byte whitespace characters (U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028,
/// U+2029, U+202F, U+205F, U+3000) and commas (U+060C, U+3001, U+FE10, U+FE50, U+FF0C) are
/// recognised by their bytes, so this equals counting `char`s with `!is_whitespace()`.
pub fn count_text(s: &str) -> (u32, u32) {
    let b = s.as_bytes();
    // Branch-free over all bytes (vectorised): ASCII whitespace, continuation bytes, ','.
    let (mut space, mut cont, mut commas) = (0u32, 0u32, 0u32);
    for &c in b {
        space += ((c == b' ') | (c.wrapping_sub(b'\t') < 5)) as u32;
        cont += ((c & 0xC0) == 0x80) as u32;
        commas += (c == b',') as u32;
    }
    let mut chars = b.len() as u32 - space - cont;
    if cont == 0 {
        return (chars, commas);
    }
    // Multi-byte whitespace and commas, by their lead bytes.
    for (i, &c) in b.iter().enumerate() {
        if !matches!(c, 0xC2 | 0xD8 | 0xE1 | 0xE2 | 0xE3 | 0xEF) {
            continue;
        }
        let (b1, b2) = (
            b.get(i + 1).copied().unwrap_or(0),
            b.get(i + 2).copied().unwrap_or(0),
        );
        let space = match c {
            0xC2 => b1 == 0x85 || b1 == 0xA0,
            0xE1 => b1 == 0x9A && b2 == 0x80,
            0xE2 => {
                (b1 == 0x80 && (matches!(b2, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)))
                    || (b1 == 0x81 && b2 == 0x9F)
            }
            0xE3 => b1 == 0x80 && b2 == 0x80,
            _ => false,
        };
        let comma = match c {
            0xD8 => b1 == 0x8C,
            0xE3 => b1 == 0x80 && b2 == 0x81,
            0xEF => matches!((b1, b2), (0xBC, 0x8C) | (0xB9, 0x90) | (0xB8, 0x90)),
            _ => false,
        };
        chars -= space as u32;
        commas += comma as u32;
    }
    (chars, commas)
}

/// Page metadata found while parsing (`<meta>`, `<time>`, `<title>`).
#[derive(Debug, Default, Clone)]
pub struct Meta {
    pub og_title: Option<String>,
    pub title_node: Option<u32>,
    pub first_h1: Option<u32>,
    pub date: Option<String>,
    pub time_datetime: Option<String>,
    pub author: Option<String>,
    /// `og:type`, lower case.
    pub og_type: Option<String>,
    /// `<link rel="canonical">`, else `og:url`: the page's own idea of its address.
    pub url: Option<String>,
    /// `<meta name="generator">`, lower case.
    pub generator: Option<String>,
    /// `<meta name="description">` or `og:description`.
    pub description: Option<String>,
}

/// Facts about the page gathered while parsing, for telling page types apart.
#[derive(Debug, Default, Clone)]
pub struct Signals {
    /// The text of each `<script type="application/ld+json">`.
    pub ld_json: Vec<String>,
    /// Schema.org types named by `itemtype` attributes (last path segment, e.g. `Product`).
    pub itemtypes: Vec<String>,
    /// `<pre>` elements.
    pub pre: u32,
    /// `<code>` elements.
    pub code: u32,
}

/// The parsed page.
#[derive(Debug, Default)]
pub struct Dom {
    pub nodes: Vec<Node>,
    pub text: String,
    pub meta: Meta,
    pub body: Option<u32>,
    pub signals: Signals,
}

impl Dom {
    /// Parse `html` (never fails; malformed input gives some tree).
    pub fn parse(html: &str) -> Dom {
        Dom::parse_until(html, None).unwrap_or_default()
    }

    /// Parse `html`, giving up (`None`) once `deadline` has passed.
    pub fn parse_until(html: &str, deadline: Option<Instant>) -> Option<Dom> {
        // React's streamed segments moved into their places first.
        let spliced = super::suspense::splice(html);
        let html = spliced.as_deref().unwrap_or(html);
        let mut builder = Builder::new(html.len());
        builder.deadline = deadline;
        tokenize(html, &mut builder);
        if builder.timed_out {
            return None;
        }
        let mut dom = builder.dom;
        dom.judge_controls();
        dom.reveal();
        Some(dom)
    }

    /// Controls judged by their content, once it is parsed. Skip links ("Skip to content",
    /// an accessibility shortcut to the page's own main block, shown only when focused) are
    /// never text: an in-page link whose text says so (those whose class or id says `skip`
    /// are removed while parsing, in any language). A button is text only when it opens a
    /// panel and reads like a question or a title.
    fn judge_controls(&mut self) {
        for i in 1..self.nodes.len() {
            let node = &self.nodes[i];
            // A button that opens a panel is text when it reads like a question or a title
            // (an FAQ's "How long can I rent equipment for?"), not a control ("Menu").
            if node.flags & (BUTTON | REMOVED) == BUTTON {
                let end = self.subtree_end(i as u32) as usize;
                let opens = node.flags & DISCLOSURE_BUTTON != 0
                    || self.nodes[i + 1..end]
                        .iter()
                        .any(|n| matches!(n.tag, Tag::Heading(_)));
                let text = self.plain_text(i as u32);
                if !opens
                    || (text.split_whitespace().count() < MIN_BUTTON_WORDS && !text.ends_with('?'))
                {
                    self.nodes[i].flags |= REMOVED;
                }
                continue;
            }
            if node.tag != Tag::A || node.flags & (IN_PAGE_LINK | REMOVED) != IN_PAGE_LINK {
                continue;
            }
            let text = self.plain_text(i as u32).to_lowercase();
            if text.chars().count() <= MAX_SKIP_LINK_CHARS
                && SKIP_LINK_STARTS.iter().any(|s| text.starts_with(s))
            {
                self.nodes[i].flags |= REMOVED;
            }
        }
    }

    /// Un-hide what is most of the page (and keep a newsletter- or footer-named box that is most of it): a hidden subtree holding more than half of the text
    /// (a server-rendered page inside `<div hidden>` that a script moves into view), and a
    /// `<noscript>` holding more text than everything visible (a crawler view, as forum
    /// software serves).
    fn reveal(&mut self) {
        let n = self.nodes.len();
        let mut chars = vec![0u32; n];
        // Whether a subtree holds the page's chrome (`nav`, `header`, `footer`, `aside`).
        let mut chrome = vec![false; n];
        for i in (1..n).rev() {
            let node = &self.nodes[i];
            if node.flags & REMOVED != 0 {
                continue;
            }
            if node.tag == Tag::Text {
                chars[i] += node.chars;
            }
            let p = node.parent as usize;
            chars[p] += chars[i];
            chrome[p] |=
                chrome[i] || matches!(node.tag, Tag::Nav | Tag::Header | Tag::Footer | Tag::Aside);
        }
        let total = chars[0];
        if total == 0 {
            return;
        }
        self.mark_writing_forms(&chars, total);
        // Top-level hidden and noscript subtrees (no hidden or noscript ancestor).
        let mut under = vec![false; n];
        let (mut hidden_chars, mut noscript_chars) = (0u32, 0u32);
        let mut tops = Vec::new();
        for i in 1..n {
            let p = self.nodes[i].parent as usize;
            let f = self.nodes[i].flags & (HIDDEN | NOSCRIPT);
            if under[p] {
                under[i] = true;
            } else if f != 0 {
                under[i] = true;
                tops.push(i);
                if f & HIDDEN != 0 {
                    hidden_chars += chars[i];
                } else {
                    noscript_chars += chars[i];
                }
            }
        }
        let mut visible = total - hidden_chars - noscript_chars;
        for &i in &tops {
            let node = &mut self.nodes[i];
            if node.flags & HIDDEN != 0 && chars[i] * 2 > total {
                node.flags &= !HIDDEN;
                visible += chars[i];
            }
        }
        for &i in &tops {
            if self.nodes[i].flags & (HIDDEN | NOSCRIPT) == NOSCRIPT
                && chars[i] > visible
                && !self.asks_for_javascript(i as u32, chars[i])
            {
                self.nodes[i].flags &= !NOSCRIPT;
            }
        }
        // A box named for a newsletter, a sign-up or a footer never holds most of a page's
        // text: one that does is the page (a newsletter issue in `section.cc-newsletter`, a
        // guide's list of venues in `div.page1-footer`), unless it wraps the page's chrome
        // too. (A cookie-consent dialog can: its policy text is long. Header- and
        // banner-named boxes that hold most of a product page are its gallery and
        // specification widgets: measured, they cost more than they gave.)
        self.keep_section_headers(&chars, &chrome);
        self.mark_post_comments();
        // Nor is a dialog most of a page, unless the page is shown in one (an article opened
        // over its section page as a modal): then it is the page.
        for (i, node) in self.nodes.iter_mut().enumerate().skip(1) {
            if node.flags & DIALOG != 0
                && !chrome[i]
                && chars[i] >= MIN_PAGE_CHARS
                && chars[i] * 2 > total
            {
                node.flags &= !(BOILER_TAG | DIALOG);
            }
        }
        for (i, node) in self.nodes.iter_mut().enumerate().skip(1) {
            if node.flags & BOILER_CLASS != 0
                && node.cats & !(hints::cat::NEWSLETTER | hints::cat::FOOTER) == 0
                && !chrome[i]
                && chars[i] >= MIN_PAGE_CHARS
                && chars[i] * 2 > total
            {
                node.flags &= !BOILER_CLASS;
                node.cats = 0;
            }
        }
    }

    /// A form for the reader to write in ([`WRITING_FORM`]: "Your answer", "Sign up using
    /// Google", "Post as a guest", "Required, but never shown") is the page's chrome, not its
    /// text ([`hints::cat::FORM`], which service pages forgive: their contact form is part of
    /// the offer), unless it holds most of the page (ASP.NET wraps whole pages in one form).
    fn mark_writing_forms(&mut self, chars: &[u32], total: u32) {
        for (i, node) in self.nodes.iter_mut().enumerate().skip(1) {
            if node.flags & WRITING_FORM != 0 && chars[i] * 2 <= total {
                node.flags |= BOILER_CLASS;
                node.cats |= hints::cat::FORM;
            }
        }
    }

    /// Whether `<noscript>` node `n` (of `chars` characters) only asks the reader to turn on
    /// JavaScript ("You need to enable JavaScript to run this app.", the word is the same
    /// in every language): a script-rendered page's notice, not a crawler view of it.
    fn asks_for_javascript(&self, n: u32, chars: u32) -> bool {
        chars <= MAX_NOSCRIPT_NOTICE_CHARS
            && self
                .plain_text(n)
                .to_ascii_lowercase()
                .contains("javascript")
    }

    /// A header-named box inside the page that heads a section — a heading (`h2`–`h6`)
    /// and text, few links, none of the page's chrome — is the section's headline, not the
    /// site header (styled components name a block's headline `…SideBySideHeader`).
    fn keep_section_headers(&mut self, chars: &[u32], chrome: &[bool]) {
        let n = self.nodes.len();
        let mut in_link = vec![false; n];
        let mut link_chars = vec![0u32; n];
        let mut heading = vec![false; n];
        for i in 1..n {
            let node = &self.nodes[i];
            let p = node.parent as usize;
            in_link[i] = in_link[p] || (node.tag == Tag::A && node.flags & OUT_LINK != 0);
        }
        for i in (1..n).rev() {
            let node = &self.nodes[i];
            if node.flags & REMOVED != 0 {
                continue;
            }
            if node.tag == Tag::Text && in_link[i] {
                link_chars[i] += node.chars;
            }
            let p = node.parent as usize;
            link_chars[p] += link_chars[i];
            heading[p] |= heading[i] || matches!(node.tag, Tag::Heading(2..=6));
        }
        // Inside a card, post or list item, a header-named box is the item's title (an
        // eBay result's `item-card__signals__header` around its linked `h3`).
        let mut in_item = vec![false; n];
        for i in 1..n {
            let p = self.nodes[i].parent as usize;
            let parent = &self.nodes[p];
            in_item[i] = in_item[p]
                || matches!(parent.tag, Tag::Li | Tag::Article)
                || parent.hint & (hints::hint::CARD | hints::hint::POST | hints::hint::PRODUCT)
                    != 0;
        }
        for i in 1..n {
            let node = &mut self.nodes[i];
            let headline = chars[i] >= 40 && link_chars[i] * 10 <= chars[i] * 3;
            let item_title = in_item[i] && (10..=300).contains(&chars[i]);
            if node.flags & BOILER_CLASS != 0
                && node.cats == hints::cat::HEADER
                && node.tag != Tag::Header
                && heading[i]
                && !chrome[i]
                && (headline || item_title)
            {
                node.flags &= !BOILER_CLASS;
                node.cats = 0;
            }
        }
    }

    /// Mark [`POST_COMMENTS`]: a comment-named block whose nearest ancestor that is either
    /// comment-named or a post-named block with at least [`POST_BODY_MIN`] characters
    /// outside its comment blocks (`answer`, `post-layout`) is such a post, at most
    /// [`POST_COMMENTS_DEPTH`] levels up. Comments that are the thread — a post list of
    /// `div.comment`s, replies nested in a comment — have no such post above them.
    fn mark_post_comments(&mut self) {
        use hints::hint::{COMMENT, POST};
        let n = self.nodes.len();
        let mut own = vec![0u32; n];
        for i in (1..n).rev() {
            let node = &self.nodes[i];
            if node.flags & REMOVED != 0 {
                continue;
            }
            if node.tag == Tag::Text {
                own[i] += node.chars;
            }
            if node.hint & COMMENT == 0 {
                own[node.parent as usize] += own[i];
            }
        }
        // The nearest comment-named or post-with-a-body ancestor-or-self, and how many
        // levels up.
        let mut near = vec![(NONE, 0u32); n];
        for i in 1..n {
            let (above, up) = near[self.nodes[i].parent as usize];
            let under_post = above != NONE
                && up < POST_COMMENTS_DEPTH
                && self.nodes[above as usize].hint & COMMENT == 0;
            let node = &mut self.nodes[i];
            if under_post && node.flags & BOILER_CLASS != 0 && node.cats & hints::cat::COMMENT != 0
            {
                node.flags |= POST_COMMENTS;
            }
            let decides =
                node.hint & COMMENT != 0 || (node.hint & POST != 0 && own[i] >= POST_BODY_MIN);
            near[i] = if decides {
                (i as u32, 0)
            } else {
                (above, up.saturating_add(1))
            };
        }
    }

    /// The text of a text node.
    pub fn text_of(&self, n: u32) -> &str {
        let node = &self.nodes[n as usize];
        &self.text[node.start as usize..node.end as usize]
    }

    /// Element children and text of `n`, in order.
    pub fn children(&self, n: u32) -> Children<'_> {
        Children {
            dom: self,
            next: self.nodes[n as usize].first_child,
        }
    }

    /// All text under `n`, whitespace collapsed (used for titles).
    pub fn plain_text(&self, n: u32) -> String {
        let mut out = String::new();
        let end = self.subtree_end(n);
        for i in n..end {
            if self.nodes[i as usize].tag == Tag::Text {
                out.push_str(self.text_of(i));
                out.push(' ');
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// One past the last descendant of `n` (descendants are contiguous in document order).
    pub fn subtree_end(&self, n: u32) -> u32 {
        let mut cur = n;
        loop {
            let node = &self.nodes[cur as usize];
            if node.next_sibling != NONE {
                return node.next_sibling;
            }
            if node.parent == NONE {
                return self.nodes.len() as u32;
            }
            cur = node.parent;
        }
    }
}

/// Iterator over the children of one node.
pub struct Children<'a> {
    dom: &'a Dom,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let n = self.next;
        self.next = self.dom.nodes[n as usize].next_sibling;
        Some(n)
    }
}

struct Builder {
    dom: Dom,
    /// Class/id hits already worked out on this page.
    hits: hints::HitCache,
    /// The raw text about to come is a JSON-LD script.
    ld_json: bool,
    /// Open elements: node index and a hash of the name (names tell apart the many `Inline`
    /// tags).
    stack: Vec<(u32, u64)>,
    /// Stop building (and stop the tokenizer) after this instant.
    deadline: Option<Instant>,
    timed_out: bool,
}

impl Builder {
    fn new(html_len: usize) -> Builder {
        let root = Node {
            tag: Tag::Root,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            start: 0,
            end: 0,
            weight: 0,
            flags: 0,
            cats: 0,
            hint: 0,
            sig: 0,
            chars: 0,
            commas: 0,
        };
        let mut dom = Dom {
            nodes: Vec::with_capacity(html_len / 64 + 16),
            text: String::with_capacity(html_len / 4),
            ..Dom::default()
        };
        dom.nodes.push(root);
        Builder {
            dom,
            hits: hints::HitCache::default(),
            ld_json: false,
            stack: vec![(0, 0)],
            deadline: None,
            timed_out: false,
        }
    }

    fn top(&self) -> u32 {
        self.stack.last().map_or(0, |t| t.0)
    }

    fn append(&mut self, tag: Tag, flags: u16) -> u32 {
        let parent = self.top();
        let idx = self.dom.nodes.len() as u32;
        let inherited = self.dom.nodes[parent as usize].flags & REMOVED;
        self.dom.nodes.push(Node {
            tag,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            start: 0,
            end: 0,
            weight: 0,
            flags: flags | inherited,
            cats: 0,
            hint: 0,
            sig: 0,
            chars: 0,
            commas: 0,
        });
        let p = &mut self.dom.nodes[parent as usize];
        let prev = p.last_child;
        p.last_child = idx;
        if prev == NONE {
            p.first_child = idx;
        } else {
            self.dom.nodes[prev as usize].next_sibling = idx;
        }
        idx
    }

    /// Pop up to and including the nearest open element matching `target`, unless an element
    /// matching `barrier` comes first.
    fn close_nearest(&mut self, target: impl Fn(Tag) -> bool, barrier: impl Fn(Tag) -> bool) {
        for i in (1..self.stack.len()).rev() {
            let tag = self.dom.nodes[self.stack[i].0 as usize].tag;
            if target(tag) {
                self.stack.truncate(i);
                return;
            }
            if barrier(tag) {
                return;
            }
        }
    }

    fn close_implied(&mut self, tag: Tag) {
        if tag == Tag::Body || (tag.is_block() && !matches!(tag, Tag::Title | Tag::Head)) {
            self.close_nearest(|t| t == Tag::Head, |_| false);
        }
        let cell_barrier = |t: Tag| matches!(t, Tag::Td | Tag::Th | Tag::Table);
        match tag {
            Tag::Li => self.close_nearest(
                |t| t == Tag::Li,
                |t| matches!(t, Tag::Ul | Tag::Ol | Tag::Table | Tag::Td | Tag::Th),
            ),
            Tag::Dt | Tag::Dd => self.close_nearest(
                |t| matches!(t, Tag::Dt | Tag::Dd),
                |t| matches!(t, Tag::Dl | Tag::Table),
            ),
            Tag::Tr => self.close_nearest(|t| t == Tag::Tr, |t| t == Tag::Table),
            Tag::Td | Tag::Th => self.close_nearest(
                |t| matches!(t, Tag::Td | Tag::Th),
                |t| matches!(t, Tag::Tr | Tag::Table),
            ),
            Tag::A => self.close_nearest(|t| t == Tag::A, |_| false),
            // HTML never puts `<main>` inside `<aside>`, `<nav>`, `<header>` or `<footer>`: one
            // of them still open at `<main>` is one the page forgot to close (an announcement
            // banner's `<aside>` left open would otherwise hold the whole page).
            Tag::Main => {
                let open = (1..self.stack.len()).find(|&i| {
                    matches!(
                        self.dom.nodes[self.stack[i].0 as usize].tag,
                        Tag::Aside | Tag::Nav | Tag::Header | Tag::Footer
                    )
                });
                if let Some(i) = open {
                    self.stack.truncate(i);
                }
            }
            _ => {}
        }
        if tag.is_block() && !matches!(tag, Tag::Td | Tag::Th | Tag::Tr) {
            self.close_nearest(|t| t == Tag::P, cell_barrier);
        }
    }

    fn note(&mut self, kind: Tag, n: u32, name: &str, attrs: &Attrs) {
        let meta = &mut self.dom.meta;
        match kind {
            Tag::Title if meta.title_node.is_none() => meta.title_node = Some(n),
            Tag::Heading(1) if meta.first_h1.is_none() => meta.first_h1 = Some(n),
            Tag::Body if self.dom.body.is_none() => self.dom.body = Some(n),
            _ => {}
        }
        if name == "time" && meta.time_datetime.is_none() {
            meta.time_datetime = attrs.get("datetime").map(str::to_string);
        }
        if name == "link"
            && meta.url.is_none()
            && attrs
                .get("rel")
                .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
        {
            meta.url = attrs.get("href").map(str::to_string);
        }
        let sig = &mut self.dom.signals;
        match name {
            "pre" => sig.pre += 1,
            "code" => sig.code += 1,
            "script" => {
                self.ld_json = attrs
                    .get("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
            }
            _ => {}
        }
        if let Some(t) = attrs.get("itemtype") {
            for one in t.split_whitespace() {
                let last = one.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                if !last.is_empty()
                    && sig.itemtypes.len() < 64
                    && !sig.itemtypes.iter().any(|x| x == last)
                {
                    sig.itemtypes.push(last.to_string());
                }
            }
        }
    }
}

impl Sink for Builder {
    fn start_tag(&mut self, name: &str, attrs: &Attrs, self_closing: bool) -> Raw {
        let kind = Tag::from_name(name);
        let parent_removed = self.dom.nodes[self.top() as usize].flags & REMOVED != 0;
        let duplicate = match kind {
            Tag::Body => self.dom.body.is_some(),
            Tag::Html => self
                .dom
                .nodes
                .iter()
                .skip(1)
                .take(4)
                .any(|n| n.tag == Tag::Html),
            _ => false,
        };
        if duplicate {
            return Raw::No;
        }
        let void = is_void(name) || (self_closing && parent_removed);
        if parent_removed {
            // Never text: keep the element open for end-tag matching, but make no node.
            if !void && self.stack.len() < MAX_DEPTH {
                let top = self.top();
                self.stack.push((top, name_hash(name)));
            }
            return if void { Raw::No } else { raw_kind(name) };
        }
        self.close_implied(kind);
        if name == "textarea"
            || (name == "input"
                && attrs.get("type").is_some_and(|t| {
                    let t = t.trim();
                    t.eq_ignore_ascii_case("email") || t.eq_ignore_ascii_case("password")
                }))
        {
            let form = name_hash("form");
            if let Some(&(f, _)) = self.stack.iter().rev().find(|e| e.1 == form) {
                self.dom.nodes[f as usize].flags |= WRITING_FORM;
            }
        }
        let hint = hints::read_attrs(attrs, kind, &mut self.hits);
        let disclosure = name == "button"
            && (attrs.get("aria-expanded").is_some()
                || attrs.get("aria-controls").is_some()
                || hint.hint & hints::hint::DISCLOSURE != 0
                || matches!(self.dom.nodes[self.top() as usize].tag, Tag::Heading(_)));
        let mut flags = if disclosure {
            DISCLOSURE_BUTTON | BUTTON
        } else if name == "button" {
            BUTTON
        } else if is_removed_name(name) {
            REMOVED
        } else {
            0
        };
        if name == "noscript" {
            flags |= NOSCRIPT;
        }
        if kind == Tag::A {
            match attrs.get("href").map(str::trim) {
                Some(h) if h.len() > 1 && h.starts_with('#') => {
                    flags |= IN_PAGE_LINK;
                    // A skip link named for what it is (`a.skip-link`, `#skip-to-content`, in
                    // any language).
                    if ["class", "id"].iter().any(|k| {
                        attrs
                            .get(k)
                            .is_some_and(|v| v.to_ascii_lowercase().contains("skip"))
                    }) {
                        flags |= REMOVED;
                    }
                }
                Some(h)
                    if !h.is_empty() && !h.starts_with('#') && !h.starts_with("javascript:") =>
                {
                    flags |= OUT_LINK;
                }
                _ => {}
            }
        }
        flags |= hint.flags;
        if matches!(
            kind,
            Tag::Nav | Tag::Footer | Tag::Aside | Tag::Head | Tag::Title
        ) {
            flags |= BOILER_TAG;
        }
        if name == "meta" {
            hints::read_meta(attrs, &mut self.dom.meta);
        }
        let class = attrs.get("class").filter(|c| !c.trim().is_empty());
        if class.is_some() {
            flags |= HAS_CLASS;
        }
        let n = self.append(kind, flags);
        let sig = class.map_or(0, name_hash) ^ name_hash(name);
        let node = &mut self.dom.nodes[n as usize];
        node.weight = hint.weight;
        node.cats = hint.cats;
        node.hint = hint.hint;
        node.sig = (sig ^ (sig >> 32)) as u32;
        self.note(kind, n, name, attrs);
        if !void && self.stack.len() < MAX_DEPTH {
            self.stack.push((n, name_hash(name)));
        }
        if void {
            Raw::No
        } else {
            raw_kind(name)
        }
    }

    fn end_tag(&mut self, name: &str) {
        match name {
            "br" => {
                self.append(Tag::Br, 0);
                return;
            }
            // As in HTML's tree construction, `</body>` and `</html>` close nothing: what follows
            // still belongs to the body (a stray `<html><body></body></html>` in a widget must
            // not cut the page in two).
            "body" | "html" => return,
            _ => {}
        }
        let h = name_hash(name);
        if let Some(i) = self.stack.iter().rposition(|e| e.1 == h) {
            if i > 0 {
                self.stack.truncate(i);
            }
        }
    }

    fn text(&mut self, s: &str) {
        let top = self.top();
        if self.dom.nodes[top as usize].flags & REMOVED != 0 {
            return;
        }
        let last = self.dom.nodes[top as usize].last_child;
        let start = self.dom.text.len() as u32;
        self.dom.text.push_str(s);
        let end = self.dom.text.len() as u32;
        let (chars, commas) = count_text(s);
        if last != NONE {
            let l = &mut self.dom.nodes[last as usize];
            if l.tag == Tag::Text && l.end == start {
                l.end = end;
                l.chars += chars;
                l.commas += commas;
                return;
            }
        }
        let n = self.append(Tag::Text, 0);
        let node = &mut self.dom.nodes[n as usize];
        node.start = start;
        node.end = end;
        node.chars = chars;
        node.commas = commas;
    }

    fn raw_text(&mut self, text: &str) {
        if std::mem::take(&mut self.ld_json) && self.dom.signals.ld_json.len() < 32 {
            self.dom.signals.ld_json.push(text.to_string());
        }
    }

    fn stop(&mut self) -> bool {
        if let Some(d) = self.deadline {
            self.timed_out |= Instant::now() > d;
        }
        self.timed_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags_under(dom: &Dom, n: u32) -> Vec<Tag> {
        dom.children(n).map(|c| dom.nodes[c as usize].tag).collect()
    }

    #[test]
    fn implied_ends_close_paragraphs_items_and_cells() {
        let dom = Dom::parse(
            "<body><p>a<p>b<div>c</div><ul><li>x<li>y</ul><table><tr><td>1<td>2<tr><td>3</table>",
        );
        let body = dom.body.unwrap();
        assert_eq!(
            tags_under(&dom, body),
            [Tag::P, Tag::P, Tag::Div, Tag::Ul, Tag::Table]
        );
        let ul = dom.children(body).nth(3).unwrap();
        assert_eq!(tags_under(&dom, ul), [Tag::Li, Tag::Li]);
        let table = dom.children(body).nth(4).unwrap();
        assert_eq!(tags_under(&dom, table), [Tag::Tr, Tag::Tr]);
        let tr = dom.children(table).next().unwrap();
        assert_eq!(tags_under(&dom, tr), [Tag::Td, Tag::Td]);
    }

    #[test]
    fn parents_precede_children_and_depth_is_capped() {
        let n = MAX_DEPTH * 3;
        let dom = Dom::parse(&format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n)));
        assert!(dom
            .nodes
            .iter()
            .skip(1)
            .enumerate()
            .all(|(i, nd)| (nd.parent as usize) < i + 1));
        let mut depth = 0;
        let mut cur = (dom.nodes.len() - 1) as u32;
        while cur != NONE {
            depth += 1;
            cur = dom.nodes[cur as usize].parent;
        }
        assert!(depth <= MAX_DEPTH + 2, "depth {depth}");
    }

    #[test]
    fn script_and_style_text_is_not_stored_and_title_is() {
        let dom = Dom::parse("<title>T &amp; U</title><script>if (a < b) { x = '</p>' }</script><style>p{}</style><p>ok</p>");
        assert_eq!(dom.text, "T & Uok");
        assert_eq!(dom.plain_text(dom.meta.title_node.unwrap()), "T & U");
    }

    #[test]
    fn stray_body_and_html_end_tags_close_nothing() {
        // A widget's own `<html><body></body></html>` must not cut the page in two.
        let dom = Dom::parse(
            "<html><body><div id=a><p>one</p><div><html><body></body></html></div><p>two</p></div></body></html>",
        );
        let body = dom.body.unwrap();
        let two = (0..dom.nodes.len() as u32)
            .find(|&i| dom.nodes[i as usize].tag == Tag::Text && dom.text_of(i) == "two")
            .unwrap();
        let mut cur = two;
        while cur != NONE && cur != body {
            cur = dom.nodes[cur as usize].parent;
        }
        assert_eq!(cur, body, "text after the stray tags is still in the body");
    }

    #[test]
    fn count_text_equals_counting_chars() {
        let s = "a, b\u{a0}c\u{3000}d\u{2009}e，f、g،h\u{85}i ไทย\u{1680}\u{202f}\u{205f}\u{2028}\u{fe50}\u{fe10}é";
        let chars = s.chars().filter(|c| !c.is_whitespace()).count() as u32;
        let commas = s
            .chars()
            .filter(|c| matches!(c, ',' | '，' | '、' | '،' | '﹐' | '︐'))
            .count() as u32;
        assert_eq!(count_text(s), (chars, commas));
        assert_eq!(count_text(s), (19, 6));
    }

    #[test]
    fn body_inside_unclosed_head_is_not_lost() {
        let dom = Dom::parse("<html><head><title>t</title><body><p>text</p>");
        let body = dom.body.unwrap();
        assert_ne!(
            dom.nodes[dom.nodes[body as usize].parent as usize].tag,
            Tag::Head
        );
    }
}
