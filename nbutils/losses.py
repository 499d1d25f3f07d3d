"""Loss functions (taught in notebook 03). The course's reference versions."""

from __future__ import annotations

import numpy as np


def mse_loss(y_true, y_pred) -> float:
    """Mean squared error: ``mean((y_true - y_pred) ** 2)``.

    ``y_true, y_pred: (n_samples,)``, the same length. Returns a number.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape "
                         f"{y_pred.shape}: they must match")
    return float(np.mean((y_true - y_pred) ** 2))
