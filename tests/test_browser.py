"""Every notebook's widget in a real browser: JupyterLab driven by Debian's chromium.

For each student notebook with a cell tagged ``widget`` (answers filled in
with the solutions): open it in JupyterLab, run all cells, move the widget's
first slider by keyboard and then by typing a value, and check that the
printed readout and the picture are exactly what its example (from
``nbutils.widgets.examples``) shows after the same moves in this process.
Also: nbgrader's JupyterLab extension is loaded (its Validate button works).

Screenshots of each widget after each move go to test-artifacts/browser/.
Run only these with ``pytest -m browser``. Without chromium they fail with
install instructions, unless ``SKIP_BROWSER=1`` asks to skip them.
"""

from __future__ import annotations

import base64
import io
import re
import time

import numpy as np
import pytest
from browser_support import (
    ARTIFACTS,
    TIMEOUT_MS,
    example_functions,
    expected,
    lab_server,
    normalize,
    open_notebook,
    readout_value,
    run_all,
    slider_kind,
    slider_plan,
    widget_cells,
    widget_notebooks,
)
from harness import assignments, student_path

pytestmark = pytest.mark.browser
NOTEBOOKS = widget_notebooks()


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def lab(chromium, tmp_path_factory):
    with lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


# ---------------------------------------------------------------- page helpers

def slider_locator(cell, description: str):
    """The course's slider (nbutils.widgets.controls.Slider) named ``description``."""
    label = cell.page.locator("label.nn-name").filter(
        has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    return cell.locator(".nn-slider").filter(has=label)


def thumb_centre(handle) -> tuple[float, float]:
    """Where the thumb of the ``<input type=range>`` is drawn (chromium: a 16-px thumb
    travelling over the input's width less the thumb)."""
    box = handle.bounding_box()
    lo, hi, value = handle.evaluate("el => [el.min, el.max, el.value].map(Number)")
    thumb = min(16.0, box["width"])
    x = box["x"] + thumb / 2 + (value - lo) / (hi - lo) * (box["width"] - thumb)
    return x, box["y"] + box["height"] / 2


def readout_text(cell) -> str:
    return normalize(" ".join(cell.locator(".widget-html").all_inner_texts()))


def pictures(cell) -> list[bytes]:
    """The PNG bytes of every ``ipywidgets.Image`` in the cell (read from its blob)."""
    out = []
    for img in cell.locator(".widget-image").all():
        b64 = cell.page.evaluate(
            """async (el) => {
                const r = await fetch(el.src);
                const bytes = new Uint8Array(await r.arrayBuffer());
                let s = '';
                for (let i = 0; i < bytes.length; i += 8192)
                    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
                return btoa(s);
            }""", img.element_handle())
        out.append(base64.b64decode(b64))
    return out


def same_picture(a: bytes, b: bytes) -> bool:
    """Byte-identical PNGs, or pixels that differ by less than one level on average."""
    if a == b:
        return True
    from PIL import Image

    x = np.asarray(Image.open(io.BytesIO(a)).convert("RGBA"), dtype=float)
    y = np.asarray(Image.open(io.BytesIO(b)).convert("RGBA"), dtype=float)
    return x.shape == y.shape and float(np.abs(x - y).mean()) < 1.0


def wait_for_widget(cell, want_text: str, want_png: bytes, what: str,
                    timeout: float = 20) -> None:
    """Wait until the readout says ``want_text`` and a picture equals ``want_png``."""
    deadline = time.monotonic() + timeout
    while True:
        text = readout_text(cell)
        if want_text in text:
            shown = pictures(cell)
            if any(same_picture(p, want_png) for p in shown):
                return
        if time.monotonic() > deadline:
            detail = (f"the readout says\n  {text!r}\nexpected it to contain\n  {want_text!r}"
                      if want_text not in text else
                      "the readout is right but no picture matches the example's")
            raise AssertionError(f"{what}: {detail}")
        time.sleep(0.1)


def screenshot(cell, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    cell.locator(".jp-OutputArea").first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def pick_slider(nbw, example, text0: str, png0: bytes):
    """The first slider one can type into (else any) whose arrow-key move changes
    both the readout and the picture of the example widget."""
    ordered = sorted(example.sliders.items(), key=lambda kv: slider_kind(kv[1]) == "selection")
    for description, slider in ordered:
        _, after, _ = slider_plan(slider)
        text, png, _ = expected(nbw, {description: after})
        if text != text0 and png != png0:
            return description, slider
    raise AssertionError(f"{nbw.label}: no slider move changes both "
                         "the readout and the picture")


# ---------------------------------------------------------------- tests

def test_widget_notebooks_are_discovered():
    names = [n.name for n in NOTEBOOKS]
    assert "01_neuron" in names, "notebook 01's widget cell (tag `widget`) was not found"
    for name in assignments():
        if student_path(name).exists() and widget_cells(name):
            found, cells = example_functions(name), widget_cells(name)
            assert found, f"{name}: its widget cells have no example"
            if found[0][0].endswith(".examples"):
                assert len(found) == len(cells), (
                    f"{name}: {len(cells)} widget cells, {len(found)} functions in "
                    "nbutils.widgets.examples.BY_NOTEBOOK")
    for nbw in NOTEBOOKS:
        w = nbw.example()
        for attr in ("sliders", "live", "readout", "update"):
            assert hasattr(w, attr), f"{nbw.label} has no .{attr}"
        assert w.sliders, f"{nbw.label} has no sliders"


@pytest.mark.parametrize("nbw", NOTEBOOKS, ids=[n.id for n in NOTEBOOKS])
def test_widget_follows_the_slider(page, lab, nbw):
    open_notebook(page, lab, nbw.path)
    run_all(page)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(nbw.cell_index)
    cell.locator(".nn-slider").first.wait_for()
    cell.scroll_into_view_if_needed()

    text0, png0, example = expected(nbw, {})
    wait_for_widget(cell, text0, png0, "before any move (the notebook's widget and "
                    "its example must start alike)")
    description, slider = pick_slider(nbw, example, text0, png0)
    presses, after_keys, typed = slider_plan(slider)
    row = slider_locator(cell, description)
    assert row.count() == 1, f"no slider labelled {description!r} in the widget cell"

    # by keyboard: focus the range input, press the arrow keys
    handle = row.locator("input[type=range]")
    handle.focus()
    for _ in range(abs(presses)):
        handle.press("ArrowRight" if presses > 0 else "ArrowLeft")
    text1, png1, _ = expected(nbw, {description: after_keys})
    wait_for_widget(cell, text1, png1, f"after {presses:+d} arrow key(s) on {description!r} "
                    f"(to {after_keys})")
    box = row.locator("input.nn-value")  # the readout, which also takes a typed value
    shown = readout_value(slider, box.input_value())
    same = shown == after_keys if slider_kind(slider) == "selection" \
        else shown == pytest.approx(after_keys)
    assert same, f"the slider's readout says {box.input_value()!r}; expected {after_keys!r}"
    screenshot(cell, f"{nbw.id}-keyboard")
    if typed is None:
        return  # only selection sliders here: nothing to type into

    # by typing a value into the slider's readout
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{typed:g}")
    page.keyboard.press("Enter")
    text2, png2, _ = expected(nbw, {description: typed})
    wait_for_widget(cell, text2, png2, f"after typing {typed:g} into {description!r}")
    assert float(box.input_value().replace("\u2212", "-")) == pytest.approx(typed, rel=1e-3)
    screenshot(cell, f"{nbw.id}-typed")

    # a fast mouse drag: dozens of intermediate values, then the final one must
    # be what is shown, soon after the mouse is released (no backlog of redraws)
    track = handle.bounding_box()
    x0, y0 = thumb_centre(handle)
    page.mouse.move(x0, y0)
    page.mouse.down()
    target = track["x"] + (0.85 if x0 < track["x"] + track["width"] / 2 else 0.15) * track["width"]
    page.mouse.move(target, y0, steps=40)
    page.mouse.up()
    released = time.monotonic()
    final = readout_value(slider, box.input_value())
    assert final != pytest.approx(typed), "the drag did not move the slider"
    text3, png3, _ = expected(nbw, {description: final})
    wait_for_widget(cell, text3, png3, f"after a drag of {description!r} to {final:g}",
                    timeout=5)
    lag = time.monotonic() - released
    screenshot(cell, f"{nbw.id}-dragged")
    assert lag < 3, f"the widget took {lag:.1f} s to show the end of a drag"


def test_nbgrader_extension_validates(page, lab):
    name = assignments()[0]
    open_notebook(page, lab, f"{name}/{name}.ipynb")
    button = page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True)
    button.wait_for()
    button.click()
    # the filled-in notebook passes every test: nbgrader's dialog says so
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    dialog.get_by_text(re.compile("passes all|Success", re.I)).first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dialog.locator(".jp-Dialog-content").screenshot(path=str(ARTIFACTS / "nbgrader-validate.png"))
