"""Demonstration cells: tagged in the source notebooks, not run when grading.

A demonstration cell (tag :data:`DEMO_TAG`) is there to be looked at: a
widget, a picture, a table, a long training shown for teaching. No graded test
cell and no later answer needs it (tests/test_demo_cells.py checks both), so
the grader leaves it out: notebook 06's demonstrations alone train over 600
networks. Students still run them; the student versions keep the tag.

:class:`SkipDemoCells` is the nbgrader preprocessor that does it, in the
autograde step before ``Execute`` (nbgrader_config.py; ``nbutils-grade``
keeps it). Submissions are untrusted and a student can tag any cell, so the tag
alone decides nothing: a cell is skipped only when it carries no nbgrader
metadata (nbgrader's sanitize step has just restored the metadata of every
cell it knows) and its source is exactly that of a tagged cell of the
instructor's notebook. Skipping any other cell of a student's is what the
student could do by deleting it; skipping a test, answer or setup cell never
happens.
"""

from __future__ import annotations

import os

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

DEMO_TAG = "demo"
NOT_RUN = f"# a demonstration (tag {DEMO_TAG!r}): not run when grading"


def is_tagged(cell) -> bool:
    return DEMO_TAG in cell.get("metadata", {}).get("tags", [])


def demo_sources(nb) -> set[str]:
    """The sources of the tagged code cells of a (trusted) notebook."""
    return {cell.source for cell in nb.cells
            if cell.cell_type == "code" and is_tagged(cell)
            and "nbgrader" not in cell.metadata}


def skips(cell, trusted: set[str]) -> bool:
    """Whether grading leaves this submitted cell out (module docstring)."""
    return (cell.cell_type == "code" and is_tagged(cell)
            and "nbgrader" not in cell.metadata and cell.source in trusted)


def skip_demos(nb, trusted: set[str]):
    """``nb`` with every cell :func:`skips` picks replaced by :data:`NOT_RUN`, no outputs."""
    for cell in nb.cells:
        if skips(cell, trusted):
            cell.source = NOT_RUN
            cell.outputs = []
            cell.execution_count = None
    return nb


class SkipDemoCells(NbGraderPreprocessor):
    """Leaves the instructor's demonstration cells of a submission out of autograding."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        return skip_demos(nb, self.trusted(info["assignment"], info["notebook"])), resources

    def trusted(self, assignment: str, notebook: str) -> set[str]:
        """The demonstration sources of the instructor's notebook (none if it is missing)."""
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", assignment)
        path = os.path.join(folder, f"{notebook}.ipynb")
        if not os.path.isfile(path):
            self.log.warning("no source notebook %s: every cell is run", path)
            return set()
        return demo_sources(nbformat.read(path, as_version=4))
