"""mangen.Law against the command line and closed forms, and its refusals of bad input."""

import numpy as np
import pytest

import mangen
from conftest import save


def test_sampling_is_reproducible_and_on_the_manifold():
    law = mangen.Law({"kind": "sphere", "k": 2}, ambient_dim=5, density={"kind": "kink", "slope": 2.0})
    a, b = law.sample(200, seed=3), law.sample(200, seed=3)
    assert a.shape == (200, 5) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, law.sample(200, seed=4))
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-12)
    assert law.intrinsic_dim == 2 and law.ambient_dim == 5
    assert "kink" in law.name and "sphere" in law.manifold


def test_projection_and_distance_match_the_closed_form_of_the_circle():
    law = mangen.Law({"kind": "circle", "radius": 2.0}, ambient_dim=3)
    x = np.array([[3.0, 0.0, 0.0], [0.0, 1.0, 0.5], [1.0, 1.0, -2.0]])
    planar = np.linalg.norm(x[:, :2], axis=1)
    expected = np.sqrt((planar - 2.0) ** 2 + x[:, 2] ** 2)
    np.testing.assert_allclose(law.distance(x), expected, rtol=1e-12)
    projected = law.project(x)
    np.testing.assert_allclose(projected[:, :2], 2.0 * x[:, :2] / planar[:, None], rtol=1e-12)
    np.testing.assert_allclose(projected[:, 2], 0.0, atol=1e-15)


def test_the_uniform_density_is_one_over_the_volume():
    law = mangen.Law({"kind": "sphere", "k": 2}, ambient_dim=3)
    np.testing.assert_allclose(law.density(law.sample(10)), 1.0 / (4.0 * np.pi), rtol=1e-12)


def test_distances_agree_with_the_command_line(tmp_path, run):
    law = mangen.Law({"kind": "sphere", "k": 2}, ambient_dim=4)
    points = law.sample(50, seed=1) + 0.1 * np.random.default_rng(0).standard_normal((50, 4))
    out = tmp_path / "d.csv"
    run(
        "metric", "fidelity", "--samples", save(tmp_path / "p.npy", points),
        "--manifold", 'kind = "sphere", k = 2', "--ambient-dim", 4, "--out", out,
    )
    from_cli = np.loadtxt(out, delimiter=",", skiprows=1)
    np.testing.assert_array_equal(law.distance(points), from_cli)


def test_array_likes_of_other_dtypes_are_converted():
    law = mangen.Law({"kind": "circle"}, ambient_dim=2)
    as_floats = law.distance(np.array([[2.0, 0.0], [0.0, 3.0]]))
    np.testing.assert_array_equal(law.distance([[2, 0], [0, 3]]), as_floats)
    np.testing.assert_array_equal(law.distance(np.array([[2, 0], [0, 3]], dtype=np.int32)), as_floats)
    np.testing.assert_array_equal(law.distance(np.asfortranarray([[2.0, 0.0], [0.0, 3.0]])), as_floats)


@pytest.mark.parametrize(
    "points, message",
    [
        (np.zeros((0, 2)), "x: no points"),
        (np.zeros((3, 3)), "x: 3 columns, expected 2"),
        (np.array([[1.0, np.nan]]), "x: row 0, column 1: NaN is not finite"),
        (np.array([[1.0, np.inf]]), "not finite"),
    ],
)
def test_bad_points_are_refused_with_the_argument_named(points, message):
    law = mangen.Law({"kind": "circle"}, ambient_dim=2)
    with pytest.raises(ValueError, match=message):
        law.distance(points)


def test_a_one_dimensional_array_is_refused():
    law = mangen.Law({"kind": "circle"}, ambient_dim=2)
    with pytest.raises(TypeError):
        law.distance(np.zeros(2))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(manifold={"kind": "klein"}, ambient_dim=3), "manifold: unknown variant `klein`"),
        (dict(manifold={"kind": "sphere", "k": 2}, ambient_dim=2), "manifold"),
        (dict(manifold={"kind": "circle"}, ambient_dim=0), "ambient_dim"),
        (dict(manifold={"kind": "circle"}, ambient_dim=3, density={"kind": "kink", "slope": -9.0}), "density"),
        (dict(manifold={"kind": "circle"}, ambient_dim=3, embedding="diagonal"), "embedding"),
        (dict(manifold={"kind": "circle", "radius": {"a": 1}}, ambient_dim=3), "manifold.radius"),
    ],
)
def test_bad_laws_are_refused_with_the_field_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mangen.Law(**kwargs)


def test_arrays_that_are_not_numbers_are_refused():
    law = mangen.Law({"kind": "circle"}, ambient_dim=2)
    with pytest.raises(ValueError):
        law.distance(np.array([["a", "b"]]))


def test_every_name_has_its_documentation():
    for name in mangen.__all__:
        if name == "__version__":
            continue
        assert getattr(mangen, name).__doc__, name
    assert mangen.__version__.count(".") == 2
