"""Training by stochastic gradient descent (taught in notebook 05).

:func:`sgd_step` and :func:`train` work on the params dict of the 2-2-1
network (see :mod:`nbutils.network`) and take their gradients from
:func:`nbutils.gradients.backprop`. Notebook 05 asks students to write them;
the references here have their names and signatures. Each epoch visits the
samples one at a time, in an order shuffled afresh by
``rng.permutation(n_samples)``; with ``rng=None`` in the data set's order,
as the tutorials do.
"""

from __future__ import annotations

import numpy as np

from .gradients import backprop
from .losses import mse_loss
from .network import feedforward_batch


def sgd_step(params: dict, grads: dict, lr: float) -> dict:
    """One step of gradient descent on every parameter: ``p - lr * dL/dp`` (notebook 05).

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
    """Stochastic gradient descent: one sample, one step, every sample each epoch (05).

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
        history[epoch] = mse_loss(y, feedforward_batch(X, params))
    return params, history
