"""The course's data sets. Every notebook takes its data from here.

Shapes follow the glossary: ``X`` is ``(n_samples, n_features)``, ``y`` is
``(n_samples,)``.
"""

from __future__ import annotations

import numpy as np

# Notebook 03 onwards: weight (lb) and height (in) of four people, and
# whether each is female (1) or not (0). The inputs are shifted by these
# round numbers so that they sit near zero, as the tutorial does.
WEIGHT_SHIFT = 135.0
HEIGHT_SHIFT = 66.0

PEOPLE = (
    # name, weight (lb), height (in), female
    ("Alice", 133.0, 65.0, 1),
    ("Bob", 160.0, 72.0, 0),
    ("Charlie", 152.0, 70.0, 0),
    ("Diana", 120.0, 60.0, 1),
)

NEW_PEOPLE = (
    ("Emily", 128.0, 63.0),
    ("Frank", 155.0, 68.0),
)


def shift(weight_lb, height_in) -> np.ndarray:
    """Shift raw (weight, height) to the network's inputs (notebook 03).

    Works on scalars or arrays; returns shape ``(..., 2)``.
    """
    return np.stack(
        [np.asarray(weight_lb, dtype=float) - WEIGHT_SHIFT,
         np.asarray(height_in, dtype=float) - HEIGHT_SHIFT],
        axis=-1,
    )


def people() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The four people of notebooks 03-05.

    Returns ``X (4, 2)`` shifted inputs, ``y (4,)`` labels (female = 1) and
    their names.
    """
    names = [p[0] for p in PEOPLE]
    X = shift([p[1] for p in PEOPLE], [p[2] for p in PEOPLE])
    y = np.array([p[3] for p in PEOPLE], dtype=float)
    return X, y, names


def new_people() -> tuple[np.ndarray, list[str]]:
    """Emily and Frank, whom the trained network of notebook 05 classifies.

    Returns ``X (2, 2)`` shifted inputs and their names.
    """
    names = [p[0] for p in NEW_PEOPLE]
    X = shift([p[1] for p in NEW_PEOPLE], [p[2] for p in NEW_PEOPLE])
    return X, names


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem of notebook 06: ``X (4, 2)`` of 0/1 inputs, ``y (4,)``."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0], dtype=float)
    return X, y


def study_sleep() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hours studied and slept -> test score, the 2-3-1 example of notebook 06.

    Returns the raw ``X (3, 2)`` (hours studied, hours slept), the raw
    scores ``y (3,)`` out of 100, and the query point ``(4, 8)`` as
    ``X_query (1, 2)``. Scale with :func:`scale_study_sleep`.
    """
    X = np.array([[2, 9], [1, 5], [3, 6]], dtype=float)
    y = np.array([92, 86, 89], dtype=float)
    X_query = np.array([[4, 8]], dtype=float)
    return X, y, X_query


def scale_study_sleep(X: np.ndarray, X_train: np.ndarray) -> np.ndarray:
    """Scale inputs by the column maxima of the *training* inputs.

    The tutorial scaled its query point by the query's own maximum; the
    network must see new inputs on the scale it was trained on.
    """
    return np.asarray(X, dtype=float) / np.max(np.asarray(X_train, dtype=float), axis=0)
