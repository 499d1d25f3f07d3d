"""`make lab` serves the course: the index and the notebooks answer over HTTP."""

import json
import os
import signal
import socket
import subprocess
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


def test_make_lab_serves_the_course(tmp_path):
    port, token = free_port(), "course-test"
    env = isolated_env(tmp_path)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
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
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
