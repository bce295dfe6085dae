//! VE and VP agree through the conversion identity: X_t^{VP} / a_t is X_0 + √τ Z with τ = σ_t² / a_t², so
//! D_VP(x, t) = D_VE(x / a_t, τ) and s_VP(x, t) = s_VE(x / a_t, τ) / a_t, for every built-in score.

use mangen_geometry::{Embedded, Manifold, Sphere, laws, rng};
use mangen_measures::DensityMeasure;
use mangen_scores::{
    Denoiser, EmpiricalScore, GaussianScore, OracleProjection, PopulationScore, ProjectionScore,
    Schedule, Score, Truncation,
};
use ndarray::{Array1, Array2};
use std::sync::Arc;

type Builder = Box<dyn Fn(Schedule) -> Box<dyn Denoiser>>;

fn builders() -> Vec<(&'static str, Builder)> {
    let circle = Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), 4, 1).unwrap());
    let points = Arc::new(circle.sample_uniform(400, &mut rng::seeded(2)));
    let (p1, p2, p3, p4) = (points.clone(), points.clone(), points.clone(), points);
    let (c1, c2) = (circle.clone(), circle);
    vec![
        (
            "empirical dense",
            Box::new(move |s| {
                Box::new(
                    EmpiricalScore::new(p1.clone(), s)
                        .unwrap()
                        .with_truncation(Truncation::Dense)
                        .unwrap(),
                )
            }),
        ),
        (
            "empirical truncated",
            Box::new(move |s| Box::new(EmpiricalScore::new(p2.clone(), s).unwrap())),
        ),
        (
            "smoothed",
            Box::new(move |s| {
                Box::new(
                    EmpiricalScore::new(p3.clone(), s)
                        .unwrap()
                        .with_bandwidth(0.05)
                        .unwrap(),
                )
            }),
        ),
        (
            "projection",
            Box::new(move |s| Box::new(ProjectionScore::new(p4.clone(), s, 2, Some(1)).unwrap())),
        ),
        (
            "oracle",
            Box::new(move |s| Box::new(OracleProjection::new(c1.clone(), s))),
        ),
        (
            "population",
            Box::new(move |s| {
                let measure = Arc::new(DensityMeasure::uniform(c2.clone()));
                Box::new(PopulationScore::quadrature(measure, s).unwrap())
            }),
        ),
        (
            "gaussian",
            Box::new(|s| {
                let covariance = Array2::from_diag(&Array1::from(vec![1.0, 0.5, 0.0, 2.0]));
                Box::new(
                    GaussianScore::new(Array1::from(vec![0.1, 0.2, 0.3, 0.4]), covariance, s)
                        .unwrap(),
                )
            }),
        ),
    ]
}

#[test]
fn ve_and_vp_agree_through_the_conversion_identity() {
    let circle = Embedded::random(Sphere::circle(1.0).unwrap(), 4, 1).unwrap();
    let mut r = rng::seeded(3);
    let queries: Vec<Array1<f64>> = (0..10)
        .map(|_| laws::perturbed_point(&circle, 0.3, &mut r))
        .collect();
    for (name, build) in builders() {
        let ve = build(Schedule::VarianceExploding);
        let vp = build(Schedule::VariancePreserving);
        for t in [1e-6, 1e-3, 0.1, 1.0, 5.0] {
            let (a, var) = Schedule::VariancePreserving.coefficients(t).unwrap();
            let tau = var / (a * a);
            for x in &queries {
                let x_vp = x * a;
                let d_vp = vp.denoise(x_vp.view(), t).unwrap();
                let d_ve = ve.denoise(x.view(), tau).unwrap();
                let gap = (&d_vp - &d_ve).mapv(|v| v * v).sum().sqrt();
                assert!(gap < 1e-8, "{name} t={t}: denoisers differ by {gap:e}");
                let s_vp = Score::score(vp.as_ref(), x_vp.view(), t).unwrap();
                let s_ve = Score::score(ve.as_ref(), x.view(), tau).unwrap() / a;
                let scale = 1.0 + s_ve.dot(&s_ve).sqrt();
                let gap = (&s_vp - &s_ve).mapv(|v| v * v).sum().sqrt();
                assert!(
                    gap < 1e-6 * scale,
                    "{name} t={t}: scores differ by {gap:e} (scale {scale:e})"
                );
            }
        }
    }
}
