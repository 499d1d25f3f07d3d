"""Notebook 03's pictures and explorers: slider moves update bars, lines, readout, picture."""

import numpy as np
import pytest

from nbutils import data, live, losses, network
from nbutils.viz import loss as viz

X, Y, NAMES = data.people()
ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)


def my_mse(y_true, y_pred):  # stands in for the student's function
    return float(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2))


def heights(bars):
    return np.array([b.get_height() for b in bars])


def test_people_are_drawn_where_the_data_says_coloured_by_label():
    fig = live.new_figure()
    ax = fig.add_subplot()
    female, male = viz.plot_people(ax, X, Y, NAMES, mean=X.mean(axis=0))
    fig.canvas.draw()
    np.testing.assert_array_equal(female.get_offsets(), X[Y == 1])
    np.testing.assert_array_equal(male.get_offsets(), X[Y == 0])
    assert [t.get_text() for t in ax.texts] == NAMES
    mean_marker = ax.lines[-1]
    assert (mean_marker.get_xdata()[0], mean_marker.get_ydata()[0]) == (6.25, 0.75)


def test_error_shapes_are_e_abs_and_square():
    fig = live.new_figure()
    ax = fig.add_subplot()
    plain, absolute, squared = viz.plot_error_shapes(ax)
    e = plain.get_xdata()
    np.testing.assert_array_equal(plain.get_ydata(), e)
    np.testing.assert_array_equal(absolute.get_ydata(), np.abs(e))
    np.testing.assert_array_equal(squared.get_ydata(), e ** 2)


def test_prediction_explorer_starts_at_the_worked_example():
    e = viz.example_widget()
    assert list(e.sliders) == NAMES
    assert e.mse == 0.5  # REFERENCE_NUMBERS: always 0 -> 0.5
    np.testing.assert_array_equal(heights(e.artists.sq_bars), [1, 0, 0, 1])
    np.testing.assert_array_equal(heights(e.artists.pred_bars), [0, 0, 0, 0])
    assert list(e.artists.mse_line.get_ydata()) == [0.5, 0.5]
    assert "0.5000000000" in e.readout.value and e.artists.mse_text.get_text() == "MSE = 0.5000"


def test_prediction_sliders_move_bars_line_readout_and_picture():
    e = viz.example_widget()
    before = e.live.widget.value
    y_pred = [0.9, 0.2, 0.4, 0.3]
    for name, p in zip(NAMES, y_pred, strict=True):
        e.sliders[name].value = p
    expected = losses.mse_loss(Y, y_pred)
    assert e.mse == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(heights(e.artists.pred_bars), y_pred, rtol=1e-12)
    np.testing.assert_allclose(heights(e.artists.sq_bars), (Y - y_pred) ** 2, rtol=1e-12)
    assert e.artists.mse_line.get_ydata()[0] == pytest.approx(expected, rel=1e-12)
    x, ys = e.artists.error_lines[3].get_data()  # Diana: from 0.3 up to the truth 1
    assert list(x) == [3, 3] and list(ys) == [0.3, 1.0]
    assert f"{expected:.10f}" in e.readout.value and "0.4900" in e.readout.value
    assert e.live.widget.value != before and e.live.widget.value[:4] == b"\x89PNG"


def test_one_big_error_costs_more_than_two_half_errors():
    e = viz.prediction_explorer(Y, NAMES, y_pred=Y)
    assert e.mse == 0.0
    e.sliders["Alice"].value = 0.0
    assert e.mse == pytest.approx(0.25, rel=1e-12)
    e.sliders["Alice"].value = 0.5
    e.sliders["Diana"].value = 0.5
    assert e.mse == pytest.approx(0.125, rel=1e-12)


def test_weight_explorer_starts_at_the_all_ones_network():
    e = viz.example_widget("weight")
    assert list(e.sliders) == ["value"] and e.sliders["value"].value == 1.0
    assert e.name == "w5" and e.choice.value == "w5"
    assert e.loss == pytest.approx(0.5071183180, rel=1e-8)  # REFERENCE_NUMBERS
    np.testing.assert_allclose(heights(e.pred_bars), network.forward(X, ONES), rtol=1e-12)
    x, y = e.artists.point.get_data()
    assert (x[0], y[0]) == (1.0, e.loss)
    assert "0.5071183179" in e.readout.value


def test_weight_slider_moves_point_bars_and_readout():
    e = viz.weight_explorer(my_mse, X, Y, NAMES, ONES, name="w5")
    before = e.live.widget.value
    e.sliders["value"].value = -4.0
    p = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=-4, w6=1, b1=0, b2=0, b3=0)
    expected = losses.mse_loss(Y, network.forward(X, p))
    assert e.loss == pytest.approx(expected, rel=1e-12)
    x, y = e.artists.point.get_data()
    assert x[0] == -4.0 and y[0] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(heights(e.pred_bars), network.forward(X, p), rtol=1e-12)
    assert f"{expected:.10f}" in e.readout.value and "w5 = -4.0" in e.readout.value
    assert e.live.widget.value != before


def test_the_curve_is_the_loss_over_the_chosen_parameter():
    e = viz.weight_explorer(my_mse, X, Y, NAMES, ONES, name="w5")
    grid, curve = e.artists.curve.get_data()
    i = int(np.argmin(np.abs(grid - (-2.0))))
    p = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=grid[i], w6=1, b1=0, b2=0, b3=0)
    assert curve[i] == pytest.approx(losses.mse_loss(Y, network.forward(X, p)), rel=1e-12)
    # its lowest point is near w5 = -3.8, where the loss is about 0.135
    assert grid[np.argmin(curve)] == pytest.approx(-3.8, abs=0.1)
    assert curve.min() == pytest.approx(0.1352, abs=1e-3)


def test_choosing_another_parameter_resets_the_slider_and_redraws_the_curve():
    e = viz.weight_explorer(my_mse, X, Y, NAMES, ONES, name="w5")
    e.sliders["value"].value = -3.0
    e.choice.value = "b3"
    assert e.name == "b3" and e.sliders["value"].value == 0.0
    assert e.loss == pytest.approx(0.5071183180, rel=1e-8)
    grid, curve = e.artists.curve.get_data()
    i = int(np.argmin(np.abs(grid - 2.0)))
    p = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=grid[i])
    assert curve[i] == pytest.approx(losses.mse_loss(Y, network.forward(X, p)), rel=1e-12)
    assert "b_3" in e.ax_loss.get_xlabel()
    e.sliders["value"].value = 2.0
    assert e.loss == pytest.approx(curve[i], rel=1e-12)


def test_a_broken_loss_falls_back_with_a_note():
    def stub(y_true, y_pred):
        raise NotImplementedError()

    def summed(y_true, y_pred):
        return float(np.sum((np.asarray(y_true) - np.asarray(y_pred)) ** 2))

    for fn in (stub, summed):
        e = viz.weight_explorer(fn, X, Y, NAMES, ONES)
        assert "does not work yet" in e.note
        assert e.loss_fn is losses.mse_loss
    assert viz.weight_explorer(my_mse, X, Y, NAMES, ONES).note == ""


def test_example_widget_names_its_widgets():
    with pytest.raises(ValueError, match="which must be one of"):
        viz.example_widget("nope")


def test_the_b3_curve_has_two_dips_as_the_notebook_says():
    e = viz.weight_explorer(my_mse, X, Y, NAMES, ONES, name="b3")
    grid, curve = e.artists.curve.get_data()
    turns = [i for i in range(1, len(grid) - 1)
             if (curve[i] - curve[i - 1]) * (curve[i + 1] - curve[i]) < 0]
    assert [round(float(grid[i]), 1) for i in turns] == [-3.4, -1.0, 1.4]
    low, bump, high = (curve[i] for i in turns)
    assert low < 0.5 and high < 0.5 < bump
