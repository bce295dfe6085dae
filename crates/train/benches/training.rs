//! Training throughput of Li et al.'s one-hidden-layer network (one epoch of n = 1000 points at batch 32, widths 16, 256 and 2048) and the exact flow of the random-feature model (one eigendecomposition, then any τ).

use criterion::{Criterion, criterion_group, criterion_main};
use mangen_geometry::rng::seeded;
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

criterion_group!(benches, one_epoch, exact_flow);
criterion_main!(benches);
