"""Training by stochastic gradient descent (taught in notebook 05).

Two versions of the same thing:

- :func:`sgd_step` and :func:`train` work on the params dict of the 2-2-1
  network (``{"W1", "b1", "W2", "b2"}``, see :mod:`nbutils.network`) and
  take their gradients from :func:`nbutils.gradients.backprop`. These are
  the course's reference versions; notebook 05 asks students to write them,
  and its checks refuse these.
- :func:`forward_layers`, :func:`backprop_layers` and :func:`train_layers`
  hold the network as a list of ``(W, b)`` layers and loop over the layers,
  as real code does (and Nielsen's ``network.py``). They work for any
  number of layers, on one sample or on a batch.

Both visit the samples one at a time, in an order shuffled afresh each
epoch by ``rng.permutation(n_samples)``; with ``rng=None`` they go in the
data set's order, as the tutorials do.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .gradients import backprop
from .losses import mse_loss
from .network import forward


def sgd_step(params: dict, grads: dict, lr: float) -> dict:
    """One step of gradient descent on every parameter: ``p - lr * dL/dp``.

    ``params`` and ``grads``: dicts with the same keys and shapes. Returns a
    new dict of new arrays; the ``params`` given are left unchanged.
    """
    return {key: params[key] - lr * grads[key] for key in params}


def epoch_order(n_samples: int, rng: np.random.Generator | None) -> np.ndarray:
    """The order in which one epoch visits the samples.

    ``rng.permutation(n_samples)`` (a fresh shuffle each epoch), or
    ``0, 1, ..., n_samples - 1`` when ``rng`` is None.
    """
    return np.arange(n_samples) if rng is None else rng.permutation(n_samples)


def train(X, y, params: dict, lr: float = 0.1, epochs: int = 1000,
          rng: np.random.Generator | None = None) -> tuple[dict, np.ndarray]:
    """Stochastic gradient descent: one sample, one step, every sample each epoch.

    ``X: (n_samples, n_features)``, ``y: (n_samples,)``. Each epoch visits the
    samples in the order :func:`epoch_order` gives and takes one
    :func:`sgd_step` per sample. Returns the trained params (a new dict; the
    ones given are unchanged) and ``loss_history: (epochs,)``, the MSE over
    all samples at the end of each epoch.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    history = np.empty(epochs)
    for epoch in range(epochs):
        for i in epoch_order(len(X), rng):
            params = sgd_step(params, backprop(X[i], y[i], params), lr)
        history[epoch] = mse_loss(y, forward(X, params))
    return params, history


# --- the same network as a list of layers -----------------------------------

def layers_from_params(params: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 2-2-1 params dict as a list of ``(W, b)`` layers (the same arrays)."""
    return [(params["W1"], params["b1"]), (params["W2"], params["b2"])]


def params_from_layers(layers) -> dict:
    """A list of two ``(W, b)`` layers back as the params dict."""
    (W1, b1), (W2, b2) = layers
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def init_layers(sizes, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random ``(W, b)`` layers for layer sizes like ``[2, 2, 1]``, from N(0, 1).

    ``W`` of the layer from ``n_in`` to ``n_out`` neurons is ``(n_in, n_out)``.
    """
    return [(rng.normal(size=(n_in, n_out)), rng.normal(size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False)]


def forward_layers(X, layers):
    """Every layer's pre-activations and activations, for one sample or a batch.

    ``X: (n_features,)`` or ``(n_samples, n_features)``. Returns ``zs`` and
    ``activations``. Index convention: ``activations[0]`` is the input and
    layer ``k`` turns ``activations[k]`` into ``zs[k]`` and then
    ``activations[k + 1] = f(zs[k])``, so there is one activation more than
    there are zs, and ``activations[-1]`` is ``y_pred``.
    """
    a = np.asarray(X, dtype=float)
    zs, activations = [], [a]
    for W, b in layers:
        z = a @ W + b
        a = sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backprop_layers(X, y_true, layers):
    """The gradients of the loss, one ``(dW, db)`` per layer, looping backwards.

    One sample ``x: (n_features,)`` with a number ``y_true``: the gradient of
    ``(y_true - y_pred) ** 2``, as :func:`nbutils.gradients.backprop` gives.
    A batch ``X: (n_samples, n_features)``, ``y_true: (n_samples,)``: the
    gradient of the MSE over the batch (the mean of the samples' gradients).
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))       # a batch, maybe of one
    zs, activations = forward_layers(X, layers)
    y_pred = activations[-1]                              # (n_samples, 1)
    y_true = np.asarray(y_true, dtype=float).reshape(y_pred.shape)
    # delta = dL/dz of the layer we are at, one row per sample
    delta = -2.0 * (y_true - y_pred) * sigmoid_prime(zs[-1]) / len(X)
    grads = [None] * len(layers)
    for k in reversed(range(len(layers))):
        grads[k] = (activations[k].T @ delta, delta.sum(axis=0))
        if k > 0:  # carry delta back through W of layer k to layer k - 1
            W = layers[k][0]
            delta = (delta @ W.T) * sigmoid_prime(zs[k - 1])
    return grads


def train_layers(X, y, layers, lr: float = 0.1, epochs: int = 1000,
                 rng: np.random.Generator | None = None):
    """:func:`train` for a list of ``(W, b)`` layers: the same steps, any depth.

    Returns the trained layers and ``loss_history: (epochs,)``.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    history = np.empty(epochs)
    for epoch in range(epochs):
        for i in epoch_order(len(X), rng):
            grads = backprop_layers(X[i], y[i], layers)
            layers = [(W - lr * dW, b - lr * db)
                      for (W, b), (dW, db) in zip(layers, grads, strict=True)]
        history[epoch] = mse_loss(y, forward_layers(X, layers)[1][-1][:, 0])
    return layers, history
