"""The live explorer of notebook 01 (the neuron).

Sliders for ``w1, w2, b, x1, x2`` move the point on the activation curve
(:func:`nbutils.plots.neuron.plot_activation`). The activation is passed
in, so the explorer shows the student's own ``sigmoid``.
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np

from .. import live
from ..activations import sigmoid as _reference_sigmoid
from ..plots import neuron as plots
from .base import Explorer, slider, student_or_reference


def readout_html(w, b, x, z: float, a: float) -> str:
    """The explorer's printed lines: the weighted sum and the output."""
    terms = " + ".join(f"({wi:g})({xi:g})" for wi, xi in zip(w, x, strict=True))
    beyond = plots.beyond(z)
    return (f"z = {html.escape(terms)} + ({b:g}) = <b class='nn-z'>{z:.4f}</b><br>"
            f"a = f(z) = <b class='nn-a'>{a:.10f}</b>"
            + (f"<br><i>{html.escape(beyond)}</i>" if beyond else ""))


class NeuronExplorer(Explorer):
    """Sliders for w1, w2, b, x1, x2 driving a live plot of the activation.

    ``activation``: the function to show (the student's ``sigmoid``). If it
    raises or returns something unusable, the explorer says so and shows
    the course's reference sigmoid instead.
    """

    def __init__(self, activation: Callable, w=(0.0, 1.0), b=4.0, x=(2.0, 3.0)):
        self.activation, note = _usable(activation)
        fig = live.new_figure(6.4, 3.2)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.11, right=0.97, top=0.95, bottom=0.16)
        self.artists = plots.plot_activation(ax, self.activation, 0.0)
        a = self.artists
        super().__init__(fig, [a.vline, a.hline, a.point], note=note,
                         alt=plots.describe_activation(0.0, 0.5))
        self.sliders = {
            "w1": slider("w1", w[0], -3, 3, label="weight w1"),
            "w2": slider("w2", w[1], -3, 3, label="weight w2"),
            "b": slider("b", b, -6, 6, label="bias b"),
            "x1": slider("x1", x[0], -3, 3, label="input x1"),
            "x2": slider("x2", x[1], -3, 3, label="input x2"),
        }
        self.finish()

    def values(self):
        """The current ``w (2,)``, ``b`` and ``x (2,)`` from the sliders."""
        s = {k: v.value for k, v in self.sliders.items()}
        return np.array([s["w1"], s["w2"]]), s["b"], np.array([s["x1"], s["x2"]])

    def update(self) -> None:
        w, b, x = self.values()
        self.z = float(np.dot(w, x) + b)
        self.a = float(self.activation(np.asarray(self.z)))
        plots.mark_point(self.artists, self.z, self.a)
        self.show(readout_html(w, b, x, self.z, self.a),
                  plots.describe_activation(self.z, self.a))


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
