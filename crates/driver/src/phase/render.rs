//! Drawing of the phase maps: each metric over (N, axis value) as an SVG heatmap with its colour bar, the memorization boundary, its fit and theory lines, other experiments' boundaries and the outlines of the generalizing region and of its part covering μ.

use super::{BOUNDARY_METRIC, BoundaryPoint, PhaseMap, REGION_SHARE};
use crate::axis::AxisOwner;
use crate::experiment::Experiment;
use crate::fit::SlopeRow;
use crate::output::write_string;
use crate::plot::{SIZE, format_number, plot_error};
use anyhow::Result;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
    // A band above the cells holds the legend, so that it covers none of them.
    let top = y_edges[y_edges.len() - 1];
    let y_range = y_edges[0]..top + legend_band(top - y_edges[0], legend_entries(map, overlay));
    let y_label = |v: &f64| {
        if *v <= top {
            decade_label(v)
        } else {
            String::new()
        }
    };
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
            .y_label_formatter(&y_label)
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
        let edges = (x_edges.as_slice(), y_edges.as_slice());
        let generalizing = format!(
            "generalizing region: generalizing fraction ≥ {REGION_SHARE} × its fresh-sample null"
        );
        let green = full_palette::GREEN_A400.stroke_width(5);
        draw_region(&mut chart, &map.region, edges, green, &generalizing)?;
        if let Some(cover) = &map.cover {
            let (r, c) = (cover.spec.radius, cover.spec.factor);
            let label = format!("… and covering μ at radius {r}: r_c({c}) ≤ {r} in most seeds");
            let black = BLACK.stroke_width(2);
            draw_region(&mut chart, &map.covering_region(), edges, black, &label)?;
        }
        draw_overlay(&mut chart, overlay, (x_range.start, x_range.end))?;
        draw_colour_bar(&bar, &map.metric)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// The height of the heatmap's plotting area in pixels (the figure less caption, margins and
/// the N axis), and of one legend entry and the legend's padding.
const PLOT_PX: f64 = 500.0;
const LEGEND_ENTRY_PX: f64 = 18.0;
const LEGEND_PAD_PX: f64 = 16.0;

/// The height, in the units of a y axis spanning `span` over the cells, of a band above them that
/// holds a legend of `entries` entries; at most half the plot (as tall as the cells), where a
/// legend of very many entries covers cells again.
fn legend_band(span: f64, entries: usize) -> f64 {
    let legend_px = (LEGEND_ENTRY_PX * entries as f64 + LEGEND_PAD_PX).min(PLOT_PX / 2.0);
    span * legend_px / (PLOT_PX - legend_px)
}

/// How many entries the legend of a map has: the region outlines drawn, the boundaries, the fit
/// and the theory lines.
fn legend_entries(map: &PhaseMap, overlay: &Overlay) -> usize {
    let located = overlay.points.iter().any(|p| p.spread.is_some());
    usize::from(!map.region.is_empty())
        + usize::from(!map.covering_region().is_empty())
        + 1
        + overlay.beside.len()
        + usize::from(overlay.fit.as_ref().is_some_and(|f| f.slope.is_some()))
        + if located { overlay.theory.len() } else { 0 }
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
            .legend(|(x, y)| {
                // White as drawn, edged in black to show on the legend's light background.
                let stroke = |style: ShapeStyle| PathElement::new(vec![(0, 0), (24, 0)], style);
                EmptyElement::at((x, y))
                    + stroke(BLACK.stroke_width(5))
                    + stroke(WHITE.stroke_width(3))
            });
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

/// Outlines a region of cells on a map (cell edges `x_edges`, `y_edges`) under a legend entry.
fn draw_region<'a, 'b: 'a>(
    chart: &mut HeatChart<'a, 'b>,
    region: &BTreeSet<(usize, usize)>,
    (x_edges, y_edges): (&[f64], &[f64]),
    style: ShapeStyle,
    label: &str,
) -> Result<()> {
    if region.is_empty() {
        return Ok(());
    }
    let corner = |(i, j): (usize, usize)| (x_edges[i], y_edges[j]);
    chart
        .draw_series(
            region_outline(region)
                .into_iter()
                .map(|side| PathElement::new(side.map(corner), style)),
        )
        .map_err(plot_error)?
        .label(label)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
    fn the_legend_band_grows_with_its_entries_up_to_the_cells_height() {
        let bands: Vec<f64> = (0..200).map(|entries| legend_band(9.0, entries)).collect();
        assert!(
            bands.iter().all(|b| b.is_finite() && *b > 0.0 && *b <= 9.0),
            "{bands:?}"
        );
        assert!(bands.windows(2).all(|w| w[1] >= w[0]));
        // Six entries: 124 px of the 500, so the band is 124/376 of the cells' span.
        assert!((legend_band(9.0, 6) - 9.0 * 124.0 / 376.0).abs() < 1e-12);
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
