//! The oracle projection score (SCIENCE.md §4.5) and the hybrid switch between two denoisers (§4.4).

use crate::error::{Result, ScoreError};
use crate::schedule::Schedule;
use crate::score::{Denoiser, Estimate, ScoreModel, check_query};
use mangen_geometry::{GeometryError, Manifold};
use ndarray::{Array1, ArrayView1};
use std::sync::Arc;

/// Undoes the signal scaling: x / a_t, or x itself once x / a_t leaves the floating-point range
/// (a_t < ~1e-300 under VP, where the score no longer depends on the denoiser).
pub(crate) fn unscaled(x: ArrayView1<f64>, a: f64) -> Array1<f64> {
    let q = &x / a;
    if q.iter().all(|v| v.is_finite()) {
        q
    } else {
        x.to_owned()
    }
}

/// D(x, t) = π(x / a_t) with the exact projection π onto M: the ideal coarse score
/// s = −(x − π(x))/t under VE, right geometry and no density at all.
#[derive(Debug, Clone)]
pub struct OracleProjection {
    manifold: Arc<dyn Manifold>,
    schedule: Schedule,
}

impl OracleProjection {
    /// The oracle of `manifold` under `schedule`.
    pub fn new(manifold: Arc<dyn Manifold>, schedule: Schedule) -> Self {
        Self { manifold, schedule }
    }
}

impl ScoreModel for OracleProjection {
    fn name(&self) -> String {
        "oracle".into()
    }

    fn dim(&self) -> usize {
        self.manifold.ambient_dim()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Denoiser for OracleProjection {
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        check_query(x, self.dim(), t)?;
        let (a, _) = self.schedule.coefficients(t)?;
        Ok(Estimate {
            value: self.manifold.project(unscaled(x, a).view())?,
            error_bound: 0.0,
        })
    }
}

/// `above` for t ≥ t1, `below` for t < t1: e.g. empirical or smoothed above and projection below,
/// which keeps the density only at scales ≥ √t1 and the geometry at every scale.
#[derive(Debug)]
pub struct Hybrid<A, B> {
    above: A,
    below: B,
    switch_time: f64,
}

impl<A: Denoiser, B: Denoiser> Hybrid<A, B> {
    /// Switches from `above` to `below` at t1 > 0; both must share dimension and schedule.
    pub fn new(above: A, below: B, switch_time: f64) -> Result<Self> {
        if !(switch_time.is_finite() && switch_time > 0.0) {
            return Err(ScoreError::InvalidParameter {
                name: "t1",
                value: switch_time,
                rule: "the switch time must be finite and > 0",
            });
        }
        if above.dim() != below.dim() {
            return Err(GeometryError::DimensionMismatch {
                expected: above.dim(),
                got: below.dim(),
            }
            .into());
        }
        if above.schedule() != below.schedule() {
            return Err(ScoreError::InvalidParameter {
                name: "schedule",
                value: f64::NAN,
                rule: "both halves of a hybrid must use the same schedule",
            });
        }
        Ok(Self {
            above,
            below,
            switch_time,
        })
    }

    /// The switch time t1.
    pub fn switch_time(&self) -> f64 {
        self.switch_time
    }
}

impl<A: Denoiser, B: Denoiser> ScoreModel for Hybrid<A, B> {
    fn name(&self) -> String {
        format!(
            "hybrid(t1={}, {} above, {} below)",
            self.switch_time,
            self.above.name(),
            self.below.name()
        )
    }

    fn dim(&self) -> usize {
        self.above.dim()
    }

    fn schedule(&self) -> Schedule {
        self.above.schedule()
    }
}

impl<A: Denoiser, B: Denoiser> Denoiser for Hybrid<A, B> {
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        if t >= self.switch_time {
            self.above.denoise_estimate(x, t)
        } else {
            self.below.denoise_estimate(x, t)
        }
    }
}
