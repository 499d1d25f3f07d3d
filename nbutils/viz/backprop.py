"""Pictures and the live explorer of notebook 04 (backpropagation, checked numerically).

``draw_network`` draws the 2-2-1 network with its nine parameters and can
highlight the path the chain rule follows from one of them to the loss;
``plot_sigmoid_prime`` draws f and f'; ``plot_all_slices`` draws the loss
along each of the nine parameters; ``plot_difference_errors`` shows how
accurate one-sided and central differences are for each step size.
``LossSliceExplorer`` shows the loss along one chosen parameter, the current
point and the tangent whose slope is the backprop derivative, with a button
that takes one gradient step, through :mod:`nbutils.live`. The backprop is
passed in, so the explorer shows the student's own.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .. import data, live, network
from ..activations import sigmoid
from . import student_or_reference

VALUE_LIMIT = 5.0   # the explorer shows a parameter's value in [-VALUE_LIMIT, VALUE_LIMIT]
TANGENT_HALF_WIDTH = 1.5
ONES = dict(w1=1.0, w2=1.0, w3=1.0, w4=1.0, w5=1.0, w6=1.0, b1=0.0, b2=0.0, b3=0.0)

# which edge or neuron each parameter belongs to, and the path from it to the loss
_EDGE = {"w1": ("x1", "h1"), "w2": ("x2", "h1"), "w3": ("x1", "h2"), "w4": ("x2", "h2"),
         "w5": ("h1", "o1"), "w6": ("h2", "o1")}
_NEURON = {"b1": "h1", "b2": "h2", "b3": "o1"}
_POS = {"x1": (1.0, 4.6), "x2": (1.0, 1.4), "h1": (4.4, 4.6), "h2": (4.4, 1.4),
        "o1": (7.8, 3.0), "L": (10.2, 3.0)}
# where each weight's label sits: on its edge, the crossing ones near their input
_LABEL_AT = {"w1": (2.7, 5.0), "w4": (2.7, 1.0), "w3": (1.95, 3.7), "w2": (1.95, 2.3),
             "w5": (6.1, 4.25), "w6": (6.1, 1.75)}
_BLUE, _ORANGE, _GREY, _RED = "#2b6cb0", "#c05621", "#a0aec0", "#c53030"


def path_to_loss(name: str) -> list[tuple[str, str]]:
    """The edges the chain rule walks from parameter ``name`` to the loss."""
    if name in _EDGE:
        start = _EDGE[name]
        rest = [] if start[1] == "o1" else [(start[1], "o1")]
        return [start] + rest + [("o1", "L")]
    neuron = _NEURON[name]
    return ([] if neuron == "o1" else [(neuron, "o1")]) + [("o1", "L")]


def draw_network(ax, params: dict | None = None, highlight: str | None = None):
    """Draw the 2-2-1 network with the labels w1 ... w6, b1 ... b3 on ``ax``.

    ``params``: when given, each label shows its value. ``highlight``: one of
    the nine names; the path from it to the loss is drawn thick and orange.
    """
    values = network.named(params) if params is not None else None
    hot = set(path_to_loss(highlight)) if highlight else set()
    ax.set_xlim(0, 11.2)
    ax.set_ylim(0, 6)
    ax.set_aspect("equal")
    ax.axis("off")

    def label(name):
        return f"${name[0]}_{name[1]}$" if values is None else \
            f"${name[0]}_{name[1]}={values[name]:g}$"

    edges = list(_EDGE.items()) + [("", ("o1", "L"))]
    for name, (a, b) in edges:
        is_hot = (a, b) in hot
        ax.add_patch(FancyArrowPatch(_POS[a], _POS[b], arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=17, shrinkB=19, lw=3.0 if is_hot else 1.3,
                                     color=_ORANGE if is_hot else "#4a5568", zorder=1))
        if name:
            x, y = _LABEL_AT[name]
            bold = name == highlight
            ax.text(x, y, label(name), ha="center", va="center", fontsize=10, zorder=3,
                    color=_ORANGE if bold else _BLUE,
                    fontweight="bold" if bold else "normal",
                    bbox=dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.9))
    for node in ("x1", "x2", "h1", "h2", "o1"):
        is_input = node.startswith("x")
        on_path = any(node in edge for edge in hot) or _NEURON.get(highlight) == node
        ax.add_patch(Circle(_POS[node], 0.55, zorder=2, lw=2.2 if on_path else 1.5,
                            fc="#e8f1fb" if is_input else "#fef5e7",
                            ec=_ORANGE if on_path else (_BLUE if is_input else _ORANGE)))
        ax.text(*_POS[node], f"${node[0]}_{node[1]}$", ha="center", va="center",
                fontsize=11, zorder=3)
    for name, node in _NEURON.items():
        x, y = _POS[node]
        bold = name == highlight
        ax.text(x, y - 0.85, label(name), ha="center", va="center", fontsize=10,
                color=_ORANGE if bold else _ORANGE if values is None else "#7b341e",
                fontweight="bold" if bold else "normal")
    x, y = _POS["L"]
    ax.add_patch(FancyBboxPatch((x - 0.45, y - 0.35), 0.9, 0.7, zorder=2,
                                boxstyle="round,pad=0.08", fc="#fff5f5",
                                ec=_ORANGE if hot else _RED, lw=1.5))
    ax.text(x, y, "$L$", ha="center", va="center", fontsize=12, zorder=3)
    ax.text(_POS["o1"][0] + 1.2, y + 0.45, r"$y_{pred}$", ha="center", fontsize=9,
            color="#4a5568")
    return ax


def plot_sigmoid_prime(ax, sigmoid_prime: Callable, z_limit: float = 8.0, mark=(-3.0,)):
    """The sigmoid f(z) and its derivative f'(z), with f'(z) marked at ``mark``.

    ``sigmoid_prime``: a function of the pre-activation ``z`` (the student's).
    """
    z = np.linspace(-z_limit, z_limit, 401)
    ax.plot(z, sigmoid(z), color=_BLUE, lw=2, label="$f(z)$")
    ax.plot(z, sigmoid_prime(z), color=_ORANGE, lw=2, label="$f'(z) = f(z)(1 - f(z))$")
    for m in mark:
        value = float(sigmoid_prime(np.asarray(m, dtype=float)))
        ax.plot([m], [value], "o", color=_ORANGE, ms=7)
        ax.annotate(f"$f'({m:g}) = {value:.4f}$", (m, value), xytext=(m - 4.4, value + 0.2),
                    fontsize=9, arrowprops=dict(arrowstyle="->", color="#4a5568"))
    ax.axhline(0.25, color=_GREY, lw=0.8, ls=":")
    ax.text(z_limit, 0.26, "0.25 = f'(0), the largest slope", ha="right", va="bottom",
            fontsize=8, color="#4a5568")
    ax.set_xlim(-z_limit, z_limit)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("pre-activation $z$")
    ax.grid(alpha=0.25)
    ax.legend(loc="upper left", fontsize=9)
    return ax


def alice_loss(params: dict) -> float:
    """Alice's loss ``(1 - y_pred) ** 2`` at ``params`` (the worked example)."""
    X, y, _ = data.people()
    return float((y[0] - network.feedforward(X[0], params)) ** 2)


def mse_of_params(params: dict) -> float:
    """The MSE over the four people at ``params``."""
    X, y, _ = data.people()
    return float(np.mean((y - network.forward(X, params)) ** 2))


def loss_along(loss_fn: Callable, params: dict, name: str, grid) -> np.ndarray:
    """``loss_fn`` with parameter ``name`` set to each value of ``grid``, the others held."""
    key, idx = network.WHERE[name]
    p = network.copy_params(params)
    out = np.empty(len(grid))
    for i, v in enumerate(grid):
        p[key][idx] = v
        out[i] = loss_fn(p)
    return out


@dataclass
class SliceArtists:
    """The moving parts of :func:`plot_loss_along`: the point, the tangent, the next step."""

    curve: object
    point: object
    tangent: object
    next_point: object


def plot_loss_along(ax, grid, losses, name: str) -> SliceArtists:
    """Draw the loss curve along parameter ``name``; returns the artists that move."""
    curve, = ax.plot(grid, losses, color=_BLUE, lw=2, label="loss, the other eight held")
    tangent, = ax.plot([], [], color=_RED, lw=1.6, label="tangent, slope from backprop")
    next_point, = ax.plot([], [], "o", mfc="white", mec=_ORANGE, mew=1.8, ms=8,
                          label="after one gradient step", zorder=4)
    point, = ax.plot([], [], "o", color=_ORANGE, ms=9, zorder=5)
    ax.set_xlim(grid[0], grid[-1])
    ax.grid(alpha=0.25)
    ax.legend(loc="best", fontsize=8)
    artists = SliceArtists(curve, point, tangent, next_point)
    set_slice_curve(ax, artists, grid, losses, name)
    return artists


def set_slice_curve(ax, artists: SliceArtists, grid, losses, name: str) -> None:
    """Replace the curve (a new parameter or new data): data, limits and labels."""
    artists.curve.set_data(grid, losses)
    lo, hi = float(np.min(losses)), float(np.max(losses))
    pad = max(0.08 * (hi - lo), 1e-3)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(f"${name[0]}_{name[1]}$")
    ax.set_ylabel("loss $L$")


def mark_slice(artists: SliceArtists, value: float, loss: float, slope: float,
               next_value: float, next_loss: float,
               half_width: float = TANGENT_HALF_WIDTH) -> None:
    """Move the point to ``(value, loss)``, the tangent through it with ``slope``,
    and the hollow marker to where one gradient step lands."""
    artists.point.set_data([value], [loss])
    xs = np.array([value - half_width, value + half_width])
    artists.tangent.set_data(xs, loss + slope * (xs - value))
    artists.next_point.set_data([next_value], [next_loss])


def plot_all_slices(fig, loss_fn: Callable, params: dict, grads: dict | None = None,
                    span: float = 3.0, n: int = 121):
    """Nine small panels: the loss along each parameter, the others held at ``params``.

    The dot marks the current value; with ``grads`` (shaped like params) each
    panel also gets the tangent whose slope is that partial derivative.
    Returns the nine axes.
    """
    values = network.named(params)
    slopes = network.named(grads) if grads is not None else None
    axes = fig.subplots(3, 3, sharey=True)
    for ax, name in zip(axes.flat, network.NAMES, strict=True):
        v = values[name]
        grid = np.linspace(v - span, v + span, n)
        ax.plot(grid, loss_along(loss_fn, params, name, grid), color=_BLUE, lw=1.8)
        loss = loss_fn(params)
        ax.plot([v], [loss], "o", color=_ORANGE, ms=6, zorder=5)
        if slopes is not None:
            xs = np.array([v - 1.0, v + 1.0])
            ax.plot(xs, loss + slopes[name] * (xs - v), color=_RED, lw=1.3)
        ax.set_title(f"along ${name[0]}_{name[1]}$", fontsize=9, pad=3)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
    for ax in axes[:, 0]:
        ax.set_ylabel("$L$", fontsize=9)
    fig.tight_layout()
    return axes


def difference_errors(loss_1d: Callable, at: float, exact: float, eps_values):
    """Relative errors of the one-sided and central differences of ``loss_1d`` at ``at``.

    Returns ``(one_sided, central)``, arrays like ``eps_values``.
    """
    eps_values = np.asarray(eps_values, dtype=float)
    base = loss_1d(at)
    one, two = [], []
    for eps in eps_values:
        up, down = loss_1d(at + eps), loss_1d(at - eps)
        one.append(abs((up - base) / eps - exact) / abs(exact))
        two.append(abs((up - down) / (2 * eps) - exact) / abs(exact))
    return np.array(one), np.array(two)


def plot_difference_errors(ax, loss_1d: Callable, at: float, exact: float,
                           eps_values=None):
    """Log-log plot of :func:`difference_errors` against the step ``eps``."""
    if eps_values is None:
        eps_values = np.logspace(-12, -1, 45)
    one, two = difference_errors(loss_1d, at, exact, eps_values)
    floor = 1e-17  # an exact hit would be log(0): show it at the bottom
    ax.loglog(eps_values, np.maximum(one, floor), "o-", ms=3, color=_GREY,
              label=r"one-sided $(L(p+\varepsilon) - L(p)) / \varepsilon$")
    ax.loglog(eps_values, np.maximum(two, floor), "o-", ms=3, color=_BLUE,
              label=r"central $(L(p+\varepsilon) - L(p-\varepsilon)) / 2\varepsilon$")
    best = int(np.argmin(two))
    ax.annotate(f"best: {two[best]:.0e} at $\\varepsilon$ = {eps_values[best]:.0e}",
                (eps_values[best], two[best]), xytext=(eps_values[best] * 3e-5, two[best] / 30),
                fontsize=9, arrowprops=dict(arrowstyle="->", color="#4a5568"))
    ax.set_xlabel(r"step $\varepsilon$")
    ax.set_ylabel("relative error")
    ax.set_ylim(1e-13, 10)
    ax.grid(alpha=0.25, which="both")
    ax.legend(fontsize=8, loc="upper left")
    return one, two


def readout_html(name: str, data_name: str, value: float, loss: float, slope: float,
                 lr: float, next_value: float) -> str:
    """The explorer's printed lines: the loss, the slope and the next step."""
    who = "Alice alone" if data_name == "Alice" else "MSE over all four people"
    sign = "-" if lr * slope >= 0 else "+"
    return (
        "<div style='font-family:monospace;font-size:14px'>"
        f"L = <b class='nn-loss'>{loss:.10f}</b> at {name} = {value:.4f} "
        f"({html.escape(who)})<br>"
        f"dL/d{name} from backprop (the red line's slope): "
        f"<b class='nn-slope'>{slope:.10f}</b><br>"
        f"one step: {name} &larr; {value:.4f} {sign} {lr:g} &times; {abs(slope):.10f} = "
        f"<b class='nn-next'>{next_value:.10f}</b></div>"
    )


class LossSliceExplorer:
    """The loss along one parameter, its tangent from backprop, and gradient steps.

    ``backprop_fn(x, y_true, params) -> grads`` (the student's). If it raises
    or returns something unusable, the explorer says so and uses the course's
    reference instead. Sliders: ``parameter`` (which of the nine), ``value``
    (its value; the other eight are held), ``lr``. Buttons: ``step`` (one
    gradient step on the chosen parameter) and ``reset``. ``data_choice``
    switches between Alice alone and all four people.
    """

    def __init__(self, backprop_fn: Callable, params: dict | None = None, param: str = "w1",
                 data_name: str = "Alice", lr: float = 0.1):
        import ipywidgets as widgets

        self.backprop_fn, self.note = _usable(backprop_fn)
        self.start = network.copy_params(params if params is not None
                                         else network.from_named(**ONES))
        self.values = network.named(self.start)
        self.X, self.y, _ = data.people()
        self.param = param
        self.fig = live.new_figure(6.6, 3.4)
        self.ax = self.fig.add_subplot()
        self.fig.subplots_adjust(left=0.12, right=0.97, top=0.95, bottom=0.15)
        self.grid = np.linspace(-VALUE_LIMIT, VALUE_LIMIT, 241)
        self.data_choice = widgets.ToggleButtons(options=["Alice", "all four"],
                                                 value=data_name, description="data")
        # the first curve is drawn before the LiveFigure caches its background
        losses = loss_along(self.loss, self.params(), param, self.grid)
        self.artists = plot_loss_along(self.ax, self.grid, losses, param)
        self._curve_key = (param, data_name)
        self.live = live.LiveFigure(self.fig, [self.artists.tangent, self.artists.next_point,
                                               self.artists.point])
        self.sliders = {
            "parameter": widgets.SelectionSlider(options=list(network.NAMES), value=param,
                                                 description="parameter",
                                                 continuous_update=True),
            "value": widgets.FloatSlider(value=self.values[param], min=-VALUE_LIMIT,
                                         max=VALUE_LIMIT, step=0.01, description="value",
                                         continuous_update=True, readout_format=".4f"),
            "lr": widgets.FloatSlider(value=lr, min=0.0, max=20.0, step=0.1,
                                      description="lr", continuous_update=True,
                                      readout_format=".1f"),
        }
        self.buttons = {"step": widgets.Button(description="gradient step",
                                               button_style="warning"),
                        "reset": widgets.Button(description="reset")}
        self.buttons["step"].on_click(lambda _: self.step())
        self.buttons["reset"].on_click(lambda _: self.reset())
        self.readout = widgets.HTML()
        self._busy = False
        self.update()
        self.flush = live.connect(list(self.sliders.values()) + [self.data_choice],
                                  self.update)
        controls = widgets.VBox(list(self.sliders.values())
                                + [widgets.HBox(list(self.buttons.values()))])
        note = [widgets.HTML(f"<p style='color:#c05621'>{html.escape(self.note)}</p>")] \
            if self.note else []
        self.box = widgets.VBox(note + [self.data_choice,
                                        widgets.HBox([controls, self.live.widget]),
                                        self.readout])

    # the math, for the current state
    def params(self) -> dict:
        """The nine current values as a params dict."""
        return network.from_named(**self.values)

    def loss(self, params: dict) -> float:
        if self.data_choice.value == "Alice":
            return float((self.y[0] - network.feedforward(self.X[0], params)) ** 2)
        return float(np.mean((self.y - network.forward(self.X, params)) ** 2))

    def slope(self, params: dict) -> float:
        """dL/d(chosen parameter) from the backprop: one sample, or the mean of four."""
        key, idx = network.WHERE[self.param]
        rows = [0] if self.data_choice.value == "Alice" else range(len(self.X))
        parts = [float(np.asarray(self.backprop_fn(self.X[i], float(self.y[i]),
                                                   network.copy_params(params))[key])[idx])
                 for i in rows]
        return float(np.mean(parts))

    # reacting to the controls
    def update(self) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            name = self.sliders["parameter"].value
            if name != self.param:
                self.param = name
                self.sliders["value"].value = self.values[name]
            else:
                self.values[name] = float(self.sliders["value"].value)
            key = (self.param, self.data_choice.value)
            if key != self._curve_key:
                self._draw_curve()
            self._mark()
        finally:
            self._busy = False

    def _draw_curve(self) -> None:
        params = self.params()
        losses = loss_along(self.loss, params, self.param, self.grid)
        set_slice_curve(self.ax, self.artists, self.grid, losses, self.param)
        self._curve_key = (self.param, self.data_choice.value)
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
        shown = float(np.clip(self.next_value, -VALUE_LIMIT, VALUE_LIMIT))
        mark_slice(self.artists, self.value, self.current_loss, self.current_slope,
                   shown, self.next_loss if shown == self.next_value else np.nan)
        self.readout.value = readout_html(self.param, self.data_choice.value, self.value,
                                          self.current_loss, self.current_slope, lr,
                                          self.next_value)
        self.live.refresh()

    def step(self) -> None:
        """One gradient step on the chosen parameter: value <- value - lr * slope."""
        self.sliders["value"].value = float(np.clip(self.next_value, -VALUE_LIMIT,
                                                    VALUE_LIMIT))
        self.flush()

    def reset(self) -> None:
        """Back to the starting parameters."""
        self.values = network.named(self.start)
        self._curve_key = None
        self._busy = True
        try:
            self.sliders["value"].value = self.values[self.param]
        finally:
            self._busy = False
        self.update()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


def _usable(backprop_fn: Callable):
    """``backprop_fn`` if it returns a gradient dict for Alice, else the reference and a note."""
    from ..gradients import backprop as reference

    def probe():
        X, y, _ = data.people()
        grads = backprop_fn(X[0], float(y[0]), network.from_named(**ONES))
        for key, where in (("W1", (0, 0)), ("b1", (1,)), ("W2", (1, 0)), ("b2", (0,))):
            if not np.isfinite(float(np.asarray(grads[key])[where])):
                raise ValueError(f"grads[{key!r}] is not a finite number")

    return student_or_reference(backprop_fn, reference, probe,
                                "does not return a gradient dict yet",
                                "the explorer uses the course's backprop until it does")


def loss_slice_explorer(backprop_fn: Callable, param: str = "w1", data_name: str = "Alice",
                        lr: float = 0.1) -> LossSliceExplorer:
    """The live explorer of notebook 04, at the worked example; display the returned object."""
    return LossSliceExplorer(backprop_fn, param=param, data_name=data_name, lr=lr)


def example_widget() -> LossSliceExplorer:
    """The widget exactly as notebook 04 shows it (with the reference backprop).

    Used by the benchmarks and the browser tests to know what to expect.
    """
    from ..gradients import backprop

    return LossSliceExplorer(backprop, param="w1", data_name="Alice", lr=0.1)
