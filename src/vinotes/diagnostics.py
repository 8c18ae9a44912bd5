r"""Checks of a fitted surrogate that need no exact posterior (chapter 7).

Both use the surrogate :math:`q` as an importance-sampling proposal for the
posterior, with the log importance weights

.. math::

    \log W(z) = \log p(z, \mathcal{D}) - \log q(z), \qquad z \sim q \qquad (\text{eq. iw-weight}).

**The importance-weighted bound** (eq. iw-bound) averages :math:`K` weights
inside the logarithm:

.. math::

    \mathrm{ELBO}_K = \mathbb{E}_{z_1, \dots, z_K \sim q}\Bigl[
    \log \frac{1}{K} \sum_{l=1}^K W(z_l)\Bigr],

so :math:`\mathrm{ELBO}_1` is the ELBO, :math:`\mathrm{ELBO}_K \le \mathrm{ELBO}_{K+1}
\le \log p(\mathcal{D})` by Jensen's inequality, and :math:`\mathrm{ELBO}_K \to
\log p(\mathcal{D})` as :math:`K \to \infty` if the weights are bounded (Burda,
Grosse and Salakhutdinov, 2016).

**Pareto-smoothed importance sampling** (PSIS; Vehtari et al., 2024) fits a
generalized Pareto distribution to the largest weights. Its shape estimate
:math:`\hat k` says how heavy their tail is; the self-normalized importance
estimates :math:`\sum_l \tilde W_l f(z_l)` with smoothed weights :math:`\tilde W_l`
are to be trusted only when :math:`\hat k < \min(1 - 1/\log_{10} L, 0.7)` for
:math:`L` draws. The smoothing and :math:`\hat k` are ArviZ's (:func:`arviz.psislw`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from vinotes import _validation as check

with warnings.catch_warnings():
    # ArviZ 0.2x announces its coming refactor once a day at import (a FutureWarning),
    # which would make a notebook's output depend on the date.
    warnings.simplefilter("ignore", FutureWarning)
    import arviz


def log_importance_weights(
    log_joint, surrogate: object, data: object, num_samples: int, seed: object
) -> tuple[object, np.ndarray]:
    r"""Draws :math:`z_l \sim q` and their log importance weights.

    Args:
        log_joint: a function ``log_joint(z, data)`` returning one log joint
            density per draw; ``z`` is what ``surrogate.sample`` returns (a
            tensor, or a dict for a joint distribution).
        surrogate: a distribution with ``sample(n, seed=...)`` and ``log_prob``.
        data: the observations, passed to ``log_joint`` unchanged.
        num_samples: the number of draws :math:`L`.
        seed: a stateless seed.

    Returns:
        The draws, and the log weights as a float64 array of shape ``[L]``.
    """
    log_joint = _check_callable(log_joint, "log_joint")
    surrogate = _check_surrogate(surrogate)
    num_samples = check.positive_int(num_samples, "num_samples")
    seed = check.stateless_seed(seed)
    draws = surrogate.sample(num_samples, seed=seed)
    log_p = tf.cast(log_joint(draws, data), tf.float64)
    log_q = tf.cast(surrogate.log_prob(draws), tf.float64)
    if log_p.shape != (num_samples,) or log_q.shape != (num_samples,):
        raise ValueError(
            f"log_joint and surrogate.log_prob must give one value per draw, shape "
            f"[{num_samples}]; got {log_p.shape} and {log_q.shape}"
        )
    return draws, (log_p - log_q).numpy()


def importance_weighted_bound(
    log_joint,
    surrogate: object,
    data: object,
    num_importance: int,
    num_samples: int,
    seed: object,
) -> tuple[float, float]:
    r"""Monte Carlo estimate of :math:`\mathrm{ELBO}_K` (eq. iw-bound) and its standard error.

    Draws ``num_samples`` independent groups of :math:`K` = ``num_importance``
    draws from ``surrogate``; each group gives one value of
    :math:`\log \frac1K \sum_l W(z_l)`, and the estimate is their mean.

    Args:
        log_joint, surrogate, data: as for :func:`log_importance_weights`.
        num_importance: :math:`K \ge 1`; :math:`K = 1` gives the ELBO.
        num_samples: the number of groups.
        seed: a stateless seed.

    Returns:
        ``(estimate, standard_error)`` as Python floats; the error is NaN for
        a single group.
    """
    num_importance = check.positive_int(num_importance, "num_importance")
    num_samples = check.positive_int(num_samples, "num_samples")
    _, log_weights = log_importance_weights(
        log_joint, surrogate, data, num_importance * num_samples, seed
    )
    groups = log_weights.reshape(num_samples, num_importance)
    peak = groups.max(axis=1, keepdims=True)
    values = peak[:, 0] + np.log(np.mean(np.exp(groups - peak), axis=1))
    error = values.std(ddof=1) / math.sqrt(num_samples) if num_samples > 1 else math.nan
    return float(values.mean()), float(error)


@dataclass(frozen=True)
class PSISResult:
    r"""Pareto-smoothed importance sampling with a surrogate as the proposal.

    Attributes:
        k_hat: the Pareto shape estimate :math:`\hat k` of the weights' tail.
        effective_sample_size: :math:`1 / \sum_l \tilde W_l^2` of the smoothed,
            normalized weights.
        means, variances: the importance-corrected posterior means and
            variances of each latent, :math:`\sum_l \tilde W_l z_l` and
            :math:`\sum_l \tilde W_l (z_l - \text{mean})^2`; a dict for a
            joint distribution's draws (``surrogate.sample`` returns a dict),
            else an array of one draw's shape.
        surrogate_means, surrogate_variances: the same moments of the draws
            without weights, that is, of the surrogate.
    """

    k_hat: float
    effective_sample_size: float
    means: object
    variances: object
    surrogate_means: object
    surrogate_variances: object


def psis_diagnostics(
    log_joint, surrogate: object, data: object, num_samples: int, seed: object
) -> PSISResult:
    r"""PSIS with ``surrogate`` as the proposal: :math:`\hat k` and corrected moments.

    Args:
        log_joint, surrogate, data, num_samples, seed: as for
            :func:`log_importance_weights`; at least 100 draws. (ArviZ fits
            the tail to the largest :math:`\min(L/5, 3\sqrt L)` weights and
            returns :math:`\hat k = \infty` when fewer than five lie above its cutoff.)

    Returns:
        A :class:`PSISResult`.
    """
    num_samples = check.positive_int(num_samples, "num_samples")
    if num_samples < 100:
        raise ValueError(f"num_samples must be at least 100 for a Pareto fit, got {num_samples}")
    draws, log_weights = log_importance_weights(log_joint, surrogate, data, num_samples, seed)
    with np.errstate(over="ignore"):  # ArviZ's tail fit overflows harmlessly to 1 / inf = 0
        smoothed, k_hat = arviz.psislw(log_weights)  # normalized: the weights sum to one
    weights = np.exp(smoothed)
    uniform = np.full(num_samples, 1.0 / num_samples)
    if isinstance(draws, dict):
        corrected = {name: _moments(value, weights) for name, value in draws.items()}
        plain = {name: _moments(value, uniform) for name, value in draws.items()}
    else:
        corrected, plain = _moments(draws, weights), _moments(draws, uniform)
    return PSISResult(
        k_hat=float(k_hat),
        effective_sample_size=float(1.0 / np.sum(weights**2)),
        means=_pick(corrected, 0),
        variances=_pick(corrected, 1),
        surrogate_means=_pick(plain, 0),
        surrogate_variances=_pick(plain, 1),
    )


def _moments(values: object, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean and variance over the first axis; the weights sum to one."""
    values = np.asarray(values, np.float64)
    weights = weights.reshape((-1,) + (1,) * (values.ndim - 1))
    mean = np.sum(weights * values, axis=0)
    return mean, np.sum(weights * (values - mean) ** 2, axis=0)


def _pick(moments: object, index: int) -> object:
    """From a structure of (mean, variance) pairs, the structure of one of them."""
    if isinstance(moments, dict):
        return {name: pair[index] for name, pair in moments.items()}
    return moments[index]


def _check_callable(value: object, name: str):
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {type(value).__name__}")
    return value


def _check_surrogate(surrogate: object) -> object:
    if not (
        callable(getattr(surrogate, "sample", None))
        and callable(getattr(surrogate, "log_prob", None))
    ):
        raise TypeError(
            "surrogate must be a distribution with sample and log_prob methods, "
            f"got {type(surrogate).__name__}"
        )
    return surrogate
