"""Cards in a conversation: products, orders, after-sales offers and the buyer's answers; order context.

An agent offers one of the platform's three after-sales solutions (return and refund, refund
only, or a compensation coupon) on one of the buyer's orders. The case and its card message are
stored in one transaction; the buyer accepts or declines from the card; every step is audited.
"""

from __future__ import annotations

import logging
import uuid

from relay.chat import Hub
from relay.desk import Desk
from relay.platform import Platform, PlatformError
from relay.sessions import Connection
from relay.store import Store, StoreConflict
from relay.store.interface import NewCase
from relay.system_lines import OFFER_LABELS, yuan
from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ConflictReason, ErrorCode

logger = logging.getLogger(__name__)

COUPON_MAX_CENTS = 50_000
"""A compensation coupon is at most ¥500 (and never more than the order)."""
NOT_PAID = frozenset({"pending_payment"})


class Cards:
    """Handlers of `send_card`, `offer_reply` and `context`."""

    def __init__(self, store: Store, platform: Platform, hub: Hub, desk: Desk) -> None:
        self._store = store
        self._platform = platform
        self._hub = hub
        self._desk = desk
        hub.route(f.SendCard, self.on_send_card)
        hub.route(f.AnswerOffer, self.on_offer_reply)
        hub.route(f.GetContext, self.on_context)

    async def on_context(self, conn: Connection, frame: f.GetContext) -> None:
        if conn.principal.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "order context is for the shop's agents", frame.id)
        shop_id, buyer_id = await self._hub.check_access(conn.principal, frame.conversation_id, frame.id)
        profile = await self._store.platform_buyer(buyer_id)
        name, vip = profile if profile else (buyer_id, False)
        conn.send(encode(f.ContextInfo(
            id=frame.id, conversation_id=frame.conversation_id, buyer_id=buyer_id, buyer_name=name, vip=vip,
            orders=await self._platform.orders(shop_id, buyer_id), cases=await self._platform.cases(shop_id, buyer_id),
        )))

    async def on_send_card(self, conn: Connection, frame: f.SendCard) -> None:
        if conn.principal.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "cards are sent by the shop's agents", frame.id)
        owner = await self._hub.check_access(conn.principal, frame.conversation_id, frame.id, write=True)
        card, text, new_case = await self._build(owner, frame.card, frame.id)
        self._hub.append(conn, frame.id, owner, frame.conversation_id, frame.client_msg_id, text, kind="card",
                         card_json=encode(card).decode(), new_case=new_case)

    async def _build(
        self, owner: tuple[int, str], req: f.CardRequest, rid: str
    ) -> tuple[f.Card, str, NewCase | None]:
        shop_id, buyer_id = owner
        if req.kind == "product":
            if not req.sku:
                raise FrameError(ErrorCode.INVALID_FIELD, "a product card needs `sku`", rid)
            try:
                product = await self._platform.product(shop_id, req.sku)
            except PlatformError as exc:
                raise FrameError(ErrorCode(exc.code), exc.message, rid) from None
            return product, f"[商品] {product.title} {yuan(product.price_cents)}", None
        order = await self._order(owner, req.order_no, rid)
        if req.kind == "order":
            first = order.items[0].title if order.items else ""
            more = f" 等{sum(i.quantity for i in order.items)}件" if sum(i.quantity for i in order.items) > 1 else ""
            summary = f"{first}{more}"
            card = f.OrderCard(order_no=order.order_no, status=order.status_label, amount_cents=order.amount_cents,
                               summary=summary)
            return card, f"[订单] {order.order_no} {summary} {yuan(order.amount_cents)}", None
        return self._offer(shop_id, buyer_id, order, req, rid)

    async def _order(self, owner: tuple[int, str], order_no: str | None, rid: str) -> f.OrderInfo:
        if not order_no:
            raise FrameError(ErrorCode.INVALID_FIELD, "this card needs `order_no`", rid)
        for order in await self._platform.orders(*owner):
            if order.order_no == order_no:
                return order
        raise FrameError(ErrorCode.NOT_FOUND, f"order {order_no} is not this buyer's order in this shop", rid)

    def _offer(
        self, shop_id: int, buyer_id: str, order: f.OrderInfo, req: f.CardRequest, rid: str
    ) -> tuple[f.Card, str, NewCase]:
        if req.offer is None:
            raise FrameError(ErrorCode.INVALID_FIELD, "an offer card needs `offer`", rid)
        if order.status in NOT_PAID:
            raise FrameError(ErrorCode.CONFLICT, "the order is not paid yet: nothing to refund", rid,
                             reason=ConflictReason.NOT_PAID)
        if req.offer == "coupon":
            ceiling = min(COUPON_MAX_CENTS, order.amount_cents)
            if req.amount_cents is None or req.amount_cents > ceiling:
                raise FrameError(ErrorCode.INVALID_FIELD,
                                 f"a coupon needs an amount between ¥0.01 and {yuan(ceiling)}", rid)
            amount = req.amount_cents
        else:
            amount = req.amount_cents if req.amount_cents is not None else order.amount_cents
            if amount > order.amount_cents:
                raise FrameError(ErrorCode.INVALID_FIELD,
                                 f"a refund cannot exceed the order's {yuan(order.amount_cents)}", rid)
        case = NewCase(case_id=f"as-{uuid.uuid4().hex[:12]}", shop_id=shop_id, order_no=order.order_no,
                       buyer_id=buyer_id, kind=req.offer, reason="客服提供的解决方案", amount_cents=amount)
        card = f.OfferCard(case_id=case.case_id, order_no=order.order_no, offer=req.offer, amount_cents=amount,
                           status="offered")
        text = f"[售后方案] {OFFER_LABELS[req.offer]} {yuan(amount)}（订单 {order.order_no}）"
        return card, text, case

    async def on_offer_reply(self, conn: Connection, frame: f.AnswerOffer) -> None:
        if not conn.principal.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "only the buyer answers an offer", frame.id)
        owner = await self._hub.check_access(conn.principal, frame.conversation_id, frame.id, write=True)
        try:
            case, _ = await self._store.answer_offer(frame.case_id, frame.conversation_id, conn.principal.user_id,
                                                     frame.accept, self._desk.now_ms())
        except KeyError:
            raise FrameError(ErrorCode.NOT_FOUND, "no such offer in this conversation", frame.id) from None
        except StoreConflict as exc:
            raise FrameError(ErrorCode.CONFLICT, str(exc), frame.id, reason=exc.reason) from None
        data = encode(f.CaseUpdate(conversation_id=frame.conversation_id, case=case))
        self._hub.send_to_audience(frame.conversation_id, owner, data)
        conn.send(encode(f.Ok(id=frame.id)))
        state = self._desk.state(frame.conversation_id)
        if state is not None:
            await self._desk.post_system(state, "offer_accepted" if frame.accept else "offer_declined",
                                         {"offer": case.kind, "amount_cents": str(case.amount_cents or 0)})
