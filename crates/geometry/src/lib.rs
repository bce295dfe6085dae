//! mangen-geometry: manifolds M ⊂ R^D (compact ones, and the line) with exact projection, distances, tangent spaces, volume and reach.
//!
//! Every built-in manifold is a [`LocalModel`] in its natural span R^m (circle and spheres, flat
//! and donut tori, polar curves of finite smoothness β, closed curves with random Fourier
//! coefficients that fill R^D) carried into R^D by a seeded random
//! [`Isometry`]: [`Embedded`] then implements the [`Manifold`] trait, which is all the rest of
//! mangen uses. Implement [`Manifold`] (or [`LocalModel`]) for a manifold of your own and check it
//! with the same [`laws`] as the built-in ones.

mod curve;
mod embedding;
mod error;
mod fourier;
pub mod laws;
mod line;
mod manifold;
mod polar;
mod quadrature;
pub mod rng;
mod sphere;
mod torus;

pub use curve::{ClosedCurve, CurveParametrization, Jet};
pub use embedding::{Embedded, Isometry, LocalModel};
pub use error::{GeometryError, Result, check_point, check_positive};
pub use fourier::{FourierCurve, FourierSeries, MAX_HARMONICS};
pub use line::Line;
pub use manifold::{Manifold, euclidean};
pub use polar::{PolarCurve, PolarGraph};
pub use quadrature::{Quadrature, gauss_legendre, midpoints};
pub use sphere::{Sphere, orthonormal_complement, sin_power_integral, unit_sphere_volume};
pub use torus::{DonutTorus, FlatTorus};
