"""The catalogue of bad inputs: every public function of vinotes, what it rejects.

Each row calls one public function with one invalid argument and expects a
ValueError or TypeError whose message names that argument.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import pkgutil

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

import vinotes
from vinotes import (
    advi,
    diagnostics,
    elbo,
    grid,
    meanfield,
    mixture,
    model,
    notebook,
    optimize,
    posterior,
    robust,
)

tfd = tfp.distributions
MODEL = model.NormalModel(0.0, 1.0, 2.0)
STUDENT = robust.StudentTModel(0.0, 1.0, 2.0, 4.0)
DATA = [0.5, 1.5, -0.3]
PRIOR = meanfield.NormalGammaPrior(0.0, 1.0, 1.0, 1.0)
Q = meanfield.MeanFieldNormalGamma(0.1, 2.0, 3.0, 2.0)
NORMAL_Q = tfd.Normal(0.5, 0.8)
NAN, INF = math.nan, math.inf
Z2 = tf.zeros(2)
MIXTURE = mixture.MixturePriorModel(0.5, -1.0, 1.0, 1.0, 2.0)
MIXTURE_POSTERIOR = mixture.mixture_posterior(MIXTURE, DATA)
AXIS = np.array([0.5, 1.0, 1.5, 2.0])
SURROGATE = tfd.JointDistributionNamed(
    {"tau": tfd.Gamma(2.0, 1.0), "mu": lambda tau: tfd.Normal(0.0, tf.math.rsqrt(tau))}
)

# Bad values for an argument that must hold real, finite numbers (a tensor of shape [2]).
BAD_TENSORS = [
    ([NAN, 0.0], ValueError),
    ([0.0, -INF], ValueError),
    ([True, False], TypeError),
    ([1j, 0.0], TypeError),
    (["a", "b"], TypeError),
    (tf.constant([True, False]), TypeError),
    (tf.constant([1j, 0.0]), TypeError),
]

BAD_DATA = [
    ("empty", [], ValueError),
    ("nan", [1.0, NAN], ValueError),
    ("inf", [INF], ValueError),
    ("matrix", [[1.0, 2.0]], ValueError),
    ("scalar", 1.0, ValueError),
    ("strings", ["a", "b"], TypeError),
]


def data_rows(name, function):
    return [
        pytest.param(function, bad, error, "data", id=f"{name}-data-{label}")
        for label, bad, error in BAD_DATA
    ]


def one(name, function, bad, error, argument):
    return pytest.param(function, bad, error, argument, id=f"{name}-{argument}-{bad!r}")


def family(bad_values, *calls):
    """A row for each bad value passed as the argument of each call.

    Each call is ``(function name, argument name, function of the bad value)``.
    """
    for name, argument, function in calls:
        for bad, error in bad_values:
            yield one(name, function, bad, error, argument)


def rows():
    yield from data_rows("log_joint", lambda d: MODEL.log_joint(0.0, d))
    yield from data_rows("summarize", posterior.summarize)
    yield from data_rows("posterior_parameters", lambda d: posterior.posterior_parameters(MODEL, d))
    yield from data_rows("exact_posterior", lambda d: posterior.exact_posterior(MODEL, d))
    yield from data_rows("log_evidence", lambda d: posterior.log_evidence(MODEL, d))
    yield from data_rows("elbo_closed_form", lambda d: elbo.elbo_closed_form(MODEL, d, 0.0, 1.0))
    yield from data_rows("elbo_terms", lambda d: elbo.elbo_terms(MODEL, d, 0.0, 1.0, 5, 1))
    yield from data_rows(
        "elbo_monte_carlo", lambda d: elbo.elbo_monte_carlo(MODEL, d, 0.0, 1.0, 5, 1)
    )
    yield from data_rows(
        "elbo_gradient_exact", lambda d: elbo.elbo_gradient_exact(MODEL, d, 0.0, 1.0)
    )
    yield from data_rows(
        "elbo_gradient_reparameterization",
        lambda d: elbo.elbo_gradient_reparameterization(MODEL, d, 0.0, 1.0, 5, 1),
    )
    yield from data_rows(
        "elbo_gradient_score_function",
        lambda d: elbo.elbo_gradient_score_function(MODEL, d, 0.0, 1.0, 5, 1),
    )
    yield from data_rows("fit_surrogate", lambda d: optimize.fit_surrogate(MODEL, d, num_steps=2))
    yield from data_rows(
        "exact_normal_gamma_posterior", lambda d: meanfield.exact_normal_gamma_posterior(d, PRIOR)
    )
    yield from data_rows(
        "normal_gamma_log_evidence", lambda d: meanfield.normal_gamma_log_evidence(d, PRIOR)
    )
    yield from data_rows("update_q_mu", lambda d: meanfield.update_q_mu(d, PRIOR, 1.0))
    yield from data_rows("update_q_tau", lambda d: meanfield.update_q_tau(d, PRIOR, 0.0, 1.0))
    yield from data_rows("normal_gamma_elbo", lambda d: meanfield.normal_gamma_elbo(d, PRIOR, Q))
    yield from data_rows("cavi_normal_gamma", lambda d: meanfield.cavi_normal_gamma(d, PRIOR))
    yield from data_rows("StudentTModel.log_joint", lambda d: STUDENT.log_joint(0.0, d))
    yield from data_rows("grid_posterior", lambda d: grid.grid_posterior(MODEL, d, -20, 20, 11))
    yield from data_rows(
        "normal_surrogate_elbo", lambda d: grid.normal_surrogate_elbo(MODEL, d, 0.0, 1.0)
    )
    yield from data_rows(
        "fit_normal_gamma_advi",
        lambda d: advi.fit_normal_gamma_advi(d, PRIOR, family="mean-field", num_steps=2),
    )
    yield from data_rows(
        "normal_gamma_elbo_estimate",
        lambda d: advi.normal_gamma_elbo_estimate(SURROGATE, d, PRIOR, num_samples=10),
    )

    yield from family(
        [
            (0.0, ValueError),
            (-1.0, ValueError),
            (NAN, ValueError),
            (INF, ValueError),
            ("1", TypeError),
            (None, TypeError),
            (True, TypeError),
        ],
        ("NormalModel", "prior_std", lambda b: model.NormalModel(0.0, b, 1.0)),
        ("NormalModel", "noise_std", lambda b: model.NormalModel(0.0, 1.0, b)),
        ("NormalGammaPrior", "precision_scale", lambda b: meanfield.NormalGammaPrior(0, b, 1, 1)),
        ("NormalGammaPrior", "shape", lambda b: meanfield.NormalGammaPrior(0, 1, b, 1)),
        ("NormalGammaPrior", "rate", lambda b: meanfield.NormalGammaPrior(0, 1, 1, b)),
        (
            "MeanFieldNormalGamma",
            "mu_precision",
            lambda b: meanfield.MeanFieldNormalGamma(0, b, 1, 1),
        ),
        ("MeanFieldNormalGamma", "tau_shape", lambda b: meanfield.MeanFieldNormalGamma(0, 1, b, 1)),
        ("MeanFieldNormalGamma", "tau_rate", lambda b: meanfield.MeanFieldNormalGamma(0, 1, 1, b)),
        (
            "fit_surrogate",
            "learning_rate",
            lambda b: optimize.fit_surrogate(MODEL, DATA, learning_rate=b),
        ),
        (
            "fit_surrogate",
            "initial_scale",
            lambda b: optimize.fit_surrogate(MODEL, DATA, initial_scale=b),
        ),
        ("update_q_mu", "tau_mean", lambda b: meanfield.update_q_mu(DATA, PRIOR, b)),
        ("update_q_tau", "mu_precision", lambda b: meanfield.update_q_tau(DATA, PRIOR, 0.0, b)),
        (
            "cavi_normal_gamma",
            "init_tau_mean",
            lambda b: meanfield.cavi_normal_gamma(DATA, PRIOR, init_tau_mean=b),
        ),
        ("StudentTModel", "prior_std", lambda b: robust.StudentTModel(0.0, b, 1.0, 1.0)),
        ("StudentTModel", "scale", lambda b: robust.StudentTModel(0.0, 1.0, b, 1.0)),
        ("StudentTModel", "dof", lambda b: robust.StudentTModel(0.0, 1.0, 1.0, b)),
        (
            "fit_normal_gamma_advi",
            "learning_rate",
            lambda b: advi.fit_normal_gamma_advi(DATA, PRIOR, family="mean-field", learning_rate=b),
        ),
    )
    yield from family(
        [(NAN, ValueError), (INF, ValueError), ("0", TypeError), (None, TypeError)],
        ("StudentTModel", "prior_mean", lambda b: robust.StudentTModel(b, 1.0, 1.0, 1.0)),
        ("grid_posterior", "lower", lambda b: grid.grid_posterior(MODEL, DATA, b, 20.0, 11)),
        ("grid_posterior", "upper", lambda b: grid.grid_posterior(MODEL, DATA, -20.0, b, 11)),
    )
    yield from family(
        [(3.0, ValueError), (20.0, ValueError)],
        ("grid_posterior", "lower", lambda b: grid.grid_posterior(MODEL, DATA, b, 3.0, 11)),
    )
    yield from family(
        [(2.0, ValueError)],  # the posterior (mean 0.24, sd 0.76) reaches past 2: "move upper"
        ("grid_posterior", "upper", lambda b: grid.grid_posterior(MODEL, DATA, -20.0, b, 11)),
    )
    yield from family(
        [(2, ValueError), (0, ValueError), (-3, ValueError), (11.0, TypeError), ("11", TypeError)],
        (
            "grid_posterior",
            "num_points",
            lambda b: grid.grid_posterior(MODEL, DATA, -20.0, 20.0, b),
        ),
    )
    yield from family(
        [(NAN, ValueError), (INF, ValueError), ("0", TypeError), (None, TypeError)],
        ("NormalModel", "prior_mean", lambda b: model.NormalModel(b, 1.0, 1.0)),
        ("NormalGammaPrior", "mean", lambda b: meanfield.NormalGammaPrior(b, 1, 1, 1)),
        ("MeanFieldNormalGamma", "mu_loc", lambda b: meanfield.MeanFieldNormalGamma(b, 1, 1, 1)),
        ("sample_data", "true_mean", lambda b: MODEL.sample_data(3, 1, true_mean=b)),
        (
            "fit_surrogate",
            "initial_loc",
            lambda b: optimize.fit_surrogate(MODEL, DATA, initial_loc=b),
        ),
        ("update_q_tau", "mu_loc", lambda b: meanfield.update_q_tau(DATA, PRIOR, b, 1.0)),
    )
    yield from family(
        [(0, ValueError), (-2, ValueError), (2.5, TypeError), ("3", TypeError), (True, TypeError)],
        ("joint_distribution", "num_observations", MODEL.joint_distribution),
        ("sample_joint", "num_observations", lambda b: MODEL.sample_joint(b, 1)),
        ("sample_data", "num_observations", lambda b: MODEL.sample_data(b, 1)),
        ("elbo_terms", "num_samples", lambda b: elbo.elbo_terms(MODEL, DATA, 0.0, 1.0, b, 1)),
        (
            "elbo_monte_carlo",
            "num_samples",
            lambda b: elbo.elbo_monte_carlo(MODEL, DATA, 0.0, 1.0, b, 1),
        ),
        (
            "elbo_gradient_reparameterization",
            "num_samples",
            lambda b: elbo.elbo_gradient_reparameterization(MODEL, DATA, 0.0, 1.0, b, 1),
        ),
        (
            "elbo_gradient_score_function",
            "num_samples",
            lambda b: elbo.elbo_gradient_score_function(MODEL, DATA, 0.0, 1.0, b, 1),
        ),
        ("fit_surrogate", "num_steps", lambda b: optimize.fit_surrogate(MODEL, DATA, num_steps=b)),
        (
            "fit_surrogate",
            "num_samples",
            lambda b: optimize.fit_surrogate(MODEL, DATA, num_samples=b),
        ),
        (
            "cavi_normal_gamma",
            "max_iter",
            lambda b: meanfield.cavi_normal_gamma(DATA, PRIOR, max_iter=b),
        ),
        (
            "normal_surrogate_elbo",
            "num_nodes",
            lambda b: grid.normal_surrogate_elbo(MODEL, DATA, 0.0, 1.0, num_nodes=b),
        ),
        (
            "normal_gamma_model",
            "num_observations",
            lambda b: advi.normal_gamma_model(PRIOR, b),
        ),
        (
            "fit_normal_gamma_advi",
            "num_steps",
            lambda b: advi.fit_normal_gamma_advi(DATA, PRIOR, family="mean-field", num_steps=b),
        ),
        (
            "fit_normal_gamma_advi",
            "num_samples",
            lambda b: advi.fit_normal_gamma_advi(DATA, PRIOR, family="mean-field", num_samples=b),
        ),
        (
            "normal_gamma_elbo_estimate",
            "num_samples",
            lambda b: advi.normal_gamma_elbo_estimate(SURROGATE, DATA, PRIOR, num_samples=b),
        ),
    )
    yield from family(
        [(1, ValueError)],  # one draw has no standard error
        (
            "normal_gamma_elbo_estimate",
            "num_samples",
            lambda b: advi.normal_gamma_elbo_estimate(SURROGATE, DATA, PRIOR, num_samples=b),
        ),
    )
    yield from family(
        [
            ((1, 2, 3), ValueError),
            (-1, ValueError),
            ((1.0, 2.0), ValueError),
            (None, ValueError),
            (True, TypeError),
            (2**40, ValueError),
        ],
        ("sample_data", "seed", lambda b: MODEL.sample_data(3, b)),
        ("elbo_terms", "seed", lambda b: elbo.elbo_terms(MODEL, DATA, 0.0, 1.0, 3, b)),
        ("elbo_monte_carlo", "seed", lambda b: elbo.elbo_monte_carlo(MODEL, DATA, 0.0, 1.0, 3, b)),
        (
            "elbo_gradient_reparameterization",
            "seed",
            lambda b: elbo.elbo_gradient_reparameterization(MODEL, DATA, 0.0, 1.0, 3, b),
        ),
        (
            "elbo_gradient_score_function",
            "seed",
            lambda b: elbo.elbo_gradient_score_function(MODEL, DATA, 0.0, 1.0, 3, b),
        ),
        ("fit_surrogate", "seed", lambda b: optimize.fit_surrogate(MODEL, DATA, seed=b)),
        (
            "fit_normal_gamma_advi",
            "seed",
            lambda b: advi.fit_normal_gamma_advi(DATA, PRIOR, family="mean-field", seed=b),
        ),
        (
            "normal_gamma_elbo_estimate",
            "seed",
            lambda b: advi.normal_gamma_elbo_estimate(SURROGATE, DATA, PRIOR, seed=b),
        ),
    )
    yield from family(
        [
            (0.0, ValueError),
            (-1.0, ValueError),
            ([1.0, -1.0], ValueError),
            (NAN, ValueError),
            ("s", TypeError),
        ],
        ("elbo_closed_form", "scale", lambda b: elbo.elbo_closed_form(MODEL, DATA, 0.0, b)),
        ("elbo_gradient_exact", "scale", lambda b: elbo.elbo_gradient_exact(MODEL, DATA, 0.0, b)),
        (
            "elbo_monte_carlo",
            "scale",
            lambda b: elbo.elbo_monte_carlo(MODEL, DATA, 0.0, b, 3, 1),
        ),
        (
            "elbo_gradient_reparameterization",
            "scale",
            lambda b: elbo.elbo_gradient_reparameterization(MODEL, DATA, 0.0, b, 3, 1),
        ),
        (
            "elbo_gradient_score_function",
            "scale",
            lambda b: elbo.elbo_gradient_score_function(MODEL, DATA, 0.0, b, 3, 1),
        ),
        ("log_normal_density", "scale", lambda b: model.log_normal_density(0.0, 0.0, b)),
        (
            "log_student_t_density",
            "scale",
            lambda b: robust.log_student_t_density(0.0, 1.0, 0.0, b),
        ),
        ("log_student_t_density", "dof", lambda b: robust.log_student_t_density(0.0, b, 0.0, 1.0)),
        (
            "normal_surrogate_elbo",
            "scale",
            lambda b: grid.normal_surrogate_elbo(MODEL, DATA, 0.0, b),
        ),
    )
    yield from family(
        [(NAN, ValueError), (INF, ValueError), ("m", TypeError)],
        ("elbo_closed_form", "loc", lambda b: elbo.elbo_closed_form(MODEL, DATA, b, 1.0)),
        ("elbo_gradient_exact", "loc", lambda b: elbo.elbo_gradient_exact(MODEL, DATA, b, 1.0)),
        ("elbo_monte_carlo", "loc", lambda b: elbo.elbo_monte_carlo(MODEL, DATA, b, 1.0, 3, 1)),
        (
            "elbo_gradient_reparameterization",
            "loc",
            lambda b: elbo.elbo_gradient_reparameterization(MODEL, DATA, b, 1.0, 3, 1),
        ),
        (
            "elbo_gradient_score_function",
            "loc",
            lambda b: elbo.elbo_gradient_score_function(MODEL, DATA, b, 1.0, 3, 1),
        ),
        ("log_normal_density", "loc", lambda b: model.log_normal_density(0.0, b, 1.0)),
        ("log_normal_density", "value", lambda b: model.log_normal_density(b, 0.0, 1.0)),
        ("log_joint", "mu", lambda b: MODEL.log_joint(b, DATA)),
        ("StudentTModel.log_joint", "mu", lambda b: STUDENT.log_joint(b, DATA)),
        (
            "log_student_t_density",
            "value",
            lambda b: robust.log_student_t_density(b, 1.0, 0.0, 1.0),
        ),
        ("log_student_t_density", "loc", lambda b: robust.log_student_t_density(0.0, 1.0, b, 1.0)),
        ("normal_surrogate_elbo", "loc", lambda b: grid.normal_surrogate_elbo(MODEL, DATA, b, 1.0)),
        ("NormalGammaPrior.log_prob", "mu", lambda b: PRIOR.log_prob(b, 1.0)),
        ("MeanFieldNormalGamma.log_prob", "mu", lambda b: Q.log_prob(b, 1.0)),
    )
    yield from family(
        [([0.0, INF], ValueError)],
        ("log_joint", "mu", lambda b: MODEL.log_joint(b, DATA)),
    )
    yield from family(
        [(0.0, ValueError), (-1.0, ValueError), (NAN, ValueError)],
        ("NormalGammaPrior.log_prob", "tau", lambda b: PRIOR.log_prob(0.0, b)),
        ("MeanFieldNormalGamma.log_prob", "tau", lambda b: Q.log_prob(0.0, b)),
    )
    yield from family(
        [(-1e-3, ValueError), (1.0, ValueError), (NAN, ValueError), ("0", TypeError)],
        ("cavi_normal_gamma", "tol", lambda b: meanfield.cavi_normal_gamma(DATA, PRIOR, tol=b)),
    )
    yield from family(
        [("model", TypeError)],
        ("posterior_parameters", "model", lambda b: posterior.posterior_parameters(b, DATA)),
        ("exact_posterior", "model", lambda b: posterior.exact_posterior(b, DATA)),
        ("log_evidence", "model", lambda b: posterior.log_evidence(b, DATA)),
        ("elbo_closed_form", "model", lambda b: elbo.elbo_closed_form(b, DATA, 0.0, 1.0)),
        ("elbo_terms", "model", lambda b: elbo.elbo_terms(b, DATA, 0.0, 1.0, 3, 1)),
        ("elbo_monte_carlo", "model", lambda b: elbo.elbo_monte_carlo(b, DATA, 0.0, 1.0, 3, 1)),
        ("elbo_gradient_exact", "model", lambda b: elbo.elbo_gradient_exact(b, DATA, 0.0, 1.0)),
        (
            "elbo_gradient_reparameterization",
            "model",
            lambda b: elbo.elbo_gradient_reparameterization(b, DATA, 0.0, 1.0, 3, 1),
        ),
        (
            "elbo_gradient_score_function",
            "model",
            lambda b: elbo.elbo_gradient_score_function(b, DATA, 0.0, 1.0, 3, 1),
        ),
        ("fit_surrogate", "model", lambda b: optimize.fit_surrogate(b, DATA)),
        ("check_model", "model", lambda b: optimize.check_model(b)),
        ("model_numbers", "model", lambda b: optimize.model_numbers(b)),
        ("grid_posterior", "model", lambda b: grid.grid_posterior(b, DATA, -20.0, 20.0, 11)),
        (
            "normal_surrogate_elbo",
            "model",
            lambda b: grid.normal_surrogate_elbo(b, DATA, 0.0, 1.0),
        ),
    )
    yield from family(
        [(None, TypeError), (MODEL.log_joint, TypeError)],
        (
            "normal_gamma_elbo_estimate",
            "surrogate",
            lambda b: advi.normal_gamma_elbo_estimate(b, DATA, PRIOR),
        ),
    )
    yield from family(
        [(None, TypeError), (1.0, TypeError), ("log_joint", TypeError)],
        (
            "log_importance_weights",
            "log_joint",
            lambda b: diagnostics.log_importance_weights(b, NORMAL_Q, DATA, 10, 1),
        ),
        (
            "importance_weighted_bound",
            "log_joint",
            lambda b: diagnostics.importance_weighted_bound(b, NORMAL_Q, DATA, 2, 10, 1),
        ),
        (
            "psis_diagnostics",
            "log_joint",
            lambda b: diagnostics.psis_diagnostics(b, NORMAL_Q, DATA, 100, 1),
        ),
    )
    yield from family(
        [(None, TypeError), (MODEL.log_joint, TypeError), ([0.0, 1.0], TypeError)],
        (
            "log_importance_weights",
            "surrogate",
            lambda b: diagnostics.log_importance_weights(MODEL.log_joint, b, DATA, 10, 1),
        ),
        (
            "importance_weighted_bound",
            "surrogate",
            lambda b: diagnostics.importance_weighted_bound(MODEL.log_joint, b, DATA, 2, 10, 1),
        ),
        (
            "psis_diagnostics",
            "surrogate",
            lambda b: diagnostics.psis_diagnostics(MODEL.log_joint, b, DATA, 100, 1),
        ),
    )
    yield from family(
        [(0, ValueError), (-2, ValueError), (2.5, TypeError), ("3", TypeError), (True, TypeError)],
        (
            "log_importance_weights",
            "num_samples",
            lambda b: diagnostics.log_importance_weights(MODEL.log_joint, NORMAL_Q, DATA, b, 1),
        ),
        (
            "importance_weighted_bound",
            "num_samples",
            lambda b: diagnostics.importance_weighted_bound(
                MODEL.log_joint, NORMAL_Q, DATA, 2, b, 1
            ),
        ),
        (
            "importance_weighted_bound",
            "num_importance",
            lambda b: diagnostics.importance_weighted_bound(
                MODEL.log_joint, NORMAL_Q, DATA, b, 10, 1
            ),
        ),
        (
            "psis_diagnostics",
            "num_samples",
            lambda b: diagnostics.psis_diagnostics(MODEL.log_joint, NORMAL_Q, DATA, b, 1),
        ),
    )
    yield from family(
        [(99, ValueError), (10, ValueError)],  # too few draws for a Pareto fit
        (
            "psis_diagnostics",
            "num_samples",
            lambda b: diagnostics.psis_diagnostics(MODEL.log_joint, NORMAL_Q, DATA, b, 1),
        ),
    )
    yield from family(
        [((1, 2, 3), ValueError), (-1, ValueError), ("1", ValueError), (True, TypeError)],
        (
            "log_importance_weights",
            "seed",
            lambda b: diagnostics.log_importance_weights(MODEL.log_joint, NORMAL_Q, DATA, 10, b),
        ),
    )
    yield from family(
        [(tfd.Normal([0.0, 1.0], 1.0), ValueError)],  # two values per draw, not one
        (
            "log_importance_weights",
            "surrogate",
            lambda b: diagnostics.log_importance_weights(MODEL.log_joint, b, DATA, 10, 1),
        ),
    )
    yield from family(
        [(tfd.Normal(0.0, 1.0), ValueError)],  # draws a tensor, not {"tau": ..., "mu": ...}
        (
            "normal_gamma_elbo_estimate",
            "surrogate",
            lambda b: advi.normal_gamma_elbo_estimate(b, DATA, PRIOR, num_samples=10),
        ),
    )
    yield from family(
        [((0.0, 1.0, 1.0, 1.0), TypeError)],
        (
            "exact_normal_gamma_posterior",
            "prior",
            lambda b: meanfield.exact_normal_gamma_posterior(DATA, b),
        ),
        (
            "normal_gamma_log_evidence",
            "prior",
            lambda b: meanfield.normal_gamma_log_evidence(DATA, b),
        ),
        ("cavi_normal_gamma", "prior", lambda b: meanfield.cavi_normal_gamma(DATA, b)),
        ("update_q_mu", "prior", lambda b: meanfield.update_q_mu(DATA, b, 1.0)),
        ("normal_gamma_elbo", "q", lambda b: meanfield.normal_gamma_elbo(DATA, PRIOR, b)),
        ("normal_gamma_model", "prior", lambda b: advi.normal_gamma_model(b, 3)),
        (
            "fit_normal_gamma_advi",
            "prior",
            lambda b: advi.fit_normal_gamma_advi(DATA, b, family="mean-field"),
        ),
        (
            "normal_gamma_elbo_estimate",
            "prior",
            lambda b: advi.normal_gamma_elbo_estimate(SURROGATE, DATA, b),
        ),
    )
    yield from family(
        [("full", ValueError), ("", ValueError), (None, ValueError)],
        (
            "fit_normal_gamma_advi",
            "family",
            lambda b: advi.fit_normal_gamma_advi(DATA, PRIOR, family=b),
        ),
    )
    yield from family(
        [(1, TypeError), ("yes", TypeError), (None, TypeError), (np.bool_(True), TypeError)],
        (
            "fit_normal_gamma_advi",
            "jacobian",
            lambda b: advi.fit_normal_gamma_advi(DATA, PRIOR, family="mean-field", jacobian=b),
        ),
    )
    yield from family(
        [
            ([0.0] * 5, ValueError),
            ([0.0] * 7, ValueError),
            (np.zeros((2, 6)), ValueError),
            ([0.0] * 5 + [NAN], ValueError),
            ([0.0] * 5 + [INF], ValueError),
            (["a"] * 6, TypeError),
            ([True] * 6, TypeError),
            (None, TypeError),
        ],
        ("surrogate_moments", "parameters", lambda b: advi.surrogate_moments(b)),
    )
    yield from family(
        [(NAN, ValueError), ("m", TypeError)],
        ("posterior_errors", "loc", lambda b: optimize.posterior_errors(MODEL, DATA, b, 1.0)),
    )
    yield from family(
        [(0.0, ValueError), (-1.0, ValueError)],
        ("posterior_errors", "scale", lambda b: optimize.posterior_errors(MODEL, DATA, 0.0, b)),
    )
    yield from family(
        [("score", ValueError), ("", ValueError)],
        ("fit_surrogate", "estimator", lambda b: optimize.fit_surrogate(MODEL, DATA, estimator=b)),
    )
    yield from family(
        [("linear", ValueError)],
        ("fit_surrogate", "schedule", lambda b: optimize.fit_surrogate(MODEL, DATA, schedule=b)),
    )
    yield from family(
        [("float16", ValueError), ("double", ValueError)],
        ("fit_surrogate", "dtype", lambda b: optimize.fit_surrogate(MODEL, DATA, dtype=b)),
    )
    yield from family(
        [(0, ValueError)],
    )
    yield from family(
        [(-0.1, ValueError)],
    )
    yield from family(
        [(1.0, ValueError), (-0.5, ValueError), (math.nan, ValueError)],
    )
    yield from family(
        [(0.0, ValueError), (1.5, ValueError)],
    )
    yield from family(
        [
            (1.0, ValueError),
            (-0.1, ValueError),
            (math.inf, ValueError),
            ((0.9, 1.0), ValueError),
            ((0.9,), TypeError),
            ((0.9, 0.99, 0.999), TypeError),
            ("0.9", TypeError),
            (None, TypeError),
            ((0.9, "x"), TypeError),
        ],
        ("fit_surrogate", "beta_2", lambda b: optimize.fit_surrogate(MODEL, DATA, beta_2=b)),
    )
    yield from family(
        [("model", TypeError), (None, TypeError)],
        ("compiled_fit_loop", "model", lambda b: optimize.compiled_fit_loop(b)),
    )
    yield from family(
        BAD_TENSORS,
    )
    yield from family(
        [(tf.zeros(3), ValueError)],
    )
    yield from family(
        [(-1, ValueError)],
    )
    yield from family(
        [(tf.zeros([2, 2]), ValueError)],
    )
    yield from family(
        [*BAD_TENSORS, ([[1.0], [2.0, 3.0]], ValueError), ([[0.0]], ValueError)],
        ("gaussian_mean_field", "mean", lambda b: meanfield.gaussian_mean_field(b, np.eye(2))),
    )
    yield from family(
        [
            (np.full((2, 2), NAN), ValueError),
            (np.full((2, 2), INF), ValueError),
            (np.eye(2, dtype=bool), TypeError),
            (np.eye(2, dtype=complex), TypeError),
            ([[1.0, 0.0], [0.0]], ValueError),
            (np.eye(3), ValueError),
            ([[1.0, 2.0], [2.0, 1.0]], ValueError),
            ([[1.0, 0.5], [0.0, 1.0]], ValueError),
        ],
        (
            "gaussian_mean_field",
            "covariance",
            lambda b: meanfield.gaussian_mean_field([0.0, 0.0], b),
        ),
    )
    yield from family(
        [(len, TypeError), (3, TypeError)],
        ("show_source", "objects", lambda b: notebook.show_source(b)),
    )
    yield from family(
        [((), TypeError)], ("show_source", "objects", lambda b: notebook.show_source(*b))
    )
    yield from family(
        [(None, TypeError)],
        (
            "show_source",
            "objects",
            lambda b: notebook.show_source(model.NormalModel.log_joint, b),
        ),
    )
    yield from family(
        [("", TypeError), (None, TypeError)], ("glue", "name", lambda b: notebook.glue(b, 1.0))
    )
    yield from family(
        [([1.0], TypeError), (None, TypeError), (True, TypeError)],
        ("glue", "value", lambda b: notebook.glue("key", b)),
    )

    yield from chapter_7_rows()


def chapter_7_rows():
    """The mixture-prior model, the local optima of the quadrature ELBO, the Gaussian KL."""
    yield from data_rows("MixturePriorModel.log_joint", lambda d: MIXTURE.log_joint(0.0, d))
    yield from data_rows("mixture_posterior", lambda d: mixture.mixture_posterior(MIXTURE, d))
    yield from data_rows(
        "polish_normal_surrogate", lambda d: grid.polish_normal_surrogate(MODEL, d, 0.0, 1.0)
    )
    yield from data_rows(
        "normal_surrogate_optima",
        lambda d: grid.normal_surrogate_optima(MODEL, d, AXIS, AXIS + 2.0),
    )
    fields = {"weight": 0.5, "mean_1": -1.0, "mean_2": 1.0, "prior_std": 1.0, "noise_std": 2.0}
    for name in fields:
        bad_values = [("1", TypeError), (NAN, ValueError), (None, TypeError)]
        if name in ("weight", "prior_std", "noise_std"):
            bad_values += [(0.0, ValueError), (-1.0, ValueError)]
        if name == "weight":
            bad_values += [(1.0, ValueError), (INF, ValueError)]
        yield from family(
            bad_values,
            (
                "MixturePriorModel",
                name,
                lambda b, name=name: mixture.MixturePriorModel(**{**fields, name: b}),
            ),
        )
    yield from family(
        BAD_TENSORS,
        ("MixturePriorModel.log_joint", "mu", lambda b: MIXTURE.log_joint(b, DATA)),
        ("MixturePosterior.log_prob", "mu", lambda b: MIXTURE_POSTERIOR.log_prob(b)),
    )
    yield from family(
        [("model", TypeError), (MODEL, TypeError), (None, TypeError)],
        ("mixture_posterior", "model", lambda b: mixture.mixture_posterior(b, DATA)),
    )
    yield from family(
        [("model", TypeError), (model.NormalModel, TypeError)],
        ("polish_normal_surrogate", "model", lambda b: grid.polish_normal_surrogate(b, DATA, 0, 1)),
        (
            "normal_surrogate_optima",
            "model",
            lambda b: grid.normal_surrogate_optima(b, DATA, AXIS, AXIS + 2.0),
        ),
    )
    yield from family(
        [(NAN, ValueError), ("0", TypeError), (None, TypeError)],
        (
            "polish_normal_surrogate",
            "initial_loc",
            lambda b: grid.polish_normal_surrogate(MODEL, DATA, b, 1.0),
        ),
    )
    yield from family(
        [(0.0, ValueError), (-1.0, ValueError), (INF, ValueError), (None, TypeError)],
        (
            "polish_normal_surrogate",
            "initial_scale",
            lambda b: grid.polish_normal_surrogate(MODEL, DATA, 0.0, b),
        ),
    )
    yield from family(
        [(0, ValueError), (2.5, TypeError), (301, ValueError)],
        (
            "normal_surrogate_elbo",
            "num_nodes",
            lambda b: grid.normal_surrogate_elbo(MODEL, DATA, 0.0, 1.0, num_nodes=b),
        ),
        (
            "polish_normal_surrogate",
            "num_nodes",
            lambda b: grid.polish_normal_surrogate(MODEL, DATA, 0.0, 1.0, num_nodes=b),
        ),
        (
            "normal_surrogate_optima",
            "num_nodes",
            lambda b: grid.normal_surrogate_optima(MODEL, DATA, AXIS, AXIS + 2.0, num_nodes=b),
        ),
    )
    yield from family(
        [(2, ValueError)],
        (
            "normal_surrogate_elbo",
            "num_nodes",
            lambda b: grid.normal_surrogate_elbo(MODEL, DATA, 0.0, 1.0, b, rule="trapezoid"),
        ),
    )
    yield from family(
        [("simpson", ValueError), (None, ValueError)],
        (
            "normal_surrogate_elbo",
            "rule",
            lambda b: grid.normal_surrogate_elbo(MODEL, DATA, 0.0, 1.0, rule=b),
        ),
        (
            "polish_normal_surrogate",
            "rule",
            lambda b: grid.polish_normal_surrogate(MODEL, DATA, 0.0, 1.0, rule=b),
        ),
        (
            "normal_surrogate_optima",
            "rule",
            lambda b: grid.normal_surrogate_optima(MODEL, DATA, AXIS, AXIS + 2.0, rule=b),
        ),
    )
    bad_axes = [
        ([0.0, 1.0], ValueError),
        ([0.0, 2.0, 1.0], ValueError),
        ([[0.5, 1.0, 2.0]], ValueError),
        ([0.5, NAN, 2.0], ValueError),
        (["a", "b", "c"], TypeError),
    ]
    yield from family(
        bad_axes,
        (
            "normal_surrogate_optima",
            "loc_axis",
            lambda b: grid.normal_surrogate_optima(MODEL, DATA, b, AXIS + 2.0),
        ),
    )
    yield from family(
        [*bad_axes, ([-1.0, 1.0, 2.0], ValueError)],
        (
            "normal_surrogate_optima",
            "scale_axis",
            lambda b: grid.normal_surrogate_optima(MODEL, DATA, AXIS, b),
        ),
    )
    gaussian = {"mean_q": [0.0, 0.0], "cov_q": np.eye(2), "mean_p": [1.0, 0.0], "cov_p": np.eye(2)}
    for mean in ("mean_q", "mean_p"):
        yield from family(
            [*BAD_TENSORS, ([[0.0]], ValueError), ([], ValueError)],
            ("gaussian_kl", mean, lambda b, m=mean: meanfield.gaussian_kl(**{**gaussian, m: b})),
        )
    for cov in ("cov_q", "cov_p"):
        yield from family(
            [
                (np.full((2, 2), NAN), ValueError),
                (np.eye(2, dtype=bool), TypeError),
                (np.eye(3), ValueError),
                ([[1.0, 2.0], [2.0, 1.0]], ValueError),
                ([[1.0, 0.5], [0.0, 1.0]], ValueError),
            ],
            ("gaussian_kl", cov, lambda b, c=cov: meanfield.gaussian_kl(**{**gaussian, c: b})),
        )


# For these arguments None is valid: it selects the default.
OPTIONAL = {"initial_scale", "initial_loc", "true_mean", "init_tau_mean"}
CATALOGUE = [p for p in rows() if not (p.values[1] is None and p.values[3] in OPTIONAL)]


def test_none_selects_the_default_for_optional_arguments():
    optimize.fit_surrogate(MODEL, DATA, num_steps=2, initial_loc=None, initial_scale=None)
    MODEL.sample_data(3, 1, true_mean=None)
    meanfield.cavi_normal_gamma(DATA, PRIOR, init_tau_mean=None)


@pytest.mark.parametrize(("function", "bad", "error", "argument"), CATALOGUE)
def test_rejects_bad_input_naming_the_argument(function, bad, error, argument):
    # The argument's exact name, as a whole word ("data", not "XXdataXX").
    with pytest.raises(error, match=rf"(?<!\w)({argument})(?!\w)"):
        function(bad)


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (lambda: model.NormalModel("0", 1.0, 1.0), "prior_mean must be a real number, got str"),
        (
            lambda: optimize.fit_surrogate(MODEL, DATA, num_steps=2.5),
            "num_steps must be an integer, got float",
        ),
        (
            lambda: posterior.posterior_parameters("model", DATA),
            "model must be a NormalModel, got str",
        ),
        (
            lambda: meanfield.cavi_normal_gamma(DATA, (0, 1, 1, 1)),
            "prior must be a NormalGammaPrior, got tuple",
        ),
        (
            lambda: meanfield.normal_gamma_elbo(DATA, PRIOR, (0.1, 2.0, 3.0, 2.0)),
            "q must be a MeanFieldNormalGamma, got tuple",
        ),
        (lambda: notebook.glue("key", [1.0]), "value must be a number or a string, got list"),
        (lambda: optimize.fit_surrogate(MODEL, DATA, beta_2="0.9"), "beta_2 .*got str"),
        (
            lambda: robust.StudentTModel(0.0, 1.0, 1.0, "4"),
            "dof must be a real number, got str",
        ),
        (
            lambda: optimize.fit_surrogate("model", DATA),
            r"model must have a method log_joint\(mu, data\), got str",
        ),
        (
            lambda: advi.fit_normal_gamma_advi(DATA, PRIOR, family="mean-field", jacobian=1),
            "jacobian must be True or False, got int",
        ),
    ],
)
def test_type_errors_name_the_type_they_got(function, message):
    with pytest.raises(TypeError, match=message):
        function()


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (
            lambda: meanfield.gaussian_mean_field([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]]),
            "covariance must be positive definite",
        ),
        (
            lambda: meanfield.gaussian_mean_field([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]]),
            "covariance must be symmetric",
        ),
        (
            lambda: meanfield.gaussian_mean_field([NAN, 0.0], np.eye(2)),
            "mean must be finite",
        ),
    ],
)
def test_value_errors_say_what_was_expected(function, message):
    with pytest.raises(ValueError, match=message):
        function()


# The small functions fit_surrogate runs inside its compiled loop, which chapter 4
# shows as the algorithm itself: fit_surrogate checks their arguments instead.
BUILDING_BLOCKS = {
    "adam_update",
    "cosine_learning_rate",
    "negative_elbo_estimate",
    "recipe_schedule",
    "run_adam",
    "sample_surrogate",
    "surrogate_log_density",
    "unconstrained_log_joint",
}
# Public callables that take no argument, and records that functions return.
NO_ARGUMENTS = {
    "running_example",
    "draw_dgm",
    "use_book_style",
    "NormalGammaPrior.mu_marginal",
    "NormalGammaPrior.tau_marginal",
    "NormalGammaADVIFit.surrogate",
    "MixturePriorModel.components",
    "MixturePosterior.mean",
    "MixturePosterior.variance",
}
RESULTS = {
    "CaviResult",
    "PSISResult",
    "DataSummary",
    "ElboGradient",
    "ElboTerms",
    "FitResult",
    "GridPosterior",
    "MixturePosterior",
    "NormalOptimum",
    "NormalGammaADVIFit",
    "RunningExample",
}


def public_callables() -> set[str]:
    """Every public function, class and public method defined in a vinotes module."""
    names = set()
    for info in pkgutil.iter_modules(vinotes.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"vinotes.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if "__mutmut" in name:  # the variants `make mutation` generates
                continue
            if inspect.isfunction(value) or isinstance(value, functools._lru_cache_wrapper):
                names.add(name)
            elif inspect.isclass(value):
                names.add(name)
                names.update(
                    f"{name}.{method}"
                    for method, member in vars(value).items()
                    if inspect.isfunction(member)
                    and not method.startswith("_")
                    and "__mutmut" not in method
                )
    return names


def test_the_catalogue_covers_every_public_function():
    covered = {param.id.split("-")[0] for param in CATALOGUE}
    public = public_callables()
    assert public >= BUILDING_BLOCKS | NO_ARGUMENTS | RESULTS
    missing = {
        name
        for name in public - BUILDING_BLOCKS - NO_ARGUMENTS - RESULTS
        if name not in covered and name.rpartition(".")[2] not in covered
    }
    assert missing == set()
    assert not BUILDING_BLOCKS & covered
