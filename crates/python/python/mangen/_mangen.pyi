"""Type stubs of mangen's compiled module (re-exported by ``mangen``)."""

from os import PathLike
from typing import Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

ArrayLike2 = npt.ArrayLike
"""A 2-D array-like of points, one row each; converted to float64."""

__version__: str

class Law:
    """A data law mu on a manifold M embedded in R^D.

    ``manifold`` and ``density`` are the ``[manifold]`` and ``[density]`` tables of an experiment
    config as dicts, e.g. ``{"kind": "sphere", "k": 2}`` and ``{"kind": "kink", "slope": 2.0}``;
    ``embedding`` is "standard" (the first axes) or "random" (a Haar isometry drawn from ``seed``).
    """

    def __init__(
        self,
        manifold: dict,
        ambient_dim: int,
        density: Optional[dict] = None,
        embedding: str = "standard",
        seed: int = 0,
    ) -> None: ...
    @property
    def name(self) -> str:
        """The law's name, as in the density column of runs.csv."""
    @property
    def manifold(self) -> str:
        """The manifold's name, as in the manifold column of runs.csv."""
    @property
    def intrinsic_dim(self) -> int:
        """The intrinsic dimension k of M."""
    @property
    def ambient_dim(self) -> int:
        """The ambient dimension D."""
    def sample(self, n: int, seed: int = 0) -> npt.NDArray[np.float64]:
        """n independent draws of mu, an (n, D) array, from the stream of ``seed``."""
    def project(self, x: ArrayLike2) -> npt.NDArray[np.float64]:
        """pi(x): the nearest point of M to each row of x."""
    def distance(self, x: ArrayLike2) -> npt.NDArray[np.float64]:
        """d(x, M) for each row of x."""
    def density(self, x: ArrayLike2) -> npt.NDArray[np.float64]:
        """The density of mu with respect to the volume of M, at pi(x) for each row of x."""

class Experiment:
    """An experiment config, checked as the sweep checks it, under a profile ("quick",
    "standard" or "large"): the cells (n, seed) of its sweep."""

    def __init__(self, path: Union[str, PathLike], profile: str = "standard") -> None: ...
    @property
    def name(self) -> str:
        """The experiment's name (its file stem)."""
    @property
    def law(self) -> Law:
        """The data law mu on M."""
    @property
    def n_train(self) -> list[int]:
        """The N grid of the profile's sweep."""
    @property
    def seeds(self) -> int:
        """Repetitions per N."""
    @property
    def samples(self) -> int:
        """Generated samples per cell."""
    @property
    def scores(self) -> list[str]:
        """The labels of the experiment's scores."""
    @property
    def samplers(self) -> list[dict]:
        """The samplers: label, method ("sde" or "ode"), t_max, t_min, steps, denoise."""
    def training_set(self, n: int, seed: int) -> npt.NDArray[np.float64]:
        """The training set of the cell (n, seed): n points of mu, an (n, D) array."""
    def fresh(self, n: int, seed: int) -> npt.NDArray[np.float64]:
        """The fresh sample of mu beside the generated samples of the cell."""
    def centres(self, n: int, seed: int) -> npt.NDArray[np.float64]:
        """The coverage metric's ball centres in the cell."""
    def sample(
        self,
        n: int,
        seed: int,
        score: Optional[str] = None,
        sampler: int = 0,
        count: Optional[int] = None,
    ) -> npt.NDArray[np.float64]:
        """The samples of a built-in score in the cell, exactly as the sweep draws them."""
    def evaluate(
        self, n: int, seed: int, samples: ArrayLike2, label: str = "external"
    ) -> dict:
        """Every metric the config names for the cell, with the same nulls, over ``samples`` of
        any model: the rows ``mangen evaluate`` writes, as a dict of columns of runs.csv
        (``pandas.DataFrame(columns)``); empty epochs, scales and values are NaN."""

def empirical_score(
    train: ArrayLike2,
    x: ArrayLike2,
    t: float,
    schedule: str = "ve",
    eps: Optional[float] = None,
    h: Optional[float] = None,
) -> npt.NDArray[np.float64]:
    """The empirical score of the training set at time t at each row of x (with ``h``: the
    smoothed empirical score)."""

def projection_score(
    train: ArrayLike2,
    x: ArrayLike2,
    t: float,
    degree: int = 2,
    intrinsic_dim: Optional[int] = None,
    schedule: str = "ve",
) -> npt.NDArray[np.float64]:
    """The projection score of a local-polynomial estimate of the projection onto M."""

def oracle_score(law: Law, x: ArrayLike2, t: float, schedule: str = "ve") -> npt.NDArray[np.float64]:
    """The oracle projection score of the law's manifold (exact projection, density ignored)."""

def fidelity(law: Law, samples: ArrayLike2) -> dict:
    """d(x, M) of each sample ("distances") with their mean, median, q95 and max."""

def nearest_distances(
    train: ArrayLike2, query: ArrayLike2
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """d1, d2: the distances from each query to its nearest and second-nearest training point."""

def novelty(
    law: Law, train: ArrayLike2, samples: ArrayLike2, fresh: ArrayLike2, tube: float = 0.05
) -> dict:
    """Memorized fraction, novelty index, d1 medians and generalizing fraction, each with the
    null of the fresh sample of mu."""

def wasserstein(a: ArrayLike2, b: ArrayLike2, p: float = 1.0) -> float:
    """Exact W_p between two point sets of equal size (optimal assignment)."""

def coverage(
    law: Law,
    samples: ArrayLike2,
    centres: ArrayLike2,
    radii: Sequence[float],
    tube: float,
) -> dict:
    """Coverage ratios over balls of mu per radius: radius, min, q05, median, max, covered_fraction."""

def fit_slope(
    n: Sequence[float], values: Sequence[float], level: float = 0.9, seed: int = 0
) -> dict:
    """The log-log slope of values against N with its bootstrap interval (one entry per cell)."""
