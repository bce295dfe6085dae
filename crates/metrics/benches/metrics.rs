//! Criterion benchmarks of the metrics: exact W2 by assignment (time, and peak memory printed once per size), nearest-two distances against a large training set, ball counts of the coverage metric, and semi-discrete W_p to μ.
//!
//! `cargo bench` runs n ∈ {1000, 2000, 4000} on S^2 in D ∈ {3, 10} and on the circle in D = 10,
//! 10^5 queries against 10^6 training points (S^2), ball counts over 10^6 points (the circle and
//! S^2) by the boxes and by listing, and the semi-discrete W1 and W2 of 1000
//! atoms to uniform S^2 in D = 10; under `cargo test` each benchmark runs once on small sizes.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_measures::{DensityMeasure, Measure};
use mangen_metrics::{SemiDiscreteOptions, nearest_two, semi_discrete_transport, wasserstein};
use mangen_scores::{KdTree, NeighbourIndex};
use peak_alloc::PeakAlloc;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// True under `cargo bench`; `cargo test` runs benches without `--bench`.
fn full_grid() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// S^k of radius 1 in R^D (k = 1: the circle).
fn sphere(k: usize, ambient: usize) -> Embedded<Sphere> {
    Embedded::random(Sphere::new(k, 1.0).expect("valid"), ambient, 1).expect("valid embedding")
}

fn exact_w2(c: &mut Criterion) {
    let sizes = if full_grid() {
        vec![1000, 2000, 4000]
    } else {
        vec![50]
    };
    let mut group = c.benchmark_group("wasserstein_exact_w2");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(5));
    for (k, ambient) in [(2, 3), (2, 10), (1, 10)] {
        let manifold = sphere(k, ambient);
        for &n in &sizes {
            let a = manifold.sample_uniform(n, &mut rng::seeded(1));
            let b = manifold.sample_uniform(n, &mut rng::seeded(2));
            ALLOCATOR.reset_peak_usage();
            let before = ALLOCATOR.current_usage();
            black_box(wasserstein(a.view(), b.view(), 2.0).expect("valid sets"));
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "wasserstein_exact_w2/n={n}/D={ambient}/k={k}: peak memory {:.2} MiB above the inputs",
                    (ALLOCATOR.peak_usage() - before) as f64 / (1024.0 * 1024.0)
                );
            }
            group.bench_function(
                BenchmarkId::from_parameter(format!("n={n}/D={ambient}/k={k}")),
                |bench| {
                    bench.iter(|| {
                        black_box(wasserstein(a.view(), b.view(), 2.0).expect("valid sets"))
                    })
                },
            );
        }
    }
    group.finish();
}

fn nearest_distances(c: &mut Criterion) {
    let (train_size, queries) = if full_grid() {
        (1_000_000, 100_000)
    } else {
        (1000, 100)
    };
    let manifold = sphere(2, 10);
    let train = Arc::new(manifold.sample_uniform(train_size, &mut rng::seeded(3)));
    let index = KdTree::new(train).expect("valid training set");
    let probes = manifold.sample_uniform(queries, &mut rng::seeded(4));
    let mut group = c.benchmark_group("nearest_two");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(queries as u64));
    group.bench_function(
        BenchmarkId::from_parameter(format!("N={train_size}/queries={queries}/D=10/k=2")),
        |bench| {
            bench.iter(|| black_box(nearest_two(&index, probes.view()).expect("valid queries")))
        },
    );
    group.finish();
}

fn semi_discrete(c: &mut Criterion) {
    let n = if full_grid() { 1000 } else { 30 };
    let measure = DensityMeasure::uniform(Arc::new(sphere(2, 10)));
    let atoms = measure.sample(n, &mut rng::seeded(5));
    let mut group = c.benchmark_group("semi_discrete");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(20));
    for order in [1.0, 2.0] {
        let options = SemiDiscreteOptions::new(order, 2);
        group.bench_function(
            BenchmarkId::from_parameter(format!("W{order}/n={n}/D=10/k=2")),
            |bench| {
                bench.iter(|| {
                    let mut stream = rng::seeded(6);
                    let mut draw = |m: usize| measure.sample(m, &mut stream);
                    black_box(
                        semi_discrete_transport(atoms.view(), &mut draw, &options)
                            .expect("valid atoms"),
                    )
                })
            },
        );
    }
    group.finish();
}

/// The coverage metric's ball counts: 100 centres on M, one radius a run, over 10^6 points on M
/// (the circle and S^2 in R^10), counted by the boxes of the span order and by listing.
fn ball_counts(c: &mut Criterion) {
    let (points, centres) = if full_grid() {
        (1_000_000, 100)
    } else {
        (2000, 5)
    };
    let mut group = c.benchmark_group("ball_count");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(centres as u64));
    for k in [1, 2] {
        let manifold = sphere(k, 10);
        let index = KdTree::new(Arc::new(
            manifold.sample_uniform(points, &mut rng::seeded(7)),
        ))
        .expect("valid points");
        let probes = manifold.sample_uniform(centres, &mut rng::seeded(8));
        for radius in [0.01, 0.1, 0.9] {
            for listing in [false, true] {
                let method = if listing { "listed" } else { "counted" };
                let id = format!("{method}/N={points}/D=10/k={k}/r={radius}");
                group.bench_function(BenchmarkId::from_parameter(id), |bench| {
                    bench.iter(|| {
                        probes
                            .outer_iter()
                            .map(|y| match listing {
                                true => index.within_unsorted(y, radius).expect("valid").len(),
                                false => index.count_within(y, radius).expect("valid"),
                            })
                            .sum::<usize>()
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    exact_w2,
    nearest_distances,
    ball_counts,
    semi_discrete
);
criterion_main!(benches);
