//! The projection score (SCIENCE.md §4.3): a local polynomial estimate π̂_N of the projection onto M.
//!
//! Around a query q take its K nearest training points; their centred SVD gives a k-dimensional
//! tangent frame T (local PCA); the normal offsets n_i = (I − TTᵀ)(x_i − c) are fitted by least
//! squares as a polynomial of degree m in the scaled tangent coordinates z_i = Tᵀ(x_i − c)/s; and q
//! is projected onto the graph g(z) = c + sTz + Σ_α C_α z^α by Newton's method. Degree m reaches an
//! error of order h^{min(β, m+1)} on a C^β manifold for a window of radius h; m = 1 is plain local PCA.
//! D(x, t) = π̂(x / a_t), so the VE score is −(x − π̂(x))/t.

use crate::error::{Result, ScoreError};
use crate::neighbours::{KdTree, NeighbourIndex, squared_distance};
use crate::oracle::unscaled;
use crate::schedule::Schedule;
use crate::score::{Denoiser, Estimate, ScoreModel, check_query};
use nalgebra::{DMatrix, DVector};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

/// The highest supported polynomial degree.
pub const MAX_DEGREE: usize = 5;

/// Neighbours per point used by the intrinsic-dimension estimate.
const DIMENSION_NEIGHBOURS: usize = 20;

/// Training points at which the intrinsic-dimension estimate is taken (evenly spaced rows).
const DIMENSION_PROBES: usize = 256;

/// Newton iterations of the projection onto the fitted graph.
const NEWTON_STEPS: usize = 20;

/// The fitted charts a score keeps, counted in the numbers they hold (32 MiB of them).
const CACHED_CHART_NUMBERS: usize = 1 << 22;

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
    charts: ChartCache,
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
            charts: ChartCache::default(),
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

    /// π̂_N(q): the projection of q onto the local polynomial fit around it. The fit depends on
    /// the set of q's K nearest training points alone (taken in index order), so it is made once
    /// per set and kept: a sampler's queries meet the same sets step after step.
    pub fn project(&self, q: ArrayView1<f64>) -> Result<Array1<f64>> {
        mangen_geometry::check_point(q, self.index.dim())?;
        let found = self.index.k_nearest(q, self.neighbours)?;
        let mut rows: Vec<usize> = found.iter().map(|n| n.index).collect();
        rows.sort_unstable();
        let chart = self.charts.get_or_fit(rows, |rows| {
            LocalChart::fit(
                self.index.points().select(Axis(0), rows),
                self.k(),
                &self.exponents,
            )
        })?;
        chart.project(q, &self.exponents)
    }
}

/// The charts fitted so far, by neighbour set (row indices, increasing). A chart is a function of
/// its set, so which queries found the cache full (it is emptied when it would hold more than
/// [`CACHED_CHART_NUMBERS`] numbers) changes the time taken, never an answer.
#[derive(Debug, Default)]
struct ChartCache {
    charts: RwLock<HashMap<Vec<usize>, Arc<LocalChart>>>,
}

impl ChartCache {
    /// The chart of `rows`, fitted by `fit` if it is not kept.
    fn get_or_fit(
        &self,
        rows: Vec<usize>,
        fit: impl FnOnce(&[usize]) -> Result<LocalChart>,
    ) -> Result<Arc<LocalChart>> {
        let kept = self.charts.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(chart) = kept.get(&rows) {
            return Ok(chart.clone());
        }
        drop(kept);
        let chart = Arc::new(fit(&rows)?);
        let mut kept = self.charts.write().unwrap_or_else(PoisonError::into_inner);
        if (kept.len() + 1) * chart.numbers() > CACHED_CHART_NUMBERS {
            kept.clear();
        }
        kept.insert(rows, chart.clone());
        Ok(chart)
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

/// The fitted graph g(z) = c + sTz + Σ_α C_α z^α over a neighbourhood, for the exponents α it
/// was fitted with. The fit works in nalgebra (once per neighbour set); the projection, run at
/// every query, works on the chart's flat row-major arrays with buffers of its own, since its
/// matrices (D × k and D × P) are too small for anything but the loops to matter.
#[derive(Debug)]
struct LocalChart {
    centre: Vec<f64>,
    /// The tangent frame times the scale, sT: D × k, row-major.
    scaled_frame: Vec<f64>,
    /// Scale s of the tangent coordinates (the window radius).
    scale: f64,
    /// Normal coefficients, D × P (one column C_α per monomial), row-major.
    coefficients: Vec<f64>,
}

/// Singular values below this share of the largest are treated as zero by the polynomial fit.
const FIT_RCOND: f64 = 1e-14;

/// Iterations after which an SVD that has not converged is reported as an error rather than
/// looped on.
const SVD_ITERATIONS: usize = 1000;

impl LocalChart {
    fn fit(neighbourhood: Array2<f64>, k: usize, exponents: &[Vec<u32>]) -> Result<Self> {
        let (rows, dim) = neighbourhood.dim();
        let points = DMatrix::from_fn(rows, dim, |i, j| neighbourhood[[i, j]]);
        let centre: DVector<f64> = points.row_mean().transpose();
        let mut centred = points;
        for mut row in centred.row_iter_mut() {
            row -= centre.transpose();
        }
        let svd = centred
            .clone()
            .try_svd(false, true, f64::EPSILON, SVD_ITERATIONS)
            .ok_or_else(|| ScoreError::Linalg("local PCA: the SVD did not converge".into()))?;
        let vt = svd
            .v_t
            .ok_or_else(|| ScoreError::Linalg("local PCA: no right singular vectors".into()))?;
        // nalgebra does not sort the singular values: the frame is the k largest.
        let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
        order.sort_by(|&a, &b| svd.singular_values[b].total_cmp(&svd.singular_values[a]));
        let mut frame = DMatrix::zeros(dim, k);
        for (j, &row) in order.iter().take(k).enumerate() {
            frame.set_column(j, &vt.row(row).transpose());
        }
        let tangent = &centred * &frame;
        let normal = &centred - &tangent * frame.transpose();
        let scale = tangent.row_iter().map(|u| u.norm()).fold(0.0, f64::max);
        let scale = if scale > 0.0 { scale } else { 1.0 };
        let scaled: Vec<Vec<f64>> = tangent
            .row_iter()
            .map(|u| u.iter().map(|v| v / scale).collect())
            .collect();
        let design = DMatrix::from_fn(rows, exponents.len(), |i, a| {
            monomial(&scaled[i], &exponents[a])
        });
        let fit = design
            .try_svd(true, true, f64::EPSILON, SVD_ITERATIONS)
            .ok_or_else(|| ScoreError::Linalg("polynomial fit: the SVD did not converge".into()))?;
        let cutoff = FIT_RCOND * fit.singular_values.max();
        let coefficients = fit
            .solve(&normal, cutoff)
            .map_err(|err| ScoreError::Linalg(format!("polynomial fit: {err}")))?;
        let row_major = |m: &DMatrix<f64>| m.transpose().as_slice().to_vec();
        Ok(Self {
            centre: centre.as_slice().to_vec(),
            scaled_frame: row_major(&(frame * scale)),
            scale,
            coefficients: row_major(&coefficients.transpose()),
        })
    }

    /// The numbers the chart holds.
    fn numbers(&self) -> usize {
        self.centre.len() + self.scaled_frame.len() + self.coefficients.len()
    }

    /// Newton's method on |q − g(z)|² from z = Tᵀ(q − c)/s, with step halving, kept within |z| ≤ 2
    /// (twice the fitted window) so the polynomial is never extrapolated far.
    fn project(&self, q: ArrayView1<f64>, exponents: &[Vec<u32>]) -> Result<Array1<f64>> {
        let dim = self.centre.len();
        let k = self.scaled_frame.len() / dim;
        let mut work = Workspace::new(dim, k, exponents.len());
        for (l, z) in work.z.iter_mut().enumerate() {
            *z = (0..dim)
                .map(|i| self.scaled_frame[i * k + l] * (q[i] - self.centre[i]))
                .sum::<f64>()
                / (self.scale * self.scale);
        }
        clamp_to_window(&mut work.z);
        let mut residual_sq = self.residual(q, &work.z, exponents, &mut work.point, &mut work.m);
        for _ in 0..NEWTON_STEPS {
            let Some(()) = work.newton_step(self, q, exponents) else {
                break;
            };
            let mut length = 1.0;
            let mut improved = false;
            while length > 1e-3 {
                for ((trial, &z), &step) in work.trial.iter_mut().zip(&work.z).zip(&work.step) {
                    *trial = z + step * length;
                }
                clamp_to_window(&mut work.trial);
                let trial_sq = self.residual(
                    q,
                    &work.trial,
                    exponents,
                    &mut work.trial_point,
                    &mut work.m,
                );
                // Near the solution a full step changes |q − point|² by less than its rounding
                // (about ε·|q − point|²), which would stop the iteration at √ε·d from the foot
                // point: a full step that does not increase the residual beyond rounding is taken.
                let within_rounding =
                    length == 1.0 && trial_sq <= residual_sq * (1.0 + 8.0 * f64::EPSILON);
                if trial_sq < residual_sq || within_rounding {
                    std::mem::swap(&mut work.z, &mut work.trial);
                    std::mem::swap(&mut work.point, &mut work.trial_point);
                    residual_sq = trial_sq;
                    improved = true;
                    break;
                }
                length *= 0.5;
            }
            // The move actually made (the old z is in `trial` after the swap): the step itself
            // where the window does not clamp it, and none when a clamped step leaves z where it
            // was, which would repeat the same iteration to the end.
            let move_sq = squared_distance(&work.z, &work.trial);
            let z_sq = dot(&work.z, &work.z);
            if !improved || move_sq < 1e-28 * (1.0 + z_sq) {
                break;
            }
        }
        Ok(Array1::from_vec(work.point))
    }

    /// Writes g(z) into `point` (with the monomials of z into `m`) and returns |q − g(z)|².
    fn residual(
        &self,
        q: ArrayView1<f64>,
        z: &[f64],
        exponents: &[Vec<u32>],
        point: &mut [f64],
        m: &mut [f64],
    ) -> f64 {
        let k = z.len();
        let terms = m.len();
        for (value, alpha) in m.iter_mut().zip(exponents) {
            *value = monomial(z, alpha);
        }
        let mut sum = 0.0;
        for (i, value) in point.iter_mut().enumerate() {
            let frame = &self.scaled_frame[i * k..(i + 1) * k];
            let coefficients = &self.coefficients[i * terms..(i + 1) * terms];
            *value = self.centre[i] + dot(frame, z) + dot(coefficients, m);
            let r = q[i] - *value;
            sum += r * r;
        }
        sum
    }
}

/// The buffers of one projection: z, its trial, the step, g(z) and g(trial), the monomials and
/// their Jacobian, the Jacobian of g (D × k), the residual's weights on the monomials (Σ_i r_i C_iα),
/// the gradient Jᵀr, and the Gauss–Newton and Newton matrices (k × k, lower triangles).
struct Workspace {
    z: Vec<f64>,
    trial: Vec<f64>,
    step: Vec<f64>,
    point: Vec<f64>,
    trial_point: Vec<f64>,
    m: Vec<f64>,
    m_jacobian: Vec<f64>,
    jacobian: Vec<f64>,
    weights: Vec<f64>,
    gradient: Vec<f64>,
    normal: Vec<f64>,
    hessian: Vec<f64>,
}

impl Workspace {
    fn new(dim: usize, k: usize, terms: usize) -> Self {
        Self {
            z: vec![0.0; k],
            trial: vec![0.0; k],
            step: vec![0.0; k],
            point: vec![0.0; dim],
            trial_point: vec![0.0; dim],
            m: vec![0.0; terms],
            m_jacobian: vec![0.0; terms * k],
            jacobian: vec![0.0; dim * k],
            weights: vec![0.0; terms],
            gradient: vec![0.0; k],
            normal: vec![0.0; k * k],
            hessian: vec![0.0; k * k],
        }
    }

    /// The step toward the foot point on the chart into `step`: Newton's, H⁻¹Jᵀr with H = JᵀJ −
    /// Σ_i r_i ∇²g_i the Hessian of ½|r|², where H is positive definite, else Gauss–Newton's,
    /// (JᵀJ)⁻¹Jᵀr; here r = q − g(z) and J = sT + C ∂m/∂z at z. Newton's converges quadratically
    /// where Gauss–Newton's only linearly, slowly for queries far from a curved chart. `None` when
    /// neither matrix is positive definite.
    fn newton_step(
        &mut self,
        chart: &LocalChart,
        q: ArrayView1<f64>,
        exponents: &[Vec<u32>],
    ) -> Option<()> {
        let k = self.z.len();
        let terms = self.m.len();
        let rows = self.point.len();
        for (row, alpha) in exponents.iter().enumerate() {
            for l in 0..k {
                self.m_jacobian[row * k + l] = monomial_derivative(&self.z, alpha, &[l]);
            }
        }
        self.weights.fill(0.0);
        self.gradient.fill(0.0);
        for i in 0..rows {
            let coefficients = &chart.coefficients[i * terms..(i + 1) * terms];
            let residual = q[i] - self.point[i];
            for l in 0..k {
                let derivative = chart.scaled_frame[i * k + l]
                    + (0..terms)
                        .map(|a| coefficients[a] * self.m_jacobian[a * k + l])
                        .sum::<f64>();
                self.jacobian[i * k + l] = derivative;
                self.gradient[l] += derivative * residual;
            }
            for (weight, c) in self.weights.iter_mut().zip(coefficients) {
                *weight += residual * c;
            }
        }
        for a in 0..k {
            for b in 0..=a {
                let value = (0..rows)
                    .map(|i| self.jacobian[i * k + a] * self.jacobian[i * k + b])
                    .sum::<f64>();
                self.normal[a * k + b] = value;
                let curvature = exponents
                    .iter()
                    .zip(&self.weights)
                    .map(|(alpha, w)| w * monomial_derivative(&self.z, alpha, &[a, b]))
                    .sum::<f64>();
                self.hessian[a * k + b] = value - curvature;
            }
        }
        self.step.copy_from_slice(&self.gradient);
        if cholesky_solve(&mut self.hessian, &mut self.step).is_some() {
            return Some(());
        }
        self.step.copy_from_slice(&self.gradient);
        cholesky_solve(&mut self.normal, &mut self.step)
    }
}

/// Solves A x = b in place (x into `b`) for symmetric A given by its lower triangle (row-major,
/// overwritten by its Cholesky factor); `None` when A is not positive definite.
fn cholesky_solve(a: &mut [f64], b: &mut [f64]) -> Option<()> {
    let n = b.len();
    for j in 0..n {
        let diagonal = a[j * n + j] - (0..j).map(|p| a[j * n + p] * a[j * n + p]).sum::<f64>();
        // Not positive, or NaN: no factor.
        if diagonal.is_nan() || diagonal <= 0.0 {
            return None;
        }
        let root = diagonal.sqrt();
        a[j * n + j] = root;
        for i in j + 1..n {
            let value = a[i * n + j] - (0..j).map(|p| a[i * n + p] * a[j * n + p]).sum::<f64>();
            a[i * n + j] = value / root;
        }
    }
    for i in 0..n {
        b[i] = (b[i] - (0..i).map(|p| a[i * n + p] * b[p]).sum::<f64>()) / a[i * n + i];
    }
    for i in (0..n).rev() {
        b[i] = (b[i] - (i + 1..n).map(|p| a[p * n + i] * b[p]).sum::<f64>()) / a[i * n + i];
    }
    Some(())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scales z back onto |z| ≤ 2, twice the fitted window, where it lies beyond.
fn clamp_to_window(z: &mut [f64]) {
    let norm = z.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 2.0 {
        z.iter_mut().for_each(|v| *v *= 2.0 / norm);
    }
}

/// z^α.
fn monomial(z: &[f64], alpha: &[u32]) -> f64 {
    monomial_derivative(z, alpha, &[])
}

/// The derivative of z^α in the variables listed in `wrt` (each listing differentiates once more):
/// Π_j α_j(α_j − 1)…(α_j − d_j + 1) z_j^{α_j − d_j}, with d_j the times j is listed.
fn monomial_derivative(z: &[f64], alpha: &[u32], wrt: &[usize]) -> f64 {
    let mut value = 1.0;
    for (j, (&power, &zj)) in alpha.iter().zip(z).enumerate() {
        let times = wrt.iter().filter(|&&l| l == j).count() as u32;
        if times > power {
            return 0.0;
        }
        value *= (0..times).map(|d| f64::from(power - d)).product::<f64>();
        value *= zj.powi((power - times) as i32);
    }
    value
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
    fn monomial_derivatives_match_finite_differences() {
        let list = exponents(3, 4);
        let z = [0.3, -0.7, 0.45];
        let h = 1e-5;
        for alpha in &list {
            for l in 0..3 {
                let (mut up, mut down) = (z, z);
                up[l] += h;
                down[l] -= h;
                let numeric = (monomial(&up, alpha) - monomial(&down, alpha)) / (2.0 * h);
                let exact = monomial_derivative(&z, alpha, &[l]);
                assert!((numeric - exact).abs() < 1e-8, "{alpha:?} ∂{l}");
                for b in 0..3 {
                    let numeric = (monomial_derivative(&up, alpha, &[b])
                        - monomial_derivative(&down, alpha, &[b]))
                        / (2.0 * h);
                    let exact = monomial_derivative(&z, alpha, &[l, b]);
                    assert!((numeric - exact).abs() < 1e-8, "{alpha:?} ∂{l}∂{b}");
                }
            }
        }
    }

    #[test]
    fn a_chart_projects_far_queries_onto_its_nearest_point() {
        // A degree-2 chart of the unit circle in R^3 from 15 points within 0.3 rad of (1, 0, 0);
        // queries up to 0.8 from the chart, inside and outside the circle. The answer's distance
        // to q must equal, to 1e-12 relative, the least over 40 001 points of the chart's z-window
        // refined by golden sections: Gauss–Newton alone stops short of that here (its steps
        // shrink only linearly, by about distance × curvature, within its 20 iterations).
        let exponents = exponents(1, 2);
        let neighbourhood = Array2::from_shape_fn((15, 3), |(i, j)| {
            let s = -0.3 + 0.6 * i as f64 / 14.0;
            [s.cos(), s.sin(), 0.0][j]
        });
        let chart = LocalChart::fit(neighbourhood, 1, &exponents).unwrap();
        let (mut point, mut m) = (vec![0.0; 3], vec![0.0; 3]);
        for (radius, angle) in [
            (1.8, 0.2),
            (1.5, -0.25),
            (0.3, 0.1),
            (0.25, -0.2),
            (1.05, 0.28),
        ] {
            let q = ndarray::array![radius * f64::cos(angle), radius * f64::sin(angle), 0.02];
            let mut distance_sq =
                |z: f64| chart.residual(q.view(), &[z], &exponents, &mut point, &mut m);
            let grid = (0..=40_000).map(|i| -2.0 + 4.0 * i as f64 / 40_000.0);
            let best = grid
                .min_by(|&a, &b| distance_sq(a).total_cmp(&distance_sq(b)))
                .unwrap();
            let (mut low, mut high) = (best - 1e-4, best + 1e-4);
            for _ in 0..200 {
                let (a, b) = (high - 0.618 * (high - low), low + 0.618 * (high - low));
                if distance_sq(a) < distance_sq(b) {
                    high = b
                } else {
                    low = a
                }
            }
            let least = distance_sq(0.5 * (low + high)).sqrt();
            let found = chart.project(q.view(), &exponents).unwrap();
            let distance = (&q - &found).mapv(|v| v * v).sum().sqrt();
            assert!(
                (distance - least).abs() <= 1e-12 * least,
                "q at radius {radius}: |q − π̂(q)| = {distance:e}, least {least:e}"
            );
        }
    }

    #[test]
    fn a_kept_chart_answers_as_a_fit_of_the_query_s_own_neighbours() {
        // 300 points on a wavy closed curve in R^3; queries walk around it twice, off the curve,
        // so that most find a neighbour set met before. Each answer equals, bit for bit, the
        // projection onto a chart fitted anew from that query's own K nearest points.
        let n = 300;
        let points = Array2::from_shape_fn((n, 3), |(i, j)| {
            let s = std::f64::consts::TAU * (i as f64 + 0.37 * (i % 7) as f64) / n as f64;
            [s.cos(), s.sin(), 0.1 * (3.0 * s).sin()][j]
        });
        let score = ProjectionScore::new(Arc::new(points), Schedule::VarianceExploding, 2, Some(1))
            .unwrap();
        let queries = 2000;
        for i in 0..queries {
            let s = 2.0 * std::f64::consts::TAU * i as f64 / queries as f64;
            let q = ndarray::array![1.02 * s.cos(), 0.99 * s.sin(), 0.03];
            let kept = score.project(q.view()).unwrap();
            let found = score.index.k_nearest(q.view(), score.neighbours).unwrap();
            let mut rows: Vec<usize> = found.iter().map(|nb| nb.index).collect();
            rows.sort_unstable();
            let own = LocalChart::fit(
                score.index.points().select(Axis(0), &rows),
                1,
                &score.exponents,
            )
            .unwrap()
            .project(q.view(), &score.exponents)
            .unwrap();
            assert_eq!(kept, own, "query {i}");
        }
        let charts = score.charts.charts.read().unwrap().len();
        assert!(
            charts < queries / 2,
            "{charts} charts for {queries} queries"
        );
    }
}
