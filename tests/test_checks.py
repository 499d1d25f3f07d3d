"""nbutils.checks: plain messages for every kind of wrong return, never a crash; the kind
of each problem as data, which alone decides the hints."""

import math

import numpy as np
import pytest

from nbutils import checks
from nbutils.activations import sigmoid


def run(fn, cases, **kw):
    """The printed message of a failing check, or None when it passed."""
    try:
        checks.check_function(fn, cases, quiet=True, **kw)
    except checks.CheckFailed as exc:
        return str(exc)
    return None


def failure(fn, cases, **kw) -> checks.Failure:
    """The failure of a check that must fail, as data."""
    with pytest.raises(checks.CheckFailed) as failed:
        checks.check_function(fn, cases, quiet=True, **kw)
    assert failed.value.failure is not None
    return failed.value.failure


K = checks.Kind
CASE = [checks.Case((np.array([1.0, 2.0]),), [2.0, 4.0])]
# one object for every call: its address is in the message, which is compared across calls
NOT_A_NUMBER = object()


def test_passes_and_returns_nothing(capsys):
    assert checks.check_function(lambda x: 2 * x, CASE, name="double") is None
    assert "✓ double: all 1 checks passed." in capsys.readouterr().out


@pytest.mark.parametrize("fn,says,kind", [
    (lambda x: None, "returned None", K.RETURNED_NONE),
    (lambda x: "2, 4", "returned a string", K.WRONG_TYPE),
    (lambda x: {"a": 1}, "returned a dict", K.WRONG_TYPE),
    (lambda x: NOT_A_NUMBER, "cannot be read as a number", K.WRONG_TYPE),
    (lambda x: np.array([2.0, 4.0, 6.0]), "expected shape (2,), got shape (3,)", K.WRONG_SHAPE),
    (lambda x: 6.0, "one number where an array was expected", K.WRONG_SHAPE),
    (lambda x: np.array([np.nan, 4.0]), "NaN at index 0", K.NOT_FINITE),
    (lambda x: np.array([np.inf, 4.0]), "infinite value at index 0", K.NOT_FINITE),
    (lambda x: np.array([2.0, 5.0]), "1 of 2 values differ; the first at index 1",
     K.WRONG_VALUE),
    (lambda x: [[2.0], [4.0]], "expected shape (2,), got shape (2, 1)", K.WRONG_SHAPE),
])
def test_wrong_returns_get_plain_messages(fn, says, kind):
    message = run(fn, CASE, name="double")
    assert message is not None and says in message, message
    assert "calling double(" in message and "expected" in message
    problem = checks.compare(fn(np.array([1.0, 2.0])), CASE[0].expected)
    assert problem.kind is kind and problem.message in message
    assert failure(fn, CASE, name="double") == checks.Failure("double", kind, (), 0, 1)


def test_compare_returns_none_for_a_right_value():
    assert checks.compare([2.0, 4.0], np.array([2.0, 4.0])) is None
    assert checks.compare(0.5, 0.5 * (1 + 1e-12)) is None


def test_a_failure_is_data_and_its_record_plain_json():
    import json

    hint = checks.Hint("minus sign?", lambda got, exp, z: np.allclose(got, 1 - exp))
    cases = [checks.Case((0.0,), 0.5), checks.Case((7.0,), sigmoid(7.0))]
    found = failure(lambda z: sigmoid(-z), cases, hints=[hint], name="sigmoid")
    assert found == checks.Failure("sigmoid", K.WRONG_VALUE, ("minus sign?",), 1, 2)
    record = json.loads(json.dumps(found.record()))
    assert record == {"check": "sigmoid", "kind": "wrong_value", "label": "wrong value",
                      "detail": "", "hints": ["minus sign?"], "passed": 1, "total": 2}
    assert checks.CheckFailed("by hand").record is None  # raised by hand: no record


def test_a_reworded_message_shows_the_same_hints(monkeypatch):
    """Which hints show is read from the kind: words such as "shape" or "returned" in a
    message change nothing, and a shape problem shows none whatever it says."""
    hint = checks.Hint("minus sign?", lambda got, exp, z: np.allclose(got, 1 - exp))
    case = [checks.Case((7.0,), sigmoid(7.0))]
    monkeypatch.setattr(checks, "_value_problem", lambda *a: checks.Problem(
        K.WRONG_VALUE, "it returned the wrong shape of value"))
    found = failure(lambda z: sigmoid(-z), case, hints=[hint])
    assert found.kind is K.WRONG_VALUE and found.hints == ("minus sign?",)
    monkeypatch.undo()
    always = checks.Hint("always", lambda *a: True)
    monkeypatch.setattr(checks, "_shape_problem", lambda *a: checks.Problem(
        K.WRONG_SHAPE, "the value is off by a bit"))
    found = failure(lambda z: [0.5, 0.5], case, hints=[always])
    assert found.kind is K.WRONG_SHAPE and found.hints == ()


def test_the_kinds_of_calls_that_fail():
    case = [checks.Case((0.0,), 0.5)]

    def stub(z):
        raise NotImplementedError()

    assert failure(stub, case).kind is K.NOT_WRITTEN
    assert failure(3.0, case).kind is K.NOT_A_FUNCTION
    assert failure(sigmoid, case).kind is K.COURSE_VERSION
    raised = failure(lambda z: math.exp(np.array([z, z])), case)
    assert raised.kind is K.RAISED and raised.detail == "TypeError"
    assert raised.hints and "np.exp" in raised.hints[0]


def test_transposed_matrix_is_named():
    message = run(lambda: np.ones((3, 2)), [checks.Case((), np.ones((2, 3)))], name="f")
    assert "transposed" in message


def test_shape_can_be_relaxed():
    assert run(lambda x: [[2.0], [4.0]], CASE, shape_matters=False) is None


def test_relative_tolerance():
    exp = 0.02146953526581111
    assert run(lambda: exp * (1 + 1e-12), [checks.Case((), exp)]) is None
    message = run(lambda: 0.0214, [checks.Case((), exp)])  # the tutorial's rounding
    assert "relative error" in message


@pytest.mark.parametrize("fn,says", [
    (lambda x: (_ for _ in ()).throw(NotImplementedError()), "not written yet"),
    (lambda x: math.exp(x), "takes one number (math.exp"),
    (lambda x: 1 / (1 + np.exp(-x * 1000)), "overflows"),
    (lambda x: undefined_name, "a name is not defined"),  # noqa: F821
    (lambda x: np.ones((2, 3)) @ x, "shapes of two arrays do not fit"),
    (lambda x: [1.0, 2.0] - x.tolist(), "lists do not do arithmetic"),
])
def test_exceptions_become_messages(fn, says):
    cases = [checks.Case((np.array([-1.0, 2.0]),), [0.0, 1.0])]
    message = run(fn, cases, name="f")
    assert message is not None and says in message, message


def test_hints_fire_only_when_they_explain_the_value():
    hint = checks.Hint("minus sign?", lambda got, exp, z: np.allclose(got, 1 - exp))
    case = [checks.Case((7.0,), sigmoid(7.0))]
    assert "hint: minus sign?" in run(lambda z: sigmoid(-z), case, hints=[hint])
    assert "hint" not in run(lambda z: 0.3, case, hints=[hint])
    broken = checks.Hint("never", lambda got, exp, z: 1 / 0)
    assert "hint" not in run(lambda z: 0.3, case, hints=[broken])


def test_refuses_the_libraries_own_answer():
    assert "course library's own version" in run(sigmoid, [checks.Case((0.0,), 0.5)])


def test_not_a_function():
    assert "not a function" in run(3.0, [checks.Case((0.0,), 0.5)], name="sigmoid")


def test_student_cannot_change_the_cases():
    x = np.array([1.0, 2.0])

    def mutate(v):
        v[:] = 0
        return v

    run(mutate, [checks.Case((x,), [0.0, 0.0])])
    assert x.tolist() == [1.0, 2.0]


def test_patching_numpy_does_not_fool_the_checks(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda *a, **k: True)
    assert run(lambda x: x, CASE) is not None


def test_check_value():
    assert checks.check_value(0.5, 0.5, name="v", quiet=True) is None
    with pytest.raises(checks.CheckFailed, match="off by") as failed:
        checks.check_value(0.4, 0.5, name="v")
    assert failed.value.failure.kind is K.WRONG_VALUE


def test_check_unchanged_reports_a_changed_input_with_its_hint():
    checks.check_unchanged(np.ones(2), np.ones(2), name="params['W1']", hint="copy it")
    for changed in (np.zeros(2), np.ones(3)):
        with pytest.raises(checks.CheckFailed) as failed:
            checks.check_unchanged(changed, np.ones(2), name="params['W1']", hint="copy it")
        assert failed.value.failure.kind is K.CHANGED_INPUT
        assert failed.value.failure.hints == ("copy it",)
        assert "  hint: copy it" in str(failed.value)


def test_check_raises():
    def strict(a, b):
        if len(a) != len(b):
            raise ValueError("lengths differ: 2 and 3")
        return 0.0

    checks.check_raises(strict, ([1, 2], [1, 2, 3]), ValueError, says="lengths", quiet=True)
    with pytest.raises(checks.CheckFailed, match="returned 0.0 instead") as failed:
        checks.check_raises(lambda a, b: 0.0, ([1], [1, 2]), ValueError)
    assert failed.value.failure.kind is K.DID_NOT_RAISE
    with pytest.raises(checks.CheckFailed, match="it raised TypeError") as failed:
        checks.check_raises(lambda a, b: 1 + "x", ([1], [1, 2]), ValueError)
    assert failed.value.failure.kind is K.WRONG_ERROR
    with pytest.raises(checks.CheckFailed, match="should mention") as failed:
        checks.check_raises(strict, ([1], [1, 2]), ValueError, says="shape")
    assert failed.value.failure.kind is K.WRONG_ERROR


def test_check_raises_tells_numpys_error_from_the_students():
    def unchecked(a, b):
        return np.mean((np.asarray(a) - np.asarray(b)) ** 2)

    with pytest.raises(checks.CheckFailed) as failed:
        checks.check_raises(unchecked, ([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, says="length")
    text = str(failed.value)
    assert "could not be broadcast" in text  # what was raised, as it was
    assert "that is NumPy's own error" in text and "raise ValueError yourself" in text
    assert "the message should mention" not in text


def _step(x):
    return x + 1  # the student's earlier exercise, with a bug the later check must not see


def _twice(x):
    return 2 * _step(x)


def test_standing_in_checks_with_the_courses_function_and_gives_the_students_back(capsys):
    def course_step(x):
        return x + 10

    with checks.standing_in(_twice, _step=course_step):
        checks.check_function(_twice, [checks.Case((1,), 22)], quiet=True)
    assert "_twice is checked with the course's _step in place of yours" in capsys.readouterr().out
    assert _twice(1) == 4 and _step is globals()["_step"]
    with pytest.raises(checks.CheckFailed, match="costs only its own exercise"):
        with checks.standing_in(_twice, quiet=True, _step=course_step):
            checks.check_function(_twice, [checks.Case((1,), 0)], quiet=True)
    assert _twice(1) == 4  # given back after a failure too
    with pytest.raises(checks.CheckFailed) as plain:
        checks.check_function(_twice, [checks.Case((1,), 0)], quiet=True)
    assert "costs only" not in str(plain.value)  # the note is only said inside the block
    with checks.standing_in(_twice, quiet=True, _missing_before=course_step):
        assert globals()["_missing_before"] is course_step
    assert "_missing_before" not in globals()


def test_a_failed_check_in_a_notebook_shows_its_message_once(tmp_path):
    """In a real kernel: the message printed once, then one line, no traceback into checks."""
    from harness import isolated_env
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path),
                              env=isolated_env(tmp_path))
    seen = []
    try:
        kc.execute_interactive(
            "from nbutils import checks\n"
            "checks.check_function(lambda x: x + 1, [checks.Case((1,), 3)], name='f')\n",
            timeout=60, output_hook=seen.append, allow_stdin=False)
        later = []  # as IPython keeps any last error, the check's is kept with its record
        kc.execute_interactive("import sys\nprint(sys.last_value.record['kind'])",
                               timeout=60, output_hook=later.append, allow_stdin=False)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    printed = "".join(m["content"]["text"] for m in seen if m["msg_type"] == "stream")
    errors = [m["content"] for m in seen if m["msg_type"] == "error"]
    assert printed.count("✗ f: 0 of 1 checks passed.") == 1 and "expected 3" in printed
    assert len(errors) == 1 and errors[0]["ename"] == "CheckFailed"  # still a failure
    shown = "\n".join(errors[0]["traceback"])
    assert len(errors[0]["traceback"]) == 1 and "checks.py" not in shown, shown
    assert "what went wrong is above" in shown
    kept = "".join(m["content"]["text"] for m in later if m["msg_type"] == "stream")
    assert kept.strip() == "wrong_value"  # the failure stays at hand, as data
