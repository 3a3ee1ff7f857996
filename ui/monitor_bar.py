"""What a supervisor has instead of the composer on a chat another agent holds (or that waits in the
queue): monitoring, which the buyer is not told about, a whisper to the agent (or an internal note),
taking the chat over, and reassigning it.

The bar reads the conversation from the service and acts through the supervisor's tools
(`app.supervision.Supervision`) and the staff notes (`app.notes.Notes`); a whisper is a note of kind
"whisper" and never reaches the buyer. Reading here sends no read receipt to the buyer (the relay
ignores a watching supervisor's read).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.services import DeskService
from app.supervision import Supervision
from ui.notes_panel import ChatNotes
from ui.tasks import Tasks
from ui.text import plain_mnemonic, plain_title
from ui.transfer_dialog import TransferDialog
from wire import frames as f

logger = logging.getLogger(__name__)

BAR_STYLE = "QFrame#monitorBar { background: #efe6ff; border-top: 1px solid #8b5cf6; }"


class MonitorBar(QFrame):
    """Monitoring one conversation: whisper, note, take over, reassign."""

    taken_over = Signal(int)  # the conversation is now the supervisor's (the composer comes back)

    def __init__(self, service: DeskService, supervision: Supervision, notes: ChatNotes, tasks: Tasks,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitorBar")
        self.setStyleSheet(BAR_STYLE)
        self.service = service
        self.supervision = supervision
        self.notes = notes
        self.tasks = tasks
        self.conversation_id: int | None = None
        self.state = QLabel(self)
        self.state.setObjectName("monitorState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        self.whisper_edit = QLineEdit(self)
        self.whisper_edit.setObjectName("whisperEdit")
        self.whisper_edit.setMaxLength(2000)
        self.whisper_edit.returnPressed.connect(self.whisper)
        self.whisper_button = QPushButton(self)
        self.whisper_button.setObjectName("whisperButton")
        self.whisper_button.clicked.connect(self.whisper)
        self.note_button = QPushButton(self)
        self.note_button.setObjectName("monitorNoteButton")
        self.note_button.clicked.connect(self.add_note)
        self.take_over_button = QPushButton(self)
        self.take_over_button.setObjectName("takeOverButton")
        self.take_over_button.clicked.connect(self.take_over)
        self.reassign_button = QPushButton(self)
        self.reassign_button.setObjectName("reassignButton")
        self.reassign_button.clicked.connect(self.open_reassign)
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.take_over_button)
        top.addWidget(self.reassign_button)
        say = QHBoxLayout()
        say.addWidget(self.whisper_edit, 1)
        say.addWidget(self.whisper_button)
        say.addWidget(self.note_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(top)
        layout.addLayout(say)
        self._dialog: TransferDialog | None = None
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.note_button.setText(self.tr("Add note"))
        self.note_button.setToolTip(self.tr("An internal note on this chat, for staff only"))
        self.take_over_button.setText(self.tr("Take over"))
        self.take_over_button.setToolTip(self.tr("Answer the buyer yourself; the chat leaves its agent"))
        self.reassign_button.setText(self.tr("Reassign…"))
        self.reassign_button.setToolTip(self.tr("Give the chat to another agent or back to the queue"))
        self.show_conversation(self.conversation_id)

    def _holder(self) -> tuple[str | None, str]:
        view = self.service.conversations.get(self.conversation_id) if self.conversation_id is not None else None
        if view is None or view.info.status != "assigned" or not view.info.agent_id:
            return None, ""
        return view.info.agent_id, view.info.agent_name or view.info.agent_id

    def show_conversation(self, conversation_id: int | None) -> None:
        """Word the bar for this conversation (who holds it; whispering needs someone to hear)."""
        self.conversation_id = conversation_id
        holder, name = self._holder()
        told = self.tr("Monitoring — the buyer is not told.")
        if holder is None:
            self.state.setText(told + " " + self.tr("Waiting in the queue: nobody holds this chat yet."))
            self.whisper_edit.setPlaceholderText(self.tr("Internal note (staff only)"))
            self.whisper_button.setText(self.tr("Whisper"))
        else:
            self.state.setText(told + " " + self.tr("{0} is serving this chat.").format(name))
            self.whisper_edit.setPlaceholderText(self.tr("Whisper to {0} (the buyer never sees it)").format(name))
            self.whisper_button.setText(self.tr("Whisper to {0}").format(plain_mnemonic(name)))
        self.whisper_button.setEnabled(holder is not None)
        self.whisper_button.setToolTip("" if holder is not None else self.tr("Nobody holds this chat to whisper to."))

    # actions ------------------------------------------------------------------------------------

    def _typed(self) -> str:
        text = self.whisper_edit.text().strip()
        if text:
            self.whisper_edit.clear()
        return text

    def whisper(self) -> None:
        """Whisper the typed text to the agent holding the chat (a note the buyer never sees)."""
        cid = self.conversation_id
        if cid is None or self._holder()[0] is None:
            return
        text = self._typed()
        if text:
            self._note(cid, text, "whisper")

    def add_note(self) -> None:
        cid = self.conversation_id
        text = self._typed() if cid is not None else ""
        if cid is not None and text:
            self._note(cid, text, "note")

    def _note(self, cid: int, text: str, kind: f.NoteKind) -> None:
        self.notes.add(cid, text, kind, put_back=self._put_back)

    def _put_back(self, text: str) -> None:
        if not self.whisper_edit.text().strip():
            self.whisper_edit.setText(text)

    def take_over(self) -> None:
        cid = self.conversation_id
        if cid is None:
            return

        async def take() -> None:
            await self.supervision.take_over(cid)
            self.taken_over.emit(cid)

        self.tasks.run(take())

    def open_reassign(self) -> TransferDialog | None:
        cid = self.conversation_id
        view = self.service.conversations.get(cid) if cid is not None else None
        if cid is None or view is None or not view.active:
            return None
        holder = view.info.agent_id
        agents = [a for a in self.service.agents if a.agent_id != holder]
        dialog = TransferDialog(agents, self.service.session.user_id, view.info.buyer_name, self)
        dialog.setObjectName("reassignDialog")
        dialog.setWindowTitle(self.tr("Reassign {0}").format(plain_title(view.info.buyer_name)))
        dialog.note.hide()  # a reassignment carries no handover note (the agent may not be the one asking)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.tasks.run(self.supervision.reassign(cid, dialog.target())))
        self._dialog = dialog
        dialog.open()
        return dialog
