"""nbutils.training (notebook 05) reproduces REFERENCE_NUMBERS.md and agrees with a float loop."""

import math

import numpy as np
import pytest

from nbutils import data, gradients, losses, network, training

ONES = dict(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)


def test_one_step_at_the_worked_example():
    X, y, _ = data.people()
    params = network.from_named(**ONES)
    grads = gradients.backprop(X[0], y[0], params)
    stepped = training.sgd_step(params, grads, 0.1)
    assert network.named(stepped)["w1"] == pytest.approx(0.9978530465, rel=1e-8)
    dw1 = network.named(grads)["w1"]
    assert network.named(stepped)["w1"] == pytest.approx(1 - 0.1 * dw1, rel=1e-15)
    assert network.named(params) == ONES, "the params given are left unchanged"
    assert all(stepped[k] is not params[k] for k in params)
    # the step lowers Alice's loss
    assert gradients.sample_loss(X[0], y[0], stepped) < gradients.sample_loss(X[0], y[0], params)


def test_epoch_order():
    assert training.epoch_order(4, None).tolist() == [0, 1, 2, 3]
    a = training.epoch_order(4, np.random.default_rng(3))
    b = np.random.default_rng(3).permutation(4)
    assert a.tolist() == b.tolist() and sorted(a.tolist()) == [0, 1, 2, 3]


def _sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _train_floats(X, y, p, lr, epochs, rng):
    """An independent SGD loop on the nine named floats (the tutorial's way)."""
    p = dict(p)
    history = []
    for _ in range(epochs):
        for i in rng.permutation(len(X)):
            x1, x2, t = float(X[i, 0]), float(X[i, 1]), float(y[i])
            h1 = _sigmoid(p["w1"] * x1 + p["w2"] * x2 + p["b1"])
            h2 = _sigmoid(p["w3"] * x1 + p["w4"] * x2 + p["b2"])
            o = _sigmoid(p["w5"] * h1 + p["w6"] * h2 + p["b3"])
            d_o = -2 * (t - o) * o * (1 - o)
            d_h1, d_h2 = d_o * p["w5"] * h1 * (1 - h1), d_o * p["w6"] * h2 * (1 - h2)
            g = {"w1": d_h1 * x1, "w2": d_h1 * x2, "b1": d_h1, "w3": d_h2 * x1,
                 "w4": d_h2 * x2, "b2": d_h2, "w5": d_o * h1, "w6": d_o * h2, "b3": d_o}
            p = {k: p[k] - lr * g[k] for k in p}
        history.append(losses.mse_loss(y, network.feedforward_batch(X, network.from_named(**p))))
    return p, np.array(history)


def test_train_matches_an_independent_float_loop():
    X, y, _ = data.people()
    start = network.init_params(np.random.default_rng(4))
    kept = network.copy_params(start)
    params, history = training.train(X, y, start, 0.1, 200, np.random.default_rng(5))
    p_floats, h_floats = _train_floats(X, y, network.named(start), 0.1, 200,
                                       np.random.default_rng(5))
    assert history.shape == (200,)
    assert history == pytest.approx(h_floats, rel=1e-10)
    assert network.named(params) == pytest.approx(p_floats, rel=1e-10)
    for key in start:
        assert np.array_equal(start[key], kept[key]), "train leaves its start unchanged"


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_training_the_four_people_learns_from_any_start(seed):
    """REFERENCE_NUMBERS: every start classifies Emily and Frank correctly."""
    X, y, _ = data.people()
    X_new, names = data.new_people()
    assert names == ["Emily", "Frank"]
    rng = np.random.default_rng(seed)
    params, history = training.train(X, y, network.init_params(rng), 0.1, 1000, rng)
    emily, frank = network.feedforward_batch(X_new, params)
    assert emily > 0.9 and frank < 0.1
    assert history[-1] < 0.01 and len(history) == 1000
    assert np.mean(np.diff(history) < 0) > 0.9
    assert history[-1] == pytest.approx(losses.mse_loss(y, network.feedforward_batch(X, params)),
                                        rel=1e-12)


def test_a_pinned_seed_is_reproducible_and_in_the_reference_ranges():
    X, y, _ = data.people()
    X_new, _ = data.new_people()

    def run(epochs):
        rng = np.random.default_rng(0)  # the notebook's SEED
        return training.train(X, y, network.init_params(rng), 0.1, epochs, rng)

    assert np.array_equal(run(30)[1], run(30)[1])
    p1, h1 = run(1000)
    emily, frank = network.feedforward_batch(X_new, p1)
    # over 300 random starts: Emily 0.944-0.975, Frank 0.034-0.062, MSE 0.0011-0.0031
    assert 0.944 <= emily <= 0.975 and 0.034 <= frank <= 0.062
    assert 0.0011 <= h1[-1] <= 0.0031


def test_in_order_without_rng():
    X, y, _ = data.people()
    start = network.init_params(np.random.default_rng(1))
    _, h_none = training.train(X, y, start, 0.1, 5, None)

    class InOrder:
        def permutation(self, n):
            return np.arange(n)

    _, h_floats = _train_floats(X, y, network.named(start), 0.1, 5, InOrder())
    assert h_none == pytest.approx(h_floats, rel=1e-12)
