"""Kernels that start warm, for grading: forked from a process that has imported the course.

A plain kernel start runs a new Python, imports IPython and ipykernel, and then
the notebook's setup cell imports numpy, matplotlib and nbutils: about 1.3 s of
CPU of a 2.8 s autograde here. ``nbutils-grade`` imports all of that once
(:func:`preload`, in the grading process, before it forks its workers). Each
worker then forks a *spare* (:func:`fork_spare`) before nbgrader starts, while
the worker has no threads, so the fork is safe. When nbgrader's Execute
preprocessor asks for a kernel, :class:`WarmKernelManager` gives the spare the
command line, environment and folder that jupyter_client would have passed to
``Popen``, and the spare becomes that kernel: a new session, that folder, that
environment, the signal handlers and ``sys.path`` of a fresh interpreter,
numpy's global random state reseeded, then ipykernel's own entry point. It is
still a child of the worker, so the worker's time limit kills it as before.

Everything else is jupyter_client's: the connection file, the ports, the
interrupt on a cell timeout, the shutdown. A kernel that is not the plain
``python -m ipykernel_launcher`` of this interpreter, a second kernel in the
same worker, or a worker without a spare falls back to a normal launch.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import gc
import json
import os
import signal
import subprocess
import sys
import time
import traceback
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

# a folder a kernel imports from first (nbutils with an assignment's references
# switched off, when there is no sandbox to mount it over nbutils)
FIRST_ON_PATH = "NBUTILS_GRADE_FIRST_ON_PATH"
# modules every kernel imports before the notebook runs, or on `%matplotlib inline`
# (ipykernel.debugger, with debugpy, is imported when the kernel starts: a third of a
# blank submission's kernel CPU when each kernel imports it)
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger",
                  "IPython.core.interactiveshell", "matplotlib_inline.backend_inline", "comm")

# sys.path of `python -m ipykernel_launcher`, set by preload
_base_sys_path: list[str] | None = None
_spare: Spare | None = None  # this worker's spare, set by fork_spare
_ipc: tuple[int, str] | None = None  # (pid, folder) of this process's kernel sockets


# --------------------------------------------------------------- preloading


def _ipc_folder() -> str:
    """A private folder for this process's kernel sockets, short enough for their paths
    (a socket path is at most 107 bytes); removed when the process exits."""
    global _ipc
    if _ipc is None or _ipc[0] != os.getpid():
        import shutil
        import tempfile

        folder = tempfile.mkdtemp(prefix="nbk-", dir="/tmp")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _ipc = (os.getpid(), folder)
    return _ipc[1]


def setup_imports(notebook: Path) -> list[str]:
    """Top-level modules imported by the locked code cells of a source notebook.

    Locked cells are the instructor's (setup, tests): every student's kernel
    runs them, so importing their modules once ahead of time is safe. Magics
    and shell lines are skipped; a cell that does not parse is skipped.
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    modules: list[str] = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("locked"):
            continue
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.append(node.module)
                modules += [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(modules))


def preload(modules: list[str], log=None) -> list[str]:
    """Import the kernel's modules and ``modules`` into this process; returns what failed.

    Call it in the process the workers are forked from, before they are. A
    module that fails to import is left to the kernel (where the student sees
    the same error a cold kernel would give).
    """
    global _base_sys_path
    if _base_sys_path is None:
        _base_sys_path = _fresh_sys_path()
    # matplotlib reads MPLBACKEND when it is imported: set it as the kernels will have it
    os.environ.setdefault("MPLBACKEND", "Agg")
    failed = []
    for name in [*KERNEL_MODULES, *modules]:
        if name in sys.modules:
            continue
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a submodule name that is really an attribute, etc.
            failed.append(name)
    if log and failed:
        log("  not preloaded (each kernel imports them itself): " + ", ".join(failed))
    return failed


def _fresh_sys_path() -> list[str]:
    """``sys.path`` as `python -m ipykernel_launcher` has it (the launcher drops the cwd)."""
    code = "import sys, json; print(json.dumps(sys.path[1:]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


# ------------------------------------------------------------------ spares


class Spare:
    """A forked, waiting process that becomes a kernel when it is given the launch."""

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd, self.used = pid, fd, False

    def start(self, cmd: list[str], env: dict, cwd: str | None,
              sandbox: str | None = None) -> ForkedProcess:
        """Send the launch (argv, env, cwd, sandbox spec); the spare turns into the kernel."""
        message = json.dumps({"argv": list(cmd[3:]), "env": dict(env),
                              "cwd": str(cwd or os.getcwd()), "sandbox": sandbox}).encode()
        with os.fdopen(self.fd, "wb") as pipe:
            pipe.write(message)
        self.used = True
        return ForkedProcess(self.pid)

    def discard(self) -> None:
        """Let an unused spare go (it exits when its pipe closes) and reap it."""
        if self.used:
            return
        self.used = True
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def fork_spare() -> Spare | None:
    """Fork a spare kernel from this process; call it while the process has no threads."""
    global _spare
    if _base_sys_path is None:  # nothing preloaded: a fork would gain nothing
        return None
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        _wait_then_become_kernel(r)  # never returns
    os.close(r)
    _spare = Spare(pid, w)
    return _spare


def discard_spare() -> None:
    global _spare
    if _spare is not None:
        _spare.discard()
        _spare = None


def _take_spare(cmd: list[str]) -> Spare | None:
    """This worker's spare, if it is unused and ``cmd`` is the kernel it can become."""
    global _spare
    spare = _spare
    if spare is None or spare.used:
        return None
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    if os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
        return None
    _spare = None
    return spare


def _wait_then_become_kernel(fd: int) -> None:
    code = 1
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        os.close(fd)
        if not chunks:  # the worker let us go unused
            os._exit(0)
        code = _become_kernel(json.loads(b"".join(chunks)))
    except BaseException:  # noqa: B036 - whatever happens, report it and exit
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _become_kernel(launch: dict) -> int:
    """Turn this fork into what `Popen(cmd, env=..., cwd=..., start_new_session=True)` runs.

    With a sandbox spec, this process stays outside as the sandbox's keeper and
    its child, confined (:func:`nbinstructor.sandbox.enter`), becomes the kernel.
    """
    os.setsid()
    if launch.get("sandbox"):
        from . import sandbox

        spec = sandbox.Spec.from_json(launch["sandbox"])
        sandbox.enter(spec)
        if spec.replace:  # what this fork imported came from the folders now covered
            for name in [m for m in sys.modules if m.split(".")[0] == "nbutils"]:
                del sys.modules[name]
    os.chdir(launch["cwd"])
    os.environ.clear()
    os.environ.update(launch["env"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP", "SIGCHLD", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as a new interpreter has them
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.closerange(3, _max_fd())  # Popen's close_fds
    atexit._clear()  # the grader's exit handlers are not the kernel's
    sys.path[:] = list(_base_sys_path or sys.path)
    first = launch["env"].get(FIRST_ON_PATH)
    if first and not launch.get("sandbox"):  # nbutils with references switched off
        sys.path.insert(0, first)
        for name in [m for m in sys.modules if m.split(".")[0] == "nbutils"]:
            del sys.modules[name]
    import ipykernel_launcher

    sys.argv = [ipykernel_launcher.__file__, *launch["argv"]]
    numpy = sys.modules.get("numpy")
    if numpy is not None:  # its global RandomState was seeded once, in the grader
        numpy.random.seed()
    from ipykernel import kernelapp

    # what this fork holds from the grader is never garbage to the kernel: left out of
    # every collection (IPython collects at each display flush, and at exit)
    gc.freeze()
    code = 0
    try:
        # IPKernelApp reads JPY_PARENT_PID into a default when it is imported,
        # which was in the grader: give it the kernel's own
        kernelapp.IPKernelApp.launch_instance(
            parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    _end_control_thread()
    atexit._run_exitfuncs()
    return code


def _end_control_thread() -> None:
    """Let the kernel's control thread finish before the exit handlers run.

    ipykernel stops its IOPub thread in an exit handler that runs before the one
    that joins the control thread; when the control thread is still answering the
    shutdown request, it then waits for its output to go out through the stopped
    IOPub until jupyter_client gives up and kills the kernel (3.5 s more for one
    submission in four here, and the report of a killed kernel).
    """
    from ipykernel.kernelapp import IPKernelApp

    if not IPKernelApp.initialized():
        return
    thread = IPKernelApp.instance().control_thread
    if thread is not None and thread.is_alive():
        thread.stop()
        thread.join(timeout=10)


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 65536)
    except (ValueError, OSError):
        return 4096


# ------------------------------------------------ the jupyter_client side


class ForkedProcess:
    """The parts of ``subprocess.Popen`` that jupyter_client uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: it is gone
                self.returncode = -signal.SIGKILL
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(["kernel", str(self.pid)], timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class WarmProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching through this worker's spare when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        setup, spec = getattr(self.parent, "sandbox_setup", None), None
        env = kwargs.get("env") or dict(os.environ)
        if setup is not None:
            spec = setup.spec(kwargs.get("cwd") or os.getcwd(), self.parent.sandbox_ipc)
            env = kwargs["env"] = setup.kernel_env(env)
        spare = _take_spare(cmd)
        if spare is None:
            if spec is not None:  # the same sandbox, entered by a small launcher
                cmd = [sys.executable, "-m", "nbinstructor.sandbox", spec.to_json(), "--", *cmd]
            return await super().launch_kernel(cmd, **kwargs)
        if spec is None:
            env = {**env, "JPY_PARENT_PID": str(os.getpid())}
        self.process = spare.start(cmd, env, kwargs.get("cwd"),
                                   spec.to_json() if spec is not None else None)
        self.pid = self.process.pid
        self.pgid = self.process.pid  # the kernel calls setsid()
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info


class WarmKernelManager(AsyncKernelManager):
    """nbclient's kernel manager (the async one), with :class:`WarmProvisioner`.

    Set it as nbgrader's ``Execute.kernel_manager_class`` (``nbutils-grade``
    does, for its workers). It must stay async: with the blocking client,
    nbclient's wait for output blocks its event loop, so a cell that never
    ends is never timed out or interrupted.
    """

    sandbox_setup = None  # a sandbox.Setup: SandboxKernelManager sets it
    sandbox_ipc = None

    async def _async_pre_start_kernel(self, **kw):
        if self.sandbox_setup is None:  # a sandboxed kernel gets its own folder (below)
            # IPC sockets in a short folder of this process: no TCP port, and no
            # ipykernel warning about plain-text TCP in the grading logs
            self.transport = "ipc"
            self.ip = os.path.join(_ipc_folder(), "kernel")
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = WarmProvisioner(kernel_id=self.kernel_id,
                                               kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)



class SandboxKernelManager(WarmKernelManager):
    """:class:`WarmKernelManager` whose kernels run sandboxed (:mod:`nbinstructor.sandbox`).

    The worker's settings come from its environment (``sandbox.ENV_VAR``). The
    kernel talks over IPC sockets in a folder of its own (it has no network),
    and its connection file is given to the sandbox's user.
    """

    async def _async_pre_start_kernel(self, **kw):
        from . import sandbox

        self.sandbox_setup = sandbox.Setup.from_environ()
        if self.sandbox_setup is None:
            raise sandbox.SandboxError(f"{sandbox.ENV_VAR} is not set: no sandbox to start")
        self.sandbox_ipc = self.sandbox_setup.new_run()
        self.transport = "ipc"
        self.ip = os.path.join(self.sandbox_ipc, "kernel")
        self.connection_file = os.path.join(self.sandbox_ipc, "kernel.json")
        result = await super()._async_pre_start_kernel(**kw)
        uid = self.sandbox_setup.uid
        os.chown(self.connection_file, uid, uid)
        return result
