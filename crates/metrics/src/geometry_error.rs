//! Geometry error: how far an estimated projection π̂ lands from the exact π on probe points in a tube around M (SCIENCE.md §6).

use crate::error::{MetricError, Result, check_points};
use crate::summary::Summary;
use mangen_geometry::{Manifold, euclidean};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// The errors |π̂(x) − π(x)| on the probes, in their order, with their summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionError {
    /// |π̂(x_i) − π(x_i)| for each probe.
    pub errors: Vec<f64>,
    /// Mean, median, q95 and sup (max) of the errors.
    pub summary: Summary,
}

/// `n` probe points uniform in the tube of half-width `radius` around M: a uniform point y of M
/// plus a normal offset uniform in the (D − k)-ball of that radius. Within the reach, π(probe) = y.
pub fn tube_probes(
    manifold: &dyn Manifold,
    n: usize,
    radius: f64,
    rng: &mut dyn Rng,
) -> Result<Array2<f64>> {
    if !(radius.is_finite() && radius >= 0.0) {
        return Err(MetricError::InvalidParameter {
            name: "radius",
            value: radius,
            rule: "the tube radius must be finite and ≥ 0",
        });
    }
    let (dim, normal_dim) = (
        manifold.ambient_dim(),
        manifold.ambient_dim() - manifold.intrinsic_dim(),
    );
    let mut probes = manifold.sample_uniform(n, rng);
    if normal_dim == 0 || radius == 0.0 {
        return Ok(probes);
    }
    for mut probe in probes.outer_iter_mut() {
        let tangent = manifold.tangent_basis(probe.view())?;
        let mut direction: Array1<f64> = (0..dim)
            .map(|_| <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng))
            .collect();
        for basis_vector in tangent.outer_iter() {
            let along = basis_vector.dot(&direction);
            direction.scaled_add(-along, &basis_vector);
        }
        let norm = direction.dot(&direction).sqrt();
        let length = radius * rng.random::<f64>().powf(1.0 / normal_dim as f64);
        if norm > 0.0 {
            probe.scaled_add(length / norm, &direction);
        }
    }
    Ok(probes)
}

/// The geometry error of `estimate` (an estimated projection π̂) against the exact projection of
/// `manifold` on every row of `probes`.
pub fn geometry_error<E>(
    manifold: &dyn Manifold,
    probes: ArrayView2<f64>,
    estimate: impl Fn(ArrayView1<f64>) -> std::result::Result<Array1<f64>, E> + Sync,
) -> Result<ProjectionError>
where
    MetricError: From<E>,
{
    check_points("probes", probes, Some(manifold.ambient_dim()))?;
    let errors = (0..probes.nrows())
        .into_par_iter()
        .map(|i| {
            let x = probes.row(i);
            let exact = manifold.project(x)?;
            let estimated = estimate(x)?;
            Ok(euclidean(exact.view(), estimated.view()))
        })
        .collect::<Result<Vec<f64>>>()?;
    Ok(ProjectionError {
        summary: Summary::of(&errors)?,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mangen_geometry::{Embedded, Sphere, rng};

    #[test]
    fn probes_stay_in_the_tube_and_project_back() {
        let sphere = Embedded::random(Sphere::new(2, 1.0).unwrap(), 5, 1).unwrap();
        let probes = tube_probes(&sphere, 200, 0.1, &mut rng::seeded(1)).unwrap();
        let error = geometry_error(&sphere, probes.view(), |x| sphere.project(x)).unwrap();
        assert!(error.summary.max < 1e-12);
        for p in probes.outer_iter() {
            let d = sphere.distance_to(p).unwrap();
            assert!(d <= 0.1 + 1e-12);
        }
    }
}
