//! The `Denoiser` and `Score` traits: evaluate at (x, t) for one point or a batch.

use crate::error::Result;
use crate::schedule::Schedule;
use mangen_geometry::check_point;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use std::sync::Arc;

/// A denoiser value with a bound on its distance from the exact value of the denoiser's own
/// definition (0 for denoisers computed exactly; the certified truncation error of the truncated
/// empirical denoiser).
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// D(x, t).
    pub value: Array1<f64>,
    /// A bound on |value − D_exact(x, t)| in the Euclidean norm.
    pub error_bound: f64,
}

/// What every score and denoiser says of itself.
pub trait ScoreModel: Send + Sync {
    /// A short label for reports, e.g. `empirical` or `projection(m=2)`.
    fn name(&self) -> String;

    /// Ambient dimension D of the points it takes.
    fn dim(&self) -> usize;

    /// The forward process it is defined for (samplers follow its reverse).
    fn schedule(&self) -> Schedule;
}

/// A denoiser D(x, t) ≈ E[X_0 | X_t = x] under a forward [`Schedule`] (SCIENCE.md §3).
///
/// Every built-in score is a denoiser; the schedule turns it into a score through Tweedie's
/// formula, which the blanket `impl Score for D: Denoiser` does.
pub trait Denoiser: ScoreModel {
    /// D(x, t) with an error bound. Implementations that approximate their own definition must
    /// return a bound that holds; exact ones return 0.
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate>;

    /// s(x, t) = (a_t D(x, t) − x) / σ_t² (Tweedie). Denoisers whose score has a form without the
    /// cancellation of a_t D − x at small t (smooth densities) override it.
    fn denoiser_score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        let denoised = self.denoise(x, t)?;
        self.schedule().score_from_denoiser(x, denoised.view(), t)
    }

    /// D(x, t).
    fn denoise(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        Ok(self.denoise_estimate(x, t)?.value)
    }

    /// D(x_j, t) for each row x_j of `xs`, one row per point.
    fn denoise_batch(&self, xs: ArrayView2<f64>, t: f64) -> Result<Array2<f64>> {
        map_rows(xs, self.dim(), |x| self.denoise(x, t))
    }
}

/// A score s(x, t) ≈ ∇ log p_t(x), which is what samplers consume.
///
/// Implement it directly for a score that is not a denoiser (a trained network, say); every
/// [`Denoiser`] is a score through its schedule.
pub trait Score: ScoreModel {
    /// s(x, t).
    fn score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>>;

    /// s(x_j, t) for each row x_j of `xs`.
    fn score_batch(&self, xs: ArrayView2<f64>, t: f64) -> Result<Array2<f64>> {
        map_rows(xs, self.dim(), |x| self.score(x, t))
    }
}

impl<D: Denoiser + ?Sized> Score for D {
    fn score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        self.denoiser_score(x, t)
    }
}

/// A shared denoiser is the denoiser it shares, every method forwarded (so overrides such as a
/// closed-form score are kept): one fitted estimate can serve a hybrid score and a metric at once.
impl<D: ScoreModel + ?Sized> ScoreModel for Arc<D> {
    fn name(&self) -> String {
        (**self).name()
    }

    fn dim(&self) -> usize {
        (**self).dim()
    }

    fn schedule(&self) -> Schedule {
        (**self).schedule()
    }
}

impl<D: Denoiser + ?Sized> Denoiser for Arc<D> {
    fn denoise_estimate(&self, x: ArrayView1<f64>, t: f64) -> Result<Estimate> {
        (**self).denoise_estimate(x, t)
    }

    fn denoiser_score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        (**self).denoiser_score(x, t)
    }

    fn denoise(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        (**self).denoise(x, t)
    }

    fn denoise_batch(&self, xs: ArrayView2<f64>, t: f64) -> Result<Array2<f64>> {
        (**self).denoise_batch(xs, t)
    }
}

/// Applies `f` to every row of `xs` after checking its width, collecting one output row each.
pub fn map_rows(
    xs: ArrayView2<f64>,
    dim: usize,
    mut f: impl FnMut(ArrayView1<f64>) -> Result<Array1<f64>>,
) -> Result<Array2<f64>> {
    if xs.ncols() != dim {
        return Err(mangen_geometry::GeometryError::DimensionMismatch {
            expected: dim,
            got: xs.ncols(),
        }
        .into());
    }
    let mut out = Array2::zeros(xs.raw_dim());
    for (x, mut row) in xs.outer_iter().zip(out.outer_iter_mut()) {
        row.assign(&f(x)?);
    }
    Ok(out)
}

/// Checks a query point against the denoiser's dimension and a time against the safe range.
pub fn check_query(x: ArrayView1<f64>, dim: usize, t: f64) -> Result<()> {
    check_point(x, dim)?;
    crate::error::check_time(t)
}
