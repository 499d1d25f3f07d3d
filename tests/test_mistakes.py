"""nbutils.mistakes (notebook 04): each planted mistake changes the step it names, only."""

import numpy as np
import pytest

from nbutils import gradients, mistakes, network
from nbutils.activations import sigmoid, sigmoid_prime


def point(seed: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=2) * 2, float(rng.random()), network.init_params(rng)


def forward(x, params):
    z1 = x @ params["W1"] + params["b1"]
    h = sigmoid(z1)
    z2 = h @ params["W2"] + params["b2"]
    return z1, h, z2, sigmoid(z2)


def hidden_changed(g, x, new_d_z1):
    """The grads of backprop ``g`` with the hidden neurons' dL/dz1 replaced."""
    return {**g, "W1": np.outer(x, new_d_z1), "b1": new_d_z1}


def expected(mistake, x, y_true, params):
    """What each mistake gives, worked out from the right grads (not from the steps)."""
    g = gradients.backprop(x, y_true, params)
    z1, h, z2, y_pred = forward(x, params)
    at_h = g["b1"] * sigmoid_prime(h) / sigmoid_prime(z1)
    output_at_y = sigmoid_prime(y_pred[0]) / sigmoid_prime(z2[0])
    W2 = params["W2"][:, 0]
    if mistake == "sign":
        return {k: -v for k, v in g.items()}
    if mistake == "no_two":
        return {k: v / 2 for k, v in g.items()}
    if mistake == "activation_output":
        return {k: v * output_at_y for k, v in g.items()}
    if mistake == "activation":
        scaled = {k: v * output_at_y for k, v in g.items()}
        return hidden_changed(scaled, x, at_h * output_at_y)
    if mistake == "no_output_prime":
        return {k: v / sigmoid_prime(z2[0]) for k, v in g.items()}
    if mistake == "activation_hidden":
        return hidden_changed(g, x, at_h)
    if mistake in ("activation_h1", "activation_h2"):
        j = int(mistake[-1]) - 1
        return hidden_changed(g, x, np.where(np.arange(2) == j, at_h, g["b1"]))
    if mistake == "no_hidden_prime":
        return hidden_changed(g, x, g["b1"] / sigmoid_prime(z1))
    if mistake == "no_w2":
        return hidden_changed(g, x, g["b1"] / W2)
    if mistake == "wrong_neuron":
        return hidden_changed(g, x, g["b1"] / W2 * W2[0])
    if mistake == "no_x":
        return {**g, "W1": np.outer(np.ones(2), g["b1"])}
    if mistake == "w1_transposed":
        return {**g, "W1": g["W1"].T}
    raise AssertionError(mistake)


@pytest.mark.parametrize("mistake", sorted(mistakes.MISTAKES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_mistake_computes_what_it_says(mistake, seed):
    x, y_true, params = point(seed)
    got = mistakes.with_mistake(mistake)(x, y_true, params)
    want = expected(mistake, x, y_true, params)
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key].shape == params[key].shape, key
        np.testing.assert_allclose(got[key], value, rtol=1e-12, atol=0, err_msg=key)
    right = gradients.backprop(x, y_true, params)
    for key in params:
        if key in _changes(mistake):
            assert not np.allclose(got[key], right[key]), key
        else:
            assert np.array_equal(got[key], right[key]), key


def _changes(mistake):
    """The grads a mistake changes: those computed from the step it replaces; the
    others are backprop's own, to the last bit."""
    if mistake in ("no_x", "w1_transposed"):
        return {"W1"}
    if mistake in ("activation_hidden", "activation_h1", "activation_h2", "no_hidden_prime",
                   "no_w2", "wrong_neuron"):
        return {"W1", "b1"}
    return {"W1", "b1", "W2", "b2"}


def test_each_mistake_replaces_a_step_of_backprop():
    """With no step replaced, the steps are gradients.backprop, to the last bit."""
    x, y_true, params = point(5)
    right = gradients.backprop(x, y_true, params)
    same = gradients.chain_rule(dict(gradients.STEPS), x, y_true, params)
    assert all(np.array_equal(same[k], right[k]) for k in right)
    for mistake, (_, replaced) in mistakes._PLANTED.items():
        assert set(replaced) <= set(gradients.STEPS), mistake
        assert len(replaced) == (2 if mistake == "activation" else 1), mistake


def test_with_mistake_names_its_mistake_and_refuses_unknown_ones():
    fn = mistakes.with_mistake("no_w2")
    assert fn.__name__ == "backprop_no_w2" and mistakes.MISTAKES["no_w2"] in fn.__doc__
    with pytest.raises(ValueError, match="unknown mistake"):
        mistakes.with_mistake("typo")
