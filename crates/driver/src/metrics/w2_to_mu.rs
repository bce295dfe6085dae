//! `w2_to_mu = { samples = true, atoms = false }`: W2, chord cost of R^D, of the generated samples (at π(x̂)) and of the training atoms μ_N to μ itself, on any manifold, by semi-discrete transport against streamed draws of μ.
//!
//! No reference sample enters: the estimate's own error is σ/√M over M fresh draws (1024 per
//! atom), not the M^{-1/k} floor of a reference sample, and it is a lower bound of W2 up to that
//! error (mangen_metrics::semi_discrete). `w2_to_mu_null` is a fresh μ sample of the generated
//! sample's size through the same estimate: the floor set by the sample's own size.
//! `w2_atoms_to_mu` = W2(μ_N, μ). Each value comes with its standard error as the row
//! `<name>_error`.

use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use crate::metrics::w1_to_mu::Targets;
use anyhow::{Context, Result};
use mangen_geometry::rng::StreamRng;
use mangen_metrics::{SemiDiscreteOptions, semi_discrete_transport};
use ndarray::Array2;
use std::sync::Arc;

/// W2 to μ of the samples, the atoms or both.
#[derive(Debug)]
pub struct W2ToMu {
    /// Whether the generated samples are measured.
    pub samples: bool,
    /// Whether the training atoms are measured.
    pub atoms: bool,
}

/// `[metrics] w2_to_mu = true` (the samples) or `{ samples = …, atoms = … }`.
pub const KIND: MetricKind = MetricKind {
    key: "w2_to_mu",
    parse: |value| {
        Ok(Targets::parse(value)?.map(|targets| {
            Arc::new(W2ToMu {
                samples: targets.samples,
                atoms: targets.atoms,
            }) as Arc<dyn Metric>
        }))
    },
};

impl W2ToMu {
    /// The estimate and its standard error, as two rows named `name` and `<name>_error`.
    fn rows(
        &self,
        cell: &CellData,
        points: &Array2<f64>,
        name: &str,
        what: &str,
        rng: &mut StreamRng,
    ) -> Result<[Measurement; 2]> {
        let manifold = cell.measure.manifold();
        let on_m = manifold
            .project_rows(points.view())
            .with_context(|| format!("projecting the {what} onto M"))?;
        let options = SemiDiscreteOptions::new(2.0, manifold.intrinsic_dim());
        let mut draw = |m: usize| cell.measure.sample(m, rng);
        let estimate = semi_discrete_transport(on_m.view(), &mut draw, &options)
            .with_context(|| format!("W2 of the {what} to μ"))?;
        Ok([
            Measurement::of(name, estimate.distance),
            Measurement::of(&format!("{name}_error"), estimate.distance_error),
        ])
    }
}

impl Metric for W2ToMu {
    fn infos(&self) -> Vec<MetricInfo> {
        let mut infos = Vec::new();
        let mut pair = |name: &str, null: Option<&str>| {
            let info = MetricInfo::new(name, Shape::Rate);
            infos.push(match null {
                Some(null) => info.with_null(null, true),
                None => info,
            });
            infos.push(MetricInfo::new(&format!("{name}_error"), Shape::Fraction));
        };
        if self.samples {
            pair("w2_to_mu", Some("w2_to_mu_null"));
            pair("w2_to_mu_null", None);
        }
        if self.atoms {
            pair("w2_atoms_to_mu", None);
        }
        infos
    }

    fn needs_samples(&self) -> bool {
        self.samples
    }

    fn measure(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>> {
        let mut rows = Vec::new();
        if self.samples {
            rows.extend(self.rows(cell, cell.generated, "w2_to_mu", "generated samples", rng)?);
            rows.extend(self.rows(cell, cell.fresh, "w2_to_mu_null", "fresh samples", rng)?);
        }
        if self.atoms {
            rows.extend(self.rows(cell, cell.train, "w2_atoms_to_mu", "training atoms", rng)?);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mangen_geometry::{Embedded, Sphere, rng};
    use mangen_measures::{DensityMeasure, Measure};
    use mangen_scores::KdTree;

    #[test]
    fn each_row_measures_its_own_point_set_with_its_error() {
        // On S²: atoms that are a fresh μ sample sit about as far from μ as the null of the same
        // size; generated points far from μ (all at one point) are much farther, and pushing a
        // point along the normal changes nothing (it is read at π(x̂)).
        let m = Arc::new(Embedded::random(Sphere::new(2, 1.0).unwrap(), 4, 5).unwrap());
        let measure = DensityMeasure::uniform(m.clone());
        let mut stream = rng::seeded(9);
        let train = Arc::new(measure.sample(50, &mut stream));
        let pole = measure.sample(1, &mut stream);
        let generated = Array2::from_shape_fn((40, 4), |(i, j)| {
            pole[[0, j]] * (1.0 + 0.01 * (i % 3) as f64)
                - m.isometry().offset()[j] * 0.01 * (i % 3) as f64
        });
        let fresh = measure.sample(40, &mut stream);
        let index = KdTree::new(train.clone()).unwrap();
        let cell = CellData::for_test(&measure, &train, &index, &generated, &fresh);
        let metric = W2ToMu {
            samples: true,
            atoms: true,
        };
        let rows = metric.measure(&cell, &mut rng::seeded(1)).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.metric.as_str()).collect();
        let infos: Vec<String> = metric.infos().into_iter().map(|i| i.name).collect();
        assert_eq!(names, infos);
        let value = |name: &str| {
            rows.iter()
                .find(|r| r.metric == name)
                .unwrap()
                .value
                .unwrap()
        };
        // One point against uniform S² of radius 1: W2² = E|x − a|² = 2.
        assert!(
            (value("w2_to_mu") - 2f64.sqrt()).abs() < 0.02,
            "{}",
            value("w2_to_mu")
        );
        let (null, atoms) = (value("w2_to_mu_null"), value("w2_atoms_to_mu"));
        assert!(
            null > 0.1 && null < 0.6 && atoms > 0.1 && atoms < 0.6,
            "{null} {atoms}"
        );
        for name in ["w2_to_mu", "w2_to_mu_null", "w2_atoms_to_mu"] {
            let error = value(&format!("{name}_error"));
            assert!(
                error > 0.0 && error < 0.02 * value(name),
                "{name}: ±{error}"
            );
        }
        assert!(
            !W2ToMu {
                samples: false,
                atoms: true
            }
            .needs_samples()
        );
    }
}
