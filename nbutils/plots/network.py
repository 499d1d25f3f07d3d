"""The one drawing of the 2-2-1 network (notebooks 02, 03 and 04).

Two inputs ``x1, x2``, the hidden neurons ``h1, h2``, the output neuron
``o1``, the six weighted edges ``w1..w6`` and the three biases ``b1..b3``,
named as in the tutorial; optionally the loss ``L`` after the output and a
highlighted path (notebook 04's chain rule). :func:`draw_network` draws it
once and returns its artists; :func:`update_network` restyles them for new
parameters and inputs (edge width, colour *and line style* from the weight,
so the sign never rests on colour alone; node fill from the activation;
values written in the nodes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .. import network as net
from .. import palette

# where the neurons sit (data coordinates of an equal-aspect axes); L: the loss
POSITIONS = {"x1": (1.0, 4.0), "x2": (1.0, 1.2), "h1": (5.0, 4.0), "h2": (5.0, 1.2),
             "o1": (9.0, 2.6), "L": (11.6, 2.6)}
# weight name -> (from, to); the order of net.WHERE
EDGES = {"w1": ("x1", "h1"), "w2": ("x2", "h1"), "w3": ("x1", "h2"),
         "w4": ("x2", "h2"), "w5": ("h1", "o1"), "w6": ("h2", "o1")}
BIASES = {"b1": "h1", "b2": "h2", "b3": "o1"}
NEURONS = ("x1", "x2", "h1", "h2", "o1")
RADIUS = 0.62
# an edge's label sits this far along it, nearer the neuron it feeds
LABEL_AT = {"w1": 0.58, "w2": 0.72, "w3": 0.72, "w4": 0.58, "w5": 0.62, "w6": 0.62}
# the label sits beside its edge: +1 left of the edge's direction (above a
# rising or flat edge), -1 right of it
LABEL_SIDE = {"w1": 1, "w2": 1, "w3": -1, "w4": -1, "w5": 1, "w6": -1}
LABELS = ("names", "keys", "values", "params")
MAX_WIDTH_WEIGHT = 4.0  # edges stop getting wider beyond |w| = 4
NODE_CMAP = colormaps[palette.SEQUENTIAL]
SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def _sub(name: str) -> str:
    """'w1' -> '$w_1$' (mathtext, for the pictures that do not change)."""
    return f"${name[0]}_{name[1:]}$"


def plain(name: str) -> str:
    """'w1' -> 'w₁' (plain text: far cheaper than mathtext to redraw on every move)."""
    return name[0] + name[1:].translate(SUBSCRIPT)


def key_of(name: str) -> str:
    """Where a tutorial name lives in the params dict: 'w3' -> 'W1[0,1]'."""
    key, idx = net.WHERE[name]
    return f"{key}[{','.join(str(i) for i in idx)}]"


def path_to_loss(name: str) -> list[tuple[str, str]]:
    """The edges the chain rule walks from parameter ``name`` to the loss (notebook 04)."""
    if name in EDGES:
        start = EDGES[name]
        rest = [] if start[1] == "o1" else [(start[1], "o1")]
        return [start] + rest + [("o1", "L")]
    neuron = BIASES[name]
    return ([] if neuron == "o1" else [(neuron, "o1")]) + [("o1", "L")]


def edge_style(w: float) -> tuple[float, str, str]:
    """Line width, colour and line style of an edge with weight ``w``.

    Wider for a larger ``|w|`` (capped at ``|w| = 4``); positive: blue and
    solid, negative: vermillion and dashed, (nearly) zero: thin grey dots.
    """
    colour, style, _ = palette.sign_style(w)
    if style == ":":
        return 1.0, colour, style
    return 0.8 + 1.5 * min(abs(w), MAX_WIDTH_WEIGHT), colour, style


def node_fill(a: float):
    """The fill colour (RGBA) of a neuron whose activation is ``a`` (in [0, 1])."""
    return NODE_CMAP(0.15 + 0.8 * float(np.clip(a, 0.0, 1.0)))


def values(params: dict, x) -> dict:
    """Everything the picture shows, for one input ``x (2,)``.

    Returns ``x (2,)``, ``z_h (2,)`` and ``h (2,)`` (hidden pre-activations
    and activations), ``z_o`` and ``o1`` (the output's), as float arrays/numbers.
    """
    x = np.asarray(x, dtype=float)
    z_h = x @ params["W1"] + params["b1"]
    h = net.hidden(x[None, :], params)[0]
    z_o = float((h @ params["W2"] + params["b2"])[0])
    o1 = float(net.feedforward(x, params))
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


def _edge_label(ax, name: str, labels: str, named: dict | None):
    """The label of edge ``name``: on a static edge, beside one that is restyled (so a
    redrawn edge never covers it)."""
    (x0, y0), (x1, y1) = POSITIONS[EDGES[name][0]], POSITIONS[EDGES[name][1]]
    length = np.hypot(x1 - x0, y1 - y0)
    beside = 0.0 if labels in ("names", "keys") else 0.32
    t, side = LABEL_AT[name], LABEL_SIDE[name] * beside / length
    lx, ly = x0 + t * (x1 - x0) - side * (y1 - y0), y0 + t * (y1 - y0) + side * (x1 - x0)
    text = {"names": _sub(name), "keys": f"{_sub(name)}: {key_of(name)}",
            "values": plain(name)}.get(labels)
    if text is None:  # "params": the name and its value, its sign written out
        text = f"{plain(name)} = {named[name]:+g}".replace("-", "\u2212")
    return ax.text(lx, ly, text, ha="center", va="center", fontsize=9.5, zorder=4,
                   color=palette.TEXT, bbox={"boxstyle": "round,pad=0.15", "fc": palette.PAPER,
                                             "ec": "none", "alpha": 0.85})


def _draw_edges(ax, labels: str, named, path) -> tuple[dict, dict]:
    edges, edge_labels = {}, {}
    for name, (src, dst) in EDGES.items():
        (x0, y0), (x1, y1) = POSITIONS[src], POSITIONS[dst]
        length = np.hypot(x1 - x0, y1 - y0)
        dx, dy = (x1 - x0) / length * RADIUS, (y1 - y0) / length * RADIUS
        # from rim to rim: a redrawn edge never paints over a neuron
        hot = (src, dst) in path
        edges[name], = ax.plot([x0 + dx, x1 - dx], [y0 + dy, y1 - dy], color=palette.ZERO,
                               lw=1.4, solid_capstyle="butt", zorder=1,
                               path_effects=_glow() if hot else None)
        edge_labels[name] = _edge_label(ax, name, labels, named)
    return edges, edge_labels


def _glow():
    """A wide halo under a highlighted edge (notebook 04's path to the loss)."""
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=10, foreground=palette.NEURON, alpha=0.45),
            patheffects.Normal()]


def _draw_nodes(ax, labels: str, path) -> tuple[dict, dict]:
    nodes, node_texts = {}, {}
    on_path = {n for edge in path for n in edge}
    for name in NEURONS:
        px, py = POSITIONS[name]
        is_input = name.startswith("x")
        circle = Circle((px, py), RADIUS, zorder=2, lw=2.6 if name in on_path else 1.6,
                        fc=palette.INPUT_FILL if is_input else palette.NEURON_FILL,
                        ec=palette.INPUT if is_input else palette.NEURON)
        nodes[name] = ax.add_patch(circle)
        if labels == "values":
            ax.text(px, py + RADIUS + 0.06, plain(name), ha="center", va="bottom",
                    fontsize=11, zorder=5, color=palette.TEXT)
        node_texts[name] = ax.text(px, py, "" if labels == "values" else _sub(name),
                                   ha="center", va="center", fontsize=11, zorder=5,
                                   color=palette.TEXT)
    return nodes, node_texts


def _draw_biases(ax, labels: str, named) -> dict:
    texts = {}
    for name, node in BIASES.items():
        px, py = POSITIONS[node]
        text = {"keys": f"{_sub(name)}: {key_of(name)}", "values": plain(name),
                "params": f"{plain(name)} = {(named or {}).get(name, 0.0):+g}"}.get(
            labels, _sub(name)).replace("-", "\u2212")
        texts[name] = ax.text(px + 0.2, py - RADIUS - 0.06, text, ha="left", va="top",
                              fontsize=9, color=palette.BIAS_TEXT, zorder=5)
    return texts


def _draw_output(ax, loss: bool, path) -> None:
    """The arrow out of o1 (``y_pred``) and, with ``loss``, the loss box ``L``."""
    px, py = POSITIONS["o1"]
    end = POSITIONS["L"][0] - 0.5 if loss else px + RADIUS + 0.9
    hot = ("o1", "L") in path
    ax.add_patch(FancyArrowPatch((px + RADIUS, py), (end, py), arrowstyle="-|>",
                                 mutation_scale=11, lw=2.6 if hot else 1.3,
                                 color=palette.ARROW))
    ax.text((px + RADIUS + end) / 2, py + 0.3, r"$y_{pred}$", ha="center", fontsize=9,
            color=palette.MUTED_TEXT)
    if loss:
        lx, ly = POSITIONS["L"]
        ax.add_patch(FancyBboxPatch((lx - 0.45, ly - 0.35), 0.9, 0.7, zorder=2,
                                    boxstyle="round,pad=0.08", fc=palette.PAPER,
                                    ec=palette.LOSS, lw=2.6 if hot else 1.5))
        ax.text(lx, ly, "$L$", ha="center", va="center", fontsize=12, zorder=3)


def draw_network(ax, params: dict | None = None, x=None, labels: str = "names",
                 path=(), loss: bool = False, highlight: str | None = None) -> NetworkArtists:
    """Draw the 2-2-1 network on ``ax`` and return its artists (notebooks 02-04).

    ``labels``: ``"names"`` (the tutorial's ``w1..w6, b1..b3``, neuron names
    inside the circles), ``"keys"`` (each name with where it lives in the
    params dict, ``w3: W1[0,1]``), ``"values"`` (for a live explorer: names
    beside the edges and above the neurons, the neurons' values inside them;
    needs ``params`` and ``x``) or ``"params"`` (each name with its value,
    ``w1 = +1``; needs ``params``). With ``params`` the edges are styled by
    their weights (solid positive, dashed negative, dotted zero); with ``x``
    too, the neurons are coloured by their activations. ``path``: edges
    ``(from, to)`` to highlight (see :func:`path_to_loss`); ``loss``: draw
    the loss ``L`` after the output. ``highlight``: one of the nine names
    (notebook 04): its path to the loss is highlighted, the loss drawn, and
    its label set in bold.
    """
    if labels not in LABELS:
        raise ValueError(f"labels must be one of {LABELS}, not {labels!r}")
    named = net.named(params) if params is not None else None
    if highlight is not None:
        path, loss = list(path) + path_to_loss(highlight), True
    path = set(path)
    ax.set_xlim(-0.1, 12.4 if loss else 10.9)
    ax.set_ylim(-0.35, 5.45)
    ax.set_aspect("equal")
    ax.axis("off")
    for xpos, title in [(1.0, "inputs"), (5.0, "hidden layer"), (9.0, "output layer")]:
        ax.text(xpos, 5.3, title, ha="center", va="center", fontsize=9,
                color=palette.MUTED_TEXT)
    edges, edge_labels = _draw_edges(ax, labels, named, path)
    nodes, node_texts = _draw_nodes(ax, labels, path)
    bias_texts = _draw_biases(ax, labels, named)
    _draw_output(ax, loss, path)
    artists = NetworkArtists(edges, edge_labels, nodes, node_texts, bias_texts)
    if highlight is not None:
        {**edge_labels, **bias_texts}[highlight].set_fontweight("bold")
    update_network(artists, params, x)
    return artists


def update_network(artists: NetworkArtists, params: dict | None = None,
                   x=None) -> dict | None:
    """Restyle the artists of :func:`draw_network` for ``params`` and ``x``.

    Changes only colours, widths, line styles and the values inside the
    neurons (no artist is added or removed). Returns :func:`values` when
    both ``params`` and ``x`` are given.
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
        fill = node_fill(a)
        artists.nodes[name].set_facecolor(fill)
        artists.node_texts[name].set_text(f"{a:.4f}")
        artists.node_texts[name].set_color(palette.text_on(fill))
    return vals


def add_sign_key(ax, xy=(0.0, -0.3)) -> None:
    """A line of text under the drawing: what solid, dashed and dotted edges mean."""
    ax.text(*xy, "edges: solid = positive weight, dashed = negative, dotted = zero; "
            "wider = larger |w|", fontsize=8, color=palette.MUTED_TEXT, va="center")


def add_colour_key(fig, rect=(0.70, 0.07, 0.22, 0.035)):
    """A small colour bar saying what a neuron's fill means (its activation)."""
    from matplotlib.cm import ScalarMappable

    cax = fig.add_axes(rect)
    shown = ListedColormap([node_fill(a) for a in np.linspace(0, 1, 256)])
    bar = fig.colorbar(ScalarMappable(norm=Normalize(0, 1), cmap=shown), cax=cax,
                       orientation="horizontal", ticks=[0, 0.5, 1])
    bar.ax.tick_params(labelsize=7, length=2, pad=1)
    bar.set_label("activation of a neuron", fontsize=7, labelpad=1, color=palette.TEXT)
    return cax


def describe(vals: dict | None = None, params: dict | None = None) -> str:
    """The drawing in words, for its alt text: the weights' signs and the values."""
    text = ("The 2-2-1 network: inputs x1 and x2 feed hidden neurons h1 and h2 "
            "(weights w1 to w4), which feed the output neuron o1 (weights w5, w6).")
    if params is not None:
        named = net.named(params)
        text += " Weights: " + ", ".join(f"{n} {named[n]:.1f}" for n in EDGES) + "."
        text += " Biases: " + ", ".join(f"{n} {named[n]:.1f}" for n in BIASES) + "."
    if vals is not None:
        text += (f" For x = ({vals['x'][0]:.1f}, {vals['x'][1]:.1f}): h1 = {vals['h'][0]:.4f},"
                 f" h2 = {vals['h'][1]:.4f}, o1 = {vals['o1']:.4f}.")
    return text
