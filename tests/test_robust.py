"""Unit tests of vinotes.robust: the Student-t likelihood of chapter 6, against SciPy."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from vinotes.model import NormalModel
from vinotes.robust import StudentTModel, log_student_t_density

# Parameters that float32 holds exactly: the float64 path can then be compared to 1e-12.
MODEL = StudentTModel(prior_mean=0.5, prior_std=1.5, scale=2.0, dof=3.0)
DATA = np.array([0.3, -1.2, 2.5, 1.0, 9.75], dtype=np.float32)


def reference_log_joint(mu, model: StudentTModel, data) -> np.ndarray:
    """The log joint with SciPy in float64, one value per entry of ``mu``."""
    mu = np.asarray(mu, dtype=np.float64)
    likelihood = stats.t(model.dof, mu[..., None], model.scale).logpdf(data.astype(np.float64))
    return stats.norm(model.prior_mean, model.prior_std).logpdf(mu) + likelihood.sum(axis=-1)


def test_log_student_t_density_matches_scipy_and_broadcasts():
    values = np.linspace(-6.0, 6.0, 13, dtype=np.float32)[:, None]
    dofs = np.array([0.5, 1.0, 4.0, 30.0], dtype=np.float32)
    result = log_student_t_density(values, dofs, 0.4, 1.3)
    assert result.dtype == tf.float32 and result.shape == (13, 4)
    np.testing.assert_allclose(result, stats.t(dofs, 0.4, 1.3).logpdf(values), rtol=1e-5)


def test_log_student_t_density_computes_in_float64_for_a_float64_value():
    values = np.linspace(-6.0, 6.0, 25)
    result = log_student_t_density(tf.constant(values, tf.float64), 2.5, 0.75, 1.25)
    assert result.dtype == tf.float64
    np.testing.assert_allclose(result, stats.t(2.5, 0.75, 1.25).logpdf(values), rtol=1e-12)


def test_one_degree_of_freedom_is_the_cauchy_density():
    values = tf.constant([-3.0, 0.0, 0.5, 40.0], tf.float64)
    np.testing.assert_allclose(
        log_student_t_density(values, 1.0, 0.5, 2.0),
        stats.cauchy(0.5, 2.0).logpdf(values.numpy()),
        rtol=1e-12,
    )


class TestStudentTModel:
    def test_stores_parameters_as_floats(self):
        model = StudentTModel(prior_mean=1, prior_std=np.float32(2.0), scale=3, dof=np.int64(4))
        assert dataclasses.astuple(model) == (1.0, 2.0, 3.0, 4.0)
        assert all(type(value) is float for value in dataclasses.astuple(model))

    def test_is_an_immutable_value(self):
        with pytest.raises(dataclasses.FrozenInstanceError):
            MODEL.dof = 5.0  # type: ignore[misc]
        assert StudentTModel(0.5, 1.5, 2.0, 3.0) == MODEL
        assert hash(StudentTModel(0.5, 1.5, 2.0, 3.0)) == hash(MODEL)

    @pytest.mark.parametrize("bad", ["1", None, True, [1.0]])
    @pytest.mark.parametrize("name", ["prior_mean", "prior_std", "scale", "dof"])
    def test_rejects_what_is_not_a_number(self, name, bad):
        with pytest.raises(TypeError, match=rf"{name} must be a real number"):
            StudentTModel(**{**dataclasses.asdict(MODEL), name: bad})

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    @pytest.mark.parametrize("name", ["prior_mean", "prior_std", "scale", "dof"])
    def test_rejects_what_is_not_finite(self, name, bad):
        with pytest.raises(ValueError, match=rf"{name} must be a finite number"):
            StudentTModel(**{**dataclasses.asdict(MODEL), name: bad})

    @pytest.mark.parametrize("bad", [0.0, -1e-9, -2.0])
    @pytest.mark.parametrize("name", ["prior_std", "scale", "dof"])
    def test_rejects_what_is_not_positive(self, name, bad):
        with pytest.raises(ValueError, match=rf"{name} must be positive"):
            StudentTModel(**{**dataclasses.asdict(MODEL), name: bad})

    def test_accepts_any_finite_prior_mean(self):
        assert StudentTModel(-1e6, 1.0, 1.0, 1.0).prior_mean == -1e6


class TestLogJoint:
    @pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
    def test_matches_scipy_and_is_vectorised_over_mu(self, shape):
        mu = tf.random.stateless_normal(shape, seed=(1, 2)) * 3.0
        result = MODEL.log_joint(mu, DATA)
        assert result.dtype == tf.float32 and result.shape == shape
        np.testing.assert_allclose(result, reference_log_joint(mu.numpy(), MODEL, DATA), rtol=1e-5)

    def test_computes_in_float64_for_a_float64_mu(self):
        mu = np.linspace(-8.0, 12.0, 41)
        result = MODEL.log_joint(tf.constant(mu, tf.float64), DATA)
        assert result.dtype == tf.float64
        np.testing.assert_allclose(result, reference_log_joint(mu, MODEL, DATA), rtol=1e-12)

    def test_float64_mu_with_float64_data(self):
        """float64 data are read as float32 (the package's data type), then used in float64."""
        data = DATA.astype(np.float64)
        result = MODEL.log_joint(tf.constant([0.25], tf.float64), tf.constant(data))
        np.testing.assert_allclose(result, reference_log_joint([0.25], MODEL, data), rtol=1e-12)

    def test_large_dof_approaches_the_normal_model_at_rate_one_over_dof(self):
        """log St - log N = sum_i (z_i^4/4 - z_i^2/2 - 1/4) / nu + O(nu^-2), z_i = (x_i - mu)/s."""
        mu = np.array([-1.0, 0.5, 2.0])
        normal = NormalModel(0.5, 1.5, 2.0).log_joint(tf.constant(mu, tf.float64), DATA)
        student = StudentTModel(0.5, 1.5, 2.0, 1e5).log_joint(tf.constant(mu, tf.float64), DATA)
        z = (DATA.astype(np.float64) - mu[:, None]) / 2.0
        first_order = np.sum(z**4 / 4 - z**2 / 2 - 0.25, axis=1)
        np.testing.assert_allclose(1e5 * (student - normal).numpy(), first_order, rtol=1e-3)

    def test_one_far_observation_moves_the_mode_less_than_under_a_normal(self):
        mu = tf.constant(np.linspace(-5.0, 15.0, 20001), tf.float64)
        far = np.append(DATA[:4], np.float32(50.0))
        normal = NormalModel(0.5, 1.5, 2.0)

        def shift(model):
            return float(
                mu[tf.argmax(model.log_joint(mu, far))]
                - mu[tf.argmax(model.log_joint(mu, DATA[:4]))]
            )

        assert shift(normal) > 5.0
        assert abs(shift(MODEL)) < 0.2

    def test_gradient_is_the_analytic_score(self):
        # d/dmu log p = -(mu - mu0)/sigma0^2 + sum_i (nu + 1) r_i / (nu s^2 + r_i^2), r_i = x_i - mu
        mu = tf.Variable(0.7, dtype=tf.float64)
        with tf.GradientTape() as tape:
            value = MODEL.log_joint(mu, DATA)
        residuals = DATA.astype(np.float64) - 0.7
        expected = -(0.7 - 0.5) / 1.5**2 + np.sum(4.0 * residuals / (3.0 * 4.0 + residuals**2))
        assert float(tape.gradient(value, mu)) == pytest.approx(expected, rel=1e-12)

    def test_works_inside_tf_function(self):
        compiled = tf.function(MODEL.log_joint)
        np.testing.assert_allclose(
            compiled(tf.constant([0.1, 0.2]), DATA), MODEL.log_joint([0.1, 0.2], DATA), rtol=1e-6
        )
