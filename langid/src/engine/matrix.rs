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
    },
}

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
        Ok(Matrix::Quant {
            rows,
            dim,
            codes,
            pq,
            norms,
        })
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

    /// `x += row i` (`Matrix::addRowToVector(x, i)`).
    #[inline]
    pub(crate) fn add_row_to(&self, x: &mut [f32], i: usize) {
        match self {
            Matrix::Dense { dim, data, .. } => {
                let row = &data[i * dim..(i + 1) * dim];
                for (x, r) in x.iter_mut().zip(row) {
                    *x += *r;
                }
            }
            Matrix::Quant {
                codes, pq, norms, ..
            } => {
                let alpha = Self::norm(norms, i);
                let code = &codes[pq.nsubq * i..pq.nsubq * (i + 1)];
                for (m, &c) in code.iter().enumerate() {
                    let centroid = pq.centroid(m, c);
                    let x = &mut x[m * pq.dsub..m * pq.dsub + centroid.len()];
                    for (x, c) in x.iter_mut().zip(centroid) {
                        *x += alpha * *c;
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
