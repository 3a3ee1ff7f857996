"""The conversation's messages: a list model and the view (the delegate that paints them is
ui/chat_delegate.py; what each row says, ui/chat_lines.py).

Virtualised: the model holds only the pages loaded so far and the view paints only the rows on
screen; nothing is a widget per message. Older pages load when the agent scrolls to the top
(`canFetchMore`/`fetchMore`, which the model answers only once the view has asked for older
messages: a chat grows upwards, unlike the lists Qt's own fetching is made for). Every text
(buyer's, agent's, card's, a staff note's) is painted as plain text: HTML in a message shows as the
characters it is made of and never renders.

Staff-only lines (notes and whispers) are rows too, each after the message it followed; one that
followed a message older than the loaded pages waits until that page is loaded.
"""

from __future__ import annotations

import bisect
import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu, QWidget

from app.history import LocalMessage
from ui.chat_delegate import BubbleDelegate, Index, MessageRole, row_text
from ui.chat_lines import card_lines, case_status_name, is_staff_line, note_id_of, note_row, offer_name, yuan
from ui.text import plain_tooltip
from wire import frames as f

__all__ = ["ChatModel", "ChatView", "MessageRole", "card_lines", "case_status_name", "offer_name", "yuan"]

logger = logging.getLogger(__name__)


def _key(message: LocalMessage) -> tuple[int, int, int]:
    """Stored rows' order: by seq; a staff line after the message it followed, notes by id."""
    staff = is_staff_line(message)
    return (message.seq or 0, 1 if staff else 0, note_id_of(message) if staff else 0)


class ChatModel(QAbstractListModel):
    """The loaded messages of one conversation, ascending: stored ones by seq, then the outbox's."""

    older_requested = Signal()

    def __init__(self, me: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.me = me
        self.conversation_id: int | None = None
        self._rows: list[LocalMessage] = []
        self._keys: dict[str, int] = {}
        self.has_older = False
        self._want_older = False
        self.loading_older = False
        self.buyer_read_seq = 0
        self.case_status: dict[str, str] = {}
        """Offer card statuses updated after the card was stored (buyer accepted or declined)."""
        self._waiting_notes: dict[int, LocalMessage] = {}
        """Staff lines that follow a message older than the loaded pages: shown once it is loaded."""

    # Qt model API ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        if role == MessageRole:
            return message
        if role == Qt.ItemDataRole.DisplayRole:
            return row_text(message)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(row_text(message))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return row_text(message) if is_staff_line(message) else f"{message.sender_name}: {row_text(message)}"
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return self.has_older and self._want_older and not self.loading_older

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._want_older = False
            self.loading_older = True
            self.older_requested.emit()

    def want_older(self) -> None:
        """The view reached the top: older messages are wanted."""
        self._want_older = True
        if self.canFetchMore():
            self.fetchMore()

    # content --------------------------------------------------------------------------------

    def message_at(self, row: int) -> LocalMessage:
        return self._rows[row]

    def messages(self) -> list[LocalMessage]:
        """The loaded messages (staff-only lines left out)."""
        return [m for m in self._rows if not is_staff_line(m)]

    def staff_lines(self) -> list[LocalMessage]:
        """The notes and whispers shown, in order."""
        return [m for m in self._rows if is_staff_line(m)]

    def oldest_seq(self) -> int | None:
        return next((m.seq for m in self._rows if m.seq is not None and not is_staff_line(m)), None)

    def reset(self, conversation_id: int | None, messages: list[LocalMessage], buyer_read_seq: int = 0,
              notes: list[f.NoteInfo] | None = None) -> None:
        self.beginResetModel()
        self.conversation_id = conversation_id
        self._rows = []
        self._keys = {}
        self._waiting_notes = {}
        self.case_status = {}
        self.buyer_read_seq = buyer_read_seq
        self._want_older = False
        self.loading_older = False
        for message in messages:
            self._place(message)
        self._reindex()
        self.has_older = (self.oldest_seq() or 1) > 1
        for note in notes or []:
            if note.conversation_id == conversation_id:
                self._waiting_notes[note.note_id] = note_row(note)
        for row in self._fitting_notes():
            self._place(row)
        self._reindex()
        self.endResetModel()

    def add_notes(self, notes: list[f.NoteInfo]) -> None:
        """Notes or whispers of this conversation, each after the message it followed (known ones ignored)."""
        for note in notes:
            if note.conversation_id != self.conversation_id or f"note:{note.note_id}" in self._keys:
                continue
            self._waiting_notes[note.note_id] = note_row(note)
        self._insert_fitting_notes()

    def _fitting_notes(self) -> list[LocalMessage]:
        """The waiting staff lines that now have their place (everything when nothing older is left)."""
        oldest = self.oldest_seq()
        fit = [row for row in self._waiting_notes.values()
               if not self.has_older or oldest is None or (row.seq or 0) >= oldest]
        for row in fit:
            del self._waiting_notes[note_id_of(row)]
        return fit

    def _insert_fitting_notes(self) -> None:
        for row in self._fitting_notes():
            at = self._position(row)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, row)
            self._reindex()
            self.endInsertRows()

    def prepend(self, messages: list[LocalMessage]) -> int:
        """Older messages (ascending) before the loaded ones; returns how many rows were added."""
        self.loading_older = False
        oldest = self.oldest_seq()
        older = [m for m in messages if m.seq is not None and (oldest is None or m.seq < oldest)
                 and m.client_msg_id not in self._keys]
        if older:
            self.beginInsertRows(QModelIndex(), 0, len(older) - 1)
            self._rows[0:0] = older
            self._reindex()
            self.endInsertRows()
        self.has_older = bool(older) and (self.oldest_seq() or 1) > 1
        self._insert_fitting_notes()
        return len(older)

    def merge(self, messages: list[LocalMessage]) -> None:
        """New messages or new states of known ones (matched by client id), each in its place."""
        for message in messages:
            if message.conversation_id != self.conversation_id:
                continue
            row = self._keys.get(message.client_msg_id)
            if row is not None:
                old = self._rows[row]
                if old.seq == message.seq:
                    self._rows[row] = message
                    index = self.index(row)
                    self.dataChanged.emit(index, index)
                    continue
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self._reindex()
                self.endRemoveRows()
            oldest = self.oldest_seq()
            if message.seq is not None and oldest is not None and message.seq < oldest and self.has_older:
                continue  # older than what is loaded: it will come with its page
            at = self._position(message)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, message)
            self._reindex()
            self.endInsertRows()

    def set_buyer_read(self, seq: int) -> None:
        if seq <= self.buyer_read_seq:
            return
        self.buyer_read_seq = seq
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def set_case_status(self, case_id: str, status: str) -> None:
        self.case_status[case_id] = status
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def _position(self, message: LocalMessage) -> int:
        stored = sum(1 for m in self._rows if m.seq is not None)  # stored rows come first
        if message.seq is None:
            return len(self._rows)
        keys = [_key(m) for m in self._rows[:stored]]
        return bisect.bisect_right(keys, _key(message))

    def _place(self, message: LocalMessage) -> None:
        if message.client_msg_id in self._keys:
            return
        self._rows.insert(self._position(message), message)
        self._keys[message.client_msg_id] = -1

    def _reindex(self) -> None:
        self._keys = {m.client_msg_id: i for i, m in enumerate(self._rows)}


class ChatView(QListView):
    """The list of bubbles; keeps to the newest message unless the agent scrolled up to read."""

    retry_requested = Signal(str)

    def __init__(self, model: ChatModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.chat_model = model
        self.setModel(model)
        self.delegate = BubbleDelegate(model, self)
        self.setItemDelegate(self.delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMouseTracking(True)
        self.verticalScrollBar().setSingleStep(24)
        self._stick_to_bottom = True
        self._keep_from_bottom: int | None = None
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.verticalScrollBar().rangeChanged.connect(self._on_range)
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.modelReset.connect(self._after_reset)

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 8
        if value <= bar.minimum() + 4 and self.chat_model.rowCount() and bar.maximum() > 0:
            self.chat_model.want_older()

    def _before_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        bar = self.verticalScrollBar()
        if first == 0 and self.chat_model.rowCount() > 0:  # older rows above: keep what is on screen still
            self._keep_from_bottom = bar.maximum() - bar.value()

    def _on_range(self, low: int, high: int) -> None:
        bar = self.verticalScrollBar()
        if self._keep_from_bottom is not None:
            bar.setValue(high - self._keep_from_bottom)
            self._keep_from_bottom = None
        elif self._stick_to_bottom:
            bar.setValue(high)

    def _after_reset(self) -> None:
        self.delegate.invalidate()
        self._stick_to_bottom = True
        QTimer.singleShot(0, self.scrollToBottom)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:  # system lines are worded in the UI language
            self.delegate.invalidate()
            self.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    def resizeEvent(self, event: Any) -> None:
        self.delegate.invalidate()
        super().resizeEvent(event)

    def scroll_to_seq(self, seq: int) -> None:
        for row in range(self.chat_model.rowCount()):
            if self.chat_model.message_at(row).seq == seq:
                index = self.chat_model.index(row)
                self._stick_to_bottom = False
                self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                self.setCurrentIndex(index)
                return

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            message: LocalMessage = index.data(MessageRole)
            if message.state == "failed":
                self.retry_requested.emit(message.client_msg_id)
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if not index.isValid():
            return
        message: LocalMessage = index.data(MessageRole)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(QCoreApplication.translate("ChatView", "Copy text"), lambda: _copy(row_text(message)))
        if message.state == "failed":
            menu.addAction(QCoreApplication.translate("ChatView", "Retry sending"),
                           lambda: self.retry_requested.emit(message.client_msg_id))
        menu.popup(event.globalPos())  # not exec(): no nested event loop under qasync

    def visible_texts(self) -> list[str]:
        """Texts of the rows as shown, in order (tests and accessibility): system lines in the UI
        language, staff lines with their title."""
        return [row_text(self.chat_model.message_at(r)) for r in range(self.chat_model.rowCount())]

    def point_of(self, row: int) -> QPoint:
        return self.visualRect(self.chat_model.index(row)).center()


def _copy(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)
