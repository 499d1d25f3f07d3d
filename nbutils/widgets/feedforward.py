"""The live explorer of notebook 02 (the feedforward network).

Eleven sliders (``x1, x2, w1..w6, b1..b3``), grouped by the neuron they
feed, restyle the drawing of :func:`nbutils.plots.feedforward.draw_live_network`;
the figure is drawn once and only restyled.
"""

from __future__ import annotations

import html

import numpy as np

from .. import live, palette
from .. import network as net
from ..plots import feedforward as plots
from .base import Explorer, slider

GROUPS = (("inputs", ("x1", "x2")), ("hidden neuron h1", ("w1", "w2", "b1")),
          ("hidden neuron h2", ("w3", "w4", "b2")), ("output neuron o1", ("w5", "w6", "b3")))
LABELS = {"x1": "input x1", "x2": "input x2", "w1": "weight w1, x1 to h1",
          "w2": "weight w2, x2 to h1", "w3": "weight w3, x1 to h2", "w4": "weight w4, x2 to h2",
          "w5": "weight w5, h1 to o1", "w6": "weight w6, h2 to o1", "b1": "bias b1 of h1",
          "b2": "bias b2 of h2", "b3": "bias b3 of o1"}


def readout_html(vals: dict) -> str:
    """The explorer's printed lines: the input, then h1, h2 and o1 with their z."""
    x1, x2 = vals["x"]
    rows = [("h1", vals["z_h"][0], vals["h"][0]), ("h2", vals["z_h"][1], vals["h"][1]),
            ("o1", vals["z_o"], vals["o1"])]
    lines = [f"{name} = f({z:.4f}) = <b class='nn-{name}'>{a:.10f}</b>"
             for name, z, a in rows]
    return (f"x = [{x1:.1f}, {x2:.1f}]<br>" + "<br>".join(lines)
            + f"<br><span style='color:{palette.MUTED_TEXT}'>"
            + html.escape("y_pred = o1") + "</span>")


class NetworkExplorer(Explorer):
    """Sliders for the inputs and all nine parameters driving a live drawing.

    ``params``: the starting 2-2-1 params dict (default: the worked
    example, every weight [0, 1], every bias 0); ``x (2,)``: the starting input.
    """

    readout_font_size = 13

    def __init__(self, params: dict | None = None, x=(2.0, 3.0)):
        params = net.from_named(**plots.WORKED_EXAMPLE) if params is None else params
        fig = live.new_figure(7.0, 3.7)
        self.artists = plots.draw_live_network(fig, params, x)
        super().__init__(fig, self.artists.animated(), alt=plots.describe(params=params))
        start = {**net.named(params), "x1": float(x[0]), "x2": float(x[1])}
        for _, names in GROUPS:
            for name in names:
                lo, hi = (-5.0, 5.0) if name.startswith("x") else (-4.0, 4.0)
                self.sliders[name] = slider(name, start[name], lo, hi, label=LABELS[name])
        self.finish(controls=[self.group(title, names) for title, names in GROUPS])

    def params(self) -> dict:
        """The params dict the sliders describe now."""
        return net.from_named(**{n: self.sliders[n].value for n in net.NAMES})

    def x(self) -> np.ndarray:
        """The input ``x (2,)`` the sliders describe now."""
        return np.array([self.sliders["x1"].value, self.sliders["x2"].value])

    def update(self) -> None:
        params = self.params()
        self.values = plots.update_network(self.artists, params, self.x())
        self.show(readout_html(self.values), plots.describe(self.values, params))


def network_explorer(params: dict | None = None, x=(2.0, 3.0)) -> NetworkExplorer:
    """The live explorer of notebook 02; display the returned object."""
    return NetworkExplorer(params, x)
