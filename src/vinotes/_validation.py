"""Argument checks shared by the public functions of :mod:`vinotes`.

Every check raises :class:`ValueError` or :class:`TypeError` with a message
that names the argument and states what was expected.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import tensorflow as tf

_INT32_MAX = 2**31 - 1


def finite_float(value: object, name: str) -> float:
    """Return ``value`` as a Python float, rejecting non-numbers, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, Real | np.floating | np.integer):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {result}")
    return result


def positive_float(value: object, name: str) -> float:
    """Return ``value`` as a Python float, requiring it to be finite and > 0."""
    result = finite_float(value, name)
    if result <= 0.0:
        raise ValueError(f"{name} must be positive, got {result}")
    return result


def positive_int(value: object, name: str) -> int:
    """Return ``value`` as a Python int, requiring it to be an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def stateless_seed(seed: object, name: str = "seed") -> tf.Tensor:
    """Return ``seed`` as the shape-[2] int32 tensor that TF's stateless ops expect.

    An integer ``s`` is read as the pair ``(0, s)``; both entries must lie in
    ``[0, 2**31 - 1]``.
    """
    if isinstance(seed, bool):
        raise TypeError(f"{name} must be an integer or a pair of integers, got bool")
    if isinstance(seed, int | np.integer):
        pair = [0, int(seed)]
    else:
        try:
            array = np.asarray(seed)
        except ValueError as error:
            raise ValueError(f"{name} must be an integer or a pair of integers") from error
        if array.shape != (2,) or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"{name} must be an integer or a pair of integers, got {seed!r}")
        pair = [int(entry) for entry in array]
    if not all(0 <= entry <= _INT32_MAX for entry in pair):
        raise ValueError(f"{name} entries must lie in [0, 2**31 - 1], got {seed!r}")
    # Python ints in [0, 2**31 - 1] become int32 anyway: the dtype's mutants behave the same.
    return tf.constant(pair, dtype=tf.int32)  # pragma: no mutate


def _float32_tensor(value: object, name: str) -> tf.Tensor:
    """Convert ``value`` to float32, casting other real dtypes, rejecting the rest."""
    if tf.is_tensor(value):
        if not (value.dtype.is_floating or value.dtype.is_integer):
            raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype.name}")
        return tf.cast(value, tf.float32)
    array = np.asarray(value)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got complex values")
    return tf.convert_to_tensor(array, dtype=tf.float32)


def observed_data(data: object, name: str) -> tf.Tensor:
    """Return ``data`` as a float32 tensor of shape [N] with N >= 1 and finite entries.

    Inside a ``tf.function`` the values are symbolic, so only the shape is
    checked there; eagerly, NaN and infinite entries are rejected too.
    """
    tensor = _float32_tensor(data, name)
    if tensor.shape.rank != 1:
        raise ValueError(f"{name} must be one-dimensional (shape [N]), got shape {tensor.shape}")
    if tensor.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one observation, got none")
    if tf.executing_eagerly() and not bool(tf.reduce_all(tf.math.is_finite(tensor))):
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    return tensor


def real_tensor(value: object, name: str) -> tf.Tensor:
    """Return ``value`` as a float tensor of any shape, finite when eager.

    A float64 tensor stays float64 (for quadrature); everything else becomes float32.
    """
    if tf.is_tensor(value) and value.dtype == tf.float64:
        tensor = value
    else:
        tensor = _float32_tensor(value, name)
    if tf.executing_eagerly() and not bool(tf.reduce_all(tf.math.is_finite(tensor))):
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    return tensor


def positive_tensor(value: object, name: str) -> tf.Tensor:
    """Return ``value`` as a float tensor (as :func:`real_tensor`), entries > 0 when eager."""
    tensor = real_tensor(value, name)
    if tf.executing_eagerly() and not bool(tf.reduce_all(tensor > 0.0)):
        raise ValueError(f"{name} must be positive, got entries <= 0")
    return tensor


def observed_array(data: object, name: str) -> np.ndarray:
    """Return ``data`` as a float64 NumPy array of shape [N], N >= 1, finite entries."""
    array = real_array(data, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (shape [N]), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one observation, got none")
    return array


def real_array(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a float64 NumPy array of any shape with finite entries.

    Eager TF tensors are accepted: NumPy converts them itself.
    """
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise ValueError(f"{name} must be a number or a regular array of numbers") from error
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    array = array.astype(np.float64)  # pragma: no mutate (NumPy reads None as float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    return array


def positive_array(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a float64 NumPy array with finite entries > 0."""
    array = real_array(value, name)
    if not np.all(array > 0.0):
        raise ValueError(f"{name} must be positive, got entries <= 0")
    return array
