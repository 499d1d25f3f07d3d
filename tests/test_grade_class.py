"""Grade a class of notebook-01 submissions, honest and hostile, with nbutils-grade.

One temporary course, one run of the parallel grader over a class where,
beside honest solved and blank submissions, students hand in an infinite
loop, a loop that swallows KeyboardInterrupt, a syntax error, an exception in
the first cell, a file that is not a notebook, truncated JSON, a deleted and
an edited test cell, answer cells that patch the checks, numpy or the assert
helpers, a cell that exits the kernel, and megabytes of output. The short
cell timeout of the test course keeps the run under two minutes on 2 cores.
"""

from __future__ import annotations

import csv
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from harness import ROOT, answer_cells, cell_by_grade_id, isolated_env, nbgrader_meta, read

pytestmark = pytest.mark.slow
# the class is graded once: every test of it on one worker (tests/xdist_groups.py)
GROUP_BY_FIXTURE = "graded"
NAME = "01_neuron"
CELL_TIMEOUT = 4
POINTS = {"sigmoid_values": 3, "neuron_output_values": 2}
FULL = sum(POINTS.values())


def solved():
    nb = read(ROOT / "notebooks" / NAME / f"{NAME}.ipynb")
    src = read(ROOT / "solutions" / NAME / f"{NAME}.ipynb")
    for cell in answer_cells(nb):
        cell.source = cell_by_grade_id(src, nbgrader_meta(cell)["grade_id"]).source
    return nb


def blank():
    return read(ROOT / "notebooks" / NAME / f"{NAME}.ipynb")


def with_answer(grade_id, prefix="", suffix="", replace=None, base=None):
    nb = base or solved()
    cell = cell_by_grade_id(nb, grade_id)
    cell.source = prefix + (replace if replace is not None else cell.source) + suffix
    return nb


FAKE_SIGMOID = ("def sigmoid(z):\n    return np.zeros_like(np.asarray(z, dtype=float))\n\n"
                "def neuron_output(w, b, x):\n    return 0.0\n")
SWALLOW = ("while True:\n    try:\n        while True:\n            pass\n"
           "    except KeyboardInterrupt:\n        pass\n")


def with_cell_after(grade_id, source, base=None):
    """A code cell the student added after an answer cell."""
    nb = base or solved()
    at = nb.cells.index(cell_by_grade_id(nb, grade_id))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(source))
    return nb


def first_cell_raises():
    nb = solved()
    cell = nbformat.v4.new_code_cell("raise RuntimeError('oops, first cell')")
    nb.cells.insert(0, cell)
    return nb


def deleted_test_cell():
    nb = blank()
    nb.cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") != "sigmoid_values"]
    return nb


def edited_test_cell():
    nb = with_answer("sigmoid", replace=FAKE_SIGMOID, base=blank())
    cell_by_grade_id(nb, "sigmoid_values").source = "pass"
    cell_by_grade_id(nb, "neuron_output_values").source = "print('all good')"
    return nb


# student -> (notebook or raw text, expected score, expected outcome)
CLASS = {
    "honest_solved": (solved, FULL, "graded"),
    "honest_blank": (blank, 0, "graded"),
    "honest_half": (lambda: with_answer("neuron_output", replace=(
        "def neuron_output(w, b, x):\n    return sigmoid(np.dot(w, x))\n")), 3, "graded"),
    "infinite_loop": (lambda: with_answer("neuron_output", prefix="while True:\n    pass\n"),
                      3, "graded"),
    # nbgrader drops a notebook whose cell never stops or exits the kernel: that
    # cell is left out and the rest graded (the sigmoid's 3 points)
    "swallows_interrupt": (lambda: with_answer("neuron_output", prefix=SWALLOW), 3, "partial"),
    "syntax_error": (lambda: with_answer("neuron_output", suffix="\ndef oops(:\n"), 3,
                     "graded"),
    "first_cell_raises": (first_cell_raises, FULL, "graded"),
    "not_a_notebook": ("this is my homework, sorry it is a text file\n", 0, "failed"),
    "truncated_json": (lambda: nbformat.writes(solved())[:5000], 0, "failed"),
    "deleted_test_cell": (deleted_test_cell, 0, "graded"),
    "edited_test_cell": (edited_test_cell, 0, "graded"),
    "patches_checks": (lambda: with_answer("sigmoid", replace=FAKE_SIGMOID + (
        "checks.check_function = lambda *a, **k: None\n"
        "checks.check_value = lambda *a, **k: None\n"
        "np.all = lambda *a, **k: True\n"), base=blank()), 0, "graded"),
    "patches_compare": (lambda: with_answer("sigmoid", replace=FAKE_SIGMOID + (
        "import nbutils.checks as c\n"
        "c.compare = lambda *a, **k: None\n"
        "setattr(np, 'all', lambda *a, **k: True)\n"), base=blank()), 0, "graded"),
    "patches_numpy": (lambda: with_answer("sigmoid", suffix=(
        "\nnp.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"), base=solved()),
        FULL, "graded"),
    "exits_kernel": (lambda: with_answer("neuron_output", prefix="import os\nos._exit(1)\n"),
                     3, "partial"),
    "adds_a_cell_that_exits": (lambda: with_cell_after("sigmoid", "import os\nos._exit(0)\n"),
                               FULL, "partial"),
    "exits_twice": (lambda: with_cell_after("sigmoid", "import os\nos._exit(0)\n", base=with_answer(
        "neuron_output", prefix="import os\nos._exit(1)\n")), 3, "partial"),
    # the kernel exits inside a locked test cell, which calls the student's sigmoid
    "exits_in_a_test": (lambda: with_answer("sigmoid", suffix=(
        "\n_sigmoid = sigmoid\n\ndef sigmoid(z):\n    import os\n    os._exit(1)\n")),
        0, "failed"),
    # the test calls a neuron_output that never returns: the call is interrupted after
    # the cell timeout and that test fails; one that swallows the interrupt stops the
    # notebook in a locked test cell (zero, as when such a test ran in the kernel)
    "loops_when_called": (lambda: with_answer("neuron_output", replace=(
        "def neuron_output(w, b, x):\n    while True:\n        pass\n")), 3, "graded"),
    "swallows_when_called": (lambda: with_answer("neuron_output", replace=(
        "def neuron_output(w, b, x):\n" + "".join("    " + ln + "\n" for ln in
                                                   SWALLOW.splitlines()))), 0, "failed"),
    "prints_megabytes": (lambda: with_answer("sigmoid", suffix="\nprint('x' * 5_000_000)\n"),
                         FULL, "graded"),
}


def build_class(course: Path, students=CLASS) -> None:
    course.mkdir(parents=True, exist_ok=True)
    cfg = (ROOT / "nbgrader_config.py").read_text()
    cfg += f"\nc.ExecutePreprocessor.timeout = {CELL_TIMEOUT}\n"
    (course / "nbgrader_config.py").write_text(cfg)
    shutil.copytree(ROOT / "solutions" / NAME, course / "solutions" / NAME)
    for student, (make, _score, _outcome) in students.items():
        path = course / "submitted" / student / NAME / f"{NAME}.ipynb"
        path.parent.mkdir(parents=True)
        content = make if isinstance(make, str) else make()
        path.write_text(content if isinstance(content, str) else nbformat.writes(content))


def run_grader(course: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = isolated_env(course / ".env")
    return subprocess.run([sys.executable, "-m", "nbinstructor.grade", "--course-dir",
                           str(course), "--time-limit", "40", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("class") / "course"
    build_class(course)
    proc = run_grader(course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return course, proc


def test_every_student_gets_what_they_earned(graded):
    course, proc = graded
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert set(rows) == set(CLASS), "every student appears in grades.csv"
    for student, (_make, score, _outcome) in CLASS.items():
        assert float(rows[student]["max_score"]) == FULL
        assert float(rows[student]["score"]) == score, (student, proc.stdout)


def test_the_report_says_what_happened_to_whom(graded):
    course, proc = graded
    state = json.loads((course / "grading" / "state.json").read_text())
    for student, (_make, _score, outcome) in CLASS.items():
        r = state[f"{student}/{NAME}"]
        assert r["outcome"] == outcome, (student, r)
        line = next(ln for ln in proc.stdout.splitlines() if f" {student} " in ln)
        assert outcome in line
    reasons = {s: state[f"{s}/{NAME}"]["reason"] for s in CLASS}
    assert "KeyboardInterrupt" in reasons["swallows_interrupt"]
    assert "not a readable notebook" in reasons["not_a_notebook"]
    assert "not a readable notebook" in reasons["truncated_json"]
    assert "'neuron_output' was left out: it exited the kernel" in reasons["exits_kernel"]
    added = CLASS["adds_a_cell_that_exits"][0]()
    number = next(i for i, c in enumerate(added.cells, 1) if "os._exit(0)" in c.source)
    assert f"cell {number} (one you added) was left out" in reasons["adds_a_cell_that_exits"]
    assert reasons["exits_twice"].count("was left out") == 2
    assert "locked cell 'sigmoid_values'" in reasons["exits_in_a_test"]
    assert "locked cell 'neuron_output_values'" in reasons["swallows_when_called"]
    assert "checks.check_function" in reasons["patches_checks"]
    assert "c.compare" in reasons["patches_compare"]
    assert "np.isclose" in reasons["patches_numpy"]
    assert "changed no score" in reasons["patches_numpy"]  # named for review, never zeroed


def test_a_left_out_cell_is_left_out_of_a_copy_not_the_submission(graded):
    course, _ = graded
    submitted = read(course / "submitted" / "exits_kernel" / NAME / f"{NAME}.ipynb")
    assert "os._exit(1)" in cell_by_grade_id(submitted, "neuron_output").source
    for folder in ("grading/salvaged", "autograded"):
        nb = read(course / folder / "exits_kernel" / NAME / f"{NAME}.ipynb")
        source = cell_by_grade_id(nb, "neuron_output").source
        assert "os._exit(1)" not in source and "left this cell out" in source, folder
    page = (course / "feedback" / "exits_kernel" / NAME / f"{NAME}.html").read_text()
    assert f"{CLASS['exits_kernel'][1]} of {FULL} points" in page
    assert "was left out: it exited the kernel" in page
    # under "Your answers" the student sees the code they handed in, not the placeholder
    answers = page.split("<h2>Your answers</h2>")[1]
    assert "os._exit(1)" in answers and "as you handed it in" in answers
    assert "left this cell out" not in answers
    # the test that calls neuron_output failed because of that, and says so
    assert html.escape("hint: neuron_output was not defined because answer cell "
                       "'neuron_output' was left out when grading") in page


def test_the_gradebook_holds_every_result_and_the_cheats_own_score(graded):
    from nbgrader.api import Gradebook

    course, _ = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        subs = gb.assignment_submissions(NAME)
        assert sorted(s.student.id for s in subs) == sorted(CLASS)
        cheat = gb.find_submission(NAME, "patches_checks")
        # nbgrader's own score: the tests ran in the grader, which the patches never reached
        # (run in the kernel, as nbgrader alone runs them, they gave the cheat full marks)
        auto = sum(g.auto_score or 0 for nb in cheat.notebooks for g in nb.grades)
        assert auto == 0
        assert all(g.manual_score is None for nb in cheat.notebooks for g in nb.grades)
        assert cheat.score == 0


def test_feedback_hides_the_hidden_tests(graded):
    course, _ = graded
    src = read(ROOT / "solutions" / NAME / f"{NAME}.ipynb")
    hidden = []
    for cell in src.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            body = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            hidden += [ln.strip() for ln in body.splitlines() if len(ln.strip()) > 12]
    # a hidden line the student's own notebook also shows (a call like the visible
    # check's) gives nothing away; every other one must stay off the page
    shown = read(ROOT / "notebooks" / NAME / f"{NAME}.ipynb")
    visible = {ln.strip() for cell in shown.cells for ln in cell.source.splitlines()}
    hidden = [ln for ln in hidden if ln not in visible]
    assert hidden
    for student in CLASS:
        page = course / "feedback" / student / NAME / f"{NAME}.html"
        assert page.exists(), student
        text = page.read_text()
        for line in hidden:
            assert html.escape(line) not in text and line not in text, (student, line)
    half = (course / "feedback" / "honest_half" / NAME / f"{NAME}.html").read_text()
    assert "3 of 5 points" in half
    assert "this is f(w . x) without the bias" in half  # the check's own hint
    big = (course / "feedback" / "prints_megabytes" / NAME / f"{NAME}.html").stat().st_size
    assert big < 200_000


def test_summary_names_what_the_class_missed(graded):
    course, _ = graded
    md = (course / "grading" / "summary.md").read_text()
    assert "01_neuron: sigmoid_values" in md
    assert "not written yet" in md
    # the students whose neuron_output cell was left out (the partial ones that lost
    # points) are counted under that, apart from the syntax error's NameError
    left_out = sum(1 for _, score, outcome in CLASS.values()
                   if outcome == "partial" and score < FULL)
    assert left_out >= 2
    row = next(ln for ln in md.splitlines() if ln.startswith("| 01_neuron: neuron_output_values"))
    assert "neuron_output was not defined because answer cell 'neuron_output' was left out" \
        f" when grading (it stopped the kernel or never finished) ({left_out})" in row
    assert (course / "grading" / "summary.png").stat().st_size > 10_000


def test_regrading_one_student_changes_nothing_else(graded):
    course, _ = graded
    before = (course / "grades.csv").read_text()
    proc = run_grader(course, "--student", "honest_half")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 to grade" in proc.stdout
    assert (course / "grades.csv").read_text() == before
    again = run_grader(course)
    assert "0 to grade" in again.stdout


def test_an_interrupted_run_is_finished_by_the_next(tmp_path):
    import signal
    import time

    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    honest = {f"s{i}": (solved if i % 2 else blank, FULL if i % 2 else 0, "graded")
              for i in range(4)}
    build_class(course, honest)
    env = isolated_env(course / ".env")
    proc = subprocess.Popen([sys.executable, "-m", "nbinstructor.grade", "--course-dir",
                             str(course), "--jobs", "1"], cwd=course, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    state_path = course / "grading" / "state.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = json.loads(state_path.read_text()) if state_path.exists() else {}
        if any(r["outcome"] == "graded" for r in state.values()):
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "interrupted" in out
    done = [k for k, r in json.loads(state_path.read_text()).items() if r["outcome"] != "pending"]
    assert 1 <= len(done) < 4
    again = run_grader(course)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{4 - len(done)} to grade" in again.stdout
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert {s: float(r["score"]) for s, r in rows.items()} == {
        s: float(v[1]) for s, v in honest.items()}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert len(gb.assignment_submissions(NAME)) == 4
        assert len(gb.students) == 4


def test_a_cell_still_running_at_the_time_limit_is_left_out(tmp_path):
    """Killed at the wall-clock limit: the running cell is left out and the rest graded."""
    course = tmp_path / "course"
    build_class(course, {"slow": (lambda: with_answer("neuron_output", prefix=SWALLOW), 3,
                                  "partial")})
    # a cell time limit longer than the submission's, so only the wall clock stops it
    env = isolated_env(course / ".env")
    proc = subprocess.run([sys.executable, "-m", "nbinstructor.grade", "--course-dir",
                           str(course), "--time-limit", "12", "--cell-timeout", "600",
                           "--no-reports"], cwd=course, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = json.loads((course / "grading" / "state.json").read_text())[f"slow/{NAME}"]
    assert r["outcome"] == "partial", r
    assert r["score"] == 3
    assert "'neuron_output' was left out: it was still running when the submission reached " \
           "its 12 s limit" in r["reason"]


def test_grading_prints_no_warning_of_ours(graded):
    """The grader's output carries no warning an instructor cannot act on, and kernels
    talk over IPC, so ipykernel's plain-text TCP warning is not in any log either.
    (nbgrader's own SQLAlchemy warnings stay in its logs: they are not ours to fix.)"""
    course, proc = graded
    output = proc.stdout + proc.stderr
    assert "warning" not in output.lower(), output[-3000:]
    logs = [p for p in (course / "grading" / "logs").rglob("*") if p.is_file()]
    assert logs, "the grader wrote its logs"
    for path in logs:
        assert "without encryption" not in path.read_text(errors="replace"), path


def test_a_canvas_roster_gets_every_student_and_reports_the_stranger(graded):
    """make grade with the LMS's roster writes canvas.csv: everyone on the roster with
    their score, 0 for the one who handed nothing in, and the one graded but not on
    the roster named in the output and in canvas-not-on-roster.csv, never dropped."""
    course, _ = graded
    stranger, *enrolled = sorted(CLASS)
    roster = course / "canvas-export.csv"
    with open(roster, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"])
        writer.writerow(["    Points Possible", "", "", "", ""])
        for i, login in enumerate([*enrolled, "absent"]):
            writer.writerow([f"Student {i}", str(1000 + i), f"S{i}", login, "NN"])
    proc = run_grader(course, "--roster", str(roster))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "not on the roster" in proc.stdout and stranger in proc.stdout
    scores = {r["student_id"]: r["score"] for r in csv.DictReader(open(course / "grades.csv"))}
    rows = list(csv.reader(open(course / "canvas.csv")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", NAME]
    assert rows[1][0].strip() == "Points Possible" and float(rows[1][5]) == FULL
    got = {r[3]: float(r[5]) for r in rows[2:]}
    assert got == {**{s: float(scores[s]) for s in enrolled}, "absent": 0.0}
    strays = list(csv.DictReader(open(course / "canvas-not-on-roster.csv")))
    assert [r["student_id"] for r in strays] == [stranger]
