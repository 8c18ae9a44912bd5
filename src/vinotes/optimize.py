r"""Variational inference by automatic differentiation: the recipe of chapter 4.

Fit :math:`q(\mu) = \mathcal{N}(m, s^2)` by minimizing the negative ELBO
(eq. elbo-definition) over the unconstrained parameters
:math:`\theta = (m, \omega)` with :math:`s = e^\omega` (eq. vi-log-scale), using

* gradients from automatic differentiation of the Monte Carlo ELBO (eq. vi-loss) with the
  *sticking-the-landing* estimator (eq. vi-stl): the score term
  :math:`\nabla_\theta \log q` is dropped by evaluating :math:`\log q` with its
  parameters held fixed, which leaves the estimator unbiased and makes its
  variance vanish when :math:`q` equals the posterior;
* Adam (eq. vi-adam) with a learning rate that decays to zero along a cosine
  (eq. vi-cosine), so the iterates settle instead of jittering, and a short
  memory for the squared gradients, :math:`\beta_2 = 0.9` instead of Keras's
  default 0.999, so Adam forgets the huge gradients of the first steps when the
  start is far from the posterior. Chapter 4 measures both choices in float64 on
  problems that were not used to choose them.

The whole loop runs as one TensorFlow graph compiled with XLA: traced once
per class of model and floating-point type (a model's numbers enter it as a
tensor), compiled once per (number of steps, number of samples, number of data).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
import tensorflow as tf

from vinotes import _validation as check
from vinotes.model import NormalModel, log_normal_density
from vinotes.posterior import posterior_parameters

ESTIMATORS = ("sticking-the-landing", "reparameterization")
"""Gradient estimators :func:`fit_surrogate` accepts (eqs. vi-stl, elbo-reparameterization)."""
SCHEDULES = ("cosine", "constant")
"""Learning-rate schedules :func:`fit_surrogate` accepts (eq. vi-cosine, or none)."""
DTYPES = ("float32", "float64")
"""Floating-point types :func:`fit_surrogate` computes in."""

ADAM_BETA_1 = 0.9
r"""Adam's averaging rate for the gradient, :math:`\beta_1` (eq. vi-adam)."""
ADAM_BETA_2 = 0.999
r"""Adam's usual averaging rate for the squared gradient, :math:`\beta_2` (eq. vi-adam)."""
ADAM_EPSILON = 1e-8
r"""Adam's small constant :math:`\delta` in the denominator (eq. vi-adam)."""
RECIPE_BETA_2 = 0.9
r"""The recipe's :math:`\beta_2`, a short memory for the squared gradient (chapter 4)."""


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
    r"""Eq. vi-cosine: :math:`\alpha\,\tfrac12\bigl(1 + \cos(\pi\,\text{step} / T)\bigr)`.

    ``step`` counts from 0: Adam's step :math:`t = 1, \dots, T` uses ``step = t - 1``.
    A building block of :func:`fit_surrogate`, which checks its arguments.
    """
    dtype = tf.convert_to_tensor(learning_rate).dtype
    progress = tf.cast(step, dtype) / tf.cast(num_steps, dtype)
    return learning_rate * 0.5 * (1.0 + tf.cos(math.pi * progress))


def adam_update(
    gradient: tf.Tensor,
    first_moment: tf.Tensor,
    second_moment: tf.Tensor,
    step: tf.Tensor,
    learning_rate: tf.Tensor,
    beta_2: float | tf.Tensor = ADAM_BETA_2,
    second_moment_weight: tf.Tensor | None = None,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    r"""One Adam step for minimization (eq. vi-adam).

    .. math::

        \langle g \rangle \leftarrow \beta_1 \langle g \rangle + (1 - \beta_1)\, g, \quad
        \langle g^2 \rangle \leftarrow \beta_2 \langle g^2 \rangle + (1 - \beta_2)\, g^2, \quad
        \Delta\theta = -\alpha_t \frac{\langle g \rangle / (1 - \beta_1^{t})}
        {\sqrt{\langle g^2 \rangle / (1 - \beta_2^{t})} + \delta}.

    Args:
        step: the 1-based step number :math:`t`.
        beta_2: :math:`\beta_2` for this step, in :math:`[0, 1)`.
        second_moment_weight: the total weight of :math:`\langle g^2 \rangle`, by
            default :math:`1 - \beta_2^t`; a :math:`\beta_2` that changes along the way
            needs :math:`1 - \prod_{k \le t} \beta_{2,k}` instead (chapter 4's exercise).

    Returns:
        ``(delta, first_moment, second_moment)``: the change to the parameters
        and the updated averages :math:`\langle g \rangle` and :math:`\langle g^2 \rangle`.

    A building block of :func:`fit_surrogate`, which checks its arguments.
    """
    t = tf.cast(step, gradient.dtype)
    if second_moment_weight is None:
        second_moment_weight = 1.0 - beta_2**t
    first_moment = ADAM_BETA_1 * first_moment + (1.0 - ADAM_BETA_1) * gradient
    second_moment = beta_2 * second_moment + (1.0 - beta_2) * tf.square(gradient)
    corrected_first = first_moment / (1.0 - ADAM_BETA_1**t)
    corrected_second = second_moment / second_moment_weight
    delta = -learning_rate * corrected_first / (tf.sqrt(corrected_second) + ADAM_EPSILON)
    return delta, first_moment, second_moment


def negative_elbo_estimate(
    model: object,
    data: tf.Tensor,
    parameters: tf.Tensor,
    noise: tf.Tensor,
    sticking_the_landing: bool | tf.Tensor = True,
) -> tf.Tensor:
    r"""Monte Carlo negative ELBO (eq. vi-loss), to be differentiated by a tape.

    With :math:`\mu_l = m + s\varepsilon_l` and :math:`s = e^\omega`,

    .. math::

        \mathcal{L}(\theta) = -\frac1L \sum_l \Bigl[\log p(\mu_l, \mathcal{D})
        - \log q_{\theta'}(\mu_l)\Bigr].

    Without sticking the landing, :math:`\theta' = \theta` and the tape gives
    the negative of eq. elbo-reparameterization. With it (eq. vi-stl), :math:`\theta'` is
    :math:`\theta` with its gradient stopped: the value is the same, but the
    gradient loses the score term :math:`\nabla_\theta \log q_\theta`, whose
    expectation is zero.

    Args:
        parameters: ``[m, omega]``.
        noise: standard Normal draws :math:`\varepsilon_l`, shape ``[L]``.
        sticking_the_landing: whether to stop the gradient through :math:`\log q`.

    A building block of :func:`fit_surrogate`, which checks its arguments.
    """
    loc = parameters[0]
    scale = tf.exp(parameters[1])
    mu = loc + scale * noise
    stop = tf.convert_to_tensor(sticking_the_landing)
    q_loc = tf.where(stop, tf.stop_gradient(loc), loc)
    q_scale = tf.where(stop, tf.stop_gradient(scale), scale)
    return -tf.reduce_mean(model.log_joint(mu, data) - log_normal_density(mu, q_loc, q_scale))


def check_model(model: object) -> object:
    """Return ``model`` if it has a callable ``log_joint(mu, data)``, else raise TypeError.

    A model class itself (``NormalModel`` rather than ``NormalModel(...)``) is rejected too.
    """
    if isinstance(model, type):
        raise TypeError(
            f"model must be an instance such as {model.__name__}(...), got the class itself"
        )
    if not callable(getattr(model, "log_joint", None)):
        raise TypeError(f"model must have a method log_joint(mu, data), got {type(model).__name__}")
    return model


def model_numbers(model: object, dtype: tf.DType = tf.float32) -> tf.Tensor:
    """The numbers that define ``model``, as the tensor of ``dtype`` the compiled loop takes.

    For a dataclass whose fields are all floats (:class:`~vinotes.model.NormalModel`,
    :class:`~vinotes.robust.StudentTModel`) these are its fields in order; any other
    model is traced as it is and gives an empty tensor.
    """
    if _numbers_dataclass(check_model(model)):
        values = [getattr(model, field.name) for field in dataclasses.fields(model)]
        return tf.constant(values, dtype)
    return tf.zeros([0], dtype)


def _numbers_dataclass(model: object) -> bool:
    return dataclasses.is_dataclass(model) and all(
        isinstance(getattr(model, field.name), float) for field in dataclasses.fields(model)
    )


def compiled_fit_loop(model: object, dtype: tf.DType = tf.float32):
    r"""The optimization loop of :func:`fit_surrogate` for ``model``'s class.

    The returned function takes :func:`model_numbers` first, then the data and
    the settings; it runs :math:`T` Adam steps (eq. vi-adam) on the Monte Carlo
    negative ELBO (eq. vi-loss) and returns the losses and the path of
    :math:`\theta = (m, \omega)`. The noise of every step is drawn up front from
    one stateless seed. :math:`\beta_{2,t}` is ``beta_2_early`` for the first
    ``switch_step`` steps and ``beta_2_late`` after (chapter 4's exercise on
    switching :math:`\beta_2`). ``dtype`` is the floating-point type of every input.

    A model that is a dataclass of floats enters the loop as a tensor of its
    numbers, so every model of that class shares one traced loop: a sweep over
    priors compiles once. Any other model is traced on its own. XLA compiles
    the loop once per (number of steps, number of samples, number of data).
    """
    model = check_model(model)
    if _numbers_dataclass(model):
        return _compiled_loop(type(model), dtype)
    try:
        return _compiled_loop(model, dtype)
    except TypeError:  # an unhashable model: traced afresh, not cached
        return _compiled_loop.__wrapped__(model, dtype)


def _with_numbers(key: object, numbers: tf.Tensor) -> object:
    """The model that ``key`` stands for, its fields set to the (symbolic) ``numbers``."""
    if not isinstance(key, type):
        return key
    model = object.__new__(key)
    for index, field in enumerate(dataclasses.fields(key)):
        object.__setattr__(model, field.name, numbers[index])
    return model


def recipe_schedule(
    num_steps: tf.Tensor,
    learning_rate: tf.Tensor,
    cosine: tf.Tensor,
    beta_2_early: tf.Tensor,
    beta_2_late: tf.Tensor,
    switch_step: tf.Tensor,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    r"""The recipe's per-step settings: :math:`\alpha_t`, :math:`\beta_{2,t}` and :math:`n_t`.

    :math:`\alpha_t` follows eq. vi-cosine (or stays :math:`\alpha`),
    :math:`\beta_{2,t}` is ``beta_2_early`` before ``switch_step`` and
    ``beta_2_late`` from it on (chapter 4's exercise on switching it), and
    :math:`n_t = 1 - \prod_{k \le t} \beta_{2,k}`. A building block of the
    compiled loops, which receive checked arguments.
    """
    steps = tf.range(num_steps)
    rates = tf.where(cosine, cosine_learning_rate(learning_rate, steps, num_steps), learning_rate)
    beta_2s = tf.where(steps < switch_step, beta_2_early, beta_2_late)
    return rates, beta_2s, 1.0 - tf.math.cumprod(beta_2s)


def run_adam(loss, initial, all_noise, rates, beta_2s, second_moment_weights):
    r"""Adam (eq. vi-adam) on ``loss(parameters, noise)``, one noise draw per step.

    Returns the losses, shape ``[T]``, and the path of the parameters, shape
    ``[T + 1, P]``. Runs inside the compiled loops; a building block.
    """
    num_steps = tf.shape(rates)[0]
    parameters = initial
    first_moment = tf.zeros_like(initial)
    second_moment = tf.zeros_like(initial)
    losses = tf.TensorArray(initial.dtype, size=num_steps)
    path = tf.TensorArray(initial.dtype, size=num_steps + 1).write(0, initial)
    for step in tf.range(num_steps):
        with tf.GradientTape() as tape:
            tape.watch(parameters)
            value = loss(parameters, all_noise[step])
        gradient = tape.gradient(value, parameters)
        delta, first_moment, second_moment = adam_update(
            gradient,
            first_moment,
            second_moment,
            step + 1,
            rates[step],
            beta_2s[step],
            second_moment_weights[step],
        )
        parameters = parameters + delta
        losses = losses.write(step, value)
        path = path.write(step + 1, parameters)
    return losses.stack(), path.stack()


@functools.lru_cache(maxsize=32)
def _compiled_loop(key: object, dtype: tf.DType):
    @tf.function(
        jit_compile=True,
        input_signature=[
            tf.TensorSpec([None], dtype),  # the model's numbers
            tf.TensorSpec([None], dtype),  # data
            tf.TensorSpec([2], dtype),  # initial parameters [m, omega]
            tf.TensorSpec([], tf.int32),  # num_steps
            tf.TensorSpec([], dtype),  # learning_rate
            tf.TensorSpec([], tf.int32),  # num_samples
            tf.TensorSpec([2], tf.int32),  # seed
            tf.TensorSpec([], tf.bool),  # sticking the landing, or plain reparameterization
            tf.TensorSpec([], tf.bool),  # cosine decay, or a constant learning rate
            tf.TensorSpec([], dtype),  # beta_2_early
            tf.TensorSpec([], dtype),  # beta_2_late
            tf.TensorSpec([], tf.int32),  # switch_step
        ],
    )
    def fit(
        numbers,
        data,
        initial,
        num_steps,
        learning_rate,
        num_samples,
        seed,
        stl,
        cosine,
        beta_2_early,
        beta_2_late,
        switch_step,
    ):
        model = _with_numbers(key, numbers)
        all_noise = tf.random.stateless_normal(
            [num_steps, num_samples], seed=seed, dtype=initial.dtype
        )
        schedule = recipe_schedule(
            num_steps, learning_rate, cosine, beta_2_early, beta_2_late, switch_step
        )

        def loss(parameters, noise):
            return negative_elbo_estimate(model, data, parameters, noise, stl)

        return run_adam(loss, initial, all_noise, *schedule)

    return fit


def _beta_2_pair(beta_2: object) -> tuple[float, float]:
    values = (beta_2, beta_2) if isinstance(beta_2, Real | np.floating) else beta_2
    if isinstance(values, str) or not isinstance(values, tuple | list) or len(values) != 2:
        raise TypeError(
            "beta_2 must be a number in [0, 1) or a pair (early, late) of them, "
            f"got {type(beta_2).__name__}"
        )
    pair = tuple(check.finite_float(value, "beta_2") for value in values)
    if not all(0.0 <= value < 1.0 for value in pair):
        raise ValueError(f"beta_2 values must lie in [0, 1), got {beta_2!r}")
    return pair


def _default_start(model: object, value: object, name: str, attribute: str) -> float:
    if value is None:
        if not hasattr(model, attribute):
            raise TypeError(f"{name} is needed: the model has no {attribute} to start from")
        value = getattr(model, attribute)
    return check.finite_float(value, name)


def fit_surrogate(
    model: object,
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
    beta_2: float | tuple[float, float] = RECIPE_BETA_2,
    dtype: str = "float32",
) -> FitResult:
    r"""Fit :math:`q = \mathcal{N}(m, s^2)` to the posterior by maximizing the ELBO.

    The recipe of chapter 4: Adam with a cosine-decayed learning rate
    (eq. vi-cosine) and a short memory :math:`\beta_2 = 0.9` on the
    sticking-the-landing gradient (eq. vi-stl) of the Monte Carlo ELBO, all in
    one compiled graph. It starts from the prior,
    :math:`(m, s) = (\mu_0, \sigma_0)`, unless told otherwise, and is
    deterministic for a given ``seed``.

    Args:
        model: any model with a method ``log_joint(mu, data)`` that takes values
            of :math:`\mu` of shape ``[L]`` and returns ``[L]`` log joint densities
            (:class:`~vinotes.model.NormalModel`, :class:`~vinotes.robust.StudentTModel`).
            Models of one class that are dataclasses of floats share one compiled
            loop (:func:`compiled_fit_loop`).
        data: the observations, shape ``[N]``.
        num_steps: number of Adam steps :math:`T \ge 1`.
        learning_rate: the initial learning rate :math:`\alpha > 0`.
        num_samples: Monte Carlo samples :math:`L \ge 1` per step.
        seed: a stateless seed, an int or a pair of ints.
        initial_loc: the starting :math:`m` (default: the model's ``prior_mean``).
        initial_scale: the starting :math:`s > 0` (default: the model's ``prior_std``).
        estimator: ``"sticking-the-landing"`` (the recipe) or ``"reparameterization"``.
        schedule: ``"cosine"`` (the recipe) or ``"constant"``.
        beta_2: Adam's :math:`\beta_2`: one number in :math:`[0, 1)` for all steps,
            or a pair ``(early, late)``, used for the first
            :math:`\lceil T/2 \rceil` steps and the rest (the recipe: 0.9 throughout).
        dtype: ``"float32"`` (TensorFlow's default) or ``"float64"``, for comparisons
            that need more than float32's seven significant digits.

    Returns:
        A :class:`FitResult`.
    """
    model = check_model(model)
    data = check.observed_data(data, "data")
    num_steps = check.positive_int(num_steps, "num_steps")
    learning_rate = check.positive_float(learning_rate, "learning_rate")
    num_samples = check.positive_int(num_samples, "num_samples")
    seed = check.stateless_seed(seed)
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    beta_2_early, beta_2_late = _beta_2_pair(beta_2)
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    float_type = tf.float64 if dtype == "float64" else tf.float32
    loc = _default_start(model, initial_loc, "initial_loc", "prior_mean")
    scale = _default_start(model, initial_scale, "initial_scale", "prior_std")
    initial = [loc, math.log(check.positive_float(scale, "initial_scale"))]
    losses, path = compiled_fit_loop(model, float_type)(
        model_numbers(model, float_type),
        tf.cast(data, float_type),
        tf.constant(initial, float_type),
        tf.constant(num_steps),
        tf.constant(learning_rate, float_type),
        tf.constant(num_samples),
        seed,
        tf.constant(estimator == "sticking-the-landing"),
        tf.constant(schedule == "cosine"),
        tf.constant(beta_2_early, float_type),
        tf.constant(beta_2_late, float_type),
        tf.constant((num_steps + 1) // 2),
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
