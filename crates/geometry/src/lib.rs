//! mangen-geometry: manifolds M ⊂ R^D (compact ones, and the line) with exact projection, distances, tangent spaces, volume and reach.
//!
//! Every built-in manifold is a [`LocalModel`] in its natural span R^m (circle and spheres, flat
//! and donut tori, a polar curve of finite smoothness β) carried into R^D by a seeded random
//! [`Isometry`]: [`Embedded`] then implements the [`Manifold`] trait, which is all the rest of
//! mangen uses. Implement [`Manifold`] (or [`LocalModel`]) for a manifold of your own and check it
//! with the same [`laws`] as the built-in ones.

mod curve;
mod embedding;
mod error;
pub mod laws;
mod line;
mod manifold;
mod quadrature;
pub mod rng;
mod sphere;
mod torus;

pub use curve::PolarCurve;
pub use embedding::{Embedded, Isometry, LocalModel};
pub use error::{GeometryError, Result, check_point, check_positive};
pub use line::Line;
pub use manifold::{Manifold, euclidean};
pub use quadrature::{Quadrature, gauss_legendre, midpoints};
pub use sphere::{Sphere, orthonormal_complement, sin_power_integral, unit_sphere_volume};
pub use torus::{DonutTorus, FlatTorus};
