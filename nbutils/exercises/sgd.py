"""The checks of notebook 05's exercises: ``sgd_step`` and ``train``.

    from nbutils.exercises import sgd as exercise
    exercise.check_sgd_step(sgd_step, [checks.Case((params, grads, 0.1), nine_numbers)])
    exercise.check_train(train, [checks.Case((X, y, params, 0.1, 5, seed), history)])

Every helper takes what it needs (the data, the start, the seed) as arguments;
the hints compute the losses of each known mistake for the case that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .. import checks, data, losses, network
from .. import training as _ref
from ..gradients import backprop

__all__ = ["LongRun", "check_sgd_step", "check_train", "history_of", "history_where",
           "mean_grads", "nine", "sgd_step_hints", "stepped", "train_hints"]

# the entries of each array, as positions among the nine numbers w1 ... w6, b1, b2, b3
_ARRAYS = (("w1, w2, w3, w4 (params['W1'])", (0, 1, 2, 3)), ("w5, w6 (params['W2'])", (4, 5)),
           ("b1, b2 (params['b1'])", (6, 7)), ("b3 (params['b2'])", (8,)))
_IN_PLACE = ("sgd_step changed the arrays it was given. `-=` (or a dict .copy(), which "
             "shares the arrays) changes them in place: build new arrays with "
             "params[key] - lr * grads[key].")
_TRAIN_IN_PLACE = ("train changed the params it was given: train itself changes their arrays "
                   "in place (params[key] -= ... on the dict it was given, or on its .copy(), "
                   "which shares the arrays). Take each step with sgd_step, which makes new "
                   "arrays.")


# --- Exercise 1: sgd_step ------------------------------------------------------------


def nine(params: dict) -> np.ndarray:
    """A 2-2-1 params dict as the tutorial's nine numbers, w1 ... w6, then b1, b2, b3."""
    named = network.named(params)
    return np.array([named[name] for name in network.NAMES])


def stepped(sgd_step: Callable, key: str | None = None) -> Callable:
    """``sgd_step`` read as the nine numbers of the dict it returns (or as its entry ``key``)."""

    def step(params, grads, lr):
        new = sgd_step(params, grads, lr)
        if not isinstance(new, dict):
            raise TypeError(f"sgd_step should return a dict of params, not "
                            f"{type(new).__name__}")
        return nine(new) if key is None else new[key]

    name = "sgd_step" if key is None else f"sgd_step(...)[{key!r}]"
    return checks.as_theirs(sgd_step, step, name)


def sgd_step_hints() -> list[checks.Hint]:
    """The known mistakes of sgd_step, for results read as the nine numbers."""
    hints = [
        checks.Hint("the parameters moved uphill, by + lr * gradient: gradient descent "
                    "subtracts lr * gradient.",
                    lambda got, expected, p, g, lr: np.allclose(got, nine(p) + lr * nine(g))),
        checks.Hint("every parameter moved by its whole gradient: the learning rate lr "
                    "is missing.",
                    lambda got, expected, p, g, lr: np.allclose(got, nine(p) - nine(g))),
    ]
    for which, i in _ARRAYS:
        hints.append(checks.Hint(
            f"{which} did not move: update every entry of the dict, biases too.",
            lambda got, expected, p, g, lr, i=list(i): np.allclose(got[i], nine(p)[i])
            and not np.allclose(expected[i], nine(p)[i])))
    return hints


def check_sgd_step(sgd_step: Callable, cases: Sequence[checks.Case], *,
                   quiet: bool = False) -> None:
    """Check ``sgd_step`` on ``Case((params, grads, lr), expected)``, then that it left
    the params it was given unchanged.

    ``expected``: the nine numbers w1 ... b3 (a 2-2-1 network) or a dict of arrays
    (any shapes), compared with a relative tolerance of 1e-9.
    """
    __tracebackhide__ = True
    nines = [c for c in cases if not isinstance(c.expected, dict)]
    if nines:
        checks.check_function(stepped(sgd_step), nines, name="sgd_step",
                              hints=sgd_step_hints(), quiet=quiet)
    for case in cases:
        if isinstance(case.expected, dict):
            for key, want in case.expected.items():
                checks.check_function(stepped(sgd_step, key), [checks.Case(case.args, want)],
                                      quiet=True)
    for case in cases:
        params, grads, lr = case.args
        given = network.copy_params(params)
        sgd_step(given, network.copy_params(grads), lr)
        for key in params:
            checks.check_unchanged(given[key], params[key], hint=_IN_PLACE,
                                   name=f"params[{key!r}] after calling sgd_step(params, "
                                        f"grads, {lr!r})")
    if not quiet:
        print("✓ sgd_step leaves the params it was given as they were.")


# --- Exercise 2: train -----------------------------------------------------------------


@dataclass(frozen=True)
class LongRun:
    """A full training run that must learn the four people and classify Emily and Frank:
    ``train(X, y, params, lr, epochs, np.random.default_rng(seed))``."""

    X: np.ndarray
    y: np.ndarray
    params: dict
    lr: float = 0.1
    epochs: int = 1000
    seed: int = 3


def history_of(train: Callable) -> Callable:
    """``train`` read as its loss history: ``(X, y, params, lr, epochs, seed) -> history``,
    for a run with ``rng = np.random.default_rng(seed)``."""

    def run(X, y, params, lr, epochs, seed):
        result = train(X, y, params, lr, epochs, np.random.default_rng(seed))
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError("train should return a pair: (params, loss_history)")
        history = np.asarray(result[1], dtype=float).ravel()
        if len(history) != epochs:
            raise ValueError(f"the loss history has length {len(history)} for {epochs} "
                             "epochs: record one loss, the MSE over all samples, after every "
                             "epoch (is a `return` or the `append` in the wrong loop?)")
        return history

    return checks.as_theirs(train, run, "train")


def history_where(X, y, params: dict, epochs: int, each_epoch: Callable) -> np.ndarray:
    """The loss history of a run whose epochs do ``params = each_epoch(params)``."""
    history = []
    for _ in range(int(epochs)):
        params = each_epoch(params)
        history.append(losses.mse_loss(y, network.feedforward_batch(X, params)))
    return np.array(history)


def mean_grads(X, y, params: dict) -> dict:
    """The mean of the samples' gradients: one full-batch gradient."""
    grads = [backprop(x, t, params) for x, t in zip(X, y, strict=True)]
    return {key: np.mean([g[key] for g in grads], axis=0) for key in params}


def _only_weights(X, y, params, lr, epochs, seed) -> np.ndarray:
    """SGD that steps the weights W1, W2 and leaves every bias where it started."""
    rng = np.random.default_rng(int(seed))

    def epoch(p):
        for i in rng.permutation(len(X)):
            g = backprop(X[i], y[i], p)
            p = {k: p[k] - lr * g[k] if k.startswith("W") else p[k] for k in p}
        return p

    return history_where(X, y, params, epochs, epoch)


def _order_once(X, y, params, lr, epochs, seed) -> np.ndarray:
    """SGD in one order, drawn once before the first epoch."""
    order = np.random.default_rng(int(seed)).permutation(len(X))
    return _ref.train(X[order], y[order], params, lr, int(epochs), None)[1]


def _first_sample(X, y, params, lr, epochs, seed) -> np.ndarray:
    """Every step on the first sample."""
    first = [0] * len(X)
    return history_where(X, y, params, epochs,
                         lambda p: _ref.train(X[first], y[first], p, lr, 1, None)[0])


def _full_batch(X, y, params, lr, epochs, seed) -> np.ndarray:
    """One full-batch step per epoch, with the mean gradient."""
    return history_where(X, y, params, epochs,
                         lambda p: _ref.sgd_step(p, mean_grads(X, y, p), lr))


# the losses some common mistakes give, for a case (X, y, params, lr, epochs, seed)
MISTAKES = {
    "steps that go uphill (+ lr * gradient): gradient descent subtracts it.":
        lambda X, y, p, lr, epochs, seed: _ref.train(
            X, y, p, -lr, int(epochs), np.random.default_rng(int(seed)))[1],
    "steps without the learning rate (each one the whole gradient): multiply by lr.":
        lambda X, y, p, lr, epochs, seed: _ref.train(
            X, y, p, 1.0, int(epochs), np.random.default_rng(int(seed)))[1],
    "a run that visits the samples in the same order every epoch: draw the order with "
    "rng.permutation(len(X)), once per epoch.":
        lambda X, y, p, lr, epochs, seed: _ref.train(X, y, p, lr, int(epochs), None)[1],
    "a run that draws its order once, before the first epoch, and keeps it: draw it "
    "inside the epoch loop, one rng.permutation per epoch.": _order_once,
    "steps that move only the weights: the biases b1 and b2 stay where they started. "
    "Step every entry of params, biases too.": _only_weights,
    "steps that all use the first sample: use X[i], y[i] for the i of the loop.":
        _first_sample,
    "one full-batch step per epoch, with the mean gradient: SGD takes one step per "
    "sample.": _full_batch,
}


def _n_hidden(params) -> int:
    return int(np.shape(params["W1"])[1])


def train_hints(cases: Sequence[checks.Case] = ()) -> list[checks.Hint]:
    """The known mistakes of train, for its loss history on a case of ``cases``."""
    known = [checks.Hint("these are the losses of " + message,
                         lambda got, expected, *args, run=run: np.allclose(
                             got, run(*args), rtol=1e-6))
             for message, run in MISTAKES.items()]
    known += [
        checks.Hint("the loss rose over these epochs instead of falling.",
                    lambda got, *args: got[-1] > got[0]),
        checks.Hint("each loss is the one the reference records an epoch later: record the "
                    "loss after the epoch's steps, not before them.",
                    lambda got, expected, *args: np.allclose(got[1:], expected[:-1])),
    ]
    two = [i for i, c in enumerate(cases) if _n_hidden(c.args[2]) == 2]
    if two:  # the check stops at the first failure: a case after a 2-2-1 one means it passed
        later = [c.args[2] for c in cases[two[0] + 1:] if _n_hidden(c.args[2]) != 2]
        known.append(checks.Hint(
            "the run with 2 hidden units was right and this one is not: does your loop name "
            "w1 ... w6 (the 2-2-1 network) instead of looping over the params dict?",
            lambda got, expected, X, y, params, *rest: any(params is p for p in later)))
    return known + [checks.Hint(
        "compare your loop with the exercise's list: each epoch one new order from "
        "rng.permutation, then one backprop and one sgd_step per sample (every parameter "
        "moves), and the loss after the epoch's steps.",
        lambda got, expected, *args: not any(h.when(got, expected, *args) for h in known))]


def _fail(where: str, problem: str, kind: checks.Kind, detail: str = "") -> None:
    __tracebackhide__ = True
    checks.fail("train", [f"  calling {where}", f"  problem: {problem}"], kind=kind,
                detail=detail)


def _learns(train: Callable, run: LongRun, quiet: bool) -> None:
    __tracebackhide__ = True
    where = (f"train(X, y, start, lr={run.lr!r}, epochs={run.epochs}, "
             f"rng=np.random.default_rng({run.seed}))")
    given = network.copy_params(run.params)
    try:
        result = train(run.X, run.y, given, run.lr, run.epochs,
                       np.random.default_rng(run.seed))
    except Exception as exc:  # the short runs passed: say what this one raised
        _fail(where, f"it raised {type(exc).__name__}: {exc}", checks.Kind.RAISED,
              type(exc).__name__)
    if not (isinstance(result, tuple) and len(result) == 2):
        _fail(where, "train should return a pair: (params, loss_history)",
              checks.Kind.WRONG_TYPE)
    params, history = result
    history = np.asarray(history, dtype=float).ravel()
    for key in run.params:
        checks.check_unchanged(given[key], run.params[key], hint=_TRAIN_IN_PLACE,
                               name=f"start[{key!r}] after {where}")
    checks.check_value(network.feedforward_batch(run.X, params), run.y, rtol=0, atol=0.1,
                       name=f"after {run.epochs} epochs, the outputs for Alice, Bob, Charlie, "
                            "Diana", quiet=True)
    emily, frank = network.feedforward_batch(data.new_people()[0], params)
    problems = []
    if not history[-1] < 0.01:
        problems.append(f"after {run.epochs} epochs the MSE is {history[-1]:.4f}; expected "
                        "below 0.01")
    if not np.mean(np.diff(history) < 0) > 0.9:
        problems.append("the loss should fall in (almost) every epoch; it fell in "
                        f"{np.mean(np.diff(history) < 0):.0%} of them")
    if not (emily > 0.9 and frank < 0.1):
        problems.append(f"Emily {emily:.3f} (expected above 0.9), Frank {frank:.3f} "
                        "(expected below 0.1)")
    if problems:
        _fail(where, "; ".join(problems), checks.Kind.WRONG_VALUE)
    if not quiet:
        print(f"✓ train: after {run.epochs} epochs MSE {history[-1]:.5f}, Emily {emily:.3f}, "
              f"Frank {frank:.3f}.")


def check_train(train: Callable, cases: Sequence[checks.Case],
                learns: Sequence[LongRun] = (), *, quiet: bool = False) -> None:
    """Check ``train``: each ``Case((X, y, params, lr, epochs, seed), history)`` is a
    short run whose loss history must be ``history`` (relative tolerance 1e-9); each
    ``LongRun`` must leave its start unchanged, bring every output within 0.1 of its
    label and the MSE below 0.01, the loss falling in over 90% of the epochs, and give
    Emily above 0.9 and Frank below 0.1."""
    __tracebackhide__ = True
    cases = list(cases)
    if cases:
        checks.check_function(history_of(train), cases, name="train",
                              hints=train_hints(cases), quiet=quiet)
    for run in learns:
        _learns(train, run, quiet)
