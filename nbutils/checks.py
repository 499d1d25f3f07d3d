"""Student-facing checks: compare a student's function with reference values.

Used by the visible check cells and the hidden tests of every notebook.
A check never crashes on what a student's function returns: a wrong type,
a wrong shape, NaN, an exception or a missing ``return`` all become one
plain message that says what was expected, what came back and, where a
known mistake explains it, a hint.

    from nbutils import checks
    checks.check_function(sigmoid, [checks.Case((0.0,), 0.5)], name="sigmoid")

What went wrong is data as well as words: :func:`compare` returns a
:class:`Problem` whose :class:`Kind` says which sort of problem it is, and a
failed check raises :class:`CheckFailed` carrying a :class:`Failure` (the
kind and the hints shown). Which hints show, the feedback page and the class
summary read the kind, never the wording of a message.

The NumPy functions a comparison decides with (``asarray``, ``isfinite``,
``abs``, ...) are bound when this module is imported, so an answer cell that
later replaces them in ``numpy`` does not change what a check decides.
"""

from __future__ import annotations

import contextlib
import enum
import math
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .gradients import relative_error

__all__ = [
    "RECORD_MIME",
    "Case",
    "CheckFailed",
    "Failure",
    "Hint",
    "Kind",
    "Problem",
    "check_function",
    "call_case",
    "check_raises",
    "check_unchanged",
    "check_value",
    "matching_hints",
    "must_be_theirs",
    "compare",
    "describe",
    "error_hints",
    "standing_in",
    "fail",
    "as_theirs",
]

# bound now: later monkey-patching of numpy does not reach the checks
_asarray = np.asarray
_isfinite = np.isfinite
_isnan = np.isnan
_abs = np.abs
_maximum = np.maximum
_all = np.all
_any = np.any
_argmax = np.argmax
_unravel_index = np.unravel_index

# the MIME type of a failed check's record in a graded notebook (see Failure.record)
RECORD_MIME = "application/vnd.nbutils.check+json"


class Kind(enum.Enum):
    """Which sort of problem a check found; the value names it in records and summaries."""

    NOT_A_FUNCTION = "not a function"
    COURSE_VERSION = "the course's own function"
    NOT_WRITTEN = "not written yet"
    RAISED = "raised an exception"
    RETURNED_NONE = "returned None"
    WRONG_TYPE = "wrong type"
    WRONG_SHAPE = "wrong shape"
    WRONG_KEYS = "wrong keys"
    NOT_FINITE = "not finite"
    WRONG_VALUE = "wrong value"
    CHANGED_INPUT = "changed its input"
    DID_NOT_RAISE = "did not raise"
    WRONG_ERROR = "raised the wrong error"


@dataclass(frozen=True)
class Problem:
    """What is wrong with a value: its ``kind`` (data) and a ``message`` (for people)."""

    kind: Kind
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Failure:
    """A failed check as data: which check, the kind of problem, the hints it showed,
    how many of its cases passed before it, and a ``detail`` of the kind (for
    ``Kind.RAISED``, the exception's type)."""

    check: str
    kind: Kind
    hints: tuple[str, ...] = ()
    passed: int = 0
    total: int = 1
    detail: str = ""

    def record(self) -> dict:
        """The failure as plain JSON data (what a graded notebook keeps of it)."""
        return {"check": self.check, "kind": self.kind.name.lower(), "label": self.kind.value,
                "detail": self.detail, "hints": list(self.hints), "passed": self.passed,
                "total": self.total}


class CheckFailed(AssertionError):
    """A check found a problem; the message says what it is, in plain words, and
    ``failure`` (a :class:`Failure`, or None when raised by hand) says it as data."""

    def __init__(self, message: str = "", failure: Failure | None = None):
        super().__init__(message)
        self.failure = failure

    @property
    def record(self) -> dict | None:
        """``failure`` as JSON data, or None."""
        return None if self.failure is None else self.failure.record()


@dataclass(frozen=True)
class Case:
    """One call of the student's function: ``fn(*args)`` should give ``expected``.

    ``label`` names the case in messages (defaults to the call itself).
    """

    args: tuple
    expected: Any
    label: str | None = None
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Hint:
    """A likely mistake: ``when(got, expected, *args)`` is true when it explains ``got``.

    ``when`` receives plain NumPy arrays (``got`` has already passed the
    type, shape and NaN checks). It may raise; that simply means no match.
    """

    message: str
    when: Callable[..., bool]


def describe(value: Any, limit: int = 80) -> str:
    """A short, readable rendering of any value for a message."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        text = repr(value.item())
    elif isinstance(value, np.ndarray):
        with np.printoptions(precision=12, threshold=8, edgeitems=3):
            text = np.array2string(value, separator=", ")
        text = text.replace("\n", " ")
        text = f"array({text}) with shape {value.shape}"
    elif isinstance(value, (float, np.floating)):
        text = repr(float(value))
    else:
        try:
            text = repr(value)
        except Exception:  # a student's object whose repr is broken
            text = f"<{type(value).__name__} object>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _type_name(value: Any) -> str:
    return type(value).__module__.replace("builtins", "").strip(".") + (
        "." if type(value).__module__ != "builtins" else ""
    ) + type(value).__name__


RETURNED_NONE = Problem(Kind.RETURNED_NONE, (
    "it returned None. Did you forget the `return` statement, or print the result "
    "instead of returning it?"))


def compare(
    got: Any,
    expected: Any,
    *,
    rtol: float = 1e-9,
    atol: float = 0.0,
    shape_matters: bool = True,
) -> Problem | None:
    """What is wrong with ``got`` as ``expected`` (a :class:`Problem`), or None when it is right.

    Numbers and arrays are compared element-wise with a relative tolerance
    ``rtol`` (and an absolute floor ``atol`` for values that are exactly 0):
    ``|got - expected| <= atol + rtol * max(|got|, |expected|)``, the relative error
    of :func:`nbutils.gradients.relative_error`. With ``shape_matters=False`` a scalar
    wrapped in an array of size one, or an array of shape ``(n, 1)`` where ``(n,)``
    was expected, is accepted.
    """
    if got is None:
        return RETURNED_NONE
    exp = _asarray(expected, dtype=float)
    arr = _as_numbers(got)
    if isinstance(arr, Problem):
        return arr
    if arr.shape != exp.shape:
        if not shape_matters and arr.size == exp.size:
            arr = arr.reshape(exp.shape)
        else:
            return _shape_problem(arr.shape, exp.shape)
    return _finite_problem(arr, exp) or _value_problem(arr, exp, rtol, atol)


def _as_numbers(got: Any) -> np.ndarray | Problem:
    """``got`` as a float array, or the problem that stops it from being one."""
    if isinstance(got, (str, bytes)):
        return Problem(Kind.WRONG_TYPE, f"it returned a string ({describe(got)}), not a number.")
    if isinstance(got, dict):
        return Problem(Kind.WRONG_TYPE, "it returned a dict, not a number or an array.")
    try:
        return _asarray(got, dtype=float)
    except (TypeError, ValueError):
        return Problem(Kind.WRONG_TYPE, (
            f"it returned a {_type_name(got)} ({describe(got)}) that cannot be read as a "
            "number or an array of numbers."))
    except Exception as exc:  # a student's object that breaks np.asarray
        return Problem(Kind.WRONG_TYPE,
                       f"its result could not be read as numbers ({type(exc).__name__}).")


def _shape_problem(shape: tuple, wanted: tuple) -> Problem:
    if len(wanted) == 0 and math.prod(shape) == 1:
        return Problem(Kind.WRONG_SHAPE, (
            f"it returned an array of shape {shape}; a single number was expected. Did you "
            "wrap the result in a list or an array?"))
    hint = ""
    if len(shape) == 2 and len(wanted) == 2 and shape == wanted[::-1]:
        hint = (" That is the expected shape transposed: check the order of a matrix "
                "product or a missing `.T`.")
    elif len(shape) == 0 and len(wanted) > 0:
        hint = (" It returned one number where an array was expected: does it work "
                "element-wise on the whole array (no `math.` functions, no `float(...)`)?")
    return Problem(Kind.WRONG_SHAPE, f"expected shape {wanted}, got shape {shape}.{hint}")


def _finite_problem(arr: np.ndarray, exp: np.ndarray) -> Problem | None:
    nan = _isnan(arr)
    if _any(nan):
        where = "" if arr.ndim == 0 else f" at index {_first(nan)}"
        return Problem(Kind.NOT_FINITE, (
            f"it returned NaN{where}. NaN comes from 0/0, inf - inf or inf/inf: an overflow "
            "somewhere on the way?"))
    inf = ~_isfinite(arr) & _isfinite(exp)
    if _any(inf):
        where = "" if arr.ndim == 0 else f" at index {_first(inf)}"
        return Problem(Kind.NOT_FINITE,
                       f"it returned an infinite value{where}: an overflow somewhere?")
    return None


def _value_problem(arr: np.ndarray, exp: np.ndarray, rtol: float,
                   atol: float) -> Problem | None:
    err = _abs(arr - exp)
    bad = ~(err <= atol + rtol * _maximum(_abs(arr), _abs(exp)))
    if not _any(bad):
        return None
    if arr.ndim == 0:
        rel = float(relative_error(arr, exp))  # > 0 here: err > atol >= 0
        return Problem(Kind.WRONG_VALUE, (
            f"the value is off by {float(err):.3g} (relative error {rel:.2g}, that is "
            f"|got - expected| / max(|got|, |expected|); allowed: {rtol:g})."))
    idx = _first(bad)
    return Problem(Kind.WRONG_VALUE, (
        f"{int(bad.sum())} of {bad.size} values differ; the first at index {idx}: expected "
        f"{describe(float(exp[idx]))}, got {describe(float(arr[idx]))}."))


def _first(mask: np.ndarray) -> tuple | int:
    flat = int(_argmax(mask))
    idx = _unravel_index(flat, mask.shape)
    return int(idx[0]) if len(idx) == 1 else tuple(int(i) for i in idx)


def _call_text(name: str, case: Case) -> str:
    if case.label:
        return case.label
    parts = [describe(a, limit=60) for a in case.args]
    parts += [f"{k}={describe(v, limit=60)}" for k, v in case.kwargs.items()]
    return f"{name}({', '.join(parts)})"


def matching_hints(problem: Problem, hints: Sequence[Hint], *values: Any) -> list[str]:
    """The messages of ``hints`` whose ``when(*values)`` is true. A hint explains a wrong
    value, so for any other kind of ``problem`` there are none."""
    if problem.kind is not Kind.WRONG_VALUE:
        return []
    found = []
    for hint in hints:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                if hint.when(*values):
                    found.append(hint.message)
        except Exception:  # noqa: S112 - a hint that cannot tell does not match
            continue
    return found


def _hints_for(problem: Problem, hints: Sequence[Hint], got: Any, expected: Any,
               args: tuple) -> list[str]:
    if problem.kind is not Kind.WRONG_VALUE or not hints:
        return []
    try:
        values = (_asarray(got, dtype=float), _asarray(expected, dtype=float),
                  *(_asarray(a) if _is_numeric(a) else a for a in args))
    except Exception:
        return []
    return matching_hints(problem, hints, *values)


def error_hints(exc: BaseException) -> list[str]:
    """Plain-words hints for the exceptions beginners meet most."""
    text = str(exc)
    if isinstance(exc, TypeError) and ("length-1" in text or "size-1" in text
                                       or "0-dimensional" in text):
        return ["a function that takes one number (math.exp, float(...), ...) got an "
                "array. For whole arrays use the NumPy version (np.exp); if the array "
                "holds a single value, take it out with [0]."]
    if isinstance(exc, TypeError) and "unsupported operand" in text and "list" in text:
        return ["Python lists do not do arithmetic element by element: turn them into "
                "arrays with np.asarray first."]
    if isinstance(exc, (RuntimeWarning, FloatingPointError)) and "overflow" in text:
        return ["e to a large power does not fit in a float and overflows. Arrange "
                "the formula so that np.exp only ever sees zero or negative numbers."]
    if isinstance(exc, RuntimeWarning) and "invalid value" in text:
        return ["an invalid operation (0/0, inf - inf, inf/inf) made a NaN on the way."]
    if isinstance(exc, RuntimeWarning) and "divide by zero" in text:
        return ["something was divided by zero."]
    if isinstance(exc, NameError):
        return ["a name is not defined: is it spelled as in the cells above, and "
                "did you run them?"]
    if isinstance(exc, ValueError) and ("align" in text or "broadcast" in text
                                        or "matmul" in text):
        return ["the shapes of two arrays do not fit together: print their `.shape` "
                "and check the order of a product, or a missing `.T`."]
    return []


def _is_numeric(value: Any) -> bool:
    return isinstance(value, (int, float, np.number, np.ndarray, list, tuple))


_standing_in: list[str] = []  # the course functions standing in, while a check runs


def fail(name: str, lines: list[str], passed: int = 0, total: int = 1, *, kind: Kind,
         hints: Sequence[str] = (), detail: str = "") -> None:
    """Report a failed check of ``name`` (its ``lines`` indented by two spaces, then a
    line per hint) with the ``kind`` of its problem (and its ``detail``, see
    :class:`Failure`), and raise CheckFailed; for the checks a value comparison cannot
    express."""
    __tracebackhide__ = True
    _report(name, lines, passed, total, kind, hints, detail)


def as_theirs(fn: Callable, part: Callable, name: str | None = None) -> Callable:
    """``part`` (a function of a check that calls the student's ``fn``) named and
    placed like ``fn``, so that check_function reads it as the student's; the
    course's own version passed off as the student's is still refused."""
    def theirs(*args, **kwargs):
        __tracebackhide__ = True
        return part(*args, **kwargs)
    theirs.__module__ = getattr(fn, "__module__", None) or "__main__"
    theirs.__name__ = theirs.__qualname__ = name or getattr(fn, "__name__", "your function")
    return theirs


def _report(name: str, lines: list[str], passed: int, total: int, kind: Kind,
            hints: Sequence[str] = (), detail: str = "") -> None:
    __tracebackhide__ = True
    lines = list(lines) + [f"  hint: {h}" for h in hints]
    if _standing_in:
        lines.append(f"  (checked with {_standing_in[-1]}, so that a mistake there "
                     "costs only its own exercise)")
    text = "\n".join([f"✗ {name}: {passed} of {total} checks passed."] + lines)
    print(text)
    _short_tracebacks()
    raise CheckFailed(text, Failure(name, kind, tuple(hints), passed, total, detail)) from None


def _short_tracebacks() -> None:
    """In a notebook, show a failed check as the message printed above and one line,
    not again in full under a traceback into the course's code."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is None or getattr(shell, "custom_exceptions", ()):
        return  # not in IPython, done already, or somebody else's handler: leave it

    def one_line(shell, etype, value, tb, tb_offset=None):
        # as IPython's own handler does: the last error stays at hand (sys.last_value)
        sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
        stb = [f"{etype.__name__}: {str(value).splitlines()[0]} (what went wrong is above)"]
        shell._showtraceback(etype, value, stb)  # the error output nbgrader and nbval read
        return stb

    shell.set_custom_exc((CheckFailed,), one_line)


def must_be_theirs(fn: Any, name: str, total: int) -> None:
    """Fail the check of ``name`` unless ``fn`` is a function, and not the course's own."""
    __tracebackhide__ = True
    if not callable(fn):
        _report(name, [f"  `{name}` is a {_type_name(fn)}, not a function."], 0, total,
                Kind.NOT_A_FUNCTION)
    module = getattr(fn, "__module__", "") or ""
    if module.split(".")[0] == "nbutils":
        _report(name, [f"  `{name}` is the course library's own version ({module}), not "
                       "yours. Write the function in the cell above."], 0, total,
                Kind.COURSE_VERSION)


def call_case(fn: Callable, name: str, case: Case, call: str, passed: int, total: int, *,
              copy: Callable[[Any], Any] | None = None,
              hints_for: Callable[[BaseException], list[str]] = error_hints,
              warnings_are_errors: bool = True) -> tuple[tuple, Any]:
    """``(args, fn(*args))`` with ``args`` a copy of the case's; a stub left in place or
    an exception fails the check (``call`` names the call in the message)."""
    __tracebackhide__ = True
    args = tuple((copy or _copy)(a) for a in case.args)
    try:
        with warnings.catch_warnings():
            if warnings_are_errors:
                warnings.simplefilter("error", RuntimeWarning)
            return args, fn(*args, **case.kwargs)
    except NotImplementedError:
        _report(name, [f"  `{name}` is not written yet: replace the line "
                       "`raise NotImplementedError()` with your code."], passed, total,
                Kind.NOT_WRITTEN)
    except Exception as exc:
        _report(name, [f"  calling {call}", f"  raised {type(exc).__name__}: {exc}"],
                passed, total, Kind.RAISED, hints_for(exc), type(exc).__name__)


def check_function(
    fn: Callable,
    cases: Iterable[Case],
    *,
    name: str | None = None,
    rtol: float = 1e-9,
    atol: float = 0.0,
    hints: Sequence[Hint] = (),
    shape_matters: bool = True,
    quiet: bool = False,
    warnings_are_errors: bool = True,
) -> None:
    """Call ``fn`` on every case and compare with the expected values.

    Prints one line when everything passes. Otherwise prints, for the first
    failing case, the call, what was expected, what came back and, for a wrong
    value, any hint whose ``when`` matches, and raises :class:`CheckFailed` with
    the same text. Returns None: nbgrader reads a number left as a test cell's
    result as partial credit, so a check must never leave one. With
    ``warnings_are_errors`` a ``RuntimeWarning`` (overflow, invalid value) counts as a
    failure.
    """
    __tracebackhide__ = True
    cases = list(cases)
    name = name or getattr(fn, "__name__", "your function")
    must_be_theirs(fn, name, len(cases))
    for i, case in enumerate(cases):
        call = _call_text(name, case)
        _, got = call_case(fn, name, case, call, i, len(cases),
                           warnings_are_errors=warnings_are_errors)
        problem = compare(got, case.expected, rtol=rtol, atol=atol,
                          shape_matters=shape_matters)
        if problem is not None:
            _report(name, [f"  calling {call}",
                           f"  expected {describe(_as_shown(case.expected))}",
                           f"  got      {describe(got)}",
                           f"  problem: {problem}"], i, len(cases), problem.kind,
                    _hints_for(problem, hints, got, case.expected, case.args))
    if not quiet:
        print(f"✓ {name}: all {len(cases)} checks passed.")


def check_raises(
    fn: Callable,
    args: tuple,
    exception: type[BaseException],
    *,
    name: str | None = None,
    says: str = "",
    quiet: bool = False,
) -> None:
    """``fn(*args)`` must raise ``exception`` (with ``says`` in its message).

    For exercises that ask for a clear error on bad input (notebook 03's mse_loss).
    """
    __tracebackhide__ = True
    name = name or getattr(fn, "__name__", "your function")
    call = _call_text(name, Case(args, None))
    try:
        got = fn(*tuple(_copy(a) for a in args))
    except NotImplementedError:
        _report(name, [f"  `{name}` is not written yet: replace the line "
                       "`raise NotImplementedError()` with your code."], 0, 1, Kind.NOT_WRITTEN)
    except exception as exc:
        if says and says.lower() not in str(exc).lower():
            problem = f"  problem: the message should mention {says!r}."
            if "could not be broadcast" in str(exc):  # NumPy's, not the student's
                problem = ("  problem: that is NumPy's own error, raised when the arrays met: "
                           "check the inputs first and raise ValueError yourself, with a "
                           f"message that mentions {says!r}.")
            _report(name, [f"  calling {call}", f"  raised {type(exc).__name__}: {exc}",
                           problem], 0, 1, Kind.WRONG_ERROR)
        if not quiet:
            print(f"✓ {name}: raises {exception.__name__} as it should.")
        return
    except Exception as exc:
        _report(name, [f"  calling {call}",
                       f"  expected it to raise {exception.__name__}",
                       f"  it raised {type(exc).__name__}: {exc}"], 0, 1, Kind.WRONG_ERROR)
    _report(name, [f"  calling {call}",
                   f"  expected it to raise {exception.__name__}",
                   f"  it returned {describe(got)} instead"], 0, 1, Kind.DID_NOT_RAISE)


def check_value(
    value: Any,
    expected: Any,
    *,
    name: str,
    rtol: float = 1e-9,
    atol: float = 0.0,
    hints: Sequence[Hint] = (),
    shape_matters: bool = True,
    quiet: bool = False,
) -> None:
    """Compare a value the student computed (not a function) with the expected one."""
    __tracebackhide__ = True
    problem = compare(value, expected, rtol=rtol, atol=atol, shape_matters=shape_matters)
    if problem is not None:
        _report(name, _value_lines(value, expected, problem), 0, 1, problem.kind,
                _hints_for(problem, hints, value, expected, ()))
    if not quiet:
        print(f"✓ {name}: correct.")


def check_unchanged(value: Any, before: Any, *, name: str, hint: str) -> None:
    """``value``, an argument after the student's function ran, must still equal ``before``
    (to a relative 1e-9); otherwise the function changed its input, and ``hint`` says how
    not to (notebook 05's sgd_step and train)."""
    __tracebackhide__ = True
    problem = compare(value, before)
    if problem is not None:
        _report(name, _value_lines(value, before, problem), 0, 1, Kind.CHANGED_INPUT, [hint])


def _value_lines(value: Any, expected: Any, problem: Problem) -> list[str]:
    return [f"  expected {describe(expected)}", f"  got      {describe(value)}",
            f"  problem: {problem}"]


def _as_shown(value: Any) -> Any:
    return _asarray(value) if isinstance(value, (list, tuple)) else value


def _copy(value: Any) -> Any:
    """Give the student's function its own copy, so it cannot change a case."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


@contextlib.contextmanager
def standing_in(fn: Callable, *, quiet: bool = False, **references: Callable):
    """Check ``fn`` with the course's functions in place of the student's.

    Inside the block, every name in ``references`` that ``fn`` looks up (the
    exercise it builds on, ``sgd_step`` for ``train``) is the course's version,
    so a bug in the earlier exercise costs that exercise only. Afterwards the
    student's own functions are back. When grading, ``fn`` runs in the
    sandboxed kernel and offers its own way to do the swap there.
    """
    names = " and ".join(f"the course's {name}" for name in references)
    what = names + (" in place of yours" if references else "")
    swap = getattr(fn, "standing_in", None)
    if callable(swap):  # the grader's stand-in for a function in the kernel
        context = swap(references)
    else:
        context = _in_globals(getattr(fn, "__globals__", None), references)
    with context:
        if not quiet and references:
            print(f"{getattr(fn, '__name__', 'this function')} is checked with {what}.")
        _standing_in.append(what)
        try:
            yield
        finally:
            _standing_in.pop()


@contextlib.contextmanager
def _in_globals(namespace: dict | None, references: dict):
    if not isinstance(namespace, dict):
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in references}
    namespace.update(references)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value
