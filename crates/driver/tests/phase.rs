//! Sweep axes and phase maps: a `{ grid = [..] }` parameter expands into one sampler or score per value with its checks, and the boundary estimator recovers a planted boundary t0*(N) = c·N^b (and tells a wrong slope from the right one).

use mangen_driver::axis::AxisOwner;
use mangen_driver::experiment::Experiment;
use mangen_driver::fit::fit_experiment;
use mangen_driver::phase::{
    BOUNDARY_METRIC, boundary_rows, phase_maps, region_table, render_phase_map,
};
use mangen_driver::profile::Profile;
use mangen_driver::runs::Row;
use std::path::Path;

const GRID: [f64; 9] = [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
const N: [usize; 5] = [10, 30, 100, 300, 1000];

/// A memorizer experiment on the circle with `sampler` as its `[[sampler]]` body and `extra`
/// appended.
fn config(sampler: &str, extra: &str) -> String {
    format!(
        r#"
seed = 3
ambient_dim = 2
[manifold]
kind = "circle"
[sweep]
n_train = [10, 30, 100, 300, 1000]
seeds = 4
samples = 10
[[sampler]]
{sampler}
denoise = true
[[score]]
kind = "empirical"
[metrics]
novelty = true
[[theory]]
metric = "memorized_boundary"
slope = -2.0
label = "N^-2/k"
{extra}
"#
    )
}

fn parse(text: &str) -> Result<Experiment, String> {
    Experiment::parse(text, Path::new("phase.toml"), Profile::Standard).map_err(|e| e.to_string())
}

fn grid_text() -> String {
    let values: Vec<String> = GRID.iter().map(|v| format!("{v:e}")).collect();
    format!("t_min = {{ grid = [{}] }}", values.join(", "))
}

#[test]
fn a_t0_grid_makes_one_sampler_per_value_and_an_axis() {
    let experiment = parse(&config(&grid_text(), "")).unwrap();
    assert_eq!(experiment.samplers.len(), GRID.len());
    let axis = experiment.axis.as_ref().expect("an axis");
    assert_eq!(axis.owner, AxisOwner::Sampler);
    assert_eq!(axis.field, "sampler[0].t_min");
    assert_eq!(axis.symbol, "t0");
    assert_eq!(axis.family, "sde(t0=*,steps=100,denoise)");
    for ((value, label), sampler) in axis.members.iter().zip(&experiment.samplers) {
        assert_eq!(label, &sampler.label);
        assert_eq!(sampler.config.t_min, *value);
    }
    assert_eq!(axis.value_of("sde(t0=0.001,steps=100,denoise)"), Some(1e-3));
    // The boundary is a metric of this experiment: a theory line may name it.
    assert!(
        experiment
            .metric_infos()
            .iter()
            .any(|i| i.name == BOUNDARY_METRIC)
    );
    assert!(
        !experiment
            .measured_infos()
            .iter()
            .any(|i| i.name == BOUNDARY_METRIC)
    );
}

#[test]
fn a_bad_grid_or_a_second_axis_is_refused_by_field() {
    let cases = [
        (
            config("t_min = { grid = [1e-3, 1e-4] }", ""),
            "sampler[0].t_min.grid[1]",
        ),
        (
            config("t_min = { grid = [1e-3] }", ""),
            "sampler[0].t_min.grid",
        ),
        (
            config("t_min = { grid = [1e-3, 20.0] }", ""),
            "sampler[0].t_min.grid[1]",
        ),
        (
            config(
                &grid_text(),
                "[[score]]\nkind = \"hybrid\"\ndegree = 2\nswitch_time = { grid = [0.01, 0.1] }",
            ),
            "score[1].switch_time.grid",
        ),
        (
            config(
                "t_min = 1e-3",
                "[[score]]\nkind = \"hybrid\"\ndegree = { grid = [1, 2] }\nswitch_time = { grid = [0.01, 0.1] }",
            ),
            "score[1].switch_time",
        ),
    ];
    for (text, field) in cases {
        let err = parse(&text).unwrap_err();
        assert!(err.contains(&format!("field `{field}`")), "{field}: {err}");
    }
    // A value that is neither a number nor a grid is named by its line, with what is expected.
    for written in [
        "\"soon\"",
        "{ grid = [1e-3, 1e-2], by = 2 }",
        "{ grid = \"x\" }",
    ] {
        let err = parse(&config(&format!("t_min = {written}"), "")).unwrap_err();
        assert!(
            err.contains("line 11")
                && err.contains("expected a number, or `{ grid = [v1, v2, …] }`"),
            "{written}: {err}"
        );
    }
    // Boundaries of other experiments need maps to be drawn on, and name experiment/label.
    let err = parse(&config(&grid_text(), "[phase]\nbeside = [\"e12\"]")).unwrap_err();
    assert!(err.contains("field `phase.beside[0]`"), "{err}");
    assert!(
        parse(&config(
            &grid_text(),
            "[phase]\nbeside = [\"e12/empirical\"]"
        ))
        .is_ok()
    );
    let no_axis = config("t_min = 1e-3", "[phase]\nbeside = [\"e12/empirical\"]")
        .replace("metric = \"memorized_boundary\"", "metric = \"d1_median\"");
    let err = parse(&no_axis).unwrap_err();
    assert!(err.contains("field `phase.beside[0]`"), "{err}");
    // Without a grid the boundary is no metric of the experiment.
    let err = parse(&config("t_min = 1e-3", "")).unwrap_err();
    assert!(err.contains("theory[0].metric"), "{err}");
}

#[test]
fn a_score_grid_makes_one_score_per_value_with_a_family_label() {
    let text = config(
        "t_min = 1e-4",
        "[[score]]\nkind = \"hybrid\"\ndegree = 2\nswitch_time = { grid = [0.001, 0.01, 0.1] }",
    );
    let experiment = parse(&text).unwrap();
    let labels: Vec<&str> = experiment.scores.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "empirical",
            "hybrid(t1=0.001,m=2)",
            "hybrid(t1=0.01,m=2)",
            "hybrid(t1=0.1,m=2)"
        ]
    );
    let axis = experiment.axis.as_ref().unwrap();
    assert_eq!(axis.owner, AxisOwner::Score);
    assert_eq!(axis.family, "hybrid(t1=*,m=2)");
    assert_eq!(axis.symbol, "switch_time");
}

/// The memorized fraction of a planted boundary: a logistic step in ln t0 from 1 down to the
/// null, centred on t0* = c·N^slope·jitter (a seed's own factor).
fn planted_rows(experiment: &Experiment, slope: f64, jitter: &[f64]) -> Vec<Row> {
    let null = 1.0 / 3.0;
    let axis = experiment.axis.as_ref().unwrap();
    let mut rows = Vec::new();
    for &n in &N {
        for (seed, factor) in jitter.iter().enumerate() {
            let boundary = 0.5 * (n as f64).powf(slope) * factor;
            for (t0, label) in &axis.members {
                let step = 1.0 / (1.0 + ((t0 / boundary).ln() / 0.8).exp());
                let row = |metric: &str, value: f64| Row {
                    experiment: "phase".into(),
                    score: "empirical".into(),
                    score_kind: "empirical".into(),
                    sampler: label.clone(),
                    n_train: n,
                    seed,
                    metric: metric.into(),
                    value: Some(value),
                    ..Row::default()
                };
                rows.push(row("memorized_fraction", null + (1.0 - null) * step));
                rows.push(row("memorized_fraction_null", null));
            }
        }
    }
    rows
}

/// The memorized-fraction rows of a planted map, one per (N, seed, t0): where other metrics of
/// the same cells are planted.
fn memorized_rows(rows: &[Row]) -> Vec<Row> {
    rows.iter()
        .filter(|r| r.metric == "memorized_fraction")
        .cloned()
        .collect()
}

#[test]
fn the_boundary_of_a_planted_phase_map_is_found_and_fitted() {
    let experiment = parse(&config(&grid_text(), "")).unwrap();
    let jitter = [0.8, 1.0, 1.25, 1.1];
    for (planted, verdict) in [(-2.0, "consistent"), (-1.5, "shallower")] {
        let rows = planted_rows(&experiment, planted, &jitter);
        let boundary = boundary_rows(&experiment, &rows);
        assert_eq!(boundary.len(), N.len() * jitter.len());
        for row in &boundary {
            assert_eq!(row.metric, BOUNDARY_METRIC);
            assert_eq!(row.sampler, "sde(t0=*,steps=100,denoise)");
            // The halfway level of a symmetric step is its centre: recovered to within the
            // interpolation error of a decade grid (a logistic of width 0.8 in ln t0).
            let truth = 0.5 * (row.n_train as f64).powf(planted) * jitter[row.seed];
            let found = row.value.expect("on the grid");
            assert!((found / truth).ln().abs() < 0.25, "{found} vs {truth}");
        }
        let slopes = fit_experiment(&experiment, &[rows, boundary].concat()).unwrap();
        let fit = slopes
            .iter()
            .find(|s| s.metric == BOUNDARY_METRIC)
            .expect("a boundary slope");
        let slope = fit.slope.unwrap();
        assert!((slope - planted).abs() < 0.05, "{slope} vs {planted}");
        assert_eq!(fit.verdict, verdict, "planted {planted}: {fit:?}");
    }
}

#[test]
fn boundaries_off_the_grid_have_no_value() {
    let experiment = parse(&config(&grid_text(), "")).unwrap();
    // t0* = 0.5 N^-4 is 5e-9 at N = 100 and falls below the grid's 1e-9 from N = 300 on.
    let rows = planted_rows(&experiment, -4.0, &[1.0]);
    let boundary = boundary_rows(&experiment, &rows);
    let missing: Vec<usize> = boundary
        .iter()
        .filter(|r| r.value.is_none())
        .map(|r| r.n_train)
        .collect();
    assert_eq!(missing, [300, 1000]);
}

#[test]
fn the_phase_map_is_drawn_with_its_labels_colour_bar_and_boundary() {
    let experiment = parse(&config(&grid_text(), "")).unwrap();
    let rows = planted_rows(&experiment, -2.0, &[0.8, 1.0, 1.25]);
    let maps = phase_maps(&experiment, &rows);
    assert_eq!(maps.len(), 1);
    let map = &maps[0];
    assert_eq!(map.means.len(), N.len() * GRID.len());
    // The mean over seeds of one cell: N = 10 at t0 = 1e-9 memorizes.
    assert!(map.means[&(0, 0)] > 0.99);
    let points = mangen_driver::phase::boundary_points(&experiment, &rows, "empirical");
    let overlay = mangen_driver::phase::Overlay {
        points: points.clone(),
        fit: None,
        theory: vec![("N^-2/k".into(), -2.0)],
        beside: vec![("other/empirical".into(), points)],
    };
    assert_eq!(overlay.points.len(), N.len());
    let svg = render_phase_map("phase", map, "t0", &overlay).unwrap();
    for text in [
        "training-set size N",
        "t0 (sde(t0=*,steps=100,denoise))",
        "memorized_fraction",
        "1e-8",
        "1000",
        "boundary: memorized fraction halfway to its null",
        "theory: N^-2/k",
        "boundary of other/empirical",
    ] {
        assert!(svg.contains(text), "no `{text}` in the map");
    }
}

/// The generalizing region of a planted map: samples are novel where t0 lies above the planted
/// boundary 0.5·N^-2 (a fraction 0.8·(1 − step)), capped at 0.41 at t0 = 1e-3 and 0.39 at 1e-2
/// (just on either side of the level) and 0.1 above, against a fresh-sample null of 0.8. The
/// region is the cells whose fraction reaches half the null: t0 from the boundary up to 1e-3,
/// none at N = 10 (boundary 5e-3). It is the same on every map of the label, and the summary's
/// table says it per N.
#[test]
fn the_generalizing_region_is_where_the_fraction_reaches_half_its_null() {
    let experiment = parse(&config(&grid_text(), "")).unwrap();
    let mut rows = planted_rows(&experiment, -2.0, &[1.0]);
    let axis = experiment.axis.as_ref().unwrap();
    for row in memorized_rows(&rows) {
        let t0 = axis.value_of(&row.sampler).unwrap();
        let boundary = 0.5 * (row.n_train as f64).powi(-2);
        let step = 1.0 / (1.0 + ((t0 / boundary).ln() / 0.8).exp());
        // Just inside the region's level at 1e-3, just outside it at 1e-2, off M above.
        let cap = match t0 {
            t if t < 1e-3 => 1.0,
            t if t < 1e-2 => 0.41,
            t if t < 1e-1 => 0.39,
            _ => 0.1,
        };
        let fraction = f64::min(0.8 * (1.0 - step), cap);
        for (metric, value) in [
            ("generalizing_fraction", fraction),
            ("generalizing_fraction_null", 0.8),
        ] {
            rows.push(Row {
                metric: metric.into(),
                value: Some(value),
                ..row.clone()
            });
        }
    }
    let maps = phase_maps(&experiment, &rows);
    assert_eq!(maps.len(), 2, "memorized and generalizing fraction maps");
    let expected: std::collections::BTreeSet<(usize, usize)> = N
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| {
            let boundary = 0.5 * (n as f64).powi(-2);
            GRID.iter()
                .enumerate()
                .filter(move |&(_, &t0)| t0 >= boundary && t0 <= 1e-3)
                .map(move |(j, _)| (i, j))
        })
        .collect();
    assert_eq!(expected.len(), 1 + 2 + 3 + 4, "none at N = 10");
    for map in &maps {
        assert_eq!(map.region, expected, "{}", map.metric);
    }
    let table = region_table("t0", &maps[1]).expect("a table for the generalizing map");
    assert!(table.contains("| 10 | 0 of 9 | – | – |"), "{table}");
    assert!(table.contains("| 1000 | 4 of 9 | 1e-6 | 1e-3 |"), "{table}");
    assert!(
        region_table("t0", &maps[0]).is_none(),
        "one table per label"
    );
    let svg = render_phase_map("phase", &maps[0], "t0", &Default::default()).unwrap();
    assert!(
        svg.contains("generalizing region: generalizing fraction ≥ 0.5 × its fresh-sample null")
    );
    let without = phase_maps(&experiment, &planted_rows(&experiment, -2.0, &[1.0]));
    assert!(without[0].region.is_empty());
    let svg = render_phase_map("phase", &without[0], "t0", &Default::default()).unwrap();
    assert!(!svg.contains("generalizing region"));
}

/// The covering region of a planted map: generalizing from t0 = 1e-6 up at every N, and at
/// the axis index j, j mod 5 of the 4 seeds have r_c(2) at most the stated radius 0.3 (one of
/// them exactly at it); the others have none or 0.5. A cell covers μ when more than half of its
/// seeds do (3 or 4), and the covering region is its generalizing cells that cover. The fresh
/// nulls cover at N ≥ 100 only; the table says so per N.
#[test]
fn the_covering_region_is_the_generalizing_cells_whose_seeds_mostly_cover_mu() {
    let coverage = "[metrics.coverage]\nradii = [0.1, 0.3, 1.0]\ntube = 0.05\ncomparability = [2]";
    let experiment = parse(&config(
        &grid_text(),
        &format!("{coverage}\n[phase]\ncover = {{ radius = 0.3, factor = 2 }}"),
    ))
    .unwrap();
    let axis = experiment.axis.as_ref().unwrap();
    let mut rows = planted_rows(&experiment, -2.0, &[1.0; 4]);
    for row in memorized_rows(&rows) {
        let t0 = axis.value_of(&row.sampler).unwrap();
        let j = GRID.iter().position(|&g| g == t0).unwrap();
        let covering_seeds = j % 5;
        let r_c = match row.seed {
            s if s + 1 == covering_seeds => Some(0.3),
            s if s < covering_seeds => Some(0.2),
            s if s % 2 == 0 => None,
            _ => Some(0.5),
        };
        let null = (row.n_train >= 100).then_some(0.3);
        let generalizing = if t0 >= 1e-6 { 0.8 } else { 0.1 };
        for (metric, value) in [
            ("generalizing_fraction", Some(generalizing)),
            ("generalizing_fraction_null", Some(0.8)),
            ("comparability_radius_c2", r_c),
            ("comparability_radius_c2_null", null),
        ] {
            rows.push(Row {
                metric: metric.into(),
                value,
                ..row.clone()
            });
        }
    }
    let maps = phase_maps(&experiment, &rows);
    let expected: std::collections::BTreeSet<(usize, usize)> = (0..N.len())
        .flat_map(|i| (3..GRID.len()).filter(|j| j % 5 >= 3).map(move |j| (i, j)))
        .collect();
    for map in &maps {
        assert_eq!(map.region.len(), N.len() * 6, "{}", map.metric);
        assert_eq!(map.covering_region(), expected, "{}", map.metric);
    }
    let generalizing = maps
        .iter()
        .find(|m| m.metric == "generalizing_fraction")
        .unwrap();
    let table = region_table("t0", generalizing).unwrap();
    assert!(
        table.contains("covering μ at radius 0.3 (r_c(2) ≤ 0.3"),
        "{table}"
    );
    assert!(
        table.contains("| 10 | 6 of 9 | 1e-6 | 1e-1 | 3 of 9 | 1e-6 | 1e-1 | 0.00 |"),
        "{table}"
    );
    assert!(
        table.contains("| 1000 | 6 of 9 | 1e-6 | 1e-1 | 3 of 9 | 1e-6 | 1e-1 | 1.00 |"),
        "{table}"
    );
    let svg = render_phase_map("phase", generalizing, "t0", &Default::default()).unwrap();
    assert!(svg.contains("covering μ at radius 0.3: r_c(2) ≤ 0.3 in most seeds"));
    // The radius is checked, and the factor must be one the coverage metric measures.
    for (cover, field) in [
        ("{ radius = -0.3, factor = 2 }", "phase.cover.radius"),
        ("{ radius = 0.3, factor = 4 }", "phase.cover.factor"),
    ] {
        let text = config(
            &grid_text(),
            &format!("{coverage}\n[phase]\ncover = {cover}"),
        );
        let err = parse(&text).unwrap_err();
        assert!(err.contains(&format!("field `{field}`")), "{field}: {err}");
    }
    let err = parse(&config(
        &grid_text(),
        &format!("{coverage}\n[phase]\ncover = {{ radius = 0.3, factor = 2, by = 1 }}"),
    ))
    .unwrap_err();
    assert!(err.contains("unknown field `by`"), "{err}");
}
