"""Unit tests of vinotes.optimize: the VI recipe of chapter 4."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
from scipy import optimize, stats

from vinotes.elbo import elbo_closed_form, elbo_gradient_exact
from vinotes.grid import normal_surrogate_elbo
from vinotes.model import NormalModel, running_example
from vinotes.optimize import (
    ADAM_BETA_1,
    ADAM_BETA_2,
    ADAM_EPSILON,
    RECIPE_BETA_2,
    adam_update,
    check_model,
    compiled_fit_loop,
    cosine_learning_rate,
    fit_surrogate,
    model_numbers,
    negative_elbo_estimate,
    posterior_errors,
    recipe_schedule,
    run_adam,
)
from vinotes.posterior import log_evidence, posterior_parameters
from vinotes.robust import StudentTModel

EXAMPLE = running_example()
PROBLEMS = {
    "running example": (EXAMPLE.model, EXAMPLE.data),
    "wide prior, 50 precise points": (
        NormalModel(prior_mean=5.0, prior_std=10.0, noise_std=0.5),
        NormalModel(5.0, 10.0, 0.5).sample_data(50, seed=(1, 1), true_mean=-3.0),
    ),
    "data far from the prior, 2000 points": (
        NormalModel(prior_mean=20.0, prior_std=1.0, noise_std=1.0),
        NormalModel(20.0, 1.0, 1.0).sample_data(2000, seed=(3, 3), true_mean=-10.0),
    ),
    "tight prior, 3 noisy points": (
        NormalModel(prior_mean=-2.0, prior_std=0.3, noise_std=3.0),
        NormalModel(-2.0, 0.3, 3.0).sample_data(3, seed=(2, 2), true_mean=1.0),
    ),
}


def float32(array) -> tf.Tensor:
    """The dtype fit_surrogate feeds its building blocks."""
    return tf.constant(array, tf.float32)


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_default_recipe_meets_the_one_percent_target(name):
    model, data = PROBLEMS[name]
    mean, std = posterior_parameters(model, data)
    result = fit_surrogate(model, data)
    assert abs(result.loc - mean) / std <= 0.01
    assert abs(result.scale / std - 1.0) <= 0.01


def test_result_shapes_and_history():
    result = fit_surrogate(EXAMPLE.model, EXAMPLE.data, num_steps=40, seed=3)
    assert isinstance(result.loc, float) and isinstance(result.scale, float)
    assert result.losses.shape == (40,)
    assert result.locs.shape == result.scales.shape == (41,)
    assert result.locs[0] == pytest.approx(EXAMPLE.model.prior_mean)
    assert result.scales[0] == pytest.approx(EXAMPLE.model.prior_std, rel=1e-6)
    assert result.locs[-1] == result.loc and result.scales[-1] == pytest.approx(result.scale)


def test_losses_are_monte_carlo_negative_elbos_of_the_iterates():
    result = fit_surrogate(EXAMPLE.model, EXAMPLE.data, num_steps=300, num_samples=64, seed=4)
    exact = -elbo_closed_form(EXAMPLE.model, EXAMPLE.data, result.locs[:-1], result.scales[:-1])
    differences = result.losses - exact.numpy()
    # Unbiased estimates of the iterates' negative ELBO: the errors average out ...
    assert abs(differences.mean()) < 4 * differences.std() / np.sqrt(differences.size)
    assert differences.std() > 0
    # ... and at the end the surrogate is the posterior, where every sample gives -log p(D).
    floor = -float(log_evidence(EXAMPLE.model, EXAMPLE.data))
    assert result.losses[-1] == pytest.approx(floor, abs=1e-3)


def test_is_deterministic_for_a_seed():
    def noisy_fit(seed):
        return fit_surrogate(
            EXAMPLE.model,
            EXAMPLE.data,
            num_steps=50,
            seed=seed,
            estimator="reparameterization",
            schedule="constant",
        )

    first, second, other = noisy_fit((5, 6)), noisy_fit((5, 6)), noisy_fit((5, 7))
    np.testing.assert_array_equal(first.losses, second.losses)
    np.testing.assert_array_equal(first.locs, second.locs)
    assert not np.array_equal(first.losses, other.losses)


def test_plain_reparameterization_with_a_constant_rate_jitters():
    mean, std = posterior_parameters(EXAMPLE.model, EXAMPLE.data)
    errors = [
        abs(
            fit_surrogate(
                EXAMPLE.model,
                EXAMPLE.data,
                seed=s,
                estimator="reparameterization",
                schedule="constant",
            ).loc
            - mean
        )
        / std
        for s in range(4)
    ]
    assert max(errors) > 0.02


def test_starting_point_can_be_chosen():
    result = fit_surrogate(
        EXAMPLE.model,
        EXAMPLE.data,
        num_steps=1,
        learning_rate=1e-9,
        initial_loc=3.0,
        initial_scale=0.25,
    )
    assert result.locs[0] == pytest.approx(3.0)
    assert result.scales[0] == pytest.approx(0.25, rel=1e-6)


def test_cosine_learning_rate_decays_from_the_rate_to_zero():
    rates = [float(cosine_learning_rate(0.1, t, 100)) for t in (0, 50, 100)]
    assert rates == pytest.approx([0.1, 0.05, 0.0], abs=1e-7)


def test_adam_first_step_moves_by_the_learning_rate_against_the_gradient():
    gradient = tf.constant([2.0, -0.5])
    delta, first, second = adam_update(gradient, tf.zeros(2), tf.zeros(2), 1, 0.1)
    np.testing.assert_allclose(delta, [-0.1, 0.1], rtol=1e-5)
    np.testing.assert_allclose(first, 0.1 * gradient.numpy(), rtol=1e-6)
    # 1 - beta_2 = 0.001 is computed in float32: a relative error up to about 6e-5.
    np.testing.assert_allclose(second, (1 - ADAM_BETA_2) * gradient.numpy() ** 2, rtol=1e-4)


@pytest.mark.parametrize("sticking_the_landing", [True, False])
def test_loss_gradients_are_unbiased(sticking_the_landing):
    # Chain rule through s = exp(rho): d/drho = d/ds * s.
    loc, scale = 0.3, 1.2
    parameters = tf.constant([loc, math.log(scale)])
    noise = tf.random.stateless_normal([20_000, 1], seed=(7, 7))
    gradients = []
    for batch in tf.split(noise, 200):
        with tf.GradientTape() as tape:
            tape.watch(parameters)
            loss = negative_elbo_estimate(
                EXAMPLE.model,
                EXAMPLE.data,
                parameters,
                tf.reshape(batch, [-1]),
                sticking_the_landing,
            )
        gradients.append(tape.gradient(loss, parameters).numpy())
    gradients = np.array(gradients)
    exact = elbo_gradient_exact(EXAMPLE.model, EXAMPLE.data, loc, scale)
    expected = [-float(exact.loc), -float(exact.scale) * scale]
    standard_error = gradients.std(axis=0, ddof=1) / math.sqrt(len(gradients))
    assert np.all(np.abs(gradients.mean(axis=0) - expected) < 4 * standard_error)


def test_sticking_the_landing_gradient_is_zero_at_the_posterior():
    mean, std = posterior_parameters(EXAMPLE.model, EXAMPLE.data)
    parameters = tf.constant([mean, math.log(std)])
    for seed in range(5):
        noise = tf.random.stateless_normal([1], seed=(seed, 0))
        with tf.GradientTape() as tape:
            tape.watch(parameters)
            loss = negative_elbo_estimate(EXAMPLE.model, EXAMPLE.data, parameters, noise)
        np.testing.assert_allclose(tape.gradient(loss, parameters), [0.0, 0.0], atol=1e-4)


def test_posterior_errors_measure_distance_in_posterior_units():
    mean, std = posterior_parameters(EXAMPLE.model, EXAMPLE.data)
    loc_error, scale_error = posterior_errors(
        EXAMPLE.model, EXAMPLE.data, mean + 0.5 * std, 1.1 * std
    )
    assert loc_error == pytest.approx(0.5, rel=1e-6)
    assert scale_error == pytest.approx(0.1, rel=1e-6)
    assert posterior_errors(EXAMPLE.model, EXAMPLE.data, mean, std) == pytest.approx((0.0, 0.0))


def test_adam_update_matches_the_textbook_step_at_a_later_step():
    """Eq. vi-adam written out in NumPy, at step 4 with non-zero moments."""
    gradient, first, second = np.array([0.3, -2.0]), np.array([0.5, 0.1]), np.array([0.2, 1e-12])
    delta, new_first, new_second = adam_update(*map(float32, (gradient, first, second)), 4, 0.05)
    m = ADAM_BETA_1 * first + (1 - ADAM_BETA_1) * gradient
    v = ADAM_BETA_2 * second + (1 - ADAM_BETA_2) * gradient**2
    m_hat, v_hat = m / (1 - ADAM_BETA_1**4), v / (1 - ADAM_BETA_2**4)
    np.testing.assert_allclose(new_first, m, rtol=1e-6)
    # 1 - beta_2 = 0.001 in float32: relative errors up to about 6e-5.
    np.testing.assert_allclose(new_second, v, rtol=1e-4)
    np.testing.assert_allclose(delta, -0.05 * m_hat / (np.sqrt(v_hat) + ADAM_EPSILON), rtol=1e-4)


def test_adam_epsilon_keeps_a_vanishing_gradient_step_small_and_downhill():
    gradient = tf.constant([1e-12, -1e-12])
    delta, _, _ = adam_update(gradient, tf.zeros(2), tf.zeros(2), 1, 0.1)
    assert np.all(np.sign(delta) == -np.sign(gradient))
    assert np.all(np.abs(delta) < 0.1 * 1e-3)


def test_adam_update_accepts_a_zero_learning_rate_and_then_stays_put():
    # The cosine schedule ends at exactly zero.
    delta, first, _ = adam_update(tf.constant([2.0, -0.5]), tf.zeros(2), tf.zeros(2), 7, 0.0)
    np.testing.assert_array_equal(delta, [0.0, 0.0])
    assert np.all(first != 0.0)


@pytest.mark.parametrize("sticking_the_landing", [True, False])
def test_negative_elbo_estimate_averages_the_log_ratio_at_the_draws(sticking_the_landing):
    model, data = EXAMPLE.model, EXAMPLE.data.numpy().astype(float)
    loc, scale, noise = 0.4, 0.7, np.array([-1.3, 0.2, 0.9])
    value = negative_elbo_estimate(
        model, data, tf.constant([loc, math.log(scale)]), noise, sticking_the_landing
    )
    mu = loc + scale * noise
    log_joint = stats.norm(model.prior_mean, model.prior_std).logpdf(mu) + stats.norm(
        mu[:, None], model.noise_std
    ).logpdf(data).sum(axis=1)
    expected = -np.mean(log_joint - stats.norm(loc, scale).logpdf(mu))
    assert float(value) == pytest.approx(expected, rel=1e-5)


def test_fit_surrogate_defaults_are_the_documented_recipe():
    defaults = fit_surrogate(EXAMPLE.model, EXAMPLE.data)
    explicit = fit_surrogate(
        EXAMPLE.model,
        EXAMPLE.data,
        num_steps=1000,
        learning_rate=0.1,
        num_samples=8,
        seed=(0, 0),
        estimator="sticking-the-landing",
        schedule="cosine",
        beta_2=0.9,
        dtype="float32",
    )
    assert RECIPE_BETA_2 == 0.9
    assert defaults.losses.shape == (1000,)
    np.testing.assert_array_equal(defaults.losses, explicit.losses)
    np.testing.assert_array_equal(defaults.locs, explicit.locs)
    np.testing.assert_array_equal(defaults.scales, explicit.scales)


def test_adam_with_a_changing_beta_2_normalizes_by_the_total_weight():
    """Three steps with beta_2 = 0.5, 0.5, 0.9: g_2 over its total weight 1 - 0.5 * 0.5 * 0.9."""
    gradients = [np.array([1.0, -2.0]), np.array([3.0, 0.5]), np.array([-1.0, 4.0])]
    betas = [0.5, 0.5, 0.9]
    first, second, weight = np.zeros(2), np.zeros(2), 0.0
    for step, (gradient, beta) in enumerate(zip(gradients, betas, strict=True), start=1):
        weight = beta * weight + (1 - beta)
        delta, first, second = adam_update(
            *map(float32, (gradient, first, second)), step, 0.1, beta, weight
        )
    assert weight == pytest.approx(1 - 0.5 * 0.5 * 0.9)
    squares = np.array([g**2 for g in gradients])
    ema_weights = np.array([(1 - 0.5) * 0.5 * 0.9, (1 - 0.5) * 0.9, 1 - 0.9])
    np.testing.assert_allclose(second, ema_weights @ squares, rtol=1e-6)
    m_hat = first / (1 - ADAM_BETA_1**3)
    expected = -0.1 * m_hat / (np.sqrt(second / weight) + ADAM_EPSILON)
    np.testing.assert_allclose(delta, expected, rtol=1e-5)


def test_adam_default_weight_is_the_usual_bias_correction():
    gradient, first, second = np.array([0.3, -2.0]), np.array([0.5, 0.1]), np.array([0.2, 0.4])
    gradient, first, second = map(float32, (gradient, first, second))
    usual = adam_update(gradient, first, second, 5, 0.05, 0.95)
    explicit = adam_update(gradient, first, second, 5, 0.05, 0.95, 1 - 0.95**5)
    for a, b in zip(usual, explicit, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_a_constant_beta_2_is_the_pair_of_equal_values():
    one = fit_surrogate(EXAMPLE.model, EXAMPLE.data, num_steps=60, seed=2, beta_2=0.95)
    pair = fit_surrogate(EXAMPLE.model, EXAMPLE.data, num_steps=60, seed=2, beta_2=(0.95, 0.95))
    np.testing.assert_array_equal(one.locs, pair.locs)


@pytest.mark.parametrize("num_steps", [9, 10])
def test_beta_2_switches_after_the_first_half_of_the_steps(num_steps):
    """The first ceil(T/2) = 5 steps use the early beta_2: paths agree to step 5, then differ."""
    kwargs = {"num_steps": num_steps, "seed": 4, "schedule": "constant"}
    switched = fit_surrogate(EXAMPLE.model, EXAMPLE.data, beta_2=(0.9, 0.999), **kwargs)
    early = fit_surrogate(EXAMPLE.model, EXAMPLE.data, beta_2=0.9, **kwargs)
    np.testing.assert_array_equal(switched.locs[:6], early.locs[:6])
    assert switched.locs[6] != early.locs[6]


def test_beta_2_of_zero_is_adam_without_memory():
    """beta_2 = 0 is allowed: the second moment is then the current squared gradient."""
    fit = fit_surrogate(EXAMPLE.model, EXAMPLE.data, num_steps=50, seed=1, beta_2=(0.0, 0.999))
    assert np.all(np.isfinite(fit.locs)) and np.all(np.isfinite(fit.scales))


def test_the_compiled_loop_is_shared_by_equal_models():
    assert compiled_fit_loop(NormalModel(0.0, 1.0, 2.0)) is compiled_fit_loop(EXAMPLE.model)


def test_a_long_memory_never_reaches_data_far_from_the_prior():
    """beta_2 = 0.999 remembers the huge first gradients; 0.9 forgets them (float64)."""
    far_model, far_data = PROBLEMS["data far from the prior, 2000 points"]
    assert _error(far_model, far_data, beta_2=0.999, dtype="float64") > 1.0
    assert _error(far_model, far_data, dtype="float64") < 1e-3


@pytest.mark.parametrize(
    ("prior_std", "noise_std", "num_data", "data_mean"),
    [(1.0, 2.0, 3, 0.5), (5.0, 1.0, 1000, 12.0), (10.0, 3.0, 50, -40.0), (0.3, 1.0, 20, 2.0)],
)
def test_the_recipe_meets_the_target_on_problems_not_used_to_choose_it(
    prior_std, noise_std, num_data, data_mean
):
    """Float64 fits with the defaults end within 1e-3 of the exact posterior (target 1e-2)."""
    model = NormalModel(0.0, prior_std, noise_std)
    data = data_mean + noise_std * np.random.default_rng(num_data).standard_normal(num_data)
    assert _error(model, data.astype(np.float32), dtype="float64") < 1e-3


def test_a_float64_fit_computes_in_float64_and_lands_where_a_float32_fit_does():
    """The same recipe in both types: different draws, the same optimum to the 1e-3 level."""
    single = fit_surrogate(EXAMPLE.model, EXAMPLE.data, seed=3)
    double = fit_surrogate(EXAMPLE.model, EXAMPLE.data, seed=3, dtype="float64")
    assert double.locs.dtype == np.float64 and single.locs.dtype == np.float32
    assert double.losses.dtype == np.float64
    for fit in (single, double):
        assert max(posterior_errors(EXAMPLE.model, EXAMPLE.data, fit.loc, fit.scale)) < 1e-3


def _error(model, data, **kwargs):
    result = fit_surrogate(model, data, seed=1, **kwargs)
    return max(posterior_errors(model, data, result.loc, result.scale))


class FlatPriorNormal:
    """A model that is no dataclass: a flat prior and N(mu, noise_std^2) observations.

    Its posterior is N(mean of the data, noise_std^2 / N). Defining ``__eq__`` without
    ``__hash__`` makes it unhashable, as a user's class may well be.
    """

    def __init__(self, noise_std: float) -> None:
        self.noise_std = noise_std

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FlatPriorNormal) and other.noise_std == self.noise_std

    def log_joint(self, mu, data):
        residuals = tf.cast(data, tf.float32) - mu[..., tf.newaxis]
        return -0.5 * tf.reduce_sum(tf.square(residuals), axis=-1) / self.noise_std**2


def test_fit_surrogate_finds_the_best_normal_for_a_student_t_likelihood():
    """The optimum of the quadrature ELBO, found by SciPy, in the book's measure."""
    model = StudentTModel(prior_mean=0.0, prior_std=1.0, scale=2.0, dof=4.0)
    data = np.append(EXAMPLE.data.numpy(), np.float32(15.0))

    def negative_elbo(theta):
        return -float(normal_surrogate_elbo(model, data, theta[0], math.exp(theta[1])))

    best = optimize.minimize(
        negative_elbo, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-10}
    )
    assert best.success
    loc, scale = best.x[0], math.exp(best.x[1])
    result = fit_surrogate(model, data)
    assert abs(result.loc - loc) / scale <= 0.01
    assert abs(result.scale / scale - 1.0) <= 0.01


def test_a_sweep_over_priors_shares_one_traced_loop_and_fits_each_posterior():
    priors = [(-10.0, 0.5), (0.0, 1.0), (1.0, 50.0), (10.0, 0.5), (20.0, 0.2)]
    models = [NormalModel(mean, std, EXAMPLE.model.noise_std) for mean, std in priors]
    posteriors = [posterior_parameters(model, EXAMPLE.data) for model in models]
    means = sorted(mean for mean, _ in posteriors)
    assert min(np.diff(means)) > 0.5  # the priors matter: a mix-up would miss by far
    loop = compiled_fit_loop(models[0])
    for model, (mean, std) in zip(models, posteriors, strict=True):
        assert compiled_fit_loop(model) is loop
        result = fit_surrogate(model, EXAMPLE.data)
        assert abs(result.loc - mean) / std <= 0.01
        assert abs(result.scale / std - 1.0) <= 0.01
    assert loop.experimental_get_tracing_count() == 1


def test_a_model_that_is_no_dataclass_is_fitted_from_a_given_start():
    model, data = FlatPriorNormal(noise_std=2.0), EXAMPLE.data
    mean, std = float(np.mean(data.numpy(), dtype=np.float64)), 2.0 / math.sqrt(data.shape[0])
    result = fit_surrogate(model, data, initial_loc=0.0, initial_scale=1.0)
    assert result.locs[0] == 0.0 and result.scales[0] == 1.0
    assert abs(result.loc - mean) / std <= 0.01
    assert abs(result.scale / std - 1.0) <= 0.01


@pytest.mark.parametrize(
    ("start", "missing"), [({}, "initial_loc"), ({"initial_loc": 0.0}, "initial_scale")]
)
def test_a_model_without_a_prior_needs_a_start(start, missing):
    with pytest.raises(TypeError, match=rf"^{missing} is needed"):
        fit_surrogate(FlatPriorNormal(noise_std=2.0), EXAMPLE.data, num_steps=2, **start)


class NotAMethod:
    log_joint = 1.0


@pytest.mark.parametrize("model", [object(), "model", None, NotAMethod()])
def test_check_model_rejects_what_has_no_log_joint_method(model):
    with pytest.raises(TypeError, match="model must have a method log_joint"):
        check_model(model)


@pytest.mark.parametrize("model_class", [NormalModel, StudentTModel, FlatPriorNormal])
def test_a_model_class_is_not_a_model(model_class):
    with pytest.raises(
        TypeError, match=rf"^model must be an instance such as {model_class.__name__}"
    ):
        fit_surrogate(model_class, EXAMPLE.data, num_steps=2)


def test_check_model_returns_the_model():
    model = FlatPriorNormal(1.0)
    assert check_model(model) is model and check_model(EXAMPLE.model) is EXAMPLE.model


def test_model_numbers_are_a_dataclass_s_fields_in_order():
    numbers = model_numbers(StudentTModel(prior_mean=-1.5, prior_std=2.0, scale=0.25, dof=7.0))
    assert numbers.dtype == tf.float32
    np.testing.assert_array_equal(numbers, [-1.5, 2.0, 0.25, 7.0])
    np.testing.assert_array_equal(model_numbers(NormalModel(3.0, 0.5, 4.0)), [3.0, 0.5, 4.0])
    assert model_numbers(FlatPriorNormal(1.0)).shape == (0,)


def test_models_that_are_no_dataclass_of_floats_get_a_loop_of_their_own():
    class Hashable:
        def log_joint(self, mu, data):
            return -tf.square(mu)

    one, other = Hashable(), Hashable()
    assert compiled_fit_loop(one) is compiled_fit_loop(one)
    assert compiled_fit_loop(one) is not compiled_fit_loop(other)
    unhashable = FlatPriorNormal(1.0)
    assert compiled_fit_loop(unhashable) is not compiled_fit_loop(unhashable)
    assert compiled_fit_loop(StudentTModel(0.0, 1.0, 1.0, 1.0)) is not compiled_fit_loop(
        EXAMPLE.model
    )


def test_recipe_schedule_is_the_cosine_rate_the_beta_2_switch_and_the_total_weight():
    rates, beta_2s, weights = recipe_schedule(6, 0.1, True, 0.9, 0.999, 3)
    steps = np.arange(6)
    np.testing.assert_allclose(rates, 0.05 * (1 + np.cos(np.pi * steps / 6)), rtol=1e-6)
    expected_betas = np.array([0.9, 0.9, 0.9, 0.999, 0.999, 0.999])
    np.testing.assert_allclose(beta_2s, expected_betas, rtol=1e-7)
    np.testing.assert_allclose(weights, 1 - np.cumprod(expected_betas), rtol=1e-5)
    constant, _, _ = recipe_schedule(6, 0.1, False, 0.9, 0.999, 3)
    np.testing.assert_allclose(constant, np.full(6, 0.1))


def test_run_adam_is_textbook_adam_on_one_noise_draw_per_step():
    """Adam on sum((theta - noise_t)^2), gradient 2 (theta - noise_t), written out in NumPy."""
    noise = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0], [-1.0, 2.0]])
    rates, betas = np.array([0.3, 0.2, 0.1, 0.05]), np.array([0.5, 0.5, 0.9, 0.9])
    weights = 1 - np.cumprod(betas)

    def loss(parameters, noise_t):
        return tf.reduce_sum(tf.square(parameters - noise_t))

    schedule = map(float32, (noise, rates, betas, weights))
    losses, path = run_adam(loss, float32([0.2, 0.4]), *schedule)
    theta, first, second = np.array([0.2, 0.4]), np.zeros(2), np.zeros(2)
    expected_losses, expected_path = [], [theta]
    for t in range(4):
        expected_losses.append(np.sum((theta - noise[t]) ** 2))
        gradient = 2 * (theta - noise[t])
        first = ADAM_BETA_1 * first + (1 - ADAM_BETA_1) * gradient
        second = betas[t] * second + (1 - betas[t]) * gradient**2
        m_hat = first / (1 - ADAM_BETA_1 ** (t + 1))
        theta = theta - rates[t] * m_hat / (np.sqrt(second / weights[t]) + ADAM_EPSILON)
        expected_path.append(theta)
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
    np.testing.assert_allclose(path, expected_path, rtol=1e-5)
