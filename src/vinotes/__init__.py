"""vinotes: the helper package of the lecture notes on variational inference.

One module per idea, following the chapters:

* :mod:`vinotes.model`: the running example (a Normal likelihood with unknown
  mean and a Normal prior), its data and its directed graphical model;
* :mod:`vinotes.plotting`: the figure style shared by every chapter;
* :mod:`vinotes.notebook`: showing real source and quoting computed numbers in a chapter.
"""

__version__ = "0.1.0"
