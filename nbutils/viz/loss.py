"""Pictures and the live explorers of notebook 03 (the mean squared error loss).

``plot_people`` draws the four people in the plane of their shifted inputs;
``plot_error_shapes`` compares the plain, absolute and squared error;
``plot_loss_panels`` draws each person's prediction next to their squared
error and the MSE. Two widgets sit on top, through :mod:`nbutils.live`:
``PredictionExplorer`` (one slider per person's prediction) and
``WeightLossExplorer`` (one parameter of the 2-2-1 network on a slider, the
loss as a curve over that parameter). The loss function is passed in, so
the second explorer shows the student's own ``mse_loss``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import live
from ..losses import mse_loss as _reference_mse_loss
from ..network import NAMES, WHERE, copy_params, forward
from . import student_or_reference

COLOURS = {1: "#c05621", 0: "#2b6cb0"}  # female (y = 1), male (y = 0)
LABELS = {1: "female, $y = 1$", 0: "male, $y = 0$"}
P_LIMIT = 6.0  # the weight explorer slides a parameter over [-P_LIMIT, P_LIMIT]


def _colours(y_true) -> list[str]:
    return [COLOURS[int(round(float(t)))] for t in y_true]


def plot_people(ax, X, y_true, names, mean=None):
    """The people as points in the (shifted weight, shifted height) plane.

    ``X: (n_samples, 2)`` shifted inputs, ``y_true: (n_samples,)`` labels 0/1,
    ``names``: one per sample. ``mean``, when given, is marked with a cross
    (the mean of the shifted inputs, to show that it is not at 0).
    Returns the scatter collections, one per label.
    """
    X = np.asarray(X, dtype=float)
    y_true = np.asarray(y_true, dtype=float)
    ax.axhline(0, color="#a0aec0", lw=0.8, zorder=0)
    ax.axvline(0, color="#a0aec0", lw=0.8, zorder=0)
    groups = []
    for label in (1, 0):
        mask = np.round(y_true) == label
        groups.append(ax.scatter(X[mask, 0], X[mask, 1], s=90, color=COLOURS[label],
                                 edgecolor="white", lw=1.2, zorder=3, label=LABELS[label]))
    for (u, v), name in zip(X, names, strict=True):
        ax.annotate(name, (u, v), xytext=(7, 5), textcoords="offset points", fontsize=10)
    if mean is not None:
        ax.plot(*mean, "x", color="#4a5568", ms=9, mew=2, zorder=4,
                label=f"mean ({mean[0]:g}, {mean[1]:g})")
    ax.set_xlim(-22, 32)
    ax.set_ylim(-8.5, 8.5)
    ax.set_xlabel("weight $-$ 135 (lb)")
    ax.set_ylabel("height $-$ 66 (in)")
    ax.grid(alpha=0.25)
    ax.legend(loc="upper left", fontsize=9)
    return groups


def plot_error_shapes(ax, e_limit: float = 1.0):
    """The error ``e = y_true - y_pred`` against ``|e|`` and ``e ** 2``.

    Returns the three lines (plain, absolute, squared).
    """
    e = np.linspace(-e_limit, e_limit, 401)
    plain, = ax.plot(e, e, color="#a0aec0", lw=1.5, ls="--", label="error $e$")
    absolute, = ax.plot(e, np.abs(e), color="#2b6cb0", lw=2, label="absolute error $|e|$")
    squared, = ax.plot(e, e ** 2, color="#c05621", lw=2.5, label="squared error $e^2$")
    for v, offset in ((0.5, (6, -16)), (1.0, (-92, -4))):
        ax.plot([v], [v ** 2], "o", color="#c05621", ms=5)
        ax.annotate(f"$e = {v:g}$: $e^2 = {v ** 2:g}$", (v, v ** 2), xytext=offset,
                    textcoords="offset points", fontsize=9, color="#c05621")
    ax.axhline(0, color="#4a5568", lw=0.8)
    ax.axvline(0, color="#4a5568", lw=0.8)
    ax.set_xlim(-e_limit, e_limit)
    ax.set_ylim(-e_limit, e_limit * 1.1)
    ax.set_xlabel("error $e = y_{true} - y_{pred}$")
    ax.set_ylabel("cost of the error")
    ax.grid(alpha=0.25)
    ax.legend(loc="lower right", fontsize=9)
    return plain, absolute, squared


@dataclass
class LossArtists:
    """The moving parts of :func:`plot_loss_panels`."""

    pred_bars: list
    error_lines: list
    sq_bars: list
    mse_line: object
    mse_text: object


def plot_loss_panels(ax_pred, ax_err, y_true, names, y_pred) -> LossArtists:
    """Predictions against the truth (left) and the squared errors with their mean (right).

    ``y_true, y_pred: (n_samples,)``; ``names``: one per sample. Returns the
    artists that :func:`set_predictions` changes.
    """
    y_true = np.asarray(y_true, dtype=float)
    n = len(y_true)
    pos = np.arange(n)
    colours = _colours(y_true)
    pred_bars = list(ax_pred.bar(pos, np.zeros(n), width=0.6, color=colours, alpha=0.75))
    ax_pred.scatter(pos, y_true, marker="_", s=900, lw=3, color="#1a202c", zorder=4,
                    label="$y_{true}$")
    error_lines = [ax_pred.plot([], [], color="#1a202c", lw=1.2, ls=":")[0] for _ in range(n)]
    ax_pred.set_title("prediction $y_{pred}$ (bar) and truth $y_{true}$ (line)", fontsize=10)
    ax_err.set_title("squared error $(y_{true} - y_{pred})^2$", fontsize=10)
    sq_bars = list(ax_err.bar(pos, np.zeros(n), width=0.6, color=colours, alpha=0.75))
    mse_line, = ax_err.plot([-0.5, n - 0.5], [0, 0], color="#1a202c", lw=2)
    mse_text = ax_err.text(n - 0.56, 0, "", ha="right", va="bottom", fontsize=10,
                           color="#1a202c", bbox=dict(fc="white", ec="none", alpha=0.85,
                                                      pad=1.5))
    for ax in (ax_pred, ax_err):
        ax.set_xticks(pos, names)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(0, 1.08)
        ax.grid(axis="y", alpha=0.25)
    ax_pred.set_ylim(-0.05, 1.08)  # a truth of 0 stays visible
    artists = LossArtists(pred_bars, error_lines, sq_bars, mse_line, mse_text)
    set_predictions(artists, y_true, y_pred)
    return artists


def set_predictions(artists: LossArtists, y_true, y_pred) -> tuple[np.ndarray, float]:
    """Show new predictions: bar heights, error segments, squared errors, the MSE line.

    Returns the squared errors ``(n_samples,)`` and their mean.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    sq = (y_true - y_pred) ** 2
    mse = float(np.mean(sq))
    for i, (bar, line, sq_bar) in enumerate(zip(artists.pred_bars, artists.error_lines,
                                                artists.sq_bars, strict=True)):
        bar.set_height(y_pred[i])
        line.set_data([i, i], [y_pred[i], y_true[i]])
        sq_bar.set_height(sq[i])
    artists.mse_line.set_ydata([mse, mse])
    artists.mse_text.set_y(min(mse, 0.95) + 0.01)
    artists.mse_text.set_text(f"MSE = {mse:.4f}")
    return sq, mse


def predictions_html(names, y_true, y_pred, sq, mse: float) -> str:
    """The prediction explorer's readout: a small table and the MSE, worked out."""
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{t:g}</td><td>{p:.2f}</td>"
        f"<td>{t - p:+.2f}</td><td>{s:.4f}</td></tr>"
        for n, t, p, s in zip(names, y_true, y_pred, sq, strict=True))
    cell = "style='padding:0 10px;text-align:right'"
    head = "".join(f"<th {cell}>{h}</th>" for h in
                   ("name", "y_true", "y_pred", "error", "squared error"))
    rows = rows.replace("<td>", f"<td {cell}>")
    terms = " + ".join(f"{s:.4f}" for s in sq)
    return (
        "<div style='font-family:monospace;font-size:14px'>"
        f"<table><tr>{head}</tr>{rows}</table>"
        f"MSE = ({terms}) / {len(sq)} = <b class='nn-mse'>{mse:.10f}</b></div>"
    )


class PredictionExplorer:
    """One slider per person's prediction; bars show the squared errors and the MSE."""

    def __init__(self, y_true, names, y_pred=None):
        import ipywidgets as widgets

        self.y_true = np.asarray(y_true, dtype=float)
        self.names = list(names)
        start = np.zeros(len(self.y_true)) if y_pred is None else np.asarray(y_pred, float)
        self.fig = live.new_figure(8.0, 3.2)
        ax_pred, ax_err = self.fig.subplots(1, 2)
        self.fig.subplots_adjust(left=0.06, right=0.98, top=0.9, bottom=0.1, wspace=0.2)
        self.artists = plot_loss_panels(ax_pred, ax_err, self.y_true, self.names, start)
        a = self.artists
        self.live = live.LiveFigure(
            self.fig, a.pred_bars + a.error_lines + a.sq_bars + [a.mse_line, a.mse_text])
        self.sliders = {
            name: widgets.FloatSlider(value=float(p), min=0.0, max=1.0, step=0.01,
                                      description=name, continuous_update=True,
                                      readout_format=".2f")
            for name, p in zip(self.names, start, strict=True)
        }
        self.readout = widgets.HTML()
        self.update()
        self.flush = live.connect(list(self.sliders.values()), self.update)
        controls = widgets.VBox([widgets.HTML("<b>predictions</b>")]
                                + list(self.sliders.values()))
        self.box = widgets.VBox([widgets.HBox([controls, self.live.widget]), self.readout])

    def values(self) -> np.ndarray:
        """The current predictions ``y_pred (n_samples,)`` from the sliders."""
        return np.array([self.sliders[name].value for name in self.names], dtype=float)

    def update(self) -> None:
        self.y_pred = self.values()
        self.squared_errors, self.mse = set_predictions(self.artists, self.y_true,
                                                        self.y_pred)
        self.readout.value = predictions_html(self.names, self.y_true, self.y_pred,
                                              self.squared_errors, self.mse)
        self.live.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def prediction_explorer(y_true, names, y_pred=None) -> PredictionExplorer:
    """The first explorer of notebook 03; display the returned object."""
    return PredictionExplorer(y_true, names, y_pred)


@dataclass
class CurveArtists:
    """The moving parts of :func:`plot_loss_curve`."""

    curve: object
    point: object
    vline: object


def loss_curve(loss_fn: Callable, X, y_true, params: dict, name: str, grid) -> np.ndarray:
    """The loss as one parameter (``name``, e.g. ``"w5"``) runs over ``grid``.

    Every other parameter keeps its value in ``params``. ``loss_fn(y_true, y_pred)``.
    """
    out = np.empty(len(grid))
    for i, v in enumerate(grid):
        out[i] = loss_fn(y_true, forward(X, with_value(params, name, v)))
    return out


def with_value(params: dict, name: str, value: float) -> dict:
    """A copy of ``params`` with the tutorial's parameter ``name`` set to ``value``."""
    p = copy_params(params)
    key, idx = WHERE[name]
    p[key][idx] = value
    return p


def plot_loss_curve(ax, grid, losses, name: str, value: float, loss: float) -> CurveArtists:
    """The loss over one parameter, with the current value marked."""
    curve, = ax.plot(grid, losses, color="#2b6cb0", lw=2)
    vline, = ax.plot([], [], color="#c05621", lw=1, ls="--")
    point, = ax.plot([], [], "o", color="#c05621", ms=9, zorder=5)
    ax.set_xlim(grid[0], grid[-1])
    ax.grid(alpha=0.25)
    ax.set_ylabel("loss (MSE)")
    artists = CurveArtists(curve, point, vline)
    set_curve(ax, artists, grid, losses, name)
    mark_value(artists, value, loss)
    return artists


def set_curve(ax, artists: CurveArtists, grid, losses, name: str) -> None:
    """Show the curve of another parameter (static parts: refresh the background)."""
    artists.curve.set_data(grid, losses)
    finite = np.asarray(losses)[np.isfinite(losses)]
    top = max(0.8, 1.08 * float(finite.max())) if finite.size else 0.8
    ax.set_ylim(0, top)
    ax.set_xlabel(f"${name[0]}_{name[1:]}$ (every other parameter fixed)")


def mark_value(artists: CurveArtists, value: float, loss: float) -> None:
    """Move the marked point to ``(value, loss)``."""
    artists.point.set_data([value], [loss])
    artists.vline.set_data([value, value], [0, loss])


class WeightLossExplorer:
    """One parameter of the 2-2-1 network on a slider; the loss over it as a curve.

    ``loss_fn(y_true, y_pred)``: the loss to show (the student's ``mse_loss``);
    if it does not work, the course's reference is shown with a note.
    ``params``: the network; a dropdown picks which of its nine parameters
    (the tutorial's names w1 ... w6, b1, b2, b3) the slider moves.
    """

    def __init__(self, loss_fn: Callable, X, y_true, names, params: dict,
                 name: str = "w5", limit: float = P_LIMIT):
        import ipywidgets as widgets

        self.loss_fn, self.note = _usable(loss_fn)
        self.X = np.asarray(X, dtype=float)
        self.y_true = np.asarray(y_true, dtype=float)
        self.names = list(names)
        self.params = copy_params(params)
        self.name = name
        self.grid = np.linspace(-limit, limit, 241)
        self.fig = live.new_figure(8.0, 3.2)
        self.ax_loss, ax_pred = self.fig.subplots(1, 2, width_ratios=(1.3, 1))
        self.fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.16, wspace=0.22)
        value = self.base_value()
        self.curve = loss_curve(self.loss_fn, self.X, self.y_true, self.params, name,
                                self.grid)
        self.loss = float(self.loss_fn(self.y_true, forward(self.X, self.params)))
        self.artists = plot_loss_curve(self.ax_loss, self.grid, self.curve, name, value,
                                       self.loss)
        self.ax_loss.set_title("the loss over one parameter", fontsize=10)
        n = len(self.y_true)
        self.pred_bars = list(ax_pred.bar(np.arange(n), np.zeros(n), width=0.6,
                                          color=_colours(self.y_true), alpha=0.75))
        ax_pred.scatter(np.arange(n), self.y_true, marker="_", s=700, lw=3,
                        color="#1a202c", zorder=4)
        ax_pred.set_xticks(np.arange(n), self.names)
        ax_pred.set_xlim(-0.5, n - 0.5)
        ax_pred.set_ylim(-0.05, 1.08)
        ax_pred.grid(axis="y", alpha=0.25)
        ax_pred.set_title("predictions (bars) and truth (lines)", fontsize=10)
        a = self.artists
        self.live = live.LiveFigure(self.fig, [a.curve, a.vline, a.point] + self.pred_bars)
        self.choice = widgets.Dropdown(options=list(NAMES), value=name,
                                       description="parameter")
        self.sliders = {"value": widgets.FloatSlider(
            value=value, min=-limit, max=limit, step=0.1, description="value",
            continuous_update=True, readout_format=".1f")}
        self.readout = widgets.HTML()
        self.update()
        self.flush = live.connect(list(self.sliders.values()), self.update)
        self.choice.observe(self._on_choice, names="value")
        note = [widgets.HTML(f"<p style='color:#c05621'>{html.escape(self.note)}</p>")] \
            if self.note else []
        controls = widgets.VBox([self.choice, self.sliders["value"]])
        self.box = widgets.VBox(note + [controls, self.live.widget, self.readout])

    def base_value(self) -> float:
        """The chosen parameter's value in the network we started from."""
        key, idx = WHERE[self.name]
        return float(self.params[key][idx])

    def _on_choice(self, change) -> None:
        self.name = change["new"]
        self.curve = loss_curve(self.loss_fn, self.X, self.y_true, self.params, self.name,
                                self.grid)
        set_curve(self.ax_loss, self.artists, self.grid, self.curve, self.name)
        self.live.refresh_background()
        self.sliders["value"].value = self.base_value()
        self.update()

    def update(self) -> None:
        value = float(self.sliders["value"].value)
        self.y_pred = forward(self.X, with_value(self.params, self.name, value))
        self.loss = float(self.loss_fn(self.y_true, self.y_pred))
        mark_value(self.artists, value, self.loss)
        for bar, p in zip(self.pred_bars, self.y_pred, strict=True):
            bar.set_height(p)
        preds = ", ".join(f"{html.escape(n)} {p:.3f}"
                          for n, p in zip(self.names, self.y_pred, strict=True))
        self.readout.value = (
            "<div style='font-family:monospace;font-size:14px'>"
            f"{self.name} = {value:.1f} (the other eight as in the network)<br>"
            f"predictions: {preds}<br>"
            f"loss = <b class='nn-loss'>{self.loss:.10f}</b></div>")
        self.live.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def _usable(loss_fn: Callable):
    """``loss_fn`` if it gives the right number on a small example, else the reference."""
    def probe():
        got = float(loss_fn(np.array([1.0, 0.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.4, 0.3])))
        if not np.isclose(got, 0.175, rtol=1e-9, atol=0.0):
            raise ValueError(f"it gives {got:.6g} for an example whose MSE is 0.175")

    return student_or_reference(loss_fn, _reference_mse_loss, probe, "does not work yet",
                                "the explorer shows the course's mse_loss until it does")


def weight_explorer(loss_fn: Callable, X, y_true, names, params: dict,
                    name: str = "w5") -> WeightLossExplorer:
    """The second explorer of notebook 03; display the returned object."""
    return WeightLossExplorer(loss_fn, X, y_true, names, params, name=name)


EXAMPLES = ("predictions", "weight")


def example_widget(which: str = "predictions"):
    """A widget exactly as notebook 03 shows it (with the reference loss).

    ``which``: ``"predictions"`` (the first widget cell, every prediction 0)
    or ``"weight"`` (the second: w5 of the all-ones network).
    Used by the benchmarks and the browser tests to know what to expect.
    """
    from .. import data
    from ..network import from_named

    X, y, names = data.people()
    if which == "predictions":
        return PredictionExplorer(y, names)
    if which == "weight":
        params = from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
        return WeightLossExplorer(_reference_mse_loss, X, y, names, params, name="w5")
    raise ValueError(f"which must be one of {EXAMPLES}, not {which!r}")
