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
//! M and not copies about as often as fresh draws of μ are. Its outline is drawn on every map
//! of the label, and the summary gives its extent along the axis per N.

use crate::axis::{AxisOwner, SweepAxis};
use crate::experiment::Experiment;
use crate::fit::SlopeRow;
use crate::metric::{MetricInfo, Shape};
use crate::output::write_string;
use crate::plot::{SIZE, format_number, plot_error};
use crate::runs::Row;
use crate::training::grouped_in_order;
use anyhow::Result;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
}

/// The phase maps of an experiment: one per drawn metric and label beside the axis.
pub fn phase_maps(experiment: &Experiment, rows: &[Row]) -> Vec<PhaseMap> {
    let Some(axis) = &experiment.axis else {
        return Vec::new();
    };
    let n_values = experiment.sweep.n_train.clone();
    let axis_values: Vec<f64> = axis.members.iter().map(|m| m.0).collect();
    let means = |metric: &str| cell_means(axis, rows, metric, &n_values, &axis_values);
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
    MAP_METRICS
        .iter()
        .flat_map(|metric| {
            means(metric).into_iter().map(|cells| PhaseMap {
                metric: metric.to_string(),
                region: region_of(&cells.other),
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

/// The means of `metric` per label beside the axis, labels in order of first appearance.
fn cell_means(
    axis: &SweepAxis,
    rows: &[Row],
    metric: &str,
    n_values: &[usize],
    axis_values: &[f64],
) -> Vec<CellMeans> {
    let cells = rows
        .iter()
        .filter(|r| r.metric == metric && r.scale.is_none())
        .filter_map(|row| {
            let (value, other) = split_labels(axis, row)?;
            let i = n_values.iter().position(|&n| n == row.n_train)?;
            let j = axis_values.iter().position(|&a| a == value)?;
            Some((other, ((i, j), row.value?, row.score_kind.as_str())))
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

/// The colour of a metric's value: fractions on [0, 1], the novelty index on log2 over
/// [1/16, 16] (1, a fresh sample's spacing, in the middle).
fn shade(metric: &str, value: f64) -> RGBColor {
    let h = if metric == "novelty_index" {
        (value.max(1e-300).log2() + 4.0) / 8.0
    } else {
        value
    };
    ViridisRGB::get_color(h.clamp(0.0, 1.0))
}

/// The colour bar's tick values and labels for a metric.
fn colour_ticks(metric: &str) -> Vec<(f64, String)> {
    if metric == "novelty_index" {
        [1.0 / 16.0, 0.25, 1.0, 4.0, 16.0]
            .iter()
            .map(|&v| (v, format_number(v)))
            .collect()
    } else {
        [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&v| (v, format!("{v}")))
            .collect()
    }
}

/// The tick label of a log10 coordinate: the power of ten at whole decades, nothing between.
fn decade_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format_number(10f64.powf(v.round()))
    } else {
        String::new()
    }
}

/// The cell edges, in log10, around increasing positive values: midpoints between neighbours,
/// half a step beyond the ends.
fn log_edges(values: &[f64]) -> Vec<f64> {
    let logs: Vec<f64> = values.iter().map(|v| v.log10()).collect();
    let step = |i: usize| logs.get(i + 1).zip(logs.get(i)).map(|(a, b)| a - b);
    let first = step(0).unwrap_or(1.0) / 2.0;
    let last = step(logs.len().saturating_sub(2)).unwrap_or(1.0) / 2.0;
    let mut edges = vec![logs[0] - first];
    edges.extend(logs.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    edges.push(logs[logs.len() - 1] + last);
    edges
}

/// What is drawn over every map of a label: the boundary points, the fitted boundary and
/// the theory line (its label and slope, drawn through the boundary points' centre).
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// Boundary points, N increasing.
    pub points: Vec<BoundaryPoint>,
    /// The boundary's fitted slope row.
    pub fit: Option<SlopeRow>,
    /// Theory lines: label and slope.
    pub theory: Vec<(String, f64)>,
    /// Other experiments' boundaries (`experiment/label` and points), drawn beside this one's.
    pub beside: Vec<(String, Vec<BoundaryPoint>)>,
}

/// Draws a phase map as an SVG heatmap with its colour bar, axis labels and the memorization
/// boundary over it; returns the SVG text.
pub fn render_phase_map(
    experiment: &str,
    map: &PhaseMap,
    symbol: &str,
    overlay: &Overlay,
) -> Result<String> {
    let x_edges = log_edges(&map.n_values.iter().map(|&n| n as f64).collect::<Vec<_>>());
    let y_edges = log_edges(&map.axis_values);
    let x_range = x_edges[0]..x_edges[x_edges.len() - 1];
    let y_range = y_edges[0]..y_edges[y_edges.len() - 1];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let (main, bar) = root.split_horizontally(SIZE.0 - 130);
        let title = format!("{experiment}: {} of {}", map.metric, map.other);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x_range.clone(), y_range.clone())
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("training-set size N")
            .y_desc(format!("{symbol} ({})", map.family))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .x_label_formatter(&decade_label)
            .y_label_formatter(&decade_label)
            .draw()
            .map_err(plot_error)?;
        chart
            .draw_series(map.means.iter().map(|(&(i, j), &value)| {
                Rectangle::new(
                    [(x_edges[i], y_edges[j]), (x_edges[i + 1], y_edges[j + 1])],
                    shade(&map.metric, value).filled(),
                )
            }))
            .map_err(plot_error)?;
        draw_region(&mut chart, &map.region, &x_edges, &y_edges)?;
        draw_overlay(&mut chart, overlay, (x_range.start, x_range.end))?;
        draw_colour_bar(&bar, &map.metric)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

type HeatChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The boundary points with their seeds' range, the fitted boundary and the theory lines, on
/// log10 axes, with a legend.
fn draw_overlay<'a, 'b: 'a>(
    chart: &mut HeatChart<'a, 'b>,
    overlay: &Overlay,
    (x_lo, x_hi): (f64, f64),
) -> Result<()> {
    let located = draw_boundary(
        chart,
        &overlay.points,
        RED.to_rgba(),
        "boundary: memorized fraction halfway to its null (seeds' range)",
    )?;
    for (i, (label, points)) in overlay.beside.iter().enumerate() {
        let colour = [CYAN, full_palette::ORANGE, WHITE][i % 3].to_rgba();
        draw_boundary(chart, points, colour, &format!("boundary of {label}"))?;
    }
    if let Some(fit) = &overlay.fit
        && let (Some(slope), Some(intercept), Some(lo), Some(hi)) =
            (fit.slope, fit.intercept, fit.n_min, fit.n_max)
    {
        let line = [lo, hi].map(|n| {
            (
                n.log10(),
                (intercept + slope * n.ln()) / std::f64::consts::LN_10,
            )
        });
        let text = format!(
            "fitted: slope {slope:.3} [{:.3}, {:.3}]",
            fit.ci_low.unwrap_or(f64::NAN),
            fit.ci_high.unwrap_or(f64::NAN)
        );
        chart
            .draw_series(LineSeries::new(line, WHITE.stroke_width(3)))
            .map_err(plot_error)?
            .label(text)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], WHITE.stroke_width(3)));
    }
    if !located.is_empty() {
        let centre_x = located.iter().map(|p| p.0).sum::<f64>() / located.len() as f64;
        let centre_y = located.iter().map(|p| p.1).sum::<f64>() / located.len() as f64;
        for (label, slope) in &overlay.theory {
            let line = [x_lo, x_hi].map(|x| (x, centre_y + slope * (x - centre_x)));
            chart
                .draw_series(DashedLineSeries::new(line, 8, 6, MAGENTA.stroke_width(2)))
                .map_err(plot_error)?
                .label(format!(
                    "theory: {label} (slope {slope:.3}, through the boundary's centre)"
                ))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], MAGENTA.stroke_width(2))
                });
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_error)
}

/// The outline of a set of grid cells: every side of a cell in the set whose neighbour across it
/// is not, as a pair of grid corners ((i, j) is the corner below and left of cell (i, j)).
pub fn region_outline(region: &BTreeSet<(usize, usize)>) -> Vec<[(usize, usize); 2]> {
    let outside = |i: Option<usize>, j: Option<usize>| match (i, j) {
        (Some(i), Some(j)) => !region.contains(&(i, j)),
        _ => true,
    };
    let mut sides = Vec::new();
    for &(i, j) in region {
        if outside(i.checked_sub(1), Some(j)) {
            sides.push([(i, j), (i, j + 1)]);
        }
        if outside(Some(i + 1), Some(j)) {
            sides.push([(i + 1, j), (i + 1, j + 1)]);
        }
        if outside(Some(i), j.checked_sub(1)) {
            sides.push([(i, j), (i + 1, j)]);
        }
        if outside(Some(i), Some(j + 1)) {
            sides.push([(i, j + 1), (i + 1, j + 1)]);
        }
    }
    sides
}

/// Outlines the generalizing region on a map (cell edges `x_edges`, `y_edges`).
fn draw_region<'a, 'b: 'a>(
    chart: &mut HeatChart<'a, 'b>,
    region: &BTreeSet<(usize, usize)>,
    x_edges: &[f64],
    y_edges: &[f64],
) -> Result<()> {
    if region.is_empty() {
        return Ok(());
    }
    let style = full_palette::GREEN_A400.stroke_width(3);
    let corner = |(i, j): (usize, usize)| (x_edges[i], y_edges[j]);
    chart
        .draw_series(
            region_outline(region)
                .into_iter()
                .map(|side| PathElement::new(side.map(corner), style)),
        )
        .map_err(plot_error)?
        .label(format!(
            "generalizing region: generalizing fraction ≥ {REGION_SHARE} × its fresh-sample null"
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
    Ok(())
}

/// Draws boundary points (geometric mean over seeds, with their range) in log10 coordinates
/// under a legend entry; returns the located means (log10 N, log10 boundary).
fn draw_boundary<'a, 'b: 'a>(
    chart: &mut HeatChart<'a, 'b>,
    points: &[BoundaryPoint],
    colour: RGBAColor,
    label: &str,
) -> Result<Vec<(f64, f64)>> {
    let located: Vec<(f64, (f64, f64, f64))> = points
        .iter()
        .filter_map(|p| {
            let (mean, lo, hi) = p.spread?;
            Some(((p.n as f64).log10(), (mean.log10(), lo.log10(), hi.log10())))
        })
        .collect();
    chart
        .draw_series(located.iter().map(|&(x, (mean, lo, hi))| {
            ErrorBar::new_vertical(x, lo, mean, hi, colour.stroke_width(2), 10)
        }))
        .map_err(plot_error)?;
    chart
        .draw_series(
            located
                .iter()
                .map(|&(x, (mean, ..))| Circle::new((x, mean), 5, colour.filled())),
        )
        .map_err(plot_error)?
        .label(label)
        .legend(move |(x, y)| Circle::new((x + 12, y), 5, colour.filled()));
    Ok(located.iter().map(|&(x, (mean, ..))| (x, mean)).collect())
}

/// A vertical colour bar with the metric's ticks.
fn draw_colour_bar(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    metric: &str,
) -> Result<()> {
    let index = metric == "novelty_index";
    let (lo, hi) = if index { (-4.0, 4.0) } else { (0.0, 1.0) };
    let mut bar = ChartBuilder::on(area)
        .margin_top(60)
        .margin_bottom(66)
        .margin_right(10)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(plot_error)?;
    let ticks = colour_ticks(metric);
    let position = |v: f64| if index { v.log2() } else { v };
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(0)
        .y_desc(metric)
        .axis_desc_style(("sans-serif", 14))
        .draw()
        .map_err(plot_error)?;
    let steps = 64;
    bar.draw_series((0..steps).map(|s| {
        let a = lo + (hi - lo) * s as f64 / steps as f64;
        let b = lo + (hi - lo) * (s + 1) as f64 / steps as f64;
        let value = if index {
            2f64.powf((a + b) / 2.0)
        } else {
            (a + b) / 2.0
        };
        Rectangle::new([(0.0, a), (1.0, b)], shade(metric, value).filled())
    }))
    .map_err(plot_error)?;
    bar.draw_series(ticks.iter().map(|(v, text)| {
        Text::new(
            text.clone(),
            (1.05, position(*v)),
            ("sans-serif", 13).into_font(),
        )
    }))
    .map_err(plot_error)?;
    Ok(())
}

/// Writes every phase map of an experiment as `phase_<metric>.svg` (with `_<i>` for the i-th
/// label beside the axis when there are several), each with the experiment's own boundary, its
/// fit from `slopes`, its theory lines and the boundaries of other experiments in `beside`
/// (label and points); returns the files.
pub fn plot_phase_maps(
    experiment: &Experiment,
    maps: &[PhaseMap],
    boundaries: &[(String, Vec<BoundaryPoint>)],
    slopes: &[SlopeRow],
    beside: &[(String, Vec<BoundaryPoint>)],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let Some(axis) = &experiment.axis else {
        return Ok(Vec::new());
    };
    let mut written = Vec::new();
    for map in maps {
        let others: Vec<&str> = maps
            .iter()
            .filter(|m| m.metric == map.metric)
            .map(|m| m.other.as_str())
            .collect();
        let name = match others.iter().position(|o| *o == map.other) {
            Some(i) if others.len() > 1 => format!("phase_{}_{i}.svg", map.metric),
            _ => format!("phase_{}.svg", map.metric),
        };
        let (score, sampler) = match axis.owner {
            AxisOwner::Sampler => (map.other.as_str(), axis.family.as_str()),
            AxisOwner::Score => (axis.family.as_str(), map.other.as_str()),
        };
        let fit = slopes
            .iter()
            .find(|s| s.metric == BOUNDARY_METRIC && s.score == score && s.sampler == sampler)
            .cloned();
        let overlay = Overlay {
            points: boundaries
                .iter()
                .find(|(other, _)| *other == map.other)
                .map(|(_, points)| points.clone())
                .unwrap_or_default(),
            fit,
            theory: experiment
                .theory
                .iter()
                .filter(|t| t.applies_to(BOUNDARY_METRIC, &map.score_kind, score))
                .map(|t| (t.label.clone(), t.slope))
                .collect(),
            beside: beside.to_vec(),
        };
        let svg = render_phase_map(&experiment.name, map, &axis.symbol, &overlay)?;
        let path = dir.join(name);
        write_string(&path, &svg)?;
        written.push(path);
    }
    Ok(written)
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
/// of its cells, lowest and highest. `None` when the map's label has no region computed.
pub fn region_table(symbol: &str, map: &PhaseMap) -> Option<String> {
    if map.metric != GENERALIZING || map.means.is_empty() {
        return None;
    }
    let mut md = format!(
        "Generalizing region of {} (generalizing fraction ≥ {REGION_SHARE} × its fresh-sample null):\n\n\
         | N | cells in the region | lowest {symbol} | highest {symbol} |\n\
         |---|---|---|---|\n",
        map.other
    );
    for (i, n) in map.n_values.iter().enumerate() {
        let values: Vec<f64> = (0..map.axis_values.len())
            .filter(|&j| map.region.contains(&(i, j)))
            .map(|j| map.axis_values[j])
            .collect();
        let (lowest, highest) = match (values.first(), values.last()) {
            (Some(lo), Some(hi)) => (format!("{lo:e}"), format!("{hi:e}")),
            _ => ("–".into(), "–".into()),
        };
        md.push_str(&format!(
            "| {n} | {} of {} | {lowest} | {highest} |\n",
            values.len(),
            map.axis_values.len()
        ));
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

    proptest::proptest! {
        /// The outline of any set of cells is closed (every corner meets an even number of
        /// sides), no side is drawn twice, and its length is 4 per cell less 2 per pair of
        /// neighbouring cells.
        #[test]
        fn a_region_outline_is_closed_and_as_long_as_its_free_sides(
            cells in proptest::collection::btree_set((0usize..6, 0usize..6), 0..30)
        ) {
            let sides = region_outline(&cells);
            let neighbours = cells
                .iter()
                .filter(|&&(i, j)| cells.contains(&(i + 1, j)))
                .count()
                + cells
                    .iter()
                    .filter(|&&(i, j)| cells.contains(&(i, j + 1)))
                    .count();
            proptest::prop_assert_eq!(sides.len(), 4 * cells.len() - 2 * neighbours);
            let mut degree: BTreeMap<(usize, usize), usize> = BTreeMap::new();
            let mut distinct = BTreeSet::new();
            for side in &sides {
                proptest::prop_assert!(distinct.insert(*side), "{:?} twice", side);
                for corner in side {
                    *degree.entry(*corner).or_default() += 1;
                }
            }
            proptest::prop_assert!(degree.values().all(|d| d % 2 == 0), "{:?}", degree);
        }
    }

    #[test]
    fn an_outline_goes_around_its_cells() {
        // An L of three cells: 8 unit sides around it, none between its cells.
        let cells = BTreeSet::from([(0, 0), (1, 0), (1, 1)]);
        let sides: BTreeSet<[(usize, usize); 2]> = region_outline(&cells).into_iter().collect();
        let expected = BTreeSet::from([
            [(0, 0), (0, 1)],
            [(0, 0), (1, 0)],
            [(1, 0), (2, 0)],
            [(2, 0), (2, 1)],
            [(2, 1), (2, 2)],
            [(1, 2), (2, 2)],
            [(1, 1), (1, 2)],
            [(0, 1), (1, 1)],
        ]);
        assert_eq!(sides, expected);
    }

    #[test]
    fn cell_edges_sit_halfway_in_log() {
        let edges = log_edges(&[1e-3, 1e-2, 1e-1]);
        let expected = [-3.5, -2.5, -1.5, -0.5];
        for (e, x) in edges.iter().zip(expected) {
            assert!((e - x).abs() < 1e-12, "{edges:?}");
        }
    }
}
