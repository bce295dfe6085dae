//! Builders of the models a config names: the manifold M in R^D and the density of μ on it.

use crate::schema::{DensitySpec, EmbeddingKind, ManifoldSpec};
use mangen_geometry::{
    DonutTorus, Embedded, FlatTorus, FourierCurve, Isometry, Line, LocalModel, Manifold,
    PolarCurve, Sphere,
};
use mangen_measures::{
    DensityMeasure, GaussianMixture, LinearFeature, Measure, Profile as DensityProfile,
};
use std::fmt;
use std::sync::Arc;

/// Why a manifold could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildError {
    /// The model's parameters break a rule of the geometry crate.
    Model(String),
    /// D is below the dimension of the manifold's span.
    Ambient {
        /// The span dimension m.
        span: usize,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Model(why) => f.write_str(why),
            BuildError::Ambient { span } => write!(
                f,
                "the ambient dimension must be ≥ {span}, the dimension of the manifold's span"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds a manifold in R^D; returns it with the first axis of its span in R^D (the feature
/// direction of non-uniform densities). The random embedding is drawn from `seed`.
pub fn build_manifold(
    spec: &ManifoldSpec,
    ambient: usize,
    embedding: EmbeddingKind,
    seed: u64,
) -> std::result::Result<(Arc<dyn Manifold>, ndarray::Array1<f64>), BuildError> {
    match spec {
        ManifoldSpec::Circle { radius } => embed(Sphere::circle(*radius), ambient, embedding, seed),
        ManifoldSpec::Sphere { k, radius } => {
            embed(Sphere::new(*k, *radius), ambient, embedding, seed)
        }
        ManifoldSpec::FlatTorus { radii } => {
            embed(FlatTorus::new(radii.clone()), ambient, embedding, seed)
        }
        ManifoldSpec::Donut { major, minor } => {
            embed(DonutTorus::new(*major, *minor), ambient, embedding, seed)
        }
        ManifoldSpec::Curve {
            radius,
            amplitude,
            beta,
        } => embed(
            PolarCurve::new(*radius, *amplitude, *beta),
            ambient,
            embedding,
            seed,
        ),
        ManifoldSpec::LacunaryCurve {
            radius,
            amplitude,
            beta,
            base,
        } => embed(
            PolarCurve::lacunary(*radius, *amplitude, *beta, *base),
            ambient,
            embedding,
            seed,
        ),
        ManifoldSpec::FourierCurve {
            radius,
            amplitude,
            decay,
            harmonics,
            seed: shape_seed,
        } => embed(
            FourierCurve::random(
                ambient,
                *harmonics,
                *radius,
                *amplitude,
                *decay,
                *shape_seed,
            ),
            ambient,
            embedding,
            seed,
        ),
        ManifoldSpec::Line => {
            if ambient > 1 && embedding == EmbeddingKind::Random {
                return Err(BuildError::Model(
                    "the line lies along the first axis: set embedding = \"standard\"".into(),
                ));
            }
            let line = Line::new(ambient).map_err(|err| BuildError::Model(err.to_string()))?;
            Ok((Arc::new(line), line.point(1.0)))
        }
    }
}

fn embed<L: LocalModel + 'static>(
    model: mangen_geometry::Result<L>,
    ambient: usize,
    embedding: EmbeddingKind,
    seed: u64,
) -> std::result::Result<(Arc<dyn Manifold>, ndarray::Array1<f64>), BuildError> {
    let model = model.map_err(|err| BuildError::Model(err.to_string()))?;
    let span = model.span_dim();
    if ambient < span {
        return Err(BuildError::Ambient { span });
    }
    let isometry = match embedding {
        EmbeddingKind::Random => Isometry::random(span, ambient, seed),
        EmbeddingKind::Standard => Isometry::standard(span, ambient),
    }
    .map_err(|err| BuildError::Model(err.to_string()))?;
    let direction = isometry.frame().column(0).to_owned();
    let manifold =
        Embedded::new(model, isometry).map_err(|err| BuildError::Model(err.to_string()))?;
    Ok((Arc::new(manifold), direction))
}

/// Builds μ of `spec` on `manifold`; the feature of a non-uniform density is the coordinate along
/// `direction` (the first axis of the manifold's span) from the centre of its bounding ball.
pub fn build_density(
    spec: DensitySpec,
    manifold: Arc<dyn Manifold>,
    direction: ndarray::Array1<f64>,
) -> Result<Arc<dyn Measure>, BuildError> {
    let on_line = manifold.volume().is_infinite();
    let profile = match spec {
        DensitySpec::Gmm { modes, sd } if on_line => {
            let line = Line::new(manifold.ambient_dim())
                .map_err(|err| BuildError::Model(err.to_string()))?;
            let mixture = GaussianMixture::new(line, vec![-modes, modes], sd)
                .map_err(|err| BuildError::Model(err.to_string()))?;
            return Ok(Arc::new(mixture));
        }
        DensitySpec::Gmm { .. } => {
            return Err(BuildError::Model(
                "a gmm density lives on the line: set [manifold] kind = \"line\"".into(),
            ));
        }
        _ if on_line => {
            return Err(BuildError::Model(
                "the line has infinite length: its density must be kind = \"gmm\"".into(),
            ));
        }
        DensitySpec::Uniform => return Ok(Arc::new(DensityMeasure::uniform(manifold))),
        DensitySpec::Tilt { kappa } => DensityProfile::Tilt { kappa },
        DensitySpec::Kink { slope } => DensityProfile::Kink { slope },
        DensitySpec::TwoLevel { ratio } => DensityProfile::TwoLevel { ratio },
    };
    let origin = manifold.bounding_ball().0;
    let feature = LinearFeature::new(direction, origin)
        .map_err(|err| BuildError::Model(format!("density feature: {err}")))?;
    let measure = DensityMeasure::new(manifold, profile, feature)
        .map_err(|err| BuildError::Model(err.to_string()))?;
    Ok(Arc::new(measure))
}
