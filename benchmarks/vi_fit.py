"""Benchmark: vinotes.optimize.fit_surrogate against tfp.vi.fit_surrogate_posterior.

Both fit q = N(m, s^2) to the posterior of the book's running example with the
same number of steps, Monte Carlo samples per step, learning rate and
cosine-decayed rate, in one process, after a warm-up. They differ in the
gradient estimator (sticking the landing for fit_surrogate; TFP's
fit_surrogate_posterior always uses plain reparameterization) and in the
implementation; both use Adam with beta_2 = 0.9, the recipe's (chapter 4).
Printed: median wall time per fit, the time ratio, and each
fit's error against the exact posterior, max(|m - mu_N| / sigma_N, |s / sigma_N - 1|).

TFP's function builds and traces a new graph on every call, so it is timed
two ways: as a user calls it, and in steady state, with one traced graph
reused and its variables reset between repetitions.

A sweep over priors then fits 20 NormalModels with different prior means and
standard deviations to the same data: every model of one class shares one traced
and compiled loop, so a new model should cost what a repeated one does. Printed:
the median time of the first fit of each new model, of a repeated fit of it, and
how many times the class's loop was traced.

Run with `make bench-vi`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
import tf_keras

from vinotes.model import NormalModel, running_example
from vinotes.optimize import (
    ADAM_BETA_1,
    ADAM_EPSILON,
    compiled_fit_loop,
    fit_surrogate,
    posterior_errors,
)

tfd = tfp.distributions
tfb = tfp.bijectors


def error(model, data, loc: float, scale: float) -> float:
    """The larger of the two relative errors the book's accuracy target bounds."""
    return max(posterior_errors(model, data, loc, scale))


def make_tfp_fit(model, data, num_steps, learning_rate, num_samples):
    """A TFP fit with its variables and optimizer, and a function that resets them."""
    loc = tf.Variable(model.prior_mean, dtype=tf.float32)
    scale = tfp.util.TransformedVariable(model.prior_std, tfb.Exp())
    surrogate = tfd.Normal(loc=loc, scale=scale)
    optimizer = tf_keras.optimizers.Adam(
        learning_rate=tf_keras.optimizers.schedules.CosineDecay(learning_rate, num_steps),
        beta_1=ADAM_BETA_1,
        beta_2=0.9,
        epsilon=ADAM_EPSILON,
    )

    def run(seed):
        return tfp.vi.fit_surrogate_posterior(
            lambda mu: model.log_joint(mu, data),
            surrogate_posterior=surrogate,
            optimizer=optimizer,
            num_steps=num_steps,
            sample_size=num_samples,
            seed=seed,
            trace_fn=lambda traceable: traceable.loss,
        )

    def reset():
        loc.assign(model.prior_mean)
        scale.assign(model.prior_std)
        for variable in optimizer.variables():
            variable.assign(tf.zeros_like(variable))

    def result():
        return float(loc.numpy()), float(tf.convert_to_tensor(scale).numpy())

    return run, reset, result


def time_tfp(run, reset, result, repetitions, model, data):
    """Warm ``run`` up once, then time ``repetitions`` fits from a reset state."""
    reset()
    run(tf.constant([99, 0]))
    times, errors = [], []
    for repetition in range(repetitions):
        reset()
        seconds, _ = timed(run, tf.constant([repetition, 2]))
        times.append(seconds)
        errors.append(error(model, data, *result()))
    return times, errors


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def measure(repetitions: int, num_steps: int, num_samples: int, learning_rate: float) -> dict:
    """Median seconds per fit and the errors of each method (see the module docstring)."""
    model, _, data = running_example()
    settings = {
        "num_steps": num_steps,
        "num_samples": num_samples,
        "learning_rate": learning_rate,
    }

    fit_surrogate(model, data, seed=(99, 0), **settings)  # warm-up: traces the graph
    ours_times, ours_errors = [], []
    for repetition in range(repetitions):
        seconds, result = timed(fit_surrogate, model, data, seed=(repetition, 1), **settings)
        ours_times.append(seconds)
        ours_errors.append(error(model, data, result.loc, result.scale))

    run, reset, result = make_tfp_fit(model, data, num_steps, learning_rate, num_samples)
    call_times, call_errors = time_tfp(run, reset, result, repetitions, model, data)
    steady_times, steady_errors = time_tfp(
        tf.function(run), reset, result, repetitions, model, data
    )

    def row(times, errors):
        return {
            "seconds": statistics.median(times),
            "median_error": statistics.median(errors),
            "max_error": max(errors),
        }

    return {
        "settings": {"repetitions": repetitions, **settings},
        "fit_surrogate": row(ours_times, ours_errors),
        "tfp_as_called": row(call_times, call_errors),
        "tfp_steady_state": row(steady_times, steady_errors),
    }


def measure_prior_sweep(
    num_priors: int, num_steps: int, num_samples: int, learning_rate: float
) -> dict:
    """Median seconds per fit of a new model of the class and of a repeated one."""
    example_model, _, data = running_example()
    settings = {
        "num_steps": num_steps,
        "num_samples": num_samples,
        "learning_rate": learning_rate,
    }
    fit_surrogate(example_model, data, seed=(99, 0), **settings)  # warm-up: traces the graph
    prior_means = np.linspace(-10.0, 10.0, num_priors)
    prior_stds = np.random.default_rng(0).permutation(np.geomspace(0.1, 10.0, num_priors))
    new_times, repeated_times, errors, models = [], [], [], [example_model]
    for index, (prior_mean, prior_std) in enumerate(zip(prior_means, prior_stds, strict=True)):
        model = NormalModel(float(prior_mean), float(prior_std), example_model.noise_std)
        models.append(model)
        seconds, result = timed(fit_surrogate, model, data, seed=(index, 3), **settings)
        new_times.append(seconds)
        errors.append(error(model, data, result.loc, result.scale))
        seconds, result = timed(fit_surrogate, model, data, seed=(index, 4), **settings)
        repeated_times.append(seconds)
        errors.append(error(model, data, result.loc, result.scale))
    loops = {id(loop): loop for loop in map(compiled_fit_loop, models)}
    return {
        "num_priors": num_priors,
        "new_model_seconds": statistics.median(new_times),
        "repeated_model_seconds": statistics.median(repeated_times),
        "max_error": max(errors),
        "tracings": sum(loop.experimental_get_tracing_count() for loop in loops.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--num-steps", type=int, default=1000)
    parser.add_argument("--num-samples", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--num-priors", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    results = measure(args.repetitions, args.num_steps, args.num_samples, args.learning_rate)
    results["prior_sweep"] = measure_prior_sweep(
        args.num_priors, args.num_steps, args.num_samples, args.learning_rate
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")

    ours = results["fit_surrogate"]["seconds"]
    print(
        f"VI benchmark: running example, {args.num_steps} steps, {args.num_samples} samples/step, "
        f"learning rate {args.learning_rate}, {args.repetitions} repetitions (medians)"
    )
    print(f"{'method':24s} {'time [s]':>9s} {'ours/this':>9s} {'median err':>11s} {'max err':>9s}")
    for name, key in [
        ("vinotes fit_surrogate", "fit_surrogate"),
        ("TFP, as called", "tfp_as_called"),
        ("TFP, steady state", "tfp_steady_state"),
    ]:
        row = results[key]
        print(
            f"{name:24s} {row['seconds']:9.3f} {ours / row['seconds']:9.3f} "
            f"{row['median_error']:11.2e} {row['max_error']:9.2e}"
        )
    print("error = max(|m - mu_N| / sigma_N, |s / sigma_N - 1|); target <= 1e-2")
    sweep = results["prior_sweep"]
    print(
        f"\nPrior sweep: {sweep['num_priors']} NormalModels with different priors, "
        "the running example's data (medians)"
    )
    print(f"{'model':24s} {'time [ms]':>9s}")
    print(f"{'new, same class':24s} {1e3 * sweep['new_model_seconds']:9.1f}")
    print(f"{'repeated':24s} {1e3 * sweep['repeated_model_seconds']:9.1f}")
    print(
        f"traces of the fit loop for the {sweep['num_priors'] + 1} models: {sweep['tracings']}; "
        f"max error over the sweep {sweep['max_error']:.2e}"
    )


if __name__ == "__main__":
    main()
