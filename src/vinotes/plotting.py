"""One figure style for the whole book.

Every chapter calls :func:`use_book_style` once and draws with the colours in
:data:`COLORS`, so that the prior, the likelihood, the posterior and the
surrogate look the same on every page.
"""

from __future__ import annotations

import matplotlib as mpl

COLORS: dict[str, str] = {
    "prior": "#1f77b4",
    "likelihood": "#ff7f0e",
    "posterior": "#2ca02c",
    "surrogate": "#d62728",
    "data": "#595959",
    "truth": "#000000",
}
"""Colour of each kind of curve: prior, likelihood, posterior, surrogate, data, truth."""

BOOK_STYLE: dict[str, object] = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "figure.constrained_layout.use": True,
}
"""The matplotlib settings of the book's figures."""


def use_book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib's global settings."""
    mpl.rcParams.update(BOOK_STYLE)
