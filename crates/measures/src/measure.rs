//! The `Measure` trait: a probability law μ on a manifold, with its density, samples and ball masses.

use crate::error::{MeasureError, Result};
use mangen_geometry::{Manifold, check_point};
use ndarray::{Array2, ArrayView1};
use rand::Rng;

/// Nodes per unit of each coordinate of the ball quadrature rules used by the provided [`Measure::ball_mass`].
pub const BALL_RULE_NODES: usize = 32;

/// A probability law μ on a manifold M, absolutely continuous with respect to the volume of M.
pub trait Measure: Send + Sync + std::fmt::Debug {
    /// The manifold μ lives on.
    fn manifold(&self) -> &dyn Manifold;

    /// A short name with the parameters.
    fn name(&self) -> String;

    /// `n` independent samples of μ, one row per point of R^D.
    fn sample(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64>;

    /// The normalized density p = dμ/dvol_M at a point x of M (∫_M p dvol = 1).
    fn density(&self, x: ArrayView1<f64>) -> Result<f64>;

    /// μ(B(y, r) ∩ M) for y on M (Euclidean ball of R^D). The provided method integrates the density
    /// with the manifold's ball quadrature rule ([`Manifold::ball_quadrature`], [`BALL_RULE_NODES`] nodes
    /// per coordinate); its accuracy is that rule's.
    fn ball_mass(&self, y: ArrayView1<f64>, r: f64) -> Result<f64> {
        ball_mass_by_quadrature(self, y, r)
    }

    /// The law read along the line through its distribution function, for a law on
    /// [`mangen_geometry::Line`] that has one (exact one-dimensional transport); `None` otherwise.
    fn as_line_law(&self) -> Option<&dyn crate::mixture::LineLaw> {
        None
    }
}

/// Σ w_i p(x_i) over the manifold's ball rule for B(y, r) ∩ M, capped at 1.
pub fn ball_mass_by_quadrature<M: Measure + ?Sized>(
    measure: &M,
    y: ArrayView1<f64>,
    r: f64,
) -> Result<f64> {
    check_radius(r)?;
    let rule = measure.manifold().ball_quadrature(y, r, BALL_RULE_NODES)?;
    let mut mass = 0.0;
    for (x, w) in rule.nodes.outer_iter().zip(rule.weights.iter()) {
        mass += w * measure.density(x)?;
    }
    Ok(mass.min(1.0))
}

/// Checks that a ball radius is finite and ≥ 0.
pub fn check_radius(r: f64) -> Result<()> {
    if r.is_finite() && r >= 0.0 {
        Ok(())
    } else {
        Err(MeasureError::InvalidParameter {
            name: "r",
            value: r,
            rule: "a ball radius must be finite and ≥ 0",
        })
    }
}

/// Checks that `x` is a finite point of the manifold's ambient space.
pub fn check_ambient_point(m: &dyn Manifold, x: ArrayView1<f64>) -> Result<()> {
    Ok(check_point(x, m.ambient_dim())?)
}
