//! Extraction on hand-written pages: boilerplate around an article, list articles, `<br>`,
//! tables, metadata, the stage's drop reasons, and pathological pages that must not hang.

use std::time::{Duration, Instant};

use pipeline::{Doc, Outcome, Stage};
use stages::extract::ExtractConfig;
use stages::extract::{extract, extract_within, ExtractStage, ExtractTimeout};

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
    // No block is long enough to be a paragraph (25 characters), so neither main pass finds
    // a candidate; the fallback keeps the body minus its navigation.
    let html = "<html><body><nav><a href='/'>Home</a></nav>\
        <div><span>Short note one here.</span></div><div>Another note,</div>\
        <div><b>quite short.</b></div></body></html>";
    let ex = extract(html);
    assert_eq!(ex.pass, "fallback", "{ex:?}");
    assert!(ex.text.contains("Short note one here.") && ex.text.contains("quite short"));
}

fn stage(min_chars: usize, max_html_bytes: usize) -> ExtractStage {
    ExtractConfig {
        min_chars,
        max_html_bytes,
        ..ExtractConfig::default()
    }
    .stage()
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
    let e = ExtractConfig {
        min_chars: 1,
        max_html_bytes: 0,
        ..ExtractConfig::default()
    }
    .stage()
    .unwrap_err();
    assert!(e.to_string().contains("max_html_bytes = 0"), "{e}");
    let e = ExtractConfig {
        max_millis: 0,
        ..ExtractConfig::default()
    }
    .stage()
    .unwrap_err();
    assert!(e.to_string().contains("max_millis = 0"), "{e}");
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
    let html = big_page(50_000_000);
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

/// A page of many short paragraphs, each one numbered (a repeated paragraph would be
/// dropped as a copy), about `bytes` long.
fn big_page(bytes: usize) -> String {
    let mut body = String::with_capacity(bytes + 64);
    body.push_str("<html><body><article>");
    let mut i = 0u64;
    while body.len() < bytes {
        use std::fmt::Write;
        let _ = writeln!(
            body,
            "<p>Hà Nội, Việt Nam — đoạn văn {i} dài để kiểm tra trang web rất lớn, với nhiều câu.</p>"
        );
        i += 1;
    }
    body.push_str("</article></body></html>");
    body
}

#[test]
fn guard_time_cap_gives_timeout_not_partial_text() {
    let html = big_page(20_000_000);
    let limit = Duration::from_millis(5);
    let start = Instant::now();
    let r = extract_within(&html, limit);
    let took = start.elapsed();
    assert_eq!(r, Err(ExtractTimeout(limit)));
    // The parser stops soon after the deadline instead of reading the whole 20 MB page.
    let full = within(Duration::from_secs(60), || extract(&html));
    assert!(full.text.lines().count() > 100_000);
    assert!(took < Duration::from_secs(2), "timeout took {took:?}");
    let ok = extract_within(ARTICLE, Duration::from_secs(30)).expect("small page in time");
    assert_eq!(ok, extract(ARTICLE));
}

#[test]
fn stage_drops_slow_page_as_extract_timeout() {
    let mut s = ExtractConfig {
        max_millis: 1,
        max_html_bytes: 64 << 20,
        ..ExtractConfig::default()
    }
    .stage()
    .expect("valid config");
    let html = big_page(20_000_000);
    assert_eq!(
        reason(s.process(doc(Some(&html))).unwrap()),
        "extract_timeout"
    );
}

/// Boilerplate *inside* the article container: a byline, a photo caption and credit, an ad
/// slot, a "related stories" paragraph of links, a donation box, an author bio and a tag list
/// (the shapes of the Prachatai, AP and The Hill pages that the main pass used to keep).
const ARTICLE_WITH_INNER_BOILERPLATE: &str = r##"<html><head><title>Flood warning</title></head><body>
<div class="content clearfix"><article class="node">
<h1>ประกาศเตือนน้ำท่วมในภาคเหนือ</h1>
<p class="byline">Bylinetext: By Somchai K., Staff Writer</p>
<div class="field-name-body"><div class="field-items"><div class="field-item">
<p>กรมอุตุนิยมวิทยาประกาศเตือนประชาชนในจังหวัดเชียงใหม่ เชียงราย และน่าน ให้เตรียมรับมือกับฝนตกหนักต่อเนื่องตลอดสัปดาห์นี้ ซึ่งอาจทำให้เกิดน้ำท่วมฉับพลันและดินถล่มในพื้นที่ลาดชัน</p>
<div class="image"><img src="a.jpg"><div class="caption">Captiontext: the river at dawn <span class="credit">Photo: Agency</span></div></div>
<p>เจ้าหน้าที่ท้องถิ่นได้เปิดศูนย์พักพิงชั่วคราวหลายแห่ง และขอให้ผู้ที่อาศัยอยู่ริมแม่น้ำย้ายขึ้นที่สูงก่อนเวลากลางคืน โดยจะมีรถของทางราชการคอยรับส่งตลอดยี่สิบสี่ชั่วโมง</p>
<div class="dfp-ad-slot"><span>Adtext ADVERTISEMENT</span></div>
<p>นักวิชาการด้านสิ่งแวดล้อมระบุว่า การตัดไม้ทำลายป่าบนพื้นที่ต้นน้ำทำให้ความเสี่ยงจากน้ำท่วมเพิ่มสูงขึ้นอย่างมากในช่วงสิบปีที่ผ่านมา และเรียกร้องให้มีการฟื้นฟูป่าอย่างจริงจัง</p>
<p><strong>เรื่องที่เกี่ยวข้อง</strong><br><a href="/a">Relatedtext น้ำท่วมใหญ่ปีที่แล้วสร้างความเสียหายหลายพันล้านบาท</a><br><a href="/b">Relatedtext ชาวบ้านริมน้ำปิงเร่งขนของหนีน้ำ</a></p>
</div></div></div>
<div class="field-tags"><a href="/t/1">Tagtext-flood</a> <a href="/t/2">Tagtext-north</a></div>
<div class="support-pay"><strong>Donatetext</strong> การสนับสนุนจากคุณ คือการร่วมสร้างและรักษาสื่อเสรี โอนเงิน พร้อมเพย์ 0000000000</div>
<div class="author-bio"><p>Biotext: Somchai K. has covered the environment for the paper since 2010 and writes about rivers and forests across the north.</p></div>
</article></div>
</body></html>"##;

#[test]
fn boilerplate_inside_the_article_container_is_dropped() {
    let ex = extract(ARTICLE_WITH_INNER_BOILERPLATE);
    assert_eq!(ex.pass, "main");
    for kept in ["กรมอุตุนิยมวิทยา", "เจ้าหน้าที่ท้องถิ่น", "นักวิชาการด้านสิ่งแวดล้อม"]
    {
        assert!(ex.text.contains(kept), "missing {kept:?} in:\n{}", ex.text);
    }
    for junk in [
        "Bylinetext",
        "Captiontext",
        "Photo: Agency",
        "Adtext",
        "Relatedtext",
        "เรื่องที่เกี่ยวข้อง",
        "Tagtext",
        "Donatetext",
        "Biotext",
    ] {
        assert!(!ex.text.contains(junk), "{junk:?} in:\n{}", ex.text);
    }
}

#[test]
fn inner_boilerplate_snapshot() {
    insta::assert_snapshot!(extract(ARTICLE_WITH_INNER_BOILERPLATE).text);
}

#[test]
fn paragraph_with_inline_link_card_is_kept() {
    // A long hover card of links inside a sentence (The Hill's people cards) must not make
    // the paragraph look like a "related" block: its own text is long.
    let html = r#"<html><body><div class="article-body">
<p>Governor <a href="/p">Jane Roe Jane Roe doubles down on campaign Jane Roe drops pipeline protest laws after lawsuit MORE</a> (R) is defending the state's launch of an anti-drug campaign with a new slogan on Monday.</p>
<p>The tagline drew a mix of criticism and ridicule on social media, but the governor cited the backlash as proof that the effort was working as planned.</p>
<p>Officials said the campaign would run for six months across radio, television and billboards in every county of the state.</p>
</div></body></html>"#;
    let ex = extract(html);
    assert!(
        ex.text.contains("is defending the state's launch"),
        "{}",
        ex.text
    );
}

#[test]
fn page_builder_widget_container_around_the_article_is_kept() {
    // Elementor-style markup: the article sits in a `widget-container` (a negative class
    // name); a sidebar widget beside it is still boilerplate.
    let para = |i: u32| {
        format!(
            "<p>Paragraph {i} of the article explains, in plain words, why focus matters when \
             you build a small business online, and what to do first.</p>"
        )
    };
    let body: String = (1..=8).map(para).collect();
    let html = format!(
        r#"<html><body><div class="elementor-section"><div class="elementor-column">
<div class="elementor-widget-theme-post-body"><div class="elementor-widget-container">{body}</div></div>
</div><div class="widget widget_recent_entries"><h3>Recent posts</h3><p>Widgettext: five ways to grow, a list of recent posts you might like to read.</p></div>
</div></body></html>"#
    );
    let ex = extract(&html);
    assert_eq!(ex.pass, "main");
    for i in 1..=8 {
        assert!(
            ex.text.contains(&format!("Paragraph {i} of")),
            "{}",
            ex.text
        );
    }
    assert!(!ex.text.contains("Widgettext"), "{}", ex.text);
}
