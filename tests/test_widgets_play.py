"""nbutils.widgets.play: the play/pause button of notebooks 05 and 06."""

import asyncio
import threading

from nbutils import live
from nbutils.widgets.play import PlayButton


def test_outside_a_kernel_a_press_plays_to_the_end():
    frames = []
    player = PlayButton(lambda: frames.append(len(frames)) or len(frames) < 5)
    assert player.button.description == "play", "a button with text, not an icon alone"
    player.button.click()
    assert frames == [0, 1, 2, 3, 4] and not player.playing
    assert player.button.description == "play" and player.button.icon == "play"


def test_in_a_kernel_it_plays_frame_by_frame_until_paused(monkeypatch):
    monkeypatch.setattr(live, "_kernel_loop", asyncio.get_running_loop)
    frames = []
    player = PlayButton(lambda: frames.append(1) or True, interval=0.001)
    seen = {}

    async def moves():
        player.button.click()
        seen["label"] = player.button.description
        while len(frames) < 3:
            await asyncio.sleep(0.001)
        player.button.click()
        seen["paused_at"] = len(frames)
        await asyncio.sleep(0.02)

    worker = threading.Thread(target=lambda: asyncio.run(moves()))
    worker.start()
    worker.join()
    assert seen["label"] == "pause" and len(frames) == seen["paused_at"] >= 3
    assert not player.playing and player.button.description == "play"
