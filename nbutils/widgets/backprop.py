"""The live explorer of notebook 04 (backpropagation, checked numerically).

:class:`LossSliceExplorer` shows the loss along one chosen parameter, the
current point, the tangent whose slope is the student's backprop derivative,
and where one gradient step lands; the pictures are
:func:`nbutils.plots.backprop.plot_loss_along` and
:func:`~nbutils.plots.backprop.mark_slice`.
"""

from __future__ import annotations

import html
from typing import Callable

import numpy as np

from .. import data, gradients, live, losses, network
from ..plots import backprop as plots
from . import base

ONES = dict(w1=1.0, w2=1.0, w3=1.0, w4=1.0, w5=1.0, w6=1.0, b1=0.0, b2=0.0, b3=0.0)
DATA = ("Alice", "all four")


def readout_html(name: str, data_name: str, value: float, loss: float, slope: float,
                 lr: float, next_value: float) -> str:
    """The explorer's printed lines: the loss, the slope and the next step."""
    who = "Alice alone" if data_name == "Alice" else "MSE over all four people"
    sign = "-" if lr * slope >= 0 else "+"
    return (
        f"L = <b class='nn-loss'>{loss:.10f}</b> at {name} = {value:.4f} "
        f"({html.escape(who)})<br>"
        f"dL/d{name} from backprop (the dashed line's slope): "
        f"<b class='nn-slope'>{slope:.10f}</b><br>"
        f"one step: {name} &larr; {value:.4f} {sign} {lr:g} &times; {abs(slope):.10f} = "
        f"<b class='nn-next'>{next_value:.10f}</b>"
    )


def alt_text(name: str, data_name: str, value: float, loss: float, slope: float,
             next_value: float) -> str:
    """What the explorer's picture shows, in words."""
    who = "Alice's loss" if data_name == "Alice" else "the MSE over all four people"
    return (f"A curve: {who} as {name} goes from {-plots.VALUE_LIMIT:g} to "
            f"{plots.VALUE_LIMIT:g}, the other eight parameters held. A dot at {name} = "
            f"{value:.4f}, loss {loss:.6f}, with a dashed tangent of slope {slope:.6f}; a "
            f"hollow circle where one gradient step lands, {name} = {next_value:.6f}.")


class LossSliceExplorer(base.Explorer):
    """The loss along one parameter, its tangent from backprop, and gradient steps.

    ``backprop_fn(x, y_true, params) -> grads`` (the student's, notebook 04).
    If it raises or returns something unusable, the explorer says so and uses
    the course's reference instead. Choices: ``data`` (Alice alone or the MSE
    over all four people), ``parameter`` (which of the nine). Sliders:
    ``value`` (the chosen parameter's value; the other eight are held) and
    ``lr``. Buttons: ``step`` (one gradient step on the chosen parameter) and
    ``reset``. One observer per control.
    """

    def __init__(self, backprop_fn: Callable, params: dict | None = None, param: str = "w1",
                 data_name: str = "Alice", lr: float = 0.1):
        import ipywidgets as widgets

        fn, note = _usable(backprop_fn)
        self.backprop_fn = fn
        self.start = network.copy_params(params if params is not None
                                         else network.from_named(**ONES))
        self.values = network.named(self.start)
        self.X, self.y, _ = data.people()
        self.param, self.data_name = param, data_name
        self.grid = np.linspace(-plots.VALUE_LIMIT, plots.VALUE_LIMIT, 241)
        fig = live.new_figure(6.4, 3.4)
        self.ax = fig.add_subplot()
        fig.subplots_adjust(left=0.12, right=0.97, top=0.95, bottom=0.15)
        # the first curve is drawn before the LiveFigure caches its background
        self.artists = plots.plot_loss_along(self.ax, self.grid, self._curve(), param)
        super().__init__(fig, [self.artists.tangent, self.artists.next_point,
                               self.artists.point], alt="The loss along one parameter.",
                         note=note)
        self.choices = {"data": base.choice("data", DATA, data_name,
                                            label="the loss of Alice alone, or of all four"),
                        "parameter": base.choice("parameter", network.NAMES, param,
                                                 label="the parameter to move")}
        self.choices["data"].observe(self._on_data, names="value")
        self.choices["parameter"].observe(self._on_parameter, names="value")
        self.sliders = {
            "value": base.slider("value", self.values[param], -plots.VALUE_LIMIT,
                                 plots.VALUE_LIMIT, 0.01, label="the chosen parameter's value"),
            "lr": base.slider("lr", lr, 0.0, 20.0, 0.1, label="learning rate"),
        }
        self.buttons = {"step": widgets.Button(description="gradient step",
                                               button_style="primary",
                                               tooltip="value ← value − lr × slope"),
                        "reset": widgets.Button(description="reset",
                                                tooltip="back to the starting parameters")}
        self.buttons["step"].on_click(lambda _b: self.step())
        self.buttons["reset"].on_click(lambda _b: self.reset())
        self.finish([*self.choices.values(), *self.sliders.values(),
                     widgets.HBox(list(self.buttons.values()))])

    # the math, for the current state
    def params(self) -> dict:
        """The nine current values as a params dict."""
        return network.from_named(**self.values)

    def loss(self, params: dict) -> float:
        """Alice's squared error, or the MSE over the four people, at ``params``."""
        if self.data_name == "Alice":
            return float(gradients.sample_loss(self.X[0], self.y[0], params))
        return losses.mse_loss(self.y, network.feedforward_batch(self.X, params))

    def slope(self, params: dict) -> float:
        """dL/d(chosen parameter) from the backprop: one sample, or the mean of four."""
        key, idx = network.WHERE[self.param]
        rows = [0] if self.data_name == "Alice" else range(len(self.X))
        parts = [float(np.asarray(self.backprop_fn(self.X[i], float(self.y[i]),
                                                   network.copy_params(params))[key])[idx])
                 for i in rows]
        return float(np.mean(parts))

    def _curve(self) -> np.ndarray:
        return plots.loss_along(self.loss, self.params(), self.param, self.grid)

    # one observer per control
    def update(self) -> None:
        """The sliders moved: the chosen parameter's value, or the learning rate."""
        self.values[self.param] = float(self.sliders["value"].value)
        self._mark()

    def _on_parameter(self, _change=None) -> None:
        self.flush()  # a value still waiting belongs to the parameter chosen before
        self.param = self.choices["parameter"].value
        self._draw_curve()
        self._show_value()

    def _on_data(self, _change=None) -> None:
        self.data_name = self.choices["data"].value
        self._draw_curve()
        self._mark()

    def step(self) -> None:
        """One gradient step on the chosen parameter: value <- value - lr * slope."""
        self.sliders["value"].value = float(np.clip(self.next_value, -plots.VALUE_LIMIT,
                                                    plots.VALUE_LIMIT))
        self.flush()

    def reset(self) -> None:
        """Back to the starting parameters."""
        self.values = network.named(self.start)
        self._draw_curve()
        self._show_value()

    # drawing
    def _show_value(self) -> None:
        """Put the chosen parameter's value on the value slider (whose observer draws)."""
        if self.sliders["value"].value != self.values[self.param]:
            self.sliders["value"].value = self.values[self.param]
            self.flush()
        else:
            self._mark()

    def _draw_curve(self) -> None:
        plots.set_slice_curve(self.ax, self.artists, self.grid, self._curve(), self.param)
        self.live.refresh_background()

    def _mark(self) -> None:
        params = self.params()
        self.value = self.values[self.param]
        self.current_loss = self.loss(params)
        self.current_slope = self.slope(params)
        lr = float(self.sliders["lr"].value)
        self.next_value = self.value - lr * self.current_slope
        after = dict(self.values, **{self.param: self.next_value})
        self.next_loss = self.loss(network.from_named(**after))
        shown = float(np.clip(self.next_value, -plots.VALUE_LIMIT, plots.VALUE_LIMIT))
        plots.mark_slice(self.artists, self.value, self.current_loss, self.current_slope,
                         shown, self.next_loss if shown == self.next_value else np.nan)
        self.show(readout_html(self.param, self.data_name, self.value, self.current_loss,
                               self.current_slope, lr, self.next_value),
                  alt_text(self.param, self.data_name, self.value, self.current_loss,
                           self.current_slope, self.next_value))


def _usable(backprop_fn: Callable):
    """``backprop_fn`` if it returns a gradient dict for Alice, else the reference and a note."""
    def probe():
        X, y, _ = data.people()
        grads = backprop_fn(X[0], float(y[0]), network.from_named(**ONES))
        for key, where in (("W1", (0, 0)), ("b1", (1,)), ("W2", (1, 0)), ("b2", (0,))):
            if not np.isfinite(float(np.asarray(grads[key])[where])):
                raise ValueError(f"grads[{key!r}] is not a finite number")

    return base.student_or_reference(backprop_fn, gradients.backprop, probe,
                                     "does not return a gradient dict yet",
                                     "the explorer uses the course's backprop until it does")


def loss_slice_explorer(backprop_fn: Callable, param: str = "w1", data_name: str = "Alice",
                        lr: float = 0.1) -> LossSliceExplorer:
    """The live explorer of notebook 04, at the worked example; display the returned object."""
    return LossSliceExplorer(backprop_fn, param=param, data_name=data_name, lr=lr)
