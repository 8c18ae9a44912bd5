r"""Closed forms of the running example: the exact posterior and the evidence.

Chapter 2 derives them. With precision-weighted notation,

.. math::

    \frac{1}{\sigma_N^2} = \frac{1}{\sigma_0^2} + \frac{N}{\sigma^2},
    \qquad
    \mu_N = \sigma_N^2 \Bigl(\frac{\mu_0}{\sigma_0^2} + \frac{N \bar{x}}{\sigma^2}\Bigr)
    \qquad (\text{eqs. post-precision, post-mean})

and the log evidence, in a form that needs no :math:`N \times N` matrix,

.. math::

    \log p(\mathcal{D}) = -\frac{N}{2}\log(2\pi\sigma^2)
    - \frac12 \log\Bigl(1 + \frac{N\sigma_0^2}{\sigma^2}\Bigr)
    - \frac{\sum_i (x_i - \bar{x})^2}{2\sigma^2}
    - \frac{(\bar{x} - \mu_0)^2}{2(\sigma_0^2 + \sigma^2/N)}
    \qquad (\text{eq. evidence-stable}).

Both are computed in float64 from centred sums and returned as float32.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import tensorflow as tf
import tensorflow_probability as tfp

from vinotes import _validation as check
from vinotes.model import NormalModel, _check_model

tfd = tfp.distributions


class DataSummary(NamedTuple):
    """The sufficient statistics of the data, in float64."""

    count: int
    mean: tf.Tensor
    centered_sum_of_squares: tf.Tensor


def summarize(data: object) -> DataSummary:
    r"""Return :math:`N`, :math:`\bar{x}` and :math:`\sum_i (x_i - \bar{x})^2` of ``data``."""
    data = tf.cast(check.observed_data(data, "data"), tf.float64)
    mean = tf.reduce_mean(data)
    return DataSummary(
        count=int(data.shape[0]),
        mean=mean,
        centered_sum_of_squares=tf.reduce_sum(tf.square(data - mean)),
    )


def posterior_parameters(model: NormalModel, data: object) -> tuple[float, float]:
    r"""The exact posterior's mean :math:`\mu_N` and standard deviation :math:`\sigma_N`.

    Eqs. post-precision and post-mean: the posterior precision is the prior
    precision plus :math:`N` times the precision of one observation, and the
    posterior mean is the precision-weighted average of :math:`\mu_0` and
    :math:`\bar{x}`.

    Returns:
        ``(mu_N, sigma_N)`` as Python floats.
    """
    model = _check_model(model)
    summary = summarize(data)
    prior_precision = 1.0 / model.prior_std**2
    data_precision = summary.count / model.noise_std**2
    precision = prior_precision + data_precision
    mean = (prior_precision * model.prior_mean + data_precision * float(summary.mean)) / precision
    return mean, math.sqrt(1.0 / precision)


def exact_posterior(model: NormalModel, data: object) -> tfd.Normal:
    r"""The exact posterior :math:`p(\mu \mid \mathcal{D}) = \mathcal{N}(\mu_N, \sigma_N^2)`.

    See :func:`posterior_parameters` (eqs. post-precision, post-mean).

    Returns:
        A float32 ``tfd.Normal``.
    """
    mean, std = posterior_parameters(model, data)
    # tf.float32 is also what TF makes of a Python float: its mutants behave the same.
    return tfd.Normal(
        loc=tf.constant(mean, tf.float32),  # pragma: no mutate
        scale=tf.constant(std, tf.float32),  # pragma: no mutate
    )


def log_evidence(model: NormalModel, data: object) -> tf.Tensor:
    r"""The log evidence :math:`\log p(\mathcal{D})` of eq. evidence-stable.

    The data are jointly Normal, :math:`\mathcal{D} \sim \mathcal{N}(\mu_0 1_N,
    \sigma^2 I_N + \sigma_0^2 1_N 1_N^\top)` with :math:`1_N` the vector of :math:`N`
    ones (eq. evidence-marginal); the determinant lemma and
    the Sherman-Morrison formula reduce its log density to centred sums, which
    stay accurate for large :math:`N`.

    Returns:
        A float32 scalar tensor.
    """
    model = _check_model(model)
    summary = summarize(data)
    n = summary.count
    noise_var = model.noise_std**2
    prior_var = model.prior_std**2
    value = (
        -0.5 * n * math.log(2.0 * math.pi * noise_var)
        - 0.5 * math.log1p(n * prior_var / noise_var)
        - summary.centered_sum_of_squares / (2.0 * noise_var)
        - tf.square(summary.mean - model.prior_mean) / (2.0 * (prior_var + noise_var / n))
    )
    return tf.cast(value, tf.float32)
