//! Densities on any manifold that depend on one linear feature u = ⟨v, x − o⟩: uniform, tilt, kink, two-level.

use crate::error::{MeasureError, Result};
use crate::measure::{Measure, ball_mass_by_quadrature, check_ambient_point, check_radius};
use mangen_geometry::{Manifold, check_point};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rand::{Rng, RngExt};
use std::sync::Arc;

/// The unnormalized shape g(u) of a density p(x) = g(⟨v, x − o⟩) / Z on M.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Profile {
    /// g = 1: the normalized volume measure.
    Uniform,
    /// g = exp(κu): a smooth tilt (von Mises–Fisher on spheres when o is the centre).
    Tilt {
        /// Concentration κ (any finite real).
        kappa: f64,
    },
    /// g = 1 + a|u|: Lipschitz, with a kink on the hyperplane u = 0.
    Kink {
        /// Slope a ≥ 0.
        slope: f64,
    },
    /// g = 1 + (ρ − 1)·𝟙(u > 0): two levels with ratio ρ across the hyperplane u = 0.
    TwoLevel {
        /// Ratio ρ > 0 of the density on the side u > 0 to that on u ≤ 0.
        ratio: f64,
    },
}

impl Profile {
    /// Checks the parameter of the profile.
    pub fn validate(self) -> Result<Self> {
        let bad = |name, value, rule| Err(MeasureError::InvalidParameter { name, value, rule });
        match self {
            Profile::Tilt { kappa } if !kappa.is_finite() => bad("kappa", kappa, "must be finite"),
            Profile::Kink { slope } if !(slope.is_finite() && slope >= 0.0) => {
                bad("slope", slope, "must be finite and ≥ 0")
            }
            Profile::TwoLevel { ratio } if !(ratio.is_finite() && ratio > 0.0) => {
                bad("ratio", ratio, "must be finite and > 0")
            }
            _ => Ok(self),
        }
    }

    /// g(u).
    pub fn shape(self, u: f64) -> f64 {
        match self {
            Profile::Uniform => 1.0,
            Profile::Tilt { kappa } => (kappa * u).exp(),
            Profile::Kink { slope } => 1.0 + slope * u.abs(),
            Profile::TwoLevel { ratio } => {
                if u > 0.0 {
                    ratio
                } else {
                    1.0
                }
            }
        }
    }

    /// sup of g over |u| ≤ bound: the rejection sampler's envelope.
    pub fn envelope(self, bound: f64) -> f64 {
        match self {
            Profile::Uniform => 1.0,
            Profile::Tilt { kappa } => (kappa.abs() * bound).exp(),
            Profile::Kink { slope } => 1.0 + slope * bound,
            Profile::TwoLevel { ratio } => ratio.max(1.0),
        }
    }

    fn label(self) -> String {
        match self {
            Profile::Uniform => "uniform".into(),
            Profile::Tilt { kappa } => format!("tilt(kappa={kappa})"),
            Profile::Kink { slope } => format!("kink(slope={slope})"),
            Profile::TwoLevel { ratio } => format!("two_level(ratio={ratio})"),
        }
    }
}

/// The feature u(x) = ⟨v, x − o⟩ with a unit direction v and an origin o in R^D.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearFeature {
    direction: Array1<f64>,
    origin: Array1<f64>,
}

impl LinearFeature {
    /// Normalizes `direction`; both vectors must have the ambient length and be finite.
    pub fn new(direction: Array1<f64>, origin: Array1<f64>) -> Result<Self> {
        check_point(origin.view(), direction.len())?;
        check_point(direction.view(), direction.len())?;
        let norm = direction.dot(&direction).sqrt();
        if norm < 1e-12 {
            return Err(MeasureError::InvalidParameter {
                name: "direction",
                value: norm,
                rule: "the feature direction must be a non-zero vector",
            });
        }
        Ok(Self {
            direction: direction / norm,
            origin,
        })
    }

    /// u(x).
    pub fn value(&self, x: ArrayView1<f64>) -> f64 {
        self.direction
            .iter()
            .zip(x.iter())
            .zip(self.origin.iter())
            .map(|((v, x), o)| v * (x - o))
            .sum()
    }

    /// The ambient dimension.
    pub fn ambient_dim(&self) -> usize {
        self.direction.len()
    }
}

/// How the normalizing constant Z = ∫_M g dvol was obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalization {
    /// Z = vol(M), exact.
    Exact,
    /// Z by the manifold's quadrature rule at `nodes` nodes; `error_estimate` = |Z_n − Z_{n/2}| / Z,
    /// the difference from the rule with half the resolution per coordinate.
    Quadrature {
        /// Nodes of the finer rule.
        nodes: usize,
        /// Relative error estimate.
        error_estimate: f64,
    },
}

/// Values (nodes × D) that a normalizing quadrature may hold in memory: 2^24 doubles (128 MiB).
const QUADRATURE_BUDGET: usize = 1 << 24;
/// Nodes of a normalizing quadrature at most.
const QUADRATURE_MAX_NODES: usize = 1 << 20;

/// μ with density p = g(u(x)) / Z with respect to the volume of M.
#[derive(Debug, Clone)]
pub struct DensityMeasure {
    manifold: Arc<dyn Manifold>,
    profile: Profile,
    feature: LinearFeature,
    normalizer: f64,
    normalization: Normalization,
    envelope: f64,
}

impl DensityMeasure {
    /// The normalized volume measure of M.
    pub fn uniform(manifold: Arc<dyn Manifold>) -> Self {
        let ambient = manifold.ambient_dim();
        let mut direction = Array1::zeros(ambient);
        direction[0] = 1.0;
        let feature = LinearFeature {
            direction,
            origin: manifold.bounding_ball().0,
        };
        let normalizer = manifold.volume();
        Self {
            manifold,
            profile: Profile::Uniform,
            feature,
            normalizer,
            normalization: Normalization::Exact,
            envelope: 1.0,
        }
    }

    /// The measure with shape `profile` along `feature`. Z is exact for the uniform profile and
    /// otherwise computed by the manifold's quadrature rule, with its error estimate recorded in
    /// [`DensityMeasure::normalization`].
    pub fn new(
        manifold: Arc<dyn Manifold>,
        profile: Profile,
        feature: LinearFeature,
    ) -> Result<Self> {
        let profile = profile.validate()?;
        if feature.ambient_dim() != manifold.ambient_dim() {
            return Err(mangen_geometry::GeometryError::DimensionMismatch {
                expected: manifold.ambient_dim(),
                got: feature.ambient_dim(),
            }
            .into());
        }
        let (centre, radius) = manifold.bounding_ball();
        let bound = feature.value(centre.view()).abs() + radius;
        let envelope = profile.envelope(bound);
        let (normalizer, normalization) = match profile {
            Profile::Uniform => (manifold.volume(), Normalization::Exact),
            _ => {
                let k = manifold.intrinsic_dim() as f64;
                let nodes_allowed =
                    (QUADRATURE_BUDGET / manifold.ambient_dim()).min(QUADRATURE_MAX_NODES) as f64;
                // A multiple of 4, so that both rules put a cell edge on the hyperplane u = 0 when the
                // feature is a coordinate axis of the manifold's natural span.
                let level =
                    ((nodes_allowed.powf(1.0 / k) / 2.0).floor() as usize).clamp(4, 8192) / 4 * 4;
                let integrate = |n| -> Result<(f64, usize)> {
                    let rule = manifold.quadrature(n)?;
                    Ok((
                        rule.integrate(|x| profile.shape(feature.value(x))),
                        rule.len(),
                    ))
                };
                let (fine, nodes) = integrate(level)?;
                let (coarse, _) = integrate(level / 2)?;
                (
                    fine,
                    Normalization::Quadrature {
                        nodes,
                        error_estimate: ((fine - coarse) / fine).abs(),
                    },
                )
            }
        };
        Ok(Self {
            manifold,
            profile,
            feature,
            normalizer,
            normalization,
            envelope,
        })
    }

    /// The profile g.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Z = ∫_M g dvol.
    pub fn normalizer(&self) -> f64 {
        self.normalizer
    }

    /// How Z was obtained, with its error estimate.
    pub fn normalization(&self) -> Normalization {
        self.normalization
    }
}

impl Measure for DensityMeasure {
    fn manifold(&self) -> &dyn Manifold {
        self.manifold.as_ref()
    }

    fn name(&self) -> String {
        format!("{} on {}", self.profile.label(), self.manifold.name())
    }

    /// Rejection from the uniform sampler: accept x with probability g(u(x)) / sup g.
    fn sample(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        if self.profile == Profile::Uniform {
            return self.manifold.sample_uniform(n, rng);
        }
        let mut accepted: Vec<Array1<f64>> = Vec::with_capacity(n);
        while accepted.len() < n {
            let batch = self
                .manifold
                .sample_uniform((n - accepted.len()).max(64), rng);
            for x in batch.outer_iter() {
                let keep =
                    rng.random::<f64>() * self.envelope < self.profile.shape(self.feature.value(x));
                if keep && accepted.len() < n {
                    accepted.push(x.to_owned());
                }
            }
        }
        let views: Vec<_> = accepted
            .iter()
            .map(|x| x.view().insert_axis(Axis(0)))
            .collect();
        if views.is_empty() {
            Array2::zeros((0, self.manifold.ambient_dim()))
        } else {
            ndarray::concatenate(Axis(0), &views).expect("rows of equal length")
        }
    }

    fn density(&self, x: ArrayView1<f64>) -> Result<f64> {
        check_ambient_point(self.manifold.as_ref(), x)?;
        Ok(self.profile.shape(self.feature.value(x)) / self.normalizer)
    }

    /// Closed form vol(B ∩ M)/vol(M) for the uniform measure where the manifold has one (circle,
    /// spheres, one-circle tori); otherwise the provided quadrature.
    fn ball_mass(&self, y: ArrayView1<f64>, r: f64) -> Result<f64> {
        check_radius(r)?;
        if self.profile == Profile::Uniform
            && let Some(volume) = self.manifold.ball_volume(y, r)?
        {
            return Ok((volume / self.normalizer).min(1.0));
        }
        ball_mass_by_quadrature(self, y, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_profile() -> impl Strategy<Value = Profile> {
        prop_oneof![
            Just(Profile::Uniform),
            (-20.0f64..20.0).prop_map(|kappa| Profile::Tilt { kappa }),
            (0.0f64..50.0).prop_map(|slope| Profile::Kink { slope }),
            (1e-3f64..1e3).prop_map(|ratio| Profile::TwoLevel { ratio }),
        ]
    }

    proptest! {
        #[test]
        fn the_envelope_bounds_the_shape(profile in any_profile(), bound in 0.0f64..5.0, t in -1.0f64..1.0) {
            let u = t * bound;
            prop_assert!(profile.shape(u) > 0.0);
            prop_assert!(profile.shape(u) <= profile.envelope(bound) * (1.0 + 1e-12));
        }

        #[test]
        fn features_are_affine_and_unit(v in prop::collection::vec(-3.0f64..3.0, 4), x in prop::collection::vec(-3.0f64..3.0, 4), s in -2.0f64..2.0) {
            prop_assume!(v.iter().map(|a| a * a).sum::<f64>() > 1e-6);
            let feature = LinearFeature::new(Array1::from(v.clone()), Array1::zeros(4)).unwrap();
            let x = Array1::from(x);
            let unit = &feature.direction;
            prop_assert!((unit.dot(unit) - 1.0).abs() < 1e-12);
            let moved = &x + &(unit * s);
            prop_assert!((feature.value(moved.view()) - feature.value(x.view()) - s).abs() < 1e-12);
        }
    }
}
