"""The pictures of notebook 01 (the neuron).

:func:`draw_neuron` draws a 2-input neuron; :func:`plot_activation` draws an
activation curve with the current point marked, which :func:`mark_point`
moves. Pure functions: they draw on the ``ax`` they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from .. import palette
from . import figure, show  # noqa: F401  (the notebook's plots.figure / plots.show)

Z_LIMIT = 10.0  # the explorer's plot shows z in [-Z_LIMIT, Z_LIMIT]


def draw_neuron(ax, w=(0.0, 1.0), b=4.0, x=None, a=None):
    """Draw a 2-input neuron on ``ax``: inputs, weighted edges, sum and sigmoid.

    ``w (2,)``: the two weights; ``b``: the bias; ``x (2,)`` and ``a``, when
    given, label the inputs and the output with numbers.
    """
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6)
    ax.set_aspect("equal")
    ax.axis("off")
    inputs = [(1.2, 4.4), (1.2, 1.6)]
    body = (5.5, 3.0)
    for i, (pos, wi) in enumerate(zip(inputs, w, strict=True)):
        label = f"$x_{i + 1}$" if x is None else f"$x_{i + 1}={x[i]:g}$"
        ax.add_patch(Circle(pos, 0.55, fc=palette.INPUT_FILL, ec=palette.INPUT, lw=1.5))
        ax.text(*pos, label, ha="center", va="center", fontsize=10, color=palette.TEXT)
        ax.add_patch(FancyArrowPatch(pos, body, arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=16, shrinkB=34, lw=1.4, color=palette.ARROW))
        mid = ((pos[0] + body[0]) / 2, (pos[1] + body[1]) / 2 + (0.35 if i == 0 else -0.35))
        ax.text(*mid, f"$w_{i + 1}={wi:g}$", ha="center", va="center", fontsize=10,
                color=palette.POSITIVE_TEXT)
    ax.add_patch(Circle(body, 1.0, fc=palette.NEURON_FILL, ec=palette.NEURON, lw=1.8))
    ax.text(body[0], body[1] + 0.25, r"$z = w \cdot x + b$", ha="center", fontsize=8)
    ax.text(body[0], body[1] - 0.35, r"$a = f(z)$", ha="center", fontsize=9)
    ax.text(body[0], body[1] - 1.45, f"bias $b={b:g}$", ha="center", fontsize=10,
            color=palette.BIAS_TEXT)
    ax.add_patch(FancyArrowPatch((body[0] + 1.0, body[1]), (9.2, body[1]),
                                 arrowstyle="-|>", mutation_scale=12, lw=1.4,
                                 color=palette.ARROW))
    out = "$a$" if a is None else f"$a={a:.4f}$"
    ax.text(8.6, body[1] + 0.35, out, ha="center", fontsize=10)
    return ax


def describe_neuron(w=(0.0, 1.0), b=4.0, x=None) -> str:
    """:func:`draw_neuron`'s picture in words (its alt text)."""
    inputs = "inputs x1 and x2" if x is None else f"inputs x1 = {x[0]:g} and x2 = {x[1]:g}"
    return (f"A neuron: {inputs} flow along edges with weights w1 = {w[0]:g} and "
            f"w2 = {w[1]:g} into a circle that computes z = w·x + b with bias b = {b:g} "
            "and outputs a = f(z).")


@dataclass
class ActivationArtists:
    """The moving parts of :func:`plot_activation`."""

    point: object
    vline: object
    hline: object


def plot_activation(ax, activation: Callable, z: float = 0.0,
                    z_limit: float = Z_LIMIT) -> ActivationArtists:
    """Draw ``activation`` over ``[-z_limit, z_limit]`` and mark ``(z, f(z))``.

    Returns the artists that :func:`mark_point` moves.
    """
    grid = np.linspace(-z_limit, z_limit, 401)
    ax.plot(grid, activation(grid), color=palette.CURVE, lw=2, label="$f(z)$")
    ax.axhline(0, color=palette.AXIS, lw=0.8)
    ax.axhline(1, color=palette.AXIS, lw=0.8, ls=":")
    ax.axvline(0, color=palette.AXIS, lw=0.8)
    ax.set_xlim(-z_limit, z_limit)
    ax.set_ylim(-0.08, 1.08)
    ax.set_xlabel("pre-activation $z = w \\cdot x + b$")
    ax.set_ylabel("output $a = f(z)$")
    ax.grid(alpha=0.25)
    vline, = ax.plot([], [], color=palette.POINT, lw=1, ls="--")
    hline, = ax.plot([], [], color=palette.POINT, lw=1, ls="--")
    point, = ax.plot([], [], "o", color=palette.POINT, mec=palette.TEXT, ms=9, zorder=5,
                     clip_on=False)
    artists = ActivationArtists(point, vline, hline)
    mark_point(artists, z, float(activation(np.asarray(z))), z_limit)
    return artists


def mark_point(artists: ActivationArtists, z: float, a: float,
               z_limit: float = Z_LIMIT) -> None:
    """Move the marked point to ``(z, a)``; beyond the plot it sits on the edge as an
    arrow pointing the way to z (the readout says how far)."""
    zc = float(np.clip(z, -z_limit, z_limit))
    artists.point.set_data([zc], [a])
    artists.point.set_marker("o" if zc == z else (">" if z > 0 else "<"))
    artists.vline.set_data([zc, zc], [0, a])
    artists.hline.set_data([-z_limit, zc], [a, a])


def beyond(z: float, z_limit: float = Z_LIMIT) -> str:
    """What to say when ``z`` lies beyond the plot (``""`` when it is on it)."""
    if abs(z) <= z_limit:
        return ""
    side = "right" if z > 0 else "left"
    return (f"z is beyond the plot, which shows z from {-z_limit:g} to {z_limit:g}: "
            f"the arrow on its {side} edge points the way.")


def describe_activation(z: float, a: float, z_limit: float = Z_LIMIT) -> str:
    """:func:`plot_activation`'s picture in words, for the point at ``(z, a)``."""
    return (f"The activation curve f(z) for z from {-z_limit:g} to {z_limit:g}, with the "
            f"point z = {z:.4f}, a = f(z) = {a:.4f} marked. {beyond(z, z_limit)}").strip()
