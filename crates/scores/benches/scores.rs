//! Criterion benchmarks of per-query score cost: dense against truncated empirical scores, and the projection score.
//!
//! Data: uniform samples of S^2 (k = 2) isometrically embedded in R^D; queries are fresh samples
//! plus N(0, t I) noise, which is where a sampler evaluates the score at time t. Ids carry N, D, k
//! and t; throughput is in queries. `cargo bench` runs the full grid (N up to 10^6); under
//! `cargo test` each benchmark runs once on the smallest N only.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mangen_geometry::{Embedded, Manifold, Sphere, rng};
use mangen_scores::{Denoiser, EmpiricalScore, ProjectionScore, Schedule, Truncation};
use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const QUERIES: usize = 32;

/// True under `cargo bench`; `cargo test` runs benches without `--bench`.
fn full_grid() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

fn sizes() -> Vec<usize> {
    if full_grid() {
        vec![1_000, 10_000, 100_000, 1_000_000]
    } else {
        vec![1_000]
    }
}

struct Data {
    manifold: Embedded<Sphere>,
    points: Arc<Array2<f64>>,
}

impl Data {
    fn new(n: usize, ambient: usize) -> Self {
        let manifold = Embedded::random(Sphere::new(2, 1.0).expect("valid"), ambient, 1)
            .expect("valid embedding");
        let points = Arc::new(manifold.sample_uniform(n, &mut rng::seeded(2)));
        Self { manifold, points }
    }

    /// Fresh points of M plus N(0, t I) noise.
    fn queries(&self, t: f64) -> Array2<f64> {
        let mut r = rng::seeded(3);
        let clean = self.manifold.sample_uniform(QUERIES, &mut r);
        clean.mapv(|v| {
            v + t.sqrt() * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
        })
    }
}

fn run(
    c: &mut Criterion,
    group_name: &str,
    id: String,
    score: &dyn Denoiser,
    queries: &Array2<f64>,
    t: f64,
) {
    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(QUERIES as u64));
    group.bench_function(BenchmarkId::from_parameter(id), |b| {
        b.iter(|| {
            for x in queries.outer_iter() {
                black_box(score.denoise(x, t).expect("valid query"));
            }
        })
    });
    group.finish();
}

fn empirical(c: &mut Criterion) {
    for ambient in [3, 10, 100] {
        for n in sizes() {
            let data = Data::new(n, ambient);
            let truncated = EmpiricalScore::new(data.points.clone(), Schedule::VarianceExploding)
                .expect("valid training set");
            let dense = EmpiricalScore::new(data.points.clone(), Schedule::VarianceExploding)
                .expect("valid training set")
                .with_truncation(Truncation::Dense)
                .expect("valid truncation");
            let mut times = vec![1e-4, 1e-2, 1.0];
            if ambient == 10 {
                times.push(1e-3);
            }
            for t in times {
                let queries = data.queries(t);
                let id = format!("N={n}/D={ambient}/k=2/t={t:e}");
                run(
                    c,
                    "empirical_truncated",
                    id.clone(),
                    &truncated,
                    &queries,
                    t,
                );
                run(c, "empirical_dense", id, &dense, &queries, t);
            }
        }
    }
}

/// The memorization regime t = 1/N (√t below the spacing N^{-1/k} of k = 2 data), where the
/// certified ball holds about ln(N/ε)/2 points whatever N is: the cost of the truncated score
/// should grow like the tree search, logarithmically.
fn memorization_regime(c: &mut Criterion) {
    for n in sizes() {
        let data = Data::new(n, 10);
        let truncated = EmpiricalScore::new(data.points.clone(), Schedule::VarianceExploding)
            .expect("valid training set");
        let t = 1.0 / n as f64;
        let queries = data.queries(t);
        let id = format!("N={n}/D=10/k=2/t=1/N");
        run(
            c,
            "empirical_truncated_memorization",
            id,
            &truncated,
            &queries,
            t,
        );
    }
}

fn projection(c: &mut Criterion) {
    for ambient in [3, 10, 100] {
        for n in sizes() {
            let data = Data::new(n, ambient);
            let degrees = if ambient == 10 {
                vec![1, 2, 3, 4]
            } else {
                vec![2]
            };
            for degree in degrees {
                let score = ProjectionScore::new(
                    data.points.clone(),
                    Schedule::VarianceExploding,
                    degree,
                    Some(2),
                )
                .expect("valid projection score");
                let t = 1e-3;
                let queries = data.queries(t);
                let id = format!("N={n}/D={ambient}/k=2/m={degree}/t={t:e}");
                run(c, "projection", id, &score, &queries, t);
            }
        }
    }
}

criterion_group!(benches, empirical, memorization_regime, projection);
criterion_main!(benches);
