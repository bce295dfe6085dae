//! Exact W1 on a closed curve with the geodesic cost, by the circle formula W1 = min_c ∫_0^L |F_ν − F_μ − c| ds (SCIENCE.md §9): no reference sample, so no sampling floor.
//!
//! On a closed curve of length L with the arclength metric, the W1 between two laws with CDFs F
//! and G (from any base point) is min over c of ∫_0^L |F(s) − G(s) − c| ds: the minimizing c is a
//! median of F − G under the uniform measure on [0, L) (Rabin, Delon and Gousseau 2011; Cabrelli
//! and Molter 1995). Here F − G is piecewise linear (a sample against a tabulated
//! [`ArclengthCdf`]) or piecewise constant (two samples), so the integral is exact on each piece
//! and the median is found by bisection to machine precision.

use crate::error::{MetricError, Result, check_points, check_values};
use mangen_geometry::Manifold;
use mangen_measures::ArclengthCdf;
use ndarray::ArrayView2;
use rayon::prelude::*;

/// A piece of D = F_ν − F_μ: linear from `start` to `end` over an arclength `length`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    length: f64,
    start: f64,
    end: f64,
}

impl Piece {
    /// The arclength of the piece on which D < c.
    fn length_below(&self, c: f64) -> f64 {
        let fraction = if self.start == self.end {
            if self.start < c { 1.0 } else { 0.0 }
        } else {
            let crossing = ((c - self.start) / (self.end - self.start)).clamp(0.0, 1.0);
            if self.end > self.start {
                crossing
            } else {
                1.0 - crossing
            }
        };
        self.length * fraction
    }

    /// ∫ |D − c| over the piece.
    fn deviation(&self, c: f64) -> f64 {
        let (a, b) = (self.start - c, self.end - c);
        if a * b >= 0.0 {
            self.length * (a + b).abs() / 2.0
        } else {
            self.length * (a * a + b * b) / (2.0 * (a - b).abs())
        }
    }
}

/// min_c Σ ∫ |D − c| over the pieces, c a median of D under arclength (bisection on the
/// arclength below c, which is monotone in c).
fn circle_formula(pieces: &[Piece]) -> f64 {
    let total: f64 = pieces.iter().map(|p| p.length).sum();
    let (mut lo, mut hi) = pieces.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.start.min(p.end)), hi.max(p.start.max(p.end)))
    });
    if lo > hi {
        return 0.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        let below: f64 = pieces.iter().map(|p| p.length_below(mid)).sum();
        if below < 0.5 * total {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let c = 0.5 * (lo + hi);
    pieces.iter().map(|p| p.deviation(c)).sum()
}

/// Checks that arclength positions are finite and within [0, L], and sorts them (L counts as 0).
fn sorted_positions(what: &'static str, positions: &[f64], length: f64) -> Result<Vec<f64>> {
    check_values(what, positions)?;
    if let Some(row) = positions.iter().position(|&s| !(0.0..=length).contains(&s)) {
        return Err(MetricError::InvalidParameter {
            name: what,
            value: positions[row],
            rule: "arclength positions must lie in [0, L], L the length of the curve",
        });
    }
    let mut sorted: Vec<f64> = positions
        .iter()
        .map(|&s| if s == length { 0.0 } else { s })
        .collect();
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// Exact W1, geodesic cost, between the empirical law of `positions` (arclengths in [0, L]) and
/// the law tabulated by `law`. Exact up to the table: off by at most
/// [`ArclengthCdf::interpolation_bound`] plus L times the table's quadrature error.
/// Time O((n + G) log) for n positions and G table intervals.
pub fn w1_on_closed_curve(positions: &[f64], law: &ArclengthCdf) -> Result<f64> {
    let length = law.length();
    let sorted = sorted_positions("positions", positions, length)?;
    let n = sorted.len() as f64;
    let grid = law.intervals();
    let h = length / grid as f64;
    let mut pieces = Vec::with_capacity(sorted.len() + grid);
    let (mut at, mut passed) = (0.0, 0usize);
    let mut push = |from: f64, to: f64, passed: usize| {
        let empirical = passed as f64 / n;
        pieces.push(Piece {
            length: to - from,
            start: empirical - law.value(from),
            end: empirical - law.value(to),
        });
    };
    for j in 1..=grid {
        let node = if j == grid { length } else { j as f64 * h };
        while passed < sorted.len() && sorted[passed] < node {
            let position = sorted[passed];
            push(at, position, passed);
            at = position;
            passed += 1;
        }
        push(at, node, passed);
        at = node;
    }
    Ok(circle_formula(&pieces))
}

/// Exact W1, geodesic cost, between the empirical laws of two sets of arclength positions on a
/// closed curve of length `length` (sizes may differ). Time O((n + m) log(n + m)).
pub fn w1_between_on_closed_curve(a: &[f64], b: &[f64], length: f64) -> Result<f64> {
    if !(length.is_finite() && length > 0.0) {
        return Err(MetricError::InvalidParameter {
            name: "length",
            value: length,
            rule: "the length of the curve must be finite and > 0",
        });
    }
    let a = sorted_positions("a", a, length)?;
    let b = sorted_positions("b", b, length)?;
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let mut pieces = Vec::with_capacity(a.len() + b.len() + 1);
    let (mut i, mut j, mut at) = (0usize, 0usize, 0.0);
    loop {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => length,
        };
        let difference = i as f64 / na - j as f64 / nb;
        pieces.push(Piece {
            length: next - at,
            start: difference,
            end: difference,
        });
        if i == a.len() && j == b.len() {
            break;
        }
        while i < a.len() && a[i] <= next {
            i += 1;
        }
        while j < b.len() && b[j] <= next {
            j += 1;
        }
        at = next;
    }
    Ok(circle_formula(&pieces))
}

/// The arclength positions of π(x) for the rows x of `points` on a closed curve `manifold`
/// (in parallel; the row order is kept).
pub fn arclength_positions(manifold: &dyn Manifold, points: ArrayView2<f64>) -> Result<Vec<f64>> {
    check_points("points", points, Some(manifold.ambient_dim()))?;
    let rows: Vec<_> = points.outer_iter().collect();
    rows.par_iter()
        .map(|x| Ok(manifold.arclength(x.view())?))
        .collect()
}
