//! Samplers on manifold data: determinism across thread counts, memorization by the empirical score,
//! the oracle's closed-form ODE flow, its samples near and all over the circle, trajectories, progress and errors.

use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_samplers::{
    EulerMaruyama, Heun, Observer, RunOptions, Sampler, SamplerError, SamplingConfig, Start,
};
use mangen_scores::{
    EmpiricalScore, NeighbourIndex, OracleProjection, Result, Schedule, Score, ScoreModel,
};
use mangen_testkit::{FALSE_ALARM, bend_uniform, kolmogorov_critical, ks_p_value};
use ndarray::{Array1, ArrayView1};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn circle(ambient: usize) -> Arc<Embedded<Sphere>> {
    Arc::new(Embedded::random(Sphere::circle(1.0).unwrap(), ambient, 4).unwrap())
}

fn start(ambient: usize, t_max: f64) -> Start {
    Start::forward_marginal(
        Schedule::VarianceExploding,
        t_max,
        Array1::zeros(ambient),
        0.5,
    )
    .unwrap()
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn one_and_two_threads_give_identical_output() {
    let manifold = circle(5);
    let points = Arc::new(manifold.sample_uniform(200, &mut rng::seeded(1)));
    let score = EmpiricalScore::new(points, Schedule::VarianceExploding).unwrap();
    let config = SamplingConfig::new(5.0, 1e-3, 40)
        .unwrap()
        .with_denoising(true);
    for sampler in [&EulerMaruyama as &dyn Sampler, &Heun] {
        let run = |threads| {
            in_pool(threads, || {
                sampler
                    .run(
                        &score,
                        &start(5, 5.0),
                        &config,
                        300,
                        9,
                        &RunOptions::default(),
                    )
                    .unwrap()
            })
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one, two, "{}", sampler.name());
        assert_eq!(
            one,
            run(2),
            "{} is reproducible given the seed",
            sampler.name()
        );
    }
    let other_seed = EulerMaruyama
        .run(
            &score,
            &start(5, 5.0),
            &config,
            300,
            10,
            &RunOptions::default(),
        )
        .unwrap();
    let same_seed = EulerMaruyama
        .run(
            &score,
            &start(5, 5.0),
            &config,
            300,
            9,
            &RunOptions::default(),
        )
        .unwrap();
    assert_ne!(other_seed.samples, same_seed.samples);
}

/// Under VE the oracle's probability-flow ODE is dx/dt = (x − π(x))/(2t): the offset from the
/// manifold shrinks as √t along a fixed normal line, so x(t0) = π(x_T) + (x_T − π(x_T))·√(t0/T)
/// in closed form. Heun lands there from the same start whatever the seed (it draws no noise):
/// its 30 steps err by 1.1e-3 (7e-4 of the start's offset 1.53), while a drift off by a factor
/// of 2 ends 3e-2 away and one of any other form (or the start returned) farther.
#[test]
fn the_ode_follows_the_oracles_closed_form_flow() {
    let manifold = circle(3);
    let oracle = OracleProjection::new(manifold.clone(), Schedule::VarianceExploding);
    let x_start = Array1::from(vec![0.3, -2.0, 0.7]);
    let point_start = Start::isotropic(x_start.clone(), 0.0).unwrap();
    let (t_max, t_min) = (2.0, 1e-3);
    let config = SamplingConfig::new(t_max, t_min, 30).unwrap();
    let foot = manifold.project(x_start.view()).unwrap();
    let expected = &foot + &((&x_start - &foot) * (t_min / t_max).sqrt());
    let offset = (&x_start - &foot).dot(&(&x_start - &foot)).sqrt();
    for seed in [1, 2] {
        let run = Heun
            .run(
                &oracle,
                &point_start,
                &config,
                4,
                seed,
                &RunOptions::default(),
            )
            .unwrap();
        for row in run.samples.outer_iter() {
            let error = (&row - &expected).dot(&(&row - &expected)).sqrt();
            assert!(
                error < 1e-3 * offset,
                "seed {seed}: {row} vs the closed form {expected} (error {error:e})"
            );
        }
    }
}

#[test]
fn the_memorizer_lands_on_training_points() {
    let manifold = circle(4);
    let points = Arc::new(manifold.sample_uniform(50, &mut rng::seeded(2)));
    let score = EmpiricalScore::new(points, Schedule::VarianceExploding).unwrap();
    let config = SamplingConfig::new(10.0, 1e-6, 200).unwrap();
    for sampler in [&EulerMaruyama as &dyn Sampler, &Heun] {
        let run = sampler
            .run(
                &score,
                &start(4, 10.0),
                &config,
                400,
                3,
                &RunOptions::default(),
            )
            .unwrap();
        let on_training_point = run
            .samples
            .outer_iter()
            .filter(|x| {
                score.index().k_nearest(*x, 1).unwrap()[0]
                    .distance_sq
                    .sqrt()
                    < 0.01
            })
            .count();
        assert!(
            on_training_point >= 396,
            "{}: {on_training_point} of 400",
            sampler.name()
        );
    }
}

/// The angle's KS test at 1e-6 on n = 40 000 samples rejects a CDF off by λ/√n = 0.0135
/// (λ = 2.70): a density 1 + a cos θ for a ≥ 2π·0.0135 = 0.085 (at power ½). A sample whose
/// angles are bent to the density 1 + 0.12 cos θ is rejected.
#[test]
fn the_oracle_samples_near_and_all_over_the_circle() {
    let n = 40_000;
    let manifold = circle(6);
    let oracle = OracleProjection::new(manifold.clone(), Schedule::VarianceExploding);
    let t0 = 1e-4;
    let config = SamplingConfig::new(10.0, t0, 200).unwrap();
    let run = EulerMaruyama
        .run(
            &oracle,
            &start(6, 10.0),
            &config,
            n,
            4,
            &RunOptions::default(),
        )
        .unwrap();
    // Off M the noise at t0 has (D − k) = 5 normal directions: |x − π(x)| ≈ √(5 t0).
    let bound = 3.0 * (5.0 * t0).sqrt();
    let frame = manifold.isometry().frame();
    let mut angles = Vec::new();
    for x in run.samples.outer_iter() {
        assert!(manifold.distance_to(x).unwrap() < bound);
        let local = frame.t().dot(&x);
        angles
            .push((local[1].atan2(local[0]) + std::f64::consts::PI) / (2.0 * std::f64::consts::PI));
    }
    let detectable = kolmogorov_critical(FALSE_ALARM) / (n as f64).sqrt();
    assert!(std::f64::consts::TAU * detectable < 0.086, "{detectable}");
    let bent: Vec<f64> = angles.iter().map(|&u| bend_uniform(u, 0.12)).collect();
    let p = ks_p_value(angles, |u| u);
    assert!(p > FALSE_ALARM, "angles are not uniform: KS p = {p:e}");
    let p = ks_p_value(bent, |u| u);
    assert!(
        p <= FALSE_ALARM,
        "angles of density 1 + 0.12 cos θ pass: KS p = {p:e}"
    );
}

#[test]
fn the_observer_records_trajectories_and_progress_counts_samples() {
    let manifold = circle(3);
    let oracle = OracleProjection::new(manifold, Schedule::VarianceExploding);
    let config = SamplingConfig::new(1.0, 1e-3, 10).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let last = Arc::new(Mutex::new(Vec::new()));
    let (c, l) = (calls.clone(), last.clone());
    let options = RunOptions {
        observer: Some(Observer {
            samples: vec![7, 2],
            every: 4,
        }),
        progress: Some(Arc::new(move |done, total| {
            c.fetch_add(1, Ordering::Relaxed);
            l.lock().unwrap().push((done, total));
        })),
    };
    let run = EulerMaruyama
        .run(&oracle, &start(3, 1.0), &config, 12, 5, &options)
        .unwrap();
    assert_eq!(calls.load(Ordering::Relaxed), 12);
    let mut seen = last.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, (1..=12).map(|d| (d, 12)).collect::<Vec<_>>());
    assert_eq!(
        run.trajectories
            .iter()
            .map(|t| t.sample)
            .collect::<Vec<_>>(),
        vec![7, 2]
    );
    let times = config.times(Schedule::VarianceExploding).unwrap();
    for trajectory in &run.trajectories {
        assert_eq!(
            trajectory.times,
            vec![times[0], times[4], times[8], times[10]]
        );
        assert_eq!(trajectory.points.nrows(), 4);
        assert_eq!(trajectory.points.row(3), run.samples.row(trajectory.sample));
    }
}

/// A score that returns NaN below t = 0.01.
struct BrokenBelow;

impl ScoreModel for BrokenBelow {
    fn name(&self) -> String {
        "broken".into()
    }
    fn dim(&self) -> usize {
        2
    }
    fn schedule(&self) -> Schedule {
        Schedule::VarianceExploding
    }
}

impl Score for BrokenBelow {
    fn score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        Ok(if t < 0.01 {
            Array1::from_elem(2, f64::NAN)
        } else {
            -x.to_owned()
        })
    }
}

#[test]
fn bad_input_is_refused_with_the_step_and_sample() {
    let config = SamplingConfig::new(1.0, 1e-3, 10).unwrap();
    let times = config.times(Schedule::VarianceExploding).unwrap();
    let first_bad = times.iter().position(|&t| t < 0.01).unwrap();
    let err = EulerMaruyama
        .run(
            &BrokenBelow,
            &start(2, 1.0),
            &config,
            5,
            1,
            &RunOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        SamplerError::NonFinite {
            sample: 0,
            step: first_bad,
            time: times[first_bad]
        }
    );
    assert!(
        err.to_string()
            .contains(&format!("sample 0, step {first_bad}"))
    );
    let err = Heun
        .run(
            &BrokenBelow,
            &start(3, 1.0),
            &config,
            5,
            1,
            &RunOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err, SamplerError::DimensionMismatch { start: 3, score: 2 });
    let refused_field = |config: SamplingConfig| match Heun.run(
        &BrokenBelow,
        &start(2, 1.0),
        &config,
        5,
        1,
        &RunOptions::default(),
    ) {
        Err(SamplerError::InvalidParameter { name, .. }) => name,
        other => panic!("expected a refused parameter, got {other:?}"),
    };
    assert_eq!(
        refused_field(SamplingConfig {
            t_min: 2.0,
            ..config
        }),
        "T"
    );
    assert_eq!(
        refused_field(SamplingConfig {
            t_min: 0.0,
            ..config
        }),
        "t0"
    );
    assert_eq!(
        refused_field(SamplingConfig { steps: 0, ..config }),
        "n_steps"
    );
    assert!(Start::isotropic(Array1::zeros(2), -1.0).is_err());
    assert!(Start::isotropic(Array1::from(vec![f64::NAN]), 1.0).is_err());
}

#[test]
fn batch_steps_give_each_row_what_its_own_step_gives() {
    let manifold = circle(3);
    let oracle = OracleProjection::new(manifold, Schedule::VarianceExploding);
    let samplers: [&dyn Sampler; 2] = [&EulerMaruyama, &Heun];
    for sampler in samplers {
        for rows in [1, 5, 64] {
            let mut rngs: Vec<_> = (0..rows).map(|i| rng::stream(3, i as u64)).collect();
            let states = ndarray::Array2::from_shape_fn((rows, 3), |(i, j)| {
                ((i * 3 + j) as f64 * 0.77).sin() * 1.5
            });
            let mut row_rngs = rngs.clone();
            let batch = sampler
                .step_batch(&oracle, states.view(), 0.3, 0.2, &mut rngs)
                .unwrap();
            for (i, (x, rng)) in states.outer_iter().zip(&mut row_rngs).enumerate() {
                let single = sampler.step(&oracle, x, 0.3, 0.2, rng).unwrap();
                assert_eq!(batch.row(i), single, "{} row {i} of {rows}", sampler.name());
                assert_eq!(rng, &rngs[i], "{}: row {i}'s stream", sampler.name());
            }
        }
    }
}

/// −x, except that below t = 0.01 it fails at points with a positive first coordinate.
struct FailsOnTheRight {
    fails: bool,
}

impl ScoreModel for FailsOnTheRight {
    fn name(&self) -> String {
        "fails on the right".into()
    }
    fn dim(&self) -> usize {
        2
    }
    fn schedule(&self) -> Schedule {
        Schedule::VarianceExploding
    }
}

impl Score for FailsOnTheRight {
    fn score(&self, x: ArrayView1<f64>, t: f64) -> Result<Array1<f64>> {
        if self.fails && t < 0.01 && x[0] > 0.0 {
            return Err(mangen_scores::ScoreError::InvalidParameter {
                name: "x",
                value: x[0],
                rule: "planted failure",
            });
        }
        Ok(-x.to_owned())
    }
}

#[test]
fn a_failed_batch_step_names_the_first_sample_that_fails() {
    let config = SamplingConfig::new(1.0, 1e-3, 10).unwrap();
    let times = config.times(Schedule::VarianceExploding).unwrap();
    let step = times.iter().position(|&t| t < 0.01).unwrap();
    let n = 40;
    let observer = Observer {
        samples: (0..n).collect(),
        every: 1,
    };
    let clean = EulerMaruyama
        .run(
            &FailsOnTheRight { fails: false },
            &start(2, 1.0),
            &config,
            n,
            6,
            &RunOptions {
                observer: Some(observer),
                progress: None,
            },
        )
        .unwrap();
    let expected = clean
        .trajectories
        .iter()
        .position(|path| path.points[[step, 0]] > 0.0)
        .expect("some sample is on the right");
    assert!(expected > 0, "choose a seed where sample 0 does not fail");
    let err = EulerMaruyama
        .run(
            &FailsOnTheRight { fails: true },
            &start(2, 1.0),
            &config,
            n,
            6,
            &RunOptions::default(),
        )
        .unwrap_err();
    match err {
        SamplerError::Score {
            sample, step: s, ..
        } => {
            assert_eq!((sample, s), (expected, step));
        }
        other => panic!("expected a score failure, got {other:?}"),
    }
}
