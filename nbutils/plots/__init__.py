"""The course's pictures, one module per notebook: pure functions that draw on an ``ax``
they are given and return the artists they made (update functions move those).

Static figures in a notebook are made with :func:`figure` and shown with :func:`show`,
which gives the picture a text alternative::

    from nbutils.plots import neuron as plots

    fig, ax = plots.figure(6, 3.2)
    plots.draw_neuron(ax, w=(0, 1), b=4, x=(2, 3))
    plots.show(fig, alt="A neuron with two inputs ...")
"""

from __future__ import annotations

import io

from .. import live


def figure(width: float = 6.4, height: float = 3.4, dpi: int = 96, *, nrows: int = 1,
           ncols: int = 1, axes: bool = True, **subplots_kw):
    """A figure on its own canvas (no pyplot), like ``plt.subplots``.

    Returns ``fig, ax`` (one axes), ``fig, axes`` (``nrows x ncols`` of them;
    ``subplots_kw`` as for ``Figure.subplots``, e.g. ``width_ratios``), or
    just ``fig`` with ``axes=False`` (for a plot function that makes its own).
    """
    fig = live.new_figure(width, height, dpi=dpi)
    if not axes:
        return fig
    return fig, fig.subplots(nrows, ncols, **subplots_kw)


def figure_html(fig, alt: str) -> str:
    """``fig`` as ``<img alt=...>`` HTML (a PNG cropped to what is drawn, like the
    inline backend; it shrinks with a narrow window)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight")
    return live.img_html(buf.getvalue(), alt)


def show(fig, alt: str) -> None:
    """Display ``fig`` in the notebook as an image whose text alternative is ``alt``.

    ``alt`` says what the picture shows and what to read from it, for a
    reader who cannot see it.
    """
    from IPython.display import HTML, display

    display(HTML(figure_html(fig, alt)))
