"""nbutils.plots: static figures without pyplot, shown with a text alternative."""

import base64
import re

from nbutils import plots
from nbutils.plots import neuron


def test_the_notebook_s_figure_and_show(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    fig, ax = plots.figure(6, 3.2)
    neuron.draw_neuron(ax)
    plots.show(fig, alt="a <neuron>")
    html = shown[0].data
    assert html.startswith("<img ") and 'alt="a &lt;neuron&gt;"' in html
    assert "data:image/png;base64," in html and "max-width:100%" in html


def test_figure_makes_one_axes_a_grid_or_none():
    fig, ax = plots.figure(4, 2)
    assert fig.axes == [ax] and fig.canvas.manager is None
    fig, axes = plots.figure(6, 2, ncols=2, width_ratios=[1, 2])
    assert axes.shape == (2,) and len(fig.axes) == 2
    assert plots.figure(3, 1, axes=False).axes == []


def test_figure_html_is_the_png_cropped_like_the_inline_backend():
    fig, ax = plots.figure(4, 2)
    ax.plot([0, 1], [0, 1])
    html = plots.figure_html(fig, alt="a line")
    png = base64.b64decode(re.search(r"base64,([^']+)'", html).group(1))
    assert png[:4] == b"\x89PNG" and 'alt="a line"' in html and "style='max-width" in html
