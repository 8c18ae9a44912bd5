r"""Exact answers for a one-dimensional posterior, by quadrature (chapter 6).

When :math:`\mu` is a single number, the posterior needs no closed form: on a
fine grid :math:`\mu_1 < \dots < \mu_K` with spacing :math:`h`, the evidence
is the integral of the joint density (eq. grid-evidence),

.. math::

    p(\mathcal{D}) = \int p(\mu, \mathcal{D})\,\mathrm{d}\mu
    \approx h \sum_k p(\mu_k, \mathcal{D}),

and the posterior density and its moments follow. The trapezoidal rule is
this sum when the density vanishes at both ends, and for a smooth density
that does it converges faster than any power of :math:`h`.

The ELBO of a Normal surrogate :math:`q = \mathcal{N}(m, s^2)` is an integral
against a Normal density, which Gauss-Hermite quadrature computes with
nodes :math:`y_j` and weights :math:`w_j` (eq. grid-elbo):

.. math::

    \mathrm{ELBO}(m, s) = \frac{1}{\sqrt\pi} \sum_j w_j
    \log p\bigl(m + \sqrt2\,s\,y_j, \mathcal{D}\bigr) + \frac12 \log(2\pi e s^2),

so :math:`\mathrm{KL}(q \,\Vert\, p) = \log p(\mathcal{D}) - \mathrm{ELBO}(m, s)`
is exact up to quadrature error, for any :math:`(m, s)`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy import optimize

from vinotes import _validation as check
from vinotes.optimize import check_model


@dataclass(frozen=True)
class GridPosterior:
    r"""The posterior of a scalar :math:`\mu` on a grid, in float64.

    Attributes:
        grid: the points :math:`\mu_k`, shape ``[K]``.
        density: the normalized posterior density :math:`p(\mu_k \mid \mathcal{D})`.
        log_evidence: :math:`\log p(\mathcal{D})` (eq. grid-evidence).
        mean: the posterior mean of :math:`\mu`.
        std: the posterior standard deviation of :math:`\mu`.
    """

    grid: np.ndarray
    density: np.ndarray
    log_evidence: float
    mean: float
    std: float


def grid_posterior(
    model: object, data: object, lower: float, upper: float, num_points: int
) -> GridPosterior:
    r"""The posterior of a one-dimensional model by quadrature (eq. grid-evidence).

    Evaluates ``model.log_joint`` in float64 at ``num_points`` equally spaced
    points of ``[lower, upper]``. The interval must hold essentially all the
    posterior mass: the density at either end must be below :math:`10^{-12}`
    of its peak, or a ValueError says which end to move.

    Args:
        model: a model with ``log_joint(mu, data)`` that computes in float64 when
            given a float64 tensor (:class:`~vinotes.model.NormalModel`,
            :class:`~vinotes.robust.StudentTModel`).
        data: the observations, shape ``[N]``.
        lower, upper: the ends of the grid, ``lower < upper``.
        num_points: the number of grid points, at least 3.

    Returns:
        A :class:`GridPosterior`.
    """
    model = check_model(model)
    data = check.observed_data(data, "data")
    lower = check.finite_float(lower, "lower")
    upper = check.finite_float(upper, "upper")
    if not lower < upper:
        raise ValueError(f"lower must be below upper, got lower={lower}, upper={upper}")
    num_points = check.positive_int(num_points, "num_points")
    if num_points < 3:
        raise ValueError(f"num_points must be at least 3, got {num_points}")
    grid = np.linspace(lower, upper, num_points)
    log_joint = _log_joint64(model, grid, data)
    peak = log_joint.max()
    ends = (("lower", log_joint[0]), ("upper", log_joint[-1]))
    too_high = [end for end, value in ends if value - peak > math.log(1e-12)]
    if too_high:
        raise ValueError(
            f"the grid cuts off posterior mass: move {' and '.join(too_high)} outwards"
        )
    spacing = grid[1] - grid[0]
    weights = np.exp(log_joint - peak)
    normalizer = spacing * weights.sum()
    density = weights / normalizer
    mean = spacing * np.sum(grid * density)
    variance = spacing * np.sum((grid - mean) ** 2 * density)
    return GridPosterior(
        grid=grid,
        density=density,
        log_evidence=float(peak + math.log(normalizer)),
        mean=float(mean),
        std=float(math.sqrt(variance)),
    )


def normal_surrogate_elbo(
    model: object,
    data: object,
    loc: object,
    scale: object,
    num_nodes: int = 64,
    rule: str = "gauss-hermite",
) -> np.ndarray:
    r"""The ELBO of :math:`\mathcal{N}(m, s^2)` by quadrature (eq. grid-elbo).

    Two sets of nodes :math:`y_j` and weights :math:`w_j` for the same sum:
    ``"gauss-hermite"``, exact for polynomials of degree below
    :math:`2 \times` ``num_nodes``, and ``"trapezoid"``, equally spaced
    :math:`y_j` on :math:`[-7, 7]` with :math:`w_j = h\,e^{-y_j^2}` for the
    spacing :math:`h`. The trapezoid converges geometrically in ``num_nodes``
    for any :math:`\log p` analytic near the real line, including one that
    bends sharply (a log of a sum of Gaussians), where Gauss-Hermite
    converges slowly.

    Args:
        model: as for :func:`grid_posterior`.
        data: the observations, shape ``[N]``.
        loc: the means :math:`m`, any shape that broadcasts with ``scale``.
        scale: the standard deviations :math:`s > 0`.
        num_nodes: the number of nodes: at most 300 for Gauss-Hermite (NumPy's
            weights overflow beyond), at least 3 for the trapezoid.
        rule: ``"gauss-hermite"`` or ``"trapezoid"``.

    Returns:
        A float64 array of the broadcast shape of ``loc`` and ``scale``.
    """
    model = check_model(model)
    data = check.observed_data(data, "data")
    loc = check.real_array(loc, "loc")
    scale = check.positive_array(scale, "scale")
    nodes, weights = _nodes(num_nodes, rule)
    loc, scale = np.broadcast_arrays(loc, scale)
    points = loc[..., np.newaxis] + math.sqrt(2.0) * scale[..., np.newaxis] * nodes
    expected_log_joint = _log_joint64(model, points, data) @ weights / math.sqrt(math.pi)
    entropy = 0.5 * np.log(2.0 * math.pi * math.e * scale**2)
    return expected_log_joint + entropy


QUADRATURE_RULES = ("gauss-hermite", "trapezoid")


def _nodes(num_nodes: object, rule: object) -> tuple[np.ndarray, np.ndarray]:
    """The checked nodes and weights of eq. grid-elbo for ``rule``."""
    num_nodes = check.positive_int(num_nodes, "num_nodes")
    if rule not in QUADRATURE_RULES:
        raise ValueError(f"rule must be one of {QUADRATURE_RULES}, got {rule!r}")
    if rule == "gauss-hermite" and num_nodes > 300:
        raise ValueError(f"num_nodes must be at most 300 for Gauss-Hermite, got {num_nodes}")
    if rule == "trapezoid" and num_nodes < 3:
        raise ValueError(f"num_nodes must be at least 3 for the trapezoid, got {num_nodes}")
    return _quadrature(num_nodes, rule)


@functools.cache
def _quadrature(num_nodes: int, rule: str) -> tuple[np.ndarray, np.ndarray]:
    if rule == "gauss-hermite":
        return np.polynomial.hermite.hermgauss(num_nodes)
    nodes = np.linspace(-7.0, 7.0, num_nodes)
    weights = (nodes[1] - nodes[0]) * np.exp(-(nodes**2))
    weights[[0, -1]] /= 2.0
    return nodes, weights


def _log_joint64(model: object, mu: np.ndarray, data: tf.Tensor) -> np.ndarray:
    values = model.log_joint(tf.constant(mu, tf.float64), data)
    if values.dtype != tf.float64:
        raise TypeError("model.log_joint must compute in float64 when given a float64 tensor")
    return values.numpy()


@dataclass(frozen=True)
class NormalOptimum:
    r"""A local optimum :math:`(m^\star, s^\star)` of the ELBO over Normal surrogates.

    Attributes:
        loc: :math:`m^\star`.
        scale: :math:`s^\star`.
        elbo: the ELBO there (eq. grid-elbo).
    """

    loc: float
    scale: float
    elbo: float


def polish_normal_surrogate(
    model: object,
    data: object,
    initial_loc: float,
    initial_scale: float,
    num_nodes: int = 64,
    rule: str = "gauss-hermite",
) -> NormalOptimum:
    r"""The local maximum of the quadrature ELBO (eq. grid-elbo) reached from a start.

    BFGS on :math:`(m, \log s)`, stopped when the gradient's largest entry is
    below :math:`10^{-6}`.

    Args:
        model: as for :func:`grid_posterior`.
        data: the observations, shape ``[N]``.
        initial_loc: the starting :math:`m`.
        initial_scale: the starting :math:`s > 0`.
        num_nodes, rule: the quadrature, as for :func:`normal_surrogate_elbo`.

    Returns:
        A :class:`NormalOptimum`.

    Raises:
        RuntimeError: if BFGS does not converge.
    """
    model = check_model(model)
    data = check.observed_data(data, "data")
    initial_loc = check.finite_float(initial_loc, "initial_loc")
    initial_scale = check.positive_float(initial_scale, "initial_scale")
    _nodes(num_nodes, rule)
    result = optimize.minimize(
        lambda p: -normal_surrogate_elbo(model, data, p[0], math.exp(p[1]), num_nodes, rule),
        x0=[initial_loc, math.log(initial_scale)],
        method="BFGS",
        options={"gtol": 1e-6},
    )
    if not result.success:
        raise RuntimeError(f"BFGS did not converge: {result.message}")
    return NormalOptimum(loc=float(result.x[0]), scale=math.exp(result.x[1]), elbo=-result.fun)


def normal_surrogate_optima(
    model: object,
    data: object,
    loc_axis: object,
    scale_axis: object,
    num_nodes: int = 64,
    rule: str = "gauss-hermite",
) -> list[NormalOptimum]:
    r"""Every local maximum of the ELBO over Normal surrogates :math:`\mathcal{N}(m, s^2)`.

    Evaluates the quadrature ELBO (eq. grid-elbo) on the grid ``loc_axis``
    :math:`\times` ``scale_axis``, takes every interior grid point that is
    higher than its eight neighbours, and polishes each by
    :func:`polish_normal_surrogate`. Maxima closer than :math:`10^{-4}` in both
    :math:`m` and :math:`\log s` count once. The grid must be fine enough to
    separate the maxima and wide enough to hold them inside.

    Args:
        model: as for :func:`grid_posterior`.
        data: the observations, shape ``[N]``.
        loc_axis: increasing values of :math:`m`, at least 3.
        scale_axis: increasing values of :math:`s > 0`, at least 3.
        num_nodes, rule: the quadrature, as for :func:`normal_surrogate_elbo`.

    Returns:
        The maxima as :class:`NormalOptimum`, highest ELBO first (smallest
        :math:`\mathrm{KL}(q \,\Vert\, p)` first).
    """
    model = check_model(model)
    data = check.observed_data(data, "data")
    loc_axis = _check_axis(loc_axis, "loc_axis")
    scale_axis = _check_axis(check.positive_array(scale_axis, "scale_axis"), "scale_axis")
    elbo = normal_surrogate_elbo(
        model, data, loc_axis[:, np.newaxis], scale_axis[np.newaxis, :], num_nodes, rule
    )
    inner = elbo[1:-1, 1:-1]
    is_peak = np.ones(inner.shape, dtype=bool)
    for row in (-1, 0, 1):
        for column in (-1, 0, 1):
            if row or column:
                neighbour = elbo[
                    1 + row : elbo.shape[0] - 1 + row, 1 + column : elbo.shape[1] - 1 + column
                ]
                is_peak &= inner > neighbour
    optima: list[NormalOptimum] = []
    for row, column in zip(*np.nonzero(is_peak), strict=True):
        found = polish_normal_surrogate(
            model, data, loc_axis[row + 1], scale_axis[column + 1], num_nodes, rule
        )
        if not any(_same_optimum(found, known) for known in optima):
            optima.append(found)
    return sorted(optima, key=lambda optimum: -optimum.elbo)


def _same_optimum(first: NormalOptimum, second: NormalOptimum) -> bool:
    return abs(first.loc - second.loc) < 1e-4 and abs(math.log(first.scale / second.scale)) < 1e-4


def _check_axis(axis: object, name: str) -> np.ndarray:
    axis = check.real_array(axis, name)
    if axis.ndim != 1 or axis.size < 3 or not np.all(np.diff(axis) > 0):
        raise ValueError(f"{name} must be an increasing 1-D array of at least 3 values")
    return axis
