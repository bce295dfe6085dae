"""The end-to-end example, tiny: an MLP denoiser trained with scikit-learn on a cell's training set, sampled, and evaluated through the package and through `mangen evaluate` with the same rows."""

import importlib.util
import pathlib

import numpy as np
import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "train_denoiser.py"


def load_example():
    spec = importlib.util.spec_from_file_location("train_denoiser", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_tiny_run_evaluates_the_same_both_ways(config, mangen_bin, capsys):
    example = load_example()
    status = example.main([
        str(config), "--n-train", "20", "--pairs", "2000", "--hidden", "16",
        "--iterations", "30", "--steps", "10", "--mangen", str(mangen_bin),
    ])
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "mangen evaluate gives the same" in printed and ": True" in printed
    assert "fidelity_mean" in printed and "novelty_index" in printed


def test_the_trained_denoiser_pulls_noisy_points_toward_the_circle(config):
    # A weak check that the training is real: at small t the denoiser lands nearer M than x_t.
    import mangen

    example = load_example()
    experiment = mangen.Experiment(config)
    train = experiment.training_set(60, 0)
    model = example.train_denoiser(train, 1e-3, 1.0, 4000, (32, 32), 200, seed=0)
    rng = np.random.default_rng(0)
    noisy = train + 0.1 * rng.standard_normal(train.shape)
    denoised = model.predict(np.column_stack([noisy, np.full(len(noisy), np.log(0.01))]))
    law = experiment.law
    assert np.median(law.distance(denoised)) < np.median(law.distance(noisy))
