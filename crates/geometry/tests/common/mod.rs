//! Shared fixtures for the geometry integration tests: every built-in manifold, embedded in a given R^D.

#![allow(dead_code)]

use mangen_geometry::{
    DonutTorus, Embedded, FlatTorus, FourierCurve, LocalModel, Manifold, PolarCurve, Sphere,
};

/// `model` randomly embedded in R^D with `seed`, when its span fits.
fn embedded<L: LocalModel + 'static>(
    model: L,
    ambient: usize,
    seed: u64,
) -> Option<Box<dyn Manifold>> {
    Embedded::random(model, ambient, seed)
        .ok()
        .map(|m| Box::new(m) as _)
}

/// Every built-in manifold in R^D (those whose span fits, and a Fourier curve that fills R^D), randomly embedded with `seed`.
pub fn all_manifolds(ambient: usize, seed: u64) -> Vec<Box<dyn Manifold>> {
    [
        embedded(Sphere::circle(1.5).unwrap(), ambient, seed),
        embedded(Sphere::new(2, 0.8).unwrap(), ambient, seed),
        embedded(Sphere::new(3, 1.0).unwrap(), ambient, seed),
        embedded(FlatTorus::new(vec![1.0, 0.6]).unwrap(), ambient, seed),
        embedded(FlatTorus::new(vec![1.0, 0.7, 0.5]).unwrap(), ambient, seed),
        embedded(DonutTorus::new(2.0, 0.6).unwrap(), ambient, seed),
        embedded(PolarCurve::new(1.0, 0.3, 4.5).unwrap(), ambient, seed),
        embedded(PolarCurve::new(1.0, -0.2, 2.5).unwrap(), ambient, seed),
        embedded(
            PolarCurve::lacunary(1.0, 1.0, 2.5, 2).unwrap(),
            ambient,
            seed,
        ),
        embedded(
            PolarCurve::lacunary(1.0, 2.0, 4.5, 3).unwrap(),
            ambient,
            seed,
        ),
        // Full rank: the curve's span is all of R^D (2J ≥ D harmonic directions).
        embedded(
            FourierCurve::random(ambient, ambient / 2 + 2, 1.0, 0.15, 1.5, seed).unwrap(),
            ambient,
            seed,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}
