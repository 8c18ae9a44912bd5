r"""Mean-field variational inference by coordinate ascent (CAVI), with exact answers.

Chapter 5's first worked example is the Normal model with unknown mean and
precision (Bishop, PRML 10.1.3):

.. math::

    \tau \sim \operatorname{Gamma}(a_0, b_0), \quad
    \mu \mid \tau \sim \mathcal{N}\bigl(\mu_0, (\lambda_0 \tau)^{-1}\bigr), \quad
    x_i \mid \mu, \tau \sim \mathcal{N}(\mu, \tau^{-1}) \qquad (\text{eq. mf-model}).

Its exact posterior is Normal-Gamma (eq. mf-exact). The mean-field surrogate
:math:`q(\mu)\,q(\tau)` has the factors (eqs. mf-update-mu, mf-update-tau)

.. math::

    q(\mu) = \mathcal{N}\bigl(\mu_N, \lambda^{-1}\bigr),\;
    \mu_N = \frac{\lambda_0\mu_0 + N\bar{x}}{\lambda_0 + N},\;
    \lambda = (\lambda_0 + N)\,\mathbb{E}[\tau];
    \qquad
    q(\tau) = \operatorname{Gamma}(a, b),\;
    a = a_0 + \frac{N + 1}{2},\;
    b = b_0 + \tfrac12 \mathbb{E}_\mu\Bigl[\sum_i (x_i - \mu)^2 + \lambda_0(\mu - \mu_0)^2\Bigr].

The second worked example, a correlated Gaussian target, has the mean-field
optimum :func:`gaussian_mean_field` (eq. mf-gaussian).

Everything here is computed in float64 with NumPy and SciPy and returned as
Python floats or NumPy arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from vinotes import _validation as check

_LOG_TWO_PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class NormalGammaPrior:
    r"""Parameters of a Normal-Gamma distribution over :math:`(\mu, \tau)`.

    :math:`\tau \sim \operatorname{Gamma}(a, b)` and
    :math:`\mu \mid \tau \sim \mathcal{N}\bigl(m, (\lambda\tau)^{-1}\bigr)`, with
    ``(mean, precision_scale, shape, rate)`` :math:`= (m, \lambda, a, b)`:
    :math:`(\mu_0, \lambda_0, a_0, b_0)` as a prior, :math:`(\mu_N, \lambda_N, a_N, b_N)`
    as the exact posterior.

    Raises:
        TypeError: if a parameter is not a real number.
        ValueError: if ``mean`` is not finite or another parameter is not positive.
    """

    mean: float
    precision_scale: float
    shape: float
    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", check.finite_float(self.mean, "mean"))
        for name in ("precision_scale", "shape", "rate"):
            object.__setattr__(self, name, check.positive_float(getattr(self, name), name))

    def log_prob(self, mu: object, tau: object) -> np.ndarray:
        r"""The log density :math:`\log p(\mu, \tau)`, broadcast over ``mu`` and ``tau``.

        .. math::

            \log \operatorname{Gamma}(\tau \mid a, b)
            + \log \mathcal{N}\bigl(\mu \mid m, (\lambda\tau)^{-1}\bigr).

        Raises:
            ValueError: if ``mu`` is not finite or ``tau`` not positive.
        """
        mu = check.real_array(mu, "mu")
        tau = check.positive_array(tau, "tau")
        log_gamma = (
            self.shape * math.log(self.rate)
            - special.gammaln(self.shape)
            + (self.shape - 1.0) * np.log(tau)
            - self.rate * tau
        )
        precision = self.precision_scale * tau
        log_normal = (
            0.5 * (np.log(precision) - _LOG_TWO_PI) - 0.5 * precision * (mu - self.mean) ** 2
        )
        return log_gamma + log_normal

    def mu_marginal(self) -> stats.rv_continuous:
        r"""The marginal of :math:`\mu`: Student-t, :math:`2a` degrees of freedom.

        .. math::

            \mu \sim \operatorname{St}\Bigl(2a,\ m,\ \sqrt{b / (a\lambda)}\Bigr),

        the scale mixture of :math:`\mathcal{N}(m, (\lambda\tau)^{-1})` over
        :math:`\tau \sim \operatorname{Gamma}(a, b)`. Returns a frozen SciPy distribution.
        """
        scale = math.sqrt(self.rate / (self.shape * self.precision_scale))
        return stats.t(df=2.0 * self.shape, loc=self.mean, scale=scale)

    def tau_marginal(self) -> stats.rv_continuous:
        r"""The marginal of :math:`\tau`, :math:`\operatorname{Gamma}(a, b)` (frozen SciPy)."""
        return stats.gamma(self.shape, scale=1.0 / self.rate)


def _observations(data: object) -> np.ndarray:
    return check.observed_array(data, "data")


def _check_prior(prior: object) -> NormalGammaPrior:
    if not isinstance(prior, NormalGammaPrior):
        raise TypeError(f"prior must be a NormalGammaPrior, got {type(prior).__name__}")
    return prior


def exact_normal_gamma_posterior(data: object, prior: NormalGammaPrior) -> NormalGammaPrior:
    r"""The exact posterior of eq. mf-model, a Normal-Gamma (eq. mf-exact).

    .. math::

        \mu_N = \frac{\lambda_0\mu_0 + N\bar{x}}{\lambda_0 + N},\quad
        \lambda_N = \lambda_0 + N,\quad
        a_N = a_0 + \frac{N}{2},\quad
        b_N = b_0 + \frac12\sum_i (x_i - \bar{x})^2
        + \frac{\lambda_0 N (\bar{x} - \mu_0)^2}{2(\lambda_0 + N)}.
    """
    prior = _check_prior(prior)
    x = _observations(data)
    n, mean = x.size, float(x.mean())
    spread = float(np.sum((x - mean) ** 2))
    return NormalGammaPrior(
        mean=(prior.precision_scale * prior.mean + n * mean) / (prior.precision_scale + n),
        precision_scale=prior.precision_scale + n,
        shape=prior.shape + 0.5 * n,
        rate=prior.rate
        + 0.5 * spread
        + prior.precision_scale
        * n
        * (mean - prior.mean) ** 2
        / (2.0 * (prior.precision_scale + n)),
    )


def normal_gamma_log_evidence(data: object, prior: NormalGammaPrior) -> float:
    r"""The log evidence :math:`\log p(\mathcal{D})` of eq. mf-model (eq. mf-evidence).

    .. math::

        \log p(\mathcal{D}) = \log\Gamma(a_N) - \log\Gamma(a_0) + a_0 \log b_0 - a_N \log b_N
        + \tfrac12 \log\frac{\lambda_0}{\lambda_N} - \tfrac{N}{2}\log(2\pi).
    """
    prior = _check_prior(prior)
    posterior = exact_normal_gamma_posterior(data, prior)
    n = _observations(data).size
    return float(
        special.gammaln(posterior.shape)
        - special.gammaln(prior.shape)
        + prior.shape * math.log(prior.rate)
        - posterior.shape * math.log(posterior.rate)
        + 0.5 * math.log(prior.precision_scale / posterior.precision_scale)
        - 0.5 * n * _LOG_TWO_PI
    )


@dataclass(frozen=True)
class MeanFieldNormalGamma:
    r"""A mean-field surrogate :math:`q(\mu)\,q(\tau)` for eq. mf-model.

    :math:`q(\mu) = \mathcal{N}(\text{mu\_loc}, \text{mu\_precision}^{-1})` and
    :math:`q(\tau) = \operatorname{Gamma}(\text{tau\_shape}, \text{tau\_rate})`.
    """

    mu_loc: float
    mu_precision: float
    tau_shape: float
    tau_rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu_loc", check.finite_float(self.mu_loc, "mu_loc"))
        for name in ("mu_precision", "tau_shape", "tau_rate"):
            object.__setattr__(self, name, check.positive_float(getattr(self, name), name))

    @property
    def tau_mean(self) -> float:
        r""":math:`\mathbb{E}_q[\tau] = a / b`."""
        return self.tau_shape / self.tau_rate

    def log_prob(self, mu: object, tau: object) -> np.ndarray:
        r"""The log density :math:`\log q(\mu) + \log q(\tau)`, broadcast over the arguments.

        Raises:
            ValueError: if ``mu`` is not finite or ``tau`` not positive.
        """
        mu = check.real_array(mu, "mu")
        tau = check.positive_array(tau, "tau")
        log_normal = (
            0.5 * (math.log(self.mu_precision) - _LOG_TWO_PI)
            - 0.5 * self.mu_precision * (mu - self.mu_loc) ** 2
        )
        log_gamma = (
            self.tau_shape * math.log(self.tau_rate)
            - special.gammaln(self.tau_shape)
            + (self.tau_shape - 1.0) * np.log(tau)
            - self.tau_rate * tau
        )
        return log_normal + log_gamma


def update_q_mu(data: object, prior: NormalGammaPrior, tau_mean: float) -> tuple[float, float]:
    r"""Eq. mf-update-mu: the optimal :math:`q(\mu)` given :math:`\mathbb{E}[\tau]`.

    Returns:
        ``(mu_loc, mu_precision)`` with
        :math:`\mu_N = (\lambda_0\mu_0 + N\bar{x})/(\lambda_0 + N)` and
        :math:`\lambda = (\lambda_0 + N)\,\mathbb{E}[\tau]`.
    """
    prior = _check_prior(prior)
    x = _observations(data)
    tau_mean = check.positive_float(tau_mean, "tau_mean")
    n = x.size
    loc = (prior.precision_scale * prior.mean + n * float(x.mean())) / (prior.precision_scale + n)
    return loc, (prior.precision_scale + n) * tau_mean


def update_q_tau(
    data: object, prior: NormalGammaPrior, mu_loc: float, mu_precision: float
) -> tuple[float, float]:
    r"""Eq. mf-update-tau: the optimal :math:`q(\tau)` given :math:`q(\mu)`.

    Uses :math:`\mathbb{E}_\mu[(c - \mu)^2] = (c - \mu_N)^2 + \lambda^{-1}`:

    .. math::

        a = a_0 + \frac{N + 1}{2},\qquad
        b = b_0 + \frac12\Bigl[\sum_i (x_i - \mu_N)^2 + \frac{N}{\lambda}
        + \lambda_0\Bigl((\mu_N - \mu_0)^2 + \frac{1}{\lambda}\Bigr)\Bigr].

    Returns:
        ``(tau_shape, tau_rate)``.
    """
    prior = _check_prior(prior)
    x = _observations(data)
    mu_loc = check.finite_float(mu_loc, "mu_loc")
    variance = 1.0 / check.positive_float(mu_precision, "mu_precision")
    n = x.size
    expected_squares = float(np.sum((x - mu_loc) ** 2)) + n * variance
    expected_prior_term = prior.precision_scale * ((mu_loc - prior.mean) ** 2 + variance)
    return prior.shape + 0.5 * (n + 1), prior.rate + 0.5 * (expected_squares + expected_prior_term)


def normal_gamma_elbo(data: object, prior: NormalGammaPrior, q: MeanFieldNormalGamma) -> float:
    r"""The ELBO of the mean-field surrogate ``q`` for eq. mf-model, in closed form (eq. mf-elbo).

    .. math::

        \mathrm{ELBO}(q) = \mathbb{E}_q[\log p(\mathcal{D} \mid \mu, \tau)]
        + \mathbb{E}_q[\log p(\mu \mid \tau)] + \mathbb{E}_q[\log p(\tau)]
        + \mathbb{H}[q(\mu)] + \mathbb{H}[q(\tau)],

    with :math:`\mathbb{E}[\tau] = a/b` and :math:`\mathbb{E}[\log\tau] = \psi(a) - \log b`.
    """
    prior = _check_prior(prior)
    if not isinstance(q, MeanFieldNormalGamma):
        raise TypeError(f"q must be a MeanFieldNormalGamma, got {type(q).__name__}")
    x = _observations(data)
    n = x.size
    variance = 1.0 / q.mu_precision
    e_tau = q.tau_shape / q.tau_rate
    e_log_tau = float(special.digamma(q.tau_shape)) - math.log(q.tau_rate)
    expected_squares = float(np.sum((x - q.mu_loc) ** 2)) + n * variance
    expected_prior_square = (q.mu_loc - prior.mean) ** 2 + variance
    likelihood = 0.5 * n * (e_log_tau - _LOG_TWO_PI) - 0.5 * e_tau * expected_squares
    mu_prior = 0.5 * (math.log(prior.precision_scale) + e_log_tau - _LOG_TWO_PI) - (
        0.5 * e_tau * prior.precision_scale * expected_prior_square
    )
    tau_prior = (
        prior.shape * math.log(prior.rate)
        - float(special.gammaln(prior.shape))
        + (prior.shape - 1.0) * e_log_tau
        - prior.rate * e_tau
    )
    entropy_mu = 0.5 * (1.0 + _LOG_TWO_PI - math.log(q.mu_precision))
    entropy_tau = (
        q.tau_shape
        - math.log(q.tau_rate)
        + float(special.gammaln(q.tau_shape))
        + (1.0 - q.tau_shape) * float(special.digamma(q.tau_shape))
    )
    return likelihood + mu_prior + tau_prior + entropy_mu + entropy_tau


@dataclass(frozen=True)
class CaviResult:
    """The result of :func:`cavi_normal_gamma`.

    Attributes:
        mu_loc, mu_precision: the parameters of :math:`q(\\mu)`.
        tau_shape, tau_rate: the parameters of :math:`q(\\tau)`.
        elbo: the ELBO after each iteration, shape ``[iterations]``.
        iterations: the number of iterations run.
        converged: whether the tolerance was met before ``max_iter``.
    """

    mu_loc: float
    mu_precision: float
    tau_shape: float
    tau_rate: float
    elbo: np.ndarray
    iterations: int
    converged: bool

    @property
    def surrogate(self) -> MeanFieldNormalGamma:
        """The fitted surrogate."""
        return MeanFieldNormalGamma(self.mu_loc, self.mu_precision, self.tau_shape, self.tau_rate)


def cavi_normal_gamma(
    data: object,
    prior: NormalGammaPrior,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
    init_tau_mean: float | None = None,
) -> CaviResult:
    r"""Coordinate ascent (CAVI, algorithm alg-cavi) for the mean-field surrogate of eq. mf-model.

    Starts from :math:`\mathbb{E}[\tau] =` ``init_tau_mean`` (by default the prior
    mean :math:`a_0 / b_0`), then alternates eq. mf-update-mu and eq. mf-update-tau,
    recording the ELBO (eq. mf-elbo) after each pair. Stops after the first
    iteration :math:`t \ge 2` at which no parameter of :math:`q` changed by more
    than ``tol`` relative to its size (``|new - old| <= tol * |old|``), or after
    ``max_iter`` iterations (``tol=0`` always runs ``max_iter``). The rate
    :math:`b` then follows :math:`b^{(t)} = b_N + b^{(t-1)}/(2a)` (eq. mf-contraction).

    Raises:
        ValueError: if the ELBO ever decreases, which CAVI rules out: a decrease
            means a wrong update.
    """
    prior = _check_prior(prior)
    x = _observations(data)
    tol = check.finite_float(tol, "tol")
    if not 0.0 <= tol < 1.0:
        raise ValueError(f"tol must be a relative change in [0, 1), got {tol}")
    max_iter = check.positive_int(max_iter, "max_iter")
    if init_tau_mean is None:
        tau_mean = prior.shape / prior.rate
    else:
        tau_mean = check.positive_float(init_tau_mean, "init_tau_mean")
    previous = None
    elbos: list[float] = []
    converged = False
    for _ in range(max_iter):
        mu_loc, mu_precision = update_q_mu(x, prior, tau_mean)
        tau_shape, tau_rate = update_q_tau(x, prior, mu_loc, mu_precision)
        tau_mean = tau_shape / tau_rate
        q = MeanFieldNormalGamma(mu_loc, mu_precision, tau_shape, tau_rate)
        elbos.append(normal_gamma_elbo(x, prior, q))
        if len(elbos) > 1 and elbos[-1] - elbos[-2] < -1e-9 * abs(elbos[-2]):
            raise ValueError(
                f"the ELBO decreased by {elbos[-2] - elbos[-1]:.3g}: an update is wrong"
            )
        current = np.array([mu_loc, mu_precision, tau_shape, tau_rate])
        change = None if previous is None else np.abs(current - previous)
        if tol > 0 and change is not None and np.all(change <= tol * np.abs(previous)):
            converged = True
            break
        previous = current
    return CaviResult(
        mu_loc=mu_loc,
        mu_precision=mu_precision,
        tau_shape=tau_shape,
        tau_rate=tau_rate,
        elbo=np.array(elbos),
        iterations=len(elbos),
        converged=converged,
    )


def gaussian_mean_field(mean: object, covariance: object) -> tuple[np.ndarray, np.ndarray]:
    r"""The mean-field optimum for a Gaussian target :math:`\mathcal{N}(m, \Sigma)`.

    Eq. mf-gaussian.

    Each factor is :math:`q_j = \mathcal{N}(m_j, 1/\Lambda_{jj})` with
    :math:`\Lambda = \Sigma^{-1}`: the right means, and variances equal to the
    *conditional* variances, never larger than the marginal :math:`\Sigma_{jj}`.

    Returns:
        ``(means, variances)`` as float64 arrays of shape ``[d]``.

    Raises:
        ValueError: if the shapes do not match, or ``covariance`` is not
            symmetric positive definite.
    """
    mean, covariance = _gaussian(mean, covariance, "mean", "covariance")
    return mean, 1.0 / np.diag(np.linalg.inv(covariance))


def gaussian_kl(mean_q: object, cov_q: object, mean_p: object, cov_p: object) -> float:
    r"""The KL divergence between two Gaussians, in closed form.

    .. math::

        \mathrm{KL}\bigl(\mathcal{N}(m_q, \Sigma_q) \,\Vert\, \mathcal{N}(m_p, \Sigma_p)\bigr) =
        \frac12\Bigl[\operatorname{tr}(\Sigma_p^{-1}\Sigma_q) - d
        + (m_p - m_q)^\top \Sigma_p^{-1} (m_p - m_q)
        + \log\det\Sigma_p - \log\det\Sigma_q\Bigr],

    which eq. mf-gaussian-kl evaluates at the mean-field optimum. Swap the
    arguments for the other direction of the divergence.

    Returns:
        The divergence in nats, a float.

    Raises:
        ValueError: if the shapes do not match, or a covariance is not
            symmetric positive definite.
    """
    mean_q, cov_q = _gaussian(mean_q, cov_q, "mean_q", "cov_q")
    mean_p, cov_p = _gaussian(mean_p, cov_p, "mean_p", "cov_p")
    if mean_q.shape != mean_p.shape:
        raise ValueError(
            f"mean_q and mean_p must have one shape, got {mean_q.shape}, {mean_p.shape}"
        )
    precision_p = np.linalg.inv(cov_p)
    shift = mean_p - mean_q
    return float(
        0.5
        * (
            np.trace(precision_p @ cov_q)
            - shift.size
            + shift @ precision_p @ shift
            + np.linalg.slogdet(cov_p)[1]
            - np.linalg.slogdet(cov_q)[1]
        )
    )


def _gaussian(mean: object, covariance: object, mean_name: str, covariance_name: str):
    """Checked ``(mean, covariance)`` of a Gaussian in ``d >= 1`` dimensions."""
    mean = check.real_array(mean, mean_name)
    covariance = check.real_array(covariance, covariance_name)
    if mean.ndim != 1 or mean.size == 0:
        raise ValueError(f"{mean_name} must have shape [d] with d >= 1, got {mean.shape}")
    if covariance.shape != (mean.size, mean.size):
        raise ValueError(
            f"{covariance_name} must have shape {(mean.size, mean.size)}, got {covariance.shape}"
        )
    if not np.allclose(covariance, covariance.T):
        raise ValueError(f"{covariance_name} must be symmetric")
    try:
        np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError as error:
        raise ValueError(f"{covariance_name} must be positive definite") from error
    return mean, covariance
