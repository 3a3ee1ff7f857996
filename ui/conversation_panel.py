"""The middle panel: one conversation's header, messages and composer, and what an agent does with it.

Staff-only lines (notes, whispers) are shown in the chat and written in the composer's note mode
(ui/notes_panel.py); a supervisor on a chat someone else holds gets the monitor bar instead of the
composer (ui/monitor_bar.py); the invitation buttons are ui/call_invite.py.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from app.events import (
    CallChanged,
    CaseChanged,
    ConversationChanged,
    MessagesAdded,
    MessageUpdated,
    NoteAdded,
    ReadByBuyer,
)
from app.history import LocalMessage
from app.services import DeskService
from ui.bridge import DeskBridge
from ui.call_invite import CALL_REASONS, CallInvite
from ui.chat_view import ChatModel, ChatView
from ui.composer import Composer
from ui.monitor_bar import MonitorBar
from ui.notes_panel import ChatNotes
from ui.sla import countdown, sla_level
from ui.system_text import params_of
from ui.tasks import Tasks
from ui.text import plain_mnemonic
from ui.transfer_dialog import TransferDialog
from wire import frames as f

__all__ = ["CALL_REASONS", "ConversationPanel"]

logger = logging.getLogger(__name__)


class ConversationPanel(QWidget):
    """Shows one conversation; sends, transfers, resolves and exports it through the service."""

    error = Signal(object)  # BaseException, shown by the main window
    info = Signal(str)  # a short confirmation for the status bar
    context_wanted = Signal(int)
    call_window_wanted = Signal(str)  # call id: the agent clicked "in a call"

    def __init__(self, service: DeskService, parent: QWidget | None = None, bridge: DeskBridge | None = None) -> None:
        """`bridge` gives the notes and (for supervisors) the supervision; without it the panel shows
        no staff lines and no monitor bar."""
        super().__init__(parent)
        self.service = service
        self.tasks = Tasks(self.error.emit)
        self.bridge = bridge
        self.conversation_id: int | None = None
        self.model = ChatModel(service.session.user_id, self)
        self.model.older_requested.connect(self._load_older)
        self.view = ChatView(self.model, self)
        self.view.retry_requested.connect(lambda cmid: self.tasks.run(self.service.retry(cmid)))
        self.composer = Composer(self)
        self.composer.set_template_source(service.find_templates)
        self.composer.send_requested.connect(self._send)
        self.composer.note_requested.connect(self._add_note)
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
        self.calls = CallInvite(service, self.tasks, lambda: self.conversation_id, self)
        self.calls.call_window_wanted.connect(self.call_window_wanted)
        self.call_button, self.voice_button = self.calls.button, self.calls.voice_button
        self.call_hint = self.calls.hint
        self.rating_label = QLabel(self)
        self.rating_label.setObjectName("ratingLabel")
        self.rating_label.setTextFormat(Qt.TextFormat.PlainText)
        self.rating_label.hide()
        self.chat_notes = ChatNotes(bridge.notes, self.model, self.tasks, self) if bridge is not None else None
        self.composer.allow_notes(self.chat_notes is not None)
        self.monitor: MonitorBar | None = None
        if bridge is not None and bridge.supervision is not None and self.chat_notes is not None:
            self.monitor = MonitorBar(service, bridge.supervision, self.chat_notes, self.tasks, self)
            self.monitor.hide()
        if bridge is not None:
            bridge.note_added.connect(self.on_note_added)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        titles.addWidget(self.rating_label)
        titles.addWidget(self.call_hint)
        header.addLayout(titles, 1)
        header.addWidget(self.sla_badge)
        for button in (self.call_button, self.voice_button, self.transfer_button, self.resolve_button,
                       self.export_button):
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
        if self.monitor is not None:
            layout.addWidget(self.monitor)
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
        self.calls.retranslate()
        self._update_header()

    # showing a conversation -------------------------------------------------------------------

    def show_conversation(self, conversation_id: int | None, at_seq: int | None = None) -> None:
        self.conversation_id = conversation_id
        self.model.reset(conversation_id, [])
        self.calls.forget()
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
        if self.chat_notes is not None:
            self.chat_notes.load(conversation_id)
        self._update_rating()
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
        monitoring = self.monitoring()
        for button in (self.transfer_button, self.resolve_button):
            button.setEnabled(writable and not monitoring)
        self.export_button.setEnabled(self.conversation_id is not None)
        self.composer.set_enabled(writable, "" if writable or self.conversation_id is None
                                  else self.tr("This chat is not assigned to you."))
        if self.monitor is not None:
            self.monitor.show_conversation(self.conversation_id)
            self.monitor.setVisible(monitoring)
        self.composer.setVisible(not monitoring)
        self._update_sla()
        self._update_rating()
        self.calls.update()

    def monitoring(self) -> bool:
        """A supervisor watching a live chat someone else holds, or one waiting in the queue."""
        view = self.service.conversations.get(self.conversation_id) if self.conversation_id else None
        return (self.monitor is not None and view is not None and view.active
                and view.info.agent_id != self.service.session.user_id)

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
            if any(m.event == "rated" for m in event.messages):
                self._update_rating()

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

    # video calls (ui/call_invite.py) ----------------------------------------------------------

    @property
    def call_refusal(self) -> str | None:
        """Why the buyer cannot be invited now: the refusal code of the last check (None when allowed)."""
        return self.calls.refusal

    def recheck_call_soon(self) -> None:
        self.calls.recheck_soon()

    def check_call(self) -> None:
        self.calls.check()

    def describe_refusal(self, code: str, retry_after: float | None = None) -> str:
        return self.calls.describe_refusal(code, retry_after)

    def invite(self, reason: str, audio_only: bool = False) -> None:
        """Invite this chat's buyer to a video explanation (or a voice call), saying why."""
        self.calls.invite(reason, audio_only)

    def on_call_changed(self, event: CallChanged) -> None:
        self.calls.on_call_changed(event)

    # staff notes, the buyer's rating ------------------------------------------------------------

    def on_note_added(self, event: NoteAdded) -> None:
        if self.chat_notes is not None:
            self.chat_notes.on_note_added(event)

    def _add_note(self, text: str) -> None:
        if self.conversation_id is not None and self.chat_notes is not None:
            self.chat_notes.add(self.conversation_id, text, put_back=self.composer.put_back)

    def rating(self) -> tuple[int, str] | None:
        """The buyer's rating of this chat's last session (stars, comment), if given."""
        view = self.service.conversations.get(self.conversation_id) if self.conversation_id else None
        for message in reversed(self.model.messages()):
            if message.event == "rated":
                params = params_of(message)
                if params.get("stars", "").isdigit():
                    return int(params["stars"]), params.get("comment", "")
        if view is not None and view.info.rating:
            return view.info.rating, ""
        return None

    def _update_rating(self) -> None:
        rated = self.rating()
        if rated is None:
            self.rating_label.hide()
            return
        stars, comment = rated
        shown = "★" * max(0, min(5, stars)) + "☆" * max(0, 5 - stars)
        text = self.tr("Buyer's rating: {0}").format(shown)
        if comment:
            text += " " + self.tr("“{0}”").format(comment)
        self.rating_label.setText(text)
        self.rating_label.setToolTip(self.tr("%n of 5 stars", "", stars))
        self.rating_label.show()

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
                menu.addAction(self.tr("Order {0} · {1}").format(plain_mnemonic(order.order_no), plain_mnemonic(first)),
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
