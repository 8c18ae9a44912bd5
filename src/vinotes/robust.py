r"""A robust mean: the running example with a Student-t likelihood (chapter 6).

.. math::

    \mu \sim \mathcal{N}(\mu_0, \sigma_0^2), \qquad
    x_i \mid \mu \sim \operatorname{St}(\nu, \mu, \sigma), \; i = 1, \dots, N
    \qquad (\text{eq. robust-model}),

where :math:`\operatorname{St}(\nu, \mu, \sigma)` is Student's t distribution
with :math:`\nu` degrees of freedom, location :math:`\mu` and scale
:math:`\sigma`, with the log density (eq. robust-student-t)

.. math::

    \log \operatorname{St}(x \mid \nu, \mu, \sigma) =
    \log\Gamma\Bigl(\frac{\nu + 1}{2}\Bigr) - \log\Gamma\Bigl(\frac{\nu}{2}\Bigr)
    - \frac12 \log(\nu\pi) - \log\sigma
    - \frac{\nu + 1}{2} \log\Bigl(1 + \frac{(x - \mu)^2}{\nu\sigma^2}\Bigr).

Its tails fall off as a power, so one far observation moves the posterior of
:math:`\mu` much less than under a Normal likelihood; the price is a posterior
with no closed form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import tensorflow as tf

from vinotes import _validation as check
from vinotes.model import _double_if_needed, log_normal_density


def log_student_t_density(value: object, dof: object, loc: object, scale: object) -> tf.Tensor:
    r"""Elementwise :math:`\log \operatorname{St}(x \mid \nu, \mu, \sigma)` (eq. robust-student-t).

    Broadcasts; float32, or float64 if ``value`` is a float64 tensor. Values are
    checked when run eagerly (finite ``value`` and ``loc``, positive ``dof`` and
    ``scale``), not inside a graph.
    """
    value = check.real_tensor(value, "value")
    dof = tf.cast(check.positive_tensor(_double_if_needed(value, dof, "dof"), "dof"), value.dtype)
    loc = tf.cast(check.real_tensor(_double_if_needed(value, loc, "loc"), "loc"), value.dtype)
    scale = check.positive_tensor(_double_if_needed(value, scale, "scale"), "scale")
    scale = tf.cast(scale, value.dtype)
    standardized = (value - loc) / scale
    return (
        tf.math.lgamma(0.5 * (dof + 1.0))
        - tf.math.lgamma(0.5 * dof)
        - 0.5 * tf.math.log(dof * math.pi)
        - tf.math.log(scale)
        - 0.5 * (dof + 1.0) * tf.math.log1p(tf.square(standardized) / dof)
    )


@dataclass(frozen=True)
class StudentTModel:
    r"""A Normal prior on :math:`\mu` and a Student-t likelihood (eq. robust-model).

    Args:
        prior_mean: :math:`\mu_0`, a finite number.
        prior_std: :math:`\sigma_0 > 0`.
        scale: the likelihood's scale :math:`\sigma > 0`.
        dof: its degrees of freedom :math:`\nu > 0` (a Normal likelihood as
            :math:`\nu \to \infty`).

    Raises:
        TypeError: if an argument is not a real number.
        ValueError: if an argument is not finite, or one that must be positive is not.
    """

    prior_mean: float
    prior_std: float
    scale: float
    dof: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "prior_mean", check.finite_float(self.prior_mean, "prior_mean"))
        for name in ("prior_std", "scale", "dof"):
            object.__setattr__(self, name, check.positive_float(getattr(self, name), name))

    def log_joint(self, mu: object, data: object) -> tf.Tensor:
        r"""The log joint density :math:`\log p(\mu, \mathcal{D})`.

        .. math::

            \log p(\mu, \mathcal{D}) = \log \mathcal{N}(\mu; \mu_0, \sigma_0^2)
            + \sum_{i=1}^N \log \operatorname{St}(x_i \mid \nu, \mu, \sigma).

        Args:
            mu: values of :math:`\mu`, any shape ``[...]``.
            data: the observations, shape ``[N]``.

        Returns:
            A tensor of shape ``[...]``, one log joint per value of ``mu``: float32,
            or float64 if ``mu`` is a float64 tensor.
        """
        mu = check.real_tensor(mu, "mu")
        data = tf.cast(check.observed_data(data, "data"), mu.dtype)
        log_prior = log_normal_density(mu, self.prior_mean, self.prior_std)
        log_likelihood = tf.reduce_sum(
            log_student_t_density(data, self.dof, mu[..., tf.newaxis], self.scale), axis=-1
        )
        return log_prior + log_likelihood
