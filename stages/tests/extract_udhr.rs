//! Extraction on real UDHR pages (asset cache) in eight SEA-relevant languages, wrapped in
//! navigation and a footer: Article 1 must come out, the navigation must not.

use stages::extract::extract;

/// A UDHR page from the asset cache.
fn udhr(code: &str) -> String {
    std::fs::read_to_string(testkit::expect_udhr(code)).expect("readable page")
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `<p>` of the first `<article>` (UDHR Article 1), found by plain string search.
fn article_1(html: &str) -> String {
    let art = html.find("<article").expect("page has <article>");
    let p = art + html[art..].find("<p>").expect("article has <p>") + 3;
    let end = p + html[p..].find("</p>").expect("</p>");
    collapse(&html[p..end])
}

const NAV: &str = r#"<nav class="site-nav"><ul><li><a href="/">Navhome</a></li>
<li><a href="/about">Navabout</a></li><li><a href="/langs">Navlanguages</a></li></ul></nav>"#;
const FOOTER: &str = r#"<footer><p>Footertext copyright notice, all rights reserved</p></footer>"#;

fn wrapped(code: &str) -> String {
    let page = udhr(code);
    let page = page.replacen("<body>", &format!("<body>{NAV}"), 1);
    page.replacen("</body>", &format!("{FOOTER}</body>"), 1)
}

fn check(code: &str) {
    let html = wrapped(code);
    let expected = article_1(&html);
    assert!(
        expected.chars().count() > 20,
        "{code}: article 1 found: {expected}"
    );
    let ex = extract(&html);
    assert_eq!(ex.pass, "main", "{code}");
    let text = collapse(&ex.text);
    assert!(
        text.contains(&expected),
        "{code}: article 1 missing from:\n{}",
        ex.text
    );
    for junk in ["Navhome", "Navabout", "Navlanguages", "Footertext"] {
        assert!(
            !text.contains(junk),
            "{code}: boilerplate {junk} in:\n{}",
            ex.text
        );
    }
    assert!(
        ex.text.lines().count() > 30,
        "{code}: paragraphs on separate lines"
    );
}

#[test]
fn thai() {
    check("tha");
}

#[test]
fn burmese() {
    check("mya");
}

#[test]
fn khmer() {
    check("khm");
}

#[test]
fn lao() {
    check("lao");
}

#[test]
fn chinese() {
    check("cmn_hans");
}

#[test]
fn tamil() {
    check("tam");
}

#[test]
fn vietnamese() {
    check("vie");
}

#[test]
fn indonesian() {
    check("ind");
}

#[test]
fn title_comes_from_title_element() {
    let ex = extract(&udhr("tha"));
    assert_eq!(ex.title.as_deref(), Some("Thai"));
}
