"""Notebook 05's pictures and training player, without a browser."""

import numpy as np
import pytest

from nbutils import data, live, losses, network, training
from nbutils.viz import sgd


def test_loss_curve_starts_at_epoch_zero_when_given_the_start_loss():
    fig = live.new_figure()
    ax = fig.add_subplot()
    line = sgd.plot_loss_curve(ax, [0.3, 0.2, 0.1], start_loss=0.5, epochs=10)
    x, y = line.get_data()
    assert list(x) == [0, 1, 2, 3] and list(y) == [0.5, 0.3, 0.2, 0.1]
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, 10)
    sgd.set_loss_curve(line, [0.3, 0.2])
    x, y = line.get_data()
    assert list(x) == [1, 2] and list(y) == [0.3, 0.2]


def test_prediction_bars_show_heights_and_values():
    fig = live.new_figure()
    ax = fig.add_subplot()
    X, y, names = data.people()
    bars = sgd.plot_predictions(ax, [0.9, 0.1, 0.2, 0.8], y, names, [0.7, 0.3],
                                ["Emily", "Frank"])
    assert [b.get_height() for b in bars.bars] == pytest.approx([0.9, 0.1, 0.2, 0.8, 0.7, 0.3])
    assert bars.bars[4].get_hatch() == "//"
    sgd.set_predictions(bars, [0.5] * 6)
    assert [t.get_text() for t in bars.labels] == ["0.500"] * 6
    # a label sits above the bar and above the person's label tick
    assert bars.labels[0].get_position()[1] == pytest.approx(1.02)
    assert bars.labels[1].get_position()[1] == pytest.approx(0.52)
    fig.canvas.draw()


def test_descent_and_gradient_pictures_draw():
    fig = live.new_figure()
    ax1, ax2 = fig.subplots(1, 2)
    sgd.plot_descent_1d(ax1, lambda w: (w - 1) ** 2, [3.0, 2.0, 1.5], -1, 4, name="w")
    assert len(ax1.lines) == 2 and len(ax1.texts) == 2  # the curve, the dots; 2 arrows
    sgd.plot_gradients(ax2, {"w1": 0.1, "b3": -0.2})
    assert [p.get_height() for p in ax2.patches] == pytest.approx([0.1, -0.2])
    fig.canvas.draw()


def _notebook_run(epochs, seed=0, lr=0.1):
    """What the notebook does: one rng for the start and then the shuffles."""
    X, y, _ = data.people()
    rng = np.random.default_rng(seed)
    return training.train(X, y, network.init_params(rng), lr, epochs, rng)


def test_example_widget_does_not_train_until_asked():
    w = sgd.example_widget()
    assert w.epoch == 0 and len(w.losses) == 1
    X, y, _ = data.people()
    start = network.init_params(np.random.default_rng(0))
    assert w.losses[0] == pytest.approx(losses.mse_loss(y, network.forward(X, start)),
                                        rel=1e-12)
    assert w.note == "" and w.train_fn is training.train
    assert set(w.sliders) == {"lr", "seed"} and w.sliders["lr"].value == pytest.approx(0.1)
    assert "epoch <b class='nn-epoch'>0</b> of 1000" in w.readout.value
    assert w.live.widget.value[:4] == b"\x89PNG"


def test_step_grows_the_curve_and_lowers_the_loss():
    w = sgd.example_widget()
    before = w.live.widget.value
    w.step(50)
    x, y = w.line.get_data()
    assert len(x) == 51 and x[-1] == 50
    assert y[-1] < y[0]
    assert w.progress.value == 50 and w.progress_text.value == "epoch 50 of 1000"
    assert w.play.value == 50
    _, history = _notebook_run(50)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)
    assert f"{history[-1]:.6f}" in w.readout.value
    heights = [b.get_height() for b in w.bars.bars]
    assert heights == pytest.approx(list(w.predictions()), rel=1e-12)
    assert w.live.widget.value != before


def test_playing_to_the_end_is_the_notebooks_run():
    w = sgd.example_widget()
    for target in (250, 500, 1000, 1200):  # what the play control sends, in jumps
        w.play.value = min(target, w.play.max)
    assert w.epoch == 1000
    w.step(10)  # nothing beyond the last epoch
    assert w.epoch == 1000 and len(w.losses) == 1001
    params, history = _notebook_run(1000)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)
    for key in params:
        assert w.params[key] == pytest.approx(params[key], rel=1e-12)
    emily, frank = w.predictions()[4:]
    assert emily > 0.9 and frank < 0.1
    assert "Emily <b>" in w.readout.value


def test_stop_resets_and_buttons_work():
    w = sgd.example_widget()
    w.play.value = 100
    w.play.value = 0  # the stop button sends the minimum
    assert w.epoch == 0 and len(w.losses) == 1
    assert len(w.line.get_data()[0]) == 1
    w.step_button.click()
    assert w.epoch == 1 and w.play.value == 1
    w.reset_button.click()
    assert w.epoch == 0 and w.play.value == 0 and not w.play.playing


def test_seed_slider_picks_a_new_start():
    w = sgd.example_widget()
    w.step(20)
    w.sliders["seed"].value = 5
    assert w.epoch == 0
    start = network.init_params(np.random.default_rng(5))
    for key in start:
        assert np.array_equal(w.params[key], start[key])
    w.step(30)
    _, history = _notebook_run(30, seed=5)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)


def test_learning_rate_applies_from_the_next_epochs():
    w = sgd.example_widget()
    w.step(20)
    X, y, _ = data.people()
    rng = np.random.default_rng(0)
    params_20, _ = training.train(X, y, network.init_params(rng), 0.1, 20, rng)
    w.sliders["lr"].value = 10.0
    assert "lr = 10" in w.readout.value and w.epoch == 20  # no training on a slider move
    w.step(30)
    _, history = training.train(X, y, params_20, 10.0, 30, rng)  # rng is where w.rng is
    assert w.losses[21:] == pytest.approx(list(history), rel=1e-12)
    assert w.losses[-1] < 1e-3


def test_a_train_that_does_not_work_yet_falls_back_with_a_note():
    def stub(X, y, params, lr, epochs, rng):
        raise NotImplementedError()

    w = sgd.training_player(stub)
    assert "does not work yet" in w.note and w.train_fn is training.train
    w.step(5)
    assert w.epoch == 5


def test_a_train_that_breaks_later_stops_with_a_message():
    calls = []

    def flaky(X, y, params, lr, epochs, rng):
        calls.append(epochs)
        if len(calls) > 1:
            return params, [0.1]  # one loss whatever the number of epochs
        return training.train(X, y, params, lr, epochs, rng)

    w = sgd.training_player(flaky)
    assert w.note == ""
    w.step(10)
    assert w.epoch == 0 and "Training stopped" in w.readout.value
    assert "length 1 for 10 epochs" in w.readout.value


def test_flush_catches_up_with_updates_held_back_by_an_event_loop(monkeypatch):
    import asyncio
    import threading

    from nbutils import live

    # what a kernel looks like to live.connect(): its running loop
    monkeypatch.setattr(live, "_kernel_loop", asyncio.get_running_loop)
    w = sgd.example_widget()

    async def moves():
        w.step(10)
        w.sliders["seed"].value = 5  # inside a running loop, this waits for the loop
        assert w.epoch == 10 and w.seed == 0
        w.flush()
        assert w.seed == 5 and w.epoch == 0  # a new seed starts again
        w.play.value = 40
        assert w.epoch == 0
        w.flush()
        assert w.epoch == 40
        await asyncio.sleep(0.1)  # the held-back updates run and change nothing more

    # in a thread of its own: this process may already run another event loop
    errors = []
    worker = threading.Thread(target=lambda: errors.append(_run_or_error(moves)))
    worker.start()
    worker.join()
    assert errors == [None], errors
    assert w.seed == 5 and w.epoch == 40 and len(w.losses) == 41
    _, history = _notebook_run(40, seed=5)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)


def _run_or_error(coroutine_fn):
    import asyncio

    try:
        asyncio.run(coroutine_fn())
    except Exception as exc:  # reported by the test in the main thread
        return exc
    return None
