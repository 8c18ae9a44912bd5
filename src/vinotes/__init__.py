"""vinotes: the helper package of the lecture notes on variational inference.

One module per idea, following the chapters:

* :mod:`vinotes.model`: the running example (a Normal likelihood with unknown
  mean and a Normal prior), its data and its directed graphical model (chapter 1);
* :mod:`vinotes.posterior`: its exact posterior and evidence (chapter 2);
* :mod:`vinotes.elbo`: the ELBO in closed form, by sampling, and its gradient
  estimators (chapter 3);
* :mod:`vinotes.optimize`: VI by automatic differentiation and Adam (chapter 4);
* :mod:`vinotes.meanfield`: the mean-field approach, CAVI on the Normal-Gamma
  model and the factorised Gaussian (chapter 5);
* :mod:`vinotes.advi`: chapter 5's model by automatic differentiation, with the
  log-Jacobian and three Gaussian surrogate families (chapter 6);
* :mod:`vinotes.robust`: the running example with a Student-t likelihood (chapter 6);
* :mod:`vinotes.grid`: exact answers for a one-dimensional posterior by quadrature, and
  every local optimum of the ELBO over Normal surrogates (chapters 6 and 7);
* :mod:`vinotes.mixture`: the running example with a two-component mixture prior,
  a bimodal posterior with closed forms (chapter 7);
* :mod:`vinotes.diagnostics`: checks of a fit that need no exact posterior, the
  importance-weighted bound and Pareto-smoothed importance sampling (chapter 7);
* :mod:`vinotes.plotting`: the figure style shared by every chapter;
* :mod:`vinotes.notebook`: showing real source and quoting computed numbers in a chapter.

Argument checks shared by the public functions live in the private
``vinotes._validation``.
"""

__version__ = "0.1.0"
