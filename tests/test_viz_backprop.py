"""Notebook 04's pictures and explorer: what the figure shows is what the math says."""

import numpy as np
import pytest

from nbutils import data, gradients, live, network
from nbutils.activations import sigmoid_prime
from nbutils.viz import backprop as viz

ONES = network.from_named(**viz.ONES)
X, Y, _ = data.people()


def my_backprop(x, y_true, params):  # stands in for the student's function
    return gradients.backprop(x, y_true, params)


def slope_of(line):
    xs, ys = line.get_data()
    return (ys[1] - ys[0]) / (xs[1] - xs[0])


def test_path_to_loss():
    assert viz.path_to_loss("w1") == [("x1", "h1"), ("h1", "o1"), ("o1", "L")]
    assert viz.path_to_loss("w4") == [("x2", "h2"), ("h2", "o1"), ("o1", "L")]
    assert viz.path_to_loss("w6") == [("h2", "o1"), ("o1", "L")]
    assert viz.path_to_loss("b1") == [("h1", "o1"), ("o1", "L")]
    assert viz.path_to_loss("b3") == [("o1", "L")]


def test_the_network_diagram_labels_and_highlight():
    fig = live.new_figure(7, 3.4)
    ax = fig.add_subplot()
    viz.draw_network(ax, ONES, highlight="w1")
    fig.canvas.draw()
    texts = [t.get_text() for t in ax.texts]
    for name in network.NAMES:
        value = "1" if name.startswith("w") else "0"
        assert f"${name[0]}_{name[1]}={value}$" in texts
    thick = [p for p in ax.patches if getattr(p, "get_linewidth", lambda: 0)() == 3.0]
    assert len(thick) == 3, "x1 -> h1 -> o1 -> L"
    plain = live.new_figure().add_subplot()
    viz.draw_network(plain)
    assert "$w_5$" in [t.get_text() for t in plain.texts]


def test_sigmoid_prime_plot_draws_the_given_function():
    ax = live.new_figure().add_subplot()
    viz.plot_sigmoid_prime(ax, sigmoid_prime, mark=(-3.0,))
    z, fp = ax.lines[1].get_data()
    assert fp == pytest.approx(sigmoid_prime(z), rel=1e-12)
    assert ax.lines[2].get_ydata()[0] == pytest.approx(0.045176659730912144, rel=1e-12)


def test_losses_of_the_worked_example():
    assert viz.alice_loss(ONES) == pytest.approx(0.2268662872, rel=1e-8)
    assert viz.mse_of_params(ONES) == pytest.approx(0.5071183180, rel=1e-8)
    grid = np.array([0.0, 1.0, 2.0])
    along = viz.loss_along(viz.alice_loss, ONES, "w1", grid)
    assert along[1] == viz.alice_loss(ONES)
    assert along[0] != along[1] and ONES["W1"][0, 0] == 1.0, "params are not changed"


def test_all_slices_have_the_backprop_tangents():
    fig = live.new_figure(8, 6)
    grads = gradients.backprop(X[0], Y[0], ONES)
    axes = viz.plot_all_slices(fig, viz.alice_loss, ONES, grads)
    named = network.named(grads)
    assert axes.shape == (3, 3)
    for ax, name in zip(axes.flat, network.NAMES, strict=True):
        assert name[1] in ax.get_title()
        assert slope_of(ax.lines[2]) == pytest.approx(named[name], rel=1e-9)


def test_difference_errors_central_beats_one_sided():
    def along_w1(v):
        p = network.copy_params(ONES)
        p["W1"][0, 0] = v
        return viz.alice_loss(p)

    exact = network.named(gradients.backprop(X[0], Y[0], ONES))["w1"]
    one, two = viz.difference_errors(along_w1, 1.0, exact, [1e-3, 1e-5])
    assert two[1] < 1e-9, "central, eps = 1e-5: about 1e-10"
    assert one[0] > 1e-4 and two[0] < 1e-6
    ax = live.new_figure().add_subplot()
    viz.plot_difference_errors(ax, along_w1, 1.0, exact)
    assert len(ax.lines) == 2


def test_explorer_starts_at_the_worked_example():
    e = viz.loss_slice_explorer(my_backprop)
    assert e.backprop_fn is my_backprop and e.note == ""
    assert e.current_loss == pytest.approx(0.2268662872, rel=1e-8)
    assert e.current_slope == pytest.approx(0.02146953526581111, rel=1e-12)
    assert e.next_value == pytest.approx(0.9978530465, rel=1e-8)
    assert slope_of(e.artists.tangent) == pytest.approx(e.current_slope, rel=1e-9)
    x, y = e.artists.point.get_data()
    assert (x[0], y[0]) == (1.0, e.current_loss)
    for text in ("0.2268662872", "0.0214695353", "0.9978530465", "Alice alone"):
        assert text in e.readout.value


def test_the_tangent_shows_the_given_backprop():
    def doubled(x, y_true, params):
        return {k: 2 * v for k, v in gradients.backprop(x, y_true, params).items()}

    e = viz.loss_slice_explorer(doubled)
    assert slope_of(e.artists.tangent) == pytest.approx(2 * 0.02146953526581111, rel=1e-9)


def test_gradient_step_moves_the_point_down_the_slope():
    e = viz.loss_slice_explorer(my_backprop)
    before = e.live.widget.value
    e.buttons["step"].click()
    assert e.sliders["value"].value == pytest.approx(0.9978530465, rel=1e-8)
    assert e.values["w1"] == pytest.approx(0.9978530465, rel=1e-8)
    assert e.current_loss < 0.2268662872
    assert e.artists.point.get_xdata()[0] == pytest.approx(0.9978530465, rel=1e-8)
    assert "0.9979" in e.readout.value
    assert e.live.widget.value != before and e.live.widget.value[:4] == b"\x89PNG"


def test_blitting_the_curve_changes_only_with_the_parameter_or_data(monkeypatch):
    e = viz.loss_slice_explorer(my_backprop)
    redraws = []
    monkeypatch.setattr(e.live, "refresh_background",
                        lambda: redraws.append(e.param) or live.LiveFigure.refresh_background(
                            e.live))
    curve = e.artists.curve.get_ydata().copy()
    e.sliders["value"].value = 0.5
    e.sliders["lr"].value = 2.0
    e.buttons["step"].click()
    assert redraws == [] and np.array_equal(e.artists.curve.get_ydata(), curve)
    e.sliders["parameter"].value = "b3"
    assert redraws == ["b3"]
    assert not np.array_equal(e.artists.curve.get_ydata(), curve)
    assert e.sliders["value"].value == 0.0, "the value slider shows b3's value"
    e.data_choice.value = "all four"
    assert redraws == ["b3", "b3"]


def test_choosing_b3_and_all_four_people():
    e = viz.loss_slice_explorer(my_backprop)
    e.sliders["parameter"].value = "b3"
    assert e.current_slope == pytest.approx(-0.2376175595, rel=1e-8)
    assert e.ax.get_xlabel() == "$b_3$"
    e.data_choice.value = "all four"
    assert e.current_loss == pytest.approx(0.5071183180, rel=1e-8)
    mean = np.mean([gradients.backprop(x, t, ONES)["b2"][0] for x, t in
                    zip(X, Y, strict=True)])
    assert e.current_slope == pytest.approx(mean, rel=1e-12)
    assert "MSE over all four people" in e.readout.value
    curve_x, curve_y = e.artists.curve.get_data()
    assert curve_y[np.argmin(np.abs(curve_x))] == pytest.approx(0.5071183180, rel=1e-8)


def test_values_persist_per_parameter_and_reset_restores_them():
    e = viz.loss_slice_explorer(my_backprop)
    e.sliders["value"].value = -0.5                # w1
    e.sliders["parameter"].value = "w5"
    assert e.values["w1"] == -0.5 and e.sliders["value"].value == 1.0
    e.sliders["parameter"].value = "w1"
    assert e.sliders["value"].value == -0.5
    e.buttons["reset"].click()
    assert e.values == network.named(ONES) and e.sliders["value"].value == 1.0
    assert e.current_loss == pytest.approx(0.2268662872, rel=1e-8)


def test_a_step_beyond_the_plot_is_drawn_on_its_edge():
    def steep(x, y_true, params):
        return {k: -1000 * v for k, v in gradients.backprop(x, y_true, params).items()}

    e = viz.loss_slice_explorer(steep)
    e.sliders["lr"].value = 20.0
    assert e.next_value > viz.VALUE_LIMIT
    x, y = e.artists.next_point.get_data()
    assert x[0] == viz.VALUE_LIMIT and np.isnan(y[0])
    e.step()
    assert e.sliders["value"].value == viz.VALUE_LIMIT


def test_a_broken_backprop_falls_back_with_a_note():
    def stub(x, y_true, params):
        raise NotImplementedError()

    e = viz.loss_slice_explorer(stub)
    assert "does not return a gradient dict yet" in e.note
    assert e.backprop_fn is gradients.backprop
    wrong_shape = viz.loss_slice_explorer(lambda x, t, p: {"W1": np.zeros(2)})
    assert wrong_shape.backprop_fn is gradients.backprop


def test_example_widget_is_the_notebooks():
    e = viz.example_widget()
    assert set(e.sliders) == {"parameter", "value", "lr"}
    assert (e.sliders["parameter"].value, e.sliders["value"].value,
            e.sliders["lr"].value) == ("w1", 1.0, 0.1)
    assert e.data_choice.value == "Alice" and "0.9978530465" in e.readout.value
    descriptions = [s.description for s in e.sliders.values()]
    assert len(set(descriptions)) == len(descriptions)
    assert hasattr(e, "_ipython_display_") and callable(e.update)
