//! Phase maps over (N, axis value) for an experiment with a sweep axis: each cell's memorized fraction, novelty index and generalizing fraction as heatmaps, the boundary where the memorized fraction crosses halfway between 1 and its fresh-sample null, as rows fitted against N, and the generalizing region (novel and on M) outlined on every map.
//!
//! For one score and sampler family, one N and one seed, the memorized fraction is a curve over
//! the axis values v_1 < … < v_J (t0 for the memorizer). Its boundary v* is where the curve first
//! falls from at or above the level L = (1 + null)/2 to below it, interpolated linearly in ln v
//! between the two grid values around the crossing. A curve already below L at v_1 has its
//! boundary below the grid, and one that never falls below L has it above; both are censored
//! rows without a value, counted on the map. The boundary rows (metric `memorized_boundary`)
//! are fitted against N like any rate: by the spacing argument of SCIENCE.md §9 the memorizer's
//! t0* goes like N^{-2/k}.
//!
//! The generalizing region of a label is the set of cells whose mean generalizing fraction
//! reaches [`REGION_SHARE`] of the mean of its fresh-sample null: there the samples are both on
//! M and not copies about as often as fresh draws of μ are. With `[phase] cover = { radius,
//! factor }`, a cell also covers μ at that radius when in more than half of its seeds the
//! comparability radius r_c(factor) is resolved and at most the radius; the generalizing cells
//! that cover μ form the covering region. Both outlines are drawn on every map of the label, and
//! the summary gives their extent along the axis per N, with the share of the fresh-sample nulls
//! that cover μ at the radius (below one half, the radius lies under the sampling floor).

mod render;

pub use render::{Overlay, plot_phase_maps, region_outline, render_phase_map};

use crate::axis::{AxisOwner, SweepAxis};
use crate::experiment::Experiment;
use crate::metric::{MetricInfo, Shape};
use crate::metrics::coverage::comparability_metric;
use crate::runs::Row;
use crate::schema::CoverSpec;
use crate::training::grouped_in_order;
use std::collections::{BTreeMap, BTreeSet};

/// The metric of the boundary rows: the axis value where the memorized fraction crosses halfway.
pub const BOUNDARY_METRIC: &str = "memorized_boundary";
/// The fraction whose halfway crossing is the boundary.
const MEMORIZED: &str = "memorized_fraction";
/// The share of samples on M and not copies, whose region is marked on every map.
const GENERALIZING: &str = "generalizing_fraction";
/// The metrics drawn as maps, when the experiment computes them.
const MAP_METRICS: [&str; 3] = [MEMORIZED, "novelty_index", GENERALIZING];
/// A cell is in the generalizing region when its generalizing fraction reaches this share of
/// the fraction of fresh μ samples (its null, about 1 − 3^{-k}).
pub const REGION_SHARE: f64 = 0.5;

/// The metrics derived from the phase maps: the boundary, when the experiment has a sweep axis
/// and computes the memorized fraction with its null.
pub fn derived_infos(axis: Option<&SweepAxis>, known: &[MetricInfo]) -> Vec<MetricInfo> {
    let memorized = known
        .iter()
        .any(|info| info.name == MEMORIZED && info.null.is_some());
    if axis.is_some() && memorized {
        vec![MetricInfo::new(BOUNDARY_METRIC, Shape::Rate)]
    } else {
        Vec::new()
    }
}

/// Where a curve over increasing axis values falls below a level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossing {
    /// At this value, interpolated in ln v between the grid values around it.
    At(f64),
    /// Already below the level at the smallest value.
    BelowGrid,
    /// At or above the level at every value.
    AboveGrid,
}

/// The first value at which `curve` ((value, fraction) pairs, values increasing) falls from at
/// or above `level` to below it.
pub fn halfway_crossing(curve: &[(f64, f64)], level: f64) -> Crossing {
    match curve.first() {
        None => return Crossing::AboveGrid,
        Some(&(_, first)) if first < level => return Crossing::BelowGrid,
        Some(_) => {}
    }
    for pair in curve.windows(2) {
        let ((v0, f0), (v1, f1)) = (pair[0], pair[1]);
        if f0 >= level && f1 < level {
            let share = (f0 - level) / (f0 - f1);
            return Crossing::At((v0.ln() + share * (v1.ln() - v0.ln())).exp());
        }
    }
    Crossing::AboveGrid
}

/// Which of a row's labels is on the axis, and the other one (score or sampler).
fn split_labels<'a>(axis: &SweepAxis, row: &'a Row) -> Option<(f64, &'a str)> {
    match axis.owner {
        AxisOwner::Sampler => Some((axis.value_of(&row.sampler)?, row.score.as_str())),
        AxisOwner::Score => Some((axis.value_of(&row.score)?, row.sampler.as_str())),
    }
}

/// One seed's boundary: the label beside the axis, the crossing of its memorized fraction, and
/// the first of its rows (for the labels of a boundary row).
struct SeedBoundary<'a> {
    other: String,
    crossing: Crossing,
    row: &'a Row,
}

/// Per (label beside the axis, N, seed), in row order of first appearance: where the memorized
/// fraction along the axis crosses halfway between 1 and the mean of its nulls.
fn seed_boundaries<'a>(axis: &SweepAxis, rows: &'a [Row]) -> Vec<SeedBoundary<'a>> {
    let null_name = format!("{MEMORIZED}_null");
    let mut nulls: BTreeMap<(&str, &str, usize, usize), f64> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.metric == null_name) {
        if let Some(value) = row.value {
            nulls.insert((&row.score, &row.sampler, row.n_train, row.seed), value);
        }
    }
    // (value, fraction, null) along the axis, per (other, N, seed), with the curve's first row.
    let points = rows
        .iter()
        .filter(|r| r.metric == MEMORIZED)
        .filter_map(|row| {
            let (value, other) = split_labels(axis, row)?;
            let cell = (
                row.score.as_str(),
                row.sampler.as_str(),
                row.n_train,
                row.seed,
            );
            let null = *nulls.get(&cell)?;
            let key = (other.to_string(), row.n_train, row.seed);
            Some((key, (value, row.value?, null, row)))
        });
    grouped_in_order(points)
        .into_iter()
        .map(|((other, ..), mut points)| {
            let row = points[0].3;
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let null = points.iter().map(|p| p.2).sum::<f64>() / points.len() as f64;
            let curve: Vec<(f64, f64)> = points.iter().map(|p| (p.0, p.1)).collect();
            SeedBoundary {
                other,
                crossing: halfway_crossing(&curve, (1.0 + null) / 2.0),
                row,
            }
        })
        .collect()
}

/// The boundary rows of an experiment with a sweep axis: one per (other label, N, seed), with
/// the family label in place of the axis's labels, and no value when the boundary is off the grid.
pub fn boundary_rows(experiment: &Experiment, rows: &[Row]) -> Vec<Row> {
    let Some(axis) = &experiment.axis else {
        return Vec::new();
    };
    if derived_infos(Some(axis), &experiment.measured_infos()).is_empty() {
        return Vec::new();
    }
    seed_boundaries(axis, rows)
        .into_iter()
        .map(|seed| {
            let value = match seed.crossing {
                Crossing::At(v) => Some(v),
                Crossing::BelowGrid | Crossing::AboveGrid => None,
            };
            let (score, sampler) = match axis.owner {
                AxisOwner::Sampler => (seed.row.score.clone(), axis.family.clone()),
                AxisOwner::Score => (axis.family.clone(), seed.row.sampler.clone()),
            };
            Row {
                score,
                sampler,
                metric: BOUNDARY_METRIC.into(),
                scale: None,
                epoch: None,
                value,
                ..seed.row.clone()
            }
        })
        .collect()
}

/// One metric over the (N, axis value) plane for one score or sampler beside the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseMap {
    /// The metric.
    pub metric: String,
    /// The label beside the axis (the score for a sampler axis, the sampler for a score axis).
    pub other: String,
    /// The kind of the map's score (the theory lines it falls under).
    pub score_kind: String,
    /// The family label of the axis's members.
    pub family: String,
    /// The N values, increasing.
    pub n_values: Vec<usize>,
    /// The axis values, increasing.
    pub axis_values: Vec<f64>,
    /// Mean over seeds per (N index, axis index), where measured.
    pub means: BTreeMap<(usize, usize), f64>,
    /// The cells of the generalizing region of this label: mean generalizing fraction at least
    /// [`REGION_SHARE`] of the mean of its fresh-sample null (empty when not computed).
    pub region: BTreeSet<(usize, usize)>,
    /// With `[phase] cover`: the stated radius and factor, the share of seeds covering μ there
    /// per cell, and the same share for the cells' fresh-sample nulls.
    pub cover: Option<CoverShares>,
}

/// Which cells cover μ at a stated radius: per cell, the share of seeds whose comparability
/// radius r_c(factor) is resolved and at most the radius, for the samples and their nulls.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverShares {
    /// The stated radius and the comparability factor.
    pub spec: CoverSpec,
    /// Per (N index, axis index): the share of the samples' seeds that cover μ.
    pub shares: BTreeMap<(usize, usize), f64>,
    /// Per (N index, axis index): the share of the fresh-sample nulls' seeds that cover μ.
    pub null_shares: BTreeMap<(usize, usize), f64>,
}

impl CoverShares {
    /// The cells covering μ: more than half of their seeds do.
    pub fn covering(&self) -> BTreeSet<(usize, usize)> {
        self.shares
            .iter()
            .filter(|(_, share)| **share > 0.5)
            .map(|(&at, _)| at)
            .collect()
    }
}

impl PhaseMap {
    /// The covering region: the generalizing cells that also cover μ at the stated radius
    /// (empty without `[phase] cover`).
    pub fn covering_region(&self) -> BTreeSet<(usize, usize)> {
        match &self.cover {
            Some(cover) => self
                .region
                .intersection(&cover.covering())
                .copied()
                .collect(),
            None => BTreeSet::new(),
        }
    }
}

/// The phase maps of an experiment: one per drawn metric and label beside the axis.
pub fn phase_maps(experiment: &Experiment, rows: &[Row]) -> Vec<PhaseMap> {
    let Some(axis) = &experiment.axis else {
        return Vec::new();
    };
    let n_values = experiment.sweep.n_train.clone();
    let axis_values: Vec<f64> = axis.members.iter().map(|m| m.0).collect();
    let means = |metric: &str| cell_means(axis, rows, metric, &n_values, &axis_values, |v| v);
    let generalizing = means(GENERALIZING);
    let nulls = means(&format!("{GENERALIZING}_null"));
    let region_of = |other: &str| -> BTreeSet<(usize, usize)> {
        let find = |maps: &[CellMeans]| maps.iter().position(|m| m.other == other);
        let (Some(i), Some(j)) = (find(&generalizing), find(&nulls)) else {
            return BTreeSet::new();
        };
        let (fractions, nulls) = (&generalizing[i].means, &nulls[j].means);
        fractions
            .iter()
            .filter(|(at, fraction)| {
                nulls
                    .get(at)
                    .is_some_and(|null| **fraction >= REGION_SHARE * null)
            })
            .map(|(&at, _)| at)
            .collect()
    };
    // Per label, the share of seeds covering μ at the stated radius: those whose r_c is resolved
    // and at most the radius, for the samples and for their nulls.
    let covering = experiment.raw.phase.cover.map(|spec| {
        let metric = comparability_metric(spec.factor);
        let covers = |value: Option<f64>| Some(f64::from(value.is_some_and(|r| r <= spec.radius)));
        let shares = |metric: &str| cell_means(axis, rows, metric, &n_values, &axis_values, covers);
        (spec, shares(&metric), shares(&format!("{metric}_null")))
    });
    let cover_of = |other: &str| -> Option<CoverShares> {
        let (spec, samples, nulls) = covering.as_ref()?;
        let of = |cells: &[CellMeans]| {
            cells
                .iter()
                .find(|m| m.other == other)
                .map(|m| m.means.clone())
                .unwrap_or_default()
        };
        Some(CoverShares {
            spec: *spec,
            shares: of(samples),
            null_shares: of(nulls),
        })
    };
    MAP_METRICS
        .iter()
        .flat_map(|metric| {
            means(metric).into_iter().map(|cells| PhaseMap {
                metric: metric.to_string(),
                region: region_of(&cells.other),
                cover: cover_of(&cells.other),
                other: cells.other,
                score_kind: cells.score_kind,
                family: axis.family.clone(),
                n_values: n_values.clone(),
                axis_values: axis_values.clone(),
                means: cells.means,
            })
        })
        .collect()
}

/// One metric's means over seeds per (N index, axis index), for one label beside the axis.
struct CellMeans {
    other: String,
    score_kind: String,
    means: BTreeMap<(usize, usize), f64>,
}

/// The means over seeds of `value` of each row of `metric` (rows it maps to `None` left out),
/// per label beside the axis, labels in order of first appearance.
fn cell_means(
    axis: &SweepAxis,
    rows: &[Row],
    metric: &str,
    n_values: &[usize],
    axis_values: &[f64],
    value: impl Fn(Option<f64>) -> Option<f64>,
) -> Vec<CellMeans> {
    let cells = rows
        .iter()
        .filter(|r| r.metric == metric && r.scale.is_none())
        .filter_map(|row| {
            let (at, other) = split_labels(axis, row)?;
            let i = n_values.iter().position(|&n| n == row.n_train)?;
            let j = axis_values.iter().position(|&a| a == at)?;
            Some((other, ((i, j), value(row.value)?, row.score_kind.as_str())))
        });
    grouped_in_order(cells)
        .into_iter()
        .map(|(other, cells)| {
            let mut sums: BTreeMap<(usize, usize), (f64, usize)> = BTreeMap::new();
            for &(at, v, _) in &cells {
                let cell = sums.entry(at).or_default();
                cell.0 += v;
                cell.1 += 1;
            }
            CellMeans {
                other: other.to_string(),
                score_kind: cells[0].2.to_string(),
                means: sums
                    .into_iter()
                    .map(|(at, (sum, count))| (at, sum / count as f64))
                    .collect(),
            }
        })
        .collect()
}

/// The boundary at one N over seeds: geometric mean, least and greatest of the seeds with a
/// value, and how many seeds had theirs below and above the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundaryPoint {
    /// N.
    pub n: usize,
    /// Geometric mean of the seeds' boundaries, least and greatest (none when every seed is censored).
    pub spread: Option<(f64, f64, f64)>,
    /// Seeds whose boundary lies below the grid.
    pub below: usize,
    /// Seeds whose boundary lies above the grid.
    pub above: usize,
}

/// The boundary points of the label beside the axis `other`, N increasing, over its seeds.
pub fn boundary_points(experiment: &Experiment, rows: &[Row], other: &str) -> Vec<BoundaryPoint> {
    match &experiment.axis {
        Some(axis) => points_of(&seed_boundaries(axis, rows), other),
        None => Vec::new(),
    }
}

/// The boundary points of `other` from the seeds' boundaries, N increasing.
fn points_of(seeds: &[SeedBoundary], other: &str) -> Vec<BoundaryPoint> {
    let mut points: BTreeMap<usize, (Vec<f64>, usize, usize)> = BTreeMap::new();
    for seed in seeds.iter().filter(|seed| seed.other == other) {
        let entry = points.entry(seed.row.n_train).or_default();
        match seed.crossing {
            Crossing::At(v) => entry.0.push(v),
            Crossing::BelowGrid => entry.1 += 1,
            Crossing::AboveGrid => entry.2 += 1,
        }
    }
    points
        .into_iter()
        .map(|(n, (values, below, above))| {
            let spread = (!values.is_empty()).then(|| {
                let log_mean = values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64;
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = values.iter().copied().fold(0.0, f64::max);
                (log_mean.exp(), lo, hi)
            });
            BoundaryPoint {
                n,
                spread,
                below,
                above,
            }
        })
        .collect()
}

/// The boundary of each label beside the axis, N increasing, for the summary.
pub fn boundaries(
    experiment: &Experiment,
    maps: &[PhaseMap],
    rows: &[Row],
) -> Vec<(String, Vec<BoundaryPoint>)> {
    let Some(axis) = &experiment.axis else {
        return Vec::new();
    };
    let seeds = seed_boundaries(axis, rows);
    maps.iter()
        .filter(|map| map.metric == MEMORIZED)
        .map(|map| (map.other.clone(), points_of(&seeds, &map.other)))
        .collect()
}

/// A markdown table of the boundary per N: the seeds' geometric mean with their range, and how
/// many seeds had it below or above the grid.
pub fn boundary_table(symbol: &str, other: &str, points: &[BoundaryPoint]) -> String {
    let mut md = format!(
        "Boundary {symbol}* of {other} (memorized fraction halfway between 1 and its null):\n\n\
         | N | {symbol}* (geometric mean over seeds) | seeds' range | below the grid | above the grid |\n\
         |---|---|---|---|---|\n"
    );
    for p in points {
        let (mean, range) = match p.spread {
            Some((mean, lo, hi)) => (format!("{mean:.2e}"), format!("[{lo:.2e}, {hi:.2e}]")),
            None => ("–".into(), "–".into()),
        };
        md.push_str(&format!(
            "| {} | {mean} | {range} | {} | {} |\n",
            p.n, p.below, p.above
        ));
    }
    md
}

/// A markdown table of the generalizing region per N (from a map of its label): the axis values
/// of its cells, lowest and highest; with `[phase] cover`, the same of the covering region and
/// the share of the fresh-sample nulls covering μ at the radius. `None` when the map's label has
/// no region computed.
pub fn region_table(symbol: &str, map: &PhaseMap) -> Option<String> {
    if map.metric != GENERALIZING || map.means.is_empty() {
        return None;
    }
    let covering = map.covering_region();
    let mut md = format!(
        "Generalizing region of {} (generalizing fraction ≥ {REGION_SHARE} × its fresh-sample null)",
        map.other
    );
    let mut header = format!("| N | cells in the region | lowest {symbol} | highest {symbol} |");
    let mut rule = String::from("|---|---|---|---|");
    if let Some(cover) = &map.cover {
        let (r, c) = (cover.spec.radius, cover.spec.factor);
        md.push_str(&format!(
            " and its part covering μ at radius {r} (r_c({c}) ≤ {r} in more than half of the seeds)"
        ));
        header.push_str(&format!(
            " covering μ at r = {r} | lowest {symbol} | highest {symbol} | fresh samples covering μ at r (share of seeds) |"
        ));
        rule.push_str("---|---|---|---|");
    }
    md.push_str(&format!(":\n\n{header}\n{rule}\n"));
    let extent = |cells: &BTreeSet<(usize, usize)>, i: usize| {
        let values: Vec<f64> = (0..map.axis_values.len())
            .filter(|&j| cells.contains(&(i, j)))
            .map(|j| map.axis_values[j])
            .collect();
        let (lowest, highest) = match (values.first(), values.last()) {
            (Some(lo), Some(hi)) => (format!("{lo:e}"), format!("{hi:e}")),
            _ => ("–".into(), "–".into()),
        };
        format!(
            " {} of {} | {lowest} | {highest} |",
            values.len(),
            map.axis_values.len()
        )
    };
    for (i, n) in map.n_values.iter().enumerate() {
        md.push_str(&format!("| {n} |{}", extent(&map.region, i)));
        if let Some(cover) = &map.cover {
            let nulls: Vec<f64> = (0..map.axis_values.len())
                .filter_map(|j| cover.null_shares.get(&(i, j)).copied())
                .collect();
            let null = match nulls.len() {
                0 => "–".to_string(),
                count => format!("{:.2}", nulls.iter().sum::<f64>() / count as f64),
            };
            md.push_str(&format!("{} {null} |", extent(&covering, i)));
        }
        md.push('\n');
    }
    Some(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crossing_is_interpolated_in_log_value() {
        // Linear in ln v between 1e-4 (0.9) and 1e-2 (0.1): level 0.5 is crossed at 1e-3.
        let curve = [(1e-6, 1.0), (1e-4, 0.9), (1e-2, 0.1), (1.0, 0.0)];
        match halfway_crossing(&curve, 0.5) {
            Crossing::At(v) => assert!((v / 1e-3 - 1.0).abs() < 1e-12, "{v}"),
            other => panic!("{other:?}"),
        }
        // A value exactly at the level is not yet below it.
        match halfway_crossing(&[(1.0, 0.5), (10.0, 0.3)], 0.5) {
            Crossing::At(v) => assert!((v - 1.0).abs() < 1e-12, "{v}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_first_fall_counts_and_off_grid_boundaries_are_censored() {
        let curve = [(1.0, 0.9), (10.0, 0.2), (100.0, 0.8), (1000.0, 0.1)];
        match halfway_crossing(&curve, 0.5) {
            Crossing::At(v) => assert!(v > 1.0 && v < 10.0, "{v}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            halfway_crossing(&[(1.0, 0.4), (10.0, 0.1)], 0.5),
            Crossing::BelowGrid
        );
        assert_eq!(
            halfway_crossing(&[(1.0, 0.9), (10.0, 0.6)], 0.5),
            Crossing::AboveGrid
        );
        assert_eq!(halfway_crossing(&[], 0.5), Crossing::AboveGrid);
    }
}
