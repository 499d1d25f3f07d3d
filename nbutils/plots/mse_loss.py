"""The pictures of notebook 03 (the mean squared error loss).

:func:`plot_people` draws the four people in the plane of their shifted
inputs; :func:`plot_error_shapes` compares the plain, absolute and squared
error; :func:`plot_loss_panels` draws each person's prediction next to
their squared error and the MSE; :func:`plot_loss_curve` draws the loss
over one parameter of the 2-2-1 network. Pure functions: they draw on the
``ax`` they are given; ``set_*`` and ``mark_*`` move what a widget changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import palette
from ..network import WHERE, copy_params, feedforward_batch
from . import figure, show  # noqa: F401  (the notebook's plots.figure / plots.show)

# label -> (colour, marker, hatch, legend): colour is never the only cue
CLASSES = {1: (palette.CLASS_1, "o", "//", "female, $y = 1$"),
           0: (palette.CLASS_0, "s", "", "male, $y = 0$")}
P_LIMIT = 6.0  # the weight explorer slides a parameter over [-P_LIMIT, P_LIMIT]


def _label(t) -> int:
    return int(round(float(t)))


def plot_people(ax, X, y_true, names, mean=None):
    """The people as points in the (shifted weight, shifted height) plane.

    ``X: (n_samples, 2)`` shifted inputs, ``y_true: (n_samples,)`` labels 0/1,
    ``names``: one per sample. ``mean``, when given, is marked with a cross
    (the mean of the shifted inputs, to show that it is not at 0).
    Returns the scatter collections, one per label.
    """
    X = np.asarray(X, dtype=float)
    y_true = np.asarray(y_true, dtype=float)
    ax.axhline(0, color=palette.AXIS, lw=0.8, zorder=0)
    ax.axvline(0, color=palette.AXIS, lw=0.8, zorder=0)
    groups = []
    for label in (1, 0):
        colour, marker, _, legend = CLASSES[label]
        mask = np.round(y_true) == label
        groups.append(ax.scatter(X[mask, 0], X[mask, 1], s=90, color=colour, marker=marker,
                                 edgecolor=palette.PAPER, lw=1.2, zorder=3, label=legend))
    for (u, v), name in zip(X, names, strict=True):
        ax.annotate(name, (u, v), xytext=(7, 5), textcoords="offset points", fontsize=10,
                    color=palette.TEXT)
    if mean is not None:
        ax.plot(*mean, "x", color=palette.TEXT, ms=9, mew=2, zorder=4,
                label=f"mean ({mean[0]:g}, {mean[1]:g})")
    ax.set_xlim(-22, 32)
    ax.set_ylim(-8.5, 8.5)
    ax.set_xlabel("weight $-$ 135 (lb)")
    ax.set_ylabel("height $-$ 66 (in)")
    ax.grid(alpha=0.25)
    ax.legend(loc="upper left", fontsize=9)
    return groups


def describe_people(X, y_true, names, mean=None) -> str:
    """:func:`plot_people`'s picture in words (its alt text)."""
    who = "; ".join(f"{n} ({u:g}, {v:g}), {'female' if _label(t) else 'male'}"
                    for n, (u, v), t in zip(names, np.asarray(X), y_true, strict=True))
    text = f"Scatter plot of the people by shifted weight and shifted height: {who}."
    if mean is not None:
        text += f" Their mean, marked with a cross, is at ({mean[0]:g}, {mean[1]:g})."
    return text


def plot_error_shapes(ax, e_limit: float = 1.0):
    """The error ``e = y_true - y_pred`` against ``|e|`` and ``e ** 2``.

    Returns the three lines (plain, absolute, squared).
    """
    e = np.linspace(-e_limit, e_limit, 401)
    plain, = ax.plot(e, e, color=palette.ZERO, lw=1.5, ls=":", label="error $e$")
    absolute, = ax.plot(e, np.abs(e), color=palette.CURVE, lw=2, ls="--",
                        label="absolute error $|e|$")
    squared, = ax.plot(e, e ** 2, color=palette.LOSS, lw=2.5, label="squared error $e^2$")
    for v, offset in ((0.5, (6, -16)), (1.0, (-92, -4))):
        ax.plot([v], [v ** 2], "o", color=palette.LOSS, ms=5)
        ax.annotate(f"$e = {v:g}$: $e^2 = {v ** 2:g}$", (v, v ** 2), xytext=offset,
                    textcoords="offset points", fontsize=9, color=palette.NEGATIVE_TEXT)
    ax.axhline(0, color=palette.ARROW, lw=0.8)
    ax.axvline(0, color=palette.ARROW, lw=0.8)
    ax.set_xlim(-e_limit, e_limit)
    ax.set_ylim(-e_limit, e_limit * 1.1)
    ax.set_xlabel("error $e = y_{true} - y_{pred}$")
    ax.set_ylabel("cost of the error")
    ax.grid(alpha=0.25)
    ax.legend(loc="lower right", fontsize=9)
    return plain, absolute, squared


def describe_error_shapes(e_limit: float = 1.0) -> str:
    """:func:`plot_error_shapes`'s picture in words (its alt text)."""
    return (f"Three curves over the error e from {-e_limit:g} to {e_limit:g}: the error e "
            "itself (a dotted straight line, negative on the left), the absolute error |e| "
            "(a dashed V) and the squared error e² (a solid parabola). The squared error is "
            "smaller than |e| for small errors (e = 0.5 costs 0.25) and equal at e = 1.")


def plot_predictions(ax, y_true, names, width: float = 0.6) -> list:
    """Bars for the predictions (height 0 for now) and a line for each truth.

    ``y_true: (n_samples,)``; bars are coloured and hatched by label. Returns
    the bars, which :func:`set_bars` raises.
    """
    y_true = np.asarray(y_true, dtype=float)
    pos = np.arange(len(y_true))
    bars = list(ax.bar(pos, np.zeros(len(pos)), width=width, alpha=0.75,
                       color=[CLASSES[_label(t)][0] for t in y_true],
                       hatch=[CLASSES[_label(t)][2] for t in y_true], edgecolor=palette.PAPER))
    ax.scatter(pos, y_true, marker="_", s=1500 * width, lw=3, color=palette.TARGET, zorder=4,
               label="$y_{true}$")
    _bar_axes(ax, names, ylim=(-0.05, 1.08))  # a truth of 0 stays visible
    return bars


def _bar_axes(ax, names, ylim) -> None:
    pos = np.arange(len(names))
    ax.set_xticks(pos, names)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(*ylim)
    ax.grid(axis="y", alpha=0.25)


def set_bars(bars, heights) -> None:
    """Give ``bars`` new ``heights (n_samples,)``."""
    for bar, h in zip(bars, heights, strict=True):
        bar.set_height(h)


@dataclass
class LossArtists:
    """The moving parts of :func:`plot_loss_panels`."""

    pred_bars: list
    error_lines: list
    sq_bars: list
    mse_line: object
    mse_text: object

    def animated(self) -> list:
        return (self.pred_bars + self.error_lines + self.sq_bars
                + [self.mse_line, self.mse_text])


def plot_loss_panels(ax_pred, ax_err, y_true, names, y_pred) -> LossArtists:
    """Predictions against the truth (left) and the squared errors with their mean (right).

    ``y_true, y_pred: (n_samples,)``; ``names``: one per sample. Returns the
    artists that :func:`set_predictions` changes.
    """
    n = len(y_true)
    pred_bars = plot_predictions(ax_pred, y_true, names)
    error_lines = [ax_pred.plot([], [], color=palette.TARGET, lw=1.2, ls=":")[0]
                   for _ in range(n)]
    ax_pred.set_title("prediction $y_{pred}$ (bar) and truth $y_{true}$ (line)", fontsize=10)
    ax_err.set_title("squared error $(y_{true} - y_{pred})^2$", fontsize=10)
    sq_bars = list(ax_err.bar(np.arange(n), np.zeros(n), width=0.6, alpha=0.75,
                              color=[CLASSES[_label(t)][0] for t in y_true],
                              hatch=[CLASSES[_label(t)][2] for t in y_true],
                              edgecolor=palette.PAPER))
    mse_line, = ax_err.plot([-0.5, n - 0.5], [0, 0], color=palette.TEXT, lw=2)
    mse_text = ax_err.text(n - 0.56, 0, "", ha="right", va="bottom", fontsize=10,
                           color=palette.TEXT, bbox=dict(fc=palette.PAPER, ec="none", alpha=0.85,
                                                         pad=1.5))
    _bar_axes(ax_err, names, ylim=(0, 1.08))
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
    set_bars(artists.pred_bars, y_pred)
    set_bars(artists.sq_bars, sq)
    for i, line in enumerate(artists.error_lines):
        line.set_data([i, i], [y_pred[i], y_true[i]])
    artists.mse_line.set_ydata([mse, mse])
    artists.mse_text.set_y(min(mse, 0.95) + 0.01)
    artists.mse_text.set_text(f"MSE = {mse:.4f}")
    return sq, mse


def describe_predictions(names, y_true, y_pred, mse: float) -> str:
    """:func:`plot_loss_panels`'s picture in words, for its alt text."""
    each = "; ".join(f"{n}: truth {t:g}, prediction {p:.2f}, squared error {(t - p) ** 2:.4f}"
                     for n, t, p in zip(names, y_true, y_pred, strict=True))
    return (f"Two bar charts, one bar per person. {each}. "
            f"A line across the squared errors marks their mean, MSE = {mse:.4f}.")


@dataclass
class CurveArtists:
    """The moving parts of :func:`plot_loss_curve`."""

    curve: object
    point: object
    vline: object


def with_value(params: dict, name: str, value: float) -> dict:
    """A copy of ``params`` with the tutorial's parameter ``name`` set to ``value``."""
    p = copy_params(params)
    key, idx = WHERE[name]
    p[key][idx] = value
    return p


def loss_curve(loss_fn: Callable, X, y_true, params: dict, name: str, grid) -> np.ndarray:
    """The loss as one parameter (``name``, e.g. ``"w5"``) runs over ``grid (n,)``.

    Every other parameter keeps its value in ``params``. ``loss_fn(y_true, y_pred)``;
    ``X: (n_samples, 2)``, ``y_true: (n_samples,)``. Returns ``(n,)``.
    """
    out = np.empty(len(grid))
    for i, v in enumerate(grid):
        out[i] = loss_fn(y_true, feedforward_batch(X, with_value(params, name, v)))
    return out


def plot_loss_curve(ax, grid, losses, name: str, value: float, loss: float) -> CurveArtists:
    """The loss over one parameter, with the current value marked."""
    curve, = ax.plot(grid, losses, color=palette.CURVE, lw=2)
    vline, = ax.plot([], [], color=palette.POINT, lw=1, ls="--")
    point, = ax.plot([], [], "o", color=palette.POINT, mec=palette.TEXT, ms=9, zorder=5)
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


def describe_curve(name: str, value: float, loss: float, grid, losses) -> str:
    """:func:`plot_loss_curve`'s picture in words: where the curve is lowest, the point."""
    best = int(np.nanargmin(losses))
    return (f"The loss as {name} runs from {grid[0]:g} to {grid[-1]:g}, every other "
            f"parameter fixed; it is lowest, {losses[best]:.4f}, at {name} = {grid[best]:.1f}."
            f" The marked point: {name} = {value:.1f}, loss {loss:.4f}.")
