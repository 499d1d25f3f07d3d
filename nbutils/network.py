"""The 2-2-1 network and its parameters (taught in notebook 02).

Parameters are a dict of arrays, the same in every notebook from 02 to 06::

    params = {"W1": (n_inputs, n_hidden), "b1": (n_hidden,),
              "W2": (n_hidden, 1),        "b2": (1,)}

so that a batch goes forward as ``h = f(X @ W1 + b1)``, ``y_pred = f(h @ W2 + b2)``.
``W1[i, j]`` is the weight from input ``i`` to hidden neuron ``j``. The
tutorial's nine names map onto them as (see :func:`named`)::

    w1 = W1[0, 0]  w2 = W1[1, 0]  b1 = b1[0]    # hidden neuron h1
    w3 = W1[0, 1]  w4 = W1[1, 1]  b2 = b1[1]    # hidden neuron h2
    w5 = W2[0, 0]  w6 = W2[1, 0]  b3 = b2[0]    # output neuron o1

Notebook 02 asks students to write ``feedforward`` and ``feedforward_batch``;
the references here have their names and signatures.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid

NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")
# name -> (array, index) in the params dict
WHERE = {
    "w1": ("W1", (0, 0)), "w2": ("W1", (1, 0)), "b1": ("b1", (0,)),
    "w3": ("W1", (0, 1)), "w4": ("W1", (1, 1)), "b2": ("b1", (1,)),
    "w5": ("W2", (0, 0)), "w6": ("W2", (1, 0)), "b3": ("b2", (0,)),
}


def make_params(W1, b1, W2, b2) -> dict:
    """A params dict from anything array-like, as float arrays of the right shapes."""
    W1 = np.array(W1, dtype=float)
    W2 = np.array(W2, dtype=float).reshape(W1.shape[1], -1)
    return {"W1": W1, "b1": np.array(b1, dtype=float).reshape(W1.shape[1]),
            "W2": W2, "b2": np.array(b2, dtype=float).reshape(W2.shape[1])}


def from_named(**values: float) -> dict:
    """Params of the 2-2-1 network from the tutorial's nine names (all needed)."""
    missing = set(NAMES) - set(values)
    if missing:
        raise TypeError(f"missing parameters: {sorted(missing)}")
    params = make_params(np.zeros((2, 2)), np.zeros(2), np.zeros((2, 1)), np.zeros(1))
    for name in NAMES:
        key, idx = WHERE[name]
        params[key][idx] = values[name]
    return params


def named(params: dict) -> dict:
    """The tutorial's nine names -> values, read from a 2-2-1 params dict."""
    return {name: float(params[key][idx]) for name, (key, idx) in WHERE.items()}


def init_params(rng: np.random.Generator, n_inputs: int = 2, n_hidden: int = 2) -> dict:
    """Weights and biases drawn from N(0, 1), as the tutorials do.

    ``rng``: a ``np.random.default_rng(seed)``; nothing global is touched.
    """
    return make_params(rng.normal(size=(n_inputs, n_hidden)), rng.normal(size=n_hidden),
                       rng.normal(size=(n_hidden, 1)), rng.normal(size=1))


def copy_params(params: dict) -> dict:
    """A copy of ``params`` whose arrays are new float arrays (nothing shared)."""
    return {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}


def feedforward(x, params: dict) -> float:
    """The network's output for one input ``x: (n_inputs,)``: a number (notebook 02)."""
    h = sigmoid(np.asarray(x, dtype=float) @ params["W1"] + params["b1"])
    return float(sigmoid(h @ params["W2"] + params["b2"])[0])


def feedforward_batch(X, params: dict) -> np.ndarray:
    """The outputs for a batch ``X: (n_samples, n_inputs)``: ``y_pred (n_samples,)`` (02)."""
    return sigmoid(hidden(X, params) @ params["W2"] + params["b2"])[:, 0]


def hidden(X, params: dict) -> np.ndarray:
    """The hidden activations for a batch: ``H (n_samples, n_hidden)``."""
    return sigmoid(np.asarray(X, dtype=float) @ params["W1"] + params["b1"])
