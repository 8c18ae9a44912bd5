"""Shared fixtures of the unit tests."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# Under mutation testing (`make mutation`), mutmut runs the tests once in its
# own process and then each mutant in a process forked from it. TensorFlow's
# thread pools do not survive fork(), so: one intra-op thread, a fresh eager
# context in each forked run, no XLA, and the compiled fit traced anew per test
# (a graph traced before the fork would keep the unmutated code). XLA is
# switched off through a stand-in for the `tf` name of vinotes.optimize, so the
# package (and chapter 4, which shows its source) stays as it is.
MUTMUT_PHASES = {"", "stats", "fail", "list_all_tests", "mutant_generation"}


def mutant_under_test() -> bool:
    return os.environ.get("MUTANT_UNDER_TEST", "") not in MUTMUT_PHASES


if "MUTANT_UNDER_TEST" in os.environ:
    import tensorflow as tf

    import vinotes.optimize

    class _TensorFlowWithoutXla(types.ModuleType):
        def __getattr__(self, name):
            return getattr(tf, name)

        @staticmethod
        def function(*args, **kwargs):
            return tf.function(*args, **{**kwargs, "jit_compile": False})

    tf.config.threading.set_intra_op_parallelism_threads(1)
    vinotes.optimize.tf = _TensorFlowWithoutXla("tensorflow")


@pytest.fixture(autouse=True, scope="session")
def _fresh_tensorflow_context():
    if mutant_under_test():
        from tensorflow.python.eager import context

        context._reset_context()
    yield


@pytest.fixture(autouse=True)
def _fresh_compiled_fit():
    if mutant_under_test():
        from vinotes.optimize import compiled_fit_loop

        compiled_fit_loop.cache_clear()
    yield


def pytest_configure(config):
    # ArviZ writes a stamp file at its first import of the day; two pytest-xdist
    # workers importing it at once race on that file. Import it here first, in the
    # process that starts the workers (its FutureWarning is vinotes.diagnostics's to hide).
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import arviz  # noqa: F401
