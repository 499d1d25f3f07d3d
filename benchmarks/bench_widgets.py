"""How long one slider move of each notebook's widget takes, and what it saves.

For every widget of :data:`nbutils.widgets.examples.BY_NOTEBOOK` (each exactly
as its notebook shows it), named after its example function:

- ``slider_update_ms.<module>``: median time of one slider move, everything
  the kernel does for it: the compute, the artist updates, the redraw
  (blitting through :class:`nbutils.live.LiveFigure`) and the PNG encoding of
  what is sent to the browser. The moves go round the widget's sliders, to
  values spread over each slider's range.
- ``slider_speedup_vs_full_redraw.<module>``: the same update done the naive
  way, as an ``interact`` callback with ``plt.show()`` would: a fresh figure
  drawn from the module's plotting functions, rendered in full and saved as
  PNG (``savefig``, like the inline backend), divided by ours. Measured by
  building the widget with a LiveFigure stand-in whose ``refresh`` is
  ``savefig``, so exactly one full render and one PNG per update.
- ``slider_canvas_redraw_ms.<module>`` (for information): updating the
  existing figure's artists and redrawing the whole canvas, no blitting.
"""

from __future__ import annotations

import io
import statistics
import warnings

import numpy as np
from run import clock

RUNS = 5          # repeated runs; each value is the median over runs
MOVES = 20        # slider moves per run
TARGETS = {
    "slider_update_ms.": ("<=", 30.0),
    "slider_speedup_vs_full_redraw.": (">=", 3.0),
}
SPREAD: dict[str, tuple[float, float]] = {}
UNITS: dict[str, str] = {}
NOTES: dict[str, str] = {}


def widget_examples() -> dict[str, object]:
    """Example name -> the function that builds it, in notebook order."""
    from nbutils.widgets import examples

    return {make.__name__: make for makes in examples.BY_NOTEBOOK.values() for make in makes}


def plan(widget, n: int) -> list[tuple[object, float]]:
    """``n`` moves round the sliders, each to a new value on the slider's grid."""
    sliders = list(widget.sliders.values())
    moves = []
    for i in range(n):
        s = sliders[i % len(sliders)]
        k = (i // len(sliders)) * 7 + 3
        if hasattr(s, "options"):  # a SelectionSlider: move to another option
            values = [v for _, v in s._options_full] if hasattr(s, "_options_full") \
                else list(s.options)
            pick = values[(k * 37) % len(values)]
            if pick == s.value:
                pick = values[(k * 37 + 1) % len(values)]
            moves.append((s, pick))
            continue
        lo, hi = float(s.min), float(s.max)
        step = float(getattr(s, "step", 0) or (hi - lo) / 100)
        n_steps = max(1, round((hi - lo) / step))
        value = lo + ((k * 37) % (n_steps + 1)) * step
        current = float(s.value)
        if hasattr(s, "base"):  # a FloatLogSlider: min, max and step are exponents
            current = float(np.log(current) / np.log(s.base))
        if abs(value - current) < step / 2:
            value = lo + ((k * 37 + n_steps // 2) % (n_steps + 1)) * step
        if hasattr(s, "base"):
            value = float(s.base) ** value
        moves.append((s, type(s.value)(value) if isinstance(s.value, int) else value))
    return moves


def move(widget, slider, value) -> None:
    # outside a running event loop live.connect runs the update at once (no
    # coalescing to wait for); calling the widget's flush() as well would run
    # the update a second time (flush updates whether or not one is pending)
    slider.value = value


def time_moves(widget, moves) -> list[float]:
    out = []
    for slider, value in moves:
        t0 = clock()
        move(widget, slider, value)
        out.append((clock() - t0) * 1e3)
    return out


class _FreshPNG:
    """Stands in for LiveFigure: every refresh renders the whole figure with savefig."""

    def __init__(self, fig, animated=(), **_):
        import ipywidgets

        self.fig, self.animated, self.frames = fig, list(animated), 0
        self.canvas = fig.canvas
        self.widget = ipywidgets.Image(format="png")

    def refresh_background(self):
        self.refresh()

    def refresh(self):
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=self.fig.dpi)
        self.widget.value = buf.getvalue()
        self.frames += 1

    def png(self):
        return self.widget.value

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.png())


def fresh_render_ms(make) -> float:
    """Build the example widget anew with every refresh a full savefig: one update's cost."""
    import nbutils.live as live

    original = live.LiveFigure
    try:
        live.LiveFigure = _FreshPNG
        t0 = clock()
        w = make()
        elapsed = (clock() - t0) * 1e3
        frames = w.live.frames
    finally:
        live.LiveFigure = original
    return elapsed / max(frames, 1)


def canvas_redraw_ms(widget, moves) -> float:
    """Update artists and redraw the whole existing canvas (no blitting), PNG included."""
    live = widget.live
    animated, live.animated = live.animated, []
    for a in animated:
        a.set_animated(False)
    try:
        return statistics.median(time_moves(widget, moves))
    finally:
        for a in animated:
            a.set_animated(True)
        live.animated = animated
        live.refresh_background()


def run() -> dict[str, float]:
    warnings.filterwarnings("ignore")
    results: dict[str, float] = {}
    for name, make in widget_examples().items():
        ours, fresh, canvas = [], [], []
        for _ in range(RUNS):
            w = make()
            moves = plan(w, MOVES)
            move(w, *moves[-1])  # warm caches (text layout, fonts) before timing
            frames0 = w.live.frames
            ours.append(statistics.median(time_moves(w, moves)))
            if w.live.frames - frames0 < len(moves):
                NOTES[f"slider_update_ms.{name}"] = (
                    f"{w.live.frames - frames0} of {len(moves)} moves redrew the figure; the "
                    "others changed only the readout (e.g. a learning rate before training)")
            fresh.append(fresh_render_ms(make))
            canvas.append(canvas_redraw_ms(w, moves[:6]))
        speedups = [f / o for f, o in zip(fresh, ours, strict=True)]
        for key, values, unit in [(f"slider_update_ms.{name}", ours, "ms"),
                                  (f"slider_speedup_vs_full_redraw.{name}", speedups, "x"),
                                  (f"slider_full_redraw_ms.{name}", fresh, "ms"),
                                  (f"slider_canvas_redraw_ms.{name}", canvas, "ms")]:
            results[key] = statistics.median(values)
            SPREAD[key] = (min(values), max(values))
            UNITS[key] = unit
    return results


if __name__ == "__main__":
    for k, v in run().items():
        print(f"{k:45s} {v:8.2f}  {SPREAD[k][0]:.2f}-{SPREAD[k][1]:.2f}")
