"""Notebook 02's pictures and explorer: slider moves restyle the drawing and the readout."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from nbutils import live, network
from nbutils.activations import sigmoid
from nbutils.viz import feedforward as ff

WORKED = network.from_named(**ff.WORKED_EXAMPLE)


def _artist_counts(ax):
    return len(ax.lines), len(ax.patches), len(ax.texts)


def test_example_widget_starts_at_the_worked_example():
    e = ff.example_widget()
    assert e.values["h"] == pytest.approx([0.9525741268224334] * 2, rel=1e-12)
    assert e.values["o1"] == pytest.approx(0.7216325609518421, rel=1e-12)
    assert e.values["z_h"] == pytest.approx([3.0, 3.0])
    assert "0.9525741268" in e.readout.value and "0.7216325610" in e.readout.value
    texts = e.artists.node_texts
    assert texts["h1"].get_text() == "0.9526" and texts["o1"].get_text() == "0.7216"
    assert texts["x2"].get_text() == "3.00"
    assert e.artists.edges["w1"].get_linestyle() == "--"  # w1 = 0: dashed grey
    assert {k: s.value for k, s in e.sliders.items()} == {**ff.WORKED_EXAMPLE, "x1": 2.0,
                                                          "x2": 3.0}


def test_widget_protocol():
    e = ff.example_widget()
    descriptions = [s.description for s in e.sliders.values()]
    assert sorted(descriptions) == sorted(["x1", "x2", *network.NAMES])
    assert len(set(descriptions)) == len(descriptions)
    assert isinstance(e.live, live.LiveFigure)
    assert callable(e.update) and hasattr(e, "_ipython_display_")


def test_slider_moves_restyle_the_drawing_without_rebuilding_it():
    e = ff.example_widget()
    ax = e.artists.nodes["h1"].axes
    counts, frames, before = _artist_counts(ax), e.live.frames, e.live.widget.value
    moves = {"w1": -2.0, "w3": 1.5, "b2": -3.0, "w5": 3.0, "x1": -1.0}
    for name, value in moves.items():
        e.sliders[name].value = value
    params = network.from_named(**{**ff.WORKED_EXAMPLE, **moves})
    x = np.array([-1.0, 3.0])
    h = sigmoid(x @ params["W1"] + params["b1"])
    assert e.values["h"] == pytest.approx(h, rel=1e-12)
    assert e.values["o1"] == pytest.approx(network.feedforward(x, params), rel=1e-12)
    # edges: red for negative, blue for positive, width from |w|
    assert to_rgba(e.artists.edges["w1"].get_color()) == to_rgba(ff.NEGATIVE)
    assert e.artists.edges["w1"].get_linewidth() == pytest.approx(0.8 + 1.5 * 2.0)
    assert to_rgba(e.artists.edges["w3"].get_color()) == to_rgba(ff.POSITIVE)
    assert e.artists.edges["w5"].get_linewidth() == pytest.approx(0.8 + 1.5 * 3.0)
    # nodes: coloured by activation, value written inside, text readable
    for name, a in (("h1", h[0]), ("h2", h[1])):
        assert e.artists.nodes[name].get_facecolor() == pytest.approx(ff.node_fill(a))
        assert e.artists.node_texts[name].get_text().endswith(f"{a:.4f}")
    assert e.artists.node_texts["h2"].get_color() == "black"  # h2 = f(-1.5), pale fill
    assert e.artists.node_texts["h1"].get_color() == "white"  # h1 = f(5), dark fill
    assert e.artists.node_texts["x1"].get_text() == "\u22121.00"
    assert e.artists.node_texts["h2"].get_text() == f"{h[1]:.4f}"
    assert f"{e.values['o1']:.10f}" in e.readout.value
    assert "x = [-1.0, 3.0]" in e.readout.value
    assert _artist_counts(ax) == counts, "the figure is restyled, never rebuilt"
    assert e.live.frames == frames + len(moves)
    assert e.live.widget.value != before and e.live.widget.value[:4] == b"\x89PNG"


def test_explorer_reads_its_start_from_any_params():
    params = network.make_params([[1.0, -2.0], [0.5, 3.0]], [0.5, -1.0], [[2.0], [-1.0]],
                                 [0.25])
    e = ff.network_explorer(params, x=(1.0, -2.0))
    assert e.sliders["w3"].value == -2.0 and e.sliders["b3"].value == 0.25
    assert e.values["o1"] == pytest.approx(0.8167969254054481, rel=1e-12)
    for key in params:
        np.testing.assert_array_equal(e.params()[key], params[key])


def test_only_what_a_slider_changes_is_redrawn():
    """Labels and names stay in the cached background; edges, neurons and values move."""
    e = ff.example_widget()
    animated = e.artists.animated()
    assert all(a.get_animated() for a in animated)
    assert not any(t in animated for t in e.artists.edge_labels.values())
    assert e.artists.nodes["x1"] not in animated  # an input's circle never changes colour
    assert len(animated) == 6 + 3 + 5


def test_edges_run_from_rim_to_rim():
    e = ff.example_widget()
    for name, (src, dst) in ff.EDGES.items():
        xs, ys = e.artists.edges[name].get_data()
        for (px, py), end in ((ff.POSITIONS[src], 0), (ff.POSITIONS[dst], 1)):
            assert np.hypot(xs[end] - px, ys[end] - py) == pytest.approx(ff.RADIUS)


def test_edge_style():
    assert ff.edge_style(0.0) == (0.8, ff.ZERO, "--")
    assert ff.edge_style(1.0) == (pytest.approx(2.3), ff.POSITIVE, "-")
    assert ff.edge_style(-1.0)[1] == ff.NEGATIVE
    assert ff.edge_style(40.0)[0] == ff.edge_style(ff.MAX_WIDTH_WEIGHT)[0]


@pytest.mark.parametrize("name", network.NAMES)
def test_key_labels_agree_with_the_params_convention(name):
    """The picture's 'w3: W1[0,1]' must say where from_named really puts w3."""
    params = network.from_named(**{n: float(n == name) for n in network.NAMES})
    key, index = ff.key_of(name).rstrip("]").split("[")
    index = tuple(int(i) for i in index.split(","))
    assert params[key][index] == 1.0
    assert sum(float(v.sum()) for v in params.values()) == 1.0


def test_static_pictures_draw_the_names_and_the_keys():
    fig = live.new_figure()
    names = ff.draw_network(fig.add_subplot(1, 2, 1), labels="names")
    keys = ff.draw_network(fig.add_subplot(1, 2, 2), labels="keys")
    fig.canvas.draw()
    assert names.edge_labels["w4"].get_text() == "$w_4$"
    assert keys.edge_labels["w4"].get_text() == "$w_4$: W1[1,1]"
    assert keys.bias_texts["b3"].get_text() == "$b_3$: b2[0]"
    assert names.node_texts["h1"].get_text() == "$h_1$"


def test_values_of_the_worked_example():
    v = ff.values(WORKED, [2.0, 3.0])
    assert v["z_h"] == pytest.approx([3.0, 3.0])
    assert v["z_o"] == pytest.approx(0.9525741268224334, rel=1e-12)
    assert v["o1"] == pytest.approx(0.7216325609518421, rel=1e-12)


def _label_clashes(artists) -> list[str]:
    """Labels whose boxes overlap another label, or a neuron that is not theirs."""
    ax = artists.nodes["h1"].axes
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.canvas.draw()
    inside = set(artists.node_texts.values())  # a neuron's own name or value
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts
             if t.get_text() and t not in inside]
    clashes = [f"{a!r} over {b!r}" for i, (a, box) in enumerate(boxes)
               for b, other in boxes[i + 1:] if box.overlaps(other)]
    for name, circle in artists.nodes.items():
        cx, cy = ax.transData.transform(circle.center)
        r = ax.transData.transform((circle.center[0] + circle.radius, 0))[0] - \
            ax.transData.transform((circle.center[0], 0))[0]
        for text, box in boxes:  # the box's nearest point to the centre, inside the circle?
            nx, ny = min(max(cx, box.x0), box.x1), min(max(cy, box.y0), box.y1)
            if np.hypot(nx - cx, ny - cy) < r:
                clashes.append(f"{text!r} over the neuron {name}")
    return clashes


@pytest.mark.parametrize("labels", ["names", "keys"])
def test_no_label_covers_another_in_the_pictures(labels):
    """Notebook 02's pictures (figsize (6.4, 3.4)): 'w5: W2[0,0]' once sat on 'b1: b1[0]'."""
    fig = live.new_figure(6.4, 3.4)
    artists = ff.draw_network(fig.add_subplot(), labels=labels)
    assert not _label_clashes(artists)


def test_no_label_covers_another_in_the_explorer():
    assert not _label_clashes(ff.example_widget().artists)
