//! The extension promise: a measure defined outside the crate works with the crate's generic ball-mass code.

use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_measures::{Measure, Result, check_ambient_point};
use ndarray::{Array2, ArrayView1};
use rand::Rng;
use std::f64::consts::PI;

/// The uniform law on the upper half (x₂ > 0 in the natural plane) of a unit circle in R².
#[derive(Debug)]
struct UpperHalfCircle(Embedded<Sphere>);

impl Measure for UpperHalfCircle {
    fn manifold(&self) -> &dyn Manifold {
        &self.0
    }
    fn name(&self) -> String {
        "upper half circle".into()
    }
    fn sample(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let mut out = self.0.sample_uniform(n, rng);
        out.column_mut(1).mapv_inplace(f64::abs);
        out
    }
    fn density(&self, x: ArrayView1<f64>) -> Result<f64> {
        check_ambient_point(&self.0, x)?;
        Ok(if x[1] > 0.0 { 1.0 / PI } else { 0.0 })
    }
}

#[test]
fn the_provided_ball_mass_integrates_a_custom_density() {
    let circle = Embedded::new(
        Sphere::circle(1.0).unwrap(),
        mangen_geometry::Isometry::standard(2, 2).unwrap(),
    )
    .unwrap();
    let mu = UpperHalfCircle(circle);
    // A chord ball of radius √2 around (1, 0) holds the quarter arcs on both sides; only the upper one has mass.
    let mass = mu
        .ball_mass(ndarray::array![1.0, 0.0].view(), 2f64.sqrt())
        .unwrap();
    // The cap rule splits exactly at the pole, so the jump of the density costs nothing.
    assert!((mass - 0.5).abs() < 1e-12, "mass {mass}");
    let top = mu
        .ball_mass(ndarray::array![0.0, 1.0].view(), 2f64.sqrt())
        .unwrap();
    assert!((top - 1.0).abs() < 1e-12, "mass {top}");
    let samples = mu.sample(100, &mut rng::seeded(1));
    assert!(samples.column(1).iter().all(|v| *v >= 0.0));
}
