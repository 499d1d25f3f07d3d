"""The live training player of notebook 05 (stochastic gradient descent).

:class:`TrainingPlayer` runs the student's ``train`` on the four people a
few epochs at a time and shows the loss curve and every prediction
(:func:`nbutils.plots.sgd.plot_player`). Settings (seed, the reset button)
start the run again; play, "+1 epoch" and the learning rate move it on.
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np

from .. import data, live, losses, training
from ..network import copy_params, feedforward_batch, init_params
from ..plots import sgd as plots
from . import base
from .play import PlayButton

RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def readout_html(epoch: int, epochs: int, lr: float, loss: float, names, values) -> str:
    """The player's printed lines: epoch, learning rate, loss and every prediction."""
    people = " &nbsp; ".join(f"{html.escape(n)} <b>{v:.4f}</b>"
                             for n, v in zip(names, values, strict=True))
    return (f"epoch <b class='nn-epoch'>{epoch}</b> of {epochs} &nbsp; lr = {lr:g} &nbsp; "
            f"MSE = <b class='nn-loss'>{loss:.6f}</b><br>{people}")


def alt_text(epoch: int, epochs: int, loss: float, names, values) -> str:
    """What the player's picture shows, in words."""
    people = ", ".join(f"{n} {v:.2f}" for n, v in zip(names, values, strict=True))
    return (f"Left: the MSE on a log scale over epochs 0 to {epoch} of {epochs}, now "
            f"{loss:.6f}. Right: one bar per person, the network's output: {people}.")


class TrainingPlayer(base.Explorer):
    """A training run of the 2-2-1 network on the four people, to play and pause.

    ``train_fn(X, y, params, lr, epochs, rng) -> (params, loss_history)``: the
    student's ``train`` (notebook 05). The start is ``init_params(rng)`` with
    ``rng = np.random.default_rng(seed)``, and the same ``rng`` then shuffles
    the epochs, as the notebook does. The player calls ``train_fn`` for a few
    epochs at a time (``epochs_per_frame``); the learning rate chosen applies
    from the next call on. If ``train_fn`` does not work yet, the player says
    so and trains with the course's reference instead.
    """

    def __init__(self, train_fn: Callable, lr: float = 0.1, epochs: int = 1000,
                 seed: int = 0, epochs_per_frame: int = 10):
        import ipywidgets as widgets

        self.X, self.y, self.names = data.people()
        self.X_new, self.new_names = data.new_people()
        self.epochs, self.epochs_per_frame = epochs, epochs_per_frame
        self.train_fn, note = _usable(train_fn, self.X, self.y)
        fig = live.new_figure(6.8, 3.3)
        self.artists = plots.plot_player(fig, self.y, self.names, self.new_names, epochs)
        super().__init__(fig, self.artists.animated(), alt="A training run.", note=note)
        self.sliders = {"seed": base.slider("seed", seed, 0, 99, 1, integer=True)}
        rates = sorted(set(RATES) | {float(lr)})
        self.choices = {"lr": base.choice("lr", [(f"{r:g}", r) for r in rates], float(lr),
                                          label="learning rate")}
        self.choices["lr"].observe(lambda _c: self._draw(), names="value")
        self.player = PlayButton(lambda: self.step(self.epochs_per_frame),
                                 tooltip="train on, a few epochs per frame, or pause")
        self.step_button = widgets.Button(description="+1 epoch", tooltip="train one epoch",
                                          layout=widgets.Layout(width="auto"))
        self.reset_button = widgets.Button(description="reset", tooltip="back to epoch 0",
                                           layout=widgets.Layout(width="auto"))
        self.step_button.on_click(lambda _b: self.step(1))
        self.reset_button.on_click(lambda _b: self.restart())
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, description="epoch")
        self.progress_text = widgets.Label()
        self.seed = None
        self.failed = False
        self.finish([widgets.HBox([self.player.button, self.step_button, self.reset_button]),
                     widgets.HBox([self.progress, self.progress_text]),
                     self.choices["lr"], self.sliders["seed"]])

    # --- the training run -------------------------------------------------
    def update(self) -> None:
        """The seed slider moved: start again from its start (and draw)."""
        if self.sliders["seed"].value != self.seed:
            self.restart()

    def restart(self) -> None:
        """Stop playing and go back to epoch 0, from the start the seed picks."""
        self.player.pause()
        self.seed = self.sliders["seed"].value
        self.rng = np.random.default_rng(self.seed)
        self.start = init_params(self.rng)
        self.params = copy_params(self.start)
        self.epoch = 0
        self.failed = False
        self.losses = [self.loss()]          # losses[k]: the MSE after epoch k
        self._draw()

    def step(self, n_epochs: int = 1) -> bool:
        """Train ``n_epochs`` more epochs (no further than ``epochs``) and redraw.

        Returns whether the run can go on (the play button's ``tick``).
        """
        n_epochs = min(int(n_epochs), self.epochs - self.epoch)
        if n_epochs <= 0 or self.failed:
            return False
        lr = float(self.choices["lr"].value)
        try:
            params, history = self.train_fn(self.X, self.y, self.params, lr, n_epochs,
                                            self.rng)
            history = [float(v) for v in np.asarray(history, dtype=float).ravel()]
            if len(history) != n_epochs:
                raise ValueError(f"its loss history has length {len(history)} for "
                                 f"{n_epochs} epochs")
        except Exception as exc:
            self.failed = True
            self.readout.value = base.note_html(
                f"Training stopped: {type(exc).__name__}: {exc}")
            return False
        self.params = params
        self.losses.extend(history)
        self.epoch += n_epochs
        self._draw()
        return self.epoch < self.epochs

    def loss(self) -> float:
        return losses.mse_loss(self.y, feedforward_batch(self.X, self.params))

    def predictions(self) -> np.ndarray:
        """The outputs for the four people, then for Emily and Frank: ``(6,)``."""
        return np.concatenate([feedforward_batch(self.X, self.params),
                               feedforward_batch(self.X_new, self.params)])

    # --- drawing ----------------------------------------------------------
    def _draw(self) -> None:
        """Redraw the loss curve, the bars, the progress and the readout."""
        values = self.predictions()
        plots.set_player(self.artists, self.losses, values)
        self.progress.value = self.epoch
        self.progress_text.value = f"epoch {self.epoch} of {self.epochs}"
        names = list(self.names) + list(self.new_names)
        self.show(readout_html(self.epoch, self.epochs, float(self.choices["lr"].value),
                               self.losses[-1], names, values),
                  alt_text(self.epoch, self.epochs, self.losses[-1], names, values))


def _usable(train_fn: Callable, X, y):
    """``train_fn`` if a two-epoch trial run works, else the reference and a note."""
    def probe():
        params, history = train_fn(X, y, init_params(np.random.default_rng(0)), 0.1, 2,
                                   np.random.default_rng(0))
        history = np.asarray(history, dtype=float)
        if history.shape != (2,) or not np.all(np.isfinite(history)):
            raise ValueError("it should return one finite loss per epoch")
        feedforward_batch(X, params)

    return base.student_or_reference(train_fn, training.train, probe, "does not work yet",
                                     "the player trains with the course's train until it does")


def training_player(train_fn: Callable, lr: float = 0.1, epochs: int = 1000, seed: int = 0,
                    epochs_per_frame: int = 10) -> TrainingPlayer:
    """The live training player of notebook 05; display the returned object."""
    return TrainingPlayer(train_fn, lr=lr, epochs=epochs, seed=seed,
                          epochs_per_frame=epochs_per_frame)

