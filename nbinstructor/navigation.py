"""Navigation cells and the index of the series (``make nav``).

Every source notebook gets a "previous | index | next" cell at its top and
bottom (cells tagged ``navigation``, ids ``nav-top`` / ``nav-bottom``), and
``index.ipynb`` lists the whole series in solutions/ and notebooks/. The
title of a notebook is its first ``# `` heading. Run ``make nav`` then
``make release`` after adding or renaming a notebook; a test fails when
the committed cells are stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from . import RELEASE, SOURCE, add_course_option, assignments, course_root

TAG = "navigation"


def title(nb) -> str:
    """The notebook's title: its first level-one heading, without the ``# ``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown" or TAG in cell.metadata.get("tags", []):
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    raise ValueError("the notebook has no '# Title' heading")


def summary(nb) -> str:
    """One line on the notebook: the first sentence after its title."""
    for cell in nb.cells:
        if cell.cell_type != "markdown" or TAG in cell.metadata.get("tags", []):
            continue
        paragraph: list[str] = []
        for line in cell.source.splitlines():
            if line.startswith("#") or not line.strip():
                if paragraph:
                    break
                continue
            paragraph.append(line.strip())
        text = " ".join(paragraph)
        end = text.find(". ")
        return text if end < 0 else text[: end + 1]
    return ""


def _link(name: str, text: str, up: str = "../") -> str:
    """A link to notebook ``name`` from a notebook's folder (``up`` ""
    from the index, which sits beside the notebooks' folders)."""
    return f"[{text}]({up}{name}/{name}.ipynb)"


def nav_source(order: list[str], titles: dict[str, str], name: str) -> str:
    """The markdown of the navigation cell for notebook ``name``."""
    i = order.index(name)
    prev_ = _link(order[i - 1], f"← {titles[order[i - 1]]}") if i > 0 else "← (start)"
    next_ = (_link(order[i + 1], f"{titles[order[i + 1]]} →")
             if i + 1 < len(order) else "(end) →")
    return f"{prev_} | [Index](../index.ipynb) | {next_}"


def _nav_cell(cell_id: str, source: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = cell_id
    cell.metadata = {"tags": [TAG]}
    return cell


def with_navigation(nb, source: str):
    """``nb`` with its navigation cells replaced by fresh ones."""
    cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    nb.cells = [_nav_cell("nav-top", source)] + cells + [_nav_cell("nav-bottom", source)]
    return nb


def index_notebook(order: list[str], titles: dict[str, str], summaries: dict[str, str]):
    """The index of the series, as a notebook of one markdown cell."""
    lines = [
        "# Neural networks from scratch",
        "",
        "A neural network built from nothing but NumPy, one idea per notebook. "
        "Work through them in order: each one builds on the one before.",
        "",
    ]
    for n, name in enumerate(order, 1):
        lines.append(f"{n}. **{_link(name, titles[name], up='')}**: {summaries[name]}")
    lines += ["", "Run a notebook's cells from the top (Shift+Enter). Every exercise "
              "has a check right after it; the **Validate** button in the toolbar "
              "runs all of them."]
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_markdown_cell("\n".join(lines))
    cell.id = "index"
    nb.cells = [cell]
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                  "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    return nb


def build(root: Path) -> dict[Path, str]:
    """Every file navigation writes, path -> text, computed from solutions/."""
    root = Path(root)
    order = assignments(root)
    nbs = {name: nbformat.read(root / SOURCE / name / f"{name}.ipynb", as_version=4)
           for name in order}
    titles = {name: f"{name[:2]} · {title(nb)}" for name, nb in nbs.items()}
    summaries = {name: summary(nb) for name, nb in nbs.items()}
    out: dict[Path, str] = {}
    for name, nb in nbs.items():
        nb = with_navigation(nb, nav_source(order, titles, name))
        out[root / SOURCE / name / f"{name}.ipynb"] = nbformat.writes(nb) + "\n"
    index = nbformat.writes(index_notebook(order, titles, summaries)) + "\n"
    out[root / SOURCE / "index.ipynb"] = index
    out[root / RELEASE / "index.ipynb"] = index
    readme = root / "README.md"
    if readme.exists():
        out[readme] = readme_with_list(readme.read_text(), order, titles, summaries)
    return out


START, END = "<!-- notebooks:start -->", "<!-- notebooks:end -->"


def readme_with_list(text: str, order, titles, summaries) -> str:
    """README.md with its list of notebooks (between the markers) regenerated."""
    if START not in text or END not in text:
        return text
    items = [f"{n}. [{titles[name]}](notebooks/{name}/{name}.ipynb): {summaries[name]}"
             for n, name in enumerate(order, 1)]
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + START + "\n" + "\n".join(items) + "\n" + END + tail


def stale(root: Path) -> list[Path]:
    """The files whose navigation is out of date."""
    return [p for p, text in build(root).items()
            if not p.exists() or p.read_text() != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_course_option(parser)
    parser.add_argument("--check", action="store_true",
                        help="only report stale files; exit 1 if there are any")
    args = parser.parse_args(argv)
    args.course_dir = course_root(args.course_dir)
    if args.check:
        bad = stale(args.course_dir)
        for p in bad:
            print(f"stale: {p}")
        return 1 if bad else 0
    for path, text in build(args.course_dir).items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"updated {path.relative_to(args.course_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
