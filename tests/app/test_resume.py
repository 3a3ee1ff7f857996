"""Resume: after a dropped link or a relay restart the desk reconnects by itself and its local history
has every message once, in order, without gaps; a chat handed over with a long past is paged back
from the relay to its first message."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.client import KefuClient, login
from app.errors import ConnectionLost
from app.events import Attention, ConnectionChanged
from tests.app.helpers import Desk, RestartableRelay, assigned_chat
from tests.conftest import DEMO_PASSWORD
from tests.relay.helpers import next_of
from wire import frames as f

BUYER = "b-jiadian-0007"
MEANWHILE = ["你好？", "怎么没人回了", "我的订单还没发货"]


def statuses(desk: Desk, since: int = 0) -> list[str]:
    return [e.status for e in desk.events.of(ConnectionChanged)[since:]]


async def assert_history_matches_the_relay(desk: Desk, relay: RestartableRelay, cid: int) -> None:
    """The local history holds exactly the relay's messages of the conversation, in order; every
    message the desk announced, it announced once."""
    expected = [(seq, cmid) for seq, cmid, _, _ in relay.messages(cid)]
    last = expected[-1][0]
    assert await desk.service.history.seqs_missing(cid, 1, last) == []
    local = await desk.service.history.page(cid, None, 500)
    assert [(m.seq, m.client_msg_id) for m in local] == expected
    announced = [m.seq for m in desk.events.added(cid)]
    assert len(announced) == len(set(announced)), "a message announced twice"


async def test_after_a_dropped_link_the_desk_reconnects_and_gets_what_the_buyer_wrote_meanwhile(
    desks, clients, relay: RestartableRelay
) -> None:
    desk = await desks.open("agent1")
    buyer, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    assert statuses(desk) == ["connecting", "online"]
    before = len(desk.events.of(ConnectionChanged))

    gate = relay.hold_handshakes(desk.token)  # the desk comes back only when the test says so
    assert relay.drop(desk.user_id) == 1
    await desk.events.until(lambda: statuses(desk, before) == ["offline", "connecting"], "a reconnect attempt")
    acks = [await buyer.send_text(cid, text) for text in MEANWHILE]  # the relay is up, the desk is away
    gate.set()

    await desk.events.until(lambda: {a.seq for a in acks} <= {m.seq for m in desk.events.added(cid)}
                            and desk.service.connection.status == "online", "the three messages on the desk")
    assert statuses(desk) == ["connecting", "online", "offline", "connecting", "online"]
    assert [m.text for m in desk.events.added(cid) if m.sender_kind == "buyer"] == ["在吗", *MEANWHILE]
    await assert_history_matches_the_relay(desk, relay, cid)
    assert [m.seq for m in desk.events.added(cid)] == [seq for seq, _, _, _ in relay.messages(cid)]
    assert desk.view(cid).unread == 4


async def test_after_a_relay_restart_the_desk_reconnects_and_gets_what_the_buyer_wrote_meanwhile(
    desks, clients, relay: RestartableRelay
) -> None:
    desk = await desks.open("agent1")
    _, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    before = len(desk.events.of(ConnectionChanged))

    await relay.stop()
    await desk.events.until(lambda: "offline" in statuses(desk, before), "the desk to notice")
    gate = relay.hold_handshakes(desk.token)
    await relay.start()  # same port, same data dir
    buyer = await clients(buyer=BUYER)
    acks = [await buyer.send_text(cid, text) for text in MEANWHILE]
    gate.set()

    await desk.events.until(lambda: {a.seq for a in acks} <= {m.seq for m in desk.events.added(cid)}
                            and desk.service.connection.status == "online", "the three messages on the desk")
    seen = statuses(desk)
    assert seen[:3] == ["connecting", "online", "offline"] and seen[-2:] == ["connecting", "online"]
    # while the relay was down: attempts that failed, each followed by a pause
    assert seen[3:-2] == ["connecting", "offline"] * ((len(seen) - 5) // 2)
    await assert_history_matches_the_relay(desk, relay, cid)
    assert [m.seq for m in desk.events.added(cid)] == [seq for seq, _, _, _ in relay.messages(cid)]


async def test_a_chat_handed_over_with_a_long_past_shows_its_recent_window_and_pages_back_to_seq_1(
    desks, clients, relay: RestartableRelay
) -> None:
    colleague = await clients("agent2")
    buyer = await clients(buyer=BUYER)
    cid = (await buyer.open_conversation("jiadian")).conversation_id
    for i in range(120):
        await buyer.send_text(cid, f"第{i + 1}个问题")
    await next_of(colleague, f.Assignment, timeout=5.0)
    await colleague.send_text(cid, "您好，我来看看")  # answered: the hand-over window is the last 50
    await next_of(colleague, f.Sla, level="cleared")
    desk = await desks.open("agent1")
    last = relay.messages(cid)[-1][0]

    await colleague.call(f.Transfer, conversation_id=cid, to_agent=desk.user_id, note="老顾客，问题很多")
    await desk.events.until(lambda: any(m.event == "transferred" for m in desk.events.added(cid)),
                            "the hand-over")
    first_shown = last - 49
    assert [m.seq for m in desk.events.added(cid)] == [*range(first_shown, last + 1), last + 1]
    assert await desk.service.history.seqs_missing(cid, 1, last) == list(range(1, first_shown))
    assert [(a.kind, a.conversation_id) for a in desk.events.of(Attention)] == [("new_chat", cid)]
    assert desk.view(cid).note == "老顾客，问题很多"

    shown = await desk.service.page(cid)
    assert [m.seq for m in shown] == list(range(last + 2 - 50, last + 2))
    pages = 0
    while shown[0].seq != 1:
        older = await desk.service.page(cid, before_seq=shown[0].seq)
        assert older and older[-1].seq == shown[0].seq - 1, "each page ends where the shown part begins"
        shown = older + shown
        pages += 1
    assert pages == 2  # 25-74 and 1-24, fetched from the relay
    assert [m.seq for m in shown] == list(range(1, last + 2))
    assert [m.text for m in shown if m.sender_kind == "buyer"] == [f"第{i + 1}个问题" for i in range(120)]
    await assert_history_matches_the_relay(desk, relay, cid)


def pause_hand_over(
    relay: RestartableRelay, monkeypatch: Any, conversation_id: int
) -> tuple[asyncio.Event, asyncio.Event]:
    """Stop the relay in the middle of handing this conversation to an agent, while the agent's
    connections hold their live messages: (reached, release)."""
    store = relay.relay.store
    record_event = store.record_event
    reached, release = asyncio.Event(), asyncio.Event()

    async def paused(cid: int, *args: Any, **kwargs: Any) -> None:
        if cid == conversation_id:
            reached.set()
            await release.wait()
        await record_event(cid, *args, **kwargs)

    monkeypatch.setattr(store, "record_event", paused)
    return reached, release


async def held_message_and_acked_reply(desk: Desk, clients: Any, relay: RestartableRelay,
                                       monkeypatch: Any) -> tuple[KefuClient, int, int, int, asyncio.Event]:
    """Chat A is on the desk; chat B is being handed to it (paused); the buyer of A writes (held for
    the desk), then the desk replies in A (the ack is not held: it overtakes the held message).
    Returns (buyer of A, A, B, the held seq, the release of the hand-over)."""
    first, a = await assigned_chat(desk, clients, BUYER, "在吗")
    second = await clients(buyer="b-jiadian-0011")
    b = (await second.open_conversation("jiadian")).conversation_id
    reached, release = pause_hand_over(relay, monkeypatch, b)
    await second.send_text(b, "我也有个问题")
    await asyncio.wait_for(reached.wait(), 5)
    held = await first.send_text(a, "还有一个问题")
    reply = await desk.service.send_text(a, "您说")
    sent = await desk.events.stored(reply.client_msg_id)
    assert sent.seq == held.seq + 1
    return first, a, b, held.seq, release


async def test_a_buyer_message_held_during_another_hand_over_reaches_the_desk_after_my_reply_is_acked(
    desks, clients, relay: RestartableRelay, monkeypatch
) -> None:
    desk = await desks.open("agent1")
    _, a, b, held, release = await held_message_and_acked_reply(desk, clients, relay, monkeypatch)
    release.set()
    await desk.events.until(lambda: any(m.event == "agent_joined" for m in desk.events.added(b)),
                            "chat B handed over")  # frames arrive in order: the held one came before

    assert held in [m.seq for m in desk.events.added(a)], "the held buyer message never reached the desk"
    await assert_history_matches_the_relay(desk, relay, a)


async def test_a_buyer_message_held_when_the_link_drops_during_a_hand_over_comes_with_the_resume(
    desks, clients, relay: RestartableRelay, monkeypatch
) -> None:
    desk = await desks.open("agent1")
    buyer, a, _, held, release = await held_message_and_acked_reply(desk, clients, relay, monkeypatch)
    mark = desk.events.mark()
    relay.drop(desk.user_id)  # the held message goes with the connection; only the resume can bring it
    await desk.events.first(ConnectionChanged, status="offline", since=mark)
    release.set()
    await desk.events.first(ConnectionChanged, status="online", since=mark)
    later = await buyer.send_text(a, "在吗在吗")
    await desk.events.until(lambda: later.seq in [m.seq for m in desk.events.added(a)], "the next message")

    assert held in [m.seq for m in desk.events.added(a)], "resumed after my reply's seq: the held one is lost"
    await assert_history_matches_the_relay(desk, relay, a)


async def test_a_handshake_the_relay_never_answers_fails_within_the_request_timeout(relay: RestartableRelay) -> None:
    """A stalled network during the upgrade (tests/chaos: the proxy swallows new connections) is a lost
    connection, so the reconnect loop tries again; it used to wait for aiohttp's 5-minute default."""
    token = (await login(relay.url, "jiadian", "agent1", DEMO_PASSWORD)).token
    gate = relay.hold_handshakes(token)
    client = KefuClient(relay.url, token, request_timeout=0.5)
    try:
        with pytest.raises(ConnectionLost):
            async with asyncio.timeout(10):
                await client.connect()
        gate.set()
        await client.connect()  # the next attempt gets through
    finally:
        gate.set()
        await client.close()
