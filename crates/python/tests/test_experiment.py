"""mangen.Experiment against `mangen data`, `mangen sample` and `mangen evaluate` on the same cells, and its refusals of bad input."""

import csv
import math

import numpy as np
import pytest

import mangen
from conftest import save


def cell_flags(config, n, seed):
    return ["--experiment", config, "--n-train", n, "--seed", seed]


@pytest.mark.parametrize("what", ["training", "fresh", "centres"])
def test_the_cell_arrays_are_mangen_datas(config, run, tmp_path, what):
    experiment = mangen.Experiment(config)
    out = tmp_path / f"{what}.npy"
    run("data", *cell_flags(config, 60, 1), "--what", what, "--out", out)
    method = {"training": experiment.training_set, "fresh": experiment.fresh, "centres": experiment.centres}[what]
    np.testing.assert_array_equal(method(60, 1), np.load(out))


def test_the_samples_are_mangen_samples(config, run, tmp_path):
    experiment = mangen.Experiment(config)
    out = tmp_path / "s.npy"
    run("sample", *cell_flags(config, 20, 0), "--score", "projection(m=2)", "--out", out)
    np.testing.assert_array_equal(experiment.sample(20, 0, score="projection(m=2)"), np.load(out))
    assert experiment.scores == ["empirical", "projection(m=2)"]
    assert (experiment.n_train, experiment.seeds, experiment.samples) == ([20, 60], 2, 40)


def test_evaluate_gives_mangen_evaluates_rows(config, run, tmp_path):
    experiment = mangen.Experiment(config)
    samples = experiment.sample(60, 1)
    columns = experiment.evaluate(60, 1, samples, label="mine")
    out = tmp_path / "rows.csv"
    run("evaluate", *cell_flags(config, 60, 1), "--samples", save(tmp_path / "s.npy", samples),
        "--label", "mine", "--out", out)
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(columns) == list(rows[0])
    assert len(columns["metric"]) == len(rows)
    for i, row in enumerate(rows):
        for name, value in row.items():
            ours = columns[name][i]
            if name in ("epoch", "scale", "value"):
                assert (math.isnan(ours) and value == "") or ours == float(value), (name, i)
            else:
                assert str(ours) == value, (name, i)
    assert set(columns["score_kind"]) == {"external"}


def test_columns_make_a_data_frame_shape(config):
    experiment = mangen.Experiment(config)
    columns = experiment.evaluate(20, 0, experiment.sample(20, 0))
    lengths = {name: len(values) for name, values in columns.items()}
    assert len(set(lengths.values())) == 1, lengths


def test_bad_experiments_and_cells_are_refused(config, tmp_path):
    with pytest.raises(ValueError, match="cannot read the experiment file"):
        mangen.Experiment(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text(config.read_text().replace('kind = "circle"', 'kind = "klein"'))
    with pytest.raises(ValueError, match="broken.toml"):
        mangen.Experiment(broken)
    with pytest.raises(ValueError, match="profile"):
        mangen.Experiment(config, profile="huge")
    experiment = mangen.Experiment(config)
    with pytest.raises(ValueError, match="n: must be ≥ 2"):
        experiment.training_set(1, 0)
    with pytest.raises(ValueError, match="samples: 2 columns, expected 3"):
        experiment.evaluate(20, 0, np.zeros((5, 2)))
    with pytest.raises(ValueError, match="samples: row 1, column 0: NaN"):
        experiment.evaluate(20, 0, np.array([[1.0, 0.0, 0.0], [np.nan, 0.0, 0.0]]))
    with pytest.raises(ValueError, match="score: no score `smoothed`"):
        experiment.sample(20, 0, score="smoothed")
