"""Notebook 01's explorer: slider moves update the point, the readout and the picture."""

import numpy as np
import pytest

from nbutils import live
from nbutils.activations import sigmoid
from nbutils.viz import neuron


def my_sigmoid(z):  # stands in for the student's function
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def test_starts_at_the_worked_example():
    e = neuron.neuron_explorer(my_sigmoid)
    assert e.z == 7.0
    assert e.a == pytest.approx(0.9990889488055994, rel=1e-12)
    x, y = e.artists.point.get_data()
    assert (x[0], y[0]) == (7.0, e.a)
    assert "0.9990889488" in e.readout.value


def test_slider_moves_update_point_readout_and_picture():
    e = neuron.neuron_explorer(my_sigmoid)
    before = e.live.widget.value
    e.sliders["w1"].value = -1.0
    e.sliders["b"].value = -4.0  # z = -2 + 3 - 4 = -3
    assert e.z == pytest.approx(-3.0)
    assert e.a == pytest.approx(0.04742587317756678, rel=1e-12)
    x, y = e.artists.point.get_data()
    assert x[0] == pytest.approx(-3.0) and y[0] == pytest.approx(e.a)
    assert "-3.0000" in e.readout.value
    assert e.live.widget.value != before and e.live.widget.value[:4] == b"\x89PNG"


def test_point_beyond_the_plot_sits_on_its_edge():
    e = neuron.neuron_explorer(my_sigmoid)
    e.sliders["w2"].value = 3.0
    e.sliders["x2"].value = 3.0
    e.sliders["b"].value = 6.0  # z = 15
    x, _ = e.artists.point.get_data()
    assert x[0] == neuron.Z_LIMIT and e.z == pytest.approx(15.0)
    assert e.artists.point.get_marker() == ">" and "beyond the plot" in e.readout.value
    e.sliders["w2"].value = -3.0
    e.sliders["b"].value = -6.0  # z = -15: the left edge
    assert e.artists.point.get_marker() == "<" and "left edge" in e.readout.value
    e.sliders["b"].value = 2.0  # z = -7: on the plot again
    assert e.artists.point.get_marker() == "o" and "beyond" not in e.readout.value


def test_a_broken_activation_falls_back_with_a_note():
    def stub(z):
        raise NotImplementedError()

    e = neuron.neuron_explorer(stub)
    assert "does not work on arrays yet" in e.note
    assert e.activation is sigmoid


def test_the_diagram_draws():
    fig = live.new_figure()
    ax = fig.add_subplot()
    neuron.draw_neuron(ax, w=(0, 1), b=4, x=(2, 3), a=0.999)
    fig.canvas.draw()
    texts = [t.get_text() for t in ax.texts]
    assert "$w_1=0$" in texts and "bias $b=4$" in texts


def test_updates_are_coalesced_inside_a_kernel(monkeypatch):
    import asyncio
    import threading

    import ipywidgets as widgets

    # what a kernel looks like to connect(): its running loop
    monkeypatch.setattr(live, "_kernel_loop", asyncio.get_running_loop)

    s = widgets.FloatSlider()
    calls = []
    flush = live.connect([s], lambda: calls.append(s.value), min_interval=0.05)

    async def drag():
        for v in np.linspace(0, 10, 50):
            s.value = float(v)
        await asyncio.sleep(0.2)

    # in a thread of its own: this process may already run another event loop
    worker = threading.Thread(target=asyncio.run, args=(drag(),))
    worker.start()
    worker.join()
    assert calls == [10.0], "one redraw after a fast drag, at the final position"
    monkeypatch.setattr(live, "_kernel_loop", lambda: None)
    s.value = 3.0  # outside a kernel: at once
    assert calls[-1] == 3.0
    flush()  # nothing pending: no second redraw
    assert calls == [10.0, 3.0]
