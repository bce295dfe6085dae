//! Fidelity: how far generated samples lie from the manifold (SCIENCE.md §6).

use crate::error::{Result, check_points};
use crate::summary::Summary;
use mangen_geometry::Manifold;
use ndarray::ArrayView2;
use rayon::prelude::*;

/// The distances d(x̂, M) = |x̂ − π(x̂)| of every sample, in the samples' order, and their summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Fidelity {
    /// d(x̂_i, M) for each sample i.
    pub distances: Vec<f64>,
    /// Mean, median, q95, max of the distances.
    pub summary: Summary,
}

/// Fidelity of `samples` (one row per point, dimension D of `manifold`) to `manifold`.
pub fn fidelity(manifold: &dyn Manifold, samples: ArrayView2<f64>) -> Result<Fidelity> {
    check_points("samples", samples, Some(manifold.ambient_dim()))?;
    let distances = (0..samples.nrows())
        .into_par_iter()
        .map(|i| manifold.distance_to(samples.row(i)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let summary = Summary::of(&distances)?;
    Ok(Fidelity { distances, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mangen_geometry::{Embedded, Isometry, Sphere};
    use ndarray::array;

    fn unit_circle() -> Embedded<Sphere> {
        Embedded::new(
            Sphere::circle(1.0).unwrap(),
            Isometry::standard(2, 2).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn distances_to_the_unit_circle_are_radial() {
        let circle = unit_circle();
        let samples = array![[2.0, 0.0], [0.0, 0.5], [0.6, 0.8]];
        let f = fidelity(&circle, samples.view()).unwrap();
        let expected = [1.0, 0.5, 0.0];
        for (d, e) in f.distances.iter().zip(expected) {
            assert!((d - e).abs() < 1e-12);
        }
        assert!((f.summary.mean - 0.5).abs() < 1e-12 && f.summary.max == 1.0);
    }

    #[test]
    fn wrong_dimension_is_refused() {
        let circle = unit_circle();
        assert!(fidelity(&circle, array![[1.0, 0.0, 0.0]].view()).is_err());
    }
}
