"""The live explorers of notebook 03 (the mean squared error loss).

:class:`PredictionExplorer`: one slider per person's prediction; bars show
the squared errors and the MSE. :class:`WeightLossExplorer`: one parameter
of the 2-2-1 network on a slider, the loss as a curve over that parameter;
the loss function is passed in, so it shows the student's own ``mse_loss``.
Both draw with :mod:`nbutils.plots.mse_loss`.
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np

from .. import live
from ..losses import mse_loss as _reference_mse_loss
from ..network import NAMES, WHERE, copy_params, feedforward_batch
from ..plots import mse_loss as plots
from .base import Explorer, choice, slider, student_or_reference


def predictions_html(names, y_true, y_pred, sq, mse: float) -> str:
    """The prediction explorer's readout: a small table and the MSE, worked out."""
    cell = "style='padding:0 10px;text-align:right'"
    rows = "".join(
        f"<tr><td {cell}>{html.escape(n)}</td><td {cell}>{t:g}</td><td {cell}>{p:.2f}</td>"
        f"<td {cell}>{t - p:+.2f}</td><td {cell}>{s:.4f}</td></tr>"
        for n, t, p, s in zip(names, y_true, y_pred, sq, strict=True))
    head = "".join(f"<th {cell} scope='col'>{h}</th>" for h in
                   ("name", "y_true", "y_pred", "error", "squared error"))
    terms = " + ".join(f"{s:.4f}" for s in sq)
    return (f"<table><tr>{head}</tr>{rows}</table>"
            f"MSE = ({terms}) / {len(sq)} = <b class='nn-mse'>{mse:.10f}</b>")


class PredictionExplorer(Explorer):
    """One slider per person's prediction; bars show the squared errors and the MSE.

    ``y_true: (n_samples,)``, ``names``: one per sample, ``y_pred``: the
    starting predictions (default all 0).
    """

    def __init__(self, y_true, names, y_pred=None):
        self.y_true = np.asarray(y_true, dtype=float)
        self.names = list(names)
        start = np.zeros(len(self.y_true)) if y_pred is None else np.asarray(y_pred, float)
        fig = live.new_figure(8.0, 3.2)
        ax_pred, ax_err = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.06, right=0.98, top=0.9, bottom=0.1, wspace=0.2)
        self.artists = plots.plot_loss_panels(ax_pred, ax_err, self.y_true, self.names, start)
        super().__init__(fig, self.artists.animated(), alt=plots.describe_predictions(
            self.names, self.y_true, start, float(np.mean((self.y_true - start) ** 2))))
        self.sliders = {name: slider(name, p, 0.0, 1.0, step=0.01,
                                     label=f"prediction for {name}")
                        for name, p in zip(self.names, start, strict=True)}
        self.finish(controls=[self.group("predictions", self.names)])

    def values(self) -> np.ndarray:
        """The current predictions ``y_pred (n_samples,)`` from the sliders."""
        return np.array([self.sliders[name].value for name in self.names], dtype=float)

    def update(self) -> None:
        self.y_pred = self.values()
        self.squared_errors, self.mse = plots.set_predictions(self.artists, self.y_true,
                                                              self.y_pred)
        self.show(predictions_html(self.names, self.y_true, self.y_pred,
                                   self.squared_errors, self.mse),
                  plots.describe_predictions(self.names, self.y_true, self.y_pred, self.mse))


def prediction_explorer(y_true, names, y_pred=None) -> PredictionExplorer:
    """The first explorer of notebook 03; display the returned object."""
    return PredictionExplorer(y_true, names, y_pred)


class WeightLossExplorer(Explorer):
    """One parameter of the 2-2-1 network on a slider; the loss over it as a curve.

    ``loss_fn(y_true, y_pred)``: the loss to show (the student's ``mse_loss``);
    if it does not work, the course's reference is shown with a note.
    ``X: (n_samples, 2)``, ``y_true: (n_samples,)``, ``params``: the network;
    a choice of buttons picks which of its nine parameters (the tutorial's
    names w1 ... w6, b1, b2, b3) the slider moves.
    """

    def __init__(self, loss_fn: Callable, X, y_true, names, params: dict,
                 name: str = "w5", limit: float = plots.P_LIMIT):
        loss_fn, note = _usable(loss_fn)
        self.loss_fn = loss_fn
        self.X = np.asarray(X, dtype=float)
        self.y_true = np.asarray(y_true, dtype=float)
        self.names = list(names)
        self.params = copy_params(params)
        self.name = name
        self.grid = np.linspace(-limit, limit, 241)
        fig = live.new_figure(8.0, 3.2)
        self.ax_loss, ax_pred = fig.subplots(1, 2, width_ratios=(1.3, 1))
        fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.16, wspace=0.22)
        self.curve = plots.loss_curve(loss_fn, self.X, self.y_true, self.params, name,
                                      self.grid)
        self.loss = float(loss_fn(self.y_true, feedforward_batch(self.X, self.params)))
        self.artists = plots.plot_loss_curve(self.ax_loss, self.grid, self.curve, name,
                                             self.base_value(), self.loss)
        self.ax_loss.set_title("the loss over one parameter", fontsize=10)
        self.pred_bars = plots.plot_predictions(ax_pred, self.y_true, self.names)
        ax_pred.set_title("predictions (bars) and truth (lines)", fontsize=10)
        a = self.artists
        super().__init__(fig, [a.curve, a.vline, a.point] + self.pred_bars, note=note,
                         alt="The loss over one parameter of the network.")
        self.choices = {"parameter": choice("parameter", list(NAMES), value=name,
                                            label="which parameter the slider moves")}
        self.sliders = {"value": slider("value", self.base_value(), -limit, limit,
                                        label="the chosen parameter's value")}
        self.choices["parameter"].observe(self._on_choice, names="value")
        self.finish()

    def base_value(self) -> float:
        """The chosen parameter's value in the network we started from."""
        key, idx = WHERE[self.name]
        return float(self.params[key][idx])

    def _on_choice(self, change) -> None:
        """Another parameter: its curve, and the slider back to its value in the network."""
        self.name = change["new"]
        self.curve = plots.loss_curve(self.loss_fn, self.X, self.y_true, self.params,
                                      self.name, self.grid)
        plots.set_curve(self.ax_loss, self.artists, self.grid, self.curve, self.name)
        self.live.refresh_background()
        value = self.sliders["value"]
        if value.value != self.base_value():
            value.value = self.base_value()  # the slider's observer redraws
        else:
            self.update()

    def update(self) -> None:
        value = float(self.sliders["value"].value)
        self.y_pred = feedforward_batch(self.X, plots.with_value(self.params, self.name,
                                                                 value))
        self.loss = float(self.loss_fn(self.y_true, self.y_pred))
        plots.mark_value(self.artists, value, self.loss)
        plots.set_bars(self.pred_bars, self.y_pred)
        preds = ", ".join(f"{html.escape(n)} {p:.3f}"
                          for n, p in zip(self.names, self.y_pred, strict=True))
        self.show(f"{self.name} = {value:.1f} (the other eight as in the network)<br>"
                  f"predictions: {preds}<br>loss = <b class='nn-loss'>{self.loss:.10f}</b>",
                  plots.describe_curve(self.name, value, self.loss, self.grid, self.curve))


def _usable(loss_fn: Callable):
    """``loss_fn`` if it gives the right number on a small example, else the reference."""
    def probe():
        got = float(loss_fn(np.array([1.0, 0.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.4, 0.3])))
        want = float(_reference_mse_loss(np.array([1.0, 0.0, 0.0, 1.0]),
                                         np.array([0.9, 0.2, 0.4, 0.3])))
        if not np.isclose(got, want, rtol=1e-9, atol=0.0):
            raise ValueError(f"it gives {got:.6g} for an example whose MSE is {want:.6g}")

    return student_or_reference(loss_fn, _reference_mse_loss, probe, "does not work yet",
                                "the explorer shows the course's mse_loss until it does")


def weight_explorer(loss_fn: Callable, X, y_true, names, params: dict,
                    name: str = "w5") -> WeightLossExplorer:
    """The second explorer of notebook 03; display the returned object."""
    return WeightLossExplorer(loss_fn, X, y_true, names, params, name=name)
