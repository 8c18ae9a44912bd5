"""Unit tests of the argument checks shared by vinotes' public functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf

from vinotes import _validation as check


@pytest.mark.parametrize("value", [0, 1, -2.5, np.float32(3.0), np.int64(4)])
def test_finite_float_accepts_real_numbers(value):
    assert check.finite_float(value, "x") == float(value)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (math.nan, ValueError, "x must be a finite number"),
        (-math.inf, ValueError, "x must be a finite number"),
        (True, TypeError, "x must be a real number"),
        ([1.0], TypeError, "x must be a real number, got list"),
    ],
)
def test_finite_float_rejects(value, error, message):
    with pytest.raises(error, match=message):
        check.finite_float(value, "x")


@pytest.mark.parametrize("value", [0.0, -1e-9, -3])
def test_positive_float_rejects_non_positive(value):
    with pytest.raises(ValueError, match="scale must be positive"):
        check.positive_float(value, "scale")


def test_positive_int():
    assert check.positive_int(np.int32(5), "n") == 5
    with pytest.raises(ValueError, match="n must be at least 1, got 0"):
        check.positive_int(0, "n")


@pytest.mark.parametrize(
    ("seed", "pair"),
    [
        (7, [0, 7]),
        ((3, 4), [3, 4]),
        (np.array([1, 2]), [1, 2]),
        (np.int64(2**31 - 1), [0, 2**31 - 1]),
        ((2**31 - 1, 0), [2**31 - 1, 0]),
    ],
)
def test_stateless_seed(seed, pair):
    tensor = check.stateless_seed(seed)
    assert tensor.dtype == tf.int32
    assert tensor.numpy().tolist() == pair


def test_observed_data_accepts_a_tensor_of_another_dtype():
    data = check.observed_data(tf.constant([1.0, 2.0], dtype=tf.float64), "data")
    assert data.dtype == tf.float32 and data.numpy().tolist() == [1.0, 2.0]


def test_observed_data_checks_only_the_shape_in_graph_mode():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def count(data):
        return tf.size(check.observed_data(data, "data"))

    assert int(count(tf.constant([1.0, 2.0, 3.0]))) == 3


@pytest.mark.parametrize("value", [np.array(["a"]), [True, False]])
def test_real_tensor_rejects_non_real_values(value):
    with pytest.raises(TypeError, match="mu must hold real numbers"):
        check.real_tensor(value, "mu")


@pytest.mark.parametrize("seed", [2**31, 2**70, (0, 2**31), -1, (3, -4)])
def test_stateless_seed_rejects_entries_outside_int32(seed):
    with pytest.raises(ValueError, match=r"seed entries must lie in \[0, 2\*\*31 - 1\]"):
        check.stateless_seed(seed)


@pytest.mark.parametrize("seed", [[[1], [2, 3]], (1, 2, 3), [1.0, 2.0], "12"])
def test_stateless_seed_rejects_what_is_not_a_pair_of_integers(seed):
    with pytest.raises(ValueError, match="seed must be an integer or a pair of integers"):
        check.stateless_seed(seed)


@pytest.mark.parametrize(
    "value",
    [tf.constant([[1.0, 2.0]], tf.float32), tf.constant([[1, 2]]), [[1, 2]], np.int8([[1, 2]])],
)
def test_real_array_accepts_tensors_and_integers_as_float64(value):
    array = check.real_array(value, "x")
    assert array.dtype == np.float64
    np.testing.assert_array_equal(array, [[1.0, 2.0]])


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ([[1.0], [2.0, 3.0]], ValueError, "x must be a number or a regular array of numbers"),
        ([1.0 + 2j], TypeError, "x must hold real numbers, got dtype complex128"),
        (np.complex64([1.0]), TypeError, "x must hold real numbers, got dtype complex64"),
        ([True], TypeError, "x must hold real numbers, got dtype bool"),
    ],
)
def test_real_array_rejects(value, error, message):
    with pytest.raises(error, match=message):
        check.real_array(value, "x")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (tf.constant([True]), "got dtype bool"),
        (tf.constant(["a"]), "got dtype string"),
        (tf.constant([1 + 2j]), "got dtype complex128"),
        ([1 + 2j], "got complex values"),
    ],
)
def test_real_tensor_names_the_dtype_it_rejects(value, message):
    with pytest.raises(TypeError, match=f"mu must hold real numbers, {message}"):
        check.real_tensor(value, "mu")


def test_real_tensor_keeps_a_float64_tensor_float64():
    value = tf.constant([0.1, -2.0], tf.float64)
    tensor = check.real_tensor(value, "mu")
    assert tensor.dtype == tf.float64
    np.testing.assert_array_equal(tensor, [0.1, -2.0])  # 0.1 not rounded to float32


@pytest.mark.parametrize("value", [0.1, [0.1], np.float64(0.1), np.array([0.1])])
def test_real_tensor_makes_everything_else_float32(value):
    tensor = check.real_tensor(value, "mu")
    assert tensor.dtype == tf.float32
    assert np.all(tensor.numpy() == np.float32(0.1))


@pytest.mark.parametrize(
    ("check_function", "bad", "message"),
    [
        (check.real_tensor, [0.0, math.nan], "mu must be finite"),
        (check.real_tensor, [math.inf], "mu must be finite"),
        (check.positive_tensor, [1.0, math.nan], "mu must be finite"),
        (check.positive_tensor, [1.0, 0.0], "mu must be positive"),
        (check.positive_tensor, [-1e-300], "mu must be positive"),
    ],
)
def test_float64_tensors_are_checked_too(check_function, bad, message):
    with pytest.raises(ValueError, match=message):
        check_function(tf.constant(bad, tf.float64), "mu")


def test_positive_tensor_keeps_a_float64_tensor_float64():
    tensor = check.positive_tensor(tf.constant([1e-300, 2.5], tf.float64), "scale")
    assert tensor.dtype == tf.float64
    np.testing.assert_array_equal(tensor, [1e-300, 2.5])  # 1e-300 is 0 in float32
