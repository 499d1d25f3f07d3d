"""Backpropagation for the 2-2-1 network, and the gradient check (notebook 04).

The loss of one sample is ``L = (y_true - y_pred) ** 2``. Gradients come
back as a dict with the same keys and shapes as the params:
``grads["W1"][i, j] = dL/dW1[i, j]``. The course's reference versions;
notebook 04 asks students to write them, and its checks refuse these.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .network import copy_params, feedforward


def backprop(x, y_true: float, params: dict) -> dict:
    """All partial derivatives of one sample's loss, by the chain rule.

    ``x: (n_inputs,)``, ``y_true``: a number. Returns grads shaped like params.
    """
    x = np.asarray(x, dtype=float)
    z1 = x @ params["W1"] + params["b1"]          # (n_hidden,) hidden pre-activations
    h = sigmoid(z1)
    z2 = h @ params["W2"] + params["b2"]          # (1,) output pre-activation
    y_pred = sigmoid(z2)
    d_y_pred = -2.0 * (y_true - y_pred)           # dL/dy_pred
    d_z2 = d_y_pred * sigmoid_prime(z2)           # (1,)
    d_h = params["W2"] @ d_z2                     # (n_hidden,)
    d_z1 = d_h * sigmoid_prime(z1)                # (n_hidden,)
    return {"W1": np.outer(x, d_z1), "b1": d_z1, "W2": np.outer(h, d_z2), "b2": d_z2}


def sample_loss(x, y_true: float, params: dict) -> float:
    """``(y_true - y_pred) ** 2`` for one sample."""
    return (y_true - feedforward(x, params)) ** 2


def numeric_gradient(loss_fn, params: dict, eps: float = 1e-6) -> dict:
    """Central finite differences of ``loss_fn(params)`` for every parameter.

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
    """``|a - b| / max(|a|, |b|)`` element-wise (0 where both are 0)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.divide(np.abs(a - b), scale, out=np.zeros_like(scale), where=scale > 0)
