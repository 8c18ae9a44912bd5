"""Unit tests of vinotes.model: the running example, its sampling and its log joint."""

from __future__ import annotations

import math

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from matplotlib.patches import Ellipse, FancyArrow, Rectangle
from scipy import stats

from vinotes.model import (
    RUNNING_MODEL,
    RUNNING_NUM_OBSERVATIONS,
    NormalModel,
    draw_dgm,
    log_normal_density,
    running_example,
)

MODEL = NormalModel(prior_mean=0.5, prior_std=1.5, noise_std=2.0)
DATA = tf.constant([0.3, -1.2, 2.5, 1.0], dtype=tf.float32)


def reference_log_joint(mu: float, data: np.ndarray, model: NormalModel) -> float:
    """The log joint computed independently with SciPy, in float64."""
    prior = stats.norm(model.prior_mean, model.prior_std).logpdf(mu)
    likelihood = stats.norm(mu, model.noise_std).logpdf(data).sum()
    return float(prior + likelihood)


class TestNormalModel:
    def test_stores_parameters_as_floats(self):
        model = NormalModel(prior_mean=1, prior_std=np.float32(2.0), noise_std=3)
        assert (model.prior_mean, model.prior_std, model.noise_std) == (1.0, 2.0, 3.0)
        assert all(type(v) is float for v in (model.prior_mean, model.prior_std, model.noise_std))

    def test_is_immutable(self):
        with pytest.raises(AttributeError):
            MODEL.prior_std = 3.0  # type: ignore[misc]

    def test_is_a_value(self):
        assert NormalModel(0.5, 1.5, 2.0) == MODEL
        assert hash(NormalModel(0.5, 1.5, 2.0)) == hash(MODEL)

    @pytest.mark.parametrize(
        ("kwargs", "name", "error"),
        [
            ({"prior_std": 0.0}, "prior_std", ValueError),
            ({"prior_std": -1.0}, "prior_std", ValueError),
            ({"noise_std": 0.0}, "noise_std", ValueError),
            ({"noise_std": -2.0}, "noise_std", ValueError),
            ({"noise_std": math.inf}, "noise_std", ValueError),
            ({"prior_mean": math.nan}, "prior_mean", ValueError),
            ({"prior_mean": math.inf}, "prior_mean", ValueError),
            ({"prior_std": math.nan}, "prior_std", ValueError),
            ({"prior_mean": "0"}, "prior_mean", TypeError),
            ({"prior_std": None}, "prior_std", TypeError),
            ({"noise_std": True}, "noise_std", TypeError),
        ],
    )
    def test_rejects_invalid_parameters(self, kwargs, name, error):
        arguments = {"prior_mean": 0.0, "prior_std": 1.0, "noise_std": 1.0} | kwargs
        with pytest.raises(error, match=name):
            NormalModel(**arguments)


class TestLogJoint:
    @pytest.mark.parametrize("mu", [-3.0, 0.0, 0.5, 1.7, 10.0])
    def test_matches_scipy(self, mu):
        expected = reference_log_joint(mu, DATA.numpy(), MODEL)
        assert float(MODEL.log_joint(mu, DATA)) == pytest.approx(expected, rel=1e-6)

    def test_matches_joint_distribution_log_prob(self):
        mu = tf.linspace(-4.0, 4.0, 17)
        expected = MODEL.joint_distribution(4).log_prob(mu=mu, x=DATA)
        np.testing.assert_allclose(MODEL.log_joint(mu, DATA), expected, rtol=1e-6)

    @pytest.mark.parametrize("shape", [(), (3,), (2, 5), (2, 3, 4)])
    def test_is_vectorized_over_mu(self, shape):
        mu = tf.random.stateless_normal(shape, seed=[3, 4])
        result = MODEL.log_joint(mu, DATA)
        assert result.shape == shape
        flat = [reference_log_joint(m, DATA.numpy(), MODEL) for m in mu.numpy().ravel()]
        np.testing.assert_allclose(result.numpy().ravel(), flat, rtol=1e-5)

    def test_accepts_float64_and_lists(self):
        from_list = MODEL.log_joint(0.2, [0.3, -1.2, 2.5, 1.0])
        from_float64 = MODEL.log_joint(np.float64(0.2), np.array([0.3, -1.2, 2.5, 1.0]))
        assert float(from_list) == pytest.approx(float(from_float64))
        assert float(from_list) == pytest.approx(float(MODEL.log_joint(0.2, DATA)))

    def test_gradient_is_the_analytic_score(self):
        # d/dmu log p(mu, D) = -(mu - mu0)/sigma0^2 + sum_i (x_i - mu)/sigma^2
        mu = tf.Variable(0.7)
        with tf.GradientTape() as tape:
            value = MODEL.log_joint(mu, DATA)
        gradient = float(tape.gradient(value, mu))
        expected = (
            -(0.7 - MODEL.prior_mean) / MODEL.prior_std**2
            + float(tf.reduce_sum(DATA - 0.7)) / MODEL.noise_std**2
        )
        assert gradient == pytest.approx(expected, rel=1e-5)

    def test_works_inside_tf_function(self):
        compiled = tf.function(MODEL.log_joint)
        np.testing.assert_allclose(
            compiled(tf.constant([0.1, 0.2]), DATA), MODEL.log_joint([0.1, 0.2], DATA), rtol=1e-6
        )

    @pytest.mark.parametrize(
        ("mu", "data", "name", "error"),
        [
            (0.0, [], "data", ValueError),
            (0.0, [[1.0, 2.0]], "data", ValueError),
            (0.0, 1.0, "data", ValueError),
            (0.0, [1.0, math.nan], "data", ValueError),
            (0.0, [1.0, math.inf], "data", ValueError),
            (0.0, ["a", "b"], "data", TypeError),
            (math.nan, [1.0], "mu", ValueError),
            ([0.0, math.inf], [1.0], "mu", ValueError),
            ("zero", [1.0], "mu", TypeError),
        ],
    )
    def test_rejects_invalid_input(self, mu, data, name, error):
        with pytest.raises(error, match=name):
            MODEL.log_joint(mu, data)


def test_log_normal_density_matches_scipy():
    values = np.linspace(-3.0, 3.0, 7).astype(np.float32)
    expected = stats.norm(0.4, 1.3).logpdf(values)
    np.testing.assert_allclose(log_normal_density(values, 0.4, 1.3), expected, rtol=1e-6)


class TestSampling:
    def test_sample_data_is_deterministic_for_a_seed(self):
        first = MODEL.sample_data(6, seed=(1, 2))
        second = MODEL.sample_data(6, seed=(1, 2))
        other = MODEL.sample_data(6, seed=(1, 3))
        assert first.dtype == tf.float32 and first.shape == (6,)
        np.testing.assert_array_equal(first, second)
        assert not np.array_equal(first, other)

    def test_sample_data_given_the_mean_is_deterministic_for_a_seed(self):
        first = MODEL.sample_data(6, seed=(1, 2), true_mean=3.0)
        np.testing.assert_array_equal(first, MODEL.sample_data(6, seed=(1, 2), true_mean=3.0))
        assert not np.array_equal(first, MODEL.sample_data(6, seed=(1, 3), true_mean=3.0))
        np.testing.assert_array_equal(
            MODEL.sample_data(4, seed=9, true_mean=3.0), MODEL.sample_data(4, (0, 9), true_mean=3.0)
        )

    def test_integer_seed_is_the_pair_zero_seed(self):
        np.testing.assert_array_equal(MODEL.sample_data(4, seed=9), MODEL.sample_data(4, (0, 9)))

    def test_sample_data_is_the_data_of_sample_joint(self):
        _, data = MODEL.sample_joint(5, seed=(4, 4))
        np.testing.assert_array_equal(MODEL.sample_data(5, seed=(4, 4)), data)

    def test_sample_joint_follows_the_prior(self):
        draws = MODEL.joint_distribution(1).sample(20_000, seed=tf.constant([5, 6]))
        mu = draws["mu"].numpy()
        # Mean within 5 standard errors; std within 3 %.
        assert abs(mu.mean() - MODEL.prior_mean) < 5 * MODEL.prior_std / math.sqrt(mu.size)
        assert mu.std() == pytest.approx(MODEL.prior_std, rel=0.03)

    def test_data_given_true_mean_have_the_right_moments(self):
        data = MODEL.sample_data(20_000, seed=(7, 8), true_mean=3.0).numpy()
        assert abs(data.mean() - 3.0) < 5 * MODEL.noise_std / math.sqrt(data.size)
        assert data.std() == pytest.approx(MODEL.noise_std, rel=0.03)

    @pytest.mark.parametrize(
        ("call", "name", "error"),
        [
            (lambda: MODEL.sample_data(0, seed=1), "num_observations", ValueError),
            (lambda: MODEL.sample_data(-3, seed=1), "num_observations", ValueError),
            (lambda: MODEL.sample_data(2.5, seed=1), "num_observations", TypeError),
            (lambda: MODEL.sample_data(3, seed=(1, 2, 3)), "seed", ValueError),
            (lambda: MODEL.sample_data(3, seed=(1.0, 2.0)), "seed", ValueError),
            (lambda: MODEL.sample_data(3, seed=-1), "seed", ValueError),
            (lambda: MODEL.sample_data(3, seed=None), "seed", ValueError),
            (lambda: MODEL.sample_data(3, seed=1, true_mean=math.nan), "true_mean", ValueError),
            (lambda: MODEL.joint_distribution(0), "num_observations", ValueError),
            (lambda: MODEL.sample_joint(0, seed=1), "num_observations", ValueError),
        ],
    )
    def test_rejects_invalid_arguments(self, call, name, error):
        with pytest.raises(error, match=name):
            call()


class TestRunningExample:
    def test_is_reproducible(self):
        first, second = running_example(), running_example()
        assert first.model == second.model == RUNNING_MODEL
        assert first.true_mean == second.true_mean
        np.testing.assert_array_equal(first.data, second.data)

    def test_has_the_documented_shape(self):
        example = running_example()
        assert example.data.shape == (RUNNING_NUM_OBSERVATIONS,)
        assert example.data.dtype == tf.float32
        assert isinstance(example.true_mean, float)


def test_draw_dgm_draws_every_node_and_the_plate():
    figure = draw_dgm()
    try:
        assert isinstance(figure, plt.Figure)
        texts = {t.get_text() for ax in figure.axes for t in ax.texts}
        for label in [r"$\mu_0$", r"$\sigma_0$", r"$\mu$", r"$\sigma$", r"$x_i$"]:
            assert label in texts
        assert r"$i = 1, \ldots, N$" in texts
        # One open node (mu), one shaded node (x_i), three filled dots (mu0, sigma0, sigma).
        faces = [
            tuple(p.get_facecolor())
            for p in figure.axes[0].patches
            if isinstance(p, Ellipse) and p.get_facecolor()[3] > 0
        ]
        assert faces.count((1.0, 1.0, 1.0, 1.0)) == 1
        assert faces.count((0.0, 0.0, 0.0, 1.0)) == 3
        assert sum(1 for face in faces if 0.0 < face[0] < 1.0) == 1
    finally:
        plt.close(figure)


# The layout of chapter 1's figure, read off the drawing (daft draws in cm from
# the lower-left corner): label -> (centre of its node in cm, label offset in points).
DGM_LAYOUT = {
    r"$\mu_0$": ((1.8, 5.6), (-14.0, 6.0)),
    r"$\sigma_0$": ((3.8, 5.6), (14.0, 6.0)),
    r"$\mu$": ((2.8, 3.6), (0.0, 0.0)),
    r"$\sigma$": ((5.0, 1.6), (12.0, 6.0)),
    r"$x_i$": ((2.8, 1.6), (0.0, 0.0)),
}
DGM_EDGES = [
    (r"$\mu_0$", r"$\mu$"),
    (r"$\sigma_0$", r"$\mu$"),
    (r"$\mu$", r"$x_i$"),
    (r"$\sigma$", r"$x_i$"),
]


@pytest.fixture
def dgm_despite_global_settings():
    """The DGM drawn while global settings it must not follow are switched on."""
    with mpl.rc_context({"figure.constrained_layout.use": True, "figure.dpi": 150}):
        figure = draw_dgm()
    yield figure
    plt.close(figure)


def test_draw_dgm_keeps_its_own_layout_and_dpi(dgm_despite_global_settings):
    figure = dgm_despite_global_settings
    assert figure.get_layout_engine() is None
    assert figure.dpi == 100
    np.testing.assert_allclose(figure.get_size_inches() * 2.54, [6.0, 6.8])
    (axes,) = figure.axes
    np.testing.assert_allclose([*axes.get_xlim(), *axes.get_ylim()], [0.0, 6.0, 0.0, 6.8])


def test_draw_dgm_places_nodes_and_labels_as_designed(dgm_despite_global_settings):
    (axes,) = dgm_despite_global_settings.axes
    labels = {t.get_text(): t for t in axes.texts if t.get_text() in DGM_LAYOUT}
    assert labels.keys() == DGM_LAYOUT.keys()
    for label, (centre, offset) in DGM_LAYOUT.items():
        np.testing.assert_allclose(labels[label].xy, centre, err_msg=label)
        np.testing.assert_allclose(labels[label].xyann, offset, err_msg=label)
    # Circles of one grid unit's half (1 cm) for mu and x_i; dots of 1/6 cm for the constants.
    sizes = sorted(
        (round(p.width, 4), round(p.height, 4), tuple(np.round(p.center, 4)))
        for p in axes.patches
        if isinstance(p, Ellipse)
    )
    assert sizes == sorted(
        [(0.1667, 0.1667, (1.8, 5.6)), (0.1667, 0.1667, (3.8, 5.6)), (0.1667, 0.1667, (5.0, 1.6))]
        + [(1.0, 1.0, (2.8, 3.6))]
        + [(1.0, 1.0, (2.8, 1.6))] * 2  # the shaded disc and its outline
    )


def test_draw_dgm_draws_the_plate_around_the_observations_only(dgm_despite_global_settings):
    (axes,) = dgm_despite_global_settings.axes
    (plate,) = [p for p in axes.patches if isinstance(p, Rectangle) and p is not axes.patch]
    np.testing.assert_allclose(
        [*plate.get_xy(), plate.get_width(), plate.get_height()], [1.7, 0.3, 2.2, 2.3]
    )
    (label,) = [t for t in axes.texts if t.get_text() == r"$i = 1, \ldots, N$"]
    np.testing.assert_allclose(label.xy, plate.get_xy())
    assert (label.get_ha(), label.get_va()) == ("left", "bottom")
    inside = {
        name
        for name, ((x, y), _) in DGM_LAYOUT.items()
        if plate.contains_point(axes.transData.transform((x, y)))
    }
    assert inside == {r"$x_i$"}


def test_draw_dgm_points_each_arrow_from_parent_to_child(dgm_despite_global_settings):
    (axes,) = dgm_despite_global_settings.axes
    centres = {label: np.array(centre) for label, (centre, _) in DGM_LAYOUT.items()}

    def nearest(point):
        return min(centres, key=lambda label: np.linalg.norm(centres[label] - point))

    arrows = [p.get_xy() for p in axes.patches if isinstance(p, FancyArrow)]
    # daft's arrow polygon starts at the head and reaches the tail at its fourth vertex.
    assert sorted((nearest(xy[3]), nearest(xy[0])) for xy in arrows) == sorted(DGM_EDGES)
