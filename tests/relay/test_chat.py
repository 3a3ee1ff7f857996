"""Delivery, ordering, idempotency, resume and shop isolation over real WebSockets."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest

from app.errors import RelayError
from tests.conftest import OTHER_SHOP, RunningRelay
from tests.relay.helpers import next_chat, next_of, stored_count
from wire import frames as f

BUYER = "b-jiadian-0001"
OTHER_BUYER = "b-jiadian-0002"


async def test_buyer_message_goes_to_the_assigned_agent_and_supervisors_only(clients) -> None:
    agent1 = await clients("agent1")
    agent2 = await clients("agent2")
    supervisor = await clients("super1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    ack = await buyer.send_text(conv.conversation_id, "你好，油烟机怎么安装？")
    assigned = await next_of(agent1, f.Assignment, reason="auto")
    assert assigned.conversation.conversation_id == conv.conversation_id
    for watcher in (agent1, supervisor):
        msg = await next_chat(watcher)
        assert (msg.conversation_id, msg.seq, msg.text) == (conv.conversation_id, ack.seq, "你好，油烟机怎么安装？")
        assert msg.sender.kind == "buyer" and msg.sender.id == BUYER
    with pytest.raises(TimeoutError):
        await next_chat(agent2, timeout=0.3)


async def test_agent_reply_reaches_the_buyer(clients) -> None:
    agent = await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, "在吗？")
    await next_chat(agent)
    ack = await agent.send_text(conv.conversation_id, "在的，亲，请问有什么可以帮您？")
    msg = await next_chat(buyer)
    assert msg.seq == ack.seq
    assert msg.sender.kind == "agent" and msg.sender.name == "小美"


async def test_automatic_messages_greet_the_buyer_and_name_the_agent(clients) -> None:
    await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, "你好")
    welcome = await next_of(buyer, f.Message, kind="system", event="welcome")
    assert "安居家电" in welcome.text and welcome.sender.kind == "system"
    joined = await next_of(buyer, f.Message, event="agent_joined")
    assert "小美" in joined.text


async def test_messages_keep_their_order_with_dense_sequence(clients) -> None:
    agent = await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    acks = await asyncio.gather(*(buyer.send_text(conv.conversation_id, f"第{i}条") for i in range(50)))
    received = [await next_chat(agent) for _ in range(50)]
    assert [m.text for m in received] == [f"第{i}条" for i in range(50)]
    assert [m.seq for m in received] == sorted(a.seq for a in acks)
    history = await agent.history(conv.conversation_id, limit=200)
    assert [m.seq for m in history.messages] == list(range(1, len(history.messages) + 1))


async def test_same_client_id_twice_stores_one_message_and_same_ack(clients, relay: RunningRelay) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    cid = uuid.uuid4().hex
    first = await buyer.send_text(conv.conversation_id, "重复发送测试", cid)
    second = await buyer.send_text(conv.conversation_id, "重复发送测试", cid)
    assert (second.seq, second.ts, second.duplicate) == (first.seq, first.ts, True)
    assert stored_count(relay, "text") == 1


async def test_client_id_reused_for_other_text_is_a_conflict(clients, relay: RunningRelay) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    cid = uuid.uuid4().hex
    await buyer.send_text(conv.conversation_id, "原文", cid)
    with pytest.raises(RelayError) as err:
        await buyer.send_text(conv.conversation_id, "改过的", cid)
    assert (err.value.code, err.value.reason) == ("conflict", "id_reused")
    assert stored_count(relay, "text") == 1


async def test_reconnect_with_last_seq_receives_exactly_the_gap_then_live(clients) -> None:
    agent = await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    for i in range(3):
        await buyer.send_text(conv.conversation_id, f"早{i}")
    for _ in range(3):
        await next_chat(agent)
    await asyncio.sleep(0.05)  # let the automatic messages arrive too
    while not agent.events.empty():
        agent.events.get_nowait()
    seen = agent.cursors[conv.conversation_id]
    await agent.close()
    acks = [await buyer.send_text(conv.conversation_id, f"离线{i}") for i in range(4)]
    await agent.connect()  # within the grace period: the chat is still this agent's
    gap = [await agent.next_event(f.Message) for _ in range(4)]
    assert [m.seq for m in gap] == [a.seq for a in acks] == list(range(seen + 1, seen + 5))
    assert [m.text for m in gap] == [f"离线{i}" for i in range(4)]
    live_ack = await buyer.send_text(conv.conversation_id, "实时")
    live = await next_chat(agent)
    assert (live.seq, live.text) == (live_ack.seq, "实时")
    await asyncio.sleep(0.05)
    assert not any(isinstance(e, f.Message) for e in list(agent.events._queue))  # type: ignore[attr-defined]


async def test_history_pages_backwards(clients) -> None:
    await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    for i in range(12):
        await buyer.send_text(conv.conversation_id, f"m{i}")
    # The desk's automatic messages (welcome, agent_joined) are stored after the buyer's first one, at
    # their own pace: once agent_joined is in, nothing else is written into the conversation.
    await next_of(buyer, f.Message, event="agent_joined")
    last = (await buyer.history(conv.conversation_id, limit=1)).messages[-1].seq
    page = await buyer.history(conv.conversation_id, limit=5)
    assert [m.seq for m in page.messages] == list(range(last - 4, last + 1)) and page.has_more
    page = await buyer.history(conv.conversation_id, before_seq=3, limit=5)
    assert [m.seq for m in page.messages] == [1, 2] and not page.has_more


async def test_read_receipt_reaches_the_other_side(clients) -> None:
    agent = await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    ack = await buyer.send_text(conv.conversation_id, "看到了吗")
    await next_chat(agent)
    await agent.mark_read(conv.conversation_id, ack.seq)
    receipt = await buyer.next_event(f.Receipt)
    assert (receipt.side, receipt.read_seq) == ("agent", ack.seq)


async def test_other_shops_agent_cannot_read_subscribe_or_write(clients, relay: RunningRelay) -> None:
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, "这是安居家电的私密对话")
    outsider = await clients("cha1", shop=OTHER_SHOP)
    tea_boss = await clients("cha_boss", shop=OTHER_SHOP)
    assert conv.conversation_id not in outsider.conversations
    assert conv.conversation_id not in tea_boss.conversations
    before = stored_count(relay, "text")
    for who in (outsider, tea_boss):
        for attempt in (who.send_text(conv.conversation_id, "插一句"), who.history(conv.conversation_id),
                        who.mark_read(conv.conversation_id, 1)):
            with pytest.raises(RelayError) as err:
                await attempt
            assert err.value.code == "forbidden"
    outsider.cursors[conv.conversation_id] = 0  # try to subscribe by resuming it
    with pytest.raises(RelayError) as err:
        await outsider.connect()
    assert err.value.code == "forbidden"
    assert stored_count(relay, "text") == before
    # And live traffic of shop A never reaches shop B's staff.
    outsider.cursors.clear()
    await outsider.connect()
    await buyer.send_text(conv.conversation_id, "再来一条")
    for who in (outsider, tea_boss):
        with pytest.raises(TimeoutError):
            await who.next_event(f.Message, timeout=0.3)


async def test_agent_cannot_write_into_a_chat_assigned_to_a_colleague(clients, relay: RunningRelay) -> None:
    agent1 = await clients("agent1")
    agent2 = await clients("agent2")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, "你好")
    await next_of(agent1, f.Assignment)
    with pytest.raises(RelayError) as err:
        await agent2.send_text(conv.conversation_id, "我来抢答")
    assert err.value.code == "forbidden"
    assert stored_count(relay, "text") == 1
    page = await agent2.history(conv.conversation_id)  # reading the shop's history is allowed
    assert any(m.text == "你好" for m in page.messages)


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
    assert body["db"]["ok"] is True
    if relay.config.database is None:
        assert body["db"]["engine"] == "sqlite" and body["db"]["journal_mode"] == "wal"
    else:
        assert body["db"]["engine"] == "postgresql"


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
    msg = await next_chat(tea)
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


async def test_an_unexpected_failure_answers_the_request_it_belongs_to(relay: RunningRelay, clients, monkeypatch):
    agent = await clients("agent1")

    async def broken(conn, frame):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setitem(relay.relay.hub._handlers, f.GetContext, broken)
    with pytest.raises(RelayError) as err:
        await asyncio.wait_for(agent.call(f.GetContext, conversation_id=1), 2)  # an answer, not a timeout
    assert err.value.code == "internal"
