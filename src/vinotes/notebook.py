"""Helpers for the chapters themselves: showing real source, quoting computed numbers.

A chapter never keeps a hand-made copy of package code: it displays the code
that actually runs, so the text and the package cannot drift apart. And a
number quoted in the prose is glued from the cell that computed it.
"""

from __future__ import annotations

import inspect
import textwrap

import numpy as np
from IPython.display import Code


def show_source(*objects: object) -> Code:
    """Return the source code of ``objects`` (functions, methods or classes) for display.

    In a notebook the returned object renders as highlighted Python; its plain
    text form is the source itself. Several objects are shown one after the
    other, separated by a blank line.

    Raises:
        TypeError: if no object is given, or one has no Python source (a built-in).
    """
    if not objects:
        raise TypeError("objects must name at least one function, method or class")
    sources = []
    for obj in objects:
        try:
            sources.append(textwrap.dedent(inspect.getsource(obj)))
        except (TypeError, OSError) as error:
            raise TypeError(
                f"objects must be Python functions, methods or classes, got {obj!r}"
            ) from error
    return Code("\n\n".join(sources), language="python")


def glue(name: str, value: float | int | str | np.generic) -> None:
    """Record ``value`` under ``name`` for the book's prose, without displaying it.

    The text refers to it with ``{glue:text}`name:.3f``` (MyST-NB's glue), so
    a number in a sentence is always the number the code computed. Where
    MyST-NB is not installed (Colab, for example) there is no book to paste
    into, and this does nothing.

    NumPy scalars are stored as the equivalent Python number, so that the
    text shows ``1.5`` and not ``np.float64(1.5)``.

    Raises:
        TypeError: if ``name`` is not a non-empty string, or ``value`` is not a
            number or a string.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"value must be a number or a string, got {type(value).__name__}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=False)  # pragma: no mutate (myst-nb only asks if it is true)
