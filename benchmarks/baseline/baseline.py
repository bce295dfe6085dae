#!/usr/bin/env python3
"""Dense NumPy/SciPy baseline of mangen's memorizer job, for `cargo xtask compare`.

Written the way the experiment is usually coded in Python: the empirical score of the training
set over every point (squared distances by BLAS as |x|^2 - 2 x.y + |y|^2, a log-sum-exp softmax
in float64, samples in chunks that keep the N-wide temporaries near 160 MB), the VE reverse
samplers of mangen (Euler-Maruyama on the SDE, Heun on the probability-flow ODE) on the same
geometric time grid with the same final denoising step, and exact W2 by
scipy.optimize.linear_sum_assignment on the squared-distance matrix.

Each command reads and writes CSV point files (one row per point, an optional header) and prints
one JSON line with its compute time in seconds (file reading and writing excluded; with
--repeat R, the median over R runs).

    python3 baseline.py score  --train T.csv --query Q.csv --t 0.01 --out S.csv [--repeat 5]
    python3 baseline.py sample --train T.csv --start X.csv --method ode --t-max 10 \
        --t-min 1e-4 --steps 100 --denoise --seed 1 --out Y.csv
    python3 baseline.py w2     --a A.csv --b B.csv [--repeat 5]

Set-up (pip-installable dependencies only): python3 -m pip install -r requirements.txt
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

CHUNK_ELEMENTS = 20_000_000


def load_points(path):
    with open(path) as f:
        first = f.readline().split(",")
    try:
        [float(v) for v in first]
        skip = 0
    except ValueError:
        skip = 1
    return np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2)


def save_points(path, points, header=None):
    if header is None:
        header = [f"x{j + 1}" for j in range(points.shape[1])]
    np.savetxt(path, points, delimiter=",", header=",".join(header), comments="", fmt="%.17g")


class EmpiricalScore:
    """s(x, t) = (D(x, t) - x) / t with D the softmax average of every training point (VE)."""

    def __init__(self, train):
        self.train = train
        self.train_sq = np.einsum("ij,ij->i", train, train)
        self.chunk = max(1, CHUNK_ELEMENTS // len(train))

    def denoise(self, x, t):
        out = np.empty_like(x)
        for start in range(0, len(x), self.chunk):
            block = x[start:start + self.chunk]
            d2 = (np.einsum("ij,ij->i", block, block)[:, None]
                  - 2.0 * block @ self.train.T + self.train_sq[None, :])
            logw = -d2 / (2.0 * t)
            logw -= logw.max(axis=1, keepdims=True)
            w = np.exp(logw)
            out[start:start + self.chunk] = (w @ self.train) / w.sum(axis=1, keepdims=True)
        return out

    def score(self, x, t):
        return (self.denoise(x, t) - x) / t


def time_grid(t_max, t_min, steps):
    j = np.arange(steps + 1)
    times = t_max * (t_min / t_max) ** (j / steps)
    times[0], times[-1] = t_max, t_min
    return times


def sample(score, start, method, t_max, t_min, steps, denoise, seed):
    rng = np.random.default_rng(seed)
    x = start.copy()
    times = time_grid(t_max, t_min, steps)
    for t, t_next in zip(times[:-1], times[1:]):
        h = t - t_next
        if method == "sde":
            x = x + h * score.score(x, t) + np.sqrt(h) * rng.standard_normal(x.shape)
        else:
            first = -0.5 * score.score(x, t)
            predictor = x - h * first
            second = -0.5 * score.score(predictor, t_next)
            x = x - 0.5 * h * (first + second)
    if denoise:
        x = score.denoise(x, t_min)
    return x


def w2(a, b):
    cost = cdist(a, b, "sqeuclidean")
    rows, cols = linear_sum_assignment(cost)
    return float(np.sqrt(cost[rows, cols].mean()))


def timed(job, repeat):
    """The job's result and the median of its compute times over `repeat` runs."""
    seconds = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = job()
        seconds.append(time.perf_counter() - began)
    return result, statistics.median(seconds)


def report(**fields):
    print(json.dumps(fields))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    score_args = commands.add_parser("score", help="the score at query points and one time")
    score_args.add_argument("--train", required=True)
    score_args.add_argument("--query", required=True)
    score_args.add_argument("--t", type=float, required=True)
    score_args.add_argument("--out", required=True)
    score_args.add_argument("--repeat", type=int, default=1, help="runs timed (the median is reported)")
    sample_args = commands.add_parser("sample", help="the reverse sampler from start points")
    sample_args.add_argument("--train", required=True)
    sample_args.add_argument("--start", required=True)
    sample_args.add_argument("--method", choices=["sde", "ode"], default="ode")
    sample_args.add_argument("--t-max", type=float, required=True)
    sample_args.add_argument("--t-min", type=float, required=True)
    sample_args.add_argument("--steps", type=int, required=True)
    sample_args.add_argument("--denoise", action="store_true")
    sample_args.add_argument("--seed", type=int, default=0)
    sample_args.add_argument("--out", required=True)
    w2_args = commands.add_parser("w2", help="exact W2 between two equal-size point sets")
    w2_args.add_argument("--a", required=True)
    w2_args.add_argument("--b", required=True)
    w2_args.add_argument("--repeat", type=int, default=1, help="runs timed (the median is reported)")
    args = parser.parse_args()
    if getattr(args, "repeat", 1) < 1:
        parser.error(f"--repeat must be at least 1, not {args.repeat}")

    if args.command == "score":
        train, query = load_points(args.train), load_points(args.query)
        values, seconds = timed(lambda: EmpiricalScore(train).score(query, args.t), args.repeat)
        save_points(args.out, values)
        report(job="score", seconds=seconds, queries=len(query))
    elif args.command == "sample":
        train, start = load_points(args.train), load_points(args.start)
        began = time.perf_counter()
        samples = sample(EmpiricalScore(train), start, args.method, args.t_max, args.t_min,
                         args.steps, args.denoise, args.seed)
        seconds = time.perf_counter() - began
        save_points(args.out, samples)
        report(job="sample", seconds=seconds, samples=len(samples))
    else:
        a, b = load_points(args.a), load_points(args.b)
        if a.shape != b.shape:
            sys.exit(f"w2: {args.a} is {a.shape} and {args.b} is {b.shape}: equal sizes needed")
        value, seconds = timed(lambda: w2(a, b), args.repeat)
        report(job="w2", seconds=seconds, value=value)


if __name__ == "__main__":
    main()
