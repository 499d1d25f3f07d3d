"""The grading sandbox's own pieces (nbinstructor.sandbox), each run for real.

Every test runs a small Python program through ``python -m nbinstructor.sandbox``
(the launcher cold kernels use; warm kernels call the same ``enter``) and looks
at what it could see and do, and at what is left afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from harness import ROOT

from nbinstructor import sandbox

pytestmark = pytest.mark.skipif(sandbox.check() is not None,
                                reason=f"no sandbox here: {sandbox.check()}")


def run(tmp_path: Path, code: str, limits: sandbox.Limits | None = None, timeout=60,
        **spec_args):
    """Run ``code`` sandboxed in tmp_path/work; returns (process, keeper's status)."""
    work, ipc, stage = tmp_path / "work", tmp_path / "ipc", tmp_path / "stage"
    for d in (work, ipc, stage):
        d.mkdir(exist_ok=True)
    status = tmp_path / "status.json"
    spec = sandbox.Spec(workdir=str(work), copy_from=str(work), writable=[str(ipc)],
                        readonly=sandbox.readonly_paths(tmp_path), stage=str(stage),
                        limits=limits or sandbox.Limits(), status_path=str(status),
                        **spec_args)
    proc = subprocess.run([sys.executable, "-m", "nbinstructor.sandbox", spec.to_json(), "--",
                           sys.executable, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout)
    return proc, json.loads(status.read_text()) if status.exists() else None


def test_it_runs_as_an_unprivileged_user_in_its_own_namespaces(tmp_path):
    proc, status = run(tmp_path, """
        import os, socket
        print(os.getuid(), os.getgid(), os.getgroups(), os.getpid(), socket.gethostname())
        print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])
    """)
    assert proc.returncode == 0, proc.stderr
    ids, caps = proc.stderr.splitlines()[:2] if not proc.stdout else proc.stdout.splitlines()[:2]
    assert ids == f"{sandbox.BASE_UID} {sandbox.BASE_UID} [] 1 sandbox"
    assert int(caps, 16) == 0  # no capabilities at all
    assert status == {"exit": 0, "cpu_seconds": status["cpu_seconds"], "limit": None}


def _running(marker: str) -> int:
    """How many processes on the machine, the sandbox's launcher aside, carry
    marker in their command line (read whole from /proc: ps cuts long lines
    when its output is a pipe)."""
    count = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        count += marker.encode() in args and b"nbinstructor.sandbox" not in args
    return count


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _out(proc) -> str:
    return proc.stdout + proc.stderr  # the keeper copies the kernel's output to stderr


def test_it_sees_only_what_a_notebook_needs(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "mine.txt").write_text("my file")
    (tmp_path / "secret.txt").write_text("the hidden tests")
    proc, _ = run(tmp_path, f"""
        import os
        print('WORK', sorted(os.listdir('.')), open('mine.txt').read())
        print('PARENT', sorted(os.listdir({str(tmp_path)!r})))
        print('ROOT', sorted(os.listdir('/')))
        print('HOME', sorted(os.listdir(os.path.expanduser('~root'))))
        import numpy, nbutils
        print('IMPORTS', nbutils.__file__)
        try:
            import nbinstructor
            print('INSTRUCTOR visible')
        except ImportError:
            print('INSTRUCTOR hidden')
        print('CHECKOUT', sorted(os.listdir({str(ROOT)!r})))
    """)
    out = _out(proc)
    assert "WORK ['mine.txt'] my file" in out
    assert "secret.txt" not in out
    assert "PARENT ['ipc', 'work']" in out  # mount points only; status.json, stage: not there
    assert "INSTRUCTOR hidden" in out and "IMPORTS" in out
    checkout = next(ln for ln in out.splitlines() if ln.startswith("CHECKOUT"))
    for private in ("solutions", "notebooks", "tests", "nbinstructor", "gradebook.db"):
        assert f"'{private}'" not in checkout, checkout
    home = next(ln for ln in out.splitlines() if ln.startswith("HOME"))
    assert ".bashrc" not in home and ".config" not in home, home


def test_it_cannot_write_outside_its_folder_and_its_folder_is_a_copy(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "mine.txt").write_text("original")
    proc, _ = run(tmp_path, f"""
        import os, sysconfig
        open('mine.txt', 'w').write('changed inside')
        open('new.txt', 'w').write('new')
        for path in ({str(ROOT / 'nbutils' / 'checks.py')!r},
                     sysconfig.get_paths()['purelib'] + '/sitecustomize.py', '/etc/x', '/x'):
            try:
                open(path, 'a').write('#')
                print('WROTE', path)
            except OSError as e:
                print('REFUSED', path, e.errno)
    """)
    out = _out(proc)
    assert "WROTE" not in out and out.count("REFUSED") == 4, out
    assert (tmp_path / "work" / "mine.txt").read_text() == "original"
    assert not (tmp_path / "work" / "new.txt").exists()


def test_it_has_no_network(tmp_path):
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        proc, _ = run(tmp_path, f"""
            import socket
            for host in ('127.0.0.1', 'localhost', '::1'):
                try:
                    socket.create_connection((host, {port}), timeout=2)
                    print('CONNECTED', host)
                except OSError as e:
                    print('REFUSED', host)
        """)
    finally:
        server.close()
    assert "CONNECTED" not in _out(proc) and _out(proc).count("REFUSED") == 3


@pytest.mark.parametrize("what, code, expect", [
    ("memory", "import numpy as np\nnp.ones(3 * 2**30 // 8)", "MemoryError"),
    ("file_size", "open('f', 'wb').write(b'x' * 3_000_000)", "[Errno 27] File too large"),
    ("disk", "[open(f'f{i}', 'wb').write(b'x' * 900_000) for i in range(9)]",
     "[Errno 28] No space left on device"),
    ("disk in /tmp", "[open(f'/tmp/f{i}', 'wb').write(b'x' * 900_000) for i in range(9)]",
     "[Errno 28] No space left on device"),
    ("processes", "import subprocess\n[subprocess.Popen(['sleep', '30']) for _ in range(50)]",
     "Resource temporarily unavailable"),
])
def test_each_limit_holds(tmp_path, what, code, expect):
    limits = sandbox.Limits(memory=1 << 30, file_size=2_000_000, disk=5_000_000, processes=20)
    proc, status = run(tmp_path, code, limits)
    assert expect in _out(proc), (what, _out(proc))
    assert status["exit"] == 1


def test_the_cpu_limit_ends_the_kernel_and_says_so(tmp_path):
    proc, status = run(tmp_path, "while True:\n    pass", sandbox.Limits(cpu_seconds=1))
    assert status["limit"] == "cpu_seconds" and status["cpu_seconds"] >= 1, status
    assert proc.returncode != 0


def test_everything_it_started_ends_with_it(tmp_path):
    marker = f"sandbox-test-{os.getpid()}"
    proc, _ = run(tmp_path, f"""
        import os, subprocess, sys, time
        sleeper = [sys.executable, '-c', 'import time; time.sleep(300)', '{marker}']
        subprocess.Popen(sleeper, start_new_session=True)
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, sleeper)
            os._exit(0)
        os.wait()
        time.sleep(0.5)
        running = [p for p in os.listdir('/proc') if p.isdigit() and p != str(os.getpid())
                   and '{marker}' in open(f'/proc/{{p}}/cmdline').read()]
        print('STARTED', len(running))
    """)
    assert "STARTED 2" in _out(proc), _out(proc)
    assert _wait_for(lambda: _running(marker) == 0, 5)


def test_killing_the_keeper_ends_the_sandbox(tmp_path):
    for d in ("work", "ipc", "stage"):
        (tmp_path / d).mkdir()
    marker = f"sandbox-keeper-{os.getpid()}"
    spec = sandbox.Spec(workdir=str(tmp_path / "work"), writable=[str(tmp_path / "ipc")],
                        readonly=sandbox.readonly_paths(tmp_path), stage=str(tmp_path / "stage"))
    keeper = subprocess.Popen([sys.executable, "-m", "nbinstructor.sandbox", spec.to_json(), "--",
                               sys.executable, "-c", "import time; time.sleep(300)", marker])
    assert _wait_for(lambda: _running(marker) == 1), "the sandboxed sleeper never started"
    keeper.kill()
    keeper.wait()
    assert _wait_for(lambda: _running(marker) == 0, 5), "the sleeper outlived its keeper"


def test_output_beyond_the_cap_is_dropped(tmp_path):
    proc, status = run(tmp_path, f"print('x' * {sandbox.OUTPUT_CAP * 4})")
    assert len(proc.stderr) <= sandbox.OUTPUT_CAP + 100
    assert status["output_dropped"] > sandbox.OUTPUT_CAP * 2


def test_the_environment_keeps_nothing_of_the_graders():
    env = sandbox.Setup.kernel_env({"PATH": "/usr/bin", "AWS_SECRET_ACCESS_KEY": "s3cr3t",
                                    "HOME": "/root", "JPY_PARENT_PID": "12",
                                    "JPY_SESSION_NAME": "x.ipynb", "LC_ALL": "C.UTF-8"})
    assert "AWS_SECRET_ACCESS_KEY" not in env and "JPY_PARENT_PID" not in env
    assert env["HOME"] == "/tmp" and env["PATH"] == "/usr/bin"
    assert env["JPY_SESSION_NAME"] == "x.ipynb" and env["LC_ALL"] == "C.UTF-8"


def test_no_path_that_would_show_the_course_is_bound(tmp_path, monkeypatch):
    assert all(not p.startswith(str(ROOT / "solutions"))
               for p in sandbox.readonly_paths(ROOT))
    monkeypatch.setattr(sys, "prefix", str(ROOT))  # a Python installed at the course root
    with pytest.raises(sandbox.SandboxError, match="would show the whole course"):
        sandbox.readonly_paths(ROOT)
    monkeypatch.setattr(sys, "prefix", str(ROOT / "solutions"))
    with pytest.raises(sandbox.SandboxError, match="inside the course's solutions"):
        sandbox.readonly_paths(ROOT)


def test_sizes_read_as_people_write_them():
    from nbinstructor.grade import _bytes

    assert [_bytes(t) for t in ("2G", "512M", "200MB", "1GiB", "4096")] == \
        [2 << 30, 512 << 20, 200 << 20, 1 << 30, 4096]
    assert sandbox.Limits().describe()["memory"] == "used more than 2 GiB of memory"


def _course_anyone_can_read(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (course / "solutions").mkdir()
    for p in (tmp_path, course, course / "solutions"):
        p.chmod(0o755)
    for p in [*tmp_path.parents][:-1]:
        if not os.stat(p).st_mode & 0o005:
            pytest.skip(f"{p} is not readable by other users")
    return course


@pytest.mark.skipif(not Path("/usr/bin/python3").exists() or os.geteuid() != 0,
                    reason="needs root, to run the grader as another user, and a system python")
def test_the_grader_refuses_without_rights_in_one_line(tmp_path):
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-refusal-", dir="/tmp"))
    try:
        course = _course_anyone_can_read(tmp)
        # the tools too, from a copy nobody can read: the checkout may sit in a private folder
        tools = tmp / "tools"
        shutil.copytree(ROOT / "nbinstructor", tools / "nbinstructor",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for path in [tools, *tools.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        # as nobody, with the system's Python (root's Python install is not readable to it);
        # the grader says why before it imports anything outside the standard library
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               "/usr/bin/python3", "-m", "nbinstructor.grade",
                               "--course", str(course)],
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tools)},
                              cwd=course, capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "cannot build the sandbox: the sandbox needs root" in lines[0]
    assert "--no-sandbox" in lines[0]


def test_grading_without_the_sandbox_warns_every_run(tmp_path):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "nbinstructor.grade", "--no-sandbox"],
                              cwd=course, capture_output=True, text=True, timeout=60)
        assert "grading WITHOUT the sandbox" in proc.stdout, proc.stdout + proc.stderr


def test_two_graders_never_share_a_sandbox_uid():
    first, locks = sandbox.claim_uids(4)
    second, more = sandbox.claim_uids(4)
    try:
        assert len(set(first)) == 4 and not set(first) & set(second)
    finally:
        for f in locks + more:
            f.close()


def test_a_slot_is_free_only_when_nothing_runs_as_its_uid():
    uid = sandbox.BASE_UID + 4000  # beyond the uids a grader claims in these tests
    proc = subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                             "sleep", "60"], start_new_session=True)
    assert _wait_for(lambda: any(
        os.stat(f"/proc/{p}").st_uid == uid for p in os.listdir("/proc") if p.isdigit()), 5)
    assert sandbox.wait_gone(uid, seconds=0.3) == 1
    proc.wait(timeout=5)  # (wait_gone may have reaped it already)
    assert not os.path.exists(f"/proc/{proc.pid}")
    assert sandbox.wait_gone(uid, seconds=0.3) == 0
