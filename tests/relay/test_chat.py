"""Delivery, ordering, idempotency, resume and shop isolation over real WebSockets."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import aiohttp
import pytest

from app.errors import RelayError
from tests.conftest import OTHER_SHOP, RunningRelay
from wire import frames as f

BUYER = "b-jiadian-0001"
OTHER_BUYER = "b-jiadian-0002"


def stored_count(relay: RunningRelay) -> int:
    with sqlite3.connect(relay.config.db_path) as db:
        return int(db.execute("SELECT COUNT(*) FROM messages").fetchone()[0])


async def test_buyer_message_reaches_every_online_agent_of_the_shop(clients) -> None:
    agent1, agent2 = await clients("agent1"), await clients("agent2")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    announced = await agent1.next_event(f.Conversation)
    assert announced.conversation.buyer_id == BUYER
    ack = await buyer.send_text(conv.conversation_id, "你好，油烟机怎么安装？")
    assert ack.seq == 1 and not ack.duplicate
    for agent in (agent1, agent2):
        msg = await agent.next_event(f.Message)
        assert (msg.conversation_id, msg.seq, msg.text) == (conv.conversation_id, 1, "你好，油烟机怎么安装？")
        assert msg.sender.kind == "buyer" and msg.sender.id == BUYER


async def test_agent_reply_reaches_the_buyer(clients) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    agent = await clients("agent1")
    await buyer.send_text(conv.conversation_id, "在吗？")
    await agent.next_event(f.Message)
    ack = await agent.send_text(conv.conversation_id, "在的，亲，请问有什么可以帮您？")
    msg = await buyer.next_event(f.Message)
    assert msg.seq == ack.seq == 2
    assert msg.sender.kind == "agent" and msg.sender.name == "小美"


async def test_messages_keep_their_order_with_dense_sequence(clients) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    agent = await clients("agent1")
    acks = await asyncio.gather(*(buyer.send_text(conv.conversation_id, f"第{i}条") for i in range(50)))
    assert sorted(a.seq for a in acks) == list(range(1, 51))
    received = [await agent.next_event(f.Message) for _ in range(50)]
    assert [m.seq for m in received] == list(range(1, 51))
    assert [m.text for m in received] == [f"第{i}条" for i in range(50)]


async def test_same_client_id_twice_stores_one_message_and_same_ack(clients, relay: RunningRelay) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    cid = uuid.uuid4().hex
    first = await buyer.send_text(conv.conversation_id, "重复发送测试", cid)
    second = await buyer.send_text(conv.conversation_id, "重复发送测试", cid)
    assert (second.seq, second.ts, second.duplicate) == (first.seq, first.ts, True)
    assert stored_count(relay) == 1


async def test_client_id_reused_for_other_text_is_a_conflict(clients, relay: RunningRelay) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    cid = uuid.uuid4().hex
    await buyer.send_text(conv.conversation_id, "原文", cid)
    with pytest.raises(RelayError) as err:
        await buyer.send_text(conv.conversation_id, "改过的", cid)
    assert err.value.code == "conflict"
    assert stored_count(relay) == 1


async def test_reconnect_with_last_seq_receives_exactly_the_gap_then_live(clients) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    agent = await clients("agent1")
    for i in range(3):
        await buyer.send_text(conv.conversation_id, f"早{i}")
    for _ in range(3):
        await agent.next_event(f.Message)
    await agent.close()
    for i in range(4):
        await buyer.send_text(conv.conversation_id, f"离线{i}")
    assert agent.cursors[conv.conversation_id] == 3
    await agent.connect()
    gap = [await agent.next_event(f.Message) for _ in range(4)]
    assert [m.seq for m in gap] == [4, 5, 6, 7]
    assert [m.text for m in gap] == [f"离线{i}" for i in range(4)]
    await buyer.send_text(conv.conversation_id, "实时")
    live = await agent.next_event(f.Message)
    assert (live.seq, live.text) == (8, "实时")
    assert agent.events.empty()


async def test_history_pages_backwards(clients) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    for i in range(12):
        await buyer.send_text(conv.conversation_id, f"m{i}")
    agent = await clients("agent1")
    page = await agent.history(conv.conversation_id, limit=5)
    assert [m.seq for m in page.messages] == [8, 9, 10, 11, 12] and page.has_more
    page = await agent.history(conv.conversation_id, before_seq=3, limit=5)
    assert [m.seq for m in page.messages] == [1, 2] and not page.has_more


async def test_read_receipt_reaches_the_other_side(clients) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    agent = await clients("agent1")
    ack = await buyer.send_text(conv.conversation_id, "看到了吗")
    await agent.mark_read(conv.conversation_id, ack.seq)
    receipt = await buyer.next_event(f.Receipt)
    assert (receipt.side, receipt.read_seq) == ("agent", ack.seq)


async def test_other_shops_agent_cannot_read_subscribe_or_write(clients, relay: RunningRelay) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, "这是安居家电的私密对话")
    outsider = await clients("cha1", shop=OTHER_SHOP)
    assert conv.conversation_id not in outsider.conversations
    before = stored_count(relay)
    with pytest.raises(RelayError) as err:
        await outsider.send_text(conv.conversation_id, "插一句")
    assert err.value.code == "forbidden"
    with pytest.raises(RelayError) as err:
        await outsider.history(conv.conversation_id)
    assert err.value.code == "forbidden"
    with pytest.raises(RelayError) as err:
        await outsider.mark_read(conv.conversation_id, 1)
    assert err.value.code == "forbidden"
    outsider.cursors[conv.conversation_id] = 0  # try to subscribe by resuming it
    with pytest.raises(RelayError) as err:
        await outsider.connect()
    assert err.value.code == "forbidden"
    assert stored_count(relay) == before
    # And live traffic of shop A never reaches shop B's agent.
    outsider.cursors.clear()
    await outsider.connect()
    await buyer.send_text(conv.conversation_id, "再来一条")
    with pytest.raises(TimeoutError):
        await outsider.next_event(f.Message, timeout=0.3)


async def test_buyer_cannot_touch_another_buyers_conversation(clients) -> None:
    owner = await clients(buyer=BUYER)
    conv = await owner.open_conversation("jiadian")
    intruder = await clients(buyer=OTHER_BUYER)
    with pytest.raises(RelayError) as err:
        await intruder.send_text(conv.conversation_id, "hi")
    assert err.value.code == "forbidden"


async def test_agent_cannot_open_conversations(clients) -> None:
    agent = await clients("agent1")
    with pytest.raises(RelayError) as err:
        await agent.open_conversation("jiadian")
    assert err.value.code == "forbidden"


async def test_whitespace_only_text_is_refused(clients, relay: RunningRelay) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    with pytest.raises(RelayError) as err:
        await buyer.send_text(conv.conversation_id, "   \n ")
    assert err.value.code == "invalid_field"
    assert stored_count(relay) == 0


async def test_healthz_reports_status_version_and_database(relay: RunningRelay) -> None:
    async with aiohttp.ClientSession() as http, http.get(relay.url + "/healthz") as resp:
        body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "ok" and body["version"]
    assert body["db"]["ok"] is True and body["db"]["journal_mode"] == "wal"


async def test_shops_are_listed_for_the_buyer_page(relay: RunningRelay) -> None:
    async with aiohttp.ClientSession() as http, http.get(relay.url + "/api/shops") as resp:
        slugs = {s["slug"] for s in await resp.json()}
    assert {"jiadian", "chaye"} <= slugs


async def test_a_buyer_talks_to_two_shops_separately(clients) -> None:
    buyer = await clients(buyer=BUYER)
    a = await buyer.open_conversation("jiadian")
    b = await buyer.open_conversation("chaye")
    assert a.conversation_id != b.conversation_id
    tea = await clients("cha1", shop=OTHER_SHOP)
    await buyer.send_text(b.conversation_id, "有明前龙井吗")
    msg = await tea.next_event(f.Message)
    assert msg.conversation_id == b.conversation_id


async def test_reopening_returns_the_same_conversation(clients) -> None:
    buyer = await clients(buyer=BUYER)
    first = await buyer.open_conversation("jiadian")
    again = await buyer.open_conversation("jiadian")
    assert first.conversation_id == again.conversation_id


async def test_open_unknown_shop_is_not_found(clients) -> None:
    buyer = await clients(buyer=BUYER)
    with pytest.raises(RelayError) as err:
        await buyer.open_conversation("no-such-shop")
    assert err.value.code == "not_found"


