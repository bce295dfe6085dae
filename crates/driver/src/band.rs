//! The coverage band: at the largest N, the q05, median and largest coverage ratio of each score
//! against the ball radius r, as a table (summary.md) and a plot (coverage_band.svg). It shows
//! where along the radii a score starts to cover μ evenly (ratio 1) and where it over- or
//! under-fills balls (the kink and two-level laws of E6).

use crate::output::write_string;
use crate::plot::{finish_chart, format_number, new_chart, plot_error};
use crate::runs::Row;
use anyhow::Result;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The per-radius metrics the band is made of, lower edge, middle and upper edge.
const EDGES: [&str; 3] = ["coverage_q05", "coverage_median", "coverage_max"];

/// One score's band: per radius, the means over seeds of q05, median and max.
#[derive(Debug, Clone, PartialEq)]
pub struct BandCurve {
    /// Score label (with the sampler when the experiment has several).
    pub label: String,
    /// (r, q05, median, max), r ascending.
    pub radii: Vec<(f64, f64, f64, f64)>,
}

/// The coverage band of an experiment at its largest N.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageBand {
    /// The N it is measured at.
    pub n_train: usize,
    /// One curve per score and sampler, in row order.
    pub curves: Vec<BandCurve>,
}

impl CoverageBand {
    /// The band of the rows at their largest N; `None` without per-radius coverage rows.
    pub fn of(rows: &[Row], several_samplers: bool) -> Option<Self> {
        let coverage: Vec<&Row> = rows
            .iter()
            .filter(|r| EDGES.contains(&r.metric.as_str()) && r.scale.is_some())
            .collect();
        let n_train = coverage.iter().map(|r| r.n_train).max()?;
        let mut keys: Vec<(&str, &str)> = Vec::new();
        for row in &coverage {
            let key = (row.score.as_str(), row.sampler.as_str());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let curves =
            keys.into_iter()
                .map(|(score, sampler)| {
                    // radius bits → per edge, (sum, count)
                    let mut sums: BTreeMap<u64, [(f64, usize); 3]> = BTreeMap::new();
                    for row in coverage.iter().filter(|r| {
                        r.n_train == n_train && r.score == score && r.sampler == sampler
                    }) {
                        let (Some(r), Some(v)) = (row.scale, row.value) else {
                            continue;
                        };
                        let edge = EDGES
                            .iter()
                            .position(|e| *e == row.metric)
                            .expect("filtered");
                        let slot = &mut sums.entry(r.to_bits()).or_default()[edge];
                        slot.0 += v;
                        slot.1 += 1;
                    }
                    let mean = |(sum, count): (f64, usize)| sum / count.max(1) as f64;
                    let mut radii: Vec<(f64, f64, f64, f64)> = sums
                        .into_iter()
                        .map(|(bits, [low, mid, high])| {
                            (f64::from_bits(bits), mean(low), mean(mid), mean(high))
                        })
                        .collect();
                    radii.sort_by(|a, b| a.0.total_cmp(&b.0));
                    BandCurve {
                        label: if several_samplers {
                            format!("{score} · {sampler}")
                        } else {
                            score.to_string()
                        },
                        radii,
                    }
                })
                .collect();
        Some(Self { n_train, curves })
    }

    /// The band as a markdown table: one row per score and radius.
    pub fn table(&self) -> String {
        let mut md = format!(
            "Coverage band at N = {} (means over seeds; 1 is even coverage of μ):\n\n| score | r | q05 | median | max |\n|---|---|---|---|---|\n",
            self.n_train
        );
        for curve in &self.curves {
            for (r, low, mid, high) in &curve.radii {
                let _ = writeln!(
                    md,
                    "| {} | {} | {low:.3} | {mid:.3} | {high:.3} |",
                    curve.label,
                    format_number(*r)
                );
            }
        }
        md
    }

    /// Draws the band into `dir/coverage_band.svg`: per score, a bar from q05 to max with the
    /// median marked and joined across radii, and the line of even coverage.
    pub fn plot(&self, name: &str, dir: &Path) -> Result<PathBuf> {
        let radii: Vec<f64> = self
            .curves
            .iter()
            .flat_map(|c| c.radii.iter().map(|p| p.0))
            .collect();
        let r_lo = radii.iter().copied().fold(f64::INFINITY, f64::min);
        let r_hi = radii.iter().copied().fold(0.0, f64::max);
        let top = self
            .curves
            .iter()
            .flat_map(|c| c.radii.iter().map(|p| p.3))
            .filter(|v| v.is_finite())
            .fold(1.0, f64::max);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, crate::plot::SIZE).into_drawing_area();
            let title = format!("{name}: coverage band at N = {}", self.n_train);
            let mut chart = new_chart(
                &root,
                &title,
                ((r_lo / 1.3)..(r_hi * 1.3)).log_scale(),
                0.0..top * 1.08,
                ("ball radius r", "coverage ratio (q05 · median · max)"),
            )?;
            let width = self.curves.len().max(1) as f64;
            for (i, curve) in self.curves.iter().enumerate() {
                let color = Palette99::pick(i).to_rgba();
                // Side by side at each radius: a small multiplicative offset per score.
                let shift = 1.0 + 0.04 * (i as f64 - (width - 1.0) / 2.0);
                chart
                    .draw_series(curve.radii.iter().map(|&(r, low, mid, high)| {
                        ErrorBar::new_vertical(r * shift, low, mid, high, color.stroke_width(2), 10)
                    }))
                    .map_err(plot_error)?;
                chart
                    .draw_series(LineSeries::new(
                        curve.radii.iter().map(|&(r, _, mid, _)| (r * shift, mid)),
                        color.stroke_width(2),
                    ))
                    .map_err(plot_error)?
                    .label(curve.label.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                    });
            }
            let grey = BLACK.mix(0.6);
            chart
                .draw_series(DashedLineSeries::new(
                    [(r_lo / 1.3, 1.0), (r_hi * 1.3, 1.0)],
                    6,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(plot_error)?
                .label("even coverage (ratio 1)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], grey.stroke_width(1))
                });
            finish_chart(&mut chart, &root, SeriesLabelPosition::UpperLeft)?;
        }
        let path = dir.join("coverage_band.svg");
        write_string(&path, &svg)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(score: &str, n: usize, seed: usize, metric: &str, r: f64, v: f64) -> Row {
        Row {
            score: score.into(),
            sampler: "sde".into(),
            n_train: n,
            seed,
            metric: metric.into(),
            scale: Some(r),
            value: Some(v),
            ..Row::default()
        }
    }

    #[test]
    fn the_band_averages_seeds_at_the_largest_n_per_radius() {
        let mut rows = Vec::new();
        for (seed, shift) in [(0, 0.0), (1, 0.2)] {
            for r in [0.2, 0.1] {
                rows.push(row("a", 100, seed, "coverage_q05", r, 0.5 + shift));
                rows.push(row("a", 100, seed, "coverage_median", r, 1.0 + shift));
                rows.push(row("a", 100, seed, "coverage_max", r, 2.0 + shift));
                rows.push(row("a", 10, seed, "coverage_max", r, 9.0));
            }
        }
        rows.push(row("a", 100, 0, "covered_fraction", 0.1, 0.7));
        let band = CoverageBand::of(&rows, false).unwrap();
        assert_eq!(band.n_train, 100);
        assert_eq!(band.curves.len(), 1);
        let radii = &band.curves[0].radii;
        assert_eq!(radii.len(), 2);
        assert_eq!(radii[0].0, 0.1);
        for (got, want) in [(radii[0].1, 0.6), (radii[0].2, 1.1), (radii[0].3, 2.1)] {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        assert!(band.table().contains("| a | 0.1 | 0.600 | 1.100 | 2.100 |"));
        assert!(CoverageBand::of(&rows[..0], false).is_none());
    }
}
