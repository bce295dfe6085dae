//! mangen-testkit: the statistical nulls of mangen's tests (chi-square, Kolmogorov–Smirnov, normal tails).
//!
//! Statistical tests in mangen use fixed seeds and reject only below [`FALSE_ALARM`], so a correct
//! implementation fails a given test with probability below 1e-6, while real bugs (a wrong law,
//! a biased sampler) give p-values that are astronomically small.

/// The false-alarm rate every statistical test in mangen is held to.
pub const FALSE_ALARM: f64 = 1e-6;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let series = COEFFICIENTS[1..]
        .iter()
        .enumerate()
        .fold(COEFFICIENTS[0], |acc, (i, c)| {
            acc + c / (x + i as f64 + 1.0)
        });
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a), by the series for
/// x < a + 1 and Lentz's continued fraction otherwise (Numerical Recipes §6.2).
pub fn regularized_gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_prefactor = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut denominator) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            denominator += 1.0;
            term *= x / denominator;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * log_prefactor.exp()
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        h * log_prefactor.exp()
    }
}

/// P(χ²_dof ≥ statistic).
pub fn chi_square_sf(statistic: f64, dof: f64) -> f64 {
    regularized_gamma_q(dof / 2.0, statistic / 2.0)
}

/// Pearson's chi-square goodness-of-fit p-value of bin counts against expected counts
/// (dof = bins − 1 − `fitted`). Expected counts should be at least 5 per bin.
pub fn chi_square_p_value(observed: &[u64], expected: &[f64], fitted: usize) -> f64 {
    assert_eq!(observed.len(), expected.len(), "one expected count per bin");
    let statistic: f64 = observed
        .iter()
        .zip(expected)
        .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
        .sum();
    chi_square_sf(statistic, (observed.len() - 1 - fitted) as f64)
}

/// Counts of `values` in `bins` equal bins of [lo, hi) (values outside are clamped into the end bins).
pub fn histogram(values: impl IntoIterator<Item = f64>, lo: f64, hi: f64, bins: usize) -> Vec<u64> {
    let mut counts = vec![0u64; bins];
    for v in values {
        let index = (((v - lo) / (hi - lo)) * bins as f64)
            .floor()
            .clamp(0.0, bins as f64 - 1.0) as usize;
        counts[index] += 1;
    }
    counts
}

/// Kolmogorov–Smirnov p-value of a sample against a continuous CDF, with Stephens' finite-n
/// correction λ = (√n + 0.12 + 0.11/√n)·D and Q_KS(λ) = 2 Σ (−1)^{j−1} e^{−2j²λ²}.
pub fn ks_p_value(mut sample: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    sample.sort_by(f64::total_cmp);
    let n = sample.len() as f64;
    let d = sample.iter().enumerate().fold(0.0f64, |acc, (i, &x)| {
        let f = cdf(x);
        acc.max((f - i as f64 / n).abs())
            .max(((i + 1) as f64 / n - f).abs())
    });
    let lambda = (n.sqrt() + 0.12 + 0.11 / n.sqrt()) * d;
    kolmogorov_sf(lambda)
}

/// Q_KS(λ), the Kolmogorov distribution's tail.
pub fn kolmogorov_sf(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let sum: f64 = (1..=100)
        .map(|j| {
            let j = j as f64;
            let sign = if j as u64 % 2 == 1 { 1.0 } else { -1.0 };
            sign * (-2.0 * j * j * lambda * lambda).exp()
        })
        .sum();
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Two-sided normal tail P(|Z| ≥ |z|) = erfc(|z|/√2) = Q(1/2, z²/2).
pub fn normal_two_sided_p(z: f64) -> f64 {
    regularized_gamma_q(0.5, z * z / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_function_matches_factorials() {
        for n in 1..20u32 {
            let factorial: f64 = (1..n).map(f64::from).product();
            assert!((ln_gamma(f64::from(n)) - factorial.ln()).abs() < 1e-12);
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
    }

    #[test]
    fn chi_square_tails_match_tables() {
        // Critical values from standard tables.
        assert!((chi_square_sf(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-12);
        assert!((chi_square_sf(18.307_038_053_275_146, 10.0) - 0.05).abs() < 1e-12);
        assert!((chi_square_sf(124.342_113_404_18, 100.0) - 0.05).abs() < 1e-9);
        assert!((chi_square_sf(2.0, 2.0) - (-1.0f64).exp()).abs() < 1e-15);
    }

    #[test]
    fn normal_tail_matches_tables() {
        assert!((normal_two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-12);
        assert!((normal_two_sided_p(4.891_638_475_698_85) - 1e-6).abs() < 1e-12);
    }

    #[test]
    fn kolmogorov_tail_matches_tables() {
        assert!((kolmogorov_sf(1.358_098_9) - 0.05).abs() < 1e-6);
        assert!((kolmogorov_sf(1.627_624_2) - 0.01).abs() < 1e-6);
    }

    #[test]
    fn tests_reject_a_wrong_law_and_keep_a_right_one() {
        let grid: Vec<f64> = (0..10_000).map(|i| (i as f64 + 0.5) / 10_000.0).collect();
        assert!(ks_p_value(grid.clone(), |x| x) > 0.5);
        assert!(ks_p_value(grid.clone(), |x| x * x) < 1e-12);
        let counts = histogram(grid, 0.0, 1.0, 10);
        assert!(chi_square_p_value(&counts, &[1000.0; 10], 0) > 0.99);
        assert!(chi_square_p_value(&[1500, 500], &[1000.0, 1000.0], 0) < 1e-12);
    }
}
