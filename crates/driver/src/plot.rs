//! SVG plots: one per experiment and metric, per-N means with error bars, fitted lines, theory lines
//! and the fresh-sample null, on log–log axes (log–linear for fractions).

use crate::experiment::Experiment;
use crate::fit::{NULL_SCORE, SlopeRow};
use crate::metric::{MetricInfo, Shape};
use crate::output::write_string;
use crate::runs::Row;
use anyhow::Result;
use plotters::chart::SeriesAnno;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Width and height of every plot, in pixels.
pub(crate) const SIZE: (u32, u32) = (900, 620);

/// The mean of one curve at one N with its standard error over seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointStat {
    /// N.
    pub n: f64,
    /// Mean over seeds.
    pub mean: f64,
    /// Standard error of the mean (0 with one seed).
    pub standard_error: f64,
}

/// A curve of one score and sampler.
#[derive(Debug, Clone)]
struct Series {
    label: String,
    points: Vec<PointStat>,
    fit: Option<SlopeRow>,
}

/// A plot before drawing.
#[derive(Debug, Clone)]
struct Figure {
    title: String,
    metric: String,
    log_y: bool,
    series: Vec<Series>,
    null: Option<Series>,
    /// Theory lines: label, slope, and the point they are drawn through (the first point of the
    /// first series they apply to).
    theory: Vec<(String, f64, Option<PointStat>)>,
}

/// Per-N means and standard errors of the rows of one metric (unscaled rows, defined values).
pub fn point_stats<'a>(rows: impl Iterator<Item = &'a Row>) -> Vec<PointStat> {
    let mut by_n: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for row in rows {
        if let Some(v) = row.value.filter(|v| v.is_finite()) {
            by_n.entry(row.n_train).or_default().push(v);
        }
    }
    by_n.into_iter()
        .map(|(n, values)| {
            let count = values.len() as f64;
            let mean = values.iter().sum::<f64>() / count;
            let standard_error = if values.len() > 1 {
                let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1.0);
                (var / count).sqrt()
            } else {
                0.0
            };
            PointStat {
                n: n as f64,
                mean,
                standard_error,
            }
        })
        .collect()
}

/// Draws every plot of an experiment into `dir`; returns the files written, one per metric.
pub fn plot_experiment(
    experiment: &Experiment,
    rows: &[Row],
    slopes: &[SlopeRow],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let infos = experiment.metric_infos();
    let nulls: Vec<&String> = infos.iter().filter_map(|i| i.null.as_ref()).collect();
    for info in infos
        .iter()
        .filter(|i| !i.scaled && !nulls.contains(&&i.name))
    {
        let figure = figure(experiment, info, rows, slopes);
        if figure.series.iter().all(|s| s.points.is_empty()) {
            continue;
        }
        let path = dir.join(format!("{}.svg", info.name));
        let svg = render(&figure)?;
        write_string(&path, &svg)?;
        written.push(path);
    }
    Ok(written)
}

/// Draws curves of different experiments or metrics on one log–log plot (means, error bars and
/// fitted lines, no nulls), labelled `label`, into `path`.
pub fn plot_curves(
    title: &str,
    y_description: &str,
    curves: &[(String, Vec<PointStat>, Option<SlopeRow>)],
    path: &Path,
) -> Result<()> {
    let figure = Figure {
        title: title.to_string(),
        metric: y_description.to_string(),
        log_y: true,
        series: curves
            .iter()
            .map(|(label, points, fit)| Series {
                label: label.clone(),
                points: points.clone(),
                fit: fit.clone().filter(|f| f.slope.is_some()),
            })
            .collect(),
        null: None,
        theory: Vec::new(),
    };
    write_string(path, &render(&figure)?)
}

fn figure(experiment: &Experiment, info: &MetricInfo, rows: &[Row], slopes: &[SlopeRow]) -> Figure {
    let mut curves: Vec<(String, String)> = Vec::new();
    for row in rows.iter().filter(|r| r.metric == info.name) {
        let key = (row.score.clone(), row.sampler.clone());
        if !curves.contains(&key) {
            curves.push(key);
        }
    }
    let several_samplers = experiment.samplers.len() > 1;
    let series =
        curves
            .iter()
            .map(|(score, sampler)| Series {
                label: if several_samplers {
                    format!("{score} · {sampler}")
                } else {
                    score.clone()
                },
                points: point_stats(rows.iter().filter(|r| {
                    r.metric == info.name && &r.score == score && &r.sampler == sampler
                })),
                fit: slopes
                    .iter()
                    .find(|s| s.metric == info.name && &s.score == score && &s.sampler == sampler)
                    .filter(|s| s.slope.is_some())
                    .cloned(),
            })
            .collect();
    let null = info.null.as_ref().and_then(|null| {
        let first = curves.first()?;
        Some(Series {
            label: format!(
                "null: fresh samples of μ{}",
                if info.null_is_floor { " (floor)" } else { "" }
            ),
            points: point_stats(
                rows.iter()
                    .filter(|r| &r.metric == null && r.score == first.0 && r.sampler == first.1),
            ),
            fit: slopes
                .iter()
                .find(|s| &s.metric == null && s.score == NULL_SCORE)
                .filter(|s| s.slope.is_some())
                .cloned(),
        })
    });
    let theory = experiment
        .theory
        .iter()
        .filter(|t| t.metric == info.name)
        .map(|t| {
            let anchor = curves
                .iter()
                .zip(&series)
                .find(|((score, _), _)| {
                    rows.iter()
                        .find(|r| &r.score == score)
                        .is_some_and(|r| t.applies_to(&info.name, &r.score_kind, score))
                })
                .and_then(|(_, s): (&_, &Series)| s.points.first().copied());
            (t.label.clone(), t.slope, anchor)
        })
        .collect();
    Figure {
        title: format!("{}: {}", experiment.name, info.name),
        metric: info.name.clone(),
        log_y: info.shape == Shape::Rate,
        series,
        null,
        theory,
    }
}

/// Draws a figure into an SVG string.
fn render(figure: &Figure) -> Result<String> {
    let all: Vec<&PointStat> = figure
        .series
        .iter()
        .chain(figure.null.iter())
        .flat_map(|s| s.points.iter())
        .collect();
    let n_lo = all.iter().map(|p| p.n).fold(f64::INFINITY, f64::min);
    let n_hi = all.iter().map(|p| p.n).fold(0.0, f64::max);
    let x_range = (n_lo / 1.5)..(n_hi * 1.5);
    if figure.log_y {
        let positive: Vec<f64> = all
            .iter()
            .flat_map(|p| [p.mean - p.standard_error, p.mean, p.mean + p.standard_error])
            .filter(|v| *v > 0.0 && v.is_finite())
            .collect();
        let lo = positive.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = positive.iter().copied().fold(0.0, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > 0.0 {
            (lo / 2.0, hi * 2.0)
        } else {
            (1e-3, 1.0)
        };
        draw(figure, x_range.log_scale(), (lo..hi).log_scale(), true)
    } else {
        let hi = all
            .iter()
            .map(|p| p.mean + p.standard_error)
            .fold(1.0, f64::max);
        draw(figure, x_range.log_scale(), -0.02..hi * 1.05, false)
    }
}

fn draw<X, Y>(figure: &Figure, x: X, y: Y, log_y: bool) -> Result<String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let mut chart = new_chart(
            &root,
            &figure.title,
            x,
            y,
            ("training-set size N", &figure.metric),
        )?;
        let (x_lo, x_hi) = {
            let range = chart.x_range();
            (range.start, range.end)
        };
        let clamp = |v: f64| if log_y { v.max(f64::MIN_POSITIVE) } else { v };
        for (i, series) in figure.series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let label = match &series.fit {
                Some(fit) => format!(
                    "{}   slope {:.3} [{:.3}, {:.3}]",
                    series.label,
                    fit.slope.unwrap_or(f64::NAN),
                    fit.ci_low.unwrap_or(f64::NAN),
                    fit.ci_high.unwrap_or(f64::NAN)
                ),
                None => series.label.clone(),
            };
            draw_points(&mut chart, series, color, clamp)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
            if let Some(fit) = &series.fit {
                chart
                    .draw_series(DashedLineSeries::new(
                        fitted_line(fit),
                        6,
                        4,
                        color.stroke_width(2),
                    ))
                    .map_err(plot_error)?;
            }
        }
        if let Some(null) = &figure.null {
            let color = BLACK.mix(0.7);
            draw_points(&mut chart, null, color, clamp)?
                .label(null.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2))
                });
        }
        for (j, (label, slope, anchor)) in figure.theory.iter().enumerate() {
            let Some(anchor) = anchor.filter(|p| log_y && p.mean > 0.0) else {
                continue;
            };
            let color = RGBColor(120, 120, 120).mix(1.0 - 0.25 * (j % 3) as f64);
            let line = [x_lo, x_hi].map(|n| (n, anchor.mean * (n / anchor.n).powf(*slope)));
            chart
                .draw_series(DashedLineSeries::new(line, 2, 5, color.stroke_width(2)))
                .map_err(plot_error)?
                .label(format!("theory: {label} (slope {slope:.3})"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2))
                });
        }
        finish_chart(&mut chart, &root, SeriesLabelPosition::LowerLeft)?;
    }
    Ok(svg)
}

type Chart<'a, 'b, X, Y> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>;

/// Draws the legend at `position` and writes the chart out.
pub(crate) fn finish_chart<'a, 'b, X, Y>(
    chart: &mut Chart<'a, 'b, X, Y>,
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    position: SeriesLabelPosition,
) -> Result<()>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_error)?;
    root.present().map_err(plot_error)
}

/// A white chart on `root` with its title, axes, mesh and the axis descriptions (x, y).
pub(crate) fn new_chart<'a, 'b, X, Y>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    x: X,
    y: Y,
    (x_desc, y_desc): (&str, &str),
) -> Result<Chart<'a, 'b, X::CoordDescType, Y::CoordDescType>>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    root.fill(&WHITE).map_err(plot_error)?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x, y)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .y_desc(y_desc)
        .x_label_formatter(&|v| format_number(*v))
        .y_label_formatter(&|v| format_number(*v))
        .draw()
        .map_err(plot_error)?;
    Ok(chart)
}

/// Draws a series' means (joined), markers and ±1 standard-error bars; returns the line's handle
/// for the legend.
fn draw_points<'a, 'b, 'c, X, Y>(
    chart: &'c mut Chart<'a, 'b, X, Y>,
    series: &Series,
    color: RGBAColor,
    clamp: impl Fn(f64) -> f64,
) -> Result<&'c mut SeriesAnno<'a, SVGBackend<'b>>>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    chart
        .draw_series(series.points.iter().map(|p| {
            ErrorBar::new_vertical(
                p.n,
                clamp(p.mean - p.standard_error),
                clamp(p.mean),
                clamp(p.mean + p.standard_error),
                color.stroke_width(1),
                8,
            )
        }))
        .map_err(plot_error)?;
    chart
        .draw_series(
            series
                .points
                .iter()
                .map(|p| Circle::new((p.n, clamp(p.mean)), 4, color.filled())),
        )
        .map_err(plot_error)?;
    chart
        .draw_series(LineSeries::new(
            series.points.iter().map(|p| (p.n, clamp(p.mean))),
            color.stroke_width(2),
        ))
        .map_err(plot_error)
}

/// The fitted power law over its N window.
fn fitted_line(fit: &SlopeRow) -> Vec<(f64, f64)> {
    match (fit.slope, fit.intercept, fit.n_min, fit.n_max) {
        (Some(slope), Some(intercept), Some(lo), Some(hi)) => [lo, hi]
            .map(|n| (n, (intercept + slope * n.ln()).exp()))
            .to_vec(),
        _ => Vec::new(),
    }
}

/// Axis labels: plain numbers in [1e-3, 1e5), powers of ten outside.
pub(crate) fn format_number(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if (1e-3..1e5).contains(&a) {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.0e}")
    }
}

pub(crate) fn plot_error<E: std::fmt::Debug>(err: E) -> anyhow::Error {
    anyhow::anyhow!("cannot draw the plot: {err:?}")
}
