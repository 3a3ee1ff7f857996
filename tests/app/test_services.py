"""What the workstation's panels rely on, against a real relay: unread counts and read receipts, SLA
levels, the new-chat alert, templates, cards, and the end of a session."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import msgspec
import pytest

from app.client import KefuClient
from app.client import logout as relay_logout
from app.events import Attention, ConnectionChanged, ConversationChanged, MessagesAdded, MessageUpdated, SessionEnded
from relay.clock import FakeClock
from tests.app.helpers import Desk, RestartableRelay, assigned_chat
from wire import frames as f

BUYER = "b-jiadian-0007"


async def receipt_covering(buyer: KefuClient, conversation_id: int, seq: int) -> f.Receipt:
    """The first agent-side read receipt that covers `seq`."""
    while True:
        receipt = await buyer.next_event(f.Receipt, timeout=5.0)
        if receipt.conversation_id == conversation_id and receipt.side == "agent" and receipt.read_seq >= seq:
            return receipt


async def buyer_message_arrives(desk: Desk, buyer: KefuClient, cid: int, text: str) -> int:
    """The buyer writes; returns its seq once the desk has announced it."""
    ack = await buyer.send_text(cid, text)
    await desk.events.until(lambda: any(m.seq == ack.seq for m in desk.events.added(cid)), f"{text!r} on the desk")
    return ack.seq


# --- unread and read receipts ---------------------------------------------------------------


async def test_unread_counts_buyer_messages_only_until_mark_read_which_tells_the_buyer(desks, clients) -> None:
    desk = await desks.open("agent1")
    buyer, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    last = await buyer_message_arrives(desk, buyer, cid, "想问下发货时间")
    view = desk.view(cid)
    # the welcome and agent_joined system messages are in the chat too; they are not unread
    assert {m.sender_kind for m in desk.events.added(cid)} == {"buyer", "system"}
    assert view.unread == 2 and desk.service.unread_total() == 2

    reply = await desk.service.send_text(cid, "您好，今天下单明天发货")
    await desk.events.stored(reply.client_msg_id)
    assert view.unread == 2, "the agent's own reply is not unread"
    assert reply.client_msg_id in [m.client_msg_id for m in await desk.service.page(cid)]

    await desk.service.mark_read(cid)
    assert view.unread == 0 and desk.service.unread_total() == 0
    assert view.info.agent_read_seq >= last
    assert (await receipt_covering(buyer, cid, last)).read_seq >= last


async def test_a_focused_chat_is_read_as_messages_arrive_and_an_unfocused_one_counts_again(desks, clients) -> None:
    desk = await desks.open("agent1")
    buyer, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    view = desk.view(cid)
    await desk.events.until(lambda: view.unread == 1, "one unread")

    desk.service.focus(cid)
    await desk.events.until(lambda: view.unread == 0, "read on focus")
    seq = await buyer_message_arrives(desk, buyer, cid, "这款有白色吗")
    assert (await receipt_covering(buyer, cid, seq)).read_seq == seq
    assert view.unread == 0

    desk.service.focus(None)  # the window was minimised
    await buyer_message_arrives(desk, buyer, cid, "还在吗")
    assert view.unread == 1


async def test_focus_after_close_starts_nothing(desks, clients) -> None:
    """A window torn down after the service closed may still report focus: no task is started then (it
    would run while the loop winds down: 'no running event loop', as CI once saw)."""
    desk = await desks.open("agent1")
    _, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    await desk.events.until(lambda: desk.view(cid).unread == 1, "one unread")
    await desk.service.close()
    desk.service.focus(cid)
    assert not desk.service._tasks
    assert desk.view(cid).unread == 1  # not marked read by a closed service


# --- SLA and alerts -------------------------------------------------------------------------


async def test_sla_levels_reach_the_conversation_view_and_a_reply_clears_them(
    desks, clients, fake_clock: FakeClock
) -> None:
    desk = await desks.open("agent1")
    _, cid = await assigned_chat(desk, clients, BUYER, "有人吗？")
    view = desk.view(cid)
    assert view.sla == "none" and view.info.unanswered_since is not None

    fake_clock.advance(100)
    await desk.events.first(Attention, kind="sla_warning", conversation_id=cid)
    assert view.sla == "warning"
    fake_clock.advance(80)
    await desk.events.first(Attention, kind="sla_overdue", conversation_id=cid)
    assert view.sla == "overdue"

    await desk.service.send_text(cid, "您好，在的，久等了")
    await desk.events.until(lambda: view.sla == "none", "the SLA cleared by the reply")
    assert view.info.unanswered_since is None
    assert [(a.kind, a.conversation_id) for a in desk.events.of(Attention) if a.kind != "new_chat"] == [
        ("sla_warning", cid), ("sla_overdue", cid)]


async def test_a_chat_assigned_to_me_raises_one_new_chat_alert_even_across_a_reconnect(
    desks, clients, relay: RestartableRelay
) -> None:
    desk = await desks.open("agent1")
    buyer, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    _, other = await assigned_chat(desk, clients, "b-jiadian-0011", "我也有个问题")
    await buyer_message_arrives(desk, buyer, cid, "想问下发货时间")

    mark = desk.events.mark()
    assert relay.drop(desk.user_id) == 1
    await desk.events.first(ConnectionChanged, status="offline", since=mark)
    await desk.events.first(ConnectionChanged, status="online", since=mark)
    await buyer_message_arrives(desk, buyer, cid, "还在吗")  # frames are handled in order: all before it are in

    alerts = [(a.conversation_id, a.buyer_name) for a in desk.events.of(Attention, kind="new_chat")]
    assert alerts == [(cid, desk.view(cid).info.buyer_name), (other, desk.view(other).info.buyer_name)]


# --- templates ------------------------------------------------------------------------------


async def test_templates_are_found_by_pinyin_initials_and_rendered_with_the_buyers_name(desks, clients) -> None:
    desk = await desks.open("agent1")
    _, cid = await assigned_chat(desk, clients, BUYER, "退货怎么弄")
    templates = await desk.service.refresh_templates()
    assert templates and desk.service.templates == templates

    assert "退换货说明" in [t.title for t in desk.service.find_templates("thh")]
    assert "退换货说明" in [t.title for t in desk.service.find_templates("退换")]
    assert desk.service.find_templates("zzzzqqq") == []

    greeting = next(t for t in templates if "{buyer_name}" in t.body)
    rendered = await desk.service.render_template(greeting.template_id, cid)
    buyer_name = desk.view(cid).info.buyer_name
    assert buyer_name in rendered.text and "{buyer_name}" not in rendered.text
    assert "buyer_name" not in rendered.missing


# --- cards ----------------------------------------------------------------------------------


def buyer_with_delivered_order(relay: RestartableRelay) -> tuple[str, str]:
    """A demo buyer of the main shop with a delivered order: (buyer, order_no)."""
    with sqlite3.connect(relay.config.db_path) as db:
        buyer, order_no = db.execute(
            "SELECT buyer_id, order_no FROM orders WHERE shop_id = 1 AND status = 'delivered'"
            " AND amount_cents >= 10000 ORDER BY order_no LIMIT 1").fetchone()
    return buyer, order_no


@pytest.mark.parametrize(("kind", "built"), [("product", f.ProductCard), ("order", f.OrderCard),
                                             ("offer", f.OfferCard)])
async def test_a_sent_card_ends_as_the_card_the_relay_built(
    desks, clients, relay: RestartableRelay, kind: str, built: type[Any]
) -> None:
    desk = await desks.open("agent1")
    buyer_id, order_no = buyer_with_delivered_order(relay)
    buyer, cid = await assigned_chat(desk, clients, buyer_id, "我的订单有点问题")
    context = await desk.service.context(cid)
    order = next(o for o in context.orders if o.order_no == order_no)
    request = {
        "product": f.CardRequest(kind="product", sku=order.items[0].sku),
        "order": f.CardRequest(kind="order", order_no=order_no),
        "offer": f.CardRequest(kind="offer", order_no=order_no, offer="coupon", amount_cents=2000),
    }[kind]

    typed = await desk.service.send_card(cid, request, "[卡片]")
    assert typed.seq is None and typed.state == "sending" and typed.kind == "card"

    def last_card() -> Any:
        updates = desk.events.of(MessageUpdated, conversation_id=cid)
        mine = [u.message for u in updates if u.message.client_msg_id == typed.client_msg_id]
        if not mine or mine[-1].seq is None or mine[-1].card_json is None:
            return None
        try:
            return msgspec.json.decode(mine[-1].card_json, type=f.Card)
        except msgspec.ValidationError:  # still the request the desk sent, not the relay's card
            return None

    card = await desk.events.until(last_card, "the relay's card")
    assert isinstance(card, built)
    seen = await buyer.next_event(f.Message, timeout=5.0)
    while seen.kind != "card":
        seen = await buyer.next_event(f.Message, timeout=5.0)
    assert seen.card == card and seen.client_msg_id == typed.client_msg_id
    stored = await desk.service.history.message(cid, seen.seq)
    assert stored is not None and msgspec.json.decode(stored.card_json or "", type=f.Card) == card
    assert stored.text == seen.text and stored.text != "[卡片]"
    assert relay.count(typed.client_msg_id) == 1
    bubbles = [m for e in desk.events.of(MessagesAdded, conversation_id=cid) for m in e.messages
               if m.client_msg_id == typed.client_msg_id]
    assert len(bubbles) == 1 and bubbles[0].seq is None


# --- the end of a session -------------------------------------------------------------------


async def test_a_token_revoked_elsewhere_ends_the_session_and_the_link_stops_reconnecting(
    desks, clients, relay: RestartableRelay
) -> None:
    desk = await desks.open("agent1")
    run = [t for t in asyncio.all_tasks() if t.get_name() == "kefu-link"]
    assert len(run) == 1

    await relay_logout(relay.url, desk.token)  # e.g. the agent logged out on another computer

    ended = await desk.events.first(SessionEnded)
    assert ended.reason == "logged out"
    await asyncio.wait_for(run[0], 5.0)  # the reconnect loop has ended, not merely paused
    assert not desk.service.link.online.is_set()
    states = desk.events.of(ConnectionChanged)
    assert states[-1].status == "offline" and states[-1].retry_in is None
    assert [s.status for s in states].count("connecting") == 1  # the first connect, never again
    assert not relay.connections(desk.user_id)
    assert not [c for c in desk.events.of(ConversationChanged) if c.reason == "gone"]
