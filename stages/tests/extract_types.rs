//! Extraction by page type, on pages written here around real text (UDHR paragraphs from the
//! asset cache): each test pins one rule of the extractor and fails without it.

use pipeline::{Doc, Outcome, Stage};
use stages::extract::{extract, extract_with, ExtractConfig, Favor, Options};
use testkit::udhr_paragraphs;

/// `n` real paragraphs of the English UDHR of 80 characters or more, from paragraph `from`.
fn paras(from: usize, n: usize) -> Vec<String> {
    udhr_paragraphs("eng")
        .into_iter()
        .skip(from)
        .filter(|p| p.chars().count() >= 80)
        .take(n)
        .collect()
}

/// `n` real paragraphs of 80 to 130 characters (teaser-sized), from paragraph `from`.
fn short_paras(from: usize, n: usize) -> Vec<String> {
    udhr_paragraphs("eng")
        .into_iter()
        .skip(from)
        .filter(|p| (80..=130).contains(&p.chars().count()))
        .take(n)
        .collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_has(text: &str, wanted: &[String]) {
    let flat = collapse(text);
    for w in wanted {
        assert!(flat.contains(&collapse(w)), "missing {w:?} in:\n{text}");
    }
}

fn assert_lacks(text: &str, junk: &[&str]) {
    for j in junk {
        assert!(!text.contains(j), "boilerplate {j:?} in:\n{text}");
    }
}

const NAV: &str = r#"<header class="site-header"><a href="/">Sitename</a><nav><ul>
<li><a href="/a">Navone</a></li><li><a href="/b">Navtwo</a></li><li><a href="/c">Navthree</a></li>
</ul></nav></header>"#;
const FOOTER: &str =
    r#"<footer><p>Footertext © 2025 Example Ltd. All rights reserved.</p></footer>"#;

fn page(head: &str, body: &str) -> String {
    format!("<!doctype html><html><head><title>T</title>{head}</head><body>{NAV}{body}{FOOTER}</body></html>")
}

#[test]
fn article_spread_over_sibling_sections_is_kept_whole() {
    // Each paragraph sits deep in its own section (a page builder's markup): readability's
    // best node holds one paragraph; climbing to the ancestor with most of the paragraph
    // text keeps all six.
    let ps = paras(3, 6);
    let body: String = ps
        .iter()
        .map(|p| format!("<section><div><div><div><p>{p}</p></div></div></div></section>"))
        .collect();
    let ex = extract(&page("", &format!("<main>{body}</main>")));
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
}

#[test]
fn server_rendered_page_inside_a_hidden_div_is_revealed() {
    // A streaming server render: the whole page in `<div hidden>`, moved into view by a
    // script. A small hidden block stays hidden.
    let ps = paras(3, 5);
    let body: String = ps.iter().map(|p| format!("<p>{p}</p>")).collect();
    let html = page(
        "",
        &format!(
            "<div hidden id=\"S:0\"><article>{body}<div style=\"display: none\">Hiddentext offer</div></article></div>\
             <div hidden><p>Hiddenmenu</p></div>"
        ),
    );
    let ex = extract(&html);
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Hiddentext", "Hiddenmenu"]);
}

#[test]
fn noscript_crawler_view_is_used_when_nothing_else_is_visible() {
    // Forum software serves its posts to crawlers inside `<noscript>`; a "please enable
    // JavaScript" note elsewhere is never text.
    let ps = paras(3, 4);
    let posts: String = ps
        .iter()
        .map(|p| {
            format!(
                "<div class=\"topic-body crawler-post\"><div class=\"post\"><p>{p}</p></div></div>"
            )
        })
        .collect();
    let html = page(
        r#"<meta name="generator" content="Discourse 3.2">"#,
        &format!(
            "<div id=\"app\"></div><noscript><div id=\"main-outlet\">{posts}</div></noscript>"
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &ps);
    let article = page(
        "",
        &format!(
            "<noscript>Enablescript to see this page.</noscript><article>{}</article>",
            ps.iter().map(|p| format!("<p>{p}</p>")).collect::<String>()
        ),
    );
    assert_lacks(&extract(&article).text, &["Enablescript"]);
}

#[test]
fn forum_posts_named_comment_are_the_content() {
    // On a forum the posts are the page, whatever their class says; on an article the same
    // block is boilerplate.
    let ps = paras(3, 5);
    let thread: String = ps
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<div class=\"comment\" id=\"c{i}\"><div class=\"comment-author\">user{i}</div><div class=\"comment-body\"><p>{p}</p></div></div>"
            )
        })
        .collect();
    let forum = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"DiscussionForumPosting","headline":"A question"}</script>"#,
        &format!("<main><h1>A question</h1><div class=\"thread\">{thread}</div></main>"),
    );
    let ex = extract(&forum);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &ps);
    let article = page(
        r#"<meta property="og:type" content="article">"#,
        &format!(
            "<article><p>{}</p><p>{}</p><p>{}</p></article><section class=\"comments\">{thread}</section>",
            paras(20, 1)[0],
            paras(21, 1)[0],
            paras(22, 1)[0]
        ),
    );
    let ex = extract(&article);
    assert_eq!(ex.page_type, "article");
    assert!(
        !collapse(&ex.text).contains(&collapse(&ps[0])),
        "{}",
        ex.text
    );
}

#[test]
fn forum_answers_in_separate_containers_are_all_kept() {
    // A question and its answers, each in its own container: the question alone is the best
    // node; the page-share climb takes the whole thread.
    let ps = paras(3, 5);
    let posts: String = ps
        .iter()
        .map(|p| {
            format!("<div class=\"answer\"><div class=\"post-layout\"><div class=\"s-prose\"><p>{p}</p></div></div></div>")
        })
        .collect();
    let html = page(
        r#"<script type="application/ld+json">{"@type":"QAPage","mainEntity":{"@type":"Question","name":"Q"}}</script>"#,
        &format!(
            "<div id=\"mainbar\"><div class=\"question\"><div class=\"s-prose\"><p>{}</p></div></div><div id=\"answers\">{posts}</div></div>\
             <aside class=\"sidebar\"><p>Sidebartext: hot network questions and more links.</p></aside>",
            paras(30, 1)[0]
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Sidebartext", "Navone", "Footertext"]);
}

/// A teaser: a linked title over a summary long enough not to look link-dense.
fn teaser(i: usize, summary: &str) -> String {
    format!(
        "<div class=\"teaser\"><h3><a href=\"/story/{i}\">Teasertitle number {i} of the list</a></h3><p>{summary}</p></div>"
    )
}

#[test]
fn teaser_cards_are_boilerplate_on_an_article_and_content_on_a_listing() {
    let ps = paras(3, 6);
    let summaries = short_paras(10, 3);
    let teasers: String = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| teaser(i, s))
        .collect();
    let body: String = ps.iter().map(|p| format!("<p>{p}</p>")).collect();
    let article = page(
        r#"<meta property="og:type" content="article">"#,
        &format!("<div class=\"entry-content\">{body}{teasers}</div>"),
    );
    let ex = extract(&article);
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Teasertitle"]);
    // Mostly teasers: a listing, and the teasers are what it is about.
    let more: String = short_paras(25, 6)
        .iter()
        .enumerate()
        .map(|(i, s)| teaser(i + 3, s))
        .collect();
    let listing = page(
        r#"<link rel="canonical" href="https://example.org/news/">"#,
        &format!("<main><h1>News</h1><div class=\"list\">{teasers}{more}</div></main>"),
    );
    let ex = extract(&listing);
    assert_eq!(ex.page_type, "listing");
    assert!(ex.text.contains("Teasertitle number 0"), "{}", ex.text);
    assert!(ex.text.contains("Teasertitle number 8"), "{}", ex.text);
    assert_has(&ex.text, &summaries);
}

#[test]
fn listing_of_links_keeps_its_items() {
    // A job board: every item is one link with a date; no paragraph anywhere.
    let items: String = (1..=10)
        .map(|i| {
            format!(
                "<li class=\"job\"><a href=\"/jobs/{i}\">Senior engineer number {i} wanted for the data team</a> <span class=\"age\">{i} days ago</span></li>"
            )
        })
        .collect();
    let html = page(
        r#"<link rel="canonical" href="https://example.org/jobs">"#,
        &format!("<main><h1>Open positions</h1><ul class=\"jobs\">{items}</ul></main>"),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "listing");
    for i in [1, 5, 10] {
        assert!(
            ex.text
                .contains(&format!("Senior engineer number {i} wanted")),
            "{}",
            ex.text
        );
    }
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
}

#[test]
fn product_page_keeps_description_and_drops_reviews() {
    let desc = paras(3, 2);
    let reviews = paras(10, 3);
    let review_html: String = reviews
        .iter()
        .map(|r| {
            format!("<div class=\"review-item\"><p class=\"author\">buyer</p><p>{r}</p></div>")
        })
        .collect();
    let html = page(
        r#"<meta property="og:type" content="product">"#,
        &format!(
            "<main><div class=\"product-main\"><h1>Handwoven rattan basket</h1><p class=\"price\">$49.00</p>\
             <div class=\"description\"><p>{}</p><p>{}</p></div></div>\
             <section class=\"reviews\"><h2>Reviews</h2>{review_html}</section></main>",
            desc[0], desc[1]
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "product");
    assert_has(&ex.text, &desc);
    assert!(
        ex.text.contains("Handwoven rattan basket"),
        "h1 kept: {}",
        ex.text
    );
    for r in &reviews {
        assert!(
            !collapse(&ex.text).contains(&collapse(r)),
            "review in {}",
            ex.text
        );
    }
}

#[test]
fn product_description_comes_from_json_ld_when_the_page_is_empty() {
    // A page its scripts fill in: nothing visible but the product's structured data.
    let desc = &paras(3, 1)[0];
    let html = format!(
        r#"<html><head><script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product","name":"Basket","description":"{desc}","offers":{{"@type":"Offer","price":"49"}}}}</script></head>
<body><div id="root"></div><script>window.__STATE__ = {{}};</script></body></html>"#
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "product");
    assert_eq!(ex.pass, "fallback");
    assert_eq!(collapse(&ex.text), collapse(desc));
}

fn service_page() -> (String, Vec<String>) {
    let ps = paras(3, 4);
    let sections: String = ps
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<section class=\"block-{i}\"><div class=\"wrap\"><h2>Feature {i}</h2><div class=\"txt\"><p>{p}</p></div></div></section>"
            )
        })
        .collect();
    let html = page(
        r#"<link rel="canonical" href="https://example.com/services/data-audits">"#,
        &format!(
            "<main><section class=\"hero\"><h1>Data audits for small teams</h1></section>{sections}\
             <div class=\"banner\"><p>{}</p></div><div class=\"community\"><p>{}</p></div></main>",
            paras(30, 1)[0],
            paras(31, 1)[0]
        ),
    );
    (html, ps)
}

#[test]
fn service_page_keeps_every_section_and_its_headline() {
    let (html, ps) = service_page();
    let ex = extract(&html);
    assert_eq!(ex.page_type, "service");
    assert_has(&ex.text, &ps);
    assert!(
        ex.text.lines().next() == Some("Data audits for small teams"),
        "h1 first: {}",
        ex.text
    );
}

#[test]
fn favor_trades_precision_for_recall() {
    let (html, _) = service_page();
    let banner = collapse(&paras(30, 1)[0]);
    let community = collapse(&paras(31, 1)[0]);
    let text = |favor| extract_with(&html, &Options { favor }).text;
    let (p, b, r) = (
        text(Favor::Precision),
        text(Favor::Balanced),
        text(Favor::Recall),
    );
    // A service page's banner-named block is content to balanced and recall (page builders
    // name their sections so), not to precision; the `community`-named block only to recall.
    assert!(collapse(&r).contains(&banner), "{r}");
    assert!(collapse(&b).contains(&banner), "{b}");
    assert!(!collapse(&p).contains(&banner), "{p}");
    assert!(collapse(&r).contains(&community), "{r}");
    assert!(!collapse(&b).contains(&community), "{b}");
    assert!(!collapse(&p).contains(&community), "{p}");
    // Precision drops the headline that balanced keeps on a service page.
    assert!(b.contains("Data audits for small teams"));
    assert!(!p.contains("Data audits for small teams"), "{p}");
    // Each setting keeps at least what the stricter one keeps.
    for line in p.lines() {
        assert!(b.contains(line), "precision line {line:?} not in balanced");
    }
    for line in b.lines() {
        assert!(r.contains(line), "balanced line {line:?} not in recall");
    }
}

#[test]
fn widget_class_around_paragraphs_is_not_boilerplate() {
    // A negative class name (`widget`) alone does not drop a block of real paragraphs.
    let ps = paras(3, 6);
    let html = page(
        r#"<meta property="og:type" content="article">"#,
        &format!(
            "<div class=\"entry-content\"><p>{}</p><p>{}</p><p>{}</p>\
             <div class=\"c-product-widget\"><h3>Pick</h3><p>{}</p><p>{}</p></div><p>{}</p></div>",
            ps[0], ps[1], ps[2], ps[3], ps[4], ps[5]
        ),
    );
    assert_has(&extract(&html).text, &ps);
}

#[test]
fn stage_records_the_page_type_and_uses_its_favor() {
    let (html, _) = service_page();
    let mut stage = ExtractConfig {
        favor: Favor::Recall,
        ..ExtractConfig::default()
    }
    .stage()
    .expect("valid config");
    let doc = Doc {
        id: "s1".into(),
        html: Some(html),
        ..Doc::default()
    };
    match stage.process(doc).unwrap() {
        Outcome::Keep(d) => {
            assert_eq!(d.meta["extract_page_type"], "service");
            assert!(collapse(&d.text).contains(&collapse(&paras(30, 1)[0])));
        }
        Outcome::Drop { reason, .. } => panic!("dropped: {reason}"),
    }
}

#[test]
fn favor_parses_from_config_and_names() {
    let c: ExtractConfig = toml::from_str("favor = \"precision\"").unwrap();
    assert_eq!(c.favor, Favor::Precision);
    assert_eq!(ExtractConfig::default().favor, Favor::Balanced);
    let e = toml::from_str::<ExtractConfig>("favor = \"most\"").unwrap_err();
    assert!(e.to_string().contains("most"), "{e}");
    assert_eq!("recall".parse::<Favor>(), Ok(Favor::Recall));
    let e = "most".parse::<Favor>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown favor \"most\": expected precision, balanced or recall"
    );
}

#[test]
fn wcxb_split_is_scored_per_type() {
    use stages::extract::wcxb::{evaluate, load_wcxb, WcxbError};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("html")).unwrap();
    std::fs::create_dir_all(dir.join("ground-truth")).unwrap();
    let (service, ps) = service_page();
    let art = paras(3, 6);
    let article = page(
        r#"<meta property="og:type" content="article">"#,
        &format!(
            "<article>{}</article>",
            art.iter()
                .map(|p| format!("<p>{p}</p>"))
                .collect::<String>()
        ),
    );
    let pages = [
        ("0001", article, art.join("\n\n"), "article"),
        ("0002", service, ps.join("\n\n"), "service"),
    ];
    for (id, html, truth, kind) in &pages {
        std::fs::write(dir.join(format!("html/{id}.html")), html).unwrap();
        let gt = serde_json::json!({"_internal": {"page_type": {"primary": kind}},
                                     "ground_truth": {"main_content": truth}});
        std::fs::write(dir.join(format!("ground-truth/{id}.json")), gt.to_string()).unwrap();
    }
    assert_eq!(load_wcxb(dir).unwrap().len(), 2);
    let r = evaluate(dir, &Options::default()).unwrap();
    assert_eq!(r.pages, 2);
    assert_eq!(r.by_type.keys().collect::<Vec<_>>(), ["article", "service"]);
    assert!(r.by_type["article"] > 0.99, "{r:?}");
    assert!(r.f1 > 0.9 && r.docs_per_s > 0.0, "{r:?}");
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(empty.path().join("ground-truth")).unwrap();
    let e = evaluate(empty.path(), &Options::default()).unwrap_err();
    assert!(matches!(e, WcxbError::Empty(_)));
    assert!(e.to_string().contains("no ground-truth"), "{e}");
}

const DOCS_HEAD: &str = r#"<meta name="generator" content="MediaWiki 1.39.3"><link rel="canonical" href="https://wiki.example.org/wiki/Performance">"#;

#[test]
fn documentation_keeps_its_introduction_beside_a_table_of_contents() {
    // A manual's chapter page: one container holds the chapter's table of contents (all
    // links) and a short introduction. As a whole it is mostly links, but it holds the
    // page's paragraph text: its link-dense list is judged alone, the introduction stays,
    // and the footer's "submit a correction" box does not replace it.
    let intro = paras(5, 2);
    let toc: String = (1..=40)
        .map(|i| {
            format!("<dt><a href=\"/docs/11.{i}.html\">11.{i}. Index section number {i}</a></dt>")
        })
        .collect();
    let body = format!(
        "<div id=\"docContent\"><div class=\"chapter\"><h2>Chapter 11. Indexes</h2>\
         <div class=\"toc\"><p><b>Table of Contents</b></p><dl class=\"toc\">{toc}</dl></div>\
         <p>{}</p><p>{}</p></div></div>\
         <div class=\"feedback\"><h2>Submit correction</h2><p>If you see anything in the \
         documentation that is not correct, please use this form to report an issue.</p></div>",
        intro[0], intro[1]
    );
    let ex = extract(&page(DOCS_HEAD, &body));
    assert_eq!(ex.page_type, "documentation");
    assert_has(&ex.text, &intro);
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
}

#[test]
fn documentation_keeps_link_lists_that_are_its_content() {
    // A wiki page that is a reading list: headings, each over a list of linked titles.
    // On documentation such lists are the content (a table of contents, references), so
    // they stay unless their class names them navigation.
    let sections: String = (1..=4)
        .map(|s| {
            let items: String = (1..=5)
                .map(|i| format!("<li><a href=\"/wiki/T{s}_{i}\">Tuning guide {s}.{i} by Author {i}</a></li>"))
                .collect();
            format!("<h2>Topic {s}</h2><ul>{items}</ul>")
        })
        .collect();
    let intro = paras(2, 1);
    let body = format!(
        "<div id=\"content\" role=\"main\"><h1>Performance Optimization</h1>\
         <div id=\"mw-content-text\"><p>{}</p>{sections}\
         <ul class=\"navbox\"><li><a href=\"/x\">Navboxlink</a></li><li><a href=\"/y\">Navboxother</a></li></ul>\
         </div></div>",
        intro[0]
    );
    let ex = extract(&page(DOCS_HEAD, &body));
    assert_eq!(ex.page_type, "documentation");
    assert_has(&ex.text, &intro);
    for t in [
        "Tuning guide 1.1 by Author 1",
        "Tuning guide 4.5 by Author 5",
    ] {
        assert!(ex.text.contains(t), "missing {t:?} in:\n{}", ex.text);
    }
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
}

#[test]
fn a_docs_host_makes_a_documentation_page_and_keeps_its_index_entries() {
    // An index page of a documentation site (docs.*, developer.*, wiki.*): each entry is a
    // small box, a linked title over a one-line summary. On an article such boxes are
    // teasers; here they are the page.
    let summaries = short_paras(0, 3);
    let intro = paras(2, 8);
    let entries: String = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!("<div><h2><a href=\"/en/guide/topic-{i}\">Choosing topic {i}</a></h2><p>{s}</p></div>")
        })
        .collect();
    let body = format!(
        "<main><h1>Writing guides</h1>{}<div><div>{entries}</div></div></main>",
        intro
            .iter()
            .map(|p| format!("<p>{p}</p>"))
            .collect::<String>()
    );
    let head =
        r#"<meta property="og:url" content="https://docs-beta.example.com/en/guides/writing">"#;
    let ex = extract(&page(head, &body));
    assert_eq!(ex.page_type, "documentation");
    assert_has(&ex.text, &summaries);
    assert_has(&ex.text, &intro);
    assert!(ex.text.contains("Choosing topic 2"), "{}", ex.text);
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
    // The same page at an ordinary host is an article.
    let plain = r#"<meta property="og:url" content="https://www.example.com/en/writing">"#;
    assert_eq!(extract(&page(plain, &body)).page_type, "article");
}

#[test]
fn documentation_keeps_a_small_box_with_a_linked_title() {
    // A guide's "next step" box between its paragraphs: a linked title over one sentence.
    // On an article such a box is a teaser and goes; in documentation it is part of the
    // text.
    let ps = paras(2, 4);
    let box_text = "Learn how the scheduler decides when each job runs and on which machine.";
    let body = format!(
        "<main><h1>Writing guides</h1><p>{}</p><p>{}</p>\
         <div><h3><a href=\"/en/guides/scheduler\">Configuring the scheduler</a></h3><p>{box_text}</p></div>\
         <p>{}</p><p>{}</p></main>",
        ps[0], ps[1], ps[2], ps[3]
    );
    let docs = r#"<meta property="og:url" content="https://docs.example.com/en/guides/writing">"#;
    let ex = extract(&page(docs, &body));
    assert_eq!(ex.page_type, "documentation");
    assert_has(&ex.text, &ps);
    assert!(ex.text.contains(box_text), "{}", ex.text);
    let news = r#"<meta property="og:url" content="https://www.example.com/en/writing">"#;
    let ex = extract(&page(news, &body));
    assert_eq!(ex.page_type, "article");
    assert!(!ex.text.contains(box_text), "{}", ex.text);
}

#[test]
fn a_topic_page_of_teasers_typed_otherwise_keeps_its_list() {
    // A news site's topic page (`/topic/...` reads as a forum): only teasers, each one link
    // around its title and one-line summary, no paragraph anywhere. Every pass but the list
    // finds all of it link-dense, next to nothing is left, so the list of teasers is the
    // text, as on a listing.
    let summaries = [
        "Two new colours arrive at one retailer only.",
        "Live translation works on the new earbuds.",
        "The update adds hearing settings to laptops.",
        "A smaller case and longer battery life.",
        "Noise cancelling improves in the latest firmware.",
        "Spatial audio now follows head movement.",
    ];
    let teasers: String = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "<div class=\"story\"><a href=\"/story/{i}\"><h3>Teasertitle number {i} of the list</h3><span>{s}</span></a></div>"
            )
        })
        .collect();
    let html = page(
        r#"<link rel="canonical" href="https://news.example.org/topic/headphones">"#,
        &format!("<main><h1>headphones</h1><section class=\"list\">{teasers}</section></main>"),
    );
    let ex = extract(&html);
    assert_ne!(
        ex.page_type, "listing",
        "the rule is for pages typed otherwise"
    );
    for (i, s) in summaries.iter().enumerate() {
        assert!(ex.text.contains(s), "missing {s:?} in:\n{}", ex.text);
        assert!(
            ex.text.contains(&format!("Teasertitle number {i}")),
            "{}",
            ex.text
        );
    }
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
}

#[test]
fn a_banner_aside_left_open_does_not_swallow_the_main_content() {
    // An announcement banner in an `<aside>` whose closing tag the page forgot (a `</div>`
    // closes its inner box instead): in tree order everything after it, `<main>` included,
    // sits inside the aside. HTML never puts `<main>` inside `<aside>`, so `<main>` closes it.
    let ps = paras(2, 5);
    let body = format!(
        "<aside class=\"announcement-banner\"><div class=\"column\"><a href=\"/news\">\
         <span>Announcement: Bannertext joins a larger company</span></a></div>\
         <div class=\"column\"><a href=\"/news\"><span>Bannertext short</span></div>\
         <main><article><h1>Lessons from five startups</h1><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p></article></main>",
        ps[0], ps[1], ps[2], ps[3], ps[4]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Bannertext", "Navone"]);
}

#[test]
fn a_layout_with_a_sidebar_is_not_the_sidebar() {
    // A block theme's two-column layout is named after its sidebar
    // (`wp-block-theme-layout-sidebar-right`); the article is in it, the real sidebar beside.
    // Below it, a list of other posts with their summaries, the best candidate left if the
    // layout were dropped as a sidebar.
    let ps = paras(1, 5);
    let more: String = short_paras(8, 3)
        .iter()
        .enumerate()
        .map(|(i, s)| format!("<li><div><a href=\"/post/{i}\">Otherpost {i}</a></div><p>{s}</p><a href=\"/post/{i}\">Read now</a></li>"))
        .collect();
    let body = format!(
        "<main><div class=\"wp-block-theme-layout-sidebar-right\"><div class=\"wp-block-theme-column\">\
         <div class=\"entry-content\"><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div></div>\
         <div class=\"sidebar\"><h3>Sidebarhead</h3><ul><li><a href=\"/x\">Sidebarlink one</a></li>\
         <li><a href=\"/y\">Sidebarlink two</a></li></ul></div></div>\
         <div class=\"more-posts\"><ul>{more}</ul></div></main>",
        ps[0], ps[1], ps[2], ps[3], ps[4]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Sidebarlink", "Navone", "Footertext"]);
}

#[test]
fn a_subject_listing_with_no_content_block_keeps_its_list() {
    // A library's subject page: a search form line, then a table cell holding a long list,
    // each entry a linked title with its publisher and year. No element holds paragraphs,
    // so the main pass finds no content block and the body-wide fallback keeps only the
    // few lines outside the list; the list of entries is the page's content.
    let titles = short_paras(0, 12);
    let items: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!("<li><a href=\"/book/{i}\">{t}</a> (Publisher {i}, 19{i:02}), by Author {i} (<a href=\"/images/{i}\">page images</a>)</li>")
        })
        .collect();
    let body = format!(
        "<form>Browsing subject area: <b>Hardware -- Catalogs</b> (<a href=\"/x\">Exclude extended shelves</a>)<br>\
         You can also <a href=\"/y\">browse an alphabetical list</a> from this subject.</form>\
         <table><tr><td><h2>Hardware -- Catalogs</h2><p>See also what's at <a href=\"/l\">your library</a>.</p>\
         <b>Filed under:</b><ul>{items}</ul></td></tr></table>"
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &titles);
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
}

#[test]
fn a_drupal_node_promoted_to_the_front_page_is_not_a_promotion() {
    // Drupal classes every node promoted to the front page `node--promoted`, the article on
    // its own page included: `promo` inside `promoted` is no advertisement.
    let ps = paras(4, 5);
    let more: String = short_paras(10, 3)
        .iter()
        .enumerate()
        .map(|(i, s)| format!("<li><a href=\"/node/{i}\">Othernode {i}</a><p>{s}</p></li>"))
        .collect();
    let body = format!(
        "<main><div class=\"node node--type-recipe node--promoted node--view-mode-full\">\
         <div class=\"node__content\"><h1>Everyday bread</h1><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div></div>\
         <div class=\"view-more\"><ul>{more}</ul></div></main>",
        ps[0], ps[1], ps[2], ps[3], ps[4]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    let promo = page("", &format!("<main><div class=\"node\"><p>{}</p><p>{}</p><p>{}</p></div><div class=\"promo-box\"><p>Promotext: {}</p></div></main>", ps[0], ps[1], ps[2], ps[3]));
    assert_lacks(&extract(&promo).text, &["Promotext"]);
}

#[test]
fn a_newsletter_issue_is_the_page_and_a_signup_box_is_not() {
    // A newsletter's archive page: the issue sits in `section.cc-newsletter`, a name that on
    // other pages marks a sign-up box. A box so named that holds most of the page's text
    // (and none of its chrome) is the page; the short sign-up box beside it still goes.
    let ps = paras(3, 6);
    let body = format!(
        "<main><div class=\"newsletter-signup\"><p>Signupbox: join our subscribers to get regular emails on science and health tools.</p>\
         <form><input name=\"email\"><button>Subscribe</button></form></div>\
         <section class=\"section-hero cc-newsletter\"><div class=\"issue\">\
         <h1>Foundational fitness</h1><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div></section></main>",
        ps[0], ps[1], ps[2], ps[3], ps[4], ps[5]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Signupbox", "Navone", "Footertext"]);
    // Readers' quotes below: the best block left if the issue were dropped.
    let quotes: String = short_paras(12, 4)
        .iter()
        .map(|q| format!("<div class=\"quote\"><p>{q}</p><span>Reader</span></div>"))
        .collect();
    let ex = extract(&page(
        "",
        &body.replace(
            "</main>",
            &format!("<section class=\"testimonials\">{quotes}</section></main>"),
        ),
    ));
    assert_has(&ex.text, &ps);
}

#[test]
fn a_cms_rich_text_body_is_text_whatever_its_name() {
    // Webflow's rich-text block (`w-richtext`) is written text even when the site names it
    // after what it holds (`rich-text-newsletter-cms`).
    let ps = paras(5, 5);
    let body = format!(
        "<main><article><div class=\"rich-text-newsletter-cms w-richtext\"><p>{}</p><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div></article>\
         <div class=\"related-list\"><ul><li><a href=\"/a\">Otherissue one</a></li><li><a href=\"/b\">Otherissue two</a></li></ul></div></main>",
        ps[0], ps[1], ps[2], ps[3], ps[4]
    );
    let quotes: String = short_paras(12, 4)
        .iter()
        .map(|q| format!("<div class=\"quote\"><p>{q}</p><span>Reader</span></div>"))
        .collect();
    let body = body.replace(
        "</main>",
        &format!("<section class=\"testimonials\">{quotes}</section></main>"),
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
}

#[test]
fn a_page_streamed_by_react_gets_its_segments_in_place() {
    // React's streamed HTML: the shell holds a template and "Loading paragraph..." where
    // each paragraph goes; the paragraphs come hidden after the footer, with scripts that
    // move them in (a crawler runs none). They are put in place before parsing.
    let ps = paras(2, 5);
    let mut shell = String::from("<main><article><h1>Index funds</h1>");
    let mut segments = String::new();
    for (i, p) in ps.iter().enumerate() {
        shell.push_str(&format!(
            "<!--$?--><template id=\"B:{i:x}\"></template><div>Loading paragraph...</div><!--/$-->"
        ));
        segments.push_str(&format!(
            "<div hidden id=\"S:{i:x}\"><p>{p}</p></div><script>$RC(\"B:{i:x}\",\"S:{i:x}\")</script>"
        ));
    }
    shell.push_str("</article></main>");
    let html = format!(
        "<!doctype html><html><head><title>T</title></head><body>{NAV}{shell}{FOOTER}{segments}</body></html>"
    );
    let ex = extract(&html);
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Loading paragraph", "Footertext"]);
}

#[test]
fn hidden_tab_panels_are_content_one_click_away() {
    // A quickstart's setup steps in one tab per language: only the chosen tab is shown, the
    // others are `hidden` tab panels, text a reader reaches with one click.
    let ps = paras(2, 3);
    let tab = |lang: &str, hidden: bool, step: &str| {
        format!(
            "<div role=\"tabpanel\" aria-labelledby=\"tab-{lang}\"{}><ul><li>{step}</li><li>Run the {lang} installer and check the version it prints.</li></ul></div>",
            if hidden { " hidden style=\"display:none\"" } else { "" }
        )
    };
    let body = format!(
        "<main><article><h1>Send your first message</h1><p>{}</p><p>{}</p>\
         <div role=\"tablist\"><button id=\"tab-python\">Python</button><button id=\"tab-java\">Java</button></div>\
         {}{}<p>{}</p>\
         <div hidden><p>Hiddenpopup: this survey is never shown to readers of the page.</p></div></article></main>",
        ps[0],
        ps[1],
        tab("python", false, "Install Python and set up a virtual environment for the project."),
        tab("java", true, "Install the Java Standard Edition Development Kit for the project."),
        ps[2]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    assert!(
        ex.text.contains("Install the Java Standard Edition"),
        "{}",
        ex.text
    );
    assert_lacks(&ex.text, &["Hiddenpopup"]);
}

#[test]
fn a_table_in_a_figure_is_content_and_an_image_caption_is_not() {
    // The block editor wraps every table in `<figure class="wp-block-table">`: the data is
    // part of the article; a figure with an image and its caption is not.
    let ps = paras(2, 4);
    let rows: String = [
        ("Nashville-Davidson, TN", "34.6"),
        ("Raleigh, NC", "28.1"),
        ("Tampa, FL", "25.9"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (city, pct))| format!("<tr><td>{}. {city}</td><td>{pct}</td></tr>", i + 1))
    .collect();
    let body = format!(
        "<main><article><h1>Hottest markets</h1><p>{}</p><p>{}</p>\
         <figure class=\"wp-block-table\"><table><thead><tr><th>Metro</th><th>Change</th></tr></thead><tbody>{rows}</tbody></table></figure>\
         <p>{}</p><figure><img src=\"/a.jpg\"><figcaption>Captiontext: a house for sale</figcaption></figure><p>{}</p></article></main>",
        ps[0], ps[1], ps[2], ps[3]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    assert!(ex.text.contains("Nashville-Davidson, TN"), "{}", ex.text);
    assert!(ex.text.contains("34.6"), "{}", ex.text);
    assert_lacks(&ex.text, &["Captiontext"]);
}

#[test]
fn a_footer_named_box_that_holds_most_of_the_page_is_its_content() {
    // A guide whose entries sit in `div.page1-footer` (the template's "after the intro"
    // block): a footer-named box that holds most of the page's text and none of its chrome
    // is the content; the site's real footer still goes.
    let intro = paras(0, 2);
    let entries = paras(3, 6);
    let venues: String = entries
        .iter()
        .enumerate()
        .map(|(i, e)| format!("<article class=\"venue\"><h3><a href=\"/v/{i}\">Venue {i}</a></h3><p>Bib Gourmand</p><div class=\"venue-excerpt\"><p>{e}</p></div></article>"))
        .collect();
    let body = format!(
        "<section class=\"page\"><div class=\"intro\"><h1>The stars are back</h1><p>{}</p><p>{}</p></div><div class=\"page1-footer\"><div class=\"venues\">{venues}</div></div></section>",
        intro[0], intro[1]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &entries);
    assert_lacks(&ex.text, &["Footertext", "Navone"]);
}

#[test]
fn an_article_in_three_blocks_is_kept_whole_from_its_largest() {
    // A guide in three blocks of a page builder, each block's text wrapped a few levels
    // deep: the best block holds about a third of the article's paragraph text, and its own
    // wrapper nearly all of that. The article is the three blocks, not the largest one.
    let ps = paras(2, 9);
    let block = |ps: &[String], class: &str| {
        let inner: String = ps.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!("<div class=\"{class}\"><div class=\"wrap\"><div class=\"text\">{inner}</div></div><span>Share</span></div>")
    };
    let body = format!(
        "<main><div class=\"post\">{}{}{}</div></main>",
        block(&ps[0..3], "block-intro"),
        block(&ps[3..6], "block-benefits"),
        block(&ps[6..9], "block-howto")
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
}

#[test]
fn a_short_banner_beside_a_long_list_of_items_gives_the_list() {
    // A shop's category page that reads as an article: a hero line, a sale banner, a
    // breadcrumb, then a grid of products, each an image link, a name link and a price.
    // The main pass finds the banner's few lines; the grid beside them, five times their
    // length, is the page.
    let names: Vec<String> = (0..60)
        .map(|i| format!("Bamboo desk drawer model {i}"))
        .collect();
    let grid: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "<div class=\"col-span-1 mb-10 flex flex-col\"><a href=\"/p/{i}\"><div class=\"relative aspect\"><img src=\"/{i}.jpg\"></div></a>\
                 <div class=\"mr-5 flex flex-col\"><a href=\"/p/{i}\">{n}</a><div class=\"flex flex-col\"><p class=\"mt-5\">${}9+</p></div></div></div>",
                i + 1
            )
        })
        .collect();
    let body = format!(
        "<main><div class=\"hero\"><div class=\"flex flex-col\"><h1>Accessories for standing desks</h1>\
         <p>Choose from hundreds of accessories that fit your workspace. <a href=\"/learn\">Learn More</a></p></div></div>\
         <div class=\"mx-auto grid\"><section class=\"mx-auto mb-6 flex\"><div class=\"relative flex flex-col\"><div>\
         <h3>Spring Setup Sale</h3><div class=\"max-w\"><p>Buy more, save more when you outfit your full office. Use coupon code SPRING at checkout.</p></div></div>\
         <div class=\"mt-8\"><p>Sale ends on the last day of March. While supplies last. One coupon per purchase.</p></div></div></section>\
         <div class=\"col-span-full\"><a href=\"/\">Home</a><span>Accessories for Standing Desks</span></div>\
         <div class=\"col-span-full grid grid-cols-4\"><section class=\"col-span-4\"><div class=\"col-span-full grid\">{grid}</div></section></div></div></main>"
    );
    let html = page(r#"<meta property="og:type" content="article">"#, &body);
    let ex = extract(&html);
    assert_has(&ex.text, &names);
}

#[test]
fn a_shops_seo_footer_copy_is_the_category_description() {
    // A shop's category page (a Sitecore storefront's `field-seofootercopy`): the product grid
    // is rendered by script, so the page's written text is the category description placed
    // below it under an "SEO footer" name, which is not the site's footer. Above it, a promo
    // carousel's terms-and-conditions dialog holds more text.
    let ps = paras(3, 4);
    let terms = paras(10, 8).join(" ");
    let body = format!(
        "<ul class=\"splide__list\"><li class=\"slide splide__slide\"><div class=\"component promo promo-offerbanner\">\
         <a href=\"/sale\"><strong>Save up to an extra $20</strong></a>\
         <div class=\"promo-offerbanner__overlay\" role=\"dialog\"><div class=\"promo-offerbanner__overlay-text\">\
         Promoterms: {terms}</div></div></div></li></ul>\
         <main><div class=\"plp-listing\"><div class=\"plpLoadingStateResultPlaceholder\"></div></div>\
         <div class=\"component content\"><div class=\"field-seofootercopy\"><h2>Shop classic clogs</h2>\
         <p><a href=\"/brands/clogs\">Shop all clogs</a></p><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div></div></main>",
        ps[0], ps[1], ps[2], ps[3]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Promoterms", "Navone", "Footertext"]);
}

#[test]
fn a_guide_keeps_its_section_headings_and_lists_beside_the_paragraphs() {
    // A documentation page (Docker's "Get started"): an intro, then sections whose headings
    // are self-links, a list of what you will learn and a linked list of modules. The best
    // paragraph and its sibling paragraph were chosen, and the headings and lists between
    // and after them lost; on a page of sections the chosen siblings stand for their parent.
    let ps = paras(3, 2);
    let learn: Vec<String> = [
        "Set up the desktop app",
        "Run your first container",
        "Build your first image",
    ]
    .map(String::from)
    .to_vec();
    let modules: Vec<String> = [
        "Install it on your machine",
        "Develop with containers",
        "Publish your first image",
    ]
    .map(String::from)
    .to_vec();
    let items: String = learn.iter().map(|l| format!("<li>{l}</li>")).collect();
    let mods: String = modules
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                "<li><a class=\"link\" href=\"/get-started/m{i}/\">Module {i}</a><p>{m}</p></li>"
            )
        })
        .collect();
    let body = format!(
        "<main><article class=\"prose\"><h1>Introduction</h1><div class=\"text-lg\">{}</div>\
         <h2 id=\"about\"><a href=\"#about\">About this series</a></h2><p>{}</p>\
         <h2 id=\"learn\"><a href=\"#learn\">What you will learn</a></h2><ul>{items}</ul>\
         <h2 id=\"modules\"><a href=\"#modules\">Modules</a></h2><ol>{mods}</ol></article></main>",
        ps[0], ps[1]
    );
    let head =
        "<link rel=\"canonical\" href=\"https://docs.example.com/get-started/introduction/\">";
    let ex = extract(&page(head, &body));
    assert_eq!(ex.page_type, "documentation");
    assert_has(&ex.text, &ps);
    let headings = ["About this series", "What you will learn", "Modules"].map(String::from);
    assert_has(&ex.text, &headings);
    assert_has(&ex.text, &learn);
    assert_has(&ex.text, &modules);
    assert_lacks(&ex.text, &["Navone", "Footertext"]);
}

#[test]
fn a_product_page_its_script_reveals_reads_from_its_structured_data() {
    // A Shopify product page behind a "lockdown" app: the whole product section sits in a
    // `display:none` box until a script checks the visitor, so the visible text is a few
    // banner lines; the page's own JSON-LD `Product.description` is the product text.
    let ps = paras(3, 3);
    let description = ps.join("\\n");
    // The shop's mega-menu: more visible text than the hidden product (which is therefore
    // not revealed as most of the page).
    let menu: String = (0..80)
        .map(|i| {
            format!("<li><a href=\"/collections/c{i}\">Coffee gear collection number {i}</a></li>")
        })
        .collect();
    let banners = "<div class=\"announcement\"><p>SUBSCRIBE AND SAVE 40% OFF CANNED LATTES WITH CODE EXTRA10</p>\
         <p>ENTER FOR A CHANCE TO WIN A GOLDEN TICKET TANKARD</p>\
         <p>FREE SHIPPING ON ALL SUBSCRIPTION ORDERS OVER FORTY DOLLARS</p></div>";
    let head = format!(
        "<script type=\"application/ld+json\">{{\"@context\":\"http://schema.org/\",\"@type\":\"Product\",\
         \"name\":\"Dark Roast Coffee\",\"description\":\"{description}\"}}</script>"
    );
    let body = format!(
        "<nav class=\"mega-menu\"><ul>{menu}</ul></nav>{banners}<main><div class=\"easylockdown-content\" style=\"display:none;\">\
         <div class=\"product__description\"><h4>Darker roast</h4><p>{}</p><p>{}</p><p>{}</p></div></div></main>",
        ps[0], ps[1], ps[2]
    );
    let ex = extract(&page(&head, &body));
    assert_eq!(ex.page_type, "product");
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["GOLDEN TICKET"]);
}

#[test]
fn a_sections_headline_box_is_content_and_the_site_header_is_not() {
    // A cloud provider's home page built from styled components: each section's headline
    // (an `h2` and its lead paragraph) sits in `…StyledSideBySideHeader-sc-…`, a name that
    // read as the site header and dropped every headline with its lead.
    let leads = short_paras(3, 3);
    let bodies = paras(8, 3);
    let titles = [
        "Stay on budget and grow",
        "Scale without surprises",
        "Support that answers",
    ]
    .map(String::from);
    let sections: String = (0..3)
        .map(|i| {
            format!(
                "<section class=\"Sectionstyles__StyledSection-sc-4l5hhw-0\"><div class=\"SideBySidestyles__StyledSideBySideHeader-sc-lfm7wn-2\">\
                 <h2>{}</h2><div><p>{}</p></div></div><div class=\"SideBySidestyles__StyledBody-sc-lfm7wn-3\"><p>{}</p></div></section>",
                titles[i], leads[i], bodies[i]
            )
        })
        .collect();
    let head = "<meta property=\"og:type\" content=\"website\"><link rel=\"canonical\" href=\"https://www.example.com/\">";
    let body = format!(
        "<header class=\"site-header\"><a href=\"/\">Cloudco</a><nav><a href=\"/pricing\">Pricing</a><a href=\"/docs\">Docs</a></nav>\
         <div class=\"header-promo\"><h2>Headerpromo sale</h2><p>Headerpromo: get credits when you sign up today.</p></div></header>\
         <main>{sections}</main>"
    );
    let ex = extract(&page(head, &body));
    assert_eq!(ex.page_type, "service");
    assert_has(&ex.text, &titles);
    assert_has(&ex.text, &leads);
    assert_has(&ex.text, &bodies);
    assert_lacks(&ex.text, &["Headerpromo", "Navone", "Footertext"]);
}

#[test]
fn a_service_pages_banner_sections_are_its_content() {
    // A Flatsome (WordPress theme) business home page: every section is a `div.banner`
    // with its heading and text in `banner-layers`; "banner" read as an advertisement and
    // left the page one short block. On a service page they are the content; on an article
    // a banner is still boilerplate.
    let ps = paras(3, 4);
    let titles = ["Web design", "Hosting", "Support", "About us"].map(String::from);
    let intro = paras(20, 2);
    let banners: String = (0..4)
        .map(|i| {
            format!(
                "<div class=\"banner has-hover\"><div class=\"banner-inner fill\"><div class=\"banner-layers container\">\
                 <div class=\"text-box banner-layer\"><h3>{}</h3><p>{}</p></div></div></div></div>",
                titles[i], ps[i]
            )
        })
        .collect();
    let head = "<meta property=\"og:type\" content=\"website\"><link rel=\"canonical\" href=\"https://www.example.com/\">";
    let body = format!(
        "<main><div class=\"row\"><div class=\"col\"><p>{}</p><p>{}</p></div></div>{banners}</main>",
        intro[0], intro[1]
    );
    let ex = extract(&page(head, &body));
    assert_eq!(ex.page_type, "service");
    assert_has(&ex.text, &ps);
    assert_has(&ex.text, &titles);
    // An article's banner (a promotion beside the story) stays out.
    let story = paras(12, 4);
    let article = format!(
        "<article><h1>News</h1><p>{}</p><p>{}</p><p>{}</p><p>{}</p></article>\
         <div class=\"banner has-hover\"><div class=\"banner-layers\"><h3>Bannerpromo</h3><p>Bannerpromo: {}</p></div></div>",
        story[0], story[1], story[2], story[3], ps[0]
    );
    let ex = extract(&page(
        "<meta property=\"og:type\" content=\"article\">",
        &article,
    ));
    assert_eq!(ex.page_type, "article");
    assert_has(&ex.text, &story);
    assert_lacks(&ex.text, &["Bannerpromo"]);
}

#[test]
fn menu_items_are_controls_not_content() {
    // GitHub's trending page: a language picker of ~200 `a[role=menuitemradio]` links in
    // plain `div`s (no `role=menu` around them) beside the list of repositories; the picker
    // was taken for the page.
    let langs: String = udhr_paragraphs("eng")
        .iter()
        .flat_map(|p| p.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .take(200)
        .enumerate()
        .map(|(i, w)| {
            format!("<a role=\"menuitemradio\" href=\"/trending?lang={i}\" class=\"select-menu-item\"><span>Menulang{w}</span></a>")
        })
        .collect();
    let descs = short_paras(3, 6);
    let repos: String = descs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "<article class=\"Box-row\"><h2><a href=\"/owner{i}/repo{i}\">owner{i} / repo{i}</a></h2><p>{d}</p><span>Python 6,223 stars today</span></article>"
            )
        })
        .collect();
    let body = format!(
        "<main><div class=\"Box\"><div class=\"Box-header\"><h1>Trending</h1>\
         <details><summary>Spoken language: Any</summary><div class=\"select-menu-list\">{langs}</div></details></div>\
         <div>{repos}</div></div></main>"
    );
    let ex = extract(&page(
        "<link rel=\"canonical\" href=\"https://example.com/trending\">",
        &body,
    ));
    assert_has(&ex.text, &descs);
    assert_lacks(&ex.text, &["Menulang"]);
}

#[test]
fn an_faqs_collapsed_answers_are_content() {
    // A course provider's page: the FAQ's answers are `display:none` until a question is
    // clicked; they were dropped as hidden. A hidden mobile menu stays out.
    let intro = paras(3, 2);
    let answers = short_paras(8, 3);
    let questions = [
        "What is a certificate?",
        "Why get one?",
        "How long does it take?",
    ];
    let faq: String = (0..3)
        .map(|i| {
            format!(
                "<div class=\"in-page-faq\"><div class=\"faq__question\">{}</div>\
                 <div class=\"faq__answer\" style=\"display: none;\"><div>{}</div></div></div>",
                questions[i], answers[i]
            )
        })
        .collect();
    let body = format!(
        "<div class=\"mobile-drawer\" style=\"display:none\"><p>Drawertext: courses, diplomas, careers, and more for you.</p></div>\
         <main><section class=\"intro\"><h1>Free online courses</h1><p>{}</p><p>{}</p></section>\
         <section id=\"faq-section\" class=\"faqs\"><h2>Frequently asked questions</h2>{faq}</section></main>",
        intro[0], intro[1]
    );
    let head = "<meta property=\"og:type\" content=\"website\"><link rel=\"canonical\" href=\"https://www.example.com/\">";
    let ex = extract(&page(head, &body));
    assert_eq!(ex.page_type, "service");
    assert_has(&ex.text, &intro);
    assert_has(&ex.text, &answers);
    assert_lacks(&ex.text, &["Drawertext", "Navone", "Footertext"]);
}

#[test]
fn a_cards_header_named_title_box_is_its_title() {
    // An auction site's category page: each result card holds its linked `h3` title in
    // `item-card__signals__header`, a name that read as the site header, so the page kept
    // prices and shipping notes without a single item's name. A header-named box with a
    // linked heading outside any card is still the site's header.
    let titles = short_paras(0, 8);
    let cards: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<li class=\"srp-results__item item-card\"><div class=\"item-card__body\">\
                 <div class=\"item-card__image\"><a href=\"/itm/{i}\"><img src=\"/i/{i}.jpg\" alt=\"\"></a></div>\
                 <div class=\"item-card__signals\"><div class=\"item-card__signals__header\">\
                 <a href=\"/itm/{i}\"><h3>{t}</h3></a></div>\
                 <div class=\"item-card__signals__body\"><span>${i}2.95</span> <span>or Best Offer</span>\
                 <span>Free international shipping</span></div></div></div></li>"
            )
        })
        .collect();
    let head = "<meta property=\"og:type\" content=\"website\"><link rel=\"canonical\" href=\"https://www.example.com/b/art\">";
    let body = format!(
        "<div class=\"gh-header\"><h2><a href=\"/\">Ghheader auctions home</a></h2></div>\
         <main><h1>Collectibles and art</h1><ul class=\"srp-results\">{cards}</ul></main>"
    );
    let ex = extract(&page(head, &body));
    assert_has(&ex.text, &titles);
    assert_lacks(&ex.text, &["Ghheader", "Navone", "Footertext"]);
}

#[test]
fn a_forums_site_notices_are_not_its_thread() {
    // A XenForo thread: the forum's announcements (`ul.notices`, a scam warning and meetup
    // news shown above every thread) sit beside the posts in the page body and were kept as
    // if they were the thread's first posts.
    let ps = paras(3, 4);
    let notices: String = paras(10, 3)
        .iter()
        .map(|p| format!("<li class=\"notice js-notice\"><div class=\"notice-content\">Noticetext. {p}</div></li>"))
        .collect();
    let notices = format!("<ul class=\"notices notices--block js-notices\">{notices}</ul>");
    let post = |i: usize, p: &String| {
        format!(
            "<article class=\"message message--post\" id=\"post-{i}\"><div class=\"message-cell message-cell--user\">user{i}</div>\
             <div class=\"message-cell message-cell--main\"><div class=\"bbWrapper\">{p}</div></div></article>"
        )
    };
    let first = post(0, &ps[0]);
    let replies: String = ps
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, p)| post(i, p))
        .collect();
    let html = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"DiscussionForumPosting","headline":"Which Linux for virtual machines?"}</script>"#,
        &format!(
            "<div class=\"p-body\"><div class=\"p-body-inner\">{notices}<div class=\"p-body-main\"><h1>Which Linux for virtual machines?</h1>\
             <div class=\"block\"><div class=\"block-body\">{first}</div></div>\
             <div class=\"block\"><div class=\"block-body js-replyNewMessageContainer\">{replies}</div></div></div></div></div>"
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Noticetext", "Navone", "Footertext"]);
}

#[test]
fn a_q_and_a_posts_comments_are_not_the_thread() {
    // A Stack Exchange question page: the question and each answer carry their own comment
    // thread (`div.comments` beside the post body). On a forum comment-named blocks are the
    // posts; these are remarks on one post, and the page's main text leaves them out. A
    // thread whose posts are `div.comment`s in a post-named list keeps them all.
    let bodies = paras(3, 3);
    let remarks = short_paras(20, 3);
    let post = |kind: &str, body: &str, remark: &str| {
        format!(
            "<div class=\"{kind}\"><div class=\"post-layout\"><div class=\"votecell\">12</div>\
             <div class=\"postcell\"><div class=\"s-prose js-post-body\"><p>{body}</p></div></div>\
             <div class=\"post-layout--right\"><div class=\"comments js-comments-container\"><ul class=\"comments-list\">\
             <li class=\"comment js-comment\"><div class=\"comment-body\"><span class=\"comment-copy\">Remarktext. {remark}</span></div></li>\
             </ul></div></div></div></div>"
        )
    };
    let answers: String = (1..3)
        .map(|i| post("answer js-answer", &bodies[i], &remarks[i]))
        .collect();
    let html = page(
        r#"<script type="application/ld+json">{"@type":"QAPage","mainEntity":{"@type":"Question","name":"Q"}}</script>"#,
        &format!(
            "<div id=\"mainbar\"><h1>How do I back up my whole system?</h1>{}<div id=\"answers\">{answers}</div></div>",
            post("question js-question", &bodies[0], &remarks[0])
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &bodies);
    assert_lacks(&ex.text, &["Remarktext", "Navone", "Footertext"]);

    let posts: String = bodies
        .iter()
        .enumerate()
        .map(|(i, p)| format!("<div class=\"comment\" id=\"c{i}\"><div class=\"comment-body\"><p>{p}</p></div></div>"))
        .collect();
    let thread = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"DiscussionForumPosting","headline":"A question"}</script>"#,
        &format!("<main><h1>A question</h1><div class=\"post-list\">{posts}</div></main>"),
    );
    let ex = extract(&thread);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &bodies);
}

#[test]
fn a_collections_grid_is_content_at_a_smaller_share_than_elsewhere() {
    // A shop's category page: a written description and a product grid of cards holding
    // a third of the page's text. Elsewhere cards under half of a page are teasers
    // around the content; on a collection page the grid is what the page lists.
    let intro = paras(3, 5);
    let names = short_paras(10, 6);
    let cards: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "<div class=\"product-card\"><h3><a href=\"/p/{i}\">Striped cotton midi dress, style {i}</a></h3>\
                 <p>{n}</p><span class=\"price\">${i}9.00</span></div>"
            )
        })
        .collect();
    let head = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"CollectionPage","name":"Casual dresses"}</script>"#;
    let body = format!(
        "<main><h1>Casual dresses</h1><div class=\"grid\">{cards}</div>\
         <div class=\"category-description\">{}</div></main>",
        intro
            .iter()
            .map(|p| format!("<p>{p}</p>"))
            .collect::<String>()
    );
    let (card_chars, intro_chars) = (
        names.iter().map(|n| n.chars().count()).sum::<usize>(),
        intro.iter().map(|p| p.chars().count()).sum::<usize>(),
    );
    let share = card_chars as f32 / (card_chars + intro_chars) as f32;
    assert!(
        (0.3..0.5).contains(&share),
        "cards hold {share} of the text"
    );
    let ex = extract(&page(head, &body));
    assert_eq!(ex.page_type, "collection");
    assert_has(&ex.text, &intro);
    // The grid is no longer thrown away as teasers (readability still chooses among its
    // cards).
    assert!(ex.text.contains("dress, style"), "{}", ex.text);
}

#[test]
fn a_dialog_is_not_the_page_whatever_its_class() {
    // A magazine's section page under a consent manager's modal: `div[role=alertdialog]`
    // with a class no list names (`fides-modal-container`) and two long paragraphs of
    // privacy text, the longest prose on a page of teasers; it was taken as the main text.
    let summaries = short_paras(10, 8);
    let teasers: String = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| teaser(i, s))
        .collect();
    let privacy = paras(3, 2)
        .iter()
        .map(|p| format!("<p>Privacytext. {p}</p>"))
        .collect::<String>();
    let body = format!(
        "<div id=\"fides-overlay\"><div id=\"fides-modal\" role=\"alertdialog\" aria-modal=\"true\" class=\"fides-modal-container\">\
         <div class=\"fides-modal-content\"><h2>About your privacy</h2>{privacy}</div></div></div>\
         <main><h1>Science</h1><div class=\"summary-list\">{teasers}</div></main>"
    );
    let ex = extract(&page(
        r#"<link rel="canonical" href="https://example.org/category/science/">"#,
        &body,
    ));
    assert!(ex.text.contains("Teasertitle number 0"), "{}", ex.text);
    assert_lacks(&ex.text, &["Privacytext", "Navone", "Footertext"]);
}

#[test]
fn a_link_list_inside_a_service_pages_content_is_kept() {
    // A city's grant programme page: the partner organisations are a list of linked names,
    // each with a "(Web)" link and a phone number, inside the page's own text. As on
    // documentation pages, a link list inside the chosen content of a service, shop or
    // listing page is content; on an article it is a "related links" block.
    let ps = paras(3, 3);
    let partners = [
        "Rebuilding Together",
        "Meals on Wheels and More",
        "Interfaith Action",
        "Easter Seals",
        "Urban League",
    ];
    let list: String = partners
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!("<li><a href=\"https://partner{i}.example.org/\">{p}</a> (<a href=\"https://partner{i}.example.org/web\">Web</a>) (512) 99{i}-8230</li>")
        })
        .collect();
    let content = format!(
        "<h2>Who is eligible?</h2><p>{}</p><p>{}</p><h2>Partners</h2><ul>{list}</ul><p>{}</p>",
        ps[0], ps[1], ps[2]
    );
    let sections = format!(
        "<section class=\"block-0\"><div class=\"wrap\"><h2>Who is eligible?</h2><div class=\"txt\"><p>{}</p><p>{}</p>\
         <h3>Partners</h3><ul>{list}</ul><p>{}</p></div></div></section>",
        ps[0], ps[1], ps[2]
    );
    let service = page(
        r#"<link rel="canonical" href="https://example.com/services/repair-grants">"#,
        &format!(
            "<main><section class=\"hero\"><h1>Home repair grants</h1></section>{sections}</main>"
        ),
    );
    let ex = extract(&service);
    assert_eq!(ex.page_type, "service");
    assert_has(&ex.text, &ps);
    assert!(ex.text.contains("Meals on Wheels and More"), "{}", ex.text);
    let article = page(
        r#"<meta property="og:type" content="article">"#,
        &format!("<article><h1>Home repair grants</h1>{content}</article>"),
    );
    let ex = extract(&article);
    assert_eq!(ex.page_type, "article");
    assert_has(&ex.text, &ps[..2]);
    assert!(!ex.text.contains("Meals on Wheels and More"), "{}", ex.text);
}

#[test]
fn a_listings_list_beats_what_only_the_loose_pass_finds() {
    // A tech news home page: the content is a list of linked titles with linked author
    // names, all links, so the main pass finds next to nothing; the loose pass, which lets
    // class-named boilerplate back in, found the header's sign-up box — paragraphs of
    // prose, longer than the list — and it was kept over the news list.
    let titles: Vec<String> = short_paras(10, 8)
        .iter()
        .map(|t| t.split_whitespace().take(9).collect::<Vec<_>>().join(" "))
        .collect();
    let items: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<li class=\"news-item\"><div class=\"card__content\"><h4 class=\"card__title\"><a href=\"/news/{i}\">{t}</a></h4>\
                 <div class=\"card__authors\"><a href=\"/profile/{i}\">Author Number{i}</a></div></div></li>"
            )
        })
        .collect();
    let promo: String = paras(3, 6)
        .iter()
        .map(|p| format!("<p>Promotext. {p}</p>"))
        .collect();
    let body = format!(
        "<div class=\"header__account\"><div class=\"modal_auth_required\">{promo}</div></div>\
         <main><h2>News</h2><ul class=\"news-list\">{items}</ul></main>"
    );
    let ex = extract(&page(
        r#"<link rel="canonical" href="https://www.example.com/news/">"#,
        &body,
    ));
    assert_eq!(ex.page_type, "listing");
    assert_has(&ex.text, &titles);
    assert_lacks(&ex.text, &["Promotext", "Footertext"]);
}

#[test]
fn a_utility_class_saying_how_a_box_overflows_is_not_a_scroller_widget() {
    // A training-plan article styled with Tailwind: each week's table sits in
    // `div.overflow-x-scroll`, and `scroll` read as a scroller widget, so every table went.
    let ps = paras(3, 8);
    let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    let rows: String = (1..=4)
        .take(2)
        .map(|w| {
            let cells: String = days
                .iter()
                .map(|d| format!("<td>Plancell {d} easy run {w}0 min</td>"))
                .collect();
            format!("<tr><td>{w}</td>{cells}</tr>")
        })
        .collect();
    let table = format!(
        "<div class=\"my-6 overflow-x-scroll rounded\"><table class=\"w-full\"><thead><tr><td>Week</td>{}</tr></thead><tbody>{rows}</tbody></table></div>",
        days.iter().map(|d| format!("<td>{d}</td>")).collect::<String>()
    );
    let body = format!(
        "<article><h1>Couch to marathon</h1><p>{}</p><p>{}</p>{table}{}</article>",
        ps[0],
        ps[1],
        ps[2..]
            .iter()
            .map(|p| format!("<p>{p}</p>"))
            .collect::<String>()
    );
    let ex = extract(&page(
        r#"<meta property="og:type" content="article">"#,
        &body,
    ));
    assert_has(&ex.text, &ps);
    assert!(
        ex.text.contains("Plancell Wednesday easy run 20 min"),
        "{}",
        ex.text
    );
}

#[test]
fn a_page_shown_in_a_dialog_is_still_the_page() {
    // A news site that opens each story as a modal over its section page: the story is in
    // `div[role=dialog]` and holds most of the page's text. A dialog is a popup, except when
    // it is most of the page; then it is the page, not an empty extraction.
    let ps = paras(3, 8);
    let story: String = ps.iter().map(|p| format!("<p>{p}</p>")).collect();
    let body = format!(
        "<main><h2>Science</h2><ul><li><a href=\"/a\">Another story</a></li></ul></main>\
         <div class=\"story-modal\" role=\"dialog\" aria-modal=\"true\"><article><h1>A long story</h1>{story}</article></div>"
    );
    let ex = extract(&page(
        r#"<meta property="og:type" content="article">"#,
        &body,
    ));
    assert_has(&ex.text, &ps);
}

#[test]
fn a_q_and_a_users_reputation_and_badges_are_not_the_answer() {
    // A Stack Exchange answer's user card: its reputation score and badge counts (`-flair`,
    // `reputation-score`: "3,48366 gold badges3131 silver badges") are not the answer.
    let bodies = paras(3, 3);
    let post = |kind: &str, body: &str, i: usize| {
        format!(
            "<div class=\"{kind}\"><div class=\"post-layout\"><div class=\"postcell\"><div class=\"s-prose js-post-body\"><p>{body}</p></div>\
             <div class=\"post-signature\"><div class=\"user-info\"><div class=\"user-action-time\">answered Oct 16, 2010</div>\
             <div class=\"user-details\"><a href=\"/users/{i}\">Username{i}</a><div class=\"-flair\">\
             <span class=\"reputation-score\">3,48{i}</span><span title=\"6 gold badges\">Flairbadges 6 gold badges</span>\
             <span title=\"31 silver badges\">31 silver badges</span><span title=\"28 bronze badges\">28 bronze badges</span></div></div></div></div>\
             </div></div></div>"
        )
    };
    let answers: String = (1..3)
        .map(|i| post("answer js-answer", &bodies[i], i))
        .collect();
    let html = page(
        r#"<script type="application/ld+json">{"@type":"QAPage","mainEntity":{"@type":"Question","name":"Q"}}</script>"#,
        &format!(
            "<div id=\"mainbar\"><h1>How do I back up my whole system?</h1>{}<div id=\"answers\">{answers}</div></div>",
            post("question js-question", &bodies[0], 0)
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &bodies);
    assert_lacks(&ex.text, &["Flairbadges", "3,481", "Footertext"]);
}

#[test]
fn a_section_written_twice_for_two_screen_sizes_is_kept_once() {
    // A responsive service page writes its feature section twice, once for desktop and once
    // for mobile (a style sheet shows one); both copies sit in the content. The text keeps
    // one copy; the paragraph that is said once stays.
    let ps = paras(3, 5);
    let features: String = ps[..3].iter().map(|p| format!("<p>{p}</p>")).collect();
    let body = format!(
        "<main><section class=\"hero\"><h2>Our services</h2><p>{}</p></section>\
         <section class=\"features d-none d-md-block\"><h3>What we do</h3>{features}</section>\
         <section class=\"features d-md-none\"><h3>What we do</h3>{features}</section>\
         <section class=\"contact\"><p>{}</p></section></main>",
        ps[3], ps[4]
    );
    let ex = extract(&page("", &body));
    assert_has(&ex.text, &ps);
    for p in &ps {
        assert_eq!(
            collapse(&ex.text).matches(&collapse(p)).count(),
            1,
            "{p:?} not once in:\n{}",
            ex.text
        );
    }
}

#[test]
fn a_short_reply_under_its_authors_linked_name_is_part_of_the_thread() {
    // A XenForo thread: each post is `article.message` holding the author's linked name and
    // the post's linked date beside its text. A one-line reply is then a small box that is a
    // third links, which on other pages is a teaser ("a small box with a linked title"); on a
    // forum a post-named block with a paragraph of its own (40+ letters) is the thread.
    let ps = paras(3, 3);
    let replies = [
        "I can not believe how long this took everyone to sort out.",
        "Same here, my friends and I gave up on it after the second try.",
        "Thanks a lot, that finally worked for me and my brother too.",
    ];
    let post = |i: usize, text: &str| {
        format!(
            "<article class=\"message message--post\" id=\"post-{i}\"><div class=\"message-inner\">\
             <div class=\"message-cell message-cell--user\"><h4 class=\"message-name\"><a href=\"/members/u{i}.{i}/\" class=\"username\">Member{i}</a></h4></div>\
             <div class=\"message-cell message-cell--main\"><header class=\"message-attribution\"><a href=\"/threads/t.1/post-{i}\"><time>Mar 27, 2025</time></a></header>\
             <div class=\"message-content\"><article class=\"message-body\"><div class=\"bbWrapper\">{text}</div></article></div></div></div></article>"
        )
    };
    // Long posts and one-line replies in turn.
    let thread: String = ps
        .iter()
        .zip(replies)
        .enumerate()
        .map(|(i, (p, r))| post(2 * i, p) + &post(2 * i + 1, r))
        .collect();
    let html = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"DiscussionForumPosting","headline":"Fighting the final boss"}</script>"#,
        &format!("<div class=\"p-body-main\"><h1>Fighting the final boss</h1><div class=\"block-body\">{thread}</div></div>"),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &ps);
    let replies: Vec<String> = replies.iter().map(|r| r.to_string()).collect();
    assert_has(&ex.text, &replies);
}

#[test]
fn a_short_reply_wrapped_inside_its_post_is_part_of_the_thread() {
    // A phpBB thread: each `div.post` wraps everything in a `div.inner` — the author's
    // profile (linked name, post count) and the body under a linked subject. A one-line
    // reply makes that wrapper a small box a third links; it holds all of its post's text,
    // so it is the post.
    let ps = paras(3, 3);
    let replies = [
        "Having upgraded to the new release, I am having network issues. Tests underway.",
        "Same problem here after installing it, the guests lost their internet access.",
        "Created a new bug report for the network issue, please add your logs there.",
    ];
    let post = |i: usize, text: &str| {
        format!(
            "<div id=\"p{i}\" class=\"post has-profile bg{}\"><div class=\"inner\">\
             <dl class=\"postprofile\"><dt><a href=\"/memberlist.php?u={i}\" class=\"username\">Member{i}</a></dt><dd class=\"profile-posts\"><strong>Posts:</strong> <a href=\"/search.php?author_id={i}\">{i}38</a></dd></dl>\
             <div class=\"postbody\"><div id=\"post_content{i}\"><h3><a href=\"#p{i}\">Re: Discuss the new release here</a></h3>\
             <p class=\"author\">by <a href=\"/memberlist.php?u={i}\">Member{i}</a> 11. Sep 2024</p><div class=\"content\">{text}</div></div></div></div></div>",
            i % 2 + 1
        )
    };
    let thread: String = ps
        .iter()
        .zip(replies)
        .enumerate()
        .map(|(i, (p, r))| post(2 * i, p) + &post(2 * i + 1, r))
        .collect();
    let html = page(
        r#"<meta name="generator" content="phpBB"><link rel="canonical" href="https://forums.example.org/viewtopic.php?t=112320">"#,
        &format!("<div id=\"page-body\"><h2 class=\"topic-title\">Discuss the new release here</h2>{thread}</div>"),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &ps);
    let replies: Vec<String> = replies.iter().map(|r| r.to_string()).collect();
    assert_has(&ex.text, &replies);
}

#[test]
fn a_listing_split_into_sections_keeps_every_section() {
    // A job board grouped by two teams: one `ul.jobs` per section, items from one template, below
    // a short introduction (the readability pass's pick: the lists are all links). The
    // largest run was taken for the whole list; every run of the same items is.
    let section = |team: &str, n: usize| {
        let items: String = (1..=n)
            .map(|i| {
                format!(
                    "<li class=\"job\"><a href=\"/jobs/{team}-{i}\">{team} engineer number {i} wanted for the platform</a> <span class=\"age\">{i} days ago</span></li>"
                )
            })
            .collect();
        format!("<section class=\"team\"><h2>{team}</h2><ul class=\"jobs\">{items}</ul></section>")
    };
    let html = page(
        r#"<link rel="canonical" href="https://example.org/jobs">"#,
        &format!(
            "<main><h1>Open positions</h1><div class=\"intro\"><p>{}</p></div>{}{}</main>",
            short_paras(3, 1)[0],
            section("Data", 6),
            section("Security", 4)
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "listing");
    for job in [
        "Data engineer number 6 wanted",
        "Security engineer number 1 wanted",
        "Security engineer number 4 wanted",
    ] {
        assert!(ex.text.contains(job), "{job:?} missing in:\n{}", ex.text);
    }
}

#[test]
fn a_listings_runs_follow_its_largest_template_every_time() {
    // A list of new papers by day: one `<div class="day">` per day, each paper an
    // `<article class="paper">` with a linked title, below a short introduction (the
    // readability pass's pick: the lists are all links). Monday's list also holds three
    // `div.note` links to the mailing list: two runs of items under one parent. The list is
    // every run made from the largest run's template, chosen the same way on every run of
    // the program: it was taken from whichever of that parent's runs a hash map listed
    // first, so the same page gave both days or only Monday from one run to the next.
    let paper = |i: usize| {
        format!(
            "<article class=\"paper\"><a href=\"/abs/2401.{i:05}\">Paperheadline number {i} on sparse attention for long documents</a> \
             <span class=\"authors\">Firstauthor Longname{i}, Secondauthor Longname{i}</span></article>"
        )
    };
    let papers = |from: usize, n: usize| (from..from + n).map(paper).collect::<String>();
    let notes: String = (1..=3)
        .map(|i| format!("<div class=\"note\"><a href=\"/lists/{i}\">Subscribe to mailing list {i}</a></div>"))
        .collect();
    let html = page(
        r#"<link rel="canonical" href="https://example.org/archive/cs.CL/2401">"#,
        &format!(
            "<main><h1>Computation and Language: new submissions</h1><div class=\"intro\"><p>{}</p></div>\
             <h2>Monday</h2><div class=\"day\">{}{notes}</div><h2>Tuesday</h2><div class=\"day\">{}</div></main>",
            short_paras(3, 1)[0],
            papers(1, 6),
            papers(7, 4)
        ),
    );
    // Each extraction builds its hash maps with new keys, so one run could be lucky.
    for _ in 0..16 {
        let ex = extract(&html);
        assert_eq!(ex.page_type, "listing");
        for title in ["Paperheadline number 1 on", "Paperheadline number 10 on"] {
            assert!(
                ex.text.contains(title),
                "{title:?} missing in:\n{}",
                ex.text
            );
        }
    }
}

#[test]
fn skip_links_are_never_text() {
    // "Skip to content": an accessibility shortcut to the page's own main block, shown only
    // when focused, here inside the page's wrapper above a service page's sections. One
    // named for what it is (WordPress's `a.skip-link`, here in Thai), one that says so in
    // its text; an in-page link to one of the sections stays.
    let ps = paras(3, 4);
    let sections: String = ps
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!("<section id=\"s{i}\"><h2>Service number {i}</h2><p>{p}</p></section>")
        })
        .collect();
    let html = page(
        r#"<link rel="canonical" href="https://example.org/services">"#,
        &format!(
            "<div class=\"site\"><a class=\"skip-link screen-reader-text\" href=\"#content\">ข้ามไปยังเนื้อหา</a> \
             <a class=\"sr-only\" href=\"#main-content\">Skip to main content</a>\
             <h1>Our services</h1><p>What we do is in <a href=\"#s2\">the third section</a> below, with the prices and the people we work with.</p>{sections}</div>"
        ),
    );
    let ex = extract(&html);
    assert_has(&ex.text, &ps);
    assert!(
        ex.text.contains("in the third section below"),
        "{}",
        ex.text
    );
    assert_lacks(&ex.text, &["ข้ามไปยังเนื้อหา", "Skip to main content"]);
}

#[test]
fn a_script_rendered_shell_asking_for_javascript_is_empty() {
    // A single-page app's shell: an empty root element and a `<noscript>` notice. A notice
    // is no crawler view of the page (a long `<noscript>` still is: see
    // `noscript_crawler_view_is_used_when_nothing_else_is_visible`).
    let html = "<!doctype html><html><head><title>Shop</title></head><body>\
        <noscript>You need to enable JavaScript to run this app.</noscript><div id=\"root\"></div>\
        <script src=\"/static/js/main.js\"></script></body></html>";
    let ex = extract(html);
    assert_eq!(ex.text, "", "pass {}", ex.pass);
}

#[test]
fn a_block_of_only_invisible_characters_is_no_line() {
    // Page builders space sections with `<p>&zwj;</p>`: a line of text that draws nothing,
    // which line-based quality filters would count as a short line. A joiner inside a line
    // (an emoji sequence) stays.
    let ps = paras(3, 4);
    let body: String = ps
        .iter()
        .map(|p| format!("<p>{p}</p><p>&zwj;</p><p>\u{200B}\u{200D}</p>"))
        .collect();
    let html = page(
        "",
        &format!("<article><h1>Headline</h1>{body}<p>Written by a developer \u{1F469}\u{200D}\u{1F4BB} at home, with coffee and a cat.</p></article>"),
    );
    let ex = extract(&html);
    assert_has(&ex.text, &ps);
    assert!(
        ex.text.contains("\u{1F469}\u{200D}\u{1F4BB}"),
        "{}",
        ex.text
    );
    for line in ex.text.lines() {
        assert!(
            line.chars()
                .any(|c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200F}')),
            "a line of invisible characters: {line:?} in\n{}",
            ex.text
        );
    }
}

/// A Q&A site's answer form below the answers: a textarea, sign-up buttons and an e-mail
/// field, each with its label.
const ANSWER_FORM: &str = "<form id=\"post-form\" action=\"/questions/1/answer/submit\"><h2>Your Answer</h2>\
    <textarea name=\"post-text\"></textarea><div class=\"new-login\"><p>Sign up or log in</p><p>Sign up using Google</p>\
    <p>Post as a guest</p><label for=\"display-name\">Name</label><input id=\"display-name\" type=\"text\">\
    <label for=\"m-address\">Email</label><input id=\"m-address\" type=\"email\"><p>Required, but never shown</p></div>\
    <p>By clicking Post Your Answer, you agree to our terms of service and acknowledge you have read our privacy policy.</p></form>";

#[test]
fn a_form_to_write_in_is_not_text() {
    // Below a Q&A thread, the answer form's labels and sign-up prompts are the site's, not
    // the thread's. A page that is one form (ASP.NET wraps every page in `form#aspnetForm`,
    // here with a search box's textarea) keeps its text.
    let ps = paras(3, 5);
    let answers: String = ps
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<div class=\"answer\" id=\"a{i}\"><div class=\"post-text\"><p>{p}</p></div></div>"
            )
        })
        .collect();
    let thread = format!("<h1>How do I ask a question?</h1><div id=\"answers\">{answers}</div>");
    let qa = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"QAPage"}</script>"#,
        &format!("<main>{thread}{ANSWER_FORM}</main>"),
    );
    let ex = extract(&qa);
    assert_has(&ex.text, &ps);
    assert_lacks(
        &ex.text,
        &[
            "Post as a guest",
            "Required, but never shown",
            "Sign up using Google",
        ],
    );
    // (A notice outside the form, long enough to be a main text of its own, is what the
    // page would be read as were the form boilerplate.)
    let wrapped = page(
        "",
        &format!(
            "<form id=\"aspnetForm\" action=\"./page.aspx\"><textarea name=\"q\"></textarea><main>{thread}</main></form>\
             <div class=\"notice\"><p>{}</p><p>{}</p></div>",
            paras(12, 1)[0],
            paras(13, 1)[0]
        ),
    );
    assert_has(&extract(&wrapped).text, &ps);
}

#[test]
fn a_heading_named_header_is_a_heading() {
    // `h2.section-header` heads a section of the article; the site's `div.site-header`
    // above it is still the site's.
    let ps = paras(3, 4);
    let body: String = ps
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!("<h2 class=\"section-header\">Sectiontitle number {i}</h2><p>{p}</p>")
        })
        .collect();
    let html = page(
        "",
        &format!("<div class=\"site-header\"><p>Sitewide banner text for every visitor of the site today</p></div><article><h1>Headline</h1>{body}</article>"),
    );
    let ex = extract(&html);
    assert_has(&ex.text, &ps);
    for i in 0..4 {
        let title = format!("Sectiontitle number {i}");
        assert!(
            ex.text.contains(&title),
            "{title:?} missing in:\n{}",
            ex.text
        );
    }
    assert_lacks(&ex.text, &["Sitewide banner text"]);
}

#[test]
fn a_product_detail_page_is_typed_by_its_pdp_path() {
    // Shops name their product detail pages `/pdp/` (Wayfair, Nike, Target's Canadian store):
    // a product, whose specification lists are its text.
    let specs: String = (1..=8)
        .map(|i| format!("<li>Specname {i}: value {i} inches</li>"))
        .collect();
    let html = page(
        r#"<link rel="canonical" href="https://shop.example.com/lighting/pdp/beaded-chandelier-bop1026.html">"#,
        &format!("<div class=\"pdp\"><h1>Beaded chandelier</h1><p>{}</p><h2>Specifications</h2><ul>{specs}</ul></div>", short_paras(3, 1)[0]),
    );
    assert_eq!(extract(&html).page_type, "product");
}

#[test]
fn an_faqs_questions_in_buttons_are_text() {
    // FAQ accordions put each question in the `<button>` that opens its answer: inside a
    // heading with `aria-expanded` (WAI-ARIA's pattern), named for an FAQ, or wrapping a
    // heading. Controls stay out: a short toggle, a button that opens nothing.
    let answers = paras(3, 3);
    let qa = [
        "<h3><button aria-expanded=\"false\" aria-controls=\"a1\">How long can I rent equipment for?</button></h3>",
        "<button class=\"faq-list__label-button\">Do you deliver and set up rental equipment</button>",
        "<button class=\"w-full py-6 flex\"><h3>Is insurance included with rentals?</h3></button>",
    ];
    let faq: String = qa
        .iter()
        .zip(&answers)
        .enumerate()
        .map(|(i, (q, a))| {
            format!(
                "<div class=\"item\">{q}<div id=\"a{}\"><p>{a}</p></div></div>",
                i + 1
            )
        })
        .collect();
    let html = page(
        r#"<link rel="canonical" href="https://example.org/services/rentals">"#,
        &format!(
            "<main><h1>Equipment rentals</h1><p>{}</p><button aria-expanded=\"false\">Menu</button>\
             <button class=\"cta\">Add this rental to my cart now</button><h2>Frequently asked questions</h2>{faq}</main>",
            short_paras(3, 1)[0]
        ),
    );
    let ex = extract(&html);
    assert_has(&ex.text, &answers);
    for q in [
        "How long can I rent equipment for?",
        "Do you deliver and set up rental equipment",
        "Is insurance included with rentals?",
    ] {
        assert!(ex.text.contains(q), "{q:?} missing in:\n{}", ex.text);
    }
    assert!(!ex.text.lines().any(|l| l.trim() == "Menu"), "{}", ex.text);
    assert_lacks(&ex.text, &["Add this rental to my cart"]);
}

#[test]
fn panels_named_for_tabs_or_collapsing_are_content_one_click_away() {
    // A product page's details behind tabs and expanders, hidden inline until clicked:
    // Bootstrap's `div.tab-pane`, a `div.tab__content[hidden]`, a `div.chakra-collapse`, an
    // `a-expander-content`. A hidden box named for nothing of the kind stays hidden.
    let ps = paras(3, 4);
    let panels = [
        "<div class=\"tab-pane fade\" style=\"display:none\"><p>{}</p></div>",
        "<div class=\"tab__content\" hidden><p>{}</p></div>",
        "<div class=\"chakra-collapse\" style=\"overflow:hidden;display:none\"><p>{}</p></div>",
        "<div class=\"a-expander-content\" style=\"display:none\"><p>{}</p></div>",
    ];
    let body: String = panels
        .iter()
        .zip(&ps)
        .map(|(panel, p)| panel.replace("{}", p))
        .collect();
    let html = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Blender"}</script>"#,
        &format!(
            "<main><h1>Blender</h1><p>{}</p>{body}<div class=\"modal\" style=\"display:none\"><p>Modaltext you will never see unless you click a button</p></div></main>",
            short_paras(20, 1)[0]
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "product");
    assert_has(&ex.text, &ps);
    assert_lacks(&ex.text, &["Modaltext"]);
}

#[test]
fn a_list_of_links_the_text_introduces_is_the_texts() {
    // A progress report: "Many patches were sent for review:" and a list whose every item is
    // a link to one patch. A list that is all links is a "related" box on an article, unless
    // the text introduces it with a colon; the site's own list of links after the article
    // still goes.
    let ps = paras(3, 5);
    let patches: String = (1..=6)
        .map(|i| format!("<li><a href=\"https://example.org/patch/{i}\">Patchtitle number {i}: support one more target</a></li>"))
        .collect();
    let related: String = (1..=6)
        .map(|i| {
            format!("<li><a href=\"/posts/{i}\">Relatedlink number {i} to another post</a></li>")
        })
        .collect();
    let body = format!(
        "<article><h1>Progress report</h1><p>{}</p><p>{}</p><p>Many patches were sent for review:</p><ul>{patches}</ul>\
         <p>{}</p><p>{}</p><p>{}</p><ul>{related}</ul></article>",
        ps[0], ps[1], ps[2], ps[3], ps[4]
    );
    let ex = extract(&page(
        r#"<meta property="og:type" content="article">"#,
        &body,
    ));
    assert_eq!(ex.page_type, "article");
    assert_has(&ex.text, &ps);
    for i in [1, 6] {
        assert!(
            ex.text.contains(&format!("Patchtitle number {i}")),
            "{}",
            ex.text
        );
    }
    assert_lacks(&ex.text, &["Relatedlink"]);
}

#[test]
fn a_forum_comment_with_many_links_is_still_a_post() {
    // An old-Reddit thread: each reply is `div.thing.comment` with its author, score,
    // permalink, reply, share and report links around a short text, so a third or more of
    // it is links. A negative name with that many links is boilerplate on an article; on a
    // forum a comment is a post, and its name's negative weight does not count.
    let ps = paras(3, 2);
    let replies = [
        "Might this also be a potential cure for the ringing in the ears we all hear?",
        "I dream of a day where there is silence and not this endless high pitched tone.",
        "Thankfully I do not notice it anymore unless somebody brings it up in a thread.",
        "Pretty sure I was born with this, silence has always had a buzz to it for me.",
        "Those are very different types of cells, but something like that could work.",
        "There are no actual hairs in the inner ear, only cells that look a bit like hairs.",
        "The study was done in mice, so it will be years before anyone can try it on people.",
    ];
    let comment = |i: usize, text: &str| {
        format!(
            "<div class=\"thing id-t1_{i} noncollapsed comment\"><div class=\"entry\"><p class=\"tagline\">\
             <a href=\"/user/someone{i}\" class=\"author\">someone{i}</a> <span class=\"score\">{i} points</span></p>\
             <div class=\"usertext-body\"><div class=\"md\"><p>{text}</p></div></div>\
             <ul class=\"flat-list buttons\"><li><a href=\"/r/science/comments/abc/x/c{i}/\">permalink</a></li>\
             <li><a href=\"/r/science/comments/abc/x/c{i}/?context=3\">context</a></li><li><a href=\"/report?c={i}\">report</a></li></ul></div></div>"
        )
    };
    let comments: String = replies
        .iter()
        .enumerate()
        .map(|(i, r)| comment(i + 1, r))
        .collect();
    let html = page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"DiscussionForumPosting","headline":"Hair follicles grown in the lab"}</script>"#,
        &format!(
            "<div class=\"content\"><div class=\"sitetable linklisting\"><div class=\"thing link\"><p class=\"title\">\
             <a href=\"https://example.org/story\">Hair follicles grown in the lab</a></p>\
             <div class=\"usertext-body\"><div class=\"md\"><p>{}</p><p>{}</p></div></div></div></div>\
             <div class=\"commentarea\"><div class=\"sitetable nestedlisting\">{comments}</div></div></div>",
            ps[0], ps[1]
        ),
    );
    let ex = extract(&html);
    assert_eq!(ex.page_type, "forum");
    assert_has(&ex.text, &ps);
    let replies: Vec<String> = replies.iter().map(|r| r.to_string()).collect();
    assert_has(&ex.text, &replies);
}
