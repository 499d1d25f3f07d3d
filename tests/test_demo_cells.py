"""Demonstration cells (tag ``demo``, nbinstructor/demo.py) never decide a grade.

Statically: a tagged cell is a plain code cell, the student version keeps it as
it is, and no name it binds is read by a cell that is not tagged. By running:
every graded cell of every notebook gives the same verdict and prints the same
(decimals aside) with the demonstrations skipped as with them run, for the
solution, the blank stub and every known wrong answer of the notebook tests. Against students: a
submission that tags its test, answer and setup cells gains nothing, from
``nbutils-grade`` or from nbgrader's own ``autograde``.
"""

from __future__ import annotations

import ast
import csv
import importlib
import re
import subprocess
import symtable
import sys
from pathlib import Path

import nbformat
import pytest
from harness import (
    ROOT,
    Kernel,
    answer_cells,
    assignments,
    cell_by_grade_id,
    filled_in,
    graded_test_cells,
    isolated_env,
    nbgrader_meta,
    read,
    source_path,
    student_path,
)
from test_course_files import _top_level_names  # the name finder: what a cell binds

from nbinstructor.demo import DEMO_TAG, NOT_RUN, demo_sources, is_tagged, skip_demos

ALL = assignments()
CELL_TIMEOUT = 300  # a demonstration trains hundreds of networks


# ------------------------------------------------------------- which cells


def demo_cells(nb) -> list:
    return [c for c in nb.cells if is_tagged(c)]


@pytest.mark.parametrize("name", ALL)
def test_demo_cells_are_plain_code_cells(name):
    tagged = demo_cells(read(source_path(name)))
    assert tagged, f"{name}: no demonstration cell tagged {DEMO_TAG!r}"
    for cell in tagged:
        assert cell.cell_type == "code", cell.id
        assert "nbgrader" not in cell.metadata, f"{cell.id}: an nbgrader cell is tagged"


@pytest.mark.parametrize("name", ALL)
def test_student_versions_keep_the_demo_cells_as_they_are(name):
    """Students still run them, and the grader knows them by their source."""
    source, student = read(source_path(name)), read(student_path(name))
    assert [c.id for c in demo_cells(student)] == [c.id for c in demo_cells(source)]
    assert demo_sources(student) == demo_sources(source)


# ------------------------------------------- nothing else reads what they bind


def _code(source: str) -> str:
    """A cell's source without IPython's magics and shell lines (not Python)."""
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                     for ln in source.splitlines())


COMPREHENSIONS = {"listcomp", "setcomp", "dictcomp", "genexpr"}  # run where they stand


def _function_globals(source: str) -> set[str]:
    """Globals the cell's functions, classes and lambdas read when called (comprehensions
    run in place: :func:`_mentions` sees them in order)."""
    found: set[str] = set()

    def walk(table, called_later: bool):
        for child in table.get_children():
            later = called_later or child.get_name() not in COMPREHENSIONS
            if later:
                found.update(s.get_name() for s in child.get_symbols()
                             if s.is_referenced() and (s.is_global() or s.is_free()))
            walk(child, later)

    walk(symtable.symtable(_code(source), "<cell>", "exec"), False)
    return found


def _mentions(node) -> set[str]:
    """Names a statement uses or binds, outside the bodies of the functions it defines."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return set()
    found = {node.id} if isinstance(node, ast.Name) else set()
    for child in ast.iter_child_nodes(node):
        found |= _mentions(child)
    return found


def _binds_first(stmt, name: str) -> bool:
    """The statement gives ``name`` a new value without reading the old one."""
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return (any(name in _mentions(t) for t in targets)
                and name not in _mentions(stmt.value))
    if isinstance(stmt, ast.For):
        return name in _mentions(stmt.target) and name not in _mentions(stmt.iter)
    if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
        return stmt.name == name
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name.split(".")[0]) == name for a in stmt.names)
    return False


def _reads(source: str, name: str, later: bool) -> bool:
    """Whether running a cell (``later``: after the demo cell) can read the value of
    ``name`` a demonstration cell left: before the cell binds it anew, or from a function
    (one defined earlier is called later)."""
    if name in _function_globals(source):
        return True
    if not later:
        return False
    for stmt in ast.parse(_code(source)).body:
        if _binds_first(stmt, name):
            return False
        if name in _mentions(stmt):
            return True
    return False


def test_the_read_finder_tells_reads_from_new_bindings():
    assert _reads("fig, ax = make()\nshow(fig)\n", "fig", later=True) is False
    assert _reads("for y in f(): print(y)\n", "y", later=True) is False
    assert _reads("print(y)\ny = 1\n", "y", later=True) is True
    assert _reads("y = y + 1\n", "y", later=True) is True
    assert _reads("del w\n", "w", later=True) is True
    assert _reads("def f(q):\n    y = q\n    return y\n", "y", later=True) is False
    assert _reads("def f(q):\n    return q * w\n", "w", later=False) is True
    assert _reads("z = [w for _ in range(2)]\n", "w", later=True) is True
    assert _reads("w = 1\nz = [w for _ in range(2)]\n", "w", later=True) is False
    assert _reads("g = lambda: w\n", "w", later=False) is True
    assert _reads("def f(x):\n    return [w for _ in x]\n", "w", later=False) is True
    assert _reads("print(w)\n", "w", later=False) is False


@pytest.mark.parametrize("name", ALL)
def test_no_other_cell_reads_what_a_demo_cell_binds(name):
    """So leaving a demonstration out cannot change what any other cell sees (hidden tests,
    setup and later answers included: the source notebook has them all)."""
    cells = [c for c in read(source_path(name)).cells if c.cell_type == "code"]
    found = []
    for i, demo in enumerate(cells):
        if not is_tagged(demo):
            continue
        for j, other in enumerate(cells):
            if is_tagged(other) or j == i:
                continue
            read_names = sorted(n for n in _top_level_names(demo.source)
                                if _reads(other.source, n, later=j > i))
            if read_names:
                found.append(f"{other.id} reads {read_names} of demo cell {demo.id}")
    assert found == []


# ------------------------------------------------------ skipping, in the grader


def _every_code_cell_tagged(nb):
    for cell in nb.cells:
        if cell.cell_type == "code" and not is_tagged(cell):
            cell.metadata.setdefault("tags", []).append(DEMO_TAG)
    return nb


@pytest.mark.parametrize("name", ALL)
def test_only_the_instructors_demo_cells_are_skipped(name):
    """A student who tags every cell of the notebook gets exactly the instructor's
    demonstration cells skipped: no test, hidden test, answer or setup cell."""
    trusted = demo_sources(read(source_path(name)))
    nb = _every_code_cell_tagged(read(student_path(name)))
    kept = {c.id: c.source for c in nb.cells}
    skip_demos(nb, trusted)
    skipped = sorted(c.id for c in nb.cells if c.source == NOT_RUN)
    assert skipped == sorted(c.id for c in demo_cells(read(source_path(name))))
    for cell in nb.cells:
        if nbgrader_meta(cell):
            assert cell.source == kept[cell.id], f"{cell.id} was changed"


def test_a_tag_without_the_instructors_source_skips_nothing():
    """A cell without nbgrader metadata is skipped only if the instructor tagged its source:
    a hidden test or setup cell whose metadata a student removed is still run."""
    source = read(source_path("06_xor"))
    trusted = demo_sources(source)
    stolen = [cell_by_grade_id(source, "setup"), *graded_test_cells(source)]
    cells = [nbformat.v4.new_code_cell(c.source, metadata={"tags": [DEMO_TAG]}) for c in stolen]
    nb = skip_demos(nbformat.v4.new_notebook(cells=cells), trusted)
    assert [c.source for c in nb.cells] == [c.source for c in stolen]


def test_a_cell_with_nbgrader_metadata_is_never_skipped():
    """Even with the tag and a demonstration's very source."""
    trusted = demo_sources(read(source_path("06_xor")))
    meta = {"tags": [DEMO_TAG], "nbgrader": {"grade": True, "grade_id": "x", "points": 1,
                                            "locked": True, "solution": False}}
    cells = [nbformat.v4.new_code_cell(src, metadata=meta) for src in sorted(trusted)]
    nb = skip_demos(nbformat.v4.new_notebook(cells=cells), trusted)
    assert [c.source for c in nb.cells] == sorted(trusted)


# --------------------------------------------- the same verdicts, skipped or run


def as_graded(nb, name: str):
    """A submission as nbgrader runs it: every locked cell is the source notebook's
    (hidden tests included), as nbgrader's OverwriteCells makes it."""
    source = read(source_path(name))
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("locked"):
            cell.source = cell_by_grade_id(source, meta["grade_id"]).source
    return nb


def _wrong_answers(name: str) -> dict[str, list[str]]:
    """answer cell grade_id -> the sources of its known wrong answers (tests/test_nbNN_*.py)."""
    module = importlib.import_module(f"test_nb{name}")
    wrong: dict[str, list[str]] = {}
    for test_id, cases in module.WRONG.items():
        wrong.setdefault(module.ANSWERS[test_id], []).extend(w.source for w in cases)
    return wrong


def _count_wrong(name: str) -> int:
    return max(len(v) for v in _wrong_answers(name).values())


def variant(name: str, kind: str):
    """The submission to grade: ``solution``, ``blank`` (the student version as released)
    or ``wrong<k>``: every answer cell its k-th known wrong answer (the solution if it has
    fewer), so that each wrong answer is in one variant."""
    if kind == "solution":
        return as_graded(filled_in(name), name)
    nb = read(student_path(name))
    if kind.startswith("wrong"):
        k, wrong, solution = int(kind[5:]), _wrong_answers(name), filled_in(name)
        for cell in answer_cells(nb):
            answers = wrong.get(nbgrader_meta(cell)["grade_id"], [])
            cell.source = (answers[k] if k < len(answers) else
                           cell_by_grade_id(solution, nbgrader_meta(cell)["grade_id"]).source)
    return as_graded(nb, name)


def verdicts(kernel: Kernel, nb) -> dict[str, tuple[bool, str]]:
    """Run ``nb``'s code cells in order in ``kernel``, after a reset of its namespace; for
    each graded test cell: (passed, what it printed)."""
    assert kernel.run("%reset -f").ok
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        run = kernel.run(cell.source)
        if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution"):
            found[nbgrader_meta(cell)["grade_id"]] = (run.ok, run.output)
    return found


# the variants of one notebook are on one xdist worker (tests/xdist_groups.py), and share
# its kernels
GROUP_BY_PARAM = "name"
# the graded course of the tagging attack: graded once, on one worker
GROUP_BY_FIXTURE = "attacked"


@pytest.fixture(scope="module")
def kernels():
    """name -> two kernels in the notebook's folder: one that never runs a demonstration and
    one that runs them all, so that whatever a demonstration leaves in the modules it imports
    stays on its own side from one variant to the next. One notebook's pair at a time."""
    pairs: dict[str, tuple[Kernel, Kernel]] = {}

    def close_all():
        for pair in pairs.values():
            for kernel in pair:
                kernel.close()
        pairs.clear()

    def get(name: str) -> tuple[Kernel, Kernel]:
        if name not in pairs:
            close_all()
            folder = source_path(name).parent
            pairs[name] = (Kernel(folder, CELL_TIMEOUT), Kernel(folder, CELL_TIMEOUT))
        return pairs[name]

    yield get
    close_all()


def _comparable(found: dict) -> dict:
    """Verdicts with their decimal numbers masked: a wrong answer that draws from an unseeded
    generator prints other numbers on every run, demonstrations or not."""
    return {k: (ok, re.sub(r"-?\d+\.\d+(e[-+]?\d+)?", "<number>", text))
            for k, (ok, text) in found.items()}


CASES = [(n, k) for n in ALL
         for k in ["solution", "blank", *(f"wrong{i}" for i in range(_count_wrong(n)))]]


@pytest.mark.slow
@pytest.mark.parametrize("name,kind", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_demo_cells_change_no_verdict(kernels, name, kind):
    skipping, running = kernels(name)
    nb = variant(name, kind)
    skipped = verdicts(skipping, skip_demos(nbformat.from_dict(nb),
                                            demo_sources(read(source_path(name)))))
    run = verdicts(running, nb)
    assert _comparable(skipped) == _comparable(run)
    passed = [ok for ok, _ in run.values()]
    if kind == "solution":
        assert all(passed), run
    else:  # a blank or wrong submission must lose points, or the comparison says little
        assert not all(passed), run


# --------------------------------------------------- a student who tags everything


NAME = "01_neuron"


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """A course graded by nbutils-grade: an honest solved submission, and blank and solved
    ones with every code cell (tests, hidden tests, answers, setup) tagged."""
    from test_grade_class import blank, build_class, run_grader, solved

    students = {"honest": (solved, None, None),
                "tags_all_blank": (lambda: _every_code_cell_tagged(blank()), None, None),
                "tags_all_solved": (lambda: _every_code_cell_tagged(solved()), None, None)}
    course = tmp_path_factory.mktemp("demo") / "course"
    build_class(course, students)
    proc = run_grader(course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return course


def _scores(course: Path) -> dict[str, float]:
    return {r["student_id"]: float(r["score"]) for r in csv.DictReader(open(course / "grades.csv"))}


def _autograded(course: Path, student: str):
    return read(course / "autograded" / student / NAME / f"{NAME}.ipynb")


@pytest.mark.slow
def test_tagging_the_test_cells_scores_nothing(attacked):
    from test_grade_class import FULL

    assert _scores(attacked) == {"honest": FULL, "tags_all_blank": 0.0, "tags_all_solved": FULL}


@pytest.mark.slow
def test_the_grader_skips_the_demo_cells_and_nothing_else(attacked):
    expected = sorted(c.id for c in demo_cells(read(source_path(NAME))))
    for student in ("honest", "tags_all_blank"):
        nb = _autograded(attacked, student)
        assert sorted(c.id for c in nb.cells if c.source == NOT_RUN) == expected, student
        assert all(not c.outputs for c in nb.cells if c.source == NOT_RUN)


@pytest.mark.slow
def test_nbgraders_own_autograde_skips_them_too(attacked):
    """``nbgrader autograde`` under the course's nbgrader_config.py, without our grader."""
    env = isolated_env(attacked / ".env-nbgrader")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", NAME, "--force",
                           "--student", "tags_all_blank"], cwd=attacked, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    nb = _autograded(attacked, "tags_all_blank")
    assert sorted(c.id for c in nb.cells if c.source == NOT_RUN) == sorted(
        c.id for c in demo_cells(read(source_path(NAME))))
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{attacked / 'gradebook.db'}") as gb:
        assert gb.find_submission(NAME, "tags_all_blank").score == 0.0


def test_both_graders_skip_the_demo_cells_before_running_any():
    """nbgrader_config.py puts SkipDemoCells before Execute for ``nbgrader autograde``;
    nbutils-grade, which swaps Execute for GradeOutside, keeps it there."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from nbinstructor.demo import SkipDemoCells
    from nbinstructor.grade import _grade_outside
    from nbinstructor.verdicts import GradeOutside

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    own = Autograde(config=config).autograde_preprocessors
    own = [importlib.import_module(p.rsplit(".", 1)[0]).__dict__[p.rsplit(".", 1)[1]]
           if isinstance(p, str) else p for p in own]
    assert own.index(SkipDemoCells) < own.index(Execute)
    _grade_outside(config)
    ours = config.Autograde.autograde_preprocessors
    assert ours.index(SkipDemoCells) < ours.index(GradeOutside) and Execute not in ours
