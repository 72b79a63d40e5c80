//! Extraction on hand-written pages: boilerplate around an article, list articles, `<br>`,
//! tables, metadata, the stage's drop reasons, and pathological pages that must not hang.

use std::time::{Duration, Instant};

use pipeline::config::ExtractConfig;
use pipeline::{Doc, Outcome, Stage};
use stages::extract::{extract, ExtractStage};

const ARTICLE: &str = r##"<!doctype html><html><head><title>Rice prices rise | Daily News</title>
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
<meta name="author" content="Siti Rahman">
<script>var tracking = "Scripttext should never appear";</script>
<style>.x { content: "Styletext" }</style></head>
<body>
<header class="site-header"><a href="/">Daily News</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<div id="main" class="container">
<article class="post">
<h1>Rice prices rise across the region</h1>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<p>Rice prices rose for the third month in a row, traders in Bangkok, Hanoi and Jakarta said on Tuesday, as dry weather cut harvests across mainland Southeast Asia.</p>
<p>Export prices for Thai white rice reached their highest level since 2008, while Vietnamese exporters reported strong demand from the Philippines and Indonesia.</p>
<h2>Governments respond</h2>
<p>Several governments said they would release stocks to keep retail prices stable, and some considered limits on exports, according to officials.</p>
<p>Analysts expect prices to ease only when the monsoon returns, which forecasters place in late May or early June, depending on the region.</p>
</article>
<section class="comments"><h3>Comments</h3><div class="comment"><p>Commenttext: great article, thanks for writing this, I learned a lot today!</p></div></section>
<div class="related-articles"><h3>Related</h3><ul>
<li><a href="/a">Relatedtext one: wheat harvest falls short of expectations</a></li>
<li><a href="/b">Relatedtext two: fertiliser costs climb for farmers again</a></li></ul></div>
</div>
<aside class="sidebar"><p>Sidebartext: subscribe to our newsletter for daily updates!</p></aside>
<footer><p>Footertext © 2024 Daily News. All rights reserved.</p></footer>
<form class="newsletter"><input name="email" value="Inputtext"><button>Subscribe now</button></form>
</body></html>"##;

#[test]
fn article_in_boilerplate_keeps_article_only() {
    let ex = extract(ARTICLE);
    assert_eq!(ex.pass, "main");
    for kept in [
        "Rice prices rose for the third month",
        "highest level since 2008",
        "Governments respond",
        "monsoon returns",
    ] {
        assert!(ex.text.contains(kept), "missing {kept:?} in:\n{}", ex.text);
    }
    for junk in [
        "Scripttext",
        "Styletext",
        "World",
        "cookies",
        "Share on",
        "Commenttext",
        "Relatedtext",
        "Sidebartext",
        "Footertext",
        "Inputtext",
        "Subscribe now",
    ] {
        assert!(
            !ex.text.contains(junk),
            "boilerplate {junk:?} in:\n{}",
            ex.text
        );
    }
    assert_eq!(ex.date.as_deref(), Some("2024-03-05T08:00:00Z"));
    assert_eq!(ex.author.as_deref(), Some("Siti Rahman"));
    assert_eq!(ex.title.as_deref(), Some("Rice prices rise | Daily News"));
}

#[test]
fn article_snapshot() {
    insta::assert_snapshot!(extract(ARTICLE).text);
}

const LIST_ARTICLE: &str = r#"<html><body>
<nav><a href="/">Home</a> <a href="/recipes">Recipes</a> <a href="/about">About</a></nav>
<main><h1>Ten things to pack for a trip to Luang Prabang</h1>
<ol>
<li>A light rain jacket, because showers arrive suddenly in the wet season.</li>
<li>Comfortable sandals that you can slip off quickly before entering temples.</li>
<li>A scarf or shawl to cover your shoulders when visiting the royal palace.</li>
<li>Cash in kip, since many small shops and night market stalls do not take cards.</li>
<li>A reusable water bottle; many guesthouses offer free filtered water refills.</li>
</ol></main>
<footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>"#;

#[test]
fn list_article_items_are_lines() {
    let ex = extract(LIST_ARTICLE);
    let lines: Vec<&str> = ex.text.lines().collect();
    assert!(
        lines.contains(&"A light rain jacket, because showers arrive suddenly in the wet season."),
        "{}",
        ex.text
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("A reusable water bottle")),
        "{}",
        ex.text
    );
    for junk in ["Recipes", "Privacy", "Terms"] {
        assert!(!ex.text.contains(junk), "{junk:?} in:\n{}", ex.text);
    }
}

const BR_AND_TABLE: &str = r#"<html><body><div class="content">
<p>The committee met on Monday to review the results of the survey in three provinces.<br>
Attendance was higher than last year.<br/>The next meeting is planned for June.</p>
<table><tr><th>Province</th><th>Households</th><th>Share</th></tr>
<tr><td>Chiang Mai</td><td>1,200</td><td>41%</td></tr>
<tr><td>Khon Kaen</td><td><p>980</p></td><td>33%</td></tr></table>
<p>Results will be published in full once the data has been checked by the statistics office.</p>
</div></body></html>"#;

#[test]
fn br_breaks_lines_and_tables_become_rows() {
    let ex = extract(BR_AND_TABLE);
    let lines: Vec<&str> = ex.text.lines().collect();
    assert!(
        lines.contains(&"Attendance was higher than last year."),
        "{}",
        ex.text
    );
    assert!(
        lines.contains(&"The next meeting is planned for June."),
        "{}",
        ex.text
    );
    assert!(
        lines.contains(&"Province | Households | Share"),
        "{}",
        ex.text
    );
    assert!(lines.contains(&"Chiang Mai | 1,200 | 41%"), "{}", ex.text);
    assert!(lines.contains(&"Khon Kaen | 980 | 33%"), "{}", ex.text);
}

#[test]
fn br_and_table_snapshot() {
    insta::assert_snapshot!(extract(BR_AND_TABLE).text);
}

#[test]
fn whitespace_and_entities_are_normalised() {
    let ex = extract("<p>  Ha&nbsp;Noi \t and\n\n  Hu&eacute;  &amp; Sài Gòn  </p>");
    assert_eq!(ex.text, "Ha Noi and Hué & Sài Gòn");
}

#[test]
fn short_link_page_falls_back_or_is_none() {
    let ex = extract("<html><body><nav><a href='/'>Home</a></nav></body></html>");
    assert_eq!((ex.pass, ex.text.as_str()), ("none", ""));
    let ex = extract("");
    assert_eq!(ex.pass, "none");
}

#[test]
fn fallback_pass_when_main_finds_too_little() {
    // Every paragraph sits in a "comment"-named block: the main pass removes them, the loose
    // main pass keeps them only if scoring finds them; the body is what is left.
    let html = "<html><body><div class='sidebar-comments'>\
        <span>Short note one here.</span><br><span>Another note, quite short.</span>\
        </div></body></html>";
    let ex = extract(html);
    assert_eq!(ex.pass, "fallback", "{ex:?}");
    assert!(ex.text.contains("Short note one here.") && ex.text.contains("quite short"));
}

fn stage(min_chars: usize, max_html_bytes: usize) -> ExtractStage {
    ExtractStage::build(&ExtractConfig {
        min_chars,
        max_html_bytes,
    })
    .expect("valid config")
}

fn doc(html: Option<&str>) -> Doc {
    Doc {
        id: "d1".into(),
        html: html.map(str::to_string),
        ..Doc::default()
    }
}

#[test]
fn stage_sets_text_title_meta_and_frees_html() {
    let mut s = stage(50, 1 << 20);
    assert_eq!(s.name(), "extract");
    match s.process(doc(Some(ARTICLE))).unwrap() {
        Outcome::Keep(d) => {
            assert!(d.html.is_none());
            assert!(d.text.contains("monsoon returns"));
            assert_eq!(d.title.as_deref(), Some("Rice prices rise | Daily News"));
            assert_eq!(d.meta["extract_pass"], "main");
            assert_eq!(d.meta["date_published"], "2024-03-05T08:00:00Z");
            assert_eq!(d.meta["author"], "Siti Rahman");
        }
        Outcome::Drop { reason, .. } => panic!("dropped: {reason}"),
    }
}

fn reason(o: Outcome) -> &'static str {
    match o {
        Outcome::Drop { reason, .. } => reason,
        Outcome::Keep(d) => panic!("kept {:?}", d.text),
    }
}

#[test]
fn stage_drop_reasons() {
    let mut s = stage(50, 1000);
    assert_eq!(reason(s.process(doc(None)).unwrap()), "no_html");
    assert_eq!(
        reason(s.process(doc(Some(ARTICLE))).unwrap()),
        "html_too_large"
    );
    assert_eq!(
        reason(s.process(doc(Some("<p>Too short.</p>"))).unwrap()),
        "too_short"
    );
}

#[test]
fn zero_max_html_bytes_is_a_config_error_quoting_it() {
    let e = ExtractStage::build(&ExtractConfig {
        min_chars: 1,
        max_html_bytes: 0,
    })
    .unwrap_err();
    assert!(e.to_string().contains("max_html_bytes = 0"), "{e}");
}

/// Run `f` and fail if it takes longer than `limit` (debug build, loaded CI machine).
fn within<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < limit, "took {:?}", start.elapsed());
    out
}

#[test]
fn guard_100k_nested_divs() {
    let n = 100_000;
    let html = format!(
        "{}<p>Deep text at the bottom of the nesting.</p>{}",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    let ex = within(Duration::from_secs(20), || extract(&html));
    assert!(ex.text.contains("Deep text at the bottom"), "{:?}", ex.text);
}

#[test]
fn guard_100k_nested_inline_and_unclosed() {
    let html = format!(
        "<p>Start of a paragraph with plenty of text in it.{}",
        "<span><b><i>x".repeat(100_000)
    );
    let ex = within(Duration::from_secs(20), || extract(&html));
    assert!(ex.text.starts_with("Start of a paragraph"));
}

#[test]
fn guard_50mb_page() {
    let para = "<p>Hà Nội, Việt Nam — một đoạn văn dài để kiểm tra trang web rất lớn, với nhiều câu.</p>\n";
    let html = format!(
        "<html><body><article>{}</article></body></html>",
        para.repeat(50_000_000 / para.len())
    );
    assert!(html.len() > 49_000_000);
    let ex = within(Duration::from_secs(60), || extract(&html));
    assert!(
        ex.text.lines().count() > 400_000,
        "{}",
        ex.text.lines().count()
    );
}

#[test]
fn guard_endless_attribute() {
    let html = format!(
        "<p>Before the attribute there is some text.</p><div class=\"{}",
        "a".repeat(20_000_000)
    );
    let ex = within(Duration::from_secs(20), || extract(&html));
    assert!(ex.text.contains("Before the attribute"), "{:?}", ex.text);
}

#[test]
fn guard_unclosed_script() {
    let html = format!(
        "<p>Visible paragraph before the script tag.</p><script>{}",
        "var a = '</div><p>x</p>';".repeat(200_000)
    );
    let ex = within(Duration::from_secs(20), || extract(&html));
    assert_eq!(ex.text, "Visible paragraph before the script tag.");
}
