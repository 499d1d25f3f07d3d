"""What every live widget of the course shares (notebooks 01-06).

A widget is a thin class on top of :class:`Explorer`: it draws its picture
with the pure functions of ``nbutils.plots.<notebook>``, makes its controls
with :func:`slider` and :func:`choice`, and implements :meth:`Explorer.update`,
which moves the artists and ends with :meth:`Explorer.show`. The base
class does the rest:

- the picture: a :class:`nbutils.live.LiveFigure`, shown as ``<img alt=...>``
  whose alt text :meth:`Explorer.show` rewrites with what the picture shows;
- the readout: an HTML region with ``aria-live="polite"``, so a screen
  reader announces new values after a move;
- the note: why the widget shows the course's function instead of the
  student's (:func:`student_or_reference`);
- the layout: the note, then the controls in their own row that wraps
  (every control keeps its name, handle and value visible at 1366 px and
  800 px), the picture (never wider than the window), the readout;
- one observer per control: :func:`nbutils.live.connect` ties the sliders
  to ``update``; a :func:`choice` gets its own callback from the subclass.
"""

from __future__ import annotations

import html
from typing import Callable, Iterable, Sequence

from .. import live, palette

WRAP = {"display": "flex", "flex_flow": "row wrap", "align_items": "flex-start",
        "grid_gap": "4px 18px", "width": "100%"}


def student_or_reference(fn: Callable, reference: Callable, probe: Callable[[], object],
                         problem: str, fallback: str) -> tuple[Callable, str]:
    """The student's ``fn`` if ``probe()`` runs without raising, else ``reference``.

    A widget draws with the student's own function; while that is not
    written yet or is broken, it draws with the course's version and says so.
    Returns the function to use and the note to show ("" when it is the
    student's): "Your <name> <problem> (<error>); <fallback>."
    """
    try:
        probe()
        return fn, ""
    except Exception as exc:
        name = getattr(fn, "__name__", "your function")
        return reference, f"Your {name} {problem} ({type(exc).__name__}: {exc}); {fallback}."


def decimals(step: float) -> int:
    """How many decimals a slider with this ``step`` needs: 0.1 -> 1, 0.01 -> 2, 1 -> 0."""
    text = f"{step:.10f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def slider(name: str, value: float, lo: float, hi: float, step: float = 0.1,
           label: str | None = None, integer: bool = False):
    """A named :class:`~nbutils.widgets.controls.Slider`: ``name`` before it, its value after.

    The value is printed (and announced) with as many decimals as the step
    has (0.3, never 0.2999999999999998), and starts without float noise
    (rounded to 12 decimals). ``label``: a longer name, the slider's
    accessible name and tooltip (e.g. "weight w1, x1 to h1"). ``integer``:
    whole numbers (an :class:`~nbutils.widgets.controls.IntSlider`).
    """
    from . import controls

    if integer:
        return controls.IntSlider(int(value), int(lo), int(hi), int(step), description=name,
                                  label=label)
    return controls.Slider(round(float(value), 12), lo, hi, step, description=name,
                           label=label)


def choice(name: str, options: Sequence, value=None, label: str | None = None):
    """A named choice among a few ``options``, one radio button per option.

    A :class:`~nbutils.widgets.controls.Choice` (a screen reader says which
    option is checked; the arrow keys move the choice, and not the notebook
    to the next cell, as they would from a focused ``<select>`` in
    JupyterLab's command mode). ``options``: labels or ``(label, value)``
    pairs; ``value``: the one chosen first (default: the first).
    """
    from . import controls

    return controls.Choice(options, value, description=name, label=label)


def note_html(note: str) -> str:
    """The fallback note as HTML (``""`` when there is nothing to say)."""
    if not note:
        return ""
    return f"<p style='color:{palette.NOTE_TEXT}'>{html.escape(note)}</p>"


def live_region(inner_html: str, font_size: int = 14) -> str:
    """``inner_html`` in a polite live region: a screen reader reads it when it changes."""
    return (f"<div class='nn-readout' aria-live='polite' style='font-family:monospace;"
            f"font-size:{font_size}px;line-height:1.5;color:{palette.TEXT}'>{inner_html}</div>")


class Explorer:
    """The base of every live widget: picture, controls, readout, note, display.

    ``fig`` and ``animated``: the figure and its moving artists (see
    :class:`nbutils.live.LiveFigure`); ``alt``: the picture's first text
    alternative; ``note``: the fallback note from :func:`student_or_reference`.

    A subclass, in its ``__init__``: calls ``super().__init__``; fills
    ``self.sliders`` (name -> slider, in display order) and, if any,
    ``self.choices`` (name -> choice, each with one ``observe`` callback of
    its own); then calls :meth:`finish`. It implements :meth:`update`,
    which ends with ``self.show(readout_html, alt)``.
    """

    readout_font_size = 14

    def __init__(self, fig, animated: Iterable = (), *, alt: str, note: str = ""):
        import ipywidgets as widgets

        self.fig = fig
        self.note = note
        self.live = live.LiveFigure(fig, animated, alt=alt)
        self.readout = widgets.HTML()
        self.sliders: dict = {}
        self.choices: dict = {}
        self.flush: Callable[[], None] = lambda: None
        self.box = None

    def update(self) -> None:
        """Read the controls, move the artists, then call :meth:`show`."""
        raise NotImplementedError

    def show(self, readout_html: str, alt: str) -> None:
        """Write the readout (a live region), describe the picture, send it."""
        self.readout.value = live_region(readout_html, self.readout_font_size)
        self.live.alt = alt
        self.live.refresh()

    def finish(self, controls: Sequence | None = None, *, below: bool = False,
               extra: Sequence = ()) -> None:
        """Draw once, tie the sliders to :meth:`update`, and lay the widget out.

        ``controls``: what goes in the wrapping row (default: the choices,
        then the sliders); pass groups (e.g. a ``VBox`` per neuron) to keep
        related sliders together. ``below``: the row under the picture
        instead of above it. ``extra``: widgets under the readout.
        """
        import ipywidgets as widgets

        self.update()
        self.flush = live.connect(list(self.sliders.values()), self.update)
        if controls is None:
            controls = list(self.choices.values()) + list(self.sliders.values())
        row = widgets.Box(list(controls), layout=widgets.Layout(**WRAP))
        note = [widgets.HTML(note_html(self.note))] if self.note else []
        parts = [self.live.widget, row] if below else [row, self.live.widget]
        self.box = widgets.VBox(note + parts + [self.readout] + list(extra),
                                layout=widgets.Layout(max_width="100%"))

    def group(self, title: str, names: Iterable[str]):
        """A titled column of some of ``self.sliders`` (one item of the control row)."""
        import ipywidgets as widgets

        heading = widgets.HTML(f"<b>{html.escape(title)}</b>")
        return widgets.VBox([heading] + [self.sliders[n] for n in names])

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)
