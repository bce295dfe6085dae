//! Li et al.'s one-hidden-layer network trained with candle: it recovers the closed-form score of a Gaussian, the same seed gives the same checkpoints, and a diverging run stops with an error.

use mangen_geometry::rng::seeded;
use mangen_scores::{Schedule, Score};
use mangen_train::network::{Architecture, Optimizer, ScoreNetwork, Training};
use mangen_train::{TrainError, TrainingState};
use ndarray::{Array2, array};
use rand_distr::{Distribution, StandardNormal};

/// n draws of N(0, 1) on the line.
fn gaussian_data(n: usize, seed: u64) -> Array2<f64> {
    let mut rng = seeded(seed);
    Array2::from_shape_simple_fn((n, 1), || StandardNormal.sample(&mut rng))
}

fn adam(epochs: Vec<usize>, seed: u64) -> Training {
    Training {
        optimizer: Optimizer::Adam { lr: 1e-2 },
        batch: 64,
        checkpoints: epochs,
        times: (1e-2, 1.0),
        seed,
    }
}

/// Trains a network of `architecture` on 20 000 draws of N(0, 1) (Adam 3e-3, batch 128, 40
/// epochs, t log-uniform on [0.01, 1]) and returns, at t = 0.1 and 0.5, the relative error of
/// σ_t s before and after training.
///
/// Under VE p_t = N(0, 1 + t), whose score is −x / (1 + t). The DSM loss weighs errors by σ_t²
/// under p_t, so the error is stated on σ_t s, relative to its own size:
/// E_{x ~ p_t}[σ_t² |s − s*|²]^{1/2} / E[σ_t² |s*|²]^{1/2}, the second being √(t/(1 + t)), over
/// 4000 fresh draws.
fn errors_before_and_after(architecture: &Architecture) -> Vec<(f64, f64, f64)> {
    let data = gaussian_data(20_000, 1);
    let net = ScoreNetwork::new(1, architecture, Schedule::VarianceExploding, 2).unwrap();
    let training = Training {
        optimizer: Optimizer::Adam { lr: 3e-3 },
        batch: 128,
        ..adam(vec![1, 40], 3)
    };
    let trained = net.train(data.view(), &training).unwrap();
    assert_eq!(trained.len(), 2);
    let relative_error = |net: &ScoreNetwork, t: f64| {
        let xs = gaussian_data(4000, 11).mapv(|x| x * (1.0_f64 + t).sqrt());
        let scores = net.score_batch(xs.view(), t).unwrap();
        let squared: f64 = xs
            .iter()
            .zip(scores.iter())
            .map(|(x, s)| t * (s + x / (1.0 + t)).powi(2))
            .sum();
        (squared / 4000.0).sqrt() / (t / (1.0 + t)).sqrt()
    };
    [0.1, 0.5]
        .into_iter()
        .map(|t| (t, relative_error(&net, t), relative_error(&trained[1].1, t)))
        .collect()
}

/// Each error after training is below 0.25 and below half the untrained network's.
fn assert_recovered(errors: &[(f64, f64, f64)]) {
    for &(t, before, after) in errors {
        assert!(after < 0.25, "t = {t}: relative error {after}");
        assert!(
            after < 0.5 * before,
            "t = {t}: training moves the network from its initial weights to the score ({before} → {after})"
        );
    }
}

#[test]
fn a_trained_network_recovers_the_score_of_a_gaussian() {
    // One hidden layer of 32. Measured over three initial seeds (2, 3, 4): 0.100, 0.094, 0.166
    // at t = 0.1 and 0.102, 0.131, 0.223 at t = 0.5, so the bound 0.25 fails a network off by a
    // quarter of the score (a planted σ_t scaling bug gives 0.6 and more). At t = 0.02 the
    // loss's weight σ_t² = 0.02 leaves the fit loose: 0.27, 0.32, 0.82 for those seeds, and no
    // better with a tenth of the learning rate or 2.5 times the epochs; it is not held to a
    // bound. The epochs' mean losses (0.86 both) sit at the loss's irreducible part, whose
    // noise over one epoch's draws hides the fall: the score's error shows it.
    assert_recovered(&errors_before_and_after(&Architecture::log_time(32, 8)));
}

#[test]
fn a_deeper_network_recovers_it_too() {
    // Three hidden layers of 32, 8 frequencies of ln t, preconditioned for data of scale 1:
    // measured 0.095 at t = 0.1 and 0.036 at t = 0.5, from 0.37 and 0.17 untrained (the
    // preconditioning alone, D ≈ c_skip x, is the Gaussian's denoiser up to its scale).
    assert_recovered(&errors_before_and_after(&Architecture::mlp(32, 3, 1.0)));
}

#[test]
fn the_same_seed_gives_the_same_checkpoints() {
    let data = gaussian_data(300, 4);
    let run = || {
        let net = ScoreNetwork::new(
            1,
            &Architecture::log_time(16, 4),
            Schedule::VarianceExploding,
            5,
        )
        .unwrap();
        let kept = net.train(data.view(), &adam(vec![3], 6)).unwrap();
        kept[0]
            .1
            .score_batch(array![[-1.0], [0.5]].view(), 0.1)
            .unwrap()
    };
    assert_eq!(run(), run());
    // Training works on a copy: the untrained network is left as it was.
    let net = ScoreNetwork::new(
        1,
        &Architecture::log_time(16, 4),
        Schedule::VarianceExploding,
        5,
    )
    .unwrap();
    let before = net.score_batch(array![[0.3]].view(), 0.1).unwrap();
    net.train(data.view(), &adam(vec![2], 6)).unwrap();
    assert_eq!(net.score_batch(array![[0.3]].view(), 0.1).unwrap(), before);
    let other = {
        let net = ScoreNetwork::new(
            1,
            &Architecture::log_time(16, 4),
            Schedule::VarianceExploding,
            5,
        )
        .unwrap();
        let kept = net.train(data.view(), &adam(vec![3], 7)).unwrap();
        kept[0]
            .1
            .score_batch(array![[-1.0], [0.5]].view(), 0.1)
            .unwrap()
    };
    assert_ne!(run(), other, "another batch seed trains otherwise");
}

#[test]
fn a_diverging_run_stops_with_an_error() {
    let data = gaussian_data(200, 8);
    let net = ScoreNetwork::new(
        1,
        &Architecture::log_time(16, 4),
        Schedule::VarianceExploding,
        9,
    )
    .unwrap();
    let training = Training {
        optimizer: Optimizer::Sgd { lr: 1e12 },
        batch: 32,
        checkpoints: vec![50],
        times: (1e-3, 1.0),
        seed: 10,
    };
    match net.train(data.view(), &training) {
        Err(TrainError::Diverged { epoch, loss }) => {
            assert!(
                epoch <= 50 && !loss.is_finite(),
                "epoch {epoch}, loss {loss}"
            );
        }
        other => panic!("expected a divergence, got {:?}", other.map(|k| k.len())),
    }
    let bad = Training {
        checkpoints: vec![3, 3],
        ..adam(vec![], 0)
    };
    assert!(net.train(data.view(), &bad).is_err());
    assert!(
        net.train(Array2::zeros((5, 2)).view(), &adam(vec![1], 0))
            .is_err()
    );
    assert!(net.score(array![0.0].view(), -1.0).is_err());
}

/// Trains to checkpoints 2 and 5, keeping the states, then goes on from the state saved at
/// epoch 2 (read back from its file): the network at epoch 5 is the same to the bit, under Adam
/// and under SGD.
#[test]
fn a_run_resumed_from_a_saved_checkpoint_reaches_the_same_weights() {
    let data = gaussian_data(300, 12);
    let dir = tempfile::tempdir().unwrap();
    let queries = array![[-1.0], [0.2], [1.5]];
    for (i, optimizer) in [Optimizer::Adam { lr: 1e-2 }, Optimizer::Sgd { lr: 0.05 }]
        .into_iter()
        .enumerate()
    {
        let architecture = Architecture::mlp(16, 2, 1.0);
        let net = ScoreNetwork::new(1, &architecture, Schedule::VarianceExploding, 13).unwrap();
        let training = Training {
            optimizer,
            ..adam(vec![2, 5], 14)
        };
        let path = dir.path().join(format!("state-{i}.safetensors"));
        let mut saved = Vec::new();
        let straight = net
            .train_from(data.view(), &training, None, &mut |state| {
                if state.epoch == 2 {
                    state.save(&path)?;
                }
                saved.push(state.epoch);
                Ok::<(), TrainError>(())
            })
            .unwrap();
        assert_eq!(saved, [2, 5]);
        let state = TrainingState::load(&path).unwrap();
        assert_eq!(state.epoch, 2);
        let resumed = net
            .train_from(data.view(), &training, Some(&state), &mut |_| {
                Ok::<(), TrainError>(())
            })
            .unwrap();
        assert_eq!(
            resumed.checkpoints.len(),
            1,
            "only the checkpoints after it"
        );
        let (epoch, ref again, loss) = resumed.checkpoints[0];
        let (_, ref first, first_loss) = straight.checkpoints[1];
        assert_eq!(epoch, 5);
        assert_eq!(loss, first_loss);
        let score = |net: &ScoreNetwork| net.score_batch(queries.view(), 0.1).unwrap();
        assert_eq!(score(again), score(first), "{optimizer:?}");
        // The network at the saved checkpoint is the one trained to it.
        let at_two = net.with_state(&state).unwrap();
        assert_eq!(score(&at_two), score(&straight.checkpoints[0].1));
        // A state of another architecture, or of an epoch that is no checkpoint, is refused.
        let other = ScoreNetwork::new(
            1,
            &Architecture::mlp(8, 2, 1.0),
            Schedule::VarianceExploding,
            13,
        )
        .unwrap();
        assert!(other.with_state(&state).is_err());
        let off = Training {
            checkpoints: vec![3, 5],
            ..training.clone()
        };
        let err = net
            .train_from(data.view(), &off, Some(&state), &mut |_| {
                Ok::<(), TrainError>(())
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("not one of the checkpoints"),
            "{err}"
        );
        // A state is taken up only by the optimizer that saved it.
        let other = Training {
            optimizer: match optimizer {
                Optimizer::Adam { .. } => Optimizer::Sgd { lr: 0.05 },
                Optimizer::Sgd { .. } => Optimizer::Adam { lr: 1e-2 },
            },
            ..training.clone()
        };
        let err = net
            .train_from(data.view(), &other, Some(&state), &mut |_| {
                Ok::<(), TrainError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("saved under"), "{err}");
    }
    // What is not a state file is an error naming the file.
    let junk = dir.path().join("junk.safetensors");
    std::fs::write(&junk, b"not a state").unwrap();
    let err = TrainingState::load(&junk).unwrap_err();
    assert!(err.to_string().contains("junk.safetensors"), "{err}");
}
