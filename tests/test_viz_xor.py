"""Notebook 06's pictures and widgets: what they draw is what the math says."""

import numpy as np
import pytest

from nbutils import data, live, mlp, network
from nbutils.activations import sigmoid
from nbutils.viz import xor


def student_forward(X, params):  # stands in for the student's function
    Z1 = X @ params["W1"] + params["b1"]
    H = 1 / (1 + np.exp(-Z1))
    Z2 = H @ params["W2"] + params["b2"]
    y_pred = (1 / (1 + np.exp(-Z2)))[:, 0]
    return y_pred, {"Z1": Z1, "H": H, "Z2": Z2, "y_pred": y_pred}


def figure():
    return live.new_figure(8, 3)


def test_maps_are_images_with_x2_up():
    out, H = xor.network_maps(mlp.xor_by_hand(), resolution=31)
    grid = np.linspace(xor.LO, xor.HI, 31)
    assert out.shape == (31, 31) and H.shape == (2, 31, 31)
    i, j = 5, 20  # row i is x2 = grid[i], column j is x1 = grid[j]
    y_pred, cache = mlp.forward(np.array([[grid[j], grid[i]]]), mlp.xor_by_hand())
    assert out[i, j] == pytest.approx(y_pred[0], rel=1e-12)
    assert H[:, i, j] == pytest.approx(cache["H"][0], rel=1e-12)
    m = xor.neuron_map((1.0, -2.0), 0.5, resolution=31)
    assert m[i, j] == pytest.approx(sigmoid(grid[j] - 2 * grid[i] + 0.5), rel=1e-12)


def test_no_single_neuron_gets_four_right():
    rng = np.random.default_rng(0)
    best = max(int(xor.neuron_right(rng.normal(0, 10, 2), rng.normal(0, 10)).sum())
               for _ in range(3000))
    assert best == 3
    assert list(xor.neuron_right((10, 10), -5)) == [True, True, True, False]  # OR


def test_boundary_line_lies_on_w_dot_x_plus_b_equal_zero():
    xs, ys = xor.boundary_line((2.0, -3.0), 0.5)
    for x1, x2 in zip(xs, ys, strict=True):
        assert 2 * x1 - 3 * x2 + 0.5 == pytest.approx(0, abs=1e-12)
    assert xor.boundary_line((2.0, 0.0), -1.0) == ([0.5, 0.5], [xor.LO, xor.HI])
    assert xor.boundary_line((0.0, 0.0), 1.0) == ([], [])


def test_line_attempts_say_how_many_are_right():
    fig = figure()
    axes = xor.plot_line_attempts(fig, [("OR", (10, 10), -5), ("AND", (10, 10), -15)],
                                  resolution=20)
    assert [ax.get_title() for ax in axes] == ["OR: 3 of 4 right", "AND: 1 of 4 right"]


def test_network_maps_show_each_hidden_unit_and_the_output():
    fig = figure()
    axes = xor.plot_network_maps(fig, mlp.xor_by_hand(), resolution=25)
    out, H = xor.network_maps(mlp.xor_by_hand(), resolution=25)
    assert len(axes) == 3
    assert np.array_equal(axes[0].images[0].get_array(), H[0])
    assert np.array_equal(axes[2].images[0].get_array(), out)
    assert axes[2].get_title() == "output"


def test_hidden_space_puts_the_inputs_where_the_hidden_layer_does():
    fig = figure()
    ax = fig.add_subplot()
    xor.plot_hidden_space(ax, mlp.xor_by_hand())
    X, y = data.xor()
    _, cache = mlp.forward(X, mlp.xor_by_hand())
    drawn = np.concatenate([np.column_stack(line.get_data()) for line in ax.get_lines()
                            if line.get_marker() not in ("None", None, "")])
    assert sorted(map(tuple, drawn.round(9))) == sorted(map(tuple, cache["H"].round(9)))
    # (0, 1) and (1, 0) land on the same hidden point: one label for both
    labels = sorted(t.get_text() for t in ax.texts)
    assert "(0, 1)\n(1, 0)" in labels and len(labels) == 3


def test_run_grid_colours_each_run_by_success():
    X, y = data.xor()
    runs = mlp.train_many(X, y, 2, 2.0, 2000, [0, 6, 1])
    fig = live.new_figure(6, 3)
    axes = xor.plot_run_grid(fig, runs, ncols=2, resolution=10)
    assert [ax.get_title() for ax in axes[:3]] == ["seed 0 ✓", "seed 6 ✗", "seed 1 ✓"]
    assert axes[1].spines["left"].get_edgecolor()[:3] == pytest.approx((0xc5 / 255, 0x30 / 255,
                                                                         0x30 / 255))
    assert not axes[3].get_visible()


def test_success_bars_show_the_counts():
    fig = figure()
    ax = fig.add_subplot()
    xor.plot_success(ax, ["a", "b"], [77, 100], [100, 100])
    assert [p.get_width() for p in ax.patches] == [0.77, 1.0]
    assert {t.get_text() for t in ax.texts} == {"77 of 100", "100 of 100"}


def test_line_explorer_moves_its_line_and_counts():
    e = xor.example_line_widget()
    assert "3 of 4" in e.readout.value
    before = e.live.widget.value
    e.sliders["w1"].value = 5.0
    e.sliders["w2"].value = -5.0
    e.sliders["b"].value = -2.5   # says 1 only near (1, 0)
    w, b = e.values()
    xs, ys = e.line.get_data()
    assert w[0] * xs[0] + w[1] * ys[0] + b == pytest.approx(0, abs=1e-12)
    assert np.array_equal(e.image.get_array(), xor.neuron_map(w, b, e.resolution))
    assert list(e.right) == [True, False, True, True] and "3 of 4" in e.readout.value
    assert e.live.widget.value != before
    e.sliders["w1"].value = e.sliders["w2"].value = e.sliders["b"].value = 0.0
    assert "2 of 4" in e.readout.value  # f(0) = 0.5 is not above 0.5: says 0 everywhere


def test_trainer_starts_at_the_end_of_the_pinned_run():
    t = xor.xor_trainer(student_forward)
    X, y = data.xor()
    params, losses = mlp.train(X, y, 2, 2.0, 2000, np.random.default_rng(0))
    y_pred = mlp.forward(X, params)[0]
    assert t.epoch == 2000 and t.solved and "learned XOR ✓" in t.readout.value
    assert t.y_pred == pytest.approx(y_pred, rel=1e-12)
    assert t.loss == pytest.approx(mlp.mse(y, y_pred), rel=1e-12)
    assert f"{t.loss:.5f}" in t.readout.value
    out, H = xor.network_maps(params, resolution=t.resolution)
    assert np.allclose(np.asarray(t.out_image.get_array()), out, rtol=1e-12, atol=0)
    assert np.allclose(np.asarray(t.hidden_images[1].get_array()), H[1], rtol=1e-12, atol=0)
    assert np.array_equal(t.loss_line.get_data()[1], losses)
    assert [c.get_visible() for c in t.covers] == [False, False, True, True]


def test_trainer_epoch_slider_shows_earlier_snapshots():
    t = xor.example_widget()
    before = t.live.widget.value
    t.sliders["epoch"].value = 0
    start = network.init_params(np.random.default_rng(0), 2, 2)
    X, y = data.xor()
    assert t.epoch == 0 and t.loss == pytest.approx(mlp.mse(y, mlp.forward(X, start)[0]))
    assert t.loss == pytest.approx(t.losses[0], rel=1e-12)
    assert t.loss_marker.get_data()[0][0] == 0
    assert "epoch 0" in xor_text(t) and "not XOR (yet)" in t.readout.value
    assert t.live.widget.value != before
    t.sliders["epoch"].value = 470  # between snapshots: the one at or before
    assert t.epoch == 460


def xor_text(t):
    import re

    return re.sub(r"<[^>]+>", "", t.readout.value).replace("&nbsp;", " ")


def test_trainer_starts_a_new_run_for_a_new_seed_and_hidden_size():
    t = xor.example_widget()
    X, y = data.xor()
    t.sliders["seed"].value = 6  # a new run, shown at its start
    start = network.init_params(np.random.default_rng(6), 2, 2)
    assert t.epoch == 0 and t.sliders["epoch"].value == 0 and len(t.losses) == 0
    assert t.loss == pytest.approx(mlp.mse(y, mlp.forward(X, start)[0]), rel=1e-12)
    t.sliders["epoch"].value = 2000  # trained as far as asked
    assert not t.solved and t.loss == pytest.approx(0.125, abs=0.01)
    assert "not XOR" in t.readout.value and len(t.losses) == 2000
    t.sliders["hidden units"].value = 3
    assert t.trained_for == (3, 2.0, 6) and t.epoch == 0
    assert [c.get_visible() for c in t.covers] == [False, False, False, True]
    t.sliders["epoch"].value = 2000
    assert t.solved
    t.sliders["hidden units"].value = 1
    assert [c.get_visible() for c in t.covers] == [False, True, True, True]
    t.sliders["epoch"].value = 2000
    assert not t.solved
    t.sliders["learning rate"].value = 0.5
    assert t.trained_for == (1, 0.5, 6)


def test_trainer_trains_only_as_far_as_needed_and_keeps_the_run():
    t = xor.example_widget()
    t.sliders["seed"].value = 3
    t.sliders["epoch"].value = 100
    assert len(t.losses) == 100 and len(t.snapshots) == 6
    t.sliders["epoch"].value = 40  # back: nothing new to train
    assert len(t.losses) == 100 and t.epoch == 40
    X, y = data.xor()
    params, losses = mlp.train(X, y, 2, 2.0, 100, np.random.default_rng(3))
    assert np.array_equal(t.losses, losses)
    assert all(np.array_equal(t.snapshots[-1][k], params[k]) for k in params)


def test_a_flush_after_an_update_draws_nothing_new():
    t = xor.example_widget()
    t.sliders["epoch"].value = 1000
    frames = t.live.frames
    t.flush()
    t.update()
    assert t.live.frames == frames


def test_trainer_draws_with_the_forward_it_is_given():
    calls = []

    def counting_forward(X, params):
        calls.append(len(X))
        return student_forward(X, params)

    t = xor.xor_trainer(counting_forward)
    assert t.forward is counting_forward and not t.note
    n = len(calls)
    t.sliders["epoch"].value = 1000
    assert len(calls) > n


def test_a_broken_forward_falls_back_with_a_note():
    def stub(X, params):
        raise NotImplementedError()

    t = xor.xor_trainer(stub)
    assert "does not work yet" in t.note and t.forward is mlp.forward
    assert t.solved

    def column(X, params):  # y_pred of shape (n, 1)
        y_pred, cache = mlp.forward(X, params)
        return y_pred[:, None], cache

    assert "shape" in xor.xor_trainer(column).note


def test_example_widgets_follow_the_protocol():
    for w in (xor.example_widget(), xor.example_line_widget()):
        for attr in ("sliders", "live", "readout", "update", "_ipython_display_"):
            assert hasattr(w, attr)
        assert w.live.png()[:4] == b"\x89PNG"
    t = xor.example_widget()
    assert set(t.sliders) == {"epoch", "hidden units", "learning rate", "seed"}
    assert set(xor.example_line_widget().sliders) == {"w1", "w2", "b"}
