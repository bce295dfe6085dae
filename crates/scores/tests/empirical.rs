//! The empirical and smoothed scores: truncation within its certified bound, the limits t → 0 and
//! t → ∞, closed forms for one training point, and convergence to the Gaussian closed form.

use mangen_geometry::{Embedded, Manifold, Sphere, laws, rng};
use mangen_scores::{
    Denoiser, EmpiricalScore, GaussianScore, NeighbourIndex, Schedule, Score, ScoreModel,
    SearchPath, Truncation,
};
use ndarray::{Array1, Array2};
use proptest::prelude::*;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

const SCHEDULES: [Schedule; 2] = [Schedule::VarianceExploding, Schedule::VariancePreserving];

fn sphere_data(n: usize, ambient: usize, seed: u64) -> (Embedded<Sphere>, Arc<Array2<f64>>) {
    let sphere = Embedded::random(Sphere::new(2, 1.0).unwrap(), ambient, seed).unwrap();
    let points = sphere.sample_uniform(n, &mut rng::seeded(seed + 1));
    (sphere, Arc::new(points))
}

/// [`sphere_data`] moved off its 3-dimensional span by N(0, 1e-14) noise in every coordinate.
fn off_span_sphere_data(n: usize, seed: u64) -> (Embedded<Sphere>, Arc<Array2<f64>>) {
    let (sphere, points) = sphere_data(n, 10, seed);
    let mut r = rng::seeded(seed + 1);
    let noisy = points.mapv(|v| {
        v + 1e-7 * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
    });
    (sphere, Arc::new(noisy))
}

fn distance(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    (a - b).mapv(|v| v * v).sum().sqrt()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// |D_truncated − D_dense| ≤ the returned bound (plus rounding), for t over ten decades.
    #[test]
    fn truncation_stays_within_its_certified_bound(
        seed in 0u64..1000, log_t in -6.0f64..4.0, eps_exp in 1.0f64..12.0,
        bandwidth in prop_oneof![Just(0.0), 0.01f64..0.3], vp in any::<bool>(), offset in 0.0f64..0.5,
    ) {
        let (sphere, points) = sphere_data(600, 10, seed);
        let schedule = SCHEDULES[usize::from(vp)];
        let eps = 10f64.powf(-eps_exp);
        let truncated = EmpiricalScore::new(points.clone(), schedule).unwrap()
            .with_bandwidth(bandwidth).unwrap()
            .with_truncation(Truncation::Certified { eps }).unwrap();
        let dense = EmpiricalScore::new(points, schedule).unwrap()
            .with_bandwidth(bandwidth).unwrap()
            .with_truncation(Truncation::Dense).unwrap();
        prop_assert_eq!(truncated.index().path(), SearchPath::KdTree { span_dim: 3 });
        let t = 10f64.powf(log_t);
        let x = laws::perturbed_point(&sphere, offset, &mut rng::seeded(seed + 2));
        let approximate = truncated.denoise_estimate(x.view(), t).unwrap();
        let exact = dense.denoise_estimate(x.view(), t).unwrap();
        prop_assert_eq!(exact.error_bound, 0.0);
        let gap = distance(&approximate.value, &exact.value);
        prop_assert!(gap <= approximate.error_bound + 1e-12, "gap {gap:e} > bound {:e}", approximate.error_bound);
        prop_assert!(approximate.error_bound <= eps * 3.0, "the bound is at most ε·(|m − c| + R) ≤ 3ε here");
    }
}

#[test]
fn tiny_times_point_at_the_nearest_training_point() {
    let (sphere, points) = sphere_data(2000, 10, 3);
    let mut r = rng::seeded(4);
    for schedule in SCHEDULES {
        let score = EmpiricalScore::new(points.clone(), schedule).unwrap();
        for _ in 0..20 {
            let x = laws::perturbed_point(&sphere, 0.3, &mut r);
            let nearest = score.index().k_nearest(x.view(), 1).unwrap()[0].index;
            let target = points.row(nearest).to_owned();
            let denoised = score.denoise(x.view(), 1e-10).unwrap();
            assert!(distance(&denoised, &target) < 1e-12, "{schedule:?}");
            let s = Score::score(&score, x.view(), 1e-10).unwrap();
            assert!(s.iter().all(|v| v.is_finite()));
            let direction = (&target * (-1e-10f64).exp() - &x) / distance(&target, &x);
            let cosine = s.dot(&direction) / s.dot(&s).sqrt();
            assert!(
                cosine > 1.0 - 1e-9,
                "score points at x_nearest: cos = {cosine}"
            );
        }
    }
}

#[test]
fn huge_times_give_the_training_mean_without_overflow() {
    let (sphere, points) = sphere_data(500, 10, 5);
    let mean = points.mean_axis(ndarray::Axis(0)).unwrap();
    let x = laws::perturbed_point(&sphere, 2.0, &mut rng::seeded(6)) * 50.0;
    for schedule in SCHEDULES {
        for truncation in [Truncation::Dense, Truncation::default()] {
            let score = EmpiricalScore::new(points.clone(), schedule)
                .unwrap()
                .with_truncation(truncation)
                .unwrap();
            for t in [1e3, 1e4] {
                let denoised = score.denoise(x.view(), t).unwrap();
                let s = Score::score(&score, x.view(), t).unwrap();
                assert!(s.iter().chain(&denoised).all(|v| v.is_finite()));
                // VE: the weights differ by factors within exp(±2|x|R/t) (R = 1 here), so the
                // average moves from the mean by at most about 2R·(2|x|/t).
                let tolerance = if schedule == Schedule::VariancePreserving {
                    1e-12
                } else {
                    4.0 * x.dot(&x).sqrt() / t
                };
                assert!(
                    distance(&denoised, &mean) < tolerance,
                    "{schedule:?} t={t}: {}",
                    distance(&denoised, &mean)
                );
            }
        }
    }
}

/// One training point x_1 smoothed by h is N(x_1, h² I): its score is the Gaussian closed form.
#[test]
fn one_smoothed_point_is_a_gaussian() {
    let centre = Array1::from(vec![0.5, -1.0, 2.0]);
    let points = Arc::new(centre.clone().insert_axis(ndarray::Axis(0)));
    for schedule in SCHEDULES {
        for h in [0.0, 0.1, 1.0] {
            let smoothed = EmpiricalScore::new(points.clone(), schedule)
                .unwrap()
                .with_bandwidth(h)
                .unwrap();
            let gaussian =
                GaussianScore::new(centre.clone(), Array2::eye(3) * (h * h), schedule).unwrap();
            for t in [1e-8, 1e-3, 0.5, 7.0] {
                let x = Array1::from(vec![1.0, 0.0, -0.3]);
                let a = Score::score(&smoothed, x.view(), t).unwrap();
                let b = Score::score(&gaussian, x.view(), t).unwrap();
                assert!(
                    distance(&a, &b) <= 1e-9 * (1.0 + b.dot(&b).sqrt()),
                    "{schedule:?} h={h} t={t}: {a} vs {b}"
                );
                // The denoiser too: E[X0 | Xt = x] = x1 + a h²/(a² h² + σ²)·(x − a x1).
                let (alpha, noise_var) = schedule.coefficients(t).unwrap();
                let gain = alpha * h * h / (alpha * alpha * h * h + noise_var);
                let expected = &centre + &((&x - &(&centre * alpha)) * gain);
                let denoised = smoothed.denoise(x.view(), t).unwrap();
                assert!(
                    distance(&denoised, &expected) <= 1e-9 * (1.0 + expected.dot(&expected).sqrt()),
                    "{schedule:?} h={h} t={t}: D = {denoised} vs {expected}"
                );
            }
        }
    }
}

/// The empirical score of N draws of N(m, Σ) tends to the closed form at rate N^{-1/2}: the mean
/// error over fixed queries, averaged over seeds, must fall with a log–log slope in [−0.75, −0.3]
/// (the statistical expectation is −0.5; the interval is about four standard errors wide).
#[test]
fn gaussian_samples_converge_to_the_closed_form() {
    let dim = 3;
    let mean = Array1::from(vec![1.0, -0.5, 0.25]);
    let factor = Array2::from_shape_vec(
        (dim, dim),
        vec![1.0, 0.0, 0.0, 0.4, 0.8, 0.0, -0.3, 0.2, 0.5],
    )
    .unwrap();
    let covariance = factor.dot(&factor.t());
    let t = 0.5;
    let queries: Vec<Array1<f64>> = (0..16)
        .map(|i| {
            let angle = i as f64;
            Array1::from(vec![angle.cos(), angle.sin(), 0.1 * angle - 0.75]) * 1.5 + &mean
        })
        .collect();
    let sizes = [250usize, 1000, 4000, 16000];
    let mut errors = Vec::new();
    for &n in &sizes {
        let mut total = 0.0;
        let seeds = 8;
        for seed in 0..seeds {
            let mut r = rng::stream(77, seed * 1000 + n as u64);
            let noise = Array2::from_shape_fn((n, dim), |_| StandardNormal.sample(&mut r));
            let points = noise.dot(&factor.t()) + &mean;
            for schedule in SCHEDULES {
                let exact = GaussianScore::new(mean.clone(), covariance.clone(), schedule).unwrap();
                let empirical = EmpiricalScore::new(Arc::new(points.clone()), schedule).unwrap();
                for x in &queries {
                    let d_n = empirical.denoise(x.view(), t).unwrap();
                    let d = exact.denoise(x.view(), t).unwrap();
                    total += distance(&d_n, &d);
                }
            }
        }
        errors.push(total / (seeds as f64 * 2.0 * queries.len() as f64));
    }
    let xs: Vec<f64> = sizes.iter().map(|&n| (n as f64).ln()).collect();
    let ys: Vec<f64> = errors.iter().map(|e| e.ln()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / 4.0, ys.iter().sum::<f64>() / 4.0);
    let slope = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / xs.iter().map(|x| (x - mx) * (x - mx)).sum::<f64>();
    assert!(
        (-0.75..=-0.3).contains(&slope),
        "slope {slope}, errors {errors:?}"
    );
    assert!(errors[3] < errors[0] / 4.0, "errors {errors:?}");
}

#[test]
fn full_rank_data_fall_back_to_a_scan_and_stay_exact() {
    let mut r = rng::seeded(9);
    let points = Arc::new(Array2::from_shape_fn((400, 12), |_| {
        StandardNormal.sample(&mut r)
    }));
    let truncated = EmpiricalScore::new(points.clone(), Schedule::VarianceExploding).unwrap();
    assert_eq!(
        truncated.index().path(),
        SearchPath::BruteForce { span_dim: 12 }
    );
    let dense = EmpiricalScore::new(points, Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Dense)
        .unwrap();
    let x = Array1::from_elem(12, 0.3);
    for t in [1e-4, 1e-2, 1.0] {
        let a = truncated.denoise_estimate(x.view(), t).unwrap();
        let b = dense.denoise(x.view(), t).unwrap();
        assert!(distance(&a.value, &b) <= a.error_bound + 1e-12);
    }
}

/// Points 1e-7 off their 3-dimensional span: the tree still runs, and where measuring distances
/// in the span would cost more than the tolerance the score sums in ambient coordinates; either
/// way it stays within its bound of the dense score.
#[test]
fn slightly_off_span_data_stay_within_the_bound() {
    let (sphere, noisy) = off_span_sphere_data(500, 4);
    let truncated = EmpiricalScore::new(noisy.clone(), Schedule::VarianceExploding).unwrap();
    assert_eq!(truncated.index().path(), SearchPath::KdTree { span_dim: 3 });
    assert!(truncated.index().residual_max() > 1e-8);
    let dense = EmpiricalScore::new(noisy, Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Dense)
        .unwrap();
    for (i, t) in [1e-8, 1e-5, 1e-3, 1e-1, 10.0].into_iter().enumerate() {
        let x = laws::perturbed_point(&sphere, 0.2, &mut rng::seeded(20 + i as u64));
        let a = truncated.denoise_estimate(x.view(), t).unwrap();
        let b = dense.denoise(x.view(), t).unwrap();
        let gap = distance(&a.value, &b);
        assert!(
            gap <= a.error_bound + 1e-12,
            "t = {t}: gap {gap:e} > bound {:e}",
            a.error_bound
        );
        assert!(a.error_bound <= 3.0 * Truncation::DEFAULT_EPS, "t = {t}");
    }
}

/// Points 1e-7 off their 3-dimensional span with ε = 1e-6: at t ≥ 0.1 the distortion of measuring
/// distances in the span, ρ + (e^{δ/var} − 1)·R, fits the tolerance, so the span path runs and adds
/// it to the tree's bound. There the other path would sum densely and report a bound of 0, so a
/// bound of at least the largest residual ρ shows the distortion was added; the gap to the dense
/// score stays within it.
#[test]
fn off_span_data_take_the_span_path_with_its_distortion_in_the_bound() {
    let (sphere, noisy) = off_span_sphere_data(500, 6);
    let eps = 1e-6;
    let truncated = EmpiricalScore::new(noisy.clone(), Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Certified { eps })
        .unwrap();
    let residual = truncated.index().residual_max();
    assert!(residual > 1e-7 && residual < 1e-6, "ρ = {residual:e}");
    let dense = EmpiricalScore::new(noisy, Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Dense)
        .unwrap();
    for (i, t) in [0.1, 1.0, 10.0].into_iter().enumerate() {
        let x = laws::perturbed_point(&sphere, 0.1, &mut rng::seeded(30 + i as u64));
        let a = truncated.denoise_estimate(x.view(), t).unwrap();
        let b = dense.denoise(x.view(), t).unwrap();
        let gap = distance(&a.value, &b);
        assert!(
            a.error_bound >= residual,
            "t = {t}: bound {:e} < ρ = {residual:e}: the span path did not run or left out its distortion",
            a.error_bound
        );
        assert!(
            gap <= a.error_bound + 1e-12 && a.error_bound <= 3.0 * eps,
            "t = {t}: gap {gap:e}, bound {:e}",
            a.error_bound
        );
    }
}

#[test]
fn the_getters_report_the_settings() {
    let (_, points) = sphere_data(50, 10, 40);
    let score = EmpiricalScore::new(points, Schedule::VarianceExploding).unwrap();
    assert_eq!(score.bandwidth(), 0.0);
    assert_eq!(
        score.truncation(),
        Truncation::Certified {
            eps: Truncation::DEFAULT_EPS
        }
    );
    let score = score
        .with_bandwidth(0.3)
        .unwrap()
        .with_truncation(Truncation::Dense)
        .unwrap();
    assert_eq!(score.bandwidth(), 0.3);
    assert_eq!(score.truncation(), Truncation::Dense);
    let score = score
        .with_truncation(Truncation::Certified { eps: 1e-3 })
        .unwrap();
    assert_eq!(score.truncation(), Truncation::Certified { eps: 1e-3 });
    assert_eq!(score.name(), "smoothed(h=0.3)");
    let (_, points) = sphere_data(50, 10, 41);
    let memorizer = EmpiricalScore::new(points, Schedule::VarianceExploding).unwrap();
    assert_eq!(memorizer.name(), "empirical");
    assert_eq!(memorizer.schedule(), Schedule::VarianceExploding);
    let (_, points) = sphere_data(50, 10, 42);
    let vp = EmpiricalScore::new(points, Schedule::VariancePreserving).unwrap();
    assert_eq!(vp.schedule(), Schedule::VariancePreserving);
}

/// The softmax average over `points` at query x and time t, by brute force in one pass over
/// the exponents: the oracle of the early exit.
fn brute_force_average(
    points: &Array2<f64>,
    x: &Array1<f64>,
    schedule: Schedule,
    t: f64,
) -> Array1<f64> {
    let (a, noise_var) = schedule.coefficients(t).unwrap();
    let q = x / a;
    let var = noise_var / (a * a);
    let exponents: Vec<f64> = points
        .rows()
        .into_iter()
        .map(|p| (&q - &p).mapv(|v| v * v).sum())
        .collect();
    let least = exponents.iter().copied().fold(f64::INFINITY, f64::min);
    let weights: Vec<f64> = exponents
        .iter()
        .map(|e| (-(e - least) / (2.0 * var)).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let mut sum = Array1::zeros(points.ncols());
    for (w, p) in weights.iter().zip(points.rows()) {
        sum.scaled_add(*w, &p);
    }
    sum / total
}

/// A quarter circle of n points, radius `radius`, in the plane.
fn quarter_arc(n: usize, radius: f64) -> Arc<Array2<f64>> {
    Arc::new(Array2::from_shape_fn((n, 2), |(i, j)| {
        let angle = std::f64::consts::FRAC_PI_2 * i as f64 / (n - 1) as f64;
        radius * if j == 0 { angle.cos() } else { angle.sin() }
    }))
}

/// The memorizer returns the training points' centre without summing only where every weight
/// is the same to double precision: the exponents' range 2aR(|x − a c| + aR)/var below 1e-17.
/// Each case puts the true range between 1e-12 and 1e-8, where the softmax average is measurably
/// off the centre, in a configuration (large spread R, far query, query at the centre, small R
/// with the query one unit off) where a wrong factor in the range would send it below 1e-17; and
/// at t = 1e-20 the average is the nearest training point, not the centre.
#[test]
fn the_early_exit_is_taken_only_where_every_weight_agrees() {
    // (training set, the query's offset from the centre in every coordinate, the true range)
    let cases = [
        // R = 1e5, query at the centre: range 2R²/t.
        (quarter_arc(50, 1e5), 0.0, 1e-8),
        // R ≈ 1, query 1e6 off the centre in each coordinate: range ≈ 2R·√2·1e6/t.
        (quarter_arc(50, 1.0), 1e6, 1e-12),
        // R ≈ 1e-6, query one unit off in every coordinate: range ≈ 2R√2/t.
        (quarter_arc(50, 1e-6), 1.0, 1e-11),
    ];
    for (i, (points, offset, range)) in cases.into_iter().enumerate() {
        let score = EmpiricalScore::new(points.clone(), Schedule::VarianceExploding)
            .unwrap()
            .with_truncation(Truncation::Dense)
            .unwrap();
        let centre = score.index().centre().to_owned();
        let spread = score.index().spread();
        let x = &centre + offset;
        let from_centre = distance(&x, &centre);
        let t = 2.0 * spread * (from_centre + spread) / range;
        let exact = brute_force_average(&points, &x, Schedule::VarianceExploding, t);
        let off_centre = distance(&exact, &centre);
        assert!(off_centre > 0.0, "case {i}: the average is the centre");
        let denoised = score.denoise(x.view(), t).unwrap();
        assert!(
            distance(&denoised, &exact) <= 1e-2 * off_centre,
            "case {i}: {:e} from the softmax average, which is {off_centre:e} from the centre",
            distance(&denoised, &exact)
        );
    }
    let points = quarter_arc(50, 1.0);
    for truncation in [Truncation::Dense, Truncation::default()] {
        let score = EmpiricalScore::new(points.clone(), Schedule::VarianceExploding)
            .unwrap()
            .with_truncation(truncation)
            .unwrap();
        let x = Array1::from(vec![0.99, 0.2]);
        let nearest = score.index().k_nearest(x.view(), 1).unwrap()[0].index;
        let denoised = score.denoise(x.view(), 1e-20).unwrap();
        assert!(
            distance(&denoised, &points.row(nearest).to_owned()) < 1e-14,
            "{truncation:?}"
        );
    }
}

/// Full-rank data (12-D, scaled by 30) take the ambient path: the certified ball drops points,
/// and the value stays within the bound ε·(n_dropped/N)·(|m − c| + R), which is at least ε·R/N
/// once a point is dropped, at times where a ball too small would drop points of real weight.
#[test]
fn the_ambient_ball_keeps_every_point_of_weight_and_reports_its_bound() {
    let mut r = rng::seeded(41);
    let points = Arc::new(Array2::from_shape_fn((400, 12), |_| {
        30.0 * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
    }));
    let eps = 1e-10;
    let truncated = EmpiricalScore::new(points.clone(), Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Certified { eps })
        .unwrap();
    assert_eq!(
        truncated.index().path(),
        SearchPath::BruteForce { span_dim: 12 }
    );
    let spread = truncated.index().spread();
    let centre = truncated.index().centre().to_owned();
    let dense = EmpiricalScore::new(points, Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Dense)
        .unwrap();
    let mut dropped_somewhere = false;
    for (i, t) in [1.0, 10.0, 100.0].into_iter().enumerate() {
        let x = Array1::from_elem(12, 3.0 + i as f64);
        let a = truncated.denoise_estimate(x.view(), t).unwrap();
        let b = dense.denoise(x.view(), t).unwrap();
        let gap = distance(&a.value, &b);
        assert!(
            gap <= a.error_bound + 1e-12 * spread,
            "t = {t}: gap {gap:e} > bound {:e}",
            a.error_bound
        );
        let most = eps * (distance(&a.value, &centre) + spread);
        assert!(
            a.error_bound <= most * (1.0 + 1e-12),
            "t = {t}: bound {:e} > {most:e}",
            a.error_bound
        );
        if a.error_bound > 0.0 {
            dropped_somewhere = true;
            let least = eps * spread / 400.0;
            assert!(
                a.error_bound >= least,
                "t = {t}: bound {:e} < ε·R/N = {least:e}",
                a.error_bound
            );
        }
    }
    assert!(dropped_somewhere, "the ball path never ran");
}

/// Points 1e-7 off the 3-dimensional span of a sphere of radius 3 (R ≈ 3), ε = 1e-6: where the
/// distortion ρ + (e^{δ/var} − 1)·R, δ = 2|r_q|ρ + ρ², fits ε·R the span path runs, and its
/// bound holds that whole distortion on top of the tree's own; the gap to the dense score stays
/// within it. A threshold of ε/R in place of ε·R (ρ alone exceeds ε/R here) or a distortion
/// without its exponential term fails, and so does δ·var in place of δ/var.
#[test]
fn the_span_path_adds_its_whole_distortion_to_the_bound() {
    let sphere = Embedded::random(Sphere::new(2, 3.0).unwrap(), 10, 12).unwrap();
    let clean = sphere.sample_uniform(120, &mut rng::seeded(13));
    let mut r = rng::seeded(14);
    let noisy = Arc::new(clean.mapv(|v| {
        v + 1e-7 * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
    }));
    let eps = 1e-6;
    let truncated = EmpiricalScore::new(noisy.clone(), Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Certified { eps })
        .unwrap();
    let index = truncated.index();
    let (residual, spread) = (index.residual_max(), index.spread());
    assert!(
        residual > eps / spread && residual < eps,
        "ρ = {residual:e}"
    );
    let dense = EmpiricalScore::new(noisy, Schedule::VarianceExploding)
        .unwrap()
        .with_truncation(Truncation::Dense)
        .unwrap();
    let mut span_runs = 0;
    for (i, t) in [0.1, 0.3, 1.0, 3.0, 10.0, 30.0].into_iter().enumerate() {
        let x = laws::perturbed_point(&sphere, 0.05, &mut rng::seeded(50 + i as u64));
        let perpendicular = index.split(x.view()).perpendicular;
        let delta = 2.0 * perpendicular * residual + residual * residual;
        let distortion = residual + (delta / t).exp_m1() * spread;
        let a = truncated.denoise_estimate(x.view(), t).unwrap();
        let gap = distance(&a.value, &dense.denoise(x.view(), t).unwrap());
        assert!(
            gap <= a.error_bound + 1e-12,
            "t = {t}: gap {gap:e} > bound {:e}",
            a.error_bound
        );
        if distortion <= eps * spread {
            span_runs += 1;
            assert!(
                a.error_bound >= distortion * (1.0 - 1e-9),
                "t = {t}: bound {:e} < distortion {distortion:e}",
                a.error_bound
            );
            // From t = 3 on the tree's own bound is below 1e-12 here (120 points, fewer than a
            // node needs to carry moments: every point is summed), so the whole bound is the
            // distortion: a distortion that is too large shows too.
            if t >= 3.0 {
                assert!(
                    a.error_bound <= distortion + 1e-12,
                    "t = {t}: bound {:e} > distortion {distortion:e} + 1e-12",
                    a.error_bound
                );
            }
        }
    }
    assert!(span_runs >= 2, "the span path ran {span_runs} times");
}
