"""The pictures of notebook 05 (stochastic gradient descent).

Pure functions: each draws on an ``ax`` (or ``fig``) it is given and returns
the artists that move; ``set_*`` functions move them; ``describe_*`` functions
give each static figure its text alternative (shown with :func:`nbutils.plots.show`).
:func:`plot_player` lays out the training player's picture (the loss curve
beside the predictions) and :func:`set_player` shows one epoch of a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import palette
from . import figure, show  # noqa: F401  (the notebook's plots.figure / plots.show)

LOSS_LIMITS = (1e-5, 1.0)       # the loss axis (log scale)
FEMALE, MALE, NEW = palette.CLASS_1, palette.CLASS_0, "#CCCCCC"  # label 1 is female
POSITIVE, NEGATIVE, LINE = palette.POSITIVE, palette.NEGATIVE, palette.LOSS
TEXT, MUTED = palette.MUTED_TEXT, palette.AXIS


def plot_descent_1d(ax, loss_of: Callable[[float], float], path, lo: float, hi: float,
                    name: str = "w", color: str = NEGATIVE, label: str | None = None,
                    marker: str = "o"):
    """A loss as a function of one parameter, and the steps gradient descent took.

    ``loss_of``: the loss for one value of the parameter; ``path (n_steps + 1,)``:
    the values the parameter took, step after step; ``[lo, hi]``: the range to
    draw. Give two paths on one ``ax`` different ``marker`` s as well as colours.
    """
    grid = np.linspace(lo, hi, 300)
    ax.plot(grid, [loss_of(v) for v in grid], color=TEXT, lw=1.8)
    path = np.asarray(path, dtype=float)
    heights = np.array([loss_of(v) for v in path])
    ax.plot(path, heights, marker, color=color, ms=6, zorder=5, label=label)
    for (x0, y0), (x1, y1) in zip(zip(path[:-1], heights[:-1], strict=True),
                                  zip(path[1:], heights[1:], strict=True), strict=True):
        ax.annotate("", (x1, y1), (x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.2, shrinkA=3,
                                    shrinkB=3))
    ax.set_xlim(lo, hi)
    ax.set_xlabel(f"${name}$")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.25)
    return ax


def describe_descent_1d(loss_of: Callable[[float], float], path, name: str = "w",
                        label: str | None = None) -> str:
    """One run of :func:`plot_descent_1d` in words (a sentence of its alt text)."""
    path = np.asarray(path, dtype=float)
    steps = ", ".join(f"{v:.2f}" for v in path)
    return (f"{label + ': ' if label else ''}{len(path) - 1} steps of {name}: {steps}; "
            f"the loss goes from {loss_of(path[0]):.4f} to {loss_of(path[-1]):.4f}.")


def plot_gradients(ax, named_grads: dict, title: str = ""):
    """The partial derivatives of the loss for the nine named parameters, as bars.

    ``named_grads``: name -> number (:func:`nbutils.network.named`). A bar's
    sign shows by its direction and its hatching (negative bars are hatched),
    not by colour alone.
    """
    names = list(named_grads)
    values = np.array([named_grads[n] for n in names], dtype=float)
    bars = ax.bar(range(len(names)), values,
                  color=[NEGATIVE if v < 0 else POSITIVE for v in values])
    for bar, v in zip(bars, values, strict=True):
        if v < 0:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    ax.axhline(0, color=TEXT, lw=0.8)
    ax.set_xticks(range(len(names)), [f"${n[0]}_{n[1:]}$" for n in names])
    ax.set_ylabel(r"$\partial L / \partial p$")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.25)
    return ax


def describe_gradients(named_grads: dict) -> str:
    """:func:`plot_gradients` in words (its alt text)."""
    return ("Bars, one per parameter, the partial derivative of the loss: "
            + ", ".join(f"{n} {float(v):+.4f}" for n, v in named_grads.items()) + ".")


def plot_loss_curve(ax, history=(), start_loss: float | None = None,
                    epochs: int | None = None, color: str = LINE):
    """The MSE over the data set, epoch by epoch, on a log scale.

    ``history[k]`` is the loss after epoch ``k + 1``; ``start_loss``, if
    given, is drawn at epoch 0 (before any step). ``epochs`` fixes the
    horizontal axis (default: the length of the history). Returns the line,
    which :func:`set_loss_curve` updates.
    """
    line, = ax.plot([], [], color=color, lw=1.8)
    set_loss_curve(line, history, start_loss)
    ax.set_yscale("log")
    ax.set_ylim(*LOSS_LIMITS)
    ax.set_xlim(0, max(1, epochs if epochs is not None else len(history)))
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.set_title("MSE over the data set,\nafter each epoch", fontsize=10)
    ax.grid(alpha=0.25, which="both")
    return line


def set_loss_curve(line, history, start_loss: float | None = None) -> None:
    """Show ``history`` (the loss after each epoch), from epoch 0 if ``start_loss``."""
    history = np.asarray(history, dtype=float)
    if start_loss is None:
        line.set_data(np.arange(1, len(history) + 1), history)
    else:
        line.set_data(np.arange(len(history) + 1), np.concatenate([[start_loss], history]))


@dataclass
class PredictionBars:
    """The moving parts of :func:`plot_predictions`: one bar and one label per person."""

    bars: list
    labels: list
    targets: np.ndarray  # each person's label, or nan for people never trained on


def plot_predictions(ax, y_pred, y, names, new_pred=(), new_names=()) -> PredictionBars:
    """The network's output for each person as a bar, their label as a black tick.

    ``y_pred, y: (n_people,)``; ``new_pred``: outputs for people it never
    trained on (``new_names``), drawn grey and hatched, without a label.
    Returns the artists that :func:`set_predictions` updates.
    """
    n, m = len(names), len(new_names)
    colors = [FEMALE if t == 1 else MALE for t in y] + [NEW] * m
    bars = list(ax.bar(range(n + m), np.zeros(n + m), color=colors, width=0.7))
    for bar in bars[n:]:
        bar.set_hatch("//")
        bar.set_edgecolor(TEXT)
    ax.plot(range(n), y, "_", color="black", ms=22, mew=2.5, zorder=4)
    ax.axhline(0.5, color=TEXT, lw=0.8, ls=":")
    if m:
        ax.axvline(n - 0.5, color=MUTED, lw=0.8)
    ax.set_xticks(range(n + m), list(names) + list(new_names))
    ax.set_ylim(-0.04, 1.14)
    ax.set_ylabel("$y_{pred}$")
    ax.set_title("output per person;\nblack tick: label (female = 1)", fontsize=10)
    labels = [ax.text(i, 0, "", ha="center", va="bottom", fontsize=8) for i in range(n + m)]
    targets = np.concatenate([np.asarray(y, float), np.full(m, np.nan)])
    artists = PredictionBars(bars, labels, targets)
    set_predictions(artists, np.concatenate([np.asarray(y_pred, float),
                                             np.asarray(new_pred, float)]))
    return artists


def set_predictions(artists: PredictionBars, values) -> None:
    """Set every bar's height (and its printed value) to ``values (n_people + n_new,)``."""
    for bar, label, target, v in zip(artists.bars, artists.labels, artists.targets, values,
                                     strict=True):
        bar.set_height(v)
        label.set_y(np.fmax(v, target) + 0.02)  # above the bar and its label tick
        label.set_text(f"{v:.3f}")


def describe_run(history, names, y_pred, new_names=(), new_pred=()) -> str:
    """:func:`plot_loss_curve` beside :func:`plot_predictions` in words (their alt text).

    ``history (epochs,)``: the loss after each epoch; ``y_pred (n,)`` and
    ``new_pred (m,)``: the outputs for ``names`` and ``new_names``.
    """
    history = np.asarray(history, dtype=float)
    outputs = ", ".join(f"{n} {float(v):.3f}" for n, v in
                        zip(list(names) + list(new_names),
                            list(y_pred) + list(new_pred), strict=True))
    return (f"Left: the MSE on a log scale over {len(history)} epochs, from "
            f"{history[0]:.4f} after the first to {history[-1]:.6f} after the last. "
            f"Right: one bar per person, the network's output: {outputs}.")


@dataclass
class PlayerArtists:
    """The moving parts of :func:`plot_player`."""

    line: object            # the loss curve
    dot: object             # the epoch on show
    bars: PredictionBars

    def animated(self) -> list:
        return [self.line, self.dot, *self.bars.bars, *self.bars.labels]


def plot_player(fig, y, names, new_names, epochs: int) -> PlayerArtists:
    """The training player's picture on ``fig``: the loss curve over ``epochs``
    epochs beside the outputs for ``names`` (labels ``y (n,)``) and ``new_names``.

    Two panels side by side when ``fig`` is wide, one above the other when it
    is narrow (taller than half its width). :func:`set_player` fills them.
    """
    stacked = fig.get_figheight() > 0.5 * fig.get_figwidth()
    ax_loss, ax_pred = fig.subplots(2, 1) if stacked else \
        fig.subplots(1, 2, width_ratios=[1, 1.2])
    if stacked:
        fig.subplots_adjust(left=0.14, right=0.97, top=0.93, bottom=0.07, hspace=0.5)
    else:
        fig.subplots_adjust(left=0.11, right=0.99, top=0.85, bottom=0.14, wspace=0.3)
    line = plot_loss_curve(ax_loss, epochs=epochs)
    dot, = ax_loss.plot([], [], "o", color=LINE, ms=5)
    bars = plot_predictions(ax_pred, np.zeros(len(names)), y, names,
                            np.zeros(len(new_names)), new_names)
    return PlayerArtists(line, dot, bars)


def set_player(artists: PlayerArtists, losses, predictions) -> None:
    """Show a run: ``losses (epoch + 1,)``, the MSE after each epoch from epoch 0
    (clipped to the axis), and the outputs now, ``predictions (n + n_new,)``."""
    epochs = np.arange(len(losses))
    clipped = np.clip(losses, *LOSS_LIMITS)
    artists.line.set_data(epochs, clipped)
    artists.dot.set_data([epochs[-1]], [clipped[-1]])
    set_predictions(artists.bars, predictions)
