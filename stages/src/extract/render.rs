//! Turning chosen subtrees into text: one line per paragraph, heading, list item and table
//! row, `<br>` as a line break, table cells joined with ` | `, whitespace collapsed outside
//! `<pre>`.
//!
//! Design decision: rendering and the last cleaning step are one iterative walk with an
//! explicit stack; a container is skipped (with its subtree) when [`Cleaner`] judges it
//! link-dense or marked as boilerplate, using the counts computed once per pass.

use super::dom::{Dom, Tag, NONE};
use super::hints::hint;
use super::score::Counts;

/// Which containers to drop inside the chosen content.
pub struct Cleaner<'a> {
    pub dom: &'a Dom,
    pub counts: &'a Counts,
    /// Also drop short headlines (`h1`) and readability's conditional removals.
    pub strict: bool,
    /// Keep link-dense blocks (the items of a listing).
    pub links_ok: bool,
    /// Keep `h1` even when strict.
    pub keep_h1: bool,
    /// Keep link lists (documentation: tables of contents, a wiki's lists of links) unless
    /// their class names them boilerplate.
    pub link_lists_ok: bool,
    /// Post-named blocks (`message`, `post`) with a paragraph of their own ([`Counts::good`])
    /// are never small teaser boxes: on a forum a short reply sits under its author's linked
    /// name and date.
    pub posts_ok: bool,
}

impl Cleaner<'_> {
    /// Is node `n` (a descendant of chosen root `root`) boilerplate? A block holding more than
    /// half of the root's text is the content itself (e.g. a page builder's
    /// `widget-container` around the whole article), whatever its class says.
    pub(super) fn is_junk(&self, n: u32, root: u32) -> bool {
        let i = n as usize;
        let c = self.counts;
        if c.dead[i] {
            return true;
        }
        let node = &self.dom.nodes[i];
        let chars = c.chars[i];
        let ld = if self.links_ok {
            0.0
        } else {
            c.link_density(n)
        };
        match node.tag {
            Tag::Header => chars < 200 || ld > 0.3,
            Tag::Heading(1) => self.strict && !self.keep_h1 && chars < 200,
            // A figure is an image and its caption, except one that holds a table (the
            // block editor wraps every table in `<figure class="wp-block-table">`).
            Tag::Figure => self.strict && !self.holds_table(n),
            Tag::Ul | Tag::Ol | Tag::Dl if self.link_lists_ok => node.weight < 0 && ld > 0.2,
            // A list the text introduces ("Many patches were sent for review:") is the text's,
            // however many links it holds.
            Tag::Ul | Tag::Ol | Tag::Dl if node.weight >= 0 && self.introduced(n) => false,
            Tag::Ul | Tag::Ol | Tag::Dl => ld > 0.5 || (node.weight < 0 && ld > 0.2),
            Tag::Div | Tag::Section | Tag::Table | Tag::Form | Tag::Block | Tag::Aside => {
                let few_commas = c.commas[i] < 10;
                let dominant = chars * 2 > c.chars[root as usize];
                // Most of the root's paragraph text: a container whose links are a table of
                // contents or a link list beside that text; its link-dense children go,
                // one by one, not the container with the text.
                let holds_text =
                    self.strict && c.good[i] > 0 && c.good[i] * 2 > c.good[root as usize];
                // A small box with a linked title: a teaser on an article, an entry of an
                // index page (title and summary) in documentation.
                let small_box_ld = if self.link_lists_ok { 0.5 } else { 0.25 };
                // On a forum a comment is a post: never a small teaser box, and its name's
                // negative weight does not count.
                // So is the wrapper that holds all of a post's text (phpBB's `div.inner`
                // around a `div.post`'s profile and body).
                let post_named = |n: &super::dom::Node| n.hint & (hint::POST | hint::COMMENT) != 0;
                let parent = node.parent as usize;
                let post = self.posts_ok
                    && c.good[i] > 0
                    && (post_named(node)
                        || (post_named(&self.dom.nodes[parent]) && c.good[parent] == c.good[i]));
                let negative =
                    node.weight < 0 && !(self.posts_ok && node.hint & hint::COMMENT != 0);
                (negative && self.strict && !dominant && (ld > 0.2 || c.good[i] * 2 < chars))
                    || (few_commas && ld > 0.5 && !holds_text)
                    || (self.strict
                        && !post
                        && few_commas
                        && node.weight < 25
                        && ld > small_box_ld
                        && chars < 500)
            }
            // A paragraph that is mostly links is a "related stories" or "read more" block.
            Tag::P => {
                let own = chars - c.link_chars[i];
                (ld > 0.6 && own < 50) || (ld > 0.9 && chars < 150)
            }
            Tag::Li => {
                !self.link_lists_ok
                    && ld > 0.9
                    && chars < 150
                    && !(self.dom.nodes[node.parent as usize].weight >= 0
                        && self.introduced(node.parent))
            }
            _ => false,
        }
    }

    /// Whether the text just before list `n` (its previous sibling's last words) ends with a
    /// colon: the list is introduced by the text around it.
    fn introduced(&self, n: u32) -> bool {
        let dom = self.dom;
        let Some(list) = dom.nodes.get(n as usize) else {
            return false;
        };
        if !matches!(list.tag, Tag::Ul | Tag::Ol | Tag::Dl) || list.parent == NONE {
            return false;
        }
        let mut prev = NONE;
        for c in dom.children(list.parent) {
            if c == n {
                break;
            }
            let node = &dom.nodes[c as usize];
            if node.tag != Tag::Text || node.chars > 0 {
                prev = c;
            }
        }
        if prev == NONE {
            return false;
        }
        (prev..dom.subtree_end(prev))
            .rev()
            .find(|&i| dom.nodes[i as usize].tag == Tag::Text && dom.nodes[i as usize].chars > 0)
            .is_some_and(|i| dom.text_of(i).trim_end().ends_with([':', '：']))
    }

    /// Whether `n`'s subtree has a `<table>`.
    fn holds_table(&self, n: u32) -> bool {
        let end = self.dom.subtree_end(n);
        (n + 1..end).any(|i| self.dom.nodes[i as usize].tag == Tag::Table)
    }

    /// Text of `roots` (and their subtrees) in document order.
    pub fn render(&self, roots: &[u32]) -> String {
        let mut w = Writer::default();
        for &root in roots {
            if self.counts.dead[root as usize] {
                continue;
            }
            self.render_one(root, &mut w);
        }
        w.finish()
    }

    fn render_one(&self, root: u32, w: &mut Writer) {
        let dom = self.dom;
        // (node, leaving)
        let mut stack: Vec<(u32, bool)> = vec![(root, false)];
        while let Some((n, leaving)) = stack.pop() {
            let node = &dom.nodes[n as usize];
            if leaving {
                w.leave(node.tag);
                continue;
            }
            if node.tag == Tag::Text {
                w.text(dom.text_of(n));
                continue;
            }
            if n != root && self.is_junk(n, root) {
                continue;
            }
            w.enter(node.tag);
            stack.push((n, true));
            let first = stack.len();
            let mut ch = node.first_child;
            while ch != NONE {
                stack.push((ch, false));
                ch = dom.nodes[ch as usize].next_sibling;
            }
            stack[first..].reverse();
        }
    }
}

/// Accumulates normalised text.
#[derive(Default)]
struct Writer {
    out: String,
    space: bool,
    line_open: bool,
    pre: u32,
    cells: u32,
    rows: Vec<u32>,
}

impl Writer {
    fn newline(&mut self) {
        if self.cells > 0 {
            self.space = true;
            return;
        }
        if self.line_open {
            self.out.push('\n');
            self.line_open = false;
        }
        self.space = false;
    }

    fn enter(&mut self, tag: Tag) {
        match tag {
            Tag::Br => self.newline(),
            Tag::Tr => {
                self.newline();
                self.rows.push(0);
            }
            Tag::Td | Tag::Th => {
                if let Some(r) = self.rows.last_mut() {
                    if *r > 0 && self.line_open {
                        self.out.push_str(" |");
                        self.space = true;
                    }
                    *r += 1;
                }
                self.cells += 1;
            }
            Tag::Pre => {
                self.newline();
                self.pre += 1;
            }
            t if t.is_block() => self.newline(),
            _ => {}
        }
    }

    fn leave(&mut self, tag: Tag) {
        match tag {
            Tag::Tr => {
                self.rows.pop();
                self.newline();
            }
            Tag::Td | Tag::Th => self.cells = self.cells.saturating_sub(1),
            Tag::Pre => {
                self.pre = self.pre.saturating_sub(1);
                self.newline();
            }
            t if t.is_block() => self.newline(),
            _ => {}
        }
    }

    fn text(&mut self, s: &str) {
        for ch in s.chars() {
            if self.pre > 0 && ch == '\n' && self.cells == 0 {
                self.out.push('\n');
                self.line_open = false;
                self.space = false;
            } else if ch.is_whitespace() {
                self.space = true;
            } else if !self.line_open && is_invisible(ch) {
                // An invisible format character opens no line: a block holding only `&zwj;`
                // (page builders' spacer) is no line of text. Inside a line it stays (it
                // joins emoji, and Indic and Persian letters).
            } else {
                if self.space && self.line_open {
                    self.out.push(' ');
                }
                self.space = false;
                self.line_open = true;
                self.out.push(ch);
            }
        }
    }

    fn finish(mut self) -> String {
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        self.out
    }
}

/// Characters that draw nothing and join or break nothing at the start of a line: zero-width
/// space, non-joiner and joiner, left-to-right and right-to-left marks, word joiner, byte
/// order mark, soft hyphen.
fn is_invisible(ch: char) -> bool {
    matches!(
        ch,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}
