"""Grading on a Dask cluster: two workers against one, the same class, one run each.

A loopback cluster from ``tools/dask-cluster`` (its scheduler settings; a
scheduler and NN_DASK_WORKERS one-thread workers, each with its own local
directory) grades a generated class of ``BENCH_CLUSTER_STUDENTS`` (default 24)
submissions of notebook 01 (two of three solved, one blank), as
``nbutils-grade --scheduler`` does, once on one worker and once on two.
``dask_two_workers_vs_one`` is the one-worker run's wall time over the
two-worker run's (target >= 1.6 on this 2-core machine); the per-submission
figures say what one submission costs on a worker, which README's
arithmetic for 5,000 submissions starts from. Scores must be identical to
local grading's (``dask_scores_identical``). Needs root (the sandbox).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_grading import _env, _run, build_course, parallel, scores
from bench_hub import free_port

ROOT = Path(__file__).resolve().parents[1]
NAME = "01_neuron"
TARGETS = {"dask_two_workers_vs_one": (">=", 1.6), "dask_scores_identical": (">=", 1.0)}
UNITS = {"dask_one_worker_s": "s", "dask_two_workers_s": "s",
         "dask_seconds_per_submission_one_worker": "s"}
SPREAD: dict[str, tuple[float, float]] = {}
NOTES: dict[str, str] = {}


class Cluster:
    """tools/dask-cluster on a free port, until :meth:`stop`."""

    def __init__(self, workers: int, folder: Path, env: dict):
        self.port = free_port()
        env = dict(env, NN_DASK_PORT=str(self.port), NN_DASK_WORKERS=str(workers),
                   NN_DASK_DIR=str(folder), NN_DASK_BIN=str(Path(sys.executable).parent))
        self.proc = subprocess.Popen([str(ROOT / "tools" / "dask-cluster")], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.address = f"tcp://127.0.0.1:{self.port}"
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(self.address, timeout=5) as client:
                    if len(client.scheduler_info()["workers"]) == workers:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster of {workers} did not come up in 120 s")
            time.sleep(1)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=60)


def on_cluster(course: Path, workers: int, tmp: Path, env: dict) -> float:
    from nbinstructor import grade

    old = dict(os.environ)
    os.environ.update(env)
    try:  # untimed, as in bench_grading: the coordinator records the assignment
        grade.prepare(grade.Course(course), [NAME], log=lambda *_: None)
    finally:
        os.environ.clear()
        os.environ.update(old)
    cluster = Cluster(workers, tmp / f"cluster-{workers}", env)
    try:
        return _run([sys.executable, "-m", "nbinstructor.grade", "--course-dir", str(course),
                     "--force", "--no-export", "--no-reports", "--scheduler", cluster.address],
                    course, env)
    finally:
        cluster.stop()


def run() -> dict[str, float]:
    if os.geteuid() != 0:
        NOTES["dask_two_workers_vs_one"] = "not measured: the workers' sandbox needs root"
        return {"dask_two_workers_vs_one": float("nan")}
    students = int(os.environ.get("BENCH_CLUSTER_STUDENTS", "24"))
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as name:
        tmp = Path(name)
        env = _env(tmp)
        courses = {}
        for label in ("local", "one", "two"):
            courses[label] = tmp / label
            build_course(courses[label], [NAME], students)
        parallel(courses["local"], [NAME], env)  # the reference scores
        # each worker's own once-per-assignment preparation is part of each run
        one = on_cluster(courses["one"], 1, tmp, env)
        two = on_cluster(courses["two"], 2, tmp, env)
        same = scores(courses["local"]) == scores(courses["one"]) == scores(courses["two"])
        shutil.rmtree(tmp / "cluster-1", ignore_errors=True)
    return {"dask_two_workers_vs_one": one / two, "dask_one_worker_s": one,
            "dask_two_workers_s": two, "dask_seconds_per_submission_one_worker": one / students,
            "dask_scores_identical": float(same)}
