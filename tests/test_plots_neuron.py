"""nbutils.plots.neuron: notebook 01's pictures (the neuron, the activation curve)."""

import numpy as np
import pytest

from nbutils import live
from nbutils.activations import sigmoid
from nbutils.plots import neuron as plots


def _ax():
    fig = live.new_figure()
    return fig, fig.add_subplot()


def test_the_diagram_draws_its_labels():
    fig, ax = _ax()
    plots.draw_neuron(ax, w=(0, 1), b=4, x=(2, 3), a=0.999)
    fig.canvas.draw()
    texts = [t.get_text() for t in ax.texts]
    assert "$w_1=0$" in texts and "bias $b=4$" in texts and "$x_2=3$" in texts
    assert "$a=0.9990$" in texts


def test_the_diagram_in_words():
    text = plots.describe_neuron(w=(0, 1), b=4, x=(2, 3))
    assert "x1 = 2" in text and "w2 = 1" in text and "b = 4" in text


def test_the_curve_is_the_activation_and_the_point_sits_on_it():
    _, ax = _ax()
    artists = plots.plot_activation(ax, sigmoid, z=1.5)
    grid, curve = ax.lines[0].get_data()
    np.testing.assert_allclose(curve, sigmoid(grid), rtol=1e-12)
    x, y = artists.point.get_data()
    assert x[0] == 1.5 and y[0] == pytest.approx(float(sigmoid(1.5)), rel=1e-12)
    assert list(artists.vline.get_ydata()) == [0, y[0]]


def test_a_point_beyond_the_plot_sits_on_its_edge_as_an_arrow():
    _, ax = _ax()
    artists = plots.plot_activation(ax, sigmoid)
    plots.mark_point(artists, 15.0, 1.0)
    assert artists.point.get_data()[0][0] == plots.Z_LIMIT
    assert artists.point.get_marker() == ">"
    plots.mark_point(artists, -15.0, 0.0)
    assert artists.point.get_marker() == "<"
    plots.mark_point(artists, -7.0, 0.001)
    assert artists.point.get_marker() == "o"


def test_beyond_and_describe_say_where_the_point_is():
    assert plots.beyond(3.0) == ""
    assert "right edge" in plots.beyond(15.0) and "left edge" in plots.beyond(-15.0)
    text = plots.describe_activation(7.0, 0.9990889488)
    assert "z = 7.0000" in text and "0.9991" in text and "beyond" not in text
    assert "beyond the plot" in plots.describe_activation(15.0, 1.0)


def test_the_notebook_shows_every_figure_with_a_text_alternative():
    """Notebook 01's figures go through plots.show(fig, alt=...), never plt.show()."""
    from harness import read, source_path

    cells = [c.source for c in read(source_path("01_neuron")).cells if c.cell_type == "code"]
    figures = [s for s in cells if "plots.figure(" in s]
    assert len(figures) == 1 and all("plots.show(fig, alt=" in s for s in figures)
    assert not any("plt." in s or "matplotlib" in s for s in cells)
