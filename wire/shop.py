"""Frames of a shop's reply templates and of the buyer's context (orders, logistics, after-sales
cases), the cards an agent sends and the buyer's answer to an offer.

`wire.frames` re-exports every one of them and includes them in `ClientFrame` and `ServerFrame`.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire.base import (
    ClientMsgId,
    ConversationId,
    RequestId,
    RowId,
)
from wire.base import Frame as _Frame

Cents = Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]


OfferKind = Literal["return_refund", "refund_only", "coupon"]


class ListTemplates(_Frame, tag="templates"):
    """The shop's templates and the caller's own, optionally filtered (Chinese text or pinyin initials)."""

    id: RequestId
    query: Annotated[str, msgspec.Meta(max_length=50)] = ""


class TemplateDraft(msgspec.Struct, kw_only=True):
    """A template as written by an agent or supervisor."""

    scope: Literal["shop", "personal"]
    group: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    shortcut: Annotated[str, msgspec.Meta(max_length=16, pattern=r"^[a-z0-9]*\Z")] = ""  # \Z: no final line break


class SaveTemplate(_Frame, tag="template_save"):
    """Create (no `template_id`) or edit a template. Shop templates: supervisors only."""

    id: RequestId
    template: TemplateDraft
    template_id: RowId | None = None


class DeleteTemplate(_Frame, tag="template_delete"):
    """Delete a template (the same permissions as editing it)."""

    id: RequestId
    template_id: RowId


class RenderTemplate(_Frame, tag="template_render"):
    """Fill a template's variables from a conversation (and count one use)."""

    id: RequestId
    template_id: RowId
    conversation_id: ConversationId
    order_no: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class GetContext(_Frame, tag="context"):
    """The buyer's orders, logistics and after-sales cases, for a conversation the caller may see."""

    id: RequestId
    conversation_id: ConversationId


class CardRequest(msgspec.Struct, kw_only=True):
    """What card to send: a product (`sku`), an order (`order_no`), or an after-sales offer."""

    kind: Literal["product", "order", "offer"]
    sku: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    order_no: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    offer: OfferKind | None = None
    amount_cents: Cents | None = None


class SendCard(_Frame, tag="send_card"):
    """Agent: send a product, order or after-sales offer card (idempotent like `send`)."""

    id: RequestId
    conversation_id: ConversationId
    client_msg_id: ClientMsgId
    card: CardRequest


class AnswerOffer(_Frame, tag="offer_reply"):
    """Buyer: accept or decline an after-sales offer."""

    id: RequestId
    conversation_id: ConversationId
    case_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    accept: bool


class Template(msgspec.Struct, kw_only=True):
    """A reply template; `initials` are the pinyin initials of the title, for client-side filtering."""

    template_id: int
    scope: Literal["shop", "personal"]
    group: str
    title: str
    body: str
    shortcut: str
    initials: str
    usage_count: int
    editable: bool
    position: int = 0
    """Where the editor put it within its scope (0 first); the picker lists unsearched templates in this order."""


class TemplateList(_Frame, tag="template_list"):
    """Answer to `templates`."""

    id: str
    templates: list[Template]


class TemplateSaved(_Frame, tag="template_saved"):
    """Answer to `template_save`."""

    id: str
    template: Template


class TemplateRendered(_Frame, tag="template_rendered"):
    """Answer to `template_render`: the text with its variables filled, ready to edit and send."""

    id: str
    text: str
    missing: list[str] = []
    """Variables that had no value for this conversation (left as written)."""


class LogisticsStep(msgspec.Struct, kw_only=True):
    at: str
    text: str


class OrderItemInfo(msgspec.Struct, kw_only=True):
    sku: str
    title: str
    quantity: int
    price_cents: int


class OrderInfo(msgspec.Struct, kw_only=True):
    order_no: str
    status: str
    status_label: str
    amount_cents: int
    created_at: str
    courier: str | None
    tracking_no: str | None
    items: list[OrderItemInfo]
    logistics: list[LogisticsStep]


class CaseInfo(msgspec.Struct, kw_only=True):
    case_id: str
    order_no: str
    kind: str
    reason: str
    status: str
    amount_cents: int | None = None


class ContextInfo(_Frame, tag="context_info"):
    """Answer to `context`: the conversation's buyer, their orders (newest first) and cases."""

    id: str
    conversation_id: int
    buyer_id: str
    buyer_name: str
    vip: bool
    orders: list[OrderInfo]
    cases: list[CaseInfo]


class CaseUpdate(_Frame, tag="case_update"):
    """An after-sales case changed (offer accepted or declined)."""

    conversation_id: int
    case: CaseInfo
