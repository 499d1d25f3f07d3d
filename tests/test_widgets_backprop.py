"""nbutils.widgets.backprop: notebook 04's explorer, without a browser."""

import html
import re

import numpy as np
import pytest

from nbutils import data, gradients, live, losses, network
from nbutils.plots import backprop as plots
from nbutils.widgets import backprop as widgets
from nbutils.widgets import examples

ONES = network.from_named(**widgets.ONES)
X, Y, _ = data.people()
ALICE_LOSS = gradients.sample_loss(X[0], Y[0], ONES)
ALICE_W1 = network.named(gradients.backprop(X[0], Y[0], ONES))["w1"]
ALICE_B3 = network.named(gradients.backprop(X[0], Y[0], ONES))["b3"]
MSE = losses.mse_loss(Y, network.feedforward_batch(X, ONES))


def my_backprop(x, y_true, params):  # stands in for the student's function
    return gradients.backprop(x, y_true, params)


def slope_of(line):
    xs, ys = line.get_data()
    return (ys[1] - ys[0]) / (xs[1] - xs[0])


def text(markup):
    return re.sub(r"<[^>]+>", "", markup)


def test_explorer_starts_at_the_worked_example():
    e = widgets.loss_slice_explorer(my_backprop)
    assert e.backprop_fn is my_backprop and e.note == ""
    assert e.current_loss == pytest.approx(ALICE_LOSS, rel=1e-12)
    assert e.current_slope == pytest.approx(ALICE_W1, rel=1e-12)
    assert e.next_value == pytest.approx(1.0 - 0.1 * ALICE_W1, rel=1e-12)
    assert slope_of(e.artists.tangent) == pytest.approx(e.current_slope, rel=1e-9)
    x, y = e.artists.point.get_data()
    assert (x[0], y[0]) == (1.0, e.current_loss)
    for shown in (f"{ALICE_LOSS:.10f}", f"{ALICE_W1:.10f}", f"{1 - 0.1 * ALICE_W1:.10f}",
                  "Alice alone"):
        assert shown in e.readout.value
    assert "aria-live='polite'" in e.readout.value


def test_the_picture_has_a_text_alternative_that_follows_it():
    e = widgets.loss_slice_explorer(my_backprop)
    assert f"w1 = 1.0000, loss {ALICE_LOSS:.6f}" in e.live.alt
    assert f"alt=\"{html.escape(e.live.alt)}\"" in e.live.widget.value
    e.choices["parameter"].value = "b3"
    assert "b3 = 0.0000" in e.live.alt and "Alice's loss" in e.live.alt


def test_the_tangent_shows_the_given_backprop():
    def doubled(x, y_true, params):
        return {k: 2 * v for k, v in gradients.backprop(x, y_true, params).items()}

    e = widgets.loss_slice_explorer(doubled)
    assert slope_of(e.artists.tangent) == pytest.approx(2 * ALICE_W1, rel=1e-9)


def test_gradient_step_moves_the_point_down_the_slope():
    e = widgets.loss_slice_explorer(my_backprop)
    before = e.live.png()
    e.buttons["step"].click()
    after = 1.0 - 0.1 * ALICE_W1
    assert e.sliders["value"].value == pytest.approx(after, rel=1e-12)
    assert e.values["w1"] == pytest.approx(after, rel=1e-12)
    assert e.current_loss < ALICE_LOSS
    assert e.artists.point.get_xdata()[0] == pytest.approx(after, rel=1e-12)
    assert f"{after:.4f}" in e.readout.value
    assert e.live.png() != before and e.live.png()[:4] == b"\x89PNG"


def test_the_buttons_have_text_and_the_step_button_enough_contrast():
    e = examples.backprop()
    assert [b.description for b in e.buttons.values()] == ["gradient step", "reset"]
    assert e.buttons["step"].button_style != "warning", "orange on white: 2.7:1"


def test_blitting_the_curve_changes_only_with_the_parameter_or_data(monkeypatch):
    e = widgets.loss_slice_explorer(my_backprop)
    redraws = []
    monkeypatch.setattr(e.live, "refresh_background",
                        lambda: redraws.append(e.param) or live.LiveFigure.refresh_background(
                            e.live))
    curve = e.artists.curve.get_ydata().copy()
    e.sliders["value"].value = 0.5
    e.sliders["lr"].value = 2.0
    e.buttons["step"].click()
    assert redraws == [] and np.array_equal(e.artists.curve.get_ydata(), curve)
    e.choices["parameter"].value = "b3"
    assert redraws == ["b3"]
    assert not np.array_equal(e.artists.curve.get_ydata(), curve)
    assert e.sliders["value"].value == 0.0, "the value slider shows b3's value"
    e.choices["data"].value = "all four"
    assert redraws == ["b3", "b3"]


def test_choosing_b3_and_all_four_people():
    e = widgets.loss_slice_explorer(my_backprop)
    e.choices["parameter"].value = "b3"
    assert e.current_slope == pytest.approx(ALICE_B3, rel=1e-12)
    assert e.ax.get_xlabel() == "$b_3$"
    e.choices["data"].value = "all four"
    assert e.current_loss == pytest.approx(MSE, rel=1e-12)
    mean = np.mean([gradients.backprop(x, t, ONES)["b2"][0] for x, t in
                    zip(X, Y, strict=True)])
    assert e.current_slope == pytest.approx(mean, rel=1e-12)
    assert "MSE over all four people" in e.readout.value
    curve_x, curve_y = e.artists.curve.get_data()
    assert curve_y[np.argmin(np.abs(curve_x))] == pytest.approx(MSE, rel=1e-12)


def test_the_parameter_is_a_named_choice():
    e = widgets.loss_slice_explorer(my_backprop)
    assert list(e.choices["parameter"].options) == list(network.NAMES)
    assert e.choices["parameter"].description == "parameter"


def test_values_persist_per_parameter_and_reset_restores_them():
    e = widgets.loss_slice_explorer(my_backprop)
    e.sliders["value"].value = -0.5                # w1
    e.choices["parameter"].value = "w5"
    assert e.values["w1"] == -0.5 and e.sliders["value"].value == 1.0
    e.choices["parameter"].value = "w1"
    assert e.sliders["value"].value == -0.5
    e.buttons["reset"].click()
    assert e.values == network.named(ONES) and e.sliders["value"].value == 1.0
    assert e.current_loss == pytest.approx(ALICE_LOSS, rel=1e-12)


def test_a_step_beyond_the_plot_is_drawn_on_its_edge():
    def steep(x, y_true, params):
        return {k: -1000 * v for k, v in gradients.backprop(x, y_true, params).items()}

    e = widgets.loss_slice_explorer(steep)
    e.sliders["lr"].value = 20.0
    assert e.next_value > plots.VALUE_LIMIT
    x, y = e.artists.next_point.get_data()
    assert x[0] == plots.VALUE_LIMIT and np.isnan(y[0])
    e.step()
    assert e.sliders["value"].value == plots.VALUE_LIMIT


def test_a_broken_backprop_falls_back_with_a_note():
    def stub(x, y_true, params):
        raise NotImplementedError()

    e = widgets.loss_slice_explorer(stub)
    assert "does not return a gradient dict yet" in e.note
    assert e.backprop_fn is gradients.backprop
    assert "does not return a gradient dict yet" in text(e.box.children[0].value)
    wrong_shape = widgets.loss_slice_explorer(lambda x, t, p: {"W1": np.zeros(2)})
    assert wrong_shape.backprop_fn is gradients.backprop


def test_a_pending_value_is_kept_for_its_own_parameter(monkeypatch):
    import asyncio
    import threading

    monkeypatch.setattr(live, "_kernel_loop", asyncio.get_running_loop)
    e = widgets.loss_slice_explorer(my_backprop)
    errors = []

    async def moves():
        e.sliders["value"].value = 2.0      # waits for the loop
        e.choices["parameter"].value = "b3"  # chosen before the update ran
        await asyncio.sleep(0.1)

    def run():
        try:
            asyncio.run(moves())
        except Exception as exc:  # reported by the test in the main thread
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert errors == []
    assert e.values["w1"] == 2.0 and e.values["b3"] == 0.0 and e.param == "b3"


def test_example_is_the_notebooks():
    e = examples.backprop()
    assert e.backprop_fn is gradients.backprop and e.note == ""
    assert set(e.sliders) == {"value", "lr"} and set(e.choices) == {"data", "parameter"}
    assert (e.choices["parameter"].value, e.sliders["value"].value,
            e.sliders["lr"].value) == ("w1", 1.0, 0.1)
    assert e.choices["data"].value == "Alice"
    assert f"{1 - 0.1 * ALICE_W1:.10f}" in e.readout.value
    descriptions = [c.description for c in [*e.sliders.values(), *e.choices.values()]]
    assert len(set(descriptions)) == len(descriptions)
    assert examples.BY_NOTEBOOK["04_backprop"] == (examples.backprop,)
