"""A denoiser trained outside mangen, put through a sweep cell two ways.

scikit-learn's MLPRegressor learns x_0 from (x_t, log t) on the training set of one cell of an
experiment (variance-exploding noise, x_t = x_0 + sqrt(t) z, t log-uniform on the sampler's
[t_min, t_max]). Its score (D(x, t) - x) / t drives an Euler-Maruyama reverse SDE on the
sampler's geometric time grid, from the forward marginal at t_max. The samples are then evaluated
with every metric of the cell through the Python package and, when a `mangen` binary is given,
through `mangen evaluate`; the two sets of rows must agree.

    python train_denoiser.py data/experiments/e4_fidelity_novelty_circle.toml --n-train 300
"""

import argparse
import csv
import math
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.neural_network import MLPRegressor

import mangen


def train_denoiser(train, t_min, t_max, pairs, hidden, iterations, seed):
    """An MLP from (x_t, log t) to x_0, fitted on `pairs` noised copies of the training points."""
    rng = np.random.default_rng(seed)
    x0 = train[rng.integers(len(train), size=pairs)]
    t = np.exp(rng.uniform(math.log(t_min), math.log(t_max), size=pairs))
    xt = x0 + np.sqrt(t)[:, None] * rng.standard_normal(x0.shape)
    model = MLPRegressor(hidden_layer_sizes=hidden, max_iter=iterations, random_state=seed)
    model.fit(np.column_stack([xt, np.log(t)]), x0)
    return model


def sample(model, train, count, t_min, t_max, steps, seed):
    """Euler-Maruyama on the reverse VE SDE, dx = -score dt + dW backwards in t, with the
    model's score (D(x, t) - x) / t, from N(mean, (variance + t_max) I) of the training set."""
    rng = np.random.default_rng(seed + 1)
    mean, variance = train.mean(axis=0), train.var(axis=0).mean()
    x = mean + math.sqrt(variance + t_max) * rng.standard_normal((count, train.shape[1]))
    times = np.geomspace(t_max, t_min, steps + 1)
    for t, t_next in zip(times[:-1], times[1:]):
        features = np.column_stack([x, np.full(count, math.log(t))])
        score = (model.predict(features) - x) / t
        dt = t - t_next
        x = x + dt * score + math.sqrt(dt) * rng.standard_normal(x.shape)
    features = np.column_stack([x, np.full(count, math.log(t_min))])
    return model.predict(features)


def evaluate_with_binary(binary, config, n_train, seed, samples, label):
    """The rows of `mangen evaluate` for the samples, as a dict of columns."""
    with tempfile.TemporaryDirectory() as folder:
        samples_file = pathlib.Path(folder) / "samples.npy"
        rows_file = pathlib.Path(folder) / "rows.csv"
        np.save(samples_file, samples)
        subprocess.run(
            [str(binary), "evaluate", "--experiment", str(config), "--n-train", str(n_train),
             "--seed", str(seed), "--samples", str(samples_file), "--label", label,
             "--out", str(rows_file)],
            check=True,
        )
        with open(rows_file, newline="") as handle:
            return list(csv.DictReader(handle))


def same_rows(columns, rows):
    """Whether the package's columns and the binary's CSV rows hold the same values."""
    if len(columns["metric"]) != len(rows):
        return False
    for i, row in enumerate(rows):
        for name, text in row.items():
            ours = columns[name][i]
            if name in ("epoch", "scale", "value"):
                if not ((math.isnan(ours) and text == "") or ours == float(text)):
                    return False
            elif str(ours) != text:
                return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=pathlib.Path)
    parser.add_argument("--n-train", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--hidden", type=int, nargs="+", default=[64, 64])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--steps", type=int, default=None, help="the sampler's steps (the config's first sampler's when absent)")
    parser.add_argument("--mangen", type=pathlib.Path, default=None, help="a mangen binary to evaluate with as well")
    parser.add_argument("--label", default="mlp")
    args = parser.parse_args(argv)

    experiment = mangen.Experiment(args.config)
    sampler = experiment.samplers[0]
    train = experiment.training_set(args.n_train, args.seed)
    model = train_denoiser(train, sampler["t_min"], sampler["t_max"], args.pairs,
                           tuple(args.hidden), args.iterations, args.seed)
    steps = args.steps or sampler["steps"]
    samples = sample(model, train, experiment.samples, sampler["t_min"], sampler["t_max"], steps, args.seed)
    columns = experiment.evaluate(args.n_train, args.seed, samples, label=args.label)
    for metric, scale, value in zip(columns["metric"], columns["scale"], columns["value"]):
        shown = "" if math.isnan(scale) else f" (r = {scale:g})"
        print(f"{metric}{shown}: {value:.6g}")
    if args.mangen is not None:
        rows = evaluate_with_binary(args.mangen, args.config, args.n_train, args.seed, samples, args.label)
        agree = same_rows(columns, rows)
        print(f"mangen evaluate gives the same {len(rows)} rows: {agree}")
        if not agree:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
