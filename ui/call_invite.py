"""The conversation header's invitation buttons: "Video call" and "Voice call" (audio only).

The relay decides whether this chat's buyer may be invited now (and says why not); the buttons only
reflect its answer, asked again when something may have changed it. While an invitation rings the
video button withdraws it, and during a call it brings the call window back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMenu, QToolButton, QWidget

from app.errors import ConnectionLost, KefuError, RelayError
from app.events import CallChanged
from app.services import DeskService
from ui.errors import error_text
from ui.tasks import Tasks

logger = logging.getLogger(__name__)

CALL_REASONS = ("演示安装步骤", "查看商品问题", "讲解产品功能")
"""What an invitation says to the buyer (the card on the buyer's page); the menu shows them translated."""
CALL_RECHECK_MS = 60_000
"""How often the buttons ask again while a chat is shown (a chat falls quiet, a day turns)."""


class CallInvite(QObject):
    """The two invite buttons and the hint line under the title, for the conversation shown."""

    call_window_wanted = Signal(str)  # call id: the agent clicked "in a call"

    def __init__(self, service: DeskService, tasks: Tasks, conversation: Callable[[], int | None],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = tasks
        self._conversation = conversation
        self.button = QToolButton(parent)
        self.button.setObjectName("inviteCallButton")
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.clicked.connect(self._clicked)
        self.voice_button = QToolButton(parent)
        self.voice_button.setObjectName("inviteVoiceButton")
        self.voice_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.voice_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(parent)
        self.voice_menu = QMenu(parent)
        self.voice_button.setMenu(self.voice_menu)
        self.hint = QLabel(parent)
        self.hint.setObjectName("callHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.hide()
        self.refusal: str | None = None
        """Why the buyer cannot be invited now: the refusal code of the last check (None when allowed)."""
        self._retry_after: float | None = None
        self._gen = 0
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.check)
        self._poll = QTimer(self)
        self._poll.setInterval(CALL_RECHECK_MS)
        self._poll.timeout.connect(self.check)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(250)
        self._soon.timeout.connect(self.check)

    def retranslate(self) -> None:
        labels = (self.tr("Show the installation steps"), self.tr("Look at a problem with the product"),
                  self.tr("Explain the product's features"))
        for menu, audio_only in ((self.menu, False), (self.voice_menu, True)):
            menu.clear()
            for label, reason in zip(labels, CALL_REASONS, strict=True):
                menu.addAction(label, partial(self.invite, reason, audio_only))
        self.update()

    # asking the relay ---------------------------------------------------------------------------

    def recheck_soon(self) -> None:
        """Something changed that may change the answer (the connection, a call): ask again shortly."""
        self._soon.start()

    def check(self) -> None:
        """Ask the relay whether this chat's buyer may be invited now; the buttons show the answer.

        The relay decides (and says why not, policy first: an agent learns why even about a chat that
        is not, or no longer, assigned to them); the buttons only reflect its answer."""
        self._gen += 1
        self._retry.stop()
        cid = self._conversation()
        if cid is None or self.service.session.role != "agent":
            self._poll.stop()
            self.update()
            return
        self._poll.start()
        if self.service.calls.for_conversation(cid) is not None:
            self.update()
            return
        gen = self._gen

        async def check() -> None:
            code: str | None
            retry: float | None
            try:
                answer = await self.service.calls.check(cid)
            except ConnectionLost:
                code, retry = "offline", None
            except RelayError as exc:
                code, retry = str(exc.code), exc.retry_after
            except KefuError:
                code, retry = "offline", None
            else:
                code, retry = (None, None) if answer.allowed else (str(answer.code), answer.retry_after)
            if gen != self._gen:
                return  # the agent moved on, or a newer check is on its way
            self.refusal = code
            self._retry_after = retry
            if retry:
                self._retry.start(int(retry * 1000) + 500)
            self.update()

        self.tasks.run(check())

    def forget(self) -> None:
        """Another conversation is shown: no answer yet."""
        self.refusal = None

    def describe_refusal(self, code: str, retry_after: float | None = None) -> str:
        """Why the agent cannot invite, in words the agent can act on. Only what the invite button's
        context changes is worded here (who may invite; "offline", the panel's own state, not a relay
        code); any other code is worded by ui/errors.py, like everywhere else."""
        if code == "forbidden":
            return self.tr("Only the agent this chat is assigned to can invite the buyer.")
        if code == "offline":
            return self.tr("Not connected to the relay.")
        return error_text(RelayError(code, "", retry_after))

    # showing the answer -------------------------------------------------------------------------

    def update(self) -> None:
        button, voice = self.button, self.voice_button
        cid = self._conversation()
        if cid is None or self.service.session.role != "agent":
            button.hide()
            voice.hide()
            self.hint.hide()
            return
        button.show()
        call = self.service.calls.for_conversation(cid)
        button.setMenu(None)  # type: ignore[arg-type]
        button.setPopupMode(QToolButton.ToolButtonPopupMode.DelayedPopup)
        voice.setVisible(call is None)
        voice.setText(self.tr("Voice call"))
        if call is not None and call.state == "invited":
            button.setProperty("mode", "ringing")
            button.setText(self.tr("Ringing… (withdraw)"))
            button.setToolTip(self.tr("Waiting for the buyer to answer; click to withdraw the invitation."))
            button.setEnabled(True)
            if call.info.delivered_at is None:
                self.hint.setText(self.tr("Not delivered yet: the buyer's page is not open. "
                                          "It reaches them if they come back before it expires."))
            else:
                self.hint.setText(self.tr("Delivered: the buyer sees the invitation."))
            self.hint.show()
        elif call is not None:
            button.setProperty("mode", "in_call")
            button.setText(self.tr("In a call"))
            button.setToolTip(self.tr("Show the call window"))
            button.setEnabled(True)
            self.hint.hide()
        elif self.refusal is not None:
            reason = self.describe_refusal(self.refusal, self._retry_after)
            button.setProperty("mode", "refused")
            button.setText(self.tr("Video call"))
            for widget in (button, voice):
                widget.setToolTip(reason)
                widget.setEnabled(False)
            self.hint.setText(reason)
            self.hint.show()
        else:
            button.setProperty("mode", "invite")
            button.setText(self.tr("Video call"))
            button.setToolTip(self.tr("Invite the buyer to a video explanation (the buyer accepts or declines)"))
            voice.setToolTip(self.tr("Invite the buyer to a voice call, without video (the buyer accepts or declines)"))
            button.setEnabled(True)
            voice.setEnabled(True)
            button.setMenu(self.menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            self.hint.hide()

    def _clicked(self) -> None:
        cid = self._conversation()
        call = self.service.calls.for_conversation(cid) if cid is not None else None
        if call is None:
            return
        if call.state == "invited":
            self.service.calls.hang_up_soon(call.call_id)
        else:
            self.call_window_wanted.emit(call.call_id)

    def invite(self, reason: str, audio_only: bool = False) -> None:
        """Invite this chat's buyer to a video explanation (or a voice call), saying why (shown to the buyer)."""
        cid = self._conversation()
        if cid is None:
            return

        async def invite() -> None:
            try:
                await self.service.calls.invite(cid, reason, audio_only=audio_only)
            finally:
                if self._conversation() == cid:
                    self.check()

        self.tasks.run(invite())

    def on_call_changed(self, event: CallChanged) -> None:
        if event.call.conversation_id != self._conversation():
            return
        if event.call.over:
            self.recheck_soon()  # declined: the cooldown; expired or ended: invite again
        self.update()
