"""Colours, fonts and the style sheet, in one place."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

logger = logging.getLogger(__name__)

STYLE_FILE = Path(__file__).resolve().parent.parent / "resources" / "styles" / "desk.qss"
SOUND_FILE = Path(__file__).resolve().parent.parent / "resources" / "sounds" / "ding.wav"
ICON_FILE = Path(__file__).resolve().parent.parent / "resources" / "icons" / "kefu.svg"

BRAND = QColor("#e02e24")
TEXT = QColor("#1f2329")
MUTED = QColor("#8a9099")
LINE = QColor("#e5e6eb")
BACKGROUND = QColor("#f5f6f8")
BUYER_BUBBLE = QColor("#ffffff")
AGENT_BUBBLE = QColor("#fde9e7")
COLLEAGUE_BUBBLE = QColor("#eef1f5")
SYSTEM_TEXT = QColor("#8a9099")
WARNING = QColor("#d97706")
"""Amber: the buyer has waited 100 s."""
OVERDUE = QColor("#dc2626")
CHART_RATE = QColor("#2563eb")  # the wallboard's rate lines (the bar they are judged by is OVERDUE, dashed)
"""Red: the buyer has waited past the 3-minute bar."""
OK = QColor("#16a34a")
FAILED = QColor("#dc2626")

CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")


def apply(app: QApplication) -> None:
    """The application font (a CJK one where installed, so Chinese never shows as boxes) and style sheet."""
    families = set(QFontDatabase.families())
    family = next((f for f in CJK_FAMILIES if f in families), None)
    if family is None:
        logger.warning("no CJK font found; Chinese may not render (install fonts-wqy-microhei)")
    else:
        font = QFont(family)
        font.setPointSizeF(max(app.font().pointSizeF(), 10.0))
        app.setFont(font)
    try:
        app.setStyleSheet(STYLE_FILE.read_text(encoding="utf-8"))
    except OSError as exc:
        logger.warning("style sheet not loaded: %s", exc)
