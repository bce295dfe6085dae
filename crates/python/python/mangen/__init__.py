"""mangen: measures, on synthetic manifold data, how diffusion models generalize before they memorize.

Laws on manifolds (``Law``), the built-in scores on arrays, the metrics with their nulls, log-log
slope fits, and the cells of an experiment's sweep (``Experiment``): export a cell's training
set, train any model on it, and evaluate its samples with the cell's full panel of metrics.

    >>> import mangen
    >>> law = mangen.Law({"kind": "circle"}, ambient_dim=3)
    >>> law.sample(4).shape
    (4, 3)
"""

from ._mangen import (
    Experiment,
    Law,
    __version__,
    coverage,
    empirical_score,
    fidelity,
    fit_slope,
    nearest_distances,
    novelty,
    oracle_score,
    projection_score,
    wasserstein,
)

__all__ = [
    "Experiment",
    "Law",
    "__version__",
    "coverage",
    "empirical_score",
    "fidelity",
    "fit_slope",
    "nearest_distances",
    "novelty",
    "oracle_score",
    "projection_score",
    "wasserstein",
]
