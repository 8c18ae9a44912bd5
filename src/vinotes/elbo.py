r"""The ELBO of a Normal surrogate for the running example, exact and by sampling.

Chapter 3 defines, for a surrogate :math:`q(\mu) = \mathcal{N}(m, s^2)`,

.. math::

    \mathrm{ELBO}(q) = \mathbb{E}_q[\log p(\mu, \mathcal{D})] - \mathbb{E}_q[\log q(\mu)]
    \qquad (\text{eq. elbo-definition})

and derives its closed form (eq. elbo-closed-form), its Monte Carlo estimate
(eq. elbo-monte-carlo), its exact gradient (eq. elbo-gradient) and two
estimators of that gradient: by reparameterization (eq. elbo-reparameterization)
and by the score function (eq. elbo-score-function).

Every function accepts ``loc`` and ``scale`` of any broadcastable shapes and
returns one value per element of the broadcast batch; Monte Carlo estimates
for different batch elements use independent samples.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import tensorflow as tf

from vinotes import _validation as check
from vinotes.model import NormalModel, _check_model, log_normal_density
from vinotes.posterior import posterior_parameters, summarize

_LOG_TWO_PI = math.log(2.0 * math.pi)


class ElboGradient(NamedTuple):
    """The gradient of the ELBO with respect to the surrogate's ``loc`` and ``scale``."""

    loc: tf.Tensor
    scale: tf.Tensor


def _surrogate_parameters(loc: object, scale: object) -> tuple[tf.Tensor, tf.Tensor]:
    loc = check.real_tensor(loc, "loc")
    scale = check.positive_tensor(scale, "scale")
    shape = tf.broadcast_dynamic_shape(tf.shape(loc), tf.shape(scale))
    return tf.broadcast_to(loc, shape), tf.broadcast_to(scale, shape)


def elbo_closed_form(model: NormalModel, data: object, loc: object, scale: object) -> tf.Tensor:
    r"""The exact ELBO of :math:`q = \mathcal{N}(m, s^2)` (eq. elbo-closed-form).

    .. math::

        \mathrm{ELBO}(m, s) =
        - \tfrac12 \log(2\pi\sigma_0^2) - \frac{(m - \mu_0)^2 + s^2}{2\sigma_0^2}
        - \tfrac{N}{2} \log(2\pi\sigma^2)
        - \frac{\sum_i (x_i - \bar{x})^2 + N(\bar{x} - m)^2 + N s^2}{2\sigma^2}
        + \tfrac12 \log(2\pi e s^2).

    Differentiable in ``loc`` and ``scale``; vectorized over their broadcast shape.

    Returns:
        A float32 tensor of the broadcast shape of ``loc`` and ``scale``.
    """
    model = _check_model(model)
    summary = summarize(data)
    loc, scale = _surrogate_parameters(loc, scale)
    n = float(summary.count)
    mean = tf.cast(summary.mean, tf.float32)
    spread = tf.cast(summary.centered_sum_of_squares, tf.float32)
    prior_var, noise_var = model.prior_std**2, model.noise_std**2
    expected_log_prior = -0.5 * math.log(2.0 * math.pi * prior_var) - (
        tf.square(loc - model.prior_mean) + tf.square(scale)
    ) / (2.0 * prior_var)
    expected_log_likelihood = -0.5 * n * math.log(2.0 * math.pi * noise_var) - (
        spread + n * tf.square(mean - loc) + n * tf.square(scale)
    ) / (2.0 * noise_var)
    entropy = 0.5 * (_LOG_TWO_PI + 1.0) + tf.math.log(scale)
    return expected_log_prior + expected_log_likelihood + entropy


class ElboTerms(NamedTuple):
    r"""Draws from the surrogate and the terms of the Monte Carlo ELBO.

    ``draws`` holds the :math:`\mu_l \sim q`, ``values`` the terms
    :math:`\log p(\mu_l, \mathcal{D}) - \log q(\mu_l)`.
    """

    draws: tf.Tensor
    values: tf.Tensor


def elbo_terms(
    model: NormalModel,
    data: object,
    loc: object,
    scale: object,
    num_samples: int,
    seed: object,
) -> ElboTerms:
    r"""The ``num_samples`` terms that eq. elbo-monte-carlo averages, with their draws.

    Draws :math:`\mu_l = m + s\,\varepsilon_l` with standard Normal
    :math:`\varepsilon_l` from the stateless ``seed`` and evaluates
    :math:`\log p(\mu_l, \mathcal{D}) - \log q(\mu_l)` at each.

    Returns:
        Two float32 tensors of shape ``[num_samples, *batch]``, where ``batch`` is
        the broadcast shape of ``loc`` and ``scale``.
    """
    model = _check_model(model)
    loc, scale = _surrogate_parameters(loc, scale)
    num_samples = check.positive_int(num_samples, "num_samples")
    noise = tf.random.stateless_normal(
        tf.concat([[num_samples], tf.shape(loc)], axis=0), seed=check.stateless_seed(seed)
    )
    mu = loc + scale * noise
    return ElboTerms(
        draws=mu, values=model.log_joint(mu, data) - log_normal_density(mu, loc, scale)
    )


def elbo_monte_carlo(
    model: NormalModel,
    data: object,
    loc: object,
    scale: object,
    num_samples: int,
    seed: object,
) -> tf.Tensor:
    r"""Monte Carlo estimate of the ELBO with ``num_samples`` draws (eq. elbo-monte-carlo).

    .. math::

        \widehat{\mathrm{ELBO}} = \frac1L \sum_{l=1}^{L}
        \bigl[\log p(\mu_l, \mathcal{D}) - \log q(\mu_l)\bigr],
        \qquad \mu_l = m + s\,\varepsilon_l,\; \varepsilon_l \sim \mathcal{N}(0, 1).

    The draws are written as :math:`m + s\varepsilon` (reparameterization), so the
    estimate is differentiable in ``loc`` and ``scale``. Deterministic for a seed.

    Returns:
        A float32 tensor of the broadcast shape of ``loc`` and ``scale``.
    """
    terms = elbo_terms(model, data, loc, scale, num_samples, seed)
    return tf.reduce_mean(terms.values, axis=0)


def elbo_gradient_exact(
    model: NormalModel, data: object, loc: object, scale: object
) -> ElboGradient:
    r"""The exact gradient of eq. elbo-closed-form (eq. elbo-gradient).

    .. math::

        \frac{\partial\,\mathrm{ELBO}}{\partial m} = \frac{\mu_N - m}{\sigma_N^2},
        \qquad
        \frac{\partial\,\mathrm{ELBO}}{\partial s} = \frac{1}{s} - \frac{s}{\sigma_N^2},

    zero exactly at :math:`(m, s) = (\mu_N, \sigma_N)`, the exact posterior.
    """
    model = _check_model(model)
    mean, std = posterior_parameters(model, data)
    loc, scale = _surrogate_parameters(loc, scale)
    precision = 1.0 / std**2
    return ElboGradient(loc=(mean - loc) * precision, scale=1.0 / scale - scale * precision)


def elbo_gradient_reparameterization(
    model: NormalModel,
    data: object,
    loc: object,
    scale: object,
    num_samples: int,
    seed: object,
) -> ElboGradient:
    r"""Reparameterization estimate of the ELBO's gradient (eq. elbo-reparameterization).

    Automatic differentiation of :func:`elbo_monte_carlo` through
    :math:`\mu_l = m + s\,\varepsilon_l`:

    .. math::

        \widehat{\nabla}_{m,s} = \frac1L \sum_{l=1}^L \nabla_{m,s}
        \bigl[\log p(m + s\varepsilon_l, \mathcal{D}) - \log q(m + s\varepsilon_l)\bigr].

    Uses the same draws as :func:`elbo_gradient_score_function` for the same seed.
    """
    loc, scale = _surrogate_parameters(loc, scale)
    with tf.GradientTape() as tape:
        tape.watch([loc, scale])
        total = tf.reduce_sum(elbo_monte_carlo(model, data, loc, scale, num_samples, seed))
    gradient_loc, gradient_scale = tape.gradient(total, [loc, scale])
    return ElboGradient(loc=gradient_loc, scale=gradient_scale)


def elbo_gradient_score_function(
    model: NormalModel,
    data: object,
    loc: object,
    scale: object,
    num_samples: int,
    seed: object,
) -> ElboGradient:
    r"""Score-function (REINFORCE) estimate of the ELBO's gradient (eq. elbo-score-function).

    .. math::

        \widehat{\nabla}_{m,s} = \frac1L \sum_{l=1}^L \nabla_{m,s} \log q(\mu_l)\,
        \bigl[\log p(\mu_l, \mathcal{D}) - \log q(\mu_l)\bigr],
        \quad
        \partial_m \log q = \frac{\mu - m}{s^2},\;
        \partial_s \log q = \frac{(\mu - m)^2 - s^2}{s^3}.

    Only the log density of :math:`q` is differentiated, never the model: the
    estimator works for any model, at the price of a larger variance.
    """
    loc, scale = _surrogate_parameters(loc, scale)
    mu, weight = elbo_terms(model, data, loc, scale, num_samples, seed)
    score_loc = (mu - loc) / tf.square(scale)
    score_scale = (tf.square(mu - loc) - tf.square(scale)) / scale**3
    return ElboGradient(
        loc=tf.reduce_mean(score_loc * weight, axis=0),
        scale=tf.reduce_mean(score_scale * weight, axis=0),
    )
