"""Routing across relays: one relay leads routing (the routing lease in PostgreSQL); a shop account on
another relay is served by the leader through it, a buyer's requests other than chat are forwarded
to it (relay/tunnel.py, relay/cluster.py). So a chat between a buyer on one relay and an agent on
another works as on one relay, caps and assignments are decided once, SLA events fire once, and
when the leader goes, another relay takes over what was queued."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from typing import Any

import aiohttp
import msgspec
import pytest

from app.client import KefuClient
from app.errors import ConnectionLost, RelayError
from relay.clock import FakeClock
from relay.cluster import LEASE_POLL_S
from tests.conftest import RunningRelay
from tests.relay.helpers import api_get, db_rows, db_value, drain, next_chat, next_of, until
from tests.servers import RedisServer
from wire import figures as w
from wire import frames as f

AGENT1, AGENT2 = "1", "2"


def buyer_with_paid_order(relay: RunningRelay) -> tuple[str, str]:
    row = db_rows(relay, "SELECT buyer_id, order_no FROM orders WHERE shop_id = 1 AND status = 'delivered'"
                         " AND amount_cents >= 10000 ORDER BY order_no LIMIT 1")[0]
    return row[0], row[1]


async def status_until(buyer: KefuClient, conversation_id: int, **match: Any) -> f.QueueStatus:
    while True:
        status = await next_of(buyer, f.QueueStatus, conversation_id=conversation_id)
        if all(getattr(status, k) == v for k, v in match.items()):
            return status


@pytest.mark.parametrize("agents_on", ["follower", "leader"])
async def test_a_buyer_and_an_agent_on_different_relays_chat_as_on_one(cluster_of, on, agents_on: str) -> None:
    """Receipts, queue status, an after-sales offer and its answer, a call's signalling and a transfer,
    with the buyer on one relay and the shop's staff on the other (each way round)."""
    leader, follower = await cluster_of(2)
    staff_on, buyer_on = (follower, leader) if agents_on == "follower" else (leader, follower)
    buyer_id, order_no = buyer_with_paid_order(leader)
    agent1 = await on(staff_on, "agent1")
    buyer = await on(buyer_on, buyer=buyer_id)
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    asked = await buyer.send_text(conv, "我的订单有点问题")

    assignment = await next_of(agent1, f.Assignment)
    assert (assignment.conversation.conversation_id, assignment.conversation.agent_id) == (conv, AGENT1)
    assert (await next_chat(agent1)).seq == asked.seq
    status = await status_until(buyer, conv, position=0)
    assert status.agent_name == "小美"

    # chat and read receipts, both ways
    reply = await agent1.send_text(conv, "您好，我看一下订单")
    assert (await next_chat(buyer)).seq == reply.seq
    await buyer.mark_read(conv, reply.seq)
    receipt = await next_of(agent1, f.Receipt, conversation_id=conv)
    assert (receipt.side, receipt.read_seq) == ("buyer", reply.seq)
    await agent1.mark_read(conv, asked.seq)
    receipt = await next_of(buyer, f.Receipt, conversation_id=conv)
    assert (receipt.side, receipt.read_seq) == ("agent", asked.seq)

    # an after-sales offer, answered by the buyer (a request the leader answers)
    sent = await agent1.call(f.SendCard, conversation_id=conv, client_msg_id=uuid.uuid4().hex,
                             card=f.CardRequest(kind="offer", order_no=order_no, offer="coupon", amount_cents=2000))
    assert isinstance(sent, f.Ack)
    card = (await next_of(buyer, f.Message, kind="card")).card
    assert isinstance(card, f.OfferCard) and card.status == "offered"
    await buyer.call(f.AnswerOffer, conversation_id=conv, case_id=card.case_id, accept=True)
    update = await next_of(agent1, f.CaseUpdate)
    assert (update.case.case_id, update.case.status) == (card.case_id, "accepted")

    # a video call: invitation, the buyer's answer, offer, answer and a candidate relayed
    invited = await agent1.call(f.InviteCall, conversation_id=conv, reason="演示安装步骤")
    assert isinstance(invited, f.CallUpdate) and invited.call.state == "invited"
    call_id = invited.call.call_id
    assert (await next_of(buyer, f.CallUpdate)).call.call_id == call_id
    accepted = await buyer.call(f.AnswerCall, call_id=call_id, decision="accept")
    assert isinstance(accepted, f.CallUpdate) and accepted.call.state == "accepted"
    await agent1.call(f.SignalCall, call_id=call_id, kind="offer", sdp="v=0 offer")
    offer = await next_of(buyer, f.RelayedSignal)
    assert (offer.kind, offer.sdp) == ("offer", "v=0 offer")
    await buyer.call(f.SignalCall, call_id=call_id, kind="answer", sdp="v=0 answer")
    await buyer.call(f.SignalCall, call_id=call_id, kind="candidate",
                     candidate=f.IceCandidate(candidate="candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdp_mid="0",
                                              sdp_mline_index=0))
    answer = await next_of(agent1, f.RelayedSignal)
    candidate = await next_of(agent1, f.RelayedSignal)
    assert answer.kind == "answer" and candidate.candidate.sdp_mid == "0"
    ended = await buyer.call(f.HangUp, call_id=call_id)
    assert isinstance(ended, f.CallUpdate) and ended.call.state == "ended"

    # a transfer to a colleague on the same relay as agent1
    agent2 = await on(staff_on, "agent2")
    await agent1.call(f.Transfer, conversation_id=conv, to_agent=AGENT2, note="阿杰更熟")
    handed = await next_of(agent2, f.Assignment, reason="transfer")
    assert handed.note == "阿杰更熟" and handed.previous_agent_id == AGENT1
    assert (await next_chat(agent2)).seq == asked.seq  # the chat's recent past comes with it
    assert "阿杰" in (await next_of(buyer, f.Message, event="transferred")).text
    with pytest.raises(RelayError) as err:
        await agent1.send_text(conv, "我还想说一句")
    assert err.value.code == "forbidden"
    await agent2.send_text(conv, "我来跟进")
    assert (await next_chat(buyer)).text == "我来跟进"
    joined = db_value(leader, "SELECT COUNT(*) FROM conversation_events WHERE conversation_id = ?"
                      " AND kind IN ('auto', 'exclusive')",
                      (conv,))
    assert joined == 1  # assigned once


async def test_routing_across_relays_keeps_caps_assigns_once_and_fires_sla_once(cluster_of, on) -> None:
    """Small-scale property: agents and buyers spread over two relays, more chats than the agents'
    caps; whatever relay they use, no agent holds more than its cap, each chat is assigned once, and
    the SLA warning and overdue fire once per chat."""
    clock = FakeClock()
    relays = await cluster_of(2, clock=clock)
    agents = {name: await on(relays[i % 2], name) for i, name in enumerate(("agent1", "agent2"))}
    supervisor = await on(relays[1], "super1")
    for agent_id in (AGENT1, AGENT2):
        await supervisor.call(f.SetCap, agent_id=agent_id, cap=2)
    buyers = [await on(relays[i % 2], buyer=f"b-jiadian-{i + 1:04d}") for i in range(6)]
    convs = []
    for i, buyer in enumerate(buyers):
        conv = (await buyer.open_conversation("jiadian")).conversation_id
        await buyer.send_text(conv, f"问题 {i}")
        convs.append(conv)
    holding: dict[str, set[int]] = defaultdict(set)
    assigned: Counter[int] = Counter()

    async def watch(name: str, agent: KefuClient) -> None:
        while True:
            frame = await agent.next_event(f.Assignment, timeout=30)
            agent_id = frame.conversation.agent_id
            if frame.reason in ("auto", "exclusive") and agent_id == (AGENT1 if name == "agent1" else AGENT2):
                holding[name].add(frame.conversation.conversation_id)
                assigned[frame.conversation.conversation_id] += 1
                assert len(holding[name]) <= 2, holding

    watchers = [asyncio.create_task(watch(name, agent)) for name, agent in agents.items()]
    try:
        await until(lambda: sum(assigned.values()) == 4)
        await asyncio.sleep(0.5)  # nothing more may come: both are at their cap
        assert sum(assigned.values()) == 4 and all(n == 1 for n in assigned.values()), assigned
        drain(supervisor)
        clock.advance(100)
        clock.advance(80)
        levels: Counter[tuple[int, str]] = Counter()
        async def count_sla() -> None:
            while sum(levels.values()) < 2 * len(convs):
                sla = await supervisor.next_event(f.Sla, timeout=10)
                levels[sla.conversation_id, sla.level] += 1
        await asyncio.wait_for(count_sla(), 15)
        await asyncio.sleep(0.5)
        levels.update((s.conversation_id, s.level) for s in drain(supervisor) if isinstance(s, f.Sla))
        assert levels == Counter({(c, lvl): 1 for c in convs for lvl in ("warning", "overdue")}), levels
    finally:
        for task in watchers:
            task.cancel()
    events = db_rows(relays[0], "SELECT conversation_id, COUNT(*) FROM conversation_events"
                                " WHERE kind IN ('auto', 'exclusive') GROUP BY conversation_id")
    assert sorted(n for _, n in events) == [1, 1, 1, 1]


async def test_a_tunnelled_agent_resyncs_after_redis_restarts_and_misses_nothing(
        two_relays, on, redis_server: RedisServer) -> None:
    """The bus lost events: the agent served through relay B is disconnected, reconnects and resyncs."""
    a, b = two_relays
    agent = await on(b, "agent1")
    buyer = await on(a, buyer="b-jiadian-0051")
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    first = await buyer.send_text(conv, "在吗")
    await next_of(agent, f.Assignment)
    assert (await next_chat(agent)).seq == first.seq  # the agent has a cursor for it (protocol.md: sync)
    redis_server.kill()
    acked = [await buyer.send_text(conv, f"断线时 {i}") for i in range(3)]
    redis_server.restart()
    await until(lambda: not agent.connected, timeout=20)

    async def reconnect() -> None:  # as the workstation does, as often as it is closed
        while True:
            if not agent.connected:
                try:
                    await agent.connect()
                except (ConnectionLost, RelayError, TimeoutError):  # as app/link.py does
                    pass
            await asyncio.sleep(0.05)

    keeper = asyncio.create_task(reconnect())
    try:
        seen: set[int] = set()
        while not {a.seq for a in acked} <= seen:
            seen.add((await next_chat(agent, timeout=10)).seq)
        await until(lambda: agent.connected and b.relay.cluster.tunnels.outbound)
        more = await buyer.send_text(conv, "恢复了")
        assert (await next_chat(agent)).seq == more.seq
    finally:
        keeper.cancel()


async def test_when_the_leader_stops_another_relay_takes_over_and_nothing_queued_is_lost(cluster_of, on) -> None:
    """Chats wait in the queue (no agent online); the leader stops; relay B takes the lease within
    LEASE_POLL_S plus its load, a buyer writes meanwhile, and the agent who connects to B gets them all."""
    a, b = await cluster_of(2)
    buyers = [await on(b, buyer=f"b-jiadian-{i + 1:04d}") for i in range(3)]
    convs = []
    for i, buyer in enumerate(buyers[:2]):
        conv = (await buyer.open_conversation("jiadian")).conversation_id
        await buyer.send_text(conv, f"排队 {i}")
        convs.append(conv)
    await until(lambda: len(a.relay.desk.open_conversation_ids(1)) == 2)
    cluster_b = b.relay.cluster
    assert cluster_b is not None and not b.relay.desk.leading
    await a.relay.cluster.close()  # the lease is released as when the process dies: the session ends
    started = asyncio.get_running_loop().time()
    late = (await buyers[2].open_conversation("jiadian")).conversation_id
    await buyers[2].send_text(late, "换了服务器之后")
    convs.append(late)
    await until(lambda: b.relay.desk.leading, timeout=10)
    took = asyncio.get_running_loop().time() - started
    assert took < LEASE_POLL_S + 3, took
    agent = await on(b, "agent1")
    got = set()
    while len(got) < 3:
        frame = await next_of(agent, f.Assignment, timeout=10)
        got.add(frame.conversation.conversation_id)
    assert got == set(convs)
    async with aiohttp.ClientSession() as http, http.get(b.url + "/healthz") as resp:
        bus = (await resp.json())["bus"]
    assert bus["leading"] and bus["leader"] == cluster_b.relay_id


async def test_the_supervisors_figures_api_answers_alike_on_every_relay(cluster_of, on) -> None:
    """Behind a load balancer a supervisor's HTTP requests reach any relay: a follower has the leader
    answer them (the live figures and the agents' live state are the leader's)."""
    leader, follower = await cluster_of(2)
    agent = await on(leader, "agent1")
    buyer = await on(follower, buyer="b-jiadian-0061")
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    await buyer.send_text(conv, "能开发票吗")
    await next_of(agent, f.Assignment)
    await agent.send_text(conv, "可以的")
    token = (await on(follower, "super1")).token

    async def get(relay: RunningRelay, path: str, auth: str | None = token) -> tuple[int, bytes]:
        return await api_get(relay, path, auth)

    figures = "/api/supervisor/figures?by=agent"
    for path in (figures, "/api/supervisor/drill?figure=rounds", "/api/supervisor/complaints"):
        there, here = await get(leader, path), await get(follower, path)
        assert there[0] == here[0] == 200, (path, here)
        if path != figures:
            assert here[1] == there[1]
    report = msgspec.json.decode((await get(follower, figures))[1], type=w.FiguresReport)
    one = next(a for a in report.agents if a.agent_id == AGENT1)
    assert (one.connected, one.active) == (True, 1)  # the leader's live state: the follower has no desk
    assert (await get(follower, figures, None))[0] == 401
    assert (await get(follower, figures, "not-a-token"))[0] == 401
    assert (await get(follower, figures + "&shop=chaye"))[0] == 403
    assert (await get(follower, "/api/supervisor/figures?days=9999"))[0] == 400  # the leader's refusal, relayed
