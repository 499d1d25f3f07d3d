"""Backpropagation for the 2-2-1 network, and numeric gradients (notebook 04).

The loss of one sample is ``L = (y_true - y_pred) ** 2``. Gradients come
back as a dict with the same keys and shapes as the params:
``grads["W1"][i, j] = dL/dW1[i, j]``. Notebook 04 asks students to write
``backprop`` and ``numeric_gradient``; the references here have their names
and signatures. The student-facing gradient check (the table, the hints) is
:mod:`nbutils.gradient_checks`; the planted mistakes are :mod:`nbutils.mistakes`.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .network import copy_params, feedforward

# backprop of one sample, one quantity a line, each from those before it (``s`` holds
# x, y_true, the params and every quantity computed so far); nbutils.mistakes plants
# notebook 04's mistakes by replacing single lines
STEPS = {
    "z1": lambda s: s["x"] @ s["W1"] + s["b1"],              # (n_hidden,) pre-activations
    "h": lambda s: sigmoid(s["z1"]),                          # (n_hidden,)
    "z2": lambda s: s["h"] @ s["W2"] + s["b2"],              # (1,) output pre-activation
    "y_pred": lambda s: sigmoid(s["z2"]),                     # (1,)
    "d_y_pred": lambda s: -2.0 * (s["y_true"] - s["y_pred"]),  # (1,) dL/dy_pred
    "d_z2": lambda s: s["d_y_pred"] * sigmoid_prime(s["z2"]),  # (1,)
    "d_h": lambda s: s["W2"] @ s["d_z2"],                     # (n_hidden,)
    "d_z1": lambda s: s["d_h"] * sigmoid_prime(s["z1"]),      # (n_hidden,)
    "d_W1": lambda s: np.outer(s["x"], s["d_z1"]),            # (n_inputs, n_hidden)
    "d_W2": lambda s: np.outer(s["h"], s["d_z2"]),            # (n_hidden, 1)
}


def chain_rule(steps: dict, x, y_true: float, params: dict) -> dict:
    """Run backprop's ``steps`` (:data:`STEPS`, or a copy with a step replaced) in order.

    ``x: (n_inputs,)``, ``y_true``: a number. Returns grads shaped like params.
    """
    s = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    s.update(x=np.asarray(x, dtype=float), y_true=y_true)
    for name, step in steps.items():
        s[name] = step(s)
    return {"W1": s["d_W1"], "b1": s["d_z1"], "W2": s["d_W2"], "b2": s["d_z2"]}


def backprop(x, y_true: float, params: dict) -> dict:
    """All partial derivatives of one sample's loss, by the chain rule (notebook 04).

    ``x: (n_inputs,)``, ``y_true``: a number. Returns grads shaped like params.
    """
    return chain_rule(STEPS, x, y_true, params)


def sample_loss(x, y_true: float, params: dict) -> float:
    """``(y_true - y_pred) ** 2`` for one sample ``x: (n_inputs,)``."""
    return (y_true - feedforward(x, params)) ** 2


def numeric_gradient(loss_fn, params: dict, eps: float = 1e-6) -> dict:
    """Central finite differences of ``loss_fn(params)`` for every parameter (notebook 04).

    ``(L(p + eps) - L(p - eps)) / (2 eps)``, one parameter at a time.
    """
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value, dtype=float)
        for idx in np.ndindex(value.shape):
            plus, minus = copy_params(params), copy_params(params)
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (loss_fn(plus) - loss_fn(minus)) / (2 * eps)
        grads[key] = g
    return grads


def relative_error(a, b) -> np.ndarray:
    """``|a - b| / max(|a|, |b|)`` element-wise (0 where both are 0); any equal shapes."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.divide(np.abs(a - b), scale, out=np.zeros_like(scale), where=scale > 0)
