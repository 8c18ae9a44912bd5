"""Unit tests of vinotes.meanfield: Normal-Gamma closed forms, CAVI, Gaussian mean field."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from importlib.resources import files

import numpy as np
import pytest
from scipy import special, stats

from vinotes import meanfield
from vinotes.meanfield import (
    MeanFieldNormalGamma,
    NormalGammaPrior,
    cavi_normal_gamma,
    exact_normal_gamma_posterior,
    gaussian_mean_field,
    normal_gamma_elbo,
    normal_gamma_log_evidence,
    update_q_mu,
    update_q_tau,
)

PRIOR = NormalGammaPrior(mean=0.5, precision_scale=2.0, shape=3.0, rate=2.0)
DATA = np.array([0.9, -0.4, 1.7, 0.2, 1.1, 0.6, -0.1])


def log_likelihood(mu, tau, data):
    mu, tau = np.asarray(mu)[..., None], np.asarray(tau)[..., None]
    return np.sum(0.5 * np.log(tau / (2 * np.pi)) - 0.5 * tau * (data - mu) ** 2, axis=-1)


@pytest.fixture(scope="module")
def grid():
    """The unnormalized log posterior on a fine (mu, tau) grid."""
    mu = np.linspace(-2.5, 3.5, 1201)
    tau = np.linspace(1e-4, 14.0, 2800)
    m, t = np.meshgrid(mu, tau, indexing="ij")
    log_joint = PRIOR.log_prob(m, t) + log_likelihood(m, t, DATA)
    cell = (mu[1] - mu[0]) * (tau[1] - tau[0])
    log_evidence = special.logsumexp(log_joint) + math.log(cell)
    return m, t, log_joint, log_evidence, cell


def test_log_probs_match_scipy():
    mu, tau = np.array([-1.0, 0.3, 2.0]), np.array([0.2, 1.0, 3.5])
    expected = stats.gamma(PRIOR.shape, scale=1 / PRIOR.rate).logpdf(tau) + stats.norm(
        PRIOR.mean, 1 / np.sqrt(PRIOR.precision_scale * tau)
    ).logpdf(mu)
    np.testing.assert_allclose(PRIOR.log_prob(mu, tau), expected, rtol=1e-12)
    q = MeanFieldNormalGamma(mu_loc=0.6, mu_precision=9.0, tau_shape=6.0, tau_rate=4.0)
    expected = stats.norm(0.6, 1 / 3).logpdf(mu) + stats.gamma(6.0, scale=1 / 4.0).logpdf(tau)
    np.testing.assert_allclose(q.log_prob(mu, tau), expected, rtol=1e-12)
    assert q.tau_mean == 1.5


def test_exact_posterior_matches_the_grid(grid):
    m, t, log_joint, log_evidence, cell = grid
    posterior = exact_normal_gamma_posterior(DATA, PRIOR)
    np.testing.assert_allclose(
        posterior.log_prob(m, t), log_joint - log_evidence, atol=2e-3, rtol=0
    )
    weights = np.exp(log_joint - log_evidence) * cell
    assert np.sum(weights * m) == pytest.approx(posterior.mean, abs=1e-4)
    assert np.sum(weights * t) == pytest.approx(posterior.shape / posterior.rate, rel=1e-4)


def test_exact_posterior_formulas():
    posterior = exact_normal_gamma_posterior(DATA, PRIOR)
    n, xbar = DATA.size, DATA.mean()
    assert posterior.precision_scale == PRIOR.precision_scale + n
    assert posterior.shape == PRIOR.shape + n / 2
    assert posterior.mean == pytest.approx((2.0 * 0.5 + n * xbar) / (2.0 + n))


def test_log_evidence_matches_the_grid(grid):
    *_, log_evidence, _ = grid
    assert normal_gamma_log_evidence(DATA, PRIOR) == pytest.approx(log_evidence, abs=1e-5)


def test_tol_zero_runs_every_iteration_and_changes_nothing_after_convergence():
    converged = cavi_normal_gamma(DATA, PRIOR, tol=1e-12)
    fixed = cavi_normal_gamma(DATA, PRIOR, tol=0.0, max_iter=60)
    assert converged.converged and converged.iterations < 20
    assert fixed.iterations == 60 and not fixed.converged
    assert fixed.tau_rate == pytest.approx(converged.tau_rate, rel=1e-11)
    assert fixed.mu_precision == pytest.approx(converged.mu_precision, rel=1e-11)


def test_cavi_reaches_a_fixed_point_of_the_updates():
    result = cavi_normal_gamma(DATA, PRIOR, tol=1e-14, max_iter=200)
    assert result.converged
    loc, precision = update_q_mu(DATA, PRIOR, result.tau_shape / result.tau_rate)
    shape, rate = update_q_tau(DATA, PRIOR, loc, precision)
    assert loc == pytest.approx(result.mu_loc, rel=1e-12)
    assert precision == pytest.approx(result.mu_precision, rel=1e-12)
    assert (shape, rate) == pytest.approx((result.tau_shape, result.tau_rate), rel=1e-12)


def test_cavi_elbo_increases_and_stays_below_the_evidence():
    result = cavi_normal_gamma(DATA, PRIOR, max_iter=50)
    assert np.all(np.diff(result.elbo) >= -1e-12)
    assert result.elbo[-1] < normal_gamma_log_evidence(DATA, PRIOR)
    assert result.iterations == result.elbo.size


def test_cavi_mean_is_the_exact_posterior_mean():
    result = cavi_normal_gamma(DATA, PRIOR)
    assert result.mu_loc == pytest.approx(exact_normal_gamma_posterior(DATA, PRIOR).mean)
    assert result.tau_shape == PRIOR.shape + (DATA.size + 1) / 2


def test_elbo_matches_monte_carlo():
    q = MeanFieldNormalGamma(mu_loc=0.6, mu_precision=9.0, tau_shape=6.0, tau_rate=4.0)
    rng = np.random.default_rng(0)
    mu = rng.normal(q.mu_loc, 1 / math.sqrt(q.mu_precision), 400_000)
    tau = rng.gamma(q.tau_shape, 1 / q.tau_rate, 400_000)
    terms = PRIOR.log_prob(mu, tau) + log_likelihood(mu, tau, DATA) - q.log_prob(mu, tau)
    standard_error = terms.std() / math.sqrt(terms.size)
    assert abs(terms.mean() - normal_gamma_elbo(DATA, PRIOR, q)) < 4 * standard_error


def test_kl_of_the_cavi_surrogate_matches_the_grid(grid):
    m, t, log_joint, log_evidence, cell = grid
    q = cavi_normal_gamma(DATA, PRIOR).surrogate
    log_q = q.log_prob(m, t)
    kl_grid = np.sum(np.exp(log_q) * (log_q - (log_joint - log_evidence))) * cell
    kl_closed = normal_gamma_log_evidence(DATA, PRIOR) - normal_gamma_elbo(DATA, PRIOR, q)
    assert kl_closed > 0
    assert kl_closed == pytest.approx(kl_grid, rel=1e-3)


def test_gaussian_mean_field_of_one_variable_is_the_target_itself():
    means, variances = gaussian_mean_field([1.5], [[4.0]])
    np.testing.assert_allclose(means, [1.5])
    np.testing.assert_allclose(variances, [4.0])


@pytest.mark.parametrize("rho", [-0.8, 0.0, 0.5, 0.95])
def test_gaussian_mean_field_variances_are_conditional_variances(rho):
    covariance = np.array([[4.0, 2.0 * rho], [2.0 * rho, 1.0]])
    means, variances = gaussian_mean_field([1.0, -2.0], covariance)
    np.testing.assert_array_equal(means, [1.0, -2.0])
    np.testing.assert_allclose(variances, np.diag(covariance) * (1 - rho**2), rtol=1e-12)


def test_marginals_match_the_grid(grid):
    m, t, log_joint, log_evidence, _ = grid
    posterior = exact_normal_gamma_posterior(DATA, PRIOR)
    density = np.exp(log_joint - log_evidence)
    mu_axis, tau_axis = m[:, 0], t[0, :]
    mu_grid = density.sum(axis=1) * (tau_axis[1] - tau_axis[0])
    tau_grid = density.sum(axis=0) * (mu_axis[1] - mu_axis[0])
    np.testing.assert_allclose(posterior.mu_marginal().pdf(mu_axis), mu_grid, atol=2e-3)
    np.testing.assert_allclose(posterior.tau_marginal().pdf(tau_axis), tau_grid, atol=2e-3)
    variance = float(np.sum(mu_grid * (mu_axis - posterior.mean) ** 2) * (mu_axis[1] - mu_axis[0]))
    assert posterior.mu_marginal().var() == pytest.approx(variance, rel=1e-3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: NormalGammaPrior(np.int64(1), np.float32(2.0), 3, np.float16(0.5)),
        lambda: MeanFieldNormalGamma(np.int32(1), np.float32(2.0), 3, np.float16(0.5)),
    ],
)
def test_parameters_are_stored_as_python_floats(make):
    values = list(vars(make()).values())
    assert values == [1.0, 2.0, 3.0, 0.5]
    assert all(type(value) is float for value in values)


@pytest.mark.parametrize(("mu_loc", "mu_precision"), [(0.3, 4.0), (1.7, 0.6), (-2.0, 25.0)])
def test_update_q_tau_is_the_optimal_factor(mu_loc, mu_precision):
    """Eq. mf-update-tau from first principles: log q*(tau) = E_mu[log p(D, mu, tau)] + const.

    The log joint is quadratic in mu, so Gauss-Hermite quadrature with a few nodes
    computes the expectation over q(mu) exactly.
    """
    shape, rate = update_q_tau(DATA, PRIOR, mu_loc, mu_precision)
    nodes, weights = np.polynomial.hermite_e.hermegauss(8)
    mu = mu_loc + nodes / math.sqrt(mu_precision)
    tau = np.linspace(0.05, 6.0, 40)
    log_joint = PRIOR.log_prob(mu[:, None], tau[None, :]) + log_likelihood(
        mu[:, None], tau[None, :], DATA
    )
    expected = weights @ log_joint / weights.sum()
    difference = stats.gamma(shape, scale=1 / rate).logpdf(tau) - expected
    np.testing.assert_allclose(difference, difference[0], atol=1e-9)


def test_cavi_starts_from_the_prior_mean_of_tau():
    first = cavi_normal_gamma(DATA, PRIOR, tol=0.0, max_iter=1)
    loc, precision = update_q_mu(DATA, PRIOR, PRIOR.shape / PRIOR.rate)
    assert (first.mu_loc, first.mu_precision) == (loc, precision)
    assert (first.tau_shape, first.tau_rate) == update_q_tau(DATA, PRIOR, loc, precision)
    assert first.iterations == 1 and first.converged is False


def test_cavi_runs_100_iterations_by_default_when_tol_is_zero():
    result = cavi_normal_gamma(DATA, PRIOR, tol=0.0)
    assert result.iterations == result.elbo.size == 100
    assert result.converged is False


@pytest.mark.parametrize("tol", [1e-3, 1e-6, 1e-9])
def test_cavi_stops_at_the_first_small_relative_change(tol):
    """The documented rule, checked on the parameter path of fixed-length runs."""
    data, prior = (
        40.0 + 7.0 * DATA,
        NormalGammaPrior(mean=30.0, precision_scale=0.1, shape=2.0, rate=50.0),
    )
    path = []
    for iterations in range(1, 60):
        run = cavi_normal_gamma(data, prior, tol=0.0, max_iter=iterations)
        path.append(np.array([run.mu_loc, run.mu_precision, run.tau_shape, run.tau_rate]))
    expected = next(
        k + 1
        for k in range(1, len(path))
        if np.all(np.abs(path[k] - path[k - 1]) <= tol * np.abs(path[k - 1]))
    )
    result = cavi_normal_gamma(data, prior, tol=tol)
    assert result.converged is True
    assert result.iterations == expected


def test_cavi_counts_a_parameter_that_stays_at_zero_as_converged():
    prior = NormalGammaPrior(mean=0.0, precision_scale=1.0, shape=2.0, rate=2.0)
    result = cavi_normal_gamma([-1.5, 1.5, -0.5, 0.5], prior, tol=1e-8)
    assert result.mu_loc == 0.0
    assert result.converged is True and result.iterations < 100


def scripted_elbo(monkeypatch, values):
    """Make CAVI see the ELBO values ``values``, one per iteration."""
    sequence = iter(values)
    monkeypatch.setattr(meanfield, "normal_gamma_elbo", lambda *args: next(sequence))


@pytest.mark.parametrize(
    "values", [[0.0, 0.0], [100.0, 100.0 - 1e-8], [-50.0, -50.0 - 1e-8], [1.0, 2.0, 2.0]]
)
def test_cavi_tolerates_an_elbo_that_is_flat_up_to_rounding(monkeypatch, values):
    scripted_elbo(monkeypatch, values)
    result = cavi_normal_gamma(DATA, PRIOR, tol=0.0, max_iter=len(values))
    np.testing.assert_array_equal(result.elbo, values)


@pytest.mark.parametrize(
    ("values", "decrease"),
    [([100.0, 99.0], "1"), ([100.0, 101.0, 99.5], "1.5"), ([-5.0, -5.0, -5.0, -5.25], "0.25")],
)
def test_cavi_raises_when_the_elbo_decreases(monkeypatch, values, decrease):
    scripted_elbo(monkeypatch, values)
    with pytest.raises(
        ValueError, match=rf"^the ELBO decreased by {decrease}: an update is wrong$"
    ):
        cavi_normal_gamma(DATA, PRIOR, tol=0.0, max_iter=len(values))


@pytest.mark.parametrize("init_tau_mean", [0.01, 1.0, 40.0])
def test_cavi_starts_from_the_given_mean_of_tau(init_tau_mean):
    first = cavi_normal_gamma(DATA, PRIOR, tol=0.0, max_iter=1, init_tau_mean=init_tau_mean)
    loc, precision = update_q_mu(DATA, PRIOR, init_tau_mean)
    assert (first.mu_loc, first.mu_precision) == (loc, precision)
    assert (first.tau_shape, first.tau_rate) == update_q_tau(DATA, PRIOR, loc, precision)


def test_cavi_starts_from_the_prior_mean_of_tau_when_not_told():
    explicit = cavi_normal_gamma(DATA, PRIOR, max_iter=3, init_tau_mean=PRIOR.shape / PRIOR.rate)
    result = cavi_normal_gamma(DATA, PRIOR, max_iter=3, init_tau_mean=None)
    assert result.tau_rate == explicit.tau_rate
    np.testing.assert_array_equal(result.elbo, explicit.elbo)


def rate_path(data, prior, init_tau_mean, iterations):
    return np.array(
        [
            cavi_normal_gamma(
                data, prior, tol=0.0, max_iter=t, init_tau_mean=init_tau_mean
            ).tau_rate
            for t in range(1, iterations + 1)
        ]
    )


@pytest.mark.parametrize("init_tau_mean", [0.05, 1.5, 30.0])
def test_the_rate_contracts_by_one_over_two_a(init_tau_mean):
    """Eq. mf-contraction: b_t = b_N + b_{t-1} / (2a), with b_0 = a / init_tau_mean."""
    exact = exact_normal_gamma_posterior(DATA, PRIOR)
    a = PRIOR.shape + (DATA.size + 1) / 2
    rates = rate_path(DATA, PRIOR, init_tau_mean, 16)
    previous = np.concatenate([[a / init_tau_mean], rates[:-1]])
    np.testing.assert_allclose(rates, exact.rate + previous / (2 * a), rtol=1e-13)
    fixed_point = exact.rate / (1 - 1 / (2 * a))
    assert fixed_point == pytest.approx(a * exact.rate / exact.shape, rel=1e-14)
    assert rates[-1] == pytest.approx(fixed_point, rel=1e-12)


@pytest.mark.parametrize("size", [2, 5, 7])
def test_fixed_point_moments_against_the_exact_posterior(size):
    """E_q[tau] = a_N / b_N, sd_q(mu) / sd_p(mu) = sqrt(1 - 1/a_N), var ratio of tau a_N / a."""
    data = DATA[:size]
    exact = exact_normal_gamma_posterior(data, PRIOR)
    q = cavi_normal_gamma(data, PRIOR, tol=1e-14, max_iter=500).surrogate
    assert q.tau_mean == pytest.approx(exact.shape / exact.rate, rel=1e-12)
    q_mu_std = 1 / math.sqrt(q.mu_precision)
    # the exact marginal of mu by the law of total variance, E[1 / (lambda_N tau)], by quadrature
    expected_variance = stats.gamma(exact.shape, scale=1 / exact.rate).expect(
        lambda tau: 1 / (exact.precision_scale * tau)
    )
    assert exact.mu_marginal().var() == pytest.approx(expected_variance, rel=1e-8)
    ratio = q_mu_std / math.sqrt(expected_variance)
    assert ratio == pytest.approx(math.sqrt(1 - 1 / exact.shape), rel=1e-10)
    tau_ratio = q.tau_shape / q.tau_rate**2 / exact.tau_marginal().var()
    assert tau_ratio == pytest.approx(exact.shape / (exact.shape + 0.5), rel=1e-10)


def predicted_iterations(data, prior, tol, init_tau_mean):
    """The stopping iteration implied by eq. mf-contraction (chapter 5)."""
    exact = exact_normal_gamma_posterior(data, prior)
    a = prior.shape + (data.size + 1) / 2
    first_rate = a / init_tau_mean
    first_change = abs(exact.rate + first_rate / (2 * a) - first_rate)
    fixed_point = a * exact.rate / exact.shape
    return 2 + max(0, math.ceil(math.log(first_change / (tol * fixed_point)) / math.log(2 * a)))


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-7, 1e-10])
@pytest.mark.parametrize("init_tau_mean", [0.02, 1.5, 50.0])
def test_contraction_predicts_the_number_of_iterations(tol, init_tau_mean):
    result = cavi_normal_gamma(DATA, PRIOR, tol=tol, init_tau_mean=init_tau_mean)
    assert result.converged
    assert result.iterations == predicted_iterations(DATA, PRIOR, tol, init_tau_mean)


LECTURE_FILE = files("vinotes") / "data" / "lecture_normal_sample.txt"
LECTURE_PRIOR = NormalGammaPrior(mean=0.0, precision_scale=1.0, shape=1.0, rate=1.0)


def test_lecture_data_reproduce_the_companion_script():
    """The printed numbers of the lecture's script, to its 4 decimals.

    The script names the surrogate's parameters alpha_s = a, beta_s = b, mu_s = mu_N and
    tau_s = (lambda_0 + N) E_q[tau], the precision of q(mu); the exact posterior's
    alpha_N, beta_N, mu_N and tau_N = lambda_N. Its loop starts from b = b_0, that is
    E[tau] = a / b_0, and runs 100 iterations.
    """
    with LECTURE_FILE.open() as stream:
        data = np.loadtxt(stream)
    assert data.shape == (100,) and data.dtype == np.float64
    np.testing.assert_array_equal(data.astype(np.float32).astype(np.float64), data)
    a = LECTURE_PRIOR.shape + (data.size + 1) / 2
    fit = cavi_normal_gamma(
        data, LECTURE_PRIOR, tol=0.0, max_iter=100, init_tau_mean=a / LECTURE_PRIOR.rate
    )
    exact = exact_normal_gamma_posterior(data, LECTURE_PRIOR)
    surrogate = [fit.tau_shape, fit.tau_rate, fit.mu_loc, fit.mu_precision]
    assert [f"{v:.4f}" for v in surrogate] == ["51.5000", "51.0763", "0.0771", "101.8379"]
    posterior = [exact.shape, exact.rate, exact.mean, exact.precision_scale]
    assert [f"{v:.4f}" for v in posterior] == ["51.0000", "50.5804", "0.0771", "101.0000"]
    # b_N independently: b_0 + N * (biased sample variance) / 2 + lambda_0 N xbar^2 / (2 (1 + N))
    n, xbar = data.size, data.mean()
    b_n = 1.0 + 0.5 * n * np.mean((data - xbar) ** 2) + n * xbar**2 / (2 * (1 + n))
    assert exact.rate == pytest.approx(b_n, rel=1e-12)


def test_lecture_data_are_the_scripts_draw():
    """The stateful TFP draw with seed=42, in a fresh process as the data file says."""
    code = (
        "import tensorflow as tf, tensorflow_probability as tfp;"
        "[print(repr(float(v))) for v in tfp.distributions.Normal("
        "loc=0.0, scale=1.0 / tf.sqrt(1.0)).sample(100, seed=42).numpy()]"
    )
    environment = os.environ | {"TF_CPP_MIN_LOG_LEVEL": "3"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    drawn = np.array([float(line) for line in run.stdout.split()])
    with LECTURE_FILE.open() as stream:
        np.testing.assert_array_equal(np.loadtxt(stream), drawn)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gaussian_kl_matches_scipy_entropy_and_cross_entropy(seed):
    # KL(q || p) = -H[q] - E_q[log p]: SciPy's entropy of q, and E_q[log p] as p's log
    # density at q's mean less half the trace of Sigma_p^-1 Sigma_q.
    rng = np.random.default_rng(seed)
    mean_q, mean_p = rng.normal(size=3), rng.normal(size=3)
    a, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    cov_q, cov_p = a @ a.T + np.eye(3), b @ b.T + np.eye(3)
    precision_p = np.linalg.inv(cov_p)
    cross = -stats.multivariate_normal(mean_p, cov_p).logpdf(mean_q) + 0.5 * np.trace(
        precision_p @ cov_q
    )
    expected = cross - stats.multivariate_normal(mean_q, cov_q).entropy()
    assert meanfield.gaussian_kl(mean_q, cov_q, mean_p, cov_p) == pytest.approx(expected, rel=1e-10)
    assert meanfield.gaussian_kl(mean_q, cov_q, mean_q, cov_q) == pytest.approx(0.0, abs=1e-12)


def test_gaussian_kl_rejects_mismatched_dimensions():
    with pytest.raises(ValueError, match="mean_q and mean_p"):
        meanfield.gaussian_kl([0.0], [[1.0]], [0.0, 0.0], np.eye(2))
