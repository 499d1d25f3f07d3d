"""nbutils.plots.feedforward: notebook 02's pictures of the 2-2-1 network."""

import pytest

from nbutils import live, network
from nbutils.plots import feedforward as plots

WORKED = network.from_named(**plots.WORKED_EXAMPLE)


def test_static_pictures_draw_the_names_and_the_keys():
    fig = live.new_figure()
    names = plots.draw_network(fig.add_subplot(1, 2, 1), labels="names")
    keys = plots.draw_network(fig.add_subplot(1, 2, 2), labels="keys")
    fig.canvas.draw()
    assert names.edge_labels["w4"].get_text() == "$w_4$"
    assert keys.edge_labels["w4"].get_text() == "$w_4$: W1[1,1]"
    assert keys.bias_texts["b3"].get_text() == "$b_3$: b2[0]"
    assert names.node_texts["h1"].get_text() == "$h_1$"


def test_the_worked_example_is_every_weight_0_1_by_neuron():
    assert network.named(WORKED) == plots.WORKED_EXAMPLE
    v = plots.values(WORKED, [2.0, 3.0])
    assert v["z_h"] == pytest.approx([3.0, 3.0])
    assert v["o1"] == pytest.approx(network.feedforward([2.0, 3.0], WORKED), rel=1e-12)


def test_the_live_picture_has_the_values_and_both_keys():
    fig = live.new_figure(7.0, 3.7)
    artists = plots.draw_live_network(fig, WORKED, (2.0, 3.0))
    assert artists.node_texts["x2"].get_text() == "3.00"
    assert artists.node_texts["o1"].get_text() == f"{network.feedforward([2, 3], WORKED):.4f}"
    assert len(fig.axes) == 2  # the drawing and the colour key
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("dashed = negative" in t for t in texts)


def test_alt_texts_of_the_static_pictures():
    assert "w3 in W1[0,1]" in plots.describe_names("keys")
    assert "b1, b2, b3" in plots.describe_names("names")


def test_the_notebook_shows_every_figure_with_a_text_alternative():
    """Notebook 02's figures go through plots.show(fig, alt=...), never plt.show()."""
    from harness import read, source_path

    cells = [c.source for c in read(source_path("02_feedforward")).cells if c.cell_type == "code"]
    figures = [s for s in cells if "plots.figure(" in s]
    assert len(figures) == 2 and all("plots.show(fig, alt=" in s for s in figures)
    assert not any("plt." in s or "matplotlib" in s for s in cells)
