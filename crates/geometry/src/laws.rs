//! Laws every manifold must obey, as reusable checks: the crate's tests and anyone's own manifold run the same ones.

use crate::manifold::{Manifold, euclidean};
use ndarray::{Array1, ArrayView1, ArrayView2};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// A broken law, with the numbers that break it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{law} fails for {manifold}: {detail}")]
pub struct LawViolation {
    /// The law's name.
    pub law: &'static str,
    /// The manifold's name.
    pub manifold: String,
    /// What was measured.
    pub detail: String,
}

fn violation(law: &'static str, m: &dyn Manifold, detail: String) -> LawViolation {
    LawViolation {
        law,
        manifold: m.name(),
        detail,
    }
}

fn fallible<T>(
    law: &'static str,
    m: &dyn Manifold,
    r: crate::Result<T>,
) -> Result<T, LawViolation> {
    r.map_err(|err| violation(law, m, err.to_string()))
}

/// π(π(x)) = π(x) and d(π(x), M) ≈ 0.
pub fn projection_is_idempotent(
    m: &dyn Manifold,
    x: ArrayView1<f64>,
    tol: f64,
) -> Result<(), LawViolation> {
    const LAW: &str = "projection idempotence";
    let p = fallible(LAW, m, m.project(x))?;
    let pp = fallible(LAW, m, m.project(p.view()))?;
    let moved = euclidean(p.view(), pp.view());
    let off = fallible(LAW, m, m.distance_to(p.view()))?;
    if moved > tol || off > tol {
        return Err(violation(
            LAW,
            m,
            format!("|π(π(x)) − π(x)| = {moved:e}, d(π(x), M) = {off:e}, tol {tol:e}"),
        ));
    }
    Ok(())
}

/// |x − π(x)| ≤ |x − y| for every candidate y on M (rows of `on_manifold`), for x inside the reach.
pub fn projection_is_nearest(
    m: &dyn Manifold,
    x: ArrayView1<f64>,
    on_manifold: ArrayView2<f64>,
    tol: f64,
) -> Result<(), LawViolation> {
    const LAW: &str = "nearest-point property";
    let d = fallible(LAW, m, m.distance_to(x))?;
    for y in on_manifold.outer_iter() {
        let dy = euclidean(x, y);
        if d > dy + tol {
            return Err(violation(
                LAW,
                m,
                format!("|x − π(x)| = {d} exceeds |x − y| = {dy} for y = {y}"),
            ));
        }
    }
    Ok(())
}

/// Every row lies on M within `tol`.
pub fn samples_lie_on_manifold(
    m: &dyn Manifold,
    samples: ArrayView2<f64>,
    tol: f64,
) -> Result<(), LawViolation> {
    const LAW: &str = "samples on M";
    for (i, x) in samples.outer_iter().enumerate() {
        let d = fallible(LAW, m, m.distance_to(x))?;
        if d > tol {
            return Err(violation(
                LAW,
                m,
                format!("sample {i} lies {d:e} from M (tol {tol:e})"),
            ));
        }
    }
    Ok(())
}

/// Geodesic distance is symmetric, at least the chord, and obeys the triangle inequality
/// (for points a, b, c on M). Manifolds without geodesic distances pass trivially.
pub fn geodesic_is_a_metric(
    m: &dyn Manifold,
    a: ArrayView1<f64>,
    b: ArrayView1<f64>,
    c: ArrayView1<f64>,
    tol: f64,
) -> Result<(), LawViolation> {
    const LAW: &str = "geodesic metric";
    let (ab, ba) = match (m.geodesic_distance(a, b), m.geodesic_distance(b, a)) {
        (Err(crate::GeometryError::Unsupported { .. }), _) => return Ok(()),
        (ab, ba) => (fallible(LAW, m, ab)?, fallible(LAW, m, ba)?),
    };
    let bc = fallible(LAW, m, m.geodesic_distance(b, c))?;
    let ac = fallible(LAW, m, m.geodesic_distance(a, c))?;
    let chord = euclidean(a, b);
    if (ab - ba).abs() > tol {
        return Err(violation(
            LAW,
            m,
            format!("d(a,b) = {ab} but d(b,a) = {ba}"),
        ));
    }
    if ab + tol < chord {
        return Err(violation(
            LAW,
            m,
            format!("d(a,b) = {ab} is shorter than the chord {chord}"),
        ));
    }
    if ac > ab + bc + tol {
        return Err(violation(
            LAW,
            m,
            format!("d(a,c) = {ac} > d(a,b) + d(b,c) = {}", ab + bc),
        ));
    }
    Ok(())
}

/// The tangent basis at π(x) has k orthonormal rows, all orthogonal to x − π(x).
pub fn tangent_basis_is_orthonormal_and_normal(
    m: &dyn Manifold,
    x: ArrayView1<f64>,
    tol: f64,
) -> Result<(), LawViolation> {
    const LAW: &str = "tangent basis";
    let basis = fallible(LAW, m, m.tangent_basis(x))?;
    if basis.dim() != (m.intrinsic_dim(), m.ambient_dim()) {
        return Err(violation(
            LAW,
            m,
            format!("shape {:?}, expected k × D", basis.dim()),
        ));
    }
    let gram = basis.dot(&basis.t());
    for ((i, j), g) in gram.indexed_iter() {
        let expected = if i == j { 1.0 } else { 0.0 };
        if (g - expected).abs() > tol {
            return Err(violation(
                LAW,
                m,
                format!("Gram matrix entry ({i},{j}) = {g}"),
            ));
        }
    }
    let normal = &x - &fallible(LAW, m, m.project(x))?;
    let leak = basis
        .dot(&normal)
        .iter()
        .fold(0.0f64, |acc, v| acc.max(v.abs()));
    if leak > tol * (1.0 + normal.dot(&normal).sqrt()) {
        return Err(violation(
            LAW,
            m,
            format!("x − π(x) has a tangential component {leak:e}"),
        ));
    }
    Ok(())
}

/// For a closed curve, the arclength chart is a unit-speed inverse pair: γ(s(a)) = a, the
/// geodesic distance is the shorter arc min(|s_a − s_b|, L − |s_a − s_b|), and a step h along γ
/// moves by a chord between h(1 − h²/(24τ²)) and h (τ the reach bounds the curvature).
/// Manifolds without an arclength chart pass trivially.
pub fn arclength_is_a_unit_speed_chart(
    m: &dyn Manifold,
    a: ArrayView1<f64>,
    b: ArrayView1<f64>,
    tol: f64,
) -> Result<(), LawViolation> {
    const LAW: &str = "arclength chart";
    let sa = match m.arclength(a) {
        Err(crate::GeometryError::Unsupported { .. }) => return Ok(()),
        sa => fallible(LAW, m, sa)?,
    };
    let sb = fallible(LAW, m, m.arclength(b))?;
    let length = m.volume();
    if !(0.0..length).contains(&sa) {
        return Err(violation(
            LAW,
            m,
            format!("s(a) = {sa} outside [0, {length})"),
        ));
    }
    let back = fallible(LAW, m, m.point_at_arclength(sa))?;
    let moved = euclidean(back.view(), a);
    if moved > tol {
        return Err(violation(LAW, m, format!("|γ(s(a)) − a| = {moved:e}")));
    }
    let along = (sa - sb).abs();
    let arc = along.min(length - along);
    if let Ok(geodesic) = m.geodesic_distance(a, b)
        && (geodesic - arc).abs() > tol * (1.0 + length)
    {
        return Err(violation(
            LAW,
            m,
            format!("geodesic distance {geodesic} but the shorter arc is {arc}"),
        ));
    }
    let h = 1e-3 * length;
    let ahead = fallible(LAW, m, m.point_at_arclength((sa + h) % length))?;
    let chord = euclidean(a, ahead.view());
    let reach = m.reach().unwrap_or(f64::INFINITY);
    let shortest = h * (1.0 - h * h / (24.0 * reach * reach));
    if chord > h + tol || chord < shortest - tol {
        return Err(violation(
            LAW,
            m,
            format!("a step h = {h:e} along γ moves the point by {chord:e}"),
        ));
    }
    Ok(())
}

/// A point at distance at most `spread` from a uniform point of M, in a random direction.
pub fn perturbed_point(m: &dyn Manifold, spread: f64, rng: &mut dyn Rng) -> Array1<f64> {
    let base = m.sample_uniform(1, rng).row(0).to_owned();
    let direction: Array1<f64> =
        Array1::from_shape_fn(m.ambient_dim(), |_| StandardNormal.sample(&mut *rng));
    let norm = direction.dot(&direction).sqrt().max(1e-300);
    let length: f64 = spread * rand::RngExt::random::<f64>(rng);
    base + direction * (length / norm)
}

/// Runs every law on `trials` random configurations near M (offsets up to `spread`, which
/// should be below the reach); `tol` is the absolute tolerance.
pub fn check_all_laws(
    m: &dyn Manifold,
    trials: usize,
    spread: f64,
    tol: f64,
    rng: &mut dyn Rng,
) -> Result<(), LawViolation> {
    let candidates = m.sample_uniform(200, rng);
    samples_lie_on_manifold(m, candidates.view(), tol)?;
    for _ in 0..trials {
        let x = perturbed_point(m, spread, rng);
        projection_is_idempotent(m, x.view(), tol)?;
        projection_is_nearest(m, x.view(), candidates.view(), tol)?;
        tangent_basis_is_orthonormal_and_normal(m, x.view(), tol)?;
        let abc = m.sample_uniform(3, rng);
        geodesic_is_a_metric(m, abc.row(0), abc.row(1), abc.row(2), tol)?;
        arclength_is_a_unit_speed_chart(m, abc.row(0), abc.row(1), tol)?;
    }
    Ok(())
}
