"""nbutils.widgets.feedforward: notebook 02's explorer restyles the drawing and reads out."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from traitlets.traitlets import ObserveHandler

from nbutils import live, network, palette
from nbutils.activations import sigmoid
from nbutils.plots import feedforward as plots
from nbutils.plots import network as pn
from nbutils.widgets import examples
from nbutils.widgets import feedforward as widgets

WORKED = network.from_named(**plots.WORKED_EXAMPLE)


def _artist_counts(ax):
    return len(ax.lines), len(ax.patches), len(ax.texts)


def test_example_starts_at_the_worked_example():
    e = examples.feedforward()
    x = np.array([2.0, 3.0])
    h = network.hidden(x[None, :], WORKED)[0]
    assert e.values["h"] == pytest.approx(h, rel=1e-12)
    assert e.values["o1"] == pytest.approx(network.feedforward(x, WORKED), rel=1e-12)
    assert e.values["z_h"] == pytest.approx([3.0, 3.0])
    assert f"{h[0]:.10f}" in e.readout.value and f"{e.values['o1']:.10f}" in e.readout.value
    texts = e.artists.node_texts
    assert texts["h1"].get_text() == f"{h[0]:.4f}" and texts["x2"].get_text() == "3.00"
    assert e.artists.edges["w1"].get_linestyle() == ":"  # w1 = 0: dotted grey
    assert {k: s.value for k, s in e.sliders.items()} == {**plots.WORKED_EXAMPLE, "x1": 2.0,
                                                          "x2": 3.0}


def test_widget_protocol_and_layout():
    e = examples.feedforward()
    descriptions = [s.description for s in e.sliders.values()]
    assert sorted(descriptions) == sorted(["x1", "x2", *network.NAMES])
    assert isinstance(e.live, live.LiveFigure) and callable(e.update)
    row = e.box.children[0]
    assert row.layout.flex_flow == "row wrap" and len(row.children) == 4  # one per group
    assert "hidden neuron h1" in row.children[1].children[0].value
    for s in e.sliders.values():
        handlers = [h for h in s._trait_notifiers["value"]["change"]
                    if not isinstance(h, ObserveHandler)]
        assert len(handlers) == 1 and s.tooltip and s.readout_format == ".1f"


def test_slider_moves_restyle_the_drawing_without_rebuilding_it():
    e = examples.feedforward()
    ax = e.artists.nodes["h1"].axes
    counts, frames, before = _artist_counts(ax), e.live.frames, e.live.png()
    moves = {"w1": -2.0, "w3": 1.5, "b2": -3.0, "w5": 3.0, "x1": -1.0}
    for name, value in moves.items():
        e.sliders[name].value = value
    params = network.from_named(**{**plots.WORKED_EXAMPLE, **moves})
    x = np.array([-1.0, 3.0])
    h = sigmoid(x @ params["W1"] + params["b1"])
    assert e.values["h"] == pytest.approx(h, rel=1e-12)
    assert e.values["o1"] == pytest.approx(network.feedforward(x, params), rel=1e-12)
    # edges: sign by colour and line style, width from |w|
    assert to_rgba(e.artists.edges["w1"].get_color()) == to_rgba(palette.NEGATIVE)
    assert e.artists.edges["w1"].get_linestyle() == "--"
    assert e.artists.edges["w1"].get_linewidth() == pytest.approx(0.8 + 1.5 * 2.0)
    assert to_rgba(e.artists.edges["w3"].get_color()) == to_rgba(palette.POSITIVE)
    assert e.artists.edges["w3"].get_linestyle() == "-"
    for name, a in (("h1", h[0]), ("h2", h[1])):
        assert e.artists.nodes[name].get_facecolor() == pytest.approx(pn.node_fill(a))
        assert e.artists.node_texts[name].get_text() == f"{a:.4f}"
    assert e.artists.node_texts["x1"].get_text() == "\u22121.00"
    assert "x = [-1.0, 3.0]" in e.readout.value
    assert "w1 -2.0" in e.live.alt and f"o1 = {e.values['o1']:.4f}" in e.live.alt
    assert _artist_counts(ax) == counts, "the figure is restyled, never rebuilt"
    assert e.live.frames == frames + len(moves) and e.live.png() != before


def test_explorer_reads_its_start_from_any_params():
    params = network.make_params([[1.0, -2.0], [0.5, 3.0]], [0.5, -1.0], [[2.0], [-1.0]],
                                 [0.25])
    e = widgets.network_explorer(params, x=(1.0, -2.0))
    assert e.sliders["w3"].value == -2.0 and e.sliders["b3"].value == 0.25
    assert e.values["o1"] == pytest.approx(network.feedforward([1.0, -2.0], params),
                                           rel=1e-12)
    for key in params:
        np.testing.assert_array_equal(e.params()[key], params[key])


def test_only_what_a_slider_changes_is_redrawn():
    """Labels and names stay in the cached background; edges, neurons and values move."""
    e = examples.feedforward()
    animated = e.artists.animated()
    assert all(a.get_animated() for a in animated)
    assert not any(t in animated for t in e.artists.edge_labels.values())
    assert e.artists.nodes["x1"] not in animated  # an input's circle never changes colour
    assert len(animated) == 6 + 3 + 5
