//! The two matrix kinds of a model file: dense `f32` rows (`DenseMatrix`) and product-
//! quantised rows (`QuantMatrix`: one byte code per sub-vector, 256 centroids per
//! sub-quantiser, optionally a quantised norm per row).
//!
//! Every operation performs the same `f32` operations in the same order as the C++
//! (`DenseMatrix::addRowToVector`/`dotRow`, `ProductQuantizer::addcode`/`mulcode`), and
//! nothing is fused or reassociated, so results are bit-identical.

use super::read::{count, Reader};

/// Centroids per sub-quantiser (`ProductQuantizer::ksub_`: 8 bits).
const KSUB: usize = 256;

/// `ProductQuantizer`: `nsubq` sub-quantisers of `dsub` dimensions (the last one `lastdsub`).
#[derive(Debug, Clone)]
pub(crate) struct ProductQuantizer {
    nsubq: usize,
    dsub: usize,
    lastdsub: usize,
    centroids: Vec<f32>,
}

impl ProductQuantizer {
    fn load(r: &mut Reader<'_>) -> Result<Self, String> {
        let dim = count(r.i32("the quantiser's dim")?.into(), "the quantiser's dim")?;
        let nsubq = count(r.i32("nsubq")?.into(), "nsubq")?;
        let dsub = count(r.i32("dsub")?.into(), "dsub")?;
        let lastdsub = count(r.i32("lastdsub")?.into(), "lastdsub")?;
        let centroids = r.f32s(dim * KSUB, "the centroids")?;
        if nsubq == 0 || dsub == 0 || lastdsub == 0 || (nsubq - 1) * dsub + lastdsub != dim {
            return Err(format!(
                "inconsistent product quantiser: dim {dim}, nsubq {nsubq}, dsub {dsub}, lastdsub {lastdsub}"
            ));
        }
        Ok(ProductQuantizer {
            nsubq,
            dsub,
            lastdsub,
            centroids,
        })
    }

    /// `get_centroids(m, i)`: the centroid `i` of sub-quantiser `m`.
    #[inline]
    fn centroid(&self, m: usize, i: u8) -> &[f32] {
        let i = usize::from(i);
        if m == self.nsubq - 1 {
            let at = m * KSUB * self.dsub + i * self.lastdsub;
            &self.centroids[at..at + self.lastdsub]
        } else {
            let at = (m * KSUB + i) * self.dsub;
            &self.centroids[at..at + self.dsub]
        }
    }
}

/// A matrix of `rows` × `dim`.
#[derive(Debug, Clone)]
pub(crate) enum Matrix {
    Dense {
        rows: usize,
        dim: usize,
        data: Vec<f32>,
    },
    Quant {
        rows: usize,
        dim: usize,
        codes: Vec<u8>,
        pq: ProductQuantizer,
        /// One code per row into `npq` (a 1-dimensional quantiser of the row norms).
        norms: Option<(Vec<u8>, ProductQuantizer)>,
        /// Each row's addends `norm * centroid[n]`, computed once: the very `f32` products
        /// `addcode` computes on every call, so adding them is bit-identical and costs one
        /// contiguous row read. Absent for matrices above [`MAX_TERMS`] floats.
        terms: Option<Vec<f32>>,
    },
}

/// The largest quantised matrix whose rows are expanded at load (64 MiB of `f32`).
const MAX_TERMS: usize = 1 << 24;

impl Matrix {
    /// `DenseMatrix::load`.
    pub(crate) fn load_dense(r: &mut Reader<'_>) -> Result<Self, String> {
        let rows = count(r.i64("the matrix rows")?, "the matrix rows")?;
        let dim = count(r.i64("the matrix columns")?, "the matrix columns")?;
        let n = rows.checked_mul(dim).ok_or("matrix size overflows")?;
        let data = r.f32s(n, "the matrix")?;
        Ok(Matrix::Dense { rows, dim, data })
    }

    /// `QuantMatrix::load`.
    pub(crate) fn load_quant(r: &mut Reader<'_>) -> Result<Self, String> {
        let qnorm = r.bool("qnorm")?;
        let rows = count(r.i64("the quantised rows")?, "the quantised rows")?;
        let dim = count(r.i64("the quantised columns")?, "the quantised columns")?;
        let codesize = count(r.i32("codesize")?.into(), "codesize")?;
        let codes = r.take(codesize, "the codes")?.to_vec();
        let pq = ProductQuantizer::load(r)?;
        if pq.centroids.len() != dim * KSUB || codesize != rows * pq.nsubq {
            return Err(format!(
                "quantised matrix {rows} × {dim} does not fit its {codesize} codes"
            ));
        }
        let norms = if qnorm {
            let norm_codes = r.take(rows, "the norm codes")?.to_vec();
            let npq = ProductQuantizer::load(r)?;
            if npq.centroids.len() != KSUB || npq.nsubq != 1 {
                return Err("the norm quantiser is not 1-dimensional".into());
            }
            Some((norm_codes, npq))
        } else {
            None
        };
        let mut m = Matrix::Quant {
            rows,
            dim,
            codes,
            pq,
            norms,
            terms: None,
        };
        if rows.saturating_mul(dim) <= MAX_TERMS && std::env::var_os("NOTERMS").is_none() {
            let mut terms = vec![0.0f32; rows * dim];
            for (i, row) in terms.chunks_exact_mut(dim.max(1)).enumerate() {
                m.for_each_term(i, |j, t| row[j] = t);
            }
            if let Matrix::Quant { terms: slot, .. } = &mut m {
                *slot = Some(terms);
            }
        }
        Ok(m)
    }

    pub(crate) fn rows(&self) -> usize {
        match self {
            Matrix::Dense { rows, .. } | Matrix::Quant { rows, .. } => *rows,
        }
    }

    pub(crate) fn dim(&self) -> usize {
        match self {
            Matrix::Dense { dim, .. } | Matrix::Quant { dim, .. } => *dim,
        }
    }

    /// The quantised norm of row `i` (1 without norms).
    #[inline]
    fn norm(norms: &Option<(Vec<u8>, ProductQuantizer)>, i: usize) -> f32 {
        match norms {
            Some((codes, npq)) => npq.centroid(0, codes[i])[0],
            None => 1.0,
        }
    }

    /// Each addend `norm * centroid[n]` of quantised row `i` with its column, in
    /// `ProductQuantizer::addcode`'s order.
    #[inline]
    fn for_each_term(&self, i: usize, mut f: impl FnMut(usize, f32)) {
        if let Matrix::Quant {
            codes, pq, norms, ..
        } = self
        {
            let alpha = Self::norm(norms, i);
            let code = &codes[pq.nsubq * i..pq.nsubq * (i + 1)];
            for (m, &c) in code.iter().enumerate() {
                for (n, c) in pq.centroid(m, c).iter().enumerate() {
                    f(m * pq.dsub + n, alpha * *c);
                }
            }
        }
    }

    /// `x += row i` for a quantised row, from its codes (what C++ does on every call).
    pub(crate) fn add_codes_to(&self, x: &mut [f32], i: usize) {
        self.for_each_term(i, |j, t| x[j] += t);
    }

    /// The rows as one `f32` table (`rows × dim`), when they are held that way (dense, or
    /// quantised and expanded at load).
    #[inline]
    pub(crate) fn table(&self) -> Option<&[f32]> {
        match self {
            Matrix::Dense { data, .. } => Some(data),
            Matrix::Quant { terms, .. } => terms.as_deref(),
        }
    }

    /// `x += row` for every row of `rows`, in order (`Model::computeHidden`'s loop). The
    /// sums are the same `f32` additions in the same order as row by row; for the common
    /// dimensions the accumulator is a fixed-size array the compiler keeps in registers.
    pub(crate) fn add_rows_to(&self, x: &mut [f32], rows: &[i32]) {
        let table = match self {
            Matrix::Dense { data, .. } => data,
            Matrix::Quant {
                terms: Some(terms), ..
            } => terms,
            Matrix::Quant { terms: None, .. } => {
                for &r in rows {
                    self.add_codes_to(x, r as usize);
                }
                return;
            }
        };
        match x.len() {
            8 => add_fixed::<8>(table, rows, x),
            16 => add_fixed::<16>(table, rows, x),
            32 => add_fixed::<32>(table, rows, x),
            64 => add_fixed::<64>(table, rows, x),
            dim => {
                for &r in rows {
                    let row = &table[r as usize * dim..(r as usize + 1) * dim];
                    for (x, r) in x.iter_mut().zip(row) {
                        *x += *r;
                    }
                }
            }
        }
    }

    /// `row i · x` (`Matrix::dotRow`).
    #[inline]
    pub(crate) fn dot_row(&self, x: &[f32], i: usize) -> f32 {
        match self {
            Matrix::Dense { dim, data, .. } => {
                let row = &data[i * dim..(i + 1) * dim];
                let mut d = 0.0f32;
                for (r, x) in row.iter().zip(x) {
                    d += *r * *x;
                }
                d
            }
            Matrix::Quant {
                codes, pq, norms, ..
            } => {
                let alpha = Self::norm(norms, i);
                let code = &codes[pq.nsubq * i..pq.nsubq * (i + 1)];
                let mut res = 0.0f32;
                for (m, &c) in code.iter().enumerate() {
                    let centroid = pq.centroid(m, c);
                    let x = &x[m * pq.dsub..m * pq.dsub + centroid.len()];
                    for (x, c) in x.iter().zip(centroid) {
                        res += *x * *c;
                    }
                }
                res * alpha
            }
        }
    }
}

/// [`Matrix::add_rows_to`] for dimension `D`.
#[inline]
fn add_fixed<const D: usize>(table: &[f32], rows: &[i32], x: &mut [f32]) {
    let mut acc = [0.0f32; D];
    acc.copy_from_slice(x);
    for &r in rows {
        let start = r as usize * D;
        let row: &[f32; D] = table[start..start + D].try_into().unwrap_or(&[0.0; D]);
        for j in 0..D {
            acc[j] += row[j];
        }
    }
    x.copy_from_slice(&acc);
}
