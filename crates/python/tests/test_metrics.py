"""The metrics on arrays against `mangen metric …` on the same files, the novelty figures against the sweep's rows, and slopes against exact power laws."""

import numpy as np
import pytest

import mangen
from conftest import save


def test_fidelity_is_the_command_lines(tmp_path, run):
    law = mangen.Law({"kind": "circle"}, ambient_dim=3)
    points = law.sample(40, seed=2) + 0.05 * np.random.default_rng(3).standard_normal((40, 3))
    ours = mangen.fidelity(law, points)
    text = run("metric", "fidelity", "--samples", save(tmp_path / "p.npy", points),
               "--manifold", 'kind = "circle"', "--ambient-dim", 3)
    theirs = dict(line.split(",") for line in text.strip().splitlines()[1:])
    for key in ["mean", "median", "q95", "max"]:
        assert ours[key] == float(theirs[key]), key
    np.testing.assert_array_equal(ours["distances"], law.distance(points))


def test_nearest_distances_are_the_command_lines(tmp_path, run):
    rng = np.random.default_rng(4)
    train, query = rng.standard_normal((60, 4)), rng.standard_normal((25, 4))
    d1, d2 = mangen.nearest_distances(train, query)
    text = run("metric", "nn", "--train", save(tmp_path / "t.npy", train),
               "--query", save(tmp_path / "q.npy", query))
    theirs = np.loadtxt(text.splitlines(), delimiter=",", skiprows=1)
    np.testing.assert_array_equal(np.column_stack([d1, d2]), theirs)
    brute = np.sort(np.linalg.norm(query[:, None, :] - train[None, :, :], axis=2), axis=1)
    np.testing.assert_allclose(d1, brute[:, 0], rtol=1e-12)
    np.testing.assert_allclose(d2, brute[:, 1], rtol=1e-12)


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_wasserstein_is_the_command_lines(tmp_path, run, p):
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((30, 2)), rng.standard_normal((30, 2))
    ours = mangen.wasserstein(a, b, p=p)
    theirs = float(run("metric", "wasserstein", "--a", save(tmp_path / "a.npy", a),
                       "--b", save(tmp_path / "b.npy", b), "--p", p))
    assert ours == theirs
    assert mangen.wasserstein(a, a, p=p) == 0.0
    with pytest.raises(ValueError, match="equal sizes"):
        mangen.wasserstein(a, b[:10])


def test_coverage_is_the_command_lines(tmp_path, run):
    law = mangen.Law({"kind": "sphere", "k": 2}, ambient_dim=3)
    samples = law.sample(300, seed=8)
    centres = law.sample(100, seed=9)
    ours = mangen.coverage(law, samples, centres, [0.2, 0.4], tube=0.05)
    text = run("metric", "coverage", "--samples", save(tmp_path / "s.npy", samples),
               "--manifold", 'kind = "sphere", k = 2', "--ambient-dim", 3,
               "--radius", "0.2,0.4", "--tube", 0.05, "--centres", 100, "--seed", 9)
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    for column, name in [(0, "radius"), (2, "min"), (3, "q05"), (4, "median"), (5, "max"), (6, "covered_fraction")]:
        np.testing.assert_array_equal(ours[name], [float(row[column]) for row in rows], err_msg=name)


def test_novelty_is_the_sweeps(config):
    experiment = mangen.Experiment(config)
    law = experiment.law
    train, fresh = experiment.training_set(60, 1), experiment.fresh(60, 1)
    samples = experiment.sample(60, 1, score="empirical")
    ours = mangen.novelty(law, train, samples, fresh, tube=0.05)
    rows = experiment.evaluate(60, 1, samples)
    swept = dict(zip(rows["metric"], rows["value"]))
    for name in ["memorized_fraction", "memorized_fraction_null", "novelty_index", "d1_median",
                 "d1_median_null", "generalizing_fraction", "generalizing_fraction_null"]:
        assert ours[name] == swept[name], name
    # Fresh samples of mu are novel: index near 1, few copies.
    null = mangen.novelty(law, train, fresh, fresh)
    assert null["novelty_index"] == 1.0


def test_a_slope_of_an_exact_power_law_is_exact():
    n = np.repeat([10.0, 100.0, 1000.0, 10000.0], 3)
    values = 2.0 * n ** -0.5 * np.tile([1.0, 1.1, 0.9], 4)
    fit = mangen.fit_slope(n, values)
    assert fit["slope"] == pytest.approx(-0.5, abs=1e-12)
    assert fit["ci_low"] <= -0.5 <= fit["ci_high"]
    assert fit["ci_method"] == "bootstrap-seeds"
    with pytest.raises(ValueError, match="n has 12 entries and values 11"):
        mangen.fit_slope(n, values[:-1])
    with pytest.raises(ValueError, match="values\\[0\\]: NaN is not finite"):
        mangen.fit_slope(n, np.where(np.arange(12) == 0, np.nan, values))
