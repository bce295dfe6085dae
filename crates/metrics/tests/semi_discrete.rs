//! The semi-discrete W_p estimate against the circle formula, against exact assignment from a finite source, and its rate −1/k on fresh samples of S² and S³.

use mangen_geometry::rng::StreamRng;
use mangen_geometry::{Embedded, Sphere, rng};
use mangen_measures::{ArclengthCdf, DensityMeasure, LinearFeature, Measure, Profile};
use mangen_metrics::assignment::{assignment_cost, optimal_assignment};
use mangen_metrics::{
    FitOptions, GroundDistance, Observation, SemiDiscreteOptions, arclength_positions, fit_slope,
    semi_discrete_transport, w1_on_closed_curve,
};
use mangen_testkit::quantile_by_bisection;
use ndarray::{Array2, Axis};
use rand::RngExt;
use std::f64::consts::PI;
use std::sync::Arc;

fn sphere(k: usize, radius: f64, ambient: usize) -> Arc<Embedded<Sphere>> {
    let sphere = if k == 1 {
        Sphere::circle(radius)
    } else {
        Sphere::new(k, radius)
    };
    Arc::new(Embedded::random(sphere.unwrap(), ambient, 11).unwrap())
}

fn kink_on(m: Arc<Embedded<Sphere>>, slope: f64) -> DensityMeasure {
    let feature = LinearFeature::new(
        m.isometry().frame().column(0).to_owned(),
        m.isometry().offset().clone(),
    )
    .unwrap();
    DensityMeasure::new(m, Profile::Kink { slope }, feature).unwrap()
}

#[test]
fn w1_on_the_circle_is_a_lower_bound_within_five_percent_of_the_circle_formula() {
    // Geodesic cost on a circle of radius 1.3: the exact W1 of the atoms to μ is the circle
    // formula. For p = 1 the estimate is a lower bound (up to its Monte Carlo error) whose gap is
    // first order in the last temperature: measured 0.5 % (n = 30) and 1.9 % (n = 400) with the
    // last blur of p < 2 at 0.03 (3.5 % at both when it ends at 0.1), held to 5 %.
    let radius = 1.3;
    let measure = kink_on(sphere(1, radius, 3), 2.0);
    let law = ArclengthCdf::of(&measure, 1 << 14).unwrap();
    let mut options = SemiDiscreteOptions::new(1.0, 1);
    options.distance = GroundDistance::Arc { radius };
    for (n, seed) in [(1usize, 1u64), (30, 2), (400, 3)] {
        let mut stream = rng::seeded(seed);
        let atoms = measure.sample(n, &mut stream);
        let positions = arclength_positions(measure.manifold(), atoms.view()).unwrap();
        let exact = w1_on_closed_curve(&positions, &law).unwrap();
        let mut draw = |m: usize| measure.sample(m, &mut stream);
        let estimate = semi_discrete_transport(atoms.view(), &mut draw, &options).unwrap();
        let case = format!("W1, n = {n}");
        assert_brackets(
            estimate.distance,
            estimate.distance_error,
            exact,
            0.05,
            &case,
        );
    }
}

/// Exact W_p^p, chord cost, between `atoms` (each of weight 1/n) and the m = r·n rows of
/// `source` (each of weight 1/m), by assignment of r copies of every atom.
fn by_assignment(atoms: &Array2<f64>, source: &Array2<f64>, p: f64) -> f64 {
    let (n, m) = (atoms.nrows(), source.nrows());
    let copies: Vec<usize> = (0..m).map(|i| i % n).collect();
    let cost: Vec<f64> = source
        .outer_iter()
        .flat_map(|x| {
            copies.iter().map(move |&j| {
                let d2: f64 = x
                    .iter()
                    .zip(atoms.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                d2.powf(p / 2.0)
            })
        })
        .collect();
    assignment_cost(m, &cost, &optimal_assignment(m, &cost)) / m as f64
}

/// Asserts that the semi-discrete W_p^p of `atoms` to the uniform law on the rows of `source`
/// (drawn from `stream`) brackets the exact value as [`assert_brackets`] says; `case` names the
/// case in failures.
fn assert_meets_exact_assignment(
    atoms: &Array2<f64>,
    source: &Array2<f64>,
    stream: &mut StreamRng,
    p: f64,
    within: f64,
    case: &str,
) {
    let exact = by_assignment(atoms, source, p);
    let mut draw = |m: usize| {
        let picks: Vec<usize> = (0..m)
            .map(|_| stream.random_range(0..source.nrows()))
            .collect();
        source.select(Axis(0), &picks)
    };
    let estimate =
        semi_discrete_transport(atoms.view(), &mut draw, &SemiDiscreteOptions::new(p, 2)).unwrap();
    assert_brackets(estimate.cost, estimate.cost_error, exact, within, case);
}

/// Asserts that `estimate` (with standard error `error`) lies at most 4 standard errors above
/// `exact` and at most the share `within` (and 4 standard errors) below it: semi-discrete
/// transport's estimate is a lower bound up to its sampling error.
fn assert_brackets(estimate: f64, error: f64, exact: f64, within: f64, case: &str) {
    assert!(
        estimate <= exact + 4.0 * error,
        "{case}: {estimate} exceeds the exact {exact} by more than 4 σ ({error:e})"
    );
    assert!(
        estimate >= (1.0 - within) * exact - 4.0 * error,
        "{case}: {estimate} is {:.2} % below the exact {exact}",
        100.0 * (1.0 - estimate / exact)
    );
}

#[test]
fn from_a_finite_source_w1_and_w2_meet_exact_assignment() {
    // μ uniform on m = 8n points of S² in R^3: the transport is a finite assignment problem, and
    // a discrete μ is the hard case for a solver built on smooth cells (its dual has kinks).
    // W2²: measured 3.3 % (n = 10) and 2.0 % (n = 60) below, held to 5 %; W1 (p = 1, whose
    // dual is not smooth): 0.1 % and 0.5 % below with its last blur at 0.03 (4.0 % and 3.0 %
    // when it ends at 0.1), held to 2 %: a ladder that stops at 0.1 fails it (3.97 % at n = 10).
    let measure = DensityMeasure::uniform(sphere(2, 1.0, 3));
    for (p, within) in [(2.0, 0.05), (1.0, 0.02)] {
        for n in [10usize, 60] {
            let mut stream = rng::seeded(7 + n as u64);
            let atoms = measure.sample(n, &mut stream);
            let source = measure.sample(8 * n, &mut stream);
            assert_meets_exact_assignment(
                &atoms,
                &source,
                &mut stream,
                p,
                within,
                &format!("p = {p}, n = {n}"),
            );
        }
    }
}

#[test]
fn atoms_in_a_plane_meet_exact_assignment_from_a_source_off_it() {
    // The atoms lie on a circle in the plane z = 0 of R^3 and μ is uniform on 480 points of S²:
    // the solver works in the atoms' two span coordinates, and each draw's squared height
    // above their plane adds to its chord to every atom. Held to the tolerances of the case
    // above (W2² 5 %, W1 2 % below the exact value); with the heights dropped, the estimate
    // falls far below it.
    let measure = DensityMeasure::uniform(sphere(2, 1.0, 3));
    let n = 60;
    let mut stream = rng::seeded(11);
    let atoms = Array2::from_shape_fn((n, 3), |(i, j)| {
        let angle = std::f64::consts::TAU * (i as f64 + 0.5 * (i % 3) as f64) / n as f64;
        [0.8 * angle.cos(), 0.8 * angle.sin(), 0.0][j]
    });
    let source = measure.sample(8 * n, &mut stream);
    for (p, within) in [(2.0, 0.05), (1.0, 0.02)] {
        assert_meets_exact_assignment(&atoms, &source, &mut stream, p, within, &format!("p = {p}"));
    }
}

/// W_p^p with geodesic cost on a circle of length L between the sorted positions `a` and `b`
/// (|b| a multiple of |a|): each atom of `a` copied |b|/|a| times, then the best cyclic shift of
/// the sorted matching, which is optimal for a convex function of the arc.
fn on_circle_by_shifts(a: &[f64], b: &[f64], length: f64, p: f64) -> f64 {
    let copies: Vec<f64> = a
        .iter()
        .flat_map(|&x| std::iter::repeat_n(x, b.len() / a.len()))
        .collect();
    let m = b.len();
    (0..m)
        .map(|shift| {
            (0..m)
                .map(|i| {
                    let along = (copies[i] - b[(i + shift) % m]).abs();
                    along.min(length - along).powf(p)
                })
                .sum::<f64>()
                / m as f64
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn w2_on_the_circle_meets_a_fine_quantile_discretization() {
    // Geodesic cost, p = 2: the exact W2 to the m-point quantile discretization μ_m is a best
    // cyclic shift; |W2(ν, μ) − W2(ν, μ_m)| ≤ W2(μ_m, μ) ≤ `slack`. The gap is held to 2 %.
    let radius = 1.3;
    let measure = kink_on(sphere(1, radius, 3), 2.0);
    let law = ArclengthCdf::of(&measure, 1 << 14).unwrap();
    let length = law.length();
    let m = 16_000;
    let quantiles: Vec<f64> = (0..m)
        .map(|i| {
            let u = (i as f64 + 0.5) / m as f64;
            quantile_by_bisection(|s| law.value(s), u, 0.0, length)
        })
        .collect();
    let mut options = SemiDiscreteOptions::new(2.0, 1);
    options.distance = GroundDistance::Arc { radius };
    // Each quantile carries the mass of an arc no longer than r(2π + 4ar)/m (the density per
    // unit length is at least 1/(r(2π + 4ar))), so W2(μ_m, μ) ≤ half that.
    let slack = radius * (2.0 * PI + 4.0 * 2.0 * radius) / (2.0 * m as f64);
    for (n, seed) in [(32usize, 12u64), (400, 13)] {
        let mut stream = rng::seeded(seed);
        let atoms = measure.sample(n, &mut stream);
        let mut positions = arclength_positions(measure.manifold(), atoms.view()).unwrap();
        positions.sort_by(f64::total_cmp);
        let exact = on_circle_by_shifts(&positions, &quantiles, length, 2.0).sqrt();
        let mut draw = |m: usize| measure.sample(m, &mut stream);
        let estimate = semi_discrete_transport(atoms.view(), &mut draw, &options).unwrap();
        let error = estimate.distance_error;
        assert!(
            (estimate.distance - exact).abs() <= 0.02 * exact + slack + 4.0 * error,
            "n = {n}: {} against {exact} (slack {slack:e}, σ {error:e})",
            estimate.distance
        );
    }
}

#[test]
fn on_fresh_samples_w2_falls_like_the_intrinsic_dimension_says() {
    // W2(μ_n, μ) ~ n^{-1/k} for k ≥ 3 and √(log n / n) for k = 2 (local slope −1/2 + 1/(2 ln n),
    // about −0.42 over n = 16…1024). Two decades of n, two seeds each. A solver that ignored the
    // dimension or saturated at a floor would give a slope near 0 or the wrong order.
    for (k, expected, window) in [(2usize, -0.42, 0.08), (3, -1.0 / 3.0, 0.08)] {
        let measure = DensityMeasure::uniform(sphere(k, 1.0, k + 2));
        let mut observations = Vec::new();
        for n in [16usize, 64, 256, 1024] {
            for seed in 0..2u64 {
                let mut stream = rng::seeded(1000 * k as u64 + 10 * n as u64 + seed);
                let atoms = measure.sample(n, &mut stream);
                let mut draw = |m: usize| measure.sample(m, &mut stream);
                let estimate = semi_discrete_transport(
                    atoms.view(),
                    &mut draw,
                    &SemiDiscreteOptions::new(2.0, k),
                )
                .unwrap();
                observations.push(Observation {
                    n: n as f64,
                    value: estimate.distance,
                });
            }
        }
        let fit = fit_slope(&observations, &FitOptions::default()).unwrap();
        assert!(
            (fit.slope - expected).abs() <= window,
            "k = {k}: slope {} against {expected} ± {window}",
            fit.slope
        );
    }
}

#[test]
fn bad_input_is_refused_with_its_name() {
    let measure = DensityMeasure::uniform(sphere(2, 1.0, 3));
    let mut stream = rng::seeded(3);
    let atoms = measure.sample(20, &mut stream);
    let mut draw = |m: usize| measure.sample(m, &mut stream);
    let mut options = SemiDiscreteOptions::new(0.5, 2);
    let err = semi_discrete_transport(atoms.view(), &mut draw, &options).unwrap_err();
    assert!(err.to_string().contains("order"), "{err}");
    options.order = 2.0;
    options.newton_steps = 0;
    let err = semi_discrete_transport(atoms.view(), &mut draw, &options).unwrap_err();
    assert!(err.to_string().contains("newton_steps"), "{err}");
    options = SemiDiscreteOptions::new(2.0, 2);
    let mut nan = atoms.clone();
    nan[[4, 1]] = f64::NAN;
    let err = semi_discrete_transport(nan.view(), &mut draw, &options).unwrap_err();
    assert!(err.to_string().contains("atoms` row 4"), "{err}");
    let empty = Array2::<f64>::zeros((0, 3));
    let err = semi_discrete_transport(empty.view(), &mut draw, &options).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    let mut flat = |m: usize| Array2::<f64>::zeros((m, 2));
    let err = semi_discrete_transport(atoms.view(), &mut flat, &options).unwrap_err();
    assert!(
        err.to_string().contains("draws of μ") && err.to_string().contains("dimension"),
        "{err}"
    );
}

#[test]
fn the_estimate_is_the_same_on_any_number_of_threads() {
    // Every parallel sum (soft masses, the Hessian's product, the estimate) is formed in fixed
    // blocks and added in order: one, two and three threads give the same bits.
    let measure = DensityMeasure::uniform(sphere(2, 1.0, 4));
    let estimate_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut stream = rng::seeded(31);
            let atoms = measure.sample(300, &mut stream);
            let mut draw = |m: usize| measure.sample(m, &mut stream);
            semi_discrete_transport(atoms.view(), &mut draw, &SemiDiscreteOptions::new(1.0, 2))
                .unwrap()
        })
    };
    let one = estimate_on(1);
    for threads in [2, 3] {
        let other = estimate_on(threads);
        assert_eq!(
            (other.cost.to_bits(), other.cost_error.to_bits()),
            (one.cost.to_bits(), one.cost_error.to_bits()),
            "{threads} threads"
        );
        assert_eq!(other.potentials, one.potentials, "{threads} threads");
    }
}
