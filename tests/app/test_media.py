"""The agent's call media without a call: sources, the switchable outgoing track, the microphone, and the
latest-frame conversion."""

from __future__ import annotations

import asyncio
import itertools

import av
import numpy as np
import pytest

from app.calls import clip_paths, screen_available
from app.media import (
    LatestFrame,
    LoopingClipTrack,
    MicrophoneTrack,
    OutgoingVideo,
    PatternTrack,
    PushedVideoTrack,
    ScreenTrack,
)
from tests.x11_helpers import XClient


def luma(frame: av.VideoFrame) -> np.ndarray:
    return frame.to_ndarray(format="gray")


async def test_the_test_pattern_is_640x480_yuv420p_moves_and_shows_a_clock() -> None:
    track = PatternTrack()
    first, second = await track.recv(), await track.recv()
    assert (first.width, first.height, first.format.name) == (640, 480, "yuv420p")
    assert second.pts > first.pts and not np.array_equal(luma(first), luma(second))
    clock = luma(second)[16:56, 16:200]  # HH:MM:SS, light on a dark box
    assert (clock > 200).any() and (clock < 30).any()
    track.stop()


async def test_a_product_clip_loops_with_timestamps_that_keep_increasing() -> None:
    clips = clip_paths()
    assert {p.stem for p in clips} >= {"washer", "range-hood", "water-heater"}
    track = LoopingClipTrack(clips[0], fps=300)  # 60 frames a loop, played fast
    pts = [(await track.recv()).pts for _ in range(75)]
    assert track.loops == 1 and all(b > a for a, b in itertools.pairwise(pts))
    track.stop()
    await asyncio.sleep(0.05)
    assert track._released


async def test_switching_sources_keeps_one_increasing_clock_and_feeds_the_preview() -> None:
    ready: list[int] = []
    preview = LatestFrame(lambda: ready.append(1), max_width=320)
    pattern = PatternTrack()
    out = OutgoingVideo(pattern, preview)
    before = [(await out.recv()).pts for _ in range(3)]
    camera = PushedVideoTrack()
    out.replace_source(camera)
    assert pattern.readyState == "ended"
    camera.push(np.full((240, 320, 3), 90, np.uint8))
    after = await out.recv()
    assert (after.width, after.height) == (320, 240) and after.pts > before[-1]
    await asyncio.sleep(0.05)
    assert ready and preview.image is not None and preview.image.width == 320
    out.stop()
    assert camera.readyState == "ended"
    await preview.close()
    assert preview.image is None


async def test_the_latest_frame_drops_what_it_had_no_time_to_convert() -> None:
    ready: list[int] = []
    latest = LatestFrame(lambda: ready.append(1))
    frames = [av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8), format="rgb24") for i in range(10)]
    for frame in frames:
        latest.offer(frame)  # faster than any conversion
    await asyncio.sleep(0.1)
    assert latest.frames == 10 and len(ready) < 10
    assert latest.image is not None and latest.image.rgb[0, 0, 0] == 180  # the last one
    await latest.close()


async def test_the_microphone_sends_what_was_pushed_then_silence_and_nothing_when_muted() -> None:
    mic = MicrophoneTrack()
    mic.push((np.ones(960) * 1000).astype("<i2").tobytes())
    spoken, silent = await mic.recv(), await mic.recv()
    assert (spoken.samples, spoken.sample_rate, spoken.layout.name) == (960, 48000, "mono")
    assert np.all(spoken.to_ndarray() == 1000) and not np.any(silent.to_ndarray())
    mic.muted = True
    mic.push((np.ones(960) * 1000).astype("<i2").tobytes())
    assert not np.any((await mic.recv()).to_ndarray())
    mic.stop()


async def test_the_screen_is_captured_from_an_x_display(x_display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", x_display)
    assert screen_available()
    track = ScreenTrack()
    for _ in range(50):  # Xvfb takes a moment to accept connections
        try:
            frame = await track.recv()
            break
        except Exception:
            track = ScreenTrack()
            await asyncio.sleep(0.1)
    assert (frame.width, frame.height, frame.format.name) == (800, 600, "yuv420p")
    track.stop()
    await asyncio.sleep(0.1)
    assert track._released


def test_without_a_display_the_screen_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    assert not screen_available()


async def test_one_window_is_listed_by_its_title_and_captured_alone(x_display: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from app.x11 import list_windows

    monkeypatch.setenv("DISPLAY", x_display)
    for _ in range(50):  # Xvfb takes a moment to accept connections
        try:
            client = XClient(x_display, "商品说明书 · 安装", 320, 240)
            break
        except AssertionError:
            await asyncio.sleep(0.1)
    else:
        pytest.fail(f"the X display {x_display} never accepted a connection")
    try:
        windows = await asyncio.to_thread(list_windows)
        assert [(w.title, w.width, w.height) for w in windows] == [("商品说明书 · 安装", 320, 240)]
        track = ScreenTrack(window_id=windows[0].window_id)
        frame = await track.recv()
        assert (frame.width, frame.height) == (320, 240)  # the window, not the 800x600 screen
        rgb = frame.to_ndarray(format="rgb24")
        assert abs(int(rgb[120, 160, 0]) - 0xFF) < 16 and abs(int(rgb[120, 160, 1]) - 0x88) < 16  # its orange
        track.stop()
    finally:
        client.close()
    assert await asyncio.to_thread(list_windows) == []


def test_without_a_display_no_window_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.x11 import list_windows

    monkeypatch.delenv("DISPLAY", raising=False)
    assert list_windows() == []
