"""Instructor tools: release the student versions, navigation, grading."""

from pathlib import Path

# the repository root: where nbgrader_config.py, solutions/ and notebooks/ live
ROOT = Path(__file__).resolve().parents[2]
SOURCE = "solutions"
RELEASE = "notebooks"


def assignments(root: Path = ROOT) -> list[str]:
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
