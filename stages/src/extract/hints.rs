//! Attribute hints: class/id names, ARIA roles, `hidden`/`display:none`, `itemprop`, and the
//! `<meta>` tags that carry title, date and author.
//!
//! Design decision: plain lower-case substring tests over one short string per element
//! (readability's lists plus cookie/share/newsletter names), computed once at parse time and
//! stored in the node as a weight and flags, so scoring never looks at attributes again.

use html5ever::interface::Attribute;

use super::dom::{Meta, Tag, ARTICLE_BODY, BOILER_CLASS, BOILER_TAG, REMOVED};

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
    "widget",
    "promo",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
    "most-popular",
    "signup",
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
    pub flags: u8,
    pub weight: i16,
}

/// The value of attribute `name`, if present.
pub fn attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

fn any_in(hay: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| hay.contains(n))
}

fn name_weight(name: &str) -> i16 {
    if name.is_empty() {
        return 0;
    }
    let mut w = 0;
    if any_in(name, NEGATIVE) {
        w -= 25;
    }
    if any_in(name, POSITIVE) {
        w += 25;
    }
    w
}

/// Flags and weight of an element from its attributes.
pub fn read_attrs(attrs: &[Attribute], tag: Tag) -> Attrs {
    let mut out = Attrs::default();
    let mut names = String::new();
    for a in attrs {
        let value = &*a.value;
        match &*a.name.local {
            "class" | "id" => {
                let lower = value.to_ascii_lowercase();
                out.weight += name_weight(&lower);
                names.push_str(&lower);
                names.push(' ');
            }
            "hidden" => out.flags |= REMOVED,
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
    if !structural && any_in(&names, UNLIKELY) && !any_in(&names, MAYBE) {
        out.flags |= BOILER_CLASS;
    }
    out
}

fn style_flags(style: &str) -> u8 {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if compact.contains("display:none") || compact.contains("visibility:hidden") {
        REMOVED
    } else {
        0
    }
}

fn role_flags(role: &str) -> u8 {
    match role.trim().to_ascii_lowercase().as_str() {
        "navigation" | "contentinfo" | "complementary" | "menu" | "menubar" | "search" => {
            BOILER_TAG
        }
        "dialog" | "alertdialog" => BOILER_CLASS,
        _ => 0,
    }
}

/// Record title, date and author from one `<meta>` tag.
pub fn read_meta(attrs: &[Attribute], meta: &mut Meta) {
    let Some(content) = attr(attrs, "content")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return;
    };
    let key = ["property", "name", "itemprop"]
        .iter()
        .find_map(|k| attr(attrs, k))
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
