"""Painting the chat's rows: bubbles (left for the buyer, right for the shop), centred system lines
and tinted staff-only lines (notes, whispers). Every text is drawn as plain text, never as HTML."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.history import LocalMessage
from ui import theme
from ui.chat_lines import card_lines, card_of, case_status_name, is_staff_line, staff_line_title
from ui.system_text import system_line
from wire import frames as f

if TYPE_CHECKING:
    from ui.chat_view import ChatModel

logger = logging.getLogger(__name__)

MessageRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
NOTE_FILL = QColor("#fff4d6")
"""Staff-only lines are tinted (amber for notes, violet for whispers): the buyer never sees them."""
WHISPER_FILL = QColor("#efe6ff")
STAFF_EDGE = QColor("#d9a520")
WHISPER_EDGE = QColor("#8b5cf6")


def row_text(message: LocalMessage) -> str:
    """What a row says as one string: a system line in the UI language, a staff line with its title."""
    if is_staff_line(message):
        return f"{staff_line_title(message)}: {message.text}"
    if message.kind == "system" or message.sender_kind == "system":
        return system_line(message)
    return message.text


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the parts of one row go, for painting and for hit-testing."""

    height: int
    day: str | None
    name: str | None
    bubble: QRect
    text: QRect
    meta: QRect
    kind: str  # "bubble" | "system" | "staff"


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
        if message.kind == "system" or message.sender_kind == "system":
            return system_line(message)
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
        if is_staff_line(message):
            result = self._staff_layout(message, width, y, day_text, sm, fm)
        elif system:
            max_w = int(width * 0.8)
            rect = sm.boundingRect(QRect(0, 0, max_w, 100_000), Qt.TextFlag.TextWordWrap, text)
            bubble = QRect((width - rect.width()) // 2 - self.PAD, y, rect.width() + 2 * self.PAD,
                           rect.height() + self.PAD)
            text_rect = bubble.adjusted(self.PAD, self.PAD // 2, -self.PAD, -self.PAD // 2)
            height = bubble.bottom() + self.GAP
            result = _Layout(height, day_text, None, bubble, text_rect, QRect(), "system")
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
                             meta, "bubble")
        self._cache[key] = result
        return _moved(result, option.rect.top())

    def _staff_layout(self, message: LocalMessage, width: int, y: int, day_text: str | None,
                      sm: QFontMetrics, fm: QFontMetrics) -> _Layout:
        """A tinted band across the chat: its title line (who, staff only), then the text."""
        inner = max(120, width - 48 - 2 * self.PAD)
        title = sm.boundingRect(QRect(0, 0, inner, 100_000), Qt.TextFlag.TextWordWrap, staff_line_title(message))
        rect = fm.boundingRect(QRect(0, 0, inner, 100_000), Qt.TextFlag.TextWordWrap, message.text)
        bubble = QRect(24, y, width - 48, title.height() + rect.height() + 2 * self.PAD + 2)
        name = QRect(24 + self.PAD, y + self.PAD // 2, inner, title.height())
        text = QRect(24 + self.PAD, name.bottom() + 3, inner, rect.height())
        return _Layout(bubble.bottom() + self.GAP, day_text, None, bubble, text, name, "staff")

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
        if lay.kind == "system":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#eceef1"))
            painter.drawRoundedRect(lay.bubble, 6, 6)
            painter.setFont(small)
            painter.setPen(theme.SYSTEM_TEXT)
            painter.drawText(lay.text, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter,
                             system_line(message))
            painter.restore()
            return
        if lay.kind == "staff":
            self._paint_staff(painter, message, lay, body, small)
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

    def _paint_staff(self, painter: QPainter, message: LocalMessage, lay: _Layout, body: QFont,
                     small: QFont) -> None:
        whisper = message.kind == "whisper"
        painter.setPen(WHISPER_EDGE if whisper else STAFF_EDGE)
        painter.setBrush(WHISPER_FILL if whisper else NOTE_FILL)
        painter.drawRoundedRect(lay.bubble, 6, 6)
        painter.setFont(small)
        painter.drawText(lay.meta, Qt.TextFlag.TextWordWrap, staff_line_title(message))
        painter.setFont(body)
        painter.setPen(theme.TEXT)
        painter.drawText(lay.text, Qt.TextFlag.TextWordWrap, message.text)

    def _offer_status(self, message: LocalMessage) -> str | None:
        card = card_of(message)
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


def _moved(layout: _Layout, top: int) -> _Layout:
    if top == 0:
        return layout
    return _Layout(layout.height, layout.day, layout.name, layout.bubble.translated(0, top),
                   layout.text.translated(0, top), layout.meta.translated(0, top), layout.kind)


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

