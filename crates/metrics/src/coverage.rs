//! Coverage at scale r: how the sample mass over each ball of M compares with μ's (SCIENCE.md §6).
//!
//! For a centre y on M, radius r and tube α, ratio(y) = ν̂({x : d(x, M) ≤ α, π(x) ∈ B(y, r)}) /
//! μ(B(y, r) ∩ M), with ν̂ the empirical law of the samples. Ratios near 1 at every centre mean
//! the samples reproduce μ at scale r; a memorizer leaves balls empty (ratio 0) below the
//! spacing of its training set.

use crate::error::{MetricError, Result, check_points};
use crate::summary::Summary;
use mangen_measures::Measure;
use mangen_scores::{KdTree, NeighbourIndex};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use std::sync::Arc;

/// Coverage of a sample set at one radius.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The ball radius r.
    pub radius: f64,
    /// The tube half-width α: samples farther than α from M count nowhere.
    pub tube: f64,
    /// ratio(y_j) for each centre whose ball has positive μ-mass, in the centres' order (balls
    /// where the density vanishes carry no ratio).
    pub ratios: Vec<f64>,
    /// min, q05, median, max (and mean) of the ratios.
    pub summary: Summary,
    /// The fraction of centres whose ball holds at least one sample.
    pub covered_fraction: f64,
}

/// Samples projected onto M, those within the tube indexed for ball counts.
struct TubeSamples {
    total: usize,
    inside: Option<KdTree>,
}

impl TubeSamples {
    fn new(measure: &dyn Measure, samples: ArrayView2<f64>, tube: f64) -> Result<Self> {
        let manifold = measure.manifold();
        check_points("samples", samples, Some(manifold.ambient_dim()))?;
        if !(tube.is_finite() && tube >= 0.0) {
            return Err(MetricError::InvalidParameter {
                name: "tube",
                value: tube,
                rule: "the tube half-width α must be finite and ≥ 0",
            });
        }
        let projected: Vec<Option<Vec<f64>>> = (0..samples.nrows())
            .into_par_iter()
            .map(|i| {
                let x = samples.row(i);
                let p = manifold.project(x)?;
                let distance = mangen_geometry::euclidean(x, p.view());
                Ok((distance <= tube).then(|| p.to_vec()))
            })
            .collect::<Result<_>>()?;
        let kept: Vec<f64> = projected.into_iter().flatten().flatten().collect();
        let dim = manifold.ambient_dim();
        let inside = if kept.is_empty() {
            None
        } else {
            let points = Array2::from_shape_vec((kept.len() / dim, dim), kept)
                .expect("rows of the ambient dimension");
            Some(KdTree::new(Arc::new(points))?)
        };
        Ok(Self {
            total: samples.nrows(),
            inside,
        })
    }

    /// The coverage at `radius` over `centres`, whose balls have μ-masses `masses`.
    fn coverage_at(
        &self,
        centres: ArrayView2<f64>,
        masses: &[f64],
        radius: f64,
        tube: f64,
    ) -> Result<Coverage> {
        let ratios = (0..centres.nrows())
            .into_par_iter()
            .map(|j| match masses[j] {
                mass if mass > 0.0 => Ok(Some(self.mass_in_ball(centres.row(j), radius)? / mass)),
                _ => Ok(None),
            })
            .collect::<Result<Vec<Option<f64>>>>()?;
        let ratios: Vec<f64> = ratios.into_iter().flatten().collect();
        if ratios.is_empty() {
            return Err(MetricError::Empty {
                what: "centres whose ball has positive μ-mass",
            });
        }
        let covered = ratios.iter().filter(|&&r| r > 0.0).count();
        Ok(Coverage {
            radius,
            tube,
            summary: Summary::of(&ratios)?,
            covered_fraction: covered as f64 / ratios.len() as f64,
            ratios,
        })
    }

    fn mass_in_ball(&self, centre: ndarray::ArrayView1<f64>, radius: f64) -> Result<f64> {
        let count = match &self.inside {
            Some(index) => index.count_within(centre, radius)?,
            None => 0,
        };
        Ok(count as f64 / self.total as f64)
    }
}

/// Coverage of `samples` at each radius of `radii` (ascending not required), over `centres`
/// (projected onto M first), with tube half-width `tube`.
pub fn coverage_curve(
    measure: &dyn Measure,
    samples: ArrayView2<f64>,
    centres: ArrayView2<f64>,
    radii: &[f64],
    tube: f64,
) -> Result<Vec<Coverage>> {
    let mut curves = coverage_curves(measure, &[samples], centres, radii, tube)?;
    Ok(curves.remove(0))
}

/// [`coverage_curve`] of each sample set of `sample_sets` over the same centres and radii: the
/// μ-masses of the balls, which cost most where μ has no closed form, are computed once for all.
pub fn coverage_curves(
    measure: &dyn Measure,
    sample_sets: &[ArrayView2<f64>],
    centres: ArrayView2<f64>,
    radii: &[f64],
    tube: f64,
) -> Result<Vec<Vec<Coverage>>> {
    let manifold = measure.manifold();
    check_points("centres", centres, Some(manifold.ambient_dim()))?;
    if radii.is_empty() {
        return Err(MetricError::Empty { what: "radii" });
    }
    if let Some(&bad) = radii.iter().find(|r| !(r.is_finite() && **r > 0.0)) {
        return Err(MetricError::InvalidParameter {
            name: "radius",
            value: bad,
            rule: "a coverage radius must be finite and > 0",
        });
    }
    let tube_sets = sample_sets
        .iter()
        .map(|samples| TubeSamples::new(measure, *samples, tube))
        .collect::<Result<Vec<_>>>()?;
    let centres = manifold.project_rows(centres)?;
    let mut curves: Vec<Vec<Coverage>> = vec![Vec::with_capacity(radii.len()); sample_sets.len()];
    for &radius in radii {
        let masses = (0..centres.nrows())
            .into_par_iter()
            .map(|j| Ok(measure.ball_mass(centres.row(j), radius)?))
            .collect::<Result<Vec<f64>>>()?;
        for (tube_samples, curve) in tube_sets.iter().zip(curves.iter_mut()) {
            curve.push(tube_samples.coverage_at(centres.view(), &masses, radius, tube)?);
        }
    }
    Ok(curves)
}

/// Coverage of `samples` at one radius.
pub fn coverage(
    measure: &dyn Measure,
    samples: ArrayView2<f64>,
    centres: ArrayView2<f64>,
    radius: f64,
    tube: f64,
) -> Result<Coverage> {
    let mut curve = coverage_curve(measure, samples, centres, &[radius], tube)?;
    Ok(curve.remove(0))
}

/// The coverage resolution r*(c): the smallest radius of `curve` whose 5 % quantile of ratios
/// reaches `level` (`None` if no radius does).
pub fn coverage_resolution(curve: &[Coverage], level: f64) -> Option<f64> {
    curve
        .iter()
        .filter(|c| c.summary.q05 >= level)
        .map(|c| c.radius)
        .min_by(f64::total_cmp)
}

/// The comparability radius r_c(C): the smallest radius of `curve` at which the whole band of
/// ratios lies within [1/C, C] (its 5 % quantile at least 1/C, its maximum at most C), the
/// scale from which the samples' law and μ are C-comparable on every ball; `None` if no radius
/// of the curve is, or `c` < 1.
pub fn comparability_radius(curve: &[Coverage], c: f64) -> Option<f64> {
    curve
        .iter()
        .filter(|point| c >= 1.0 && point.summary.q05 >= 1.0 / c && point.summary.max <= c)
        .map(|point| point.radius)
        .min_by(f64::total_cmp)
}
