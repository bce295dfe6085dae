//! The projection score (SCIENCE.md §4.3): a local polynomial estimate π̂_N of the projection onto M.
//!
//! Around a query q take its K nearest training points; their centred SVD gives a k-dimensional
//! tangent frame T (local PCA); the normal offsets n_i = (I − TTᵀ)(x_i − c) are fitted by least
//! squares as a polynomial of degree m in the scaled tangent coordinates z_i = Tᵀ(x_i − c)/s; and q
//! is projected onto the graph g(z) = c + sTz + Σ_α C_α z^α by Gauss–Newton. Degree m reaches an
//! error of order h^{min(β, m+1)} on a C^β manifold for a window of radius h; m = 1 is plain local PCA.
//! D(x, t) = π̂(x / a_t), so the VE score is −(x − π̂(x))/t.

use crate::error::{Result, ScoreError};
use crate::neighbours::{KdTree, NeighbourIndex};
use crate::oracle::unscaled;
use crate::schedule::Schedule;
use crate::score::{Denoiser, Estimate, ScoreModel, check_query};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use ndarray_linalg::{JobSvd, LeastSquaresSvd, SVDDC, Solve};
use std::sync::Arc;

/// The highest supported polynomial degree.
pub const MAX_DEGREE: usize = 5;

/// Neighbours per point used by the intrinsic-dimension estimate.
const DIMENSION_NEIGHBOURS: usize = 20;

/// Training points at which the intrinsic-dimension estimate is taken (evenly spaced rows).
const DIMENSION_PROBES: usize = 256;

/// Gauss–Newton iterations of the projection onto the fitted graph.
const NEWTON_STEPS: usize = 20;

/// The Levina–Bickel maximum-likelihood estimate of the intrinsic dimension k, averaged as
/// MacKay and Ghahramani suggest: k̂ = [mean over probes of (1/(K−1)) Σ_{j<K} ln(T_K / T_j)]^{-1},
/// with T_j the distance to the j-th nearest other training point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DimensionEstimate {
    /// The raw estimate k̂.
    pub raw: f64,
    /// k̂ rounded to the nearest integer ≥ 1: the k the score uses.
    pub k: usize,
    /// Probes that contributed (points with K distinct neighbours at positive distance).
    pub probes: usize,
}

/// How the intrinsic dimension k was set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IntrinsicDim {
    /// Given by the caller (known from the manifold).
    Given(usize),
    /// Estimated from the training set.
    Estimated(DimensionEstimate),
}

impl IntrinsicDim {
    /// The k in use.
    pub fn k(self) -> usize {
        match self {
            IntrinsicDim::Given(k) => k,
            IntrinsicDim::Estimated(estimate) => estimate.k,
        }
    }
}

/// The number of monomials z^α in k variables with |α| ≤ m: C(k + m, m).
pub fn coefficient_count(k: usize, degree: usize) -> usize {
    (1..=degree).fold(1, |c, j| c * (k + j) / j)
}

/// The default neighbourhood size: 2·C(k+m, m) + ⌈ln N⌉, so that the window radius shrinks like
/// (log N / N)^{1/k} (SCIENCE.md §4.3) with a least-squares fit that is well posed.
pub fn default_neighbours(k: usize, degree: usize, n: usize) -> usize {
    2 * coefficient_count(k, degree) + (n.max(1) as f64).ln().ceil() as usize
}

/// The exponents α of every monomial in k variables of total degree ≤ m, constant first.
fn exponents(k: usize, degree: usize) -> Vec<Vec<u32>> {
    let mut all = vec![vec![0; k]];
    for total in 1..=degree as u32 {
        let mut current = vec![0u32; k];
        push_compositions(&mut all, &mut current, 0, total);
    }
    all
}

fn push_compositions(all: &mut Vec<Vec<u32>>, current: &mut [u32], position: usize, left: u32) {
    if position + 1 == current.len() {
        current[position] = left;
        all.push(current.to_vec());
        return;
    }
    for here in (0..=left).rev() {
        current[position] = here;
        push_compositions(all, current, position + 1, left - here);
    }
}

/// The projection-score denoiser D(x, t) = π̂_N(x / a_t).
#[derive(Debug)]
pub struct ProjectionScore {
    index: Arc<KdTree>,
    schedule: Schedule,
    degree: usize,
    intrinsic_dim: IntrinsicDim,
    neighbours: usize,
    exponents: Vec<Vec<u32>>,
}

impl ProjectionScore {
    /// The projection score of degree m ∈ 1..=[`MAX_DEGREE`] over `points`; k given, or estimated when `None`.
    /// Uses [`default_neighbours`] neighbours; see [`ProjectionScore::with_neighbours`].
    pub fn new(
        points: Arc<Array2<f64>>,
        schedule: Schedule,
        degree: usize,
        intrinsic_dim: Option<usize>,
    ) -> Result<Self> {
        Self::from_index(
            Arc::new(KdTree::new(points)?),
            schedule,
            degree,
            intrinsic_dim,
        )
    }

    /// [`ProjectionScore::new`] over a neighbour index already built over the training set, which
    /// other scores and metrics of the same training set may share.
    pub fn from_index(
        index: Arc<KdTree>,
        schedule: Schedule,
        degree: usize,
        intrinsic_dim: Option<usize>,
    ) -> Result<Self> {
        if !(1..=MAX_DEGREE).contains(&degree) {
            return Err(ScoreError::InvalidParameter {
                name: "degree",
                value: degree as f64,
                rule: "the polynomial degree must lie in 1..=5",
            });
        }
        let dim = index.dim();
        let intrinsic_dim = match intrinsic_dim {
            Some(k) if k == 0 || k >= dim => {
                return Err(ScoreError::InvalidParameter {
                    name: "intrinsic_dim",
                    value: k as f64,
                    rule: "k must satisfy 1 ≤ k < D",
                });
            }
            Some(k) => IntrinsicDim::Given(k),
            None => IntrinsicDim::Estimated(estimate_dimension(&index)?),
        };
        let k = intrinsic_dim.k().min(dim - 1);
        let neighbours = default_neighbours(k, degree, index.len());
        let score = Self {
            exponents: exponents(k, degree),
            index,
            schedule,
            degree,
            intrinsic_dim,
            neighbours,
        };
        score.check_neighbours()?;
        Ok(score)
    }

    /// The same score with K nearest neighbours per query (K must exceed C(k+m, m)).
    pub fn with_neighbours(mut self, neighbours: usize) -> Result<Self> {
        self.neighbours = neighbours;
        self.check_neighbours()?;
        Ok(self)
    }

    fn check_neighbours(&self) -> Result<()> {
        let needed = self.exponents.len() + 1;
        let available = self.neighbours.min(self.index.len());
        if available < needed {
            return Err(ScoreError::TooFewNeighbours {
                degree: self.degree,
                intrinsic_dim: self.k(),
                needed,
                available,
            });
        }
        Ok(())
    }

    /// The intrinsic dimension k in use, and whether it was given or estimated.
    pub fn intrinsic_dim(&self) -> IntrinsicDim {
        self.intrinsic_dim
    }

    /// The polynomial degree m.
    pub fn degree(&self) -> usize {
        self.degree
    }

    /// Neighbours per query K.
    pub fn neighbours(&self) -> usize {
        self.neighbours
    }

    fn k(&self) -> usize {
        self.exponents[0].len()
    }

    /// π̂_N(q): the projection of q onto the local polynomial fit around it.
    pub fn project(&self, q: ArrayView1<f64>) -> Result<Array1<f64>> {
        mangen_geometry::check_point(q, self.index.dim())?;
        let found = self.index.k_nearest(q, self.neighbours)?;
        let points = self.index.points();
        let rows: Vec<usize> = found.iter().map(|n| n.index).collect();
        let chart = LocalChart::fit(points.select(Axis(0), &rows), self.k(), &self.exponents)?;
        chart.project(q)
    }
}

impl ScoreModel for ProjectionScore {
    fn name(&self) -> String {
        format!("projection(m={})", self.degree)
    }

    fn dim(&self) -> usize {
        self.index.dim()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Denoiser for ProjectionScore {
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        check_query(x, self.dim(), t)?;
        let (a, _) = self.schedule.coefficients(t)?;
        Ok(Estimate {
            value: self.project(unscaled(x, a).view())?,
            error_bound: 0.0,
        })
    }
}

/// The fitted graph g(z) = c + sTz + Σ_α C_α z^α over a neighbourhood.
struct LocalChart<'a> {
    centre: Array1<f64>,
    /// Tangent frame, D × k, orthonormal columns.
    frame: Array2<f64>,
    /// Scale s of the tangent coordinates (the window radius).
    scale: f64,
    /// Normal coefficients, one row C_α per monomial.
    coefficients: Array2<f64>,
    exponents: &'a [Vec<u32>],
}

impl<'a> LocalChart<'a> {
    fn fit(neighbourhood: Array2<f64>, k: usize, exponents: &'a [Vec<u32>]) -> Result<Self> {
        let centre = neighbourhood.mean_axis(Axis(0)).expect("K ≥ 1");
        let centred = &neighbourhood - &centre;
        let (_, _, vt) = centred
            .svddc(JobSvd::Some)
            .map_err(|err| ScoreError::Linalg(format!("local PCA: {err}")))?;
        let vt = vt.expect("right singular vectors were requested");
        let mut frame = Array2::zeros((centred.ncols(), k));
        for j in 0..k.min(vt.nrows()) {
            frame.column_mut(j).assign(&vt.row(j));
        }
        let tangent = centred.dot(&frame);
        let normal = &centred - &tangent.dot(&frame.t());
        let scale = tangent
            .outer_iter()
            .map(|u| u.dot(&u).sqrt())
            .fold(0.0, f64::max);
        let scale = if scale > 0.0 { scale } else { 1.0 };
        let mut design = Array2::zeros((centred.nrows(), exponents.len()));
        for (u, mut row) in tangent.outer_iter().zip(design.outer_iter_mut()) {
            let z = &u / scale;
            row.assign(&monomials(z.view(), exponents));
        }
        let coefficients = design
            .least_squares(&normal)
            .map_err(|err| ScoreError::Linalg(format!("polynomial fit: {err}")))?
            .solution;
        Ok(Self {
            centre,
            frame,
            scale,
            coefficients,
            exponents,
        })
    }

    fn point(&self, z: ArrayView1<f64>) -> Array1<f64> {
        &self.centre
            + &(self.frame.dot(&z) * self.scale)
            + &self.coefficients.t().dot(&monomials(z, self.exponents))
    }

    /// Gauss–Newton on |q − g(z)|² from z = Tᵀ(q − c)/s, with step halving, kept within |z| ≤ 2
    /// (twice the fitted window) so the polynomial is never extrapolated far.
    fn project(&self, q: ArrayView1<f64>) -> Result<Array1<f64>> {
        let mut z = self.frame.t().dot(&(&q - &self.centre)) / self.scale;
        clamp_to_window(&mut z);
        let mut point = self.point(z.view());
        let mut residual_sq = squared_norm(&(&q - &point));
        for _ in 0..NEWTON_STEPS {
            let jacobian = &self.frame * self.scale
                + &self
                    .coefficients
                    .t()
                    .dot(&monomial_jacobian(z.view(), self.exponents));
            let residual = &q - &point;
            let normal_matrix = jacobian.t().dot(&jacobian);
            let Ok(step) = normal_matrix.solve(&jacobian.t().dot(&residual)) else {
                break;
            };
            let mut length = 1.0;
            let mut improved = false;
            while length > 1e-3 {
                let mut trial = &z + &(&step * length);
                clamp_to_window(&mut trial);
                let trial_point = self.point(trial.view());
                let trial_sq = squared_norm(&(&q - &trial_point));
                // Near the solution a full step changes |q − point|² by less than its rounding
                // (about ε·|q − point|²), which would stop the iteration at √ε·d from the foot
                // point: a full step that does not increase the residual beyond rounding is taken.
                let within_rounding =
                    length == 1.0 && trial_sq <= residual_sq * (1.0 + 8.0 * f64::EPSILON);
                if trial_sq < residual_sq || within_rounding {
                    (z, point, residual_sq, improved) = (trial, trial_point, trial_sq, true);
                    break;
                }
                length *= 0.5;
            }
            if !improved || squared_norm(&step) * length * length < 1e-28 * (1.0 + squared_norm(&z))
            {
                break;
            }
        }
        Ok(point)
    }
}

fn squared_norm(v: &Array1<f64>) -> f64 {
    v.dot(v)
}

fn clamp_to_window(z: &mut Array1<f64>) {
    let norm = squared_norm(z).sqrt();
    if norm > 2.0 {
        *z *= 2.0 / norm;
    }
}

/// (z^α) for each exponent α.
fn monomials(z: ArrayView1<f64>, exponents: &[Vec<u32>]) -> Array1<f64> {
    exponents
        .iter()
        .map(|alpha| {
            alpha
                .iter()
                .zip(z.iter())
                .map(|(&p, &zj)| zj.powi(p as i32))
                .product()
        })
        .collect()
}

/// ∂z^α/∂z_l, one row per exponent α, one column per l.
fn monomial_jacobian(z: ArrayView1<f64>, exponents: &[Vec<u32>]) -> Array2<f64> {
    let k = z.len();
    let mut jacobian = Array2::zeros((exponents.len(), k));
    for (row, alpha) in exponents.iter().enumerate() {
        for l in 0..k {
            if alpha[l] == 0 {
                continue;
            }
            jacobian[[row, l]] = (0..k)
                .map(|j| {
                    if j == l {
                        f64::from(alpha[j]) * z[j].powi(alpha[j] as i32 - 1)
                    } else {
                        z[j].powi(alpha[j] as i32)
                    }
                })
                .product();
        }
    }
    jacobian
}

/// The Levina–Bickel estimate over evenly spaced training points (see [`DimensionEstimate`]).
pub fn estimate_dimension(index: &KdTree) -> Result<DimensionEstimate> {
    let n = index.len();
    let step = (n / DIMENSION_PROBES).max(1);
    let mut inverse_sum = 0.0;
    let mut probes = 0;
    for row in (0..n).step_by(step).take(DIMENSION_PROBES) {
        let point = index.points().row(row);
        let distances: Vec<f64> = index
            .k_nearest(point, DIMENSION_NEIGHBOURS + 1)?
            .into_iter()
            .map(|nb| nb.distance_sq.sqrt())
            .filter(|&d| d > 0.0)
            .collect();
        if distances.len() < 3 {
            continue;
        }
        let last = distances[distances.len() - 1].ln();
        let head = &distances[..distances.len() - 1];
        inverse_sum += head.iter().map(|d| last - d.ln()).sum::<f64>() / head.len() as f64;
        probes += 1;
    }
    if probes == 0 || inverse_sum <= 0.0 {
        return Err(ScoreError::InvalidParameter {
            name: "intrinsic_dim",
            value: f64::NAN,
            rule: "cannot be estimated: the training set has too few distinct points; give k",
        });
    }
    let raw = probes as f64 / inverse_sum;
    Ok(DimensionEstimate {
        raw,
        k: (raw.round() as usize).max(1),
        probes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficient_counts_match_the_exponent_lists() {
        for k in 1..=4 {
            for m in 0..=4 {
                let list = exponents(k, m);
                assert_eq!(list.len(), coefficient_count(k, m), "k={k} m={m}");
                assert!(list.iter().all(|a| a.iter().sum::<u32>() as usize <= m));
                let mut sorted = list.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(sorted.len(), list.len(), "no repeated monomial");
            }
        }
        assert_eq!(coefficient_count(2, 4), 15);
    }

    #[test]
    fn the_jacobian_matches_finite_differences() {
        let list = exponents(3, 4);
        let z = Array1::from(vec![0.3, -0.7, 0.45]);
        let jacobian = monomial_jacobian(z.view(), &list);
        for l in 0..3 {
            let mut up = z.clone();
            let mut down = z.clone();
            up[l] += 1e-6;
            down[l] -= 1e-6;
            let numeric = (monomials(up.view(), &list) - monomials(down.view(), &list)) / 2e-6;
            for (row, value) in numeric.iter().enumerate() {
                assert!((value - jacobian[[row, l]]).abs() < 1e-8, "row {row} l {l}");
            }
        }
    }
}
