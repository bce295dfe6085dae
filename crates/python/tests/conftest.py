"""Shared fixtures: the `mangen` binary the package is compared with, a small experiment config, and a runner of the command line."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]

CONFIG = """
description = "python: circle in R^3"
seed = 17
ambient_dim = 3

[manifold]
kind = "circle"

[density]
kind = "kink"
slope = 2.0

[sweep]
n_train = [20, 60]
seeds = 2
samples = 40

[[sampler]]
t_max = 5.0
t_min = 1e-4
steps = 30

[[score]]
kind = "empirical"

[[score]]
kind = "projection"
degree = 2

[metrics]
fidelity = true
novelty = true
generalizing = { tube = 0.05 }
wasserstein = { p = 1 }
w1_to_mu = { samples = true, atoms = true }
coverage = { radii = [0.1, 0.2, 0.4], tube = 0.1, centres = 50 }
"""


@pytest.fixture(scope="session")
def mangen_bin():
    """The release binary `cargo xtask python` names in MANGEN_BIN (or the workspace's)."""
    path = pathlib.Path(os.environ.get("MANGEN_BIN", ROOT / "target/release/mangen"))
    if not path.is_file():
        pytest.fail(f"no mangen binary at {path}: run the tests through `cargo xtask python`")
    return path


@pytest.fixture(scope="session")
def run(mangen_bin):
    """Runs `mangen <args>` and returns its standard output; fails the test on an error."""

    def call(*args):
        done = subprocess.run(
            [str(mangen_bin), *map(str, args)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return call


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "py_circle.toml"
    path.write_text(CONFIG)
    return path


def save(path, array):
    np.save(path, np.asarray(array, dtype=np.float64))
    return path
