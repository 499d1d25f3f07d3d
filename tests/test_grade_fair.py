"""A fair class, graded by the real `make grade`: correct answers in every style
earn full marks, and a one-bug answer costs its own exercise only.

The class is built from the notebooks' own test tables (tests/test_nbNN_*.py):
students ``style_0`` .. ``style_2`` hand in every notebook with the k-th correct
answer of each exercise's RIGHT table in place of the solution; ``tutorial``
hands in the tutorials' own code wherever a table has it (labels starting
"tutorial"); and for every graded test cell one student hands in that
notebook with the first known wrong answer of its table, and must lose that
exercise's points and nothing else: not on the cells that build on it (the
course's version stands in there), not on other exercises.
"""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path

import nbformat
import pytest
from harness import (
    ROOT,
    answer_cells,
    assignments,
    cell_by_grade_id,
    graded_test_cells,
    isolated_env,
    nbgrader_meta,
    read,
    source_path,
    student_path,
)

pytestmark = pytest.mark.slow
# the class is graded once: every test of it on one worker (tests/xdist_groups.py)
GROUP_BY_FIXTURE = "graded"
STYLES = 3


def _tables(name: str):
    module = importlib.import_module(f"test_nb{name}")
    return module.ANSWERS, getattr(module, "RIGHT", {}), module.WRONG


def _points(name: str) -> dict[str, float]:
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"])
            for c in graded_test_cells(read(source_path(name)))}


def _notebook(name: str, replaced: dict[str, str]):
    """The student version of ``name`` solved, with ``replaced`` answer cells."""
    nb, src = read(student_path(name)), read(source_path(name))
    for cell in answer_cells(nb):
        gid = nbgrader_meta(cell)["grade_id"]
        cell.source = replaced.get(gid, cell_by_grade_id(src, gid).source)
    return nb


def _styled(name: str, pick) -> dict[str, str]:
    """Answer cell -> the source ``pick`` chooses from that exercise's correct answers."""
    answers, right, _ = _tables(name)
    chosen = {}
    for test_id, rights in right.items():
        source = pick(rights)
        if source is not None:
            chosen.setdefault(answers[test_id], source)
    return chosen


def fair_class() -> dict[str, dict[str, tuple[dict[str, str], dict[str, float]]]]:
    """student -> notebook -> (replaced answer cells, expected score of each test cell)."""
    students: dict = {}
    for name in assignments():
        full = _points(name)
        for k in range(STYLES):
            students.setdefault(f"style{k}", {})[name] = (
                _styled(name, lambda rs, k=k: rs[k % len(rs)].source), full)
        tutorial = _styled(name, lambda rs: next(
            (r.source for r in rs if r.label.startswith("tutorial")), None))
        students.setdefault("tutorial", {})[name] = (tutorial, full)
        answers, _, wrong = _tables(name)
        for test_id, wrongs in wrong.items():
            student = f"bug{name[:2]}{test_id.replace('_', '')}"
            students[student] = {name: ({answers[test_id]: wrongs[0].source},
                                        {**full, test_id: 0.0})}
    return students


def _wrong_label(name: str, test_id: str) -> str:
    return _tables(name)[2][test_id][0].label


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("fair") / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    students = fair_class()
    for name in assignments():
        nbformat.write(read(source_path(name)), _dest(course / "solutions", name))
    for student, notebooks in students.items():
        for name, (replaced, _) in notebooks.items():
            nbformat.write(_notebook(name, replaced), _dest(course / "submitted" / student, name))
    env = isolated_env(course / ".env")
    proc = subprocess.run(["make", "-s", "-C", str(ROOT), "grade",
                           f"GRADE_ARGS=--course-dir {course} --no-reports"],
                          env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return course, students, proc


def _dest(folder: Path, name: str) -> Path:
    path = folder / name / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _scores(course: Path, student: str, name: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(name, name, student)
        return {g.name: float(g.score) for g in sub.grades}


def test_the_class_has_three_correct_styles_of_every_exercise():
    for name in assignments():
        answers, right, _ = _tables(name)
        styles = {a: {r.source for t, rs in right.items() if answers[t] == a for r in rs}
                  for a in set(answers.values())}
        assert {a: len(s) for a, s in styles.items() if len(s) < STYLES} == {}, name


def test_every_correct_style_earns_full_marks(graded):
    course, students, proc = graded
    for student in [f"style{k}" for k in range(STYLES)] + ["tutorial"]:
        for name, (_, expected) in students[student].items():
            got = _scores(course, student, name)
            assert got == expected, (student, name, got, proc.stdout[-2000:])


def test_a_bug_costs_its_own_exercise_and_nothing_else(graded):
    course, students, proc = graded
    for student, notebooks in students.items():
        if not student.startswith("bug"):
            continue
        (name, (_, expected)), = notebooks.items()
        got = _scores(course, student, name)
        lost = sorted(t for t in expected if got[t] < _points(name)[t])
        bugged = next(t for t, v in expected.items() if v == 0.0)
        answer = _tables(name)[0][bugged]
        siblings = {t for t, a in _tables(name)[0].items() if a == answer}
        assert bugged in lost and set(lost) <= siblings, (
            f"{student} ({_wrong_label(name, bugged)!r} in {answer}) lost {lost}; "
            f"only {sorted(siblings)} may lose points")
