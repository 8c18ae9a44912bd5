r"""Variational inference by automatic differentiation: the recipe of chapter 4.

Fit :math:`q(\mu) = \mathcal{N}(m, s^2)` by minimizing the negative ELBO
(eq. elbo-definition) over the unconstrained parameters
:math:`\theta = (m, \rho)` with :math:`s = e^\rho` (eq. vi-log-scale), using

* gradients from automatic differentiation of the Monte Carlo ELBO (eq. vi-loss) with the
  *sticking-the-landing* estimator (eq. vi-stl): the score term
  :math:`\nabla_\theta \log q` is dropped by evaluating :math:`\log q` with its
  parameters held fixed, which leaves the estimator unbiased and makes its
  variance vanish when :math:`q` equals the posterior;
* Adam (eq. vi-adam) with a learning rate that decays to zero along a cosine
  (eq. vi-cosine), so the iterates settle instead of jittering, and a short
  memory for the squared gradients (:math:`\beta_2 = 0.9` instead of the usual
  0.999), so the huge gradients of the first steps do not slow the last ones.

The whole loop runs as one TensorFlow graph compiled with XLA: traced once
per model, compiled once per (number of steps, number of samples).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from vinotes import _validation as check
from vinotes.model import NormalModel, _check_model, log_normal_density
from vinotes.posterior import posterior_parameters

ESTIMATORS = ("sticking-the-landing", "reparameterization")
"""Gradient estimators :func:`fit_surrogate` accepts (eqs. vi-stl, elbo-reparameterization)."""
SCHEDULES = ("cosine", "constant")
"""Learning-rate schedules :func:`fit_surrogate` accepts (eq. vi-cosine, or none)."""

ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.9  # forgets the large gradients of the first steps; see chapter 4
ADAM_EPSILON = 1e-8


@dataclass(frozen=True)
class FitResult:
    """The fitted surrogate :math:`\\mathcal{N}(\\text{loc}, \\text{scale}^2)` and its history.

    Attributes:
        loc: the fitted mean :math:`m`.
        scale: the fitted standard deviation :math:`s`.
        losses: the Monte Carlo negative ELBO at each step, shape ``[num_steps]``.
        locs: :math:`m` before each step and after the last, shape ``[num_steps + 1]``.
        scales: :math:`s` likewise, shape ``[num_steps + 1]``.
    """

    loc: float
    scale: float
    losses: np.ndarray
    locs: np.ndarray
    scales: np.ndarray


def posterior_errors(
    model: NormalModel, data: object, loc: float, scale: float
) -> tuple[float, float]:
    r"""How far :math:`\mathcal{N}(m, s^2)` is from the exact posterior, in the book's measure.

    Returns:
        ``(|m - mu_N| / sigma_N, |s / sigma_N - 1|)``: the distance of the means in
        posterior standard deviations and the relative error of the width. The
        chapter's accuracy target is that both are at most 0.01.
    """
    mean, std = posterior_parameters(model, data)
    loc = check.finite_float(loc, "loc")
    scale = check.positive_float(scale, "scale")
    return abs(loc - mean) / std, abs(scale / std - 1.0)


def cosine_learning_rate(
    learning_rate: tf.Tensor, step: tf.Tensor, num_steps: tf.Tensor
) -> tf.Tensor:
    r"""Eq. vi-cosine: :math:`\alpha_t = \alpha\,\tfrac12\bigl(1 + \cos(\pi t / T)\bigr)`.

    Checked when run eagerly: ``learning_rate`` and ``num_steps`` positive,
    ``step`` not negative.
    """
    learning_rate = check.positive_tensor(learning_rate, "learning_rate")
    check.positive_tensor(num_steps, "num_steps")
    if tf.executing_eagerly() and not bool(tf.reduce_all(check.real_tensor(step, "step") >= 0)):
        raise ValueError("step must not be negative")
    progress = tf.cast(step, tf.float32) / tf.cast(num_steps, tf.float32)
    return learning_rate * 0.5 * (1.0 + tf.cos(math.pi * progress))


def adam_update(
    gradient: tf.Tensor,
    first_moment: tf.Tensor,
    second_moment: tf.Tensor,
    step: tf.Tensor,
    learning_rate: tf.Tensor,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    r"""One Adam step for minimization (eq. vi-adam).

    .. math::

        g_1 \leftarrow \beta_1 g_1 + (1 - \beta_1) g, \quad
        g_2 \leftarrow \beta_2 g_2 + (1 - \beta_2) g^2, \quad
        \Delta\theta = -\alpha_t \frac{g_1 / (1 - \beta_1^{t})}
        {\sqrt{g_2 / (1 - \beta_2^{t})} + \epsilon}.

    Args:
        step: the 1-based step number :math:`t`.

    Returns:
        ``(delta, first_moment, second_moment)``: the change to the parameters
        and the updated moment estimates.

    Raises:
        ValueError: if the three arrays differ in shape, or (eagerly) if
            ``step`` is below 1 or ``learning_rate`` is negative.
    """
    gradient = check.real_tensor(gradient, "gradient")
    first_moment = check.real_tensor(first_moment, "first_moment")
    second_moment = check.real_tensor(second_moment, "second_moment")
    if not (
        gradient.shape.is_compatible_with(first_moment.shape)
        and gradient.shape.is_compatible_with(second_moment.shape)
    ):
        raise ValueError(
            "gradient, first_moment and second_moment must have the same shape, got "
            f"{gradient.shape}, {first_moment.shape}, {second_moment.shape}"
        )
    if tf.executing_eagerly():
        if float(step) < 1:
            raise ValueError(f"step must be at least 1 (Adam counts from 1), got {step}")
        if float(learning_rate) < 0:
            raise ValueError(f"learning_rate must not be negative, got {learning_rate}")
    first_moment = ADAM_BETA_1 * first_moment + (1.0 - ADAM_BETA_1) * gradient
    second_moment = ADAM_BETA_2 * second_moment + (1.0 - ADAM_BETA_2) * tf.square(gradient)
    t = tf.cast(step, tf.float32)
    corrected_first = first_moment / (1.0 - ADAM_BETA_1**t)
    corrected_second = second_moment / (1.0 - ADAM_BETA_2**t)
    delta = -learning_rate * corrected_first / (tf.sqrt(corrected_second) + ADAM_EPSILON)
    return delta, first_moment, second_moment


def negative_elbo_estimate(
    model: NormalModel,
    data: tf.Tensor,
    parameters: tf.Tensor,
    noise: tf.Tensor,
    sticking_the_landing: bool | tf.Tensor = True,
) -> tf.Tensor:
    r"""Monte Carlo negative ELBO (eq. vi-loss), to be differentiated by a tape.

    With :math:`\mu_l = m + s\varepsilon_l` and :math:`s = e^\rho`,

    .. math::

        \mathcal{L}(\theta) = -\frac1L \sum_l \Bigl[\log p(\mu_l, \mathcal{D})
        - \log q_{\theta'}(\mu_l)\Bigr].

    Without sticking the landing, :math:`\theta' = \theta` and the tape gives
    eq. elbo-reparameterization. With it (eq. vi-stl), :math:`\theta'` is
    :math:`\theta` with its gradient stopped: the value is the same, but the
    gradient loses the score term :math:`\nabla_\theta \log q_\theta`, whose
    expectation is zero.

    Args:
        parameters: ``[m, rho]``.
        noise: standard Normal draws :math:`\varepsilon_l`, shape ``[L]``.
        sticking_the_landing: whether to stop the gradient through :math:`\log q`.
    """
    _check_model(model)
    parameters = check.real_tensor(parameters, "parameters")
    noise = check.real_tensor(noise, "noise")
    if parameters.shape.rank is not None and parameters.shape.as_list() != [2]:
        raise ValueError(f"parameters must have shape [2] (m, rho), got {parameters.shape}")
    if noise.shape.rank is not None and noise.shape.rank != 1:
        raise ValueError(f"noise must have shape [L], got {noise.shape}")
    loc = parameters[0]
    scale = tf.exp(parameters[1])
    mu = loc + scale * noise
    stop = tf.convert_to_tensor(sticking_the_landing, tf.bool)
    q_loc = tf.where(stop, tf.stop_gradient(loc), loc)
    q_scale = tf.where(stop, tf.stop_gradient(scale), scale)
    return -tf.reduce_mean(model.log_joint(mu, data) - log_normal_density(mu, q_loc, q_scale))


@functools.lru_cache(maxsize=32)
def _compiled_fit(model: NormalModel):
    """The optimization loop for ``model``, traced once per model.

    XLA compiles it for each new pair (number of steps, number of samples),
    which costs about half a second; later calls reuse the compiled loop.
    """

    @tf.function(
        jit_compile=True,
        input_signature=[
            tf.TensorSpec([None], tf.float32),  # data
            tf.TensorSpec([2], tf.float32),  # initial parameters [m, rho]
            tf.TensorSpec([], tf.int32),  # num_steps
            tf.TensorSpec([], tf.float32),  # learning_rate
            tf.TensorSpec([], tf.int32),  # num_samples
            tf.TensorSpec([2], tf.int32),  # seed
            tf.TensorSpec([], tf.bool),  # sticking the landing, or plain reparameterization
            tf.TensorSpec([], tf.bool),  # cosine decay, or a constant learning rate
        ],
    )
    def fit(data, initial, num_steps, learning_rate, num_samples, seed, stl, cosine):
        all_noise = tf.random.stateless_normal([num_steps, num_samples], seed=seed)
        steps = tf.range(num_steps)
        rates = tf.where(
            cosine, cosine_learning_rate(learning_rate, steps, num_steps), learning_rate
        )
        parameters = initial
        first_moment = tf.zeros_like(initial)
        second_moment = tf.zeros_like(initial)
        losses = tf.TensorArray(tf.float32, size=num_steps)
        path = tf.TensorArray(tf.float32, size=num_steps + 1).write(0, initial)
        for step in steps:
            with tf.GradientTape() as tape:
                tape.watch(parameters)
                loss = negative_elbo_estimate(model, data, parameters, all_noise[step], stl)
            gradient = tape.gradient(loss, parameters)
            delta, first_moment, second_moment = adam_update(
                gradient, first_moment, second_moment, step + 1, rates[step]
            )
            parameters = parameters + delta
            losses = losses.write(step, loss)
            path = path.write(step + 1, parameters)
        return losses.stack(), path.stack()

    return fit


def fit_surrogate(
    model: NormalModel,
    data: object,
    *,
    num_steps: int = 1000,
    learning_rate: float = 0.1,
    num_samples: int = 8,
    seed: object = (0, 0),
    initial_loc: float | None = None,
    initial_scale: float | None = None,
    estimator: str = "sticking-the-landing",
    schedule: str = "cosine",
) -> FitResult:
    r"""Fit :math:`q = \mathcal{N}(m, s^2)` to the posterior by maximizing the ELBO.

    The recipe of chapter 4: Adam with a cosine-decayed learning rate on the
    sticking-the-landing gradient of the Monte Carlo ELBO, all in one compiled
    graph. It starts from the prior, :math:`(m, s) = (\mu_0, \sigma_0)`, unless
    told otherwise, and is deterministic for a given ``seed``.

    Args:
        model: the model.
        data: the observations, shape ``[N]``.
        num_steps: number of Adam steps :math:`T \ge 1`.
        learning_rate: the initial learning rate :math:`\alpha > 0`.
        num_samples: Monte Carlo samples :math:`L \ge 1` per step.
        seed: a stateless seed, an int or a pair of ints.
        initial_loc: the starting :math:`m` (default :math:`\mu_0`).
        initial_scale: the starting :math:`s > 0` (default :math:`\sigma_0`).
        estimator: ``"sticking-the-landing"`` (the recipe) or ``"reparameterization"``.
        schedule: ``"cosine"`` (the recipe) or ``"constant"``.

    Returns:
        A :class:`FitResult`.
    """
    model = _check_model(model)
    data = check.observed_data(data, "data")
    num_steps = check.positive_int(num_steps, "num_steps")
    learning_rate = check.positive_float(learning_rate, "learning_rate")
    num_samples = check.positive_int(num_samples, "num_samples")
    seed = check.stateless_seed(seed)
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    loc = (
        model.prior_mean if initial_loc is None else check.finite_float(initial_loc, "initial_loc")
    )
    scale = model.prior_std if initial_scale is None else initial_scale
    initial = tf.constant([loc, math.log(check.positive_float(scale, "initial_scale"))])
    losses, path = _compiled_fit(model)(
        data,
        initial,
        tf.constant(num_steps),
        tf.constant(learning_rate, tf.float32),
        tf.constant(num_samples),
        seed,
        tf.constant(estimator == "sticking-the-landing"),
        tf.constant(schedule == "cosine"),
    )
    path = path.numpy()
    locs = path[:, 0]
    scales = np.exp(path[:, 1])
    return FitResult(
        loc=float(locs[-1]),
        scale=float(scales[-1]),
        losses=losses.numpy(),
        locs=locs,
        scales=scales,
    )
