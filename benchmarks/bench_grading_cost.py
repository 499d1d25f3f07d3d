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
import sys
import tempfile
from pathlib import Path

from bench_grading import _assignments, _env, build_course, execute, parallel

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"grading_cost_vs_graded_cells": ("<=", 1.5)}
UNITS = {"grading_cost_run_overhead_s": "s"}
SPREAD: dict[str, tuple[float, float]] = {}
NOTES: dict[str, str] = {}


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
            build_course(course, [nb], submissions, blanks=False)
            wall = parallel(course, [nb], env, "--jobs", "1")  # prepared untimed
            state = json.loads((course / "grading" / "state.json").read_text())
            graded = [r["seconds"] for r in state.values() if r["outcome"] == "graded"]
            if len(graded) != submissions:
                raise RuntimeError(f"{nb}: {len(graded)} of {submissions} solved "
                                   "submissions graded")
            floors = [execute(graded_cells(nb), tmp / f"floor-{nb}", env)
                      for _ in range(repeats)]
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
