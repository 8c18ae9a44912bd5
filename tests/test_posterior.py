"""Unit tests of vinotes.posterior against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
from scipy import integrate, stats

from vinotes.model import NormalModel
from vinotes.posterior import exact_posterior, log_evidence, posterior_parameters, summarize

MODEL = NormalModel(prior_mean=0.5, prior_std=1.5, noise_std=2.0)
DATA = np.array([0.3, -1.2, 2.5, 1.0, 3.3], dtype=np.float32)


def joint_density(mu: float, model: NormalModel, data: np.ndarray) -> float:
    prior = stats.norm(model.prior_mean, model.prior_std).logpdf(mu)
    return math.exp(prior + stats.norm(mu, model.noise_std).logpdf(data.astype(float)).sum())


def quadrature_moments(model: NormalModel, data: np.ndarray) -> tuple[float, float, float]:
    """Evidence, posterior mean and variance by adaptive quadrature of the joint."""
    evidence = integrate.quad(joint_density, -30, 30, args=(model, data), points=[0.0])[0]
    first = integrate.quad(lambda m: m * joint_density(m, model, data), -30, 30)[0] / evidence
    second = integrate.quad(lambda m: m * m * joint_density(m, model, data), -30, 30)[0] / evidence
    return evidence, first, second - first**2


def test_posterior_matches_quadrature():
    evidence, mean, variance = quadrature_moments(MODEL, DATA)
    mu_n, sigma_n = posterior_parameters(MODEL, DATA)
    assert mu_n == pytest.approx(mean, rel=1e-7)
    assert sigma_n**2 == pytest.approx(variance, rel=1e-7)
    assert float(log_evidence(MODEL, DATA)) == pytest.approx(math.log(evidence), abs=2e-6)


def test_log_evidence_is_the_multivariate_normal_marginal():
    n = DATA.size
    covariance = MODEL.noise_std**2 * np.eye(n) + MODEL.prior_std**2 * np.ones((n, n))
    expected = stats.multivariate_normal(np.full(n, MODEL.prior_mean), covariance).logpdf(DATA)
    assert float(log_evidence(MODEL, DATA)) == pytest.approx(expected, rel=1e-6)


def test_log_evidence_is_stable_for_large_n():
    model = NormalModel(prior_mean=0.0, prior_std=1.0, noise_std=1.0)
    data = model.sample_data(200_000, seed=(5, 5), true_mean=1000.0)
    mu_n, sigma_n = posterior_parameters(model, data)
    # Bayes' rule at mu_N: log p(D) = log p(mu_N, D) - log p(mu_N | D), in float64.
    x = data.numpy().astype(np.float64)
    log_joint = stats.norm(0.0, 1.0).logpdf(mu_n) + stats.norm(mu_n, 1.0).logpdf(x).sum()
    expected = log_joint - stats.norm(mu_n, sigma_n).logpdf(mu_n)
    assert float(log_evidence(model, data)) == pytest.approx(expected, rel=1e-6)


def test_exact_posterior_is_a_float32_normal():
    posterior = exact_posterior(MODEL, DATA)
    mu_n, sigma_n = posterior_parameters(MODEL, DATA)
    assert posterior.dtype == tf.float32
    assert float(posterior.mean()) == pytest.approx(mu_n, rel=1e-6)
    assert float(posterior.stddev()) == pytest.approx(sigma_n, rel=1e-6)


def test_posterior_is_the_normalized_joint_at_any_point():
    # p(mu | D) = p(mu, D) / p(D) everywhere, not only at the mode.
    posterior = exact_posterior(MODEL, DATA)
    evidence = log_evidence(MODEL, DATA)
    mu = tf.constant([-2.0, 0.0, 1.0, 4.0])
    np.testing.assert_allclose(
        posterior.log_prob(mu), MODEL.log_joint(mu, DATA) - evidence, rtol=1e-5
    )


def test_flat_prior_limit_gives_the_sample_mean_and_standard_error():
    flat = NormalModel(prior_mean=0.0, prior_std=1e6, noise_std=2.0)
    mu_n, sigma_n = posterior_parameters(flat, DATA)
    assert mu_n == pytest.approx(float(DATA.astype(float).mean()), rel=1e-6)
    assert sigma_n == pytest.approx(2.0 / math.sqrt(DATA.size), rel=1e-6)


def test_summary():
    summary = summarize(DATA)
    assert summary.count == 5
    assert float(summary.mean) == pytest.approx(DATA.astype(float).mean(), rel=1e-7)
    expected = ((DATA.astype(float) - DATA.astype(float).mean()) ** 2).sum()
    assert float(summary.centered_sum_of_squares) == pytest.approx(expected, rel=1e-6)
