"""Grading a class on a real Dask cluster on loopback (``nbutils-grade --scheduler``).

A scheduler and two worker processes on 127.0.0.1 (``tools/dask-cluster``'s
settings), each with its own local directory; the class of test_grade_class
(broken and hostile submissions among the honest ones) and one submission that
takes down every worker that grades it. One worker is killed, with its nanny,
while the class is being graded. Every student must come back with the score
local grading gives (the table test_grade_class checks local grading against),
and nothing may be left running.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_support import free_port
from harness import ROOT, isolated_env
from test_grade_class import (
    CLASS,
    FAKE_SIGMOID,
    FULL,
    NAME,
    blank,
    build_class,
    solved,
    with_answer,
)

from nbinstructor import cluster, sandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cluster"),
              pytest.mark.skipif(sandbox.check() is not None,
                                 reason=f"no sandbox here: {sandbox.check()}")]

CRASH = "crashes_the_worker"
# Stands in for what no sandbox contains, a worker's machine going down: the worker
# process kills itself when it starts grading CRASH's submission (the nanny restarts it)
PRELOAD = f'''
import os, signal
from distributed.diagnostics.plugin import WorkerPlugin


class GoDown(WorkerPlugin):
    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and "{CRASH}" in str(key):
            os.kill(os.getpid(), signal.SIGKILL)


async def dask_setup(worker):
    await worker.plugin_add(GoDown(), name="go-down")
'''
# Right only where the kernel can read the course's solutions: what the sandbox hides
# on every worker, as it does in local grading (zero); full marks would mean a worker
# graded without it
PEEKS = """
import os as _os
try:
    open(_os.path.abspath('../../..') + '/solutions/01_neuron/01_neuron.ipynb').close()

    def sigmoid(z):
        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))

    def neuron_output(w, b, x):
        return sigmoid(np.dot(w, x) + b)
except OSError:
    pass
"""
STUDENTS = {**CLASS, CRASH: (solved, 0, "failed"),
            "peeks_at_the_course": (lambda: with_answer("sigmoid", replace=FAKE_SIGMOID + PEEKS,
                                                        base=blank()), 0, "graded")}


def _cluster_env(tmp: Path) -> dict:
    env = isolated_env(tmp / ".env")
    for line in (ROOT / "tools" / "dask-cluster").read_text().splitlines():
        if line.startswith("export DASK_"):  # the make target's scheduler settings
            name, value = line.removeprefix("export ").split("#")[0].strip().split("=")
            env[name] = value
    return env


def _dask(*args: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args], env=env,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # a worker and its nanny: one group


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    course = tmp / "course"
    build_class(course, STUDENTS)
    env = _cluster_env(tmp)
    (tmp / "go_down.py").write_text(PRELOAD)
    address = f"tcp://127.0.0.1:{free_port()}"
    procs = {"scheduler": _dask("scheduler", "--host", "127.0.0.1", "--port",
                                address.rsplit(":", 1)[1], "--dashboard-address",
                                "127.0.0.1:0", env=env, log=tmp / "scheduler.log")}
    for name in ("worker-1", "worker-2"):
        procs[name] = _dask("worker", address, "--name", name, "--nthreads", "1",
                            "--local-directory", str(tmp / name), "--preload",
                            "nbinstructor.cluster", "--preload", str(tmp / "go_down.py"),
                            env=env, log=tmp / f"{name}.log")
    try:
        deadline = time.monotonic() + 120
        while _count(address) < 2:
            assert time.monotonic() < deadline, (tmp / "worker-1.log").read_text()
            time.sleep(1)
        grader = subprocess.Popen([sys.executable, "-m", "nbinstructor.grade", "--course-dir",
                                   str(course), "--time-limit", "40", "--scheduler", address],
                                  cwd=course, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        lines, results, killed_after = [], 0, None
        for line in grader.stdout:
            lines.append(line)
            results += bool(re.match(r"[✓◐✗⏱] \[\d+/\d+\] ", line))  # one submission done
            if results == 3 and killed_after is None:  # mid-run: worker-1 and its nanny
                os.killpg(procs["worker-1"].pid, signal.SIGKILL)
                killed_after = results
        grader.wait(timeout=60)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
    return {"course": course, "code": grader.returncode, "output": "".join(lines),
            "tmp": tmp, "killed_after": killed_after, "results": results,
            "left": _left_running(tmp)}


def _left_running(tmp: Path, grace: float = 30) -> list[str]:
    """Processes of the cluster or of its sandboxes still running under ``tmp`` after
    ``grace`` seconds (a stopped nanny returns before its worker has ended)."""
    deadline = time.monotonic() + grace
    while (left := _running_under(tmp)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def _running_under(tmp: Path) -> list[str]:
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if str(tmp) in args or cwd.startswith(str(tmp)):
            left.append(f"{pid}: {args}")
    return left


def _count(address: str) -> int:
    """The workers the scheduler knows (0 while it is not up)."""
    from distributed import Client

    try:
        with Client(address, timeout=10) as client:
            return len(client.scheduler_info()["workers"])
    except OSError:
        return 0


def test_every_student_gets_what_local_grading_gives(graded):
    assert graded["code"] == 0, graded["output"]
    rows = {r["student_id"]: r for r in csv.DictReader(open(graded["course"] / "grades.csv"))}
    assert set(rows) == set(STUDENTS), "every student appears in grades.csv"
    for student, (_make, score, _outcome) in STUDENTS.items():
        assert float(rows[student]["max_score"]) == FULL
        assert float(rows[student]["score"]) == score, (student, graded["output"])


def test_every_worker_grades_in_the_sandbox(graded):
    assert "WITHOUT the sandbox" not in graded["output"]
    # the sandbox's keeper reports how each kernel ended; the worker sends the report back
    logs = graded["course"] / "grading" / "logs"
    for student, (_make, _score, outcome) in STUDENTS.items():
        if outcome == "graded":
            assert (logs / f"{student}__{NAME}.log.sandbox.json").exists(), student


def test_the_report_says_what_happened_to_whom(graded):
    state = json.loads((graded["course"] / "grading" / "state.json").read_text())
    for student, (_make, _score, outcome) in STUDENTS.items():
        assert state[f"{student}/{NAME}"]["outcome"] == outcome, (student, state)
    reason = state[f"{CRASH}/{NAME}"]["reason"]
    assert f"died during it {cluster.TRIES} times" in reason, reason


def test_the_killed_worker_cost_no_result(graded):
    assert graded["killed_after"] == 3, graded["output"]  # killed with most still to grade
    assert graded["results"] == len(STUDENTS), graded["output"]
    autograded = graded["course"] / "autograded"
    for student, (_make, _score, outcome) in STUDENTS.items():
        if outcome in ("graded", "partial"):
            assert list((autograded / student / NAME).glob("*.ipynb")), student


def test_feedback_is_written_by_the_coordinator(graded):
    page = graded["course"] / "feedback" / "honest_solved" / NAME / f"{NAME}.html"
    assert page.exists()


def test_nothing_is_left_running_or_behind(graded):
    assert graded["left"] == []
    # each submission's course is removed by the worker that graded it (the killed
    # worker's last one stays in its scratch space, which Dask clears when a worker
    # next starts on that local directory)
    assert not list((graded["tmp"] / "worker-2").rglob("grade-*/course"))
