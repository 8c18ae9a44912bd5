"""The importance-weighted bound and PSIS against closed forms (chapter 7)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from scipy import stats

from vinotes.diagnostics import (
    importance_weighted_bound,
    log_importance_weights,
    psis_diagnostics,
)
from vinotes.elbo import elbo_closed_form
from vinotes.meanfield import (
    NormalGammaPrior,
    exact_normal_gamma_posterior,
    normal_gamma_log_evidence,
)
from vinotes.model import running_example

tfd = tfp.distributions
EXAMPLE = running_example()
DATA64 = tf.cast(EXAMPLE.data, tf.float64)
X = EXAMPLE.data.numpy().astype(np.float64)
M0, S0, SIGMA = (EXAMPLE.model.prior_mean, EXAMPLE.model.prior_std, EXAMPLE.model.noise_std)
# The posterior and the evidence in float64, from the Gaussian formulas directly.
STD = (1 / S0**2 + X.size / SIGMA**2) ** -0.5
MEAN = STD**2 * (M0 / S0**2 + X.sum() / SIGMA**2)
LOG_EVIDENCE = stats.multivariate_normal.logpdf(
    X, np.full(X.size, M0), S0**2 * np.ones((X.size, X.size)) + SIGMA**2 * np.eye(X.size)
)


def normal(loc, scale):
    return tfd.Normal(tf.constant(loc, tf.float64), tf.constant(scale, tf.float64))


def test_the_exact_posterior_gives_log_evidence_with_every_draw():
    # w(z) = p(z, D) / p(z | D) = p(D) for every z.
    _, log_weights = log_importance_weights(
        EXAMPLE.model.log_joint, normal(MEAN, STD), DATA64, 1000, (1, 2)
    )
    assert np.allclose(log_weights, LOG_EVIDENCE, atol=1e-9, rtol=0)
    for k in (1, 7, 50):
        bound, error = importance_weighted_bound(
            EXAMPLE.model.log_joint, normal(MEAN, STD), DATA64, k, 200, (3, k)
        )
        assert abs(bound - LOG_EVIDENCE) < 1e-9 and error < 1e-9


def test_one_importance_sample_is_the_elbo():
    loc, scale = MEAN + 0.5 * STD, 0.6 * STD
    bound, error = importance_weighted_bound(
        EXAMPLE.model.log_joint, normal(loc, scale), DATA64, 1, 20_000, (4, 1)
    )
    exact = float(elbo_closed_form(EXAMPLE.model, EXAMPLE.data, loc, scale))
    assert abs(bound - exact) < 4 * error


@pytest.mark.parametrize("loc_shift, scale_factor", [(0.0, 0.6), (1.0, 1.0), (-0.5, 1.8)])
def test_the_bound_rises_with_k_towards_log_evidence(loc_shift, scale_factor):
    surrogate = normal(MEAN + loc_shift * STD, scale_factor * STD)
    bounds = [
        importance_weighted_bound(EXAMPLE.model.log_joint, surrogate, DATA64, k, 4000, (5, k))
        for k in (1, 4, 16, 64, 256)
    ]
    values = [value for value, _ in bounds]
    assert all(later > earlier for earlier, later in itertools.pairwise(values))
    assert all(value < LOG_EVIDENCE + 4 * error for value, error in bounds)
    assert LOG_EVIDENCE - values[-1] < 0.1 * (LOG_EVIDENCE - values[0])


def test_the_bound_of_a_joint_distribution_reaches_the_normal_gamma_evidence():
    data = np.array([0.3, -1.1, 0.8, 0.2, -0.4])
    prior = NormalGammaPrior(mean=0.0, precision_scale=1.0, shape=2.0, rate=1.0)
    exact = exact_normal_gamma_posterior(data, prior)
    log_p_data = normal_gamma_log_evidence(data, prior)

    def log_joint(z, data):
        return exact.log_prob(z["mu"].numpy(), z["tau"].numpy()) + log_p_data

    # A mean-field surrogate (tau's exact marginal, mu Normal with a fixed spread).
    surrogate = tfd.JointDistributionNamed(
        {
            "tau": tfd.Gamma(np.float64(exact.shape), np.float64(exact.rate)),
            "mu": tfd.Normal(np.float64(exact.mean), np.float64(0.45)),
        }
    )
    low, _ = importance_weighted_bound(log_joint, surrogate, data, 1, 4000, (6, 1))
    high, error = importance_weighted_bound(log_joint, surrogate, data, 200, 200, (6, 2))
    assert low < high < log_p_data + 4 * error and log_p_data - high < 0.01


@pytest.mark.parametrize("variance_ratio", [0.3, 0.5, 0.7])
def test_k_hat_of_a_too_narrow_normal_is_one_minus_the_variance_ratio(variance_ratio):
    # q = N(m, r s^2) against p = N(m, s^2): log w = (1 - r) u^2 / 2 + const with
    # u ~ N(0, 1), so P(w > t) falls like t^(-1 / (1 - r)): a Pareto tail, k = 1 - r.
    surrogate = normal(MEAN, math.sqrt(variance_ratio) * STD)
    result = psis_diagnostics(EXAMPLE.model.log_joint, surrogate, DATA64, 20_000, (7, 1))
    assert abs(result.k_hat - (1 - variance_ratio)) < 0.1


def test_a_wider_proposal_recovers_the_posterior_moments():
    result = psis_diagnostics(
        EXAMPLE.model.log_joint, normal(MEAN + 0.3 * STD, 1.5 * STD), DATA64, 20_000, (8, 1)
    )
    assert result.k_hat < 0.5
    assert abs(result.means - MEAN) < 0.02 * STD
    assert abs(math.sqrt(result.variances) / STD - 1) < 0.02
    assert abs(math.sqrt(result.surrogate_variances) / STD - 1.5) < 0.03
    assert 0 < result.effective_sample_size < 20_000


def test_mean_field_on_a_correlated_gaussian_has_k_hat_near_rho():
    # q = N(0, (1 - rho^2) I) against p = N(0, Sigma): the tail exponent is the largest
    # eigenvalue of I - D^(1/2) Lambda D^(1/2), which is rho.
    for rho in (0.3, 0.6):
        covariance = np.array([[1.0, rho], [rho, 1.0]])
        target = tfd.MultivariateNormalTriL(np.zeros(2), np.linalg.cholesky(covariance))
        surrogate = tfd.MultivariateNormalDiag(np.zeros(2), np.full(2, math.sqrt(1 - rho**2)))
        results = [
            psis_diagnostics(
                lambda z, data, target=target: target.log_prob(z), surrogate, None, 20_000, (9, i)
            )
            for i in range(3)
        ]
        # k-hat scatters by about 0.05 between seeds at this sample size: average three.
        assert abs(np.mean([result.k_hat for result in results]) - rho) < 0.1
        result = results[0]
        assert np.allclose(result.surrogate_variances, 1 - rho**2, rtol=0.05)
        assert np.allclose(result.variances, 1.0, rtol=0.1)


def test_dict_draws_give_dict_moments():
    surrogate = tfd.JointDistributionNamed(
        {"a": tfd.Normal(np.float64(0.0), 1.0), "b": tfd.Normal(np.float64(2.0), 0.5)}
    )
    result = psis_diagnostics(lambda z, data: surrogate.log_prob(z), surrogate, None, 500, 1)
    assert set(result.means) == {"a", "b"} == set(result.surrogate_variances)
    # q is the target: the weights are equal and the two sets of moments agree.
    assert result.means["b"] == pytest.approx(result.surrogate_means["b"], abs=1e-12)
    assert result.effective_sample_size == pytest.approx(500)


def test_the_same_seed_gives_the_same_numbers():
    surrogate = normal(MEAN, 0.8 * STD)
    first = importance_weighted_bound(EXAMPLE.model.log_joint, surrogate, DATA64, 5, 50, (1, 1))
    again = importance_weighted_bound(EXAMPLE.model.log_joint, surrogate, DATA64, 5, 50, (1, 1))
    assert first == again
