"""How many students this machine's hub holds while each runs notebook 01.

A real JupyterHub on loopback (tools/hub/setup and start, as ``make hub`` runs
them) with accounts of its own. For each class size N in STEPS, N servers are
started at once through the hub's REST API; then every student, at the same
moment, runs notebook 01 top to bottom with the answers filled in: a kernel on
their own server, each code cell sent over the server's websocket, as
JupyterLab sends it. Measured per N: the seconds a student waits for the
whole notebook, the slowest cell, how long a server took to start, and the
memory of each student's processes (server and kernel, peak resident).

``hub_slowdown_N_vs_1`` is the median wait at N over the wait of one student
alone, run in the same bench. ``hub_users_held`` is the largest N at which,
as at every smaller N, every notebook ran without an error and the slowest
cell of every student came back within CELL_BUDGET seconds; ``hub_users_by_memory`` is how many
students 80 % of this machine's memory holds at the measured peak per student.
Needs root (it creates accounts, removed afterwards).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUB_ROOT = Path("/opt/nn-hub-bench")
INSTRUCTOR = "nnb-instructor"
STEPS = (1, 4, 8, 12, 16)
USERS = [f"nnb-student-{i:02d}" for i in range(1, max(STEPS) + 1)]
CELL_BUDGET = 5.0  # seconds: the longest a student should wait for one cell
TARGETS = {"hub_every_notebook_ran": (">=", 1.0)}
SPREAD: dict[str, tuple[float, float]] = {}
UNITS = {"hub_users_held": "users", "hub_users_by_memory": "users",
         "hub_user_peak_mib": "MiB", "hub_notebook01_alone_s": "s"}
NOTES: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _remove_accounts() -> None:
    for user in [INSTRUCTOR, *USERS]:
        subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        subprocess.run(["userdel", "--remove", user], capture_output=True)


def notebook_cells() -> list[str]:
    """Notebook 01 as a student who has answered every exercise runs it."""
    from bench_grading import answered_notebook

    return [c.source for c in answered_notebook("01_neuron").cells if c.cell_type == "code"]


class Hub:
    """The hub's REST API, with the load test's own token."""

    def __init__(self, url: str, token: str):
        from tornado.httpclient import AsyncHTTPClient

        self.url, self.token = url, token
        self.http = AsyncHTTPClient(max_clients=64)

    async def call(self, method: str, path: str, body: dict | None = None) -> dict:
        from tornado.httpclient import HTTPClientError

        try:
            r = await self.http.fetch(
                self.url + path, method=method, request_timeout=180,
                headers={"Authorization": f"token {self.token}"},
                body=None if body is None and method in ("GET", "DELETE") else
                json.dumps(body or {}), allow_nonstandard_methods=True)
        except HTTPClientError as exc:
            if exc.code in (201, 202, 204):
                return {}
            raise
        return json.loads(r.body) if r.body else {}

    async def start(self, user: str) -> float:
        t0 = time.monotonic()
        await self.call("POST", f"/hub/api/users/{user}/server")
        while not (await self.call("GET", f"/hub/api/users/{user}")).get(
                "servers", {}).get("", {}).get("ready"):
            await asyncio.sleep(0.25)
        return time.monotonic() - t0

    async def stop(self, user: str) -> None:
        await self.call("DELETE", f"/hub/api/users/{user}/server")
        while (await self.call("GET", f"/hub/api/users/{user}")).get("servers"):
            await asyncio.sleep(0.25)


async def run_notebook(hub: Hub, user: str, cells: list[str]) -> dict:
    """One student's kernel runs ``cells`` in order; the wait of each, and any error."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    kernel = await hub.call("POST", f"/user/{user}/api/kernels", {"name": "python3"})
    ws_url = hub.url.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel['id']}/channels"
    ws = await websocket_connect(HTTPRequest(
        ws_url, headers={"Authorization": f"token {hub.token}"}, request_timeout=120))
    session, waits, error = uuid.uuid4().hex, [], None
    t_all = time.monotonic()
    for source in cells:
        msg_id = uuid.uuid4().hex
        await ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                       "username": user, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": source, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False}}))
        t0 = time.monotonic()
        while True:
            raw = await asyncio.wait_for(ws.read_message(), timeout=300)
            if raw is None:
                raise RuntimeError(f"{user}: the kernel's websocket closed")
            if isinstance(raw, bytes):  # a binary message: a widget's buffers
                continue
            msg = json.loads(raw)
            if msg["channel"] == "shell" and msg["parent_header"].get("msg_id") == msg_id:
                break
        waits.append(time.monotonic() - t0)
        if msg["content"]["status"] != "ok" and error is None:
            error = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
    total = time.monotonic() - t_all
    ws.close()
    await hub.call("DELETE", f"/user/{user}/api/kernels/{kernel['id']}")
    return {"total": total, "slowest": max(waits), "error": error}


class PeakMemory:
    """The peak resident memory of each user's processes together, sampled meanwhile."""

    def __init__(self, users: list[str]):
        import pwd

        self.uids = {pwd.getpwnam(u).pw_uid: u for u in users}
        self.peak = dict.fromkeys(users, 0)
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psutil

        while self.running:
            now = dict.fromkeys(self.peak, 0)
            for proc in psutil.process_iter(["uids", "memory_info"]):
                user = self.uids.get(proc.info["uids"].real if proc.info["uids"] else -1)
                if user and proc.info["memory_info"]:
                    now[user] += proc.info["memory_info"].rss
            for user, rss in now.items():
                self.peak[user] = max(self.peak[user], rss)
            time.sleep(0.2)

    def stop(self) -> dict[str, int]:
        self.running = False
        self.thread.join()
        return self.peak


async def one_class(hub: Hub, users: list[str], cells: list[str]) -> dict:
    spawns = await asyncio.gather(*(hub.start(u) for u in users))
    memory = PeakMemory(users)
    try:
        runs = await asyncio.gather(*(run_notebook(hub, u, cells) for u in users))
    finally:
        peaks = memory.stop()
        await asyncio.gather(*(hub.stop(u) for u in users))
    return {"spawn": statistics.median(spawns), "runs": runs,
            "peak_mib": max(peaks.values()) / 2**20}


def _start_hub(env: dict) -> subprocess.Popen:
    _remove_accounts()
    for stale in ("state", "exchange"):
        shutil.rmtree(HUB_ROOT / stale, ignore_errors=True)
    setup = subprocess.run([str(ROOT / "tools" / "hub" / "setup")], env=env,
                           capture_output=True, text=True, timeout=900)
    if setup.returncode:
        raise RuntimeError(f"tools/hub/setup failed:\n{setup.stdout}{setup.stderr}")
    log = open(HUB_ROOT / "state" / "bench-hub.log", "w")
    return subprocess.Popen([str(ROOT / "tools" / "hub" / "start")], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


async def _measure(url: str, token: str, cells: list[str]) -> dict[int, dict]:
    from tornado.httpclient import HTTPClientError

    hub = Hub(url, token)
    deadline = time.monotonic() + 120
    while True:
        try:
            await hub.call("GET", "/hub/api/")
            break
        except (OSError, HTTPClientError):  # not up, or the proxy has no route yet
            if time.monotonic() > deadline:
                raise RuntimeError("the hub did not answer in 120 s") from None
            await asyncio.sleep(0.5)
    found = {}
    for n in STEPS:
        print(f"   {n} students at once ...", flush=True)
        found[n] = await one_class(hub, USERS[:n], cells)
    return found


def run() -> dict[str, float]:
    if os.geteuid() != 0 or not shutil.which("useradd"):
        NOTES["hub_users_held"] = "not measured: the load test creates accounts (needs root)"
        return {"hub_users_held": float("nan")}
    token = secrets.token_hex(32)
    env = dict(os.environ, NN_HUB_ROOT=str(HUB_ROOT), NN_HUB_INSTRUCTOR=INSTRUCTOR,
               NN_HUB_STUDENTS=" ".join(USERS), NN_HUB_PORT=str(free_port()),
               NN_HUB_API_PORT=str(free_port()), NN_HUB_PROXY_PORT=str(free_port()),
               NN_HUB_API_TOKEN=token)
    cells = notebook_cells()
    proc = _start_hub(env)
    try:
        found = asyncio.run(_measure(f"http://127.0.0.1:{env['NN_HUB_PORT']}", token, cells))
    finally:
        subprocess.run([str(ROOT / "tools" / "hub" / "stop")], env=env, capture_output=True,
                       timeout=120)
        proc.wait(timeout=60)
        # a hub stopped while it was still starting can leave its proxy behind
        subprocess.run(["pkill", "-KILL", "-f", f"{HUB_ROOT}/"], capture_output=True)
        _remove_accounts()
    return summarize(found)


def summarize(found: dict[int, dict]) -> dict[str, float]:
    import psutil

    alone = statistics.median(r["total"] for r in found[1]["runs"])
    results = {"hub_notebook01_alone_s": alone}
    held, errors, missed = 0, [], False
    for n, step in sorted(found.items()):
        totals = [r["total"] for r in step["runs"]]
        slowest = max(r["slowest"] for r in step["runs"])
        errors += [f"{n} students: {r['error']}" for r in step["runs"] if r["error"]]
        if n > 1:
            results[f"hub_slowdown_{n}_vs_1"] = statistics.median(totals) / alone
            SPREAD[f"hub_slowdown_{n}_vs_1"] = (min(totals) / alone, max(totals) / alone)
        results[f"hub_slowest_cell_at_{n}_s"] = slowest
        results[f"hub_server_start_at_{n}_s"] = step["spawn"]
        UNITS[f"hub_slowest_cell_at_{n}_s"] = UNITS[f"hub_server_start_at_{n}_s"] = "s"
        missed = missed or any(r["error"] for r in step["runs"]) or slowest > CELL_BUDGET
        if not missed:  # held: this class size and every smaller one
            held = n
    peak = max(step["peak_mib"] for step in found.values())
    results["hub_user_peak_mib"] = peak
    results["hub_users_held"] = held
    results["hub_users_by_memory"] = int(0.8 * psutil.virtual_memory().total / 2**20 / peak)
    results["hub_every_notebook_ran"] = float(not errors)
    if errors:
        NOTES["hub_every_notebook_ran"] = "; ".join(errors[:3])
    if held == max(STEPS):
        NOTES["hub_users_held"] = (f"every class size tested ({max(STEPS)}) held: the true "
                                   "figure is at least this")
    return results
