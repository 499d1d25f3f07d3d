"""The checks of notebook 03's exercises: ``mse_loss`` and ``network_loss``.

    from nbutils.exercises import mse_loss as exercise
    exercise.check_mse_loss(mse_loss, [checks.Case((y_true, y_pred), mse)],
                            refused=[(y_true, shorter_y_pred)])
    exercise.check_network_loss(network_loss, [checks.Case((params, X, y_true), loss)])

The hints compute what each known mistake gives for the case that failed.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import checks, network

__all__ = ["MSE_RTOL", "check_mse_loss", "check_network_loss", "mse_loss_hints",
           "network_loss_hints"]

# mse_loss is compared to a relative 1e-6: an MSE computed in float32 is right too
MSE_RTOL = 1e-6
# the network of notebook 03's section 6: every weight 1, every bias 0
_ALL_ONES = {"w1": 1, "w2": 1, "w3": 1, "w4": 1, "w5": 1, "w6": 1, "b1": 0, "b2": 0, "b3": 0}


def _explains(got, expected, mistaken, rtol: float = 1e-9) -> bool:
    """``got`` is what the mistake gives, and the mistake changes the answer here."""
    return bool(np.isclose(got, mistaken, rtol=rtol, atol=0)
                and not np.isclose(mistaken, expected, rtol=rtol, atol=0))


def _mse_hint(message: str, mistaken: Callable) -> checks.Hint:
    """A hint for ``mse_loss(y_true, y_pred)``; ``mistaken(y_true, y_pred, expected)``."""
    return checks.Hint(message, lambda got, expected, y_true, y_pred: _explains(
        got, expected, mistaken(y_true, y_pred, expected), rtol=MSE_RTOL))


def mse_loss_hints() -> list[checks.Hint]:
    """The known mistakes of ``mse_loss``."""
    return [
        _mse_hint("this is n times the expected value: the sum of the squared errors. "
                  "The mean divides the sum by the number of samples.",
                  lambda t, p, expected: t.size * expected),
        _mse_hint("this is the square root of the expected value: the root mean squared "
                  "error (RMSE). The MSE stops before the root.",
                  lambda t, p, expected: np.sqrt(expected)),
        _mse_hint("this is the mean absolute error, the mean of |y_true - y_pred|: square "
                  "the errors instead of taking their absolute value.",
                  lambda t, p, expected: np.mean(np.abs(t - p))),
        _mse_hint("this is the mean of the plain errors y_true - y_pred, where positive "
                  "and negative errors cancel: square each error before averaging.",
                  lambda t, p, expected: np.mean(t - p)),
        _mse_hint("this is the square of the mean error: square each error first, then "
                  "take the mean.",
                  lambda t, p, expected: np.mean(t - p) ** 2),
    ]


def check_mse_loss(mse_loss: Callable, cases: Sequence[checks.Case],
                   refused: Sequence[tuple] = (), *, quiet: bool = False) -> None:
    """Check ``mse_loss`` on ``Case((y_true, y_pred), mse)`` (one number, to a relative
    1e-6), then that each pair ``(y_true, y_pred)`` of ``refused`` (different lengths)
    raises a ValueError whose message mentions the length."""
    __tracebackhide__ = True
    checks.check_function(mse_loss, cases, rtol=MSE_RTOL, hints=mse_loss_hints(), quiet=quiet)
    for y_true, y_pred in refused:
        checks.check_raises(mse_loss, (y_true, y_pred), ValueError, says="length", quiet=quiet)


def _first_sample_only(params, X, y_true) -> float:
    if len(y_true) < 2:
        raise ValueError("one sample: nothing to leave out")
    return (y_true[0] - network.feedforward_batch(X[:1], params)[0]) ** 2


def network_loss_hints() -> list[checks.Hint]:
    """The known mistakes of ``network_loss(params, X, y_true)``."""

    def hint(message, mistaken):
        return checks.Hint(message, lambda got, expected, params, X, y_true: _explains(
            got, expected, mistaken(params, X, y_true, expected)))

    return [
        hint("this is the loss of the first sample alone: the loss needs every "
             "sample's prediction, from network.feedforward_batch(X, params).",
             lambda params, X, y_true, expected: _first_sample_only(params, X, y_true)),
        hint("this is n times the expected value: a sum of squared errors instead "
             "of their mean.",
             lambda params, X, y_true, expected: y_true.size * expected),
        hint("this is the loss of the network with every weight 1 and every bias 0, "
             "whatever params it is given: use the params argument.",
             lambda params, X, y_true, expected: np.mean(
                 (y_true - network.feedforward_batch(X, network.from_named(**_ALL_ONES))) ** 2)),
    ]


def check_network_loss(network_loss: Callable, cases: Sequence[checks.Case], *,
                       quiet: bool = False) -> None:
    """Check ``network_loss`` on ``Case((params, X, y_true), loss)``: one number, to a
    relative 1e-9."""
    __tracebackhide__ = True
    checks.check_function(network_loss, cases, hints=network_loss_hints(), quiet=quiet)
