"""Run every benchmark once and write benchmarks/results.json and results.md.

Usage: ``python benchmarks/run.py [name ...]`` (``make bench`` runs them all;
names pick modules, e.g. ``widgets trainers``).

Each ``benchmarks/bench_<name>.py`` exposes ``run() -> dict[str, float]``
(result name -> number). It may also define ``TARGETS`` (a result name, or a
prefix ending in ``.``, -> ``("<=" or ">=", value)``), ``SPREAD`` (name ->
(low, high), the range over the repeated runs, filled in by ``run``),
``UNITS`` (name -> unit) and ``NOTES`` (name -> a sentence printed under the
table, e.g. why a figure was not measured or a target not met).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The clock of the in-process figures. "cpu" (the default) is this process's
# CPU time: what one update costs, unchanged when other programs share the two
# cores. "wall" is elapsed time, right only on an otherwise idle machine.
CLOCK = os.environ.get("BENCH_CLOCK", "cpu")


def clock() -> float:
    """Seconds on the benchmark clock (see CLOCK)."""
    return time.process_time() if CLOCK == "cpu" else time.perf_counter()


def modules(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        found = [p for p in found if p.stem.removeprefix("bench_") in names]
    return found


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def target_for(name: str, targets: dict):
    if name in targets:
        return targets[name]
    for key, target in targets.items():
        if key.endswith(".") and name.startswith(key):
            return target
    return None


def verdict(value: float, target) -> str:
    if target is None:
        return ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    op, limit = target
    ok = value <= limit if op == "<=" else value >= limit
    return "ok" if ok else "MISSED"


def fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if value != 0 and abs(value) < 0.01:
        return f"{value:.2g}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    results: dict[str, float] = {}
    rows = []
    notes: list[str] = []
    started = time.monotonic()
    loadavg = os.getloadavg()
    print(f"load average {loadavg[0]:.1f} on {_cores()} cores; clock: {CLOCK}", flush=True)
    for path in modules(argv):
        print(f"== {path.stem} ...", flush=True)
        t0 = time.monotonic()
        try:
            module = load(path)
            values = module.run()
        except Exception:
            notes.append(f"{path.stem} failed:\n{traceback.format_exc()}")
            print(notes[-1], flush=True)
            continue
        targets = getattr(module, "TARGETS", {})
        spread = getattr(module, "SPREAD", {})
        units = getattr(module, "UNITS", {})
        for name, value in values.items():
            results[name] = None if value is None or math.isnan(value) else float(value)
            target = target_for(name, targets)
            lo_hi = spread.get(name)
            rows.append((name, value, units.get(name, ""),
                         f"{fmt(lo_hi[0])}-{fmt(lo_hi[1])}" if lo_hi else "",
                         f"{target[0]} {fmt(target[1])}" if target else "",
                         verdict(value, target)))
        notes += [f"{k}: {v}" for k, v in getattr(module, "NOTES", {}).items()]
        print(f"   {path.stem}: {time.monotonic() - t0:.0f} s", flush=True)

    merged = dict(results)
    if argv and (HERE / "results.json").exists():  # a partial run keeps the other figures
        merged = {**json.loads((HERE / "results.json").read_text()), **results}
    (HERE / "results.json").write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    header = ("result", "value", "unit", "spread (runs)", "target", "")
    shown = [(r[0], fmt(r[1]), *r[2:]) for r in rows]
    widths = [max(len(str(r[i])) for r in shown + [header]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
             "| " + " | ".join("-" * w for w in widths) + " |"]
    for cells in shown:
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths,
                                                                        strict=True)) + " |")
    missed = [r[0] for r in rows if r[5] in ("MISSED", "not measured")]
    summary = (f"{len(rows)} results; " + (f"targets missed or not measured: {', '.join(missed)}"
                                            if missed else "every target met"))
    md = [f"# Benchmark results ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
          f"Python {platform.python_version()} on {platform.machine()}, "
          f"{_cores()} cores, load average {loadavg[0]:.1f} at the start; in-process times are "
          f"{'CPU time of this process' if CLOCK == 'cpu' else 'wall time'} "
          "(BENCH_CLOCK=wall|cpu), notebook executions wall time. Each value is the median "
          "of several runs, the spread is the lowest and highest run.", "", *lines, "", summary]
    if notes:
        md += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    (HERE / "results.md").write_text("\n".join(md) + "\n")
    print()
    print("\n".join(lines))
    print()
    print(summary)
    for n in notes:
        print(f"note: {n}")
    print(f"\nwrote {HERE / 'results.json'} and results.md in "
          f"{time.monotonic() - started:.0f} s")
    return 0


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
