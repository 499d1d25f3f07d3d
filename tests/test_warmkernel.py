"""Warm kernels for grading (nbinstructor.warmkernel): the same kernel, started sooner.

A warm kernel is forked from a process that has imported the course, so it
must look to the notebook exactly like one jupyter_client launched: the same
sys.path, argv, folder, environment, signal handlers, session, matplotlib
backend and parent watch, and the same outputs for a whole notebook. Each
check runs in a subprocess of its own: forking from pytest's worker, which has
threads, is what the module is built to avoid.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
from harness import ROOT, isolated_env, source_path

from nbinstructor import warmkernel

pytestmark = pytest.mark.slow

# Starts a kernel through KernelManager (cold) or WarmKernelManager (warm) in
# a folder and prints what the kernel says about itself.
PROBE = textwrap.dedent(r'''
    import asyncio, json, os, sys
    from jupyter_client.manager import AsyncKernelManager
    mode, folder = sys.argv[1], sys.argv[2]
    cls = AsyncKernelManager  # what nbclient, and so nbgrader, uses
    if mode == "warm":
        from nbinstructor import warmkernel
        warmkernel.preload(["numpy", "matplotlib.pyplot", "nbutils.checks"])
        spare = warmkernel.fork_spare()
        cls = warmkernel.WarmKernelManager
    code = """
    import json, os, signal, sys, warnings, matplotlib
    import numpy as np
    k = get_ipython().kernel
    print(json.dumps({
        "sys.path": sys.path, "argv0": os.path.basename(sys.argv[0]), "argv": sys.argv[1:2],
        "cwd": os.getcwd(), "stdin is a tty": os.isatty(0),
        "signals": {n: str(signal.getsignal(getattr(signal, n)))
                    for n in ["SIGINT", "SIGTERM", "SIGPIPE", "SIGCHLD", "SIGHUP"]},
        "backend": matplotlib.get_backend(), "MPLBACKEND": os.environ.get("MPLBACKEND"),
        "warning filters": len(warnings.filters),
        "JPY_PARENT_PID is the parent": os.environ.get("JPY_PARENT_PID") == str(os.getppid()),
        "watches its parent": k.parent.parent_handle == os.getppid(),
        "own session": os.getsid(0) == os.getpid(),
        "__name__": __name__, "__main__": sys.modules["__main__"].__name__,
        "numpy draws": np.random.random(),
    }))
    """

    async def main():
        km = cls(kernel_name="python3")
        await km.start_kernel(cwd=folder)
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        out = []
        await kc.execute_interactive(
            code, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
        # a cell that never ends stops when the kernel is interrupted
        msg_id = kc.execute("while True: pass")
        await asyncio.sleep(1)
        await km.interrupt_kernel()
        while True:
            reply = await kc.get_shell_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        info = json.loads("".join(out))
        info["kernel was the spare"] = mode == "warm" and km.provisioner.pid == spare.pid
        info["interrupted"] = reply["content"].get("ename")
        print(json.dumps(info))

    asyncio.run(main())
''')


def probe(mode: str, tmp_path) -> dict:
    folder = tmp_path / mode
    folder.mkdir()
    env = isolated_env(tmp_path / f"env-{mode}")
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run([sys.executable, "-c", PROBE, mode, str(folder)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info["cwd"] = info["cwd"].replace(str(folder), "<folder>")
    info["stderr"] = proc.stderr
    return info


def test_a_warm_kernel_looks_like_a_launched_one(tmp_path):
    cold, warm = probe("cold", tmp_path), probe("warm", tmp_path)
    # the grader's kernels talk over IPC: no plain-text TCP, and no warning about it
    assert "without encryption" in cold.pop("stderr")
    assert "without encryption" not in warm.pop("stderr")
    assert warm.pop("kernel was the spare") is True
    assert cold.pop("kernel was the spare") is False
    # fresh randomness in each: the grader's numpy state is not handed down
    assert warm.pop("numpy draws") != cold.pop("numpy draws")
    assert warm == cold
    assert warm["watches its parent"] and warm["own session"] and warm["cwd"] == "<folder>"
    assert warm["interrupted"] == "KeyboardInterrupt"


RUN_NOTEBOOK = textwrap.dedent(r'''
    import json, sys
    import nbformat, nbclient
    mode, path, folder = sys.argv[1:4]
    nb = nbformat.read(path, as_version=4)
    options = {}  # cold: nbclient's own kernel manager
    if mode == "warm":
        from nbinstructor import warmkernel
        warmkernel.preload(warmkernel.setup_imports(path))
        warmkernel.fork_spare()
        options["kernel_manager_class"] = warmkernel.WarmKernelManager
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": folder}}, **options)
    client.execute()
    texts = []  # one text per cell (how a stream is cut into outputs depends on timing)
    for cell in nb.cells:
        text = ""
        for out in cell.get("outputs", []):
            if out.get("name") == "stdout":
                text += out["text"]
            elif "data" in out and "text/plain" in out["data"]:
                text += out["data"]["text/plain"] + "\n"
            elif out.get("output_type") == "error":
                text += out["ename"] + ": " + out["evalue"] + "\n"
        texts.append(text)
    print(json.dumps(texts))
''')


def _steady(text: str) -> str:
    """Leave out what differs between any two runs: addresses, and measured times."""
    text = re.sub(r"0x[0-9a-f]+", "0x?", text)
    # a measured time, with the padding that lines it up (its width follows its digits)
    return "\n".join(re.sub(r" *\d+(\.\d+)?", " #", ln) if "time" in ln else ln
                     for ln in text.splitlines())


@pytest.mark.parametrize("name", ["01_neuron", "03_mse_loss", "05_sgd"])
def test_a_solution_notebook_prints_the_same_in_a_warm_kernel(name, tmp_path):
    outputs = {}
    for mode in ("cold", "warm"):
        env = isolated_env(tmp_path / f"env-{mode}")
        env["MPLBACKEND"] = "Agg"
        proc = subprocess.run([sys.executable, "-c", RUN_NOTEBOOK, mode,
                               str(source_path(name)), str(source_path(name).parent)],
                              env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        texts = json.loads(proc.stdout.strip().splitlines()[-1])
        outputs[mode] = [_steady(t) for t in texts]
    assert any(outputs["cold"]), "the notebook printed nothing: the comparison would be empty"
    assert outputs["warm"] == outputs["cold"]


def test_setup_imports_reads_the_locked_cells_of_a_source_notebook(tmp_path):
    modules = warmkernel.setup_imports(source_path("01_neuron"))
    assert {"numpy", "nbutils", "nbutils.checks", "nbutils.plots.neuron",
            "nbutils.widgets.neuron"} <= set(modules)
    # answer cells are the students': nothing of theirs is imported ahead of time
    import nbformat

    locked = {"nbgrader": {"locked": True, "grade_id": "setup"}}
    answer = {"nbgrader": {"solution": True, "grade_id": "answer"}}
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\n%matplotlib inline", metadata=locked),
        nbformat.v4.new_code_cell("import json\nfrom csv import reader", metadata=answer),
        nbformat.v4.new_code_cell("def broken(:", metadata=locked),
    ])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert warmkernel.setup_imports(path) == ["numpy"]


def test_only_the_plain_ipykernel_of_this_python_takes_the_spare(monkeypatch):
    spare = warmkernel.Spare(pid=-1, fd=-1)
    monkeypatch.setattr(warmkernel, "_spare", spare)
    assert warmkernel._take_spare(["/usr/bin/python2", "-m", "ipykernel_launcher"]) is None
    assert warmkernel._take_spare([sys.executable, "-m", "other_kernel", "-f", "x"]) is None
    assert warmkernel._take_spare(["R", "--slave"]) is None
    taken = warmkernel._take_spare([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
    assert taken is spare
    # a second kernel in the same worker launches the ordinary way
    assert warmkernel._take_spare([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]) \
        is None


UNUSED = textwrap.dedent(r'''
    import os, sys, time
    from nbinstructor import warmkernel
    warmkernel.preload([])
    spare = warmkernel.fork_spare()
    warmkernel.discard_spare()
    try:
        os.kill(spare.pid, 0)
        print("alive")
    except ProcessLookupError:
        print("gone")
''')


def test_an_unused_spare_exits_and_is_reaped(tmp_path):
    proc = subprocess.run([sys.executable, "-c", UNUSED], env=isolated_env(tmp_path),
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "gone"


# A kernel whose control thread is still busy after a shutdown request (here its
# stdout flush is slowed down): the exit handlers, which stop the IOPub thread that
# thread flushes through, must run only after it has finished. When they ran first,
# one kernel in four here hung in that flush until jupyter_client killed it.
SLOW_CONTROL = textwrap.dedent(r'''
    import asyncio, json, sys
    from nbinstructor import warmkernel
    folder, report = sys.argv[1], sys.argv[2]
    warmkernel.preload([])
    spare = warmkernel.fork_spare()
    code = f"""
    import atexit, json, sys, threading, time
    flush = sys.stdout.flush
    def slow_flush():
        if threading.current_thread().name == "Control":
            time.sleep(1)
        flush()
    sys.stdout.flush = slow_flush
    atexit.register(lambda: open({report!r}, "w").write(json.dumps(
        sorted(t.name for t in threading.enumerate()))))
    print("ready")
    """

    async def main():
        km = warmkernel.WarmKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=folder)
        process = km.provisioner.process
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        await kc.execute_interactive(code, timeout=60)
        kc.stop_channels()
        await km.shutdown_kernel(now=False)  # as nbclient ends a notebook's kernel
        print(json.dumps({"spare": process.pid == spare.pid, "exit": process.poll()}))

    asyncio.run(main())
''')


def test_a_warm_kernel_ends_its_control_thread_before_its_exit_handlers(tmp_path):
    report = tmp_path / "threads at exit.json"
    proc = subprocess.run([sys.executable, "-c", SLOW_CONTROL, str(tmp_path), str(report)],
                          env=isolated_env(tmp_path / "env"), capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ended = json.loads(proc.stdout.strip().splitlines()[-1])
    assert ended == {"spare": True, "exit": 0}  # it ended by itself, not killed
    threads = json.loads(report.read_text())
    assert "Control" not in threads and "IOPub" in threads
