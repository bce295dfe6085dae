//! The extension promise: a manifold defined outside the crate, through the `Manifold` trait alone,
//! works with the crate's generic code and passes the same laws as the built-in ones.

use mangen_geometry::{GeometryError, Manifold, Quadrature, Result, check_point, laws, rng};
use ndarray::{Array1, Array2, ArrayView1, array};
use rand::{Rng, RngExt};
use std::f64::consts::PI;

/// A horizontal circle of radius r at height h in R³, written by hand.
#[derive(Debug)]
struct LevelCircle {
    radius: f64,
    height: f64,
}

impl Manifold for LevelCircle {
    fn name(&self) -> String {
        "level circle".into()
    }
    fn intrinsic_dim(&self) -> usize {
        1
    }
    fn ambient_dim(&self) -> usize {
        3
    }
    fn project(&self, x: ArrayView1<f64>) -> Result<Array1<f64>> {
        check_point(x, 3)?;
        let planar = x[0].hypot(x[1]);
        let (c, s) = if planar > 0.0 {
            (x[0] / planar, x[1] / planar)
        } else {
            (1.0, 0.0)
        };
        Ok(array![self.radius * c, self.radius * s, self.height])
    }
    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let mut out = Array2::zeros((n, 3));
        for mut row in out.outer_iter_mut() {
            let t = rng.random_range(0.0..2.0 * PI);
            row.assign(&array![
                self.radius * t.cos(),
                self.radius * t.sin(),
                self.height
            ]);
        }
        out
    }
    fn tangent_basis(&self, x: ArrayView1<f64>) -> Result<Array2<f64>> {
        let p = self.project(x)?;
        Ok(array![[-p[1] / self.radius, p[0] / self.radius, 0.0]])
    }
    fn volume(&self) -> f64 {
        2.0 * PI * self.radius
    }
    fn bounding_ball(&self) -> (Array1<f64>, f64) {
        (array![0.0, 0.0, self.height], self.radius)
    }
    fn reach(&self) -> Option<f64> {
        Some(self.radius)
    }
    fn quadrature(&self, n: usize) -> Result<Quadrature> {
        let nodes = Array2::from_shape_fn((2 * n, 3), |(i, j)| {
            let t = PI * (i as f64 + 0.5) / n as f64;
            [self.radius * t.cos(), self.radius * t.sin(), self.height][j]
        });
        Ok(Quadrature {
            nodes,
            weights: Array1::from_elem(2 * n, PI * self.radius / n as f64),
        })
    }
}

#[test]
fn a_custom_manifold_passes_the_generic_laws() {
    let m = LevelCircle {
        radius: 1.2,
        height: -0.4,
    };
    laws::check_all_laws(&m, 200, 0.6, 1e-12, &mut rng::seeded(1)).unwrap();
}

#[test]
fn provided_methods_work_for_a_custom_manifold() {
    let m: Box<dyn Manifold> = Box::new(LevelCircle {
        radius: 1.0,
        height: 0.0,
    });
    assert!((m.distance_to(array![2.0, 0.0, 1.0].view()).unwrap() - 2f64.sqrt()).abs() < 1e-15);
    // Default ball rule: nodes of the global rule inside the ball; arc of a chord ball of radius √2 is π.
    let arc = m
        .ball_quadrature(array![1.0, 0.0, 0.0].view(), 2f64.sqrt(), 5000)
        .unwrap()
        .weights
        .sum();
    assert!((arc - PI).abs() < 1e-3, "arc {arc}");
    assert!(matches!(
        m.geodesic_distance(array![1.0, 0.0, 0.0].view(), array![0.0, 1.0, 0.0].view()),
        Err(GeometryError::Unsupported {
            what: "geodesic distance",
            ..
        })
    ));
    assert!(matches!(
        m.project(array![1.0, 0.0].view()),
        Err(GeometryError::DimensionMismatch {
            expected: 3,
            got: 2
        })
    ));
    let projected = m
        .project_rows(m.sample_uniform(10, &mut rng::seeded(2)).view())
        .unwrap();
    laws::samples_lie_on_manifold(m.as_ref(), projected.view(), 1e-12).unwrap();
}

#[test]
fn a_broken_custom_manifold_is_caught_by_the_laws() {
    /// A "projection" that overshoots: the laws must notice.
    #[derive(Debug)]
    struct Overshoot(LevelCircle);
    impl Manifold for Overshoot {
        fn name(&self) -> String {
            "overshoot".into()
        }
        fn intrinsic_dim(&self) -> usize {
            1
        }
        fn ambient_dim(&self) -> usize {
            3
        }
        fn project(&self, x: ArrayView1<f64>) -> Result<Array1<f64>> {
            Ok(self.0.project(x)? * 1.01)
        }
        fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
            self.0.sample_uniform(n, rng)
        }
        fn tangent_basis(&self, x: ArrayView1<f64>) -> Result<Array2<f64>> {
            self.0.tangent_basis(x)
        }
        fn volume(&self) -> f64 {
            self.0.volume()
        }
        fn bounding_ball(&self) -> (Array1<f64>, f64) {
            self.0.bounding_ball()
        }
    }
    let broken = Overshoot(LevelCircle {
        radius: 1.0,
        height: 0.0,
    });
    let err = laws::check_all_laws(&broken, 10, 0.3, 1e-9, &mut rng::seeded(3)).unwrap_err();
    assert!(err.to_string().contains("overshoot"), "{err}");
}
