"""The agent's camera, microphone and speaker for a call, through QtMultimedia.

Each is optional: without a camera the source chooser offers none, without a microphone the call
sends silence, without an output device the buyer's voice is dropped. What is captured is handed
to the core as plain data (RGB arrays, PCM bytes); the core does the WebRTC part.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import QIODevice, QObject
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QAudioFormat,
    QAudioSink,
    QAudioSource,
    QCamera,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)

logger = logging.getLogger(__name__)

RATE = 48_000
CAMERA_FPS = 15
CAMERA_MAX_WIDTH = 640
"""Camera pictures wider than this are scaled down before they are sent (the call's video is 640 wide)."""


def pcm_format() -> QAudioFormat:
    """s16 mono 48 kHz: what the core takes from the microphone and gives for the speaker."""
    fmt = QAudioFormat()
    fmt.setSampleRate(RATE)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


def image_to_rgb(image: QImage) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """A copy of a QImage as a (height, width, 3) uint8 RGB array (rows without their padding)."""
    if image.format() != QImage.Format.Format_RGB888:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    return rows.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3).copy()


def camera_available() -> bool:
    return bool(QMediaDevices.videoInputs())


def camera_picture(frame: QVideoFrame) -> np.ndarray[Any, np.dtype[np.uint8]] | None:
    """A camera frame as RGB, at most `CAMERA_MAX_WIDTH` wide (a worker thread's job: it decodes and scales)."""
    image = frame.toImage()
    if image.isNull():
        return None
    if image.width() > CAMERA_MAX_WIDTH:
        image = image.scaledToWidth(CAMERA_MAX_WIDTH)
    return image_to_rgb(image)


class CameraFeed(QObject):
    """The default camera's pictures as RGB arrays, at most 15 a second, handed to `push` on the loop.

    Frames are converted in a thread of their own, one at a time: a frame that comes while the previous
    one is still being converted is dropped (the call wants the newest picture, not a queue of old ones).
    """

    def __init__(self, push: Callable[[np.ndarray[Any, np.dtype[np.uint8]]], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._push = push
        self.sink = QVideoSink(self)
        """Frames arrive here (from the camera, or from a test)."""
        self.sink.videoFrameChanged.connect(self._on_frame)
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._next = 0.0
        self._converting = False
        self._converter: ThreadPoolExecutor | None = None
        self._stopped = False
        self._generation = 0
        """Counts stops: a picture converted for an earlier generation is never pushed."""
        self.frames = 0

    def start(self) -> bool:
        """Open the default camera; False when there is none."""
        self._stopped = False
        if self._camera is not None:
            return True
        if not camera_available():
            return False
        self._camera = QCamera(QMediaDevices.defaultVideoInput(), self)
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self.sink)
        self._camera.start()
        return True

    def stop(self) -> None:
        """Close the camera; no picture is pushed after this (one being converted is thrown away)."""
        self._stopped = True
        self._generation += 1
        self._converting = False
        if self._camera is not None:
            self._camera.stop()
            self._camera.deleteLater()
            self._camera = None
        if self._session is not None:
            self._session.deleteLater()
            self._session = None
        if self._converter is not None:
            self._converter.shutdown(wait=False, cancel_futures=True)
            self._converter = None

    def _on_frame(self, frame: QVideoFrame) -> None:
        now = time.monotonic()
        if self._stopped or self._converting or now < self._next or not frame.isValid():
            return  # faster than the call sends, or the last one is still converting: dropped
        self._next = max(now, self._next) + 1 / CAMERA_FPS
        if self._converter is None:
            self._converter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kefu-camera")
        future = asyncio.get_running_loop().run_in_executor(self._converter, camera_picture, frame)
        self._converting = True
        future.add_done_callback(partial(self._converted, self._generation))

    def _converted(self, generation: int,
                   future: asyncio.Future[np.ndarray[Any, np.dtype[np.uint8]] | None]) -> None:
        if generation != self._generation:
            return  # converted for a camera that was stopped since
        self._converting = False
        if future.cancelled() or self._stopped:
            return
        if (error := future.exception()) is not None:
            logger.warning("a camera picture could not be converted: %s", error)
            return
        rgb = future.result()
        if rgb is not None:
            self.frames += 1
            self._push(rgb)


class MicrophoneFeed(QObject):
    """The default microphone as s16le mono 48 kHz PCM handed to `push`; nothing when there is none."""

    def __init__(self, push: Callable[[bytes], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._push = push
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None

    def start(self) -> bool:
        device = QMediaDevices.defaultAudioInput()
        if device.isNull():
            return False
        fmt = pcm_format()
        if not device.isFormatSupported(fmt):
            logger.info("the microphone does not record s16 mono 48 kHz: the call sends silence")
            return False
        self._source = QAudioSource(device, fmt, self)
        self._io = self._source.start()
        self._io.readyRead.connect(self._read)
        return True

    def _read(self) -> None:
        if self._io is not None:
            data = self._io.readAll()
            if data.size():
                self._push(bytes(data.data()))

    def stop(self) -> None:
        if self._source is not None:
            self._source.stop()
            self._source.deleteLater()
        self._source = self._io = None


class Speaker(QObject):
    """Plays the buyer's PCM on the default output; chunks that do not fit are dropped (no growing lag)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sink: QAudioSink | None = None
        self._io: QIODevice | None = None

    def start(self) -> bool:
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull() or not device.isFormatSupported(pcm_format()):
            return False
        self._sink = QAudioSink(device, pcm_format(), self)
        self._sink.setBufferSize(RATE * 2 // 5)  # 200 ms
        self._io = self._sink.start()
        return True

    def play(self, pcm: bytes) -> None:
        if self._sink is not None and self._io is not None and self._sink.bytesFree() >= len(pcm):
            self._io.write(pcm)

    def stop(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
        self._sink = self._io = None
