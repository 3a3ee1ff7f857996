"""The call window: the buyer large, the agent's own picture small, the video source, mute, hang up,
the call's state and duration, and the relay's warning before the shop's limit.

Pictures are pulled, not pushed: each new frame only asks its view to repaint (Qt folds repeated
requests into one paint), and the paint wraps the latest RGB array in a QImage without copying it.
A view never paints more often than frames arrive, and a slow paint skips frames instead of
queueing them. Closing the window hangs up.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QRect, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor, QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.errors import KefuError
from app.events import CallChanged, CallEnding, CallView, VideoImage
from app.services import DeskService
from ui.bridge import DeskBridge
from ui.call_devices import CameraFeed, MicrophoneFeed, Speaker, camera_available
from ui.errors import error_text
from ui.tasks import Tasks
from ui.text import plain_title

logger = logging.getLogger(__name__)

PREVIEW_SIZE = (192, 144)


class VideoView(QWidget):
    """Paints the latest picture of one side of a call, scaled to fit, on black."""

    def __init__(self, pull: Callable[[], VideoImage | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pull = pull
        self.placeholder = ""
        self.painted = 0
        """Frames painted so far (a test reads it)."""
        self.shown_serial = 0
        self.inset: QWidget | None = None
        """A smaller view kept in the bottom-right corner of this one (the agent's own picture)."""
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.inset is not None:
            self.inset.move(max(0, self.width() - self.inset.width() - 12),
                            max(0, self.height() - self.inset.height() - 12))

    def frame_ready(self) -> None:
        self.update()  # repeated requests before the next paint are folded into one

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#101214"))
        image = self._pull()
        if image is None:
            if self.placeholder:
                painter.setPen(QColor("#9aa0a6"))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()
            return
        w, h = image.width, image.height
        picture = QImage(image.rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)  # no copy: painted now
        scale = min(self.width() / w, self.height() / h)
        tw, th = max(1, int(w * scale)), max(1, int(h * scale))
        target = QRect((self.width() - tw) // 2, (self.height() - th) // 2, tw, th)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, picture)
        painter.end()
        self.painted += 1
        self.shown_serial = image.serial


class CallWindow(QWidget):
    """One call of the agent's; opened when the buyer accepts, closed when the call is over."""

    def __init__(self, service: DeskService, bridge: DeskBridge, view: CallView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("callWindow")
        self.service = service
        self.bridge = bridge
        self.view = view
        call_id = self.call_id = view.call_id
        calls = service.calls
        self._windows: list[tuple[str, str]] = []
        """Windows that could be shared, (source key, title): listed in a thread once the window opens."""
        self.tasks = Tasks(lambda exc: logger.info("the windows to share could not be listed: %s", exc))
        self.remote = VideoView(lambda: calls.frame(call_id, "remote"), self)
        self.remote.setObjectName("remoteVideo")
        self.remote.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.remote.setMinimumSize(480, 360)
        self.local = VideoView(lambda: calls.frame(call_id, "local"), self.remote)
        self.local.setObjectName("localVideo")
        self.local.setFixedSize(*PREVIEW_SIZE)
        self.remote.inset = self.local
        self.who = QLabel(self)
        self.who.setObjectName("conversationTitle")
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label = QLabel(self)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setObjectName("hint")
        self.timer_label = QLabel(self)
        self.timer_label.setObjectName("callTimer")
        self.notice = QLabel(self)
        self.notice.setObjectName("callNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.hide()
        self.source_box = QComboBox(self)
        self.source_box.setObjectName("sourceBox")
        self.source_box.activated.connect(self._source_chosen)
        self.mute_button = QPushButton(self)
        self.mute_button.setObjectName("muteButton")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._mute_toggled)
        self.hang_up_button = QPushButton(self)
        self.hang_up_button.setObjectName("hangUpButton")
        self.hang_up_button.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.who)
        top.addWidget(self.state_label)
        top.addStretch(1)
        top.addWidget(self.timer_label)
        controls = QHBoxLayout()
        self.source_label = QLabel(self)
        controls.addWidget(self.source_label)
        controls.addWidget(self.source_box)
        controls.addStretch(1)
        controls.addWidget(self.mute_button)
        controls.addWidget(self.hang_up_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.remote, 1)
        layout.addLayout(controls)

        self.camera = CameraFeed(lambda rgb: calls.push_video(call_id, rgb), self)
        self.microphone = MicrophoneFeed(lambda pcm: calls.push_audio(call_id, pcm), self)
        self.speaker = Speaker(self)
        self.has_camera = camera_available()
        self.microphone.start()
        self.speaker.start()
        if view.source == "camera":
            self.camera.start()

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._update_timer)
        self._clock.start()
        bridge.call_changed.connect(self.on_call_changed)
        bridge.call_frame.connect(self.on_call_frame)
        bridge.call_audio.connect(self.on_call_audio)
        bridge.call_ending.connect(self.on_call_ending)
        self._finished = False
        self.resize(860, 640)
        self.retranslate()
        self.tasks.run(self.list_windows())

    # text ----------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif (event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and not self._finished
              and not self.source_box.view().isVisible()):
            # Back from another application: the window the agent just opened is offered too.
            self.tasks.run(self.list_windows())
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Video call · {0}").format(plain_title(self.view.info.buyer_name)))
        self.who.setText(self.view.info.buyer_name)
        self.source_label.setText(self.tr("Show:"))
        self.mute_button.setText(self.tr("Unmute") if self.mute_button.isChecked() else self.tr("Mute"))
        self.hang_up_button.setText(self.tr("Hang up"))
        self.local.placeholder = self.tr("Your video")
        self._fill_sources()
        self._show_state()

    def source_name(self, key: str) -> str:
        if key == "pattern":
            return self.tr("Test pattern")
        if key == "screen":
            return self.tr("My screen")
        if key == "camera":
            return self.tr("Camera")
        if key.startswith("window:"):
            title = dict(self._windows).get(key)
            return self.tr("Window: {0}").format(title) if title else self.tr("A window")
        return self.tr("Product video: {0}").format(key.removeprefix("clip:"))

    def _fill_sources(self) -> None:
        keys = (["camera"] if self.has_camera else []) + self.service.calls.sources()
        keys += [key for key, _title in self._windows]
        self.source_box.clear()
        for key in keys:
            self.source_box.addItem(self.source_name(key), key)
        self.source_box.setCurrentIndex(max(0, self.source_box.findData(self.view.source)))

    async def list_windows(self) -> None:
        """Offer the windows that could be shared (besides the whole screen)."""
        windows = await self.service.calls.windows()
        if self._finished:
            return  # closed meanwhile
        # Never the workstation's own windows: the call window would mirror itself, and the main
        # window shows other buyers' chats.
        own = {int(w.winId()) for w in QApplication.topLevelWidgets() if w.isVisible()}
        offered = [(key, title) for key, title in windows if int(key.removeprefix("window:")) not in own]
        if offered != self._windows:
            self._windows = offered
            self._fill_sources()

    def _show_state(self) -> None:
        v = self.view
        if v.over:
            text = self.tr("The call has ended")
        elif v.state == "connected" or v.media:
            text = self.tr("Connected") if v.media else self.tr("Connecting…")
        elif v.state == "accepted":
            text = self.tr("Connecting…")
        else:
            text = self.tr("Waiting for the buyer…")
        if v.info.audio_only and not v.over:
            text += " · " + self.tr("audio only")
        if v.source_failed and not v.over:
            text += " · " + self.tr("{0} can no longer be shown; the buyer sees the test pattern").format(
                self.source_name(v.source_failed))
        self.state_label.setText(text)
        if v.info.audio_only:
            self.remote.placeholder = self.tr("Voice call: no video either way")
        else:
            self.remote.placeholder = self.tr("The buyer's camera is off")
        for widget in (self.source_label, self.source_box):  # nothing to show in a voice call
            widget.setHidden(v.info.audio_only)
        self.remote.update()
        if v.remaining_s is not None and not v.over:
            minutes = max(1, math.ceil(v.remaining_s / 60))
            self.notice.setText(self.tr("The call will be ended at the shop's limit in %n minute(s).", "", minutes))
            self.notice.show()
        self._update_timer()

    def _update_timer(self) -> None:
        connected = self.view.info.connected_at
        if connected is None:
            self.timer_label.setText("")
            return
        end = self.view.info.ended_at or self.service.relay_now_ms()
        seconds = max(0, (end - connected) // 1000)
        self.timer_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")

    # events ----------------------------------------------------------------------------------------

    def on_call_changed(self, event: CallChanged) -> None:
        if event.call.call_id != self.call_id:
            return
        self.view = event.call
        self._show_state()
        if event.reason == "source_failed":
            self.source_box.setCurrentIndex(max(0, self.source_box.findData(self.view.source)))
            if self.view.source_failed == "camera":
                self.camera.stop()
        if self.view.over and not self._finished:
            self._finished = True
            self.close()

    def on_call_frame(self, call_id: str, side: str) -> None:
        if call_id == self.call_id:
            (self.remote if side == "remote" else self.local).frame_ready()

    def on_call_audio(self, call_id: str, pcm: bytes) -> None:
        if call_id == self.call_id:
            self.speaker.play(pcm)

    def on_call_ending(self, event: CallEnding) -> None:
        if event.call_id == self.call_id:
            self.view.remaining_s = event.remaining_s
            self._show_state()

    def _mute_toggled(self, muted: bool) -> None:
        self.service.calls.set_muted(self.call_id, muted)
        self.mute_button.setText(self.tr("Unmute") if muted else self.tr("Mute"))

    def _source_chosen(self, index: int) -> None:
        key = self.source_box.itemData(index)
        try:
            self.service.calls.set_source(self.call_id, key)
        except KefuError as exc:
            self.state_label.setText(error_text(exc))
            self.source_box.setCurrentIndex(max(0, self.source_box.findData(self.view.source)))
            return
        if key == "camera":
            self.camera.start()
        else:
            self.camera.stop()

    # closing ---------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window hangs up (unless the call is already over)."""
        if not self.view.over:
            self._finished = True
            self.service.calls.hang_up_soon(self.call_id)
        self._clock.stop()
        self.camera.stop()
        self.microphone.stop()
        self.speaker.stop()
        for signal, slot in ((self.bridge.call_changed, self.on_call_changed),
                             (self.bridge.call_frame, self.on_call_frame),
                             (self.bridge.call_audio, self.on_call_audio),
                             (self.bridge.call_ending, self.on_call_ending)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        super().closeEvent(event)
