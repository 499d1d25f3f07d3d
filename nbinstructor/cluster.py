"""Grading a class on a Dask cluster (``nbutils-grade --scheduler tcp://HOST:PORT``).

Each submission becomes one Dask task. A worker unpacks it into a course of its
own (the course's nbgrader config, the assignment's source notebooks, the one
submission) and grades it there with the local grader, sandbox and all, in a
process of its own (``python -m nbinstructor.grade --jobs 1``: a Dask worker
has threads, and the grader forks). It sends back what that grading wrote: the
record of what happened (:class:`~nbinstructor.grade.Result`), the autograded
notebook, the log, and the gradebook's scores for the submission. The
coordinator alone writes: its gradebook (nbgrader's SQLite has one writer),
``autograded/``, ``grading/state.json``, and afterwards, as in local grading,
``grades.csv``, feedback and the summary.

A worker that dies mid-submission costs a try, not a result: the scheduler
gives the task to another worker. A submission that has killed
``allowed-failures`` workers (the scheduler's setting, ``tools/dask-cluster``
sets it to ``TRIES - 1``) comes back as ``KilledWorker``: it is scored zero,
reported, and the rest of the class goes on.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import warnings
from dataclasses import asdict
from pathlib import Path

TRIES = 3  # workers one submission may take down before it is reported as failed
# imported once by each worker's warm server (_warm_server), then by every grader forked
SERVER_MODULES = ("nbinstructor.grade", "nbinstructor.verdicts", "nbinstructor.warmkernel",
                  "nbgrader.apps.nbgraderapp", "nbgrader.converters.autograde",
                  "nbgrader.apps.generateassignmentapp", "numpy", "matplotlib.pyplot",
                  "nbutils")


def pack(course, r) -> bytes:
    """What a worker needs to grade ``r``: config, source notebooks, the submission."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel in ("nbgrader_config.py", f"solutions/{r.assignment}",
                    f"submitted/{r.student}/{r.assignment}"):
            if (course.root / rel).exists():
                tar.add(course.root / rel, arcname=rel,
                        filter=lambda t: None if "__pycache__" in t.name else t)
    return buf.getvalue()


def grade_on_worker(payload: bytes, student: str, assignment: str, options: list[str],
                    timeout: float) -> dict:
    """Runs on a Dask worker: grade one packed submission; what the coordinator needs."""
    from .grade import Course

    base = _local_directory()
    with tempfile.TemporaryDirectory(prefix="grade-", dir=base) as tmp:
        root = Path(tmp) / "course"
        root.mkdir()
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as tar:
            tar.extractall(root, filter="data")
        t0 = time.monotonic()
        _copy_prepared(root, assignment, base)
        argv = ["--course-dir", str(root), "--jobs", "1", "--no-export", "--no-reports",
                *options]
        code, output = _run_grader(argv, root, timeout)
        course = Course(root)
        state = json.loads(course.state_path.read_text()) if course.state_path.exists() else {}
        key = f"{student}/{assignment}"
        if key not in state:
            raise RuntimeError(f"the grader on {os.uname().nodename} wrote no result "
                               f"(exit {code}): {output[-3000:]}")
        files = {}
        for folder in (course.autograded / student / assignment, course.grading / "logs"):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file():
                    files[str(path.relative_to(root))] = path.read_bytes()
        return {"result": state[key], "files": files, "gradebook": _gradebook_rows(course,
                                                                                   student,
                                                                                   assignment),
                "worker": os.uname().nodename, "seconds": time.monotonic() - t0}


def _run_grader(argv: list[str], root: Path, timeout: float) -> tuple[int, str]:
    """``nbutils-grade argv`` for one submission; its exit code and output.

    Forked from a server process that has imported the grader once (multiprocessing's
    forkserver: a Dask worker has threads, a fork of it is not safe, and a new
    interpreter per submission spent some 5 s importing). A worker started as a
    daemon (Dask's default) may not have such children: then a new interpreter.
    """
    log = root / "grading-run.log"
    ctx = _warm_server()
    if ctx is None:
        with open(log, "w") as out:
            code = subprocess.run([sys.executable, "-m", "nbinstructor.grade", *argv],
                                  stdout=out, stderr=subprocess.STDOUT, cwd=root,
                                  timeout=timeout).returncode
        return code, log.read_text(errors="replace")
    proc = ctx.Process(target=_grade_main, args=(argv, str(root), str(log)))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        from .grade import _kill_tree

        _kill_tree(proc.pid)
        proc.join()
    return proc.exitcode, log.read_text(errors="replace") if log.exists() else ""


def _warm_server():
    """The multiprocessing context of this worker's warm server, started on first use
    with what grading imports (the grader, nbgrader, the kernel's and the course's
    modules, as local grading preloads them); None in a daemon worker, which may not
    have children of its own."""
    import multiprocessing
    from multiprocessing import forkserver

    if multiprocessing.current_process().daemon:
        return None
    from .warmkernel import KERNEL_MODULES

    ctx = multiprocessing.get_context("forkserver")
    # matplotlib reads MPLBACKEND when imported: as the kernels will have it
    os.environ.setdefault("MPLBACKEND", "Agg")
    ctx.set_forkserver_preload([*SERVER_MODULES, *KERNEL_MODULES])
    forkserver.ensure_running()
    return ctx


def dask_setup(worker) -> None:  # noqa: ARG001 - Dask's preload hook
    """``dask worker --preload nbinstructor.cluster``: the warm server starts with the
    worker, not with its first submission (some seconds of imports)."""
    _warm_server()


def _grade_main(argv: list[str], root: str, log: str) -> None:
    """In the forked child: the grader's command line, its output into ``log``."""
    from .grade import main

    os.chdir(root)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _copy_prepared(root: Path, assignment: str, base: str | None) -> None:
    """Give the course at ``root`` a gradebook that already records ``assignment``.

    ``nbgrader generate_assignment`` (:func:`nbinstructor.grade.prepare`) costs
    seconds; a worker does it once per version of the assignment, in a template
    course of its own, and copies the result into each submission's course.
    """
    import fcntl
    import hashlib

    h = hashlib.sha256((root / "nbgrader_config.py").read_bytes())
    for path in sorted((root / "solutions" / assignment).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode() + path.read_bytes())
    prepared = Path(base or tempfile.gettempdir()) / "prepared"
    template = prepared / f"{assignment}-{h.hexdigest()[:16]}"
    prepared.mkdir(parents=True, exist_ok=True)
    with open(f"{template}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the worker's other threads wait for the first
        if not (template / "grading" / "prepared.json").exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            shutil.copy(root / "nbgrader_config.py", template)
            shutil.copytree(root / "solutions", template / "solutions")
            _prepare(template, assignment)
    shutil.copy(template / "gradebook.db", root / "gradebook.db")
    shutil.copytree(template / "grading", root / "grading")


def _prepare(template: Path, assignment: str) -> None:
    """:func:`nbinstructor.grade.prepare` of ``assignment`` in the course ``template``,
    in a process forked from the warm server (or a new interpreter)."""
    ctx = _warm_server()
    if ctx is None:
        subprocess.run([sys.executable, "-c", "import sys; from nbinstructor.grade import "
                        "Course, prepare; prepare(Course(sys.argv[1]), [sys.argv[2]])",
                        str(template), assignment], check=True, capture_output=True,
                       cwd=template, timeout=600)
        return
    proc = ctx.Process(target=_prepare_main, args=(str(template), assignment))
    proc.start()
    proc.join(600)
    if proc.exitcode != 0:
        proc.kill()
        proc.join()
        raise RuntimeError(f"preparing {assignment} failed on {os.uname().nodename}: "
                           f"exit {proc.exitcode}")


def _prepare_main(template: str, assignment: str) -> None:
    from .grade import Course, prepare

    os.chdir(template)
    prepare(Course(Path(template)), [assignment], log=lambda *_: None)


def _local_directory() -> str | None:
    """The worker's ``--local-directory``, where its temporary courses go."""
    with contextlib.suppress(ImportError, ValueError):
        from distributed import get_worker

        return get_worker().local_directory
    return None


def _gradebook_rows(course, student: str, assignment: str) -> dict:
    """The submission's scores and comments as the worker's gradebook has them."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return {"grades": [], "comments": [], "timestamp": None}
        grades = [{"notebook": nb.name, "cell": g.name, "auto_score": g.auto_score,
                   "manual_score": g.manual_score, "needs_manual_grade": g.needs_manual_grade}
                  for nb in sub.notebooks for g in nb.grades]
        comments = [{"notebook": nb.name, "cell": c.name, "auto_comment": c.auto_comment}
                    for nb in sub.notebooks for c in nb.comments]
        stamp = sub.timestamp.isoformat() if sub.timestamp else None
        return {"grades": grades, "comments": comments, "timestamp": stamp}


def store(course, r, found: dict) -> None:
    """Write what a worker sent back into the coordinator's course and gradebook."""
    import datetime

    from nbgrader.api import Gradebook, MissingEntry

    shutil.rmtree(course.autograded / r.student / r.assignment, ignore_errors=True)
    for rel, data in found["files"].items():
        path = (course.root / rel).resolve()
        if course.root not in path.parents:  # only ever a path under the course
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    rows = found["gradebook"]
    with Gradebook(course.db_url) as gb, warnings.catch_warnings():
        # nbgrader's add_submission makes SQLAlchemy warn about its own autoflush
        warnings.simplefilter("ignore", category=Warning)
        gb.update_or_create_student(r.student)
        try:
            sub = gb.find_submission(r.assignment, r.student)
        except MissingEntry:
            sub = gb.add_submission(r.assignment, r.student)
        if rows["timestamp"]:
            sub.timestamp = datetime.datetime.fromisoformat(rows["timestamp"])
        for row in rows["grades"]:
            g = gb.find_grade(row["cell"], row["notebook"], r.assignment, r.student)
            g.auto_score, g.manual_score = row["auto_score"], row["manual_score"]
            g.needs_manual_grade = row["needs_manual_grade"]
        for row in rows["comments"]:
            c = gb.find_comment(row["cell"], row["notebook"], r.assignment, r.student)
            c.auto_comment = row["auto_comment"]
        gb.db.commit()


def worker_options(time_limit: float, cell_timeout: float | None, warm: bool,
                   limits) -> list[str]:
    """The local grader's command-line options that make a worker grade as we would."""
    options = ["--force", "--time-limit", f"{time_limit:g}"]
    if cell_timeout:
        options += ["--cell-timeout", f"{cell_timeout:g}"]
    if not warm:
        options.append("--cold-kernels")
    if limits is None:
        options.append("--no-sandbox")
    else:
        options += ["--memory", str(limits.memory), "--processes", str(limits.processes),
                    "--file-size", str(limits.file_size), "--disk", str(limits.disk),
                    "--cpu-time", str(limits.cpu_seconds)]
    return options


def run_cluster(course, todo: list, state: dict, scheduler: str, options: list[str],
                time_limit: float, out, live) -> None:
    """Grade ``todo`` on the cluster at ``scheduler``; ``state`` gets every result."""
    from distributed import Client, KilledWorker, as_completed

    from .grade import Progress, Result, _write_json, read_scores, record_zero

    with Client(scheduler, timeout=30) as client:
        workers = len(client.scheduler_info()["workers"])
        out.write(f"grading on the Dask cluster at {scheduler}: {workers} workers\n")
        progress = Progress(len(todo), max(1, workers), out, live)
        futures = {}
        for r in todo:
            future = client.submit(grade_on_worker, pack(course, r), r.student, r.assignment,
                                   options, time_limit + 120, pure=False,
                                   key=f"grade-{r.student}-{r.assignment}-{uuid.uuid4().hex[:8]}")
            futures[future] = r
            progress.started(r.key)
        for future in as_completed(list(futures)):
            r = futures.pop(future)
            try:
                found = future.result()
            except KilledWorker:
                found = None
                why = (f"the grading worker died during it {TRIES} times (a crash the "
                       "sandbox could not contain?): scored 0")
            except Exception as exc:  # noqa: BLE001 - reported, and the class goes on
                found = None
                why = f"could not be graded on the cluster ({exc!r:.300}): scored 0"
            # the result is here: a worker that dies from now on must not make the
            # scheduler grade it again (it recomputes results it holds that are lost)
            future.release()
            if found is None:
                r.outcome, r.reason = "failed", why
                record_zero(course, r)
                read_scores(course, r)
            else:
                store(course, r, found)
                r = Result(**{**found["result"], "digest": r.digest})
                read_scores(course, r)
            state[r.key] = r
            _write_json(course.state_path, {k: asdict(v) for k, v in state.items()})
            progress.finished(r)
        progress.message(f"graded {progress.done} submissions in "
                         f"{time.monotonic() - progress.start:.0f} s on {workers} workers")
