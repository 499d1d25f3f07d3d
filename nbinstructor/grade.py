"""Grade a whole class with nbgrader, on every core (``make grade``, ``nbutils-grade``).

nbgrader stays the engine: every submission under ``submitted/<student>/<assignment>/``
is graded by nbgrader's own ``autograde`` (same config, same gradebook, same
scores as ``nbgrader autograde <assignment>`` run one after another), and
``grades.csv`` is written by ``nbgrader export``. What this adds:

- one autograde per submission, ``--jobs`` at a time (default: two per core,
  because an autograde spends part of its time waiting for its kernel), each
  forked from a process that has already imported nbgrader (no 3-10 s of
  imports per submission), each kernel forked warm from a process that has
  already imported what the notebook imports (:mod:`.warmkernel`, about 1 s
  less per submission), and each with a wall-clock limit: a submission that
  runs over is killed with its kernel;
- a live progress line (done / total, elapsed, time left) and one line per
  submission saying what happened to it (graded, partial, timed out, failed
  and why);
- a cell that exits the kernel or never stops makes nbgrader drop the whole
  notebook: the cell that was running (:class:`CellTracker`) is left out of a
  copy of the submission (``grading/salvaged/``, the student's file is not
  touched) and the copy is graded again, so the rest of the notebook earns its
  marks (outcome "partial"; a locked test cell that stops the kernel, or a
  fourth such cell, still means zero);
- submissions nbgrader cannot grade (not a notebook, truncated JSON) still get
  a zero in the gradebook, so every student appears in grades.csv;
- graded test cells run in this process, not in the student's kernel
  (:mod:`nbinstructor.verdicts`): nothing an answer cell does decides a
  verdict. Answer cells that reach into what the tests use (patched checks,
  NumPy, builtins) are still found (:mod:`nbinstructor.tamper`) and named in
  the report, for review; they score nothing by themselves;
- feedback for each student (``feedback/<student>/<assignment>/<nb>.html``,
  nbgrader's layout, so ``nbgrader release_feedback`` returns it) without the
  hidden tests' source, and a class summary (``grading/summary.{md,html,png}``);
- a record of what was graded (``grading/state.json``): re-running grades only
  new or changed submissions, and an interrupted run is finished by the next.

Usage: ``nbutils-grade [--student ID] [--assignment ID] [--jobs N] [--force]``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import add_course_option, assignments, canvas, cell_source, course_root, nbgrader_meta

NO_SANDBOX_WARNING = ("⚠ grading WITHOUT the sandbox (--no-sandbox): student code runs with "
                      "your rights and can read the hidden tests and change the gradebook")
GRADING = "grading"  # reports and state, beside submitted/ and autograded/
SALVAGED = f"{GRADING}/salvaged"  # copies of submissions with a cell left out
MAX_LEFT_OUT = 3  # cells left out of one submission before it scores zero


@dataclass
class Result:
    """What happened to one submission (one student, one assignment)."""

    student: str
    assignment: str
    outcome: str = "pending"  # graded | partial | timed out | failed | pending
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    digest: str = ""
    cells: list = field(default_factory=list)  # per graded cell: id, score, max, ok, message
    tampering: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # cells not run: notebook, cell, why
    limits: list = field(default_factory=list)  # sandbox limits hit, in plain words

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"


# ---------------------------------------------------------------- the course


class Course:
    """Paths of an nbgrader course whose root holds nbgrader_config.py."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.submitted = self.root / "submitted"
        self.autograded = self.root / "autograded"
        self.feedback = self.root / "feedback"
        self.grading = self.root / GRADING
        self.db_path = self.root / "gradebook.db"
        self.state_path = self.grading / "state.json"

    @property
    def db_url(self) -> str:
        # a busy timeout: parallel autogrades wait for each other's writes
        return f"sqlite:///{self.db_path}?timeout=120"

    def log_stem(self, r: Result) -> Path:
        """grading/logs/<student>__<assignment>: its .log, and .cell.json (CellTracker)."""
        return self.grading / "logs" / f"{r.student}__{r.assignment}"

    def source(self, assignment: str) -> Path:
        return self.root / "solutions" / assignment / f"{assignment}.ipynb"

    def release_copy(self, assignment: str) -> Path:
        return self.grading / "release" / assignment / f"{assignment}.ipynb"

    def submissions(self, students=None, assignment_ids=None) -> list[tuple[str, str]]:
        """(student, assignment) pairs found under submitted/, in a stable order."""
        known = set(assignments(self.root))
        pairs = []
        if not self.submitted.is_dir():
            return pairs
        for sdir in sorted(p for p in self.submitted.iterdir() if p.is_dir()):
            if students and sdir.name not in students:
                continue
            for adir in sorted(p for p in sdir.iterdir() if p.is_dir()):
                if adir.name not in known:
                    continue
                if assignment_ids and adir.name not in assignment_ids:
                    continue
                pairs.append((sdir.name, adir.name))
        return pairs

    def digest(self, student: str, assignment: str) -> str:
        h = hashlib.sha256()
        folder = self.submitted / student / assignment
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
        src = self.source(assignment)
        if src.exists():
            h.update(src.read_bytes())
        return h.hexdigest()

    def env(self) -> dict:
        env = dict(os.environ)
        # nbgrader runs `alembic` by name: this interpreter's bin comes first
        env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        env.setdefault("MPLBACKEND", "Agg")
        return env


def prepare(course: Course, assignment_ids: list[str], log=print) -> None:
    """Record each assignment and its grade cells in the gradebook.

    ``nbgrader generate_assignment`` does that; its student version goes to
    grading/release/ so notebooks/ is never touched. Skipped when the source
    notebook has not changed since the last time.
    """
    stamps_path = course.grading / "prepared.json"
    stamps = _load_json(stamps_path, {})
    for a in assignment_ids:
        digest = hashlib.sha256(course.source(a).read_bytes()).hexdigest()
        if (stamps.get(a) == digest and course.db_path.exists()
                and course.release_copy(a).exists()):
            continue
        log(f"  recording {a} in the gradebook (nbgrader generate_assignment)")
        code, log_text = nbgrader_fork(course, "generate_assignment", a, "--force",
                                       "--CourseDirectory.release_directory="
                                       + str(course.grading / "release"))
        if code != 0:
            raise RuntimeError(f"nbgrader generate_assignment {a} failed:\n{log_text}")
        stamps[a] = digest
        _write_json(stamps_path, stamps)


# ------------------------------------------------------------- the workers


def _preload() -> None:
    """Import what an autograde needs once, so that every fork starts warm."""
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import nbgrader.apps.nbgraderapp  # noqa: F401
    import nbgrader.converters.autograde  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401
    import zmq  # noqa: F401
    from nbformat import v4, validator

    from . import verdicts  # noqa: F401 - and with it NumPy, for the tests the grader runs

    # nbformat compiles its notebook schema on first use: once here, not in every worker
    # (nbconvert validates relaxed; jsonschema's validator is the one that reports errors)
    for relaxed in (False, True):
        validator.get_validator(4, v4.nbformat_minor, relax_add_props=relaxed)
        validator.get_validator(4, v4.nbformat_minor, relax_add_props=relaxed,
                                name="jsonschema")


def _autograde_argv(course: Course, student: str, assignment: str,
                    cell_timeout: float | None, salvaged: bool = False) -> list[str]:
    argv = ["autograde", assignment, "--student", student, "--force"]
    if salvaged:  # the copy with a cell left out (leave_out), not the student's file
        argv.append(f"--CourseDirectory.submitted_directory={SALVAGED}")
    if cell_timeout:
        argv.append(f"--ExecutePreprocessor.timeout={int(cell_timeout)}")
    return argv


def _child(course: Course, argv: list[str], log_path: Path, warm: bool = False,
           cells_path: Path | None = None, setup=None,
           switched_off: dict[str, str] | None = None) -> None:
    """Runs in the forked child: one nbgrader command, then exit with its code.

    ``warm``: fork a spare kernel first (while this process has no threads) and
    have nbgrader's Execute preprocessor start its kernel from it
    (:mod:`nbinstructor.warmkernel`). ``cells_path``: note there which
    cell the kernel is running (:class:`CellTracker`). ``setup``: a
    :class:`nbinstructor.sandbox.Setup`: every kernel runs sandboxed.
    ``switched_off``: nbutils folder -> its copy with the assignment's references
    switched off; without a sandbox to mount it, the kernels import it first.
    """
    code = 1
    try:
        os.setsid()
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(course.env())
        os.chdir(course.root)
        argv = [*argv, f"--CourseDirectory.db_url={course.db_url}"]
        manager = None
        if setup is None and switched_off:
            from . import warmkernel

            first = os.path.dirname(next(iter(switched_off.values())))
            os.environ[warmkernel.FIRST_ON_PATH] = first  # warm kernels
            os.environ["PYTHONPATH"] = os.pathsep.join(  # cold ones
                filter(None, [first, os.environ.get("PYTHONPATH")]))
        if setup is not None:
            from . import sandbox

            sandbox.private_run_dir(setup.run_dir)
            os.environ[sandbox.ENV_VAR] = setup.to_json()
            manager = "SandboxKernelManager"
        if warm:
            from . import warmkernel

            if warmkernel.fork_spare() is not None:
                manager = manager or "WarmKernelManager"
        if manager:
            argv.append(f"--Execute.kernel_manager_class=nbinstructor.warmkernel.{manager}")
        sys.argv = ["nbgrader", *argv]
        from jupyter_core.application import NoStart
        from jupyter_core.utils import ensure_event_loop
        from nbgrader.apps.nbgraderapp import NbGraderApp

        try:  # NbGraderApp.launch_instance(argv), with a hook set between the steps
            ensure_event_loop()
            app = NbGraderApp.instance()
            with contextlib.suppress(NoStart):
                app.initialize(argv)
                if cells_path is not None and app.subapp is not None:
                    app.subapp.config.Execute.on_cell_execute = CellTracker(cells_path)
                if argv[0] == "autograde" and app.subapp is not None:
                    _grade_outside(app.subapp.config)
                app.start()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if warm:
            warmkernel.discard_spare()
    except BaseException:  # noqa: B036 - anything at all: report it in the log
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _grade_outside(config) -> None:
    """nbgrader's autograde with :class:`nbinstructor.verdicts.GradeOutside` for ``Execute``:
    the graded test cells run in the grader, out of the student's reach. The rest of
    the configured list stays (nbgrader_config.py's :class:`nbinstructor.demo.SkipDemoCells`)."""
    import importlib

    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    from .verdicts import GradeOutside

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    configured = config.Autograde.get("autograde_preprocessors", default)
    if hasattr(configured, "get_value"):  # traitlets' lazy prepend/append to the default
        configured = configured.get_value(default)
    classes = [getattr(importlib.import_module(p.rpartition(".")[0]), p.rpartition(".")[2])
               if isinstance(p, str) else p for p in configured]
    config.Autograde.autograde_preprocessors = [GradeOutside if p is Execute else p
                                                for p in classes]


class CellTracker:
    """nbclient's ``on_cell_execute`` hook: writes down which cell the kernel is running.

    When a cell exits the kernel or never stops, nbgrader gives up on the whole
    notebook without saying which cell it was; this file says it, so that the
    cell can be left out and the rest graded (:func:`leave_out`).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __call__(self, cell=None, cell_index=None, **_):
        meta = cell.metadata.get("nbgrader", {})
        _write_json(self.path, {"index": cell_index, "id": cell.get("id"),
                                "grade_id": meta.get("grade_id"),
                                "locked": bool(meta.get("locked")),
                                "sha": hashlib.sha256(cell.source.encode()).hexdigest()})


def nbgrader_fork(course: Course, *argv: str, timeout: float = 900) -> tuple[int, str]:
    """Run one nbgrader command in a warm fork (no imports to wait for): (code, log)."""
    _preload()
    logs = course.grading / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"nbgrader-{argv[0]}.log"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(course, list(argv), log_path)
    t0 = time.monotonic()
    while True:
        waited, status = os.waitpid(pid, os.WNOHANG)
        if waited:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() - t0 > timeout:
            _kill_tree(pid)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            code = -9
            break
        time.sleep(0.05)
    return code, log_path.read_text(errors="replace") if log_path.exists() else ""


def _kill_tree(pid: int) -> None:
    """Kill a worker, its kernel (which runs in a session of its own) and all below."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = proc.children(recursive=True) + [proc]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    psutil.wait_procs(procs, timeout=5)


_DEAD_KERNEL = r"DeadKernelError|Kernel died|kernel died"
# in a failed autograde, a cell timeout means the interrupt did not stop it
_UNSTOPPABLE = r"could not interrupt|UnresponsiveKernel|CellTimeoutError|A cell timed out"
_REASONS = [
    (r"NotJSONError|JSONDecodeError|Notebook does not appear to be JSON|Unreadable Notebook"
     r"|not valid JSON|Expecting (value|property name)|Unterminated string",
     "the file is not a readable notebook (not JSON, or truncated)"),
    (r"ValidationError|is not valid under any of the given schemas",
     "the file is not a valid notebook"),
    (_DEAD_KERNEL,
     "the kernel exited or crashed while running the notebook (exit(), os._exit, "
     "or out of memory)"),
    (_UNSTOPPABLE,
     "a cell kept running after it was interrupted (a loop that catches "
     "KeyboardInterrupt?)"),
    (r"No notebooks were matched|did not match any notebooks|No such file",
     "no notebook with the expected name was found in the submission"),
]


def explain_failure(log_text: str) -> str:
    """A plain reason for a failed autograde, from nbgrader's log."""
    for pattern, reason in _REASONS:
        if re.search(pattern, log_text):
            return reason
    lines = [ln for ln in log_text.splitlines() if "Error" in ln or "error" in ln]
    return ("nbgrader could not grade it: " + lines[-1].strip()[:200]) if lines else \
        "nbgrader could not grade it"


# --------------------------------------------------------- the gradebook


def read_scores(course: Course, result: Result) -> None:
    """Fill ``result`` with the gradebook's scores for its submission."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gb:
        try:
            sub = gb.find_submission(result.assignment, result.student)
        except MissingEntry:
            result.score, result.cells = 0.0, []
            result.max_score = gb.find_assignment(result.assignment).max_score
            return
        result.score, result.max_score = float(sub.score), float(sub.max_score)
        cells = []
        for nb in sub.notebooks:
            for g in nb.grades:
                cells.append({"notebook": nb.name, "id": g.name, "score": float(g.score),
                              "max": float(g.max_score),
                              "auto": None if g.auto_score is None else float(g.auto_score)})
        result.cells = cells


def record_zero(course: Course, result: Result) -> None:
    """Give a submission nbgrader could not grade zero in the real gradebook
    (created when missing), so that the student appears in grades.csv."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gb:
        gb.update_or_create_student(result.student)
        try:
            sub = gb.find_submission(result.assignment, result.student)
        except MissingEntry:
            sub = gb.add_submission(result.assignment, result.student)
        for nb in sub.notebooks:
            for g in nb.grades:
                g.auto_score, g.manual_score = 0.0, None
                g.needs_manual_grade = False
        gb.db.commit()


def clear_our_zero(course: Course, result: Result) -> None:
    """Undo a manual zero this tool set earlier (the submission changed)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gb:
        try:
            sub = gb.find_submission(result.assignment, result.student)
        except MissingEntry:
            return
        for nb in sub.notebooks:
            for g in nb.grades:
                if g.manual_score == 0.0:
                    g.manual_score = None
        gb.db.commit()


def ensure_students(course: Course, students: list[str]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        for s in students:
            gb.update_or_create_student(s)


# ---------------------------------------------------------------- progress


class Progress:
    """One line per finished submission and a live status line (on a terminal)."""

    SYMBOL = {"graded": "✓", "partial": "◐", "timed out": "⏱", "failed": "✗"}

    def __init__(self, total: int, jobs: int, stream=None, live: bool | None = None):
        self.total, self.jobs, self.done = total, jobs, 0
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() if live is None else live
        self.start = time.monotonic()
        self.durations: list[float] = []
        self.running: dict[str, float] = {}

    def eta(self) -> float | None:
        if not self.durations:
            return None
        mean = sum(self.durations) / len(self.durations)
        left = self.total - self.done
        in_flight = sum(max(0.0, mean - (time.monotonic() - t)) for t in self.running.values())
        waiting = left - len(self.running)
        return (in_flight + waiting * mean) / max(1, self.jobs) if left else 0.0

    def status(self) -> str:
        eta = self.eta()
        left = "estimating" if eta is None else f"~{_clock(eta)} left"
        return (f"[{self.done}/{self.total}] {_clock(time.monotonic() - self.start)} elapsed, "
                f"{left}, {len(self.running)} running")

    def _clear(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K")

    def tick(self) -> None:
        if self.live:
            self._clear()
            self.stream.write(self.status())
            self.stream.flush()

    def started(self, key: str) -> None:
        self.running[key] = time.monotonic()
        self.tick()

    def finished(self, r: Result) -> None:
        self.running.pop(r.key, None)
        self.done += 1
        self.durations.append(r.seconds)
        self._clear()
        mark = self.SYMBOL.get(r.outcome, "?")
        line = (f"{mark} [{self.done}/{self.total}] {r.student:<14} {r.assignment:<18} "
                f"{r.outcome:<10} {r.score:g}/{r.max_score:g}  ({r.seconds:.1f} s)")
        if r.reason:
            line += f"  {r.reason}"
        self.stream.write(line + "\n")
        if not self.live:
            self.stream.write("   " + self.status() + "\n")
        self.stream.flush()
        self.tick()

    def message(self, text: str) -> None:
        self._clear()
        self.stream.write(text + "\n")
        self.stream.flush()
        self.tick()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


# ------------------------------------------------------------------ grading


def grade(course_dir: Path, students=None, assignment_ids=None, jobs: int | None = None,
          force: bool = False, time_limit: float = 900.0, cell_timeout: float | None = None,
          export: bool = True, reports: bool = True, stream=None,
          live: bool | None = None, warm: bool = True, sandboxed: bool = True,
          limits=None, scheduler: str | None = None) -> dict[str, Result]:
    """Grade every submission (or the selected ones); returns the results by key.

    Already graded, unchanged submissions are skipped unless ``force``.
    ``warm``: start each kernel from a fork that has already imported what the
    notebooks import (:mod:`nbinstructor.warmkernel`); False launches
    every kernel as plain nbgrader does. ``sandboxed``: every kernel runs in
    :mod:`nbinstructor.sandbox` with ``limits`` (default: :class:`Limits`,
    CPU time in step with ``time_limit``); refused with
    :class:`~nbinstructor.sandbox.SandboxError` where the machine cannot.
    ``scheduler``: grade on that Dask cluster (:mod:`nbinstructor.cluster`); its
    workers build the sandbox, this machine only writes the results.
    """
    from . import sandbox

    if sandboxed:
        # on a cluster the workers build the sandbox (and refuse to grade without it)
        why = sandbox.check() if scheduler is None else None
        if why:
            raise sandbox.SandboxError(why)
        limits = limits or sandbox.Limits(cpu_seconds=int(time_limit))
    else:
        limits = None
    course = Course(course_dir)
    out = stream or sys.stdout

    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    if limits is None:
        say(NO_SANDBOX_WARNING)

    course.grading.mkdir(parents=True, exist_ok=True)
    (course.grading / "logs").mkdir(exist_ok=True)
    pairs = course.submissions(students, assignment_ids)
    known = set(assignments(course.root))
    if course.submitted.is_dir():
        for folder in sorted(course.submitted.glob("*/*")):
            if folder.is_dir() and folder.name not in known:
                say(f"  skipped {folder.relative_to(course.root)}: no assignment "
                    f"{folder.name!r} in solutions/")
    if not pairs:
        say("nothing to grade: no submissions under "
            f"{course.submitted} (layout submitted/<student>/<assignment>/<nb>.ipynb)")
        return {}
    state = {k: Result(**v) for k, v in _load_json(course.state_path, {}).items()}
    todo: list[Result] = []
    for student, assignment in pairs:
        r = Result(student, assignment, digest=course.digest(student, assignment))
        old = state.get(r.key)
        # "tampering": zeroed by an older version of this grader, graded again now
        if (not force and old is not None and old.digest == r.digest
                and old.outcome not in ("pending", "tampering")):
            continue
        todo.append(r)
    say(f"{len(pairs)} submissions, {len(todo)} to grade "
        f"({len(pairs) - len(todo)} already graded and unchanged)")
    if todo:
        prepare(course, sorted({r.assignment for r in todo}), log=say)
        ensure_students(course, sorted({r.student for r in todo}))
        if scheduler:
            from . import cluster

            options = cluster.worker_options(time_limit, cell_timeout, warm, limits)
            cluster.run_cluster(course, todo, state, scheduler, options, time_limit, out, live)
        else:
            jobs = max(1, jobs or default_jobs())
            run_pool(course, todo, state, jobs, time_limit, cell_timeout, out, live, warm,
                     limits)
    results = {r.key: state[r.key] for r in (Result(s, a) for s, a in pairs)
               if r.key in state}
    if export:
        code, log_text = nbgrader_fork(course, "export", "--to",
                                       str(course.root / "grades.csv"))
        if code != 0:
            say(f"✗ nbgrader export failed:\n{log_text}")
        else:
            say(f"grades: {course.root / 'grades.csv'} (nbgrader export)")
    if reports:
        from . import feedback as fb

        for r in results.values():
            fb.write_feedback(course, r)
        paths = fb.write_summary(course, list(state.values()))
        say(f"feedback: {course.feedback}/<student>/<assignment>/ "
            "(return it with `nbgrader release_feedback <assignment>`)")
        say("summary: " + ", ".join(str(p) for p in paths))
    print_report(results, say)
    return results


def switched_off_references(course: Course, assignment: str) -> dict[str, str]:
    """The sandbox's ``replace``: over ``nbutils``, a copy in which the references of the
    assignment's exercises raise (:func:`nbinstructor.verdicts.switched_off_copy`)."""
    import importlib.util

    from . import verdicts

    spec = importlib.util.find_spec("nbutils")
    if spec is None or not spec.submodule_search_locations:
        return {}
    package = Path(list(spec.submodule_search_locations)[0])
    copy = verdicts.switched_off_copy(package, verdicts.exercises(course.source(assignment)),
                                      course.grading / "references")
    return {str(package): str(copy)}


def default_jobs() -> int:
    """Two autogrades per core: each waits for its kernel part of the time.

    Measured here (2 cores, 20 submissions of notebook 01, warm kernels):
    2 jobs took 24-30 s, 4 jobs 19-22 s, 6 jobs 19-22 s.
    """
    return 2 * (os.cpu_count() or 1)


def run_pool(course: Course, todo: list[Result], state: dict, jobs: int, time_limit: float,
             cell_timeout: float | None, out, live, warm: bool = True,
             limits=None) -> None:
    from . import tamper

    _preload()
    readonly = None
    if limits is not None:
        from . import sandbox

        readonly = sandbox.readonly_paths(course.root)
        files = _matplotlib_cache()
        uids, uid_locks = sandbox.claim_uids(jobs)  # noqa: F841 - held for the whole run
    switched_off = {a: switched_off_references(course, a)
                    for a in sorted({r.assignment for r in todo})}
    if warm:
        from . import warmkernel

        modules = []
        for a in sorted({r.assignment for r in todo}):
            modules += warmkernel.setup_imports(course.source(a))
        warmkernel.preload(modules, log=lambda text: out.write(text + "\n"))
    gc.freeze()  # the preloaded modules: never garbage, so no collection in a worker walks them
    progress = Progress(len(todo), jobs, out, live)
    pending = list(todo)
    running: dict[int, tuple[Result, float, Path, int]] = {}
    free_slots = list(range(jobs))
    interrupted = False

    # Ctrl-C and SIGTERM only set a flag, which the loop checks between steps:
    # a KeyboardInterrupt raised by the signal itself can land inside logging's
    # lock release, where Python ignores it ("Exception ignored in
    # _releaseLock") and the run went on as if never interrupted.
    stop_requested: list[int] = []

    def stop(signum, frame):  # noqa: ARG001
        stop_requested.append(signum)

    old_term = signal.signal(signal.SIGTERM, stop)
    old_int = signal.signal(signal.SIGINT, stop)
    try:
        while pending or running:
            if stop_requested:
                raise KeyboardInterrupt
            while pending and len(running) < jobs:
                r = pending.pop(0)
                stem = course.log_stem(r)
                log_path = stem.with_suffix(".log") if not r.left_out else \
                    Path(f"{stem}.{len(r.left_out)}-left-out.log")
                if not r.left_out:  # its first run
                    r.tampering = _scan(course, r, tamper)
                    old = state.get(r.key)
                    if old is not None and old.outcome == "tampering":  # zeroed by an older grader
                        clear_our_zero(course, r)
                    state[r.key] = Result(**{**asdict(r), "outcome": "pending"})
                    _write_json(course.state_path, {k: asdict(v) for k, v in state.items()})
                    progress.started(r.key)
                argv = _autograde_argv(course, r.student, r.assignment, cell_timeout,
                                       salvaged=bool(r.left_out))
                slot = free_slots.pop(0)
                setup = None
                if limits is not None:  # one uid per slot: the process limit is per sandbox
                    setup = sandbox.Setup(readonly=readonly, limits=limits,
                                          run_dir=sandbox.run_dir(uids[slot]),
                                          uid=uids[slot], files=files,
                                          status_path=f"{log_path}.sandbox.json",
                                          replace=switched_off[r.assignment])
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(setup.status_path)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:  # the child never returns
                    _child(course, argv, log_path, warm, Path(f"{stem}.cell.json"), setup,
                           switched_off[r.assignment])
                running[pid] = (r, time.monotonic(), log_path, slot)
            time.sleep(0.05)
            now = time.monotonic()
            for pid, (r, t0, log_path, slot) in list(running.items()):
                waited, status = os.waitpid(pid, os.WNOHANG)
                if waited == 0 and now - t0 <= time_limit:
                    continue
                if waited == 0:  # over the wall-clock limit: kill it and its kernel
                    _kill_tree(pid)
                    with contextlib.suppress(ChildProcessError):
                        os.waitpid(pid, 0)
                    r.outcome = "timed out"
                    r.reason = (f"still running after {time_limit:g} s (an endless loop "
                                "that ignores interrupts?): killed, scored 0")
                    code = None
                else:
                    code = os.waitstatus_to_exitcode(status)
                del running[pid]
                if limits is not None:  # nothing of this sandbox outlives the submission
                    sandbox.wait_gone(uids[slot])
                free_slots.append(slot)
                r.seconds += time.monotonic() - t0
                cells_path = Path(f"{course.log_stem(r)}.cell.json")
                if finish(course, r, code, log_path, cells_path, time_limit, limits):
                    pending.insert(0, r)  # graded again at once, without that cell
                    continue
                state[r.key] = r
                _write_json(course.state_path, {k: asdict(v) for k, v in state.items()})
                progress.finished(r)
            progress.tick()
    except KeyboardInterrupt:
        interrupted = True
        progress.message("interrupted: stopping the running autogrades; "
                         "run the same command again to finish")
        for pid in list(running):
            _kill_tree(pid)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        raise
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
        if not interrupted:
            progress.message(f"graded {progress.done} submissions in "
                             f"{_clock(time.monotonic() - progress.start)} on {jobs} workers")


def _matplotlib_cache() -> dict[str, str]:
    """matplotlib's font list, copied into each sandbox (else every kernel rebuilds it)."""
    import matplotlib

    cache = Path(matplotlib.get_cachedir())
    return {str(p): f"/tmp/.matplotlib/{p.name}" for p in cache.glob("fontlist-*.json")}


def _scan(course: Course, r: Result, tamper) -> list[str]:
    findings = []
    for nb in sorted((course.submitted / r.student / r.assignment).glob("*.ipynb")):
        src = course.root / "solutions" / r.assignment / nb.name
        if src.exists():
            findings += tamper.scan_notebook(nb, src)
    return findings


def tampering_note(findings: list[str]) -> str:
    shown = "; ".join(findings[:3]) + (f"; and {len(findings) - 3} more"
                                        if len(findings) > 3 else "")
    return f"for review: answer cells reach into what the tests use ({shown}); " \
        "the tests ran outside the kernel, so this changed no score"


def finish(course: Course, r: Result, code: int | None, log_path: Path,
           cells_path: Path | None = None, time_limit: float = 0.0, limits=None) -> bool:
    """Classify a finished autograde and make the gradebook say so.

    Returns True when the submission is to be graded again with one cell
    left out (:func:`leave_out`): the cell that exited the kernel or never
    stopped, which made nbgrader drop the whole notebook.
    """
    log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
    graded_nbs = list((course.autograded / r.student / r.assignment).glob("*.ipynb"))
    if code is not None:
        if code == 0 and graded_nbs:
            r.outcome, r.reason = "graded", ""
        else:
            r.outcome = "failed"
            r.reason = explain_failure(log_text) + ": scored 0"
    why = _why_stopped(r, log_text, time_limit, _sandbox_end(log_path, limits))
    if why and cells_path is not None and leave_out(course, r, cells_path, why):
        r.outcome, r.reason = "pending", ""
        return True
    if r.outcome == "graded" and r.left_out:
        r.outcome = "partial"
        r.reason = "; ".join(f"{c['cell']} was left out: {c['why']}" for c in r.left_out) \
            + "; the rest of the notebook was graded"
    if r.outcome in ("graded", "partial") and r.tampering:
        # a report for the instructor, never a score: the tests ran in the grader
        # (nbinstructor.verdicts), where nothing an answer cell does can reach them
        r.reason = "; ".join(filter(None, [r.reason, tampering_note(r.tampering)]))
    elif r.outcome in ("failed", "timed out"):
        if r.left_out:
            r.reason += "; left out before that: " + "; ".join(
                f"{c['cell']} ({c['why']})" for c in r.left_out)
        if r.tampering:
            r.reason += "; also tampering: " + "; ".join(r.tampering[:3])
        record_zero(course, r)
    read_scores(course, r)
    if limits is not None and r.outcome in ("graded", "partial"):
        notes = limit_notes(course, r, limits)
        r.limits = notes
        if notes:
            r.reason = "; ".join(filter(None, [r.reason, *notes]))
    return False


def _sandbox_end(log_path: Path, limits) -> str | None:
    """The limit the sandbox's keeper saw the kernel killed for, in plain words."""
    status = _load_json(f"{log_path}.sandbox.json", None)
    if limits is None or not status or not status.get("limit"):
        return None
    return limits.describe().get(status["limit"])


# an error a sandbox limit raises inside a cell -> the limit's name
_LIMIT_ERRORS = [
    (lambda n, v: n == "MemoryError", "memory"),
    (lambda n, v: "[Errno 27]" in v or "File too large" in v, "file_size"),
    (lambda n, v: "[Errno 28]" in v or "No space left" in v, "disk"),
    (lambda n, v: "[Errno 11]" in v or "can't start new thread" in v, "processes"),
]


def limit_notes(course: Course, r: Result, limits) -> list[str]:
    """'used more than 2 GiB of memory in answer cell 'train'', for each limit a cell hit."""
    words = limits.describe()
    notes = []
    for path in sorted((course.autograded / r.student / r.assignment).glob("*.ipynb")):
        nb = _load_json(path, {})
        for i, cell in enumerate(nb.get("cells", []), 1):
            for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
                if out.get("output_type") != "error":
                    continue
                name, value = out.get("ename", ""), str(out.get("evalue", ""))
                for test, limit in _LIMIT_ERRORS:
                    if test(name, value):
                        gid = nbgrader_meta(cell).get("grade_id")
                        where = f"cell {gid!r}" if gid else f"cell {i}"
                        notes.append(f"{words[limit]} in {where}")
                        break
    return list(dict.fromkeys(notes))


# a failed autograde that stopped in one cell: what that cell did
_STOPPED = [
    (_DEAD_KERNEL,
     "it exited the kernel (exit(), os._exit or a crash), which stops the whole notebook"),
    (_UNSTOPPABLE,
     "it kept running after it was interrupted at the cell time limit (a loop that "
     "catches KeyboardInterrupt?)"),
]


def _why_stopped(r: Result, log_text: str, time_limit: float,
                 limit: str | None = None) -> str | None:
    if limit and r.outcome in ("failed", "timed out"):
        return f"it {limit} (a limit of the grading sandbox) and was stopped"
    if r.outcome == "timed out":
        return f"it was still running when the submission reached its {time_limit:g} s limit"
    if r.outcome == "failed":
        for pattern, why in _STOPPED:
            if re.search(pattern, log_text):
                return why
    return None


LEFT_OUT_SOURCE = ("# nbutils-grade left this cell out when grading: {why}.\n"
                   "# The rest of the notebook was graded without it.\n")


# names a cell defines at its top level (it may not parse: no ast)
_DEFINES = re.compile(r"^(?:def|class)\s+(\w+)|^(?:(\w+)\s*=[^=])", re.MULTILINE)


def leave_out(course: Course, r: Result, cells_path: Path, why: str) -> str | None:
    """Copy the submission to grading/salvaged/ with the cell that stopped it blanked.

    The cell is the one :class:`CellTracker` saw running last. Only a cell the
    student can edit is left out; when a locked cell (a test calling the
    student's code) stopped the kernel, or ``MAX_LEFT_OUT`` cells were left out
    already, nothing is done and the submission scores zero, as before.
    Returns the cell's label, after adding it to ``r.left_out``.
    """
    info = _load_json(cells_path, None)
    if not info:
        return None
    if info.get("locked"):
        r.reason += (f" (it stopped in the locked cell {info.get('grade_id')!r}, "
                     "which calls the student's code)")
        return None
    if len(r.left_out) >= MAX_LEFT_OUT:
        return None
    dst = course.root / SALVAGED / r.student / r.assignment
    if not r.left_out:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(course.submitted / r.student / r.assignment, dst)
    for path in sorted(dst.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") != "code" or not _same_cell(cell, info):
                continue
            gid = nbgrader_meta(cell).get("grade_id")
            label = f"answer cell {gid!r}" if gid else f"cell {i + 1} (one you added)"
            defines = [a or b for a, b in _DEFINES.findall(cell_source(cell))]
            cell["source"] = LEFT_OUT_SOURCE.format(why=why)
            cell["outputs"], cell["execution_count"] = [], None
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                            encoding="utf-8")
            r.left_out.append({"notebook": path.stem, "cell": label, "why": why,
                               "grade_id": gid, "defines": sorted(set(defines))})
            return label
    return None


def _same_cell(cell: dict, info: dict) -> bool:
    if info.get("grade_id"):
        return nbgrader_meta(cell).get("grade_id") == info["grade_id"]
    if hashlib.sha256(cell_source(cell).encode()).hexdigest() != info.get("sha"):
        return False
    return not info.get("id") or cell.get("id") in (None, info["id"])


def print_report(results: dict[str, Result], say) -> None:
    bad = [r for r in results.values() if r.outcome != "graded"]
    counts: dict[str, int] = {}
    for r in results.values():
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    say("outcome: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    for r in sorted(bad, key=lambda r: r.key):
        say(f"  {r.student} / {r.assignment}: {r.outcome} - {r.reason}")


# -------------------------------------------------------------- collecting


def collect_flat(course_dir: Path, folder: Path, assignment: str,
                 pattern: str = r"^(?P<student_id>[^_.]+)") -> list[str]:
    """Bring a flat folder of downloaded ``.ipynb`` files into submitted/.

    The student id is the ``student_id`` group of ``pattern`` matched on the
    file name (the same idea as ``nbgrader zip_collect``'s collector). The
    notebook is saved under the assignment's name. Returns the students.
    """
    course = Course(course_dir)
    regex = re.compile(pattern)
    students = []
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.suffix != ".ipynb":
            continue
        m = regex.search(path.name)
        if not m:
            print(f"  skipped {path.name}: no student id in the name")
            continue
        student = m.group("student_id")
        dest = course.submitted / student / assignment / f"{assignment}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        students.append(student)
    return students


# ---------------------------------------------------------------- helpers


def _load_json(path: Path, default):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return default


def _write_json(path: Path, data) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _bytes(text: str) -> int:
    """A size: 2G, 512M, 200MB, 1GiB or a number of bytes."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([kKmMgG]?)(i?[bB])?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 2G, 512M or bytes)")
    unit = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(float(m.group(1)) * unit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nbutils-grade",
        description="Autograde every submission under submitted/ with nbgrader, on every "
                    "core; write grades.csv (nbgrader export), feedback and a class summary.")
    add_course_option(parser)
    parser.add_argument("--student", action="append", metavar="ID",
                        help="grade only this student (repeatable); regrades them")
    parser.add_argument("--assignment", action="append", metavar="ID",
                        help="grade only this assignment (repeatable); regrades it")
    parser.add_argument("--jobs", "-j", type=int, default=None,
                        help="autogrades at a time (default: two per core)")
    parser.add_argument("--force", action="store_true",
                        help="regrade submissions already graded and unchanged")
    parser.add_argument("--time-limit", type=float, default=900.0,
                        help="seconds one submission may take before it is killed (900)")
    parser.add_argument("--cell-timeout", type=float, default=None,
                        help="override the config's per-cell time limit (seconds)")
    parser.add_argument("--cold-kernels", action="store_true",
                        help="launch every kernel as a new process, as plain nbgrader does "
                             "(default: fork it from a process that has imported the "
                             "notebooks' setup modules, about 1 s faster per submission)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code WITHOUT the sandbox, with your rights (for "
                             "machines that cannot build it; warns on every run)")
    from .sandbox import Limits, SandboxError

    d = Limits()
    parser.add_argument("--memory", type=_bytes, default=d.memory, metavar="SIZE",
                        help="memory of each sandboxed process (default 2G)")
    parser.add_argument("--processes", type=int, default=d.processes, metavar="N",
                        help=f"processes and threads per sandbox (default {d.processes})")
    parser.add_argument("--file-size", type=_bytes, default=d.file_size, metavar="SIZE",
                        help="largest file a submission may write (default 200M)")
    parser.add_argument("--disk", type=_bytes, default=d.disk, metavar="SIZE",
                        help="disk a submission may use in its folder and in /tmp "
                             "(default 200M each)")
    parser.add_argument("--cpu-time", type=int, default=None, metavar="SECONDS",
                        help="CPU seconds of each sandboxed process (default: --time-limit)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="grade on this Dask cluster (`make cluster` starts one on this "
                             "machine); each worker grades in its own sandbox")
    parser.add_argument("--no-export", action="store_true", help="do not write grades.csv")
    parser.add_argument("--no-reports", action="store_true",
                        help="no feedback and no summary")
    parser.add_argument("--roster", type=Path, metavar="CSV",
                        help="the class's Canvas gradebook export: also write canvas.csv, "
                             "which Canvas imports (default: roster.csv in the course, if any)")
    parser.add_argument("--roster-match", choices=sorted(canvas.MATCH_BY), default="sis_login_id",
                        help="the roster column that holds nbgrader's student ids")
    parser.add_argument("--collect-flat", type=Path, metavar="DIR",
                        help="first copy DIR/<student>_*.ipynb into submitted/ "
                             "(needs exactly one --assignment)")
    parser.add_argument("--student-pattern", default=r"^(?P<student_id>[^_.]+)",
                        help="regex with a student_id group, for --collect-flat")
    args = parser.parse_args(argv)
    args.course_dir = course_root(args.course_dir)
    if args.collect_flat:
        if not args.assignment or len(args.assignment) != 1:
            parser.error("--collect-flat needs exactly one --assignment")
        got = collect_flat(args.course_dir, args.collect_flat, args.assignment[0],
                           args.student_pattern)
        print(f"collected {len(got)} submissions of {args.assignment[0]}")
    force = args.force or bool(args.student or args.assignment)
    limits = Limits(memory=args.memory, processes=args.processes, file_size=args.file_size,
                    disk=args.disk, cpu_seconds=args.cpu_time or int(args.time_limit))
    try:
        results = grade(args.course_dir, args.student, args.assignment, args.jobs, force,
                        args.time_limit, args.cell_timeout, not args.no_export,
                        not args.no_reports, warm=not args.cold_kernels,
                        sandboxed=not args.no_sandbox, limits=limits,
                        scheduler=args.scheduler)
    except KeyboardInterrupt:
        return 130
    except SandboxError as exc:
        print(f"nbutils-grade: cannot build the sandbox: {exc}. Grade without it "
              "(student code then runs with your rights): --no-sandbox", file=sys.stderr)
        return 2
    roster = args.roster or args.course_dir / "roster.csv"
    if not args.no_export and (args.roster or roster.exists()):
        if not write_canvas(args.course_dir, roster, args.roster_match):
            return 1
    return 0 if results else 1


def write_canvas(course_dir: Path, roster: Path, match_by: str) -> bool:
    """canvas.csv beside grades.csv, from the roster; says whom it could not place."""
    submitted_dir = Path(course_dir) / "submitted"
    submitted = {(s.name, a.name) for s in submitted_dir.iterdir() if s.is_dir()
                 for a in s.iterdir() if a.is_dir()} if submitted_dir.is_dir() else set()
    try:
        export = canvas.write_gradebook(Path(course_dir) / "grades.csv", roster,
                                        Path(course_dir) / "canvas.csv", match_by, submitted)
    except (OSError, canvas.RosterError) as exc:
        print(f"✗ canvas.csv not written: {exc}", file=sys.stderr)
        return False
    print("\n".join(export.lines()))
    return True


if __name__ == "__main__":
    sys.exit(main())
