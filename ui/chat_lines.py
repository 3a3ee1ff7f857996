"""What one row of the chat says: cards' titles and lines, offer and case names, and staff-only lines.

Staff-only lines (internal notes and a supervisor's whispers, app/notes.py) are kept in the chat
model as `LocalMessage` rows of kind "note" or "whisper" (sender kind "staff"), at the seq of the
message they followed; they are never messages, and nothing here sends anything.
"""

from __future__ import annotations

import logging

import msgspec
from PySide6.QtCore import QCoreApplication

from app.history import LocalMessage
from wire import frames as f

logger = logging.getLogger(__name__)

_card_decoder = msgspec.json.Decoder(f.Card)
STAFF_KINDS = ("note", "whisper")
NOTE_PREFIX = "note:"


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
    card = card_of(message)
    if card is None:
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


def card_of(message: LocalMessage) -> f.Card | None:
    """The card a stored card message carries, if it parses."""
    if message.kind != "card" or not message.card_json or message.seq is None:
        return None
    try:
        card: f.Card = _card_decoder.decode(message.card_json)
    except msgspec.DecodeError:
        return None
    return card


def note_row(note: f.NoteInfo) -> LocalMessage:
    """A note or whisper as a chat row, placed after the message with seq == `after_seq`."""
    return LocalMessage(
        conversation_id=note.conversation_id, client_msg_id=f"{NOTE_PREFIX}{note.note_id}", sender_kind="staff",
        sender_id=note.author_id, sender_name=note.author_name, text=note.text, ts=note.ts, kind=note.kind,
        seq=note.after_seq,
    )


def is_staff_line(message: LocalMessage) -> bool:
    return message.sender_kind == "staff" and message.kind in STAFF_KINDS


def note_id_of(message: LocalMessage) -> int:
    raw = message.client_msg_id.removeprefix(NOTE_PREFIX)
    return int(raw) if raw.isdigit() else 0


def staff_line_title(message: LocalMessage) -> str:
    """"Internal note · 王主管 · staff only" / "Whisper from 王主管 · staff only"."""
    if message.kind == "whisper":
        return QCoreApplication.translate("ChatView", "Whisper from {0} · staff only").format(message.sender_name)
    return QCoreApplication.translate("ChatView", "Internal note · {0} · staff only").format(message.sender_name)
