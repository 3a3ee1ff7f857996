"""The conversation's messages: a list model, a delegate that paints bubbles, and the view.

Virtualised: the model holds only the pages loaded so far and the view paints only the rows on
screen; nothing is a widget per message. Older pages load when the agent scrolls to the top
(`canFetchMore`/`fetchMore`, which the model answers only once the view has asked for older
messages: a chat grows upwards, unlike the lists Qt's own fetching is made for). Every text
(buyer's, agent's, card's) is painted as plain text: HTML in a message shows as the characters
it is made of and never renders.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import msgspec
from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QFontMetrics, QGuiApplication, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.history import LocalMessage
from ui import theme
from ui.text import plain_tooltip
from wire import frames as f

logger = logging.getLogger(__name__)

MessageRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_card_decoder = msgspec.json.Decoder(f.Card)


def offer_name(kind: str) -> str:
    """The after-sales solution's name in the agent's language."""
    names = {
        "return_refund": QCoreApplication.translate("ChatView", "Return and refund"),
        "refund_only": QCoreApplication.translate("ChatView", "Refund only"),
        "coupon": QCoreApplication.translate("ChatView", "Compensation coupon"),
    }
    return names.get(kind, kind)


def case_status_name(status: str) -> str:
    names = {
        "offered": QCoreApplication.translate("ChatView", "Waiting for the buyer"),
        "accepted": QCoreApplication.translate("ChatView", "Accepted by the buyer"),
        "declined": QCoreApplication.translate("ChatView", "Declined by the buyer"),
        "open": QCoreApplication.translate("ChatView", "Open"),
        "closed": QCoreApplication.translate("ChatView", "Closed"),
    }
    return names.get(status, status)


def yuan(cents: int) -> str:
    return f"¥{cents // 100:,}.{cents % 100:02d}"


def card_lines(message: LocalMessage) -> tuple[str, list[str]] | None:
    """(title, lines) of a card message, or None if it carries no card the relay built."""
    if message.kind != "card" or not message.card_json or message.seq is None:
        return None
    try:
        card = _card_decoder.decode(message.card_json)
    except msgspec.DecodeError:
        return None
    if isinstance(card, f.ProductCard):
        return QCoreApplication.translate("ChatView", "Product"), [card.title, yuan(card.price_cents)]
    if isinstance(card, f.OrderCard):
        return (QCoreApplication.translate("ChatView", "Order {0}").format(card.order_no),
                [card.summary, f"{card.status} · {yuan(card.amount_cents)}"])
    if isinstance(card, f.CallCard):  # the state it was sent in; the call's progress is in the header
        return (QCoreApplication.translate("ChatView", "Video explanation invitation"),
                [card.reason, QCoreApplication.translate("ChatView", "From {0}").format(card.agent_name)])
    return (QCoreApplication.translate("ChatView", "After-sales offer: {0}").format(offer_name(card.offer)),
            [QCoreApplication.translate("ChatView", "Order {0}").format(card.order_no), yuan(card.amount_cents),
             case_status_name(card.status)])


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
            return message.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(message.text)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{message.sender_name}: {message.text}"
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
        return list(self._rows)

    def oldest_seq(self) -> int | None:
        return next((m.seq for m in self._rows if m.seq is not None), None)

    def reset(self, conversation_id: int | None, messages: list[LocalMessage], buyer_read_seq: int = 0) -> None:
        self.beginResetModel()
        self.conversation_id = conversation_id
        self._rows = []
        self._keys = {}
        self.case_status = {}
        self.buyer_read_seq = buyer_read_seq
        self._want_older = False
        self.loading_older = False
        for message in messages:
            self._place(message)
        self._reindex()
        self.has_older = (self.oldest_seq() or 1) > 1
        self.endResetModel()

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
        seqs = [m.seq for m in self._rows[:stored] if m.seq is not None]
        return bisect.bisect_right(seqs, message.seq)

    def _place(self, message: LocalMessage) -> None:
        if message.client_msg_id in self._keys:
            return
        self._rows.insert(self._position(message), message)
        self._keys[message.client_msg_id] = -1

    def _reindex(self) -> None:
        self._keys = {m.client_msg_id: i for i, m in enumerate(self._rows)}


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the parts of one row go, for painting and for hit-testing."""

    height: int
    day: str | None
    name: str | None
    bubble: QRect
    text: QRect
    meta: QRect
    system: bool


class BubbleDelegate(QStyledItemDelegate):
    """Paints a message: a bubble (left for the buyer, right for the shop), its time and delivery state."""

    PAD = 10
    GAP = 14
    MAX_SHARE = 0.68

    def __init__(self, model: ChatModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = model
        self._cache: dict[tuple[str, int, int | None, bool], _Layout] = {}

    def invalidate(self) -> None:
        self._cache.clear()

    # geometry -------------------------------------------------------------------------------

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        body = QFont(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 2))
        return body, small

    def _display_text(self, message: LocalMessage) -> str:
        card = card_lines(message)
        if card is None:
            return message.text
        title, lines = card
        return "\n".join([title, *lines])

    def layout(self, option: QStyleOptionViewItem, index: Index) -> _Layout:
        message: LocalMessage = index.data(MessageRole)
        row = index.row()
        prev = self.model.message_at(row - 1) if row > 0 else None
        day = _day(message.ts)
        show_day = prev is None or _day(prev.ts) != day
        width = option.rect.width()
        key = (message.client_msg_id, width, message.seq, show_day)
        cached = self._cache.get(key)
        if cached is not None and message.kind != "card":
            return _moved(cached, option.rect.top())
        body, small = self._fonts(option)
        fm, sm = QFontMetrics(body), QFontMetrics(small)
        y = 0
        day_text = _day_label(message.ts) if show_day else None
        if day_text:
            y += sm.height() + self.GAP
        system = message.kind == "system" or message.sender_kind == "system"
        text = self._display_text(message)
        if system:
            max_w = int(width * 0.8)
            rect = sm.boundingRect(QRect(0, 0, max_w, 100_000), Qt.TextFlag.TextWordWrap, text)
            bubble = QRect((width - rect.width()) // 2 - self.PAD, y, rect.width() + 2 * self.PAD,
                           rect.height() + self.PAD)
            text_rect = bubble.adjusted(self.PAD, self.PAD // 2, -self.PAD, -self.PAD // 2)
            height = bubble.bottom() + self.GAP
            result = _Layout(height, day_text, None, bubble, text_rect, QRect(), True)
        else:
            name = None if self._mine(message) else message.sender_name
            if name:
                y += sm.height() + 2
            max_w = max(120, int(width * self.MAX_SHARE) - 2 * self.PAD)
            rect = fm.boundingRect(QRect(0, 0, max_w, 100_000), Qt.TextFlag.TextWordWrap, text)
            w, h = max(rect.width(), 24) + 2 * self.PAD, rect.height() + 2 * self.PAD
            left = message.sender_kind == "buyer"
            x = 12 if left else width - 12 - w
            bubble = QRect(x, y, w, h)
            meta = QRect(12 if left else width - 12 - 260, bubble.bottom() + 3, 260, sm.height())
            height = meta.bottom() + self.GAP
            result = _Layout(height, day_text, name, bubble, bubble.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD),
                             meta, False)
        self._cache[key] = result
        return _moved(result, option.rect.top())

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(option.rect.width(), self.layout(option, index).height)

    def _mine(self, message: LocalMessage) -> bool:
        return message.sender_kind == "agent" and message.sender_id == self.model.me

    # painting -------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        message: LocalMessage = index.data(MessageRole)
        lay = self.layout(option, index)
        body, small = self._fonts(option)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = option.rect.top()
        if lay.day:
            painter.setFont(small)
            painter.setPen(theme.MUTED)
            painter.drawText(QRect(0, top, option.rect.width(), QFontMetrics(small).height()),
                             Qt.AlignmentFlag.AlignCenter, lay.day)
        if lay.system:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#eceef1"))
            painter.drawRoundedRect(lay.bubble, 6, 6)
            painter.setFont(small)
            painter.setPen(theme.SYSTEM_TEXT)
            painter.drawText(lay.text, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter, message.text)
            painter.restore()
            return
        if lay.name:
            painter.setFont(small)
            painter.setPen(theme.MUTED)
            align = Qt.AlignmentFlag.AlignLeft if message.sender_kind == "buyer" else Qt.AlignmentFlag.AlignRight
            name_rect = QRect(12, lay.bubble.top() - QFontMetrics(small).height() - 2, option.rect.width() - 24,
                              QFontMetrics(small).height())
            painter.drawText(name_rect, align, lay.name)
        if message.sender_kind == "buyer":
            fill = theme.BUYER_BUBBLE
        else:
            fill = theme.AGENT_BUBBLE if self._mine(message) else theme.COLLEAGUE_BUBBLE
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(theme.BRAND if selected else theme.LINE)
        painter.setBrush(fill)
        painter.drawRoundedRect(lay.bubble, 8, 8)
        painter.setPen(theme.TEXT)
        card = card_lines(message)
        if card is not None:
            title, lines = card
            bold = QFont(body)
            bold.setBold(True)
            painter.setFont(bold)
            line_h = QFontMetrics(body).height()
            painter.drawText(QRect(lay.text.left(), lay.text.top(), lay.text.width(), line_h),
                             Qt.AlignmentFlag.AlignLeft, title)
            painter.setFont(body)
            rest = lay.text.adjusted(0, line_h, 0, 0)
            status = self._offer_status(message)
            if status is not None:
                lines = [*lines[:-1], case_status_name(status)]
            painter.drawText(rest, Qt.TextFlag.TextWordWrap, "\n".join(lines))
        else:
            painter.setFont(body)
            painter.drawText(lay.text, Qt.TextFlag.TextWordWrap, message.text)
        painter.setFont(small)
        meta, colour = self.meta_text(message)
        painter.setPen(colour)
        align = Qt.AlignmentFlag.AlignLeft if message.sender_kind == "buyer" else Qt.AlignmentFlag.AlignRight
        painter.drawText(lay.meta, align | Qt.AlignmentFlag.AlignVCenter, meta)
        painter.restore()

    def _offer_status(self, message: LocalMessage) -> str | None:
        if not message.card_json or message.seq is None:
            return None
        try:
            card = _card_decoder.decode(message.card_json)
        except msgspec.DecodeError:
            return None
        if isinstance(card, f.OfferCard):
            return self.model.case_status.get(card.case_id, card.status)
        return None

    def meta_text(self, message: LocalMessage) -> tuple[str, QColor]:
        """Time, and for the agent's own messages the delivery state."""
        clock = dt.datetime.fromtimestamp(message.ts / 1000).strftime("%H:%M")
        if not self._mine(message):
            return clock, theme.MUTED
        if message.state == "failed":
            return f"{clock}  " + QCoreApplication.translate("ChatView", "Not sent — click to retry"), theme.FAILED
        if message.seq is None:
            return f"{clock}  " + QCoreApplication.translate("ChatView", "Sending…"), theme.MUTED
        if message.seq <= self.model.buyer_read_seq:
            return f"{clock}  " + QCoreApplication.translate("ChatView", "Read"), theme.OK
        return f"{clock}  " + QCoreApplication.translate("ChatView", "Sent"), theme.MUTED


def _copy(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)


def _moved(layout: _Layout, top: int) -> _Layout:
    if top == 0:
        return layout
    return _Layout(layout.height, layout.day, layout.name, layout.bubble.translated(0, top),
                   layout.text.translated(0, top), layout.meta.translated(0, top), layout.system)


def _day(ts: int) -> dt.date:
    return dt.datetime.fromtimestamp(ts / 1000).date()


def _day_label(ts: int) -> str:
    day = _day(ts)
    today = dt.date.today()
    if day == today:
        return QCoreApplication.translate("ChatView", "Today")
    if day == today - dt.timedelta(days=1):
        return QCoreApplication.translate("ChatView", "Yesterday")
    return day.isoformat()


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
        menu.addAction(QCoreApplication.translate("ChatView", "Copy text"), lambda: _copy(message.text))
        if message.state == "failed":
            menu.addAction(QCoreApplication.translate("ChatView", "Retry sending"),
                           lambda: self.retry_requested.emit(message.client_msg_id))
        menu.popup(event.globalPos())  # not exec(): no nested event loop under qasync

    def visible_texts(self) -> list[str]:
        """Texts of the rows, in order (tests and accessibility)."""
        return [self.chat_model.message_at(r).text for r in range(self.chat_model.rowCount())]

    def point_of(self, row: int) -> QPoint:
        return self.visualRect(self.chat_model.index(row)).center()
