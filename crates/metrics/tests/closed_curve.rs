//! The circle formula for W1 on closed curves: the closed form of equispaced atoms, exact assignment with geodesic costs, a fine quantile discretization of the kink, and the laws of a metric.

use mangen_geometry::{Embedded, Manifold, Sphere};
use mangen_measures::{ArclengthCdf, DensityMeasure, LinearFeature, Profile};
use mangen_metrics::assignment::{assignment_cost, optimal_assignment};
use mangen_metrics::{arclength_positions, w1_between_on_closed_curve, w1_on_closed_curve};
use mangen_testkit::quantile_by_bisection;
use ndarray::Array2;
use proptest::prelude::*;
use std::f64::consts::{FRAC_PI_2, PI};
use std::sync::Arc;

fn circle(radius: f64) -> Arc<Embedded<Sphere>> {
    Arc::new(Embedded::random(Sphere::circle(radius).unwrap(), 4, 3).unwrap())
}

/// Exact W1 with geodesic cost between equal-size position sets, by assignment.
fn by_assignment(a: &[f64], b: &[f64], length: f64) -> f64 {
    let n = a.len();
    let cost: Vec<f64> = a
        .iter()
        .flat_map(|x| {
            b.iter().map(move |y| {
                let along = (x - y).abs();
                along.min(length - along)
            })
        })
        .collect();
    assignment_cost(n, &cost, &optimal_assignment(n, &cost)) / n as f64
}

#[test]
fn equispaced_atoms_lie_l_over_4n_from_the_uniform_law() {
    // Each of n equispaced atoms takes the arc of length L/n around it: W1 = n·2∫_0^{L/2n} s ds/L.
    let radius = 1.7;
    let law = ArclengthCdf::of(&DensityMeasure::uniform(circle(radius)), 1000).unwrap();
    let length = law.length();
    for n in [1, 3, 10, 999, 5000] {
        for phase in [0.0, 0.123, 0.5, 0.999] {
            let positions: Vec<f64> = (0..n)
                .map(|i| ((i as f64 + phase) * length / n as f64) % length)
                .collect();
            let w1 = w1_on_closed_curve(&positions, &law).unwrap();
            let expected = length / (4.0 * n as f64);
            assert!(
                (w1 - expected).abs() <= 1e-11 * length,
                "n = {n}, phase {phase}: {w1} against {expected}"
            );
        }
    }
}

/// The kink 1 + a|u| on the circle of radius R (u the first coordinate of its plane), its CDF
/// in closed form along arclength, and its quantile by bisection.
struct Kink {
    radius: f64,
    slope: f64,
}

impl Kink {
    fn measure(&self) -> DensityMeasure {
        let m = circle(self.radius);
        let feature = LinearFeature::new(
            m.isometry().frame().column(0).to_owned(),
            m.isometry().offset().clone(),
        )
        .unwrap();
        let profile = Profile::Kink { slope: self.slope };
        DensityMeasure::new(m, profile, feature).unwrap()
    }

    fn cdf(&self, s: f64) -> f64 {
        let theta = s / self.radius;
        let abs_cos = if theta <= FRAC_PI_2 {
            theta.sin()
        } else if theta <= 3.0 * FRAC_PI_2 {
            2.0 - theta.sin()
        } else {
            4.0 + theta.sin()
        };
        let (a, r) = (self.slope, self.radius);
        (theta + a * r * abs_cos) / (2.0 * PI + 4.0 * a * r)
    }

    fn quantile(&self, u: f64) -> f64 {
        quantile_by_bisection(|s| self.cdf(s), u, 0.0, 2.0 * PI * self.radius)
    }
}

#[test]
fn a_sample_against_the_kink_agrees_with_a_fine_quantile_discretization() {
    // The m midpoint quantiles of μ lie within L/(2m) of μ in W1 (each carries the mass of an
    // arc that holds it), so by the triangle inequality W1(ν, μ) and W1(ν, μ_m) differ by at
    // most that plus the table's own error.
    let kink = Kink {
        radius: 1.2,
        slope: 3.0,
    };
    let law = ArclengthCdf::of(&kink.measure(), 1 << 14).unwrap();
    let length = law.length();
    let m = 400_000;
    let quantiles: Vec<f64> = (0..m)
        .map(|i| kink.quantile((i as f64 + 0.5) / m as f64))
        .collect();
    let slack = length / (2.0 * m as f64) + law.interpolation_bound() + 1e-9;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for n in [1usize, 7, 50, 2000] {
        let positions: Vec<f64> = (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64 * length
            })
            .collect();
        let continuous = w1_on_closed_curve(&positions, &law).unwrap();
        let discrete = w1_between_on_closed_curve(&positions, &quantiles, length).unwrap();
        assert!(
            (continuous - discrete).abs() <= slack,
            "n = {n}: {continuous} against {discrete} (slack {slack:e})"
        );
    }
}

#[test]
fn generated_points_enter_at_their_projection() {
    // Points off the circle are read at π(x): pushing them along the normal changes nothing.
    let m = circle(1.0);
    let on = m.sample_uniform(300, &mut mangen_geometry::rng::seeded(5));
    let off = Array2::from_shape_fn(on.dim(), |(i, j)| on[[i, j]] * (1.0 + 0.1 * (i % 5) as f64));
    let law = ArclengthCdf::of(&DensityMeasure::uniform(m.clone()), 256).unwrap();
    let at = |points: &Array2<f64>| {
        let positions = arclength_positions(m.as_ref(), points.view()).unwrap();
        w1_on_closed_curve(&positions, &law).unwrap()
    };
    assert!((at(&on) - at(&off)).abs() < 1e-12);
}

#[test]
fn bad_input_is_refused_with_the_rule() {
    let law = ArclengthCdf::of(&DensityMeasure::uniform(circle(1.0)), 64).unwrap();
    let length = law.length();
    for (positions, words) in [
        (vec![], "empty"),
        (vec![0.1, f64::NAN], "not finite"),
        (vec![0.1, length + 0.5], "[0, L]"),
        (vec![-0.1], "[0, L]"),
    ] {
        let err = w1_on_closed_curve(&positions, &law)
            .unwrap_err()
            .to_string();
        assert!(err.contains(words), "{err}");
    }
    let err = w1_between_on_closed_curve(&[0.1], &[0.2], 0.0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("length"), "{err}");
    let sphere = Embedded::random(Sphere::new(2, 1.0).unwrap(), 3, 1).unwrap();
    let err = arclength_positions(&sphere, Array2::zeros((2, 3)).view()).unwrap_err();
    assert!(err.to_string().contains("arclength chart"), "{err}");
}

fn positions(length: f64, max: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.0..length, 1..max)
}

proptest! {
    #[test]
    fn two_samples_agree_with_assignment_on_geodesic_costs(
        a in positions(3.0, 25), seed in any::<u64>(),
    ) {
        let length = 3.0;
        let b: Vec<f64> = a.iter().enumerate()
            .map(|(i, _)| ((seed.rotate_left(7 * i as u32) % 1_000_000) as f64 / 1e6) * length)
            .collect();
        let formula = w1_between_on_closed_curve(&a, &b, length).unwrap();
        let exact = by_assignment(&a, &b, length);
        prop_assert!((formula - exact).abs() <= 1e-12 * (1.0 + exact), "{formula} against {exact}");
    }

    #[test]
    fn unequal_sizes_agree_with_assignment_on_replicated_atoms(
        a in positions(2.0, 6), b in positions(2.0, 7),
    ) {
        // ν_a with n atoms equals each atom repeated m times, ν_b each repeated n times.
        let repeat = |xs: &[f64], times: usize| -> Vec<f64> {
            xs.iter().flat_map(|&x| std::iter::repeat_n(x, times)).collect()
        };
        let (ra, rb) = (repeat(&a, b.len()), repeat(&b, a.len()));
        let formula = w1_between_on_closed_curve(&a, &b, 2.0).unwrap();
        let exact = by_assignment(&ra, &rb, 2.0);
        prop_assert!((formula - exact).abs() <= 1e-12 * (1.0 + exact), "{formula} against {exact}");
    }

    #[test]
    fn the_distance_to_the_uniform_law_is_rotation_invariant(a in positions(2.0 * PI, 40), shift in 0.0..2.0 * PI) {
        let law = ArclengthCdf::of(&DensityMeasure::uniform(circle(1.0)), 97).unwrap();
        let length = law.length();
        let moved: Vec<f64> = a.iter().map(|s| (s + shift) % length).collect();
        let (before, after) = (w1_on_closed_curve(&a, &law).unwrap(), w1_on_closed_curve(&moved, &law).unwrap());
        prop_assert!((before - after).abs() <= 1e-12, "{before} then {after}");
    }

    #[test]
    fn the_circle_formula_is_a_metric(a in positions(1.0, 12), b in positions(1.0, 12), c in positions(1.0, 12)) {
        let w = |x: &[f64], y: &[f64]| w1_between_on_closed_curve(x, y, 1.0).unwrap();
        prop_assert!(w(&a, &a) <= 1e-15);
        prop_assert!((w(&a, &b) - w(&b, &a)).abs() <= 1e-15);
        prop_assert!(w(&a, &c) <= w(&a, &b) + w(&b, &c) + 1e-12);
        // No law is further than L/2 from another (every point is within L/2 of every other).
        prop_assert!(w(&a, &b) <= 0.5);
    }
}
