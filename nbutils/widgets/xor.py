"""The live widgets of notebook 06 (the XOR problem).

- :class:`LineExplorer`: sliders for one neuron's line over the XOR square
  (it never gets 4 of 4 right).
- :class:`XorTrainer`: a 2-h-1 network's output and hidden maps as it trains.

The pictures are :func:`nbutils.plots.xor.plot_neuron_line` and
:func:`nbutils.plots.xor.plot_trainer`.
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np

from .. import live, losses, mlp
from ..data import xor
from ..network import copy_params, init_params
from ..plots import xor as plots
from . import base
from .play import PlayButton

MAX_HIDDEN = 4                # the trainer has room for this many hidden maps


class LineExplorer(base.Explorer):
    """One neuron over the XOR square: sliders for ``w1, w2, b``; at most 3 of 4 right."""

    def __init__(self, w=(4.0, 4.0), b=-2.0, resolution: int = 80):
        fig = live.new_figure(3.6, 3.4)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.12)
        self.artists = plots.plot_neuron_line(ax, resolution)
        self.resolution = resolution
        super().__init__(fig, self.artists.animated(), alt="One neuron's map.")
        self.sliders = {"w1": base.slider("w1", w[0], -5, 5, label="weight of x1"),
                        "w2": base.slider("w2", w[1], -5, 5, label="weight of x2"),
                        "b": base.slider("b", b, -5, 5, label="bias")}
        self.finish()

    def values(self):
        """The current ``w (2,)`` and ``b`` from the sliders."""
        s = {k: float(v.value) for k, v in self.sliders.items()}
        return np.array([s["w1"], s["w2"]]), s["b"]

    def update(self) -> None:
        w, b = self.values()
        self.right = plots.set_neuron_line(self.artists, w, b)
        X, _ = xor()
        marks = " ".join(f"({x1:g}, {x2:g}) {'✓' if ok else '✗'}"
                         for (x1, x2), ok in zip(X, self.right, strict=True))
        n_right = int(self.right.sum())
        self.show(f"line: ({w[0]:g}) x1 + ({w[1]:g}) x2 + ({b:g}) = 0<br>"
                  f"right: <b class='xor-right'>{n_right} of 4</b> &nbsp; "
                  f"{html.escape(marks)}",
                  f"The map of f({w[0]:g} x1 + {w[1]:g} x2 + {b:g}) over the square, blue "
                  f"near 0 and red near 1, and its line; {n_right} of 4 inputs right: "
                  f"{plots.marks(self.right)}.")


def line_explorer(w=(4.0, 4.0), b=-2.0) -> LineExplorer:
    """The single-neuron explorer of notebook 06; display the returned object."""
    return LineExplorer(w=w, b=b)


class XorTrainer(base.Explorer):
    """Train a 2-h-1 network on XOR and watch its maps change.

    The ``epoch`` slider (and the play button, which moves it) picks how far
    into the run to look; the run is trained as far as it is needed, and
    kept, so going back costs nothing. ``hidden units``, ``learning rate``
    and ``seed`` (in :attr:`settings`) start a new run and show its first
    epoch, saying so in the readout. One observer per control. The big map is the
    output over the input square, the small ones the hidden neurons, drawn
    with ``forward_fn`` (the student's ``forward``, notebook 06); below
    them, the loss of the epochs trained so far. Training is
    :func:`nbutils.mlp.descend`, the steps of :func:`nbutils.mlp.train_xor`.
    """

    def __init__(self, forward_fn: Callable, n_hidden: int = 2, lr: float = 2.0,
                 seed: int = 0, epochs: int = 2000, every: int = 20, resolution: int = 50):
        import ipywidgets as widgets

        forward, note = _usable(forward_fn)
        self.forward = forward
        self.X, self.y = xor()
        self.epochs, self.every, self.resolution = epochs, every, resolution
        fig = live.new_figure(6.8, 3.2)
        self.artists = plots.plot_trainer(fig, MAX_HIDDEN, resolution, epochs)
        super().__init__(fig, self.artists.animated(), alt="A network learning XOR.",
                         note=note)
        self.sliders = {"epoch": base.slider("epoch", epochs, 0, epochs, every, integer=True)}
        self.settings = {
            "hidden units": base.slider("hidden units", n_hidden, 1, MAX_HIDDEN, 1,
                                        integer=True),
            "learning rate": base.slider("learning rate", lr, 0.1, 10.0, 0.1),
            "seed": base.slider("seed", seed, 0, 99, 1, integer=True),
        }
        self.player = PlayButton(self._tick, tooltip="train on and show each epoch, or pause")
        self.message = ""
        self._new_run()
        self.finish([widgets.HBox([self.player.button, self.sliders["epoch"]]),
                     *self.settings.values()], below=True)
        flush_epoch = self.flush
        flush_settings = live.connect(list(self.settings.values()), self._on_settings)
        self.flush = lambda: (flush_settings(), flush_epoch())

    def run_settings(self) -> tuple[int, float, int]:
        """``(n_hidden, lr, seed)`` from the settings sliders."""
        return (int(self.settings["hidden units"].value),
                round(float(self.settings["learning rate"].value), 10),
                int(self.settings["seed"].value))

    # one observer per control
    def update(self) -> None:
        """The epoch slider moved: show that epoch, training the run as far as needed."""
        self.epoch = min(int(self.sliders["epoch"].value) // self.every * self.every,
                         self.epochs)
        self._train_to(self.epoch)
        self._draw(self.snapshots[self.epoch // self.every])

    def _on_settings(self) -> None:
        """A setting moved: a new run, shown at its first epoch."""
        if self.run_settings() == self.trained_for:
            return  # the browser's slider echoed the value back, snapped to its grid
        self.player.pause()
        self._new_run()
        self.message = (f"A new run: {self.trained_for[0]} hidden units, learning rate "
                        f"{self.trained_for[1]:g}, seed {self.trained_for[2]}. It starts at "
                        "epoch 0; press play or move the epoch slider to train it.")
        if self.sliders["epoch"].value != 0:
            self.sliders["epoch"].value = 0   # its observer shows the new run
            self.flush()
        else:
            self.update()

    def _tick(self) -> bool:
        """One frame of play: the epoch slider ``every`` epochs on (from 0 at the end)."""
        slider = self.sliders["epoch"]
        slider.value = 0 if slider.value >= self.epochs else \
            min(self.epochs, slider.value + self.every)
        self.flush()
        return slider.value < self.epochs

    # the run
    def _new_run(self) -> None:
        """Start the run for the current settings: its start, nothing trained yet."""
        n_hidden, lr, seed = self.run_settings()
        start = init_params(np.random.default_rng(seed), 2, n_hidden)
        self.snapshots = [copy_params(start)]    # snapshots[k]: params after k * every epochs
        self.losses = np.empty(0)                # the MSE before each epoch trained so far
        self.trained_for = (n_hidden, lr, seed)

    def _train_to(self, epoch: int) -> None:
        """Train the run on until it has a snapshot at ``epoch`` (a multiple of ``every``)."""
        lr = self.trained_for[1]
        while (len(self.snapshots) - 1) * self.every < epoch:
            params, run = mlp.descend(self.X, self.y, self.snapshots[-1], lr, self.every)
            self.snapshots.append(params)
            self.losses = np.concatenate([self.losses, run])

    def _draw(self, params: dict) -> None:
        """Show the network ``params`` at ``self.epoch``: maps, loss curve, readout."""
        out, H = plots.network_maps(params, self.forward, self.resolution)
        self.y_pred = np.asarray(self.forward(self.X, params)[0], dtype=float)
        self.loss = losses.mse_loss(self.y, self.y_pred)
        self.solved = bool(mlp.solved(self.y_pred, self.y))
        plots.set_trainer(self.artists, out, H, self.losses, self.epoch, self.loss)
        outputs = " ".join(f"{v:.3f}" for v in self.y_pred)
        verdict = "learned XOR ✓" if self.solved else "not XOR (yet) ✗"
        message = f"<br>{html.escape(self.message)}" if self.message else ""
        self.message = ""
        self.show(f"epoch <b class='xor-epoch'>{self.epoch}</b> &nbsp; "
                  f"loss <b class='xor-loss'>{self.loss:.5f}</b> &nbsp; "
                  f"outputs for (0,0) (0,1) (1,0) (1,1): <b class='xor-outputs'>{outputs}</b>"
                  f" &nbsp; <b class='xor-verdict'>{verdict}</b>{message}",
                  f"At epoch {self.epoch}: the output map over the input square and "
                  f"{len(H)} hidden maps (blue near 0, red near 1); outputs {outputs}, "
                  f"loss {self.loss:.5f}, {verdict[:-2]}. Below, the loss over the "
                  f"{len(self.losses)} epochs trained so far.")


def _usable(forward_fn: Callable):
    """``forward_fn`` if it returns ``(y_pred (n,), cache with "H")``, else the reference."""
    def probe():
        X, _ = xor()
        y_pred, cache = forward_fn(X, mlp.study_sleep_params())
        ok = (np.asarray(y_pred, dtype=float).shape == (4,)
              and np.asarray(cache["H"], dtype=float).shape == (4, 3))
        if not ok:
            raise ValueError("y_pred should have shape (n,) and cache['H'] shape (n, h)")

    return base.student_or_reference(
        forward_fn, mlp.forward, probe, "does not work yet",
        "the maps are drawn with the course's forward until it does")


def xor_trainer(forward_fn: Callable, n_hidden: int = 2, lr: float = 2.0, seed: int = 0,
                epochs: int = 2000) -> XorTrainer:
    """The training widget of notebook 06; display the returned object."""
    return XorTrainer(forward_fn, n_hidden=n_hidden, lr=lr, seed=seed, epochs=epochs)
