"""What grading adds: one submission graded, against running only the cells grading needs.

For each notebook, ``BENCH_COST_SUBMISSIONS`` (default 3) solved submissions are
graded one after another (``nbutils-grade --jobs 1``, sandboxed, warm kernels,
the demonstration cells skipped), and the grader's own time for each (from its
state file: the sandbox, nbgrader's autograde, the kernel, the gradebook) is
set against the floor: the instructor's notebook with only its setup, answer and
test cells (every code cell but the demonstrations, the hidden tests included, as
autograde runs them), executed top to bottom in
a fresh kernel by nbclient, ``BENCH_COST_REPEATS`` (default 3) times.
``BENCH_COST_ASSIGNMENTS`` (comma-separated) restricts it to some notebooks.

``grading_cost_vs_graded_cells`` is the highest of the notebooks' ratios
(median grading time over median floor): issue 15's target is at most 1.5.
The one-off work of a grading run (the assignment recorded in the gradebook,
the grader's imports) is not in it; ``grading_cost_run_overhead_s`` says what
it was, spread over the submissions of this run.

Run alone: ``python benchmarks/run.py grading_cost``. Needs root (the sandbox).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_grading import _assignments, _env, answered_notebook, parallel

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"grading_cost_vs_graded_cells": ("<=", 1.5)}
UNITS = {"grading_cost_run_overhead_s": "s"}
SPREAD: dict[str, tuple[float, float]] = {}
NOTES: dict[str, str] = {}

FLOOR = """\
import sys, time, nbformat, nbclient
nb = nbformat.read(sys.argv[1], as_version=4)
t0 = time.perf_counter()
nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[2]}}).execute()
print(time.perf_counter() - t0)
"""


def graded_cells(name: str):
    """The instructor's notebook without its demonstration cells (the grader skips them):
    the setup, the solutions, the test cells with their hidden tests (as autograde runs
    them)."""
    import nbformat

    sys.path.insert(0, str(ROOT))
    from nbinstructor.demo import is_tagged

    nb = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code" and not is_tagged(c)]
    return nb


def floor(name: str, folder: Path, env: dict) -> float:
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(graded_cells(name), path)
    out = subprocess.run([sys.executable, "-c", FLOOR, str(path), str(folder)], env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def build(course: Path, name: str, submissions: int) -> None:
    import shutil

    import nbformat

    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / name, course / "solutions" / name)
    solved = nbformat.writes(answered_notebook(name))
    for i in range(submissions):
        path = course / "submitted" / f"student{i:03d}" / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(solved)


def run() -> dict[str, float]:
    if os.geteuid() != 0:
        NOTES["grading_cost_vs_graded_cells"] = "not measured: the sandbox needs root"
        return {"grading_cost_vs_graded_cells": float("nan")}
    submissions = int(os.environ.get("BENCH_COST_SUBMISSIONS", "3"))
    repeats = int(os.environ.get("BENCH_COST_REPEATS", "3"))
    out: dict[str, float] = {}
    overheads, worst, lines = [], 0.0, []
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as name:
        tmp = Path(name)
        env = _env(tmp / "env")
        only = os.environ.get("BENCH_COST_ASSIGNMENTS", "")  # e.g. "01_neuron,06_xor"
        for nb in [n for n in _assignments() if not only or n in only.split(",")]:
            course = tmp / nb
            build(course, nb, submissions)
            wall = parallel(course, [nb], env, "--jobs", "1")  # prepared untimed
            state = json.loads((course / "grading" / "state.json").read_text())
            graded = [r["seconds"] for r in state.values() if r["outcome"] == "graded"]
            if len(graded) != submissions:
                raise RuntimeError(f"{nb}: {len(graded)} of {submissions} solved "
                                   "submissions graded")
            floors = [floor(nb, tmp / f"floor-{nb}", env) for _ in range(repeats)]
            ratio = statistics.median(graded) / statistics.median(floors)
            key = f"grading_cost_vs_graded_cells_{nb}"
            out[key] = ratio
            SPREAD[key] = (min(graded) / max(floors), max(graded) / min(floors))
            overheads.append((wall - sum(graded)) / submissions)
            worst = max(worst, ratio)
            lines.append(f"{nb}: graded in {_s(graded)} s, its graded cells run in "
                         f"{_s(floors)} s")
            print(f"bench_grading_cost: {lines[-1]}", file=sys.stderr, flush=True)
    out["grading_cost_vs_graded_cells"] = worst
    out["grading_cost_run_overhead_s"] = statistics.median(overheads)
    NOTES["grading_cost_vs_graded_cells"] = (
        "the highest over the notebooks of the grader's seconds per solved submission "
        "(--jobs 1, sandboxed) over the seconds nbclient takes to run only the setup, "
        "answer and test cells in a fresh kernel; " + "; ".join(lines))
    return out


def _s(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    print(json.dumps({"results": run(), "spread": SPREAD, "notes": NOTES}, indent=1))
