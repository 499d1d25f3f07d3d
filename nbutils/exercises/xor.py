"""The checks of notebook 06's exercises: ``forward``, ``backward`` and ``train_xor``.

Each check takes the student's function and the cases its check cell shows
(``checks.Case`` with the expected values), and runs them through
:mod:`nbutils.checks` with the hints for the mistakes students make. The
course's versions to compare with are in :mod:`nbutils.mlp`.
"""

from __future__ import annotations

import numpy as np

from .. import checks, mlp
from ..activations import sigmoid
from ..network import init_params

CACHE_KEYS = ("Z1", "H", "Z2", "y_pred")
GRAD_KEYS = ("W2", "b2", "W1", "b1")  # in the order backward computes them


def _same(a, b, rtol=1e-9) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=0))


# ------------------------------------------------------------------ forward

def _forward_part(forward, key):
    """forward, then one piece of what it returned: y_pred (key None) or cache[key]."""
    def part(X, params):
        out = forward(X, params)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("forward should return two things: `return y_pred, cache`")
        if key is None:
            return out[0]
        if not isinstance(out[1], dict) or key not in out[1]:
            raise LookupError(f"the cache should be a dict with the key {key!r}")
        return out[1][key]
    return checks.as_theirs(forward, part)


def _outputs(X, p, *, biases=True, transpose=False, hidden_f=True, output_f=True):
    """The y_pred of a forward with one of the usual mistakes."""
    W1 = p["W1"].T if transpose else p["W1"]
    Z1 = X @ W1 + (p["b1"] if biases else 0)
    H = sigmoid(Z1) if hidden_f else Z1
    Z2 = H @ p["W2"] + (p["b2"] if biases else 0)
    return (sigmoid(Z2) if output_f else Z2)[:, 0]


Y_PRED_HINTS = [
    checks.Hint("it looks like the biases are missing: add b1 to X @ W1 and b2 to H @ W2.",
                lambda got, exp, X, p: _same(got, _outputs(X, p, biases=False))),
    checks.Hint("it looks like X @ W1.T: W1 already has the shape (n_inputs, h), so "
                "X @ W1 needs no transpose.",
                lambda got, exp, X, p: _same(got, _outputs(X, p, transpose=True))),
    checks.Hint("this is Z2 itself: pass it through sigmoid to get y_pred.",
                lambda got, exp, X, p: _same(got, _outputs(X, p, output_f=False))),
    checks.Hint("the hidden layer needs its sigmoid too: H = sigmoid(Z1).",
                lambda got, exp, X, p: _same(got, _outputs(X, p, hidden_f=False))),
]
CACHE_HINTS = {
    "Z1": [checks.Hint("Z1 is the hidden pre-activation, before the sigmoid.",
                       lambda got, exp, X, p: _same(got, sigmoid(exp)))],
    "H": [checks.Hint("cache['H'] holds Z1: H is the activation sigmoid(Z1).",
                      lambda got, exp, X, p: _same(got, X @ p["W1"] + p["b1"]))],
    "Z2": [checks.Hint("Z2 is the output's pre-activation, before the sigmoid.",
                       lambda got, exp, X, p: _same(got, sigmoid(exp)))],
}


def check_forward(forward, cases, *, quiet: bool = False) -> None:
    """``forward(X, params)`` on each ``Case((X, params), expected, label)``.

    ``expected`` maps names of ``CACHE_KEYS`` to values: ``"y_pred"`` is checked
    as the first thing returned and as ``cache["y_pred"]``, the others in the cache.
    """
    __tracebackhide__ = True
    cases = list(cases)
    checks.check_function(_forward_part(forward, None), [
        checks.Case(c.args, c.expected["y_pred"],
                    label=f"{c.label or 'forward(X, params)'}, first thing returned: y_pred")
        for c in cases if "y_pred" in c.expected], name="forward", hints=Y_PRED_HINTS,
        quiet=quiet)
    for key in CACHE_KEYS:
        mine = [checks.Case(c.args, c.expected[key],
                            label=f"{c.label or 'forward(X, params)'}[1][{key!r}]")
                for c in cases if key in c.expected]
        if mine:
            checks.check_function(_forward_part(forward, key), mine,
                                  name=f"forward's cache[{key!r}]",
                                  hints=CACHE_HINTS.get(key, ()), quiet=quiet)


# ------------------------------------------------------------------ backward

def _grad_part(backward, key):
    """backward, then the gradient for ``key``."""
    def part(X, y, params, cache):
        grads = backward(X, y, params, cache)
        if not isinstance(grads, dict):
            raise TypeError(f"backward should return a dict, not a {type(grads).__name__}")
        if key not in grads:
            raise LookupError(f"backward returned no gradient for {key!r}: grads needs "
                              "every key of params, W1, b1, W2 and b2")
        return grads[key]
    return checks.as_theirs(backward, part)


def _on_activations(key, X, y, p, c):
    """The gradient when sigmoid_prime is given H or y_pred instead of Z1 or Z2."""
    wrong_z2 = {**c, "Z2": c["y_pred"][:, None]}
    return [mlp.backward(X, y, p, case)[key]
            for case in (wrong_z2, {**c, "Z1": c["H"]}, {**wrong_z2, "Z1": c["H"]})]


def backward_hints(key: str) -> list:
    """The hints for one gradient of backward."""
    def near(a, b):
        return _same(a, b, rtol=1e-6)
    return [
        checks.Hint("the sign is flipped: the loss grows as y_pred moves away from y, "
                    "so dL/dy_pred = -2 (y - y_pred) / n.",
                    lambda got, exp, *a: near(got, -exp)),
        checks.Hint("it is n times too big (n = the number of samples): the loss is a "
                    "mean over the batch, so its gradient is too. Divide by n once.",
                    lambda got, exp, X, *a: near(got, len(X) * exp)),
        checks.Hint("it is exactly half: the derivative of (y - y_pred) ** 2 has a factor 2.",
                    lambda got, exp, *a: near(got, exp / 2)),
        checks.Hint("it is the transpose of the right gradient: a gradient has the shape "
                    "of its parameter; which factor of the product needs the .T?",
                    lambda got, exp, *a: near(got, exp.T)),
        checks.Hint("sigmoid_prime takes the pre-activation (Z1 or Z2), not the "
                    "activation (H or y_pred).",
                    lambda got, exp, X, y, p, c: any(
                        near(got, g) for g in _on_activations(key, X, y, p, c))),
    ]


def check_backward(backward, cases, *, rtol: float = 1e-9, atol: float = 0.0,
                   quiet: bool = False) -> None:
    """``backward(X, y, params, cache)`` on each ``Case((X, y, params), grads, label)``.

    The cache is the course's ``mlp.forward(X, params)[1]``, so that only backward
    is graded here; ``grads`` maps keys of params to the expected gradients.
    """
    __tracebackhide__ = True
    cases = [checks.Case(c.args + (mlp.forward(c.args[0], c.args[2])[1],), c.expected,
                         c.label or "backward(X, y, params, cache)") for c in cases]
    for key in GRAD_KEYS:
        mine = [checks.Case(c.args, c.expected[key], label=f"{c.label}[{key!r}]")
                for c in cases if key in c.expected]
        checks.check_function(_grad_part(backward, key), mine,
                              name=f"backward's grads[{key!r}]", rtol=rtol, atol=atol,
                              hints=backward_hints(key), quiet=quiet)


# ------------------------------------------------------------------ train_xor

LATE = ("the losses are one epoch late: this is notebook 05's convention, the loss "
        "after the epoch's steps. Here losses[epoch] is the MSE before the epoch's "
        "update, from the y_pred of its forward pass, so losses[0] is the start's loss.")


class _Runs:
    """The student's train_xor runs and the course's, each computed once.

    A run is named by the case's arguments ``(X, y, n_hidden, lr, epochs, seed)``;
    its start is drawn from ``np.random.default_rng(seed)``.
    """

    def __init__(self, train_xor):
        self.train_xor = train_xor
        self._mine: dict = {}
        self._course: dict = {}
        self._frozen: dict = {}

    @staticmethod
    def _key(X, y, n_hidden, lr, epochs, seed):
        return (np.asarray(X, dtype=float).tobytes(), np.asarray(y, dtype=float).tobytes(),
                int(n_hidden), float(lr), int(epochs), int(seed))

    def call(self, X, y, n_hidden, lr, epochs, seed):
        out = self.train_xor(X, y, int(n_hidden), float(lr), int(epochs),
                             np.random.default_rng(int(seed)))
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("train_xor should return two things: `return params, losses`")
        return out

    def mine(self, *args):
        key = self._key(*args)
        if key not in self._mine:
            self._mine[key] = self.call(*args)
        return self._mine[key]

    def course(self, X, y, n_hidden, lr, epochs, seed):
        key = self._key(X, y, n_hidden, lr, epochs, seed)
        if key not in self._course:
            self._course[key] = mlp.train_xor(
                np.asarray(X, dtype=float), np.asarray(y, dtype=float), int(n_hidden),
                float(lr), int(epochs), np.random.default_rng(int(seed)))
        return self._course[key]

    # what the checks compare
    def start_loss(self, *args):
        return np.asarray(self.mine(*args)[1], dtype=float).ravel()[0]

    def losses(self, *args):
        return self.mine(*args)[1]

    def outputs(self, *args):
        return mlp.forward(args[0], self.mine(*args)[0])[0]

    def sides(self, *args):
        return (self.outputs(*args) > 0.5).astype(float)

    # what the hints look at
    def first_loss(self, X, y, n_hidden, lr, epochs, seed):
        """losses[0] of a one-epoch run from this seed."""
        return float(np.asarray(self.call(X, y, n_hidden, lr, 1, seed)[1],
                                dtype=float).ravel()[0])

    def pinned_by_rng(self, X, y, n_hidden, lr, epochs, seed) -> bool:
        """The same seed gives the same start, and the next seed another one."""
        once, again, other = (self.first_loss(X, y, n_hidden, lr, epochs, s)
                              for s in (seed, seed, int(seed) + 1))
        return once == again and once != other

    def hidden_size_ok(self, X, y, n_hidden, *rest) -> bool:
        params = self.mine(X, y, n_hidden, *rest)[0]
        return (np.shape(params["W1"])[-1] == int(n_hidden)
                and np.shape(params["W2"])[0] == int(n_hidden))

    def loss_grew(self, *args) -> bool:
        losses = np.asarray(self.mine(*args)[1], dtype=float)
        return losses[-1] > losses[0]

    def frozen_match(self, got, X, y, n_hidden, lr, epochs, seed) -> bool:
        """The outputs are those of the course's run with some parameters never updated."""
        key = (self._key(X, y, n_hidden, lr, epochs, seed), np.asarray(got).tobytes())
        if key not in self._frozen:
            self._frozen[key] = self._frozen_match(got, X, y, n_hidden, lr, epochs, seed)
        return self._frozen[key]

    def _frozen_match(self, got, X, y, n_hidden, lr, epochs, seed) -> bool:
        for frozen in (("b1", "b2"), ("W1", "W2"), ("W1",), ("b1",), ("W2",), ("b2",)):
            params = init_params(np.random.default_rng(int(seed)), np.shape(X)[1],
                                 int(n_hidden))
            for _ in range(int(epochs)):
                grads = mlp.backward(X, y, params, mlp.forward(X, params)[1])
                params = {k: v if k in frozen else v - float(lr) * grads[k]
                          for k, v in params.items()}
            if _same(got, mlp.forward(X, params)[0], rtol=1e-6):
                return True
        return False

    def start_hints(self) -> list:
        """Hints for a wrong losses[0]."""
        def late(got, exp, *a):
            return _same(got, self.course(*a)[1][1], rtol=1e-6)

        def summed(got, exp, X, *a):
            return _same(got, len(X) * self.course(X, *a)[1][0], rtol=1e-6)

        def other(got, exp, *a):
            return (self.pinned_by_rng(*a) and self.hidden_size_ok(*a)
                    and not late(got, exp, *a) and not summed(got, exp, *a))
        return [
            checks.Hint(LATE, late),
            checks.Hint("losses[0] is n times the MSE (n = the number of samples): the "
                        "loss is the mean over the batch, np.mean((y - y_pred) ** 2).", summed),
            checks.Hint("losses[0] is not the loss of the start the seed pins: draw the "
                        "start with init_params(rng, X.shape[1], n_hidden) from the rng "
                        "you are given, not from a new or fixed generator.",
                        lambda got, exp, *a: not self.pinned_by_rng(*a)),
            checks.Hint("use n_hidden: the start is init_params(rng, X.shape[1], n_hidden), "
                        "and the trained W1 should have n_hidden columns.",
                        lambda got, exp, *a: not self.hidden_size_ok(*a)),
            checks.Hint("losses[0] should be the MSE of the start, np.mean((y - y_pred) ** 2) "
                        "before any update, with the start drawn by "
                        "init_params(rng, X.shape[1], n_hidden).", other),
        ]

    def trained_hints(self) -> list:
        """Hints for trained outputs that differ from the course's run."""
        def frozen(got, exp, *a):
            return not self.loss_grew(*a) and self.frozen_match(got, *a)

        def other(got, exp, *a):
            return not self.loss_grew(*a) and not self.frozen_match(got, *a)
        return [
            checks.Hint("the loss went up during training: step against the gradient, "
                        "p = p - lr * grad.", lambda got, exp, *a: self.loss_grew(*a)),
            checks.Hint("these are the outputs of a run in which some parameters never "
                        "move: is every parameter (W1, b1, W2 and b2) updated, in every "
                        "epoch?", frozen),
            checks.Hint("the run ends somewhere else than the course's run from the same "
                        "start: each epoch is one forward, one backward and "
                        "p - lr * grad for each of W1, b1, W2 and b2.", other),
        ]


def _call(args) -> str:
    n_hidden, lr, epochs, seed = args[2:]
    return (f"train_xor(X, y, n_hidden={n_hidden}, lr={lr}, epochs={epochs}, "
            f"rng=np.random.default_rng({seed}))")


def check_train_xor(train_xor, cases, *, seeds=(), quiet: bool = False) -> None:
    """``train_xor`` on each ``Case((X, y, n_hidden, lr, epochs, seed), expected, label)``.

    The run's rng is ``np.random.default_rng(seed)``. ``expected`` holds
    ``"losses[0]"`` and ``"y_pred"``, the trained network's outputs on X; the
    whole loss history is compared with the course's run (``mlp.train_xor``), and
    XOR must be learned where that run learns it. Then, with the first case's
    settings, each of ``seeds`` must start where the course's does, and XOR must
    be learned from at most two fewer of them than the course's version learns.
    """
    __tracebackhide__ = True
    runs = _Runs(train_xor)
    start_loss = checks.as_theirs(train_xor, runs.start_loss)
    for case in cases:
        label = case.label or _call(case.args)
        course_params, course_losses = runs.course(*case.args)
        checks.check_function(start_loss, [
            checks.Case(case.args, case.expected["losses[0]"], label=f"{label}: losses[0]")],
            name="train_xor", hints=runs.start_hints(), quiet=quiet)
        checks.check_function(checks.as_theirs(train_xor, runs.outputs), [
            checks.Case(case.args, case.expected["y_pred"],
                        label=f"{label}: the trained outputs")],
            name="train_xor (trained network)", rtol=1e-6, hints=runs.trained_hints(),
            quiet=quiet)
        checks.check_function(checks.as_theirs(train_xor, runs.losses), [
            checks.Case(case.args, course_losses, label=f"{label}: losses")],
            name="train_xor (losses)", rtol=1e-6, quiet=quiet, hints=[
                checks.Hint(LATE, lambda got, exp, *a: _same(got[:-1], exp[1:], rtol=1e-6))])
        X, y = (np.asarray(a, dtype=float) for a in case.args[:2])
        if mlp.solved(mlp.forward(X, course_params)[0], y):
            checks.check_function(checks.as_theirs(train_xor, runs.sides), [
                checks.Case(case.args, y, label=f"{label}: is each output on the right "
                                                "side of 0.5?")],
                name="train_xor (XOR learned)", quiet=quiet)
    seeds = [int(s) for s in seeds]
    if not seeds:
        return
    settings = tuple(cases[0].args[:5])
    many = mlp.train_many(*settings, seeds)
    checks.check_function(start_loss, [
        checks.Case(settings + (s,), many["losses"][i, 0], label=f"{_call(settings + (s,))}: "
                                                                 "losses[0]")
        for i, s in enumerate(seeds)], name="train_xor", hints=runs.start_hints(), quiet=True)
    learned = sum(bool(mlp.solved(runs.outputs(*settings, s), settings[1])) for s in seeds)
    reference = int(many["solved"].sum())
    which = f"the {len(seeds)} starts with seeds {seeds[0]} to {seeds[-1]}"
    if learned < reference - 2:
        checks.fail("train_xor", [f"  it learned XOR from {learned} of {which}; the "
                                  f"course's version learns it from {reference}."],
                    kind=checks.Kind.WRONG_VALUE)
    if not quiet:
        print(f"✓ train_xor learns XOR from the pinned start, and from {learned} of {which}.")
