"""Instructor tools for the course: release, navigation, grading, feedback, tamper report.

Nothing a student runs imports this package. Every tool works on the course
directory it is given (``--course``), or the working directory, as nbgrader's
own commands do: the folder that holds ``nbgrader_config.py``, ``solutions/``
and ``notebooks/``.
"""

import argparse
from pathlib import Path

SOURCE = "solutions"
RELEASE = "notebooks"


def course_root(path: Path | str | None = None) -> Path:
    """The course directory: ``path``, or the working directory; it must hold the config."""
    root = Path(path or Path.cwd()).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise SystemExit(f"{root} is not a course directory (no nbgrader_config.py there): "
                         "run from the course folder or pass --course DIR")
    return root


def add_course_option(parser: argparse.ArgumentParser) -> None:
    """``--course DIR`` (also spelled ``--course-dir``): default, the working directory."""
    parser.add_argument("--course", "--course-dir", dest="course_dir", type=Path, default=None,
                        metavar="DIR", help="the course directory, where nbgrader_config.py "
                        "is (default: the working directory)")


def assignments(root: Path) -> list[str]:
    """The assignments in course order: the ``NN_topic`` folders of solutions/."""
    src = Path(root) / SOURCE
    return sorted(
        p.name for p in src.iterdir()
        if p.is_dir() and p.name[:2].isdigit() and (p / f"{p.name}.ipynb").exists()
    )


def cell_source(cell: dict) -> str:
    """A notebook cell's source as one string (the JSON may hold a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_meta(cell: dict) -> dict:
    """A cell's nbgrader metadata (grade_id, solution, grade, locked, ...), or {}."""
    return cell.get("metadata", {}).get("nbgrader", {})
