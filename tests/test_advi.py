"""Unit tests of vinotes.advi: chapter 5's Normal-Gamma model by ADVI (chapter 6).

The references are chapter 5's closed forms (vinotes.meanfield), SciPy, and the
optima of each surrogate family, derived on paper from the exact posterior
NG(mu_N, lambda_N, a_N, b_N). Its p(mu | tau) is N(mu_N, 1 / (lambda_N tau)), which
the structured family holds exactly; eta = log tau then has the density
exp(a_N eta - b_N e^eta) / normalizer, whose best Gaussian has E[tau] = a_N / b_N and
s_eta^2 = 1 / a_N. The mean-field optimum has E[tau] = a_N / b_N,
s_eta^2 = 1 / (a_N + 1/2) and Var(mu) = b_N / (lambda_N a_N). Without the Jacobian,
eta's target loses a factor e^eta, a_N becomes a_N - 1, and E[tau] = (a_N - 1) / b_N.
"""

from __future__ import annotations

import functools
import math
from importlib.resources import files

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from scipy import integrate, stats

from vinotes.advi import (
    FAMILIES,
    PARAMETER_NAMES,
    NormalGammaADVIFit,
    fit_normal_gamma_advi,
    normal_gamma_elbo_estimate,
    normal_gamma_model,
    sample_surrogate,
    surrogate_log_density,
    surrogate_moments,
    unconstrained_log_joint,
)
from vinotes.meanfield import (
    NormalGammaPrior,
    exact_normal_gamma_posterior,
    normal_gamma_log_evidence,
)

tfd = tfp.distributions

with (files("vinotes") / "data" / "lecture_normal_sample.txt").open() as stream:
    DATA = np.loadtxt(stream)[:5]
PRIOR = NormalGammaPrior(mean=0.0, precision_scale=1.0, shape=1.0, rate=1.0)
POSTERIOR = exact_normal_gamma_posterior(DATA, PRIOR)
A, B = POSTERIOR.shape, POSTERIOR.rate
LAMBDA, MU = POSTERIOR.precision_scale, POSTERIOR.mean
LOG_EVIDENCE = normal_gamma_log_evidence(DATA, PRIOR)

# The closed-form optima, in the order of PARAMETER_NAMES.
STRUCTURED_OPTIMUM = np.array(
    [math.log(A / B) - 1 / (2 * A), -0.5 * math.log(A), MU, 0.0, -0.5 * math.log(LAMBDA), -0.5]
)
MEAN_FIELD_OPTIMUM = np.array(
    [
        math.log(A / B) - 1 / (2 * (A + 0.5)),
        -0.5 * math.log(A + 0.5),
        MU,
        0.0,
        0.5 * math.log(B / (LAMBDA * A)),
        0.0,
    ]
)
# A surrogate away from every optimum, with every parameter non-zero.
PARAMETERS = np.array([0.4, -0.7, -0.2, 0.3, -0.9, -0.4])


@functools.cache
def fit(family: str, jacobian: bool = True, seed: tuple[int, int] = (0, 0)) -> NormalGammaADVIFit:
    """Fits shared by the tests (one XLA compilation for the default settings)."""
    return fit_normal_gamma_advi(DATA, PRIOR, family=family, jacobian=jacobian, seed=seed)


def fitted_surrogate(parameters) -> tfd.JointDistributionNamed:
    """The surrogate of a fit that ended at ``parameters``."""
    moments = surrogate_moments(parameters)
    return NormalGammaADVIFit(
        "structured", np.asarray(parameters), np.zeros(1), *moments
    ).surrogate()


def test_lecture_data_and_their_exact_posterior():
    assert DATA.shape == (5,)
    assert (PRIOR.shape + 2.5, PRIOR.precision_scale + 5) == (A, LAMBDA)


def test_normal_gamma_model_log_prob_matches_scipy():
    mu = np.array([-1.0, 0.3, 2.0])
    tau = np.array([0.2, 1.0, 3.5])
    prior = NormalGammaPrior(mean=0.5, precision_scale=2.0, shape=3.0, rate=2.0)
    joint = normal_gamma_model(prior, DATA.size)
    result = joint.log_prob(tau=tau.astype(np.float32), mu=mu.astype(np.float32), x=DATA)
    expected = (
        stats.gamma(3.0, scale=1 / 2.0).logpdf(tau)
        + stats.norm(0.5, 1 / np.sqrt(2.0 * tau)).logpdf(mu)
        + stats.norm(mu[:, None], 1 / np.sqrt(tau[:, None])).logpdf(DATA).sum(axis=1)
    )
    np.testing.assert_allclose(result, expected, rtol=1e-5)
    assert joint.event_shape["x"] == [DATA.size]


@pytest.mark.parametrize("jacobian", [True, False])
def test_unconstrained_log_joint_is_the_posterior_times_the_evidence_and_jacobian(jacobian):
    """log p(mu, e^eta, D) + eta = log NG(mu, e^eta | posterior) + log p(D) + eta."""
    mu = np.array([[-1.0, -0.3], [0.2, 0.9]])
    eta = np.array([[-0.5, 0.1], [0.8, 1.6]])
    joint = normal_gamma_model(PRIOR, DATA.size)
    result = unconstrained_log_joint(
        joint, tf.constant(mu, tf.float32), tf.constant(eta, tf.float32), DATA, jacobian
    )
    expected = POSTERIOR.log_prob(mu, np.exp(eta)) + LOG_EVIDENCE + (eta if jacobian else 0.0)
    assert result.shape == (2, 2)
    np.testing.assert_allclose(result, expected, rtol=1e-5)


def test_sample_surrogate_and_its_density_are_eq_advi_families():
    noise = tf.random.stateless_normal([7, 2], seed=(3, 4))
    parameters = tf.constant(PARAMETERS, tf.float32)
    eta, mu = sample_surrogate(parameters, noise)
    m_eta, omega_eta, kappa_0, kappa_1, omega_0, omega_1 = PARAMETERS
    eps = noise.numpy().astype(np.float64)
    expected_eta = m_eta + math.exp(omega_eta) * eps[:, 0]
    mu_loc, mu_scale = kappa_0 + kappa_1 * expected_eta, np.exp(omega_0 + omega_1 * expected_eta)
    np.testing.assert_allclose(eta, expected_eta, rtol=1e-6)
    np.testing.assert_allclose(mu, mu_loc + mu_scale * eps[:, 1], rtol=1e-5)
    log_q = surrogate_log_density(parameters, eta, mu)
    expected = stats.norm(m_eta, math.exp(omega_eta)).logpdf(expected_eta) + stats.norm(
        mu_loc, mu_scale
    ).logpdf(mu.numpy())
    np.testing.assert_allclose(log_q, expected, rtol=1e-5)


def test_the_fits_surrogate_is_the_same_distribution_in_tau():
    """log q(tau, mu) = log q(eta, mu) - eta at tau = e^eta (change of variables)."""
    eta, mu = sample_surrogate(
        tf.constant(PARAMETERS, tf.float32), tf.random.stateless_normal([9, 2], seed=(5, 6))
    )
    log_q_eta = surrogate_log_density(tf.constant(PARAMETERS, tf.float32), eta, mu)
    log_q_tau = fitted_surrogate(PARAMETERS).log_prob(tau=tf.exp(eta), mu=mu)
    np.testing.assert_allclose(log_q_tau, log_q_eta - eta, rtol=1e-5, atol=1e-5)


def test_surrogate_moments_are_the_closed_forms():
    """tau is log-Normal (SciPy); mu's first two moments by quadrature over eta."""
    m_eta, omega_eta, kappa_0, kappa_1, omega_0, omega_1 = PARAMETERS
    s_eta = math.exp(omega_eta)

    def expect(function):
        def integrand(eta):
            return function(eta) * stats.norm.pdf(eta, m_eta, s_eta)

        return integrate.quad(integrand, m_eta - 12 * s_eta, m_eta + 12 * s_eta)[0]

    mu_mean = expect(lambda eta: kappa_0 + kappa_1 * eta)
    mu_second = expect(
        lambda eta: (kappa_0 + kappa_1 * eta) ** 2 + math.exp(2 * (omega_0 + omega_1 * eta))
    )
    tau = stats.lognorm(s=s_eta, scale=math.exp(m_eta))
    expected = (mu_mean, math.sqrt(mu_second - mu_mean**2), tau.mean(), tau.std())
    result = surrogate_moments(PARAMETERS)
    assert all(type(value) is float for value in result)
    np.testing.assert_allclose(result, expected, rtol=1e-9)


def test_surrogate_moments_are_those_of_the_fits_surrogate():
    draws = fitted_surrogate(PARAMETERS).sample(200_000, seed=(7, 8))
    mu, tau = draws["mu"].numpy().astype(np.float64), draws["tau"].numpy().astype(np.float64)
    mu_mean, mu_std, tau_mean, tau_std = surrogate_moments(PARAMETERS)
    assert abs(mu.mean() - mu_mean) < 4 * mu_std / math.sqrt(mu.size)
    assert abs(tau.mean() - tau_mean) < 4 * tau_std / math.sqrt(tau.size)
    assert mu.std() == pytest.approx(mu_std, rel=0.01)
    assert tau.std() == pytest.approx(tau_std, rel=0.02)


def test_fit_is_deterministic_for_a_seed():
    first = fit("full-rank")
    again = fit_normal_gamma_advi(DATA, PRIOR, family="full-rank", seed=(0, 0))
    other = fit("full-rank", seed=(1, 2))
    np.testing.assert_array_equal(first.parameters, again.parameters)
    np.testing.assert_array_equal(first.losses, again.losses)
    assert not np.array_equal(first.parameters, other.parameters)


def test_fit_result_is_its_parameters_and_their_moments():
    result = fit("structured")
    assert result.family == "structured" and result.losses.shape == (4000,)
    assert result.parameters.shape == (len(PARAMETER_NAMES),)
    assert result.parameters.dtype == np.float64
    moments = (result.mu_mean, result.mu_std, result.tau_mean, result.tau_std)
    assert moments == surrogate_moments(result.parameters)


@pytest.mark.parametrize(
    ("family", "optimum"),
    [("structured", STRUCTURED_OPTIMUM), ("mean-field", MEAN_FIELD_OPTIMUM)],
)
def test_fit_lands_on_the_family_s_closed_form_optimum(family, optimum):
    result = fit(family)
    np.testing.assert_allclose(result.parameters, optimum, rtol=0, atol=0.02)


def test_the_structured_fit_has_the_exact_conditional_and_the_best_marginal_of_tau():
    """E[mu] = mu_N; Var(mu) = E_q[1 / (lambda_N tau)] = b_N e^(1/a_N) / (lambda_N a_N)."""
    result = fit("structured")
    assert result.tau_mean == pytest.approx(A / B, rel=0.01)
    assert result.tau_std == pytest.approx(A / B * math.sqrt(math.expm1(1 / A)), rel=0.02)
    assert result.mu_mean == pytest.approx(MU, abs=0.01 * result.mu_std)
    assert result.mu_std == pytest.approx(math.sqrt(B * math.exp(1 / A) / (LAMBDA * A)), rel=0.01)
    # Less spread than the exact marginal of mu, a Student-t with 2 a_N degrees of freedom.
    assert result.mu_std < 0.99 * POSTERIOR.mu_marginal().std()


def test_mean_field_keeps_mu_independent_of_tau():
    result = fit("mean-field")
    kappa_1 = result.parameters[PARAMETER_NAMES.index("kappa_1")]
    omega_1 = result.parameters[PARAMETER_NAMES.index("omega_1")]
    assert kappa_1 == 0.0 and omega_1 == 0.0
    assert result.mu_std == pytest.approx(math.sqrt(B / (LAMBDA * A)), rel=0.02)


@pytest.mark.parametrize("family", ["structured", "mean-field"])
def test_without_the_jacobian_the_fit_aims_at_a_shape_one_lower(family):
    result = fit(family, jacobian=False)
    assert result.tau_mean == pytest.approx((A - 1) / B, rel=0.02)
    assert fit(family).tau_mean == pytest.approx(A / B, rel=0.02)


def test_families_are_the_documented_ones():
    assert FAMILIES == ("mean-field", "full-rank", "structured")
    full_rank = fit("full-rank").parameters
    assert full_rank[5] == 0.0 and full_rank[3] != 0.0


def test_elbo_gap_at_the_structured_optimum_is_the_stirling_remainder():
    """KL(q || p) = log Gamma(a) - (a - 1/2) log a + a - log(2 pi) / 2 for the best q(eta)."""
    elbo, standard_error = normal_gamma_elbo_estimate(
        fitted_surrogate(STRUCTURED_OPTIMUM), DATA, PRIOR, seed=(1, 1)
    )
    expected = math.lgamma(A) - (A - 0.5) * math.log(A) + A - 0.5 * math.log(2 * math.pi)
    assert 0 < standard_error < 0.01
    assert abs(LOG_EVIDENCE - elbo - expected) < 4 * standard_error


def test_elbo_estimate_at_the_exact_posterior_is_the_log_evidence_in_every_sample():
    exact = tfd.JointDistributionNamed(
        {
            "tau": tfd.Gamma(np.float32(A), np.float32(B)),
            "mu": lambda tau: tfd.Normal(np.float32(MU), tf.math.rsqrt(np.float32(LAMBDA) * tau)),
        }
    )
    elbo, standard_error = normal_gamma_elbo_estimate(exact, DATA, PRIOR, num_samples=2000)
    assert elbo == pytest.approx(LOG_EVIDENCE, abs=1e-4)
    assert standard_error < 1e-5


def test_elbo_estimate_is_deterministic_for_a_seed_and_below_the_evidence():
    q = fitted_surrogate(PARAMETERS)
    first = normal_gamma_elbo_estimate(q, DATA, PRIOR, num_samples=500, seed=3)
    assert first == normal_gamma_elbo_estimate(q, DATA, PRIOR, num_samples=500, seed=3)
    assert first != normal_gamma_elbo_estimate(q, DATA, PRIOR, num_samples=500, seed=4)
    assert first[0] + 4 * first[1] < LOG_EVIDENCE
