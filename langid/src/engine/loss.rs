//! The prediction half of fastText's losses: hierarchical softmax (`hs`, lid.176), softmax,
//! and the binary-logistic ones (`ova`, `ns`), with the top-k heap of the C++.
//!
//! Every float expression follows the C++ types: `std_log(x)` is `log(double(x) + 1e-5)`
//! rounded to `f32`; the tree's sigmoid is `1. / (1 + expf(-f))` computed in `double`;
//! the logistic losses read `Loss::sigmoid`'s 512-entry table; softmax calls `exp` in
//! `double` (unqualified `exp` on a float, which finds `::exp(double)` in C++). The heap is
//! libstdc++'s `push_heap`/`pop_heap`/`sort_heap` step for step, so equal scores come out in
//! the same order too.

use super::matrix::Matrix;

/// (log-probability, label index), as `Predictions` in C++.
pub(crate) type Scored = (f32, i32);

/// `std_log`.
#[inline]
fn std_log(x: f32) -> f32 {
    (f64::from(x) + 1e-5).ln() as f32
}

const SIGMOID_TABLE_SIZE: usize = 512;
const MAX_SIGMOID: f32 = 8.0;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    left: i32,
    right: i32,
}

#[derive(Debug, Clone)]
pub(crate) enum Loss {
    /// Hierarchical softmax: the Huffman tree over label counts (`buildTree`).
    Hs {
        tree: Vec<Node>,
        osz: usize,
    },
    Softmax,
    /// One-vs-all or negative sampling: independent sigmoids from `Loss::sigmoid`'s table.
    Logistic {
        table: Vec<f32>,
    },
}

impl Loss {
    /// `HierarchicalSoftmaxLoss::buildTree` over `counts` (the labels' counts, in id order).
    pub(crate) fn hs(counts: &[i64]) -> Loss {
        let osz = counts.len();
        let n = (2 * osz).saturating_sub(1);
        let mut count = vec![1e15 as i64; n];
        let mut tree = vec![
            Node {
                left: -1,
                right: -1
            };
            n
        ];
        count[..osz].copy_from_slice(counts);
        let mut leaf = osz as i64 - 1;
        let mut node = osz;
        for i in osz..n {
            let mut mini = [0usize; 2];
            for m in &mut mini {
                if leaf >= 0 && count[leaf as usize] < count[node] {
                    *m = leaf as usize;
                    leaf -= 1;
                } else {
                    *m = node;
                    node += 1;
                }
            }
            tree[i] = Node {
                left: mini[0] as i32,
                right: mini[1] as i32,
            };
            count[i] = count[mini[0]] + count[mini[1]];
        }
        Loss::Hs { tree, osz }
    }

    /// `Loss::Loss`'s sigmoid table.
    pub(crate) fn logistic() -> Loss {
        let table = (0..=SIGMOID_TABLE_SIZE as i64)
            .map(|i| {
                let x =
                    (i * 2 * MAX_SIGMOID as i64) as f32 / SIGMOID_TABLE_SIZE as f32 - MAX_SIGMOID;
                (1.0 / (1.0 + f64::from((-x).exp()))) as f32
            })
            .collect();
        Loss::Logistic { table }
    }

    /// `Loss::predict` / `HierarchicalSoftmaxLoss::predict`: the `k` best labels with
    /// probability ≥ `threshold`, best first, as log-probabilities.
    pub(crate) fn predict(
        &self,
        output: &Matrix,
        hidden: &[f32],
        k: usize,
        threshold: f32,
        heap: &mut Vec<Scored>,
    ) {
        heap.clear();
        match self {
            Loss::Hs { tree, osz } => {
                let root = (2 * osz).saturating_sub(2);
                let search = Search {
                    tree,
                    osz: *osz,
                    output,
                    hidden,
                    k,
                    log_threshold: std_log(threshold),
                };
                if *osz > 0 {
                    search.dfs(root, 0.0, heap);
                }
            }
            Loss::Softmax => {
                let probs = softmax(output, hidden);
                find_k_best(&probs, k, threshold, heap);
            }
            Loss::Logistic { table } => {
                let probs: Vec<f32> = (0..output.rows())
                    .map(|i| sigmoid(table, output.dot_row(hidden, i)))
                    .collect();
                find_k_best(&probs, k, threshold, heap);
            }
        }
        sort_heap(heap);
    }
}

/// `Loss::sigmoid`: the table entry, 0 below −8 and 1 above 8.
fn sigmoid(table: &[f32], x: f32) -> f32 {
    if x < -MAX_SIGMOID {
        0.0
    } else if x > MAX_SIGMOID {
        1.0
    } else {
        let i = ((x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE as f32 / MAX_SIGMOID / 2.0) as i64;
        table[i as usize]
    }
}

/// `SoftmaxLoss::computeOutput`.
fn softmax(output: &Matrix, hidden: &[f32]) -> Vec<f32> {
    let mut out: Vec<f32> = (0..output.rows())
        .map(|i| output.dot_row(hidden, i))
        .collect();
    let Some(&first) = out.first() else {
        return out;
    };
    let mut max = first;
    for &o in &out {
        // std::max(o, max): `max` unless max < o.
        if max < o {
            max = o;
        }
    }
    let mut z = 0.0f32;
    for o in &mut out {
        *o = f64::from(*o - max).exp() as f32;
        z += *o;
    }
    for o in &mut out {
        *o /= z;
    }
    out
}

/// `Loss::findKBest`.
fn find_k_best(output: &[f32], k: usize, threshold: f32, heap: &mut Vec<Scored>) {
    for (i, &o) in output.iter().enumerate() {
        if o < threshold {
            continue;
        }
        if heap.len() == k && std_log(o) < heap[0].0 {
            continue;
        }
        push(heap, (std_log(o), i as i32), k);
    }
}

struct Search<'a> {
    tree: &'a [Node],
    osz: usize,
    output: &'a Matrix,
    hidden: &'a [f32],
    k: usize,
    log_threshold: f32,
}

impl Search<'_> {
    /// `HierarchicalSoftmaxLoss::dfs`.
    fn dfs(&self, node: usize, score: f32, heap: &mut Vec<Scored>) {
        if score < self.log_threshold {
            return;
        }
        if heap.len() == self.k && score < heap[0].0 {
            return;
        }
        let Node { left, right } = self.tree[node];
        if left == -1 && right == -1 {
            push(heap, (score, node as i32), self.k);
            return;
        }
        let f = self.output.dot_row(self.hidden, node - self.osz);
        let f = (1.0 / f64::from(1.0 + (-f).exp())) as f32;
        self.dfs(
            left as usize,
            score + std_log((1.0 - f64::from(f)) as f32),
            heap,
        );
        self.dfs(right as usize, score + std_log(f), heap);
    }
}

/// Push onto the k-heap and drop the smallest when it holds more than `k` (the body shared
/// by `findKBest` and `dfs`).
fn push(heap: &mut Vec<Scored>, item: Scored, k: usize) {
    heap.push(item);
    push_heap(heap);
    if heap.len() > k {
        pop_heap(heap);
        heap.pop();
    }
}

// libstdc++'s heap algorithms with `comparePairs` (`l.first > r.first`): a min-heap on the
// score whose front is the worst kept prediction.

#[inline]
fn comp(l: &Scored, r: &Scored) -> bool {
    l.0 > r.0
}

/// `std::__push_heap(first, hole, top, value)`.
fn sift_up(h: &mut [Scored], mut hole: usize, top: usize, value: Scored) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !comp(&h[parent], &value) {
            break;
        }
        h[hole] = h[parent];
        hole = parent;
    }
    h[hole] = value;
}

/// `std::push_heap` (the new element is the last).
fn push_heap(h: &mut [Scored]) {
    let last = h.len() - 1;
    let value = h[last];
    sift_up(h, last, 0, value);
}

/// `std::__adjust_heap(first, hole, len, value)`.
fn adjust_heap(h: &mut [Scored], mut hole: usize, len: usize, value: Scored) {
    let top = hole;
    let mut second = hole;
    while len >= 1 && second < (len - 1) / 2 {
        second = 2 * (second + 1);
        if comp(&h[second], &h[second - 1]) {
            second -= 1;
        }
        h[hole] = h[second];
        hole = second;
    }
    if len & 1 == 0 && len >= 2 && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        h[hole] = h[second - 1];
        hole = second - 1;
    }
    sift_up(h, hole, top, value);
}

/// `std::__pop_heap(first, last, result)` with `result = last`: the front goes to `last`.
fn pop_to(h: &mut [Scored], last: usize) {
    let value = h[last];
    h[last] = h[0];
    adjust_heap(h, 0, last, value);
}

/// `std::pop_heap` (the front moves to the end).
fn pop_heap(h: &mut [Scored]) {
    if h.len() > 1 {
        pop_to(h, h.len() - 1);
    }
}

/// `std::sort_heap`: best first under `comparePairs`.
fn sort_heap(h: &mut [Scored]) {
    let mut last = h.len();
    while last > 1 {
        last -= 1;
        pop_to(h, last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_keeps_the_k_best_in_order() {
        let mut heap = Vec::new();
        for (i, s) in [-3.0f32, -1.0, -2.0, -0.5, -4.0, -1.0].iter().enumerate() {
            push(&mut heap, (*s, i as i32), 3);
        }
        sort_heap(&mut heap);
        let scores: Vec<f32> = heap.iter().map(|p| p.0).collect();
        assert_eq!(scores, [-0.5, -1.0, -1.0]);
    }

    #[test]
    fn huffman_tree_puts_frequent_labels_near_the_root() {
        let Loss::Hs { tree, osz } = Loss::hs(&[100, 10, 1]) else {
            unreachable!()
        };
        assert_eq!(osz, 3);
        // Leaves 2 and 1 (the rarest) merge first; the root joins that node and leaf 0.
        assert_eq!((tree[3].left, tree[3].right), (2, 1));
        assert_eq!((tree[4].left, tree[4].right), (3, 0));
    }
}
