"""Unit tests of vinotes.elbo against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
from scipy import integrate, stats

from vinotes.elbo import (
    elbo_closed_form,
    elbo_gradient_exact,
    elbo_gradient_reparameterization,
    elbo_gradient_score_function,
    elbo_monte_carlo,
    elbo_terms,
)
from vinotes.model import NormalModel
from vinotes.posterior import log_evidence, posterior_parameters

MODEL = NormalModel(prior_mean=0.5, prior_std=1.5, noise_std=2.0)
DATA = np.array([0.3, -1.2, 2.5, 1.0, 3.3], dtype=np.float32)
MU_N, SIGMA_N = posterior_parameters(MODEL, DATA)


def elbo_by_quadrature(loc: float, scale: float, model: NormalModel = MODEL) -> float:
    """E_q[log p(mu, D) - log q(mu)] by adaptive quadrature, in float64."""
    q = stats.norm(loc, scale)

    def integrand(mu):
        log_joint = (
            stats.norm(model.prior_mean, model.prior_std).logpdf(mu)
            + stats.norm(mu, model.noise_std).logpdf(DATA.astype(float)).sum()
        )
        return q.pdf(mu) * (log_joint - q.logpdf(mu))

    return integrate.quad(integrand, loc - 12 * scale, loc + 12 * scale)[0]


@pytest.mark.parametrize(("loc", "scale"), [(0.0, 1.0), (1.2, 0.3), (-2.0, 2.5), (MU_N, SIGMA_N)])
def test_closed_form_matches_quadrature(loc, scale):
    assert float(elbo_closed_form(MODEL, DATA, loc, scale)) == pytest.approx(
        elbo_by_quadrature(loc, scale), rel=1e-6
    )


@pytest.mark.parametrize("noise_std", [0.7, 3.5])
def test_closed_form_matches_quadrature_for_other_noise_levels(noise_std):
    model = NormalModel(prior_mean=-1.0, prior_std=0.8, noise_std=noise_std)
    assert float(elbo_closed_form(model, DATA, 0.4, 0.6)) == pytest.approx(
        elbo_by_quadrature(0.4, 0.6, model), rel=1e-6
    )


def test_elbo_of_the_exact_posterior_is_the_log_evidence():
    assert float(elbo_closed_form(MODEL, DATA, MU_N, SIGMA_N)) == pytest.approx(
        float(log_evidence(MODEL, DATA)), abs=1e-5
    )


@pytest.mark.parametrize(
    ("loc", "scale"), [(MU_N + 0.1, SIGMA_N), (MU_N, SIGMA_N * 1.1), (0.0, 1.0)]
)
def test_elbo_of_any_other_surrogate_is_below_the_log_evidence(loc, scale):
    gap = float(log_evidence(MODEL, DATA)) - float(elbo_closed_form(MODEL, DATA, loc, scale))
    # The gap is KL(q || posterior) between two Normals.
    kl = math.log(SIGMA_N / scale) + (scale**2 + (loc - MU_N) ** 2) / (2 * SIGMA_N**2) - 0.5
    assert gap > 0
    assert gap == pytest.approx(kl, rel=1e-3, abs=2e-6)


def test_closed_form_is_vectorized_over_loc_and_scale():
    loc = tf.constant([[0.0], [1.0], [2.0]])
    scale = tf.constant([0.5, 1.0])
    values = elbo_closed_form(MODEL, DATA, loc, scale)
    assert values.shape == (3, 2)
    for i, m in enumerate([0.0, 1.0, 2.0]):
        for j, s in enumerate([0.5, 1.0]):
            assert float(values[i, j]) == pytest.approx(
                float(elbo_closed_form(MODEL, DATA, m, s)), rel=1e-6
            )


def test_monte_carlo_is_unbiased_and_deterministic():
    estimates = elbo_monte_carlo(MODEL, DATA, tf.fill([4000], 0.7), 0.9, 10, seed=(1, 2))
    exact = float(elbo_closed_form(MODEL, DATA, 0.7, 0.9))
    standard_error = float(tf.math.reduce_std(estimates)) / math.sqrt(4000)
    assert abs(float(tf.reduce_mean(estimates)) - exact) < 4 * standard_error
    again = elbo_monte_carlo(MODEL, DATA, tf.fill([4000], 0.7), 0.9, 10, seed=(1, 2))
    np.testing.assert_array_equal(estimates, again)


def test_monte_carlo_has_no_variance_at_the_exact_posterior():
    estimates = elbo_monte_carlo(MODEL, DATA, tf.fill([50], MU_N), SIGMA_N, 3, seed=(3, 4))
    np.testing.assert_allclose(estimates, float(log_evidence(MODEL, DATA)), atol=2e-4)


def test_exact_gradient_matches_finite_differences_and_autodiff():
    loc, scale, h = 0.4, 0.8, 1e-3
    exact = elbo_gradient_exact(MODEL, DATA, loc, scale)

    def f(m, s):
        return elbo_by_quadrature(m, s)

    assert float(exact.loc) == pytest.approx(
        (f(loc + h, scale) - f(loc - h, scale)) / (2 * h), rel=1e-4
    )
    assert float(exact.scale) == pytest.approx(
        (f(loc, scale + h) - f(loc, scale - h)) / (2 * h), rel=1e-4
    )
    m, s = tf.Variable(loc), tf.Variable(scale)
    with tf.GradientTape() as tape:
        value = elbo_closed_form(MODEL, DATA, m, s)
    grad_m, grad_s = tape.gradient(value, [m, s])
    assert float(grad_m) == pytest.approx(float(exact.loc), rel=1e-5)
    assert float(grad_s) == pytest.approx(float(exact.scale), rel=1e-5)


def test_exact_gradient_vanishes_at_the_exact_posterior():
    gradient = elbo_gradient_exact(MODEL, DATA, MU_N, SIGMA_N)
    assert float(gradient.loc) == pytest.approx(0.0, abs=1e-5)
    assert float(gradient.scale) == pytest.approx(0.0, abs=1e-5)


@pytest.mark.parametrize(
    "estimator", [elbo_gradient_reparameterization, elbo_gradient_score_function]
)
# (0.4, 0.8) is near the posterior, where the scale gradient is small; (-1.0, 0.3) is far.
@pytest.mark.parametrize(("loc", "scale"), [(0.4, 0.8), (-1.0, 0.3)])
def test_gradient_estimators_are_unbiased(estimator, loc, scale):
    replicates = 4000
    estimate = estimator(MODEL, DATA, tf.fill([replicates], loc), scale, 5, seed=(6, 7))
    exact = elbo_gradient_exact(MODEL, DATA, loc, scale)
    for got, want in [(estimate.loc, exact.loc), (estimate.scale, exact.scale)]:
        standard_error = float(tf.math.reduce_std(got)) / math.sqrt(replicates)
        assert abs(float(tf.reduce_mean(got)) - float(want)) < 4 * standard_error


def test_reparameterization_has_lower_variance_than_the_score_function():
    args = (MODEL, DATA, tf.fill([2000], 0.4), 0.8, 5)
    reparameterized = elbo_gradient_reparameterization(*args, seed=(8, 9))
    score = elbo_gradient_score_function(*args, seed=(8, 9))
    assert float(tf.math.reduce_variance(reparameterized.loc)) < 0.1 * float(
        tf.math.reduce_variance(score.loc)
    )


def test_elbo_terms_are_the_draws_and_log_ratios():
    terms = elbo_terms(MODEL, DATA, tf.constant([0.2, 1.0]), 0.5, 7, seed=(2, 3))
    assert terms.draws.shape == terms.values.shape == (7, 2)
    # mu_l = m + s * eps_l with eps from TF's stateless Normal sampler and this seed.
    noise = tf.random.stateless_normal([7, 2], seed=[2, 3])
    np.testing.assert_allclose(terms.draws, tf.constant([0.2, 1.0]) + 0.5 * noise, rtol=1e-6)
    expected = MODEL.log_joint(terms.draws, DATA) - stats.norm([0.2, 1.0], 0.5).logpdf(
        terms.draws.numpy()
    )
    np.testing.assert_allclose(terms.values, expected, rtol=1e-5)
    np.testing.assert_allclose(
        elbo_monte_carlo(MODEL, DATA, tf.constant([0.2, 1.0]), 0.5, 7, seed=(2, 3)),
        tf.reduce_mean(terms.values, axis=0),
    )
