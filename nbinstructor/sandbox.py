"""The sandbox every grading kernel runs in: Linux namespaces and resource limits.

A kernel that runs a student's notebook is untrusted. :func:`enter` turns the
calling process (a fresh fork, or the small launcher ``python -m
nbinstructor.sandbox``) into a sandbox, the way bubblewrap does, with the
kernel's own system calls (``unshare``, ``mount``, ``pivot_root``):

- a mount namespace whose root is an empty, read-only tmpfs with only what a
  notebook needs bound into it, read-only (the system's ``/usr``, ``/etc``,
  the Python install and its site-packages, ``nbutils``), a private writable
  working folder at the notebook's path (a tmpfs of ``disk`` bytes holding a
  copy of the submission's files), a private ``/tmp`` and the folder of the
  kernel's IPC sockets. The course (solutions, the gradebook, other
  students' folders), the instructor's home and the rest of the machine are
  not there at all;
- its own network namespace (no interface is up: nothing to connect to, not
  even 127.0.0.1), IPC and UTS namespaces;
- its own pid namespace, whose first process is the kernel: when the kernel
  ends, or the keeper outside is killed, the Linux kernel kills every
  process in it, detached (``start_new_session``) and double-forked ones
  included;
- an unprivileged uid and gid (no groups, ``no_new_privs``), one uid per
  grading slot so that the process limit counts one sandbox;
- limits (:class:`Limits`): address space, processes, file size, disk (the
  tmpfs sizes), CPU seconds.

The process that called :func:`enter` stays outside as the *keeper*: it
forwards interrupts to the kernel, copies at most :data:`OUTPUT_CAP` bytes of
the kernel's own stdout/stderr to its log, and when the kernel ends writes
how it ended (exit code, signal, the limit it hit) to ``spec.status_path``.

Needs root (``CAP_SYS_ADMIN`` for the mounts, ``CAP_SETUID`` for the uid);
:func:`check` tries it and says in one line why not.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import platform
import resource
import select
import shutil
import signal
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

GiB, MB = 1 << 30, 1000 * 1000
OUTPUT_CAP = 256 * 1024  # bytes of the kernel's own stdout/stderr kept in the log
BASE_UID = 61100  # the sandbox of grading slot k runs as uid/gid BASE_UID + k

# <linux/sched.h>, <linux/mount.h>, <linux/prctl.h>
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

DEVICES = ("null", "zero", "full", "random", "urandom")


@dataclass
class Limits:
    """What one sandboxed kernel may use; each is an ``nbutils-grade`` option."""

    memory: int = 2 * GiB  # address space of each process (RLIMIT_AS)
    processes: int = 256  # processes and threads of the sandbox's uid (RLIMIT_NPROC)
    file_size: int = 200 * MB  # largest file it may write (RLIMIT_FSIZE)
    disk: int = 200 * MB  # its working folder, and /tmp, each a tmpfs of this size
    cpu_seconds: int = 900  # CPU time of each process (RLIMIT_CPU)

    def describe(self) -> dict[str, str]:
        """What going over each limit is, in plain words, by name (the report's wording)."""
        return {"memory": f"used more than {_size(self.memory)} of memory",
                "processes": f"started more than {self.processes} processes and threads",
                "file_size": f"wrote a file larger than {_size(self.file_size)}",
                "disk": f"used more than {_size(self.disk)} of disk in its folder",
                "cpu_seconds": f"used more than {self.cpu_seconds} s of CPU time"}


@dataclass
class Spec:
    """One sandbox: what it sees, who it runs as, its limits, where it reports."""

    workdir: str  # the notebook's folder as the kernel sees it (a private tmpfs)
    copy_from: str | None = None  # files copied into workdir first (the submission)
    readonly: list[str] = field(default_factory=list)  # bound read-only, same paths
    writable: list[str] = field(default_factory=list)  # bound read-write (IPC sockets)
    stage: str = ""  # an empty folder outside, where the new root is built
    uid: int = BASE_UID
    gid: int = BASE_UID
    limits: Limits = field(default_factory=Limits)
    status_path: str | None = None  # the keeper writes how the kernel ended here
    files: dict[str, str] = field(default_factory=dict)  # copied in: outside -> inside
    # bound read-only over a path the kernel sees: inside -> outside (a folder of
    # nbutils with the references of the notebook's exercises switched off)
    replace: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Spec:
        data = json.loads(text)
        data["limits"] = Limits(**data["limits"])
        return cls(**data)


class SandboxError(RuntimeError):
    """The sandbox could not be built (with the step that failed)."""


# --------------------------------------------------------------- system calls

_libc = ctypes.CDLL(None, use_errno=True)


def _call(name: str, *args) -> None:
    fn = getattr(_libc, name)
    if fn(*args) != 0:
        err = ctypes.get_errno()
        shown = ", ".join(a.decode() if isinstance(a, bytes) else str(a) for a in args)
        raise SandboxError(f"{name}({shown}): {os.strerror(err)}")


def _enc(text: str | None) -> bytes | None:
    return None if text is None else os.fsencode(text)


def _mount(source, target, fstype, flags, data=None) -> None:
    _call("mount", _enc(source), _enc(target), _enc(fstype), ctypes.c_ulong(flags), _enc(data))


def _bind(source: str, target: str, readonly: bool, devices: bool = False) -> None:
    _mount(source, target, None, MS_BIND)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (MS_RDONLY if readonly else 0) \
        | (0 if devices else MS_NODEV)
    _mount(None, target, None, flags)


def _pivot_root(new: str, old: str) -> None:
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise SandboxError(f"pivot_root: unknown system call number on {platform.machine()}")
    if _libc.syscall(ctypes.c_long(number), os.fsencode(new), os.fsencode(old)) != 0:
        raise SandboxError(f"pivot_root: {os.strerror(ctypes.get_errno())}")


# ---------------------------------------------------------------- the sandbox


def enter(spec: Spec) -> None:
    """Make this (single-threaded) process a sandbox; returns in the sandboxed child.

    The caller's process becomes the keeper (it never returns from here: it
    waits for the kernel, then exits with the kernel's status); the child
    returns as the first process of the new namespaces, confined, as
    ``spec.uid``, in ``spec.workdir``, ready to exec or become the kernel.
    """
    _call("unshare", CLONE_NEWPID)  # for the child; the keeper stays where it is
    out_r, out_w = os.pipe()
    go_r, go_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.close(out_w)
        os.close(go_r)
        _keep(pid, spec, out_r, go_w)  # never returns
    os.close(out_r)
    os.close(go_w)
    os.setsid()  # signals for the keeper's group reach the kernel only through the keeper
    try:
        _confine(spec)
    except BaseException as exc:  # noqa: B036 - say why, outside, and stop here
        os.write(2, f"nbutils-grade sandbox: {exc}\n".encode())
        os._exit(125)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.close(out_w)
    # wait until the keeper is listening (and alive): then the parent-death signal holds
    os.read(go_r, 1)
    os.close(go_r)


def _confine(spec: Spec) -> None:
    """In the new namespaces, as root still: build the root, pivot, limit, drop the uid."""
    _call("unshare", CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = spec.stage
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    _devices(root)
    # parents before children: a bind below /tmp must not be hidden by the /tmp tmpfs
    mounts = [("/tmp", "tmpfs", "mode=1777"), (spec.workdir, "tmpfs", "mode=755")]
    mounts += [(path, "ro", "") for path in spec.readonly]
    mounts += [(path, "rw", "") for path in spec.writable]
    mounts += [(inside, "over", outside) for inside, outside in spec.replace.items()]
    for path, kind, opts in sorted(mounts, key=lambda m: m[0].rstrip("/").count("/")):
        if kind == "over":  # after the bind it covers: sorted() keeps the order of equals
            os.makedirs(root + path, exist_ok=True)
            _bind(opts, root + path, readonly=True)
        elif kind == "tmpfs":
            os.makedirs(root + path, exist_ok=True)
            _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV,
                   f"size={spec.limits.disk},{opts}")
        else:
            _place(path, root, readonly=kind == "ro")
    if spec.copy_from:
        _copy_tree(spec.copy_from, root + spec.workdir, spec.limits.disk)
    for outside, inside in spec.files.items():
        target = root + inside
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copyfile(outside, target)
    _chown_tree(root + spec.workdir, spec.uid, spec.gid)
    _chown_tree(root + "/tmp", spec.uid, spec.gid)
    os.chmod(root + "/tmp", 0o1777)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/.old", exist_ok=True)
    _pivot_root(root, root + "/.old")
    os.chdir("/")
    _mount(None, "/.old", None, MS_REC | MS_PRIVATE)
    _call("umount2", b"/.old", MNT_DETACH)
    os.rmdir("/.old")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    with contextlib.suppress(OSError):
        _libc.sethostname(b"sandbox", 7)
    os.chdir(spec.workdir)
    _limit(spec.limits)
    _drop(spec.uid, spec.gid)


def _place(path: str, root: str, readonly: bool) -> None:
    """Bind ``path`` at the same place under ``root`` (links are copied as links)."""
    target = root + path
    if os.path.islink(path) and os.path.dirname(path) in ("/", ""):  # /bin -> usr/bin
        if not os.path.lexists(target):
            os.symlink(os.readlink(path), target)
        return
    if not os.path.exists(path):
        return
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()  # noqa: SIM115 - a mount point
    _bind(path, target, readonly)


def _devices(root: str) -> None:
    dev = root + "/dev"
    os.makedirs(dev, exist_ok=True)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
    for name in DEVICES:
        open(f"{dev}/{name}", "w").close()  # noqa: SIM115 - a mount point
        _bind(f"/dev/{name}", f"{dev}/{name}", readonly=False, devices=True)
    os.makedirs(dev + "/shm")
    _mount("tmpfs", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{dev}/{name}")


def _copy_tree(src: str, dst: str, budget: int) -> None:
    """Copy the submission's files (regular files and folders only) into the sandbox."""
    for dirpath, dirnames, filenames in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            if size > budget:
                continue
            budget -= size
            shutil.copyfile(path, os.path.join(dst, rel, name))
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]


def _chown_tree(top: str, uid: int, gid: int) -> None:
    """Give the sandbox's user a folder and what is in it, not crossing into other mounts."""
    device = os.lstat(top).st_dev
    os.chown(top, uid, gid)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames
                       if os.lstat(os.path.join(dirpath, d)).st_dev == device]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.lstat(path).st_dev == device:
                os.chown(path, uid, gid, follow_symlinks=False)


def _limit(limits: Limits) -> None:
    for which, value, hard in (
            (resource.RLIMIT_AS, limits.memory, limits.memory),
            (resource.RLIMIT_NPROC, limits.processes, limits.processes),
            (resource.RLIMIT_FSIZE, limits.file_size, limits.file_size),
            (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 5),
            (resource.RLIMIT_CORE, 0, 0)):
        resource.setrlimit(which, (value, hard))


def _drop(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with no groups, no capabilities and no way back."""
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) == 0:
        cap += 1
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    _call("prctl", PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0),
          ctypes.c_ulong(0), ctypes.c_ulong(0))
    # set after the uid change, which clears it: when the keeper dies, so does the kernel
    _call("prctl", PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), ctypes.c_ulong(0),
          ctypes.c_ulong(0), ctypes.c_ulong(0))
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SandboxError("the uid did not change")


# ------------------------------------------------------------------ the keeper


def _keep(pid: int, spec: Spec, out_fd: int, go_fd: int) -> None:
    """Outside the sandbox: forward signals, copy the output, report how it ended."""
    code = 1
    try:
        def forward(signum, frame):  # noqa: ARG001
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL if signum == signal.SIGTERM else signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, forward)
        os.write(go_fd, b"g")
        os.close(go_fd)
        kept = 0
        while True:
            try:
                ready, _, _ = select.select([out_fd], [], [], 0.5)
            except InterruptedError:
                continue
            if ready:
                chunk = os.read(out_fd, 65536)
                if not chunk:
                    break
                if kept < OUTPUT_CAP:
                    with contextlib.suppress(OSError):
                        os.write(2, chunk[:OUTPUT_CAP - kept])
                kept += len(chunk)
                continue
            waited, _ = _peek(pid)
            if waited:
                break
        while True:
            try:
                _, status, usage = os.wait4(pid, 0)
                break
            except InterruptedError:
                continue
        code = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        report = {"exit": code, "cpu_seconds": round(cpu, 2),
                  "limit": _which_limit(code, cpu, spec.limits)}
        if kept > OUTPUT_CAP:
            report["output_dropped"] = kept - OUTPUT_CAP
        if spec.status_path:
            with contextlib.suppress(OSError):
                Path(spec.status_path).write_text(json.dumps(report))
    except BaseException as exc:  # noqa: B036 - the keeper must end, and end the sandbox
        with contextlib.suppress(OSError):
            os.write(2, f"nbutils-grade sandbox keeper: {exc!r}\n".encode())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    finally:
        os._exit(code if code >= 0 else 128 - code)


def _peek(pid: int) -> tuple[int, int]:
    """Whether the child has ended, without reaping it (``waitid`` with WNOWAIT)."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return pid, 0
    return (info.si_pid, 0) if info is not None else (0, 0)


def _which_limit(code: int, cpu: float, limits: Limits) -> str | None:
    """The limit a kernel's end says it hit (a signal the Linux kernel sends).

    The kernel is the first process of its pid namespace, which ignores
    SIGXCPU: the hard limit's SIGKILL ends it, after the soft limit's seconds.
    """
    if code in (-signal.SIGXCPU, -signal.SIGKILL) and cpu >= limits.cpu_seconds:
        return "cpu_seconds"
    if code == -signal.SIGXFSZ:
        return "file_size"
    return None


# --------------------------------------------------------------- for the grader

ENV_VAR = "NBUTILS_GRADE_SANDBOX"  # a worker's Setup, as JSON, for its kernel manager
SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# what no sandbox may see, relative to the course root
PRIVATE = ("solutions", "submitted", "autograded", "feedback", "grading", "notebooks",
           "release", "source", "gradebook.db", "nbgrader_config.py")
# the kernel's environment: only these of the grader's, then the sandbox's own
KEEP_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "MPLBACKEND", "PYTHONHASHSEED",
            "PYDEVD_DISABLE_FILE_VALIDATION", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS")
SANDBOX_ENV = {"HOME": "/tmp", "USER": "student", "LOGNAME": "student", "TMPDIR": "/tmp",
               "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib",
               "JUPYTER_CONFIG_DIR": "/tmp/.jupyter", "JUPYTER_DATA_DIR": "/tmp/.jupyter-data",
               "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime"}


@dataclass
class Setup:
    """A grading worker's sandbox settings; :meth:`spec` makes one kernel's :class:`Spec`."""

    readonly: list[str]
    run_dir: str  # this worker's folder for IPC sockets and staging (a small tmpfs)
    uid: int = BASE_UID
    limits: Limits = field(default_factory=Limits)
    status_path: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    replace: dict[str, str] = field(default_factory=dict)  # as Spec.replace

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_environ(cls, environ=os.environ) -> Setup | None:
        text = environ.get(ENV_VAR)
        if not text:
            return None
        data = json.loads(text)
        data["limits"] = Limits(**data["limits"])
        return cls(**data)

    def new_run(self) -> str:
        """A fresh folder for one kernel's sockets, owned by the sandbox's user."""
        import tempfile

        ipc = tempfile.mkdtemp(prefix="kernel-", dir=self.run_dir)
        if len(os.fsencode(ipc)) + len("/kernel-65535") > 107:  # sockaddr_un's sun_path
            raise SandboxError(f"{ipc} is too long a folder for the kernel's IPC sockets")
        os.chmod(ipc, 0o700)
        os.chown(ipc, self.uid, self.uid)
        return ipc

    def spec(self, cwd: str, ipc: str) -> Spec:
        stage = os.path.join(self.run_dir, "root-" + os.path.basename(ipc))
        os.makedirs(stage, exist_ok=True)
        return Spec(workdir=os.path.abspath(cwd), copy_from=os.path.abspath(cwd),
                    readonly=list(self.readonly), writable=[ipc], stage=stage,
                    uid=self.uid, gid=self.uid, limits=self.limits,
                    status_path=self.status_path, files=dict(self.files),
                    replace=dict(self.replace))

    @staticmethod
    def kernel_env(env: dict) -> dict:
        kept = {k: v for k, v in env.items()
                if k in KEEP_ENV or k.startswith(("LC_", "JPY_")) and k != "JPY_PARENT_PID"}
        return {**kept, **SANDBOX_ENV}


UID_LOCKS = "/run/lock/nbutils-grade-uids"  # one lock file per uid a grader has claimed


def claim_uids(count: int, first: int = BASE_UID, span: int = 4096) -> tuple[list[int], list]:
    """``count`` sandbox uids no other grader on this machine is using, and their locks.

    Two graders (two courses, or two test runs) must not share a uid: the
    process limit counts every process of a uid, so one class's thread bomb
    would starve the other's kernels. Each uid is claimed with an exclusive
    lock on a file, held open as long as the returned objects live.
    """
    import fcntl

    os.makedirs(UID_LOCKS, mode=0o700, exist_ok=True)
    uids, locks = [], []
    for uid in range(first, first + span):
        if len(uids) == count:
            break
        f = open(os.path.join(UID_LOCKS, str(uid)), "a")  # noqa: SIM115 - held on purpose
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        if _uid_busy(uid):  # a process of an earlier, killed grader: leave that uid
            f.close()
            continue
        uids.append(uid)
        locks.append(f)
    if len(uids) < count:
        raise SandboxError(f"no {count} free sandbox uids from {first} on")
    return uids, locks


def _uid_busy(uid: int) -> bool:
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    return True
    return False


def wait_gone(uid: int, seconds: float = 10.0) -> int:
    """Wait until no process runs as a slot's ``uid``; SIGKILL what is left after
    ``seconds``. Returns how many had to be killed.

    The pid namespace ends everything a kernel started, but when the keeper is
    killed the kernel tears the namespace down on its own time: under load the
    last of it can outlive the grader's worker. The slot is reused only after."""
    import time

    import psutil

    def left():
        found = []
        for proc in psutil.process_iter(["uids"]):
            with contextlib.suppress(psutil.Error, TypeError):
                if proc.info["uids"] and proc.info["uids"].real == uid:
                    found.append(proc)
        return found

    deadline = time.monotonic() + seconds
    while (procs := left()) and time.monotonic() < deadline:
        time.sleep(0.05)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(procs, timeout=5)
    return len(procs)


def run_dir(uid: int) -> str:
    """The folder of a claimed uid's kernel sockets: short, as a socket's path must be
    (at most 107 bytes), and unique on the machine, as the uid is (:func:`claim_uids`)."""
    return f"/run/nbutils-grade/{uid}"


def private_run_dir(path: str, size: str = "16m") -> None:
    """Give this process (a grading worker) and its children a small tmpfs at ``path``.

    The kernels' IPC folders live there: what a kernel writes into its own is
    bounded, and gone when the worker ends (the mount is in the worker's own
    mount namespace).
    """
    os.makedirs(path, exist_ok=True)
    _call("unshare", CLONE_NEWNS)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=711")


def readonly_paths(course_root: Path) -> list[str]:
    """What a sandboxed kernel sees read-only: the system, this Python, ``nbutils``.

    Raises :class:`SandboxError` when one of them would show the course itself
    (a Python environment at the course root, say).
    """
    import importlib.util
    import subprocess

    code = "import sys, json; print(json.dumps(sys.path[1:]))"
    kernel_path = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                            capture_output=True, text=True).stdout)
    paths = [*SYSTEM, sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix),
             os.path.dirname(os.path.realpath(sys.executable)), *kernel_path]
    spec = importlib.util.find_spec("nbutils")
    if spec is not None and spec.submodule_search_locations:
        paths += list(spec.submodule_search_locations)
    root = os.path.realpath(course_root)
    out: list[str] = []
    for path in paths:
        path = os.path.abspath(path)
        if not os.path.lexists(path) or path in out:
            continue
        real = os.path.realpath(path)
        for p in {path, real}:
            if root == p or root.startswith(p.rstrip("/") + "/"):
                raise SandboxError(f"{p} would show the whole course to the kernel "
                                   "(install Python and nbutils outside the course folder, "
                                   "or below it in a folder of their own)")
            if p.startswith(root + "/"):
                top = p[len(root) + 1:].split("/")[0]
                if top in PRIVATE:
                    raise SandboxError(f"{p} is inside the course's {top}")
        out.append(path)
    return _outermost(out)


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already inside another one of the list (bound once, by their parent)."""
    ordered = sorted(set(paths), key=len)
    kept: list[str] = []
    for p in ordered:
        if not any(p == k or p.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(p)
    return sorted(kept)



def check() -> str | None:
    """None when this machine can build the sandbox, else a one-line reason."""
    if sys.platform != "linux":
        return "the sandbox needs Linux namespaces; this is " + sys.platform
    if os.geteuid() != 0:
        return ("the sandbox needs root (to mount its private root and drop to an "
                "unprivileged uid); run nbutils-grade as root")
    if platform.machine() not in SYS_PIVOT_ROOT:
        return f"the sandbox does not know pivot_root on {platform.machine()}"
    return None


def _size(n: int) -> str:
    """2 GiB, 200 MB, 1.5 GiB, 4096 bytes: a size as a reader would write it."""
    for unit, size in (("GiB", GiB), ("MiB", 1 << 20), ("GB", 1000 * MB), ("MB", MB)):
        if n >= size and (n * 10) % size == 0:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


def _run_launcher() -> None:
    """``python -m nbinstructor.sandbox SPEC_JSON -- CMD...``: CMD in the sandbox."""
    argv = sys.argv[1:]
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: python -m nbinstructor.sandbox SPEC_JSON -- CMD ...")
    spec, cmd = Spec.from_json(argv[0]), argv[2:]
    try:
        enter(spec)
    except SandboxError as exc:
        sys.exit(f"nbutils-grade sandbox: {exc}")
    try:
        os.execvp(cmd[0], cmd)
    except OSError as exc:
        os.write(2, f"nbutils-grade sandbox: cannot run {cmd[0]}: {exc}\n".encode())
        os._exit(127 if exc.errno == errno.ENOENT else 126)


if __name__ == "__main__":
    _run_launcher()
