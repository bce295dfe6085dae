//! The start distribution at T: the forward marginal, isotropic or with a full covariance.

use crate::error::{Result, SamplerError, invalid};
use mangen_scores::Schedule;
use ndarray::{Array1, Array2};
use ndarray_linalg::{Eigh, UPLO};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// A Gaussian N(mean, C) to draw the state at T from.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    mean: Array1<f64>,
    /// A square root L of C (C = L Lᵀ).
    root: Array2<f64>,
}

impl Start {
    /// N(mean, variance · I).
    pub fn isotropic(mean: Array1<f64>, variance: f64) -> Result<Self> {
        if !(variance.is_finite() && variance >= 0.0) {
            return Err(invalid(
                "variance",
                variance,
                "the start variance must be finite and ≥ 0",
            ));
        }
        check_mean(&mean)?;
        let root = Array2::eye(mean.len()) * variance.sqrt();
        Ok(Self { mean, root })
    }

    /// N(mean, covariance) for a symmetric positive semi-definite covariance.
    pub fn gaussian(mean: Array1<f64>, covariance: Array2<f64>) -> Result<Self> {
        check_mean(&mean)?;
        if covariance.dim() != (mean.len(), mean.len()) {
            return Err(SamplerError::DimensionMismatch {
                start: covariance.nrows(),
                score: mean.len(),
            });
        }
        if covariance.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "covariance",
                f64::NAN,
                "the start covariance must be finite",
            ));
        }
        let (values, vectors) = covariance
            .eigh(UPLO::Lower)
            .map_err(|_| invalid("covariance", f64::NAN, "the eigendecomposition failed"))?;
        let scale = values.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        if let Some(&low) = values.iter().find(|&&v| v < -1e-12 * scale) {
            return Err(invalid("covariance", low, "must be positive semi-definite"));
        }
        let root = &vectors * &values.mapv(|v| v.max(0.0).sqrt());
        Ok(Self { mean, root })
    }

    /// The forward marginal at T of data with the given mean and isotropic variance per
    /// coordinate: N(a_T mean, (a_T² variance + σ_T²) I) (for VE, N(mean, (T + variance) I)).
    pub fn forward_marginal(
        schedule: Schedule,
        t_max: f64,
        mean: Array1<f64>,
        variance: f64,
    ) -> Result<Self> {
        let (a, var) = schedule
            .coefficients(t_max)
            .map_err(|_| invalid("T", t_max, "the start time must be finite and > 0"))?;
        Self::isotropic(mean * a, a * a * variance + var)
    }

    /// Dimension D.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// One draw, using D standard normals from `rng`.
    pub fn draw(&self, rng: &mut dyn Rng) -> Array1<f64> {
        let z: Array1<f64> = (0..self.dim())
            .map(|_| StandardNormal.sample(rng))
            .collect();
        &self.mean + &self.root.dot(&z)
    }
}

fn check_mean(mean: &Array1<f64>) -> Result<()> {
    match mean.iter().find(|v| !v.is_finite()) {
        Some(&v) => Err(invalid("mean", v, "the start mean must be finite")),
        None if mean.is_empty() => Err(invalid(
            "mean",
            0.0,
            "the start mean needs at least one coordinate",
        )),
        None => Ok(()),
    }
}
