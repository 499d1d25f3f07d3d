"""The vectorized network of notebook 06: the whole batch forward and backward at once.

One hidden layer of sigmoid neurons and one sigmoid output, with the params
dict of :mod:`nbutils.network`::

    params = {"W1": (n_inputs, n_hidden), "b1": (n_hidden,),
              "W2": (n_hidden, 1),        "b2": (1,)}

For a batch ``X: (n_samples, n_inputs)`` (``n`` samples, ``h`` hidden units)::

    Z1 = X @ W1 + b1     (n, h)      H = f(Z1)
    Z2 = H @ W2 + b2     (n, 1)      y_pred = f(Z2)[:, 0]     (n,)

The loss is the mean squared error over the batch, ``mean((y - y_pred) ** 2)``,
so every gradient is an average over the batch. The ``1 / n`` enters once, at
the top, and the sums over the batch below it turn into means::

    dZ2 = -2 / n * (y - y_pred)[:, None] * f'(Z2)     (n, 1)
    dW2 = H.T @ dZ2                                    (h, 1)
    db2 = dZ2.sum(axis=0)                              (1,)
    dH  = dZ2 @ W2.T                                   (n, h)
    dZ1 = dH * f'(Z1)                                  (n, h)
    dW1 = X.T @ dZ1                                    (n_inputs, h)
    db1 = dZ1.sum(axis=0)                              (h,)

These are the course's reference versions; notebook 06 asks students to
write ``forward``, ``backward`` and ``train_xor`` themselves, and its checks
refuse these. :func:`train_many` trains many random starts side by side
(one stacked array per parameter), which is how the notebook measures how
often training succeeds without waiting.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_array, sigmoid_prime
from .network import copy_params, init_params, make_params


def forward(X, params: dict) -> tuple[np.ndarray, dict]:
    """The network's outputs for a batch, and what :func:`backward` needs.

    ``X: (n_samples, n_inputs)``. Returns ``y_pred (n_samples,)`` and the
    cache ``{"Z1": (n, h), "H": (n, h), "Z2": (n, 1), "y_pred": (n,)}``.
    """
    X = np.asarray(X, dtype=float)
    Z1 = X @ params["W1"] + params["b1"]
    H = sigmoid(Z1)
    Z2 = H @ params["W2"] + params["b2"]
    y_pred = sigmoid(Z2)[:, 0]
    return y_pred, {"Z1": Z1, "H": H, "Z2": Z2, "y_pred": y_pred}


def mse(y, y_pred) -> float:
    """``mean((y - y_pred) ** 2)`` over the batch; ``y, y_pred: (n_samples,)``."""
    return float(np.mean((np.asarray(y, dtype=float) - y_pred) ** 2))


def backward(X, y, params: dict, cache: dict) -> dict:
    """The gradient of the batch's MSE for every parameter, averaged over the batch.

    ``X: (n, n_inputs)``, ``y: (n,)``, ``cache`` from :func:`forward`.
    Returns grads with the keys and shapes of ``params``.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    d_y_pred = -2.0 / n * (y - cache["y_pred"])           # (n,) the 1/n of the mean
    dZ2 = d_y_pred[:, None] * sigmoid_prime(cache["Z2"])  # (n, 1)
    dH = dZ2 @ params["W2"].T                            # (n, h)
    dZ1 = dH * sigmoid_prime(cache["Z1"])                 # (n, h)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0),
            "W2": cache["H"].T @ dZ2, "b2": dZ2.sum(axis=0)}


def step(params: dict, grads: dict, lr: float) -> dict:
    """One gradient-descent step: ``p - lr * dL/dp`` for every parameter (a new dict)."""
    return {key: params[key] - lr * grads[key] for key in params}


def descend(X, y, params: dict, lr: float, epochs: int) -> tuple[dict, np.ndarray]:
    """``epochs`` steps of full-batch gradient descent, starting from ``params``.

    Each epoch computes what one :func:`forward`, one :func:`backward`
    and one :func:`step` compute, to rounding (a test checks 1e-12), written
    lean: the sigmoid's derivative comes from the activations already at hand,
    ``f'(z) = f(z) (1 - f(z))``, instead of computing the sigmoid again, and
    no dicts are built inside the loop. Returns the new params (``params``
    itself is not changed) and ``losses (epochs,)``, the MSE before each update.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    W1, b1, W2, b2 = (params[key] for key in ("W1", "b1", "W2", "b2"))
    n = X.shape[0]
    scale = -2.0 / n                               # dL/dy_pred = scale * (y - y_pred)
    total = np.add.reduce  # what np.mean and .sum call, without their Python layers
    losses = np.empty(epochs)
    for epoch in range(epochs):
        H = sigmoid_array(X @ W1 + b1)             # (n, h)
        out = sigmoid_array(H @ W2 + b2)           # (n, 1)
        err = y - out[:, 0]                        # (n,)
        losses[epoch] = total(err ** 2) / n        # the MSE, as np.mean computes it
        dZ2 = (scale * err)[:, None] * (out * (1.0 - out))   # (n, 1)
        dZ1 = (dZ2 @ W2.T) * (H * (1.0 - H))                 # (n, h)
        W1, b1 = W1 - lr * (X.T @ dZ1), b1 - lr * total(dZ1, axis=0)
        W2, b2 = W2 - lr * (H.T @ dZ2), b2 - lr * total(dZ2, axis=0)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, losses


def train(X, y, n_hidden: int, lr: float, epochs: int,
          rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    """Full-batch gradient descent from an ``N(0, 1)`` start drawn from ``rng``.

    The start is ``nbutils.network.init_params(rng, n_inputs, n_hidden)``.
    Returns the final params and ``losses (epochs,)``, the MSE before each update.
    """
    start = init_params(rng, np.shape(X)[1], n_hidden)
    return descend(X, y, start, lr, epochs)


def train_snapshots(X, y, n_hidden: int, lr: float, epochs: int, rng: np.random.Generator,
                    every: int) -> tuple[list, np.ndarray]:
    """:func:`train`, keeping a copy of the params every ``every`` epochs.

    Returns ``[(epoch, params), ...]`` for epochs 0, every, 2 every, ... and
    ``epochs`` (the trained network), and ``losses (epochs,)``: the same
    numbers as :func:`train`.
    """
    params = init_params(rng, np.shape(X)[1], n_hidden)
    snapshots, losses = [(0, copy_params(params))], []
    done = 0
    while done < epochs:
        chunk = min(every, epochs - done)
        params, chunk_losses = descend(X, y, params, lr, chunk)
        done += chunk
        snapshots.append((done, copy_params(params)))
        losses.append(chunk_losses)
    return snapshots, np.concatenate(losses) if losses else np.empty(0)


def solved(y_pred, y) -> np.ndarray | bool:
    """Whether every output is on the right side of 0.5 (the last axis is the batch)."""
    y_pred = np.asarray(y_pred, dtype=float)
    right = (y_pred > 0.5) == (np.asarray(y) > 0.5)
    out = np.all(right, axis=-1)
    return bool(out) if out.ndim == 0 else out


def train_many(X, y, n_hidden: int, lr: float, epochs: int, seeds) -> dict:
    """Train one network per seed, all at once, exactly as :func:`train` would.

    Each start is ``init_params(np.random.default_rng(seed), ...)``; the S
    networks are stacked (``W1: (S, n_inputs, h)`` ...) and trained together.
    Returns ``{"params": stacked params, "y_pred": (S, n), "loss": (S,),
    "losses": (S, epochs), "solved": (S,) bool, "seeds": (S,)}``, where
    ``loss`` is the MSE after the last update.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    seeds = np.asarray(list(seeds), dtype=int)
    starts = [init_params(np.random.default_rng(int(s)), X.shape[1], n_hidden) for s in seeds]
    W1 = np.stack([p["W1"] for p in starts])           # (S, d, h)
    b1 = np.stack([p["b1"] for p in starts])[:, None]  # (S, 1, h)
    W2 = np.stack([p["W2"] for p in starts])           # (S, h, 1)
    b2 = np.stack([p["b2"] for p in starts])[:, None]  # (S, 1, 1)
    n = X.shape[0]
    losses = np.empty((len(seeds), epochs))
    total = np.add.reduce  # what np.mean and .sum call, without their Python layers
    for epoch in range(epochs):
        H = sigmoid_array(X @ W1 + b1)
        y_pred = sigmoid_array(H @ W2 + b2)[..., 0]   # (S, n)
        losses[:, epoch] = total((y - y_pred) ** 2, axis=1) / n
        # s (1 - s) from the activations we already have: the same numbers as
        # sigmoid_prime(Z), which would compute the sigmoid again
        out = y_pred[..., None]
        dZ2 = (-2.0 / n * (y - y_pred))[..., None] * (out * (1.0 - out))
        dZ1 = (dZ2 @ W2.transpose(0, 2, 1)) * (H * (1.0 - H))
        W2 = W2 - lr * (H.transpose(0, 2, 1) @ dZ2)
        b2 = b2 - lr * total(dZ2, axis=1, keepdims=True)
        W1 = W1 - lr * (X.T @ dZ1)
        b1 = b1 - lr * total(dZ1, axis=1, keepdims=True)
    params = {"W1": W1, "b1": b1[:, 0], "W2": W2, "b2": b2[:, 0]}
    y_pred = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)[..., 0]
    return {"params": params, "y_pred": y_pred, "loss": np.mean((y - y_pred) ** 2, axis=1),
            "losses": losses, "solved": solved(y_pred, y), "seeds": seeds}


def unstack(params: dict, i: int) -> dict:
    """Network ``i`` of the stacked params that :func:`train_many` returns."""
    return {key: np.array(value[i], dtype=float) for key, value in params.items()}


def xor_by_hand() -> dict:
    """Hand-set weights that solve XOR: hidden = OR and NAND, output = AND."""
    return make_params([[20, -20], [20, -20]], [-10, 30], [20, 20], [-30])


def study_sleep_params() -> dict:
    """The 2-3-1 network of the study/sleep example: its weights, and no biases."""
    return make_params([[0.2, 0.6, 0.1], [0.8, 0.3, 0.7]], np.zeros(3),
                       [0.4, 0.5, 0.9], [0.0])
