"""The pictures of notebook 04 (backpropagation, checked numerically).

Pure functions: each draws on an ``ax`` (or ``fig``) it is given and returns
what it drew; ``set_*`` and ``mark_*`` functions move the artists that a
widget changes; ``describe_*`` functions give each static figure its text
alternative (shown with :func:`nbutils.plots.show`). The network diagram is
the course's one drawing, :func:`nbutils.plots.network.draw_network`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import network, palette
from ..activations import sigmoid
from . import figure, show  # noqa: F401  (the notebook's plots.figure / plots.show)
from .network import draw_network, path_to_loss

VALUE_LIMIT = 5.0   # the explorer shows a parameter's value in [-VALUE_LIMIT, VALUE_LIMIT]
TANGENT_HALF_WIDTH = 1.5
CURVE, POINT, TANGENT, STEP = palette.CURVE, palette.POINT, palette.GRADIENT, palette.STEP
MUTED, TEXT = palette.AXIS, palette.MUTED_TEXT

def tex(name: str) -> str:
    """``"w1"`` -> ``"$w_1$"``: a parameter's name in mathtext."""
    return f"${name[0]}_{name[1:]}$"


def draw_chain_rule(ax, params: dict, highlight: str | None = None):
    """The 2-2-1 network with each parameter's value, and the loss ``L`` after it.

    ``highlight``: one of the nine names; the chain rule's path from it to the
    loss (:func:`nbutils.plots.network.path_to_loss`) is drawn highlighted.
    Returns the :class:`nbutils.plots.network.NetworkArtists`.
    """
    path = path_to_loss(highlight) if highlight else ()
    return draw_network(ax, params, labels="params", path=path, loss=True)


def describe_chain_rule(params: dict, highlight: str | None = None) -> str:
    """:func:`draw_chain_rule` in words (its alt text)."""
    named = network.named(params)
    text = ("The 2-2-1 network: inputs x1, x2; hidden neurons h1, h2; output o1, then the "
            "loss L. " + ", ".join(f"{n} = {named[n]:g}" for n in network.NAMES) + ".")
    if highlight:
        nodes = [highlight] + [b for _, b in path_to_loss(highlight)]
        text += f" Highlighted, the chain rule's path: {' -> '.join(nodes)}."
    return text


def plot_sigmoid_prime(ax, sigmoid_prime: Callable, z_limit: float = 8.0, mark=(-3.0,)):
    """The sigmoid f(z) and its derivative f'(z), with f'(z) marked at ``mark``.

    ``sigmoid_prime``: a function of the pre-activation ``z`` (the student's,
    from notebook 04), called on ``z (401,)``. The two curves differ in
    colour and in line style.
    """
    z = np.linspace(-z_limit, z_limit, 401)
    ax.plot(z, sigmoid(z), color=CURVE, lw=2, label="$f(z)$")
    ax.plot(z, sigmoid_prime(z), color=POINT, lw=2, ls="--",
            label="$f'(z) = f(z)(1 - f(z))$")
    for m in mark:
        value = float(sigmoid_prime(np.asarray(m, dtype=float)))
        ax.plot([m], [value], "o", color=POINT, ms=7)
        ax.annotate(f"$f'({m:g}) = {value:.4f}$", (m, value), xytext=(m - 4.4, value + 0.2),
                    fontsize=10, arrowprops=dict(arrowstyle="->", color=TEXT))
    ax.axhline(0.25, color=MUTED, lw=0.8, ls=":")
    ax.text(z_limit, 0.26, "0.25 = f'(0), the largest slope", ha="right", va="bottom",
            fontsize=9, color=TEXT)
    ax.set_xlim(-z_limit, z_limit)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("pre-activation $z$")
    ax.grid(alpha=0.25)
    ax.legend(loc="upper left", fontsize=10)
    return ax


def describe_sigmoid_prime(sigmoid_prime: Callable, mark=(-3.0,)) -> str:
    """:func:`plot_sigmoid_prime` in words (its alt text)."""
    marks = ", ".join(f"f'({m:g}) = {float(sigmoid_prime(np.asarray(m, dtype=float))):.4f}"
                      for m in mark)
    return ("Two curves over z from -8 to 8: the sigmoid f(z), an S rising from 0 to 1, and "
            "its derivative f'(z) = f(z)(1 - f(z)), dashed, a bump that peaks at 0.25 at "
            f"z = 0 and is nearly 0 beyond |z| = 5. Marked: {marks}.")


def loss_along(loss_fn: Callable, params: dict, name: str, grid) -> np.ndarray:
    """``loss_fn(params)`` with parameter ``name`` set to each value of ``grid (n,)``,
    the other eight held; returns ``(n,)``. ``params`` is not changed."""
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
    """Draw the loss curve ``losses (n,)`` over ``grid (n,)`` along parameter ``name``;
    returns the artists that :func:`set_slice_curve` and :func:`mark_slice` move."""
    curve, = ax.plot(grid, losses, color=CURVE, lw=2, label="loss, the other eight held")
    tangent, = ax.plot([], [], color=TANGENT, lw=1.6, ls="--",
                       label="tangent, slope from backprop")
    next_point, = ax.plot([], [], "o", mfc="white", mec=STEP, mew=1.8, ms=8,
                          label="after one gradient step", zorder=4)
    point, = ax.plot([], [], "o", color=POINT, ms=9, zorder=5, label="now")
    ax.set_xlim(grid[0], grid[-1])
    ax.grid(alpha=0.25)
    ax.legend(loc="best", fontsize=9)
    artists = SliceArtists(curve, point, tangent, next_point)
    set_slice_curve(ax, artists, grid, losses, name)
    return artists


def set_slice_curve(ax, artists: SliceArtists, grid, losses, name: str) -> None:
    """Replace the curve (a new parameter or new data): data, limits and labels."""
    artists.curve.set_data(grid, losses)
    lo, hi = float(np.min(losses)), float(np.max(losses))
    pad = max(0.08 * (hi - lo), 1e-3)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(tex(name))
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
    Returns the axes, ``(3, 3)``.
    """
    values = network.named(params)
    slopes = network.named(grads) if grads is not None else None
    loss = loss_fn(params)
    axes = fig.subplots(3, 3, sharey=True)
    for ax, name in zip(axes.flat, network.NAMES, strict=True):
        v = values[name]
        grid = np.linspace(v - span, v + span, n)
        ax.plot(grid, loss_along(loss_fn, params, name, grid), color=CURVE, lw=1.8)
        ax.plot([v], [loss], "o", color=POINT, ms=6, zorder=5)
        if slopes is not None:
            xs = np.array([v - 1.0, v + 1.0])
            ax.plot(xs, loss + slopes[name] * (xs - v), color=TANGENT, lw=1.3, ls="--")
        ax.set_title(f"along {tex(name)}", fontsize=10, pad=3)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.25)
    for ax in axes[:, 0]:
        ax.set_ylabel("$L$", fontsize=10)
    fig.tight_layout()
    return axes


def describe_all_slices(loss_fn: Callable, params: dict, span: float = 3.0) -> str:
    """:func:`plot_all_slices` in words (its alt text): the loss along each parameter."""
    values = network.named(params)
    parts = []
    for name in network.NAMES:
        grid = np.linspace(values[name] - span, values[name] + span, 61)
        along = loss_along(loss_fn, params, name, grid)
        parts.append(f"{name} from {along[0]:.3f} to {along[-1]:.3f}")
    return (f"Nine panels, the loss along one parameter each (+-{span:g} around its value, "
            f"the other eight held), a dot at the current loss {loss_fn(params):.4f}. "
            "From the left end to the right end: " + "; ".join(parts) + ".")


def difference_errors(loss_1d: Callable, at: float, exact: float, eps_values):
    """Relative errors of the one-sided and central differences of ``loss_1d`` at ``at``.

    ``exact``: the derivative from backprop. Returns ``(one_sided, central)``,
    arrays shaped like ``eps_values``.
    """
    eps_values = np.asarray(eps_values, dtype=float)
    base = loss_1d(at)
    one, two = [], []
    for eps in eps_values:
        up, down = loss_1d(at + eps), loss_1d(at - eps)
        one.append(abs((up - base) / eps - exact) / abs(exact))
        two.append(abs((up - down) / (2 * eps) - exact) / abs(exact))
    return np.array(one), np.array(two)


def describe_difference_errors(loss_1d: Callable, at: float, exact: float,
                               eps_values=None) -> str:
    """:func:`plot_difference_errors` in words (its alt text)."""
    if eps_values is None:
        eps_values = np.logspace(-12, -1, 45)
    one, two = difference_errors(loss_1d, at, exact, eps_values)
    i, j = int(np.argmin(one)), int(np.argmin(two))
    return ("Log-log plot of the relative error of two finite differences against the step "
            f"eps from {eps_values[0]:.0e} to {eps_values[-1]:.0e}. One-sided: smallest "
            f"{one[i]:.0e} at eps = {eps_values[i]:.0e}. Central: smallest {two[j]:.0e} at "
            f"eps = {eps_values[j]:.0e}. Both grow again for smaller eps (rounding).")


def plot_difference_errors(ax, loss_1d: Callable, at: float, exact: float,
                           eps_values=None):
    """Log-log plot of :func:`difference_errors` against the step ``eps``.

    The one-sided errors are grey squares, the central ones blue circles.
    Returns ``(one_sided, central)``.
    """
    if eps_values is None:
        eps_values = np.logspace(-12, -1, 45)
    one, two = difference_errors(loss_1d, at, exact, eps_values)
    floor = 1e-17  # an exact hit would be log(0): show it at the bottom
    ax.loglog(eps_values, np.maximum(one, floor), "s-", ms=3, color=MUTED,
              label=r"one-sided $(L(p+\varepsilon) - L(p)) / \varepsilon$")
    ax.loglog(eps_values, np.maximum(two, floor), "o-", ms=3, color=CURVE,
              label=r"central $(L(p+\varepsilon) - L(p-\varepsilon)) / 2\varepsilon$")
    best = int(np.argmin(two))
    ax.annotate(f"best: {two[best]:.0e} at $\\varepsilon$ = {eps_values[best]:.0e}",
                (eps_values[best], two[best]), xytext=(eps_values[best] * 3e-5, two[best] / 30),
                fontsize=10, arrowprops=dict(arrowstyle="->", color=TEXT))
    ax.set_xlabel(r"step $\varepsilon$")
    ax.set_ylabel("relative error")
    ax.set_ylim(1e-13, 10)
    ax.grid(alpha=0.25, which="both")
    ax.legend(fontsize=9, loc="upper left")
    return one, two
