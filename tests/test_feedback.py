"""nbinstructor.feedback reads what went wrong as data: the record a failed check leaves
in its cell (kind, hints), never the wording of its message. No kernel needed."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from nbinstructor import feedback
from nbinstructor.grade import Result
from nbutils import checks

NAME = "01_neuron"
HINT = "this is f(w . x) without the bias: add b before the sigmoid."


def failed_check(fn, cases, **kw) -> checks.CheckFailed:
    with pytest.raises(checks.CheckFailed) as failed:
        checks.check_function(fn, cases, quiet=True, **kw)
    return failed.value


def outputs_of(error: checks.CheckFailed) -> list[dict]:
    """A graded test cell's outputs, as the grader writes them (nbinstructor.verdicts)."""
    out = [{"output_type": "stream", "name": "stdout", "text": str(error) + "\n"},
           {"output_type": "error", "ename": "CheckFailed", "evalue": str(error),
            "traceback": [f"CheckFailed: {error}"]}]
    if error.record is not None:
        out.append({"output_type": "display_data", "metadata": {},
                    "data": {checks.RECORD_MIME: error.record}})
    return out


def test_the_record_of_a_failed_check_is_found_in_its_cell():
    error = failed_check(lambda w, b, x: 0.3, [checks.Case(((1.0,), 0.0, (1.0,)), 0.5)],
                         name="neuron_output")
    cell = {"cell_type": "code", "outputs": outputs_of(error)}
    assert feedback.check_record(cell) == error.record
    assert error.record["kind"] == "wrong_value"
    ok, text = feedback.cell_output(cell)
    assert not ok and text.count("✗ neuron_output") == 1  # the record adds no text
    plain = {"outputs": [{"output_type": "error", "ename": "NameError", "evalue": "x"}]}
    assert feedback.check_record(plain) is None


def graded_cell(record: dict | None, message: str, score=0.0, points=2.0) -> dict:
    return {"notebook": NAME, "id": "neuron_output_values", "score": score, "max": points,
            "message": message, **({} if record is None else {
                "kind": record["label"], "detail": record["detail"], "check": record["check"],
                "hints": record["hints"]})}


def result(student: str, *cells: dict) -> Result:
    return Result(student, NAME, outcome="graded", cells=list(cells))


def test_the_summary_counts_kinds_and_hints_not_words():
    """Two messages worded differently, with the same kind, count as one failure; the same
    words under another kind count apart; a hint counts as itself."""
    shape = checks.Failure("neuron_output", checks.Kind.WRONG_SHAPE).record()
    value = checks.Failure("neuron_output", checks.Kind.WRONG_VALUE).record()
    hinted = checks.Failure("neuron_output", checks.Kind.WRONG_VALUE, (HINT,)).record()
    results = [
        result("a", graded_cell(shape, "problem: expected shape (), got shape (2,).")),
        result("b", graded_cell(shape, "problem: the value is off by 0.2 (hint: none)")),
        result("c", graded_cell(value, "problem: expected shape (), got shape (2,).")),
        result("d", graded_cell(hinted, "problem: the value is off by 0.1")),
        result("e", graded_cell(hinted, "a reworded message that says shape and returned")),
        result("f", graded_cell(None, "NameError: name 'neuron_output' is not defined")),
        result("g", graded_cell(value, "", score=2.0)),  # full marks: no failure
    ]
    [row] = feedback.summarise(results)
    assert row["n"] == 7 and row["full"] == 1 and row["zero"] == 6
    assert dict(row["failures"]) == {
        "neuron_output: wrong shape": 2,
        "neuron_output: wrong value": 1,
        HINT: 2,
        feedback.signature("NameError: name 'neuron_output' is not defined"): 1,
    }


def test_a_raised_exception_counts_with_its_type():
    error = failed_check(lambda z: 1 / 0, [checks.Case((0.0,), 0.5)], name="sigmoid")
    cell = graded_cell(error.record, str(error))
    assert error.record["detail"] == "ZeroDivisionError"
    assert feedback.failure_label(cell) == "sigmoid: raised an exception (ZeroDivisionError)"


def course_with(tmp_path: Path, outputs: list[dict], hidden: str = "") -> SimpleNamespace:
    """A course folder holding one autograded notebook whose test cell has ``outputs``."""
    meta = {"nbgrader": {"grade": True, "solution": False, "grade_id": "neuron_output_values",
                         "points": 2}}
    test = {"cell_type": "code", "metadata": meta, "outputs": outputs, "execution_count": 1,
            "source": "exercise.check_neuron_output(neuron_output, [])\n" + hidden}
    nb = {"cells": [test], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    graded = tmp_path / "autograded" / "s" / NAME / f"{NAME}.ipynb"
    graded.parent.mkdir(parents=True)
    graded.write_text(json.dumps(nb))
    source = tmp_path / "source" / f"{NAME}.ipynb"
    source.parent.mkdir(parents=True)
    source.write_text(json.dumps(nb))
    return SimpleNamespace(autograded=tmp_path / "autograded", feedback=tmp_path / "feedback",
                           submitted=tmp_path / "submitted", source=lambda a: source,
                           release_copy=lambda a: tmp_path / "release" / f"{a}.ipynb")


def test_the_page_names_the_kind_and_withholds_hidden_tests(tmp_path):
    secret = "_secret_case = checks.Case(((3.0,), 1.0, (2.0,)), 0.9)"
    error = failed_check(lambda w, b, x: 0.3, [checks.Case(((1.0,), 0.0, (1.0,)), 0.5)],
                         name="neuron_output", hints=[checks.Hint(secret, lambda *a: True)])
    hidden = f"### BEGIN HIDDEN TESTS\n{secret}\n### END HIDDEN TESTS\n"
    course = course_with(tmp_path, outputs_of(error), hidden)
    r = result("s", {"notebook": NAME, "id": "neuron_output_values", "score": 0.0, "max": 2.0})
    r.score, r.max_score = 0.0, 2.0
    [page] = feedback.write_feedback(course, r)
    text = page.read_text()
    assert "what went wrong" in text and "wrong value" in text
    assert secret not in text and feedback.WITHHELD in text
    assert r.cells[0]["kind"] == "wrong value"
    assert r.cells[0]["hints"] == [feedback.WITHHELD]  # a hint quoting a hidden test too
