"""`make lab` serves the course: the index and the notebooks answer over HTTP.

A kernel started through it runs and shuts down, and the server's log has no
warning of the course's making (kernels talk over IPC, so ipykernel's
"running over TCP without encryption" never appears).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from harness import ROOT, assignments, isolated_env

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


def call(url, method):
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read() or b"null")


def run_a_kernel(base, token, runtime):
    """Start a kernel through the server, talk to it until it answers, shut it down."""
    from jupyter_client import BlockingKernelClient

    kernel = call(f"{base}/api/kernels?token={token}", "POST")
    client = BlockingKernelClient(connection_file=f"{runtime}/kernel-{kernel['id']}.json")
    client.load_connection_file()
    assert client.transport == "ipc"
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
    finally:
        client.stop_channels()
        call(f"{base}/api/kernels/{kernel['id']}?token={token}", "DELETE")


def test_make_lab_serves_the_course(tmp_path):
    port, token = free_port(), "course-test"
    env = isolated_env(tmp_path)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    # a runtime dir as short as a user's ~/.local/share/jupyter/runtime, so kernels use IPC
    runtime = tempfile.mkdtemp(prefix="rt", dir="/tmp")
    env["JUPYTER_RUNTIME_DIR"] = runtime
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token}"
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = get(f"{base}/lab/tree/index.ipynb?token={token}")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "JupyterLab did not answer in 90 s"
                time.sleep(0.5)
        assert status == 200
        # the server's root is the student versions: the index and every notebook
        _, body = get(f"{base}/api/contents?token={token}")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert {"index.ipynb", *assignments()} <= names
        name = assignments()[0]
        _, body = get(f"{base}/api/contents/{name}/{name}.ipynb?token={token}")
        assert json.loads(body)["type"] == "notebook"
        # nbgrader's server extension is loaded (its validate button lives on it)
        status, _ = get(f"{base}/nbgrader_version?token={token}&version=0")
        assert status == 200
        run_a_kernel(base, token, runtime)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(runtime, ignore_errors=True)
    log = proc.stdout.read()
    assert "Kernel started" in log, log[-3000:]
    assert "without encryption" not in log, log[-3000:]


@pytest.mark.parametrize("length, flag", [(30, True), (52, True), (53, False), (90, False)])
def test_kernels_use_ipc_only_where_the_socket_paths_fit(tmp_path, length, flag):
    runtime = "/tmp/" + "r" * (length - 5)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=runtime)
    script, jupyter = ROOT / "tools" / "kernel-transport", ROOT / ".venv" / "bin" / "jupyter"
    out = subprocess.run([str(script), str(jupyter)],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert (out.strip() == "--KernelManager.transport=ipc") is flag
    # the longest socket jupyter names there still fits in sockaddr_un (107 bytes)
    if flag:
        assert len(f"{runtime}/kernel-{'x' * 36}-ipc-99") <= 107
