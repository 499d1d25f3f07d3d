"""nbutils.plots.sgd: notebook 05's pictures, without a browser."""

import numpy as np
import pytest

from nbutils import data, live
from nbutils.plots import sgd as plots


def test_loss_curve_starts_at_epoch_zero_when_given_the_start_loss():
    ax = live.new_figure().add_subplot()
    line = plots.plot_loss_curve(ax, [0.3, 0.2, 0.1], start_loss=0.5, epochs=10)
    x, y = line.get_data()
    assert list(x) == [0, 1, 2, 3] and list(y) == [0.5, 0.3, 0.2, 0.1]
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, 10)
    plots.set_loss_curve(line, [0.3, 0.2])
    x, y = line.get_data()
    assert list(x) == [1, 2] and list(y) == [0.3, 0.2]


def test_prediction_bars_show_heights_and_values():
    fig = live.new_figure()
    ax = fig.add_subplot()
    X, y, names = data.people()
    bars = plots.plot_predictions(ax, [0.9, 0.1, 0.2, 0.8], y, names, [0.7, 0.3],
                                  ["Emily", "Frank"])
    assert [b.get_height() for b in bars.bars] == pytest.approx([0.9, 0.1, 0.2, 0.8, 0.7, 0.3])
    assert bars.bars[4].get_hatch() == "//"
    plots.set_predictions(bars, [0.5] * 6)
    assert [t.get_text() for t in bars.labels] == ["0.500"] * 6
    # a label sits above the bar and above the person's label tick
    assert bars.labels[0].get_position()[1] == pytest.approx(1.02)
    assert bars.labels[1].get_position()[1] == pytest.approx(0.52)
    fig.canvas.draw()


def test_descent_and_gradient_pictures_draw():
    fig = live.new_figure()
    ax1, ax2 = fig.subplots(1, 2)
    plots.plot_descent_1d(ax1, lambda w: (w - 1) ** 2, [3.0, 2.0, 1.5], -1, 4, name="w")
    assert len(ax1.lines) == 2 and len(ax1.texts) == 2  # the curve, the dots; 2 arrows
    plots.plot_gradients(ax2, {"w1": 0.1, "b3": -0.2})
    assert [p.get_height() for p in ax2.patches] == pytest.approx([0.1, -0.2])
    assert [p.get_hatch() for p in ax2.patches] == [None, "//"], "sign not by colour alone"
    fig.canvas.draw()


@pytest.mark.parametrize("size", [(9.2, 3.3), (6.4, 6.0)])
def test_player_picture_is_wide_or_stacked_and_shows_a_run(size):
    fig = live.new_figure(*size)
    X, y, names = data.people()
    artists = plots.plot_player(fig, y, names, ["Emily", "Frank"], epochs=100)
    first, second = fig.axes[:2]
    stacked = size[1] > size[0] / 2
    assert (first.get_position().y0 > second.get_position().y1) == stacked
    plots.set_player(artists, [0.3, 0.2, 1e-9], np.linspace(0.1, 0.6, 6))
    x, losses = artists.line.get_data()
    assert list(x) == [0, 1, 2] and losses[-1] == plots.LOSS_LIMITS[0], "clipped to the axis"
    assert artists.dot.get_data()[0][0] == 2
    assert artists.bars.bars[5].get_height() == pytest.approx(0.6)
    assert len(artists.animated()) == 2 + 12
    fig.canvas.draw()


def test_static_figures_have_text_alternatives():
    alt = plots.describe_descent_1d(lambda w: (w - 1) ** 2, [3.0, 2.0, 1.5], "w", "lr = 3")
    assert alt.startswith("lr = 3: 2 steps of w: 3.00, 2.00, 1.50") and "to 0.2500" in alt
    assert plots.describe_gradients({"w1": 0.1, "b3": -0.2}).endswith("w1 +0.1000, b3 -0.2000.")
    _, y, names = data.people()
    alt = plots.describe_run([0.3, 0.01], names, [0.9, 0.1, 0.2, 0.8], ["Emily"], [0.7])
    assert "over 2 epochs" in alt and "Alice 0.900" in alt and "Emily 0.700" in alt
    fig, ax = plots.figure(4, 3)
    assert ax.figure is fig and callable(plots.show)
