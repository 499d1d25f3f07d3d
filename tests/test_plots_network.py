"""nbutils.plots.network: the one drawing of the 2-2-1 network (notebooks 02-04)."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from nbutils import live, network, palette
from nbutils.plots import network as pn

MIXED = network.from_named(w1=1, w2=-2, w3=0, w4=1, w5=-1, w6=3, b1=0, b2=0.5, b3=0)


def _draw(labels="names", size=(6.4, 3.4), **kwargs):
    fig = live.new_figure(*size)
    return pn.draw_network(fig.add_subplot(), labels=labels, **kwargs)


def test_edge_style_shows_the_sign_by_line_style_too():
    assert pn.edge_style(0.0) == (1.0, palette.ZERO, ":")
    assert pn.edge_style(1.0) == (pytest.approx(2.3), palette.POSITIVE, "-")
    assert pn.edge_style(-1.0)[1:] == (palette.NEGATIVE, "--")
    assert pn.edge_style(40.0)[0] == pn.edge_style(pn.MAX_WIDTH_WEIGHT)[0]


def test_update_restyles_edges_by_weight():
    artists = _draw("values", params=MIXED, x=(2.0, 3.0))
    edges = artists.edges
    assert to_rgba(edges["w2"].get_color()) == to_rgba(palette.NEGATIVE)
    assert edges["w2"].get_linestyle() == "--" and edges["w6"].get_linestyle() == "-"
    assert edges["w3"].get_linestyle() == ":"
    assert edges["w6"].get_linewidth() == pytest.approx(0.8 + 1.5 * 3.0)


@pytest.mark.parametrize("name", network.NAMES)
def test_key_labels_agree_with_the_params_convention(name):
    """The picture's 'w3: W1[0,1]' must say where from_named really puts w3."""
    params = network.from_named(**{n: float(n == name) for n in network.NAMES})
    key, index = pn.key_of(name).rstrip("]").split("[")
    index = tuple(int(i) for i in index.split(","))
    assert params[key][index] == 1.0
    assert sum(float(v.sum()) for v in params.values()) == 1.0


def test_edges_run_from_rim_to_rim():
    artists = _draw()
    for name, (src, dst) in pn.EDGES.items():
        xs, ys = artists.edges[name].get_data()
        for (px, py), end in ((pn.POSITIONS[src], 0), (pn.POSITIONS[dst], 1)):
            assert np.hypot(xs[end] - px, ys[end] - py) == pytest.approx(pn.RADIUS)


def test_values_agree_with_the_reference_network():
    v = pn.values(MIXED, [2.0, 3.0])
    x = np.array([2.0, 3.0])
    np.testing.assert_allclose(v["h"], network.hidden(x[None, :], MIXED)[0], rtol=1e-12)
    assert v["o1"] == pytest.approx(network.feedforward(x, MIXED), rel=1e-12)
    np.testing.assert_allclose(v["z_h"], x @ MIXED["W1"] + MIXED["b1"], rtol=1e-12)


def test_node_text_stays_readable_on_its_fill():
    artists = _draw("values", params=MIXED, x=(2.0, 3.0))
    for name in ("h1", "h2", "o1"):
        fill = artists.nodes[name].get_facecolor()
        text = artists.node_texts[name].get_color()
        hex_fill = "#" + "".join(f"{round(255 * c):02X}" for c in fill[:3])
        assert palette.contrast(text, hex_fill) >= 4.5, name


def test_the_loss_and_the_path_of_notebook_04():
    assert pn.path_to_loss("w1") == [("x1", "h1"), ("h1", "o1"), ("o1", "L")]
    assert pn.path_to_loss("b3") == [("o1", "L")]
    artists = _draw("params", params=MIXED, path=pn.path_to_loss("w2"), loss=True)
    assert artists.edge_labels["w2"].get_text() == "w\u2082 = \u22122"
    assert artists.edges["w2"].get_path_effects() and not artists.edges["w1"].get_path_effects()
    ax = artists.nodes["h1"].axes
    assert "$L$" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="labels must be one of"):
        _draw("nope")


def test_describe_says_the_signs_and_values():
    text = pn.describe(pn.values(MIXED, (2.0, 3.0)), MIXED)
    assert "w2 -2.0" in text and "b2 0.5" in text and "x = (2.0, 3.0)" in text


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


@pytest.mark.parametrize("labels, kwargs", [
    ("names", {}), ("keys", {}), ("values", {"params": MIXED, "x": (2.0, 3.0)}),
    ("params", {"params": MIXED, "loss": True}),
])
def test_no_label_covers_another(labels, kwargs):
    """Notebook 02's pictures (figsize (6.4, 3.4)): 'w5: W2[0,0]' once sat on 'b1: b1[0]'."""
    assert not _label_clashes(_draw(labels, **kwargs))


def test_highlight_draws_the_path_to_the_loss_and_bolds_the_label():
    artists = _draw("params", params=MIXED, highlight="b1")
    assert artists.bias_texts["b1"].get_fontweight() == "bold"
    assert artists.edges["w5"].get_path_effects()  # h1 -> o1 is on b1's path
    assert not artists.edges["w6"].get_path_effects()
    assert "$L$" in [t.get_text() for t in artists.nodes["h1"].axes.texts]
