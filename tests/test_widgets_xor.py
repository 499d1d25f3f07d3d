"""nbutils.widgets.xor: notebook 06's widgets, without a browser."""

import re

import numpy as np
import pytest

from nbutils import data, losses, mlp, network
from nbutils.plots import xor as plots
from nbutils.widgets import examples
from nbutils.widgets import xor as widgets


def student_forward(X, params):  # stands in for the student's function
    Z1 = X @ params["W1"] + params["b1"]
    H = 1 / (1 + np.exp(-Z1))
    Z2 = H @ params["W2"] + params["b2"]
    y_pred = (1 / (1 + np.exp(-Z2)))[:, 0]
    return y_pred, {"Z1": Z1, "H": H, "Z2": Z2, "y_pred": y_pred}


def text(t):
    return re.sub(r"<[^>]+>", "", t.readout.value).replace("&nbsp;", " ")


def start_loss(seed, n_hidden=2):
    X, y = data.xor()
    start = network.init_params(np.random.default_rng(seed), 2, n_hidden)
    return losses.mse_loss(y, mlp.forward(X, start)[0])


def test_line_explorer_moves_its_line_and_counts():
    e = examples.xor_line()
    assert "3 of 4" in e.readout.value and "3 of 4 inputs right" in e.live.alt
    before = e.live.png()
    e.sliders["w1"].value = 5.0
    e.sliders["w2"].value = -5.0
    e.sliders["b"].value = -2.5   # says 1 only near (1, 0)
    w, b = e.values()
    xs, ys = e.artists.line.get_data()
    assert w[0] * xs[0] + w[1] * ys[0] + b == pytest.approx(0, abs=1e-12)
    assert np.array_equal(e.artists.image.get_array(), plots.neuron_map(w, b, e.resolution))
    assert list(e.right) == [True, False, True, True] and "3 of 4" in e.readout.value
    assert e.live.png() != before
    e.sliders["w1"].value = e.sliders["w2"].value = e.sliders["b"].value = 0.0
    assert "2 of 4" in e.readout.value  # f(0) = 0.5 is not above 0.5: says 0 everywhere


def test_trainer_starts_at_the_end_of_the_pinned_run():
    t = widgets.xor_trainer(student_forward)
    X, y = data.xor()
    params, run = mlp.train_xor(X, y, 2, 2.0, 2000, np.random.default_rng(0))
    y_pred = mlp.forward(X, params)[0]
    assert t.epoch == 2000 and t.solved and "learned XOR ✓" in t.readout.value
    assert t.y_pred == pytest.approx(y_pred, rel=1e-12)
    assert t.loss == pytest.approx(losses.mse_loss(y, y_pred), rel=1e-12)
    assert f"{t.loss:.5f}" in t.readout.value and f"{t.loss:.5f}" in t.live.alt
    out, H = plots.network_maps(params, resolution=t.resolution)
    assert np.allclose(np.asarray(t.artists.out_image.get_array()), out, rtol=1e-12, atol=0)
    assert np.allclose(np.asarray(t.artists.hidden_images[1].get_array()), H[1], rtol=1e-12,
                       atol=0)
    assert t.artists.loss_line.get_data()[1] == pytest.approx(run, rel=1e-12)
    assert [c.get_visible() for c in t.artists.covers] == [False, False, True, True]


def test_trainer_epoch_slider_shows_earlier_snapshots():
    t = examples.xor_trainer()
    before = t.live.png()
    t.sliders["epoch"].value = 0
    assert t.epoch == 0 and t.loss == pytest.approx(start_loss(0), rel=1e-12)
    assert t.loss == pytest.approx(t.losses[0], rel=1e-12)
    assert t.artists.loss_marker.get_data()[0][0] == 0
    assert "epoch 0" in text(t) and "not XOR (yet)" in t.readout.value
    assert t.live.png() != before
    t.sliders["epoch"].value = 470  # between snapshots: the one at or before
    assert t.epoch == 460


def test_a_new_setting_starts_a_new_run_and_says_so():
    t = examples.xor_trainer()
    t.settings["seed"].value = 6  # a new run, shown at its start
    assert t.epoch == 0 and t.sliders["epoch"].value == 0 and len(t.losses) == 0
    assert t.loss == pytest.approx(start_loss(6), rel=1e-12)
    assert "A new run: 2 hidden units, learning rate 2, seed 6" in text(t)
    t.sliders["epoch"].value = 2000  # trained as far as asked
    assert not t.solved and t.loss == pytest.approx(0.125, rel=0.1)
    assert "not XOR" in t.readout.value and len(t.losses) == 2000
    assert "A new run" not in text(t)
    t.settings["hidden units"].value = 3
    assert t.trained_for == (3, 2.0, 6) and t.epoch == 0
    assert [c.get_visible() for c in t.artists.covers] == [False, False, False, True]
    t.sliders["epoch"].value = 2000
    assert t.solved
    t.settings["hidden units"].value = 1
    assert [c.get_visible() for c in t.artists.covers] == [False, True, True, True]


def test_a_new_learning_rate_shows_its_run():
    t = examples.xor_trainer()
    frames = t.live.frames
    t.settings["learning rate"].value = 0.5
    assert t.trained_for == (2, 0.5, 0) and t.epoch == 0 and t.live.frames == frames + 1
    assert "learning rate 0.5" in text(t) and "press play" in text(t)
    assert len(t.artists.loss_line.get_data()[0]) == 0, "the old run's curve is gone"
    t.player.button.click()  # plays the new run to its end
    X, y = data.xor()
    _, run = mlp.train_xor(X, y, 2, 0.5, 2000, np.random.default_rng(0))
    assert t.epoch == 2000 and t.losses == pytest.approx(run, rel=1e-12)
    t.settings["learning rate"].value = 0.7  # the epoch slider is at 0 already: one draw
    frames = t.live.frames
    t.settings["learning rate"].value = 0.8
    assert t.live.frames == frames + 1 and "learning rate 0.8" in text(t)


def test_trainer_trains_only_as_far_as_needed_and_keeps_the_run():
    t = examples.xor_trainer()
    t.settings["seed"].value = 3
    t.sliders["epoch"].value = 100
    assert len(t.losses) == 100 and len(t.snapshots) == 6
    t.sliders["epoch"].value = 40  # back: nothing new to train
    assert len(t.losses) == 100 and t.epoch == 40
    X, y = data.xor()
    params, run = mlp.train_xor(X, y, 2, 2.0, 100, np.random.default_rng(3))
    assert t.losses == pytest.approx(run, rel=1e-12)
    assert all(np.allclose(t.snapshots[-1][k], params[k], rtol=1e-12, atol=0) for k in params)


def test_play_goes_on_from_the_epoch_on_show_and_from_0_at_the_end():
    t = examples.xor_trainer()
    assert t.player.button.description == "play"
    t.player.button.click()  # at the end: from epoch 0 again, to the end
    assert t.epoch == 2000 and not t.player.playing
    t.sliders["epoch"].value = 1500
    t.player.button.click()
    assert t.epoch == 2000


def test_a_flush_after_an_update_draws_nothing_new():
    t = examples.xor_trainer()
    t.sliders["epoch"].value = 1000
    frames = t.live.frames
    t.flush()
    assert t.live.frames == frames


def test_trainer_draws_with_the_forward_it_is_given():
    calls = []

    def counting_forward(X, params):
        calls.append(len(X))
        return student_forward(X, params)

    t = widgets.xor_trainer(counting_forward)
    assert t.forward is counting_forward and not t.note
    n = len(calls)
    t.sliders["epoch"].value = 1000
    assert len(calls) > n


def test_a_broken_forward_falls_back_with_a_note():
    def stub(X, params):
        raise NotImplementedError()

    t = widgets.xor_trainer(stub)
    assert "does not work yet" in t.note and t.forward is mlp.forward
    assert t.solved

    def column(X, params):  # y_pred of shape (n, 1)
        y_pred, cache = mlp.forward(X, params)
        return y_pred[:, None], cache

    assert "shape" in widgets.xor_trainer(column).note


def test_examples_are_the_notebooks():
    t = examples.xor_trainer()
    assert set(t.sliders) == {"epoch"}
    assert set(t.settings) == {"hidden units", "learning rate", "seed"}
    assert t.run_settings() == (2, 2.0, 0) and t.epoch == 2000
    line = examples.xor_line()
    assert set(line.sliders) == {"w1", "w2", "b"}
    assert [s.value for s in line.sliders.values()] == [4.0, 4.0, -2.0]
    assert examples.BY_NOTEBOOK["06_xor"][-1] is examples.xor_trainer


def test_a_setting_echoed_back_by_the_browser_keeps_the_run():
    """The browser's slider sends its value back snapped to its grid (2.0000000000000004
    for 2.0): the same settings, so the trained run stays on show."""
    from nbutils.widgets import examples

    t = examples.xor_trainer()
    before = (t.epoch, len(t.snapshots))
    t.settings["learning rate"].value = 2.0000000000000004
    t.flush()
    assert (t.epoch, len(t.snapshots)) == before == (2000, 2000 // t.every + 1)
    t.settings["learning rate"].value = 3.0
    t.flush()
    assert t.epoch == 0
