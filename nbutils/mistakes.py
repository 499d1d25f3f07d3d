"""Backprop with one planted mistake, for notebook 04's hints and find-the-bug exercise.

Each mistake replaces one of backprop's steps (:data:`nbutils.gradients.STEPS`)
with a wrong line; ``activation`` is two of them at once (``activation_output``
and ``activation_hidden``). ``with_mistake(name)`` returns that backprop,
``(x, y_true, params) -> grads`` like :func:`nbutils.gradients.backprop`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .activations import sigmoid_prime
from .gradients import STEPS, chain_rule


def _prime_h_of(j: int) -> Callable:
    """d_z1 with hidden neuron ``j``'s f' taken at its activation h[j] instead of z1[j]."""
    def d_z1(s):
        at = np.where(np.arange(len(s["z1"])) == j, s["h"], s["z1"])
        return s["d_h"] * sigmoid_prime(at)
    return d_z1


_OUTPUT_AT_ACTIVATION = {"d_z2": lambda s: s["d_y_pred"] * sigmoid_prime(s["y_pred"])}
_HIDDEN_AT_ACTIVATION = {"d_z1": lambda s: s["d_h"] * sigmoid_prime(s["h"])}

# name -> (what is wrong, the steps it replaces)
_PLANTED = {
    "sign": ("dL/dy_pred = 2 (y_true - y_pred): the sign is flipped",
             {"d_y_pred": lambda s: 2.0 * (s["y_true"] - s["y_pred"])}),
    "no_two": ("dL/dy_pred = -(y_true - y_pred): the factor 2 is missing",
               {"d_y_pred": lambda s: -1.0 * (s["y_true"] - s["y_pred"])}),
    "activation": ("sigmoid_prime applied to the activations h and y_pred",
                   {**_OUTPUT_AT_ACTIVATION, **_HIDDEN_AT_ACTIVATION}),
    "activation_hidden": ("sigmoid_prime applied to the hidden activations h",
                          _HIDDEN_AT_ACTIVATION),
    "activation_output": ("sigmoid_prime applied to the output activation y_pred",
                          _OUTPUT_AT_ACTIVATION),
    "activation_h1": ("sigmoid_prime applied to h1's activation (hidden neuron h1 only)",
                      {"d_z1": _prime_h_of(0)}),
    "activation_h2": ("sigmoid_prime applied to h2's activation (hidden neuron h2 only)",
                      {"d_z1": _prime_h_of(1)}),
    "no_w2": ("the hidden neurons' derivatives miss the weights to the output (w5, w6)",
              {"d_h": lambda s: np.ones_like(s["h"]) * s["d_z2"].sum()}),
    "wrong_neuron": ("hidden neuron h2's derivatives use h1's weight to the output (w5)",
                     {"d_h": lambda s: np.full_like(s["h"], s["W2"][0] @ s["d_z2"])}),
    "no_output_prime": ("the output neuron's f'(z) is missing",
                        {"d_z2": lambda s: s["d_y_pred"] * np.ones_like(s["z2"])}),
    "no_hidden_prime": ("the hidden neurons' f'(z) is missing",
                        {"d_z1": lambda s: s["d_h"] * np.ones_like(s["z1"])}),
    "no_x": ("the hidden weights' derivatives miss the input x",
             {"d_W1": lambda s: np.outer(np.ones_like(s["x"]), s["d_z1"])}),
    "w1_transposed": ("dL/dW1 is transposed: x[j] * dL/dz1[i] instead of x[i] * dL/dz1[j]",
                      {"d_W1": lambda s: np.outer(s["d_z1"], s["x"])}),
}
# name -> what is wrong, in words
MISTAKES = {name: text for name, (text, _) in _PLANTED.items()}


def with_mistake(mistake: str) -> Callable:
    """A backprop ``(x, y_true, params) -> grads`` with one planted mistake (notebook 04).

    ``mistake``: a key of :data:`MISTAKES`. The returned function's docstring
    says what the mistake is.
    """
    if mistake not in _PLANTED:
        raise ValueError(f"unknown mistake {mistake!r}; choose from {sorted(MISTAKES)}")
    steps = {**STEPS, **_PLANTED[mistake][1]}

    def mistaken_backprop(x, y_true, params):
        return chain_rule(steps, x, y_true, params)

    mistaken_backprop.__doc__ = f"backprop with a planted mistake: {MISTAKES[mistake]}."
    mistaken_backprop.__qualname__ = mistaken_backprop.__name__ = f"backprop_{mistake}"
    return mistaken_backprop
