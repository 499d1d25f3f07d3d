"""nbutils.widgets.examples: every notebook's widgets, each as its notebook shows it."""

import nbformat
import pytest
from harness import ROOT, assignments
from traitlets import ObserveHandler

from nbutils.widgets import examples

EXAMPLES = [make for makes in examples.BY_NOTEBOOK.values() for make in makes]


def test_every_notebook_lists_one_example_per_widget_cell():
    assert set(examples.BY_NOTEBOOK) == set(assignments())
    for name, makes in examples.BY_NOTEBOOK.items():
        nb = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
        cells = [c for c in nb.cells if "widget" in c.metadata.get("tags", [])]
        assert len(cells) == len(makes), name


def controls(widget) -> dict:
    return {**widget.sliders, **widget.choices, **getattr(widget, "settings", {})}


@pytest.mark.parametrize("make", EXAMPLES, ids=lambda m: m.__name__)
def test_one_observer_per_control(make):
    """Each control is watched by the widget once: no control sets another and needs
    a flag to ignore its own echo (a control's own @observe handlers do not count)."""
    widget = make()
    assert controls(widget), "a widget without controls"
    for name, control in controls(widget).items():
        handlers = control._trait_notifiers.get("value", {}).get("change", [])
        ours = [h for h in handlers if not isinstance(h, ObserveHandler)]
        assert len(ours) == 1, (make.__name__, name, ours)
