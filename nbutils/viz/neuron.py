"""Pictures and the live explorer of notebook 01 (the neuron).

``draw_neuron`` draws a 2-input neuron; ``plot_activation`` draws an
activation curve with the current point marked; ``NeuronExplorer`` ties
sliders for ``w1, w2, b, x1, x2`` to both, through :mod:`nbutils.live`.
The activation is passed in, so the explorer shows the student's own
``sigmoid``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from .. import live
from ..activations import sigmoid as _reference_sigmoid
from . import student_or_reference

Z_LIMIT = 10.0  # the explorer's plot shows z in [-Z_LIMIT, Z_LIMIT]


def draw_neuron(ax, w=(0.0, 1.0), b=4.0, x=None, a=None):
    """Draw a 2-input neuron on ``ax``: inputs, weighted edges, sum and sigmoid.

    ``w``: the two weights; ``b``: the bias; ``x`` and ``a``, when given,
    label the inputs and the output with numbers.
    """
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6)
    ax.set_aspect("equal")
    ax.axis("off")
    inputs = [(1.2, 4.4), (1.2, 1.6)]
    body = (5.5, 3.0)
    for i, (pos, wi) in enumerate(zip(inputs, w, strict=True)):
        label = f"$x_{i + 1}$" if x is None else f"$x_{i + 1}={x[i]:g}$"
        ax.add_patch(Circle(pos, 0.55, fc="#e8f1fb", ec="#2b6cb0", lw=1.5))
        ax.text(*pos, label, ha="center", va="center", fontsize=10)
        ax.add_patch(FancyArrowPatch(pos, body, arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=16, shrinkB=34, lw=1.4, color="#4a5568"))
        mid = ((pos[0] + body[0]) / 2, (pos[1] + body[1]) / 2 + (0.35 if i == 0 else -0.35))
        ax.text(*mid, f"$w_{i + 1}={wi:g}$", ha="center", va="center", fontsize=10,
                color="#2b6cb0")
    ax.add_patch(Circle(body, 1.0, fc="#fef5e7", ec="#c05621", lw=1.8))
    ax.text(body[0], body[1] + 0.25, r"$z = w \cdot x + b$", ha="center", fontsize=8)
    ax.text(body[0], body[1] - 0.35, r"$a = f(z)$", ha="center", fontsize=9)
    ax.text(body[0], body[1] - 1.45, f"bias $b={b:g}$", ha="center", fontsize=10,
            color="#c05621")
    ax.add_patch(FancyArrowPatch((body[0] + 1.0, body[1]), (9.2, body[1]),
                                 arrowstyle="-|>", mutation_scale=12, lw=1.4,
                                 color="#4a5568"))
    out = "$a$" if a is None else f"$a={a:.4f}$"
    ax.text(8.6, body[1] + 0.35, out, ha="center", fontsize=10)
    return ax


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
    ax.plot(grid, activation(grid), color="#2b6cb0", lw=2, label="$f(z)$")
    ax.axhline(0, color="#a0aec0", lw=0.8)
    ax.axhline(1, color="#a0aec0", lw=0.8, ls=":")
    ax.axvline(0, color="#a0aec0", lw=0.8)
    ax.set_xlim(-z_limit, z_limit)
    ax.set_ylim(-0.08, 1.08)
    ax.set_xlabel("pre-activation $z = w \\cdot x + b$")
    ax.set_ylabel("output $a = f(z)$")
    ax.grid(alpha=0.25)
    vline, = ax.plot([], [], color="#c05621", lw=1, ls="--")
    hline, = ax.plot([], [], color="#c05621", lw=1, ls="--")
    point, = ax.plot([], [], "o", color="#c05621", ms=9, zorder=5, clip_on=False)
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


def readout_html(w, b, x, z: float, a: float) -> str:
    """The explorer's printed line: the weighted sum and the output."""
    terms = " + ".join(f"({wi:g})({xi:g})" for wi, xi in zip(w, x, strict=True))
    return (
        "<div style='font-family:monospace;font-size:14px'>"
        f"z = {html.escape(terms)} + ({b:g}) = <b class='nn-z'>{z:.4f}</b><br>"
        f"a = f(z) = <b class='nn-a'>{a:.10f}</b>{_beyond(z)}</div>"
    )


def _beyond(z: float, z_limit: float = Z_LIMIT) -> str:
    if abs(z) <= z_limit:
        return ""
    side = "right" if z > 0 else "left"
    return (f"<br><i>z is beyond the plot, which shows z from {-z_limit:g} to {z_limit:g}: "
            f"the arrow on its {side} edge points the way.</i>")


class NeuronExplorer:
    """Sliders for w1, w2, b, x1, x2 driving a live plot of the activation.

    ``activation``: the function to show (the student's ``sigmoid``). If it
    raises or returns something unusable, the explorer says so and shows
    the course's reference sigmoid instead.
    """

    def __init__(self, activation: Callable, w=(0.0, 1.0), b=4.0, x=(2.0, 3.0)):
        import ipywidgets as widgets

        self.activation, self.note = _usable(activation)
        self.fig = live.new_figure(6.4, 3.2)
        ax = self.fig.add_subplot()
        self.fig.subplots_adjust(left=0.11, right=0.97, top=0.95, bottom=0.16)
        self.artists = plot_activation(ax, self.activation, 0.0)
        self.live = live.LiveFigure(
            self.fig, [self.artists.vline, self.artists.hline, self.artists.point])

        def slider(description, value, lo, hi):
            return widgets.FloatSlider(value=value, min=lo, max=hi, step=0.1,
                                       description=description, continuous_update=True,
                                       readout_format=".1f")

        self.sliders = {
            "w1": slider("w1", w[0], -3, 3), "w2": slider("w2", w[1], -3, 3),
            "b": slider("b", b, -6, 6),
            "x1": slider("x1", x[0], -3, 3), "x2": slider("x2", x[1], -3, 3),
        }
        self.readout = widgets.HTML()
        self.update()
        self.flush = live.connect(list(self.sliders.values()), self.update)
        controls = widgets.VBox(list(self.sliders.values()))
        note = [widgets.HTML(f"<p style='color:#c05621'>{html.escape(self.note)}</p>")] \
            if self.note else []
        self.box = widgets.VBox(note + [widgets.HBox([controls, self.live.widget]),
                                        self.readout])

    def values(self):
        """The current ``w (2,)``, ``b`` and ``x (2,)`` from the sliders."""
        s = {k: v.value for k, v in self.sliders.items()}
        return np.array([s["w1"], s["w2"]]), s["b"], np.array([s["x1"], s["x2"]])

    def update(self) -> None:
        w, b, x = self.values()
        self.z = float(np.dot(w, x) + b)
        self.a = float(self.activation(np.asarray(self.z)))
        mark_point(self.artists, self.z, self.a)
        self.readout.value = readout_html(w, b, x, self.z, self.a)
        self.live.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def _usable(activation: Callable):
    """``activation`` if it works on arrays, else the reference and a note."""
    def probe():
        out = np.asarray(activation(np.linspace(-1.0, 1.0, 5)), dtype=float)
        if out.shape != (5,) or not np.all(np.isfinite(out)):
            raise ValueError("it does not return one finite number per input")

    return student_or_reference(activation, _reference_sigmoid, probe,
                                "does not work on arrays yet",
                                "the explorer shows the course's sigmoid until it does")


def neuron_explorer(activation: Callable, w=(0.0, 1.0), b=4.0, x=(2.0, 3.0)):
    """The live explorer of notebook 01; display the returned object."""
    return NeuronExplorer(activation, w=w, b=b, x=x)


def example_widget() -> NeuronExplorer:
    """The widget exactly as notebook 01 shows it (with the reference sigmoid).

    Used by the benchmarks and the browser tests to know what to expect.
    """
    from ..activations import sigmoid

    return NeuronExplorer(sigmoid, w=(0, 1), b=4, x=(2, 3))
