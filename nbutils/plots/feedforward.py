"""The pictures of notebook 02 (the feedforward network).

The drawing of the 2-2-1 network itself is :mod:`nbutils.plots.network`
(one drawing for notebooks 02-04); this module names what notebook 02
shows with it: the network with its names or its params-dict keys, and
the live picture of the explorer (values in the neurons, a key saying what
fill and line style mean).
"""

from __future__ import annotations

from .. import network as net
from . import figure, show  # noqa: F401  (the notebook's plots.figure / plots.show)
from .network import (  # noqa: F401  (what notebook 02 calls as plots.<name>)
    NetworkArtists,
    add_colour_key,
    add_sign_key,
    describe,
    draw_network,
    key_of,
    update_network,
    values,
)

# every weight [0, 1] by neuron, every bias 0: the tutorial's worked example
WORKED_EXAMPLE = {"w1": 0.0, "w2": 1.0, "w3": 0.0, "w4": 1.0, "w5": 0.0, "w6": 1.0,
                  "b1": 0.0, "b2": 0.0, "b3": 0.0}


def draw_live_network(fig, params: dict, x) -> NetworkArtists:
    """The explorer's picture on ``fig``: the network with values, its two keys.

    ``params``: a 2-2-1 params dict; ``x (2,)``: the input. Returns the artists
    that :func:`update_network` restyles.
    """
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    artists = draw_network(ax, params, x, labels="values")
    add_sign_key(ax, xy=(0.15, -0.2))
    add_colour_key(fig, rect=(0.74, 0.12, 0.22, 0.03))
    return artists


def describe_names(labels: str = "names") -> str:
    """The static drawing of notebook 02 in words (its alt text)."""
    text = describe()
    if labels == "keys":
        where = ", ".join(f"{name} in {key_of(name)}" for name in net.NAMES)
        return f"{text} Each parameter is labelled with where it lives in params: {where}."
    return text + " Each hidden and output neuron also has a bias: b1, b2, b3."
