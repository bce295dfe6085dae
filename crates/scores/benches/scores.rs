//! Criterion benchmarks of per-query score cost: dense against truncated empirical scores, and the projection score.
//!
//! Data: uniform samples of S^2 (k = 2) isometrically embedded in R^D; queries are fresh samples
//! plus N(0, t I) noise, which is where a sampler evaluates the score at time t. Ids carry N, D, k
//! and t; throughput is in queries. `cargo bench` runs the full grid (N up to 10^6); under
//! `cargo test` each benchmark runs once on the smallest N only. `noise_levels` crosses the t
//! a sampler's grid spends its time at, in span dimensions 2, 3 and 4 (S^1, S^2, S^3).
//! `full_rank_search` compares the kd-tree over 8 leading coordinates with the scan on a closed
//! curve that fills R^100.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mangen_geometry::{Embedded, FourierCurve, Manifold, Sphere, rng};
use mangen_scores::{
    BruteForce, Denoiser, EmpiricalScore, KdTree, NeighbourIndex, ProjectionScore, Schedule,
    Truncation,
};
use ndarray::{Array2, ArrayView1};
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
        Self::sphere(2, n, ambient)
    }

    /// N uniform points of the unit S^k in R^D (span dimension k + 1).
    fn sphere(k: usize, n: usize, ambient: usize) -> Self {
        let manifold = Embedded::random(Sphere::new(k, 1.0).expect("valid"), ambient, 1)
            .expect("valid embedding");
        let points = Arc::new(manifold.sample_uniform(n, &mut rng::seeded(2)));
        Self { manifold, points }
    }

    /// The memorizer of the points, truncated with the default ε and dense.
    fn memorizers(&self) -> (EmpiricalScore, EmpiricalScore) {
        let truncated = EmpiricalScore::new(self.points.clone(), Schedule::VarianceExploding)
            .expect("valid training set");
        let dense = EmpiricalScore::new(self.points.clone(), Schedule::VarianceExploding)
            .expect("valid training set")
            .with_truncation(Truncation::Dense)
            .expect("valid truncation");
        (truncated, dense)
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

/// The truncated and the dense score on the same queries, in groups `{group}_truncated` and
/// `{group}_dense`.
fn run_both(
    c: &mut Criterion,
    group: &str,
    id: String,
    (truncated, dense): (&EmpiricalScore, &EmpiricalScore),
    queries: &Array2<f64>,
    t: f64,
) {
    run(
        c,
        &format!("{group}_truncated"),
        id.clone(),
        truncated,
        queries,
        t,
    );
    run(c, &format!("{group}_dense"), id, dense, queries, t);
}

fn empirical(c: &mut Criterion) {
    for ambient in [3, 10, 100] {
        for n in sizes() {
            let data = Data::new(n, ambient);
            let (truncated, dense) = data.memorizers();
            let mut times = vec![1e-4, 1e-2, 1.0];
            if ambient == 10 {
                times.push(1e-3);
            }
            for t in times {
                let id = format!("N={n}/D={ambient}/k=2/t={t:e}");
                run_both(
                    c,
                    "empirical",
                    id,
                    (&truncated, &dense),
                    &data.queries(t),
                    t,
                );
            }
        }
    }
}

/// Every noise level a sampler's grid crosses between memorization and the root expansion,
/// t ∈ {1e-3, 1e-2, 3e-2, 0.1, 0.3, 1}, on S^1, S^2 and S^3 in R^10 (span dimensions 2, 3, 4):
/// the certified sum against the dense one at N = 10^4, 10^5 and 10^6 (10^3 under `cargo test`).
fn noise_levels(c: &mut Criterion) {
    let sizes = if full_grid() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        vec![1_000]
    };
    for k in 1..=3 {
        for &n in &sizes {
            let data = Data::sphere(k, n, 10);
            let (truncated, dense) = data.memorizers();
            for t in [1e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0] {
                let id = format!("N={n}/D=10/k={k}/t={t:e}");
                run_both(
                    c,
                    "noise_levels",
                    id,
                    (&truncated, &dense),
                    &data.queries(t),
                    t,
                );
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

/// Neighbour queries on data of rank 100 (E8's curve: harmonics 2…100 of weight 0.2·j^-2 in
/// R^100): the 16 nearest points and the ball of radius 0.01, by the kd-tree over the 8 leading
/// principal coordinates and by the scan, for queries √t = 1e-3 off the curve.
fn full_rank_search(c: &mut Criterion) {
    let curve = FourierCurve::random(100, 100, 1.0, 0.2, 2.0, 7).expect("valid curve");
    let manifold = Embedded::random(curve, 100, 1).expect("valid embedding");
    let sizes = if full_grid() {
        vec![1_000, 10_000, 100_000]
    } else {
        vec![1_000]
    };
    for n in sizes {
        let points = Arc::new(manifold.sample_uniform(n, &mut rng::seeded(2)));
        let mut r = rng::seeded(3);
        let queries = manifold.sample_uniform(QUERIES, &mut r).mapv(|v| {
            v + 1e-3 * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
        });
        let tree = KdTree::new(points.clone()).expect("valid training set");
        let scan = BruteForce::new(points).expect("valid training set");
        let indexes: [(&str, &dyn NeighbourIndex); 2] = [("leading_tree", &tree), ("scan", &scan)];
        let mut group = c.benchmark_group("full_rank_search");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2))
            .throughput(Throughput::Elements(QUERIES as u64));
        type Query = fn(&dyn NeighbourIndex, ArrayView1<f64>) -> usize;
        let searches: [(&str, Query); 2] = [
            ("k_nearest16", |index, x| {
                index.k_nearest(x, 16).expect("valid query").len()
            }),
            ("within0.01", |index, x| {
                index.within_unsorted(x, 0.01).expect("valid query").len()
            }),
        ];
        for (name, index) in indexes {
            for (search, query) in searches {
                let id = BenchmarkId::new(format!("{search}/{name}"), format!("N={n}/D=100"));
                group.bench_function(id, |b| {
                    b.iter(|| {
                        for x in queries.outer_iter() {
                            black_box(query(index, x));
                        }
                    })
                });
            }
        }
        group.finish();
    }
}

criterion_group!(
    benches,
    empirical,
    noise_levels,
    memorization_regime,
    projection,
    full_rank_search
);
criterion_main!(benches);
