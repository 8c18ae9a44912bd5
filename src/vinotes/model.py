r"""The running example: a Normal likelihood with unknown mean and a Normal prior.

Chapter 1 introduces the model

.. math::

    \mu \sim \mathcal{N}(\mu_0, \sigma_0^2) \qquad (\text{eq. model-prior})

    x_i \mid \mu \sim \mathcal{N}(\mu, \sigma^2), \; i = 1, \dots, N
    \qquad (\text{eq. model-likelihood})

with the noise standard deviation :math:`\sigma` known, and the factorization
of the joint density that its directed graphical model encodes,

.. math::

    p(\mu, \mathcal{D}) = p(\mu) \prod_{i=1}^N p(x_i \mid \mu)
    \qquad (\text{eq. model-joint}).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import daft
import matplotlib as mpl
import matplotlib.pyplot as plt
import tensorflow as tf
import tensorflow_probability as tfp

from vinotes import _validation as check

tfd = tfp.distributions

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)


def log_normal_density(value: object, loc: object, scale: object) -> tf.Tensor:
    r"""Elementwise log density of :math:`\mathcal{N}(\text{loc}, \text{scale}^2)`.

    .. math::

        \log \mathcal{N}(y \mid \text{loc}, \text{scale}^2) = -\tfrac12 \log(2\pi)
        - \log \text{scale} - \frac{(y - \text{loc})^2}{2\, \text{scale}^2}.

    Broadcasts its arguments; float32, or float64 if ``value`` is a float64
    tensor. Values are checked when run eagerly
    (finite ``value`` and ``loc``, positive ``scale``), not inside a graph.
    """
    value = check.real_tensor(value, "value")
    loc = check.real_tensor(_double_if_needed(value, loc, "loc"), "loc")
    scale = check.positive_tensor(_double_if_needed(value, scale, "scale"), "scale")
    loc, scale = tf.cast(loc, value.dtype), tf.cast(scale, value.dtype)
    standardized = (value - loc) / scale
    return -_HALF_LOG_TWO_PI - tf.math.log(scale) - 0.5 * tf.square(standardized)


def _double_if_needed(value: tf.Tensor, parameter: object, name: str) -> object:
    """``parameter`` as a float64 tensor if ``value`` is float64 and it is not a tensor yet.

    So that a Python number such as 0.1 keeps its double precision in a float64
    computation instead of passing through float32.
    """
    if value.dtype == tf.float64 and not tf.is_tensor(parameter):
        return tf.constant(check.real_array(parameter, name))
    return parameter


@dataclass(frozen=True)
class NormalModel:
    r"""The Normal model with unknown mean :math:`\mu` and known noise std :math:`\sigma`.

    Prior :math:`\mu \sim \mathcal{N}(\mu_0, \sigma_0^2)` (eq. model-prior) and
    likelihood :math:`x_i \mid \mu \sim \mathcal{N}(\mu, \sigma^2)`, i.i.d.
    (eq. model-likelihood).

    Args:
        prior_mean: :math:`\mu_0`, a finite number.
        prior_std: :math:`\sigma_0 > 0`.
        noise_std: :math:`\sigma > 0`.

    Raises:
        TypeError: if an argument is not a real number.
        ValueError: if an argument is not finite or a standard deviation is not positive.
    """

    prior_mean: float
    prior_std: float
    noise_std: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "prior_mean", check.finite_float(self.prior_mean, "prior_mean"))
        object.__setattr__(self, "prior_std", check.positive_float(self.prior_std, "prior_std"))
        object.__setattr__(self, "noise_std", check.positive_float(self.noise_std, "noise_std"))

    def joint_distribution(self, num_observations: int) -> tfd.JointDistributionNamed:
        r"""The TFP joint distribution of :math:`(\mu, x_1, \dots, x_N)`.

        Its two parts are ``"mu"`` (scalar) and ``"x"`` (event shape ``[N]``), and
        ``log_prob(mu=..., x=...)`` is the log joint of eq. model-joint.
        """
        num_observations = check.positive_int(num_observations, "num_observations")
        return tfd.JointDistributionNamed(
            {
                "mu": tfd.Normal(loc=self.prior_mean, scale=self.prior_std),
                "x": lambda mu: tfd.Sample(
                    tfd.Normal(loc=mu, scale=self.noise_std),
                    sample_shape=num_observations,
                ),
            }
        )

    def sample_joint(self, num_observations: int, seed: object) -> tuple[tf.Tensor, tf.Tensor]:
        r"""Draw :math:`\mu` from the prior, then :math:`N` observations given it.

        Args:
            num_observations: :math:`N \ge 1`.
            seed: a stateless seed, an int or a pair of ints.

        Returns:
            ``(mu, data)``: a float32 scalar and a float32 tensor of shape ``[N]``.
        """
        draw = self.joint_distribution(num_observations).sample(seed=check.stateless_seed(seed))
        return draw["mu"], draw["x"]

    def sample_data(
        self, num_observations: int, seed: object, *, true_mean: float | None = None
    ) -> tf.Tensor:
        r"""Sample a dataset :math:`\mathcal{D} = (x_1, \dots, x_N)`, deterministic for a seed.

        With ``true_mean=None`` this follows the whole generative story (the
        data part of :meth:`sample_joint`); otherwise the data are drawn from
        eq. model-likelihood with :math:`\mu` fixed to ``true_mean``.

        Returns:
            A float32 tensor of shape ``[N]``.
        """
        num_observations = check.positive_int(num_observations, "num_observations")
        if true_mean is None:
            return self.sample_joint(num_observations, seed)[1]
        true_mean = check.finite_float(true_mean, "true_mean")
        likelihood = tfd.Normal(loc=true_mean, scale=self.noise_std)
        return likelihood.sample(num_observations, seed=check.stateless_seed(seed))

    def log_joint(self, mu: object, data: object) -> tf.Tensor:
        r"""The log joint density :math:`\log p(\mu, \mathcal{D})` of eq. model-joint.

        .. math::

            \log p(\mu, \mathcal{D}) = \log \mathcal{N}(\mu \mid \mu_0, \sigma_0^2)
            + \sum_{i=1}^N \log \mathcal{N}(x_i \mid \mu, \sigma^2).

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
            log_normal_density(data, mu[..., tf.newaxis], self.noise_std), axis=-1
        )
        return log_prior + log_likelihood


def _check_model(model: object) -> NormalModel:
    if not isinstance(model, NormalModel):
        raise TypeError(f"model must be a NormalModel, got {type(model).__name__}")
    return model


class RunningExample(NamedTuple):
    """The model and dataset that every chapter of the book uses."""

    model: NormalModel
    true_mean: float
    data: tf.Tensor


RUNNING_MODEL = NormalModel(prior_mean=0.0, prior_std=1.0, noise_std=2.0)
RUNNING_NUM_OBSERVATIONS = 10
RUNNING_SEED = (2024, 1)


def running_example() -> RunningExample:
    """The book's running example: :data:`RUNNING_MODEL` and one draw from it.

    The true mean is drawn from the prior and the data given it
    (:meth:`NormalModel.sample_joint`) with the fixed stateless seed
    :data:`RUNNING_SEED`, so every chapter sees the same numbers.
    """
    mu, data = RUNNING_MODEL.sample_joint(RUNNING_NUM_OBSERVATIONS, RUNNING_SEED)
    return RunningExample(model=RUNNING_MODEL, true_mean=float(mu), data=data)


def draw_dgm() -> plt.Figure:
    r"""Draw the directed graphical model of :class:`NormalModel` in plate notation.

    The latent mean :math:`\mu` is an open circle, each observation
    :math:`x_i` a shaded circle inside a plate repeated :math:`N` times, and
    the fixed hyperparameters :math:`\mu_0, \sigma_0, \sigma` small filled dots.
    The arrows are the factorization of eq. model-joint.

    Returns:
        The matplotlib figure.
    """
    # daft places everything itself; matplotlib's layout engines would fight it.
    with mpl.rc_context({"figure.constrained_layout.use": False}):
        return _render_dgm()


# Where daft draws the DGM: the canvas, each node's centre (grid units) and its
# label's offset (points), and the plate's rectangle. Layout only, and kept at
# module level, which mutation testing leaves alone: the tests check what the
# graph says (nodes, arrows, plate), not where it is drawn.
_DGM_CANVAS = {
    "shape": [3.0, 3.4],
    "origin": [-0.9, -0.8],
    "node_unit": 1.0,
    "grid_unit": 2.0,
    "dpi": 100,
}
_DGM_NODES = {
    "mu0": (0.0, 2.0, (-14.0, 0.0)),
    "sigma0": (1.0, 2.0, (14.0, 0.0)),
    "mu": (0.5, 1.0, (0.0, 0.0)),
    "sigma": (1.6, 0.0, (12.0, 0.0)),
    "x": (0.5, 0.0, (0.0, 0.0)),
}
_DGM_PLATE = {"rect": [-0.05, -0.65, 1.1, 1.15], "position": "bottom left"}


def _render_dgm() -> plt.Figure:
    pgm = daft.PGM(**_DGM_CANVAS)

    def add_node(name: str, label: str, **kind: bool) -> None:
        x, y, offset = _DGM_NODES[name]
        pgm.add_node(name, label, x, y, offset=offset, **kind)  # pragma: no mutate (layout)

    add_node("mu0", r"$\mu_0$", fixed=True)
    add_node("sigma0", r"$\sigma_0$", fixed=True)
    add_node("mu", r"$\mu$")
    add_node("sigma", r"$\sigma$", fixed=True)
    add_node("x", r"$x_i$", observed=True)
    pgm.add_edge("mu0", "mu")
    pgm.add_edge("sigma0", "mu")
    pgm.add_edge("mu", "x")
    pgm.add_edge("sigma", "x")
    pgm.add_plate(
        _DGM_PLATE["rect"],
        label=r"$i = 1, \ldots, N$",
        position=_DGM_PLATE["position"],  # pragma: no mutate (layout)
    )
    pgm.render()
    return pgm.figure
