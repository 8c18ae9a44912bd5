"""Unit tests of vinotes.grid: the quadrature posterior and ELBO of chapter 6.

References: the closed forms of chapter 2 (posterior, evidence as a multivariate
Normal density), the closed-form KL between Normals, and SciPy's adaptive quadrature.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from vinotes.elbo import elbo_closed_form
from vinotes.grid import (
    GridPosterior,
    grid_posterior,
    normal_surrogate_elbo,
    normal_surrogate_optima,
    polish_normal_surrogate,
)
from vinotes.mixture import MixturePriorModel, mixture_posterior
from vinotes.model import NormalModel, running_example
from vinotes.posterior import posterior_parameters
from vinotes.robust import StudentTModel

EXAMPLE = running_example()
# Parameters and data that float32 holds exactly, so that float64 references apply to 1e-9.
NORMAL = NormalModel(prior_mean=0.5, prior_std=1.5, noise_std=2.0)
STUDENT = StudentTModel(prior_mean=0.0, prior_std=1.0, scale=2.0, dof=4.0)
DATA = np.append(EXAMPLE.data.numpy(), np.float32(15.0)).astype(np.float64)
LOWER, UPPER = -10.0, 16.0


def log_evidence64(model: NormalModel, data: np.ndarray) -> float:
    """Eq. evidence-marginal: the data are jointly N(mu_0 1, sigma^2 I + sigma_0^2 1 1^T)."""
    n = data.size
    covariance = model.noise_std**2 * np.eye(n) + model.prior_std**2 * np.ones((n, n))
    return float(stats.multivariate_normal(np.full(n, model.prior_mean), covariance).logpdf(data))


def student_joint(mu: float) -> float:
    log_prior = stats.norm.logpdf(mu, STUDENT.prior_mean, STUDENT.prior_std)
    return math.exp(log_prior + stats.t.logpdf(DATA, STUDENT.dof, mu, STUDENT.scale).sum())


def quad(function) -> float:
    return integrate.quad(function, LOWER, UPPER, epsabs=0.0, epsrel=1e-12, limit=200)[0]


def kl_normal(loc, scale, mean, std):
    """KL(N(loc, scale^2) || N(mean, std^2)) in closed form."""
    return np.log(std / scale) + (scale**2 + (loc - mean) ** 2) / (2 * std**2) - 0.5


@pytest.fixture(scope="module")
def normal_grid() -> GridPosterior:
    return grid_posterior(NORMAL, DATA, LOWER, UPPER, 2001)


@pytest.fixture(scope="module")
def student_grid() -> GridPosterior:
    return grid_posterior(STUDENT, DATA, LOWER, UPPER, 2001)


def test_normal_model_grid_matches_the_closed_forms(normal_grid):
    mean, std = posterior_parameters(NORMAL, DATA)
    assert normal_grid.mean == pytest.approx(mean, rel=1e-9)
    assert normal_grid.std == pytest.approx(std, rel=1e-9)
    assert normal_grid.log_evidence == pytest.approx(log_evidence64(NORMAL, DATA), rel=1e-9)
    np.testing.assert_allclose(
        normal_grid.density, stats.norm(mean, std).pdf(normal_grid.grid), rtol=1e-9, atol=1e-12
    )


def test_grid_holds_the_requested_points_and_a_density_that_integrates_to_one(student_grid):
    np.testing.assert_array_equal(student_grid.grid, np.linspace(LOWER, UPPER, 2001))
    assert student_grid.grid.dtype == student_grid.density.dtype == np.float64
    assert np.all(student_grid.density >= 0.0)
    assert integrate.simpson(student_grid.density, x=student_grid.grid) == pytest.approx(1, 1e-12)
    assert all(
        type(value) is float
        for value in (student_grid.mean, student_grid.std, student_grid.log_evidence)
    )


def test_student_t_grid_matches_adaptive_quadrature(student_grid):
    evidence = quad(student_joint)
    mean = quad(lambda mu: mu * student_joint(mu)) / evidence
    variance = quad(lambda mu: (mu - mean) ** 2 * student_joint(mu)) / evidence
    assert student_grid.log_evidence == pytest.approx(math.log(evidence), rel=1e-9)
    assert student_grid.mean == pytest.approx(mean, rel=1e-9)
    assert student_grid.std == pytest.approx(math.sqrt(variance), rel=1e-9)
    mode = student_grid.grid[np.argmax(student_grid.density)]
    assert student_grid.density.max() == pytest.approx(student_joint(mode) / evidence, rel=1e-9)


@pytest.mark.parametrize(
    ("lower", "upper", "end"),
    [(1.0, UPPER, "lower"), (LOWER, 4.0, "upper"), (1.0, 4.0, "lower and upper")],
)
def test_a_grid_that_cuts_off_mass_names_the_end_to_move(lower, upper, end):
    with pytest.raises(ValueError, match=f"cuts off posterior mass: move {end} outwards$"):
        grid_posterior(STUDENT, DATA, lower, upper, 101)


@pytest.mark.parametrize(("ends", "cut"), [(7.3, True), (7.6, False)])
def test_the_grid_s_ends_must_be_below_1e_12_of_the_peak(ends, cut):
    """For a Normal posterior the density ratio exp(-k^2 / 2) falls to 1e-12 at k = 7.43."""
    mean, std = posterior_parameters(NORMAL, DATA)
    for lower, upper in [(mean - ends * std, mean + 9 * std), (mean - 9 * std, mean + ends * std)]:
        if cut:
            with pytest.raises(ValueError, match="cuts off posterior mass"):
                grid_posterior(NORMAL, DATA, lower, upper, 301)
        else:
            assert grid_posterior(NORMAL, DATA, lower, upper, 301).std == pytest.approx(std)


@pytest.mark.parametrize(
    ("lower", "upper", "num_points", "message"),
    [
        (1.0, 1.0, 11, "lower must be below upper"),
        (2.0, -2.0, 11, "lower must be below upper"),
        (LOWER, UPPER, 2, "num_points must be at least 3"),
        (LOWER, UPPER, 0, "num_points must be at least 1"),
    ],
)
def test_grid_rejects_bad_arguments(lower, upper, num_points, message):
    with pytest.raises(ValueError, match=message):
        grid_posterior(STUDENT, DATA, lower, upper, num_points)


def test_grid_needs_a_model_that_computes_in_float64():
    class Float32Model:
        def log_joint(self, mu, data):
            return NORMAL.log_joint(np.asarray(mu, np.float32), data)

    with pytest.raises(TypeError, match="must compute in float64"):
        grid_posterior(Float32Model(), DATA, LOWER, UPPER, 11)


def test_normal_surrogate_elbo_is_the_closed_form_elbo():
    loc = np.array([[-1.0], [0.5], [3.0]])
    scale = np.array([0.1, 0.5, 2.0, 5.0])
    result = normal_surrogate_elbo(NORMAL, DATA, loc, scale)
    assert result.dtype == np.float64 and result.shape == (3, 4)
    np.testing.assert_allclose(result, elbo_closed_form(NORMAL, DATA, loc, scale), rtol=1e-6)


def test_kl_from_the_grid_and_the_elbo_is_the_closed_form_kl(normal_grid):
    """log p(D) - ELBO(m, s) = KL(q || p): zero at the exact posterior, positive elsewhere."""
    mean, std = posterior_parameters(NORMAL, DATA)
    loc = mean + std * np.array([[0.0], [-0.3], [2.0]])
    scale = std * np.array([1.0, 0.5, 3.0])
    gap = normal_grid.log_evidence - normal_surrogate_elbo(NORMAL, DATA, loc, scale)
    np.testing.assert_allclose(gap, kl_normal(loc, scale, mean, std), rtol=1e-6, atol=1e-9)
    assert gap[0, 0] == pytest.approx(0.0, abs=1e-9)
    assert np.all(gap.ravel()[1:] > 1e-3)


def test_student_t_elbo_matches_brute_force_quadrature_and_bounds_the_evidence(student_grid):
    def elbo(loc, scale):
        def integrand(mu):
            log_q = stats.norm.logpdf(mu, loc, scale)
            return math.exp(log_q) * (math.log(student_joint(mu)) - log_q)

        return integrate.quad(integrand, loc - 12 * scale, loc + 12 * scale, epsrel=1e-12)[0]

    loc, scale = np.array([student_grid.mean, 0.0, 3.0]), np.array([student_grid.std, 0.3, 1.0])
    result = normal_surrogate_elbo(STUDENT, DATA, loc, scale)
    expected = [elbo(m, s) for m, s in zip(loc, scale, strict=True)]
    np.testing.assert_allclose(result, expected, rtol=1e-9)
    assert np.all(student_grid.log_evidence - result > 0.0)


def test_more_nodes_do_not_change_a_converged_elbo():
    coarse = normal_surrogate_elbo(STUDENT, DATA, 1.5, 0.6, num_nodes=64)
    fine = normal_surrogate_elbo(STUDENT, DATA, 1.5, 0.6, num_nodes=200)
    assert float(coarse) == pytest.approx(float(fine), rel=1e-12)


def test_the_trapezoid_agrees_with_gauss_hermite_on_a_smooth_integrand():
    loc, scale = np.array([1.5, 0.0, 3.0]), np.array([0.6, 0.3, 1.0])
    hermite = normal_surrogate_elbo(STUDENT, DATA, loc, scale)
    trapezoid = normal_surrogate_elbo(STUDENT, DATA, loc, scale, num_nodes=401, rule="trapezoid")
    np.testing.assert_allclose(trapezoid, hermite, rtol=1e-11)


def test_the_trapezoid_converges_where_gauss_hermite_does_not():
    # A wide Normal over two far-apart modes: log p bends sharply between them.
    bimodal = MixturePriorModel(weight=0.5, mean_1=-3.0, mean_2=8.0, prior_std=1.0, noise_std=2.0)

    def elbo(mu_loc, mu_scale):
        def integrand(mu):
            log_prior = np.logaddexp(
                stats.norm.logpdf(mu, -3.0, 1.0), stats.norm.logpdf(mu, 8.0, 1.0)
            ) + math.log(0.5)
            log_joint = log_prior + stats.norm.logpdf(DATA, mu, 2.0).sum()
            return stats.norm.pdf(mu, mu_loc, mu_scale) * log_joint

        lower, upper = mu_loc - 12 * mu_scale, mu_loc + 12 * mu_scale
        points = np.linspace(lower, upper, 41)
        expected = integrate.quad(integrand, lower, upper, points=points, epsrel=1e-13, limit=400)
        return expected[0] + 0.5 * math.log(2 * math.pi * math.e * mu_scale**2)

    reference = elbo(2.6, 2.0)
    trapezoid = normal_surrogate_elbo(bimodal, DATA, 2.6, 2.0, num_nodes=801, rule="trapezoid")
    hermite = normal_surrogate_elbo(bimodal, DATA, 2.6, 2.0, num_nodes=64)
    assert float(trapezoid) == pytest.approx(reference, abs=1e-8)
    assert abs(float(hermite) - reference) > 1e-3


def test_the_only_optimum_of_a_normal_model_is_its_posterior():
    exact_mean, exact_std = posterior_parameters(NORMAL, DATA)
    optima = normal_surrogate_optima(
        NORMAL, DATA, np.linspace(-2.0, 4.0, 31), np.geomspace(0.1, 3.0, 31)
    )
    assert len(optima) == 1
    assert optima[0].loc == pytest.approx(exact_mean, abs=1e-5)
    assert optima[0].scale == pytest.approx(exact_std, rel=1e-5)
    assert optima[0].elbo == pytest.approx(log_evidence64(NORMAL, DATA), abs=1e-9)


def test_a_symmetric_bimodal_posterior_has_two_mirrored_optima():
    # Components centred on the data mean with equal weights: the posterior is
    # symmetric about that mean. Far apart, one optimum sits on each component,
    # with KL(q || p) = log 2 (the other half of the mass is missed); a third,
    # wide one straddles both at the centre (checked to be a maximum, not a saddle).
    centre = float(DATA.mean())
    bimodal = MixturePriorModel(
        weight=0.5, mean_1=centre - 10.0, mean_2=centre + 10.0, prior_std=1.0, noise_std=2.0
    )
    posterior = mixture_posterior(bimodal, DATA)
    optima = normal_surrogate_optima(
        bimodal,
        DATA,
        np.linspace(centre - 8.0, centre + 8.0, 81),
        np.geomspace(0.2, 6.0, 41),
        num_nodes=801,
        rule="trapezoid",
    )
    assert len(optima) == 3
    left, middle, right = sorted(optima, key=lambda optimum: optimum.loc)
    assert left.loc + right.loc == pytest.approx(2 * centre, abs=1e-4)
    assert middle.loc == pytest.approx(centre, abs=1e-4) and middle.scale > 4 * posterior.std
    for optimum in (left, right):
        assert optimum.scale == pytest.approx(posterior.std, rel=1e-4)
        assert posterior.log_evidence - optimum.elbo == pytest.approx(math.log(2), abs=1e-4)


def test_polishing_from_the_optimum_stays_there():
    exact_mean, exact_std = posterior_parameters(NORMAL, DATA)
    optimum = polish_normal_surrogate(NORMAL, DATA, exact_mean + 0.5, exact_std * 2)
    assert optimum.loc == pytest.approx(exact_mean, abs=1e-5)
    assert optimum.scale == pytest.approx(exact_std, rel=1e-5)
