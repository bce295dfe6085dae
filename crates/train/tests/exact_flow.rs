//! The exact gradient flow of the random-feature model against its definitions: small-step gradient descent converges to it at first order, τ → ∞ gives the least-squares weights, and the loss never rises along it.

use mangen_geometry::rng::seeded;
use mangen_scores::{Schedule, Score};
use mangen_train::{DsmSet, ExactFlow, RandomFeatureScore, RandomFeatures};
use ndarray::{Array2, array};
use ndarray_linalg::LeastSquaresSvd;
use proptest::prelude::*;
use std::sync::Arc;

/// A circle of 12 training points in R^2 and a DSM set of `draws` draws over t ∈ [1e-3, 1].
fn setup(width: usize, draws: usize, seed: u64) -> (Arc<RandomFeatures>, DsmSet) {
    let features =
        Arc::new(RandomFeatures::new(2, width, 4, Schedule::VarianceExploding, seed).unwrap());
    let train = Array2::from_shape_fn((12, 2), |(i, j)| {
        let angle = i as f64 * std::f64::consts::TAU / 12.0;
        if j == 0 { angle.cos() } else { angle.sin() }
    });
    let set = DsmSet::draw(
        &features,
        train.view(),
        draws,
        (1e-3, 1.0),
        &mut seeded(seed + 1),
    )
    .unwrap();
    (features, set)
}

fn max_abs(a: &Array2<f64>) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// K steps of gradient descent with step τ/K from `start`.
fn descend(set: &DsmSet, start: &Array2<f64>, tau: f64, steps: usize) -> Array2<f64> {
    let step = tau / steps as f64;
    let mut a = start.clone();
    for _ in 0..steps {
        a = &a - &(set.gradient(&a) * step);
    }
    a
}

#[test]
fn gradient_descent_converges_to_the_exact_flow_at_first_order() {
    let (_, set) = setup(16, 400, 3);
    let start = Array2::from_shape_fn((2, 16), |(i, j)| 0.1 * (i as f64 - j as f64 / 8.0));
    let flow = ExactFlow::new(&set, start.clone()).unwrap();
    // τ with 2τλ_max of order 10: the fast directions are fitted, the slow ones are not.
    let lambda_max = *flow.eigenvalues().iter().last().unwrap();
    let tau = 5.0 / lambda_max;
    let exact = flow.weights_at(tau).unwrap();
    assert!(
        max_abs(&(&exact - &start)) > 1e-2,
        "the flow moves the weights"
    );
    let errors: Vec<f64> = [500, 1000, 2000]
        .iter()
        .map(|&k| max_abs(&(&descend(&set, &start, tau, k) - &exact)))
        .collect();
    // Euler's error is first order in the step: halving it halves the error.
    for pair in errors.windows(2) {
        let ratio = pair[0] / pair[1];
        assert!((1.8..2.2).contains(&ratio), "errors {errors:?}");
    }
    assert!(errors[2] < 1e-2 * max_abs(&exact), "errors {errors:?}");
}

#[test]
fn infinite_training_time_gives_the_least_squares_weights() {
    // n = 400 draws ≫ m = 16 features: G has full rank and the limit is −C G⁻¹ from any start.
    let (features, set) = setup(16, 400, 5);
    let start = Array2::from_elem((2, 16), 0.3);
    let flow = ExactFlow::new(&set, start).unwrap();
    let limit = flow.weights_at(f64::INFINITY).unwrap();
    // min over A of Σ |A ψ_i + z_i|²: Ψ Aᵀ = −Z in the least-squares sense.
    let solved = set.psi.least_squares(&set.noise.mapv(|z| -z)).unwrap();
    let reference = solved.solution.t().to_owned();
    let gap = max_abs(&(&limit - &reference)) / max_abs(&reference);
    assert!(gap < 1e-8, "relative gap {gap:e}");
    // A long finite time comes close to it, and the model with those weights is a score.
    let late = flow.weights_at(1e3 / flow.eigenvalues()[0]).unwrap();
    assert!(max_abs(&(&late - &reference)) / max_abs(&reference) < 1e-6);
    let model = RandomFeatureScore::new(features, late).unwrap();
    let s = model.score(array![1.1, 0.0].view(), 0.01).unwrap();
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|v| v.is_finite()));
}

#[test]
fn the_start_is_the_weights_at_time_zero_and_bad_input_is_refused() {
    let (features, set) = setup(8, 50, 7);
    let start = Array2::from_shape_fn((2, 8), |(i, j)| (i * 8 + j) as f64 / 10.0);
    let flow = ExactFlow::new(&set, start.clone()).unwrap();
    let at_zero = flow.weights_at(0.0).unwrap();
    assert!(max_abs(&(&at_zero - &start)) < 1e-12);
    assert!(flow.weights_at(-1.0).is_err());
    assert!(flow.weights_at(f64::NAN).is_err());
    assert!(ExactFlow::new(&set, Array2::zeros((2, 7))).is_err());
    assert!(RandomFeatureScore::new(features.clone(), Array2::zeros((3, 8))).is_err());
    let model = RandomFeatureScore::new(features, start).unwrap();
    assert!(model.score(array![1.0, 0.0].view(), -0.1).is_err());
    assert!(model.score(array![1.0, 0.0, 0.0].view(), 0.1).is_err());
    assert!(RandomFeatures::new(2, 0, 4, Schedule::VarianceExploding, 0).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Gradient flow never raises the loss: L(A(τ)) is non-increasing in τ, from any start.
    #[test]
    fn the_loss_never_rises_along_the_flow(
        seed in 0u64..1000,
        width in 2usize..24,
        draws in 3usize..120,
        scale in 0.0f64..3.0,
    ) {
        let (_, set) = setup(width, draws, seed);
        let start = Array2::from_shape_fn((2, width), |(i, j)| scale * ((i + 2 * j) as f64).sin());
        let flow = ExactFlow::new(&set, start).unwrap();
        let lambda_max = flow.eigenvalues().iter().fold(0.0f64, |m, l| m.max(*l)).max(1e-12);
        let mut previous = f64::INFINITY;
        for k in 0..12 {
            let tau = 1e-3 * 4f64.powi(k) / lambda_max;
            let loss = set.loss(&flow.weights_at(tau).unwrap());
            prop_assert!(loss <= previous * (1.0 + 1e-10) + 1e-14, "τ = {tau}: {loss} > {previous}");
            previous = loss;
        }
    }
}

#[test]
fn the_output_over_sigma_and_the_frequency_scale_change_only_what_they_name() {
    let plain = RandomFeatures::new(2, 6, 4, Schedule::VarianceExploding, 9).unwrap();
    let weights = Array2::from_shape_fn((2, 6), |(i, j)| (i as f64 - 0.5) * (j as f64 + 1.0));
    let x = array![0.3, -1.2];
    for t in [1e-3f64, 0.2, 4.0] {
        let sigma = t.sqrt();
        let over = RandomFeatureScore::new(Arc::new(plain.clone().over_sigma()), weights.clone())
            .unwrap()
            .score(x.view(), t)
            .unwrap();
        let base = RandomFeatureScore::new(Arc::new(plain.clone()), weights.clone())
            .unwrap()
            .score(x.view(), t)
            .unwrap();
        let gap = (&over - &(&base / sigma)).mapv(f64::abs).sum();
        assert!(gap < 1e-12, "t = {t}: over σ_t {over} against {base}/σ_t");
        // sin(2π (s ω) ln t) = sin(2π ω ln t^s): scaling ω by s reads the features at t^s.
        let scaled = plain.clone().frequency_scale(0.3).unwrap();
        let gap = (&scaled.features(x.view(), t) - &plain.features(x.view(), t.powf(0.3)))
            .mapv(f64::abs)
            .sum();
        assert!(gap < 1e-12, "t = {t}: scaled features off by {gap}");
    }
    assert!(plain.clone().frequency_scale(0.0).is_err());
    assert!(plain.frequency_scale(f64::NAN).is_err());
}
