"""The checks of notebook 04's exercises: ``sigmoid_prime``, ``backprop``,
``numeric_gradient``, ``gradient_check``, ``diagnosis`` and ``backprop_fixed``.

    from nbutils.exercises import backprop as exercise
    exercise.check_backprop(backprop, [checks.Case((x, y_true, params), grads)])

Gradient dicts are compared by :func:`nbutils.gradient_checks.check_gradients`,
which names the first wrong partial derivative in the order backprop computes
them. The hints recognise a known mistake by computing, for the case that
failed, what that mistake returns (:func:`nbutils.mistakes.with_mistake`).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from .. import activations, checks, gradient_checks, gradients, mistakes, network
from ..activations import sigmoid

__all__ = ["CHOICES", "backprop_hints", "check_backprop", "check_backprop_fixed",
           "check_diagnosis", "check_gradient_check", "check_numeric_gradient",
           "check_sigmoid_prime", "gradient_check_hints", "sigmoid_prime_hints"]

# what diagnosis() may answer: a partial derivative's name and a letter
CHOICES = {"first_wrong": network.NAMES, "bug": "ABCDE"}


def _like(got, value) -> bool:
    """Relative closeness: values near 0 do not all look alike."""
    return bool(np.allclose(got, value, rtol=1e-6, atol=0.0))


def _same(a: Mapping, b: Mapping, rtol: float = 1e-6) -> bool:
    """Every entry of two gradient dicts agrees."""
    return all(np.allclose(a[k], b[k], rtol=rtol, atol=1e-12) for k in b)


# --- Exercise 1: sigmoid_prime ---------------------------------------------------------


def sigmoid_prime_hints() -> list[checks.Hint]:
    """The known mistakes of ``sigmoid_prime(z)``."""

    def slope_at_activation(got, expected, z):
        s = sigmoid(sigmoid(z))
        return _like(got, s * (1 - s))

    return [
        checks.Hint("that is z (1 - z), the formula for a function that is given the "
                    "activation. sigmoid_prime takes the pre-activation z: compute f(z) first.",
                    lambda got, expected, z: _like(got, z * (1 - z))),
        checks.Hint("that is the sigmoid f(z) itself, not its slope.",
                    lambda got, expected, z: _like(got, sigmoid(z))),
        checks.Hint("it looks like f(z) (1 + f(z)): the second factor is 1 - f(z).",
                    lambda got, expected, z: _like(got, sigmoid(z) * (1 + sigmoid(z)))),
        checks.Hint("it looks like 1 - f(z) alone: the factor f(z) is missing.",
                    lambda got, expected, z: _like(got, 1 - sigmoid(z))),
        checks.Hint("it looks like the slope at f(z), not at z: sigmoid_prime computes f(z) "
                    "itself, so give it z and not sigmoid(z).", slope_at_activation),
        checks.Hint("it has the wrong sign: the sigmoid only ever goes up, so its slope is "
                    "positive.",
                    lambda got, expected, z: np.any(expected != 0) and _like(got, -expected)),
    ]


def check_sigmoid_prime(sigmoid_prime: Callable, cases: Sequence[checks.Case], *,
                        quiet: bool = False) -> None:
    """``Case((z,), f'(z))``: to 1e-9 relative, or 1e-15 absolute where f'(z) is near 0."""
    __tracebackhide__ = True
    checks.check_function(sigmoid_prime, cases, rtol=1e-9, atol=1e-15,
                          hints=sigmoid_prime_hints(), quiet=quiet)


# --- Exercise 2 (and 6): backprop ---------------------------------------------------------


def _mistake_hint(message: str, *planted: str) -> checks.Hint:
    """A hint for the results of the backprops with these planted mistakes."""

    def when(got, expected, x, y_true, params):
        for mistake in planted:
            theirs = mistakes.with_mistake(mistake)(x, y_true, params)
            if _same(got, theirs) and not _same(expected, theirs):
                return True
        return False

    return checks.Hint(message, when)


def _one_hidden_neuron(j: int) -> checks.Hint:
    return _mistake_hint(
        f"hidden neuron h{j}'s slope was taken at its activation h{j}: sigmoid_prime(h{j}) "
        f"where sigmoid_prime(z_h{j}) was needed (the other neurons' slopes are right).",
        f"activation_h{j}")


def backprop_hints() -> list[checks.Hint]:
    """Hints that recognise the usual mistakes of ``backprop(x, y_true, params)``."""
    return [
        _mistake_hint("every partial derivative has the opposite sign: check dL/dy_pred. "
                      "Differentiating (y_true - y_pred)² by y_pred brings out a factor -1 "
                      "from the inside.", "sign"),
        _mistake_hint("every partial derivative is half the expected one: the derivative of "
                      "u² is 2u. Did the 2 go missing?", "no_two"),
        _mistake_hint("it looks like sigmoid_prime was given an activation (h or y_pred) "
                      "instead of a pre-activation (z1 or z2). sigmoid_prime(z) computes f(z) "
                      "itself: give it z.", "activation"),
        _mistake_hint("the output neuron's slope was taken at its activation: "
                      "sigmoid_prime(y_pred) where sigmoid_prime(z2) was needed.",
                      "activation_output"),
        _mistake_hint("the output layer is right, but the hidden neurons' slopes were taken at "
                      "their activations: sigmoid_prime(h) where sigmoid_prime(z1) was needed.",
                      "activation_hidden"),
        _one_hidden_neuron(1),
        _one_hidden_neuron(2),
        _mistake_hint("the output layer is right but the hidden layer misses a factor: from a "
                      "hidden neuron, the way to the loss goes through its weight to the "
                      "output neuron (w5 for h1, w6 for h2).", "no_w2"),
        _mistake_hint("hidden neuron h2's derivatives use h1's weight to the output: h2 "
                      "reaches the output through w6, not w5.", "wrong_neuron"),
        _mistake_hint("the output neuron's factor f'(z2) seems to be missing: y_pred = f(z2), "
                      "so the chain passes through the sigmoid's slope there.",
                      "no_output_prime"),
        _mistake_hint("the hidden neurons' factor f'(z1) seems to be missing: h = f(z1), so "
                      "the chain passes through the sigmoid's slope there.", "no_hidden_prime"),
        _mistake_hint("the derivative of a hidden weight is its neuron's dL/dz times the input "
                      "that weight multiplies; the input x seems to be missing.", "no_x"),
        _mistake_hint("grads['W1'] looks transposed: W1[i, j] is the weight from input i to "
                      "hidden neuron j, so its derivative is x[i] times hidden neuron j's "
                      "dL/dz.", "w1_transposed"),
    ]


def check_backprop(backprop: Callable, cases: Sequence[checks.Case], *,
                   quiet: bool = False) -> None:
    """``Case((x, y_true, params), grads)``: every partial derivative to 1e-7 relative,
    with the course's sigmoid_prime in place of the student's (a mistake there costs
    Exercise 1 only)."""
    __tracebackhide__ = True
    with checks.standing_in(backprop, quiet=quiet, sigmoid_prime=activations.sigmoid_prime):
        gradient_checks.check_gradients(backprop, cases, rtol=1e-7, atol=1e-12,
                                        hints=backprop_hints(), quiet=quiet)


# --- Exercise 3: numeric_gradient -------------------------------------------------------


def check_numeric_gradient(numeric_gradient: Callable, cases: Sequence[checks.Case], *,
                           rtol: float = 1e-8, atol: float = 1e-12,
                           quiet: bool = False) -> None:
    """``Case((loss_fn, params, eps), grads)``: every entry to ``rtol`` relative."""
    __tracebackhide__ = True
    gradient_checks.check_gradients(numeric_gradient, cases, rtol=rtol, atol=atol,
                                    hints=gradient_checks.numeric_hints(), quiet=quiet)


# --- Exercise 4: gradient_check ---------------------------------------------------------


def _relative(a: Mapping, n: Mapping, signed: bool = False) -> dict:
    """(a - n) / max(|a|, |n|) for every entry, 0 where both are 0; its size unless signed."""
    out = {}
    for key in n:
        x, y = np.asarray(a[key], dtype=float), np.asarray(n[key], dtype=float)
        scale = np.maximum(np.abs(x), np.abs(y))
        diff = x - y if signed else np.abs(x - y)
        out[key] = np.divide(diff, scale, out=np.zeros_like(scale), where=scale > 0)
    return out


def gradient_check_hints() -> list[checks.Hint]:
    """Hints for ``gradient_check(backprop_fn, X, y, params, eps)`` (relative errors)."""

    def parts(backprop_fn, X, y, params, eps):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        per_sample = [backprop_fn(x, t, network.copy_params(params))
                      for x, t in zip(X, y, strict=True)]
        total = {k: sum(g[k] for g in per_sample) for k in params}
        mean = {k: v / len(X) for k, v in total.items()}

        def mse(p):
            return float(np.mean((y - network.feedforward_batch(X, p)) ** 2))

        return per_sample, total, mean, gradients.numeric_gradient(mse, params, eps)

    def summed(got, expected, backprop_fn, X, y, params, eps=1e-5):
        _, total, _, numeric = parts(backprop_fn, X, y, params, eps)
        return len(X) > 1 and _same(got, _relative(total, numeric), rtol=1e-3)

    def first_only(got, expected, backprop_fn, X, y, params, eps=1e-5):
        per_sample, _, _, numeric = parts(backprop_fn, X, y, params, eps)
        return len(X) > 1 and _same(got, _relative(per_sample[0], numeric), rtol=1e-3)

    def over_numeric(got, expected, backprop_fn, X, y, params, eps=1e-5):
        _, _, mean, numeric = parts(backprop_fn, X, y, params, eps)
        by_numeric = {k: np.abs(mean[k] - numeric[k]) / np.abs(numeric[k]) for k in params}
        return _same(got, by_numeric, rtol=1e-3) and not _same(expected, by_numeric, rtol=1e-3)

    def inaccurate(got, expected, *args):
        largest = max(float(np.max(v)) for v in got.values())
        return all(np.all(v == 0) for v in expected.values()) and 1e-7 < largest < 1e-2

    def signed(got, expected, backprop_fn, X, y, params, eps=1e-5):
        _, _, mean, numeric = parts(backprop_fn, X, y, params, eps)
        return any(np.any(v < 0) for v in got.values()) and \
            _same(got, _relative(mean, numeric, signed=True), rtol=1e-3)

    return [
        checks.Hint("these are the relative errors of the SUM of the per-sample gradients "
                    "against the gradient of the MEAN loss. The MSE averages over the "
                    "samples, so average their gradients too.", summed),
        checks.Hint("these look like the relative errors of the first sample's gradient "
                    "alone: use every row of X.", first_only),
        checks.Hint("some relative errors are negative: a relative error is a size, "
                    "|a - n| / max(|a|, |n|).", signed),
        checks.Hint("these errors divide by |n| alone; the relative error divides by the "
                    "larger of the two sizes, max(|a|, |n|).", over_numeric),
        checks.Hint("for a correct backprop these errors are small but still too large (a "
                    "central difference with eps = 1e-5 agrees to about 1e-10): is the "
                    "numeric gradient a central difference with the step eps?", inaccurate),
    ]


def check_gradient_check(gradient_check: Callable, cases: Sequence[checks.Case], *,
                         quiet: bool = False) -> None:
    """``Case((backprop_fn, X, y, params), errors)``: the relative errors to 1e-4
    relative; an error below 1e-7 counts as 0."""
    __tracebackhide__ = True
    gradient_checks.check_gradients(gradient_check, cases, rtol=1e-4, atol=1e-7,
                                    hints=gradient_check_hints(), quiet=quiet)


# --- Exercise 5: diagnosis --------------------------------------------------------------


def check_diagnosis(diagnosis: Callable, *, expected: Mapping[str, str] | None = None,
                    hints: Mapping[str, str] | None = None, quiet: bool = False) -> None:
    """``diagnosis()`` returns one of :data:`CHOICES` each; with ``expected``, the right ones."""
    __tracebackhide__ = True
    gradient_checks.check_choices(diagnosis, CHOICES, expected=expected, hints=hints,
                                  quiet=quiet)


# --- Exercise 6: backprop_fixed ---------------------------------------------------------


def check_backprop_fixed(backprop_fixed: Callable, cases: Sequence[checks.Case], *,
                         quiet: bool = False) -> None:
    """Like :func:`check_backprop`: every partial derivative to 1e-7 relative."""
    __tracebackhide__ = True
    with checks.standing_in(backprop_fixed, quiet=quiet, sigmoid_prime=activations.sigmoid_prime):
        gradient_checks.check_gradients(backprop_fixed, cases, rtol=1e-7, atol=1e-12,
                                        hints=backprop_hints(), quiet=quiet)
