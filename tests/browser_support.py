"""Machinery for the browser tests: a JupyterLab server, Debian's chromium, the widgets.

One JupyterLab server per test session serves a copy of the student notebooks
with every answer cell filled in with the solution's code (so that "Run All
Cells" does not stop at a ``NotImplementedError`` stub). Playwright drives
Debian's ``chromium`` (``playwright install`` cannot download a browser on the
machines this course targets). See /work/shared/TOOLCHAIN.md for the flags.

A notebook's widget cell is the code cell tagged ``widget``; its viz module
is named by the setup cell's ``from nbutils.viz import <module> as viz``.
``viz.example_widget()`` builds the same widget in this process, so a test
can move a slider in the page and in the example alike and compare what
both show (see ``expected``).
"""

from __future__ import annotations

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
VIZ_IMPORT = re.compile(r"^from nbutils\.viz import (\w+) as viz\b", re.MULTILINE)


# ---------------------------------------------------------------- the notebooks

@dataclass(frozen=True)
class WidgetNotebook:
    """A notebook that shows a live widget: where it is and what draws it."""

    name: str          # "01_neuron"
    module: str        # "neuron": nbutils.viz.<module>
    cell_index: int    # index of the widget cell among all cells

    @property
    def path(self) -> str:  # relative to the server's root
        return f"{self.name}/{self.name}.ipynb"

    def viz(self):
        return importlib.import_module(f"nbutils.viz.{self.module}")


def widget_notebooks() -> list[WidgetNotebook]:
    """Every student notebook with a cell tagged ``widget``, in course order."""
    found = []
    for name in assignments():
        path = student_path(name)
        if not path.exists():
            continue
        nb = read(path)
        cells = [i for i, c in enumerate(nb.cells)
                 if c.cell_type == "code" and "widget" in c.metadata.get("tags", [])]
        match = VIZ_IMPORT.search("\n".join(c.source for c in nb.cells if c.cell_type == "code"))
        if cells and match:
            found.append(WidgetNotebook(name, match.group(1), cells[0]))
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


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


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
    """``example_widget()`` after setting ``values`` (description -> value).

    Returns (readout text, PNG bytes, the widget).
    """
    widget = nbw.viz().example_widget()
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
