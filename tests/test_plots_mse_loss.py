"""nbutils.plots.mse_loss: notebook 03's pictures (people, error shapes, loss panels)."""

import numpy as np
import pytest

from nbutils import data, live, losses, network
from nbutils.plots import mse_loss as plots

X, Y, NAMES = data.people()
ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)


def _axes(n=1):
    fig = live.new_figure(8, 3)
    return fig, fig.subplots(1, n) if n > 1 else fig.add_subplot()


def heights(bars):
    return np.array([b.get_height() for b in bars])


def test_people_are_drawn_where_the_data_says_by_label_with_two_markers():
    fig, ax = _axes()
    female, male = plots.plot_people(ax, X, Y, NAMES, mean=X.mean(axis=0))
    fig.canvas.draw()
    np.testing.assert_array_equal(female.get_offsets(), X[Y == 1])
    np.testing.assert_array_equal(male.get_offsets(), X[Y == 0])
    assert female.get_paths()[0] != male.get_paths()[0]  # circles and squares
    assert [t.get_text() for t in ax.texts] == NAMES
    mean_marker = ax.lines[-1]
    mean = X.mean(axis=0)
    assert (mean_marker.get_xdata()[0], mean_marker.get_ydata()[0]) == (mean[0], mean[1])


def test_people_in_words():
    text = plots.describe_people(X, Y, NAMES, mean=X.mean(axis=0))
    assert all(name in text for name in NAMES) and "female" in text and "mean" in text


def test_error_shapes_are_e_abs_and_square():
    _, ax = _axes()
    plain, absolute, squared = plots.plot_error_shapes(ax)
    e = plain.get_xdata()
    np.testing.assert_array_equal(plain.get_ydata(), e)
    np.testing.assert_array_equal(absolute.get_ydata(), np.abs(e))
    np.testing.assert_array_equal(squared.get_ydata(), e ** 2)
    assert len({plain.get_linestyle(), absolute.get_linestyle(), squared.get_linestyle()}) == 3
    assert "parabola" in plots.describe_error_shapes()


def test_loss_panels_show_predictions_squared_errors_and_the_mse():
    _, (ax_pred, ax_err) = _axes(2)
    y_pred = np.array([0.9, 0.2, 0.4, 0.3])
    artists = plots.plot_loss_panels(ax_pred, ax_err, Y, NAMES, y_pred)
    expected = losses.mse_loss(Y, y_pred)
    np.testing.assert_allclose(heights(artists.pred_bars), y_pred, rtol=1e-12)
    np.testing.assert_allclose(heights(artists.sq_bars), (Y - y_pred) ** 2, rtol=1e-12)
    assert artists.mse_line.get_ydata()[0] == pytest.approx(expected, rel=1e-12)
    x, ys = artists.error_lines[3].get_data()  # Diana: from 0.3 up to the truth 1
    assert list(x) == [3, 3] and list(ys) == [0.3, 1.0]
    assert artists.mse_text.get_text() == f"MSE = {expected:.4f}"
    hatches = [b.get_hatch() for b in artists.pred_bars]
    assert hatches[0] != hatches[1], "a label is shown by hatching too, not colour alone"
    sq, mse = plots.set_predictions(artists, Y, Y)
    assert mse == 0.0 and not sq.any()


def test_predictions_in_words():
    text = plots.describe_predictions(NAMES, Y, [0.0] * 4, 0.5)
    assert "Alice: truth 1, prediction 0.00, squared error 1.0000" in text
    assert "MSE = 0.5000" in text


def test_the_loss_curve_over_one_parameter():
    grid = np.linspace(-6, 6, 241)
    curve = plots.loss_curve(losses.mse_loss, X, Y, ONES, "w5", grid)
    i = int(np.argmin(np.abs(grid + 2.0)))
    p = plots.with_value(ONES, "w5", grid[i])
    assert curve[i] == pytest.approx(losses.mse_loss(Y, network.feedforward_batch(X, p)),
                                     rel=1e-12)
    assert ONES["W2"][0, 0] == 1.0, "with_value copies"
    _, ax = _axes()
    artists = plots.plot_loss_curve(ax, grid, curve, "w5", 1.0, 0.5)
    assert artists.point.get_data()[0][0] == 1.0 and "w_5" in ax.get_xlabel()
    text = plots.describe_curve("w5", 1.0, 0.5, grid, curve)
    assert f"at w5 = {grid[np.argmin(curve)]:.1f}" in text


def test_the_b3_curve_has_two_dips_as_the_notebook_says():
    grid = np.linspace(-6, 6, 241)
    curve = plots.loss_curve(losses.mse_loss, X, Y, ONES, "b3", grid)
    turns = [i for i in range(1, len(grid) - 1)
             if (curve[i] - curve[i - 1]) * (curve[i + 1] - curve[i]) < 0]
    assert [round(float(grid[i]), 1) for i in turns] == [-3.4, -1.0, 1.4]
    low, bump, high = (curve[i] for i in turns)
    assert low < 0.5 and high < 0.5 < bump


def test_the_notebook_shows_every_figure_with_a_text_alternative():
    """Notebook 03's figures go through plots.show(fig, alt=...), never plt.show()."""
    from harness import read, source_path

    cells = [c.source for c in read(source_path("03_mse_loss")).cells if c.cell_type == "code"]
    figures = [s for s in cells if "plots.figure(" in s]
    assert len(figures) == 2 and all("plots.show(fig, alt=" in s for s in figures)
    assert not any("plt." in s or "matplotlib" in s for s in cells)
