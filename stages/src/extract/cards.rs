//! Runs of teaser cards: three or more sibling elements made from one template (same tag and
//! class, see [`Node::sig`](super::dom::Node::sig)), each with a linked title.
//!
//! Design decision: a linked title (a heading inside a link or a link inside a heading) that
//! is a fair part of the card's text is what sets a teaser apart from a paragraph, a forum
//! post under a linked user name, or a feature box, and repetition is
//! what sets a list of teasers apart from one linked heading. Such a run is the content of a
//! listing page and boilerplate everywhere else ("more stories", related products, the
//! product grid of a shop category). The runs are found once per page, independent of any
//! removal mask.

use std::collections::HashMap;

use super::dom::{Dom, Tag, BOILER_CLASS, BOILER_TAG, GONE, HAS_CLASS, NONE, OUT_LINK, REMOVED};

/// Fewest same-template siblings with linked titles that make a run.
const MIN_RUN: usize = 3;

/// The runs of teaser cards of a page.
pub struct Cards {
    /// `true` for each node that is one card of a run.
    pub card: Vec<bool>,
    /// Characters inside cards.
    pub card_chars: u32,
    /// Characters of the whole page (scripts and styles aside).
    pub page_chars: u32,
    /// The parent of the largest run of list items (three or more same-template siblings,
    /// each with a link of some length), outside structural and class-named boilerplate:
    /// where a listing page keeps its list.
    pub list_root: Option<u32>,
    /// `list_root` and every other parent of a run of items made from the same template, in
    /// document order, none inside another: a listing split into sections (a day's
    /// submissions per `<dl>`, a topic per row of teasers) keeps every section.
    pub list_roots: Vec<u32>,
}

/// The teaser-card runs of `dom`, with how much of the page they hold.
// `p` indexes `boiler`, `card` and the DOM together.
#[allow(clippy::needless_range_loop)]
pub fn cards(dom: &Dom) -> Cards {
    let n = dom.nodes.len();
    let is_link = |i: usize| dom.nodes[i].tag == Tag::A && dom.nodes[i].flags & OUT_LINK != 0;
    let mut in_link = vec![false; n];
    for i in 1..n {
        in_link[i] = in_link[dom.nodes[i].parent as usize] || is_link(i);
    }
    // Characters, and characters inside links to other pages, per subtree.
    let mut chars = vec![0u32; n];
    let mut link_chars = vec![0u32; n];
    // Characters of linked titles (headings whose text is mostly a link to another page).
    let mut title = vec![0u32; n];
    for i in (1..n).rev() {
        let node = &dom.nodes[i];
        if node.flags & REMOVED != 0 {
            continue;
        }
        if node.tag == Tag::Text {
            let c = node.chars;
            chars[i] = c;
            if in_link[i] {
                link_chars[i] = c;
            }
        }
        if matches!(node.tag, Tag::Heading(_))
            && chars[i] > 0
            && (in_link[i] || link_chars[i] * 2 >= chars[i])
        {
            title[i] = chars[i];
        }
        let p = node.parent as usize;
        chars[p] += chars[i];
        link_chars[p] += link_chars[i];
        title[p] += title[i];
    }
    // A teaser: a linked title of some length that is a fair part of the whole (a forum post
    // under a linked user name is not one).
    let teaser = |i: usize| title[i] >= 10 && chars[i] <= 6 * title[i] + 150;
    // A list item: an entry-sized piece of text whose link (a title) is a tenth of it or more.
    // Items are list entries, table rows, articles, or elements with a class (a template).
    let item = |i: usize| {
        let node = &dom.nodes[i];
        (matches!(
            node.tag,
            Tag::Li | Tag::Tr | Tag::Article | Tag::Dt | Tag::Dd
        ) || node.flags & HAS_CLASS != 0)
            && link_chars[i] >= 12
            && chars[i] >= 20
            && chars[i] <= 2000
            && link_chars[i] * 10 >= chars[i]
    };
    let mut boiler = vec![false; n];
    for i in 1..n {
        boiler[i] = boiler[dom.nodes[i].parent as usize]
            || dom.nodes[i].flags & (GONE | BOILER_TAG | BOILER_CLASS) != 0;
    }
    // The largest run: its parent, its items' template, their characters.
    let (mut list_root, mut list_sig, mut list_chars) = (None, u32::MAX, 0u32);
    // Every qualifying run: (parent, the items' template, their characters).
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut card = vec![false; n];
    let mut groups: HashMap<u32, (usize, usize)> = HashMap::new();
    // A parent's item templates in the order they first appear, so that runs (and ties
    // between them) come in document order, not a hash map's.
    let mut items: Vec<(u32, usize, u32)> = Vec::new();
    let mut item_at: HashMap<u32, usize> = HashMap::new();
    for p in 0..n {
        let first = dom.nodes[p].first_child;
        if first == NONE || dom.nodes[first as usize].next_sibling == NONE {
            continue;
        }
        groups.clear();
        items.clear();
        item_at.clear();
        for c in dom.children(p as u32) {
            let node = &dom.nodes[c as usize];
            if node.tag == Tag::Text {
                continue;
            }
            let g = groups.entry(node.sig).or_insert((0, 0));
            g.0 += 1;
            g.1 += teaser(c as usize) as usize;
            if item(c as usize) {
                let at = *item_at.entry(node.sig).or_insert_with(|| {
                    items.push((node.sig, 0, 0));
                    items.len() - 1
                });
                items[at].1 += 1;
                items[at].2 += chars[c as usize];
            }
        }
        if !boiler[p] {
            for &(sig, count, c) in &items {
                let all = groups[&sig].0;
                if count >= MIN_RUN && count * 3 >= all * 2 {
                    runs.push((p as u32, sig, c));
                    if c > list_chars {
                        (list_root, list_sig, list_chars) = (Some(p as u32), sig, c);
                    }
                }
            }
        }
        if !groups.values().any(|&(_, t)| t >= MIN_RUN) {
            continue;
        }
        for c in dom.children(p as u32) {
            let node = &dom.nodes[c as usize];
            if node.tag == Tag::Text {
                continue;
            }
            let (all, titled) = groups[&node.sig];
            if titled >= MIN_RUN && titled * 3 >= all * 2 {
                card[c as usize] = true;
            }
        }
    }
    let mut card_chars = 0;
    let mut inside = vec![false; n];
    for i in 1..n {
        inside[i] = inside[dom.nodes[i].parent as usize] || card[i];
        if card[i] && !inside[dom.nodes[i].parent as usize] {
            card_chars += chars[i];
        }
    }
    let mut list_roots: Vec<u32> = Vec::new();
    if list_root.is_some() {
        for &(p, _, _) in runs.iter().filter(|r| r.1 == list_sig) {
            // Runs come in document order; a run inside the last one kept is part of it.
            if list_roots
                .last()
                .is_some_and(|&q| p > q && p < dom.subtree_end(q))
            {
                continue;
            }
            list_roots.push(p);
        }
    }
    Cards {
        card,
        card_chars,
        page_chars: chars[0],
        list_root,
        list_roots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards_with_text(html: &str) -> Vec<String> {
        let dom = Dom::parse(html);
        let c = cards(&dom).card;
        (0..dom.nodes.len())
            .filter(|&i| c[i])
            .map(|i| dom.plain_text(i as u32))
            .collect()
    }

    #[test]
    fn three_linked_titles_from_one_template_are_a_run() {
        let teaser = |i: u32| {
            format!(
                "<li class=\"teaser\"><h3><a href=\"/{i}\">Story number {i}</a></h3><p>Summary {i}.</p></li>"
            )
        };
        let list: String = (1..=3).map(teaser).collect();
        let got = cards_with_text(&format!("<ul>{list}</ul>"));
        assert_eq!(
            got,
            [
                "Story number 1 Summary 1.",
                "Story number 2 Summary 2.",
                "Story number 3 Summary 3."
            ]
        );
        // Two are not a run; nor are headings without links; nor are different templates.
        let two: String = (1..=2).map(teaser).collect();
        assert!(cards_with_text(&format!("<ul>{two}</ul>")).is_empty());
        let plain = "<div class=f><h3>A</h3><p>a</p></div>".repeat(4);
        assert!(cards_with_text(&plain).is_empty());
        let mixed = "<div class=a><h3><a href=/a>A</a></h3></div><div class=b><h3><a href=/b>B</a></h3></div>\
                     <div class=c><h3><a href=/c>C</a></h3></div>";
        assert!(cards_with_text(mixed).is_empty());
        // Headings with a permalink mark are not linked titles.
        let anchors =
            "<div class=s><h2>Install the tool<a href=\"#install\">#</a></h2><p>x</p></div>"
                .repeat(4);
        assert!(cards_with_text(&anchors).is_empty());
        // Posts under linked user names are not teasers.
        let post = format!(
            "<article class=m><h4><a href=/u>someone</a></h4><p>{}</p></article>",
            "Long post text. ".repeat(20)
        );
        assert!(cards_with_text(&post.repeat(4)).is_empty());
    }
}
