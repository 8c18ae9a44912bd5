r"""A bimodal posterior with closed forms: the running example with a mixture prior (chapter 7).

The prior says that :math:`\mu` lies near one of two values,

.. math::

    \mu \sim \phi_1\,\mathcal{N}(\mu_{0,1}, \sigma_0^2)
    + \phi_2\,\mathcal{N}(\mu_{0,2}, \sigma_0^2),
    \qquad x_i \mid \mu \sim \mathcal{N}(\mu, \sigma^2)
    \qquad (\text{eq. mix-model}).

Given which component :math:`c` the prior drew from, this is chapter 1's model
with prior mean :math:`\mu_{0,c}`, so chapter 2's algebra applies per component.
The posterior is again a two-component mixture (eq. mix-posterior),

.. math::

    p(\mu \mid \mathcal{D}) = \sum_{c=1}^2 \phi_{N,c}\,\mathcal{N}(\mu; \mu_{N,c}, \sigma_N^2),
    \qquad \phi_{N,c} = \frac{\phi_c\,p(\mathcal{D} \mid c)}{p(\mathcal{D})},
    \qquad p(\mathcal{D}) = \sum_{c=1}^2 \phi_c\,p(\mathcal{D} \mid c),

with weights :math:`\phi_1 + \phi_2 = 1`, each component's posterior mean
:math:`\mu_{N,c}` and evidence :math:`p(\mathcal{D} \mid c)` from eqs. post-mean and
evidence-stable, and one :math:`\sigma_N` (eq. post-precision) for both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy import special, stats

from vinotes import _validation as check
from vinotes.model import NormalModel, log_normal_density
from vinotes.posterior import posterior_parameters


@dataclass(frozen=True)
class MixturePriorModel:
    r"""Chapter 1's model with a two-component mixture prior on :math:`\mu` (eq. mix-model).

    Args:
        weight: :math:`\phi_1`, the prior probability of the first component, in (0, 1).
        mean_1, mean_2: the components' means :math:`\mu_{0,1}` and :math:`\mu_{0,2}`.
        prior_std: the components' common standard deviation :math:`\sigma_0 > 0`.
        noise_std: the likelihood's standard deviation :math:`\sigma > 0`.

    Raises:
        TypeError: if an argument is not a real number.
        ValueError: if an argument is not finite, ``weight`` is not in (0, 1), or
            a standard deviation is not positive.
    """

    weight: float
    mean_1: float
    mean_2: float
    prior_std: float
    noise_std: float

    def __post_init__(self) -> None:
        weight = check.finite_float(self.weight, "weight")
        if not 0.0 < weight < 1.0:
            raise ValueError(f"weight must lie in (0, 1), got {weight}")
        object.__setattr__(self, "weight", weight)
        for name in ("mean_1", "mean_2"):
            object.__setattr__(self, name, check.finite_float(getattr(self, name), name))
        for name in ("prior_std", "noise_std"):
            object.__setattr__(self, name, check.positive_float(getattr(self, name), name))

    def components(self) -> tuple[NormalModel, NormalModel]:
        """Chapter 1's model for each prior component, in order."""
        return tuple(
            NormalModel(prior_mean=mean, prior_std=self.prior_std, noise_std=self.noise_std)
            for mean in (self.mean_1, self.mean_2)
        )

    def log_joint(self, mu: object, data: object) -> tf.Tensor:
        r"""The log joint density :math:`\log p(\mu, \mathcal{D})` of eq. mix-model.

        .. math::

            \log p(\mu, \mathcal{D})
            = \log\sum_{c=1}^2 \phi_c\,\mathcal{N}(\mu; \mu_{0,c}, \sigma_0^2)
            + \sum_{i=1}^N \log\mathcal{N}(x_i; \mu, \sigma^2).

        Args:
            mu: values of :math:`\mu`, any shape ``[...]``.
            data: the observations, shape ``[N]``.

        Returns:
            A tensor of shape ``[...]``: float32, or float64 if ``mu`` is a float64 tensor.
        """
        mu = check.real_tensor(mu, "mu")
        data = tf.cast(check.observed_data(data, "data"), mu.dtype)
        weight = _in_dtype(self.weight, mu.dtype)
        log_weights = tf.stack([tf.math.log(weight), tf.math.log1p(-weight)])
        means = tf.stack([_in_dtype(self.mean_1, mu.dtype), _in_dtype(self.mean_2, mu.dtype)])
        log_prior = tf.reduce_logsumexp(
            log_weights + log_normal_density(mu[..., tf.newaxis], means, self.prior_std),
            axis=-1,
        )
        log_likelihood = tf.reduce_sum(
            log_normal_density(data, mu[..., tf.newaxis], self.noise_std), axis=-1
        )
        return log_prior + log_likelihood


def _in_dtype(value: object, dtype: tf.DType) -> tf.Tensor:
    """A field as a tensor of ``dtype``: a Python float, or a tensor inside fit_surrogate's loop."""
    return tf.cast(value, dtype) if tf.is_tensor(value) else tf.constant(value, dtype)


@dataclass(frozen=True)
class MixturePosterior:
    r"""The exact posterior of eq. mix-posterior, in float64.

    Attributes:
        weights: :math:`(\phi_{N,1}, \phi_{N,2})`.
        means: :math:`(\mu_{N,1}, \mu_{N,2})`.
        std: the components' common standard deviation :math:`\sigma_N`.
        log_evidence: :math:`\log p(\mathcal{D})`.
    """

    weights: np.ndarray
    means: np.ndarray
    std: float
    log_evidence: float

    def mean(self) -> float:
        r"""The posterior mean :math:`\sum_c \phi_{N,c} \mu_{N,c}` (eq. kl-forward-moments)."""
        return float(self.weights @ self.means)

    def variance(self) -> float:
        r"""The posterior variance (eq. kl-forward-moments).

        :math:`\sigma_N^2 + \sum_c \phi_{N,c} (\mu_{N,c} - \text{mean})^2`.
        """
        return float(self.std**2 + self.weights @ (self.means - self.mean()) ** 2)

    def log_prob(self, mu: object) -> np.ndarray:
        r"""The log posterior density :math:`\log p(\mu \mid \mathcal{D})`, elementwise."""
        mu = check.real_array(mu, "mu")[..., np.newaxis]
        per_component = np.log(self.weights) + stats.norm.logpdf(mu, self.means, self.std)
        return special.logsumexp(per_component, axis=-1)


def mixture_posterior(model: MixturePriorModel, data: object) -> MixturePosterior:
    r"""The exact posterior and evidence of the mixture-prior model (eq. mix-posterior).

    Args:
        model: a :class:`MixturePriorModel`.
        data: the observations, shape ``[N]``.

    Returns:
        A :class:`MixturePosterior`.
    """
    if not isinstance(model, MixturePriorModel):
        raise TypeError(f"model must be a MixturePriorModel, got {type(model).__name__}")
    data = check.observed_data(data, "data")
    components = model.components()
    parameters = [posterior_parameters(component, data) for component in components]
    log_prior_weights = np.array([math.log(model.weight), math.log1p(-model.weight)])
    log_joint_weights = log_prior_weights + [_log_evidence(c, data) for c in components]
    log_total = float(np.logaddexp(*log_joint_weights))
    return MixturePosterior(
        weights=np.exp(log_joint_weights - log_total),
        means=np.array([mean for mean, _ in parameters]),
        std=parameters[0][1],
        log_evidence=log_total,
    )


def _log_evidence(model: NormalModel, data: tf.Tensor) -> float:
    r""":math:`\log p(\mathcal{D} \mid c)` in float64, by Bayes' rule at :math:`\mu = \mu_{N,c}`.

    :math:`\log p(\mathcal{D}) = \log p(\mu, \mathcal{D}) - \log p(\mu \mid \mathcal{D})`
    for every :math:`\mu`; at the posterior mean the second term is
    :math:`-\frac12 \log(2\pi\sigma_N^2)`.
    """
    mean, std = posterior_parameters(model, data)
    at_mean = model.log_joint(tf.constant(mean, tf.float64), data)
    return float(at_mean) + 0.5 * math.log(2.0 * math.pi * std**2)
