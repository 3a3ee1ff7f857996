"""Service rules on the relay, on a fake clock: SLA, exclusive agent, grace, transfer, auto-close."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.client import KefuClient
from app.errors import RelayError
from relay.clock import FakeClock
from tests.conftest import OTHER_SHOP, RunningRelay
from tests.relay.helpers import db_one, db_rows, db_value, drain, next_chat, next_of, stored_count
from wire import frames as f

AGENT1, AGENT2 = "1", "2"  # account ids of agent1 and agent2 in the demo shop


async def settle() -> None:
    """Let the relay finish the work a frame or a timer started."""
    for _ in range(20):
        await asyncio.sleep(0.01)



def stored_state(relay: RunningRelay, conversation_id: int) -> tuple[tuple[str, int | None], list[tuple[Any, ...]]]:
    """The conversation's (status, agent) and its recorded routing events, straight from the database."""
    row = db_one(relay, "SELECT status, agent_id FROM conversations WHERE id = ?", (conversation_id,))
    assert row is not None
    events = db_rows(relay, "SELECT kind, from_agent, to_agent, note FROM conversation_events"
                            " WHERE conversation_id = ? ORDER BY id", (conversation_id,))
    return (row[0], row[1]), events


async def buyer_asks(clients: Any, buyer_id: str, text: str = "你好，请问在吗？") -> tuple[KefuClient, int]:
    buyer = await clients(buyer=buyer_id)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, text)
    return buyer, conv.conversation_id


async def test_sla_warning_at_100_s_and_overdue_at_180_s_to_agent_and_supervisor(clients, fake_clock: FakeClock):
    agent = await clients("agent1")
    supervisor = await clients("super1")
    _, conv = await buyer_asks(clients, "b-jiadian-0001")
    await next_of(agent, f.Assignment)
    await settle()
    fake_clock.advance(99.9)
    await settle()
    assert not any(isinstance(e, f.Sla) for e in list(agent.events._queue))  # type: ignore[attr-defined]
    fake_clock.advance(0.1)
    for who in (agent, supervisor):
        sla = await next_of(who, f.Sla, conversation_id=conv)
        assert sla.level == "warning" and sla.agent_id == AGENT1
    fake_clock.advance(80)
    for who in (agent, supervisor):
        assert (await next_of(who, f.Sla, conversation_id=conv)).level == "overdue"


async def test_automatic_messages_do_not_stop_the_sla_clock_but_a_human_reply_does(
    clients, fake_clock: FakeClock, relay: RunningRelay
):
    agent = await clients("agent1")
    _, conv = await buyer_asks(clients, "b-jiadian-0001")
    await next_of(agent, f.Message, event="agent_joined")  # welcome and agent_joined are automatic
    fake_clock.advance(100)
    assert (await next_of(agent, f.Sla)).level == "warning"
    fake_clock.advance(20)
    await agent.send_text(conv, "亲，久等了，油烟机的安装我来为您说明～")
    assert (await next_of(agent, f.Sla)).level == "cleared"
    fake_clock.advance(200)
    await settle()
    assert not any(isinstance(e, f.Sla) for e in list(agent.events._queue))  # type: ignore[attr-defined]
    (buyer_at, reply_at, agent_id), = db_rows(
        relay, "SELECT buyer_at, reply_at, agent_id FROM reply_rounds WHERE conversation_id = ?", (conv,))
    assert reply_at - buyer_at == 120_000 and agent_id == 1


async def test_returning_buyer_waits_for_their_agent_then_falls_back_after_60_s(
    clients, fake_clock: FakeClock
):
    agent1 = await clients("agent1")
    supervisor = await clients("super1")
    buyer, conv = await buyer_asks(clients, "b-jiadian-0005")
    await next_of(agent1, f.Assignment, reason="auto")
    await agent1.send_text(conv, "您好，我是小美")
    await agent1.call(f.Resolve, conversation_id=conv)
    await supervisor.call(f.SetCap, agent_id=AGENT1, cap=1)
    await buyer_asks(clients, "b-jiadian-0006")  # fills agent1's only slot
    agent2 = await clients("agent2")
    await settle()
    everyone = (buyer, agent1, agent2, supervisor)
    for who in everyone:
        drain(who)
    back = await buyer.send_text(conv, "我又来了，上次的问题还想再问问")
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv)
    assert status.reason == "waiting_for_your_agent" and status.position == 1
    fake_clock.advance(59)
    await settle()
    # Still waiting for agent1 (full): the chat is queued, reserved for them, and given to nobody.
    seen = {who: drain(who) for who in everyone}
    for who, frames in seen.items():
        assert not [e for e in frames if isinstance(e, f.Assignment)], f"assignment sent to {who.session}"
    assert not [e for e in seen[buyer] if isinstance(e, f.QueueStatus) and e.position == 0]
    snapshots = [e for e in seen[supervisor] if isinstance(e, f.QueueSnapshot)]
    assert [(e.conversation_id, e.position, e.reserved_for) for e in snapshots[-1].entries] == [(conv, 1, AGENT1)]
    assert [m.event for m in (await buyer.history(conv)).messages if m.seq > back.seq] == ["welcome"]
    fake_clock.advance(1)
    handed = await next_of(agent2, f.Assignment, reason="auto")
    assert handed.conversation.conversation_id == conv and handed.conversation.agent_id == AGENT2
    assert (await next_of(agent2, f.Message, seq=back.seq)).text == "我又来了，上次的问题还想再问问"
    assert "阿杰" in (await next_of(buyer, f.Message, event="agent_joined")).text
    assert (await next_of(buyer, f.QueueStatus, conversation_id=conv, position=0)).agent_name == "阿杰"
    await settle()
    assert not [e for e in drain(agent1) if isinstance(e, f.Assignment)]  # agent1 is still full: not theirs
    assert [m.event for m in (await buyer.history(conv)).messages if m.seq > back.seq] == ["welcome", "agent_joined"]


async def _returning_buyer_waiting_for_full_agent1(
    clients: Any, buyer_id: str, other_buyer_id: str, *, agent2_online: bool,
) -> tuple[KefuClient, int, KefuClient, KefuClient, KefuClient | None]:
    """agent1 served `buyer_id` and is now full (cap 1); the buyer writes again and waits for agent1."""
    agent1 = await clients("agent1")
    supervisor = await clients("super1")
    buyer, conv = await buyer_asks(clients, buyer_id)
    await next_of(agent1, f.Assignment, reason="auto")
    await agent1.send_text(conv, "您好，我是小美")
    await agent1.call(f.Resolve, conversation_id=conv)
    await supervisor.call(f.SetCap, agent_id=AGENT1, cap=1)
    await buyer_asks(clients, other_buyer_id)  # fills agent1's only slot
    agent2 = await clients("agent2") if agent2_online else None
    await settle()
    for who in (buyer, agent1, supervisor, agent2):
        if who is not None:
            drain(who)
    await buyer.send_text(conv, "我又来了，上次的问题还想再问问")
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv)
    assert status.reason == "waiting_for_your_agent" and status.position == 1
    await settle()
    return buyer, conv, agent1, supervisor, agent2


async def test_returning_buyer_is_not_told_to_wait_for_their_agent_while_that_agent_is_disconnected(
    clients, fake_clock: FakeClock
):
    """'When the 60 s are over, or the agent disconnects, normal rules apply' (docs/routing.md): the
    buyer's status changes the moment the agent goes, and comes back if they return within the 60 s."""
    buyer, conv, agent1, supervisor, _ = await _returning_buyer_waiting_for_full_agent1(
        clients, "b-jiadian-0031", "b-jiadian-0032", agent2_online=False)
    drain(supervisor)
    fake_clock.advance(10)
    await agent1.close()
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv)
    assert (status.position, status.reason, status.estimated_wait_s) == (1, "no_agent_online", None)
    await settle()
    snapshots = [e for e in drain(supervisor) if isinstance(e, f.QueueSnapshot)]
    assert [(e.conversation_id, e.reserved_for) for e in snapshots[-1].entries] == [(conv, None)]
    fake_clock.advance(20)
    await agent1.connect()  # back within the 60 s (and the grace), still full: the chat waits for them again
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv)
    assert (status.position, status.reason) == (1, "waiting_for_your_agent")
    await settle()
    snapshots = [e for e in drain(supervisor) if isinstance(e, f.QueueSnapshot)]
    assert [(e.conversation_id, e.reserved_for) for e in snapshots[-1].entries] == [(conv, AGENT1)]
    fake_clock.advance(30)  # 60 s since the buyer came back: normal rules
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv)
    assert (status.position, status.reason) == (1, "all_busy")
    await settle()
    assert not [e for e in drain(agent1) if isinstance(e, f.Assignment)]


async def test_returning_buyer_goes_to_another_agent_at_once_when_their_agent_disconnects(
    clients, fake_clock: FakeClock
):
    buyer, conv, agent1, supervisor, agent2 = await _returning_buyer_waiting_for_full_agent1(
        clients, "b-jiadian-0033", "b-jiadian-0034", agent2_online=True)
    assert agent2 is not None
    fake_clock.advance(10)
    await agent1.close()
    handed = await next_of(agent2, f.Assignment, reason="auto")
    assert handed.conversation.conversation_id == conv and handed.conversation.agent_id == AGENT2
    assert "阿杰" in (await next_of(buyer, f.Message, event="agent_joined")).text
    assert (await next_of(buyer, f.QueueStatus, conversation_id=conv, position=0)).agent_name == "阿杰"
    await settle()
    snapshots = [e for e in drain(supervisor) if isinstance(e, f.QueueSnapshot)]
    assert snapshots and snapshots[-1].entries == []  # nothing left waiting, for agent1 or anybody


async def test_returning_buyer_goes_to_their_agent_when_a_slot_frees_up(clients, fake_clock: FakeClock):
    agent1 = await clients("agent1")
    supervisor = await clients("super1")
    buyer, conv = await buyer_asks(clients, "b-jiadian-0007")
    await next_of(agent1, f.Assignment)
    await agent1.send_text(conv, "您好")
    await agent1.call(f.Resolve, conversation_id=conv)
    await supervisor.call(f.SetCap, agent_id=AGENT1, cap=1)
    _, other = await buyer_asks(clients, "b-jiadian-0008")
    await next_of(agent1, f.Assignment, reason="auto")
    await clients("agent2")
    await buyer.send_text(conv, "还是找小美")
    fake_clock.advance(30)
    await agent1.call(f.Resolve, conversation_id=other)
    handed = await next_of(agent1, f.Assignment, reason="exclusive")
    assert handed.conversation.conversation_id == conv


async def test_disconnected_agent_keeps_chats_for_60_s_then_they_go_to_the_head_of_the_queue(
    clients, fake_clock: FakeClock
):
    agent1 = await clients("agent1")
    buyer, conv = await buyer_asks(clients, "b-jiadian-0010")
    await next_of(agent1, f.Assignment)
    await agent1.close()
    await settle()
    fake_clock.advance(59)
    await settle()
    await agent1.connect()  # back within the grace period: nothing moved
    assert agent1.conversations[conv].agent_id == AGENT1
    await agent1.close()
    await settle()
    fake_clock.advance(60)
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv, position=1)
    assert status.reason == "no_agent_online"
    agent2 = await clients("agent2")
    handed = await next_of(agent2, f.Assignment)
    assert handed.conversation.conversation_id == conv and handed.previous_agent_id is None
    msg = await next_chat(agent2)  # the waiting question is handed over
    assert msg.text == "你好，请问在吗？"


async def test_requeued_chat_goes_ahead_of_newer_chats(clients, fake_clock: FakeClock):
    agent1 = await clients("agent1")
    _, first = await buyer_asks(clients, "b-jiadian-0011")
    await next_of(agent1, f.Assignment)
    await agent1.close()
    await settle()
    _, newer = await buyer_asks(clients, "b-jiadian-0012")
    fake_clock.advance(61)
    await settle()
    watcher = await clients("super1")
    snapshot = await next_of(watcher, f.QueueSnapshot)
    assert [e.conversation_id for e in snapshot.entries][:2] == [first, newer]
    assert snapshot.entries[0].tier == "returned"


async def test_transfer_to_a_named_agent_carries_a_note(clients):
    agent1 = await clients("agent1")
    agent2 = await clients("agent2")
    buyer, conv = await buyer_asks(clients, "b-jiadian-0013", "电钢琴的踏板怎么接？")
    await next_of(agent1, f.Assignment)
    await agent1.call(f.Transfer, conversation_id=conv, to_agent=AGENT2, note="买家问电钢琴踏板，阿杰更熟")
    handed = await next_of(agent2, f.Assignment, reason="transfer")
    assert handed.note == "买家问电钢琴踏板，阿杰更熟" and handed.previous_agent_id == AGENT1
    assert (await next_chat(agent2)).text == "电钢琴的踏板怎么接？"
    left = await next_of(agent1, f.Assignment, reason="transfer")
    assert left.conversation.agent_id == AGENT2
    told = await next_of(buyer, f.Message, event="transferred")
    assert "阿杰" in told.text
    with pytest.raises(RelayError) as err:
        await agent1.send_text(conv, "我还想说一句")
    assert err.value.code == "forbidden"


async def test_transfer_back_to_the_queue_keeps_the_note_for_the_next_agent(clients, fake_clock: FakeClock):
    agent1 = await clients("agent1")
    _, conv = await buyer_asks(clients, "b-jiadian-0014")
    await next_of(agent1, f.Assignment)
    await agent1.call(f.SetStatus, status="away")
    await agent1.call(f.Transfer, conversation_id=conv, note="需要懂净水器的同事")
    agent2 = await clients("agent2")
    handed = await next_of(agent2, f.Assignment)
    assert handed.conversation.conversation_id == conv and handed.note == "需要懂净水器的同事"


async def test_supervisor_reassigns_any_chat(clients):
    agent1 = await clients("agent1")
    agent2 = await clients("agent2")
    supervisor = await clients("super1")
    _, conv = await buyer_asks(clients, "b-jiadian-0015")
    await next_of(agent1, f.Assignment)
    await supervisor.call(f.Transfer, conversation_id=conv, to_agent=AGENT2, note="小美在培训")
    handed = await next_of(agent2, f.Assignment, reason="reassign")
    assert handed.by == "3" and handed.note == "小美在培训"


async def test_agent_cannot_transfer_a_colleagues_chat(clients):
    agent1 = await clients("agent1")
    agent2 = await clients("agent2")
    _, conv = await buyer_asks(clients, "b-jiadian-0016")
    await next_of(agent1, f.Assignment)
    with pytest.raises(RelayError) as err:
        await agent2.call(f.Transfer, conversation_id=conv, to_agent=AGENT2)
    assert err.value.code == "forbidden"


async def test_transfer_to_unknown_agent_or_another_shops_agent_is_refused(clients, relay: RunningRelay):
    agent1 = await clients("agent1")
    tea = await clients("cha1", shop=OTHER_SHOP)
    buyer, conv = await buyer_asks(clients, "b-jiadian-0017")
    await next_of(agent1, f.Assignment)
    agent2 = await clients("agent2")  # connected after the assignment: a possible target, given nothing
    await settle()
    before = stored_state(relay, conv)
    assert before[0] == ("assigned", int(AGENT1))
    everyone = (agent1, agent2, tea, buyer)
    for who in everyone:
        drain(who)
    for target in ("999", tea.session.user_id, "not-a-number"):  # type: ignore[union-attr]
        with pytest.raises(RelayError) as err:
            await agent1.call(f.Transfer, conversation_id=conv, to_agent=target, note="这条备注不该留下")
        assert err.value.code == "not_found"
    await settle()
    # Nothing changed: nobody was told of a transfer, nothing was stored, the chat is still agent1's.
    for who in everyone:
        assert not [e for e in drain(who) if isinstance(e, (f.Assignment, f.Message))], f"{who.session} was told"
    assert stored_state(relay, conv) == before
    await agent1.send_text(conv, "我还在，继续为您服务")
    assert (await next_chat(buyer)).text == "我还在，继续为您服务"
    await agent1.call(f.Resolve, conversation_id=conv)
    await buyer.send_text(conv, "还有一个问题")
    back = await next_of(agent1, f.Assignment, reason="exclusive")  # no note of the refused requests lingers
    assert back.conversation.conversation_id == conv and back.note == ""


async def test_transfer_to_an_offline_or_full_agent_is_a_conflict(clients):
    agent1 = await clients("agent1")
    supervisor = await clients("super1")
    _, conv = await buyer_asks(clients, "b-jiadian-0018")
    await next_of(agent1, f.Assignment)
    with pytest.raises(RelayError) as err:
        await agent1.call(f.Transfer, conversation_id=conv, to_agent=AGENT2)
    assert (err.value.code, err.value.reason) == ("conflict", "target_offline") and "offline" in err.value.message
    await clients("agent2")
    await supervisor.call(f.SetCap, agent_id=AGENT2, cap=1)
    await buyer_asks(clients, "b-jiadian-0019")  # goes to agent2, who is then full
    await settle()
    with pytest.raises(RelayError) as err:
        await agent1.call(f.Transfer, conversation_id=conv, to_agent=AGENT2)
    assert (err.value.code, err.value.reason) == ("conflict", "target_at_cap")


async def test_resolved_chat_tells_the_buyer_and_frees_the_agent(clients):
    agent1 = await clients("agent1")
    buyer, conv = await buyer_asks(clients, "b-jiadian-0020")
    await next_of(agent1, f.Assignment)
    await agent1.call(f.Resolve, conversation_id=conv)
    assert (await next_of(buyer, f.Message, event="resolved")).kind == "system"
    done = await next_of(agent1, f.Assignment, reason="resolved")
    assert done.conversation.status == "closed"


async def test_silent_chat_is_closed_after_30_minutes_and_the_buyer_told(clients, fake_clock: FakeClock):
    agent1 = await clients("agent1")
    buyer, conv = await buyer_asks(clients, "b-jiadian-0021")
    await next_of(agent1, f.Assignment)
    await agent1.send_text(conv, "请问还有什么可以帮您？")
    fake_clock.advance(29 * 60)
    await settle()
    assert not any(getattr(e, "event", None) == "auto_closed" for e in list(buyer.events._queue))  # type: ignore
    fake_clock.advance(60)
    told = await next_of(buyer, f.Message, event="auto_closed")
    assert "自动结束" in told.text
    assert (await next_of(agent1, f.Assignment, reason="closed")).conversation.status == "closed"


async def test_manual_mode_claim_and_conflict_on_a_taken_chat(clients, relay: RunningRelay):
    agent1 = await clients("agent1")
    agent2 = await clients("agent2")
    supervisor = await clients("super1")
    await supervisor.call(f.ShopSettings, mode="manual")
    buyer, conv = await buyer_asks(clients, "b-jiadian-0022")
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv)
    assert status.reason == "manual" and status.position == 1
    await agent1.call(f.Claim, conversation_id=conv)
    assert (await next_of(agent1, f.Assignment, reason="claim")).conversation.agent_id == AGENT1
    before = stored_count(relay)
    with pytest.raises(RelayError) as err:
        await agent2.call(f.Claim, conversation_id=conv)
    assert (err.value.code, err.value.reason) == ("conflict", "taken")
    await settle()
    assert stored_count(relay) == before
    assert (await agent1.history(conv)).messages[-1].event == "agent_joined"


async def test_claiming_is_off_in_auto_mode(clients):
    agent1 = await clients("agent1")
    await agent1.call(f.SetStatus, status="busy")
    _, conv = await buyer_asks(clients, "b-jiadian-0023")
    with pytest.raises(RelayError) as err:
        await agent1.call(f.Claim, conversation_id=conv)
    assert err.value.code == "forbidden"


async def test_busy_agent_gets_no_new_chats_but_keeps_old_ones(clients):
    agent1 = await clients("agent1")
    _, first = await buyer_asks(clients, "b-jiadian-0024")
    await next_of(agent1, f.Assignment)
    await agent1.call(f.SetStatus, status="busy")
    buyer, second = await buyer_asks(clients, "b-jiadian-0025")
    status = await next_of(buyer, f.QueueStatus, conversation_id=second)
    assert status.position == 1 and status.reason == "no_agent_online"
    await agent1.send_text(first, "老的会话照常回复")
    await agent1.call(f.SetStatus, status="online")
    assert (await next_of(agent1, f.Assignment)).conversation.conversation_id == second


async def test_only_supervisors_change_caps_and_settings(clients):
    agent1 = await clients("agent1")
    for frame_type, fields in ((f.SetCap, {"agent_id": AGENT1, "cap": 20}), (f.ShopSettings, {"mode": "manual"})):
        with pytest.raises(RelayError) as err:
            await agent1.call(frame_type, **fields)
        assert err.value.code == "forbidden"


async def test_queue_position_and_estimate_reach_the_buyer(clients):
    agent1 = await clients("agent1")
    supervisor = await clients("super1")
    await supervisor.call(f.SetCap, agent_id=AGENT1, cap=1)
    await buyer_asks(clients, "b-jiadian-0026")
    await next_of(agent1, f.Assignment)
    second, conv2 = await buyer_asks(clients, "b-jiadian-0027")
    third, conv3 = await buyer_asks(clients, "b-jiadian-0028")
    s2 = await next_of(second, f.QueueStatus, conversation_id=conv2)
    s3 = await next_of(third, f.QueueStatus, conversation_id=conv3)
    assert (s2.position, s3.position) == (1, 2)
    assert s2.reason == s3.reason == "all_busy"
    assert 0 < s2.estimated_wait_s < s3.estimated_wait_s  # type: ignore[operator]


async def test_outside_service_hours_the_buyer_gets_the_automatic_message(clients, fake_clock: FakeClock):
    fake_clock.advance(14 * 3600)  # 10:00 -> 00:00 Asia/Shanghai
    buyer, conv = await buyer_asks(clients, "b-jiadian-0029")
    told = await next_of(buyer, f.Message, event="out_of_hours")
    assert "08:00" in told.text
    status = await next_of(buyer, f.QueueStatus, conversation_id=conv)
    assert status.reason == "outside_hours" and status.estimated_wait_s == 8 * 3600


async def test_after_sales_buyer_goes_ahead_of_a_normal_buyer(clients, relay: RunningRelay):
    open_case_buyer = db_value(
        relay, "SELECT buyer_id FROM after_sales WHERE status = 'open' AND shop_id = 1 ORDER BY rowid LIMIT 1")
    normal = db_value(
        relay, "SELECT id FROM buyers WHERE id LIKE 'b-jiadian-%' AND id NOT IN (SELECT buyer_id FROM after_sales)"
        " AND id NOT IN (SELECT buyer_id FROM orders WHERE amount_cents >= 200000) ORDER BY id LIMIT 1")
    _, normal_conv = await buyer_asks(clients, normal)
    _, case_conv = await buyer_asks(clients, open_case_buyer)
    watcher = await clients("super1")
    snapshot = await next_of(watcher, f.QueueSnapshot)
    assert [e.conversation_id for e in snapshot.entries] == [case_conv, normal_conv]
    assert snapshot.entries[0].tier == "after_sales"


def normal_buyers(relay: RunningRelay, n: int) -> list[str]:
    """Buyers with no after-sales case and no high-value order: they queue in the normal tier."""
    rows = db_rows(
        relay, "SELECT id FROM buyers WHERE id LIKE 'b-jiadian-%' AND id NOT IN (SELECT buyer_id FROM after_sales)"
        " AND id NOT IN (SELECT buyer_id FROM orders WHERE amount_cents >= 200000) ORDER BY id LIMIT ?", (n,))
    return [r[0] for r in rows]


async def test_the_queue_keeps_its_order_across_a_restart(relay_config, fake_clock: FakeClock):
    from app.client import buyer_session, login
    from tests.conftest import start_relay

    runner, relay = await start_relay(relay_config, fake_clock)
    late, early = normal_buyers(relay, 2)
    clients: list[KefuClient] = []
    try:
        async def buyer(buyer_id: str) -> tuple[KefuClient, int]:
            client = KefuClient(relay.url, (await buyer_session(relay.url, buyer_id)).token)
            clients.append(client)
            await client.connect()
            return client, (await client.open_conversation("jiadian")).conversation_id

        late_client, late_conv = await buyer(late)  # opened first (lower id), writes second
        early_client, early_conv = await buyer(early)
        await early_client.send_text(early_conv, "先来的")
        await settle()  # queued (and its queued_at stored) before the clock moves
        fake_clock.advance(10)
        await late_client.send_text(late_conv, "后来的")
        await settle()
        for client in clients:
            await client.close()
        await runner.cleanup()

        runner, relay = await start_relay(relay_config, fake_clock)
        watcher = KefuClient(relay.url, (await login(relay.url, "jiadian", "super1", "kefu-demo")).token)
        clients.append(watcher)
        await watcher.connect()
        snapshot = await next_of(watcher, f.QueueSnapshot)
        assert [e.conversation_id for e in snapshot.entries] == [early_conv, late_conv]
        assert snapshot.entries[0].queued_at < snapshot.entries[1].queued_at
    finally:
        for client in clients:
            await client.close()
        await runner.cleanup()


async def test_transfer_to_a_supervisor_is_refused_as_such(clients):
    agent1 = await clients("agent1")
    supervisor = await clients("super1")
    _, conv = await buyer_asks(clients, "b-jiadian-0023")
    await next_of(agent1, f.Assignment)
    with pytest.raises(RelayError) as err:
        await agent1.call(f.Transfer, conversation_id=conv, to_agent=supervisor.session.user_id)  # type: ignore[union-attr]
    assert err.value.code == "invalid_field" and "supervisors" in err.value.message


async def test_an_offer_waiting_for_the_buyer_puts_them_in_the_after_sales_tier(clients, relay: RunningRelay):
    first, second = normal_buyers(relay, 2)
    order_no = db_one(relay, "SELECT order_no FROM orders WHERE buyer_id = ? AND status != 'pending_payment'"
                             " ORDER BY order_no LIMIT 1", (second,))
    if order_no is None:
        pytest.skip("demo buyer without a paid order")
    agent = await clients("agent1")
    buyer2, conv2 = await buyer_asks(clients, second, "东西有问题")
    await next_of(agent, f.Assignment)
    await agent.call(f.SendCard, conversation_id=conv2, client_msg_id="offer-1",
                     card=f.CardRequest(kind="offer", order_no=order_no[0], offer="coupon", amount_cents=500))
    await agent.call(f.Resolve, conversation_id=conv2)
    await agent.call(f.SetStatus, status="busy")  # nobody takes new chats: they queue
    watcher = await clients("super1")
    _, conv1 = await buyer_asks(clients, first)
    await buyer2.send_text(conv2, "优惠券怎么用？")  # reopens while the offer is unanswered
    await settle()
    snapshot = await next_of(watcher, f.QueueSnapshot)
    while len(snapshot.entries) < 2:
        snapshot = await next_of(watcher, f.QueueSnapshot)
    assert [(e.conversation_id, e.tier) for e in snapshot.entries] == [(conv2, "after_sales"), (conv1, "normal")]


async def test_staff_resume_lists_open_chats_only_and_can_still_read_closed_ones(clients):
    agent1 = await clients("agent1")
    _, open_conv = await buyer_asks(clients, "b-jiadian-0024", "还在吗")
    _, done_conv = await buyer_asks(clients, "b-jiadian-0025", "谢谢，没问题了")
    await settle()
    await agent1.call(f.Resolve, conversation_id=done_conv)
    await settle()
    supervisor = await clients("super1", connect=False)
    synced = await supervisor.connect()
    listed = {c.conversation_id for c in synced.conversations}
    assert open_conv in listed and done_conv not in listed
    page = await supervisor.history(done_conv)
    assert any(m.text == "谢谢，没问题了" for m in page.messages)


async def test_a_cap_of_50_is_accepted_and_51_refused_as_documented(clients, relay: RunningRelay):
    supervisor = await clients("super1")
    await supervisor.call(f.SetCap, agent_id=AGENT1, cap=50)  # docs/routing.md: per agent, 1-50
    caps: dict[str, int] = {}
    while caps.get(AGENT1) != 50:  # the supervisors' agent list shows the new cap
        caps = {a.agent_id: a.cap for a in (await next_of(supervisor, f.AgentsSnapshot)).agents}
    for refused in (51, 0):
        with pytest.raises(RelayError) as err:
            await supervisor.call(f.SetCap, agent_id=AGENT1, cap=refused)
        assert err.value.code == "invalid_field"
    assert db_value(relay, "SELECT cap FROM accounts WHERE id = ?", (int(AGENT1),)) == 50
