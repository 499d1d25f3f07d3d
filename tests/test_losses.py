"""nbutils.losses (notebook 03): the mean squared error."""

import numpy as np
import pytest

from nbutils import data, losses, network

ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)


def test_mse_of_the_documented_examples():
    assert losses.mse_loss([1, 0, 0, 1], [0, 0, 0, 0]) == 0.5
    X, y, _ = data.people()
    # REFERENCE_NUMBERS.md: the MSE over all four people at all weights 1, biases 0
    assert losses.mse_loss(y, network.feedforward_batch(X, ONES)) == pytest.approx(
        0.5071183180, rel=1e-8)


def test_mse_refuses_lengths_that_differ():
    with pytest.raises(ValueError, match="must match"):
        losses.mse_loss([1, 0], [1, 0, 0])
    assert isinstance(losses.mse_loss(np.zeros(3), np.ones(3)), float)
