//! Attribute hints: class/id names, ARIA roles, `hidden`/`display:none`, `itemprop`, and the
//! `<meta>` tags that carry title, date and author.
//!
//! Design decision: case-insensitive substring tests of class/id names against readability's
//! lists (plus cookie/share/newsletter, caption/byline/donation/author-bio names), all lists in
//! one Aho-Corasick automaton, computed once at parse time and stored in the node as a weight
//! and flags, so scoring never looks at attributes again.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::dom::{Meta, Tag, ARTICLE_BODY, BOILER_CLASS, BOILER_TAG, DIALOG, HIDDEN};
use super::tokenize::Attrs as TagAttrs;

/// Why a class/id name marks an element as boilerplate (readability's "unlikely candidates",
/// grouped so that a page type can forgive some groups: comments on a forum, banners on a
/// service page). One bit each in [`Node::cats`](super::dom::Node::cats).
pub mod cat {
    /// `comment`, `disqus`, `replies`.
    pub const COMMENT: u16 = 1;
    /// `banner`, `extra`, `supplemental`, gallery and caption names.
    pub const BANNER: u16 = 1 << 1;
    /// `header`.
    pub const HEADER: u16 = 1 << 2;
    /// `footer`.
    pub const FOOTER: u16 = 1 << 3;
    /// Menus, breadcrumbs, pagination.
    pub const NAV: u16 = 1 << 4;
    /// Sidebars.
    pub const SIDEBAR: u16 = 1 << 5;
    /// Share and social buttons.
    pub const SOCIAL: u16 = 1 << 6;
    /// Cookie banners, consent dialogs, pop-ups.
    pub const CONSENT: u16 = 1 << 7;
    /// Newsletter, subscription and sign-up boxes.
    pub const NEWSLETTER: u16 = 1 << 13;
    /// Advertising and promotion.
    pub const ADS: u16 = 1 << 8;
    /// Related, recommended, trending, "read more".
    pub const RELATED: u16 = 1 << 9;
    /// Bylines, datelines, author bios, tag lists, copyright lines.
    pub const META: u16 = 1 << 10;
    /// Donation and membership boxes.
    pub const DONATE: u16 = 1 << 11;
    /// `community` and other names readability lists without a clearer group.
    pub const OTHER: u16 = 1 << 12;
    /// Forms for the reader to write in (reply, comment, sign-up, contact), by their fields
    /// (the DOM's `WRITING_FORM`), not by name.
    pub const FORM: u16 = 1 << 14;
}

/// What a class/id word says beyond boilerplate, matched on word boundaries (`product-card`,
/// `productCard` and `card` match `card`; `discard` does not). One bit each in
/// [`Node::hint`](super::dom::Node::hint).
pub mod hint {
    /// Facets and filters of a product grid (`facet`, `filter`, `refinement`).
    pub const FACET: u16 = 1;
    /// Cards and tiles of a grid (`card`, `tile`, `teaser`, `grid-item`, `product-item`).
    pub const CARD: u16 = 1 << 1;
    /// Prices.
    pub const PRICE: u16 = 1 << 2;
    /// Tables of contents (`toc`, `table-of-contents`, `on-this-page`).
    pub const TOC: u16 = 1 << 3;
    /// Carts and checkout.
    pub const CART: u16 = 1 << 4;
    /// Reviews and ratings.
    pub const REVIEW: u16 = 1 << 5;
    /// Forum posts and answers (`post`, `message`, `answer`, `reply`).
    pub const POST: u16 = 1 << 6;
    /// Products (`product`).
    pub const PRODUCT: u16 = 1 << 7;
    /// Code (`highlight`, `code`, `syntax`, `sourceCode`).
    pub const CODE: u16 = 1 << 8;
    /// The site's own header/navigation bar (`site-header`, `masthead`, `topbar`).
    pub const CHROME: u16 = 1 << 9;
    /// Comments (`comment`, `comments`), on word boundaries.
    pub const COMMENT: u16 = 1 << 10;
    /// Author and date of a post (`author`, `username`, `date`, `time`).
    pub const BYLINE: u16 = 1 << 11;
    /// Disclosure widgets whose hidden panels are content one click away (`faq`,
    /// `accordion`, a tab's `tab-pane` or `tab__content`, `collapse`/`collapsible`,
    /// `expander`).
    pub const DISCLOSURE: u16 = 1 << 12;
}

use cat::*;

/// Readability's unlikely names, each with its group.
const UNLIKELY: &[(&str, u16)] = &[
    ("-ad-", ADS),
    ("ai2html", BANNER),
    ("banner", BANNER),
    ("breadcrumb", NAV),
    ("combx", BANNER),
    ("comment", COMMENT),
    ("community", OTHER),
    ("cover-wrap", BANNER),
    ("disqus", COMMENT),
    ("extra", BANNER),
    ("footer", FOOTER),
    ("gdpr", CONSENT),
    ("header", HEADER),
    ("legends", BANNER),
    ("menu", NAV),
    ("related", RELATED),
    ("remark", COMMENT),
    ("replies", COMMENT),
    ("rss", ADS),
    ("shoutbox", ADS),
    // A forum's site-wide announcements (XenForo's `ul.notices`), shown above every thread.
    ("notices", BANNER),
    ("sidebar", SIDEBAR),
    ("skyscraper", SIDEBAR),
    ("social", SOCIAL),
    ("sponsor", ADS),
    ("supplemental", BANNER),
    ("ad-break", ADS),
    ("agegate", CONSENT),
    ("pagination", NAV),
    ("pager", NAV),
    ("popup", CONSENT),
    ("yom-remote", ADS),
    ("cookie", CONSENT),
    ("consent", CONSENT),
    ("share", SOCIAL),
    ("sharing", SOCIAL),
    ("newsletter", NEWSLETTER),
    ("subscribe", NEWSLETTER),
    ("navbar", NAV),
    ("nav-", NAV),
    ("promo", ADS),
    ("outbrain", ADS),
    ("taboola", ADS),
    ("recommend", RELATED),
    ("trending", RELATED),
    ("most-popular", RELATED),
    ("signup", NEWSLETTER),
    // Inside article containers: captions and galleries, bylines and date lines, ads,
    // donation and paywall boxes, author bios, tag lists and "read more" blocks.
    ("caption", BANNER),
    ("credit", BANNER),
    ("gallery", BANNER),
    ("slideshow", BANNER),
    ("lightbox", BANNER),
    ("byline", META),
    // A Q&A user card's reputation and badge counts (`-flair`, `reputation-score`).
    ("reputation-score", META),
    ("-flair", META),
    ("dateline", META),
    ("timestamp", META),
    ("submitted", META),
    ("publish-info", META),
    ("advert", ADS),
    ("dfp-", ADS),
    ("donat", DONATE),
    ("support-us", DONATE),
    ("support-pay", DONATE),
    ("membership", DONATE),
    ("author-bio", META),
    ("author-info", META),
    ("about-author", META),
    ("authorbox", META),
    ("author-box", META),
    ("post-tags", META),
    ("tag-list", META),
    ("taglist", META),
    ("read-more", RELATED),
    ("readmore", RELATED),
    ("see-also", RELATED),
    ("also-read", RELATED),
    ("more-stories", RELATED),
    ("copyright", META),
];
/// Names that keep an element even when an unlikely name matched.
const MAYBE: &[&str] = &[
    "and",
    "article",
    "body",
    "column",
    "content",
    "main",
    "shadow",
    // A page layout that has a sidebar is not the sidebar.
    "layout-sidebar",
    "sidebar-layout",
    "with-sidebar",
    "has-sidebar",
    // A CMS's rich-text body (Webflow's `w-richtext`) is written text, whatever else its
    // name says.
    "richtext",
    "rich-text",
];
/// Names that contain an unlikely or negative name but mean something else: what they
/// cover is not matched. Drupal marks every node promoted to the front page
/// `node--promoted` (the article itself, on its own page), not a promotion. A shop's "SEO
/// footer" (`field-seofootercopy`, `SEOFooterContainer`) is the category's written
/// description, placed below the grid, not the site's footer.
const EXCEPT: &[&str] = &[
    "promoted",
    "seofooter",
    "seo-footer",
    "seo_footer",
    // Utility classes (Tailwind's) that say how a box overflows, not what it is: a
    // training plan's `div.overflow-x-scroll` around its tables read as a scroller widget.
    "overflow-hidden",
    "overflow-x-hidden",
    "overflow-y-hidden",
    "overflow-scroll",
    "overflow-x-scroll",
    "overflow-y-scroll",
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

/// Word-boundary names for [`hint`]: `(name, bits, whole word)`; a name that is not a whole
/// word only has to start a word (`comment` matches `comments` and `commentList`).
const HINTS: &[(&str, u16, bool)] = &[
    ("facet", hint::FACET, false),
    ("filter", hint::FACET, false),
    ("refinement", hint::FACET, false),
    ("faq", hint::DISCLOSURE, false),
    ("accordion", hint::DISCLOSURE, false),
    ("tab-pane", hint::DISCLOSURE, false),
    ("tab__content", hint::DISCLOSURE, false),
    ("collaps", hint::DISCLOSURE, false),
    ("expander", hint::DISCLOSURE, false),
    ("card", hint::CARD, false),
    ("tile", hint::CARD, false),
    ("teaser", hint::CARD, false),
    ("grid-item", hint::CARD, false),
    ("product-item", hint::CARD | hint::PRODUCT, false),
    ("price", hint::PRICE, false),
    ("toc", hint::TOC, true),
    ("table-of-contents", hint::TOC, false),
    ("tableofcontents", hint::TOC, false),
    ("on-this-page", hint::TOC, false),
    ("cart", hint::CART, true),
    ("basket", hint::CART, false),
    ("checkout", hint::CART, false),
    ("review", hint::REVIEW, false),
    ("rating", hint::REVIEW, false),
    ("post", hint::POST, false),
    ("message", hint::POST, false),
    ("answer", hint::POST, false),
    ("reply", hint::POST, false),
    ("product", hint::PRODUCT, false),
    ("highlight", hint::CODE, false),
    ("code", hint::CODE, true),
    ("syntax", hint::CODE, false),
    ("sourcecode", hint::CODE, false),
    ("site-header", hint::CHROME, false),
    ("masthead", hint::CHROME, false),
    ("topbar", hint::CHROME, false),
    ("comment", hint::COMMENT, false),
    ("author", hint::BYLINE, false),
    ("username", hint::BYLINE, false),
    ("user-name", hint::BYLINE, false),
    ("date", hint::BYLINE, true),
    ("time", hint::BYLINE, true),
];

/// What the attributes of one element say.
#[derive(Debug, Default, Clone, Copy)]
pub struct Attrs {
    pub flags: u16,
    pub weight: i16,
    /// Boilerplate groups ([`cat`]) of the unlikely names, 0 when a "maybe" name is present
    /// too or the element is structural.
    pub cats: u16,
    /// Word-boundary hints ([`hint`]).
    pub hint: u16,
}

/// What one pattern of the automaton means.
#[derive(Debug, Clone, Copy, Default)]
struct Meaning {
    /// Unlikely groups (substring match).
    cats: u16,
    maybe: bool,
    negative: bool,
    positive: bool,
    /// Word-boundary hints, and whether the whole word must match.
    hint: u16,
    whole_word: bool,
    /// On [`EXCEPT`]: the names inside it do not count.
    except: bool,
}

/// What all the names of one attribute hit.
#[derive(Debug, Default, Clone, Copy)]
pub struct Hits {
    cats: u16,
    maybe: bool,
    negative: bool,
    positive: bool,
    hint: u16,
}

/// One ASCII-case-insensitive automaton over all lists, each pattern with its meaning: a
/// class name is scanned once instead of once per needle.
fn name_lists() -> &'static (AhoCorasick, Vec<Meaning>) {
    static LISTS: OnceLock<(AhoCorasick, Vec<Meaning>)> = OnceLock::new();
    LISTS.get_or_init(|| {
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut meanings: Vec<Meaning> = Vec::new();
        let mut at = |p: &'static str| -> usize {
            if let Some(i) = patterns.iter().position(|&q| q == p) {
                return i;
            }
            patterns.push(p);
            meanings.push(Meaning::default());
            patterns.len() - 1
        };
        let mut plan: Vec<(usize, Meaning)> = Vec::new();
        for &(p, c) in UNLIKELY {
            plan.push((
                at(p),
                Meaning {
                    cats: c,
                    ..Meaning::default()
                },
            ));
        }
        for &p in MAYBE {
            plan.push((
                at(p),
                Meaning {
                    maybe: true,
                    ..Meaning::default()
                },
            ));
        }
        for &p in NEGATIVE {
            plan.push((
                at(p),
                Meaning {
                    negative: true,
                    ..Meaning::default()
                },
            ));
        }
        for &p in POSITIVE {
            plan.push((
                at(p),
                Meaning {
                    positive: true,
                    ..Meaning::default()
                },
            ));
        }
        for &p in EXCEPT {
            plan.push((
                at(p),
                Meaning {
                    except: true,
                    ..Meaning::default()
                },
            ));
        }
        for &(p, h, whole_word) in HINTS {
            plan.push((
                at(p),
                Meaning {
                    hint: h,
                    whole_word,
                    ..Meaning::default()
                },
            ));
        }
        for (i, m) in plan {
            let x = &mut meanings[i];
            x.cats |= m.cats;
            x.maybe |= m.maybe;
            x.negative |= m.negative;
            x.positive |= m.positive;
            x.hint |= m.hint;
            x.whole_word |= m.whole_word;
            x.except |= m.except;
        }
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("static class-name patterns");
        (ac, meanings)
    })
}

/// Does a word start at byte `i` of `s` (start, after a non-alphanumeric, or a camelCase
/// hump)?
fn word_starts(s: &[u8], i: usize) -> bool {
    i == 0
        || !s[i - 1].is_ascii_alphanumeric()
        || (s[i - 1].is_ascii_lowercase() && s[i].is_ascii_uppercase())
}

/// Does a word end just before byte `i`?
fn word_ends(s: &[u8], i: usize) -> bool {
    i >= s.len()
        || !s[i].is_ascii_alphanumeric()
        || (s[i - 1].is_ascii_lowercase() && s[i].is_ascii_uppercase())
}

fn name_hits(name: &str) -> Hits {
    let (ac, meanings) = name_lists();
    let b = name.as_bytes();
    let mut h = Hits::default();
    let add = |h: &mut Hits, m: &aho_corasick::Match| {
        let x = &meanings[m.pattern().as_usize()];
        h.cats |= x.cats;
        h.maybe |= x.maybe;
        h.negative |= x.negative;
        h.positive |= x.positive;
        if x.hint != 0 && word_starts(b, m.start()) && (!x.whole_word || word_ends(b, m.end())) {
            h.hint |= x.hint;
        }
    };
    // One pass; a value with an [`EXCEPT`] name (rare) is read again without what it covers.
    let mut excepted = false;
    for m in ac.find_overlapping_iter(name) {
        excepted |= meanings[m.pattern().as_usize()].except;
        add(&mut h, &m);
    }
    if !excepted {
        return h;
    }
    let spans: Vec<(usize, usize)> = ac
        .find_overlapping_iter(name)
        .filter(|m| meanings[m.pattern().as_usize()].except)
        .map(|m| (m.start(), m.end()))
        .collect();
    let mut h = Hits::default();
    for m in ac.find_overlapping_iter(name) {
        if !spans.iter().any(|&(s, e)| s <= m.start() && m.end() <= e) {
            add(&mut h, &m);
        }
    }
    h
}

fn name_weight(h: Hits) -> i16 {
    let mut w = 0;
    if h.negative {
        w -= 25;
    }
    if h.positive {
        w += 25;
    }
    w
}

/// What class/id values hit, remembered per page by a hash of the value: templates repeat the
/// same class strings hundreds of times.
#[derive(Debug, Default)]
pub struct HitCache(std::collections::HashMap<u64, Hits, ahash::RandomState>);

impl HitCache {
    fn hits(&mut self, value: &str) -> Hits {
        let key = value_hash(value);
        if let Some(&h) = self.0.get(&key) {
            return h;
        }
        let h = name_hits(value);
        if self.0.len() < 4096 {
            self.0.insert(key, h);
        }
        h
    }
}

/// FNV-1a of an attribute value.
pub fn value_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Flags, weight and hints of an element from its attributes.
pub fn read_attrs(attrs: &TagAttrs, tag: Tag, cache: &mut HitCache) -> Attrs {
    let mut out = Attrs::default();
    let mut names = Hits::default();
    let mut tabpanel = false;
    for (name, value) in attrs.iter() {
        match name {
            "class" | "id" => {
                let hits = cache.hits(value);
                out.weight += name_weight(hits);
                names.cats |= hits.cats;
                names.maybe |= hits.maybe;
                names.hint |= hits.hint;
            }
            "hidden" => out.flags |= HIDDEN,
            "style" => out.flags |= style_flags(value),
            "role" => {
                out.flags |= role_flags(value);
                tabpanel |= value.trim().eq_ignore_ascii_case("tabpanel");
            }
            "itemprop" if value.eq_ignore_ascii_case("articleBody") => out.flags |= ARTICLE_BODY,
            _ => {}
        }
    }
    // A tab's panel is content one click away (the other languages of a code sample, a
    // product's specifications): hidden until chosen, not hidden from the reader. So is an
    // FAQ's or accordion's collapsed answer (`div.faq__answer[style="display:none"]`).
    if tabpanel || names.hint & hint::DISCLOSURE != 0 {
        out.flags &= !HIDDEN;
    }
    out.hint = names.hint;
    let structural = matches!(
        tag,
        Tag::Body | Tag::Html | Tag::A | Tag::Article | Tag::Main
    );
    // A heading named for a header (`h3.card__header`, `h2.section-header`) is the heading of
    // its block, not the site's header.
    if matches!(tag, Tag::Heading(_)) {
        names.cats &= !cat::HEADER;
    }
    if !structural && names.cats != 0 && !names.maybe {
        out.flags |= BOILER_CLASS;
        out.cats = names.cats;
    }
    out
}

fn style_flags(style: &str) -> u16 {
    if style_has(style, "display", "none") || style_has(style, "visibility", "hidden") {
        HIDDEN
    } else {
        0
    }
}

/// Does the inline style set `prop` to `value` (ASCII case and spaces ignored)?
fn style_has(style: &str, prop: &str, value: &str) -> bool {
    let b = style.as_bytes();
    let mut from = 0;
    while let Some(i) = find_ci(&b[from..], prop.as_bytes()) {
        let mut j = from + i + prop.len();
        from = j;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) != Some(&b':') {
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.len() >= j + value.len()
            && b[j..j + value.len()].eq_ignore_ascii_case(value.as_bytes())
        {
            return true;
        }
    }
    false
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn role_flags(role: &str) -> u16 {
    match role.trim().to_ascii_lowercase().as_str() {
        // A menu's items and a list box are controls even where no container says "menu"
        // (GitHub's language picker: 200 `a[role=menuitemradio]` in plain `div`s).
        "navigation" | "contentinfo" | "complementary" | "menu" | "menubar" | "search"
        | "menuitem" | "menuitemradio" | "menuitemcheckbox" | "listbox" => BOILER_TAG,
        "dialog" | "alertdialog" => BOILER_TAG | DIALOG,
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
        "og:type" if meta.og_type.is_none() => meta.og_type = Some(content.to_ascii_lowercase()),
        "og:url" if meta.url.is_none() => meta.url = Some(content.to_string()),
        "generator" if meta.generator.is_none() => {
            meta.generator = Some(content.to_ascii_lowercase())
        }
        "description" | "og:description" if meta.description.is_none() => {
            meta.description = Some(content.to_string())
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
