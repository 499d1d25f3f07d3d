"""Pictures and live widgets of notebook 06 (the XOR problem).

Every picture is a map over the input square: a network's output (or one
hidden neuron's activation) for each point ``(x1, x2)``, drawn with
``imshow`` in one colour scale, 0 blue, 0.5 white, 1 red, so that the white
band is the decision boundary. The four XOR inputs are drawn on top:
circles for label 0, squares for label 1.

- :func:`plot_line_attempts`: single neurons, each a straight boundary.
- :func:`plot_network_maps`: a network's hidden maps and its output map.
- :func:`plot_hidden_space`: where the four inputs land in the hidden layer.
- :func:`plot_run_grid`: small multiples of many training runs.
- :class:`LineExplorer`: sliders for one neuron's line (it never gets 4 of 4).
- :class:`XorTrainer`: the decision boundary and hidden maps as training runs.

Functions that draw a network take ``forward_fn(X, params) -> (y_pred, cache)``
with ``cache["H"]`` the hidden activations (the student's ``forward`` or
:func:`nbutils.mlp.forward`).
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np
from matplotlib.patches import Rectangle

from .. import live, mlp
from ..activations import sigmoid
from ..data import xor
from ..network import copy_params, init_params
from . import student_or_reference

LO, HI = -0.25, 1.25          # the maps show the square [LO, HI] x [LO, HI]
CMAP = "RdBu_r"               # 0 blue, 0.5 white, 1 red
POINT_COLORS = ("#2166ac", "#b2182b")
POINT_MARKERS = ("o", "s")
GOOD, BAD = "#2f855a", "#c53030"
MAX_HIDDEN = 4                # the trainer has room for this many hidden maps


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
    """One neuron's output ``f(w . x + b)`` over the input square: ``(resolution, resolution)``."""
    X = grid_inputs(resolution)
    return sigmoid(X @ np.asarray(w, dtype=float) + b).reshape(resolution, resolution)


def plot_map(ax, values, title: str | None = None, ticks: bool = True):
    """Draw a map of values in [0, 1] over the input square; returns the ``AxesImage``."""
    image = ax.imshow(values, origin="lower", extent=(LO, HI, LO, HI), cmap=CMAP,
                      vmin=0.0, vmax=1.0, interpolation="bilinear")
    ax.set_xlim(LO, HI)
    ax.set_ylim(LO, HI)
    ax.set_aspect("equal")
    if ticks:
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return image


def plot_points(ax, X=None, y=None, size: float = 8) -> list:
    """The four XOR inputs: circles for label 0, squares for label 1 (two ``Line2D``).

    ``size`` is the marker size in points.
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
    """For each input, whether the neuron ``f(w . x + b)`` is on the right side of 0.5."""
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
    ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec="#a0aec0", lw=0.8, ls=":"))
    w, b = params["W2"][:, 0], float(params["b2"][0])
    ax.plot(*boundary_line(w, b, -0.1, 1.1), color="black", lw=1.2, label="output = 0.5")
    plot_points(ax, H, y)
    for (h1, h2), names in _groups(H, [f"({x1:g}, {x2:g})" for x1, x2 in X]):
        ax.annotate("\n".join(names), (h1, h2), textcoords="offset points",
                    xytext=(7, 5 if h2 < 0.85 else -8), fontsize=8,
                    va="bottom" if h2 < 0.85 else "top",
                    ha="left" if h1 < 0.75 else "right")
    ax.set_xlabel("$h_1$")
    ax.set_ylabel("$h_2$")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


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

    Each panel is one start's output map with the four inputs; its frame is
    green when it learned XOR, red when it did not.
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
        ax.set_title(f"seed {seeds[i]} {'✓' if ok else '✗'}", fontsize=9,
                     color=GOOD if ok else BAD)
        for spine in ax.spines.values():
            spine.set_edgecolor(GOOD if ok else BAD)
            spine.set_linewidth(2.5)
    return list(axes)


def plot_success(ax, labels, solved_counts, totals):
    """Horizontal bars: the fraction of starts that learned XOR for each setting."""
    fractions = np.asarray(solved_counts, dtype=float) / np.asarray(totals, dtype=float)
    rows = np.arange(len(labels))[::-1]
    ax.barh(rows, fractions, color=[GOOD if f >= 0.95 else "#4a5568" for f in fractions])
    for row, f, k, n in zip(rows, fractions, solved_counts, totals, strict=True):
        ax.text(min(f, 0.8) + 0.02, row, f"{k} of {n}", va="center", fontsize=9,
                color="white" if f > 0.8 else "black")
    ax.set_yticks(rows)
    ax.set_yticklabels(labels)
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction of starts that learn XOR")
    ax.axvline(1.0, color="#a0aec0", lw=0.8)
    return ax


def loss_axes(ax, epochs: int | None = None):
    """Get ``ax`` ready for loss curves: log scale, and the level 0.125 where stuck runs sit."""
    ax.set_yscale("log")
    ax.axhline(0.125, color="#a0aec0", lw=0.8, ls="--")
    ax.text(0.99, 0.14, "stuck: two outputs at 0.5", transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", fontsize=8, color="#718096")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    if epochs:
        ax.set_xlim(-0.02 * epochs, 1.02 * epochs)
    return ax


def plot_losses(ax, losses, label: str | None = None, **kwargs):
    """A loss curve (the MSE before each update) on a log scale; returns the line."""
    loss_axes(ax)
    line, = ax.plot(np.arange(len(losses)), losses, label=label, **kwargs)
    return line


# ---------------------------------------------------------------- the widgets

def _usable(forward_fn: Callable):
    """``forward_fn`` if it returns ``(y_pred (n,), cache with "H")``, else the reference."""
    def probe():
        X, _ = xor()
        y_pred, cache = forward_fn(X, mlp.study_sleep_params())
        ok = (np.asarray(y_pred, dtype=float).shape == (4,)
              and np.asarray(cache["H"], dtype=float).shape == (4, 3))
        if not ok:
            raise ValueError("y_pred should have shape (n,) and cache['H'] shape (n, h)")

    return student_or_reference(forward_fn, mlp.forward, probe, "does not work yet",
                                "the maps are drawn with the course's forward until it does")


def _note(text: str):
    import ipywidgets as widgets

    return [widgets.HTML(f"<p style='color:#c05621'>{html.escape(text)}</p>")] if text else []


class LineExplorer:
    """One neuron over the XOR square: sliders for ``w1, w2, b``; at most 3 of 4 right."""

    def __init__(self, w=(4.0, 4.0), b=-2.0, resolution: int = 80):
        import ipywidgets as widgets

        self.resolution = resolution
        self.fig = live.new_figure(3.6, 3.4)
        ax = self.fig.add_subplot()
        self.fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.12)
        self.image = plot_map(ax, np.zeros((resolution, resolution)), "one neuron")
        self.line, = ax.plot([], [], color="black", lw=1.8)
        self.points = plot_points(ax)
        self.ax = ax
        self.live = live.LiveFigure(self.fig, [self.image, self.line, *self.points])

        def slider(description, value, lo, hi):
            return widgets.FloatSlider(value=value, min=lo, max=hi, step=0.1,
                                       description=description, continuous_update=True,
                                       readout_format=".1f")

        self.sliders = {"w1": slider("w1", w[0], -5, 5), "w2": slider("w2", w[1], -5, 5),
                        "b": slider("b", b, -5, 5)}
        self.readout = widgets.HTML()
        self.update()
        self.flush = live.connect(list(self.sliders.values()), self.update)
        self.box = widgets.VBox([widgets.HBox([widgets.VBox(list(self.sliders.values())),
                                               self.live.widget]), self.readout])

    def values(self):
        """The current ``w (2,)`` and ``b`` from the sliders."""
        s = {k: v.value for k, v in self.sliders.items()}
        return np.array([s["w1"], s["w2"]]), s["b"]

    def update(self) -> None:
        w, b = self.values()
        self.right = neuron_right(w, b)
        self.image.set_array(neuron_map(w, b, self.resolution))
        self.line.set_data(*boundary_line(w, b))
        X, y = xor()
        marks = " ".join(f"({x1:g}, {x2:g}) {'✓' if ok else '✗'}"
                         for (x1, x2), ok in zip(X, self.right, strict=True))
        self.readout.value = (
            "<div style='font-family:monospace;font-size:14px'>"
            f"line: ({w[0]:g}) x1 + ({w[1]:g}) x2 + ({b:g}) = 0<br>"
            f"right: <b class='xor-right'>{int(self.right.sum())} of 4</b> &nbsp; "
            f"{html.escape(marks)}</div>")
        self.live.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def line_explorer(w=(4.0, 4.0), b=-2.0) -> LineExplorer:
    """The single-neuron explorer of notebook 06; display the returned object."""
    return LineExplorer(w=w, b=b)


class XorTrainer:
    """Train a 2-h-1 network on XOR and watch its maps change.

    The ``epoch`` slider (and the play button tied to it) picks how far into
    the run to look; the run is trained as far as it is needed, and kept, so
    going back costs nothing. Changing ``hidden units``, ``learning rate`` or
    ``seed`` starts a new run from its first epoch (press play to train it).
    The big map is the output over the input square, the small ones the
    hidden neurons, drawn with ``forward_fn`` (the student's ``forward``);
    the curve below is the loss of the epochs trained so far, with the epoch
    on show marked. Training is :func:`nbutils.mlp.descend`, the same steps
    as :func:`nbutils.mlp.train`.
    """

    def __init__(self, forward_fn: Callable, n_hidden: int = 2, lr: float = 2.0,
                 seed: int = 0, epochs: int = 2000, every: int = 20, resolution: int = 50):
        import ipywidgets as widgets

        self.forward, self.note = _usable(forward_fn)
        self.X, self.y = xor()
        self.epochs, self.every, self.resolution = epochs, every, resolution
        self.fig = live.new_figure(8.4, 3.5)
        gs = self.fig.add_gridspec(2, 1 + MAX_HIDDEN, left=0.04, right=0.92, top=0.92,
                                   bottom=0.13, width_ratios=[3.3] + [1.3] * MAX_HIDDEN,
                                   height_ratios=[1.2, 1.5], wspace=0.28, hspace=0.5)
        blank = np.zeros((resolution, resolution))
        self.ax_out = self.fig.add_subplot(gs[:, 0])
        self.out_image = plot_map(self.ax_out, blank, "output $\\hat y$")
        self.ax_hidden = [self.fig.add_subplot(gs[0, 1 + j]) for j in range(MAX_HIDDEN)]
        self.hidden_images = [plot_map(ax, blank, f"$h_{j + 1}$", ticks=False)
                              for j, ax in enumerate(self.ax_hidden)]
        self.points = [p for ax in [self.ax_out, *self.ax_hidden]
                       for p in plot_points(ax, size=8 if ax is self.ax_out else 4)]
        self.ax_loss = self.fig.add_subplot(gs[1, 1:])
        loss_axes(self.ax_loss, epochs)
        self.ax_loss.set_ylim(1e-4, 1.0)
        self.ax_loss.set_title("loss", fontsize=10)
        self.ax_loss.yaxis.tick_right()
        self.ax_loss.yaxis.set_label_position("right")
        self.loss_line, = self.ax_loss.plot([], [], color="#2b6cb0", lw=1.5)
        self.loss_marker, = self.ax_loss.plot([], [], "o", color="#c05621", ms=7)
        # a white sheet over each hidden panel the network does not use: drawn
        # last, so that a change of size needs no new background
        self.covers = [self.fig.add_artist(_cover(ax)) for ax in self.ax_hidden]
        self.live = live.LiveFigure(self.fig, [self.out_image, *self.hidden_images,
                                               *self.points, self.loss_line,
                                               self.loss_marker, *self.covers])

        self.sliders = {
            "epoch": widgets.IntSlider(value=epochs, min=0, max=epochs, step=every,
                                       description="epoch", continuous_update=True,
                                       layout=widgets.Layout(width="520px")),
            "hidden units": widgets.IntSlider(value=n_hidden, min=1, max=MAX_HIDDEN,
                                              description="hidden units"),
            "learning rate": widgets.FloatSlider(value=lr, min=0.1, max=10.0, step=0.1,
                                                 description="learning rate",
                                                 readout_format=".1f"),
            "seed": widgets.IntSlider(value=seed, min=0, max=99, description="seed"),
        }
        for s in self.sliders.values():
            s.style.description_width = "90px"
        self.play = widgets.Play(value=epochs, min=0, max=epochs, step=every, interval=80,
                                 description="play", show_repeat=False)
        widgets.jslink((self.play, "value"), (self.sliders["epoch"], "value"))
        self.readout = widgets.HTML()
        self.trained_for = None
        self.shown = None   # (settings, epoch) of the picture on show
        self._busy = False
        self.update()
        self.flush = live.connect(list(self.sliders.values()), self.update)
        controls = widgets.VBox([widgets.HBox([self.play, self.sliders["epoch"]]),
                                 *[self.sliders[k] for k in
                                   ("hidden units", "learning rate", "seed")]])
        self.box = widgets.VBox(_note(self.note) + [self.live.widget, controls,
                                                    self.readout])

    def settings(self) -> tuple[int, float, int]:
        """``(n_hidden, lr, seed)`` from the sliders."""
        return (int(self.sliders["hidden units"].value),
                round(float(self.sliders["learning rate"].value), 10),
                int(self.sliders["seed"].value))

    def new_run(self) -> None:
        """Start the run for the current settings: its start, nothing trained yet."""
        n_hidden, lr, seed = self.settings()
        start = init_params(np.random.default_rng(seed), 2, n_hidden)
        self.snapshots = [copy_params(start)]    # snapshots[k]: params after k * every epochs
        self.losses = np.empty(0)                # the MSE before each epoch trained so far
        self.trained_for = (n_hidden, lr, seed)
        for j, ax in enumerate(self.ax_hidden):
            used = j < n_hidden
            self.covers[j].set_visible(not used)
            self.hidden_images[j].set_visible(used)
            for p in self.points[2:]:
                if p.axes is ax:
                    p.set_visible(used)

    def train_to(self, epoch: int) -> None:
        """Train the run on until it has a snapshot at ``epoch`` (a multiple of ``every``)."""
        lr = self.trained_for[1]
        while (len(self.snapshots) - 1) * self.every < epoch:
            params, losses = mlp.descend(self.X, self.y, self.snapshots[-1], lr, self.every)
            self.snapshots.append(params)
            self.losses = np.concatenate([self.losses, losses])

    def update(self) -> None:
        if self._busy:
            return  # the epoch slider moved back to 0 by a new run below
        self._busy = True
        try:
            if self.trained_for != self.settings():
                first = self.trained_for is None  # the widget opens on its trained network
                self.new_run()
                if not first:
                    self.sliders["epoch"].value = 0
            epoch = min(int(self.sliders["epoch"].value) // self.every * self.every,
                        self.epochs)
            if self.shown == (self.trained_for, epoch):
                return  # already on show (a flush after the update ran)
            self.epoch = epoch
            self.train_to(epoch)
            self.draw(self.snapshots[epoch // self.every])
            self.shown = (self.trained_for, epoch)
        finally:
            self._busy = False

    def draw(self, params: dict) -> None:
        """Show the network ``params`` at ``self.epoch``: maps, loss curve, readout."""
        out, H = network_maps(params, self.forward, self.resolution)
        self.out_image.set_array(out)
        for j, image in enumerate(self.hidden_images):
            if j < H.shape[0]:
                image.set_array(H[j])
        self.y_pred = np.asarray(self.forward(self.X, params)[0], dtype=float)
        self.loss = float(np.mean((self.y - self.y_pred) ** 2))
        self.solved = bool(mlp.solved(self.y_pred, self.y))
        self.loss_line.set_data(np.arange(len(self.losses)), self.losses)
        self.loss_marker.set_data([self.epoch], [self.loss])
        outputs = " ".join(f"{v:.3f}" for v in self.y_pred)
        verdict = "learned XOR ✓" if self.solved else "not XOR (yet) ✗"
        self.readout.value = (
            "<div style='font-family:monospace;font-size:14px'>"
            f"epoch <b class='xor-epoch'>{self.epoch}</b> &nbsp; "
            f"loss <b class='xor-loss'>{self.loss:.5f}</b> &nbsp; "
            f"outputs for (0,0) (0,1) (1,0) (1,1): <b class='xor-outputs'>{outputs}</b>"
            f" &nbsp; <b class='xor-verdict'>{verdict}</b></div>")
        self.live.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def _cover(ax):
    """A white rectangle over ``ax`` and its title, in figure coordinates."""
    box = ax.get_position()
    return Rectangle((box.x0 - 0.01, box.y0 - 0.02), box.width + 0.02, box.height + 0.12,
                     transform=ax.figure.transFigure, fc="white", ec="none", zorder=10)


def xor_trainer(forward_fn: Callable, n_hidden: int = 2, lr: float = 2.0, seed: int = 0,
                epochs: int = 2000) -> XorTrainer:
    """The training widget of notebook 06; display the returned object."""
    return XorTrainer(forward_fn, n_hidden=n_hidden, lr=lr, seed=seed, epochs=epochs)


def example_widget() -> XorTrainer:
    """The training widget exactly as notebook 06 shows it (with the reference forward).

    Used by the benchmarks and the browser tests to know what to expect.
    """
    return XorTrainer(mlp.forward, n_hidden=2, lr=2.0, seed=0, epochs=2000)


def example_line_widget() -> LineExplorer:
    """The single-neuron explorer exactly as notebook 06 shows it."""
    return LineExplorer(w=(4.0, 4.0), b=-2.0)
