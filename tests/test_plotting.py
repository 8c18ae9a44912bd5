"""Unit tests of vinotes.plotting: the book's one figure style."""

from __future__ import annotations

import matplotlib as mpl
import pytest
from matplotlib.colors import is_color_like

from vinotes.plotting import BOOK_STYLE, COLORS, use_book_style


@pytest.fixture
def default_style():
    """Matplotlib's own defaults for the test, restored afterwards."""
    with mpl.rc_context():
        mpl.rcdefaults()
        yield


def test_use_book_style_applies_every_setting(default_style):
    changed = [key for key, value in BOOK_STYLE.items() if mpl.rcParams[key] != value]
    assert changed, "the book style should differ from matplotlib's defaults"
    use_book_style()
    for key, value in BOOK_STYLE.items():
        expected = list(value) if isinstance(value, tuple) else value
        assert mpl.rcParams[key] == expected, key


def test_use_book_style_changes_nothing_else(default_style):
    before = dict(mpl.rcParams)
    use_book_style()
    after = dict(mpl.rcParams)
    assert {key for key in before if before[key] != after[key]} <= BOOK_STYLE.keys()


def test_colors_name_each_kind_of_curve_once():
    assert set(COLORS) == {"prior", "likelihood", "posterior", "surrogate", "data", "truth"}
    assert all(is_color_like(color) for color in COLORS.values())
    assert len(set(COLORS.values())) == len(COLORS)
