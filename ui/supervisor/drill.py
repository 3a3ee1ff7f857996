"""Drill into a figure: the facts behind it (GET /api/supervisor/drill), and the conversation behind
each fact opened read-only beside the list, with its staff notes.

Opening is reading: nothing here writes to the chat, and the buyer is not told (a supervisor's
read is not the agent's). "Open in chats" hands an open conversation to the main window, where
the supervisor can monitor, whisper or take over.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.supervision import Supervision
from ui.errors import error_text
from ui.supervisor.wallboard_model import seconds
from ui.tasks import Tasks
from wire import figures as w
from wire import frames as f


class DrillDialog(QDialog):
    """The rows behind one figure over a date range, for the shop or one agent."""

    open_conversation = Signal(int)

    def __init__(self, supervision: Supervision, figure: str, start: date, end: date, agent_id: str | None = None,
                 agent_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drillDialog")
        self.setModal(False)
        self.supervision = supervision
        self.figure, self.start, self.end, self.agent_id, self.agent_name = figure, start, end, agent_id, agent_name
        self.tasks = Tasks(self._failed)
        self._closing = Tasks()
        """Runs the cancelling of `tasks` on close: inside `tasks` it would cancel and await itself."""
        self.tz = ZoneInfo(supervision.live.today.timezone) if supervision.live else None
        self.rows: list[w.DrillRow] = []
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("drillTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.transcript = QTextBrowser(self)
        self.transcript.setObjectName("drillTranscript")
        self.transcript.setOpenLinks(False)
        self.open_button = QPushButton(self)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_in_chats)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(self.transcript)
        split.setSizes([520, 420])
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(980, 560)
        self.retranslate()
        self.loaded = self.tasks.run(self._load())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def figure_name(self) -> str:
        return {
            "rounds": self.tr("Reply rounds"), "rounds_late": self.tr("Rounds answered late or not at all"),
            "first_responses": self.tr("First responses"), "resolved": self.tr("Resolved chats"),
            "abandoned": self.tr("Abandoned chats"), "reopened": self.tr("Reopened chats"),
            "transfers": self.tr("Transfers"), "calls": self.tr("Video invitations"),
            "calls_connected": self.tr("Connected calls"), "calls_declined": self.tr("Declined invitations"),
            "calls_expired": self.tr("Expired invitations"), "complaints": self.tr("Complaints"),
            "ratings": self.tr("Ratings"), "ratings_negative": self.tr("Ratings of 1-3 stars"),
        }.get(self.figure, self.figure)

    def retranslate(self) -> None:
        who = self.agent_name or self.tr("the whole shop")
        self.setWindowTitle(self.tr("Behind the figure: {0}").format(self.figure_name()))
        self.heading.setText(self.tr("{0} · {1} · {2} to {3}").format(self.figure_name(), who, self.start, self.end))
        self.table.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Buyer"), self.tr("Agent"), self.tr("What"),
                                              self.tr("Seconds")])
        self.open_button.setText(self.tr("Open in chats"))

    def kind_text(self, kind: str) -> str:
        return {
            "on_time": self.tr("on time"), "late": self.tr("late"), "unanswered": self.tr("unanswered"),
            "abandoned": self.tr("abandoned"), "pending": self.tr("waiting"), "resolved": self.tr("resolved"),
            "rating": self.tr("rating"), "connected": self.tr("connected"), "declined": self.tr("declined"),
            "expired": self.tr("expired"), "complaint": self.tr("complaint"), "transfer": self.tr("transfer"),
            "first_response": self.tr("first response"), "reopened": self.tr("reopened"),
            "takeover": self.tr("taken over"), "to_queue": self.tr("back to the queue"),
            "reassign": self.tr("reassigned"), "accepted": self.tr("accepted"), "invited": self.tr("invited"),
            "cancelled": self.tr("cancelled"), "delivered": self.tr("delivered"), "ended": self.tr("ended"),
        }.get(kind, kind)

    async def _load(self) -> None:
        self.status.setText(self.tr("Loading…"))
        drill = await self.supervision.drill(self.figure, self.start, self.end, self.agent_id)
        self.rows = drill.rows
        self.table.setRowCount(len(drill.rows))
        for i, row in enumerate(drill.rows):
            what = self.kind_text(row.kind) + (f" ★{row.stars}" if row.stars else "")
            cells = (_time(row.at, self.tz), row.buyer_name, row.agent_name or "", what, seconds(row.seconds))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.conversation_id)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        more = self.tr(" (the newest {0}; narrow the range for the rest)").format(len(drill.rows)) if drill.more else ""
        self.status.setText(self.tr("%n row(s)", "", len(drill.rows)) + more)

    def _selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.open_button.setEnabled(True)
            self.tasks.run(self._show(self.rows[row].conversation_id))

    async def _show(self, conversation_id: int) -> None:
        messages, notes = await self.supervision.transcript(conversation_id)
        self.transcript.setHtml(transcript_html(messages, notes, self.tr("Internal note"), self.tr("Whisper"),
                                                self.tz))

    def _open_in_chats(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.open_conversation.emit(self.rows[row].conversation_id)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))

    def done(self, result: int) -> None:
        self._closing.run(self.tasks.cancel_all())
        super().done(result)


def _time(ms: int, tz: ZoneInfo | None = None) -> str:
    """Shop time when known (the figures' days are the shop's), else this machine's."""
    return datetime.fromtimestamp(ms / 1000, tz).strftime("%m-%d %H:%M:%S")


def transcript_html(messages: list[f.Message], notes: list[f.NoteInfo], note_label: str, whisper_label: str,
                    tz: ZoneInfo | None = None) -> str:
    """The conversation as read-only HTML, every user text escaped; staff notes in place, tinted."""
    by_seq: dict[int, list[f.NoteInfo]] = {}
    for note in notes:
        by_seq.setdefault(note.after_seq, []).append(note)
    lines: list[str] = [_notes_html(by_seq.pop(0, []), note_label, whisper_label)]
    for m in messages:
        who = "" if m.kind == "system" else f"<b>{html.escape(m.sender.name)}</b> "
        colour = "#8a9099" if m.kind == "system" else ("#1f2329" if m.sender.kind == "buyer" else "#b42318")
        lines.append(f'<p style="color:{colour}"><span style="color:#8a9099">{_time(m.ts, tz)}</span> {who}'
                     f"{html.escape(m.text)}</p>")
        lines.append(_notes_html(by_seq.pop(m.seq, []), note_label, whisper_label))
    for rest in by_seq.values():
        lines.append(_notes_html(rest, note_label, whisper_label))
    return "".join(lines)


def _notes_html(notes: list[f.NoteInfo], note_label: str, whisper_label: str) -> str:
    return "".join(
        f'<p style="background:#fff7e6;color:#874d00">'
        f'{html.escape(whisper_label if n.kind == "whisper" else note_label)}'
        f" · <b>{html.escape(n.author_name)}</b> {html.escape(n.text)}</p>" for n in notes)


def keep(dialogs: list[Any], dialog: QDialog) -> None:
    """Keep a non-modal dialog referenced until it closes."""
    dialogs.append(dialog)
    dialog.finished.connect(lambda _r: dialogs.remove(dialog) if dialog in dialogs else None)
