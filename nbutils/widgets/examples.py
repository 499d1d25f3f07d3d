"""Each widget exactly as its notebook shows it, with the course's own functions.

One function per widget cell, named after what it shows; the benchmarks
(``benchmarks/bench_widgets.py``) and the browser tests build these to know
what the notebook's widget must show. :data:`BY_NOTEBOOK` lists them by
notebook, in the order of the notebook's widget cells.
"""

from __future__ import annotations


def neuron():
    """Notebook 01's explorer: the reference sigmoid, w = (0, 1), b = 4, x = (2, 3)."""
    from ..activations import sigmoid
    from . import neuron as widgets

    return widgets.neuron_explorer(sigmoid, w=(0, 1), b=4, x=(2, 3))


def feedforward():
    """Notebook 02's explorer: the worked example (every weight [0, 1]), x = (2, 3)."""
    from ..network import from_named
    from ..plots.feedforward import WORKED_EXAMPLE
    from . import feedforward as widgets

    return widgets.network_explorer(from_named(**WORKED_EXAMPLE), x=(2.0, 3.0))


def mse_predictions():
    """Notebook 03's first explorer: the four people, every prediction 0."""
    from .. import data
    from . import mse_loss as widgets

    _, y, names = data.people()
    return widgets.prediction_explorer(y, names)


def mse_weight():
    """Notebook 03's second explorer: w5 of the all-ones network, the reference loss."""
    from .. import data
    from ..losses import mse_loss
    from ..network import from_named
    from . import mse_loss as widgets

    X, y, names = data.people()
    params = from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
    return widgets.weight_explorer(mse_loss, X, y, names, params, name="w5")


def backprop():
    """Notebook 04's explorer: the reference backprop, w1 of the all-ones network, Alice."""
    from ..gradients import backprop as reference
    from . import backprop as widgets

    return widgets.loss_slice_explorer(reference, param="w1", lr=0.1)


def sgd():
    """Notebook 05's player: the reference ``train``, lr 0.1, 1000 epochs, seed 0.

    Nothing is trained until it is stepped or played.
    """
    from ..training import train
    from . import sgd as widgets

    return widgets.training_player(train, lr=0.1, epochs=1000, seed=0)


def xor_line():
    """Notebook 06's single-neuron explorer: w = (4, 4), b = -2."""
    from . import xor as widgets

    return widgets.line_explorer(w=(4, 4), b=-2)


def xor_trainer():
    """Notebook 06's trainer: the reference forward, 2 hidden units, lr 2, seed 0, 2000 epochs."""
    from ..mlp import forward
    from . import xor as widgets

    return widgets.xor_trainer(forward, n_hidden=2, lr=2.0, seed=0, epochs=2000)


# notebook -> its widgets' example functions, in the order of its widget cells
BY_NOTEBOOK = {
    "01_neuron": (neuron,),
    "02_feedforward": (feedforward,),
    "03_mse_loss": (mse_predictions, mse_weight),
    "04_backprop": (backprop,),
    "05_sgd": (sgd,),
    "06_xor": (xor_line, xor_trainer),
}
