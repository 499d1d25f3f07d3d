"""The floor of benchmarks/bench_grading_cost.py: the cells grading cannot do without."""

import nbformat
import pytest
from harness import ROOT, bench_module

from nbinstructor import assignments
from nbinstructor.demo import is_tagged


def _bench():
    return bench_module("grading_cost")


@pytest.mark.parametrize("name", assignments(ROOT))
def test_the_floor_keeps_every_setup_answer_and_test_cell_and_no_demonstration(name):
    floor = _bench().graded_cells(name)
    source = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
    kept = [c.source for c in floor.cells]
    needed = [c.source for c in source.cells if c.cell_type == "code" and not is_tagged(c)]
    graded = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded and all(c.source in kept for c in graded)
    assert len(kept) == len(needed)
    assert not any(is_tagged(c) for c in floor.cells)
    # the answers are the instructor's solutions, the tests hold their hidden part
    answers = [c.source for c in floor.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and all("### BEGIN SOLUTION" in s for s in answers)
    assert any("BEGIN HIDDEN TESTS" in s for s in kept)
