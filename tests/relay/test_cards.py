"""Order context, product/order cards, after-sales offers and their audit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.client import KefuClient
from app.errors import RelayError
from tests.conftest import OTHER_SHOP, RunningRelay
from tests.relay.helpers import db_one, db_rows, db_value, next_of, stored_count
from wire import frames as f


def buyer_with_paid_order(relay: RunningRelay, min_cents: int = 10_000) -> tuple[str, str, int]:
    """A demo buyer of the main shop with a paid order: (buyer, order_no, amount)."""
    row = db_one(relay, "SELECT buyer_id, order_no, amount_cents FROM orders WHERE shop_id = 1 AND status = 'delivered'"
                 " AND amount_cents >= ? ORDER BY order_no LIMIT 1", (min_cents,))
    assert row is not None
    return row[0], row[1], row[2]


def someone_elses_order(relay: RunningRelay, buyer: str) -> str:
    return str(db_value(relay, "SELECT order_no FROM orders WHERE buyer_id != ? ORDER BY order_no LIMIT 1", (buyer,)))


async def chat_with(clients: Any, buyer_id: str) -> tuple[KefuClient, KefuClient, int]:
    agent = await clients("agent1")
    buyer = await clients(buyer=buyer_id)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, "我的订单有点问题")
    await next_of(agent, f.Assignment)
    return agent, buyer, conv.conversation_id


async def send_card(agent: KefuClient, conv: int, **card: Any) -> f.Ack:
    reply = await agent.call(f.SendCard, conversation_id=conv, client_msg_id=uuid.uuid4().hex,
                             card=f.CardRequest(**card))
    assert isinstance(reply, f.Ack)
    return reply


async def test_context_shows_the_conversations_buyer_orders_and_cases(clients, relay: RunningRelay) -> None:
    buyer_id, order_no, _ = buyer_with_paid_order(relay)
    agent, _, conv = await chat_with(clients, buyer_id)
    context = await agent.call(f.GetContext, conversation_id=conv)
    assert isinstance(context, f.ContextInfo)
    assert context.buyer_id == buyer_id
    assert order_no in [o.order_no for o in context.orders]
    order = next(o for o in context.orders if o.order_no == order_no)
    assert order.items and order.logistics and order.status_label == "已签收"


async def test_context_is_refused_to_another_shop_and_to_buyers(clients, relay: RunningRelay) -> None:
    buyer_id, _, _ = buyer_with_paid_order(relay)
    _, buyer, conv = await chat_with(clients, buyer_id)
    tea = await clients("cha1", shop=OTHER_SHOP)
    for who in (tea, buyer):
        with pytest.raises(RelayError) as err:
            await who.call(f.GetContext, conversation_id=conv)
        assert err.value.code == "forbidden"


async def test_refund_only_offer_accepted_by_the_buyer_updates_case_and_audit(clients, relay: RunningRelay):
    buyer_id, order_no, amount = buyer_with_paid_order(relay)
    agent, buyer, conv = await chat_with(clients, buyer_id)
    await send_card(agent, conv, kind="offer", order_no=order_no, offer="refund_only", amount_cents=amount // 2)
    card_msg = await next_of(buyer, f.Message, kind="card")
    card = card_msg.card
    assert isinstance(card, f.OfferCard) and card.status == "offered" and card.amount_cents == amount // 2
    await buyer.call(f.AnswerOffer, conversation_id=conv, case_id=card.case_id, accept=True)
    update = await next_of(agent, f.CaseUpdate)
    assert (update.case.case_id, update.case.status, update.case.kind) == (card.case_id, "accepted", "refund_only")
    assert "仅退款" in (await next_of(agent, f.Message, event="offer_accepted")).text
    with pytest.raises(RelayError) as err:
        await buyer.call(f.AnswerOffer, conversation_id=conv, case_id=card.case_id, accept=False)
    assert (err.value.code, err.value.reason) == ("conflict", "already_answered")
    history = await agent.history(conv)
    stored_card = next(m.card for m in history.messages if m.kind == "card")
    assert isinstance(stored_card, f.OfferCard) and stored_card.status == "accepted"
    audit = db_rows(relay, "SELECT actor_kind, action FROM case_audit WHERE case_id = ? ORDER BY id", (card.case_id,))
    assert audit == [("agent", "offered"), ("buyer", "accepted")]


async def test_declined_coupon_offer(clients, relay: RunningRelay) -> None:
    buyer_id, order_no, _ = buyer_with_paid_order(relay)
    agent, buyer, conv = await chat_with(clients, buyer_id)
    await send_card(agent, conv, kind="offer", order_no=order_no, offer="coupon", amount_cents=2000)
    card = (await next_of(buyer, f.Message, kind="card")).card
    await buyer.call(f.AnswerOffer, conversation_id=conv, case_id=card.case_id, accept=False)
    assert (await next_of(agent, f.CaseUpdate)).case.status == "declined"


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ({"kind": "offer", "offer": "coupon", "amount_cents": 50_001}, "invalid_field"),
        ({"kind": "offer", "offer": "coupon"}, "invalid_field"),
        ({"kind": "offer", "offer": "refund_only", "amount_cents": 10**8}, "invalid_field"),
        ({"kind": "offer", "offer": "coupon", "amount_cents": 0}, "invalid_field"),
        ({"kind": "offer", "offer": "coupon", "amount_cents": -500}, "invalid_field"),
        ({"kind": "offer", "amount_cents": 100}, "invalid_field"),
        ({"kind": "product", "sku": "NO-SUCH-SKU"}, "not_found"),
        ({"kind": "product"}, "invalid_field"),
    ],
)
async def test_bad_cards_are_refused_and_store_nothing(clients, relay: RunningRelay, card, code) -> None:
    buyer_id, order_no, _ = buyer_with_paid_order(relay, min_cents=60_000)
    agent, _, conv = await chat_with(clients, buyer_id)
    if card["kind"] == "offer":
        card = {**card, "order_no": order_no}
    with pytest.raises(RelayError) as err:
        await agent.request(raw_send_card(conv, card))
    assert err.value.code == code
    assert stored_count(relay, "card") == 0
    assert db_value(relay, "SELECT COUNT(*) FROM case_audit") == 0


class RawFrame(dict):  # type: ignore[type-arg]
    """A dict frame `KefuClient.request` can send, so out-of-range values reach the relay's validation."""

    @property
    def id(self) -> str:
        return str(self["id"])


def raw_send_card(conv: int, card: dict[str, Any]) -> RawFrame:
    return RawFrame(type="send_card", id=f"raw-{uuid.uuid4().hex[:8]}", conversation_id=conv,
                    client_msg_id=uuid.uuid4().hex, card=card)


async def test_offer_on_another_buyers_order_is_refused(clients, relay: RunningRelay) -> None:
    buyer_id, _, _ = buyer_with_paid_order(relay)
    agent, _, conv = await chat_with(clients, buyer_id)
    for kind in ("order", "offer"):
        with pytest.raises(RelayError) as err:
            await send_card(agent, conv, kind=kind, order_no=someone_elses_order(relay, buyer_id),
                            offer="refund_only")
        assert err.value.code == "not_found"
    assert stored_count(relay, "card") == 0


async def test_product_and_order_cards_reach_the_buyer(clients, relay: RunningRelay) -> None:
    buyer_id, order_no, _ = buyer_with_paid_order(relay)
    agent, buyer, conv = await chat_with(clients, buyer_id)
    sku = db_value(relay, "SELECT sku FROM products WHERE shop_id = 1 ORDER BY sku LIMIT 1")
    await send_card(agent, conv, kind="product", sku=sku)
    product = (await next_of(buyer, f.Message, kind="card")).card
    assert isinstance(product, f.ProductCard) and product.sku == sku
    await send_card(agent, conv, kind="order", order_no=order_no)
    order = (await next_of(buyer, f.Message, kind="card")).card
    assert isinstance(order, f.OrderCard) and order.order_no == order_no


async def test_resent_offer_creates_one_case(clients, relay: RunningRelay) -> None:
    buyer_id, order_no, _ = buyer_with_paid_order(relay)
    agent, _, conv = await chat_with(clients, buyer_id)
    cid = uuid.uuid4().hex
    card = f.CardRequest(kind="offer", order_no=order_no, offer="coupon", amount_cents=1000)
    first = await agent.call(f.SendCard, conversation_id=conv, client_msg_id=cid, card=card)
    again = await agent.call(f.SendCard, conversation_id=conv, client_msg_id=cid, card=card)
    assert isinstance(again, f.Ack) and again.duplicate and again.seq == first.seq  # type: ignore[union-attr]
    assert db_value(relay, "SELECT COUNT(*) FROM after_sales WHERE conversation_id = ?", (conv,)) == 1


async def test_buyer_cannot_answer_an_offer_of_another_conversation(clients, relay: RunningRelay) -> None:
    buyer_id, order_no, _ = buyer_with_paid_order(relay)
    agent, buyer, conv = await chat_with(clients, buyer_id)
    await send_card(agent, conv, kind="offer", order_no=order_no, offer="refund_only")
    card = (await next_of(buyer, f.Message, kind="card")).card
    other = await clients(buyer="b-jiadian-0199")
    other_conv = await other.open_conversation("jiadian")
    with pytest.raises(RelayError) as err:
        await other.call(f.AnswerOffer, conversation_id=other_conv.conversation_id, case_id=card.case_id,
                         accept=True)
    assert err.value.code == "not_found"
