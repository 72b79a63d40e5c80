//! What kind of page this is: article, forum, product, collection, listing, documentation or
//! service, from what the page says about itself.
//!
//! Design decision: no model and no request URL. The evidence is the page's own markup:
//! JSON-LD and microdata types, `og:type`, its canonical address (`<link rel="canonical">` or
//! `og:url`), the generator, and counts of class-name hints (prices, carts, facets, cards,
//! code blocks). Each piece of evidence adds points to one type; the most points win, and an
//! article is the answer when nothing speaks up. The type steers extraction (which
//! boilerplate groups to forgive, whether to keep every section) and is written to the
//! document's `meta` as `extract_page_type`.

use super::cards::Cards;
use super::dom::{Dom, GONE};
use super::hints::hint;
use super::structured::LinkedData;

/// The seven page types of the web-content-extraction-benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PageType {
    /// News, blog posts, guides: one text with a headline.
    #[default]
    Article,
    /// Threads, questions and answers: a run of posts.
    Forum,
    /// One product: name, price, description, specifications.
    Product,
    /// A shop category: a grid of products, filters, some text about the category.
    Collection,
    /// An index of content: news lists, course catalogues, job boards.
    Listing,
    /// Manuals, references, API docs, wikis: text with code, tables and a table of contents.
    Documentation,
    /// Company, service and landing pages: several sections of marketing text.
    Service,
}

impl PageType {
    /// All types, in a fixed order.
    pub const ALL: [PageType; 7] = [
        PageType::Article,
        PageType::Forum,
        PageType::Product,
        PageType::Collection,
        PageType::Listing,
        PageType::Documentation,
        PageType::Service,
    ];

    /// The name written to `meta` (`extract_page_type`) and used by WCXB.
    pub fn as_str(self) -> &'static str {
        match self {
            PageType::Article => "article",
            PageType::Forum => "forum",
            PageType::Product => "product",
            PageType::Collection => "collection",
            PageType::Listing => "listing",
            PageType::Documentation => "documentation",
            PageType::Service => "service",
        }
    }

    fn index(self) -> usize {
        PageType::ALL.iter().position(|&t| t == self).unwrap_or(0)
    }
}

impl std::fmt::Display for PageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Class-name hint counts over the visible elements.
#[derive(Debug, Default, Clone, Copy)]
struct HintCounts {
    price: u32,
    cart: u32,
    facet: u32,
    card: u32,
    product: u32,
    toc: u32,
    code: u32,
    post: u32,
    comment: u32,
}

fn hint_counts(dom: &Dom) -> HintCounts {
    let mut c = HintCounts::default();
    let mut dead = vec![false; dom.nodes.len()];
    for (i, n) in dom.nodes.iter().enumerate().skip(1) {
        dead[i] = dead[n.parent as usize] || n.flags & GONE != 0;
        if dead[i] {
            continue;
        }
        let h = n.hint;
        c.price += (h & hint::PRICE != 0) as u32;
        c.cart += (h & hint::CART != 0) as u32;
        c.facet += (h & hint::FACET != 0) as u32;
        c.card += (h & hint::CARD != 0) as u32;
        c.product += (h & hint::PRODUCT != 0) as u32;
        c.toc += (h & hint::TOC != 0) as u32;
        c.code += (h & hint::CODE != 0) as u32;
        c.post += (h & hint::POST != 0) as u32;
        c.comment += (h & hint::COMMENT != 0) as u32;
    }
    c
}

/// The path of the page's own address, lower case (`/products/mug`), or "".
/// What a home page adds to the service score ([`classify`]).
const HOME_SERVICE: f32 = 1.0;

fn own_path(dom: &Dom) -> String {
    let Some(url) = dom.meta.url.as_deref() else {
        return String::new();
    };
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = if url.contains("://") {
        rest.find('/').map_or("", |i| &rest[i..])
    } else {
        rest
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.to_ascii_lowercase()
}

/// The first label of the page's own host, lower case (`docs` for `docs.github.com`), or "".
fn own_subdomain(dom: &Dom) -> String {
    let Some(url) = dom.meta.url.as_deref() else {
        return String::new();
    };
    let Some((_, rest)) = url.split_once("://") else {
        return String::new();
    };
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
    match host.split_once('.') {
        Some((first, tail)) if tail.contains('.') => first.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// A host whose first label says documentation: `docs.`, `developer.`, `wiki.`, and
/// variants such as `docs-internal.`.
fn is_docs_host(first_label: &str) -> bool {
    let stem = first_label.split(['-', '_']).next().unwrap_or("");
    [
        "docs",
        "doc",
        "developer",
        "developers",
        "devdocs",
        "wiki",
        "manual",
    ]
    .contains(&stem)
}

fn has_segment(path: &str, names: &[&str]) -> bool {
    path.split('/').any(|s| names.contains(&s))
}

/// Fewest points another type needs to displace the default, article.
const MIN_POINTS: f32 = 1.0;

/// Points that make a page one that says it is an article: its JSON-LD (`Article`,
/// `NewsArticle`, `BlogPosting`, ...), or `og:type` article with a date. On WCXB dev 1.5 and
/// 3.0 measured worse (3.0 cost AEB's news pages 0.004).
const MIN_ARTICLE_EVIDENCE: f32 = 2.0;

/// The page's type — points per type from the page's evidence; the largest wins, if it has
/// at least [`MIN_POINTS`] — and whether the page says it is an article
/// ([`MIN_ARTICLE_EVIDENCE`]): an article is also what a page is when nothing says otherwise.
pub fn classify(dom: &Dom, ld: &LinkedData, cards: &Cards) -> (PageType, bool) {
    let s = scores(dom, ld, cards);
    (
        pick(&s),
        s[PageType::Article.index()] >= MIN_ARTICLE_EVIDENCE,
    )
}

fn pick(s: &[f32; 7]) -> PageType {
    let mut best = PageType::Article;
    for t in PageType::ALL {
        if s[t.index()] > s[best.index()] && s[t.index()] >= MIN_POINTS {
            best = t;
        }
    }
    best
}

fn scores(dom: &Dom, ld: &LinkedData, cards: &Cards) -> [f32; 7] {
    use PageType::*;
    let mut s = [0f32; 7];
    let mut add = |t: PageType, x: f32| s[t.index()] += x;
    let items = &dom.signals.itemtypes;
    let item = |names: &[&str]| items.iter().any(|t| names.contains(&t.as_str()));
    let h = hint_counts(dom);
    let path = own_path(dom);
    let og = dom.meta.og_type.as_deref().unwrap_or("");
    let generator = dom.meta.generator.as_deref().unwrap_or("");

    // Articles.
    if ld.has(&[
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
    ]) {
        add(Article, 2.0);
    }
    if og == "article" {
        add(Article, 1.5);
    }
    if dom.meta.date.is_some() {
        add(Article, 0.5);
    }
    if has_segment(
        &path,
        &[
            "blog", "news", "article", "articles", "post", "posts", "stories",
        ],
    ) && path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .is_some_and(|last| last.len() > 12)
    {
        add(Article, 1.0);
    }

    // Forums.
    if ld.has(&["DiscussionForumPosting", "QAPage"]) || item(&["DiscussionForumPosting"]) {
        add(Forum, 4.0);
    }
    if ld.has(&["Question", "Answer"]) && !ld.has(&["FAQPage"]) {
        add(Forum, 1.0);
    }
    if [
        "discourse",
        "vbulletin",
        "phpbb",
        "xenforo",
        "invision",
        "mybb",
        "flarum",
        "nodebb",
    ]
    .iter()
    .any(|g| generator.contains(g))
    {
        add(Forum, 4.0);
    }
    if has_segment(
        &path,
        &[
            "t",
            "thread",
            "threads",
            "topic",
            "topics",
            "forum",
            "forums",
            "questions",
            "discussion",
            "discussions",
            // A link aggregator's thread: `/r/science/comments/1rku5x9/…`.
            "comments",
            "community",
            "viewtopic.php",
            "showthread.php",
        ],
    ) {
        add(Forum, 2.0);
    }
    if h.post + h.comment >= 6 {
        add(Forum, 0.5);
    }

    // Products and collections.
    let product_ld = ld.has(&["Product", "ProductGroup"]) || item(&["Product"]);
    let many_offers = ld.offer_count > 3;
    if product_ld && !many_offers {
        add(Product, 3.0);
    }
    if og.starts_with("product") && og != "product.group" {
        add(Product, 3.0);
    }
    if has_segment(
        &path,
        &["product", "products", "p", "dp", "pdp", "item", "shop"],
    ) {
        add(Product, 1.5);
    }
    if h.cart > 0 {
        add(Product, 0.5);
        add(Collection, 0.5);
    }
    if ld.has(&["CollectionPage", "OfferCatalog"]) || og == "product.group" || many_offers {
        add(Collection, 3.0);
    }
    if ld.has(&["ItemList"]) && (product_ld || h.price >= 6) {
        add(Collection, 2.0);
    }
    if has_segment(
        &path,
        &[
            "collections",
            "collection",
            "category",
            "categories",
            "c",
            "shop-all",
        ],
    ) {
        add(Collection, 2.0);
    }
    if h.price >= 8 {
        add(Collection, 1.0 + (h.price as f32 / 40.0).min(1.5));
    }
    if h.facet >= 3 {
        add(Collection, 1.0);
    }
    if h.product >= 10 && h.card >= 6 {
        add(Collection, 1.0);
    }

    // Listings.
    if ld.has(&["ItemList", "CollectionPage"]) && !product_ld && h.price < 6 {
        add(Listing, 2.0);
    }
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if matches!(
        last,
        "news"
            | "blog"
            | "articles"
            | "events"
            | "jobs"
            | "courses"
            | "programs"
            | "posts"
            | "stories"
            | "press"
            | "reviews"
            | "resources"
    ) || has_segment(&path, &["page", "tag", "tags", "archive", "archives"])
    {
        add(Listing, 2.0);
    }
    // Most of the page is teasers (linked titles in repeated templates).
    if cards.card_chars * 4 >= cards.page_chars && cards.card_chars > 0 {
        add(Listing, 2.0);
    }
    if h.card >= 10 && h.price < 4 {
        add(Listing, 1.0);
    }

    // Documentation.
    if ld.has(&["TechArticle", "APIReference"]) {
        add(Documentation, 3.0);
    }
    if [
        "sphinx",
        "mkdocs",
        "docusaurus",
        "docutils",
        "rustdoc",
        "gitbook",
        "mediawiki",
        "vitepress",
        "docfx",
        "javadoc",
        "doxygen",
        "bookdown",
        "hugo-book",
        "antora",
    ]
    .iter()
    .any(|g| generator.contains(g))
    {
        add(Documentation, 3.0);
    }
    if has_segment(
        &path,
        &[
            "docs",
            "doc",
            "documentation",
            "reference",
            "api",
            "manual",
            "guide",
            "guides",
            "wiki",
            "handbook",
            "userguide",
            "man",
            "tutorial",
            "tutorials",
            "learn",
            "glossary",
        ],
    ) || path.starts_with("/docs")
        || is_docs_host(&own_subdomain(dom))
    {
        add(Documentation, 2.0);
    }
    let code = dom.signals.pre + h.code;
    if code >= 3 {
        add(Documentation, 0.5 + (code as f32 / 20.0).min(1.5));
    }
    if h.toc > 0 {
        add(Documentation, 0.5);
    }

    // Services.
    if ld.has(&[
        "Service",
        "ProfessionalService",
        "LocalBusiness",
        "FinancialService",
        "LegalService",
        "MedicalBusiness",
        "EducationalOrganization",
        "Course",
    ]) {
        add(Service, 1.5);
    }
    if ld.has(&["FAQPage"]) {
        add(Service, 1.0);
    }
    if has_segment(
        &path,
        &[
            "services",
            "service",
            "solutions",
            "solution",
            "pricing",
            "features",
            "about",
            "about-us",
            "industries",
            "platform",
        ],
    ) {
        add(Service, 2.0);
    }
    if og == "website" && !ld.has(&["Article", "NewsArticle", "BlogPosting"]) {
        add(Service, 0.75);
    }
    // A site's home page (its own address has no path) presents the business: on WCXB dev
    // 32 of 61 home pages are service pages, 7 articles.
    if dom.meta.url.as_deref().is_some_and(|u| u.contains("://"))
        && path.trim_matches('/').is_empty()
    {
        add(Service, HOME_SERVICE);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{cards::cards, structured::linked_data};

    fn kind(html: &str) -> PageType {
        let dom = Dom::parse(html);
        classify(&dom, &linked_data(&dom), &cards(&dom)).0
    }

    #[test]
    fn the_page_says_what_it_is() {
        assert_eq!(kind("<p>Just some text.</p>"), PageType::Article);
        assert_eq!(
            kind(r#"<meta property="og:type" content="product"><h1>Mug</h1>"#),
            PageType::Product
        );
        assert_eq!(
            kind(r#"<meta name="generator" content="Discourse 3.2"><p>Hi</p>"#),
            PageType::Forum
        );
        assert_eq!(
            kind(r#"<link rel="canonical" href="https://shop.example/collections/mugs"><p>x</p>"#),
            PageType::Collection
        );
        assert_eq!(
            kind(
                r#"<link rel="canonical" href="https://example.org/docs/install"><pre>a</pre><pre>b</pre><pre>c</pre>"#
            ),
            PageType::Documentation
        );
        assert_eq!(
            kind(r#"<link rel="canonical" href="https://example.org/services/audit"><p>x</p>"#),
            PageType::Service
        );
        assert_eq!(
            kind(r#"<link rel="canonical" href="https://example.org/news/"><p>x</p>"#),
            PageType::Listing
        );
        // A link aggregator's thread, even where the page calls itself an article.
        assert_eq!(
            kind(
                r#"<meta property="og:type" content="article"><link rel="canonical" href="https://old.example.com/r/science/comments/1rku5x9/hair_follicles_grown/"><p>x</p>"#
            ),
            PageType::Forum
        );
    }

    #[test]
    fn a_home_page_presents_a_business_and_an_article_stays_one() {
        let home = r#"<meta property="og:type" content="website"><link rel="canonical" href="https://www.example.com/"><h1>We build software</h1><p>x</p>"#;
        assert_eq!(kind(home), PageType::Service);
        // The same page at a deeper address is no home page.
        assert_eq!(
            kind(&home.replace("example.com/", "example.com/why-we-build")),
            PageType::Article
        );
        let post = r#"<meta property="og:type" content="article"><link rel="canonical" href="https://www.example.com/"><h1>Notes</h1><p>x</p>"#;
        assert_eq!(kind(post), PageType::Article);
    }
}
