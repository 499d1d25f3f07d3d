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

Notebook 06 asks students to write ``forward``, ``backward`` and
``train_xor``; the references here have their names and signatures.
:func:`train_many` trains many random starts side by side
(one stacked array per parameter), which is how the notebook measures how
often training succeeds without waiting.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid_array, sigmoid_prime
from .losses import mse_loss
from .network import init_params, make_params


def forward(X, params: dict) -> tuple[np.ndarray, dict]:
    """The network's outputs for a batch, and what :func:`backward` needs (notebook 06).

    ``X: (n_samples, n_inputs)``. Returns ``y_pred (n_samples,)`` and the
    cache ``{"Z1": (n, h), "H": (n, h), "Z2": (n, 1), "y_pred": (n,)}``.
    Params stacked along a leading axis (``W1: (S, n_inputs, h)``, ``b1: (S, h)``,
    ``W2: (S, h, 1)``, ``b2: (S, 1)``, see :func:`train_many`) give S networks
    at once: every array above gains that leading axis.
    """
    X = np.asarray(X, dtype=float)
    Z1 = X @ params["W1"] + params["b1"][..., None, :]   # (n, h) or (S, n, h)
    H = sigmoid_array(Z1)
    Z2 = H @ params["W2"] + params["b2"][..., None, :]   # (n, 1) or (S, n, 1)
    y_pred = sigmoid_array(Z2)[..., 0]
    return y_pred, {"Z1": Z1, "H": H, "Z2": Z2, "y_pred": y_pred}


def backward(X, y, params: dict, cache: dict) -> dict:
    """The gradient of the batch's MSE for every parameter, averaged over the batch (06).

    ``X: (n, n_inputs)``, ``y: (n,)``, ``cache`` from :func:`forward`.
    Returns grads with the keys and shapes of ``params`` (stacked params too).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    d_y_pred = -2.0 / n * (y - cache["y_pred"])                # (n,) the 1/n of the mean
    dZ2 = d_y_pred[..., None] * sigmoid_prime(cache["Z2"])     # (n, 1)
    dH = dZ2 @ np.swapaxes(params["W2"], -1, -2)               # (n, h)
    dZ1 = dH * sigmoid_prime(cache["Z1"])                      # (n, h)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=-2),
            "W2": np.swapaxes(cache["H"], -1, -2) @ dZ2, "b2": dZ2.sum(axis=-2)}


def descend(X, y, params: dict, lr: float, epochs: int) -> tuple[dict, np.ndarray]:
    """``epochs`` steps of full-batch gradient descent, starting from ``params`` (06).

    Each epoch is what one :func:`forward`, one :func:`backward` and one
    :func:`nbutils.training.sgd_step` compute, to rounding (a test checks
    1e-12). Returns the new params (``params`` itself is not changed) and
    ``losses (epochs,)``, the MSE before each update; for params stacked along
    a leading axis (see :func:`forward`), ``losses (S, epochs)``.
    """
    # A separate fast copy of forward/backward/sgd_step, kept because `make bench`
    # needs it: through those three, trainer_xor_speedup_vs_sklearn measured 1.8
    # (0.32 s for 10,000 epochs; target 3.5); this loop 0.14 s, about 4. It keeps the
    # negated weights, so that X @ -W1 + -b1 is -Z1 exactly and f(Z1) = 1 / (1 + e^-Z1)
    # takes no negation (e^-Z1 = inf for Z1 < -709 gives f = 0, as it should), works in
    # place, takes f'(Z) = f(Z) (1 - f(Z)) from the activations, and keeps the errors
    # to square once at the end.
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)[:, None]                         # (n, 1)
    N1, n1, N2, n2 = (-np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    m1, m2 = n1[..., None, :], n2[..., None, :]     # (1, h), (1, 1) views: updated in place
    XT, N2T = X.T, np.swapaxes(N2, -1, -2)
    step = lr * 2.0 / X.shape[0]                    # -lr dL/dy_pred = step * (y - y_pred)
    total, exp, reciprocal = np.add.reduce, np.exp, np.reciprocal
    errors = np.empty((epochs,) + n2.shape[:-1] + y.shape)         # (epochs, [S,] n, 1)
    with np.errstate(over="ignore"):
        for epoch in range(epochs):
            H = X @ N1                                              # -Z1 (n, h)
            H += m1
            reciprocal(exp(H, out=H) + 1.0, out=H)                  # f(Z1)
            out = H @ N2                                            # -Z2 (n, 1)
            out += m2
            reciprocal(exp(out, out=out) + 1.0, out=out)            # y_pred (n, 1)
            err = np.subtract(y, out, out=errors[epoch])
            dZ2 = (step * err) * (out * (1.0 - out))                # -lr dL/dZ2
            dZ1 = (dZ2 @ N2T) * (H * (1.0 - H))                     # lr dL/dZ1
            N2 -= H.mT @ dZ2
            m2 -= total(dZ2, axis=-2, keepdims=True)
            N1 += XT @ dZ1
            m1 += total(dZ1, axis=-2, keepdims=True)
    losses = np.mean(errors[..., 0] ** 2, axis=-1)                  # (epochs, [S])
    return {"W1": -N1, "b1": -n1, "W2": -N2, "b2": -n2}, np.moveaxis(losses, 0, -1)


def train_xor(X, y, n_hidden: int, lr: float, epochs: int,
              rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    """Full-batch gradient descent from an ``N(0, 1)`` start drawn from ``rng`` (06).

    The start is ``nbutils.network.init_params(rng, n_inputs, n_hidden)``.
    Returns the final params and ``losses (epochs,)``, the MSE before each update.
    """
    start = init_params(rng, np.shape(X)[1], n_hidden)
    return descend(X, y, start, lr, epochs)


def solved(y_pred, y) -> np.ndarray | bool:
    """Whether every output is on the right side of 0.5 (the last axis is the batch)."""
    y_pred = np.asarray(y_pred, dtype=float)
    right = (y_pred > 0.5) == (np.asarray(y) > 0.5)
    out = np.all(right, axis=-1)
    return bool(out) if out.ndim == 0 else out


def train_many(X, y, n_hidden: int, lr: float, epochs: int, seeds) -> dict:
    """Train one network per seed, all at once, exactly as :func:`train_xor` would.

    Each start is ``init_params(np.random.default_rng(seed), ...)``; the S
    networks are stacked (``W1: (S, n_inputs, h)`` ...) and trained together
    by :func:`descend`. Returns ``{"params": stacked params, "y_pred": (S, n),
    "loss": (S,), "losses": (S, epochs), "solved": (S,) bool, "seeds": (S,)}``,
    where ``loss`` is the MSE after the last update.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    seeds = np.asarray(list(seeds), dtype=int)
    starts = [init_params(np.random.default_rng(int(s)), X.shape[1], n_hidden) for s in seeds]
    stacked = {key: np.stack([p[key] for p in starts]) for key in starts[0]}
    params, losses = descend(X, y, stacked, lr, epochs)
    y_pred = forward(X, params)[0]                      # (S, n)
    return {"params": params, "y_pred": y_pred, "loss": np.array([mse_loss(y, p) for p in y_pred]),
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
