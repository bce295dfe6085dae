//! Laws on the line: the [`LineLaw`] interface (distribution function, its integral, quantiles) behind exact one-dimensional transport, and the Gaussian mixture of Li et al.'s experiments.

use crate::error::{MeasureError, Result};
use crate::measure::{Measure, check_radius};
use mangen_geometry::{Line, Manifold};
use ndarray::{Array2, ArrayView1};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

/// A law on the line u ∈ R (the first coordinate of [`Line`]) read through its distribution
/// function: what exact one-dimensional transport W1 = ∫ |F_n − F| du needs.
pub trait LineLaw {
    /// F(u) = μ{x : x_0 ≤ u}.
    fn cdf(&self, u: f64) -> f64;

    /// ∫_{−∞}^{u} F(v) dv, finite for a law with a first moment.
    fn cdf_integral(&self, u: f64) -> f64;

    /// The smallest u with F(u) ≥ p, for p ∈ (0, 1).
    fn quantile(&self, p: f64) -> f64;

    /// The mean E(X) = lim_{u→∞} u − ∫_{−∞}^{u} F.
    fn mean(&self) -> f64;
}

/// Φ, the standard normal distribution function, to full relative precision in both tails.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// φ, the standard normal density.
pub fn normal_density(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// ∫_{−∞}^{z} Φ(v) dv = z Φ(z) + φ(z), written as φ(z) − z Φ(−z) for z > 0 so that neither tail
/// cancels.
fn normal_cdf_integral(z: f64) -> f64 {
    if z > 0.0 {
        z + normal_density(z) - z * normal_cdf(-z)
    } else {
        z * normal_cdf(z) + normal_density(z)
    }
}

/// An equal-weight mixture of normal laws N(c_j, σ²) on the line along the first axis of R^D.
/// Li et al.'s law is `GaussianMixture::new(line, vec![-3.0, 3.0], 1.0)`.
#[derive(Debug, Clone)]
pub struct GaussianMixture {
    line: Line,
    centres: Vec<f64>,
    sd: f64,
}

impl GaussianMixture {
    /// The mixture of N(c, sd²) over `centres` (at least one, all finite), each of weight
    /// 1/len, on `line`.
    pub fn new(line: Line, centres: Vec<f64>, sd: f64) -> Result<Self> {
        if centres.is_empty() {
            return Err(MeasureError::InvalidParameter {
                name: "centres",
                value: 0.0,
                rule: "a mixture needs at least one component",
            });
        }
        if let Some(&c) = centres.iter().find(|c| !c.is_finite()) {
            return Err(MeasureError::InvalidParameter {
                name: "centres",
                value: c,
                rule: "every centre must be finite",
            });
        }
        if !(sd.is_finite() && sd > 0.0) {
            return Err(MeasureError::InvalidParameter {
                name: "sd",
                value: sd,
                rule: "the components' standard deviation must be finite and > 0",
            });
        }
        Ok(Self { line, centres, sd })
    }

    /// The components' centres.
    pub fn centres(&self) -> &[f64] {
        &self.centres
    }

    /// The components' standard deviation.
    pub fn sd(&self) -> f64 {
        self.sd
    }

    fn weight(&self) -> f64 {
        1.0 / self.centres.len() as f64
    }

    /// Σ_j w g((u − c_j)/σ).
    fn mix(&self, u: f64, g: impl Fn(f64) -> f64) -> f64 {
        self.weight()
            * self
                .centres
                .iter()
                .map(|c| g((u - c) / self.sd))
                .sum::<f64>()
    }
}

impl LineLaw for GaussianMixture {
    fn mean(&self) -> f64 {
        self.weight() * self.centres.iter().sum::<f64>()
    }

    fn cdf(&self, u: f64) -> f64 {
        self.mix(u, normal_cdf)
    }

    fn cdf_integral(&self, u: f64) -> f64 {
        self.sd * self.mix(u, normal_cdf_integral)
    }

    /// Bisection on F to the resolution of double precision (the mixture's F is increasing).
    fn quantile(&self, p: f64) -> f64 {
        let (low_c, high_c) = self
            .centres
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| {
                (a.min(c), b.max(c))
            });
        let (mut low, mut high) = (low_c - 40.0 * self.sd, high_c + 40.0 * self.sd);
        for _ in 0..200 {
            let mid = 0.5 * (low + high);
            if mid <= low || mid >= high {
                break;
            }
            if self.cdf(mid) < p {
                low = mid;
            } else {
                high = mid;
            }
        }
        high
    }
}

impl Measure for GaussianMixture {
    fn manifold(&self) -> &dyn Manifold {
        &self.line
    }

    fn name(&self) -> String {
        let centres: Vec<String> = self.centres.iter().map(|c| format!("{c}")).collect();
        format!("gmm(centres=[{}], sd={})", centres.join(" "), self.sd)
    }

    fn sample(&self, n: usize, rng: &mut dyn Rng) -> Array2<f64> {
        let mut out = Array2::zeros((n, self.line.ambient_dim()));
        for i in 0..n {
            let j = rng.random_range(0..self.centres.len());
            let z: f64 = StandardNormal.sample(rng);
            out[[i, 0]] = self.centres[j] + self.sd * z;
        }
        out
    }

    /// The density with respect to length on the line, at π(x).
    fn density(&self, x: ArrayView1<f64>) -> Result<f64> {
        let u = self.line.coordinate(x)?;
        Ok(self.mix(u, normal_density) / self.sd)
    }

    /// F(u + r) − F(u − r) in closed form.
    fn ball_mass(&self, y: ArrayView1<f64>, r: f64) -> Result<f64> {
        check_radius(r)?;
        let u = self.line.coordinate(y)?;
        Ok((self.cdf(u + r) - self.cdf(u - r)).max(0.0))
    }

    fn as_line_law(&self) -> Option<&dyn LineLaw> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn li() -> GaussianMixture {
        GaussianMixture::new(Line::new(1).unwrap(), vec![-3.0, 3.0], 1.0).unwrap()
    }

    #[test]
    fn the_normal_functions_meet_their_closed_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-15);
        // Φ(−10) = 7.6198530241605e-24, kept to full relative precision.
        assert!((normal_cdf(-10.0) / 7.619_853_024_160_527e-24 - 1.0).abs() < 1e-12);
        // ∫Φ: its derivative is Φ, and it is 0 at −∞, φ(0) at 0.
        assert!((normal_cdf_integral(0.0) - normal_density(0.0)).abs() < 1e-16);
        assert!(normal_cdf_integral(-40.0) < 1e-300);
        for z in [-3.0, -0.5, 0.7, 2.5] {
            let h = 1e-5;
            let slope = (normal_cdf_integral(z + h) - normal_cdf_integral(z - h)) / (2.0 * h);
            assert!((slope - normal_cdf(z)).abs() < 1e-9, "at {z}");
        }
    }

    #[test]
    fn the_mixture_is_a_normalized_law_with_its_quantiles() {
        let mix = li();
        let rule = mix
            .manifold()
            .ball_quadrature(array![0.0].view(), 20.0, 16)
            .unwrap();
        let total: f64 = rule
            .nodes
            .outer_iter()
            .zip(rule.weights.iter())
            .map(|(x, w)| w * mix.density(x).unwrap())
            .sum();
        assert!((total - 1.0).abs() < 1e-12, "∫p = {total}");
        assert!((mix.cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((mix.ball_mass(array![3.0].view(), 1.0).unwrap() - 0.341_344_746).abs() < 1e-6);
        for p in [1e-6, 0.1, 0.5, 0.77, 0.999] {
            assert!((mix.cdf(mix.quantile(p)) - p).abs() < 1e-12, "p = {p}");
        }
        // ∫_{−∞}^{u} F for u far right is u − E[X].
        assert!((mix.cdf_integral(30.0) - 30.0 + mix.mean()).abs() < 1e-9);
        let shifted = GaussianMixture::new(Line::new(1).unwrap(), vec![1.0, 4.0], 0.5).unwrap();
        assert!((shifted.cdf_integral(30.0) - 30.0 + 2.5).abs() < 1e-9);
        assert!(GaussianMixture::new(Line::new(1).unwrap(), vec![], 1.0).is_err());
        assert!(GaussianMixture::new(Line::new(1).unwrap(), vec![0.0], 0.0).is_err());
        assert!(GaussianMixture::new(Line::new(1).unwrap(), vec![f64::NAN], 1.0).is_err());
    }

    #[test]
    fn samples_follow_the_mixture() {
        let mix = li();
        let mut rng = mangen_geometry::rng::seeded(5);
        let x = mix.sample(40_000, &mut rng);
        // Mean 0, variance 1 + 9 = 10: the standard errors are 0.016 and 0.05.
        let mean = x.column(0).mean().unwrap();
        let var = x.column(0).mapv(|v| v * v).mean().unwrap() - mean * mean;
        assert!(mean.abs() < 0.08, "mean {mean}");
        assert!((var - 10.0).abs() < 0.25, "variance {var}");
        let below = x.column(0).iter().filter(|&&v| v <= 2.0).count() as f64 / 40_000.0;
        assert!((below - mix.cdf(2.0)).abs() < 0.012, "F(2) {below}");
    }
}
