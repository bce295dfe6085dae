//! Shared fixtures for the geometry integration tests: every built-in manifold, embedded in a given R^D.

#![allow(dead_code)]

use mangen_geometry::{DonutTorus, Embedded, FlatTorus, Manifold, PolarCurve, Sphere};

/// Every built-in manifold in R^D (those whose span fits), randomly embedded with `seed`.
pub fn all_manifolds(ambient: usize, seed: u64) -> Vec<Box<dyn Manifold>> {
    let mut out: Vec<Box<dyn Manifold>> = Vec::new();
    let mut push = |m: Option<Box<dyn Manifold>>| out.extend(m);
    push(
        Embedded::random(Sphere::circle(1.5).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    push(
        Embedded::random(Sphere::new(2, 0.8).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    push(
        Embedded::random(Sphere::new(3, 1.0).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    push(
        Embedded::random(FlatTorus::new(vec![1.0, 0.6]).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    push(
        Embedded::random(FlatTorus::new(vec![1.0, 0.7, 0.5]).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    push(
        Embedded::random(DonutTorus::new(2.0, 0.6).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    push(
        Embedded::random(PolarCurve::new(1.0, 0.3, 4.5).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    push(
        Embedded::random(PolarCurve::new(1.0, -0.2, 2.5).unwrap(), ambient, seed)
            .ok()
            .map(|m| Box::new(m) as _),
    );
    out
}
