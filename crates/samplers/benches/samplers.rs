//! Criterion benchmarks of sampling throughput (samples per second) for each score kind.
//!
//! N training points uniform on S^2 isometrically embedded in R^10, VE, T = 10 down to t0 = 1e-3
//! in 100 geometric steps. `cargo bench` uses N = 10^5 and 100 samples per iteration (20 for
//! the quadrature population score); under `cargo test` each benchmark runs once on a small case.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_measures::DensityMeasure;
use mangen_samplers::{EulerMaruyama, Heun, RunOptions, Sampler, SamplingConfig, Start};
use mangen_scores::{
    EmpiricalScore, Hybrid, OracleProjection, PopulationScore, ProjectionScore, Schedule, Score,
};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// True under `cargo bench`; `cargo test` runs benches without `--bench`.
fn full_grid() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

fn sampling(c: &mut Criterion) {
    let (n_train, samples) = if full_grid() {
        (100_000, 100)
    } else {
        (500, 5)
    };
    let ambient = 10;
    let schedule = Schedule::VarianceExploding;
    let manifold =
        Arc::new(Embedded::random(Sphere::new(2, 1.0).expect("valid"), ambient, 1).expect("valid"));
    let points = Arc::new(manifold.sample_uniform(n_train, &mut rng::seeded(2)));
    let config = SamplingConfig::new(10.0, 1e-3, 100).expect("valid config");
    let variance = 1.0 / ambient as f64;
    let start = Start::forward_marginal(schedule, 10.0, ndarray::Array1::zeros(ambient), variance)
        .expect("valid start");
    let empirical = || EmpiricalScore::new(points.clone(), schedule).expect("valid");
    let projection = || ProjectionScore::new(points.clone(), schedule, 2, Some(2)).expect("valid");
    let h = (n_train as f64).powf(-0.5);
    let scores: Vec<(Box<dyn Score>, usize)> = vec![
        (Box::new(empirical()), samples),
        (
            Box::new(empirical().with_bandwidth(h).expect("valid")),
            samples,
        ),
        (Box::new(projection()), samples),
        (
            Box::new(OracleProjection::new(manifold.clone(), schedule)),
            samples,
        ),
        (
            Box::new(Hybrid::new(empirical(), projection(), 1e-2).expect("valid")),
            samples,
        ),
        (
            Box::new(
                PopulationScore::quadrature(
                    Arc::new(DensityMeasure::uniform(manifold.clone())),
                    schedule,
                )
                .expect("valid"),
            ),
            samples / 5,
        ),
    ];
    let samplers: [&dyn Sampler; 2] = [&EulerMaruyama, &Heun];
    let mut group = c.benchmark_group("sample");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(1));
    for (score, count) in &scores {
        for sampler in samplers {
            group.throughput(Throughput::Elements(*count as u64));
            let id = format!(
                "{}/{}/N={n_train}/D={ambient}/k=2/steps=100",
                sampler.name(),
                score.name()
            );
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| {
                    black_box(
                        sampler
                            .run(
                                score.as_ref(),
                                &start,
                                &config,
                                *count,
                                7,
                                &RunOptions::default(),
                            )
                            .expect("sampling succeeds"),
                    )
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, sampling);
criterion_main!(benches);
