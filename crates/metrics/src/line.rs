//! Exact W1 on the line between a sample and a law given by its distribution function: ∫ |F_n − F| du, piece by piece, with no quadrature and no floor.

use crate::error::{MetricError, Result};
use mangen_measures::LineLaw;

/// W1(μ_n, μ) = ∫ |F_n(u) − F(u)| du for the empirical law μ_n of `values` and a law μ on the line.
///
/// Between consecutive sorted values F_n is a constant q, and ∫_a^b |q − F| splits at the
/// quantile u* = F^{-1}(q) clamped to [a, b]: q(u* − a) − (G(u*) − G(a)) + (G(b) − G(u*)) −
/// q(b − u*), with G(u) = ∫_{−∞}^{u} F. The tails are G(s_1) below the least value and
/// ∫_{s_n}^{∞} (1 − F) = G(s_n) − s_n + E(X) above the greatest. Exact up to the law's
/// functions; time O(n log n).
pub fn w1_to_line_law(values: &[f64], law: &dyn LineLaw) -> Result<f64> {
    if values.is_empty() {
        return Err(MetricError::Empty { what: "values" });
    }
    if let Some((row, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(MetricError::NonFinite {
            what: "values",
            row,
            column: 0,
            value,
        });
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let g = |u: f64| law.cdf_integral(u);
    let mut total = g(sorted[0]) + (g(sorted[n - 1]) - sorted[n - 1] + law.mean());
    for (i, pair) in sorted.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        if b <= a {
            continue;
        }
        let q = (i + 1) as f64 / n as f64;
        let split = law.quantile(q).clamp(a, b);
        total += q * (split - a) - (g(split) - g(a)) + (g(b) - g(split)) - q * (b - split);
    }
    Ok(total.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mangen_geometry::Line;
    use mangen_measures::GaussianMixture;
    use proptest::prelude::*;

    fn normal(centre: f64) -> GaussianMixture {
        GaussianMixture::new(Line::new(1).unwrap(), vec![centre], 1.0).unwrap()
    }

    /// ∫ |F_n − F| by the midpoint rule on a fine grid over [−30, 30].
    fn brute_force(values: &[f64], law: &dyn LineLaw) -> f64 {
        let steps = 600_000;
        let h = 60.0 / steps as f64;
        (0..steps)
            .map(|j| {
                let u = -30.0 + (j as f64 + 0.5) * h;
                let below = values.iter().filter(|&&v| v <= u).count() as f64;
                (below / values.len() as f64 - law.cdf(u)).abs() * h
            })
            .sum()
    }

    #[test]
    fn one_atom_at_the_centre_of_a_normal_law_is_at_mean_absolute_deviation() {
        // W1(δ_c, N(c, 1)) = E|X − c| = √(2/π); at c + 1 it is E|Z − 1| = 2φ(1) + 2Φ(1) − 1.
        let law = normal(2.0);
        let at_centre = w1_to_line_law(&[2.0], &law).unwrap();
        assert!((at_centre - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-12);
        let off = w1_to_line_law(&[3.0], &law).unwrap();
        let expected = 2.0 * mangen_measures::normal_density(1.0)
            + 2.0 * mangen_measures::normal_cdf(1.0)
            - 1.0;
        assert!((off - expected).abs() < 1e-12, "{off} against {expected}");
    }

    #[test]
    fn bad_values_are_refused() {
        let law = normal(0.0);
        assert!(w1_to_line_law(&[], &law).is_err());
        assert!(w1_to_line_law(&[0.0, f64::NAN], &law).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        #[test]
        fn it_is_the_integral_of_the_cdf_gap(
            values in prop::collection::vec(-8.0f64..8.0, 1..12),
            modes in 0.5f64..4.0,
        ) {
            let law = GaussianMixture::new(Line::new(1).unwrap(), vec![-modes, modes], 1.0).unwrap();
            let exact = w1_to_line_law(&values, &law).unwrap();
            let brute = brute_force(&values, &law);
            // The midpoint rule is off by at most h per jump of F_n (h = 1e-4) plus h² terms.
            prop_assert!((exact - brute).abs() < 2e-4 * (values.len() as f64 + 1.0), "{} against {}", exact, brute);
        }
    }
}
