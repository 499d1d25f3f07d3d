"""A play/pause button that plays in the kernel (the players of notebooks 05 and 06).

``ipywidgets.Play`` has icon-only buttons (a screen reader announces them as
empty) and stops as soon as one more step would pass its maximum, so a run
stepped to an epoch off its grid never reaches the end. This button has text
("play", then "pause"), and each frame is one call of ``tick()`` in the
kernel's event loop, which returns whether there is more to play.
"""

from __future__ import annotations

from typing import Callable

from .. import live


class PlayButton:
    """``button`` starts and pauses calling ``tick()`` every ``interval`` seconds.

    ``tick() -> bool``: show one more frame; ``False`` when there is none
    left (playing then stops). Outside a kernel (tests, plain Python) a
    press plays to the end at once.
    """

    def __init__(self, tick: Callable[[], bool], interval: float = 0.08,
                 tooltip: str = "play the run, or pause it"):
        import ipywidgets as widgets

        self.tick, self.interval = tick, interval
        self.playing = False
        self._loop = self._handle = None
        self.button = widgets.Button(description="play", icon="play", tooltip=tooltip,
                                     layout=widgets.Layout(width="auto"))
        self.button.on_click(lambda _b: self.pause() if self.playing else self.play())

    def play(self) -> None:
        """Start playing (from the frame on show)."""
        self._set(True)
        self._loop = live._kernel_loop()
        if self._loop is None:
            while self.playing and self.tick():
                pass
            self.pause()
        else:
            self._handle = self._loop.call_soon(self._frame)

    def pause(self) -> None:
        """Stop after the frame on show."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._set(False)

    def _frame(self) -> None:
        self._handle = None
        if not self.playing:
            return
        if self.tick():
            self._handle = self._loop.call_later(self.interval, self._frame)
        else:
            self.pause()

    def _set(self, playing: bool) -> None:
        self.playing = playing
        self.button.description = "pause" if playing else "play"
        self.button.icon = "pause" if playing else "play"
