"""nbutils.widgets.neuron: notebook 01's explorer follows its sliders, reads out, falls back."""

import numpy as np
import pytest
from traitlets.traitlets import ObserveHandler

from nbutils.activations import sigmoid
from nbutils.plots import neuron as plots
from nbutils.widgets import examples
from nbutils.widgets import neuron as widgets


def my_sigmoid(z):  # stands in for the student's function
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def observers(control) -> list:
    """The callbacks on ``control.value`` that the course added (not ipywidgets' own)."""
    return [h for h in control._trait_notifiers.get("value", {}).get("change", [])
            if not isinstance(h, ObserveHandler)]


def test_starts_at_the_worked_example():
    e = examples.neuron()
    assert e.z == 7.0
    assert e.a == pytest.approx(float(sigmoid(7.0)), rel=1e-12)
    x, y = e.artists.point.get_data()
    assert (x[0], y[0]) == (7.0, e.a)
    assert f"{float(sigmoid(7.0)):.10f}" in e.readout.value
    assert {k: s.value for k, s in e.sliders.items()} == {"w1": 0, "w2": 1, "b": 4, "x1": 2,
                                                          "x2": 3}


def test_slider_moves_update_point_readout_alt_and_picture():
    e = widgets.neuron_explorer(my_sigmoid)
    before = e.live.png()
    e.sliders["w1"].value = -1.0
    e.sliders["b"].value = -4.0  # z = -2 + 3 - 4 = -3
    assert e.z == pytest.approx(-3.0)
    assert e.a == pytest.approx(float(sigmoid(-3.0)), rel=1e-12)
    x, y = e.artists.point.get_data()
    assert x[0] == pytest.approx(-3.0) and y[0] == pytest.approx(e.a)
    assert "-3.0000" in e.readout.value and "aria-live='polite'" in e.readout.value
    assert e.live.png() != before and e.live.png()[:4] == b"\x89PNG"
    assert e.live.alt == plots.describe_activation(e.z, e.a)
    assert f'alt="{e.live.alt}"' in e.live.widget.value


def test_point_beyond_the_plot_is_said_in_the_readout():
    e = widgets.neuron_explorer(my_sigmoid)
    e.sliders["w2"].value = 3.0
    e.sliders["x2"].value = 3.0
    e.sliders["b"].value = 6.0  # z = 15
    assert e.artists.point.get_marker() == ">" and "beyond the plot" in e.readout.value
    e.sliders["w2"].value = -3.0
    e.sliders["b"].value = -6.0  # z = -15: the left edge
    assert "left edge" in e.readout.value and "left edge" in e.live.alt
    e.sliders["b"].value = 2.0  # z = -7: on the plot again
    assert "beyond" not in e.readout.value


def test_a_broken_activation_falls_back_with_a_note():
    def stub(z):
        raise NotImplementedError()

    e = widgets.neuron_explorer(stub)
    assert "does not work on arrays yet" in e.note and e.activation is sigmoid
    assert "does not work on arrays yet" in e.box.children[0].value
    assert widgets.neuron_explorer(my_sigmoid).note == ""


def test_every_slider_is_named_has_one_observer_and_shows_in_the_wrapping_row():
    e = examples.neuron()
    row = e.box.children[0]
    assert row.layout.flex_flow == "row wrap"
    for name, s in e.sliders.items():
        assert s.description == name and s.readout_format == ".1f" and s.tooltip
        assert len(observers(s)) == 1, name
        assert s in row.children
