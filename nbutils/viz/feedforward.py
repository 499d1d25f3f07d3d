"""Pictures and the live explorer of notebook 02 (the feedforward network).

``draw_network`` draws the 2-2-1 network: two inputs, the hidden neurons
``h1, h2``, the output neuron ``o1``, the six weighted edges and the three
biases, labelled with the tutorial's names, with where each name lives in
the params dict, or with numbers. ``update_network`` restyles the same
artists for new parameters and inputs (edge width and colour from the
weight, node colour from the activation, values written in the nodes).
``NetworkExplorer`` ties eleven sliders (``x1, x2, w1..w6, b1..b3``) to it
through :mod:`nbutils.live`; the figure is drawn once and only restyled.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.patches import Circle, FancyArrowPatch

from .. import live
from .. import network as net

# where the five neurons sit (data coordinates of an equal-aspect axes)
POSITIONS = {"x1": (1.0, 4.0), "x2": (1.0, 1.2), "h1": (5.0, 4.0), "h2": (5.0, 1.2),
             "o1": (9.0, 2.6)}
# weight name -> (from, to); the order of net.WHERE
EDGES = {"w1": ("x1", "h1"), "w2": ("x2", "h1"), "w3": ("x1", "h2"),
         "w4": ("x2", "h2"), "w5": ("h1", "o1"), "w6": ("h2", "o1")}
BIASES = {"b1": "h1", "b2": "h2", "b3": "o1"}
RADIUS = 0.62
# an edge's label sits this far along it, nearer the neuron it feeds
LABEL_AT = {"w1": 0.58, "w2": 0.72, "w3": 0.72, "w4": 0.58, "w5": 0.62, "w6": 0.62}
# in the live explorer the label sits beside its edge: +1 left of the edge's
# direction (above a rising or flat edge), -1 right of it
LABEL_SIDE = {"w1": 1, "w2": 1, "w3": -1, "w4": -1, "w5": 1, "w6": -1}

POSITIVE, NEGATIVE, ZERO = "#2b6cb0", "#c53030", "#a0aec0"
INPUT_FILL = "#e8f1fb"
CMAP = colormaps["YlOrBr"]
MAX_WIDTH_WEIGHT = 4.0  # edges stop getting wider beyond |w| = 4

WORKED_EXAMPLE = {"w1": 0.0, "w2": 1.0, "w3": 0.0, "w4": 1.0, "w5": 0.0, "w6": 1.0,
                  "b1": 0.0, "b2": 0.0, "b3": 0.0}


def _sub(name: str) -> str:
    """'w1' -> '$w_1$' (mathtext, for the pictures that do not change)."""
    return f"${name[0]}_{name[1:]}$"


SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def _plain(name: str) -> str:
    """'w1' -> 'w₁' (plain text: far cheaper than mathtext to redraw on every move)."""
    return name[0] + name[1:].translate(SUBSCRIPT)


def key_of(name: str) -> str:
    """Where a tutorial name lives in the params dict: 'w3' -> 'W1[0,1]'."""
    key, idx = net.WHERE[name]
    return f"{key}[{','.join(str(i) for i in idx)}]"


def edge_style(w: float) -> tuple[float, str, str]:
    """Line width, colour and line style of an edge with weight ``w``.

    Wider for a larger ``|w|`` (capped at ``|w| = 4``); blue when positive,
    red when negative, a thin dashed grey line when ``w`` is (nearly) zero.
    """
    if abs(w) < 0.05:
        return 0.8, ZERO, "--"
    width = 0.8 + 1.5 * min(abs(w), MAX_WIDTH_WEIGHT)
    return width, POSITIVE if w > 0 else NEGATIVE, "-"


def node_fill(a: float):
    """The fill colour of a neuron whose activation is ``a`` (in [0, 1])."""
    return CMAP(0.05 + 0.8 * float(np.clip(a, 0.0, 1.0)))


def text_colour(a: float) -> str:
    """Dark text on light fills, white text on dark ones."""
    return "white" if a > 0.62 else "black"


def values(params: dict, x) -> dict:
    """Everything the picture shows, for one input ``x (2,)``.

    Returns ``z_h (2,)`` and ``h (2,)`` (hidden pre-activations and
    activations), ``z_o`` and ``o1`` (the output's), as float arrays/numbers.
    """
    x = np.asarray(x, dtype=float)
    h = net.hidden(x[None, :], params)[0]
    z_h = x @ params["W1"] + params["b1"]
    z_o = float((h @ params["W2"] + params["b2"])[0])
    o1 = net.feedforward(x, params)
    return {"x": x, "z_h": z_h, "h": h, "z_o": z_o, "o1": o1}


@dataclass
class NetworkArtists:
    """The parts of :func:`draw_network`; :func:`update_network` changes some of them."""

    edges: dict        # weight name -> Line2D
    edge_labels: dict  # weight name -> Text
    nodes: dict        # neuron name -> Circle
    node_texts: dict   # neuron name -> Text inside the circle (name, or value)
    bias_texts: dict   # bias name -> Text

    def animated(self) -> list:
        """The artists a slider move changes, in drawing order (edges under nodes
        under values). Labels and names stay in the cached background."""
        return (list(self.edges.values())
                + [c for n, c in self.nodes.items() if not n.startswith("x")]
                + list(self.node_texts.values()))


def draw_network(ax, params: dict | None = None, x=None,
                 labels: str = "names") -> NetworkArtists:
    """Draw the 2-2-1 network on ``ax`` and return its artists.

    ``labels``: ``"names"`` (the tutorial's ``w1..w6, b1..b3`` on the edges,
    neuron names inside the circles), ``"keys"`` (each name with where it
    lives in the params dict, ``w3: W1[0,1]``) or ``"values"`` (for the
    live explorer: names beside the edges and above the neurons, the
    neurons' values inside them; needs ``params`` and ``x``). With
    ``params`` the edges are styled by their weights; with ``x`` too, the
    neurons are coloured by their activations.
    """
    live_mode = labels == "values"
    ax.set_xlim(-0.1, 10.9)
    ax.set_ylim(-0.35, 5.45)
    ax.set_aspect("equal")
    ax.axis("off")
    for xpos, title in [(1.0, "inputs"), (5.0, "hidden layer"), (9.0, "output layer")]:
        ax.text(xpos, 5.3, title, ha="center", va="center", fontsize=9, color="#4a5568")
    edges, edge_labels = {}, {}
    for name, (src, dst) in EDGES.items():
        (x0, y0), (x1, y1) = POSITIONS[src], POSITIONS[dst]
        length = np.hypot(x1 - x0, y1 - y0)
        dx, dy = (x1 - x0) / length * RADIUS, (y1 - y0) / length * RADIUS
        # from rim to rim: a redrawn edge never paints over a neuron
        line, = ax.plot([x0 + dx, x1 - dx], [y0 + dy, y1 - dy], color=ZERO, lw=1.4,
                        solid_capstyle="butt", zorder=1)
        edges[name] = line
        t = LABEL_AT[name]
        lx, ly = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        if live_mode:  # beside the edge, so that a redrawn edge never covers it
            side = LABEL_SIDE[name] * 0.3 / length
            edge_labels[name] = ax.text(lx - side * (y1 - y0), ly + side * (x1 - x0),
                                        _plain(name), ha="center", va="center",
                                        fontsize=10, zorder=4)
        else:
            text = f"{_sub(name)}: {key_of(name)}" if labels == "keys" else _sub(name)
            edge_labels[name] = ax.text(lx, ly, text, ha="center", va="center",
                                        fontsize=9, zorder=4,
                                        bbox={"boxstyle": "round,pad=0.25", "fc": "white",
                                              "ec": "none"})
    nodes, node_texts, bias_texts = {}, {}, {}
    for name, (px, py) in POSITIONS.items():
        is_input = name.startswith("x")
        circle = Circle((px, py), RADIUS, fc=INPUT_FILL if is_input else node_fill(0.0),
                        ec="#2b6cb0" if is_input else "#c05621", lw=1.6, zorder=2)
        ax.add_patch(circle)
        nodes[name] = circle
        if live_mode:
            ax.text(px, py + RADIUS + 0.06, _plain(name), ha="center", va="bottom",
                    fontsize=11, zorder=5)
        node_texts[name] = ax.text(px, py, "" if live_mode else _sub(name), ha="center",
                                   va="center", fontsize=11, zorder=5)
    for name, node in BIASES.items():
        px, py = POSITIONS[node]
        text = {"keys": f"{_sub(name)}: {key_of(name)}", "values": _plain(name)}.get(
            labels, _sub(name))
        bias_texts[name] = ax.text(px + 0.2, py - RADIUS - 0.06, text, ha="left",
                                   va="top", fontsize=9, color="#c05621", zorder=5)
    px, py = POSITIONS["o1"]
    ax.add_patch(FancyArrowPatch((px + RADIUS, py), (px + RADIUS + 0.9, py),
                                 arrowstyle="-|>", mutation_scale=11, lw=1.3,
                                 color="#4a5568"))
    ax.text(px + RADIUS + 0.45, py + 0.3, r"$y_{pred}$", ha="center", fontsize=9)
    artists = NetworkArtists(edges, edge_labels, nodes, node_texts, bias_texts)
    update_network(artists, params, x)
    return artists


def update_network(artists: NetworkArtists, params: dict | None = None,
                   x=None) -> dict | None:
    """Restyle the artists of :func:`draw_network` for ``params`` and ``x``.

    Changes only colours, widths and the values inside the neurons (no
    artist is added or removed). Returns :func:`values` when both
    ``params`` and ``x`` are given.
    """
    if params is None:
        return None
    named = net.named(params)
    for name, line in artists.edges.items():
        width, colour, style = edge_style(named[name])
        line.set_linewidth(width)
        line.set_color(colour)
        line.set_linestyle(style)
    if x is None:
        return None
    vals = values(params, x)
    for i, name in enumerate(("x1", "x2")):
        artists.node_texts[name].set_text(f"{vals['x'][i] + 0.0:.2f}".replace("-", "\u2212"))
    for name, a in (("h1", vals["h"][0]), ("h2", vals["h"][1]), ("o1", vals["o1"])):
        artists.nodes[name].set_facecolor(node_fill(a))
        artists.node_texts[name].set_text(f"{a:.4f}")
        artists.node_texts[name].set_color(text_colour(a))
    return vals


def add_colour_key(fig, rect=(0.70, 0.07, 0.22, 0.035)):
    """A small colour bar saying what a neuron's fill means (its activation)."""
    from matplotlib.cm import ScalarMappable

    cax = fig.add_axes(rect)
    mappable = ScalarMappable(norm=Normalize(0, 1), cmap=_shown_cmap())
    bar = fig.colorbar(mappable, cax=cax, orientation="horizontal", ticks=[0, 0.5, 1])
    bar.ax.tick_params(labelsize=7, length=2, pad=1)
    bar.set_label("activation of a neuron", fontsize=7, labelpad=1)
    return cax


def _shown_cmap():
    from matplotlib.colors import ListedColormap

    return ListedColormap([node_fill(a) for a in np.linspace(0, 1, 256)])


def readout_html(vals: dict) -> str:
    """The explorer's printed lines: the input, then h1, h2 and o1 with their z."""
    x1, x2 = vals["x"]
    rows = [("h1", vals["z_h"][0], vals["h"][0]), ("h2", vals["z_h"][1], vals["h"][1]),
            ("o1", vals["z_o"], vals["o1"])]
    lines = [f"{name} = f({z:.4f}) = <b class='nn-{name}'>{a:.10f}</b>"
             for name, z, a in rows]
    return ("<div style='font-family:monospace;font-size:13px;line-height:1.6'>"
            + f"x = [{x1:.1f}, {x2:.1f}]<br>" + "<br>".join(lines)
            + "<br><span style='color:#4a5568'>" + html.escape("y_pred = o1") + "</span></div>")


class NetworkExplorer:
    """Sliders for the inputs and all nine parameters driving a live drawing.

    ``params``: the starting 2-2-1 params dict (default: the worked
    example, every weight [0, 1], every bias 0); ``x``: the starting input.
    """

    GROUPS = (("inputs", ("x1", "x2")), ("h1", ("w1", "w2", "b1")),
              ("h2", ("w3", "w4", "b2")), ("o1", ("w5", "w6", "b3")))

    def __init__(self, params: dict | None = None, x=(2.0, 3.0)):
        import ipywidgets as widgets

        params = net.from_named(**WORKED_EXAMPLE) if params is None else params
        self.fig = live.new_figure(7.0, 3.7)
        ax = self.fig.add_axes((0.0, 0.0, 1.0, 1.0))
        self.artists = draw_network(ax, params, x, labels="values")
        add_colour_key(self.fig, rect=(0.04, 0.07, 0.2, 0.03))
        self.live = live.LiveFigure(self.fig, self.artists.animated())

        start = {**net.named(params), "x1": float(x[0]), "x2": float(x[1])}

        def slider(name):
            lo, hi = (-5.0, 5.0) if name.startswith("x") else (-4.0, 4.0)
            return widgets.FloatSlider(value=start[name], min=lo, max=hi, step=0.1,
                                       description=name, continuous_update=True,
                                       readout_format=".1f",
                                       style={"description_width": "22px"},
                                       layout=widgets.Layout(width="215px"))

        self.sliders = {name: slider(name) for _, names in self.GROUPS for name in names}
        self.readout = widgets.HTML()
        self.update()
        self.flush = live.connect(list(self.sliders.values()), self.update)
        titles = {"inputs": "inputs", "h1": "hidden neuron h1",
                  "h2": "hidden neuron h2", "o1": "output neuron o1"}
        columns = [widgets.VBox([widgets.HTML(f"<b>{titles[group]}</b>")]
                                + [self.sliders[n] for n in names])
                   for group, names in self.GROUPS]
        self.box = widgets.VBox([
            widgets.HBox([self.live.widget, self.readout],
                         layout=widgets.Layout(align_items="center")),
            widgets.HBox(columns),
        ])

    def params(self) -> dict:
        """The params dict the sliders describe now."""
        return net.from_named(**{n: self.sliders[n].value for n in net.NAMES})

    def x(self) -> np.ndarray:
        """The input ``x (2,)`` the sliders describe now."""
        return np.array([self.sliders["x1"].value, self.sliders["x2"].value])

    def update(self) -> None:
        self.values = update_network(self.artists, self.params(), self.x())
        self.readout.value = readout_html(self.values)
        self.live.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def network_explorer(params: dict | None = None, x=(2.0, 3.0)) -> NetworkExplorer:
    """The live explorer of notebook 02; display the returned object."""
    return NetworkExplorer(params, x)


def example_widget() -> NetworkExplorer:
    """The widget exactly as notebook 02 shows it (the worked example, x = [2, 3]).

    Used by the benchmarks and the browser tests to know what to expect.
    """
    return NetworkExplorer(net.from_named(**WORKED_EXAMPLE), x=(2.0, 3.0))
