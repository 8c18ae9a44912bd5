"""Unit tests of vinotes.mixture: the mixture-prior model of chapter 7.

References: SciPy's Normal densities for the log joint, adaptive quadrature of
the joint density for the evidence and the posterior moments, and chapter 2's
closed forms when both components coincide.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
from scipy import integrate, stats

from vinotes.mixture import MixturePriorModel, mixture_posterior
from vinotes.model import NormalModel, running_example
from vinotes.optimize import fit_surrogate
from vinotes.posterior import log_evidence, posterior_parameters

EXAMPLE = running_example()
DATA = EXAMPLE.data.numpy().astype(np.float64)
MODEL = MixturePriorModel(weight=0.3, mean_1=-1.0, mean_2=4.0, prior_std=1.0, noise_std=2.0)


def scipy_log_joint(model: MixturePriorModel, mu: float) -> float:
    prior = model.weight * stats.norm.pdf(mu, model.mean_1, model.prior_std) + (
        1 - model.weight
    ) * stats.norm.pdf(mu, model.mean_2, model.prior_std)
    return math.log(prior) + stats.norm.logpdf(DATA, mu, model.noise_std).sum()


def test_log_joint_matches_scipy():
    mu = np.array([-3.0, 0.5, 1.7, 6.0])
    values = MODEL.log_joint(tf.constant(mu), DATA).numpy()
    np.testing.assert_allclose(values, [scipy_log_joint(MODEL, m) for m in mu], rtol=1e-12)


def test_evidence_and_moments_match_quadrature():
    posterior = mixture_posterior(MODEL, DATA)

    def joint(mu, power=0):
        return mu**power * math.exp(scipy_log_joint(MODEL, mu))

    evidence = integrate.quad(joint, -15, 20, epsabs=0, epsrel=1e-12, limit=200)[0]
    mean = integrate.quad(joint, -15, 20, args=(1,), epsabs=0, epsrel=1e-12, limit=200)[0]
    second = integrate.quad(joint, -15, 20, args=(2,), epsabs=0, epsrel=1e-12, limit=200)[0]
    assert posterior.log_evidence == pytest.approx(math.log(evidence), abs=1e-9)
    assert posterior.mean() == pytest.approx(mean / evidence, abs=1e-9)
    assert posterior.variance() == pytest.approx(
        second / evidence - (mean / evidence) ** 2, abs=1e-9
    )
    assert posterior.weights.sum() == pytest.approx(1.0, abs=1e-15)
    for mu in (-1.0, 1.5, 3.0):
        expected = scipy_log_joint(MODEL, mu) - math.log(evidence)
        assert posterior.log_prob(mu) == pytest.approx(expected, abs=1e-9)


def test_equal_components_give_chapter_2s_posterior():
    same = MixturePriorModel(weight=0.3, mean_1=0.5, mean_2=0.5, prior_std=1.5, noise_std=2.0)
    normal = NormalModel(prior_mean=0.5, prior_std=1.5, noise_std=2.0)
    posterior = mixture_posterior(same, DATA)
    mean, std = posterior_parameters(normal, DATA)
    np.testing.assert_allclose(posterior.means, [mean, mean], rtol=1e-12)
    assert posterior.std == pytest.approx(std, rel=1e-12)
    np.testing.assert_allclose(posterior.weights, [0.3, 0.7], rtol=1e-12)
    assert posterior.log_evidence == pytest.approx(float(log_evidence(normal, DATA)), abs=1e-5)


def test_the_recipe_fits_it_in_the_compiled_loop():
    # One component dominates, so the posterior is close to Normal around it.
    lopsided = MixturePriorModel(
        weight=0.999, mean_1=2.0, mean_2=-8.0, prior_std=1.0, noise_std=2.0
    )
    posterior = mixture_posterior(lopsided, DATA)
    fit = fit_surrogate(lopsided, DATA, initial_loc=0.0, initial_scale=1.0, seed=(3, 1))
    assert fit.loc == pytest.approx(posterior.mean(), abs=0.01 * posterior.std)
    assert fit.scale == pytest.approx(math.sqrt(posterior.variance()), rel=0.01)


def test_initial_values_are_needed_to_fit():
    with pytest.raises(TypeError, match="initial_loc is needed"):
        fit_surrogate(MODEL, DATA, num_steps=2)
