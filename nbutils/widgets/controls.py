"""The course's own slider and choice: native HTML controls every reader can use.

ipywidgets' ``FloatSlider`` draws its handle as a ``div[role=slider]`` with
no accessible name that announces raw floats (``4.000000000000002``), and its
``ToggleButtons`` never say which option is pressed. These two widgets
(:mod:`anywidget`, a few lines of JavaScript below) are plain HTML instead:

- :class:`Slider`: ``<label>`` + ``<input type=range>`` named after the
  slider, announcing the value as its readout prints it (``aria-valuetext``),
  + an ``<input type=number>`` readout showing the value and taking a typed one;
- :class:`Choice`: a ``<fieldset>`` whose ``<legend>`` names it, one radio
  button per option (a screen reader says which one is checked).

Both answer the arrow keys natively. JupyterLab's command-mode shortcuts
(``notebook:move-cursor-down`` on ArrowDown, selector ``.jp-Notebook.
jp-mod-commandMode:not(.jp-mod-readWrite) :focus``) would also move the
notebook to the next cell: ``jp-mod-readWrite`` is set on the notebook only
while a text field has the focus, never a range or a radio. So the widget
stops the arrow, Home/End and PageUp/PageDown keys at its root (JupyterLab
listens for shortcuts on the document, in the bubbling phase); the control
has already acted on them.

They keep the interface of the ipywidgets they replace: ``.value``,
``.observe(fn, names="value")``, ``.description``, ``.min``, ``.max``,
``.step``, ``.readout_format``, ``.tooltip``; ``.options`` for a choice.
"""

from __future__ import annotations

from typing import Sequence

import anywidget
import traitlets

from .. import palette
from .base import decimals

WIDTH = "290px"  # a slider: name + track + value, side by side

# the keys a range or a radio group acts on, kept from JupyterLab's shortcuts
_KEEP_KEYS = """
const KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight",
                      "PageUp", "PageDown", "Home", "End"]);
let uid = 0;
function keepKeys(el) {
  el.addEventListener("keydown", (e) => { if (KEYS.has(e.key)) e.stopPropagation(); });
}
function nameOf(model) {  // the accessible name: the visible name first
  const d = model.get("description"), l = model.get("label") || d;
  return l.includes(d) ? l : `${d}: ${l}`;
}
"""

_SLIDER_ESM = _KEEP_KEYS + """
function digitsOf(fmt) { const m = /\\.(\\d+)/.exec(fmt); return m ? +m[1] : 0; }
function render({ model, el }) {
  const id = `nn-slider-${++uid}-${Math.random().toString(36).slice(2, 8)}`;
  el.classList.add("nn-control", "nn-slider");
  const name = document.createElement("label");
  const range = document.createElement("input");
  const typed = document.createElement("input");
  name.className = "nn-name";
  name.htmlFor = range.id = id;
  range.type = "range";
  typed.type = "number";
  typed.className = "nn-value";
  el.append(name, range, typed);
  keepKeys(el);
  const fmt = (v) => {
    const s = Number(v).toFixed(digitsOf(model.get("readout_format")));
    return /^-0(\\.0*)?$/.test(s) ? s.slice(1) : s;
  };
  const draw = () => {
    const [lo, hi, step] = ["min", "max", "step"].map((k) => model.get(k));
    const label = nameOf(model);
    name.textContent = model.get("description");
    for (const box of [range, typed]) Object.assign(box, { min: lo, max: hi, step });
    range.setAttribute("aria-label", label);
    typed.setAttribute("aria-label", `${label}, typed`);
    typed.style.width = `${Math.max(fmt(lo).length, fmt(hi).length) + 3}ch`;
    const value = model.get("value"), text = fmt(value);
    range.value = value;
    range.setAttribute("aria-valuetext", text);
    if (document.activeElement !== typed) typed.value = text;
  };
  const send = (v) => { model.set("value", v); model.save_changes(); draw(); };
  range.addEventListener("input", () => send(Number(range.value)));
  const commit = () => {
    const v = Number(typed.value), lo = model.get("min"), step = model.get("step");
    if (typed.value.trim() === "" || !Number.isFinite(v)) { typed.value = ""; draw(); return; }
    const snapped = lo + Math.round((v - lo) / step) * step;
    const clipped = Math.min(model.get("max"), Math.max(lo, snapped));
    send(Number(clipped.toFixed(digitsOf(model.get("readout_format")) + 2)));
    typed.value = fmt(model.get("value"));  // as the readout prints it
  };
  typed.addEventListener("change", commit);
  typed.addEventListener("keydown", (e) => { if (e.key === "Enter") commit(); });
  typed.addEventListener("blur", draw);
  const keys = ["value", "min", "max", "step", "description", "label", "readout_format"];
  for (const k of keys) model.on(`change:${k}`, draw);
  draw();
  return () => { for (const k of keys) model.off(`change:${k}`, draw); };
}
export default { render };
"""

_CHOICE_ESM = _KEEP_KEYS + """
function render({ model, el }) {
  const group = `nn-choice-${++uid}-${Math.random().toString(36).slice(2, 8)}`;
  el.classList.add("nn-control", "nn-choice");
  const box = document.createElement("fieldset");
  const legend = document.createElement("legend");
  const options = document.createElement("div");
  options.className = "nn-options";
  box.append(legend, options);
  el.append(box);
  keepKeys(el);
  const draw = () => {
    legend.textContent = model.get("description");
    box.setAttribute("aria-label", nameOf(model));
    const labels = model.get("_labels"), index = model.get("index");
    if (options.children.length !== labels.length) {
      options.replaceChildren(...labels.map((_, i) => {
        const label = document.createElement("label");
        const radio = document.createElement("input");
        Object.assign(radio, { type: "radio", name: group, value: String(i) });
        label.append(radio, document.createElement("span"));
        return label;
      }));
    }
    labels.forEach((text, i) => {
      const label = options.children[i];
      label.lastChild.textContent = text;
      label.firstChild.checked = i === index;
    });
  };
  box.addEventListener("change", (e) => {
    model.set("index", Number(e.target.value));
    model.save_changes();
  });
  const keys = ["index", "_labels", "description", "label"];
  for (const k of keys) model.on(`change:${k}`, draw);
  draw();
  return () => { for (const k of keys) model.off(`change:${k}`, draw); };
}
export default { render };
"""

_CSS = f"""
.nn-control {{ color: var(--jp-content-font-color1, {palette.TEXT});
  font-size: var(--jp-widgets-font-size, 13px); box-sizing: border-box; max-width: 100%; }}
.nn-control input {{ accent-color: {palette.POSITIVE}; margin: 0; }}
.nn-slider {{ display: flex; align-items: center; gap: 6px; width: {WIDTH};
  min-height: 28px; }}
.nn-slider .nn-name {{ flex: 0 0 auto; white-space: nowrap; }}
.nn-slider input[type=range] {{ flex: 1 1 80px; min-width: 60px; }}
.nn-slider .nn-value {{ flex: 0 0 auto; font: inherit; font-family: monospace;
  box-sizing: content-box; padding: 1px 2px; }}
.nn-choice fieldset {{ border: 0; margin: 0; padding: 0; min-width: 0; }}
.nn-choice legend {{ float: left; padding: 3px 8px 0 0; }}
.nn-choice .nn-options {{ display: flex; flex-wrap: wrap; gap: 2px 4px; }}
.nn-choice label {{ display: inline-flex; align-items: center; gap: 4px; padding: 2px 7px;
  border: 1px solid {palette.MUTED_TEXT}; border-radius: 3px; cursor: pointer; }}
.nn-choice label:has(input:checked) {{ background: {palette.INPUT_FILL};
  border-color: {palette.POSITIVE}; font-weight: bold; }}
.nn-choice label:has(input:focus-visible) {{ outline: 2px solid {palette.POSITIVE};
  outline-offset: 1px; }}
"""


class Slider(anywidget.AnyWidget):
    """A named slider over ``[min, max]`` in steps of ``step``, with its value beside it.

    ``description``: the name shown before it; ``label``: its accessible name
    (and tooltip), a longer name such as "weight w1, x1 to h1" (default:
    ``description``). The value is printed, and announced, with
    ``readout_format`` (default: as many decimals as ``step`` has). A value
    set from Python is kept in ``[min, max]``; one typed into the readout is
    also put on the step grid.
    """

    _esm = _SLIDER_ESM
    _css = _CSS
    value = traitlets.Float(0.0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(1.0).tag(sync=True)
    step = traitlets.Float(0.1).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    readout_format = traitlets.Unicode(".1f").tag(sync=True)

    def __init__(self, value=0.0, min=0.0, max=1.0, step=0.1, *, description: str = "",
                 label: str | None = None, readout_format: str | None = None, **kwargs):
        label = label or description
        super().__init__(value=value, min=min, max=max, step=step, description=description,
                         label=label, tooltip=label, **kwargs,
                         readout_format=readout_format or f".{decimals(step)}f")

    @traitlets.validate("value")
    def _in_range(self, proposal):
        return min(max(proposal["value"], self.min), self.max)


class IntSlider(Slider):
    """A :class:`Slider` of whole numbers (a seed, a number of hidden units, an epoch)."""

    value = traitlets.Int(0).tag(sync=True)
    min = traitlets.Int(0).tag(sync=True)
    max = traitlets.Int(100).tag(sync=True)
    step = traitlets.Int(1).tag(sync=True)


def _pairs(options: Sequence) -> list[tuple[str, object]]:
    """``(label, value)`` for each option: a pair as it is, anything else labelled by str()."""
    return [tuple(o) if isinstance(o, tuple) and len(o) == 2 else (str(o), o) for o in options]


class Choice(anywidget.AnyWidget):
    """A named choice among a few ``options``: one radio button per option.

    ``options``: labels, or ``(label, value)`` pairs (then ``value`` is the
    chosen pair's value); ``value``: the one chosen first (default: the
    first). ``description``: the name shown before the options (the group's
    legend); ``label``: its accessible name and tooltip (default: ``description``).
    """

    _esm = _CHOICE_ESM
    _css = _CSS
    options = traitlets.Tuple()
    value = traitlets.Any()
    index = traitlets.Int(0).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    _labels = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, options: Sequence, value=None, *, description: str = "",
                 label: str | None = None, **kwargs):
        label = label or description
        super().__init__(options=tuple(options), description=description, label=label,
                         tooltip=label, **kwargs)
        self.value = self._values()[0] if value is None else value

    @property
    def _options_full(self) -> tuple:
        """The ``(label, value)`` pairs (ipywidgets' selection widgets' name for them)."""
        return tuple(_pairs(self.options))

    def _values(self) -> list:
        return [v for _, v in self._options_full]

    @traitlets.observe("options")
    def _new_options(self, _change) -> None:
        self._labels = [label for label, _ in _pairs(self.options)]

    @traitlets.validate("value")
    def _one_of_the_options(self, proposal):
        if proposal["value"] not in self._values():
            raise traitlets.TraitError(f"{proposal['value']!r} is not one of the options "
                                       f"{self._labels}")
        return proposal["value"]

    @traitlets.observe("value")
    def _show_value(self, change) -> None:
        self.index = self._values().index(change["new"])

    @traitlets.observe("index")
    def _take_index(self, change) -> None:
        self.value = self._values()[change["new"]]
