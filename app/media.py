"""Media for video calls, without Qt: the agent's video sources, the microphone track, and pictures
of received frames ready to paint.

Sources are aiortc `MediaStreamTrack`s. `OutgoingVideo` is the track the call's video sender reads:
it pulls from whichever source the agent chose (test pattern, product clip, screen, camera frames
pushed by the UI), switches sources without renegotiation, and stamps every frame on its own clock
so the RTP timestamps keep increasing across switches (a new source starts its pts at 0 again,
which makes a browser's jitter buffer stall). A source that fails (a shared window closed, a clip
that cannot be read, the screen grab dying) is stopped and replaced by the test pattern at once,
and the owner is told: aiortc's sender stops for good at the first error from its track.

`LatestFrame` keeps only the newest frame of a stream as an RGB array, converted in the default
executor: the UI paints the latest and never lags behind.

Blocking work (decoding a clip, grabbing the screen, pixel conversion) runs in the default
executor; the encoders and decoders run in aiortc's own threads.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from app.events import VideoImage

logger = logging.getLogger(__name__)

VIDEO_CLOCK = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)
AUDIO_RATE = 48_000
AUDIO_FRAME_SAMPLES = 960
"""20 ms at 48 kHz: one Opus frame."""
AUDIO_TIME_BASE = fractions.Fraction(1, AUDIO_RATE)
MIC_BUFFER_MAX = AUDIO_RATE * 2 // 5 * 2
"""At most 200 ms of pushed microphone audio is kept (bytes of s16 mono); older audio is dropped."""
PREVIEW_WIDTH = 320
"""The agent's own preview is converted at this width at most (it is painted small)."""


def to_rgb(frame: av.VideoFrame, max_width: int | None = None) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """An RGB array of a frame (scaled down to `max_width` if wider); runs in an executor."""
    if max_width is not None and frame.width > max_width:
        height = max(2, round(frame.height * max_width / frame.width) // 2 * 2)
        frame = frame.reformat(width=max_width, height=height, format="rgb24")
        rgb = frame.to_ndarray()
    else:
        rgb = frame.to_ndarray(format="rgb24")
    return np.ascontiguousarray(rgb)


class LatestFrame:
    """The newest frame of a stream as a `VideoImage`: frames offered while one is being converted
    replace each other, so a slow painter or a busy executor drops frames instead of lagging."""

    def __init__(self, on_ready: Callable[[], None], max_width: int | None = None) -> None:
        self.image: VideoImage | None = None
        self.frames = 0
        """Frames offered so far (converted or dropped)."""
        self._on_ready: Callable[[], None] | None = on_ready
        self._max_width = max_width
        self._pending: av.VideoFrame | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._serial = 0

    def offer(self, frame: av.VideoFrame) -> None:
        """A new frame (called on the loop); converted soon, unless a newer one comes first."""
        if self._on_ready is None:
            return
        self.frames += 1
        self._pending = frame
        self._wake.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._convert(), name="kefu-frame-convert")

    async def _convert(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            frame, self._pending = self._pending, None
            if frame is None:
                continue
            rgb = await loop.run_in_executor(None, to_rgb, frame, self._max_width)
            del frame
            if self._on_ready is None:
                return
            self._serial += 1
            self.image = VideoImage(rgb, self._serial)
            self._on_ready()

    async def close(self) -> None:
        """Stop converting and drop every frame reference."""
        self._on_ready = None
        self._pending = None
        self.image = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


# --- video sources ----------------------------------------------------------------------------------


class _Paced:
    """Real-time pacing at a frame rate: `await wait()` before each frame, `n` counts them."""

    def __init__(self, fps: float) -> None:
        self.fps = fps
        self.n = 0
        self._start: float | None = None

    async def wait(self) -> None:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        due = self._start + self.n / self.fps
        if due - now < -0.5:  # the loop stalled: start again rather than send a burst to catch up
            self._start, due = now - self.n / self.fps, now
        if due > now:
            await asyncio.sleep(due - now)
        self.n += 1


# A 3x5 bitmap font for the test pattern's clock (digits and the colon).
_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001010010010",
    "8": "111101111101111", "9": "111101111001111", ":": "000010000010000",
}
_GLYPH_SCALE = 8


def _glyph(bits: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
    cells = np.array([c == "1" for c in bits], dtype=bool).reshape(5, 3)
    return np.kron(cells, np.ones((_GLYPH_SCALE, _GLYPH_SCALE), dtype=bool)).astype(bool)


class PatternTrack(MediaStreamTrack):
    """A moving test pattern with a clock: scrolling grey bars, a white block crossing the picture, and
    the time of day (HH:MM:SS). yuv420p built with numpy; 640x480 at 15 fps by default."""

    kind = "video"

    def __init__(self, width: int = 640, height: int = 480, fps: int = 15) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._pace = _Paced(fps)
        x = np.arange(width, dtype=np.int32)
        self._bars = np.tile(((x * 8 // width) * 28 + 30).astype(np.uint8), (height, 1))
        # Blue-ish left half, orange-ish right half: a picture with colour, never black.
        u = np.full((height // 2, width // 2), 150, np.uint8)
        v = np.full((height // 2, width // 2), 110, np.uint8)
        u[:, width // 4:], v[:, width // 4:] = 90, 170
        self._chroma = np.concatenate([u.reshape(-1), v.reshape(-1)])
        self._glyphs = {c: _glyph(bits) for c, bits in _GLYPHS.items()}

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._pace.wait()
        # About a millisecond of numpy per frame: in the executor, like every other pixel job, so the
        # workstation's GUI thread (the loop) never does it.
        return await asyncio.get_running_loop().run_in_executor(None, self._frame, self._pace.n)

    def _frame(self, n: int) -> av.VideoFrame:
        y = np.roll(self._bars, n * 4, axis=1)
        block = 64
        bx = (n * 8) % (self.width - block)
        by = self.height // 2 - block // 2
        y[by:by + block, bx:bx + block] = 235
        self._draw_clock(y, time.strftime("%H:%M:%S"))
        frame = av.VideoFrame.from_ndarray(
            np.concatenate([y.reshape(-1), self._chroma]).reshape(self.height * 3 // 2, self.width), format="yuv420p")
        frame.pts = int((n - 1) * VIDEO_CLOCK / self._pace.fps)
        frame.time_base = VIDEO_TIME_BASE
        return frame

    def _draw_clock(self, y: np.ndarray[Any, np.dtype[np.uint8]], text: str) -> None:
        gh, gw = 5 * _GLYPH_SCALE, 3 * _GLYPH_SCALE
        step = gw + _GLYPH_SCALE
        x0, y0 = 16, 16
        width = len(text) * step + _GLYPH_SCALE
        if x0 + width > self.width or y0 + gh + 16 > self.height:
            return  # too small a picture for a clock
        y[y0 - 8:y0 + gh + 8, x0 - 8:x0 + width] = 16
        for i, char in enumerate(text):
            x = x0 + i * step
            y[y0:y0 + gh, x:x + gw][self._glyphs[char]] = 235


class _ThreadedSource(MediaStreamTrack):
    """A video source read by blocking calls in the default executor (a file, the X server).

    `_open` and `_read` run in the executor under a lock; stopping closes the source in the executor
    after any read in flight, so a container is never closed under a thread still reading it. A read
    that fails (FFmpeg, the OS, or a decoder that ended) stops the track, which releases the source,
    and raises MediaStreamError.
    """

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._released = False

    def _open(self) -> None:
        """Open the source (first read). Runs in the executor."""

    def _read(self) -> av.VideoFrame:
        raise NotImplementedError

    def _close(self) -> None:
        """Release the source. Runs with the lock held."""

    def _read_locked(self) -> av.VideoFrame:
        with self._lock:
            if self._released:
                raise MediaStreamError
            try:
                return self._read()
            except StopIteration:  # raised into an asyncio future it would leave the reader waiting for ever
                raise EOFError("no more frames") from None

    def _release(self) -> None:
        with self._lock:
            if not self._released:
                self._released = True
                self._close()

    async def _next(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        try:
            return await asyncio.get_running_loop().run_in_executor(None, self._read_locked)
        except (av.error.FFmpegError, OSError, EOFError) as exc:
            logger.warning("%s stopped: %s", type(self).__name__, exc)
            self.stop()
            raise MediaStreamError from exc

    def stop(self) -> None:
        if self.readyState != "live":
            return  # stopped already: its release is on its way
        super().stop()
        try:
            asyncio.get_running_loop().run_in_executor(None, self._release)
        except RuntimeError:  # no loop running: nothing can be reading either
            self._release()


class LoopingClipTrack(_ThreadedSource):
    """A video file played in a loop at its own frame rate, decoded in the executor.

    aiortc's `MediaPlayer(loop=True)` seeks back but keeps the file's pts, which restart at 0: its
    pacing then never sleeps (bursts at 100 % CPU) and the timestamps jump backwards. This track
    seeks to the start at the end of the file and paces on its own clock.
    """

    def __init__(self, path: Path | str, fps: float | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.loops = 0
        self._fps = fps
        self._pace: _Paced | None = None
        self._container: Any = None
        self._frames: Any = None

    def _open(self) -> None:
        self._container = av.open(str(self.path))
        stream = self._container.streams.video[0]
        rate = self._fps or (float(stream.average_rate) if stream.average_rate else 15.0)
        self._pace = _Paced(rate)
        self._frames = self._container.decode(stream)

    def _read(self) -> av.VideoFrame:
        if self._container is None:
            self._open()
        try:
            frame: av.VideoFrame = next(self._frames)
        except StopIteration:
            self.loops += 1
            self._container.seek(0)
            self._frames = self._container.decode(self._container.streams.video[0])
            frame = next(self._frames)
        return frame

    def _close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = self._frames = None

    async def recv(self) -> av.VideoFrame:
        frame = await self._next()
        assert self._pace is not None
        await self._pace.wait()
        frame.pts = int((self._pace.n - 1) * VIDEO_CLOCK / self._pace.fps)
        frame.time_base = VIDEO_TIME_BASE
        return frame


class ScreenTrack(_ThreadedSource):
    """The X11 screen ($DISPLAY), or one window of it, through FFmpeg's x11grab, scaled to at most
    `max_width`, as yuv420p."""

    def __init__(self, display: str | None = None, fps: int = 15, max_width: int = 1280,
                 window_id: int | None = None) -> None:
        super().__init__()
        self.display = display or os.environ.get("DISPLAY", "")
        self.fps = fps
        self.max_width = max_width
        self.window_id = window_id
        self._container: Any = None
        self._frames: Any = None

    def _open(self) -> None:
        options = {"framerate": str(self.fps), "draw_mouse": "1"}
        if self.window_id is not None:
            options["window_id"] = str(self.window_id)
        self._container = av.open(self.display, format="x11grab", options=options)
        self._frames = self._container.decode(video=0)

    def _read(self) -> av.VideoFrame:
        if self._container is None:
            self._open()
        frame: av.VideoFrame = next(self._frames)
        width, height = frame.width, frame.height
        if width > self.max_width:
            width, height = self.max_width, round(height * self.max_width / width)
        return frame.reformat(width=width // 2 * 2, height=height // 2 * 2, format="yuv420p")

    def _close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = self._frames = None

    async def recv(self) -> av.VideoFrame:
        return await self._next()  # x11grab paces itself at `fps`


class PushedVideoTrack(MediaStreamTrack):
    """Frames pushed from outside (the UI's camera) as RGB arrays; `recv` gives the newest one, at most
    `fps` a second. Nothing is sent until the first frame is pushed."""

    kind = "video"

    def __init__(self, fps: int = 15) -> None:
        super().__init__()
        self.fps = fps
        self.pushed = 0
        self._latest: np.ndarray[Any, np.dtype[np.uint8]] | None = None
        self._new = asyncio.Event()
        self._due = 0.0

    def push(self, rgb: np.ndarray[Any, np.dtype[np.uint8]]) -> None:
        """A new picture, (height, width, 3) uint8 RGB; replaces one not yet sent."""
        if self.readyState != "live":
            return
        self.pushed += 1
        self._latest = rgb
        self._new.set()

    async def recv(self) -> av.VideoFrame:
        now = time.monotonic()
        if self._due > now:
            await asyncio.sleep(self._due - now)
        await self._new.wait()
        if self.readyState != "live" or self._latest is None:
            raise MediaStreamError
        self._new.clear()
        rgb, self._latest = self._latest, None
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        self._due = max(time.monotonic(), self._due) + 1 / self.fps
        return frame

    def stop(self) -> None:
        super().stop()
        self._latest = None
        self._new.set()  # wakes a pending recv, which then ends


SourceFailed = Callable[[MediaStreamTrack, Exception], None]
"""Told that a source failed and was replaced by the test pattern: the failed (stopped) track, and why."""


class OutgoingVideo(MediaStreamTrack):
    """What the call's video sender reads: the chosen source, switchable at any time, with timestamps
    on this track's own clock; every frame is also offered to the local preview.

    Should the source fail (any exception from its `recv`, MediaStreamError included), it is stopped
    and the test pattern takes its place for the same `recv`, so the sender never sees the error;
    `on_failure` is then called with the failed track and the error. Only the test pattern itself
    failing ends this track.
    """

    kind = "video"

    def __init__(self, source: MediaStreamTrack, preview: LatestFrame | None = None,
                 on_failure: SourceFailed | None = None) -> None:
        super().__init__()
        self.source = source
        self.sent = 0
        self.failures = 0
        """Sources that failed and were replaced by the test pattern."""
        self._preview = preview
        self._on_failure = on_failure
        self._start: float | None = None
        self._last_pts = -1

    def replace_source(self, source: MediaStreamTrack) -> None:
        """Send from `source` from the next frame on; the previous source is stopped."""
        old, self.source = self.source, source
        if old is not source:
            old.stop()

    async def recv(self) -> av.VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            source = self.source
            try:
                frame = await source.recv()
            except Exception as exc:
                if self.readyState != "live":
                    raise MediaStreamError from exc  # stopped while waiting: the source was stopped with it
                if source is not self.source:
                    continue  # switched while waiting: read the new source
                if isinstance(source, PatternTrack):
                    raise  # nothing left to fall back to
                self._fall_back(source, exc)
                continue
            if source is self.source and isinstance(frame, av.VideoFrame):
                break
        now = time.monotonic()
        if self._start is None:
            self._start = now
        pts = max(self._last_pts + 1, int((now - self._start) * VIDEO_CLOCK))
        self._last_pts = pts
        frame.pts, frame.time_base = pts, VIDEO_TIME_BASE
        self.sent += 1
        if self._preview is not None:
            self._preview.offer(frame)
        return frame

    def _fall_back(self, source: MediaStreamTrack, exc: Exception) -> None:
        cause = exc.__cause__ if isinstance(exc, MediaStreamError) and exc.__cause__ is not None else exc
        logger.warning("video source %s failed (%s): sending the test pattern",
                       type(source).__name__, str(cause) or type(cause).__name__)
        self.failures += 1
        self.replace_source(PatternTrack())  # stops the failed source (a threaded one releases it in the executor)
        if self._on_failure is not None:
            try:
                self._on_failure(source, exc)
            except Exception:  # the sender must go on whatever its owner does with the news
                logger.exception("reporting the failure of %s failed", type(source).__name__)

    def stop(self) -> None:
        super().stop()
        self.source.stop()
        self._preview = None


# --- audio -------------------------------------------------------------------------------------------


def _audio_frame(pcm: bytes, n: int) -> av.AudioFrame:
    """Frame `n` of a 20 ms s16 mono stream."""
    frame = av.AudioFrame.from_ndarray(np.frombuffer(pcm, dtype="<i2").reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = AUDIO_RATE
    frame.pts = n * AUDIO_FRAME_SAMPLES
    frame.time_base = AUDIO_TIME_BASE
    return frame


class MicrophoneTrack(MediaStreamTrack):
    """The agent's voice: s16le mono 48 kHz PCM pushed by the UI, sent in 20 ms frames in real time.

    When nothing was pushed in time (no input device, or the device is late) the frame is completed
    with silence; `muted` sends silence whatever is pushed. At most 200 ms is buffered.
    """

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.muted = False
        self.pushed_bytes = 0
        self._buffer = bytearray()
        self._pace = _Paced(AUDIO_RATE / AUDIO_FRAME_SAMPLES)

    def push(self, pcm: bytes) -> None:
        if self.readyState != "live":
            return
        self.pushed_bytes += len(pcm)
        self._buffer += pcm
        if len(self._buffer) > MIC_BUFFER_MAX:
            del self._buffer[: len(self._buffer) - MIC_BUFFER_MAX]

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._pace.wait()
        size = AUDIO_FRAME_SAMPLES * 2
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        if self.muted:
            chunk = bytes(size)
        elif len(chunk) < size:
            chunk += bytes(size - len(chunk))
        return _audio_frame(chunk, self._pace.n - 1)


class ToneTrack(MediaStreamTrack):
    """A quiet 440 Hz tone in 20 ms frames, in real time (a stand-in microphone for tests and benchmarks)."""

    kind = "audio"

    def __init__(self, freq: float = 440.0) -> None:
        super().__init__()
        self.freq = freq
        self._pace = _Paced(AUDIO_RATE / AUDIO_FRAME_SAMPLES)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._pace.wait()
        n = self._pace.n - 1
        t = (np.arange(AUDIO_FRAME_SAMPLES) + n * AUDIO_FRAME_SAMPLES) / AUDIO_RATE
        return _audio_frame((np.sin(2 * np.pi * self.freq * t) * 6000).astype("<i2").tobytes(), n)


def pcm_mono(frame: av.AudioFrame, resampler: Any) -> bytes:
    """A received audio frame as s16le mono 48 kHz bytes (through `resampler`, an av.AudioResampler)."""
    return b"".join(bytes(out.planes[0])[: out.samples * 2] for out in resampler.resample(frame))


def new_resampler() -> Any:
    return av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)

