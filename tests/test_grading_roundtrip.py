"""The grading round trip with the real nbgrader, for every notebook.

Solutions pass every graded test and student versions fail every one
(nbgrader's Validator, not the CLI's exit code). A submission filled in with
the solution code gets full marks from `nbgrader autograde`, a blank one
gets zero, read back from the real gradebook and from `nbgrader export`.
"""

import csv
import shutil
import subprocess
import sys

import pytest
from harness import ROOT, assignments, filled_in, isolated_env, read, source_path, student_path

pytestmark = pytest.mark.slow
ALL = assignments()


@pytest.mark.parametrize("name", ALL)
def test_solution_passes_every_graded_test(name):
    from nbgrader.validator import Validator

    assert Validator(validate_all=True).validate(str(source_path(name))) == {}


@pytest.mark.parametrize("name", ALL)
def test_student_version_fails_every_graded_test(name):
    from nbgrader.validator import Validator

    assert Validator(invert=True).validate(str(student_path(name))) == {}



def nbgrader(course, *args):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          env=isolated_env(course / ".env"), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    return proc


@pytest.mark.parametrize("name", ALL)
def test_autograde_full_marks_and_zero(tmp_path, name):
    import nbformat
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / name, course / "solutions" / name)
    # with the gradebook this time: it records the assignment and its grade cells
    nbgrader(course, "generate_assignment", name, "--force")
    for student, nb in [("solved", filled_in(name)), ("blank", read(student_path(name)))]:
        path = course / "submitted" / student / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    nbgrader(course, "autograde", name)
    nbgrader(course, "export", "--to", str(course / "grades.csv"))

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        solved = gb.find_submission(name, "solved")
        blank = gb.find_submission(name, "blank")
        assert solved.max_score > 0
        assert solved.score == solved.max_score
        assert blank.score == 0
        max_score = solved.max_score
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))
            if r["assignment"] == name}
    assert float(rows["solved"]["score"]) == float(rows["solved"]["max_score"]) == max_score
    assert float(rows["blank"]["score"]) == 0.0
