//! Property tests: every built-in manifold, in several ambient dimensions, obeys the laws of `mangen_geometry::laws`.

mod common;

use mangen_geometry::{Manifold, euclidean, laws, rng};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_manifold_obeys_every_law(seed in any::<u64>(), ambient in prop::sample::select(vec![2usize, 3, 4, 7, 12, 40])) {
        for m in common::all_manifolds(ambient, seed) {
            let spread = 0.5 * m.reach().expect("built-ins know their reach");
            let mut rng = rng::seeded(seed ^ 0xA5A5);
            prop_assert!(laws::check_all_laws(m.as_ref(), 8, spread, 1e-9, &mut rng).is_ok(),
                "{:?}", laws::check_all_laws(m.as_ref(), 8, spread, 1e-9, &mut rng::seeded(seed ^ 0xA5A5)));
        }
    }

    #[test]
    fn distance_to_manifold_is_one_lipschitz(seed in any::<u64>(), step in 1e-6f64..0.3) {
        // |d(x, M) − d(y, M)| ≤ |x − y| holds for every x and y, inside the reach or not.
        for m in common::all_manifolds(5, seed) {
            let mut rng = rng::seeded(seed);
            let x = laws::perturbed_point(m.as_ref(), 2.0, &mut rng);
            let y = laws::perturbed_point(m.as_ref(), 2.0, &mut rng);
            let y = &x + &((&y - &x) * (step / euclidean(x.view(), y.view()).max(1e-12)));
            let gap = (m.distance_to(x.view()).unwrap() - m.distance_to(y.view()).unwrap()).abs();
            prop_assert!(gap <= euclidean(x.view(), y.view()) + 1e-12, "{}: gap {gap}", m.name());
        }
    }
}

#[test]
fn geodesic_distances_have_closed_forms_at_antipodes() {
    use mangen_geometry::{Embedded, FlatTorus, Sphere};
    let sphere = Embedded::random(Sphere::new(2, 2.0).unwrap(), 6, 3).unwrap();
    let p = sphere
        .sample_uniform(1, &mut rng::seeded(1))
        .row(0)
        .to_owned();
    let antipode = sphere.isometry().offset() * 2.0 - &p;
    assert!(
        (sphere.geodesic_distance(p.view(), antipode.view()).unwrap() - 2.0 * std::f64::consts::PI)
            .abs()
            < 1e-9
    );
    let torus = Embedded::random(FlatTorus::new(vec![1.0, 3.0]).unwrap(), 4, 3).unwrap();
    let iso = torus.isometry();
    let a = iso.embed(ndarray::array![1.0, 0.0, 3.0, 0.0].view());
    let b = iso.embed(ndarray::array![-1.0, 0.0, 0.0, 3.0].view());
    let expected =
        (std::f64::consts::PI.powi(2) + (3.0 * std::f64::consts::FRAC_PI_2).powi(2)).sqrt();
    assert!((torus.geodesic_distance(a.view(), b.view()).unwrap() - expected).abs() < 1e-12);
}

#[test]
fn curve_geodesic_is_additive_along_the_curve() {
    use mangen_geometry::{Embedded, PolarCurve};
    let curve = PolarCurve::new(1.0, 0.4, 3.5).unwrap();
    let length = curve.length();
    let m = Embedded::random(curve, 3, 9).unwrap();
    let iso = m.isometry().clone();
    let at = |theta: f64| {
        m.project(
            iso.embed(ndarray::array![theta.cos(), theta.sin()].view())
                .view(),
        )
        .unwrap()
    };
    let (a, b, c) = (at(0.1), at(0.9), at(1.7));
    let ab = m.geodesic_distance(a.view(), b.view()).unwrap();
    let bc = m.geodesic_distance(b.view(), c.view()).unwrap();
    let ac = m.geodesic_distance(a.view(), c.view()).unwrap();
    assert!((ab + bc - ac).abs() < 1e-10, "{ab} + {bc} vs {ac}");
    assert!(ac < length / 2.0);
}
