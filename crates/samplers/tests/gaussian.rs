//! Samplers against the Gaussian closed form: sample moments match N(m, Σ) and the discretization
//! error falls at the order of each method as the steps double.

use mangen_geometry::rng;
use mangen_samplers::{EulerMaruyama, Heun, RunOptions, Sampler, SamplingConfig, Start};
use mangen_scores::{GaussianScore, Schedule};
use mangen_testkit::{FALSE_ALARM, normal_critical, normal_two_sided_p};
use ndarray::{Array1, Array2, Axis};
use ndarray_linalg::{Eigh, UPLO};
use rand_distr::{Distribution, StandardNormal};

const SCHEDULES: [Schedule; 2] = [Schedule::VarianceExploding, Schedule::VariancePreserving];

/// A seeded mean and covariance with eigenvalues in [0.2, 2].
fn random_gaussian(dim: usize, seed: u64) -> (Array1<f64>, Array2<f64>) {
    let mut r = rng::seeded(seed);
    let mean: Array1<f64> = (0..dim)
        .map(|_| <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r))
        .collect();
    let g = Array2::from_shape_fn((dim, dim), |_| {
        <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
    });
    let (_, q) = (&g + &g.t()).eigh(UPLO::Lower).unwrap();
    let values: Array1<f64> = (0..dim)
        .map(|i| 0.2 + 1.8 * i as f64 / dim as f64)
        .collect();
    (mean, (&q * &values).dot(&q.t()))
}

/// The exact forward marginal at T: N(a m, a² Σ + σ² I).
fn exact_start(
    schedule: Schedule,
    t_max: f64,
    mean: &Array1<f64>,
    covariance: &Array2<f64>,
) -> Start {
    let (a, var) = schedule.coefficients(t_max).unwrap();
    let dim = mean.len();
    Start::gaussian(
        mean * a,
        covariance * (a * a) + Array2::<f64>::eye(dim) * var,
    )
    .unwrap()
}

/// Whitened samples Σ^{-1/2}(x − m) must be N(0, I): every mean coordinate √n·w̄_j, off-diagonal
/// √n·Ĉ_ij and diagonal √(n/2)(Ĉ_jj − 1) is about N(0, 1); each is tested at FALSE_ALARM / count.
/// Returns the first statistic rejected, if any.
fn rejected_moment(
    samples: &Array2<f64>,
    mean: &Array1<f64>,
    covariance: &Array2<f64>,
) -> Option<String> {
    let (values, vectors) = covariance.eigh(UPLO::Lower).unwrap();
    let inverse_root = (&vectors * &values.mapv(|v| 1.0 / v.sqrt())).dot(&vectors.t());
    let white = (samples - mean).dot(&inverse_root);
    let n = samples.nrows() as f64;
    let dim = mean.len();
    let w_mean = white.mean_axis(Axis(0)).unwrap();
    let centred = &white - &w_mean;
    let c = centred.t().dot(&centred) / n;
    let mut statistics = Vec::new();
    for i in 0..dim {
        statistics.push(("mean", i, i, w_mean[i] * n.sqrt()));
        for j in 0..=i {
            let z = if i == j {
                (c[[i, i]] - 1.0) * (n / 2.0).sqrt()
            } else {
                c[[i, j]] * n.sqrt()
            };
            statistics.push(("covariance", i, j, z));
        }
    }
    let threshold = FALSE_ALARM / statistics.len() as f64;
    statistics
        .iter()
        .find(|(.., z)| normal_two_sided_p(*z) <= threshold)
        .map(|(what, i, j, z)| format!("{what}[{i},{j}] z = {z:.2}"))
}

/// Each sampler, schedule and dimension D ∈ {2, 5, 10} with n = 4000 samples. With up to
/// D + D(D+1)/2 = 65 statistics at 1e-6/65 (|z| > 5.66) this catches a variance off by 13 % in
/// one whitened direction or a mean off by 0.09 σ (at power ½); the test below has the power
/// for 3 %.
#[test]
fn sample_moments_match_the_gaussian() {
    for dim in [2, 5, 10] {
        let (mean, covariance) = random_gaussian(dim, dim as u64);
        for schedule in SCHEDULES {
            let t_max = 10.0;
            let score = GaussianScore::new(mean.clone(), covariance.clone(), schedule).unwrap();
            let start = exact_start(schedule, t_max, &mean, &covariance);
            for (sampler, steps) in [(&EulerMaruyama as &dyn Sampler, 1000), (&Heun, 200)] {
                let config = SamplingConfig::new(t_max, 1e-5, steps)
                    .unwrap()
                    .with_denoising(true);
                let run = sampler
                    .run(&score, &start, &config, 4000, 11, &RunOptions::default())
                    .unwrap();
                let rejected = rejected_moment(&run.samples, &mean, &covariance);
                assert!(
                    rejected.is_none(),
                    "{} D={dim} {schedule:?}: {rejected:?}",
                    sampler.name()
                );
            }
        }
    }
}

/// Power: a variance 3 % off in one whitened direction is caught. At D = 2 (five statistics at
/// 2e-7: |z| > 5.20) and n = 100 000, it shifts its diagonal statistic by 0.03·√(n/2) = 6.7,
/// rejected with probability 0.93. Heun's samples pass; the same samples stretched by √1.03
/// along one whitened direction (then N(m, Σ^{1/2}(I + 0.03 e₁e₁ᵀ)Σ^{1/2})) are rejected.
#[test]
fn a_three_percent_variance_error_is_rejected() {
    let (dim, n, error) = (2, 100_000, 0.03);
    let statistics = dim + dim * (dim + 1) / 2;
    let critical = normal_critical(FALSE_ALARM / statistics as f64);
    let shift = error * (n as f64 / 2.0).sqrt();
    assert!(
        shift - critical > 1.47,
        "power below 0.93: shift {shift:.2}, critical {critical:.2}"
    );
    let (mean, covariance) = random_gaussian(dim, 41);
    let schedule = Schedule::VarianceExploding;
    let score = GaussianScore::new(mean.clone(), covariance.clone(), schedule).unwrap();
    let start = exact_start(schedule, 10.0, &mean, &covariance);
    let config = SamplingConfig::new(10.0, 1e-5, 200)
        .unwrap()
        .with_denoising(true);
    let samples = Heun
        .run(&score, &start, &config, n, 12, &RunOptions::default())
        .unwrap()
        .samples;
    let right = rejected_moment(&samples, &mean, &covariance);
    assert!(right.is_none(), "Heun's samples rejected: {right:?}");
    // x ↦ m + Σ^{1/2} S Σ^{-1/2} (x − m), S = diag(√1.03, 1, ...).
    let (values, vectors) = covariance.eigh(UPLO::Lower).unwrap();
    let root = (&vectors * &values.mapv(f64::sqrt)).dot(&vectors.t());
    let inverse_root = (&vectors * &values.mapv(|v| 1.0 / v.sqrt())).dot(&vectors.t());
    let mut stretch = Array2::<f64>::eye(dim);
    stretch[[0, 0]] = (1.0 + error).sqrt();
    let map = root.dot(&stretch).dot(&inverse_root);
    let planted = (&samples - &mean).dot(&map.t()) + &mean;
    let wrong = rejected_moment(&planted, &mean, &covariance);
    assert!(wrong.is_some(), "a 3 % variance error passed");
}

fn slope_log2(errors: &[f64]) -> f64 {
    let k = errors.len() as f64;
    let xs: Vec<f64> = (0..errors.len()).map(|i| i as f64).collect();
    let ys: Vec<f64> = errors.iter().map(|e| e.log2()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / k, ys.iter().sum::<f64>() / k);
    xs.iter()
        .zip(&ys)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / xs.iter().map(|x| (x - mx) * (x - mx)).sum::<f64>()
}

/// Heun on the ODE: the endpoint error from the same start points falls as steps^{-2}.
#[test]
fn the_ode_converges_at_order_two() {
    let (mean, covariance) = random_gaussian(3, 21);
    for schedule in SCHEDULES {
        let score = GaussianScore::new(mean.clone(), covariance.clone(), schedule).unwrap();
        let start = exact_start(schedule, 5.0, &mean, &covariance);
        let endpoint = |steps| {
            let config = SamplingConfig::new(5.0, 1e-2, steps).unwrap();
            Heun.run(&score, &start, &config, 64, 3, &RunOptions::default())
                .unwrap()
                .samples
        };
        let reference = endpoint(4096);
        let errors: Vec<f64> = [16, 32, 64, 128]
            .iter()
            .map(|&steps| {
                (&endpoint(steps) - &reference)
                    .mapv(f64::abs)
                    .mean()
                    .unwrap()
            })
            .collect();
        let order = -slope_log2(&errors);
        assert!(
            (1.7..=2.3).contains(&order),
            "{schedule:?}: order {order:.2}, errors {errors:?}"
        );
    }
}

/// Euler–Maruyama on the SDE has weak order 1: the bias of the total sample variance at t0
/// against the exact tr(a² Σ + σ² I) falls as steps^{-1} (2·10^5 samples keep the noise below it).
#[test]
fn the_sde_converges_at_weak_order_one() {
    let (mean, covariance) = random_gaussian(2, 31);
    for schedule in SCHEDULES {
        let score = GaussianScore::new(mean.clone(), covariance.clone(), schedule).unwrap();
        let start = exact_start(schedule, 5.0, &mean, &covariance);
        let (a0, var0) = schedule.coefficients(1e-2).unwrap();
        let target = (&covariance * (a0 * a0) + Array2::<f64>::eye(2) * var0)
            .diag()
            .sum();
        let errors: Vec<f64> = [8, 16, 32, 64]
            .iter()
            .map(|&steps| {
                let config = SamplingConfig::new(5.0, 1e-2, steps).unwrap();
                let samples = EulerMaruyama
                    .run(&score, &start, &config, 200_000, 5, &RunOptions::default())
                    .unwrap()
                    .samples;
                let centred = &samples - &samples.mean_axis(Axis(0)).unwrap();
                let trace = centred.mapv(|v| v * v).sum() / samples.nrows() as f64;
                (trace - target).abs()
            })
            .collect();
        let order = -slope_log2(&errors);
        assert!(
            (0.7..=1.3).contains(&order),
            "{schedule:?}: order {order:.2}, errors {errors:?}"
        );
    }
}
