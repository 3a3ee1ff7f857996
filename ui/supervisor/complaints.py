"""Complaints: every buyer complaint about a call, newest first, linked to the call record and the
conversation, with its handling (who, when, a note).

The list is read once over the HTTP API (`Supervision.load_complaints`, never on the GUI thread's
time) and then kept by the relay's pushes (`DeskBridge.complaint_changed`): a new complaint appears
at once, in bold until the supervisor selects it. Marking one handled (or reopening it) is a request
through the core; its answer comes back as the same push, so the row and the details follow it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, get_args
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.events import ComplaintChanged, ConnectionChanged
from app.supervision import Supervision
from ui.bridge import DeskBridge
from ui.errors import error_text
from ui.tasks import Tasks
from ui.text import plain_tooltip
from wire import figures as w
from wire.base import Note

logger = logging.getLogger(__name__)

COLUMNS = ("time", "buyer", "agent", "reason", "text", "duration", "state", "note")
CALL_ID_ROLE = Qt.ItemDataRole.UserRole
"""Every cell answers its complaint's call id under this role."""
NOTE_MAX: int = get_args(Note)[1].max_length
"""The relay's limit for a handling note."""

_Index = QModelIndex | QPersistentModelIndex


def shop_time(ms: int, tz: ZoneInfo | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A relay timestamp in the shop's time zone when known (the relay's days are the shop's), else this machine's."""
    return datetime.fromtimestamp(ms / 1000, tz).strftime(fmt)


class ComplaintsModel(QAbstractTableModel):
    """The shop's complaints, newest first; `fresh` holds those that arrived since the list was shown."""

    def __init__(self, supervision: Supervision, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.supervision = supervision
        self.rows: list[w.ComplaintInfo] = []
        self.fresh: set[str] = set()

    # the data ------------------------------------------------------------------------------

    def tz(self) -> ZoneInfo | None:
        live = self.supervision.live
        if live is None:
            return None
        try:
            return ZoneInfo(live.today.timezone)
        except (KeyError, ValueError):  # an unknown zone name: this machine's time rather than nothing
            return None

    def set_all(self, complaints: list[w.ComplaintInfo]) -> None:
        self.beginResetModel()
        self.rows = sorted(complaints, key=lambda c: (c.at, c.call_id), reverse=True)
        self.fresh &= {c.call_id for c in self.rows}
        self.endResetModel()

    def upsert(self, complaint: w.ComplaintInfo, new: bool = False) -> None:
        """Add a complaint in its place (newest first) or replace the one with its call id."""
        row = self.row_of(complaint.call_id)
        if row is not None:
            self.rows[row] = complaint
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        key = (complaint.at, complaint.call_id)
        place = next((i for i, c in enumerate(self.rows) if (c.at, c.call_id) < key), len(self.rows))
        self.beginInsertRows(QModelIndex(), place, place)
        self.rows.insert(place, complaint)
        if new:
            self.fresh.add(complaint.call_id)
        self.endInsertRows()

    def row_of(self, call_id: str) -> int | None:
        return next((i for i, c in enumerate(self.rows) if c.call_id == call_id), None)

    def complaint(self, call_id: str) -> w.ComplaintInfo | None:
        row = self.row_of(call_id)
        return None if row is None else self.rows[row]

    def seen(self, call_id: str) -> None:
        """The supervisor has looked at it: no longer marked new."""
        if call_id in self.fresh:
            self.fresh.discard(call_id)
            row = self.row_of(call_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def open_count(self) -> int:
        return sum(1 for c in self.rows if c.handled_at is None)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    # texts ---------------------------------------------------------------------------------

    def reason_text(self, reason: str) -> str:
        return {
            "not_requested": self.tr("Did not ask for a call"), "inappropriate": self.tr("Inappropriate"),
            "sales_pressure": self.tr("Sales pressure"), "privacy": self.tr("Privacy"),
            "poor_quality": self.tr("Poor quality"), "other": self.tr("Other"),
        }.get(reason, reason)

    def duration_text(self, seconds: int | None) -> str:
        if seconds is None:
            return "—"  # not connected, or not over yet
        if seconds < 60:
            return self.tr("{0} s").format(seconds)
        return self.tr("{0} min {1:02d} s").format(seconds // 60, seconds % 60)

    def state_text(self, c: w.ComplaintInfo) -> str:
        if c.handled_at is None:
            return self.tr("Open")
        return self.tr("Handled by {0} at {1}").format(c.handled_by or self.tr("someone"),
                                                        shop_time(c.handled_at, self.tz()))

    def cell(self, c: w.ComplaintInfo, column: str) -> str:
        if column == "time":
            return ("● " if c.call_id in self.fresh else "") + shop_time(c.at, self.tz())
        if column == "buyer":
            return c.buyer_name or c.buyer_id
        if column == "agent":
            return c.agent_name or c.agent_id
        if column == "reason":
            return self.reason_text(c.reason)
        if column == "text":
            return c.text
        if column == "duration":
            return self.duration_text(c.duration_s)
        if column == "state":
            return self.state_text(c)
        return c.handled_note

    # QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Time"), self.tr("Buyer"), self.tr("Agent"), self.tr("Reason"), self.tr("Buyer's words"),
                self.tr("Call length"), self.tr("State"), self.tr("Handling note"))[section]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        c = self.rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(c, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in ("text", "note", "state"):
            return plain_tooltip(self.cell(c, column))  # the buyer's words as typed, never as markup
        if role == Qt.ItemDataRole.FontRole and c.call_id in self.fresh:
            font = QFont()
            font.setBold(True)
            return font
        if role == CALL_ID_ROLE:
            return c.call_id
        return None


class OpenFilter(QSortFilterProxyModel):
    """Only the complaints nobody has handled yet, or all of them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.only_open = True

    def set_only_open(self, only_open: bool) -> None:
        self.beginFilterChange()
        self.only_open = only_open
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        if not self.only_open or not isinstance(model, ComplaintsModel):
            return True
        return model.rows[source_row].handled_at is None


class ComplaintsPanel(QWidget):
    """The complaints tab: the table, a filter, and the selected complaint's details and handling."""

    open_conversation = Signal(int)
    """The supervisor asked to open the complaint's conversation (its id)."""

    def __init__(self, bridge: DeskBridge, parent: QWidget | None = None) -> None:
        if bridge.supervision is None:
            raise ValueError("the complaints panel is for supervisors")
        super().__init__(parent)
        self.setObjectName("complaintsPanel")
        self.bridge = bridge
        self.supervision = bridge.supervision
        self.tasks = Tasks(self._failed)
        self.current: str | None = None
        """The call id whose details are shown (kept when a filter hides its row)."""
        self._loading = False
        self._during_load: list[ComplaintChanged] = []
        self._stale = False
        """The list may miss something (the desk was offline, or the last read failed): read it when online."""
        self._busy = False

        self.model = ComplaintsModel(self.supervision, self)
        self.proxy = OpenFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QComboBox(self)
        self.filter.setObjectName("complaintsFilter")
        self.filter.addItems(["", ""])
        self.filter.currentIndexChanged.connect(lambda i: self.proxy.set_only_open(i == 0))
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableView(self)
        self.table.setObjectName("complaintsTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column in ("time", "agent", "reason", "duration", "state"):  # short: always readable whole
            header.setSectionResizeMode(COLUMNS.index(column), QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.doubleClicked.connect(lambda _i: self._open_conversation())

        self.details = QWidget(self)
        self.details.setObjectName("complaintDetails")
        self.form = QFormLayout(self.details)
        self.fields: dict[str, QLabel] = {}
        self.names: dict[str, QLabel] = {}
        for key in ("buyer", "agent", "at", "reason", "text", "invited_at", "duration", "call_id", "state", "note"):
            self.names[key] = QLabel(self.details)
            if key == "note":
                break
            label = QLabel(self.details)
            label.setTextFormat(Qt.TextFormat.PlainText)  # buyers' words shown as typed
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setObjectName(f"complaint_{key}")
            self.fields[key] = label
            self.form.addRow(self.names[key], label)
        self.note_edit = QLineEdit(self.details)
        self.note_edit.setObjectName("complaintNote")
        self.note_edit.setMaxLength(NOTE_MAX)
        self.note_edit.returnPressed.connect(self._mark_handled)
        self.form.addRow(self.names["note"], self.note_edit)
        self.open_button = QPushButton(self.details)
        self.open_button.setObjectName("openConversation")
        self.open_button.clicked.connect(self._open_conversation)
        self.handle_button = QPushButton(self.details)
        self.handle_button.setObjectName("markHandled")
        self.handle_button.clicked.connect(self._mark_handled)
        self.reopen_button = QPushButton(self.details)
        self.reopen_button.setObjectName("reopenComplaint")
        self.reopen_button.clicked.connect(self._reopen)
        self.status = QLabel(self.details)
        self.status.setObjectName("complaintStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reopen_button)
        buttons.addWidget(self.handle_button)
        details_layout = QVBoxLayout()
        details_layout.addWidget(self.details)
        details_layout.addLayout(buttons)
        details_layout.addWidget(self.status)
        details_layout.addStretch(1)
        side = QWidget(self)
        side.setLayout(details_layout)

        top = QHBoxLayout()
        top.addWidget(self.filter)
        top.addWidget(self.summary, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.model.rowsInserted.connect(self._update_summary)
        self.model.dataChanged.connect(self._update_summary)
        self.model.modelReset.connect(self._update_summary)
        bridge.complaint_changed.connect(self.on_complaint_changed)
        bridge.connection_changed.connect(self._on_connection)
        self.retranslate()
        self._show_details()
        self.loaded = self.reload()

    # language ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.filter.setItemText(0, self.tr("Open complaints"))
        self.filter.setItemText(1, self.tr("All complaints"))
        names = {
            "buyer": self.tr("Buyer"), "agent": self.tr("Agent"), "at": self.tr("Complained at"),
            "reason": self.tr("Reason"), "text": self.tr("Buyer's words"), "invited_at": self.tr("Invited at"),
            "duration": self.tr("Call length"), "call_id": self.tr("Call id"), "state": self.tr("State"),
            "note": self.tr("Handling note"),
        }
        for key, label in self.names.items():
            label.setText(names[key])
        self.note_edit.setPlaceholderText(self.tr("What was done (the buyer never sees this)"))
        self.open_button.setText(self.tr("Open conversation"))
        self.handle_button.setText(self.tr("Mark handled"))
        self.reopen_button.setText(self.tr("Reopen"))
        self.model.retranslate()
        self._update_summary()
        self._show_details()

    # loading and pushes --------------------------------------------------------------------

    def reload(self) -> asyncio.Task[Any]:
        """Read the shop's complaints again (on start, and when the connection comes back)."""
        return self.tasks.run(self._load())

    async def _load(self) -> None:
        self._loading = True
        self._stale = False
        self._during_load = []
        self.status.setText(self.tr("Loading complaints…"))
        try:
            listed = await self.supervision.load_complaints()
        except BaseException:
            self._stale = True
            raise
        finally:
            self._loading = False
        self.model.set_all(listed)
        for event in self._during_load:  # pushes that raced the listing: theirs is the newer word
            self.model.upsert(event.complaint, event.new)
            self.supervision.complaints[event.complaint.call_id] = event.complaint
        self._during_load = []
        self.status.clear()
        self._reselect()
        self._show_details()

    def on_complaint_changed(self, event: ComplaintChanged) -> None:
        if self._loading:
            self._during_load.append(event)
        self.model.upsert(event.complaint, event.new)
        if event.complaint.call_id == self.current:
            self._show_details()

    def _on_connection(self, event: ConnectionChanged) -> None:
        if event.status != "online":
            self._stale = True  # pushes made meanwhile are not replayed
        elif self._stale and not self._loading:
            self.reload()

    def _update_summary(self, *_args: Any) -> None:
        total, still_open = len(self.model.rows), self.model.open_count()
        self.summary.setText(self.tr("%n complaint(s)", "", total) + " · " + self.tr("%n open", "", still_open))

    # selection and details -----------------------------------------------------------------

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return  # a filter hid the row: its details stay
        call_id = current.data(CALL_ID_ROLE)
        if call_id != self.current:
            self.status.clear()
            self.note_edit.setText("")
        self.current = call_id
        self.model.seen(call_id)
        self._show_details(fill_note=True)

    def select(self, call_id: str) -> bool:
        """Select the complaint of this call (if the filter shows it)."""
        row = self.model.row_of(call_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        return True

    def _reselect(self) -> None:
        if self.current is not None:
            self.select(self.current)

    def selected(self) -> w.ComplaintInfo | None:
        return None if self.current is None else self.model.complaint(self.current)

    def _show_details(self, fill_note: bool = False) -> None:
        c = self.selected()
        self.details.setEnabled(c is not None)
        self.open_button.setEnabled(c is not None)
        self.handle_button.setEnabled(c is not None and not self._busy)
        self.reopen_button.setEnabled(c is not None and not self._busy and c.handled_at is not None)
        if c is None:
            for label in self.fields.values():
                label.clear()
            return
        tz = self.model.tz()
        self.handle_button.setText(self.tr("Mark handled") if c.handled_at is None else self.tr("Save note"))
        texts = {
            "buyer": f"{c.buyer_name} ({c.buyer_id})", "agent": c.agent_name or c.agent_id,
            "at": shop_time(c.at, tz, "%Y-%m-%d %H:%M:%S"), "reason": self.model.reason_text(c.reason),
            "text": c.text or self.tr("(no words)"), "invited_at": shop_time(c.invited_at, tz, "%Y-%m-%d %H:%M:%S"),
            "duration": self.model.duration_text(c.duration_s), "call_id": c.call_id,
            "state": self.model.state_text(c),
        }
        for key, label in self.fields.items():
            label.setText(texts[key])
        if fill_note and not self.note_edit.text():
            self.note_edit.setText(c.handled_note)

    # actions -------------------------------------------------------------------------------

    def _open_conversation(self) -> None:
        c = self.selected()
        if c is not None:
            self.open_conversation.emit(c.conversation_id)

    def _mark_handled(self) -> None:
        self._handle(True)

    def _reopen(self) -> None:
        self._handle(False)

    def _handle(self, handled: bool) -> None:
        c = self.selected()
        if c is None or self._busy:
            return
        self._busy = True
        self._show_details()
        self.status.setText(self.tr("Saving…"))
        self.tasks.run(self._send(c.call_id, self.note_edit.text().strip(), handled))

    async def _send(self, call_id: str, note: str, handled: bool) -> None:
        try:
            await self.supervision.handle_complaint(call_id, note, handled)
        finally:
            self._busy = False
            self._show_details()
        self.status.setText(self.tr("Marked handled.") if handled else self.tr("Open again."))

    def _failed(self, exc: BaseException) -> None:
        logger.info("complaints: %s", type(exc).__name__)
        self.status.setText(error_text(exc))

    async def stop(self) -> None:
        """Cancel what is in flight (the window awaits it before the service closes)."""
        await self.tasks.cancel_all()
