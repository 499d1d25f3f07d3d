"""The pictures of notebook 06 (the XOR problem).

Every picture is a map over the input square: a network's output (or one
hidden neuron's activation) for each point ``(x1, x2)``, drawn with
``imshow`` in one diverging colour scale, 0 blue, 0.5 white, 1 red, so that
the white band is the decision boundary. The four XOR inputs are drawn on
top: circles for label 0, squares for label 1 (shape as well as colour).

Functions that draw a network take ``forward_fn(X, params) -> (y_pred, cache)``
with ``cache["H"]`` the hidden activations (the student's ``forward`` of
notebook 06, or :func:`nbutils.mlp.forward`). :func:`plot_neuron_line` /
:func:`set_neuron_line` and :func:`plot_trainer` / :func:`set_trainer` are the
pictures of the two widgets; ``describe_*`` functions give each static figure
its text alternative (shown with :func:`nbutils.plots.show`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from matplotlib.patches import Rectangle

from .. import mlp, palette
from ..activations import sigmoid
from ..data import xor
from . import figure, show  # noqa: F401  (the notebook's plots.figure / plots.show)

LO, HI = -0.25, 1.25          # the maps show the square [LO, HI] x [LO, HI]
CMAP = palette.DIVERGING + "_r"  # 0 blue, 0.5 white, 1 red
POINT_COLORS = (palette.CLASS_0, palette.CLASS_1)
POINT_MARKERS = ("o", "s")
GOOD, BAD = palette.STEP_TEXT, palette.NEGATIVE_TEXT   # learned XOR or not (with ✓ / ✗)
TEXT, MUTED, LINE, MARK = palette.MUTED_TEXT, palette.AXIS, palette.CURVE, palette.POINT
STUCK = 0.125                 # the loss of a run stuck with two outputs at 0.5


def grid_inputs(resolution: int = 100, lo: float = LO, hi: float = HI) -> np.ndarray:
    """Every point of a ``resolution`` x ``resolution`` grid: ``X (resolution**2, 2)``.

    Row ``i * resolution + j`` is ``(x1, x2) = (grid[j], grid[i])``, so that a
    reshaped result is an image with ``x2`` up (``imshow(origin="lower")``).
    """
    grid = np.linspace(lo, hi, resolution)
    x1, x2 = np.meshgrid(grid, grid)
    return np.column_stack([x1.ravel(), x2.ravel()])


def network_maps(params: dict, forward_fn: Callable = mlp.forward,
                 resolution: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """A network's output and hidden activations over the input square.

    Returns ``out (resolution, resolution)`` and ``H (n_hidden, resolution, resolution)``.
    """
    y_pred, cache = forward_fn(grid_inputs(resolution), params)
    shape = (resolution, resolution)
    H = np.asarray(cache["H"], dtype=float)
    return (np.asarray(y_pred, dtype=float).reshape(shape),
            H.T.reshape((H.shape[1],) + shape))


def neuron_map(w, b, resolution: int = 100) -> np.ndarray:
    """One neuron's output ``f(w . x + b)``, ``w (2,)``, over the input square:
    ``(resolution, resolution)``."""
    X = grid_inputs(resolution)
    return sigmoid(X @ np.asarray(w, dtype=float) + b).reshape(resolution, resolution)


def plot_map(ax, values, title: str | None = None, ticks: bool = True):
    """Draw a map ``values (r, r)`` in [0, 1] over the input square; returns the ``AxesImage``."""
    image = ax.imshow(values, origin="lower", extent=(LO, HI, LO, HI), cmap=CMAP,
                      vmin=0.0, vmax=1.0, interpolation="bilinear")
    ax.set_xlim(LO, HI)
    ax.set_ylim(LO, HI)
    ax.set_aspect("equal")
    ax.set_xticks([0, 1] if ticks else [])
    ax.set_yticks([0, 1] if ticks else [])
    if title:
        ax.set_title(title, fontsize=10)
    return image


def plot_points(ax, X=None, y=None, size: float = 8) -> list:
    """The XOR inputs ``X (n, 2)`` with labels ``y (n,)`` (default: the four of
    :func:`nbutils.data.xor`): circles for label 0, squares for label 1.

    ``size`` is the marker size in points. Returns two ``Line2D``.
    """
    if X is None:
        X, y = xor()
    out = []
    for label in (0, 1):
        pts = np.asarray(X, dtype=float)[np.asarray(y) == label]
        line, = ax.plot(pts[:, 0], pts[:, 1], ls="none", marker=POINT_MARKERS[label],
                        ms=size, mfc=POINT_COLORS[label], mec="black", mew=1.2, zorder=5,
                        label=f"y = {label}")
        out.append(line)
    return out


def boundary_line(w, b, lo: float = LO, hi: float = HI) -> tuple[list, list]:
    """The points of the line ``w1 x1 + w2 x2 + b = 0`` across the square (empty if w = 0)."""
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) > 1e-12:
        xs = [lo, hi]
        return xs, [-(w1 * x + b) / w2 for x in xs]
    if abs(w1) > 1e-12:
        return [-b / w1] * 2, [lo, hi]
    return [], []


def neuron_right(w, b, X=None, y=None) -> np.ndarray:
    """For each input, whether the neuron ``f(w . x + b)`` is on the right side of 0.5:
    ``(n,)`` booleans."""
    if X is None:
        X, y = xor()
    return (sigmoid(X @ np.asarray(w, dtype=float) + b) > 0.5) == (np.asarray(y) > 0.5)


def plot_line_attempts(fig, attempts, resolution: int = 80) -> list:
    """One panel per single neuron ``(name, w, b)``: its map, its line, how many it gets right."""
    axes = fig.subplots(1, len(attempts), squeeze=False)[0]
    for ax, (name, w, b) in zip(axes, attempts, strict=True):
        right = int(neuron_right(w, b).sum())
        plot_map(ax, neuron_map(w, b, resolution), f"{name}: {right} of 4 right")
        ax.plot(*boundary_line(w, b), color="black", lw=1.5)
        plot_points(ax)
    return list(axes)


def marks(right) -> str:
    """Which of the four XOR inputs are on the right side: "(0, 0) right, (0, 1) wrong ..."."""
    X, _ = xor()
    return ", ".join(f"({x1:g}, {x2:g}) {'right' if ok else 'wrong'}"
                     for (x1, x2), ok in zip(X, right, strict=True))


def describe_line_attempts(attempts) -> str:
    """:func:`plot_line_attempts` in words (its alt text)."""
    parts = [f"{name}: {int(neuron_right(w, b).sum())} of 4 right ({marks(neuron_right(w, b))})"
             for name, w, b in attempts]
    return ("Maps of single neurons over the input square, each with its straight line, "
            "blue near 0 and red near 1; circles are inputs labelled 0, squares 1. "
            + "; ".join(parts) + ".")


def plot_network_maps(fig, params: dict, titles=None, forward_fn: Callable = mlp.forward,
                      resolution: int = 100) -> list:
    """The hidden neurons' maps, then the output map, side by side."""
    out, H = network_maps(params, forward_fn, resolution)
    n_hidden = H.shape[0]
    titles = titles or [f"hidden $h_{j + 1}$" for j in range(n_hidden)] + ["output"]
    axes = fig.subplots(1, n_hidden + 1)
    for ax, values, title in zip(axes, list(H) + [out], titles, strict=True):
        plot_map(ax, values, title)
        plot_points(ax)
    return list(axes)


def describe_network_maps(params: dict, titles=None, forward_fn: Callable = mlp.forward) -> str:
    """:func:`plot_network_maps` in words (its alt text): each map's value at the inputs."""
    X, y = xor()
    y_pred, cache = forward_fn(X, params)
    H = np.asarray(cache["H"], dtype=float)
    titles = titles or [f"hidden h{j + 1}" for j in range(H.shape[1])] + ["output"]
    columns = list(H.T) + [np.asarray(y_pred, dtype=float)]
    parts = [f"{t.replace('$', '')}: " + ", ".join(f"{v:.2f}" for v in col)
             for t, col in zip(titles, columns, strict=True)]
    return ("Maps over the input square (blue near 0, red near 1), one per hidden neuron "
            "and the output. Their values at (0, 0), (0, 1), (1, 0), (1, 1): "
            + "; ".join(parts) + ".")


def plot_hidden_space(ax, params: dict, title: str = "", forward_fn: Callable = mlp.forward):
    """Where the four inputs land in a 2-unit hidden layer, and the output's line there.

    The output neuron sees only ``(h1, h2)``: it can separate the labels only
    if a straight line in this square does.
    """
    X, y = xor()
    _, cache = forward_fn(X, params)
    H = np.asarray(cache["H"], dtype=float)
    ax.set_xlim(-0.1, 1.1)
    ax.set_ylim(-0.1, 1.1)
    ax.set_aspect("equal")
    ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec=MUTED, lw=0.8, ls=":"))
    w, b = params["W2"][:, 0], float(params["b2"][0])
    ax.plot(*boundary_line(w, b, -0.1, 1.1), color="black", lw=1.2, label="output = 0.5")
    plot_points(ax, H, y)
    for (h1, h2), names in _groups(H, [f"({x1:g}, {x2:g})" for x1, x2 in X]):
        ax.annotate("\n".join(names), (h1, h2), textcoords="offset points",
                    xytext=(7, 5 if h2 < 0.85 else -8), fontsize=9,
                    va="bottom" if h2 < 0.85 else "top",
                    ha="left" if h1 < 0.75 else "right")
    ax.set_xlabel("$h_1$")
    ax.set_ylabel("$h_2$")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def describe_hidden_space(params: dict, forward_fn: Callable = mlp.forward) -> str:
    """:func:`plot_hidden_space` in words (its alt text)."""
    X, y = xor()
    _, cache = forward_fn(X, params)
    H = np.asarray(cache["H"], dtype=float)
    w, b = params["W2"][:, 0], float(params["b2"][0])
    right = (H @ w + b > 0) == (np.asarray(y) > 0.5)
    points = "; ".join(f"({x1:g}, {x2:g}), label {t:g}, lands at ({h1:.2f}, {h2:.2f})"
                       for (x1, x2), t, (h1, h2) in zip(X, y, H, strict=True))
    return (f"The hidden layer's square, h1 across and h2 up: {points}. The output's line "
            f"puts {int(right.sum())} of 4 on the right side.")


def _groups(points, names, within: float = 0.08) -> list:
    """Points closer than ``within`` share one label: ``[((x, y), [name, ...]), ...]``."""
    groups = []
    for point, name in zip(np.asarray(points, dtype=float), names, strict=True):
        for first, members in groups:
            if np.hypot(*(point - first)) < within:
                members.append(name)
                break
        else:
            groups.append((point, [name]))
    return groups


def plot_run_grid(fig, runs: dict, ncols: int = 5, resolution: int = 40) -> list:
    """Small multiples of trained networks (the dict of :func:`nbutils.mlp.train_many`).

    Each panel is one start's output map with the four inputs; its title says
    ✓ and its frame is green when it learned XOR, ✗ and red when it did not.
    """
    seeds = runs["seeds"]
    nrows = -(-len(seeds) // ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        if i >= len(seeds):
            ax.set_visible(False)
            continue
        ok = bool(runs["solved"][i])
        out, _ = network_maps(mlp.unstack(runs["params"], i), mlp.forward, resolution)
        plot_map(ax, out, ticks=False)
        plot_points(ax, size=5)
        ax.set_title(f"seed {seeds[i]} {'✓' if ok else '✗'}", fontsize=10,
                     color=GOOD if ok else BAD)
        for spine in ax.spines.values():
            spine.set_edgecolor(GOOD if ok else BAD)
            spine.set_linewidth(2.5)
            spine.set_linestyle("-" if ok else "--")
    return list(axes)


def describe_run_grid(runs: dict) -> str:
    """:func:`plot_run_grid` in words (its alt text)."""
    seeds, solved = list(runs["seeds"]), np.asarray(runs["solved"], dtype=bool)
    failed = [s for s, ok in zip(seeds, solved, strict=True) if not ok]
    return (f"{len(seeds)} small output maps, one per start (seeds {seeds[0]} to "
            f"{seeds[-1]}), each framed by whether it learned XOR: {int(solved.sum())} did"
            + (f"; these did not: {', '.join(map(str, failed))}." if failed else "."))


def plot_success(ax, labels, solved_counts, totals):
    """Horizontal bars: the fraction of starts that learned XOR for each setting."""
    fractions = np.asarray(solved_counts, dtype=float) / np.asarray(totals, dtype=float)
    rows = np.arange(len(labels))[::-1]
    ax.barh(rows, fractions, color=[GOOD if f >= 0.95 else TEXT for f in fractions])
    for row, f, k, n in zip(rows, fractions, solved_counts, totals, strict=True):
        ax.text(min(f, 0.8) + 0.02, row, f"{k} of {n}", va="center", fontsize=10,
                color="white" if f > 0.8 else "black")
    ax.set_yticks(rows)
    ax.set_yticklabels(labels)
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction of starts that learn XOR")
    ax.axvline(1.0, color=MUTED, lw=0.8)
    return ax


def describe_success(labels, solved_counts, totals) -> str:
    """:func:`plot_success` in words (its alt text)."""
    return ("Bars, the fraction of starts that learn XOR: " + "; ".join(
        f"{label}: {k} of {n}" for label, k, n in zip(labels, solved_counts, totals,
                                                       strict=True)) + ".")


def loss_axes(ax, epochs: int | None = None):
    """Get ``ax`` ready for loss curves: log scale, and the level 0.125 where stuck runs sit."""
    ax.set_yscale("log")
    ax.axhline(STUCK, color=MUTED, lw=0.8, ls="--")
    ax.text(0.99, STUCK * 1.12, "stuck: two outputs at 0.5", transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", fontsize=9, color=TEXT)
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    if epochs:
        ax.set_xlim(-0.02 * epochs, 1.02 * epochs)
    return ax


def plot_losses(ax, losses, label: str | None = None, **kwargs):
    """A loss curve ``losses (epochs,)`` (the MSE before each update) on a log scale;
    returns the line."""
    loss_axes(ax)
    line, = ax.plot(np.arange(len(losses)), losses, label=label, **kwargs)
    return line


def describe_losses(losses) -> str:
    """:func:`plot_losses` in words (its alt text)."""
    losses = np.asarray(losses, dtype=float)
    return (f"The loss on a log scale over {len(losses)} epochs, from {losses[0]:.4f} to "
            f"{losses[-1]:.6f}; a dashed line at {STUCK} marks where stuck runs sit.")


@dataclass
class LineArtists:
    """The moving parts of :func:`plot_neuron_line`."""

    image: object
    line: object
    points: list

    def animated(self) -> list:
        return [self.image, self.line, *self.points]


def plot_neuron_line(ax, resolution: int = 80) -> LineArtists:
    """The single-neuron picture: its map, its line and the four inputs (blank until
    :func:`set_neuron_line`)."""
    image = plot_map(ax, np.zeros((resolution, resolution)), "one neuron")
    line, = ax.plot([], [], color="black", lw=1.8)
    return LineArtists(image, line, plot_points(ax))


def set_neuron_line(artists: LineArtists, w, b) -> np.ndarray:
    """Show the neuron ``f(w . x + b)``, ``w (2,)``; returns :func:`neuron_right`."""
    resolution = artists.image.get_array().shape[0]
    artists.image.set_array(neuron_map(w, b, resolution))
    artists.line.set_data(*boundary_line(w, b))
    return neuron_right(w, b)


@dataclass
class TrainerArtists:
    """The moving parts of :func:`plot_trainer`."""

    out_image: object
    hidden_images: list
    points: list          # the inputs on the output map, then on each hidden map
    loss_line: object
    loss_marker: object
    covers: list          # a white sheet over each hidden panel a network does not use

    def animated(self) -> list:
        return [self.out_image, *self.hidden_images, *self.points, self.loss_line,
                self.loss_marker, *self.covers]


def plot_trainer(fig, max_hidden: int, resolution: int, epochs: int) -> TrainerArtists:
    """The trainer's picture: the big output map, up to ``max_hidden`` hidden maps and
    the loss over ``epochs`` epochs below them. :func:`set_trainer` fills it."""
    gs = fig.add_gridspec(2, 1 + max_hidden, left=0.04, right=0.91, top=0.92, bottom=0.14,
                          width_ratios=[3.3] + [1.3] * max_hidden, height_ratios=[1.2, 1.5],
                          wspace=0.28, hspace=0.5)
    blank = np.zeros((resolution, resolution))
    ax_out = fig.add_subplot(gs[:, 0])
    out_image = plot_map(ax_out, blank, "output $\\hat y$")
    ax_hidden = [fig.add_subplot(gs[0, 1 + j]) for j in range(max_hidden)]
    hidden_images = [plot_map(ax, blank, f"$h_{j + 1}$", ticks=False)
                     for j, ax in enumerate(ax_hidden)]
    points = [p for ax in [ax_out, *ax_hidden]
              for p in plot_points(ax, size=8 if ax is ax_out else 4)]
    ax_loss = fig.add_subplot(gs[1, 1:])
    loss_axes(ax_loss, epochs)
    ax_loss.set_ylim(1e-4, 1.0)
    ax_loss.set_title("loss", fontsize=10)
    ax_loss.yaxis.tick_right()
    ax_loss.yaxis.set_label_position("right")
    loss_line, = ax_loss.plot([], [], color=LINE, lw=1.5)
    loss_marker, = ax_loss.plot([], [], "o", color=MARK, ms=7)
    # drawn last, in figure coordinates, so that a change of size needs no new background
    covers = [fig.add_artist(_cover(ax)) for ax in ax_hidden]
    return TrainerArtists(out_image, hidden_images, points, loss_line, loss_marker, covers)


def _cover(ax):
    """A white rectangle over ``ax`` and its title, in figure coordinates."""
    box = ax.get_position()
    return Rectangle((box.x0 - 0.01, box.y0 - 0.02), box.width + 0.02, box.height + 0.12,
                     transform=ax.figure.transFigure, fc="white", ec="none", zorder=10)


def set_trainer(artists: TrainerArtists, out, H, losses, epoch: int, loss: float) -> None:
    """Show a network: its output map ``out (r, r)``, hidden maps ``H (n_hidden, r, r)``
    (the panels beyond ``n_hidden`` covered), the run's ``losses (epochs trained,)``
    and the marker at ``(epoch, loss)``."""
    n_hidden = len(H)
    for j, (image, cover) in enumerate(zip(artists.hidden_images, artists.covers,
                                           strict=True)):
        used = j < n_hidden
        cover.set_visible(not used)
        image.set_visible(used)
        if used:
            image.set_array(H[j])
        for p in artists.points[2 + 2 * j: 4 + 2 * j]:
            p.set_visible(used)
    artists.out_image.set_array(out)
    artists.loss_line.set_data(np.arange(len(losses)), losses)
    artists.loss_marker.set_data([epoch], [loss])
