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
    model: object, data: object, loc: object, scale: object, num_nodes: int = 64
) -> np.ndarray:
    r"""The ELBO of :math:`\mathcal{N}(m, s^2)` by Gauss-Hermite quadrature (eq. grid-elbo).

    Args:
        model: as for :func:`grid_posterior`.
        data: the observations, shape ``[N]``.
        loc: the means :math:`m`, any shape that broadcasts with ``scale``.
        scale: the standard deviations :math:`s > 0`.
        num_nodes: the number of Gauss-Hermite nodes.

    Returns:
        A float64 array of the broadcast shape of ``loc`` and ``scale``.
    """
    model = check_model(model)
    data = check.observed_data(data, "data")
    loc = check.real_array(loc, "loc")
    scale = check.positive_array(scale, "scale")
    num_nodes = check.positive_int(num_nodes, "num_nodes")
    loc, scale = np.broadcast_arrays(loc, scale)
    nodes, weights = _gauss_hermite(num_nodes)
    points = loc[..., np.newaxis] + math.sqrt(2.0) * scale[..., np.newaxis] * nodes
    expected_log_joint = _log_joint64(model, points, data) @ weights / math.sqrt(math.pi)
    entropy = 0.5 * np.log(2.0 * math.pi * math.e * scale**2)
    return expected_log_joint + entropy


@functools.cache
def _gauss_hermite(num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.hermite.hermgauss(num_nodes)


def _log_joint64(model: object, mu: np.ndarray, data: tf.Tensor) -> np.ndarray:
    values = model.log_joint(tf.constant(mu, tf.float64), data)
    if values.dtype != tf.float64:
        raise TypeError("model.log_joint must compute in float64 when given a float64 tensor")
    return values.numpy()
