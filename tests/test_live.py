"""nbutils.live: figures drawn once and updated in place, sliders coalesced."""

import asyncio
import base64
import io
import re
import threading

import numpy as np
from PIL import Image

from nbutils import live


def _figure():
    fig = live.new_figure(3, 2)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    point, = ax.plot([0.5], [0.5], "o")
    return fig, ax, point


def test_new_figure_has_its_own_canvas_and_no_pyplot():
    fig = live.new_figure(2, 1, dpi=50)
    assert fig.canvas.get_width_height() == (100, 50)
    assert fig.canvas.manager is None  # not known to pyplot


def test_the_picture_is_an_img_with_alt_text():
    fig, _, point = _figure()
    lf = live.LiveFigure(fig, [point], alt="a line & a point")
    value = lf.widget.value
    assert value.startswith("<img ") and 'alt="a line &amp; a point"' in value
    assert "max-width:100%" in value and "width='288' height='192'" in value
    png = base64.b64decode(re.search(r"base64,([^']+)'", value).group(1))
    assert png == lf.png() and png[:4] == b"\x89PNG"


def test_refresh_redraws_only_the_moving_artists_and_sends_a_new_picture():
    fig, _, point = _figure()
    lf = live.LiveFigure(fig, [point], alt="start")
    frames, before = lf.frames, lf.png()
    assert point.get_animated()
    point.set_data([0.9], [0.1])
    lf.alt = "moved"
    lf.refresh()
    assert lf.frames == frames + 1 and lf.png() != before
    assert 'alt="moved"' in lf.widget.value


def test_blitting_draws_what_a_full_redraw_draws():
    fig, _, point = _figure()
    lf = live.LiveFigure(fig, [point])
    point.set_data([0.2], [0.8])
    lf.refresh()
    blitted = np.asarray(Image.open(io.BytesIO(lf.png())))
    point.set_animated(False)
    fig.canvas.draw()
    full = np.asarray(fig.canvas.buffer_rgba())
    assert np.abs(blitted.astype(int) - full.astype(int)).mean() < 1.0


def test_save_writes_the_png(tmp_path):
    fig, _, point = _figure()
    lf = live.LiveFigure(fig, [point])
    lf.save(tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes() == lf.png()


def test_connect_updates_at_once_outside_a_kernel():
    import ipywidgets as widgets

    s = widgets.FloatSlider()
    calls = []
    flush = live.connect([s], lambda: calls.append(s.value))
    s.value = 2.0
    assert calls == [2.0]
    flush()  # nothing pending: no second update
    assert calls == [2.0]


def test_updates_are_coalesced_inside_a_kernel(monkeypatch):
    import ipywidgets as widgets

    # what a kernel looks like to connect(): its running loop
    monkeypatch.setattr(live, "_kernel_loop", asyncio.get_running_loop)
    s = widgets.FloatSlider()
    calls = []
    flush = live.connect([s], lambda: calls.append(s.value), min_interval=0.05)

    async def drag():
        for v in np.linspace(0, 10, 50):
            s.value = float(v)
        await asyncio.sleep(0.2)

    # in a thread of its own: this process may already run another event loop
    worker = threading.Thread(target=asyncio.run, args=(drag(),))
    worker.start()
    worker.join()
    assert calls == [10.0], "one redraw after a fast drag, at the final position"
    monkeypatch.setattr(live, "_kernel_loop", lambda: None)
    s.value = 3.0  # outside a kernel: at once
    assert calls[-1] == 3.0
    flush()  # nothing pending: no second redraw
    assert calls == [10.0, 3.0]


def test_no_kernel_loop_in_plain_python():
    assert live._kernel_loop() is None
