"""Activation functions (taught in notebook 01, used from notebook 02 on).

These are the course's reference versions. Notebook 01 asks students to
write ``sigmoid`` themselves; its checks refuse this one.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """The logistic sigmoid ``1 / (1 + e^-z)``, element-wise, without overflow.

    ``z``: a number or an array of any shape; returns the same shape.
    For ``z >= 0`` it uses ``1 / (1 + e^-z)``; for ``z < 0`` the equal form
    ``e^z / (1 + e^z)``, so no exponent is ever large and positive.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out.item() if out.ndim == 0 else out


def sigmoid_prime(z):
    """The derivative of the sigmoid at the pre-activation ``z`` (notebook 04).

    ``f'(z) = f(z) (1 - f(z))``; takes ``z``, not the activation.
    """
    s = sigmoid(z)
    return s * (1.0 - s)
