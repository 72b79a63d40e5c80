//! Readability-style scoring over the flat DOM: text and link characters per subtree, a content
//! score for each paragraph-ish block pushed to its ancestors, and the choice of the best
//! container plus its qualifying siblings.
//!
//! Design decision: every count is in characters (non-whitespace `char`s), never words or
//! spaces, so Thai, Burmese, Khmer, Lao and Chinese pages score like English ones; and every
//! pass is a loop over the node vector (children after parents), never a recursive walk.

use super::dom::{Dom, Tag, ARTICLE_BODY, BOILER_CLASS, NONE};

/// Per-node counts for one removal mask.
pub struct Counts {
    /// Node is removed under the mask (itself or an ancestor).
    pub dead: Vec<bool>,
    /// Non-whitespace characters in the subtree.
    pub chars: Vec<u32>,
    /// Of which inside links.
    pub link_chars: Vec<u32>,
    /// Commas (Latin, CJK, Arabic) in the subtree.
    pub commas: Vec<u32>,
    /// Characters whose nearest block ancestor is this node.
    pub direct: Vec<u32>,
    /// Of which inside links.
    pub direct_link: Vec<u32>,
    /// Characters of paragraph-like blocks in the subtree (blocks of at least [`GOOD_MIN`]
    /// characters of their own, at most 30 % in links), not counting their link text.
    pub good: Vec<u32>,
}

/// A block with fewer characters of its own is not paragraph-like for [`Counts::good`].
pub const GOOD_MIN: u32 = 40;

impl Counts {
    /// Count everything not removed by `mask`; class-named boilerplate ([`BOILER_CLASS`])
    /// whose groups are all in `forgive` ([`super::hints::cat`]) is kept.
    pub fn new(dom: &Dom, mask: u16, forgive: u16) -> Counts {
        Counts::with_dead(dom, mask, forgive, None)
    }

    /// [`Counts::new`], also removing the nodes marked in `also`.
    pub fn with_dead(dom: &Dom, mask: u16, forgive: u16, also: Option<&[bool]>) -> Counts {
        let n = dom.nodes.len();
        let mut c = Counts {
            dead: vec![false; n],
            chars: vec![0; n],
            link_chars: vec![0; n],
            commas: vec![0; n],
            direct: vec![0; n],
            direct_link: vec![0; n],
            good: vec![0; n],
        };
        let mut owner = vec![0u32; n];
        let mut in_link = vec![false; n];
        for (i, node) in dom.nodes.iter().enumerate().skip(1) {
            let p = node.parent as usize;
            let hit = node.flags & mask;
            let forgiven = hit == BOILER_CLASS
                && node.cats & !forgive == 0
                && node.flags & super::dom::POST_COMMENTS == 0;
            c.dead[i] = c.dead[p] || (hit != 0 && !forgiven) || also.is_some_and(|a| a[i]);
            // Text in a block inside a link (a card: `<a><h3>..</h3><p>..</p></a>`) is not link text.
            in_link[i] = (in_link[p] && !node.tag.is_block()) || node.tag == Tag::A;
            owner[i] = if dom.nodes[p].tag.is_block() {
                p as u32
            } else {
                owner[p]
            };
            if node.tag == Tag::Text && !c.dead[i] {
                let (chars, commas) = (node.chars, node.commas);
                c.chars[i] = chars;
                c.commas[i] = commas;
                c.direct[owner[i] as usize] += chars;
                if in_link[i] {
                    c.link_chars[i] = chars;
                    c.direct_link[owner[i] as usize] += chars;
                }
            }
        }
        for i in (1..n).rev() {
            if c.dead[i] {
                continue;
            }
            let (d, dl) = (c.direct[i], c.direct_link[i]);
            if d >= GOOD_MIN && dl * 10 <= d * 3 {
                c.good[i] += d - dl;
            }
            let p = dom.nodes[i].parent as usize;
            c.good[p] += c.good[i];
            c.chars[p] += c.chars[i];
            c.link_chars[p] += c.link_chars[i];
            c.commas[p] += c.commas[i];
        }
        c
    }

    /// Share of the subtree's characters inside links.
    pub fn link_density(&self, n: u32) -> f32 {
        let chars = self.chars[n as usize];
        if chars == 0 {
            0.0
        } else {
            self.link_chars[n as usize] as f32 / chars as f32
        }
    }
}

/// Minimum characters for a block to count as a paragraph.
const MIN_PARAGRAPH: u32 = 25;

fn base_score(tag: Tag) -> f32 {
    match tag {
        Tag::Div | Tag::Article | Tag::Main | Tag::Section => 5.0,
        Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
        Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form => -3.0,
        Tag::Heading(_) | Tag::Th => -5.0,
        _ => 0.0,
    }
}

/// Characters of `n` when it is a paragraph-ish block, else 0.
fn paragraph_chars(dom: &Dom, c: &Counts, n: usize) -> u32 {
    match dom.nodes[n].tag {
        Tag::P | Tag::Pre | Tag::Td | Tag::Heading(2..=6) => c.chars[n],
        Tag::Div
        | Tag::Section
        | Tag::Li
        | Tag::Blockquote
        | Tag::Dd
        | Tag::Article
        | Tag::Block
        | Tag::Main => c.direct[n],
        _ => 0,
    }
}

fn is_wrapper(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::Div | Tag::Section | Tag::Article | Tag::Main | Tag::Block
    )
}

/// Content scores of candidate containers (0 for nodes that are not candidates).
pub fn candidate_scores(dom: &Dom, c: &Counts) -> Vec<f32> {
    let n = dom.nodes.len();
    let mut score = vec![0f32; n];
    let mut touched = vec![false; n];
    for i in 1..n {
        if c.dead[i] {
            continue;
        }
        let len = paragraph_chars(dom, c, i);
        if len < MIN_PARAGRAPH {
            continue;
        }
        let content = 1.0 + c.commas[i].min(len) as f32 + (len / 100).min(3) as f32;
        // A container with its own loose text is that text's paragraph wrapper (readability
        // wraps such text in `<p>`), so the container itself is the first ancestor.
        let mut a = if is_wrapper(dom.nodes[i].tag) {
            i as u32
        } else {
            dom.nodes[i].parent
        };
        for level in 0..5u32 {
            if a == NONE || a == 0 {
                break;
            }
            let ai = a as usize;
            if !touched[ai] {
                touched[ai] = true;
                let node = &dom.nodes[ai];
                let bonus = if node.flags & ARTICLE_BODY != 0 {
                    50.0
                } else {
                    0.0
                };
                score[ai] = base_score(node.tag) + node.weight as f32 + bonus;
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[ai] += content / divider;
            a = dom.nodes[ai].parent;
        }
    }
    for i in 0..n {
        if touched[i] {
            score[i] *= 1.0 - c.link_density(i as u32);
        } else {
            score[i] = f32::NEG_INFINITY;
        }
    }
    score
}

fn is_ancestor(dom: &Dom, a: u32, mut n: u32) -> bool {
    while n != NONE {
        if n == a {
            return true;
        }
        n = dom.nodes[n as usize].parent;
    }
    false
}

/// The best container: readability's top candidate, moved up when several strong candidates
/// share an ancestor or when it is an only child.
pub fn top_candidate(dom: &Dom, scores: &[f32]) -> Option<u32> {
    let mut top: Vec<u32> = Vec::with_capacity(6);
    for (i, &s) in scores.iter().enumerate() {
        if s == f32::NEG_INFINITY {
            continue;
        }
        let pos = top
            .iter()
            .position(|&t| scores[t as usize] < s)
            .unwrap_or(top.len());
        if pos < 5 {
            top.insert(pos, i as u32);
            top.truncate(5);
        }
    }
    let mut best = *top.first()?;
    let best_score = scores[best as usize];
    let strong: Vec<u32> = top[1..]
        .iter()
        .copied()
        .filter(|&t| scores[t as usize] >= 0.75 * best_score)
        .collect();
    if strong.len() >= 3 {
        let mut p = dom.nodes[best as usize].parent;
        while p != NONE && p != 0 && dom.nodes[p as usize].tag != Tag::Body {
            if strong.iter().filter(|&&t| is_ancestor(dom, p, t)).count() >= 3 {
                best = p;
                break;
            }
            p = dom.nodes[p as usize].parent;
        }
    }
    best = climb_scores(dom, scores, best);
    Some(climb_only_child(dom, best))
}

/// Readability: move to a parent whose score beats the child's, stopping when scores fade.
fn climb_scores(dom: &Dom, scores: &[f32], mut best: u32) -> u32 {
    let mut last = scores[best as usize];
    let threshold = last / 3.0;
    let mut p = dom.nodes[best as usize].parent;
    while p != NONE && p != 0 && dom.nodes[p as usize].tag != Tag::Body {
        let s = scores[p as usize];
        if s == f32::NEG_INFINITY {
            p = dom.nodes[p as usize].parent;
            continue;
        }
        if s < threshold {
            break;
        }
        if s > last {
            best = p;
            break;
        }
        last = s;
        p = dom.nodes[p as usize].parent;
    }
    best
}

fn climb_only_child(dom: &Dom, mut best: u32) -> u32 {
    loop {
        let p = dom.nodes[best as usize].parent;
        if p == NONE || p == 0 || matches!(dom.nodes[p as usize].tag, Tag::Body | Tag::Html) {
            return best;
        }
        let elements = dom
            .children(p)
            .filter(|&ch| dom.nodes[ch as usize].tag != Tag::Text);
        if elements.count() != 1 {
            return best;
        }
        best = p;
    }
}

fn ends_sentence(dom: &Dom, n: u32) -> bool {
    let t = dom.plain_text(n);
    t.ends_with(['.', '。', '!', '?', '။', '។', '।']) || t.contains(". ")
}

/// The top candidate and the siblings that belong with it, in document order.
pub fn with_siblings(dom: &Dom, c: &Counts, scores: &[f32], top: u32) -> Vec<u32> {
    let parent = dom.nodes[top as usize].parent;
    if parent == NONE || parent == 0 {
        return vec![top];
    }
    let top_score = scores[top as usize];
    let threshold = (top_score * 0.2).max(10.0);
    let mut out = Vec::new();
    for s in dom.children(parent) {
        let si = s as usize;
        if s == top {
            out.push(s);
            continue;
        }
        if c.dead[si] || dom.nodes[si].tag == Tag::Text {
            continue;
        }
        let w = dom.nodes[top as usize].weight;
        let same_class = w != 0 && dom.nodes[si].weight == w;
        let bonus = if same_class { top_score * 0.2 } else { 0.0 };
        let keep = if scores[si] + bonus >= threshold && scores[si] != f32::NEG_INFINITY {
            true
        } else if dom.nodes[si].tag == Tag::P {
            let len = c.chars[si];
            let ld = c.link_density(s);
            (len > 80 && ld < 0.25) || (len > 0 && ld == 0.0 && ends_sentence(dom, s))
        } else {
            false
        };
        if keep {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_blocks_inside_a_link_is_not_link_text() {
        // A card link around a heading and a summary is not a menu; a plain link is.
        let dom = Dom::parse(
            "<div id=x><a href=/s><h3>Title</h3><p>Summary text</p></a></div><p id=y>see <a href=/z>here</a></p>",
        );
        let c = Counts::new(&dom, 0, 0);
        let div = (0..dom.nodes.len())
            .find(|&i| dom.nodes[i].tag == Tag::Div)
            .unwrap();
        assert_eq!((c.chars[div], c.link_chars[div]), (16, 0));
        let p = (0..dom.nodes.len())
            .rev()
            .find(|&i| dom.nodes[i].tag == Tag::P)
            .unwrap();
        assert_eq!((c.chars[p], c.link_chars[p]), (7, 4));
    }
}
