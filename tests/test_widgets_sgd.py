"""nbutils.widgets.sgd: notebook 05's training player, without a browser."""

import asyncio
import threading

import numpy as np
import pytest

from nbutils import data, live, losses, network, training
from nbutils.widgets import examples
from nbutils.widgets import sgd as widgets


def _notebook_run(epochs, seed=0, lr=0.1):
    """What the notebook does: one rng for the start and then the shuffles."""
    X, y, _ = data.people()
    rng = np.random.default_rng(seed)
    return training.train(X, y, network.init_params(rng), lr, epochs, rng)


def test_example_does_not_train_until_asked():
    w = examples.sgd()
    assert w.epoch == 0 and len(w.losses) == 1
    X, y, _ = data.people()
    start = network.init_params(np.random.default_rng(0))
    assert w.losses[0] == pytest.approx(losses.mse_loss(y, network.feedforward_batch(X, start)),
                                        rel=1e-12)
    assert w.note == "" and w.train_fn is training.train
    assert set(w.sliders) == {"seed"} and w.choices["lr"].value == pytest.approx(0.1)
    assert "epoch <b class='nn-epoch'>0</b> of 1000" in w.readout.value
    assert w.live.png()[:4] == b"\x89PNG" and "alt=" in w.live.widget.value
    assert examples.BY_NOTEBOOK["05_sgd"] == (examples.sgd,)


def test_the_learning_rate_is_announced_as_the_rate_itself():
    w = examples.sgd()
    labels = [label for label, _ in w.choices["lr"]._options_full]
    assert labels[:3] == ["0.001", "0.003", "0.01"] and "10" in labels
    assert widgets.training_player(training.train, lr=0.2).choices["lr"].value == 0.2


def test_the_buttons_have_text():
    w = examples.sgd()
    assert [w.player.button.description, w.step_button.description,
            w.reset_button.description] == ["play", "+1 epoch", "reset"]


def test_step_grows_the_curve_and_lowers_the_loss():
    w = examples.sgd()
    before = w.live.png()
    w.step(50)
    x, y = w.artists.line.get_data()
    assert len(x) == 51 and x[-1] == 50
    assert y[-1] < y[0]
    assert w.progress.value == 50 and w.progress_text.value == "epoch 50 of 1000"
    _, history = _notebook_run(50)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)
    assert f"{history[-1]:.6f}" in w.readout.value and f"{history[-1]:.6f}" in w.live.alt
    heights = [b.get_height() for b in w.artists.bars.bars]
    assert heights == pytest.approx(list(w.predictions()), rel=1e-12)
    assert w.live.png() != before


def test_playing_to_the_end_is_the_notebooks_run():
    w = examples.sgd()
    w.player.button.click()  # outside a kernel: plays to the end at once
    assert w.epoch == 1000 and not w.player.playing
    assert w.player.button.description == "play"
    w.step(10)  # nothing beyond the last epoch
    assert w.epoch == 1000 and len(w.losses) == 1001
    params, history = _notebook_run(1000)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)
    for key in params:
        assert w.params[key] == pytest.approx(params[key], rel=1e-12)
    emily, frank = w.predictions()[4:]
    assert emily > 0.9 and frank < 0.1
    assert "Emily <b>" in w.readout.value


def test_play_after_one_epoch_still_reaches_the_last_epoch():
    """ipywidgets' Play stepped 1, 11, ... 991 and stopped: 1001 was past its maximum."""
    w = examples.sgd()
    w.step_button.click()
    assert w.epoch == 1
    w.player.button.click()
    assert w.epoch == 1000 and w.progress_text.value == "epoch 1000 of 1000"
    params, history = _notebook_run(1000)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)


def test_reset_and_the_buttons_work():
    w = examples.sgd()
    w.step(100)
    w.reset_button.click()
    assert w.epoch == 0 and len(w.losses) == 1 and not w.player.playing
    assert len(w.artists.line.get_data()[0]) == 1
    w.step_button.click()
    assert w.epoch == 1 and w.progress.value == 1


def test_seed_slider_picks_a_new_start():
    w = examples.sgd()
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
    w = examples.sgd()
    w.step(20)
    X, y, _ = data.people()
    rng = np.random.default_rng(0)
    params_20, _ = training.train(X, y, network.init_params(rng), 0.1, 20, rng)
    w.choices["lr"].value = 10.0
    assert "lr = 10 " in w.readout.value and w.epoch == 20  # no training on a choice
    w.step(30)
    _, history = training.train(X, y, params_20, 10.0, 30, rng)  # rng is where w.rng is
    assert w.losses[21:] == pytest.approx(list(history), rel=1e-12)
    assert w.losses[-1] < 1e-3


def test_a_train_that_does_not_work_yet_falls_back_with_a_note():
    def stub(X, y, params, lr, epochs, rng):
        raise NotImplementedError()

    w = widgets.training_player(stub)
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

    w = widgets.training_player(flaky)
    assert w.note == ""
    w.player.button.click()
    assert w.epoch == 0 and "Training stopped" in w.readout.value
    assert "length 1 for 10 epochs" in w.readout.value and not w.player.playing


def test_play_in_a_kernel_runs_frame_by_frame_and_pauses(monkeypatch):
    # what a kernel looks like to live.connect() and the play button: its running loop
    monkeypatch.setattr(live, "_kernel_loop", asyncio.get_running_loop)
    w = widgets.training_player(training.train, epochs=100, epochs_per_frame=10)
    w.player.interval = 0.001

    async def moves():
        w.player.button.click()
        assert w.player.playing and w.player.button.description == "pause" and w.epoch == 0
        while w.epoch < 30:
            await asyncio.sleep(0.001)
        w.player.button.click()  # pause
        paused_at = w.epoch
        await asyncio.sleep(0.05)
        assert w.epoch == paused_at and not w.player.playing
        w.sliders["seed"].value = 5  # inside a running loop, this waits for the loop
        assert w.seed == 0
        w.flush()
        assert w.seed == 5 and w.epoch == 0
        w.player.button.click()
        while w.player.playing:
            await asyncio.sleep(0.001)

    errors = []
    worker = threading.Thread(target=lambda: errors.append(_run_or_error(moves)))
    worker.start()
    worker.join()
    assert errors == [None], errors
    assert w.seed == 5 and w.epoch == 100 and len(w.losses) == 101
    X, y, _ = data.people()
    rng = np.random.default_rng(5)
    _, history = training.train(X, y, network.init_params(rng), 0.1, 100, rng)
    assert w.losses[1:] == pytest.approx(list(history), rel=1e-12)


def _run_or_error(coroutine_fn):
    try:
        asyncio.run(coroutine_fn())
    except Exception as exc:  # reported by the test in the main thread
        return exc
    return None
