"""nbutils.gradients (notebook 04): backprop and numeric gradients, against REFERENCE_NUMBERS.md."""

import numpy as np
import pytest

from nbutils import gradients, network
from nbutils.activations import sigmoid, sigmoid_prime

ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
ALICE = (np.array([-2.0, -1.0]), 1.0)


def test_backprop_for_alice_is_the_documented_figures():
    """REFERENCE_NUMBERS.md, backprop for Alice alone: each figure once, here."""
    g = network.named(gradients.backprop(*ALICE, ONES))
    assert g["w1"] == pytest.approx(0.02146953526581111, rel=1e-12)
    assert g["w3"] == pytest.approx(0.0214695353, rel=1e-8)
    assert g["w2"] == g["w4"] == pytest.approx(0.0107347676, rel=1e-8)
    assert g["b1"] == g["b2"] == pytest.approx(-0.0107347676, rel=1e-8)
    assert g["w5"] == g["w6"] == pytest.approx(-0.0112692202, rel=1e-8)
    assert g["b3"] == pytest.approx(-0.2376175595, rel=1e-8)
    assert gradients.sample_loss(*ALICE, ONES) == pytest.approx(0.2268662872, rel=1e-8)


def test_backprop_is_the_chain_rule_written_out():
    """The steps multiply out to the products the tutorial writes for dL/dw1."""
    x, y_true = ALICE
    rng = np.random.default_rng(4)
    p = network.init_params(rng)
    z1 = x @ p["W1"] + p["b1"]
    z2 = sigmoid(z1) @ p["W2"] + p["b2"]
    d_y_pred = -2 * (y_true - sigmoid(z2[0]))
    want = d_y_pred * p["W2"][0, 0] * sigmoid_prime(z2[0]) * x[0] * sigmoid_prime(z1[0])
    assert gradients.backprop(x, y_true, p)["W1"][0, 0] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backprop_passes_the_gradient_check(seed):
    rng = np.random.default_rng(seed)
    p = network.init_params(rng, 3, 4)
    x, y_true = rng.normal(size=3), float(rng.random())
    grads = gradients.backprop(x, y_true, p)
    numeric = gradients.numeric_gradient(lambda q: gradients.sample_loss(x, y_true, q), p)
    for key in p:
        assert grads[key].shape == p[key].shape
        assert np.all(gradients.relative_error(grads[key], numeric[key]) < 1e-7), key


def test_numeric_gradient_leaves_params_alone_and_is_central():
    p = network.copy_params(ONES)
    g = gradients.numeric_gradient(lambda q: float(q["W1"][0, 0] ** 3), p, eps=1e-3)
    # (1.001^3 - 0.999^3) / 0.002 = 3 + 1e-6: a central difference of a cube
    assert g["W1"][0, 0] == pytest.approx(3 + 1e-6, rel=1e-9)
    assert all(np.array_equal(p[k], ONES[k]) for k in p)


def test_relative_error():
    got = gradients.relative_error([1.0, 0.0, -2.0, 3.0], [1.0, 0.0, 2.0, 1.5])
    assert got.tolist() == [0.0, 0.0, 2.0, 0.5]
