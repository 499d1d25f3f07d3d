"""nbutils.network (notebook 02) reproduces REFERENCE_NUMBERS.md."""

import numpy as np
import pytest

from nbutils import network


def test_named_round_trip():
    p = network.from_named(**{n: i for i, n in enumerate(network.NAMES)})
    assert network.named(p) == {n: float(i) for i, n in enumerate(network.NAMES)}
    assert p["W1"].shape == (2, 2) and p["W2"].shape == (2, 1) and p["b2"].shape == (1,)
    with pytest.raises(TypeError, match="missing"):
        network.from_named(w1=1)


def test_feedforward_worked_example():
    p = network.from_named(w1=0, w2=1, w3=0, w4=1, w5=0, w6=1, b1=0, b2=0, b3=0)
    assert network.hidden([[2, 3]], p)[0] == pytest.approx([0.9525741268224334] * 2, rel=1e-12)
    assert network.feedforward([2, 3], p) == pytest.approx(0.7216325609518421, rel=1e-12)



def test_feedforward_batch_is_feedforward_row_by_row():
    rng = np.random.default_rng(2)
    p = network.init_params(rng, 3, 4)
    X = rng.normal(size=(5, 3))
    y_pred = network.feedforward_batch(X, p)
    assert y_pred.shape == (5,)
    assert y_pred == pytest.approx([network.feedforward(x, p) for x in X], rel=1e-14)
    assert network.hidden(X, p).shape == (5, 4)


def test_init_params_draws_from_the_rng_it_is_given():
    a = network.init_params(np.random.default_rng(7), 2, 3)
    b = network.init_params(np.random.default_rng(7), 2, 3)
    assert {k: v.shape for k, v in a.items()} == {"W1": (2, 3), "b1": (3,), "W2": (3, 1),
                                                  "b2": (1,)}
    assert all(np.array_equal(a[k], b[k]) for k in a)
    c = network.copy_params(a)
    assert all(c[k] is not a[k] and np.array_equal(c[k], a[k]) for k in a)
