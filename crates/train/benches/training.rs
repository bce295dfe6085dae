//! Training throughput of Li et al.'s one-hidden-layer network (one epoch of n = 1000 points at batch 32, widths 16, 256 and 2048) and of a 3×128 MLP on a circle in R^10, the exact flow of the random-feature model (one eigendecomposition, then any τ), and sampling with a trained network (batched). Run with `RAYON_NUM_THREADS=1`, as `mangen` runs each network product, for figures per core.

use criterion::{Criterion, criterion_group, criterion_main};
use mangen_geometry::rng::seeded;
use mangen_samplers::{EulerMaruyama, RunOptions, Sampler, SamplingConfig, Start};
use mangen_scores::Schedule;
use mangen_train::network::{Architecture, Optimizer, ScoreNetwork, Training};
use mangen_train::{DsmSet, ExactFlow, RandomFeatures};
use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

/// Li et al.'s data: n draws of ½N(−3, 1) + ½N(3, 1) on the line.
fn mixture(n: usize) -> Array2<f64> {
    let mut rng = seeded(1);
    Array2::from_shape_fn((n, 1), |(i, _)| {
        let z: f64 = StandardNormal.sample(&mut rng);
        if i % 2 == 0 { z - 3.0 } else { z + 3.0 }
    })
}

fn one_epoch(c: &mut Criterion) {
    // As `mangen` runs them.
    mangen_train::allocator::keep_freed_blocks();
    let data = mixture(1000);
    let mut group = c.benchmark_group("one_hidden_layer_epoch_n1000_batch32");
    group.sample_size(10);
    for width in [16, 256, 2048] {
        let net = ScoreNetwork::new(
            1,
            &Architecture::log_time(width, 8),
            Schedule::VarianceExploding,
            2,
        )
        .unwrap();
        let training = Training {
            optimizer: Optimizer::Sgd { lr: 0.01 },
            batch: 32,
            checkpoints: vec![1],
            times: (1e-3, 1.0),
            seed: 3,
        };
        group.bench_function(format!("sgd_width_{width}"), |b| {
            b.iter(|| black_box(net.train(data.view(), &training).unwrap()));
        });
    }
    group.finish();
}

/// n points on the unit circle in the first two coordinates of R^10, at even angles.
fn circle(n: usize) -> Array2<f64> {
    let mut points = Array2::zeros((n, 10));
    for (i, mut row) in points.outer_iter_mut().enumerate() {
        let angle = std::f64::consts::TAU * i as f64 / n as f64;
        row[0] = angle.cos();
        row[1] = angle.sin();
    }
    points
}

fn mlp_epoch(c: &mut Criterion) {
    mangen_train::allocator::keep_freed_blocks();
    let data = circle(1000);
    let mut group = c.benchmark_group("mlp_epoch_circle_r10_n1000_batch128");
    group.sample_size(10);
    let net = ScoreNetwork::new(
        10,
        &Architecture::mlp(128, 3, 0.45),
        Schedule::VarianceExploding,
        2,
    )
    .unwrap();
    let training = Training {
        optimizer: Optimizer::Adam { lr: 1e-3 },
        batch: 128,
        checkpoints: vec![1],
        times: (1e-4, 10.0),
        seed: 3,
    };
    group.bench_function("adam_3x128", |b| {
        b.iter(|| black_box(net.train(data.view(), &training).unwrap()));
    });
    group.finish();
}

fn sampling(c: &mut Criterion) {
    mangen_train::allocator::keep_freed_blocks();
    let mut group = c.benchmark_group("sampling_with_a_network_2000_samples_100_steps");
    group.sample_size(10);
    let config = SamplingConfig::new(96.93, 0.08071, 100).unwrap();
    let line = Start::forward_marginal(
        Schedule::VarianceExploding,
        96.93,
        Array2::zeros((1, 1)).row(0).to_owned(),
        10.0,
    )
    .unwrap();
    let li = ScoreNetwork::new(1, &Architecture::li(16), Schedule::VarianceExploding, 2).unwrap();
    let ambient = Start::forward_marginal(
        Schedule::VarianceExploding,
        10.0,
        Array2::zeros((1, 10)).row(0).to_owned(),
        0.1,
    )
    .unwrap();
    let mlp = ScoreNetwork::new(
        10,
        &Architecture::mlp(128, 3, 0.45),
        Schedule::VarianceExploding,
        2,
    )
    .unwrap();
    for (name, net, start, config) in [
        ("li_width_16_line", &li, &line, config),
        (
            "mlp_3x128_r10",
            &mlp,
            &ambient,
            SamplingConfig::new(10.0, 1e-4, 100).unwrap(),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    EulerMaruyama
                        .run(net, start, &config, 2000, 7, &RunOptions::default())
                        .unwrap(),
                )
            });
        });
    }
    group.finish();
}

fn exact_flow(c: &mut Criterion) {
    let data = mixture(1000);
    let mut group = c.benchmark_group("random_features_exact_flow");
    group.sample_size(10);
    for width in [64, 512] {
        let features = RandomFeatures::new(1, width, 8, Schedule::VarianceExploding, 4).unwrap();
        let set =
            DsmSet::draw(&features, data.view(), 20_000, (1e-3, 1.0), &mut seeded(5)).unwrap();
        group.bench_function(format!("solve_width_{width}_draws_20000"), |b| {
            b.iter(|| black_box(ExactFlow::new(&set, Array2::zeros((1, width))).unwrap()));
        });
    }
    group.finish();
}

criterion_group!(benches, one_epoch, mlp_epoch, exact_flow, sampling);
criterion_main!(benches);
