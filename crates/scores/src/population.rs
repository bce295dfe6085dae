//! The population score (SCIENCE.md §4.6): the exact denoiser of μ * N(0, σ_t²) itself, the density-estimation ideal.
//!
//! D(x, t) = ∫ y p(y) φ(x − a_t y) dvol(y) / ∫ p(y) φ(x − a_t y) dvol(y), φ the N(0, σ_t² I) kernel.
//! For k = 1 and for manifolds with a chart-based ball rule in k = 2 (spheres) the integral is taken
//! by quadrature over the ball around π(x/a_t) outside which the kernel is below e^{-40} of its peak;
//! elsewhere it is the empirical denoiser of an independent reference sample of μ, which is
//! faithful while √t is well above the sample's spacing M_ref^{-1/k}.

use crate::empirical::{EmpiricalScore, SoftmaxAccumulator};
use crate::error::{Result, ScoreError};
use crate::oracle::unscaled;
use crate::schedule::Schedule;
use crate::score::{Denoiser, Estimate, ScoreModel, check_query};
use mangen_measures::Measure;
use ndarray::{Array1, ArrayView1};
use std::sync::Arc;

/// ln of the kernel ratio below which quadrature nodes are left out.
const KERNEL_LOG_CUTOFF: f64 = 40.0;

/// Largest nodes-per-coordinate of the ball rule, by intrinsic dimension 1 and 2.
const MAX_NODES: [usize; 2] = [4096, 256];

enum Method {
    Quadrature(Arc<dyn Measure>),
    Reference {
        empirical: Box<EmpiricalScore>,
        resolution_time: f64,
    },
}

/// The population denoiser of a measure μ (or, with a bandwidth h, of μ * N(0, h² I)).
pub struct PopulationScore {
    method: Method,
    dim: usize,
    schedule: Schedule,
    bandwidth: f64,
}

impl std::fmt::Debug for PopulationScore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PopulationScore")
            .field("method", &self.method_name())
            .field("dim", &self.dim)
            .finish()
    }
}

impl PopulationScore {
    /// By quadrature along M. Needs k = 1, or k = 2 on a manifold whose ball rule follows a chart
    /// (spheres); other manifolds are refused with a pointer to [`PopulationScore::reference`].
    pub fn quadrature(measure: Arc<dyn Measure>, schedule: Schedule) -> Result<Self> {
        let manifold = measure.manifold();
        let k = manifold.intrinsic_dim();
        let chart_rule = k <= 2 && {
            let (centre, radius) = manifold.bounding_ball();
            let on_manifold = manifold.project(centre.view()).or_else(|_| {
                let mut off = centre.clone();
                off[0] += radius;
                manifold.project(off.view())
            })?;
            let nodes = 8;
            manifold
                .ball_quadrature(on_manifold.view(), 1e-3 * radius, nodes)
                .is_ok_and(|rule| rule.len() >= nodes)
        };
        if !chart_rule {
            return Err(ScoreError::InvalidParameter {
                name: "population",
                value: k as f64,
                rule: "quadrature needs k = 1 or a sphere S^2; use the reference-sample population score",
            });
        }
        Ok(Self {
            dim: manifold.ambient_dim(),
            method: Method::Quadrature(measure),
            schedule,
            bandwidth: 0.0,
        })
    }

    /// The empirical denoiser of `reference` (an independent sample of μ of size M_ref ≫ N) for
    /// a manifold of intrinsic dimension k: faithful for t well above
    /// [`PopulationScore::resolution_time`] = M_ref^{-2/k}.
    pub fn reference(
        reference: Arc<ndarray::Array2<f64>>,
        intrinsic_dim: usize,
        schedule: Schedule,
    ) -> Result<Self> {
        let size = reference.nrows() as f64;
        let empirical = Box::new(EmpiricalScore::new(reference, schedule)?);
        Ok(Self {
            dim: empirical.dim(),
            method: Method::Reference {
                empirical,
                resolution_time: size.powf(-2.0 / intrinsic_dim.max(1) as f64),
            },
            schedule,
            bandwidth: 0.0,
        })
    }

    /// The score of μ * N(0, h² I), h ≥ 0: the population twin of the smoothed empirical score
    /// with the same h ([`crate::EmpiricalScore::with_bandwidth`]), whose data law is
    /// μ_N * N(0, h² I). The kernel variance becomes σ_t² + a_t² h², as there. The
    /// reference-sample version takes it from its empirical score.
    pub fn with_bandwidth(mut self, h: f64) -> Result<Self> {
        crate::empirical::check_bandwidth(h)?;
        self.method = match self.method {
            Method::Reference {
                empirical,
                resolution_time,
            } => Method::Reference {
                empirical: Box::new(empirical.with_bandwidth(h)?),
                resolution_time,
            },
            quadrature => quadrature,
        };
        self.bandwidth = h;
        Ok(self)
    }

    /// The time below which the reference-sample version memorizes its sample (0 for quadrature).
    pub fn resolution_time(&self) -> f64 {
        match &self.method {
            Method::Quadrature(_) => 0.0,
            Method::Reference {
                resolution_time, ..
            } => *resolution_time,
        }
    }

    fn method_name(&self) -> &'static str {
        match self.method {
            Method::Quadrature(_) => "quadrature",
            Method::Reference { .. } => "reference sample",
        }
    }
}

/// The kernel-weighted mean of y over a ball rule with `nodes` per coordinate.
fn weighted_mean(
    measure: &dyn Measure,
    q: ArrayView1<f64>,
    var: f64,
    centre: ArrayView1<f64>,
    radius: f64,
    nodes: usize,
) -> Result<Array1<f64>> {
    let rule = measure.manifold().ball_quadrature(centre, radius, nodes)?;
    let mut average = SoftmaxAccumulator::new(q.len(), var);
    let nodes = rule.nodes.as_standard_layout();
    for (node, &weight) in nodes.outer_iter().zip(&rule.weights) {
        let mass = weight * measure.density(node)?;
        if mass > 0.0 {
            let distance_sq = (&q - &node).mapv(|v| v * v).sum();
            average.add(
                distance_sq - 2.0 * var * mass.ln(),
                node.as_slice().expect("standard layout"),
            );
        }
    }
    Ok(average.finish())
}

impl ScoreModel for PopulationScore {
    fn name(&self) -> String {
        if self.bandwidth > 0.0 {
            format!("population(h={})", self.bandwidth)
        } else {
            "population".into()
        }
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Denoiser for PopulationScore {
    /// The quadrature version's error_bound is an estimate, not a proof: the distance to the same
    /// integral with half the nodes.
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        let measure = match &self.method {
            Method::Reference { empirical, .. } => return empirical.denoise_estimate(x, t),
            Method::Quadrature(measure) => measure,
        };
        check_query(x, self.dim, t)?;
        let (a, noise_var) = self.schedule.coefficients(t)?;
        let q = unscaled(x, a);
        let h2 = self.bandwidth * self.bandwidth;
        let var = noise_var / (a * a) + h2;
        let manifold = measure.manifold();
        let foot = manifold.project(q.view())?;
        let off = (&q - &foot).mapv(|v| v * v).sum().sqrt();
        let (_, bounding_radius) = manifold.bounding_ball();
        let sigma = var.sqrt();
        let radius =
            (off + (off * off + 2.0 * var * KERNEL_LOG_CUTOFF).sqrt()).min(2.0 * bounding_radius);
        let cap = MAX_NODES[manifold.intrinsic_dim().clamp(1, 2) - 1];
        let nodes = ((8.0 * radius / sigma).ceil() as usize + 16).clamp(32, cap);
        let fine = weighted_mean(measure.as_ref(), q.view(), var, foot.view(), radius, nodes)?;
        let coarse = weighted_mean(
            measure.as_ref(),
            q.view(),
            var,
            foot.view(),
            radius,
            nodes / 2,
        )?;
        let error_bound = (&fine - &coarse).mapv(|v| v * v).sum().sqrt();
        if h2 == 0.0 {
            return Ok(Estimate {
                error_bound,
                value: fine,
            });
        }
        // E[Y | x] for Y = Y0 + hZ': the kernel mean of Y0 plus the share h²/v of what is left,
        // as in the smoothed empirical denoiser (v = σ_t²/a_t² + h² here, in unscaled units).
        let value = (&fine * (var - h2) + &q * h2) / var;
        Ok(Estimate {
            error_bound: error_bound * (var - h2) / var,
            value,
        })
    }
}
