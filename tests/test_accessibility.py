"""Every notebook's output in a real browser: axe-core, names, and a narrow window.

Issue 13, "widgets that fit and that everyone can use". For each student
notebook (answers filled in with the solutions), opened in JupyterLab in
Debian's chromium and run once:

- at 1366x900, axe-core over the notebook's output areas (the course's own
  content; JupyterLab's interface is out of scope) finds no violation of
  impact "serious" or "critical";
- every picture has a text alternative, every slider handle, button and
  input has a name, a toggle says whether it is pressed, a slider announces
  the value its readout shows (no float noise, no index for a named choice),
  a widget's readout is a live region, and a dropdown, a slider or a choice answers its
  arrow keys (without JupyterLab moving to another cell);
- at 800 px wide (the same page, resized, the file browser closed), every
  control is on screen with its name and its value, none cut, and every
  picture stays readable.

Screenshots of each widget at both widths go to test-artifacts/browser/a11y/.
Run only these with ``pytest -m browser tests/test_accessibility.py``.
"""

from __future__ import annotations

import math
import re
import time

import pytest
from browser_support import (
    ARTIFACTS,
    TIMEOUT_MS,
    lab_server,
    open_notebook,
    run_all,
)
from harness import assignments, student_path

pytestmark = pytest.mark.browser
NAMES = [n for n in assignments() if student_path(n).exists()]
WIDE, NARROW = {"width": 1366, "height": 900}, {"width": 800, "height": 900}
OUTPUTS = ".jp-Notebook .jp-OutputArea-output"
WIDGET_VIEW = OUTPUTS + ":has(> .jupyter-widgets)"  # an output that shows a widget
SHOTS = ARTIFACTS / "a11y"
MIN_PICTURE_PX = 300  # or 90 % of the output area, when that is narrower
# and at least half the width it was drawn for: below that a figure's 10-point text
# (about 14 px at matplotlib's 100 dpi) falls under 7 px
MIN_PICTURE_SCALE = 0.5


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    with lab_server(tmp_path_factory.mktemp("a11y-lab")) as server:
        yield server


# one notebook's tests on one worker (with `pytest -n 2 --dist loadgroup`), so that it
# is opened and run once (tests/xdist_groups.py)
GROUP_BY_PARAM = "shown"


@pytest.fixture(scope="module", params=NAMES)
def shown(request, browser, lab):
    """(name, page): the notebook opened and run once; the tests of one notebook share it."""
    name = request.param
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        open_notebook(page, lab, f"{name}/{name}.ipynb")
        run_all(page)
        wait_rendered(page)
        yield name, page
    finally:
        context.close()
        lab.shutdown_kernels()


# ---------------------------------------------------------------- page helpers

def wait_rendered(page, timeout: float = 30) -> None:
    """Wait until the widget views and pictures are drawn: all pictures loaded, and
    neither count has changed for a second."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while True:
        now = page.evaluate(
            """([views, outputs]) => {
                const imgs = [...document.querySelectorAll(outputs + ' img')];
                const loaded = imgs.every(i => i.complete && i.naturalWidth > 0);
                return [document.querySelectorAll(views).length, imgs.length, loaded];
            }""", [WIDGET_VIEW, OUTPUTS])
        if now != last:
            last, since = now, time.monotonic()
        elif now[2] and time.monotonic() - since > 1.0:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the widgets or pictures did not finish drawing")
        time.sleep(0.2)


def at_width(page, viewport: dict) -> None:
    """Resize the window and let JupyterLab lay the notebook out again.

    At 1366 px the file browser stays open, as JupyterLab opens it; at 800 px it is
    closed, so the notebook has the whole window (an output area of about 620 px
    instead of 370): what does not fit then fits in no 800-px window.
    """
    if page.viewport_size == viewport:
        return
    page.set_viewport_size(viewport)
    stack = page.locator("#jp-left-stack")
    if stack.is_visible() != (viewport == WIDE):
        page.locator('.jp-SideBar.jp-mod-left li[data-id="filebrowser"]').click()
        stack.wait_for(state="visible" if viewport == WIDE else "hidden")
    time.sleep(1.0)


def screenshots(name: str, page, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for k, view in enumerate(page.locator(WIDGET_VIEW).all()):
        view.scroll_into_view_if_needed()
        view.screenshot(path=str(SHOTS / f"{name}-widget{k + 1}-{width}px.png"))


def report(name: str, what: str, problems: list[str]) -> str:
    return f"{name}: {len(problems)} {what}:\n  " + "\n  ".join(problems)


# Each check below runs in the page over every output area and returns a list of
# {where, what} records: `where` names the element for a reader (its cell, its kind,
# its label), `what` says what is wrong with it.
_JS_COMMON = """
const cellOf = (el) => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    return cells.indexOf(el.closest('.jp-Cell'));
};
const text = (el) => (el ? el.textContent : '').replace(/\\s+/g, ' ').trim();
const where = (el, kind, label) =>
    `cell ${cellOf(el)} ${kind}` + (label ? ` "${label.slice(0, 40)}"` : '');
const labelOf = (el) => text(el.querySelector(':scope > .widget-label, :scope > .nn-name'));
// sliders: ipywidgets' (a noUiSlider handle, a contenteditable readout) and the course's
// own (nbutils.widgets.controls: an <input type=range>, an <input type=number> readout)
const SLIDERS = '.widget-slider, .nn-slider';
const HANDLES = '.noUi-handle, [role=slider], input[type=range]';
const READOUTS = '.widget-readout, .nn-value';
const shownBy = (readout) => readout ? (readout.matches('input') ? readout.value.trim()
                                                                 : text(readout)) : null;
"""

_FIT_JS = _JS_COMMON + """
([outputs, minPx, minScale]) => {
    const found = [];
    // the horizontal span in which `el` can be seen: the window, cut by every
    // ancestor that clips or scrolls its overflow
    const span = (el) => {
        let l = 0, r = window.innerWidth;
        for (let a = el.parentElement; a; a = a.parentElement) {
            if (getComputedStyle(a).overflowX === 'visible') continue;
            const b = a.getBoundingClientRect();
            l = Math.max(l, b.left + a.clientLeft);
            r = Math.min(r, b.left + a.clientLeft + a.clientWidth);
        }
        return [l, r];
    };
    const unseen = (el) => {
        if (!el) return 'is missing';
        const cs = getComputedStyle(el);
        if (cs.display === 'none' || cs.visibility === 'hidden') return 'is hidden';
        const b = el.getBoundingClientRect();
        if (b.width < 1 || b.height < 1)
            return `has no size (${b.width.toFixed(0)}x${b.height.toFixed(0)} px)`;
        const [l, r] = span(el);
        if (b.left < l - 1 || b.right > r + 1)
            return `is out of sight: x ${b.left.toFixed(0)}..${b.right.toFixed(0)} px, ` +
                   `visible ${l.toFixed(0)}..${r.toFixed(0)} px`;
        if (cs.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1)
            return `is cut: its text needs ${el.scrollWidth} px, it has ${el.clientWidth} px`;
        return null;
    };
    const check = (el, kind, label, parts) => {
        if (!el.checkVisibility({visibilityProperty: true})) return;  // hidden on purpose
        for (const [part, node] of parts) {
            const bad = unseen(node);
            if (bad) found.push({where: where(el, kind, label), what: `${part} ${bad}`});
        }
    };
    for (const out of document.querySelectorAll(outputs)) {
        for (const el of out.querySelectorAll(SLIDERS)) {
            const label = el.querySelector(':scope > .widget-label, :scope > .nn-name');
            const parts = [['the slider', el], ['its value readout',
                           el.querySelector(READOUTS)]];
            if (text(label)) parts.push(['its name', label]);
            for (const h of el.querySelectorAll(HANDLES)) parts.push(['its handle', h]);
            check(el, 'slider', text(label), parts);
        }
        for (const el of out.querySelectorAll('.nn-choice')) {  // a radio group
            const legend = el.querySelector('legend');
            const parts = [['the choice', el], ['its name', legend]];
            for (const r of el.querySelectorAll('label')) parts.push([`option "${text(r)}"`, r]);
            check(el, 'choice', text(legend), parts);
        }
        const boxes = '.widget-dropdown, .widget-text, .widget-textarea, .widget-checkbox, ' +
                      '.widget-radio, .widget-toggle-buttons';
        for (const el of out.querySelectorAll(boxes)) {
            const label = el.querySelector(':scope > .widget-label');
            const input = el.querySelector('select, input, textarea, .widget-toggle-button');
            const parts = [['the control', el], ['its input', input]];
            if (text(label)) parts.push(['its name', label]);
            check(el, el.classList[0].replace('widget-', ''), text(label), parts);
        }
        for (const el of out.querySelectorAll('button')) {
            check(el, 'button', text(el) || el.getAttribute('aria-label'),
                  [['the button', el]]);
        }
        for (const el of out.querySelectorAll('img')) {
            const b = el.getBoundingClientRect();
            const need = Math.min(minPx, 0.9 * out.clientWidth);
            // the width it was drawn for: its width attribute or inline CSS width, else
            // its pixels
            const drawn = parseFloat(el.getAttribute('width')) ||
                          (el.style.width.endsWith('px') && parseFloat(el.style.width)) ||
                          el.naturalWidth;
            const at = where(el, 'picture', el.getAttribute('alt'));
            check(el, 'picture', el.getAttribute('alt'), [['the picture', el]]);
            if (b.width + 0.5 < need)
                found.push({where: at, what: `is ${b.width.toFixed(0)} px wide (drawn for ` +
                            `${drawn.toFixed(0)} px); readable needs >= ${need.toFixed(0)} px`});
            else if (b.width + 0.5 < minScale * drawn)
                found.push({where: at, what: `is shrunk to ${b.width.toFixed(0)} px of the ` +
                            `${drawn.toFixed(0)} px it was drawn for ` +
                            `(${(100 * b.width / drawn).toFixed(0)} %; its text stays ` +
                            `readable down to ${100 * minScale} %)`});
        }
    }
    return found;
}
"""

_NAMES_JS = _JS_COMMON + """
([outputs, views]) => {
    const found = [];
    const byIds = (el) => (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
        .map(id => text(document.getElementById(id))).join(' ').trim();
    const nameOf = (el) => (el.getAttribute('aria-label') || '').trim() || byIds(el) ||
        [...(el.labels || [])].map(text).join(' ').trim();
    const add = (el, kind, label, what) => found.push({where: where(el, kind, label), what});
    const sliders = [];
    for (const out of document.querySelectorAll(outputs)) {
        for (const el of out.querySelectorAll('img')) {
            if (!(el.getAttribute('alt') || '').trim())
                add(el, 'picture', '', `has no text alternative (alt is ` +
                    `${JSON.stringify(el.getAttribute('alt'))})`);
        }
        for (const el of out.querySelectorAll(HANDLES)) {
            const row = el.closest(SLIDERS);
            const label = row ? labelOf(row) : '';
            if (!nameOf(el))
                add(el, 'slider handle', label, 'has no accessible name (aria-label, ' +
                    'aria-labelledby)');
            // a native range says its value even without aria-valuetext: its value
            const announced = el.getAttribute('aria-valuetext') ||
                el.getAttribute('aria-valuenow') || (el.matches('input') ? el.value : null);
            sliders.push({where: where(el, 'slider handle', label), announced,
                          shown: shownBy(row ? row.querySelector(READOUTS) : null)});
        }
        for (const el of out.querySelectorAll('fieldset, [role=radiogroup]')) {
            const legend = el.querySelector(':scope > legend');
            if (!(el.getAttribute('aria-label') || '').trim() && !byIds(el) && !text(legend))
                add(el, 'radio group', '', 'has no name (legend, aria-label)');
        }
        for (const el of out.querySelectorAll('button')) {
            if (el.checkVisibility({visibilityProperty: true}) && !text(el) && !nameOf(el))
                add(el, 'button', el.getAttribute('title'), 'has no text and no aria-label');
        }
        for (const el of out.querySelectorAll('.widget-toggle-button, ' +
                                              '.widget-toggle-buttons button')) {
            // its state, as a pressed button, a checked radio or a selected option
            const state = ['aria-pressed', 'aria-checked', 'aria-selected']
                .map(k => el.getAttribute(k)).find(v => v !== null) ?? null;
            const active = String(el.classList.contains('mod-active'));
            if (state !== active)
                add(el, 'toggle', text(el), `announces its state as ${state} (aria-pressed, ` +
                    `aria-checked, aria-selected) while it shows pressed=${active}`);
        }
        for (const el of out.querySelectorAll('select, input, textarea')) {
            if (el.type !== 'hidden' && !nameOf(el))
                add(el, el.tagName.toLowerCase(), '', 'has no accessible name');
        }
    }
    for (const view of document.querySelectorAll(views)) {
        const controls = view.querySelector('.widget-slider, button, select, input');
        const live = view.querySelector('[aria-live]:not([aria-live=off]), [role=status], ' +
                                        '[role=log], [role=alert]');
        if (controls && !live)
            add(view, 'widget', '', 'has controls but no live region announcing its readout');
    }
    return {found, sliders};
}
"""

_CELL_JS = """(sel) => {
    const el = document.querySelector(sel);
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    return el ? cells.indexOf(el.closest('.jp-Cell')) : -1;
}"""

# every control that takes arrow keys: a dropdown, a range, a radio group (its checked
# radio, which is where Tab puts the focus); tagged so that Playwright can find it again
_KEYED_JS = """
(outputs) => {
    const found = [...document.querySelectorAll(outputs + ' select, ' + outputs +
                                                ' input[type=range]')];
    const groups = new Set();
    for (const r of document.querySelectorAll(outputs + ' input[type=radio]')) {
        if (groups.has(r.name)) continue;
        groups.add(r.name);
        const all = [...document.getElementsByName(r.name)];
        found.push(all.find(x => x.checked) || all[0]);
    }
    return found.map((el, i) => {
        el.setAttribute('data-a11y-keyed', String(i));
        const label = el.getAttribute('aria-label') || el.closest('fieldset, label, div')
            ?.querySelector('legend, .widget-label, .nn-name')?.textContent || '';
        return [i, el.tagName.toLowerCase() + (el.type ? `[${el.type}]` : ''), label.trim()];
    });
}
"""

# its state, and whether ArrowDown can change it (else ArrowUp is pressed)
_KEY_STATE_JS = """
(el) => {
    if (el.tagName === 'SELECT')
        return [el.selectedIndex, el.selectedIndex + 1 < el.options.length];
    if (el.type === 'range') return [Number(el.value), Number(el.value) > Number(el.min)];
    const all = [...document.getElementsByName(el.name)];
    return [all.findIndex(x => x.checked), true];  // radios wrap round
}
"""


def significant_digits(number: str) -> int:
    mantissa = number.lower().split("e")[0]
    return len(re.sub(r"[^0-9]", "", mantissa).lstrip("0").rstrip("0") or "0")


def announcement_problem(announced: str | None, shown: str | None) -> str | None:
    """What is wrong with the value a slider announces, given the readout it shows."""
    if announced is None:
        return "announces no value (aria-valuenow, aria-valuetext)"
    a, s = (t.replace("\u2212", "-").strip() for t in (announced, shown or ""))
    if shown is None or a == s:
        return None
    try:
        same = math.isclose(float(a), float(s), rel_tol=1e-6, abs_tol=1e-12)
    except ValueError:
        same = False
    if same and significant_digits(a) <= 6:
        return None
    noise = " (float noise)" if same else ""
    return f"announces {announced!r}{noise} while its readout shows {shown!r}"


# ---------------------------------------------------------------- tests

def test_outputs_pass_axe(shown):
    """axe-core over the output areas at 1366x900: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    name, page = shown
    at_width(page, WIDE)
    screenshots(name, page, WIDE["width"])
    results = Axe().run(page, context={"include": [OUTPUTS]},
                        options={"resultTypes": ["violations"]}).response
    problems = []
    for v in results["violations"]:
        for node in v["nodes"]:
            impact = node.get("impact") or v["impact"]
            if impact in ("serious", "critical"):
                target = " ".join(map(str, node["target"]))
                cell = page.evaluate(_CELL_JS, str(node["target"][-1]))
                problems.append(f"{v['id']} ({impact}) in cell {cell}, {target} "
                                f"{node['html'][:90]}: {v['help']} -- {v['helpUrl']}")
    assert not problems, report(name, "serious or critical axe-core violation(s)", problems)


def test_everything_has_a_name(shown):
    """Pictures have alt text; handles, buttons and inputs have names; toggles say if they
    are pressed; sliders announce what their readout shows; readouts are live regions."""
    name, page = shown
    at_width(page, WIDE)
    result = page.evaluate(_NAMES_JS, [OUTPUTS, WIDGET_VIEW])
    problems = [f"{p['where']}: {p['what']}" for p in result["found"]]
    for s in result["sliders"]:
        bad = announcement_problem(s["announced"], s["shown"])
        if bad:
            problems.append(f"{s['where']}: {bad}")
    assert not problems, report(name, "unnamed or misannounced element(s)", problems)


def test_everything_fits_at_800px(shown):
    """At 800 px wide every control shows, uncut, with its name and value; pictures stay
    readable (>= 300 px, or 90 % of the output area when that is narrower, and at least
    half the width they were drawn for)."""
    name, page = shown
    at_width(page, NARROW)
    screenshots(name, page, NARROW["width"])
    found = page.evaluate(_FIT_JS, [OUTPUTS, MIN_PICTURE_PX, MIN_PICTURE_SCALE])
    problems = [f"{p['where']}: {p['what']}" for p in found]
    assert not problems, report(name, "control(s) or picture(s) that do not fit at 800 px",
                                problems)


def test_controls_answer_arrow_keys(shown):
    """A focused dropdown, slider or choice changes on ArrowDown (or ArrowUp); JupyterLab's
    command mode does not take the key to move the notebook to another cell."""
    name, page = shown
    at_width(page, WIDE)
    active = "() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]" \
             ".findIndex(c => c.classList.contains('jp-mod-active'))"
    problems = []
    for i, kind, label in page.evaluate(_KEYED_JS, OUTPUTS):
        control = page.locator(f"[data-a11y-keyed='{i}']")
        control.scroll_into_view_if_needed()
        before, down = control.evaluate(_KEY_STATE_JS)
        key = "ArrowDown" if down else "ArrowUp"
        control.focus()
        cell0 = page.evaluate(active)
        page.keyboard.press(key)
        time.sleep(0.3)
        after, _ = control.evaluate(_KEY_STATE_JS)
        cell1 = page.evaluate(active)
        if after == before or cell1 != cell0:
            problems.append(f"{kind} {label!r}: {key} moved its value {before} -> {after} "
                            f"and the active cell {cell0} -> {cell1}")
    assert not problems, report(name, "control(s) that lose the arrow keys", problems)
