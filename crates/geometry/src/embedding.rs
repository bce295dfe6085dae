//! Carrying a manifold from its natural coordinates R^m into R^D by an isometry x = c + Q y.

use crate::error::{GeometryError, Result, check_point};
use crate::manifold::Manifold;
use crate::quadrature::Quadrature;
use crate::rng::seeded;
use ndarray::{Array1, Array2, ArrayView1, Axis};
use ndarray_linalg::QR;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// An affine isometry R^m → R^D, y ↦ offset + frame · y, with orthonormal columns in `frame` (D × m).
#[derive(Debug, Clone, PartialEq)]
pub struct Isometry {
    frame: Array2<f64>,
    offset: Array1<f64>,
}

impl Isometry {
    /// The coordinate inclusion R^m → R^D (first m axes), no offset.
    pub fn standard(m: usize, ambient: usize) -> Result<Self> {
        check_ambient(m, ambient, "the identity embedding")?;
        let mut frame = Array2::zeros((ambient, m));
        for i in 0..m {
            frame[[i, i]] = 1.0;
        }
        Ok(Self {
            frame,
            offset: Array1::zeros(ambient),
        })
    }

    /// A Haar-random isometric frame from the QR factorization of a seeded Gaussian D × m matrix
    /// (signs fixed by diag R > 0, which makes the law exactly Haar), no offset.
    pub fn random(m: usize, ambient: usize, seed: u64) -> Result<Self> {
        check_ambient(m, ambient, "a random embedding")?;
        let mut rng = seeded(seed);
        let gaussian = Array2::from_shape_fn((ambient, m), |_| StandardNormal.sample(&mut rng));
        let (mut q, r) = gaussian
            .qr()
            .map_err(|err| GeometryError::Linalg(err.to_string()))?;
        for j in 0..m {
            if r[[j, j]] < 0.0 {
                q.column_mut(j).mapv_inplace(|v: f64| -v);
            }
        }
        Ok(Self {
            frame: q,
            offset: Array1::zeros(ambient),
        })
    }

    /// The same isometry followed by a translation by `offset`.
    pub fn with_offset(mut self, offset: Array1<f64>) -> Result<Self> {
        check_point(offset.view(), self.ambient_dim())?;
        self.offset = offset;
        Ok(self)
    }

    /// m, the dimension of the natural coordinates.
    pub fn span_dim(&self) -> usize {
        self.frame.ncols()
    }

    /// D, the ambient dimension.
    pub fn ambient_dim(&self) -> usize {
        self.frame.nrows()
    }

    /// The orthonormal frame Q (D × m).
    pub fn frame(&self) -> &Array2<f64> {
        &self.frame
    }

    /// The offset c.
    pub fn offset(&self) -> &Array1<f64> {
        &self.offset
    }

    /// x = c + Q y.
    pub fn embed(&self, y: ArrayView1<f64>) -> Array1<f64> {
        &self.offset + &self.frame.dot(&y)
    }

    /// Embeds every row.
    pub fn embed_rows(&self, ys: &Array2<f64>) -> Array2<f64> {
        ys.dot(&self.frame.t()) + self.offset.view().insert_axis(Axis(0))
    }

    /// The natural coordinates Qᵀ(x − c) of the orthogonal projection of x onto the span.
    pub fn coordinates(&self, x: ArrayView1<f64>) -> Array1<f64> {
        self.frame.t().dot(&(&x - &self.offset))
    }
}

fn check_ambient(m: usize, ambient: usize, what: &str) -> Result<()> {
    if ambient < m {
        Err(GeometryError::AmbientTooSmall {
            ambient,
            needed: m,
            manifold: what.to_string(),
        })
    } else {
        Ok(())
    }
}

/// A manifold described in its natural coordinates R^m (the span of M), before embedding.
///
/// Points passed to these methods have length `span_dim()` and are finite: [`Embedded`] checks that.
pub trait LocalModel: Send + Sync + std::fmt::Debug {
    /// A short name with the parameters.
    fn name(&self) -> String;
    /// Intrinsic dimension k.
    fn intrinsic_dim(&self) -> usize;
    /// Dimension m of the natural span.
    fn span_dim(&self) -> usize;
    /// Nearest point on M of a point of R^m.
    fn project(&self, y: ArrayView1<f64>) -> Array1<f64>;
    /// Uniform samples, one row per point, in R^m.
    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64>;
    /// Orthonormal tangent basis at a point p of M (k × m).
    fn tangent_basis(&self, p: ArrayView1<f64>) -> Array2<f64>;
    /// k-dimensional volume.
    fn volume(&self) -> f64;
    /// Radius of a ball centred at the origin of R^m that contains M.
    fn circumradius(&self) -> f64;
    /// The reach, where known.
    fn reach(&self) -> Option<f64>;
    /// Geodesic distance between two points of M.
    fn geodesic_distance(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Option<f64>;
    /// A quadrature rule over M (see [`Manifold::quadrature`]).
    fn quadrature(&self, n: usize) -> Quadrature;
    /// Closed-form vol(B(p, r) ∩ M) for p on M, where one exists.
    fn ball_volume(&self, p: ArrayView1<f64>, r: f64) -> Option<f64> {
        let _ = (p, r);
        None
    }
    /// A quadrature rule adapted to B(p, r) ∩ M for p on M, where the model has one.
    fn ball_quadrature(&self, p: ArrayView1<f64>, r: f64, n: usize) -> Option<Quadrature> {
        let _ = (p, r, n);
        None
    }
    /// For a closed curve (k = 1): the arclength s ∈ [0, L] from the curve's base point to a
    /// point p of M, in the curve's direction of travel (see [`Manifold::arclength`]; L counts as 0).
    fn arclength(&self, p: ArrayView1<f64>) -> Option<f64> {
        let _ = p;
        None
    }
    /// For a closed curve (k = 1): the point at arclength s ∈ [0, L) from the base point.
    fn point_at_arclength(&self, s: f64) -> Option<Array1<f64>> {
        let _ = s;
        None
    }
}

/// A [`LocalModel`] carried into R^D by an [`Isometry`]: this is how every built-in manifold is a [`Manifold`].
#[derive(Debug, Clone)]
pub struct Embedded<L> {
    model: L,
    isometry: Isometry,
}

impl<L: LocalModel> Embedded<L> {
    /// Embeds `model` with `isometry`; the isometry's span must match the model's.
    pub fn new(model: L, isometry: Isometry) -> Result<Self> {
        if isometry.span_dim() != model.span_dim() {
            return Err(GeometryError::DimensionMismatch {
                expected: model.span_dim(),
                got: isometry.span_dim(),
            });
        }
        Ok(Self { model, isometry })
    }

    /// Embeds `model` into R^D by a Haar-random isometry drawn from `seed`.
    pub fn random(model: L, ambient: usize, seed: u64) -> Result<Self> {
        let m = model.span_dim();
        if ambient < m {
            return Err(GeometryError::AmbientTooSmall {
                ambient,
                needed: m,
                manifold: model.name(),
            });
        }
        let isometry = Isometry::random(m, ambient, seed)?;
        Self::new(model, isometry)
    }

    /// The model in natural coordinates.
    pub fn model(&self) -> &L {
        &self.model
    }

    /// The embedding.
    pub fn isometry(&self) -> &Isometry {
        &self.isometry
    }

    fn local_point(&self, x: ArrayView1<f64>) -> Result<Array1<f64>> {
        check_point(x, self.ambient_dim())?;
        Ok(self.isometry.coordinates(x))
    }

    /// Natural coordinates of π(x).
    fn local_projection(&self, x: ArrayView1<f64>) -> Result<Array1<f64>> {
        Ok(self.model.project(self.local_point(x)?.view()))
    }

    fn unsupported(&self, what: &'static str) -> GeometryError {
        GeometryError::Unsupported {
            what,
            manifold: self.name(),
        }
    }

    fn embed_rule(&self, rule: Quadrature) -> Quadrature {
        Quadrature {
            nodes: self.isometry.embed_rows(&rule.nodes),
            weights: rule.weights,
        }
    }
}

impl<L: LocalModel> Manifold for Embedded<L> {
    fn name(&self) -> String {
        format!("{} in R^{}", self.model.name(), self.ambient_dim())
    }

    fn intrinsic_dim(&self) -> usize {
        self.model.intrinsic_dim()
    }

    fn ambient_dim(&self) -> usize {
        self.isometry.ambient_dim()
    }

    fn project(&self, x: ArrayView1<f64>) -> Result<Array1<f64>> {
        Ok(self.isometry.embed(self.local_projection(x)?.view()))
    }

    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        self.isometry.embed_rows(&self.model.sample_uniform(n, rng))
    }

    fn tangent_basis(&self, x: ArrayView1<f64>) -> Result<Array2<f64>> {
        let p = self.local_projection(x)?;
        Ok(self
            .model
            .tangent_basis(p.view())
            .dot(&self.isometry.frame().t()))
    }

    fn volume(&self) -> f64 {
        self.model.volume()
    }

    fn bounding_ball(&self) -> (Array1<f64>, f64) {
        (self.isometry.offset().clone(), self.model.circumradius())
    }

    fn reach(&self) -> Option<f64> {
        self.model.reach()
    }

    fn geodesic_distance(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Result<f64> {
        let (pa, pb) = (self.local_projection(a)?, self.local_projection(b)?);
        self.model
            .geodesic_distance(pa.view(), pb.view())
            .ok_or_else(|| self.unsupported("geodesic distance"))
    }

    fn quadrature(&self, n: usize) -> Result<Quadrature> {
        Ok(self.embed_rule(self.model.quadrature(n)))
    }

    fn ball_volume(&self, y: ArrayView1<f64>, r: f64) -> Result<Option<f64>> {
        let p = self.local_projection(y)?;
        Ok(self.model.ball_volume(p.view(), r))
    }

    fn ball_quadrature(&self, y: ArrayView1<f64>, r: f64, n: usize) -> Result<Quadrature> {
        let p = self.local_projection(y)?;
        match self.model.ball_quadrature(p.view(), r, n) {
            Some(rule) => Ok(self.embed_rule(rule)),
            None => Ok(self.quadrature(n)?.restricted_to_ball(y, r)),
        }
    }

    fn arclength(&self, x: ArrayView1<f64>) -> Result<f64> {
        let p = self.local_projection(x)?;
        let s = self
            .model
            .arclength(p.view())
            .ok_or_else(|| self.unsupported("an arclength chart"))?;
        // A point a rounding error before the base point may come back as L itself.
        Ok(if s >= self.volume() { 0.0 } else { s.max(0.0) })
    }

    fn point_at_arclength(&self, s: f64) -> Result<Array1<f64>> {
        crate::manifold::check_arclength(s, self.volume())?;
        let local = self
            .model
            .point_at_arclength(s)
            .ok_or_else(|| self.unsupported("an arclength chart"))?;
        Ok(self.isometry.embed(local.view()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_isometries_preserve_distances(
            m in 1usize..5, extra in 0usize..6, seed in any::<u64>(),
            a in prop::collection::vec(-10.0f64..10.0, 5), b in prop::collection::vec(-10.0f64..10.0, 5),
        ) {
            let iso = Isometry::random(m, m + extra, seed).unwrap();
            let (a, b) = (Array1::from(a[..m].to_vec()), Array1::from(b[..m].to_vec()));
            let (xa, xb) = (iso.embed(a.view()), iso.embed(b.view()));
            let before = crate::manifold::euclidean(a.view(), b.view());
            let after = crate::manifold::euclidean(xa.view(), xb.view());
            prop_assert!((before - after).abs() <= 1e-12 * (1.0 + before));
            let back = iso.coordinates(xa.view());
            prop_assert!(crate::manifold::euclidean(back.view(), a.view()) <= 1e-12 * (1.0 + before));
        }
    }

    #[test]
    fn frames_are_orthonormal_and_seeded() {
        let iso = Isometry::random(3, 10, 42).unwrap();
        let gram = iso.frame().t().dot(iso.frame());
        for i in 0..3 {
            for j in 0..3 {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((gram[[i, j]] - expected).abs() < 1e-13);
            }
        }
        assert_eq!(iso, Isometry::random(3, 10, 42).unwrap());
        assert_ne!(iso, Isometry::random(3, 10, 43).unwrap());
    }

    #[test]
    fn too_small_ambient_dimension_is_refused() {
        assert!(matches!(
            Isometry::random(3, 2, 0),
            Err(GeometryError::AmbientTooSmall {
                ambient: 2,
                needed: 3,
                ..
            })
        ));
        let iso = Isometry::standard(2, 3).unwrap();
        assert!(matches!(
            iso.with_offset(Array1::zeros(4)),
            Err(GeometryError::DimensionMismatch {
                expected: 3,
                got: 4
            })
        ));
    }
}
