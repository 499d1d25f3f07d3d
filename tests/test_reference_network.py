"""The reference network, loss and gradients reproduce REFERENCE_NUMBERS.md."""

import numpy as np
import pytest

from nbutils import data, gradients, losses, network

ONES = dict(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)


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
    X = np.array([[2.0, 3.0], [2.0, 3.0]])
    assert network.forward(X, p) == pytest.approx([0.7216325609518421] * 2, rel=1e-12)


def test_mse():
    assert losses.mse_loss([1, 0, 0, 1], [0, 0, 0, 0]) == 0.5
    with pytest.raises(ValueError, match="must match"):
        losses.mse_loss([1, 0], [1, 0, 0])
    X, y, _ = data.people()
    p = network.from_named(**ONES)
    assert losses.mse_loss(y, network.forward(X, p)) == pytest.approx(0.5071183180, rel=1e-8)


def test_backprop_for_alice():
    p = network.from_named(**ONES)
    x, y = np.array([-2.0, -1.0]), 1.0
    g = network.named(gradients.backprop(x, y, p))
    assert g["w1"] == pytest.approx(0.02146953526581111, rel=1e-12)
    assert g["w2"] == pytest.approx(0.0107347676, rel=1e-8)
    assert g["w4"] == pytest.approx(0.0107347676, rel=1e-8)
    assert g["w3"] == pytest.approx(0.0214695353, rel=1e-8)
    assert g["b1"] == pytest.approx(-0.0107347676, rel=1e-8)
    assert g["w5"] == pytest.approx(-0.0112692202, rel=1e-8)
    assert g["b3"] == pytest.approx(-0.2376175595, rel=1e-8)
    assert gradients.sample_loss(x, y, p) == pytest.approx(0.2268662872, rel=1e-8)
    numeric = gradients.numeric_gradient(lambda q: gradients.sample_loss(x, y, q), p)
    for key in p:
        assert np.all(gradients.relative_error(numeric[key], gradients.backprop(x, y, p)[key])
                      < 1e-7)
    assert network.named(numeric)["w1"] == pytest.approx(0.02146953526581111, rel=1e-8)
    stepped = p["W1"][0, 0] - 0.1 * g["w1"]
    assert stepped == pytest.approx(0.9978530465, rel=1e-8)
