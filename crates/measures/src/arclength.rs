//! A law on a closed curve read along arclength: its CDF tabulated on a uniform grid, the input of exact one-dimensional transport.

use crate::error::{MeasureError, Result};
use crate::measure::Measure;
use mangen_geometry::gauss_legendre;

/// Gauss–Legendre nodes per grid interval.
const NODES_PER_INTERVAL: usize = 4;

/// The CDF F(s) = μ(γ([0, s])) of a law μ on a closed curve γ of length L, s the arclength from
/// the curve's base point ([`mangen_geometry::Manifold::arclength`]), tabulated at s_j = j·L/G,
/// j = 0 … G, and linear in between.
///
/// Each interval's mass is ∫ p ds by 4-point Gauss–Legendre; the table is then divided by its
/// total, so that F(L) = 1 exactly, and the total's distance from 1 (the quadrature's and the
/// density normalizer's error together) is kept as [`ArclengthCdf::mass_error`]. Between grid
/// points the linear interpolant is off by at most h²·max|p′|/8 (h = L/G), so any transport cost
/// computed from it is off by at most L times that: [`ArclengthCdf::interpolation_bound`], with
/// max|p′| taken as twice the largest difference quotient of p over the grid: a quotient
/// undershoots |p′| near a kink or an extremum of p′ (by 0.02 % for the kink of the tests at
/// G = 64), and the factor is a margin for that, not a proof.
#[derive(Debug, Clone, PartialEq)]
pub struct ArclengthCdf {
    length: f64,
    values: Vec<f64>,
    mass_error: f64,
    interpolation_bound: f64,
}

impl ArclengthCdf {
    /// Tabulates the CDF of `measure` on `intervals` ≥ 1 equal arclength intervals. The measure's
    /// manifold must be a closed curve with an arclength chart.
    pub fn of(measure: &dyn Measure, intervals: usize) -> Result<Self> {
        if intervals == 0 {
            return Err(MeasureError::InvalidParameter {
                name: "intervals",
                value: 0.0,
                rule: "a CDF table needs at least one interval",
            });
        }
        let manifold = measure.manifold();
        let length = manifold.volume();
        let h = length / intervals as f64;
        let density_at = |s: f64| -> Result<f64> {
            let point = manifold.point_at_arclength(s.clamp(0.0, length))?;
            measure.density(point.view())
        };
        let (unit_nodes, unit_weights) = gauss_legendre(NODES_PER_INTERVAL, 0.0, 1.0);
        let mut values = Vec::with_capacity(intervals + 1);
        values.push(0.0);
        let mut total = 0.0;
        let mut steepest = 0.0f64;
        let mut previous = density_at(0.0)?;
        for j in 0..intervals {
            let start = j as f64 * h;
            let mut mass = 0.0;
            for (t, w) in unit_nodes.iter().zip(&unit_weights) {
                mass += w * h * density_at(start + t * h)?;
            }
            total += mass;
            values.push(total);
            let next = density_at(((j + 1) as f64 * h).min(length))?;
            steepest = steepest.max((next - previous).abs() / h);
            previous = next;
        }
        if !(total.is_finite() && total > 0.0) {
            return Err(MeasureError::InvalidParameter {
                name: "density",
                value: total,
                rule: "the density must integrate to a finite positive mass along the curve",
            });
        }
        for value in &mut values {
            *value /= total;
        }
        Ok(Self {
            length,
            values,
            mass_error: (total - 1.0).abs(),
            interpolation_bound: length * h * h * 2.0 * steepest / (8.0 * total),
        })
    }

    /// The length L of the curve.
    pub fn length(&self) -> f64 {
        self.length
    }

    /// The number G of grid intervals.
    pub fn intervals(&self) -> usize {
        self.values.len() - 1
    }

    /// F(s_j) at the grid points s_j = j·L/G, j = 0 … G (F(s_0) = 0, F(s_G) = 1).
    pub fn grid_values(&self) -> &[f64] {
        &self.values
    }

    /// F(s) for s ∈ [0, L] (clamped there), linear between grid points.
    pub fn value(&self, s: f64) -> f64 {
        let position = (s / self.length).clamp(0.0, 1.0) * self.intervals() as f64;
        let j = (position.floor() as usize).min(self.intervals() - 1);
        let t = position - j as f64;
        self.values[j] + t * (self.values[j + 1] - self.values[j])
    }

    /// |∫ p ds − 1| before the table was normalized.
    pub fn mass_error(&self) -> f64 {
        self.mass_error
    }

    /// L·h²·max|p′|/8: the most that the linear interpolant's error can move a transport cost.
    pub fn interpolation_bound(&self) -> f64 {
        self.interpolation_bound
    }
}
