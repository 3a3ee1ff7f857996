"""Two relays on one PostgreSQL and one Redis: what one relay's clients do reaches the other's live,
in seq order and once, and survives Redis restarting (relay/cluster.py, relay/bus.py).

Relay A starts first and leads routing; B follows: a shop account on B is served by A through B
(relay/tunnel.py, tests/relay/test_cluster_routing.py), while a buyer on B is served by B itself.
The buyer's devices on B are what these tests watch across relays."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
from redis.asyncio import Redis

from app.client import KefuClient
from relay.bus import _id
from relay.cluster import PEER_SILENT_S
from tests.conftest import RunningRelay
from tests.relay.helpers import db_rows, drain, next_chat, next_of, until
from tests.servers import RedisServer
from wire import frames as f

BUYER = "b-jiadian-0051"
Clients = Callable[..., Any]


async def messages_of(client: KefuClient, conversation_id: int, count: int, timeout: float = 10.0) -> list[f.Message]:
    """The next `count` message frames of a conversation the client is pushed (other frames skipped)."""
    got = []
    while len(got) < count:
        frame = await client.next_event(f.Message, timeout=timeout)
        if frame.conversation_id == conversation_id:
            got.append(frame)
    return got


def stored_seqs(relay: RunningRelay, conversation_id: int) -> list[int]:
    return [r[0] for r in db_rows(relay, "SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq",
                                  (conversation_id,))]


async def chat_on(relay: RunningRelay, on: Callable[..., Any]) -> tuple[KefuClient, KefuClient, int]:
    """The buyer wrote on `relay` and agent1 (online there, the only agent) holds the chat."""
    agent = await on(relay, "agent1")
    buyer = await on(relay, buyer=BUYER)
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    await buyer.send_text(conv, "空调外机能装阳台吗？")
    await next_of(agent, f.Assignment)
    await next_chat(agent)
    return agent, buyer, conv


async def watched_from_b(a: RunningRelay, b: RunningRelay, on: Callable[..., Any]
                         ) -> tuple[KefuClient, KefuClient, int]:
    """`chat_on(a)`, with the buyer's phone on relay B, pushed the chat up to the agent's first reply."""
    agent, _, conv = await chat_on(a, on)
    phone = await on(b, buyer=BUYER)
    first = await agent.send_text(conv, "先看一下型号")
    while (await messages_of(phone, conv, 1))[-1].seq != first.seq:
        pass
    return phone, agent, conv


async def test_a_supervisor_on_the_other_relay_sees_the_chat_live_in_order_and_once(two_relays, on) -> None:
    a, b = two_relays
    supervisor = await on(b, "super1")
    agent, buyer, conv = await chat_on(a, on)
    drain(supervisor)
    # Both sides write at once: 20 each, interleaved by the relay's store.
    await asyncio.gather(*(buyer.send_text(conv, f"买家 {i}") for i in range(20)),
                         *(agent.send_text(conv, f"客服 {i}") for i in range(20)))
    seen: list[f.Message] = []
    while len([m for m in seen if m.kind == "text"]) < 40:
        seen += await messages_of(supervisor, conv, 1)
    seqs = [m.seq for m in seen]
    assert seqs == list(range(seqs[0], seqs[-1] + 1)), seqs  # in order, each once, none missing
    assert seqs == [s for s in stored_seqs(a, conv) if s >= seqs[0]]
    assert sorted(m.text for m in seen if m.kind == "text") == sorted(
        [f"买家 {i}" for i in range(20)] + [f"客服 {i}" for i in range(20)])
    # The agent's read receipt and the shop's routing frames cross too.
    await agent.mark_read(conv, seqs[-1])
    receipt = await next_of(supervisor, f.Receipt, conversation_id=conv)
    assert (receipt.side, receipt.read_seq) == ("agent", seqs[-1])
    await agent.call(f.Resolve, conversation_id=conv)
    resolved = await next_of(supervisor, f.Assignment, reason="resolved")
    assert resolved.conversation.conversation_id == conv
    await asyncio.sleep(0.3)
    assert not [m for m in drain(supervisor) if isinstance(m, f.Message) and m.seq in seqs]  # nothing twice


async def test_the_buyers_other_device_on_the_other_relay_gets_the_agents_reply_and_the_receipt(
        two_relays, on) -> None:
    a, b = two_relays
    agent, _buyer, conv = await chat_on(a, on)
    phone = await on(b, buyer=BUYER)  # the same buyer, on relay B
    assert conv in phone.conversations
    drain(phone)
    ack = await agent.send_text(conv, "可以的，需要预留 60 厘米")
    reply = await next_chat(phone)
    assert (reply.seq, reply.text, reply.sender.kind) == (ack.seq, "可以的，需要预留 60 厘米", "agent")
    await agent.mark_read(conv, ack.seq - 1)
    receipt = await next_of(phone, f.Receipt, conversation_id=conv)
    assert (receipt.side, receipt.read_seq) == ("agent", ack.seq - 1)


async def test_redis_restarted_mid_chat_loses_nothing_and_the_buyers_phone_on_the_other_relay_sees_no_gap(
        two_relays, on, redis_server: RedisServer) -> None:
    a, b = two_relays
    phone, agent, conv = await watched_from_b(a, b, on)
    drain(phone)

    redis_server.kill()
    acked = [await agent.send_text(conv, f"断线时 {i}") for i in range(5)]  # acked: stored in PostgreSQL
    async with aiohttp.ClientSession() as http, http.get(b.url + "/readyz") as resp:
        body = await resp.json()
    assert body["checks"]["redis"].startswith("unavailable"), body
    assert resp.status == 200  # its own clients still work: it stays in rotation
    redis_server.restart()

    caught_up = await messages_of(phone, conv, 5, timeout=20)
    assert [m.seq for m in caught_up] == [x.seq for x in acked]
    assert [m.text for m in caught_up] == [f"断线时 {i}" for i in range(5)]
    after = await agent.send_text(conv, "恢复了")
    live = await messages_of(phone, conv, 1)
    assert live[0].seq == after.seq == acked[-1].seq + 1
    await asyncio.sleep(0.5)  # the events A kept while Redis was down arrive too: dropped as seen
    assert not [m for m in drain(phone) if isinstance(m, f.Message)]
    await until(lambda: b.relay.cluster.bus.connected)
    assert b.relay.cluster.bus.gaps >= 1


async def test_a_message_that_skips_seqs_brings_the_ones_between_first(relay: RunningRelay, clients: Clients) -> None:
    """A relay's message of a conversation arrives before another relay's earlier one (or that one was
    lost with Redis): the connection is sent the ones between from the store, then the new one."""
    supervisor = await clients("super1")
    agent = await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    await buyer.send_text(conv, "第一条")
    await next_of(agent, f.Assignment)
    await next_chat(supervisor)
    await asyncio.sleep(0.2)
    drain(supervisor)
    # Stored as another relay would: committed, not published here.
    store = relay.relay.store
    now = relay.clock.now_ms()
    elsewhere = [await store.append_message(conv, "buyer", BUYER, "买家", f"other-{i}", f"别处 {i}", now)
                 for i in range(3)]
    ack = await buyer.send_text(conv, "这里")
    got = await messages_of(supervisor, conv, 4)
    assert [m.seq for m in got] == [*(r.message.seq for r in elsewhere), ack.seq]
    assert [m.text for m in got] == ["别处 0", "别处 1", "别处 2", "这里"]


async def test_events_redis_lost_are_caught_up_from_the_database(two_relays, on, redis_server: RedisServer) -> None:
    """Relay A's events were in the stream but relay B had not handed them on when Redis died (and
    came back empty): B sends its connections what the database has past their cursors."""
    a, b = two_relays
    phone, agent, conv = await watched_from_b(a, b, on)
    bus_a, bus_b = a.relay.cluster.bus, b.relay.cluster.bus
    deliver = bus_b.on_event
    bus_b.on_event = lambda kind, payload: None  # B reads them but they go nowhere: lost with Redis
    acked = [await agent.send_text(conv, f"丢失的 {i}") for i in range(5)]
    assert await bus_a.flush(5)
    # B has read the stream up to A's last entry. (Counting events instead races: B may read a batch
    # before A's XADD returns and A counts it as published.)
    redis = Redis.from_url(redis_server.url)
    try:
        newest = (await redis.xrevrange(bus_a.stream, count=1))[0][0]
    finally:
        await redis.aclose()
    await until(lambda: bus_b._last_id is not None and _id(bus_b._last_id) >= _id(newest))
    redis_server.kill()
    bus_b.on_event = deliver
    redis_server.restart()
    caught_up = await messages_of(phone, conv, 5, timeout=20)
    assert [m.seq for m in caught_up] == [x.seq for x in acked]
    await until(lambda: b.relay.cluster.bus.gaps >= 1)  # (A's silence while B dropped all may come first)


async def test_a_relay_that_shuts_down_publishes_what_it_holds_and_is_forgotten_without_a_catch_up(
        two_relays, on) -> None:
    a, b = two_relays
    phone, agent, conv = await watched_from_b(a, b, on)
    cluster_a, cluster_b = a.relay.cluster, b.relay.cluster
    await until(lambda: cluster_a.relay_id in cluster_b.peers)
    gaps = cluster_b.bus.gaps
    last = await agent.send_text(conv, "今天先到这里")
    await cluster_a.close()  # at once: the message may still be on A's queue for the stream
    started = asyncio.get_running_loop().time()
    got = await messages_of(phone, conv, 1)
    assert (got[0].seq, got[0].text) == (last.seq, "今天先到这里")
    await until(lambda: cluster_a.relay_id not in cluster_b.peers)
    assert asyncio.get_running_loop().time() - started < PEER_SILENT_S  # it said it left: no waiting for silence
    assert cluster_b.bus.gaps == gaps


async def test_a_relay_that_dies_with_unpublished_events_is_caught_up_after_it_goes_silent(two_relays, on) -> None:
    """Relay A stored a message but died before putting it on the stream, and nothing follows it in
    the conversation: once A has been silent for PEER_SILENT_S, B catches its connections up."""
    a, b = two_relays
    phone, agent, conv = await watched_from_b(a, b, on)
    cluster_a = a.relay.cluster
    await until(lambda: cluster_a.relay_id in b.relay.cluster.peers)
    cluster_a._tasks[0].cancel()  # A "dies": no more heartbeats, and what it stores is not published
    cluster_a.bus.publish = lambda kind, payload: None
    last = await agent.send_text(conv, "最后一条")
    started = asyncio.get_running_loop().time()
    got = await messages_of(phone, conv, 1, timeout=PEER_SILENT_S + 5)
    assert (got[0].seq, got[0].text) == (last.seq, "最后一条")
    assert asyncio.get_running_loop().time() - started > 1.0  # it came by the catch-up, not live
    assert cluster_a.relay_id not in b.relay.cluster.peers
