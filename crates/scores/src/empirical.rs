//! The empirical score (the memorizer) and its smoothed version, dense or with certified neighbour truncation.
//!
//! SCIENCE.md §4.1–4.2. For training points x_1..x_N and X_t = a_t X_0 + σ_t Z, the empirical
//! denoiser is the softmax average D_N(x, t) = Σ_i w_i x_i, w_i ∝ exp(−|x − a_t x_i|² / (2σ_t²)).
//! The smoothed score is the exact score of the kernel density estimate μ_N * N(0, h² I): its
//! noised law is the empirical one at variance v = σ_t² + a_t² h², which gives
//! D_h(x, t) = (σ_t² m_v(x) + a_t h² x) / v with m_v the softmax average at variance v.
//!
//! Truncation: with d0² the smallest |x − a_t x_i|², every point with
//! |x − a_t x_i|² > d0² + 2v ln(N/ε) has weight below ε/N of the nearest one, so dropping them moves
//! the softmax average by at most ε·(n_dropped/N)·max_i |x_i − m_K| ≤ ε·(n_dropped/N)·(|m_K − c| + R),
//! with c the training mean and R the spread. That bound is returned with every value. Where the
//! training set lies on its span, the kept points are summed in span coordinates, and the bound
//! also carries what measuring distances in the span can move the average (see `span_average`).

use crate::error::{Result, ScoreError};
use crate::gauss_tree::GaussTree;
use crate::neighbours::{KdTree, NeighbourIndex, SearchPath, SpanSplit, squared_distance};
use crate::schedule::Schedule;
use crate::score::{Denoiser, Estimate, ScoreModel, check_query};
use ndarray::{Array1, Array2, ArrayView1};
use std::sync::Arc;

/// The truncated score scans every point once its ball likely holds more than this fraction of them.
const DENSE_ABOVE_FRACTION: f64 = 0.25;

/// How the softmax average over the training set is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Truncation {
    /// Every training point, in one log-sum-exp pass: the oracle.
    Dense,
    /// Only the points the kd-tree finds within the certified radius; dropped weight ≤ ε.
    Certified {
        /// Tolerance ε ∈ (0, 1).
        eps: f64,
    },
}

impl Truncation {
    /// The default certified tolerance, far below any statistical error of the experiments.
    pub const DEFAULT_EPS: f64 = 1e-10;

    fn validate(self) -> Result<Self> {
        match self {
            Truncation::Certified { eps } if !(eps > 0.0 && eps < 1.0) => {
                Err(ScoreError::InvalidParameter {
                    name: "eps",
                    value: eps,
                    rule: "the truncation tolerance must lie in (0, 1)",
                })
            }
            other => Ok(other),
        }
    }
}

impl Default for Truncation {
    fn default() -> Self {
        Truncation::Certified {
            eps: Self::DEFAULT_EPS,
        }
    }
}

/// The empirical denoiser D_N of a training set, optionally smoothed by a Gaussian kernel of width h.
#[derive(Debug)]
pub struct EmpiricalScore {
    index: Arc<KdTree>,
    /// Certified Gauss sums over the span coordinates, where a span tree runs.
    sums: Option<GaussTree>,
    schedule: Schedule,
    truncation: Truncation,
    bandwidth: f64,
    mean: Array1<f64>,
}

impl EmpiricalScore {
    /// The memorizer of `points` (N ≥ 1 finite rows) under `schedule`, truncated with the default ε.
    pub fn new(points: Arc<Array2<f64>>, schedule: Schedule) -> Result<Self> {
        Self::from_index(Arc::new(KdTree::new(points)?), schedule)
    }

    /// The memorizer over a neighbour index already built over the training set, which other
    /// scores and metrics of the same training set may share.
    pub fn from_index(index: Arc<KdTree>, schedule: Schedule) -> Result<Self> {
        let mean = index.centre().to_owned();
        let sums = match index.path() {
            SearchPath::KdTree { span_dim } => {
                let (_, coordinates) = index.span();
                coordinates
                    .as_slice()
                    .map(|rows| GaussTree::new(rows, span_dim))
            }
            // Off the leading coordinates the residuals are of the data's own size: no certified span sums.
            SearchPath::LeadingKdTree { .. } | SearchPath::BruteForce { .. } => None,
        };
        Ok(Self {
            index,
            sums,
            schedule,
            truncation: Truncation::default(),
            bandwidth: 0.0,
            mean,
        })
    }

    /// The same score computed with `truncation` (ε must lie in (0, 1)).
    pub fn with_truncation(mut self, truncation: Truncation) -> Result<Self> {
        self.truncation = truncation.validate()?;
        Ok(self)
    }

    /// The smoothed score of the kernel density estimate with bandwidth h ≥ 0 (h = 0 is the memorizer).
    pub fn with_bandwidth(mut self, h: f64) -> Result<Self> {
        check_bandwidth(h)?;
        self.bandwidth = h;
        Ok(self)
    }

    /// The neighbour index over the training set (its path says whether a kd-tree runs).
    pub fn index(&self) -> &KdTree {
        &self.index
    }

    /// The smoothing bandwidth h (0 for the memorizer).
    pub fn bandwidth(&self) -> f64 {
        self.bandwidth
    }

    /// The truncation in use.
    pub fn truncation(&self) -> Truncation {
        self.truncation
    }

    /// The softmax average m_v(x) of the noised kernel at variance v = σ_t² + a_t² h², with a_t,
    /// σ_t² and v.
    fn kernel_average(&self, x: ArrayView1<f64>, t: f64) -> Result<(Estimate, f64, f64, f64)> {
        check_query(x, self.dim(), t)?;
        let (a, noise_var) = self.schedule.coefficients(t)?;
        let var = noise_var + a * a * self.bandwidth * self.bandwidth;
        // Below this, every weight equals the others to double precision (a_t ≈ 0 at large VP t).
        let spread = self.index.spread();
        let from_centre = (&x - &(&self.mean * a)).mapv(|v| v * v).sum().sqrt();
        let exponent_range = 2.0 * a * spread * (from_centre + a * spread) / var;
        let average = if exponent_range < 1e-17 {
            Estimate {
                value: self.mean.clone(),
                error_bound: 0.0,
            }
        } else {
            let q = &x / a;
            self.softmax_average(q.view(), var / (a * a))?
        };
        Ok((average, a, noise_var, var))
    }

    /// The softmax average m = Σ w_i x_i, w_i ∝ exp(−|q − x_i|²/(2 var)), with its error bound.
    fn softmax_average(&self, q: ArrayView1<f64>, var: f64) -> Result<Estimate> {
        let Truncation::Certified { eps } = self.truncation else {
            return Ok(self.dense_average(q, var));
        };
        let split = self.index.split(q);
        if let Some(estimate) = self.span_average(&split, var, eps) {
            return Ok(estimate);
        }
        let n = self.index.len();
        let spread = self.index.spread();
        // Any upper bound u on the squared distance to the nearest point certifies the ball: a
        // point beyond r² = u + 2 var ln(N/ε) weighs at most ε/N of the nearest.
        let nearest_sq = match self.index.nearest_bound_sq(q, &split) {
            Some(bound) => bound,
            None => self.index.k_nearest(q, 1)?[0].distance_sq,
        };
        let radius_sq = nearest_sq + 2.0 * var * (n as f64 / eps).ln();
        let from_centre = squared_distance(
            q.as_slice().expect("contiguous query"),
            self.index.centre().as_slice().expect("owned centre"),
        )
        .sqrt();
        // A ball that holds every point, or (by the volume ratio (r/R)^m in the m span
        // dimensions) likely more than a quarter of them, is cheaper to scan than to search.
        let radius = radius_sq.sqrt();
        let span_dim = match self.index.path() {
            SearchPath::KdTree { span_dim }
            | SearchPath::LeadingKdTree { span_dim }
            | SearchPath::BruteForce { span_dim } => span_dim,
        };
        let likely_kept = (radius / spread).powi(span_dim as i32);
        if radius >= from_centre + spread || likely_kept > DENSE_ABOVE_FRACTION {
            return Ok(self.dense_average(q, var));
        }
        let (value, kept) = self.ambient_average(q, radius, var)?;
        let dropped = n.saturating_sub(kept) as f64 / n as f64;
        let off_centre = squared_distance(
            value.as_slice().expect("owned"),
            self.index.centre().as_slice().expect("owned"),
        )
        .sqrt();
        Ok(Estimate {
            value,
            error_bound: eps * dropped * (off_centre + spread),
        })
    }

    /// The softmax average by the Gauss tree over the span coordinates, when the training set
    /// lies on its span closely enough. With r_q the query's and ρ the largest training residual
    /// off the span, the squared distances measured in the span are off by at most
    /// δ = 2|r_q|ρ + ρ², each weight by e^{±δ/(2 var)}, and the average by
    /// ρ + (e^{δ/var} − 1)·R: that distortion is added to the tree's bound. `None` when no tree
    /// runs or the distortion would exceed ε·R.
    fn span_average(&self, split: &SpanSplit, var: f64, eps: f64) -> Option<Estimate> {
        let sums = self.sums.as_ref()?;
        let residual = self.index.residual_max();
        let spread = self.index.spread();
        let delta = 2.0 * split.perpendicular * residual + residual * residual;
        let distortion = residual + (delta / var).exp_m1() * spread;
        if distortion.is_nan() || distortion > eps * spread {
            return None;
        }
        let (_, nearest_sq) = self.index.span_nearest(split)?;
        let (basis, coordinates) = self.index.span();
        let sum = sums.average(
            coordinates.as_slice()?,
            &split.coordinates,
            nearest_sq,
            var,
            eps,
        );
        let value = &self.index.centre() + &basis.dot(&Array1::from(sum.average));
        Some(Estimate {
            value,
            error_bound: sum.error_bound + distortion,
        })
    }

    /// The softmax average over the points of B(q, radius) in ambient coordinates, and the
    /// number of points summed.
    fn ambient_average(
        &self,
        q: ArrayView1<f64>,
        radius: f64,
        var: f64,
    ) -> Result<(Array1<f64>, usize)> {
        let kept = self.index.within_unsorted(q, radius)?;
        let dim = self.dim();
        let data = self.index.points().as_slice().expect("standard layout");
        let mut average = SoftmaxAccumulator::new(dim, var);
        for neighbour in &kept {
            let start = neighbour.index * dim;
            average.add(neighbour.distance_sq, &data[start..start + dim]);
        }
        Ok((average.finish(), kept.len()))
    }

    fn dense_average(&self, q: ArrayView1<f64>, var: f64) -> Estimate {
        let q = q.as_slice().expect("contiguous query");
        let dim = self.dim();
        let data = self.index.points().as_slice().expect("standard layout");
        let mut average = SoftmaxAccumulator::new(dim, var);
        for x in data.chunks_exact(dim) {
            average.add(squared_distance(q, x), x);
        }
        Estimate {
            value: average.finish(),
            error_bound: 0.0,
        }
    }
}

/// One-pass log-sum-exp: Σ exp(−(e_i − e_min)/(2 var)) x_i over exponents e_i (squared distances,
/// possibly shifted by log-weights), rescaled whenever a smaller exponent arrives. Terms below
/// e^{-700} of the largest are skipped: they change no digit of the sum and would be subnormal.
pub(crate) struct SoftmaxAccumulator {
    var: f64,
    min_sq: f64,
    total: f64,
    sum: Vec<f64>,
}

/// ln of the smallest relative weight that is added.
const SMALLEST_LOG_WEIGHT: f64 = -700.0;

impl SoftmaxAccumulator {
    pub(crate) fn new(dim: usize, var: f64) -> Self {
        Self {
            var,
            min_sq: f64::INFINITY,
            total: 0.0,
            sum: vec![0.0; dim],
        }
    }

    pub(crate) fn add(&mut self, distance_sq: f64, x: &[f64]) {
        if distance_sq < self.min_sq {
            let log_rescale = -(self.min_sq - distance_sq) / (2.0 * self.var);
            let rescale = if log_rescale > SMALLEST_LOG_WEIGHT {
                log_rescale.exp()
            } else {
                0.0
            };
            self.total *= rescale;
            self.sum.iter_mut().for_each(|s| *s *= rescale);
            self.min_sq = distance_sq;
        }
        let log_weight = -(distance_sq - self.min_sq) / (2.0 * self.var);
        if log_weight < SMALLEST_LOG_WEIGHT {
            return;
        }
        let weight = log_weight.exp();
        self.total += weight;
        for (s, &v) in self.sum.iter_mut().zip(x) {
            *s += weight * v;
        }
    }

    /// The weighted average (the term with the smallest exponent has weight 1, so total ≥ 1).
    pub(crate) fn finish(self) -> Array1<f64> {
        Array1::from(self.sum) / self.total
    }
}

/// Checks a smoothing bandwidth h: finite and ≥ 0.
pub(crate) fn check_bandwidth(h: f64) -> Result<()> {
    if h.is_finite() && h >= 0.0 {
        Ok(())
    } else {
        Err(ScoreError::InvalidParameter {
            name: "h",
            value: h,
            rule: "the smoothing bandwidth must be finite and ≥ 0",
        })
    }
}

impl ScoreModel for EmpiricalScore {
    fn name(&self) -> String {
        if self.bandwidth > 0.0 {
            format!("smoothed(h={})", self.bandwidth)
        } else {
            "empirical".into()
        }
    }

    fn dim(&self) -> usize {
        self.index.dim()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Denoiser for EmpiricalScore {
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        let (average, a, noise_var, var) = self.kernel_average(x, t)?;
        let h2 = self.bandwidth * self.bandwidth;
        if h2 == 0.0 {
            return Ok(average);
        }
        let value = (average.value * noise_var + &x * (a * h2)) / var;
        Ok(Estimate {
            value,
            error_bound: average.error_bound * noise_var / var,
        })
    }

    /// s(x, t) = (a_t m_v(x) − x) / v with v = σ_t² + a_t² h²: the same value as Tweedie's form,
    /// without its cancellation at small t when h > 0.
    fn denoiser_score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        let (average, a, _, var) = self.kernel_average(x, t)?;
        Ok((average.value * a - x) / var)
    }
}
