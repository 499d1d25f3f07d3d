"""Pictures and the live training player of notebook 05 (stochastic gradient descent).

Pure plotting functions draw on an ``ax`` they are given and return the
artists that move; ``set_*`` functions move them. ``TrainingPlayer`` ties a
play/pause control, step and reset buttons, a learning-rate slider and a
seed slider to a training run of the 2-2-1 network on the four people,
through :mod:`nbutils.live`. The training function is passed in, so the
player runs the student's own ``train``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import data, live
from ..network import copy_params, forward, init_params
from . import student_or_reference

LOSS_LIMITS = (1e-5, 1.0)       # the loss axis (log scale)
FEMALE, MALE = "#c05621", "#2b6cb0"


def plot_descent_1d(ax, loss_of: Callable[[float], float], path, lo: float, hi: float,
                    name: str = "w", color: str = "#c05621", label: str | None = None):
    """A loss as a function of one parameter, and the steps gradient descent took.

    ``loss_of``: the loss for one value of the parameter; ``path``: the values
    the parameter took, step after step; ``[lo, hi]``: the range to draw.
    """
    grid = np.linspace(lo, hi, 300)
    ax.plot(grid, [loss_of(v) for v in grid], color="#4a5568", lw=1.8)
    path = np.asarray(path, dtype=float)
    heights = np.array([loss_of(v) for v in path])
    ax.plot(path, heights, "o", color=color, ms=6, zorder=5, label=label)
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


def plot_gradients(ax, named_grads: dict, title: str = ""):
    """The partial derivatives of the loss for the nine named parameters, as bars."""
    names = list(named_grads)
    values = np.array([named_grads[n] for n in names], dtype=float)
    colors = [FEMALE if v < 0 else MALE for v in values]
    ax.bar(range(len(names)), values, color=colors)
    ax.axhline(0, color="#4a5568", lw=0.8)
    ax.set_xticks(range(len(names)), [f"${n[0]}_{n[1:]}$" for n in names])
    ax.set_ylabel(r"$\partial L / \partial p$")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.25)
    return ax


def plot_loss_curve(ax, history=(), start_loss: float | None = None,
                    epochs: int | None = None, color: str = "#2b6cb0"):
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
    ax.set_title("MSE over the data set, after each epoch", fontsize=9)
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
    trained on (``new_names``), drawn hatched, without a label. Returns the
    artists that :func:`set_predictions` updates.
    """
    n, m = len(names), len(new_names)
    colors = [FEMALE if t == 1 else MALE for t in y] + ["#cbd5e0"] * m
    bars = list(ax.bar(range(n + m), np.zeros(n + m), color=colors, width=0.7))
    for bar in bars[n:]:
        bar.set_hatch("//")
        bar.set_edgecolor("#4a5568")
    ax.plot(range(n), y, "_", color="black", ms=22, mew=2.5, zorder=4)
    ax.axhline(0.5, color="#4a5568", lw=0.8, ls=":")
    if m:
        ax.axvline(n - 0.5, color="#a0aec0", lw=0.8)
    ax.set_xticks(range(n + m), list(names) + list(new_names))
    ax.set_ylim(-0.04, 1.14)
    ax.set_ylabel("$y_{pred}$")
    ax.set_title("output per person; black tick: label (female = 1)", fontsize=9)
    labels = [ax.text(i, 0, "", ha="center", va="bottom", fontsize=8) for i in range(n + m)]
    targets = np.concatenate([np.asarray(y, float), np.full(m, np.nan)])
    artists = PredictionBars(bars, labels, targets)
    set_predictions(artists, np.concatenate([np.asarray(y_pred, float),
                                             np.asarray(new_pred, float)]))
    return artists


def set_predictions(artists: PredictionBars, values) -> None:
    """Set every bar's height (and its printed value) to ``values``."""
    for bar, label, target, v in zip(artists.bars, artists.labels, artists.targets, values,
                                     strict=True):
        bar.set_height(v)
        label.set_y(np.fmax(v, target) + 0.02)  # above the bar and its label tick
        label.set_text(f"{v:.3f}")


def readout_html(epoch: int, epochs: int, lr: float, loss: float,
                 names, values) -> str:
    """The player's printed lines: epoch, learning rate, loss and every prediction."""
    people = " &nbsp; ".join(f"{html.escape(n)} <b>{v:.4f}</b>"
                             for n, v in zip(names, values, strict=True))
    return (
        "<div style='font-family:monospace;font-size:13px'>"
        f"epoch <b class='nn-epoch'>{epoch}</b> of {epochs} &nbsp; lr = {lr:.3g} &nbsp; "
        f"MSE = <b class='nn-loss'>{loss:.6f}</b><br>{people}</div>"
    )


class TrainingPlayer:
    """A training run of the 2-2-1 network on the four people, to play and pause.

    ``train_fn(X, y, params, lr, epochs, rng) -> (params, loss_history)``: the
    student's ``train``. The start is ``init_params(rng)`` with
    ``rng = np.random.default_rng(seed)``, and the same ``rng`` then shuffles
    the epochs, as the notebook does. The player calls ``train_fn`` for a few
    epochs at a time (``epochs_per_frame``); the learning rate read from its
    slider applies from the next call on. If ``train_fn`` does not work yet,
    the player says so and trains with the course's reference instead.
    """

    def __init__(self, train_fn: Callable, lr: float = 0.1, epochs: int = 1000,
                 seed: int = 0, epochs_per_frame: int = 10):
        import ipywidgets as widgets

        self.X, self.y, self.names = data.people()
        self.X_new, self.new_names = data.new_people()
        self.epochs = epochs
        self.train_fn, self.note = _usable(train_fn, self.X, self.y)

        self.fig = live.new_figure(9.2, 3.3)
        ax_loss, ax_pred = self.fig.subplots(1, 2, width_ratios=[1.3, 1])
        self.fig.subplots_adjust(left=0.08, right=0.98, top=0.91, bottom=0.15, wspace=0.28)
        self.line = plot_loss_curve(ax_loss, epochs=epochs)
        self.dot, = ax_loss.plot([], [], "o", color="#2b6cb0", ms=5)
        n_people = len(self.names)
        self.bars = plot_predictions(ax_pred, np.zeros(n_people), self.y, self.names,
                                     np.zeros(len(self.new_names)), self.new_names)
        self.live = live.LiveFigure(
            self.fig, [self.line, self.dot, *self.bars.bars, *self.bars.labels])

        self.sliders = {
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=2, step=0.1,
                                         description="lr", readout_format=".3g"),
            "seed": widgets.IntSlider(value=seed, min=0, max=99, description="seed"),
        }
        self.play = widgets.Play(value=0, min=0, max=epochs, step=epochs_per_frame,
                                 interval=80, description="train", show_repeat=False)
        self.step_button = widgets.Button(description="+1 epoch",
                                          layout=widgets.Layout(width="90px"))
        self.reset_button = widgets.Button(description="reset",
                                           layout=widgets.Layout(width="70px"))
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, description="epoch")
        self.progress_text = widgets.Label()
        self.readout = widgets.HTML()

        self.reset()
        live.connect([self.play], self._follow_play)
        live.connect([self.sliders["seed"]], self._follow_seed)
        live.connect([self.sliders["lr"]], self._show_numbers)
        self.step_button.on_click(lambda _b: self.step(1))
        self.reset_button.on_click(lambda _b: self.restart())

        note = [widgets.HTML(f"<p style='color:#c05621'>{html.escape(self.note)}</p>")] \
            if self.note else []
        controls = widgets.HBox([self.play, self.step_button, self.reset_button,
                                 self.progress, self.progress_text])
        self.box = widgets.VBox(note + [controls,
                                        widgets.HBox(list(self.sliders.values())),
                                        self.live.widget, self.readout])

    # --- the training run -------------------------------------------------
    def reset(self) -> None:
        """Back to epoch 0, from the start that the seed slider picks."""
        self.seed = self.sliders["seed"].value
        self.rng = np.random.default_rng(self.seed)
        self.start = init_params(self.rng)
        self.params = copy_params(self.start)
        self.epoch = 0
        self.losses = [self.loss()]          # losses[k]: the MSE after epoch k
        self.update()
        self.play.value = 0

    def restart(self) -> None:
        """Stop playing and go back to epoch 0 (the reset button, a new seed)."""
        self.play.playing = False
        self.reset()

    def step(self, n_epochs: int = 1) -> None:
        """Train ``n_epochs`` more epochs (no further than ``epochs``) and redraw."""
        n_epochs = min(int(n_epochs), self.epochs - self.epoch)
        if n_epochs <= 0:
            return
        lr = float(self.sliders["lr"].value)
        try:
            params, history = self.train_fn(self.X, self.y, self.params, lr, n_epochs,
                                            self.rng)
            history = [float(v) for v in np.asarray(history, dtype=float).ravel()]
            if len(history) != n_epochs:
                raise ValueError(f"its loss history has length {len(history)} for "
                                 f"{n_epochs} epochs")
        except Exception as exc:
            self.play.playing = False
            self.note = f"Training stopped: {type(exc).__name__}: {exc}"
            self.readout.value = f"<p style='color:#c05621'>{html.escape(self.note)}</p>"
            return
        self.params = params
        self.losses.extend(history)
        self.epoch += n_epochs
        self.update()
        self.play.value = self.epoch  # keeps play in step; _follow_play has nothing to do

    def flush(self) -> None:
        """Bring the run in line with the controls now, without waiting for the
        kernel's event loop (the updates tied to the controls do the same later,
        and then find nothing left to do)."""
        self._follow_seed()
        self._follow_play()
        self._show_numbers()

    def _follow_seed(self) -> None:
        if self.sliders["seed"].value != self.seed:
            self.restart()

    def _follow_play(self) -> None:
        target = int(self.play.value)
        if target < self.epoch:  # the stop button, or a jump back: start again
            self.reset()
        if target > self.epoch:
            self.step(target - self.epoch)

    def loss(self) -> float:
        return float(np.mean((self.y - forward(self.X, self.params)) ** 2))

    def predictions(self) -> np.ndarray:
        """The outputs for the four people, then for Emily and Frank."""
        return np.concatenate([forward(self.X, self.params), forward(self.X_new, self.params)])

    # --- drawing ----------------------------------------------------------
    def update(self) -> None:
        """Redraw the loss curve, the bars, the progress and the readout."""
        epochs = np.arange(len(self.losses))
        clipped = np.clip(self.losses, *LOSS_LIMITS)
        self.line.set_data(epochs, clipped)
        self.dot.set_data([epochs[-1]], [clipped[-1]])
        set_predictions(self.bars, self.predictions())
        self.progress.value = self.epoch
        self.progress_text.value = f"epoch {self.epoch} of {self.epochs}"
        self._show_numbers()
        self.live.refresh()

    def _show_numbers(self) -> None:
        self.readout.value = readout_html(
            self.epoch, self.epochs, float(self.sliders["lr"].value), self.losses[-1],
            list(self.names) + list(self.new_names), self.predictions())

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def _usable(train_fn: Callable, X, y):
    """``train_fn`` if a two-epoch trial run works, else the reference and a note."""
    from ..training import train as reference

    def probe():
        params, history = train_fn(X, y, init_params(np.random.default_rng(0)), 0.1, 2,
                                   np.random.default_rng(0))
        history = np.asarray(history, dtype=float)
        if history.shape != (2,) or not np.all(np.isfinite(history)):
            raise ValueError("it should return one finite loss per epoch")
        forward(X, params)

    return student_or_reference(train_fn, reference, probe, "does not work yet",
                                "the player trains with the course's train until it does")


def training_player(train_fn: Callable, lr: float = 0.1, epochs: int = 1000, seed: int = 0,
                    epochs_per_frame: int = 10) -> TrainingPlayer:
    """The live training player of notebook 05; display the returned object."""
    return TrainingPlayer(train_fn, lr=lr, epochs=epochs, seed=seed,
                          epochs_per_frame=epochs_per_frame)


def example_widget() -> TrainingPlayer:
    """The player exactly as notebook 05 shows it (with the reference ``train``).

    Nothing is trained until it is stepped or played.
    """
    from ..training import train

    return TrainingPlayer(train, lr=0.1, epochs=1000, seed=0, epochs_per_frame=10)
