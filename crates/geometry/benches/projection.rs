//! Criterion benchmarks of the exact projection π for each built-in manifold (ids carry k and D).

use criterion::{Criterion, criterion_group, criterion_main};
use mangen_geometry::{
    DonutTorus, Embedded, FlatTorus, LocalModel, Manifold, PolarCurve, Sphere, laws, rng,
};
use std::hint::black_box;

fn bench_manifold<L: LocalModel>(c: &mut Criterion, model: L, ambient: usize) {
    let manifold = Embedded::random(model, ambient, 1).expect("valid embedding");
    let mut rng = rng::seeded(2);
    let points: Vec<_> = (0..256)
        .map(|_| laws::perturbed_point(&manifold, 0.05, &mut rng))
        .collect();
    let id = format!(
        "project/{}/k={}/D={}",
        manifold.name(),
        manifold.intrinsic_dim(),
        ambient
    );
    c.bench_function(&id, |b| {
        b.iter(|| {
            for x in &points {
                black_box(manifold.project(x.view()).expect("valid point"));
            }
        })
    });
}

fn projection(c: &mut Criterion) {
    for ambient in [3, 10, 100] {
        bench_manifold(c, Sphere::circle(1.0).expect("valid"), ambient);
        bench_manifold(c, Sphere::new(2, 1.0).expect("valid"), ambient);
        bench_manifold(c, PolarCurve::new(1.0, 0.3, 4.5).expect("valid"), ambient);
        bench_manifold(c, DonutTorus::new(2.0, 0.5).expect("valid"), ambient);
    }
    bench_manifold(c, FlatTorus::new(vec![1.0; 3]).expect("valid"), 10);
}

criterion_group!(benches, projection);
criterion_main!(benches);
