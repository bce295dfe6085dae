//! `w2_to_mu = { samples = true, atoms = false }` and `w1_to_mu = { …, method = "semi-discrete" }`: W_p, chord cost of R^D, of the generated samples (at π(x̂)) and of the training atoms μ_N to μ itself, on any manifold, by semi-discrete transport against streamed draws of μ.
//!
//! No reference sample enters: the estimate's own error is σ/√M over M fresh draws (1024 per
//! atom), not the M^{-1/k} floor of a reference sample, and it is a lower bound of W_p up to
//! that error (mangen_metrics::semi_discrete). For p = 2 the fit of the potentials leaves a gap
//! measured within 1 %; for p = 1 the dual is not smooth and the gap is first order in the
//! last temperature; a third, sharper one brings it to 0.5–2 % of W1 on the circle and 0.1–0.5 %
//! from a finite source on S² (crates/metrics/tests/semi_discrete.rs).
//! `w{p}_to_mu_null` is a fresh μ sample of the generated sample's size through the same
//! estimate: the floor set by the sample's own size. `w{p}_atoms_to_mu` = W_p(μ_N, μ). Each value
//! comes with its standard error as the row `<name>_error`.

use crate::metric::{CellData, Measurement, Metric, MetricInfo, MetricKind, Shape};
use crate::metrics::w1_to_mu::{Method, Targets};
use anyhow::{Context, Result};
use mangen_geometry::rng::StreamRng;
use mangen_metrics::{SemiDiscreteOptions, semi_discrete_transport};
use ndarray::Array2;
use std::sync::Arc;

/// W_p to μ of the samples, the atoms or both, for p = 1 or 2.
#[derive(Debug)]
pub struct SemiDiscreteToMu {
    /// The order p: 1 or 2 (it names the rows `w1_…` or `w2_…`).
    pub order: u8,
    /// Whether the generated samples are measured.
    pub samples: bool,
    /// Whether the training atoms are measured.
    pub atoms: bool,
}

/// `[metrics] w2_to_mu = true` (the samples) or `{ samples = …, atoms = … }`.
pub const KIND: MetricKind = MetricKind {
    key: "w2_to_mu",
    parse: |value| {
        let Some(targets) = Targets::parse(value)? else {
            return Ok(None);
        };
        if targets.method == Some(Method::Circle) {
            return Err(crate::field::FieldError::new(
                "method",
                "W2 to μ is by semi-discrete transport only",
            ));
        }
        Ok(Some(Arc::new(SemiDiscreteToMu {
            order: 2,
            samples: targets.samples,
            atoms: targets.atoms,
        }) as Arc<dyn Metric>))
    },
};

impl SemiDiscreteToMu {
    /// The row name of `what` (`to_mu`, `to_mu_null`, `atoms_to_mu`).
    fn name(&self, what: &str) -> String {
        format!("w{}_{what}", self.order)
    }

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
        let options = SemiDiscreteOptions::new(f64::from(self.order), manifold.intrinsic_dim());
        let mut draw = |m: usize| cell.measure.sample(m, rng);
        let estimate = semi_discrete_transport(on_m.view(), &mut draw, &options)
            .with_context(|| format!("W{} of the {what} to μ", self.order))?;
        Ok([
            Measurement::of(name, estimate.distance),
            Measurement::of(&format!("{name}_error"), estimate.distance_error),
        ])
    }
}

impl Metric for SemiDiscreteToMu {
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
            pair(&self.name("to_mu"), Some(&self.name("to_mu_null")));
            pair(&self.name("to_mu_null"), None);
        }
        if self.atoms {
            pair(&self.name("atoms_to_mu"), None);
        }
        infos
    }

    fn needs_samples(&self) -> bool {
        self.samples
    }

    fn measure(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>> {
        if !self.samples {
            return Ok(Vec::new());
        }
        let value = self.name("to_mu");
        Ok(self
            .rows(cell, cell.generated, &value, "generated samples", rng)?
            .into())
    }

    fn measure_shared(&self, cell: &CellData, rng: &mut StreamRng) -> Result<Vec<Measurement>> {
        let mut rows = Vec::new();
        if self.samples {
            let null = self.name("to_mu_null");
            rows.extend(self.rows(cell, cell.fresh, &null, "fresh samples", rng)?);
        }
        if self.atoms {
            let atoms = self.name("atoms_to_mu");
            rows.extend(self.rows(cell, cell.train, &atoms, "training atoms", rng)?);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::measure_whole;
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
        // One point against uniform S² of radius 1: W2² = E|x − a|² = 2 and W1 = E|x − a| = 4/3
        // (no potential matters with one atom).
        for (order, single) in [(2u8, 2f64.sqrt()), (1, 4.0 / 3.0)] {
            let metric = SemiDiscreteToMu {
                order,
                samples: true,
                atoms: true,
            };
            let rows = measure_whole(&metric, &cell, &rng::seeded(1)).unwrap();
            let names: Vec<&str> = rows.iter().map(|r| r.metric.as_str()).collect();
            let infos: Vec<String> = metric.infos().into_iter().map(|i| i.name).collect();
            assert_eq!(names, infos);
            let value = |what: &str| {
                let name = format!("w{order}_{what}");
                rows.iter()
                    .find(|r| r.metric == name)
                    .unwrap_or_else(|| panic!("no row {name}"))
                    .value
                    .unwrap()
            };
            let far = value("to_mu");
            assert!((far - single).abs() < 0.02, "W{order}: {far}");
            let (null, atoms) = (value("to_mu_null"), value("atoms_to_mu"));
            assert!(
                null > 0.1 && null < 0.6 && atoms > 0.1 && atoms < 0.6,
                "W{order}: {null} {atoms}"
            );
            for what in ["to_mu", "to_mu_null", "atoms_to_mu"] {
                let error = value(&format!("{what}_error"));
                assert!(
                    error > 0.0 && error < 0.02 * value(what),
                    "W{order} {what}: ±{error}"
                );
            }
        }
        assert!(
            !SemiDiscreteToMu {
                order: 2,
                samples: false,
                atoms: true
            }
            .needs_samples()
        );
    }

    #[test]
    fn the_order_and_method_come_from_the_config() {
        let parse = |key: &str, text: &str| {
            let kind = crate::metrics::KINDS.iter().find(|k| k.key == key).unwrap();
            (kind.parse)(&toml::from_str::<toml::Table>(&format!("v = {text}")).unwrap()["v"])
        };
        let names = |metric: Arc<dyn Metric>| -> Vec<String> {
            metric.infos().into_iter().map(|i| i.name).collect()
        };
        let w1 = parse(
            "w1_to_mu",
            r#"{ samples = false, atoms = true, method = "semi-discrete" }"#,
        );
        assert_eq!(
            names(w1.unwrap().unwrap()),
            ["w1_atoms_to_mu", "w1_atoms_to_mu_error"]
        );
        let exact = parse("w1_to_mu", "{ samples = false, atoms = true }");
        assert_eq!(names(exact.unwrap().unwrap()), ["w1_atoms_to_mu"]);
        let w2 = parse("w2_to_mu", "{ samples = false, atoms = true }");
        assert_eq!(
            names(w2.unwrap().unwrap()),
            ["w2_atoms_to_mu", "w2_atoms_to_mu_error"]
        );
        let refused = parse("w2_to_mu", r#"{ atoms = true, method = "circle" }"#).unwrap_err();
        assert_eq!(refused.field, "method");
        let unknown = parse("w1_to_mu", r#"{ method = "sinkhorn" }"#).unwrap_err();
        assert!(unknown.rule.contains("sinkhorn"), "{unknown:?}");
    }
}
