//! Closed curves with random Fourier coefficients in every direction of R^m: a circle with harmonics 2…J of decaying amplitude, whose linear span is all of R^m.

use crate::curve::{ClosedCurve, CurveParametrization, Jet};
use crate::error::{GeometryError, Result, check_positive};
use crate::rng::seeded;
use rand_distr::{Distribution, StandardNormal};

/// The most harmonics a curve may have: the table of [`ClosedCurve`] then keeps 16 angles per
/// period of the highest one.
pub const MAX_HARMONICS: usize = 256;

/// γ(θ) = r[(cos θ) e₁ + (sin θ) e₂ + a Σ_{j=2}^{J} j^{-p} (cos(jθ) u_j + sin(jθ) v_j)] in R^m
/// ([`FourierCurve::random`]), with u_j, v_j independent uniform unit vectors.
///
/// The 2J coefficient vectors span R^m (almost surely) once 2J ≥ m, so unlike the built-in
/// manifolds carried into R^D from a low-dimensional span, the curve fills R^m: no linear
/// subspace holds it, and a search that works in the data's span has all m coordinates to
/// search. It is analytic (a trigonometric polynomial); its reach is computed as for every
/// [`ClosedCurve`], and the constructor refuses a curve that almost touches itself.
pub type FourierCurve = ClosedCurve<FourierSeries>;

/// The trigonometric polynomial behind a [`FourierCurve`].
#[derive(Debug, Clone)]
pub struct FourierSeries {
    radius: f64,
    amplitude: f64,
    decay: f64,
    seed: u64,
    span: usize,
    harmonics: usize,
    /// The coefficient of cos(jθ), row j − 1 for j = 1…J (J × m, row-major).
    cosines: Vec<f64>,
    /// The coefficient of sin(jθ), laid out as `cosines`.
    sines: Vec<f64>,
}

impl FourierCurve {
    /// The curve in R^`span` with `harmonics` = J ≥ 1 harmonics (at most [`MAX_HARMONICS`]),
    /// base radius r > 0, amplitude a ≥ 0 and decay p ≥ 0 of the higher harmonics; the directions
    /// u_j, v_j are drawn from `seed`.
    pub fn random(
        span: usize,
        harmonics: usize,
        radius: f64,
        amplitude: f64,
        decay: f64,
        seed: u64,
    ) -> Result<Self> {
        check_positive("radius", radius)?;
        if span < 2 {
            return Err(GeometryError::InvalidParameter {
                name: "span",
                value: span as f64,
                rule: "a closed curve needs a span of at least 2 dimensions",
            });
        }
        if !(1..=MAX_HARMONICS).contains(&harmonics) {
            return Err(GeometryError::InvalidParameter {
                name: "harmonics",
                value: harmonics as f64,
                rule: "the number of harmonics must lie in 1..=256",
            });
        }
        for (name, value) in [("amplitude", amplitude), ("decay", decay)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(GeometryError::InvalidParameter {
                    name,
                    value,
                    rule: "must be finite and ≥ 0",
                });
            }
        }
        let mut rng = seeded(seed);
        let mut unit = || {
            let v: Vec<f64> = (0..span).map(|_| StandardNormal.sample(&mut rng)).collect();
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            v.into_iter().map(move |x| x / norm)
        };
        let (mut cosines, mut sines) = (vec![0.0; span], vec![0.0; span]);
        cosines[0] = radius;
        sines[1] = radius;
        for j in 2..=harmonics {
            let weight = radius * amplitude * (j as f64).powf(-decay);
            cosines.extend(unit().map(|x| weight * x));
            sines.extend(unit().map(|x| weight * x));
        }
        ClosedCurve::tabulate(FourierSeries {
            radius,
            amplitude,
            decay,
            seed,
            span,
            harmonics,
            cosines,
            sines,
        })
    }
}

impl FourierSeries {
    /// Σ_j (w_j^c C_j + w_j^s S_j) over the harmonics j = 1…J for each weight rule (w^c, w^s) =
    /// rule(j, cos jθ, sin jθ), in one pass over the coefficients.
    fn sums<const R: usize>(&self, theta: f64, rules: [WeightRule; R]) -> [Vec<f64>; R] {
        let mut out: [Vec<f64>; R] = std::array::from_fn(|_| vec![0.0; self.span]);
        for j in 1..=self.harmonics {
            let (s, c) = (j as f64 * theta).sin_cos();
            let row = (j - 1) * self.span..j * self.span;
            let (cosines, sines) = (&self.cosines[row.clone()], &self.sines[row]);
            for (sum, rule) in out.iter_mut().zip(&rules) {
                let (wc, ws) = rule(j as f64, c, s);
                for ((o, a), b) in sum.iter_mut().zip(cosines).zip(sines) {
                    *o += wc * a + ws * b;
                }
            }
        }
        out
    }
}

/// The weights (w^c, w^s) of one derivative of γ on the coefficients of cos(jθ) and sin(jθ), as
/// a function of (j, cos jθ, sin jθ).
type WeightRule = fn(f64, f64, f64) -> (f64, f64);

/// The weights of γ, γ′ and γ″.
const POINT: WeightRule = |_, c, s| (c, s);
const VELOCITY: WeightRule = |j, c, s| (-j * s, j * c);
const ACCELERATION: WeightRule = |j, c, s| (-j * j * c, -j * j * s);

impl CurveParametrization for FourierSeries {
    fn name(&self) -> String {
        format!(
            "fourier_curve(r={}, a={}, p={}, J={}, seed={})",
            self.radius, self.amplitude, self.decay, self.harmonics, self.seed
        )
    }

    fn span_dim(&self) -> usize {
        self.span
    }

    fn jet(&self, theta: f64) -> Jet {
        let [point, velocity, acceleration] = self.sums(theta, [POINT, VELOCITY, ACCELERATION]);
        Jet {
            point,
            velocity,
            acceleration,
        }
    }

    fn point(&self, theta: f64) -> Vec<f64> {
        let [point] = self.sums(theta, [POINT]);
        point
    }

    fn speed(&self, theta: f64) -> f64 {
        let [velocity] = self.sums(theta, [VELOCITY]);
        velocity.iter().map(|v| v * v).sum::<f64>().sqrt()
    }

    fn point_and_speed(&self, theta: f64) -> (Vec<f64>, f64) {
        let [point, velocity] = self.sums(theta, [POINT, VELOCITY]);
        (point, velocity.iter().map(|v| v * v).sum::<f64>().sqrt())
    }

    /// r(1 + √2 a Σ_{j≥2} j^{-p}): |cos(jθ) u + sin(jθ) v| ≤ √2 for unit u, v.
    fn circumradius(&self) -> f64 {
        let tail: f64 = (2..=self.harmonics)
            .map(|j| (j as f64).powf(-self.decay))
            .sum();
        self.radius * (1.0 + std::f64::consts::SQRT_2 * self.amplitude * tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedding::LocalModel;
    use crate::rng::seeded;
    use ndarray::Axis;
    use ndarray_linalg::{Eigh, UPLO};
    use std::f64::consts::PI;

    /// Eigenvalues of the covariance of `n` uniform samples, largest first.
    fn covariance_spectrum(curve: &FourierCurve, n: usize) -> Vec<f64> {
        let samples = curve.sample_uniform(n, &mut seeded(3));
        let centred = &samples - &samples.mean_axis(Axis(0)).unwrap().insert_axis(Axis(0));
        let covariance = centred.t().dot(&centred) / n as f64;
        let (values, _) = covariance.eigh(UPLO::Lower).unwrap();
        let mut values = values.to_vec();
        values.sort_by(|a, b| b.total_cmp(a));
        values
    }

    /// With 2J ≥ m the samples have full numerical rank: the least covariance eigenvalue is
    /// above the 1e-12 relative tolerance below which the neighbour search counts a direction as
    /// empty (measured for E8's curve, J = 100, a = 0.2, p = 2: 5.7e-4, 1.2e-5, 8.6e-10 of the
    /// largest at m = 3, 10, 100). With J = 1 the curve is a circle and only two directions are filled.
    #[test]
    fn the_curve_fills_every_direction_of_its_span() {
        for span in [3, 10, 100] {
            let curve = FourierCurve::random(span, 100, 1.0, 0.2, 2.0, 7).unwrap();
            let spectrum = covariance_spectrum(&curve, 4000);
            let ratio = spectrum[span - 1] / spectrum[0];
            assert!(
                ratio > 1e-10,
                "m = {span}: least/largest eigenvalue {ratio}"
            );
        }
        let circle = FourierCurve::random(10, 1, 1.0, 0.1, 1.5, 7).unwrap();
        let spectrum = covariance_spectrum(&circle, 4000);
        assert!(spectrum[2] / spectrum[0] < 1e-20, "{spectrum:?}");
    }

    /// The jet's derivatives agree with central differences of the point (step 1e-4: error of
    /// order 1e-8 · |γ‴| for the velocity).
    #[test]
    fn the_jet_is_the_derivative_of_the_point() {
        let curve = FourierCurve::random(6, 12, 1.0, 0.2, 1.0, 5).unwrap();
        let shape = curve.shape();
        let h = 1e-4;
        for theta in [0.0, 0.7, 2.0, 5.9] {
            let jet = shape.jet(theta);
            let (ahead, behind) = (shape.point(theta + h), shape.point(theta - h));
            for i in 0..6 {
                let first = (ahead[i] - behind[i]) / (2.0 * h);
                let second = (ahead[i] - 2.0 * jet.point[i] + behind[i]) / (h * h);
                assert!((jet.velocity[i] - first).abs() < 1e-5, "γ′ at θ = {theta}");
                assert!(
                    (jet.acceleration[i] - second).abs() < 1e-4,
                    "γ″ at θ = {theta}"
                );
            }
            assert!(
                (shape.speed(theta) - jet.velocity.iter().map(|v| v * v).sum::<f64>().sqrt()).abs()
                    < 1e-14
            );
        }
    }

    /// Zero amplitude leaves the circle of radius r: length 2πr and reach r.
    #[test]
    fn zero_amplitude_is_the_circle() {
        let curve = FourierCurve::random(5, 8, 1.3, 0.0, 2.0, 1).unwrap();
        assert!((curve.length() - 2.0 * PI * 1.3).abs() < 1e-12);
        assert!((curve.reach - 1.3).abs() < 1e-9, "reach {}", curve.reach);
    }

    #[test]
    fn bad_parameters_are_refused() {
        let name = |result: Result<FourierCurve>| match result {
            Err(GeometryError::InvalidParameter { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(name(FourierCurve::random(1, 4, 1.0, 0.1, 2.0, 0)), "span");
        assert_eq!(
            name(FourierCurve::random(3, 0, 1.0, 0.1, 2.0, 0)),
            "harmonics"
        );
        assert_eq!(
            name(FourierCurve::random(3, 257, 1.0, 0.1, 2.0, 0)),
            "harmonics"
        );
        assert_eq!(name(FourierCurve::random(3, 4, 0.0, 0.1, 2.0, 0)), "radius");
        assert_eq!(
            name(FourierCurve::random(3, 4, 1.0, -0.1, 2.0, 0)),
            "amplitude"
        );
        assert_eq!(
            name(FourierCurve::random(3, 4, 1.0, f64::NAN, 2.0, 0)),
            "amplitude"
        );
        assert_eq!(
            name(FourierCurve::random(3, 4, 1.0, 0.1, f64::INFINITY, 0)),
            "decay"
        );
        // A planar curve whose second harmonic outweighs the circle loops through itself.
        assert_eq!(
            name(FourierCurve::random(2, 2, 1.0, 4.0, 0.0, 0)),
            "amplitude"
        );
    }
}
