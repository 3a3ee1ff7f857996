"""Getting the agent's attention: tray icon with the unread count, notifications, a short sound.

Each can be switched off in the settings. Where the desktop has no system tray (or no audio
output), notifications show inside the window and the sound is skipped; nothing fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRect, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from app.config import Preferences
from app.events import Attention
from ui import theme

logger = logging.getLogger(__name__)


def badge_icon(base: QIcon, count: int) -> QIcon:
    """The app icon with a red unread badge."""
    pixmap = base.pixmap(64, 64)
    if count <= 0 or pixmap.isNull():
        return base
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#ffb400"))
    painter.setPen(Qt.PenStyle.NoPen)
    rect = QRect(30, 0, 34, 30)
    painter.drawRoundedRect(rect, 15, 15)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(20)
    painter.setFont(font)
    painter.setPen(QColor("#1f2329"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99")
    painter.end()
    return QIcon(pixmap)


class AttentionCenter(QObject):
    """Turns `Attention` events and the unread total into tray, notification and sound."""

    notified = Signal(str, str)  # title, text: shown in the window when there is no tray

    def __init__(self, prefs: Callable[[], Preferences], window: QWidget) -> None:
        super().__init__(window)
        self._prefs = prefs
        self._window = window
        self.icon = QIcon(str(theme.ICON_FILE))
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.icon, self)
            self.tray.activated.connect(self._raise_window)
            self.tray.show()
        self._sound: QObject | None = None
        self.unread = 0
        self.history: list[tuple[str, str]] = []
        """What was notified, newest last (the settings' effect is visible here; also for tests)."""
        self.sounds_played = 0
        # Now, before the desk connects: the first QMediaDevices call loads Qt's FFmpeg plugin, whose
        # initialisers log through Qt's message handler. If that ran while the call stack (PyAV) is
        # being imported in a thread (`CallManager.warm_up`), each would wait for the other: the
        # importing thread holds the GIL inside dlopen, and a Python message handler (pytest-qt's,
        # or any installed later) needs the GIL while the plugin's dlopen holds the loader lock.
        self._load_sound()

    def _raise_window(self, _reason: object) -> None:
        self._window.showNormal()
        self._window.activateWindow()

    def _load_sound(self) -> None:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:
            return
        if not QMediaDevices.audioOutputs():
            logger.info("no audio output: notification sounds are off")
            return
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(theme.SOUND_FILE)))
        effect.setVolume(0.6)
        self._sound = effect

    def set_unread(self, count: int) -> None:
        if count == self.unread:
            return
        self.unread = count
        icon = badge_icon(self.icon, count)
        self._window.setWindowIcon(icon)
        if self.tray is not None:
            self.tray.setIcon(icon)
            self.tray.setToolTip(self.tr("Kefu Desk · %n unread", "", count))

    def on_attention(self, event: Attention) -> None:
        prefs = self._prefs()
        if event.kind in ("rate_low", "chat_overdue", "complaint"):
            if not prefs.notify_supervisor:
                return
            title, text = self._supervisor_alert(event)
        elif event.kind == "new_chat":
            if not prefs.notify_new_chat:
                return
            title, text = self.tr("New chat"), self.tr("{0} is waiting for you").format(event.buyer_name)
        else:
            if not prefs.notify_sla:
                return
            title = self.tr("Reply soon") if event.kind == "sla_warning" else self.tr("Reply overdue")
            text = (self.tr("{0} has waited 100 s") if event.kind == "sla_warning"
                    else self.tr("{0} has waited more than 3 minutes")).format(event.buyer_name)
        self.history.append((title, text))
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(title, text, self.icon, 5000)
        else:
            self.notified.emit(title, text)
        if prefs.sound:
            self.play()

    def _supervisor_alert(self, event: Attention) -> tuple[str, str]:
        if event.kind == "rate_low":
            rate = float(event.detail or 0)
            return (self.tr("3-minute reply rate below the bar"),
                    self.tr("Today's rate is {0:.1f}%, under the platform's 80%").format(rate * 100))
        if event.kind == "chat_overdue":
            return self.tr("Chat overdue"), self.tr("{0} has waited more than 3 minutes for a reply").format(
                event.buyer_name)
        return self.tr("New complaint"), self.tr("{0} complained about a video call").format(event.buyer_name)

    def play(self) -> None:
        self.sounds_played += 1
        if self._sound is not None:
            self._sound.play()  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
