"""Student-facing checks for gradients (notebook 04; reusable in 05 and 06).

A gradient is a dict shaped like the params (``grads["W1"] = dL/dW1``, see
:mod:`nbutils.network`). :func:`check_gradients` calls a student's function
that returns one and, when something is wrong, names the FIRST wrong partial
derivative in the order backprop computes them: the output neuron first
(dL/dw5, dL/dw6, dL/db3), then each hidden neuron in turn (dL/dw1, dL/dw2,
dL/db1, then dL/dw3, dL/dw4, dL/db2), with what was expected and what came
back. Like :mod:`nbutils.checks`, on whose ``compare`` and ``CheckFailed``
it is built, it never crashes on what the function returns: not a dict,
missing keys, wrong shapes, NaN, an exception or a missing ``return`` each
become one plain message, and one :class:`checks.Kind` (data: hints show for a
wrong value only).

    from nbutils import checks, gradient_checks
    gradient_checks.check_gradients(backprop, [checks.Case((x, y_true, params), grads)])

Also here: :func:`print_table` (a gradient check, parameter by parameter),
:func:`numeric_hints` and :func:`check_choices` (a
multiple-choice answer). The hints for notebook 04's other exercises are in
:mod:`nbutils.exercises.backprop`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from . import checks, network
from .gradients import relative_error

__all__ = [
    "ORDER",
    "check_choices",
    "check_gradients",
    "entries",
    "numeric_hints",
    "print_table",
]

# the tutorial's nine names in the order backprop computes their derivatives
ORDER = ("w5", "w6", "b3", "w1", "w2", "b1", "w3", "w4", "b2")
_NETWORK_KEYS = ("W1", "b1", "W2", "b2")
_NAME_AT = {where: name for name, where in network.WHERE.items()}

# bound now, like nbutils.checks: an answer cell that patches numpy changes nothing here
_asarray = np.asarray


# --- which partial derivative is which -------------------------------------------------


def entries(grads: Mapping) -> list[tuple[str, tuple, str]]:
    """``(key, index, name)`` of every partial derivative, in the order backprop computes them.

    For a network's params (keys W1, b1, W2, b2): the output layer first, then
    each hidden neuron's incoming weights and bias. For the 2-2-1 network the
    names are the tutorial's (``dL/dw5``, ...); otherwise ``dL/dW1[0, 1]``.
    Any other dict is taken key by key, entry by entry.
    """
    shapes = {k: _asarray(v).shape for k, v in grads.items()}
    if set(shapes) == set(_NETWORK_KEYS) and len(shapes["W1"]) == 2 \
            and len(shapes["W2"]) == 2:
        n_in, n_hidden = shapes["W1"]
        n_out = shapes["W2"][1]
        order = []
        for o in range(n_out):
            order += [("W2", (i, o)) for i in range(n_hidden)] + [("b2", (o,))]
        for j in range(n_hidden):
            order += [("W1", (i, j)) for i in range(n_in)] + [("b1", (j,))]
        tutorial = shapes == {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}
        return [(k, idx, _label(k, idx, tutorial)) for k, idx in order]
    out = []
    for key, shape in shapes.items():
        out += [(key, idx, _label(key, idx, False)) for idx in np.ndindex(shape)]
    return out


def _label(key: str, idx: tuple, tutorial: bool) -> str:
    if tutorial:
        return f"dL/d{_NAME_AT[(key, idx)]}"
    where = ", ".join(str(i) for i in idx)
    return f"dL/d{key}[{where}]" if idx else f"dL/d{key}"


def _where(key: str, idx: tuple) -> str:
    return f"grads[{key!r}][{', '.join(str(i) for i in idx)}]"


# --- the check --------------------------------------------------------------------------


def check_gradients(
    fn: Callable,
    cases: Iterable[checks.Case],
    *,
    name: str | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-12,
    hints: Sequence[checks.Hint] = (),
    quiet: bool = False,
) -> None:
    """Call ``fn`` on every case; its result must be the case's gradient dict.

    Each ``Case.expected`` is a dict shaped like the params. On the first
    failing case, prints what went wrong and raises :class:`checks.CheckFailed`:
    for wrong values, the first wrong partial derivative in the order
    backprop computes them, expected and got, and which others are right or
    wrong. ``hints`` are ``checks.Hint``, shown for wrong values only; their
    ``when(got, expected, *args)`` receives the two dicts (of float arrays) and the
    case's arguments. A function that changes the params it is given fails too.
    Returns None.
    """
    __tracebackhide__ = True
    cases = list(cases)
    name = name or getattr(fn, "__name__", "your function")
    checks.must_be_theirs(fn, name, len(cases))
    for i, case in enumerate(cases):
        call = f"{name} for {case.label}" if case.label else \
            f"{name}({', '.join(checks.describe(a, 40) for a in case.args)})"
        args, got = checks.call_case(fn, name, case, call, i, len(cases), copy=_copy,
                                     hints_for=_exception_hints)
        changed = _changed_argument(args, case.args)
        if changed:
            checks.fail(name, [f"  calling {call}", f"  problem: it changed the {changed} it "
                               "was given. Work on copies: `dict(params)` or `params.copy()` "
                               "copy the dict but share its arrays; copy each array, e.g. "
                               "`{k: v.copy() for k, v in params.items()}`."], i, len(cases),
                        kind=checks.Kind.CHANGED_INPUT)
        found = _dict_problem(got, case.expected, rtol, atol)
        if found is not None:
            problem, lines, shown = found
            shown += _matching(problem, hints, got, case.expected, case.args)
            checks.fail(name, [f"  calling {call}"] + lines, i, len(cases), kind=problem.kind,
                        hints=shown)
    if not quiet:
        print(f"✓ {name}: all {len(cases)} checks passed "
              f"({sum(len(entries(c.expected)) for c in cases)} partial derivatives).")


def _dict_problem(got: Any, expected: Mapping, rtol: float,
                  atol: float) -> tuple[checks.Problem, list[str], list[str]] | None:
    """What is wrong with ``got`` as a gradient dict: the problem, its message lines and
    the hints it brings; None if ``got`` is right."""
    keys = list(expected)
    wanted = ", ".join(repr(k) for k in keys)
    if got is None:
        return checks.RETURNED_NONE, [f"  problem: {checks.RETURNED_NONE}"], []
    if not isinstance(got, Mapping):
        text = f"it returned a {type(got).__name__} ({checks.describe(got)}); a dict with " \
               f"the keys {wanted} was expected"
        if isinstance(got, (tuple, list)) and len(got) == len(keys):
            text += f". Put the {len(keys)} arrays in a dict: {{{keys[0]!r}: ..., ...}}"
        problem = checks.Problem(checks.Kind.WRONG_TYPE, text + ".")
        return problem, [f"  problem: {problem}"], []
    missing = [k for k in keys if k not in got]
    if missing:
        problem = checks.Problem(checks.Kind.WRONG_KEYS, (
            f"the dict it returned has no key {missing[0]!r} (keys expected: {wanted}; keys "
            f"found: {', '.join(repr(k) for k in got) or 'none'})."))
        hints = ["it returned the tutorial's nine names. Gradients are shaped like params: "
                 "network.from_named(**...) turns nine named numbers into that dict."] \
            if set(network.NAMES) <= set(got) else []
        return problem, [f"  problem: {problem}"], hints
    for key in keys:
        problem = checks.compare(got[key], expected[key], rtol=rtol, atol=atol)
        if problem is not None and problem.kind is not checks.Kind.WRONG_VALUE:
            shape = _asarray(expected[key]).shape
            hints = [f"every gradient has the shape of its parameter: grads[{key!r}] like "
                     f"params[{key!r}], which is {shape}."] \
                if problem.kind is checks.Kind.WRONG_SHAPE else []
            return problem, [f"  problem: grads[{key!r}]: {problem}"], hints
    return _first_wrong({k: _asarray(got[k], dtype=float) for k in keys}, expected, rtol, atol)


def _first_wrong(arrays: Mapping, expected: Mapping, rtol: float,
                 atol: float) -> tuple[checks.Problem, list[str], list[str]] | None:
    """The first wrong partial derivative of ``arrays`` (float arrays shaped like
    ``expected``), in the order backprop computes them, and which others are wrong."""
    order = entries(expected)
    right, wrong = [], []
    first = None
    for key, idx, label in order:
        g, e = float(arrays[key][idx]), float(_asarray(expected[key], dtype=float)[idx])
        problem = checks.compare(g, e, rtol=rtol, atol=atol)
        if problem is None:
            right.append(label)
            continue
        wrong.append(label)
        if first is None:
            first = (key, idx, label, g, e, problem)
    if first is None:
        return None
    key, idx, label, g, e, problem = first
    lines = [
        f"  first wrong partial derivative (in the order backprop computes them): "
        f"{label}, which is {_where(key, idx)}",
        f"  expected {checks.describe(e)}",
        f"  got      {checks.describe(g)}",
        f"  problem: {problem}",
    ]
    done = right[: [lbl for _, _, lbl in order].index(label)]
    if done:
        lines.append(f"  right before it: {_short(done)}")
    if len(wrong) > 1:
        lines.append(f"  also wrong: {_short(wrong[1:])}")
    else:
        lines.append("  every other partial derivative is right.")
    return problem, lines, []


def _short(labels: list[str], limit: int = 12) -> str:
    text = ", ".join(labels[:limit])
    return text + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _exception_hints(exc: BaseException) -> list[str]:
    if isinstance(exc, KeyError):
        return ["params is a dict with the keys 'W1', 'b1', 'W2', 'b2' (arrays); the "
                "tutorial's names w1 ... b3 are positions in them (see network.WHERE)."]
    return checks.error_hints(exc)


def _changed_argument(copies: tuple, originals: tuple) -> str | None:
    """The kind of argument the function changed in place, or None."""
    for new, old in zip(copies, originals, strict=True):
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            for key, value in old.items():
                if not isinstance(value, np.ndarray) or key not in new:
                    continue
                now = new[key]
                if not isinstance(now, np.ndarray) or now.shape != value.shape or not \
                        np.allclose(now, value, rtol=1e-12, atol=1e-15):
                    return "params"
        elif isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
            if new.shape != old.shape or not np.allclose(new, old, rtol=1e-12, atol=1e-15):
                return "array"
    return None


def _matching(problem: checks.Problem, hints: Sequence[checks.Hint], got: Mapping,
              expected: Mapping, args: tuple) -> list[str]:
    if problem.kind is not checks.Kind.WRONG_VALUE or not hints:
        return []
    try:
        got_arrays = {k: _asarray(v, dtype=float) for k, v in got.items()}
        exp_arrays = {k: _asarray(v, dtype=float) for k, v in expected.items()}
    except Exception:
        return []
    return checks.matching_hints(problem, hints, got_arrays, exp_arrays,
                                 *(_copy(a) for a in args))


def _fail(name: str, lines: list[str], kind: checks.Kind) -> None:
    __tracebackhide__ = True
    checks.fail(name, lines, 0, 1, kind=kind)


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --- a gradient check, printed -----------------------------------------------------------


def relative_errors(analytic: Mapping, numeric: Mapping) -> dict:
    """``|a - n| / max(|a|, |n|)`` for every entry (0 where both are 0), shaped like params."""
    return {key: relative_error(analytic[key], numeric[key]) for key in numeric}


def print_table(analytic: Mapping, numeric: Mapping, tol: float = 1e-7) -> None:
    """Print backprop's and the numeric partial derivatives side by side.

    One row per parameter, in the order backprop computes them, with the
    relative error and a mark: ``ok`` below ``tol``, ``WRONG`` above.
    """
    errors = relative_errors(analytic, numeric)
    rows = [f"{'':9}{'backprop':>24}{'numeric':>24}{'rel. error':>12}"]
    for key, idx, label in entries(numeric):
        a = float(_asarray(analytic[key], dtype=float)[idx])
        n = float(_asarray(numeric[key], dtype=float)[idx])
        err = float(errors[key][idx])
        mark = "ok" if err < tol else "WRONG"
        rows.append(f"{label:9}{a!r:>24}{n!r:>24}{err:>12.1e}  {mark}")
    print("\n".join(rows))


def _same(a: Mapping, b: Mapping, rtol: float = 1e-6) -> bool:
    """Every entry of two gradient dicts agrees (and they are not trivially equal)."""
    return all(np.allclose(a[k], b[k], rtol=rtol, atol=1e-12) for k in b)


def _differences(loss_fn: Callable, params: Mapping, eps: float) -> dict:
    """The one-sided differences of ``loss_fn`` at ``params``, ``(L(p + eps) - L(p)) / eps``
    ("forward") and ``(L(p) - L(p - eps)) / eps`` ("backward"), each shaped like params: the
    mistakes of a numeric gradient (the central one is :func:`gradients.numeric_gradient`)."""
    out = {"forward": {}, "backward": {}}
    base = loss_fn(network.copy_params(params))
    for key, value in params.items():
        for side in out:
            out[side][key] = np.zeros(np.shape(value))
        for idx in np.ndindex(np.shape(value)):
            plus, minus = network.copy_params(params), network.copy_params(params)
            plus[key][idx] += eps
            minus[key][idx] -= eps
            out["forward"][key][idx] = (loss_fn(plus) - base) / eps
            out["backward"][key][idx] = (base - loss_fn(minus)) / eps
    return out


def _scaled(got: Mapping, expected: Mapping, factor: float) -> bool:
    return _same(got, {k: factor * v for k, v in expected.items()}) and \
        any(np.any(np.abs(v) > 1e-12) for v in expected.values())


def numeric_hints() -> list[checks.Hint]:
    """Hints for ``numeric_gradient(loss_fn, params, eps)``."""

    def one_sided(got, expected, loss_fn, params, eps=1e-5):
        d = _differences(loss_fn, params, eps)
        return (_same(got, d["forward"]) or _same(got, d["backward"])) and \
            not _same(expected, d["forward"])

    return [
        checks.Hint("every value is twice the expected one: L(p + eps) and L(p - eps) are "
                    "taken 2 eps apart, so divide their difference by 2 eps.",
                    lambda got, expected, *args: _scaled(got, expected, 2.0)),
        checks.Hint("every value has the opposite sign: it is L(p + eps) - L(p - eps), the "
                    "value after the step up minus the value after the step down.",
                    lambda got, expected, *args: _scaled(got, expected, -1.0)),
        checks.Hint("every value is 0: L(p + eps) and L(p - eps) saw the same parameters. "
                    "`dict(params)` and `params.copy()` copy the dict but share its arrays: "
                    "copy each array (`{k: v.copy() for k, v in params.items()}`).",
                    lambda got, expected, *args: _scaled(got, expected, 0.0)),
        checks.Hint("it looks like a one-sided difference, (L(p + eps) - L(p)) / eps or "
                    "(L(p) - L(p - eps)) / eps. Step to both sides: the central difference "
                    "is far more accurate.", one_sided),
    ]


# --- multiple choice ------------------------------------------------------------------------


def _normal(answer: str) -> str:
    text = answer.strip().strip("'\"").strip().lower().replace(" ", "")
    return text[4:] if text.startswith("dl/d") else text


def check_choices(
    fn: Callable,
    choices: Mapping[str, Sequence[str]],
    *,
    expected: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
    name: str | None = None,
    quiet: bool = False,
) -> None:
    """``fn()`` returns one answer per entry of ``choices``, in that order.

    ``choices`` maps each answer's name to the values allowed for it. Case,
    spaces and quotes do not matter, nor a leading ``dL/d`` (``"dL/dw3"`` is
    ``"w3"``). Without ``expected`` only the form is checked (for the visible
    check); with it the answers must be those (``hints[part]`` is then shown
    for a wrong one). Returns None.
    """
    __tracebackhide__ = True
    kind = checks.Kind
    name = name or getattr(fn, "__name__", "your function")
    parts = list(choices)
    shape = ", ".join(parts)
    if not callable(fn):
        _fail(name, [f"  `{name}` is a {type(fn).__name__}, not a function."],
              kind.NOT_A_FUNCTION)
    try:
        got = fn()
    except NotImplementedError:
        _fail(name, [f"  `{name}` is not written yet: replace the line "
                     "`raise NotImplementedError()` with your code."], kind.NOT_WRITTEN)
    except Exception as exc:
        _fail(name, [f"  calling {name}()", f"  raised {type(exc).__name__}: {exc}"],
              kind.RAISED)
    if len(parts) == 1 and not isinstance(got, (tuple, list)):
        got = (got,)
    if not isinstance(got, (tuple, list)) or len(got) != len(parts):
        _fail(name, [f"  calling {name}()", f"  got      {checks.describe(got)}",
                     f"  problem: it should return {len(parts)} strings: `return {shape}`."],
              kind.WRONG_TYPE)
    for part, answer in zip(parts, got, strict=True):
        allowed = {_normal(str(c)): c for c in choices[part]}
        if not isinstance(answer, str):
            _fail(name, [f"  problem: {part} should be a string (in quotes), got "
                         f"{checks.describe(answer)}."], kind.WRONG_TYPE)
        if _normal(answer) not in allowed:
            _fail(name, [f"  problem: {part} = {answer!r} is not one of: "
                         f"{', '.join(str(c) for c in choices[part])}."], kind.WRONG_VALUE)
    if expected is not None:
        for part, answer in zip(parts, got, strict=True):
            if _normal(answer) != _normal(str(expected[part])):
                shown = [hints[part]] if hints and part in hints else []
                checks.fail(name, [f"  problem: {part} = {answer!r} is not right."],
                            kind=kind.WRONG_VALUE, hints=shown)
    if not quiet:
        print(f"✓ {name}: {' and '.join(parts)} have an allowed form (whether they are "
              "right is checked when grading)." if expected is None else f"✓ {name}: correct.")
