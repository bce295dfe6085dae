//! The `Manifold` trait: a compact k-dimensional submanifold M of R^D with its exact geometry.

use crate::error::{GeometryError, Result, check_point};
use crate::quadrature::Quadrature;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng;

/// A compact k-dimensional submanifold M ⊂ R^D (SCIENCE.md §1).
///
/// Implement the required methods for a new manifold; the provided ones (distance, batch
/// projection, ball rules) follow from them. Every method that takes a point checks its
/// length and finiteness and returns a [`GeometryError`] rather than panicking.
pub trait Manifold: Send + Sync + std::fmt::Debug {
    /// A short human-readable name, e.g. `sphere(k=2, r=1)`.
    fn name(&self) -> String;

    /// Intrinsic dimension k.
    fn intrinsic_dim(&self) -> usize;

    /// Ambient dimension D.
    fn ambient_dim(&self) -> usize;

    /// The nearest-point projection π(x) onto M. Unique within the reach; elsewhere one of the
    /// nearest points (a deterministic choice on the medial axis).
    fn project(&self, x: ArrayView1<f64>) -> Result<Array1<f64>>;

    /// Uniform samples from the normalized volume measure on M, one row per point.
    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64>;

    /// An orthonormal basis of the tangent space at π(x), one row per basis vector (k × D).
    fn tangent_basis(&self, x: ArrayView1<f64>) -> Result<Array2<f64>>;

    /// The k-dimensional volume of M.
    fn volume(&self) -> f64;

    /// A ball (centre, radius) that contains M.
    fn bounding_ball(&self) -> (Array1<f64>, f64);

    /// The reach τ of M, where known (exactly or by a stated numerical method).
    fn reach(&self) -> Option<f64> {
        None
    }

    /// Euclidean distance d(x, M) = |x − π(x)|.
    fn distance_to(&self, x: ArrayView1<f64>) -> Result<f64> {
        let p = self.project(x)?;
        Ok(euclidean(x, p.view()))
    }

    /// Projects every row of `xs`.
    fn project_rows(&self, xs: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((xs.nrows(), self.ambient_dim()));
        for (i, x) in xs.outer_iter().enumerate() {
            out.row_mut(i).assign(&self.project(x)?);
        }
        Ok(out)
    }

    /// Geodesic (intrinsic) distance between π(a) and π(b).
    fn geodesic_distance(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Result<f64> {
        check_point(a, self.ambient_dim())?;
        check_point(b, self.ambient_dim())?;
        Err(GeometryError::Unsupported {
            what: "geodesic distance",
            manifold: self.name(),
        })
    }

    /// A quadrature rule over all of M with about `n` nodes per unit interval of each angle-like
    /// coordinate; its weights sum to the volume up to the rule's error.
    fn quadrature(&self, n: usize) -> Result<Quadrature> {
        let _ = n;
        Err(GeometryError::Unsupported {
            what: "a quadrature rule",
            manifold: self.name(),
        })
    }

    /// vol_M(B(y, r) ∩ M) for y on M, in closed form where one exists (`None` otherwise).
    fn ball_volume(&self, y: ArrayView1<f64>, r: f64) -> Result<Option<f64>> {
        check_point(y, self.ambient_dim())?;
        let _ = r;
        Ok(None)
    }

    /// For a closed curve (k = 1) of length L = [`Manifold::volume`]: the arclength s ∈ [0, L)
    /// from the curve's base point to π(x), along the curve's direction of travel. With
    /// [`Manifold::point_at_arclength`] it is the chart that exact one-dimensional transport
    /// (the circle formula) needs; manifolds without one return `Unsupported`.
    fn arclength(&self, x: ArrayView1<f64>) -> Result<f64> {
        check_point(x, self.ambient_dim())?;
        Err(GeometryError::Unsupported {
            what: "an arclength chart",
            manifold: self.name(),
        })
    }

    /// For a closed curve: the point γ(s) of M at arclength s ∈ [0, L) from the base point, the
    /// inverse of [`Manifold::arclength`] on M.
    fn point_at_arclength(&self, s: f64) -> Result<Array1<f64>> {
        check_arclength(s, self.volume())?;
        Err(GeometryError::Unsupported {
            what: "an arclength chart",
            manifold: self.name(),
        })
    }

    /// A quadrature rule over B(y, r) ∩ M. The default keeps the nodes of [`Manifold::quadrature`]
    /// that fall in the ball (error of order the node spacing over r); manifolds with a natural
    /// chart around y override it with a rule whose resolution follows r.
    fn ball_quadrature(&self, y: ArrayView1<f64>, r: f64, n: usize) -> Result<Quadrature> {
        check_point(y, self.ambient_dim())?;
        Ok(self.quadrature(n)?.restricted_to_ball(y, r))
    }
}

/// Euclidean distance between two points of equal length.
pub fn euclidean(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Checks that an arclength s is finite and within [0, length].
pub fn check_arclength(s: f64, length: f64) -> Result<()> {
    if s.is_finite() && (0.0..=length).contains(&s) {
        Ok(())
    } else {
        Err(GeometryError::InvalidParameter {
            name: "s",
            value: s,
            rule: "an arclength must be finite and lie in [0, L], L the length of the curve",
        })
    }
}
