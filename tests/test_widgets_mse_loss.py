"""nbutils.widgets.mse_loss: notebook 03's two explorers follow their controls."""

import numpy as np
import pytest
from traitlets.traitlets import ObserveHandler

from nbutils import data, losses, network
from nbutils.widgets import controls, examples
from nbutils.widgets import mse_loss as widgets

X, Y, NAMES = data.people()
ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)


def my_mse(y_true, y_pred):  # stands in for the student's function
    return float(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2))


def heights(bars):
    return np.array([b.get_height() for b in bars])


def observers(control) -> list:
    return [h for h in control._trait_notifiers.get("value", {}).get("change", [])
            if not isinstance(h, ObserveHandler)]


def test_prediction_explorer_starts_with_every_prediction_0():
    e = examples.mse_predictions()
    assert list(e.sliders) == NAMES
    assert e.mse == losses.mse_loss(Y, np.zeros(4))
    np.testing.assert_array_equal(heights(e.artists.sq_bars), Y ** 2)
    np.testing.assert_array_equal(heights(e.artists.pred_bars), [0, 0, 0, 0])
    assert f"{e.mse:.10f}" in e.readout.value and e.artists.mse_text.get_text() == "MSE = 0.5000"


def test_prediction_sliders_move_bars_readout_alt_and_picture():
    e = examples.mse_predictions()
    before = e.live.png()
    y_pred = [0.9, 0.2, 0.4, 0.3]
    for name, p in zip(NAMES, y_pred, strict=True):
        e.sliders[name].value = p
    expected = losses.mse_loss(Y, y_pred)
    assert e.mse == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(heights(e.artists.pred_bars), y_pred, rtol=1e-12)
    assert f"{expected:.10f}" in e.readout.value and "0.4900" in e.readout.value
    assert "Diana: truth 1, prediction 0.30" in e.live.alt
    assert e.live.png() != before


def test_prediction_sliders_sit_in_their_own_wrapping_row_above_the_picture():
    """Not beside the picture: there they were squeezed to 162 px at 1366 px."""
    e = examples.mse_predictions()
    row, picture = e.box.children[:2]
    assert row.layout.flex_flow == "row wrap" and picture is e.live.widget
    group = row.children[0]
    assert [s.description for s in group.children[1:]] == NAMES
    for s in e.sliders.values():
        assert s.readout_format == ".2f" and len(observers(s)) == 1


def test_one_big_error_costs_more_than_two_half_errors():
    e = widgets.prediction_explorer(Y, NAMES, y_pred=Y)
    assert e.mse == 0.0
    e.sliders["Alice"].value = 0.0
    assert e.mse == pytest.approx(0.25, rel=1e-12)
    e.sliders["Alice"].value = 0.5
    e.sliders["Diana"].value = 0.5
    assert e.mse == pytest.approx(0.125, rel=1e-12)


def test_weight_explorer_starts_at_the_all_ones_network():
    e = examples.mse_weight()
    assert list(e.sliders) == ["value"] and e.sliders["value"].value == 1.0
    assert e.name == "w5" and e.choices["parameter"].value == "w5"
    expected = losses.mse_loss(Y, network.feedforward_batch(X, ONES))
    assert e.loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(heights(e.pred_bars), network.feedforward_batch(X, ONES),
                               rtol=1e-12)
    x, y = e.artists.point.get_data()
    assert (x[0], y[0]) == (1.0, e.loss)
    assert f"{expected:.10f}" in e.readout.value


def test_the_parameter_is_chosen_with_buttons_not_a_dropdown():
    """A focused <select> loses its arrow keys to JupyterLab's command mode."""
    e = examples.mse_weight()
    choice = e.choices["parameter"]
    assert isinstance(choice, controls.Choice)
    assert list(choice.options) == list(network.NAMES)
    assert len(observers(choice)) == 1 and len(observers(e.sliders["value"])) == 1
    assert choice in e.box.children[0].children


def test_weight_slider_moves_point_bars_and_readout():
    e = widgets.weight_explorer(my_mse, X, Y, NAMES, ONES, name="w5")
    before = e.live.png()
    e.sliders["value"].value = -4.0
    p = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=-4, w6=1, b1=0, b2=0, b3=0)
    expected = losses.mse_loss(Y, network.feedforward_batch(X, p))
    assert e.loss == pytest.approx(expected, rel=1e-12)
    x, y = e.artists.point.get_data()
    assert x[0] == -4.0 and y[0] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(heights(e.pred_bars), network.feedforward_batch(X, p),
                               rtol=1e-12)
    assert f"{expected:.10f}" in e.readout.value and "w5 = -4.0" in e.readout.value
    assert "w5 = -4.0" in e.live.alt and e.live.png() != before


def test_the_curve_is_the_loss_over_the_chosen_parameter():
    e = widgets.weight_explorer(my_mse, X, Y, NAMES, ONES, name="w5")
    grid, curve = e.artists.curve.get_data()
    i = int(np.argmin(np.abs(grid - (-2.0))))
    p = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=grid[i], w6=1, b1=0, b2=0, b3=0)
    assert curve[i] == pytest.approx(losses.mse_loss(Y, network.feedforward_batch(X, p)),
                                     rel=1e-12)
    # its lowest point is near w5 = -3.8, where the loss is about 0.135
    assert grid[np.argmin(curve)] == pytest.approx(-3.8, abs=0.1)
    assert curve.min() == pytest.approx(0.1352, abs=1e-3)


def test_choosing_another_parameter_resets_the_slider_and_redraws_once():
    e = widgets.weight_explorer(my_mse, X, Y, NAMES, ONES, name="w5")
    e.sliders["value"].value = -3.0
    frames = e.live.frames
    e.choices["parameter"].value = "b3"
    assert e.live.frames == frames + 2  # the new background, then one update
    assert e.name == "b3" and e.sliders["value"].value == 0.0
    assert e.loss == pytest.approx(losses.mse_loss(Y, network.feedforward_batch(X, ONES)),
                                   rel=1e-12)
    grid, curve = e.artists.curve.get_data()
    i = int(np.argmin(np.abs(grid - 2.0)))
    p = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=grid[i])
    assert curve[i] == pytest.approx(losses.mse_loss(Y, network.feedforward_batch(X, p)),
                                     rel=1e-12)
    assert "b_3" in e.ax_loss.get_xlabel()
    e.sliders["value"].value = 2.0
    assert e.loss == pytest.approx(curve[i], rel=1e-12)
    e.sliders["value"].value = 1.0
    frames = e.live.frames
    e.choices["parameter"].value = "w6"  # w6 is 1 too: the slider stays, one update
    assert e.live.frames == frames + 2 and e.sliders["value"].value == 1.0
    assert "w6 = 1.0" in e.readout.value


def test_a_broken_loss_falls_back_with_a_note():
    def stub(y_true, y_pred):
        raise NotImplementedError()

    def summed(y_true, y_pred):
        return float(np.sum((np.asarray(y_true) - np.asarray(y_pred)) ** 2))

    for fn in (stub, summed):
        e = widgets.weight_explorer(fn, X, Y, NAMES, ONES)
        assert "does not work yet" in e.note and e.loss_fn is losses.mse_loss
    assert widgets.weight_explorer(my_mse, X, Y, NAMES, ONES).note == ""


def test_examples_list_every_widget_cell_of_notebooks_01_to_03():
    assert examples.BY_NOTEBOOK["03_mse_loss"] == (examples.mse_predictions,
                                                   examples.mse_weight)
    for name in ("01_neuron", "02_feedforward"):
        assert len(examples.BY_NOTEBOOK[name]) == 1
