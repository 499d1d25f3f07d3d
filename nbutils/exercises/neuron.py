"""The checks of notebook 01's exercises (the neuron and the sigmoid)."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from nbutils import checks
from nbutils.activations import sigmoid


def _near(a, b) -> bool:
    return bool(np.isclose(a, b, rtol=1e-9, atol=0))


def neuron_output_hints() -> list[checks.Hint]:
    """The mistakes of ``neuron_output(w, b, x)``, each with what it computes."""
    return [
        checks.Hint("this is f(w . x) without the bias: add b before the sigmoid.",
                    lambda got, expected, w, b, x: _near(got, sigmoid(np.dot(w, x)))),
        checks.Hint("this is z = w . x + b itself: pass it through sigmoid.",
                    lambda got, expected, w, b, x: _near(got, np.dot(w, x) + b)),
        checks.Hint("the bias went inside the product: it is added after w . x.",
                    lambda got, expected, w, b, x: _near(got, sigmoid(np.dot(w, x + b)))),
    ]


def check_neuron_output(neuron_output: Callable, cases: Sequence[checks.Case], *,
                        quiet: bool = False) -> None:
    """Check ``neuron_output`` on ``Case((w, b, x), f(w . x + b))``, to a relative 1e-9."""
    __tracebackhide__ = True
    checks.check_function(neuron_output, cases, hints=neuron_output_hints(), quiet=quiet)
