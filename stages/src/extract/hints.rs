//! Attribute hints: class/id names, ARIA roles, `hidden`/`display:none`, `itemprop`, and the
//! `<meta>` tags that carry title, date and author.
//!
//! Design decision: case-insensitive substring tests of class/id names against readability's
//! lists (plus cookie/share/newsletter, caption/byline/donation/author-bio names), all lists in
//! one Aho-Corasick automaton, computed once at parse time and stored in the node as a weight
//! and flags, so scoring never looks at attributes again.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::dom::{Meta, Tag, ARTICLE_BODY, BOILER_CLASS, BOILER_TAG, HIDDEN};
use super::tokenize::Attrs as TagAttrs;

/// Names that mark an element as boilerplate unless an "ok" name is present too.
const UNLIKELY: &[&str] = &[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "yom-remote",
    "cookie",
    "consent",
    "share",
    "sharing",
    "newsletter",
    "subscribe",
    "navbar",
    "nav-",
    "promo",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
    "most-popular",
    "signup",
    // Inside article containers: captions and galleries, bylines and date lines, ads,
    // donation and paywall boxes, author bios, tag lists and "read more" blocks.
    "caption",
    "credit",
    "gallery",
    "slideshow",
    "lightbox",
    "byline",
    "dateline",
    "timestamp",
    "submitted",
    "publish-info",
    "advert",
    "dfp-",
    "donat",
    "support-us",
    "support-pay",
    "membership",
    "author-bio",
    "author-info",
    "about-author",
    "authorbox",
    "author-box",
    "post-tags",
    "tag-list",
    "taglist",
    "read-more",
    "readmore",
    "see-also",
    "also-read",
    "more-stories",
    "copyright",
];
/// Names that keep an element even when an unlikely name matched.
const MAYBE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "shadow",
];
/// Names that lower an element's content score.
const NEGATIVE: &[&str] = &[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "foot",
    "footer",
    "footnote",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "cookie",
    "newsletter",
];
/// Names that raise an element's content score.
const POSITIVE: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story",
];

/// What the attributes of one element say.
#[derive(Debug, Default, Clone, Copy)]
pub struct Attrs {
    pub flags: u16,
    pub weight: i16,
}

/// Which of the lists a class/id name hit, one bit per list.
const HIT_UNLIKELY: u8 = 1;
const HIT_MAYBE: u8 = 2;
const HIT_NEGATIVE: u8 = 4;
const HIT_POSITIVE: u8 = 8;

/// One ASCII-case-insensitive automaton over all four lists, each pattern with its list bits:
/// a class name is scanned once instead of once per needle.
fn name_lists() -> &'static (AhoCorasick, Vec<u8>) {
    static LISTS: OnceLock<(AhoCorasick, Vec<u8>)> = OnceLock::new();
    LISTS.get_or_init(|| {
        let mut patterns: Vec<&str> = Vec::new();
        let mut bits: Vec<u8> = Vec::new();
        let lists = [
            (UNLIKELY, HIT_UNLIKELY),
            (MAYBE, HIT_MAYBE),
            (NEGATIVE, HIT_NEGATIVE),
            (POSITIVE, HIT_POSITIVE),
        ];
        for (list, bit) in lists {
            for &p in list {
                match patterns.iter().position(|&q| q == p) {
                    Some(i) => bits[i] |= bit,
                    None => {
                        patterns.push(p);
                        bits.push(bit);
                    }
                }
            }
        }
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("static class-name patterns");
        (ac, bits)
    })
}

fn name_hits(name: &str) -> u8 {
    let (ac, bits) = name_lists();
    ac.find_overlapping_iter(name)
        .fold(0, |acc, m| acc | bits[m.pattern().as_usize()])
}

fn name_weight(hits: u8) -> i16 {
    let mut w = 0;
    if hits & HIT_NEGATIVE != 0 {
        w -= 25;
    }
    if hits & HIT_POSITIVE != 0 {
        w += 25;
    }
    w
}

/// Flags and weight of an element from its attributes.
pub fn read_attrs(attrs: &TagAttrs, tag: Tag) -> Attrs {
    let mut out = Attrs::default();
    let mut names = 0u8;
    for (name, value) in attrs.iter() {
        match name {
            "class" | "id" => {
                let hits = name_hits(value);
                out.weight += name_weight(hits);
                names |= hits;
            }
            "hidden" => out.flags |= HIDDEN,
            "style" => out.flags |= style_flags(value),
            "role" => out.flags |= role_flags(value),
            "itemprop" if value.eq_ignore_ascii_case("articleBody") => out.flags |= ARTICLE_BODY,
            _ => {}
        }
    }
    let structural = matches!(
        tag,
        Tag::Body | Tag::Html | Tag::A | Tag::Article | Tag::Main
    );
    if !structural && names & HIT_UNLIKELY != 0 && names & HIT_MAYBE == 0 {
        out.flags |= BOILER_CLASS;
    }
    out
}

fn style_flags(style: &str) -> u16 {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if compact.contains("display:none") || compact.contains("visibility:hidden") {
        HIDDEN
    } else {
        0
    }
}

fn role_flags(role: &str) -> u16 {
    match role.trim().to_ascii_lowercase().as_str() {
        "navigation" | "contentinfo" | "complementary" | "menu" | "menubar" | "search" => {
            BOILER_TAG
        }
        "dialog" | "alertdialog" => BOILER_CLASS,
        _ => 0,
    }
}

/// Record title, date and author from one `<meta>` tag.
pub fn read_meta(attrs: &TagAttrs, meta: &mut Meta) {
    let Some(content) = attrs
        .get("content")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return;
    };
    let key = ["property", "name", "itemprop"]
        .iter()
        .find_map(|k| attrs.get(k))
        .unwrap_or("")
        .to_ascii_lowercase();
    match key.as_str() {
        "og:title" | "twitter:title" if meta.og_title.is_none() => {
            meta.og_title = Some(content.to_string())
        }
        "article:published_time"
        | "datepublished"
        | "date"
        | "pubdate"
        | "publish-date"
        | "publishdate"
        | "dc.date"
        | "dc.date.issued"
        | "og:published_time"
        | "sailthru.date"
        | "parsely-pub-date"
            if meta.date.is_none() =>
        {
            meta.date = Some(content.to_string())
        }
        "author" | "article:author" | "byl" | "dc.creator" | "parsely-author"
        | "sailthru.author"
            if meta.author.is_none() && !content.starts_with("http") =>
        {
            let a = content.strip_prefix("By ").unwrap_or(content);
            meta.author = Some(a.trim().to_string())
        }
        _ => {}
    }
}
