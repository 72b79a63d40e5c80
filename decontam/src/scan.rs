//! A document against the index: which benchmark n-grams it holds, and what is done about
//! it (drop the document, or cut the spans).
//!
//! Design decision: the verdict is computed on the words' byte spans, so `cut` removes
//! exactly the matched words plus `margin_chars` characters on each side (NeMo Curator's
//! 200), merges what overlaps, and keeps the pieces of at least `min_piece_chars`
//! characters; more than `max_cuts` cuts means the document is mostly benchmark and is
//! dropped. A Burmese document with Zawgyi lines is cut in its Unicode form.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::index::{Hit, Index};
use crate::ngrams::Rolling;
use crate::tokenize::{Token, Tokenizer};

/// What happens to a contaminated document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Drop the whole document.
    #[default]
    Drop,
    /// Cut the matched spans (and a margin); drop only past `max_cuts`.
    Cut,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::Cut => "cut",
        }
    }
}

/// How matches are judged and acted on.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub action: Action,
    /// Characters removed on each side of a matched span (`cut`).
    pub margin_chars: usize,
    /// More cuts than this drop the document (`cut`).
    pub max_cuts: usize,
    /// Pieces shorter than this (in characters) are not kept after cutting.
    pub min_piece_chars: usize,
    /// N-grams needed to call a document contaminated.
    pub min_ngrams: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            action: Action::Drop,
            margin_chars: 200,
            max_cuts: 10,
            min_piece_chars: 200,
            min_ngrams: 1,
        }
    }
}

/// The benchmark text found in one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finding {
    /// Matched n-grams.
    pub ngrams: usize,
    /// `(entry, n-grams)` per index entry matched, most n-grams first.
    pub entries: Vec<(u32, usize)>,
}

impl Finding {
    /// The benchmark file with the most matched n-grams.
    pub fn primary_benchmark(&self, index: &Index) -> Option<u32> {
        self.entries
            .first()
            .map(|&(e, _)| index.entries[e as usize].benchmark)
    }
}

/// The decision about one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Clean,
    /// Keep `text`: the document with `cuts` spans removed.
    Cut {
        text: String,
        cuts: usize,
        chars_removed: usize,
        finding: Finding,
    },
    /// Drop the document, for `reason`.
    Drop {
        reason: &'static str,
        chars: usize,
        finding: Finding,
    },
}

/// Scans documents against one index (cheap to clone: the index is shared).
#[derive(Debug, Clone)]
pub struct Scanner {
    index: Arc<Index>,
    rules: Rules,
    tokenizer: Tokenizer,
    tokens: Vec<Token>,
    rolling: Rolling,
    hits: Vec<Hit>,
}

impl Scanner {
    pub fn new(index: Arc<Index>, rules: Rules) -> Self {
        Scanner {
            index,
            rules,
            tokenizer: Tokenizer::new(),
            tokens: Vec::new(),
            rolling: Rolling::default(),
            hits: Vec::new(),
        }
    }

    pub fn index(&self) -> &Arc<Index> {
        &self.index
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The benchmark n-grams of `text` (no decision).
    pub fn find(&mut self, text: &str) -> Finding {
        let _ = self
            .tokenizer
            .tokenize_gated(text, &mut self.tokens, Some(self.index.gate()));
        self.index
            .find(&self.tokens, &mut self.rolling, &mut self.hits);
        finding(&self.hits)
    }

    /// Each matched n-gram's entry and the text it covers (for reports).
    pub fn matched_text(&mut self, text: &str) -> Vec<(u32, String)> {
        let text = self
            .tokenizer
            .tokenize_gated(text, &mut self.tokens, Some(self.index.gate()));
        self.index
            .find(&self.tokens, &mut self.rolling, &mut self.hits);
        self.hits
            .iter()
            .map(|h| {
                let first = self.tokens[h.start as usize];
                let last = self.tokens[(h.start + h.len - 1) as usize];
                (
                    h.entry,
                    text[first.start as usize..last.end as usize].to_string(),
                )
            })
            .collect()
    }

    /// Judge `text` by the rules.
    pub fn check(&mut self, text: &str) -> Verdict {
        let text = self
            .tokenizer
            .tokenize_gated(text, &mut self.tokens, Some(self.index.gate()));
        self.index
            .find(&self.tokens, &mut self.rolling, &mut self.hits);
        if self.hits.len() < self.rules.min_ngrams.max(1) {
            return Verdict::Clean;
        }
        let finding = finding(&self.hits);
        let chars = text.chars().count();
        if self.rules.action == Action::Drop {
            return Verdict::Drop {
                reason: crate::reason::CONTAMINATED,
                chars,
                finding,
            };
        }
        let spans = self.spans(&text);
        if spans.len() > self.rules.max_cuts {
            return Verdict::Drop {
                reason: crate::reason::TOO_MANY_CUTS,
                chars,
                finding,
            };
        }
        let mut pieces = Vec::new();
        let mut at = 0;
        for &(s, e) in spans
            .iter()
            .chain(std::iter::once(&(text.len(), text.len())))
        {
            let piece = text[at..s].trim();
            if piece.chars().count() >= self.rules.min_piece_chars {
                pieces.push(piece);
            }
            at = e;
        }
        if pieces.is_empty() {
            return Verdict::Drop {
                reason: crate::reason::NOTHING_LEFT,
                chars,
                finding,
            };
        }
        let kept = pieces.join("\n");
        Verdict::Cut {
            chars_removed: chars.saturating_sub(kept.chars().count()),
            text: kept,
            cuts: spans.len(),
            finding,
        }
    }

    /// The byte spans to cut: matched words widened by the margin, merged.
    fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut raw: Vec<(usize, usize)> = self
            .hits
            .iter()
            .map(|h| {
                let first = self.tokens[h.start as usize];
                let last = self.tokens[(h.start + h.len - 1) as usize];
                (first.start as usize, last.end as usize)
            })
            .collect();
        raw.sort_unstable();
        let margin = self.rules.margin_chars;
        let widened = raw.into_iter().map(|(s, e)| {
            let s = text[..s]
                .char_indices()
                .rev()
                .take(margin)
                .last()
                .map_or(s, |(i, _)| i);
            let e = text[e..]
                .char_indices()
                .nth(margin)
                .map_or(text.len(), |(i, _)| e + i);
            (s, e)
        });
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in widened {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }
}

fn finding(hits: &[Hit]) -> Finding {
    let mut entries: Vec<(u32, usize)> = Vec::new();
    let mut sorted: Vec<u32> = hits.iter().map(|h| h.entry).collect();
    sorted.sort_unstable();
    for e in sorted {
        match entries.last_mut() {
            Some((last, n)) if *last == e => *n += 1,
            _ => entries.push((e, 1)),
        }
    }
    entries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Finding {
        ngrams: hits.len(),
        entries,
    }
}
