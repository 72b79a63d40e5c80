//! Main-text extraction: HTML in, the article's text (plus title, date, author) out.
//!
//! Design decision: one parse into a flat DOM ([`dom`]), then a fallback chain of passes over
//! that same tree, each recorded in [`Extracted::pass`]: `"main"` scores paragraph-ish blocks
//! readability-style (class/id hints, link density, `<article>`/`itemprop=articleBody`) and
//! keeps the best container with its siblings, first with class-named boilerplate removed and
//! then without; when that yields too little (under [`MIN_MAIN_CHARS`] characters *and* under
//! half of the page's visible text) `"fallback"` keeps the whole body minus structural
//! boilerplate and link-dense blocks; `"none"` means no text at all. All lengths are in
//! characters, so pages without spaces between words (Thai, Burmese, Khmer, Lao, Chinese)
//! are measured like any other. [`extract_within`] bounds the work: the parser looks at the
//! clock every thousand tokens and between passes, and a page over its time gives
//! [`ExtractTimeout`] (the stage's `extract_timeout` drop) instead of partial text.

pub mod aeb;
mod cards;
mod dom;
pub mod files;
mod hints;
mod page_type;
mod render;
mod repeats;
mod score;
mod structured;
mod suspense;
mod tokenize;
pub mod wcxb;

use std::time::{Duration, Instant};

use pipeline::{Assets, BuildError, BuildStage, Doc, Outcome, Stage, StageError};
use serde::{Deserialize, Serialize};

use dom::{Dom, BOILER_CLASS, BOILER_TAG, GONE};
use render::Cleaner;
use score::Counts;

pub use dom::MAX_DEPTH;
pub use page_type::PageType;

/// Below this many characters the main pass may give way to the fallback pass.
pub const MIN_MAIN_CHARS: usize = 250;

/// What [`extract`] found in a page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extracted {
    /// `og:title`, else `<title>`, else the first `<h1>`.
    pub title: Option<String>,
    /// The main text: one line per paragraph, heading, list item or table row.
    pub text: String,
    /// Publication date as written in the page's metadata (`article:published_time`, ...).
    pub date: Option<String>,
    /// Author from the page's metadata.
    pub author: Option<String>,
    /// Which pass produced `text`: `"main"`, `"fallback"` or `"none"`.
    pub pass: &'static str,
    /// What kind of page this is: `article`, `forum`, `product`, `collection`, `listing`,
    /// `documentation` or `service` (see [`PageType`]).
    pub page_type: &'static str,
}

/// Which way to lean when it is unclear whether a block is main text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Favor {
    /// Leave out doubtful blocks: cleaner text, some main text lost.
    Precision,
    /// The default.
    #[default]
    Balanced,
    /// Keep doubtful blocks: more of the main text, more boilerplate.
    Recall,
}

impl std::fmt::Display for Favor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Favor::Precision => "precision",
            Favor::Balanced => "balanced",
            Favor::Recall => "recall",
        })
    }
}

/// A `favor` value that is not one of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown favor \"{0}\": expected precision, balanced or recall")]
pub struct UnknownFavor(pub String);

impl std::str::FromStr for Favor {
    type Err = UnknownFavor;
    fn from_str(s: &str) -> Result<Favor, UnknownFavor> {
        match s {
            "precision" => Ok(Favor::Precision),
            "balanced" => Ok(Favor::Balanced),
            "recall" => Ok(Favor::Recall),
            _ => Err(UnknownFavor(s.to_string())),
        }
    }
}

/// How to extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Precision/recall trade-off.
    pub favor: Favor,
}

/// A page whose extraction ran past its time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("extraction took longer than {0:?}")]
pub struct ExtractTimeout(pub Duration);

/// Extract the main text and metadata of an HTML page with the default [`Options`], however
/// long it takes.
pub fn extract(html: &str) -> Extracted {
    extract_with(html, &Options::default())
}

/// [`extract`] with `options`.
pub fn extract_with(html: &str, options: &Options) -> Extracted {
    let dom = Dom::parse(html);
    let page = Page::read(&dom);
    let profile = Profile::for_page(&page, options.favor);
    let (text, pass) = main_text(&dom, &page, &profile, None).unwrap_or((String::new(), "none"));
    with_meta(&dom, text, pass, page.page_type)
}

/// What is known about a parsed page before choosing its text.
struct Page {
    ld: structured::LinkedData,
    cards: cards::Cards,
    page_type: PageType,
    /// The page says it is an article ([`page_type::classify`]), not only by default.
    article_evidence: bool,
}

impl Page {
    fn read(dom: &Dom) -> Page {
        let ld = structured::linked_data(dom);
        let cards = cards::cards(dom);
        let (page_type, article_evidence) = page_type::classify(dom, &ld, &cards);
        Page {
            ld,
            cards,
            page_type,
            article_evidence,
        }
    }
}

/// [`extract`], giving up after about `limit` (checked while parsing and between passes).
pub fn extract_within(html: &str, limit: Duration) -> Result<Extracted, ExtractTimeout> {
    extract_within_with(html, &Options::default(), limit)
}

/// [`extract_within`] with `options`.
pub fn extract_within_with(
    html: &str,
    options: &Options,
    limit: Duration,
) -> Result<Extracted, ExtractTimeout> {
    let deadline = Instant::now().checked_add(limit);
    let timeout = ExtractTimeout(limit);
    let dom = Dom::parse_until(html, deadline).ok_or(timeout)?;
    let page = Page::read(&dom);
    let profile = Profile::for_page(&page, options.favor);
    let (text, pass) = main_text(&dom, &page, &profile, deadline).ok_or(timeout)?;
    Ok(with_meta(&dom, text, pass, page.page_type))
}

fn with_meta(dom: &Dom, text: String, pass: &'static str, page_type: PageType) -> Extracted {
    // A block that repeats an earlier one (a section's hidden mobile copy, a quoted post) is
    // dropped, except on documentation, where code tabs in several languages legitimately
    // share lines (see [`repeats`]).
    let text = if page_type == PageType::Documentation {
        text
    } else {
        repeats::drop_repeated_blocks(text)
    };
    Extracted {
        title: title(dom),
        text,
        date: dom
            .meta
            .date
            .clone()
            .or_else(|| dom.meta.time_datetime.clone()),
        author: dom.meta.author.clone(),
        pass,
        page_type: page_type.as_str(),
    }
}

fn char_len(s: &str) -> usize {
    dom::count_text(s).0 as usize
}

fn title(dom: &Dom) -> Option<String> {
    let from_node = |n: Option<u32>| n.map(|n| dom.plain_text(n)).filter(|t| !t.is_empty());
    dom.meta
        .og_title
        .clone()
        .or_else(|| from_node(dom.meta.title_node))
        .or_else(|| from_node(dom.meta.first_h1))
}

/// How to extract one page: from its type and the caller's [`Favor`].
struct Profile {
    /// Class-named boilerplate groups ([`hints::cat`]) kept on this page.
    forgive: u16,
    /// Climb from the chosen container while it holds less than this share of the
    /// paragraph-like text of its parent.
    climb: f32,
    /// Climb until the chosen nodes hold at least this share of the page's paragraph-like
    /// text.
    page_share: f32,
    /// Siblings chosen beside the best block stand for their parent: keep the parent whole
    /// (its headings, lists and tables between and after them), as a page of sections
    /// reads; an article keeps only the chosen siblings (readability).
    sections: bool,
    /// Runs of teaser cards ([`cards`]) are boilerplate, when they hold at most
    /// `card_share` of the page's text (else the page is a list of them).
    cards_are_junk: bool,
    card_share: f32,
    /// The page is a list: keep its largest run of items, when its text is longer than
    /// `list_ratio` times the readability text.
    list: bool,
    list_ratio: f32,
    /// Class-named reviews and ratings are boilerplate.
    reviews_are_junk: bool,
    /// Post-named blocks (`message`, `post`) with a paragraph of their own are the thread,
    /// never small teaser boxes ([`Cleaner::posts_ok`]).
    posts_are_content: bool,
    /// Keep the `h1` headline.
    keep_h1: bool,
    /// Keep link lists inside the chosen content ([`Cleaner::link_lists_ok`]).
    link_lists: bool,
}

impl Profile {
    /// The page type's profile; an article only by default (nothing in the page's markup
    /// says so: a course's landing page, a link aggregator's thread, a guide built of
    /// sections) is read as pages of other types are, climbing to half the page's text and
    /// keeping its sections whole: WCXB dev +0.0006 (11 up, 14 down), AEB +0.0006.
    fn for_page(page: &Page, favor: Favor) -> Profile {
        let mut p = Profile::new(page.page_type, favor);
        if page.page_type == PageType::Article
            && !page.article_evidence
            && favor != Favor::Precision
        {
            p.page_share = 0.5;
            p.sections = true;
        }
        p
    }

    fn new(page_type: PageType, favor: Favor) -> Profile {
        use hints::cat;
        use PageType::*;
        let mut p = Profile {
            // Forums: comments are the page. Service and collection pages: page builders
            // name their content blocks `banner` (Flatsome's hero and feature sections, a
            // category's header with its description).
            forgive: match page_type {
                Forum => cat::COMMENT | cat::OTHER,
                Service => cat::BANNER | cat::FORM,
                Collection => cat::BANNER,
                _ => 0,
            },
            climb: 0.7,
            // Articles keep to their container; other pages spread content over several.
            page_share: if page_type == Article { 0.35 } else { 0.5 },
            sections: page_type != Article,
            cards_are_junk: !matches!(page_type, Listing | Documentation),
            // A collection page's product grid is what it lists: kept from a smaller share
            // (measured on WCXB dev: 0.3 +0.0008, 0.2 +0.0004, 0.4 +0.0004).
            card_share: if page_type == Collection { 0.3 } else { 0.5 },
            list: page_type == Listing,
            list_ratio: 1.0,
            reviews_are_junk: page_type == Product,
            posts_are_content: page_type == Forum,
            keep_h1: matches!(page_type, Service | Product | Collection | Listing),
            // Link lists inside the chosen content are content on every page type but
            // articles and forums (a service page's partner list, a shop's size guide): on
            // WCXB dev service +0.0003, collection +0.0009, listing +0.0004, product
            // +0.0003; forum −0.0001 over 73 pages, left out.
            link_lists: matches!(
                page_type,
                Documentation | Service | Collection | Listing | Product
            ),
        };
        match favor {
            Favor::Balanced => {}
            Favor::Precision => {
                p.forgive &= !cat::BANNER;
                p.page_share = if page_type == Article { 0.0 } else { 0.3 };
                p.card_share = 1.0;
                p.list_ratio = 1.5;
                p.keep_h1 = false;
                p.link_lists = false;
            }
            Favor::Recall => {
                p.forgive |= cat::BANNER | cat::OTHER;
                p.page_share = if page_type == Article { 0.5 } else { 0.7 };
                p.card_share = 0.3;
                p.list_ratio = 0.7;
                p.keep_h1 = true;
            }
        }
        p
    }
}

/// The readability pass under one removal mask.
fn readability(dom: &Dom, mask: u16, profile: &Profile, junk: Option<&[bool]>) -> String {
    let counts = Counts::with_dead(dom, mask, profile.forgive, junk);
    let scores = score::candidate_scores(dom, &counts);
    let Some(top) = score::top_candidate(dom, &scores) else {
        return String::new();
    };
    let mut roots = score::with_siblings(dom, &counts, &scores, top);
    {
        // Climb while the chosen nodes hold under 70 % of the paragraph-like text of the
        // next ancestor (content split into many sibling containers).
        let share = profile.climb;
        let mut covered: u32 = roots.iter().map(|&r| counts.good[r as usize]).sum();
        let mut cur = if roots.len() > 1 {
            dom.nodes[top as usize].parent
        } else {
            top
        };
        let body = dom.body.unwrap_or(0);
        let page_good = counts.good[body as usize] as f32;
        while cur != body && cur != 0 {
            let p = dom.nodes[cur as usize].parent;
            if p == dom::NONE || p == 0 {
                break;
            }
            let gp = counts.good[p as usize];
            if covered as f32 >= share * gp as f32
                && covered as f32 >= profile.page_share * page_good
            {
                break;
            }
            cur = p;
            covered = gp;
            roots = vec![p];
        }
        if roots.len() > 1 && profile.sections {
            roots = vec![dom.nodes[top as usize].parent];
        }
    }
    let cleaner = Cleaner {
        dom,
        counts: &counts,
        strict: true,
        links_ok: false,
        keep_h1: profile.keep_h1,
        link_lists_ok: profile.link_lists,
        posts_ok: profile.posts_are_content,
    };
    cleaner.render(&roots)
}

/// The body (or the whole page) minus structural boilerplate and link-dense blocks.
fn fallback(dom: &Dom, profile: &Profile, junk: Option<&[bool]>) -> (String, usize) {
    let counts = Counts::with_dead(dom, GONE | BOILER_TAG, profile.forgive, junk);
    let root = dom.body.unwrap_or(0);
    let cleaner = Cleaner {
        dom,
        counts: &counts,
        strict: false,
        links_ok: false,
        keep_h1: true,
        link_lists_ok: false,
        posts_ok: profile.posts_are_content,
    };
    let visible = counts.chars[root as usize] as usize;
    (cleaner.render(&[root]), visible)
}

/// `None` when `deadline` passes between two passes.
/// Text from structured data: whitespace runs without a line break become one space, line
/// breaks are kept, empty lines dropped.
fn collapse_lines(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn main_text(
    dom: &Dom,
    page: &Page,
    profile: &Profile,
    deadline: Option<Instant>,
) -> Option<(String, &'static str)> {
    let ld = &page.ld;
    let late = || deadline.is_some_and(|d| Instant::now() > d);
    let render_list = || {
        page.cards.list_root.map(|_| {
            let counts = Counts::new(dom, GONE | BOILER_TAG | BOILER_CLASS, profile.forgive);
            let cleaner = Cleaner {
                dom,
                counts: &counts,
                strict: false,
                links_ok: true,
                keep_h1: true,
                link_lists_ok: false,
                posts_ok: profile.posts_are_content,
            };
            cleaner.render(&page.cards.list_roots)
        })
    };
    let mut list_text = if profile.list { render_list() } else { None };
    if late() {
        return None;
    }
    let (text, pass, loose) = main_text_inner(dom, page, profile, deadline)?;
    let mut out = (text, pass);
    // Next to nothing found on a page typed otherwise, or no content block at all (the
    // body-wide fallback), whose content is a list of teasers (a news site's topic page, a
    // library's subject listing): the list, as on a listing, when longer.
    if !profile.list && (char_len(&out.0) < 100 || out.1 == "fallback") {
        list_text = render_list();
    }
    // A block found beside a list of items five times its length, on a page typed
    // otherwise (a shop's category page read as an article, where the main pass finds the
    // sale banner; a news section read as a forum, where it keeps one teaser): the list.
    // On a listing, a main text that only the loose pass found (class-named boilerplate
    // let back in: the site header's sign-up box above a news list of linked titles) gives
    // way to the list.
    let mut short_found = profile.list && loose && list_text.is_some();
    if !profile.list && list_text.is_none() {
        list_text = render_list().filter(|l| char_len(l) > 5 * char_len(&out.0));
        short_found = list_text.is_some();
    }
    // Little visible text (a page its scripts fill in or reveal: a few lines of banner and
    // menu are all a shop's locked product page shows): the article or product text of the
    // page's own structured data, when at least twice as long.
    if char_len(&out.0) < SHORT_TEXT {
        let described = ld
            .bodies
            .first()
            .into_iter()
            .chain(&ld.product_description)
            .max_by_key(|t| char_len(t));
        if let Some(d) = described {
            if char_len(d) > 2 * char_len(&out.0) {
                out = (collapse_lines(d), "fallback");
            }
        }
    }
    if let Some(list) = list_text {
        if short_found || char_len(&list) as f32 > profile.list_ratio * char_len(&out.0) as f32 {
            return Some((list, "main"));
        }
    }
    Some(out)
}

/// Main text shorter than this (in characters) gives way to the page's structured-data text
/// when that is at least twice as long: on WCXB dev the limit matters from 100 up (a locked
/// Shopify product page whose visible text is 150 characters of banners); up to 3,000 no
/// other page changes, as the structured text must also be twice as long.
const SHORT_TEXT: usize = 500;

fn main_text_inner(
    dom: &Dom,
    page: &Page,
    profile: &Profile,
    deadline: Option<Instant>,
) -> Option<(String, &'static str, bool)> {
    let late = || deadline.is_some_and(|d| Instant::now() > d);
    let cards = if profile.cards_are_junk {
        let c = &page.cards;
        let mut junk = if c.card_chars as f32 <= profile.card_share * c.page_chars as f32 {
            c.card.clone()
        } else {
            vec![false; dom.nodes.len()]
        };
        if profile.reviews_are_junk {
            for (j, n) in junk.iter_mut().zip(&dom.nodes) {
                *j |= n.hint & hints::hint::REVIEW != 0 && n.tag != dom::Tag::Body;
            }
        }
        Some(junk)
    } else {
        None
    };
    let junk = cards.as_deref();
    let mut best = readability(dom, GONE | BOILER_TAG | BOILER_CLASS, profile, junk);
    let mut best_len = char_len(&best);
    if late() {
        return None;
    }
    let mut loose_used = false;
    if best_len < MIN_MAIN_CHARS {
        let loose = readability(dom, GONE | BOILER_TAG, profile, junk);
        let loose_len = char_len(&loose);
        if loose_len > best_len {
            (best, best_len) = (loose, loose_len);
            loose_used = true;
        }
    }
    if best_len < MIN_MAIN_CHARS {
        if late() {
            return None;
        }
        let (fb, visible) = fallback(dom, profile, junk);
        let fb_len = char_len(&fb);
        if best_len * 2 < visible && fb_len > best_len {
            return Some((fb, "fallback", false));
        }
    }
    if best_len == 0 {
        return Some((String::new(), "none", false));
    }
    Some((best, "main", loose_used))
}

/// Stable reasons for which the `extract` stage drops a page.
pub mod reason {
    pipeline::drop_reasons! {
        /// The document reached extraction without HTML.
        NO_HTML = "no_html";
        /// The decoded HTML is larger than `max_html_bytes`.
        HTML_TOO_LARGE = "html_too_large";
        /// Extraction took longer than `max_millis`.
        EXTRACT_TIMEOUT = "extract_timeout";
        /// The extracted text has fewer than `min_chars` characters.
        TOO_SHORT = "too_short";
    }
}

/// `type = "extract"`: main text from each page's HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractConfig {
    /// Pages whose extracted text has fewer characters than this are dropped (`too_short`).
    #[serde(default = "default_min_chars")]
    pub min_chars: usize,
    /// Pages whose HTML is larger than this are dropped (`html_too_large`). Default 8 MiB.
    #[serde(default = "default_max_html_bytes")]
    pub max_html_bytes: usize,
    /// Pages whose extraction takes longer than this many milliseconds are dropped
    /// (`extract_timeout`). Default 2000.
    #[serde(default = "default_max_extract_millis")]
    pub max_millis: u64,
    /// `"precision"`, `"balanced"` (the default) or `"recall"`: which way to lean when it is
    /// unclear whether a block is main text.
    #[serde(default)]
    pub favor: Favor,
}

fn default_min_chars() -> usize {
    50
}
fn default_max_html_bytes() -> usize {
    8 << 20
}
fn default_max_extract_millis() -> u64 {
    2000
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            min_chars: default_min_chars(),
            max_html_bytes: default_max_html_bytes(),
            max_millis: default_max_extract_millis(),
            favor: Favor::default(),
        }
    }
}

impl ExtractConfig {
    /// Validate the config and build the stage.
    pub fn stage(&self) -> Result<ExtractStage, ExtractError> {
        if self.max_html_bytes == 0 {
            return Err(ExtractError::MaxHtmlBytes(self.max_html_bytes));
        }
        if self.max_millis == 0 {
            return Err(ExtractError::MaxMillis(self.max_millis));
        }
        Ok(ExtractStage {
            min_chars: self.min_chars,
            max_html_bytes: self.max_html_bytes,
            max_time: Duration::from_millis(self.max_millis),
            options: Options { favor: self.favor },
        })
    }
}

impl BuildStage for ExtractConfig {
    fn build(&self, _assets: &Assets) -> Result<Box<dyn Stage>, BuildError> {
        pipeline::stage::boxed("extract", self.stage())
    }
}

/// A stage configuration that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// `max_html_bytes` is zero.
    #[error(
        "invalid extract config: max_html_bytes = {0}: must be at least 1 (e.g. 8388608 for 8 MiB)"
    )]
    MaxHtmlBytes(usize),
    /// `max_millis` is zero.
    #[error("invalid extract config: max_millis = {0}: must be at least 1 (e.g. 2000)")]
    MaxMillis(u64),
}

/// The `extract` stage: `doc.html` → `doc.text`, `doc.title`, `doc.meta` (`extract_pass`,
/// `extract_page_type`, `date_published`, `author`).
///
/// Drops `no_html` (no HTML on the document), `html_too_large` (over `max_html_bytes`),
/// `extract_timeout` (over `max_millis`) and `too_short` (fewer than `min_chars` characters
/// of text). Clears `doc.html`.
#[derive(Debug, Clone)]
pub struct ExtractStage {
    min_chars: usize,
    max_html_bytes: usize,
    max_time: Duration,
    options: Options,
}

impl Stage for ExtractStage {
    fn name(&self) -> &'static str {
        "extract"
    }

    fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
        let Some(html) = doc.html.take() else {
            return Ok(Outcome::drop(doc, reason::NO_HTML));
        };
        if html.len() > self.max_html_bytes {
            return Ok(Outcome::drop(doc, reason::HTML_TOO_LARGE));
        }
        let ex = extract_within_with(&html, &self.options, self.max_time);
        drop(html);
        let Ok(ex) = ex else {
            return Ok(Outcome::drop(doc, reason::EXTRACT_TIMEOUT));
        };
        doc.meta.insert("extract_pass".into(), ex.pass.into());
        doc.meta
            .insert("extract_page_type".into(), ex.page_type.into());
        if let Some(d) = ex.date {
            doc.meta.insert("date_published".into(), d);
        }
        if let Some(a) = ex.author {
            doc.meta.insert("author".into(), a);
        }
        doc.title = ex.title;
        doc.text = ex.text;
        if doc.text.chars().count() < self.min_chars {
            return Ok(Outcome::drop(doc, reason::TOO_SHORT));
        }
        Ok(Outcome::Keep(doc))
    }
}

/// Diagnostics for tuning (not a stable interface): the ancestors of the first text node
/// containing `phrase`, with their flags, weights, counts and readability scores, and the
/// top candidates, under the page type's forgiven boilerplate groups.
#[doc(hidden)]
pub fn debug_report(html: &str, phrase: &str) -> String {
    use std::fmt::Write;
    let dom = Dom::parse(html);
    let page = Page::read(&dom);
    let profile = Profile::for_page(&page, Favor::Balanced);
    let counts = Counts::new(&dom, GONE | BOILER_TAG | BOILER_CLASS, profile.forgive);
    let scores = score::candidate_scores(&dom, &counts);
    let mut out = String::new();
    let top = score::top_candidate(&dom, &scores);
    let _ = writeln!(out, "top candidate: {top:?}");
    let c = cards::cards(&dom);
    if let Some(r) = c.list_root {
        let _ = writeln!(
            out,
            "list root {r} {:?} chars {} text: {:.200}",
            dom.nodes[r as usize].tag,
            counts.chars[r as usize],
            dom.plain_text(r)
        );
    }
    let mut best: Vec<usize> = (0..dom.nodes.len())
        .filter(|&i| scores[i].is_finite())
        .collect();
    best.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    for &i in best.iter().take(8) {
        let n = &dom.nodes[i];
        let _ = writeln!(
            out,
            "  cand {i} {:?} score {:.1} chars {} good {} w {} flags {:#x}",
            n.tag, scores[i], counts.chars[i], counts.good[i], n.weight, n.flags
        );
    }
    let hit = (0..dom.nodes.len() as u32)
        .find(|&i| dom.nodes[i as usize].tag == dom::Tag::Text && dom.text_of(i).contains(phrase));
    let mut cur = hit.unwrap_or(dom::NONE);
    let cleaner = Cleaner {
        dom: &dom,
        counts: &counts,
        strict: true,
        links_ok: false,
        keep_h1: false,
        link_lists_ok: false,
        posts_ok: profile.posts_are_content,
    };
    let root = top.unwrap_or(0);
    while cur != dom::NONE {
        let i = cur as usize;
        let n = &dom.nodes[i];
        let _ = writeln!(
            out,
            "{i} {:?} flags {:#x} w {} dead {} chars {} link {} direct {} good {} score {:.1} junk {}",
            n.tag, n.flags, n.weight, counts.dead[i], counts.chars[i], counts.link_chars[i],
            counts.direct[i], counts.good[i], scores[i], cleaner.is_junk(cur, root)
        );
        cur = n.parent;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile_of(html: &str) -> (PageType, bool, Profile) {
        let dom = Dom::parse(html);
        let page = Page::read(&dom);
        let profile = Profile::for_page(&page, Favor::Balanced);
        (page.page_type, page.article_evidence, profile)
    }

    #[test]
    fn an_article_only_by_default_is_read_as_a_page_of_sections() {
        // Nothing in the markup says article (a course's landing page): read to half the
        // page's text, sections whole. A page whose JSON-LD says NewsArticle keeps the
        // article's reading: a third of the text, the chosen blocks only.
        let body = "<body><main><h1>Free course</h1><p>Learn the basics of the subject in six lessons, with exercises and a final quiz.</p></main></body>";
        let (t, evidence, p) = profile_of(&format!(
            "<html><head><title>Course</title></head>{body}</html>"
        ));
        assert_eq!((t, evidence), (PageType::Article, false));
        assert_eq!((p.page_share, p.sections), (0.5, true));
        let declared = format!(
            r#"<html><head><title>News</title><script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"Course"}}</script></head>{body}</html>"#
        );
        let (t, evidence, p) = profile_of(&declared);
        assert_eq!((t, evidence), (PageType::Article, true));
        assert_eq!((p.page_share, p.sections), (0.35, false));
    }
}
