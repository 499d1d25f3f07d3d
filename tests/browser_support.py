"""Machinery for the browser tests: a JupyterLab server, Debian's chromium, the widgets.

One JupyterLab server per test session serves a copy of the student notebooks
with every answer cell filled in with the solution's code (so that "Run All
Cells" does not stop at a ``NotImplementedError`` stub). Playwright drives
Debian's ``chromium`` (``playwright install`` cannot download a browser on the
machines this course targets). See /work/shared/TOOLCHAIN.md for the flags.

A notebook's widget cells are the code cells tagged ``widget``; for each,
``nbutils.widgets.examples.BY_NOTEBOOK[notebook]`` has a function that builds
the same widget in this process (notebooks still on ``nbutils.viz``: its
``example_widget()``), so a test can move a slider in the page and in the
example alike and compare what both show (see ``expected``).
"""

from __future__ import annotations

import contextlib
import html.parser
import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
from harness import (
    ROOT,
    assignments,
    filled_in,
    isolated_env,
    read,
    student_path,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
INSTALL_HELP = (
    f"Debian's chromium is not installed ({CHROMIUM} is missing), so the browser "
    "tests cannot run. Install it with `sudo apt-get install chromium` (or run "
    "`make test` as root on Debian, which installs it via tools/ensure-chromium), "
    "or skip these tests explicitly with `SKIP_BROWSER=1 make test`.")
TIMEOUT_MS = 90_000
WIDGETS_IMPORT = re.compile(r"^from nbutils\.widgets import \w+", re.MULTILINE)
VIZ_IMPORT = re.compile(r"^from nbutils\.viz import (\w+) as viz\b", re.MULTILINE)


# ---------------------------------------------------------------- the notebooks

@dataclass(frozen=True)
class WidgetNotebook:
    """A widget cell of a notebook: where it is and what builds the same widget here."""

    name: str          # "01_neuron"
    cell_index: int    # index of the widget cell among all cells
    module: str        # "nbutils.widgets.examples" (or, until every notebook moves, nbutils.viz.*)
    function: str      # "neuron" (or "example_widget")
    id: str            # the test's id: "01_neuron", or "03_mse_loss-2" for a second widget

    @property
    def path(self) -> str:  # relative to the server's root
        return f"{self.name}/{self.name}.ipynb"

    @property
    def label(self) -> str:  # for messages
        return f"{self.module.removeprefix('nbutils.')}.{self.function}()"

    def example(self):
        """The widget exactly as the notebook shows it, built in this process."""
        return getattr(importlib.import_module(self.module), self.function)()


def widget_cells(name: str) -> list[int]:
    """Indices of the cells tagged ``widget`` in the student notebook ``name``."""
    return [i for i, c in enumerate(read(student_path(name)).cells)
            if c.cell_type == "code" and "widget" in c.metadata.get("tags", [])]


def example_functions(name: str) -> list[tuple[str, str]]:
    """(module, function) building each widget of ``name``, in widget-cell order.

    A notebook that imports ``nbutils.widgets`` has its examples in
    ``nbutils.widgets.examples.BY_NOTEBOOK``; one that still imports
    ``nbutils.viz`` has one, ``viz.example_widget()``, for its first widget cell.
    """
    code = "\n".join(c.source for c in read(student_path(name)).cells
                     if c.cell_type == "code")
    if WIDGETS_IMPORT.search(code):
        examples = importlib.import_module("nbutils.widgets.examples")
        return [(examples.__name__, f.__name__) for f in examples.BY_NOTEBOOK.get(name, ())]
    match = VIZ_IMPORT.search(code)  # the old layout: remove once no notebook uses it
    return [(f"nbutils.viz.{match.group(1)}", "example_widget")] if match else []


def widget_notebooks() -> list[WidgetNotebook]:
    """Every widget cell of the student notebooks that has its example, in course order."""
    found = []
    for name in assignments():
        if not student_path(name).exists():
            continue
        pairs = list(zip(widget_cells(name), example_functions(name), strict=False))
        for k, (cell, (module, function)) in enumerate(pairs):
            found.append(WidgetNotebook(name, cell, module, function,
                                        name if k == 0 else f"{name}-{k + 1}"))
    return found


def course_copy(dest: Path) -> Path:
    """Write the filled-in student notebooks, one folder each, under ``dest``."""
    for name in assignments():
        if not student_path(name).exists():
            continue
        folder = dest / name
        folder.mkdir(parents=True)
        # the folder's other files (data, pictures) come along
        for item in student_path(name).parent.iterdir():
            if item.name != f"{name}.ipynb" and item.is_file():
                shutil.copy(item, folder)
        nbformat.write(filled_in(name), folder / f"{name}.ipynb")
    return dest


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``python -m jupyterlab`` on a free port, with its own settings and HOME."""

    def __init__(self, root_dir: Path, tmp: Path):
        self.port, self.token = free_port(), "browser-test"
        self.base = f"http://127.0.0.1:{self.port}"
        env = isolated_env(tmp)
        env["HOME"] = str(tmp / "home")
        settings = tmp / "lab-settings"
        _write_json(settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
                    {"fetchNews": "false", "checkForUpdates": False})
        # every cell in the DOM (no virtual scrolling), so the widget cell is found
        _write_json(settings / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
                    {"windowingMode": "none"})
        env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp / "workspaces")
        (tmp / "home").mkdir(exist_ok=True)
        self.log = open(tmp / "jupyterlab.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root_dir}", "--allow-root",
             "--ServerApp.open_browser=False"],
            cwd=root_dir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.log_path = tmp / "jupyterlab.log"

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/api/status?token={self.token}",
                                            timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" + self.log_path.read_text())
            time.sleep(0.3)

    def url(self, path: str) -> str:
        return f"{self.base}/lab/tree/{path}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """End every kernel the server runs (the notebooks opened so far)."""
        with urllib.request.urlopen(f"{self.base}/api/kernels?token={self.token}") as r:
            kernels = json.load(r)
        for k in kernels:
            req = urllib.request.Request(
                f"{self.base}/api/kernels/{k['id']}?token={self.token}", method="DELETE")
            urllib.request.urlopen(req).close()

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


@contextlib.contextmanager
def lab_server(tmp: Path):
    """A running ``LabServer`` on a filled-in copy of the course under ``tmp``."""
    server = LabServer(course_copy(tmp / "course"), tmp)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def chromium_browser(executable: str):
    """Playwright's (sync) handle on Debian's chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


# ---------------------------------------------------------------- the page

def require_chromium() -> str:
    """The chromium binary; without it fail with install help (skip if SKIP_BROWSER=1)."""
    import pytest

    if not Path(CHROMIUM).exists():
        if os.environ.get("SKIP_BROWSER") == "1":
            pytest.skip("SKIP_BROWSER=1: the browser tests were skipped on request")
        pytest.fail(INSTALL_HELP, pytrace=False)
    return CHROMIUM


def open_notebook(page, lab, path: str) -> None:
    """Open ``path`` in a fresh workspace and wait until its kernel is idle."""
    page.goto(lab.url(path))
    name = path.rsplit("/", 1)[-1]
    status = page.locator("#jp-main-statusbar")
    status.get_by_text(name).wait_for()
    status.get_by_text("| Idle").wait_for()


def run_all(page) -> None:
    """Run All Cells from the menu, and wait until every code cell has run.

    Fails at once (not after the timeout) when a cell raised: Run All then
    stops, leaving the cells after it unrun and none running.
    """
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator('[data-command="runmenu:run-all"]').click()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    stopped_since = None
    while True:
        prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        if prompts and all(re.fullmatch(r"\s*\[\d+\]:\s*", p) for p in prompts):
            return
        errors = page.locator(".jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.stderr']").all_inner_texts()
        stopped = errors and not any("*" in p for p in prompts)
        stopped_since = (stopped_since or time.monotonic()) if stopped else None
        if (stopped_since and time.monotonic() - stopped_since > 2) \
                or time.monotonic() > deadline:
            raise AssertionError(f"Run All did not finish; prompts {prompts}; "
                                 f"errors: {errors[-1][-2000:] if errors else 'none'}")
        time.sleep(0.2)


# ---------------------------------------------------------------- what to expect

class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    parser = _Text()
    parser.feed(markup)
    return normalize("".join(parser.parts))


def normalize(text: str) -> str:
    """The text without whitespace, minus signs in ASCII: what a reader compares.

    (Whitespace between table cells and lines differs between a browser's
    rendering and an HTML parser; the characters do not.)
    """
    return "".join(text.replace("\u2212", "-").split())


def expected(nbw: WidgetNotebook, values: dict[str, float]):
    """The notebook's example widget after setting ``values`` (description -> value).

    Returns (readout text, PNG bytes, the widget).
    """
    widget = nbw.example()
    for description, value in values.items():
        widget.sliders[description].value = value
    flush = getattr(widget, "flush", None)
    if callable(flush):
        flush()
    return html_text(widget.readout.value), widget.live.png(), widget


def slider_kind(slider) -> str:
    """"selection", "log", "int" or "float": how the slider's handle maps to its value."""
    if hasattr(slider, "options"):
        return "selection"
    if hasattr(slider, "base"):
        return "log"
    return "int" if isinstance(slider.value, int) else "float"


def readout_value(slider, text: str):
    """The slider's value from the text of its readout, snapped to the slider's grid."""
    kind = slider_kind(slider)
    text = text.strip().replace("\u2212", "-")
    if kind == "selection":
        labels = [label for label, _ in slider._options_full]
        return _options(slider)[labels.index(text)]
    value = float(text)
    lo, step = float(slider.min), float(slider.step)
    if kind == "log":
        base = float(slider.base)
        return base ** _on_step(float(np.log(value) / np.log(base)), lo, step)
    if kind == "int":
        return int(round(value))
    return _on_step(value, lo, step)


def slider_plan(slider) -> tuple[int, object, float | None]:
    """How to move ``slider``: arrow presses (signed), the value after them, a value to type.

    The presses stay inside the range; the typed value is a round value away
    from both the start and the value after the presses (None: a selection
    slider, whose readout cannot be typed into).
    """
    kind = slider_kind(slider)
    if kind == "selection":
        options = _options(slider)
        i0 = options.index(slider.value)
        presses = 3 if i0 + 3 < len(options) else -min(3, i0)
        return presses, options[i0 + presses], None
    step = float(slider.step)
    lo, hi = float(slider.min), float(slider.max)
    base = float(slider.base) if kind == "log" else None
    p0 = float(np.log(slider.value) / np.log(base)) if base else float(slider.value)
    presses = 3 if p0 + 3 * step <= hi + 1e-12 else -3
    p1 = _on_step(p0 + presses * step, lo, step)
    typed_pos = _on_step(lo + 0.3 * (hi - lo), lo, step)
    if abs(typed_pos - p1) < step / 2 or abs(typed_pos - p0) < step / 2:
        typed_pos = _on_step(lo + 0.7 * (hi - lo), lo, step)
    if base:
        return presses, base ** p1, float(f"{base ** typed_pos:g}")
    if kind == "int":
        return presses, int(p1), int(typed_pos)
    return presses, p1, float(f"{typed_pos:g}")


def _options(slider) -> list:
    return [v for _, v in slider._options_full] if hasattr(slider, "_options_full") \
        else list(slider.options)


def _on_step(value: float, lo: float, step: float) -> float:
    n = round((value - lo) / step)
    decimals = max(0, -int(np.floor(np.log10(step)))) + 2 if step < 1 else 0
    return round(lo + n * step, decimals)
