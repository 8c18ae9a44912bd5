"""Unit tests of vinotes.model: the running example, its sampling and its log joint."""

from __future__ import annotations

import math
from typing import NamedTuple

import daft
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from matplotlib.patches import Ellipse
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


# The DGM is read from the daft objects that draw_dgm builds: these tests check what
# the graph says (its nodes, their roles, its arrows, its plate), not where daft draws
# it, so the layout may change freely. Coordinates are only compared with each other.
DGM_ROLES = {
    r"$\mu_0$": "fixed",
    r"$\sigma_0$": "fixed",
    r"$\mu$": "latent",
    r"$\sigma$": "fixed",
    r"$x_i$": "observed",
}
# parent -> child: the factorization p(mu | mu0, sigma0) prod_i p(x_i | mu, sigma).
DGM_EDGES = {
    (r"$\mu_0$", r"$\mu$"),
    (r"$\sigma_0$", r"$\mu$"),
    (r"$\mu$", r"$x_i$"),
    (r"$\sigma$", r"$x_i$"),
}
PLATE_LABEL = r"$i = 1, \ldots, N$"


class DrawnDgm(NamedTuple):
    pgm: daft.PGM
    figure: plt.Figure

    def nodes(self) -> dict[str, daft.Node]:
        """The nodes by the label they show."""
        return {node.content: node for node in self.pgm._nodes.values()}


@pytest.fixture
def dgm(monkeypatch):
    """draw_dgm's figure and the daft PGM it was drawn from.

    Drawn with the book's global constrained layout switched on, which daft's
    own placement must not follow.
    """
    built = []

    class RecordedPGM(daft.PGM):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(daft, "PGM", RecordedPGM)
    with mpl.rc_context({"figure.constrained_layout.use": True}):
        figure = draw_dgm()
    try:
        (pgm,) = built
        yield DrawnDgm(pgm, figure)
    finally:
        plt.close(figure)


def test_draw_dgm_returns_the_drawing_of_its_graph_in_its_own_layout(dgm):
    assert dgm.figure is dgm.pgm.figure
    assert dgm.figure.get_layout_engine() is None


def test_dgm_has_a_node_for_each_variable_and_hyperparameter(dgm):
    assert dgm.nodes().keys() == DGM_ROLES.keys()
    assert len(dgm.pgm._nodes) == len(DGM_ROLES)


def test_dgm_shades_the_observations_and_marks_the_hyperparameters_fixed(dgm):
    for label, node in dgm.nodes().items():
        role = DGM_ROLES[label]
        assert node.observed is (role == "observed"), label
        assert node.fixed is (role == "fixed"), label
        assert node.alternate is False, label


def test_dgm_arrows_point_from_parents_to_children(dgm):
    edges = [(edge.node1.content, edge.node2.content) for edge in dgm.pgm._edges]
    assert sorted(edges) == sorted(DGM_EDGES)
    assert all(edge.directed for edge in dgm.pgm._edges)


def test_dgm_arrows_between_random_variables_are_the_joint_distributions_graph(dgm):
    random = {name for name, node in dgm.pgm._nodes.items() if not node.fixed}
    parents = {name: set() for name in random}
    for edge in dgm.pgm._edges:
        if edge.node1.name in random:
            parents[edge.node2.name].add(edge.node1.name)
    graph = RUNNING_MODEL.joint_distribution(RUNNING_NUM_OBSERVATIONS).resolve_graph()
    assert parents == {name: set(names) for name, names in graph}


def test_dgm_plate_repeats_the_observations_only(dgm):
    (plate,) = dgm.pgm._plates
    assert plate.label == PLATE_LABEL
    x, y, width, height = plate.rect
    bottom = y + plate.shift
    inside = {
        label
        for label, node in dgm.nodes().items()
        if x < node.x < x + width and bottom < node.y < y + height
    }
    assert inside == {r"$x_i$"}


def test_dgm_nodes_and_plate_lie_on_the_canvas(dgm):
    (left, bottom), (width, height) = dgm.pgm.origin, dgm.pgm.shape
    (plate,) = dgm.pgm._plates
    x, y, plate_width, plate_height = plate.rect
    corners = [(x, y + plate.shift), (x + plate_width, y + plate_height)]
    for u, v in [(node.x, node.y) for node in dgm.pgm._nodes.values()] + corners:
        assert left <= u <= left + width and bottom <= v <= bottom + height


class TestFloat64:
    """A float64 tensor mu (or value) makes the computation float64, for quadrature."""

    def test_log_normal_density_matches_scipy_to_double_precision(self):
        values = np.linspace(-40.0, 40.0, 81)
        result = log_normal_density(tf.constant(values, tf.float64), 0.75, 1.25)
        assert result.dtype == tf.float64
        np.testing.assert_allclose(result, stats.norm(0.75, 1.25).logpdf(values), rtol=1e-14)

    def test_log_normal_density_follows_the_dtype_of_value(self):
        loc, scale = tf.constant(0.75, tf.float64), tf.constant([1.25, 2.0], tf.float64)
        assert log_normal_density(np.float32(0.5), loc, scale).dtype == tf.float32
        assert log_normal_density(tf.constant(0.5, tf.float64), 0.75, 2.0).dtype == tf.float64

    def test_log_joint_matches_scipy_to_double_precision(self):
        mu = np.linspace(-30.0, 30.0, 61)
        result = MODEL.log_joint(tf.constant(mu, tf.float64), DATA)
        assert result.dtype == tf.float64 and result.shape == (61,)
        expected = [reference_log_joint(m, DATA.numpy().astype(np.float64), MODEL) for m in mu]
        np.testing.assert_allclose(result, expected, rtol=1e-13)

    def test_float32_mu_keeps_the_float32_path(self):
        result = MODEL.log_joint(tf.constant([0.25], tf.float32), DATA.numpy().astype(np.float64))
        assert result.dtype == tf.float32

    def test_parameters_that_float32_cannot_hold_keep_double_precision(self):
        model = NormalModel(prior_mean=0.1, prior_std=1.3, noise_std=0.7)
        mu = np.array([-1.0, 0.2, 1.7])
        result = model.log_joint(tf.constant(mu, tf.float64), DATA)
        expected = [reference_log_joint(m, DATA.numpy().astype(np.float64), model) for m in mu]
        np.testing.assert_allclose(result, expected, rtol=1e-12)
