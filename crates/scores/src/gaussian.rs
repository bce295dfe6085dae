//! The Gaussian closed form (SCIENCE.md §4.7): the exact denoiser of μ = N(m, Σ), a test oracle.

use crate::error::{Result, ScoreError};
use crate::schedule::Schedule;
use crate::score::{Denoiser, Estimate, ScoreModel, check_query};
use mangen_geometry::GeometryError;
use ndarray::{Array1, Array2, ArrayView1};
use ndarray_linalg::{Eigh, UPLO};

/// The exact denoiser of X_0 ~ N(m, Σ):
/// D(x, t) = m + a_t Σ (a_t² Σ + σ_t² I)^{-1} (x − a_t m), which is m + Σ(Σ + tI)^{-1}(x − m) for VE.
/// Evaluated in the eigenbasis of Σ, so it stays finite for singular Σ and every t > 0.
#[derive(Debug, Clone)]
pub struct GaussianScore {
    mean: Array1<f64>,
    eigenvalues: Array1<f64>,
    eigenvectors: Array2<f64>,
    schedule: Schedule,
}

impl GaussianScore {
    /// N(mean, covariance): the covariance must be a symmetric positive semi-definite D × D matrix.
    pub fn new(mean: Array1<f64>, covariance: Array2<f64>, schedule: Schedule) -> Result<Self> {
        let dim = mean.len();
        if covariance.dim() != (dim, dim) {
            return Err(GeometryError::DimensionMismatch {
                expected: dim,
                got: covariance.nrows().max(covariance.ncols()),
            }
            .into());
        }
        mangen_geometry::check_point(mean.view(), dim)?;
        let scale = covariance.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        for ((i, j), &value) in covariance.indexed_iter() {
            if !value.is_finite() || (value - covariance[[j, i]]).abs() > 1e-12 * scale {
                return Err(ScoreError::InvalidParameter {
                    name: "covariance",
                    value,
                    rule: "must be finite and symmetric",
                });
            }
        }
        let (eigenvalues, eigenvectors) = covariance
            .eigh(UPLO::Lower)
            .map_err(|err| ScoreError::Linalg(err.to_string()))?;
        if let Some(&lowest) = eigenvalues.iter().find(|&&l| l < -1e-12 * scale) {
            return Err(ScoreError::InvalidParameter {
                name: "covariance",
                value: lowest,
                rule: "must be positive semi-definite (this eigenvalue is negative)",
            });
        }
        Ok(Self {
            mean,
            eigenvalues: eigenvalues.mapv(|l| l.max(0.0)),
            eigenvectors,
            schedule,
        })
    }

    /// U diag(f(a_t, λ_j, σ_t²)) Uᵀ (x − a_t m), with Σ = U diag(λ) Uᵀ.
    fn eigen_map(
        &self,
        x: ArrayView1<f64>,
        t: f64,
        f: impl Fn(f64, f64, f64) -> f64,
    ) -> Result<Array1<f64>> {
        check_query(x, self.dim(), t)?;
        let (a, var) = self.schedule.coefficients(t)?;
        let offset = &x - &(&self.mean * a);
        let mut coordinates = self.eigenvectors.t().dot(&offset);
        for (c, &lambda) in coordinates.iter_mut().zip(&self.eigenvalues) {
            *c *= f(a, lambda, var);
        }
        Ok(self.eigenvectors.dot(&coordinates))
    }

    /// The mean m.
    pub fn mean(&self) -> ArrayView1<'_, f64> {
        self.mean.view()
    }
}

impl ScoreModel for GaussianScore {
    fn name(&self) -> String {
        "gaussian".into()
    }

    fn dim(&self) -> usize {
        self.mean.len()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}

impl Denoiser for GaussianScore {
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        let value = &self.mean
            + &self.eigen_map(x, t, |a, lambda, var| a * lambda / (a * a * lambda + var))?;
        Ok(Estimate {
            value,
            error_bound: 0.0,
        })
    }

    /// s(x, t) = −(a_t² Σ + σ_t² I)^{-1} (x − a_t m), free of the cancellation in Tweedie's form.
    fn denoiser_score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        self.eigen_map(x, t, |a, lambda, var| -1.0 / (a * a * lambda + var))
    }
}
