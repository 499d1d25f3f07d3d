"""The checks of notebook 02's exercises: ``feedforward`` and ``feedforward_batch``.

    from nbutils.exercises import feedforward as exercise
    exercise.check_feedforward(feedforward, [checks.Case((x, params), o1)])
    exercise.check_feedforward_batch(feedforward_batch, [checks.Case((X, params), y_pred)])

A hint runs the course's network (:mod:`nbutils.network`) with one known
mistake and fires when that explains what the student's function returned.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import checks, network
from ..activations import sigmoid

__all__ = ["MISTAKES", "check_feedforward", "check_feedforward_batch",
           "feedforward_batch_hints", "feedforward_hints"]


def _transposed(X, p):
    return network.feedforward_batch(X, {**p, "W1": p["W1"].T})


def _no_hidden_biases(X, p):
    return network.feedforward_batch(X, {**p, "b1": 0 * p["b1"]})


def _no_output_bias(X, p):
    return network.feedforward_batch(X, {**p, "b2": 0 * p["b2"]})


def _fed_pre_activations(X, p):  # the output layer fed Z = X @ W1 + b1 instead of H = f(Z)
    Z = np.asarray(X, dtype=float) @ p["W1"] + p["b1"]
    return sigmoid(Z @ p["W2"] + p["b2"])[:, 0]


def _two_hidden_only(X, p):  # the network cut down to its first two hidden neurons
    if p["W1"].shape[1] <= 2:
        raise ValueError("not a cut-down network")
    return network.feedforward_batch(X, {**p, "W1": p["W1"][:, :2], "b1": p["b1"][:2],
                               "W2": p["W2"][:2]})


# each known mistake: what the network gives with it, for a batch X (n, n_inputs)
MISTAKES: dict[str, Callable] = {
    "transposed": _transposed, "no hidden biases": _no_hidden_biases,
    "no output bias": _no_output_bias, "fed pre-activations": _fed_pre_activations,
    "two hidden only": _two_hidden_only,
}


def _same(a, b) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-7, atol=0))


def _explains(got, expected, mistaken) -> bool:
    """``got`` is what the mistake gives, and the mistake changes the answer here."""
    return _same(got, mistaken) and not _same(mistaken, expected)


def _one(mistake: str) -> Callable:
    """A hint condition for one sample ``x (n_inputs,)``: the batch of that one row."""
    return lambda got, expected, x, p: _explains(got, expected,
                                                 MISTAKES[mistake](x[None, :], p)[0])


def _many(mistake: str) -> Callable:
    return lambda got, expected, X, p: _explains(got.reshape(expected.shape), expected,
                                                 MISTAKES[mistake](X, p))


def _unsquashed(got, expected, *args) -> bool:  # sigmoid(got) is the answer
    return _same(sigmoid(got), expected) and not _same(got, expected)


def feedforward_hints() -> list[checks.Hint]:
    """The known mistakes of ``feedforward(x, params)`` (one sample, one number)."""
    return [
        checks.Hint("this matches a network whose W1 is transposed. W1[i, j] is the weight "
                    "from input i to hidden neuron j: a hidden neuron's weights are a "
                    "column of W1, not a row.", _one("transposed")),
        checks.Hint("this matches the network without the hidden biases b1: does each "
                    "hidden neuron add its own bias?", _one("no hidden biases")),
        checks.Hint("this matches the network without the output bias b2: does o1 add "
                    "its bias?", _one("no output bias")),
        checks.Hint("the sigmoid of what you returned is the right answer: the output "
                    "neuron's weighted sum still has to go through the sigmoid.", _unsquashed),
        checks.Hint("this matches an output neuron fed the hidden neurons' weighted sums "
                    "z. Its inputs are their activations h = f(z).",
                    _one("fed pre-activations")),
    ]


def feedforward_batch_hints() -> list[checks.Hint]:
    """The known mistakes of ``feedforward_batch(X, params)`` (a batch, ``y_pred (n,)``)."""
    return [
        checks.Hint("this matches a network whose W1 is transposed. W1[i, j] is the weight "
                    "from input i to hidden neuron j: X @ W1 already gives one column "
                    "per hidden neuron.", _many("transposed")),
        checks.Hint("this matches the network without the hidden biases b1.",
                    _many("no hidden biases")),
        checks.Hint("this matches the network without the output bias b2.",
                    _many("no output bias")),
        checks.Hint("the sigmoid of what you returned is the right answer: the output "
                    "layer's weighted sums still have to go through the sigmoid.",
                    lambda got, expected, X, p: _unsquashed(got.reshape(expected.shape),
                                                            expected)),
        checks.Hint("this matches an output layer fed the hidden weighted sums "
                    "X @ W1 + b1. Its inputs are the hidden activations, their sigmoid.",
                    _many("fed pre-activations")),
        checks.Hint("this matches the network cut down to its first two hidden neurons: "
                    "does your code assume there are exactly 2? This network has "
                    "W1.shape[1] of them.", _many("two hidden only")),
    ]


def check_feedforward(feedforward: Callable, cases: Sequence[checks.Case], *,
                      quiet: bool = False) -> None:
    """Check ``feedforward`` on ``Case((x, params), o1)``: one number, to a relative 1e-9."""
    __tracebackhide__ = True
    checks.check_function(feedforward, cases, hints=feedforward_hints(), quiet=quiet)


def _fail(name: str, text: str) -> None:
    __tracebackhide__ = True
    checks.fail(name, [f"  {text}"], kind=checks.Kind.WRONG_SHAPE)


def check_feedforward_batch(feedforward_batch: Callable, cases: Sequence[checks.Case], *,
                            quiet: bool = False) -> None:
    """Check ``feedforward_batch`` on ``Case((X, params), y_pred)``: the values to a
    relative 1e-9, then that each result has shape ``(n,)``, one number per row of X."""
    __tracebackhide__ = True
    name = getattr(feedforward_batch, "__name__", "feedforward_batch")
    checks.check_function(feedforward_batch, cases, shape_matters=False,
                          hints=feedforward_batch_hints(), quiet=quiet)
    for case in cases:
        X, params = case.args
        n = len(X)
        shape = np.shape(feedforward_batch(np.array(X, dtype=float), network.copy_params(params)))
        if shape == (n, 1):
            _fail(name, f"the values are right, but for {n} samples it returned shape "
                        f"{shape}; expected ({n},), one number per sample. An (n, 1) column "
                        "broadcasts against y_true of shape (n,) into an (n, n) table: take "
                        "the column out of the (n, 1) result.")
        if shape != (n,):
            samples = "1 sample" if n == 1 else f"{n} samples"
            _fail(name, f"the values are right, but for {samples} it returned shape {shape}; "
                        f"expected ({n},), one number per sample. Does something drop or add "
                        "an axis (.squeeze(), float(...), a reshape)?")
    if not quiet:
        print(f"✓ {name}: returns shape (n,).")
