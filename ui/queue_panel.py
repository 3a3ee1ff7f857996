"""The left panel: the agent's conversations sorted by SLA urgency, and the shop's waiting queue.

Each conversation row counts down to the 3-minute reply bar from the buyer's oldest unanswered
message: amber from 100 s, red after 180 s. The relay's `sla` events set the colour too, so the
row is right even when the two clocks disagree; whichever is more urgent wins.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.events import ConversationChanged, ConversationView, QueueChanged
from app.services import DeskService
from ui import theme
from ui.sla import RANK as _RANK
from ui.sla import countdown, sla_level
from ui.text import plain_tooltip

logger = logging.getLogger(__name__)

ViewRole = Qt.ItemDataRole.UserRole + 1
SlaRole = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex

class ConversationListModel(QAbstractListModel):
    """The agent's active conversations, most urgent first."""

    def __init__(self, service: DeskService, parent: Any = None) -> None:
        super().__init__(parent)
        self.service = service
        self._rows: list[ConversationView] = []
        self._levels: dict[int, str] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        view = self._rows[index.row()]
        if role == ViewRole:
            return view
        if role == SlaRole:
            return sla_level(view, self.service.relay_now_ms())
        if role == Qt.ItemDataRole.DisplayRole:
            return view.info.buyer_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(view.last_text)
        return None

    def row_of(self, conversation_id: int) -> int | None:
        return next((i for i, v in enumerate(self._rows) if v.conversation_id == conversation_id), None)

    def views(self) -> list[ConversationView]:
        return list(self._rows)

    def upsert(self, view: ConversationView) -> None:
        row = self.row_of(view.conversation_id)
        if not view.active:
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
            return
        if row is None:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(view)
            self.endInsertRows()
        else:
            self._rows[row] = view
        self.resort()

    def resort(self) -> None:
        now = self.service.relay_now_ms()

        def key(view: ConversationView) -> tuple[int, int, int]:
            level = sla_level(view, now)
            return _RANK[level], view.info.unanswered_since or 0, -view.last_ts

        order = sorted(self._rows, key=key)
        self._levels = {v.conversation_id: sla_level(v, now) for v in order}
        if [v.conversation_id for v in order] != [v.conversation_id for v in self._rows]:
            self.layoutAboutToBeChanged.emit()
            old = {v.conversation_id: i for i, v in enumerate(self._rows)}
            self._rows = order
            for new_row, view in enumerate(order):
                self.changePersistentIndex(self.index(old[view.conversation_id]), self.index(new_row))
            self.layoutChanged.emit()
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def tick(self) -> None:
        """Once a second: countdowns move; a row whose level changed moves up."""
        if not self._rows:
            return
        now = self.service.relay_now_ms()
        if any(sla_level(v, now) != self._levels.get(v.conversation_id) for v in self._rows):
            self.resort()
        else:
            waiting = [i for i, v in enumerate(self._rows) if v.info.unanswered_since is not None]
            if waiting:
                self.dataChanged.emit(self.index(waiting[0]), self.index(waiting[-1]))


class ConversationDelegate(QStyledItemDelegate):
    """A row: avatar, buyer, last message, countdown, unread badge."""

    HEIGHT = 62

    def __init__(self, service: DeskService, parent: Any = None) -> None:
        super().__init__(parent)
        self.service = service

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(option.rect.width(), self.HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        view: ConversationView = index.data(ViewRole)
        level: str = index.data(SlaRole)
        now = self.service.relay_now_ms()
        r = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(r, QColor("#fdeceb") if selected else QColor("#ffffff"))
        if level in ("warning", "overdue"):
            painter.fillRect(QRect(r.left(), r.top(), 4, r.height()),
                             theme.OVERDUE if level == "overdue" else theme.WARNING)
        painter.setPen(theme.LINE)
        painter.drawLine(r.left() + 12, r.bottom(), r.right(), r.bottom())
        avatar = QRect(r.left() + 12, r.top() + 11, 40, 40)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.BRAND)
        painter.drawEllipse(avatar)
        painter.setPen(QColor("#ffffff"))
        big = QFont(option.font)
        big.setPointSizeF(option.font.pointSizeF() + 2)
        painter.setFont(big)
        painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, (view.info.buyer_name or "?")[:1])
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 1.5))
        left = avatar.right() + 10
        right = r.right() - 12
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(theme.TEXT)
        clock = countdown(view, now)
        clock_w = QFontMetrics(bold).horizontalAdvance("+00:00") if clock else 0
        name_rect = QRect(left, r.top() + 10, right - left - clock_w - 8, 20)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(view.info.buyer_name, Qt.TextElideMode.ElideRight,
                                                       name_rect.width()))
        if clock:
            colour = {"overdue": theme.OVERDUE, "warning": theme.WARNING}.get(level, theme.MUTED)
            painter.setPen(colour)
            painter.drawText(QRect(right - clock_w, r.top() + 10, clock_w, 20),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, clock)
        painter.setFont(small)
        painter.setPen(theme.MUTED)
        badge_w = 0
        if view.unread:
            badge = str(view.unread) if view.unread < 100 else "99+"
            badge_w = max(20, QFontMetrics(small).horizontalAdvance(badge) + 10)
            badge_rect = QRect(right - badge_w, r.top() + 34, badge_w, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.OVERDUE)
            painter.drawRoundedRect(badge_rect, 9, 9)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
            painter.setPen(theme.MUTED)
        last_rect = QRect(left, r.top() + 34, right - left - badge_w - 6, 18)
        last = " ".join(view.last_text.split())  # one line; plain text
        painter.drawText(last_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(small).elidedText(last, Qt.TextElideMode.ElideRight, last_rect.width()))
        painter.restore()


class QueuePanel(QWidget):
    """My conversations on top; the shop's waiting queue below, with Claim where the shop allows it."""

    conversation_selected = Signal(int)
    claim_requested = Signal(int)

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.model = ConversationListModel(service, self)
        self.list = QListView(self)
        self.list.setObjectName("conversationList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(ConversationDelegate(service, self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.mine_label = QLabel(self)
        self.mine_label.setObjectName("sectionTitle")
        self.waiting_label = QLabel(self)
        self.waiting_label.setObjectName("sectionTitle")
        self.waiting = QTreeWidget(self)
        self.waiting.setObjectName("waitingQueue")
        self.waiting.setRootIsDecorated(False)
        self.waiting.setColumnCount(3)
        self.waiting.itemSelectionChanged.connect(self._update_claim)
        self.waiting.itemDoubleClicked.connect(lambda *_: self._claim())
        self.claim_button = QPushButton(self)
        self.claim_button.setObjectName("claimButton")
        self.claim_button.clicked.connect(self._claim)
        self._queue = QueueChanged([], 0, "auto")

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.mine_label)
        top_layout.addWidget(self.list)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.waiting_label, 1)
        header.addWidget(self.claim_button)
        bottom_layout.addLayout(header)
        bottom_layout.addWidget(self.waiting)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        for view in service.active_conversations():
            self.model.upsert(view)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.mine_label.setText(self.tr("My chats ({0})").format(self.model.rowCount()))
        self.waiting_label.setText(self.tr("Waiting ({0})").format(self._queue.total))
        self.waiting.setHeaderLabels([self.tr("#"), self.tr("Buyer"), self.tr("Waiting")])
        self.claim_button.setText(self.tr("Claim"))
        self._fill_waiting()

    # events from the core -----------------------------------------------------------------

    def on_conversation_changed(self, event: ConversationChanged) -> None:
        self.model.upsert(event.conversation)
        self.mine_label.setText(self.tr("My chats ({0})").format(self.model.rowCount()))

    def on_queue_changed(self, event: QueueChanged) -> None:
        self._queue = event
        self.waiting_label.setText(self.tr("Waiting ({0})").format(event.total))
        self._fill_waiting()

    def _fill_waiting(self) -> None:
        selected = self.selected_waiting()
        self.waiting.clear()
        now = self.service.relay_now_ms()
        tiers = {"returned": self.tr("returned"), "after_sales": self.tr("after-sales"),
                 "high_value": self.tr("high value"), "normal": ""}
        for entry in self._queue.entries:
            waited = max(0, (now - entry.queued_at) // 1000)
            name = entry.buyer_name + (f"  ({tiers[entry.tier]})" if tiers.get(entry.tier) else "")
            item = QTreeWidgetItem([str(entry.position), name, f"{waited // 60}:{waited % 60:02d}"])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.conversation_id)
            self.waiting.addTopLevelItem(item)
            if entry.conversation_id == selected:
                item.setSelected(True)
        self._update_claim()

    def selected_waiting(self) -> int | None:
        items = self.waiting.selectedItems()
        return int(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else None

    def _update_claim(self) -> None:
        can_claim = self._queue.mode in ("manual", "both") and self.service.session.role == "agent"
        self.claim_button.setVisible(can_claim)
        self.claim_button.setEnabled(can_claim and self.selected_waiting() is not None)

    def _claim(self) -> None:
        cid = self.selected_waiting()
        if cid is not None and self.claim_button.isVisible():
            self.claim_requested.emit(cid)

    def _tick(self) -> None:
        self.model.tick()

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self.conversation_selected.emit(self.model.data(current, ViewRole).conversation_id)

    def select(self, conversation_id: int) -> None:
        row = self.model.row_of(conversation_id)
        if row is not None:
            self.list.setCurrentIndex(self.model.index(row))

    def next_unread(self) -> int | None:
        """Select the most urgent conversation with unread messages (after the current one)."""
        views = self.model.views()
        current = self.list.currentIndex().row()
        ordered = views[current + 1:] + views[:current + 1] if current >= 0 else views
        target = next((v for v in ordered if v.unread), None)
        if target is not None:
            self.select(target.conversation_id)
            return target.conversation_id
        return None

    def level_of(self, conversation_id: int) -> str | None:
        row = self.model.row_of(conversation_id)
        return None if row is None else self.model.data(self.model.index(row), SlaRole)
