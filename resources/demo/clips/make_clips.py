"""Make the demo product clips of this folder (run once; the .webm files are committed).

    .venv/bin/python resources/demo/clips/make_clips.py

Each clip is a few seconds of a simple animated drawing (Qt's QPainter on an offscreen QImage),
encoded with av as VP8 in WebM at 320x240, 15 fps and a low bit rate, so each is tens of KB.
The workstation loops them as a video source in a call (`app.media.LoopingClipTrack`). Captions
are ASCII on purpose: the clips must not depend on a CJK font being installed.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT, FPS, SECONDS = 320, 240, 15, 4
Painter = Callable[[QPainter, float], None]


def caption(p: QPainter, text: str, sub: str) -> None:
    p.setPen(QColor("#ffffff"))
    p.fillRect(QRectF(0, HEIGHT - 44, WIDTH, 44), QColor(0, 0, 0, 150))
    font = QFont("DejaVu Sans")
    font.setPixelSize(16)
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(10, HEIGHT - 44, WIDTH - 20, 24), Qt.AlignmentFlag.AlignVCenter, text)
    font.setBold(False)
    font.setPixelSize(12)
    p.setFont(font)
    p.drawText(QRectF(10, HEIGHT - 22, WIDTH - 20, 18), Qt.AlignmentFlag.AlignVCenter, sub)


def water_heater(p: QPainter, t: float) -> None:
    """A wall water heater: the flame grows, the temperature climbs."""
    p.fillRect(QRectF(0, 0, WIDTH, HEIGHT), QColor("#dfe8ef"))
    p.setPen(QPen(QColor("#7a8a99"), 2))
    p.setBrush(QColor("#fafafa"))
    p.drawRoundedRect(QRectF(100, 20, 120, 150), 12, 12)
    p.setBrush(QColor("#263238"))
    p.drawRoundedRect(QRectF(125, 40, 70, 32), 4, 4)
    temp = 30 + int(25 * (0.5 - 0.5 * math.cos(t * math.pi / 2)))
    p.setPen(QColor("#4fc3f7"))
    font = QFont("DejaVu Sans Mono")
    font.setPixelSize(20)
    p.setFont(font)
    p.drawText(QRectF(125, 40, 70, 32), Qt.AlignmentFlag.AlignCenter, f"{temp} C")
    flame = 10 + 8 * abs(math.sin(t * 5))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ff7043"))
    p.drawEllipse(QPointF(160, 130), 12, flame)
    p.setBrush(QColor("#ffca28"))
    p.drawEllipse(QPointF(160, 134), 6, flame * 0.55)
    caption(p, "Water heater H-50", "Ignition: press and hold 3 s")


def range_hood(p: QPainter, t: float) -> None:
    """A range hood being mounted: screws turn, the hood slides up, a check mark appears."""
    p.fillRect(QRectF(0, 0, WIDTH, HEIGHT), QColor("#f3efe6"))
    p.setPen(QPen(QColor("#8d6e63"), 2))
    for x in (70, 250):  # wall screws, turning
        p.setBrush(QColor("#bcaaa4"))
        p.drawEllipse(QPointF(x, 40), 10, 10)
        a = t * 6 + x
        dx, dy = 8 * math.cos(a), 8 * math.sin(a)
        p.drawLine(QPointF(x - dx, 40 - dy), QPointF(x + dx, 40 + dy))
    rise = min(1.0, t / 2.5)
    top = 130 - 70 * rise
    p.setPen(QPen(QColor("#546e7a"), 2))
    p.setBrush(QColor("#b0bec5"))
    p.drawRect(QRectF(135, top - 40, 50, 40))
    p.drawPolygon([QPointF(80, top + 50), QPointF(240, top + 50), QPointF(185, top), QPointF(135, top)])
    if rise >= 1.0:
        p.setPen(QPen(QColor("#43a047"), 5))
        p.drawPolyline([QPointF(258, 110), QPointF(270, 124), QPointF(294, 94)])
    caption(p, "Range hood R-900", f"Step {1 + int(min(t, 3.9))}: mount on the wall bracket")


def washer(p: QPainter, t: float) -> None:
    """A front-loading washer whose drum spins, with a countdown."""
    p.fillRect(QRectF(0, 0, WIDTH, HEIGHT), QColor("#e8eaf6"))
    p.setPen(QPen(QColor("#5c6bc0"), 2))
    p.setBrush(QColor("#ffffff"))
    p.drawRoundedRect(QRectF(90, 14, 140, 160), 10, 10)
    p.setBrush(QColor("#c5cae9"))
    p.drawEllipse(QPointF(160, 104), 48, 48)
    p.setBrush(QColor("#3949ab"))
    for i in range(3):  # drum paddles
        a = t * 4 + i * 2 * math.pi / 3
        p.drawEllipse(QPointF(160 + 30 * math.cos(a), 104 + 30 * math.sin(a)), 7, 7)
    p.setPen(QColor("#1a237e"))
    font = QFont("DejaVu Sans Mono")
    font.setPixelSize(14)
    p.setFont(font)
    left = 45 - int(t * 3)
    p.drawText(QRectF(100, 24, 120, 20), Qt.AlignmentFlag.AlignCenter, f"QUICK  0:{left:02d}")
    caption(p, "Washer W-8 Pro", "Quick wash: 45 min, 8 kg")


CLIPS: dict[str, Painter] = {"water-heater": water_heater, "range-hood": range_hood, "washer": washer}


def make(name: str, paint: Painter) -> Path:
    path = HERE / f"{name}.webm"
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libvpx", rate=FPS, options={"deadline": "good", "cpu-used": "2"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.bit_rate = 90_000
        stream.codec_context.time_base = Fraction(1, FPS)
        image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB888)
        for n in range(FPS * SECONDS):
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint(painter, n / FPS)
            painter.end()
            rgb = np.frombuffer(image.constBits(), np.uint8).reshape(HEIGHT, image.bytesPerLine())[:, : WIDTH * 3]
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb).reshape(HEIGHT, WIDTH, 3), format="rgb24")
            frame.pts = n
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for name, paint in CLIPS.items():
        path = make(name, paint)
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
