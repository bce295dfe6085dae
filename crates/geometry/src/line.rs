//! The real line along the first axis of R^D: an unbounded manifold (k = 1, reach ∞) for laws such as Gaussian mixtures that live on all of R.
//!
//! Li et al.'s one-dimensional experiments (SCIENCE.md §10) put their data on R itself. The line
//! has infinite length, so it has no uniform law and no quadrature over all of it: those calls
//! say so. Everything local (projection, distance, tangent, balls) is exact.

use crate::error::{GeometryError, Result, check_point};
use crate::manifold::Manifold;
use crate::quadrature::{Quadrature, gauss_legendre};
use ndarray::{Array1, Array2, ArrayView1};
use rand::Rng;

/// The line {(u, 0, …, 0) : u ∈ R} ⊂ R^D.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    ambient: usize,
}

impl Line {
    /// The line along the first axis of R^D, D ≥ 1.
    pub fn new(ambient: usize) -> Result<Self> {
        if ambient == 0 {
            return Err(GeometryError::AmbientTooSmall {
                ambient,
                needed: 1,
                manifold: "the line".into(),
            });
        }
        Ok(Self { ambient })
    }

    /// The coordinate u of π(x), which is x's first coordinate.
    pub fn coordinate(&self, x: ArrayView1<f64>) -> Result<f64> {
        check_point(x, self.ambient)?;
        Ok(x[0])
    }

    /// The point (u, 0, …, 0).
    pub fn point(&self, u: f64) -> Array1<f64> {
        let mut p = Array1::zeros(self.ambient);
        p[0] = u;
        p
    }
}

impl Manifold for Line {
    fn name(&self) -> String {
        format!("line in R^{}", self.ambient)
    }

    fn intrinsic_dim(&self) -> usize {
        1
    }

    fn ambient_dim(&self) -> usize {
        self.ambient
    }

    fn project(&self, x: ArrayView1<f64>) -> Result<Array1<f64>> {
        Ok(self.point(self.coordinate(x)?))
    }

    /// # Panics
    /// Always: the line has infinite length, so no uniform law exists on it. Laws on the line
    /// (a Gaussian mixture) sample themselves, and configs refuse a uniform density on it.
    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let _ = (n, rng);
        panic!("the line has infinite length and no uniform law: give it a density of its own")
    }

    fn tangent_basis(&self, x: ArrayView1<f64>) -> Result<Array2<f64>> {
        check_point(x, self.ambient)?;
        let mut basis = Array2::zeros((1, self.ambient));
        basis[[0, 0]] = 1.0;
        Ok(basis)
    }

    fn volume(&self) -> f64 {
        f64::INFINITY
    }

    fn bounding_ball(&self) -> (Array1<f64>, f64) {
        (Array1::zeros(self.ambient), f64::INFINITY)
    }

    fn reach(&self) -> Option<f64> {
        Some(f64::INFINITY)
    }

    fn geodesic_distance(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Result<f64> {
        Ok((self.coordinate(a)? - self.coordinate(b)?).abs())
    }

    fn ball_volume(&self, y: ArrayView1<f64>, r: f64) -> Result<Option<f64>> {
        check_point(y, self.ambient)?;
        check_radius(r)?;
        Ok(Some(2.0 * r))
    }

    /// Gauss–Legendre on [u − r, u + r], with about `n` nodes per unit length (at least 8).
    fn ball_quadrature(&self, y: ArrayView1<f64>, r: f64, n: usize) -> Result<Quadrature> {
        let u = self.coordinate(y)?;
        check_radius(r)?;
        let count = ((2.0 * r * n as f64).ceil() as usize).clamp(8, 4096);
        let (nodes, weights) = gauss_legendre(count, u - r, u + r);
        let mut points = Array2::zeros((count, self.ambient));
        for (i, v) in nodes.iter().enumerate() {
            points[[i, 0]] = *v;
        }
        Ok(Quadrature {
            nodes: points,
            weights: Array1::from(weights),
        })
    }
}

/// Checks that a ball radius is finite and ≥ 0.
fn check_radius(r: f64) -> Result<()> {
    if r.is_finite() && r >= 0.0 {
        Ok(())
    } else {
        Err(GeometryError::InvalidParameter {
            name: "r",
            value: r,
            rule: "a ball radius must be finite and ≥ 0",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_line_projects_onto_its_first_coordinate() {
        let line = Line::new(3).unwrap();
        let x = array![1.5, -2.0, 2.0];
        assert_eq!(line.project(x.view()).unwrap(), array![1.5, 0.0, 0.0]);
        assert_eq!(line.distance_to(x.view()).unwrap(), 8f64.sqrt());
        assert_eq!(
            line.geodesic_distance(x.view(), array![-0.5, 1.0, 0.0].view())
                .unwrap(),
            2.0
        );
        let rule = line.ball_quadrature(x.view(), 0.75, 32).unwrap();
        assert!((rule.weights.sum() - 1.5).abs() < 1e-12);
        assert!(Line::new(0).is_err());
        assert!(line.project(array![1.0, f64::NAN, 0.0].view()).is_err());
        assert!(line.ball_volume(x.view(), -1.0).is_err());
    }

    #[test]
    fn the_line_keeps_the_manifold_laws() {
        use crate::laws;
        use rand_distr::{Distribution, StandardNormal};
        let line = Line::new(4).unwrap();
        let mut rng = crate::rng::seeded(3);
        let mut draw = || {
            Array1::from_shape_fn(4, |_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                3.0 * z
            })
        };
        let on_line: Array2<f64> = ndarray::stack(
            ndarray::Axis(0),
            &(0..50)
                .map(|_| line.project(draw().view()).unwrap())
                .collect::<Vec<_>>()
                .iter()
                .map(|p| p.view())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        laws::samples_lie_on_manifold(&line, on_line.view(), 1e-12).unwrap();
        for _ in 0..50 {
            let x = draw();
            laws::projection_is_idempotent(&line, x.view(), 1e-12).unwrap();
            laws::projection_is_nearest(&line, x.view(), on_line.view(), 1e-12).unwrap();
            laws::tangent_basis_is_orthonormal_and_normal(&line, x.view(), 1e-12).unwrap();
            let mut on = || line.project(draw().view()).unwrap();
            let (a, b, c) = (on(), on(), on());
            laws::geodesic_is_a_metric(&line, a.view(), b.view(), c.view(), 1e-12).unwrap();
        }
    }
}
