"""The scores on arrays against `mangen score` on the same files, and the oracle against its closed form."""

import numpy as np
import pytest

import mangen
from conftest import save


@pytest.fixture
def inputs(tmp_path):
    law = mangen.Law({"kind": "sphere", "k": 2}, ambient_dim=3)
    train = law.sample(80, seed=5)
    queries = law.sample(30, seed=6) + 0.2 * np.random.default_rng(1).standard_normal((30, 3))
    return train, queries, save(tmp_path / "train.npy", train), save(tmp_path / "q.npy", queries)


def cli_score(run, tmp_path, train_file, query_file, *flags):
    out = tmp_path / "s.csv"
    run("score", "--train", train_file, "--query", query_file, "--out", out, *flags)
    return np.loadtxt(out, delimiter=",", skiprows=1)


@pytest.mark.parametrize("schedule", ["ve", "vp"])
def test_the_empirical_and_smoothed_scores_are_the_command_lines(inputs, run, tmp_path, schedule):
    train, queries, train_file, query_file = inputs
    exact = mangen.empirical_score(train, queries, 0.05, schedule=schedule)
    np.testing.assert_array_equal(
        exact, cli_score(run, tmp_path, train_file, query_file, "--t", 0.05, "--schedule", schedule)
    )
    smoothed = mangen.empirical_score(train, queries, 0.05, schedule=schedule, h=0.1)
    np.testing.assert_array_equal(
        smoothed,
        cli_score(run, tmp_path, train_file, query_file, "--t", 0.05, "--schedule", schedule,
                  "--kind", "smoothed", "--h", 0.1),
    )


def test_the_projection_score_is_the_command_lines(inputs, run, tmp_path):
    train, queries, train_file, query_file = inputs
    ours = mangen.projection_score(train, queries, 0.01, degree=2, intrinsic_dim=2)
    theirs = cli_score(run, tmp_path, train_file, query_file, "--t", 0.01, "--kind", "projection",
                       "--degree", 2, "--intrinsic-dim", 2)
    np.testing.assert_array_equal(ours, theirs)


def test_the_oracle_score_points_to_the_projection():
    # VE: the oracle's score at x is (pi(x) - x) / t; on the unit circle pi(x) = x / |x|.
    law = mangen.Law({"kind": "circle"}, ambient_dim=2)
    x = np.array([[2.0, 0.0], [0.3, -0.4], [-1.0, 1.0]])
    t = 0.02
    expected = (x / np.linalg.norm(x, axis=1)[:, None] - x) / t
    np.testing.assert_allclose(mangen.oracle_score(law, x, t), expected, rtol=1e-10)


def test_bad_times_and_flags_are_refused(inputs):
    train, queries, _, _ = inputs
    with pytest.raises(ValueError, match="^t: invalid diffusion time t = -1"):
        mangen.empirical_score(train, queries, -1.0)
    with pytest.raises(ValueError, match="^t: invalid diffusion time"):
        mangen.oracle_score(mangen.Law({"kind": "sphere", "k": 2}, ambient_dim=3), queries, 0.0)
    with pytest.raises(ValueError, match="schedule"):
        mangen.empirical_score(train, queries, 0.1, schedule="sub-vp")
    with pytest.raises(ValueError, match="x: 2 columns, expected 3"):
        mangen.empirical_score(train, queries[:, :2], 0.1)
    with pytest.raises(ValueError, match="train: row 0, column 0"):
        mangen.projection_score(np.full((5, 3), np.nan), queries, 0.1)
