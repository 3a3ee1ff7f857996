"""The middle panel: one conversation's header, messages and composer, and what an agent does with it."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConnectionLost, KefuError, RelayError
from app.events import CallChanged, CaseChanged, ConversationChanged, MessagesAdded, MessageUpdated, ReadByBuyer
from app.history import LocalMessage
from app.services import DeskService
from ui.chat_view import ChatModel, ChatView
from ui.composer import Composer
from ui.errors import error_text
from ui.sla import countdown, sla_level
from ui.tasks import Tasks
from ui.transfer_dialog import TransferDialog
from wire import frames as f

logger = logging.getLogger(__name__)

CALL_REASONS = ("演示安装步骤", "查看商品问题", "讲解产品功能")
"""What an invitation says to the buyer (the card on the buyer's page); the menu shows them translated."""
CALL_RECHECK_MS = 60_000
"""How often the invite button asks again while a chat is shown (a chat falls quiet, a day turns)."""


class ConversationPanel(QWidget):
    """Shows one conversation; sends, transfers, resolves and exports it through the service."""

    error = Signal(object)  # BaseException, shown by the main window
    info = Signal(str)  # a short confirmation for the status bar
    context_wanted = Signal(int)
    call_window_wanted = Signal(str)  # call id: the agent clicked "in a call"

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = Tasks(self.error.emit)
        self.conversation_id: int | None = None
        self.model = ChatModel(service.session.user_id, self)
        self.model.older_requested.connect(self._load_older)
        self.view = ChatView(self.model, self)
        self.view.retry_requested.connect(lambda cmid: self.tasks.run(self.service.retry(cmid)))
        self.composer = Composer(self)
        self.composer.set_template_source(service.find_templates)
        self.composer.send_requested.connect(self._send)
        self.composer.template_chosen.connect(self._use_template)
        self.composer.card_requested.connect(self._card_menu)
        self.title = QLabel(self)
        self.title.setObjectName("conversationTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("hint")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.sla_badge = QLabel(self)
        self.sla_badge.setObjectName("slaBadge")
        self.sla_badge.hide()
        self._sla_timer = QTimer(self)
        self._sla_timer.setInterval(1000)
        self._sla_timer.timeout.connect(self._update_sla)
        self._sla_timer.start()
        self.note = QLabel(self)
        self.note.setObjectName("transferNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.hide()
        self.transfer_button = QPushButton(self)
        self.transfer_button.setObjectName("transferButton")
        self.transfer_button.clicked.connect(self.open_transfer)
        self.resolve_button = QPushButton(self)
        self.resolve_button.setObjectName("resolveButton")
        self.resolve_button.clicked.connect(self.resolve)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self.ask_export)
        self.call_button = QToolButton(self)
        self.call_button.setObjectName("inviteCallButton")
        self.call_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.call_button.clicked.connect(self._call_clicked)
        self.call_menu = QMenu(self)
        self.call_hint = QLabel(self)
        self.call_hint.setObjectName("callHint")
        self.call_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.call_hint.hide()
        self.call_refusal: str | None = None
        """Why the buyer cannot be invited now: the refusal code of the last check (None when allowed)."""
        self._call_retry_after: float | None = None
        self._call_check_gen = 0
        self._call_retry = QTimer(self)
        self._call_retry.setSingleShot(True)
        self._call_retry.timeout.connect(self.check_call)
        self._call_poll = QTimer(self)
        self._call_poll.setInterval(CALL_RECHECK_MS)
        self._call_poll.timeout.connect(self.check_call)
        self._call_soon = QTimer(self)
        self._call_soon.setSingleShot(True)
        self._call_soon.setInterval(250)
        self._call_soon.timeout.connect(self.check_call)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        titles.addWidget(self.call_hint)
        header.addLayout(titles, 1)
        header.addWidget(self.sla_badge)
        for button in (self.call_button, self.transfer_button, self.resolve_button, self.export_button):
            header.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        head = QWidget(self)
        head.setObjectName("conversationHeader")
        head.setLayout(header)
        layout.addWidget(head)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.composer)
        self._transfer: TransferDialog | None = None
        self._export_dialog: QFileDialog | None = None
        self.retranslate()
        self.show_conversation(None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.transfer_button.setText(self.tr("Transfer"))
        self.transfer_button.setToolTip(self.tr("Hand this chat to a colleague (Ctrl+T)"))
        self.resolve_button.setText(self.tr("Resolve"))
        self.resolve_button.setToolTip(self.tr("Close this chat as handled (Ctrl+Shift+R)"))
        self.export_button.setText(self.tr("Export"))
        self.call_menu.clear()
        labels = (self.tr("Show the installation steps"), self.tr("Look at a problem with the product"),
                  self.tr("Explain the product's features"))
        for label, reason in zip(labels, CALL_REASONS, strict=True):
            self.call_menu.addAction(label, partial(self.invite, reason))
        self._update_header()

    # showing a conversation -------------------------------------------------------------------

    def show_conversation(self, conversation_id: int | None, at_seq: int | None = None) -> None:
        self.conversation_id = conversation_id
        self.model.reset(conversation_id, [])
        self.call_refusal = None
        self._update_header()
        self.service.focus(conversation_id)
        self.check_call()
        if conversation_id is None:
            return
        self.tasks.run(self._load(conversation_id, at_seq))
        self.context_wanted.emit(conversation_id)

    async def _load(self, conversation_id: int, at_seq: int | None) -> None:
        if at_seq is None:
            messages = await self.service.page(conversation_id)
        else:
            messages = await self.service.around(conversation_id, at_seq)
        if self.conversation_id != conversation_id:
            return  # the agent moved on meanwhile
        view = self.service.conversations.get(conversation_id)
        self.model.reset(conversation_id, messages, view.info.buyer_read_seq if view else 0)
        if at_seq is not None:
            self.view.scroll_to_seq(at_seq)

    def _load_older(self) -> None:
        cid, oldest = self.conversation_id, self.model.oldest_seq()
        if cid is None or oldest is None:
            self.model.prepend([])
            return

        async def load() -> None:
            try:
                older = await self.service.page(cid, before_seq=oldest)
            except BaseException:
                self.model.prepend([])
                raise
            if self.conversation_id == cid:
                self.model.prepend(older)

        self.tasks.run(load())

    def _update_header(self) -> None:
        view = self.service.conversations.get(self.conversation_id) if self.conversation_id else None
        writable = view is not None and view.active and (
            view.info.agent_id == self.service.session.user_id or self.service.session.role == "supervisor")
        if self.conversation_id is None:
            self.title.setText(self.tr("No conversation selected"))
            self.subtitle.setText(self.tr("Chats assigned to you appear on the left."))
        elif view is None:
            self.title.setText(self.tr("Conversation {0}").format(self.conversation_id))
            self.subtitle.setText(self.tr("From the local history (read only)"))
        else:
            self.title.setText(view.info.buyer_name)
            agent = view.info.agent_name or self.tr("nobody")
            self.subtitle.setText(self.tr("Served by {0}").format(agent) if view.active else self.tr("Closed"))
        if view is not None and view.note and view.active:
            self.note.setText(self.tr("Note from the previous agent: {0}").format(view.note))
            self.note.show()
        else:
            self.note.hide()
        for button in (self.transfer_button, self.resolve_button):
            button.setEnabled(writable)
        self.export_button.setEnabled(self.conversation_id is not None)
        self.composer.set_enabled(writable, "" if writable or self.conversation_id is None
                                  else self.tr("This chat is not assigned to you."))
        self._update_sla()
        self._update_call_button()

    def _update_sla(self) -> None:
        """How long the buyer has waited for a reply, in the header: amber from 100 s, red past 180 s."""
        view = self.service.conversations.get(self.conversation_id) if self.conversation_id else None
        if view is None or not view.active or view.info.unanswered_since is None:
            self.sla_badge.hide()
            return
        now = self.service.relay_now_ms()
        level = sla_level(view, now)
        left = countdown(view, now)
        if level == "overdue":
            text = self.tr("No reply for over 3 minutes ({0})").format(left)
        elif level == "warning":
            text = self.tr("Reply soon: {0} left to the 3-minute mark").format(left)
        else:
            text = self.tr("Waiting for a reply · {0}").format(left)
        self.sla_badge.setText(text)
        if self.sla_badge.property("level") != level:
            self.sla_badge.setProperty("level", level)
            self.sla_badge.style().unpolish(self.sla_badge)
            self.sla_badge.style().polish(self.sla_badge)
        self.sla_badge.show()

    # events -------------------------------------------------------------------------------------

    def on_messages_added(self, event: MessagesAdded) -> None:
        if event.conversation_id == self.conversation_id:
            self.model.merge(event.messages)
            self.recheck_call_soon()  # the buyer wrote (or the chat moved on): ask again, once

    def on_message_updated(self, event: MessageUpdated) -> None:
        if event.conversation_id == self.conversation_id:
            self.model.merge([event.message])

    def on_read_by_buyer(self, event: ReadByBuyer) -> None:
        if event.conversation_id == self.conversation_id:
            self.model.set_buyer_read(event.read_seq)

    def on_case_changed(self, event: CaseChanged) -> None:
        if event.conversation_id == self.conversation_id:
            self.model.set_case_status(event.case.case_id, event.case.status)

    def on_conversation_changed(self, event: ConversationChanged) -> None:
        if event.conversation.conversation_id == self.conversation_id:
            self._update_header()
            self.recheck_call_soon()

    # video calls ------------------------------------------------------------------------------

    def recheck_call_soon(self) -> None:
        """Something changed that may change the answer (the connection, a call): ask again shortly."""
        self._call_soon.start()

    def check_call(self) -> None:
        """Ask the relay whether this chat's buyer may be invited now; the button shows the answer.

        The relay decides (and says why not, policy first: an agent learns why even about a chat that
        is not, or no longer, assigned to them); the button only reflects its answer."""
        self._call_check_gen += 1
        self._call_retry.stop()
        cid = self.conversation_id
        if cid is None or self.service.session.role != "agent":
            self._call_poll.stop()
            self._update_call_button()
            return
        self._call_poll.start()
        if self.service.calls.for_conversation(cid) is not None:
            self._update_call_button()
            return
        gen = self._call_check_gen

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
            if gen != self._call_check_gen:
                return  # the agent moved on, or a newer check is on its way
            self.call_refusal = code
            self._call_retry_after = retry
            if retry:
                self._call_retry.start(int(retry * 1000) + 500)
            self._update_call_button()

        self.tasks.run(check())

    def describe_refusal(self, code: str, retry_after: float | None = None) -> str:
        """Why the agent cannot invite, in words the agent can act on. Only what the invite button's
        context changes is worded here (who may invite; "offline", the panel's own state, not a relay
        code); any other code is worded by ui/errors.py, like everywhere else."""
        if code == "forbidden":
            return self.tr("Only the agent this chat is assigned to can invite the buyer.")
        if code == "offline":
            return self.tr("Not connected to the relay.")
        return error_text(RelayError(code, "", retry_after))

    def _update_call_button(self) -> None:
        button = self.call_button
        cid = self.conversation_id
        if cid is None or self.service.session.role != "agent":
            button.hide()
            self.call_hint.hide()
            return
        button.show()
        call = self.service.calls.for_conversation(cid)
        button.setMenu(None)  # type: ignore[arg-type]
        button.setPopupMode(QToolButton.ToolButtonPopupMode.DelayedPopup)
        if call is not None and call.state == "invited":
            button.setProperty("mode", "ringing")
            button.setText(self.tr("Ringing… (withdraw)"))
            button.setToolTip(self.tr("Waiting for the buyer to answer; click to withdraw the invitation."))
            button.setEnabled(True)
            if call.info.delivered_at is None:
                self.call_hint.setText(self.tr("Not delivered yet: the buyer's page is not open. "
                                               "It reaches them if they come back before it expires."))
            else:
                self.call_hint.setText(self.tr("Delivered: the buyer sees the invitation."))
            self.call_hint.show()
        elif call is not None:
            button.setProperty("mode", "in_call")
            button.setText(self.tr("In a call"))
            button.setToolTip(self.tr("Show the call window"))
            button.setEnabled(True)
            self.call_hint.hide()
        elif self.call_refusal is not None:
            reason = self.describe_refusal(self.call_refusal, self._call_retry_after)
            button.setProperty("mode", "refused")
            button.setText(self.tr("Video call"))
            button.setToolTip(reason)
            button.setEnabled(False)
            self.call_hint.setText(reason)
            self.call_hint.show()
        else:
            button.setProperty("mode", "invite")
            button.setText(self.tr("Video call"))
            button.setToolTip(self.tr("Invite the buyer to a video explanation (the buyer accepts or declines)"))
            button.setEnabled(True)
            button.setMenu(self.call_menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            self.call_hint.hide()

    def _call_clicked(self) -> None:
        cid = self.conversation_id
        call = self.service.calls.for_conversation(cid) if cid is not None else None
        if call is None:
            return
        if call.state == "invited":
            self.service.calls.hang_up_soon(call.call_id)
        else:
            self.call_window_wanted.emit(call.call_id)

    def invite(self, reason: str) -> None:
        """Invite this chat's buyer to a video explanation, saying why (shown to the buyer)."""
        cid = self.conversation_id
        if cid is None:
            return

        async def invite() -> None:
            try:
                await self.service.calls.invite(cid, reason)
            finally:
                if self.conversation_id == cid:
                    self.check_call()

        self.tasks.run(invite())

    def on_call_changed(self, event: CallChanged) -> None:
        if event.call.conversation_id != self.conversation_id:
            return
        if event.call.over:
            self.recheck_call_soon()  # declined: the cooldown; expired or ended: invite again
        self._update_call_button()

    # actions ------------------------------------------------------------------------------------

    def _send(self, text: str) -> None:
        if self.conversation_id is not None:
            self.tasks.run(self.service.send_text(self.conversation_id, text))

    def send_card(self, card: f.CardRequest, label: str) -> None:
        if self.conversation_id is not None:
            self.tasks.run(self.service.send_card(self.conversation_id, card, label))

    def _use_template(self, template: f.Template) -> None:
        cid = self.conversation_id
        if cid is None:
            return

        async def fill() -> None:
            rendered = await self.service.render_template(template.template_id, cid)
            if self.conversation_id == cid:
                self.composer.fill(rendered.text, rendered.missing)

        self.tasks.run(fill())

    def _card_menu(self) -> None:
        cid = self.conversation_id
        if cid is None:
            return

        async def show() -> None:
            context = await self.service.context(cid)
            if self.conversation_id != cid:
                return
            menu = QMenu(self)
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            for order in context.orders[:10]:
                first = order.items[0].title if order.items else ""
                card = f.CardRequest(kind="order", order_no=order.order_no)
                menu.addAction(self.tr("Order {0} · {1}").format(order.order_no, first),
                               partial(self.send_card, card, self.tr("[Order] {0}").format(order.order_no)))
            if not context.orders:
                menu.addAction(self.tr("This buyer has no orders in the shop")).setEnabled(False)
            menu.popup(self.composer.card_button.mapToGlobal(self.composer.card_button.rect().topLeft()))

        self.tasks.run(show())

    def open_transfer(self) -> TransferDialog | None:
        cid = self.conversation_id
        view = self.service.conversations.get(cid) if cid else None
        if cid is None or view is None or not view.active:
            return None
        dialog = TransferDialog(self.service.agents, self.service.session.user_id, view.info.buyer_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.tasks.run(self.service.transfer(cid, dialog.target(), dialog.note_text())))
        self._transfer = dialog
        dialog.open()
        return dialog

    def resolve(self) -> None:
        cid = self.conversation_id
        view = self.service.conversations.get(cid) if cid else None
        if cid is not None and view is not None and view.active:
            self.tasks.run(self.service.resolve(cid))

    def ask_export(self) -> None:
        cid = self.conversation_id
        if cid is None:
            return
        dialog = QFileDialog(self, self.tr("Export conversation"), str(Path.home() / f"conversation-{cid}.txt"),
                             self.tr("Text (*.txt);;CSV (*.csv)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export_to(cid, Path(path)))
        self._export_dialog = dialog
        dialog.open()

    def export_to(self, conversation_id: int, path: Path) -> None:
        fmt: Literal["txt", "csv"] = "csv" if path.suffix.lower() == ".csv" else "txt"

        async def export() -> None:
            rows = await self.service.export(conversation_id, path, fmt)
            self.info.emit(self.tr("Exported {0} messages to {1}").format(rows, str(path)))

        self.tasks.run(export())

    def messages(self) -> list[LocalMessage]:
        return self.model.messages()
