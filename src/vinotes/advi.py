r"""Chapter 5's Normal-Gamma model by automatic differentiation (ADVI, chapter 6).

The precision :math:`\tau > 0` is mapped to the real line by
:math:`\eta = \log\tau`. The density of :math:`(\mu, \eta)` is the density of
:math:`(\mu, \tau)` times the Jacobian :math:`|\mathrm{d}\tau/\mathrm{d}\eta| = e^\eta`
(eq. advi-jacobian):

.. math::

    \log p(\mu, \eta, \mathcal{D}) = \log p(\mu, \tau = e^\eta, \mathcal{D}) + \eta.

All three surrogate families are conditionally Gaussian, Gaussian in :math:`\eta`
and, given :math:`\eta`, in :math:`\mu`, written as
:math:`q(\eta)\,q(\mu \mid \eta)` (eq. advi-families):

.. math::

    \eta \sim \mathcal{N}(m_\eta, s_\eta^2), \qquad
    \mu \mid \eta \sim
    \mathcal{N}\bigl(\kappa_0 + \kappa_1\eta,\ e^{2(\omega_0 + \omega_1 \eta)}\bigr),

with :math:`\kappa_1 = \omega_1 = 0` for ``"mean-field"``, :math:`\omega_1 = 0` for
``"full-rank"`` (a bivariate Normal in Cholesky form) and all six parameters
free for ``"structured"``, whose spread of :math:`\mu` can change with
:math:`\tau` as the exact posterior's does. Only the first two are jointly
Gaussian. Each family contains the one before it. The fit is the recipe of
chapter 4 (:mod:`vinotes.optimize`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from scipy import stats

from vinotes import _validation as check
from vinotes.meanfield import NormalGammaPrior
from vinotes.optimize import RECIPE_BETA_2, recipe_schedule, run_adam

tfd = tfp.distributions

FAMILIES = ("mean-field", "full-rank", "structured")
"""Surrogate families :func:`fit_normal_gamma_advi` accepts (eq. advi-families)."""

PARAMETER_NAMES = ("m_eta", "omega_eta", "kappa_0", "kappa_1", "omega_0", "omega_1")
r"""The surrogate's parameters in order, :math:`s_\eta = e^{\omega_\eta}` (eq. advi-families)."""

_FREE = {
    "mean-field": (1.0, 1.0, 1.0, 0.0, 1.0, 0.0),
    "full-rank": (1.0, 1.0, 1.0, 1.0, 1.0, 0.0),
    "structured": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
}


def normal_gamma_model(
    prior: NormalGammaPrior, num_observations: int
) -> tfd.JointDistributionNamed:
    r"""Chapter 5's model (eq. mf-model) as a TFP joint distribution of ``tau``, ``mu`` and ``x``.

    :math:`\tau \sim \operatorname{Gamma}(a_0, b_0)`,
    :math:`\mu \mid \tau \sim \mathcal{N}(\mu_0, (\lambda_0\tau)^{-1})` and
    :math:`x_i \mid \mu, \tau \sim \mathcal{N}(\mu, \tau^{-1})`, ``x`` of event shape ``[N]``.
    """
    prior = _check_prior(prior)
    num_observations = check.positive_int(num_observations, "num_observations")
    return _joint(
        tf.constant([prior.mean, prior.precision_scale, prior.shape, prior.rate], tf.float32),
        tf.ones([num_observations]),
    )


def _joint(numbers: tf.Tensor, ones: tf.Tensor) -> tfd.JointDistributionNamed:
    # ``ones`` has one entry per observation: x's event shape, known in the graph or not.
    mean, precision_scale, shape, rate = tf.unstack(numbers)
    return tfd.JointDistributionNamed(
        {
            "tau": tfd.Gamma(concentration=shape, rate=rate),
            "mu": lambda tau: tfd.Normal(mean, tf.math.rsqrt(precision_scale * tau)),
            "x": lambda mu, tau: tfd.Independent(
                tfd.Normal(mu[..., tf.newaxis] * ones, tf.math.rsqrt(tau)[..., tf.newaxis] * ones),
                reinterpreted_batch_ndims=1,
            ),
        }
    )


def unconstrained_log_joint(
    joint: tfd.JointDistributionNamed, mu: tf.Tensor, eta: tf.Tensor, data: tf.Tensor, jacobian=True
) -> tf.Tensor:
    r"""Eq. advi-jacobian: :math:`\log p(\mu, \tau = e^\eta, \mathcal{D}) + \eta`, or without it.

    A building block of :func:`fit_normal_gamma_advi`; ``mu`` and ``eta`` have one shape ``[...]``.
    """
    log_joint = joint.log_prob(tau=tf.exp(eta), mu=mu, x=data)
    return log_joint + tf.where(jacobian, eta, tf.zeros_like(eta))


def sample_surrogate(parameters: tf.Tensor, noise: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    r"""Reparameterized draws :math:`(\eta, \mu)` of eq. advi-families, noise of shape ``[..., 2]``.

    :math:`\eta = m_\eta + e^{\omega_\eta}\varepsilon_1`,
    :math:`\mu = \kappa_0 + \kappa_1\eta + e^{\omega_0 + \omega_1 \eta}\varepsilon_2`.
    A building block.
    """
    m_eta, omega_eta, kappa_0, kappa_1, omega_0, omega_1 = tf.unstack(parameters)
    eta = m_eta + tf.exp(omega_eta) * noise[..., 0]
    mu = kappa_0 + kappa_1 * eta + tf.exp(omega_0 + omega_1 * eta) * noise[..., 1]
    return eta, mu


def surrogate_log_density(parameters: tf.Tensor, eta: tf.Tensor, mu: tf.Tensor) -> tf.Tensor:
    r""":math:`\log q(\eta) + \log q(\mu \mid \eta)` of eq. advi-families, a building block."""
    m_eta, omega_eta, kappa_0, kappa_1, omega_0, omega_1 = tf.unstack(parameters)
    return tfd.Normal(m_eta, tf.exp(omega_eta)).log_prob(eta) + tfd.Normal(
        kappa_0 + kappa_1 * eta, tf.exp(omega_0 + omega_1 * eta)
    ).log_prob(mu)


@functools.lru_cache(maxsize=1)
def _compiled_advi_loop():
    @tf.function(
        jit_compile=True,
        input_signature=[
            tf.TensorSpec([4], tf.float32),  # the prior's numbers
            tf.TensorSpec([None], tf.float32),  # data
            tf.TensorSpec([6], tf.float32),  # initial parameters
            tf.TensorSpec([6], tf.float32),  # 1 where a parameter is free, 0 where it stays
            tf.TensorSpec([], tf.bool),  # with the Jacobian
            tf.TensorSpec([], tf.int32),  # num_steps
            tf.TensorSpec([], tf.float32),  # learning_rate
            tf.TensorSpec([], tf.int32),  # num_samples
            tf.TensorSpec([2], tf.int32),  # seed
        ],
    )
    def fit(numbers, data, initial, free, jacobian, num_steps, learning_rate, num_samples, seed):
        joint = _joint(numbers, tf.ones_like(data))
        all_noise = tf.random.stateless_normal([num_steps, num_samples, 2], seed=seed)
        schedule = recipe_schedule(
            num_steps,
            learning_rate,
            tf.constant(True),
            RECIPE_BETA_2,
            RECIPE_BETA_2,
            (num_steps + 1) // 2,
        )

        def loss(parameters, noise):
            # Fixed parameters get no gradient; sticking the landing stops log q's.
            parameters = free * parameters + (1.0 - free) * tf.stop_gradient(parameters)
            eta, mu = sample_surrogate(parameters, noise)
            log_q = surrogate_log_density(tf.stop_gradient(parameters), eta, mu)
            return -tf.reduce_mean(unconstrained_log_joint(joint, mu, eta, data, jacobian) - log_q)

        return run_adam(loss, initial, all_noise, *schedule)

    return fit


@dataclass(frozen=True)
class NormalGammaADVIFit:
    r"""A Gaussian surrogate in :math:`(\eta, \mu)` fitted by :func:`fit_normal_gamma_advi`.

    Attributes:
        family: one of :data:`FAMILIES`.
        parameters: the fitted
            :math:`(m_\eta, \omega_\eta, \kappa_0, \kappa_1, \omega_0, \omega_1)`.
        losses: the Monte Carlo negative ELBO at each step.
        mu_mean, mu_std, tau_mean, tau_std: the surrogate's moments of :math:`\mu`
            and :math:`\tau`, in closed form (eq. advi-moments).
    """

    family: str
    parameters: np.ndarray
    losses: np.ndarray
    mu_mean: float
    mu_std: float
    tau_mean: float
    tau_std: float

    def surrogate(self) -> tfd.JointDistributionNamed:
        r"""The surrogate: :math:`\tau` log-Normal, :math:`\mu \mid \tau` Normal.

        Its ``log_prob(tau=..., mu=...)`` is the density of :math:`(\tau, \mu)`, Jacobian included.
        """
        m_eta, omega_eta, kappa_0, kappa_1, omega_0, omega_1 = (
            float(value) for value in self.parameters
        )
        return tfd.JointDistributionNamed(
            {
                "tau": tfd.LogNormal(m_eta, math.exp(omega_eta)),
                "mu": lambda tau: tfd.Normal(
                    kappa_0 + kappa_1 * tf.math.log(tau),
                    tf.exp(omega_0 + omega_1 * tf.math.log(tau)),
                ),
            }
        )


def surrogate_moments(parameters: object) -> tuple[float, float, float, float]:
    r"""The means and standard deviations of :math:`\mu` and :math:`\tau` under eq. advi-families.

    With :math:`\eta \sim \mathcal{N}(m_\eta, s_\eta^2)` (eq. advi-moments):

    .. math::

        \mathbb{E}[\tau] = e^{m_\eta + s_\eta^2/2}, \quad
        \operatorname{sd}(\tau) = \mathbb{E}[\tau]\sqrt{e^{s_\eta^2} - 1}, \quad
        \mathbb{E}[\mu] = \kappa_0 + \kappa_1 m_\eta, \quad
        \operatorname{Var}(\mu) = e^{2\omega_0 + 2\omega_1 m_\eta + 2\omega_1^2 s_\eta^2}
        + \kappa_1^2 s_\eta^2.

    Returns:
        ``(mu_mean, mu_std, tau_mean, tau_std)`` as Python floats.
    """
    values = check.real_array(parameters, "parameters")
    if values.shape != (6,):
        raise ValueError(f"parameters must have shape (6,), got shape {values.shape}")
    m_eta, omega_eta, kappa_0, kappa_1, omega_0, omega_1 = values
    var_eta = math.exp(2.0 * omega_eta)
    tau_mean = math.exp(m_eta + 0.5 * var_eta)
    mu_var = math.exp(2.0 * omega_0 + 2.0 * omega_1 * m_eta + 2.0 * omega_1**2 * var_eta)
    mu_var += kappa_1**2 * var_eta
    return (
        float(kappa_0 + kappa_1 * m_eta),
        math.sqrt(mu_var),
        tau_mean,
        tau_mean * math.sqrt(math.expm1(var_eta)),
    )


def fit_normal_gamma_advi(
    data: object,
    prior: NormalGammaPrior,
    *,
    family: str,
    jacobian: bool = True,
    num_steps: int = 4000,
    learning_rate: float = 0.1,
    num_samples: int = 32,
    seed: object = (0, 0),
) -> NormalGammaADVIFit:
    r"""Fit a Gaussian surrogate in :math:`(\eta, \mu) = (\log\tau, \mu)` to chapter 5's posterior.

    Maximizes the ELBO of the unconstrained target (eq. advi-jacobian) over the
    parameters of ``family`` (eq. advi-families) with the recipe of chapter 4:
    Adam with a cosine-decayed rate and :math:`\beta_2 = 0.9`, sticking-the-landing
    gradients. It starts from
    :math:`\eta \sim \mathcal{N}(\log(a_0/b_0), 1)` and :math:`\mu \sim \mathcal{N}(\mu_0, 1)`,
    and is deterministic for a given ``seed``.

    Args:
        data: the observations, shape ``[N]``.
        prior: the Normal-Gamma prior :math:`(\mu_0, \lambda_0, a_0, b_0)`.
        family: ``"mean-field"``, ``"full-rank"`` or ``"structured"``.
        jacobian: whether the target includes the log-Jacobian :math:`\eta`
            (``False`` shows what dropping it does).
        num_steps, learning_rate, num_samples, seed: as for
            :func:`vinotes.optimize.fit_surrogate`.

    Returns:
        A :class:`NormalGammaADVIFit`.
    """
    data = check.observed_data(data, "data")
    prior = _check_prior(prior)
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    if not isinstance(jacobian, bool):
        raise TypeError(f"jacobian must be True or False, got {type(jacobian).__name__}")
    num_steps = check.positive_int(num_steps, "num_steps")
    learning_rate = check.positive_float(learning_rate, "learning_rate")
    num_samples = check.positive_int(num_samples, "num_samples")
    seed = check.stateless_seed(seed)
    initial = [math.log(prior.shape / prior.rate), 0.0, prior.mean, 0.0, 0.0, 0.0]
    losses, path = _compiled_advi_loop()(
        tf.constant([prior.mean, prior.precision_scale, prior.shape, prior.rate], tf.float32),
        data,
        tf.constant(initial, tf.float32),
        tf.constant(_FREE[family], tf.float32),
        tf.constant(jacobian),
        tf.constant(num_steps),
        tf.constant(learning_rate, tf.float32),
        tf.constant(num_samples),
        seed,
    )
    parameters = path.numpy()[-1].astype(np.float64)
    return NormalGammaADVIFit(family, parameters, losses.numpy(), *surrogate_moments(parameters))


def normal_gamma_elbo_estimate(
    surrogate: object,
    data: object,
    prior: NormalGammaPrior,
    *,
    num_samples: int = 20000,
    seed: object = (0, 0),
) -> tuple[float, float]:
    r"""Monte Carlo ELBO of any surrogate over ``tau`` and ``mu``, and its standard error.

    .. math::

        \mathrm{ELBO}(q) \approx \frac1L \sum_l \Bigl[\log p(\mu_l, \tau_l, \mathcal{D})
        - \log q(\mu_l, \tau_l)\Bigr], \qquad (\mu_l, \tau_l) \sim q,

    with the log joint of eq. mf-model in float64 (SciPy) and the standard
    error the sample standard deviation of the terms over :math:`\sqrt{L}`.
    ``surrogate.sample`` must return a dict with ``"tau"`` and ``"mu"`` and
    ``surrogate.log_prob`` take it (:meth:`NormalGammaADVIFit.surrogate`, TFP's
    surrogates of the pinned :func:`normal_gamma_model`).
    """
    if not all(callable(getattr(surrogate, name, None)) for name in ("sample", "log_prob")):
        raise TypeError(
            "surrogate must be a distribution with sample and log_prob, "
            f"got {type(surrogate).__name__}"
        )
    observations = check.observed_array(data, "data")
    prior = _check_prior(prior)
    num_samples = check.positive_int(num_samples, "num_samples")
    if num_samples < 2:
        raise ValueError("num_samples must be at least 2 for a standard error, got 1")
    draws = surrogate.sample(num_samples, seed=check.stateless_seed(seed))
    if not isinstance(draws, dict) or not {"tau", "mu"} <= set(draws):
        raise ValueError("surrogate must draw a dict with the keys 'tau' and 'mu'")
    log_q = surrogate.log_prob(draws).numpy().astype(np.float64)
    mu = draws["mu"].numpy().astype(np.float64)
    tau = draws["tau"].numpy().astype(np.float64)
    log_likelihood = stats.norm.logpdf(
        observations, mu[:, np.newaxis], 1.0 / np.sqrt(tau)[:, np.newaxis]
    ).sum(axis=1)
    terms = prior.log_prob(mu, tau) + log_likelihood - log_q
    return float(terms.mean()), float(terms.std(ddof=1) / math.sqrt(num_samples))


def _check_prior(prior: object) -> NormalGammaPrior:
    if not isinstance(prior, NormalGammaPrior):
        raise TypeError(f"prior must be a NormalGammaPrior, got {type(prior).__name__}")
    return prior
