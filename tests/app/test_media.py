"""The agent's call media without a call: sources, the switchable outgoing track, the microphone, and the
latest-frame conversion."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

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


class FailingSource(MediaStreamTrack):
    """A source that sends `frames` grey 320x240 frames at 30 fps, then fails as a dead source does."""

    kind = "video"

    def __init__(self, frames: int) -> None:
        super().__init__()
        self.frames = frames
        self.sent = 0

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live" or self.sent >= self.frames:
            raise MediaStreamError
        await asyncio.sleep(1 / 30)
        frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), 90, np.uint8), format="rgb24")
        frame.pts, self.sent = self.sent * 3000, self.sent + 1
        return frame


class Failures(list[tuple[MediaStreamTrack, Exception]]):
    """What an OutgoingVideo reported through its `on_failure` callback."""

    def __call__(self, source: MediaStreamTrack, exc: Exception) -> None:
        self.append((source, exc))


async def wait_released(track: LoopingClipTrack | ScreenTrack) -> None:
    for _ in range(50):
        if track._released:
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"{type(track).__name__} was never released")


async def x_client(display: str, title: str, width: int, height: int) -> XClient:
    for _ in range(50):  # Xvfb takes a moment to accept connections
        try:
            return XClient(display, title, width, height)
        except AssertionError:
            await asyncio.sleep(0.1)
    pytest.fail(f"the X display {display} never accepted a connection")


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


async def test_a_source_that_fails_gives_way_to_the_test_pattern_on_the_same_clock() -> None:
    failures = Failures()
    failing = FailingSource(frames=3)
    out = OutgoingVideo(failing, on_failure=failures)
    frames = [await asyncio.wait_for(out.recv(), 2) for _ in range(8)]
    assert [(f.width, f.height) for f in frames] == [(320, 240)] * 3 + [(640, 480)] * 5  # the pattern, at once
    assert all(b.pts > a.pts for a, b in itertools.pairwise(frames))
    assert len(failures) == 1 and failures[0][0] is failing and isinstance(failures[0][1], MediaStreamError)
    assert failing.readyState == "ended" and isinstance(out.source, PatternTrack) and out.source.readyState == "live"
    assert (out.sent, out.failures) == (8, 1)
    out.stop()
    assert out.source.readyState == "ended"
    with pytest.raises(MediaStreamError):
        await out.recv()
    assert len(failures) == 1  # stopping is not a failure


async def test_a_clip_that_cannot_be_read_is_released_and_the_pattern_is_sent(tmp_path: Path) -> None:
    """Deleted after it was chosen (it fails at open), or truncated (its decoder ends without a frame)."""
    deleted, truncated = tmp_path / "deleted.webm", tmp_path / "truncated.webm"
    shutil.copy(clip_paths()[0], deleted)
    truncated.write_bytes(clip_paths()[0].read_bytes()[:1000])
    failures = Failures()
    out = OutgoingVideo(PatternTrack(), on_failure=failures)
    last = (await out.recv()).pts
    for clip in (LoopingClipTrack(deleted), LoopingClipTrack(truncated)):
        out.replace_source(clip)
        deleted.unlink(missing_ok=True)  # gone before it is opened
        frame = await asyncio.wait_for(out.recv(), 2)
        assert (frame.width, frame.height) == (640, 480) and frame.pts > last
        assert failures[-1][0] is clip and isinstance(out.source, PatternTrack)
        await wait_released(clip)
        last = frame.pts
    assert len(failures) == 2
    out.stop()


async def test_a_shared_window_that_closes_gives_way_to_the_pattern(x_display: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", x_display)
    client = await x_client(x_display, "说明书", 320, 240)
    failures = Failures()
    screen = ScreenTrack(window_id=client.window)
    out = OutgoingVideo(screen, on_failure=failures)
    try:
        frame = await asyncio.wait_for(out.recv(), 2)
        assert (frame.width, frame.height) == (320, 240)
    finally:
        client.close()
    last = frame.pts
    for _ in range(200):  # x11grab still has a few frames, then fails
        frame = await asyncio.wait_for(out.recv(), 2)
        assert frame.pts > last
        last = frame.pts
        if failures:
            break
    assert failures and failures[0][0] is screen and (frame.width, frame.height) == (640, 480)
    await wait_released(screen)
    out.stop()


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
    client = await x_client(x_display, "商品说明书 · 安装", 320, 240)
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
