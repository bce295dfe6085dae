//! The round sphere S^k of radius r in its natural span R^{k+1} (the circle is S^1).

use crate::embedding::LocalModel;
use crate::error::{GeometryError, Result, check_positive};
use crate::quadrature::{Quadrature, gauss_legendre, midpoints};
use ndarray::{Array1, Array2, ArrayView1};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::PI;

/// S^k = {y ∈ R^{k+1} : |y| = r}. Reach r; geodesic distance 2r·asin(|a − b| / 2r).
#[derive(Debug, Clone, PartialEq)]
pub struct Sphere {
    k: usize,
    radius: f64,
}

impl Sphere {
    /// S^k with radius `radius`; k ≥ 1.
    pub fn new(k: usize, radius: f64) -> Result<Self> {
        if k == 0 {
            return Err(GeometryError::InvalidParameter {
                name: "k",
                value: 0.0,
                rule: "the intrinsic dimension of a sphere must be at least 1",
            });
        }
        check_positive("radius", radius)?;
        Ok(Self { k, radius })
    }

    /// The circle S^1 of radius `radius` in R^2.
    pub fn circle(radius: f64) -> Result<Self> {
        Self::new(1, radius)
    }

    /// The radius.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// The geodesic angle α = 2·asin(r_chord / 2R) of a chord ball (π when the ball holds the sphere).
    fn cap_angle(&self, chord: f64) -> f64 {
        if chord >= 2.0 * self.radius {
            PI
        } else {
            2.0 * (chord / (2.0 * self.radius)).asin()
        }
    }
}

/// Volume of the unit sphere S^k: 2π^{(k+1)/2} / Γ((k+1)/2), by |S^k| = 2π/(k−1) · |S^{k−2}|.
pub fn unit_sphere_volume(k: usize) -> f64 {
    match k {
        0 => 2.0,
        1 => 2.0 * PI,
        _ => 2.0 * PI / (k as f64 - 1.0) * unit_sphere_volume(k - 2),
    }
}

/// ∫_0^α sin^j ψ dψ by 40-point Gauss–Legendre: the integrand is entire, so the rule is exact to
/// rounding for every α ∈ [0, π] and j ≤ 30, with no cancellation for small caps (the textbook
/// recurrence I_j = −sin^{j−1}α cos α / j + (j − 1)/j · I_{j−2} loses all digits as α → 0).
pub fn sin_power_integral(j: usize, alpha: f64) -> f64 {
    let (nodes, weights) = gauss_legendre(40, 0.0, alpha);
    nodes
        .iter()
        .zip(&weights)
        .map(|(x, w)| w * x.sin().powi(j as i32))
        .sum()
}

/// Product rule on the unit S^k in hyperspherical angles: Gauss–Legendre with n/2 nodes on each
/// half [0, π/2] and [π/2, π] of every polar angle (so a jump across the equator x₁ = 0 costs
/// nothing), and the periodic midpoint rule with 2n nodes on the azimuth. Spectrally accurate for
/// smooth integrands.
fn unit_sphere_rule(k: usize, n: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    if k == 1 {
        let (phis, h) = midpoints(2 * n, 0.0, 2.0 * PI);
        return (
            phis.iter().map(|p| vec![p.cos(), p.sin()]).collect(),
            vec![h; 2 * n],
        );
    }
    let (lower_nodes, lower_weights) = unit_sphere_rule(k - 1, n);
    let half = n.div_ceil(2).max(1);
    let (mut psis, mut psi_weights) = gauss_legendre(half, 0.0, PI / 2.0);
    let (upper, upper_weights) = gauss_legendre(half, PI / 2.0, PI);
    psis.extend(upper);
    psi_weights.extend(upper_weights);
    let mut nodes = Vec::with_capacity(psis.len() * lower_nodes.len());
    let mut weights = Vec::with_capacity(nodes.capacity());
    for (psi, h) in psis.into_iter().zip(psi_weights) {
        let (s, c) = psi.sin_cos();
        let polar_weight = h * s.powi(k as i32 - 1);
        for (z, w) in lower_nodes.iter().zip(&lower_weights) {
            let mut node = Vec::with_capacity(k + 1);
            node.push(c);
            node.extend(z.iter().map(|v| s * v));
            nodes.push(node);
            weights.push(polar_weight * w);
        }
    }
    (nodes, weights)
}

/// Householder reflection H with H e₁ = u (u a unit vector): returns its columns 2..m as rows,
/// an orthonormal basis of u^⊥.
pub fn orthonormal_complement(u: ArrayView1<f64>) -> Array2<f64> {
    let m = u.len();
    let mut v = -&u;
    v[0] += 1.0;
    let v2 = v.dot(&v);
    Array2::from_shape_fn((m - 1, m), |(i, j)| {
        let identity = if j == i + 1 { 1.0 } else { 0.0 };
        if v2 < 1e-30 {
            identity
        } else {
            identity - 2.0 * v[i + 1] * v[j] / v2
        }
    })
}

fn to_rows(nodes: Vec<Vec<f64>>, dim: usize) -> Array2<f64> {
    let count = nodes.len();
    Array2::from_shape_vec((count, dim), nodes.into_iter().flatten().collect())
        .expect("rows of equal length")
}

impl LocalModel for Sphere {
    fn name(&self) -> String {
        if self.k == 1 {
            format!("circle(r={})", self.radius)
        } else {
            format!("sphere(k={}, r={})", self.k, self.radius)
        }
    }

    fn intrinsic_dim(&self) -> usize {
        self.k
    }

    fn span_dim(&self) -> usize {
        self.k + 1
    }

    /// y·r/|y|; at the centre (the medial axis) the pole r·e₁.
    fn project(&self, y: ArrayView1<f64>) -> Array1<f64> {
        let norm = y.dot(&y).sqrt();
        if norm < 1e-300 {
            let mut pole = Array1::zeros(self.k + 1);
            pole[0] = self.radius;
            pole
        } else {
            &y * (self.radius / norm)
        }
    }

    /// Normalized standard Gaussian vectors (Muller 1959).
    fn sample_uniform(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let mut out = Array2::zeros((n, self.k + 1));
        for mut row in out.outer_iter_mut() {
            loop {
                row.mapv_inplace(|_: f64| StandardNormal.sample(&mut *rng));
                let norm = row.dot(&row).sqrt();
                if norm > 1e-12 {
                    row.mapv_inplace(|v| v * self.radius / norm);
                    break;
                }
            }
        }
        out
    }

    fn tangent_basis(&self, p: ArrayView1<f64>) -> Array2<f64> {
        orthonormal_complement((&p / self.radius).view())
    }

    fn volume(&self) -> f64 {
        unit_sphere_volume(self.k) * self.radius.powi(self.k as i32)
    }

    fn circumradius(&self) -> f64 {
        self.radius
    }

    fn reach(&self) -> Option<f64> {
        Some(self.radius)
    }

    /// R·θ with θ = 2·atan2(|a − b|, |a + b|): well conditioned at every angle, where the
    /// arcsine of the chord loses half the digits near antipodes.
    fn geodesic_distance(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> Option<f64> {
        let chord = crate::manifold::euclidean(a, b);
        let antichord = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x + y) * (x + y))
            .sum::<f64>()
            .sqrt();
        Some(self.radius * 2.0 * chord.atan2(antichord))
    }

    /// The circle only: R·θ, θ ∈ [0, 2π) the angle from the first axis (counter-clockwise).
    fn arclength(&self, p: ArrayView1<f64>) -> Option<f64> {
        (self.k == 1).then(|| self.radius * p[1].atan2(p[0]).rem_euclid(2.0 * PI))
    }

    /// The circle only: R(cos(s/R), sin(s/R)).
    fn point_at_arclength(&self, s: f64) -> Option<Array1<f64>> {
        (self.k == 1).then(|| {
            let (sin, cos) = (s / self.radius).sin_cos();
            Array1::from(vec![self.radius * cos, self.radius * sin])
        })
    }

    fn quadrature(&self, n: usize) -> Quadrature {
        let (nodes, weights) = unit_sphere_rule(self.k, n.max(1));
        let scale = self.radius.powi(self.k as i32);
        Quadrature {
            nodes: to_rows(nodes, self.k + 1) * self.radius,
            weights: Array1::from(weights) * scale,
        }
    }

    /// Cap volume R^k |S^{k−1}| ∫_0^α sin^{k−1}ψ dψ with α = 2·asin(r / 2R).
    fn ball_volume(&self, _p: ArrayView1<f64>, r: f64) -> Option<f64> {
        if r <= 0.0 {
            return Some(0.0);
        }
        if r >= 2.0 * self.radius {
            return Some(self.volume());
        }
        let alpha = self.cap_angle(r);
        Some(
            self.radius.powi(self.k as i32)
                * unit_sphere_volume(self.k - 1)
                * sin_power_integral(self.k - 1, alpha),
        )
    }

    /// Geodesic polar coordinates around p: Gauss–Legendre in the polar angle ψ ∈ [0, α] (n nodes,
    /// exact at the cap's edge) times the unit-sphere rule on the directions of S^{k−1}.
    fn ball_quadrature(&self, p: ArrayView1<f64>, r: f64, n: usize) -> Option<Quadrature> {
        if r <= 0.0 {
            return Some(Quadrature::empty(self.k + 1));
        }
        let n = n.max(2);
        let alpha = self.cap_angle(r);
        let pole = &p / self.radius;
        let frame = orthonormal_complement(pole.view());
        let (directions, direction_weights) = if self.k == 1 {
            (vec![vec![1.0], vec![-1.0]], vec![1.0, 1.0])
        } else {
            unit_sphere_rule(self.k - 1, n)
        };
        let (psis, psi_weights) = gauss_legendre(n, 0.0, alpha);
        let scale = self.radius.powi(self.k as i32);
        // The unit tangents frameᵀω, one per direction, computed once for every ψ.
        let tangents: Vec<Array1<f64>> = directions
            .iter()
            .map(|omega| frame.t().dot(&ArrayView1::from(omega.as_slice())))
            .collect();
        let mut nodes = Vec::with_capacity(psis.len() * directions.len() * (self.k + 1));
        let mut weights = Vec::with_capacity(psis.len() * directions.len());
        for (psi, wpsi) in psis.iter().zip(&psi_weights) {
            let (s, c) = psi.sin_cos();
            for (tangent, womega) in tangents.iter().zip(&direction_weights) {
                nodes.extend(
                    pole.iter()
                        .zip(tangent)
                        .map(|(p, t)| (p * c + t * s) * self.radius),
                );
                weights.push(scale * wpsi * s.powi(self.k as i32 - 1) * womega);
            }
        }
        let count = weights.len();
        Some(Quadrature {
            nodes: Array2::from_shape_vec((count, self.k + 1), nodes)
                .expect("rows of equal length"),
            weights: Array1::from(weights),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_sphere_volumes_match_closed_forms() {
        assert!((unit_sphere_volume(2) - 4.0 * PI).abs() < 1e-14);
        assert!((unit_sphere_volume(3) - 2.0 * PI * PI).abs() < 1e-13);
        assert!((unit_sphere_volume(4) - 8.0 * PI * PI / 3.0).abs() < 1e-13);
    }

    #[test]
    fn quadrature_weights_sum_to_the_volume() {
        for k in 1..=4 {
            let sphere = Sphere::new(k, 1.7).unwrap();
            let rule = sphere.quadrature(24);
            let relative = (rule.weights.sum() / sphere.volume() - 1.0).abs();
            assert!(relative < 1e-13, "k={k}: relative error {relative}");
            let worst = rule
                .nodes
                .outer_iter()
                .map(|x| (x.dot(&x).sqrt() - 1.7).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-12);
        }
    }

    #[test]
    fn cap_rules_integrate_to_the_cap_volume() {
        for k in 1..=3 {
            let sphere = Sphere::new(k, 2.0).unwrap();
            let mut p = Array1::zeros(k + 1);
            p[k] = 2.0;
            for r in [0.01, 0.5, 1.9, 3.99, 5.0] {
                let rule = sphere.ball_quadrature(p.view(), r, 24).unwrap();
                let cap = sphere.ball_volume(p.view(), r).unwrap();
                assert!(
                    (rule.weights.sum() - cap).abs() < 1e-12 * cap,
                    "k={k} r={r}"
                );
                let worst = rule
                    .nodes
                    .outer_iter()
                    .map(|x| crate::manifold::euclidean(x, p.view()))
                    .fold(0.0, f64::max);
                assert!(worst <= r + 1e-12, "node outside the ball: {worst} > {r}");
            }
        }
    }

    #[test]
    fn sin_power_integrals_match_closed_forms() {
        for alpha in [1e-4, 0.3, 2.0, PI] {
            assert!((sin_power_integral(0, alpha) - alpha).abs() < 1e-15 * alpha);
            let one = 2.0 * (alpha / 2.0).sin().powi(2);
            assert!((sin_power_integral(1, alpha) - one).abs() < 1e-14 * one);
        }
        let two = |a: f64| a / 2.0 - (2.0 * a).sin() / 4.0;
        assert!((sin_power_integral(2, 2.0) - two(2.0)).abs() < 1e-14);
        assert!((sin_power_integral(5, PI) - 16.0 / 15.0).abs() < 1e-14);
    }

    #[test]
    fn circle_arc_length_is_exact() {
        let circle = Sphere::circle(1.0).unwrap();
        let p = ndarray::array![1.0, 0.0];
        // chord √2 subtends a quarter turn on each side: half the circle.
        let arc = circle.ball_volume(p.view(), 2f64.sqrt()).unwrap();
        assert!((arc - PI).abs() < 1e-14);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(matches!(
            Sphere::new(0, 1.0),
            Err(GeometryError::InvalidParameter { name: "k", .. })
        ));
        assert!(matches!(
            Sphere::new(2, 0.0),
            Err(GeometryError::InvalidParameter { name: "radius", .. })
        ));
        assert!(matches!(
            Sphere::new(2, f64::NAN),
            Err(GeometryError::InvalidParameter { name: "radius", .. })
        ));
        assert!(matches!(
            Sphere::circle(-1.0),
            Err(GeometryError::InvalidParameter { name: "radius", .. })
        ));
    }
}
