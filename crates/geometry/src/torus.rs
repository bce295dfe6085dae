//! Tori: the flat torus T^k = S¹(r₁)×…×S¹(r_k) ⊂ R^{2k} and the curved donut torus in R³.

use crate::embedding::LocalModel;
use crate::error::{GeometryError, Result, check_positive};
use crate::quadrature::{Quadrature, gauss_legendre, midpoints};
use ndarray::{Array1, Array2, ArrayView1};
use rand::{Rng, RngExt};
use std::f64::consts::PI;

/// The flat torus: a product of k circles, the i-th of radius r_i in coordinates (2i, 2i + 1).
/// Intrinsically flat; reach min r_i; geodesic distance sqrt(Σ r_i² Δθ_i²) with wrapped angles.
#[derive(Debug, Clone, PartialEq)]
pub struct FlatTorus {
    radii: Vec<f64>,
}

impl FlatTorus {
    /// T^k with the given circle radii (k = radii.len() ≥ 1).
    pub fn new(radii: Vec<f64>) -> Result<Self> {
        if radii.is_empty() {
            return Err(GeometryError::InvalidParameter {
                name: "radii",
                value: 0.0,
                rule: "a flat torus needs at least one circle (k ≥ 1)",
            });
        }
        for &r in &radii {
            check_positive("radii", r)?;
        }
        Ok(Self { radii })
    }

    /// The circle radii.
    pub fn radii(&self) -> &[f64] {
        &self.radii
    }

    fn angles(&self, p: ArrayView1<f64>) -> Vec<f64> {
        (0..self.radii.len())
            .map(|i| p[2 * i + 1].atan2(p[2 * i]))
            .collect()
    }

    fn point(&self, angles: &[f64]) -> Vec<f64> {
        angles
            .iter()
            .zip(&self.radii)
            .flat_map(|(t, r)| [r * t.cos(), r * t.sin()])
            .collect()
    }
}

/// Wraps an angle difference into [−π, π].
fn wrap(delta: f64) -> f64 {
    (delta + PI).rem_euclid(2.0 * PI) - PI
}

/// The tensor product of 1-D rules (nodes, weights), one per coordinate.
fn tensor_product(rules: &[(Vec<f64>, Vec<f64>)]) -> Vec<(Vec<f64>, f64)> {
    let mut out = vec![(Vec::new(), 1.0)];
    for (nodes, weights) in rules {
        out = out
            .iter()
            .flat_map(|(prefix, w)| {
                nodes.iter().zip(weights).map(move |(x, wx)| {
                    let mut next = prefix.clone();
                    next.push(*x);
                    (next, w * wx)
                })
            })
            .collect();
    }
    out
}

/// A rule from parameter-space nodes, a chart into R^m and the volume element, keeping nodes that pass `keep`.
fn chart_rule(
    parameters: Vec<(Vec<f64>, f64)>,
    dim: usize,
    chart: impl Fn(&[f64]) -> Vec<f64>,
    volume_element: impl Fn(&[f64]) -> f64,
    keep: impl Fn(&[f64]) -> bool,
) -> Quadrature {
    let mut nodes = Vec::new();
    let mut weights = Vec::new();
    for (angles, w) in parameters {
        let x = chart(&angles);
        if keep(&x) {
            weights.push(w * volume_element(&angles));
            nodes.extend(x);
        }
    }
    let count = weights.len();
    Quadrature {
        nodes: Array2::from_shape_vec((count, dim), nodes).expect("rows of equal length"),
        weights: Array1::from(weights),
    }
}

impl LocalModel for FlatTorus {
    fn name(&self) -> String {
        format!("flat_torus(k={}, radii={:?})", self.radii.len(), self.radii)
    }

    fn intrinsic_dim(&self) -> usize {
        self.radii.len()
    }

    fn span_dim(&self) -> usize {
        2 * self.radii.len()
    }

    /// Each coordinate pair onto its circle; a pair at the origin goes to angle 0.
    fn project(&self, y: ArrayView1<f64>) -> Array1<f64> {
        let angles: Vec<f64> = (0..self.radii.len())
            .map(|i| y[2 * i + 1].atan2(y[2 * i]))
            .collect();
        Array1::from(self.point(&angles))
    }

    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let mut out = Array2::zeros((n, self.span_dim()));
        for mut row in out.outer_iter_mut() {
            let angles: Vec<f64> = self
                .radii
                .iter()
                .map(|_| rng.random_range(0.0..2.0 * PI))
                .collect();
            row.assign(&Array1::from(self.point(&angles)));
        }
        out
    }

    fn tangent_basis(&self, p: ArrayView1<f64>) -> Array2<f64> {
        let angles = self.angles(p);
        let mut basis = Array2::zeros((self.radii.len(), self.span_dim()));
        for (i, t) in angles.iter().enumerate() {
            basis[[i, 2 * i]] = -t.sin();
            basis[[i, 2 * i + 1]] = t.cos();
        }
        basis
    }

    fn volume(&self) -> f64 {
        self.radii.iter().map(|r| 2.0 * PI * r).product()
    }

    fn circumradius(&self) -> f64 {
        self.radii.iter().map(|r| r * r).sum::<f64>().sqrt()
    }

    fn reach(&self) -> Option<f64> {
        Some(self.radii.iter().copied().fold(f64::INFINITY, f64::min))
    }

    fn geodesic_distance(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Option<f64> {
        let (ta, tb) = (self.angles(a), self.angles(b));
        Some(
            ta.iter()
                .zip(&tb)
                .zip(&self.radii)
                .map(|((x, y), r)| (r * wrap(x - y)).powi(2))
                .sum::<f64>()
                .sqrt(),
        )
    }

    /// Periodic midpoint (trapezoid) rule, 2n nodes per circle: spectrally accurate for smooth integrands.
    fn quadrature(&self, n: usize) -> Quadrature {
        let rules: Vec<_> = self
            .radii
            .iter()
            .map(|_| midpoints(2 * n.max(1), 0.0, 2.0 * PI))
            .map(|(x, h)| {
                let count = x.len();
                (x, vec![h; count])
            })
            .collect();
        let radii_product: f64 = self.radii.iter().product();
        chart_rule(
            tensor_product(&rules),
            self.span_dim(),
            |t| self.point(t),
            |_| radii_product,
            |_| true,
        )
    }

    /// For k = 1 the arc length 2r·2asin(ρ / 2r) (the whole circle once ρ ≥ 2r).
    fn ball_volume(&self, _p: ArrayView1<f64>, r: f64) -> Option<f64> {
        (self.radii.len() == 1).then(|| 2.0 * self.radii[0] * half_angle(r, self.radii[0]))
    }

    /// Gauss–Legendre in each angle over the box |Δθ_i| ≤ 2·asin(ρ / 2r_i) that contains the ball,
    /// keeping the nodes inside it (exact edges for k = 1; for k ≥ 2 the cut edge costs O(1/n)).
    fn ball_quadrature(&self, p: ArrayView1<f64>, r: f64, n: usize) -> Option<Quadrature> {
        let centre = self.angles(p);
        let rules: Vec<_> = centre
            .iter()
            .zip(&self.radii)
            .map(|(c, radius)| {
                let h = half_angle(r, *radius);
                gauss_legendre(n.max(2), c - h, c + h)
            })
            .collect();
        let radii_product: f64 = self.radii.iter().product();
        let inside = |x: &[f64]| {
            x.iter()
                .zip(p.iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                <= r * r
        };
        Some(chart_rule(
            tensor_product(&rules),
            self.span_dim(),
            |t| self.point(t),
            |_| radii_product,
            inside,
        ))
    }
}

/// Half-angle 2·asin(ρ / 2r) of the arc of a circle of radius r inside a chord ball of radius ρ (π at most).
fn half_angle(rho: f64, radius: f64) -> f64 {
    if rho <= 0.0 {
        0.0
    } else if rho >= 2.0 * radius {
        PI
    } else {
        2.0 * (rho / (2.0 * radius)).asin()
    }
}

/// The donut (ring) torus in R³: ((R + r cos φ) cos θ, (R + r cos φ) sin θ, r sin φ), R > r > 0.
/// Area 4π²Rr; reach min(r, R − r); area element r(R + r cos φ).
#[derive(Debug, Clone, PartialEq)]
pub struct DonutTorus {
    major: f64,
    minor: f64,
}

impl DonutTorus {
    /// The torus with tube centre-line radius `major` (R) and tube radius `minor` (r); needs R > r > 0.
    pub fn new(major: f64, minor: f64) -> Result<Self> {
        check_positive("minor", minor)?;
        check_positive("major", major)?;
        if major <= minor {
            return Err(GeometryError::InvalidParameter {
                name: "major",
                value: major,
                rule: "the donut torus needs R > r (otherwise it intersects itself)",
            });
        }
        Ok(Self { major, minor })
    }

    fn point(&self, angles: &[f64]) -> Vec<f64> {
        let (theta, phi) = (angles[0], angles[1]);
        let ring = self.major + self.minor * phi.cos();
        vec![
            ring * theta.cos(),
            ring * theta.sin(),
            self.minor * phi.sin(),
        ]
    }

    fn angles(&self, p: ArrayView1<f64>) -> (f64, f64) {
        let theta = p[1].atan2(p[0]);
        let planar = p[0].hypot(p[1]);
        (theta, p[2].atan2(planar - self.major))
    }
}

impl LocalModel for DonutTorus {
    fn name(&self) -> String {
        format!("donut_torus(R={}, r={})", self.major, self.minor)
    }

    fn intrinsic_dim(&self) -> usize {
        2
    }

    fn span_dim(&self) -> usize {
        3
    }

    /// Nearest point of the centre circle, then out along the tube's normal; the axis and the
    /// centre circle (medial set) map to θ = 0 and φ = 0 respectively.
    fn project(&self, y: ArrayView1<f64>) -> Array1<f64> {
        let planar = y[0].hypot(y[1]);
        let (ux, uy) = if planar < 1e-300 {
            (1.0, 0.0)
        } else {
            (y[0] / planar, y[1] / planar)
        };
        let centre = [self.major * ux, self.major * uy, 0.0];
        let d = [y[0] - centre[0], y[1] - centre[1], y[2]];
        let norm = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        let dir = if norm < 1e-300 {
            [ux, uy, 0.0]
        } else {
            [d[0] / norm, d[1] / norm, d[2] / norm]
        };
        Array1::from_iter((0..3).map(|i| centre[i] + self.minor * dir[i]))
    }

    /// θ uniform; φ by rejection with acceptance (R + r cos φ)/(R + r) (the area element).
    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let mut out = Array2::zeros((n, 3));
        for mut row in out.outer_iter_mut() {
            let theta = rng.random_range(0.0..2.0 * PI);
            let phi = loop {
                let phi = rng.random_range(0.0..2.0 * PI);
                let accept: f64 = rng.random();
                if accept * (self.major + self.minor) <= self.major + self.minor * phi.cos() {
                    break phi;
                }
            };
            row.assign(&Array1::from(self.point(&[theta, phi])));
        }
        out
    }

    fn tangent_basis(&self, p: ArrayView1<f64>) -> Array2<f64> {
        let (theta, phi) = self.angles(p);
        let (st, ct) = theta.sin_cos();
        let (sp, cp) = phi.sin_cos();
        ndarray::array![[-st, ct, 0.0], [-sp * ct, -sp * st, cp]]
    }

    fn volume(&self) -> f64 {
        4.0 * PI * PI * self.major * self.minor
    }

    fn circumradius(&self) -> f64 {
        self.major + self.minor
    }

    fn reach(&self) -> Option<f64> {
        Some(self.minor.min(self.major - self.minor))
    }

    /// Geodesics of the donut have no closed form: not provided.
    fn geodesic_distance(&self, _a: ArrayView1<f64>, _b: ArrayView1<f64>) -> Option<f64> {
        None
    }

    /// Periodic midpoint rule in (θ, φ), 2n nodes each, weighted by the area element.
    fn quadrature(&self, n: usize) -> Quadrature {
        let (grid, h) = midpoints(2 * n.max(1), 0.0, 2.0 * PI);
        let rule = (grid.clone(), vec![h; grid.len()]);
        let element = |t: &[f64]| self.minor * (self.major + self.minor * t[1].cos());
        chart_rule(
            tensor_product(&[rule.clone(), rule]),
            3,
            |t| self.point(t),
            element,
            |_| true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrature_weights_sum_to_the_volume() {
        let flat = FlatTorus::new(vec![1.0, 0.5, 2.0]).unwrap();
        assert!((flat.quadrature(8).weights.sum() / flat.volume() - 1.0).abs() < 1e-12);
        let donut = DonutTorus::new(2.0, 0.7).unwrap();
        assert!((donut.quadrature(16).weights.sum() / donut.volume() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn flat_torus_ball_rule_matches_the_arc_for_one_circle() {
        let circle = FlatTorus::new(vec![1.5]).unwrap();
        let p = ndarray::array![0.0, 1.5];
        for r in [0.1, 1.0, 2.9, 4.0] {
            let rule = circle.ball_quadrature(p.view(), r, 16).unwrap();
            let exact = circle.ball_volume(p.view(), r).unwrap();
            assert!((rule.weights.sum() - exact).abs() < 1e-12 * exact, "r={r}");
        }
    }

    #[test]
    fn flat_torus_small_ball_has_the_euclidean_volume() {
        // Flat: for ρ ≪ r_i the ball is nearly a Euclidean disc of area πρ².
        let torus = FlatTorus::new(vec![1.0, 1.0]).unwrap();
        let p = ndarray::array![1.0, 0.0, 0.0, 1.0];
        let rho = 0.01;
        let area = torus
            .ball_quadrature(p.view(), rho, 200)
            .unwrap()
            .weights
            .sum();
        assert!((area / (PI * rho * rho) - 1.0).abs() < 0.01, "area {area}");
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(matches!(
            FlatTorus::new(vec![]),
            Err(GeometryError::InvalidParameter { name: "radii", .. })
        ));
        assert!(matches!(
            FlatTorus::new(vec![1.0, -1.0]),
            Err(GeometryError::InvalidParameter { name: "radii", .. })
        ));
        assert!(matches!(
            DonutTorus::new(1.0, 1.0),
            Err(GeometryError::InvalidParameter { name: "major", .. })
        ));
        assert!(matches!(
            DonutTorus::new(1.0, 0.0),
            Err(GeometryError::InvalidParameter { name: "minor", .. })
        ));
        assert!(matches!(
            DonutTorus::new(f64::INFINITY, 0.5),
            Err(GeometryError::InvalidParameter { name: "major", .. })
        ));
    }
}
