"""The exercises' own checks (nbutils.exercises) say the kind of each problem as data:
a right value in the wrong shape, a changed input, a result of the wrong type. No kernel."""

import numpy as np
import pytest

from nbutils import checks, data, gradients, network, training
from nbutils.exercises import feedforward as nb02
from nbutils.exercises import sgd as nb05

K = checks.Kind
PARAMS = network.init_params(np.random.default_rng(0))


def failure(check, *args, **kw) -> checks.Failure:
    with pytest.raises(checks.CheckFailed) as failed:
        check(*args, quiet=True, **kw)
    assert failed.value.failure is not None, str(failed.value)
    return failed.value.failure


def test_a_column_of_right_values_is_a_wrong_shape():
    X = data.people()[0]

    def feedforward_batch(X, params):
        return network.feedforward_batch(X, params)[:, None]

    found = failure(nb02.check_feedforward_batch, feedforward_batch,
                    [checks.Case((X, PARAMS), network.feedforward_batch(X, PARAMS))])
    assert found.kind is K.WRONG_SHAPE


def test_a_step_in_place_is_a_changed_input_with_its_hint():
    grads = gradients.backprop(data.people()[0][0], 1.0, PARAMS)
    want = training.sgd_step(PARAMS, grads, 0.1)

    def sgd_step(params, grads, lr):
        for key in params:
            params[key] -= lr * grads[key]
        return params

    found = failure(nb05.check_sgd_step, sgd_step, [checks.Case((PARAMS, grads, 0.1), want)])
    assert found.kind is K.CHANGED_INPUT and len(found.hints) == 1
    assert "changed the arrays it was given" in found.hints[0]


def test_a_training_run_that_returns_no_pair_is_a_wrong_type():
    X, y, _ = data.people()

    def train(X, y, params, lr, epochs, rng):
        return params

    found = failure(nb05.check_train, train, [], [nb05.LongRun(X, y, PARAMS, epochs=2)])
    assert found.kind is K.WRONG_TYPE and found.check == "train"
