"""How long the whole series takes to execute, against the floor of starting kernels.

``series_exec_ratio_vs_floor``: executing every solution notebook (a fresh
kernel each, with nbclient, as nbval and nbgrader's autograde do), divided by
(number of notebooks x executing an empty notebook: kernel start, one empty
cell, shutdown). 1.0 would mean the notebooks' own work costs nothing; the
target is <= 1.5. Wall time: the kernels are other processes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

RUNS = 3
ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"series_exec_ratio_vs_floor": ("<=", 1.5)}
SPREAD: dict[str, tuple[float, float]] = {}
UNITS = {"series_exec_s": "s", "empty_notebook_exec_s": "s"}
NOTES: dict[str, str] = {}


def solution_notebooks() -> list[Path]:
    from nbinstructor import assignments

    return [ROOT / "solutions" / name / f"{name}.ipynb" for name in assignments(ROOT)]


def execute(nb, cwd: Path) -> float:
    from nbclient import NotebookClient

    t0 = time.perf_counter()
    # the kernel's stderr only says it runs over TCP: keep the table readable
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run() -> dict[str, float]:
    import nbformat

    notebooks = solution_notebooks()
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as tmp:
        # the kernels keep their Jupyter, IPython and matplotlib state out of $HOME
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                    "IPYTHONDIR", "MPLCONFIGDIR"):
            os.environ[var] = str(Path(tmp) / var.lower())
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        try:
            floors, series, per_nb = [], [], {p.stem: [] for p in notebooks}
            setups = []  # for information: the imports every notebook starts with
            first = nbformat.read(notebooks[0], as_version=4)
            setup = nbformat.v4.new_notebook(cells=[next(
                c for c in first.cells if c.cell_type == "code" and "import" in c.source)])
            execute(nbformat.from_dict(empty), Path(tmp))  # warm the disk cache
            for _ in range(RUNS):
                floors.append(statistics.median(
                    execute(nbformat.from_dict(empty), Path(tmp)) for _ in range(3)))
                setups.append(execute(nbformat.from_dict(setup), notebooks[0].parent))
                total = 0.0
                for path in notebooks:
                    t = execute(nbformat.read(path, as_version=4), path.parent)
                    per_nb[path.stem].append(t)
                    total += t
                series.append(total)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    ratios = [s / (len(notebooks) * f) for s, f in zip(series, floors, strict=True)]
    results = {
        "series_exec_ratio_vs_floor": statistics.median(ratios),
        "series_exec_s": statistics.median(series),
        "empty_notebook_exec_s": statistics.median(floors),
    }
    results["setup_cell_notebook_exec_s"] = statistics.median(setups)
    SPREAD["setup_cell_notebook_exec_s"] = (min(setups), max(setups))
    UNITS["setup_cell_notebook_exec_s"] = "s"
    SPREAD["series_exec_ratio_vs_floor"] = (min(ratios), max(ratios))
    SPREAD["series_exec_s"] = (min(series), max(series))
    SPREAD["empty_notebook_exec_s"] = (min(floors), max(floors))
    for name, ts in per_nb.items():
        key = f"notebook_exec_s.{name}"
        results[key] = statistics.median(ts)
        SPREAD[key] = (min(ts), max(ts))
        UNITS[key] = "s"
    if results["series_exec_ratio_vs_floor"] > 1.5:
        slowest = max(per_nb, key=lambda k: results[f"notebook_exec_s.{k}"])
        NOTES["series_exec_ratio_vs_floor"] = (
            f"{len(notebooks)} notebooks take {results['series_exec_s']:.1f} s against a floor "
            f"of {results['empty_notebook_exec_s']:.2f} s each; the slowest is {slowest} "
            f"({results[f'notebook_exec_s.{slowest}']:.1f} s); a notebook holding only "
            f"notebook 01's setup cell (numpy, matplotlib, nbutils, ipywidgets imports) "
            f"takes {results['setup_cell_notebook_exec_s']:.2f} s")
    return results


if __name__ == "__main__":
    for k, v in run().items():
        print(f"{k:40s} {v:8.3f}  {SPREAD[k][0]:.3f}-{SPREAD[k][1]:.3f}")
    for k, v in NOTES.items():
        print("note:", k, v)
