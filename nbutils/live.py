"""A figure that is drawn once and then updated in place, shown in a widget.

Every live widget of the course is built the same way:

1. a *pure* plotting function draws the figure once and returns the
   artists that move (``Line2D``, ``AxesImage``, ``Text`` ...);
2. a pure *update* function changes those artists' data
   (``set_data``, ``set_array``, ``set_text``) for new parameter values;
3. :class:`LiveFigure` shows the figure as an ``<img>`` with a text
   alternative (``alt``) in an ``ipywidgets.HTML`` and, on each update,
   redraws only the moving artists over a cached background (blitting)
   before encoding the PNG that goes to the browser;
4. :func:`connect` ties sliders to the update, coalescing a fast drag so
   that no backlog of redraws builds up and the last position always wins.

No pyplot is involved: figures live on their own Agg canvas, so nothing
here depends on the notebook's matplotlib backend, and the same code runs
in JupyterLab, under nbval, in nbgrader's autograde and in plain pytest.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import struct
import sys
import time
from typing import Callable, Iterable, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

__all__ = ["LiveFigure", "connect", "new_figure"]


def new_figure(width: float = 7.0, height: float = 3.5, dpi: int = 96, **kwargs) -> Figure:
    """A Figure on its own Agg canvas (no pyplot, no global state)."""
    fig = Figure(figsize=(width, height), dpi=dpi, **kwargs)
    FigureCanvasAgg(fig)
    return fig


PICTURE_CLASS = "nn-picture widget-image"  # the <img>'s classes (browser tests find it)


def img_html(png: bytes, alt: str) -> str:
    """An ``<img>`` showing ``png`` with the text alternative ``alt``.

    Its ``width`` and ``height`` are the PNG's pixels: the browser keeps
    that space (and aspect ratio) while a new picture decodes, so a fast
    slider drag never makes the layout jump; ``decoding="sync"`` keeps the
    old picture from blinking out. It shrinks with a narrow window
    (``max-width: 100%``). Used for live pictures and static figures alike.
    """
    width, height = struct.unpack(">II", png[16:24])  # the PNG's IHDR chunk
    src = base64.b64encode(png).decode("ascii")
    return (f"<img class='{PICTURE_CLASS}' alt=\"{html.escape(alt)}\" width='{width}' "
            f"height='{height}' decoding='sync' style='max-width:100%;height:auto' "
            f"src='data:image/png;base64,{src}'>")


class LiveFigure:
    """Show ``fig`` as an image with alt text and redraw it cheaply.

    ``animated``: the artists that change on updates. They are drawn over a
    cached picture of everything else (blitting). Pass nothing to redraw the
    whole canvas on each update (still far cheaper than a new figure).
    Call :meth:`refresh_background` after changing something static, such
    as an axis limit. ``alt``: what the picture shows, in words; set
    :attr:`alt` before a :meth:`refresh` to describe the new picture.

    ``widget`` is an ``ipywidgets.HTML`` holding ``<img alt=...>``
    (``ipywidgets.Image`` has no alt attribute in its model).
    """

    def __init__(self, fig: Figure, animated: Iterable = (), *, compress_level: int = 1,
                 alt: str = "A live figure; the text beside it gives its values."):
        import ipywidgets  # imported here: nbutils imports nothing heavy at import time

        self.fig = fig
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        self.canvas: FigureCanvasAgg = fig.canvas
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)
        self.compress_level = compress_level
        self._background = None
        self.frames = 0
        self.alt = alt
        self.widget = ipywidgets.HTML(layout=ipywidgets.Layout(max_width="100%"))
        self.refresh_background()

    def refresh_background(self) -> None:
        """Redraw everything that does not move, cache it, then draw the rest."""
        self.canvas.draw()  # animated artists are left out of a full draw
        if self.animated:
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.refresh()

    def refresh(self) -> None:
        """Redraw after the moving artists changed, and send the new picture."""
        if self.animated:
            self.canvas.restore_region(self._background)
            for artist in self.animated:
                (artist.axes or self.fig).draw_artist(artist)
        else:
            self.canvas.draw()
        self.widget.value = img_html(self.png(), self.alt)
        self.frames += 1

    def png(self) -> bytes:
        """The current picture as PNG bytes (what the browser receives)."""
        buf = self.canvas.buffer_rgba()
        image = PILImage.frombuffer("RGBA", (buf.shape[1], buf.shape[0]), buf,
                                    "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        image.save(out, format="png", compress_level=self.compress_level)
        return out.getvalue()

    def save(self, path) -> None:
        """Write the current picture to a PNG file (for notes and tests)."""
        with open(path, "wb") as f:
            f.write(self.png())


def _kernel_loop():
    """The running event loop when we are inside an IPython kernel, else None.

    Only a kernel receives slider messages faster than it can redraw, so
    only there are updates deferred and coalesced. Elsewhere (plain Python,
    tests, a process that happens to run some other event loop, such as
    Playwright's) every change is drawn at once.
    """
    kernel = getattr(sys.modules.get("ipykernel.kernelapp"), "IPKernelApp", None)
    if kernel is None or not kernel.initialized():
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def connect(
    controls: Sequence,
    update: Callable[[], None],
    *,
    min_interval: float = 0.02,
) -> Callable[[], None]:
    """Call ``update()`` whenever one of ``controls`` changes value, coalesced.

    Inside a running kernel, changes are gathered and ``update`` runs at most
    once per ``min_interval`` seconds, always after the last change, so a
    fast drag never queues redraws and the final position is what is shown.
    Without an event loop (plain Python, tests) ``update`` runs at once.
    Returns ``flush``, which runs a pending update immediately (and does
    nothing when no change is waiting, so calling it twice never redraws twice).
    """
    state = {"handle": None, "last": 0.0, "pending": False}

    def flush() -> None:
        """Run the pending update now (nothing happens when none is pending)."""
        if state["handle"] is not None:
            state["handle"].cancel()
            state["handle"] = None
        if not state["pending"]:
            return
        state["pending"] = False
        state["last"] = time.monotonic()
        update()

    def on_change(_change=None) -> None:
        state["pending"] = True
        loop = _kernel_loop()
        if loop is None:
            flush()
            return
        if state["handle"] is not None:
            return  # an update is already due; it will read the newest values
        wait = max(0.0, min_interval - (time.monotonic() - state["last"]))
        state["handle"] = loop.call_later(wait, _run)

    def _run() -> None:
        state["handle"] = None
        flush()

    for control in controls:
        control.observe(on_change, names="value")
    return flush
