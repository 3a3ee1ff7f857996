"""Video calls on the relay: the invitation policy against a hostile agent, the call's life, signalling, records."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.client import KefuClient
from app.errors import RelayError
from relay.clock import FakeClock
from tests.conftest import OTHER_SHOP, RunningRelay
from tests.relay.helpers import db_dicts, db_rows, drain, next_of
from wire import frames as f
from wire.codec import FrameError, decode_client, decode_server, encode


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


async def chatting(clients: Any, buyer_id: str = "b-jiadian-0041") -> tuple[KefuClient, KefuClient, int]:
    """A buyer who wrote, and the agent the chat went to (agent1, the only one online)."""
    agent = await clients("agent1")
    buyer = await clients(buyer=buyer_id)
    conv = await buyer.open_conversation("jiadian")
    await buyer.send_text(conv.conversation_id, "钢琴踏板怎么接？")
    await next_of(agent, f.Assignment)
    await settle()
    return agent, buyer, conv.conversation_id



def call_frames_reached(buyer: KefuClient) -> list[Any]:
    """Anything about calls the buyer received: invitation cards, call updates, signals."""
    return [fr for fr in drain(buyer) if isinstance(fr, f.CallUpdate | f.RelayedSignal)
            or (isinstance(fr, f.Message) and isinstance(fr.card, f.CallCard))]


async def refused(agent: KefuClient, conversation_id: int, code: str) -> RelayError:
    check = await agent.call(f.CheckCall, conversation_id=conversation_id)
    assert isinstance(check, f.CallAllowed) and not check.allowed and check.code == code, check
    with pytest.raises(RelayError) as err:
        await agent.call(f.InviteCall, conversation_id=conversation_id, reason="演示安装")
    assert err.value.code == code
    return err.value


async def invite(agent: KefuClient, conversation_id: int, reason: str = "演示安装步骤") -> f.CallInfo:
    reply = await agent.call(f.InviteCall, conversation_id=conversation_id, reason=reason)
    assert isinstance(reply, f.CallUpdate) and reply.call.state == "invited"
    return reply.call


def calls_table(relay: RunningRelay) -> list[dict[str, Any]]:
    return db_dicts(relay, "SELECT * FROM calls ORDER BY invited_at")


# --- a call from invitation to hang-up ------------------------------------------------------------


async def test_invited_accepted_signalled_connected_ended_and_recorded(clients, relay: RunningRelay,
                                                                      fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and check.allowed
    drain(buyer)
    call = await invite(agent, conv)
    assert call.delivered_at == call.invited_at  # the buyer's page is online: the card went to it at once
    card = await next_of(buyer, f.Message, kind="card")
    assert isinstance(card.card, f.CallCard) and card.card.call_id == call.call_id
    assert card.card.reason == "演示安装步骤"
    assert card.card.agent_name == "小美" and card.card.expires_at == call.invited_at + 60_000
    assert (await next_of(buyer, f.CallUpdate)).call.state == "invited"
    fake_clock.advance(3)

    accepted = await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    assert isinstance(accepted, f.CallUpdate) and accepted.call.state == "accepted"
    assert (await next_of(agent, f.CallUpdate, timeout=2)).call.state in ("invited", "accepted")

    await agent.call(f.SignalCall, call_id=call.call_id, kind="offer", sdp="v=0 offer")
    offer = await next_of(buyer, f.RelayedSignal)
    assert offer.kind == "offer" and offer.sdp == "v=0 offer"
    await buyer.call(f.SignalCall, call_id=call.call_id, kind="answer", sdp="v=0 answer")
    await buyer.call(f.SignalCall, call_id=call.call_id, kind="candidate",
                     candidate=f.IceCandidate(candidate="candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdp_mid="0",
                                              sdp_mline_index=0))
    answer = await next_of(agent, f.RelayedSignal)
    candidate = await next_of(agent, f.RelayedSignal)
    assert answer.kind == "answer" and candidate.candidate.sdp_mid == "0"

    await agent.call(f.CallMedia, call_id=call.call_id)
    connected = await next_of(buyer, f.CallUpdate, timeout=2)
    while connected.call.state != "connected":
        connected = await next_of(buyer, f.CallUpdate, timeout=2)
    fake_clock.advance(192)
    ended = await buyer.call(f.HangUp, call_id=call.call_id)
    assert isinstance(ended, f.CallUpdate) and ended.call.state == "ended"
    assert ended.call.ended_by == "buyer" and ended.call.end_reason == "hangup" and ended.call.duration_s == 192
    # The hang-up is answered before its system message is stored: wait for the message, then read history.
    await next_of(agent, f.Message, kind="system", event="call_ended")
    system = [m.event for m in (await agent.history(conv)).messages if m.kind == "system"]
    assert "call_connected" in system and "call_ended" in system
    row = calls_table(relay)[0]
    assert (row["state"], row["ended_by"], row["duration_s"], row["reason"]) == ("ended", "buyer", 192, "演示安装步骤")
    assert row["invited_at"] == row["delivered_at"] < row["answered_at"] <= row["connected_at"] < row["ended_at"]
    assert ended.call.delivered_at == row["delivered_at"]


async def test_an_unanswered_invitation_expires_after_60_s(clients, relay: RunningRelay, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    fake_clock.advance(59)
    await settle()
    assert calls_table(relay)[0]["state"] == "invited"
    drain(agent)
    fake_clock.advance(1)
    update = await next_of(agent, f.CallUpdate)
    assert update.call.state == "expired" and update.call.call_id == call.call_id
    await settle()
    assert calls_table(relay)[0]["state"] == "expired"
    assert any(m.event == "call_expired" for m in (await agent.history(conv)).messages)
    with pytest.raises(RelayError) as err:
        await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    assert err.value.code in ("not_found", "call_state")


async def test_the_agent_may_withdraw_an_invitation(clients, relay: RunningRelay):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    withdrawn = await agent.call(f.HangUp, call_id=call.call_id)
    assert isinstance(withdrawn, f.CallUpdate) and withdrawn.call.state == "cancelled"
    with pytest.raises(RelayError):
        await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")


async def test_the_relay_warns_then_ends_a_call_at_the_shop_limit(clients, relay: RunningRelay,
                                                                 fake_clock: FakeClock):
    supervisor = await clients("super1")
    await supervisor.call(f.CallSettings, max_duration_s=120, warning_before_s=60)
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept", audio_only=True)
    await buyer.call(f.CallMedia, call_id=call.call_id)
    fake_clock.advance(60)
    notice = await next_of(buyer, f.CallNotice)
    assert notice.remaining_s == 60 and (await next_of(agent, f.CallNotice)).remaining_s == 60
    fake_clock.advance(60)
    await settle()
    row = calls_table(relay)[0]
    assert (row["state"], row["ended_by"], row["end_reason"], row["duration_s"]) == ("ended", "relay",
                                                                                     "duration_limit", 120)
    assert row["audio_only"] == 1


async def test_a_party_gone_for_15_s_ends_the_call(clients, relay: RunningRelay, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await agent.call(f.CallMedia, call_id=call.call_id)
    await buyer.close()
    await settle()
    fake_clock.advance(14)
    await settle()
    assert calls_table(relay)[0]["state"] == "connected"
    fake_clock.advance(1)
    await settle()
    row = calls_table(relay)[0]
    assert (row["state"], row["ended_by"], row["end_reason"]) == ("ended", "buyer", "disconnected")


async def test_a_buyer_back_within_the_grace_keeps_the_call_and_hears_its_state(clients, relay: RunningRelay,
                                                                              fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await buyer.close()
    await settle()
    fake_clock.advance(10)
    drain(buyer)
    await buyer.connect()
    update = await next_of(buyer, f.CallUpdate)
    assert update.call.call_id == call.call_id and update.call.state == "accepted"
    fake_clock.advance(10)
    await settle()
    assert calls_table(relay)[0]["state"] == "accepted"


async def test_a_complaint_is_recorded_with_the_call_once(clients, relay: RunningRelay):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    complained = await buyer.call(f.Complain, call_id=call.call_id, reason="sales_pressure", text="一直推销别的")
    assert isinstance(complained, f.CallUpdate) and complained.call.complaint == "sales_pressure"
    await buyer.call(f.HangUp, call_id=call.call_id)
    with pytest.raises(RelayError) as err:
        await buyer.call(f.Complain, call_id=call.call_id, reason="other")
    assert err.value.code == "conflict"
    with pytest.raises(RelayError) as err:
        await agent.call(f.Complain, call_id=call.call_id, reason="other")
    assert err.value.code == "forbidden"
    row = calls_table(relay)[0]
    assert (row["complaint"], row["complaint_text"]) == ("sales_pressure", "一直推销别的")
    system = [m for m in (await agent.history(conv)).messages if m.event == "call_complaint"]
    assert system and "推销" in system[0].text


# --- delivered: when the invitation actually reached the buyer's page -----------------------------


async def test_an_invitation_to_an_online_buyer_is_delivered_at_once_and_only_once(clients, relay: RunningRelay,
                                                                                 fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    drain(buyer)
    call = await invite(agent, conv)
    assert call.delivered_at == call.invited_at
    assert (await next_of(buyer, f.Message, kind="card")).card.call_id == call.call_id
    assert (await next_of(buyer, f.CallUpdate)).call.delivered_at == call.invited_at
    await settle()
    assert calls_table(relay)[0]["delivered_at"] == call.invited_at

    # The page reloads while the invitation is still pending: it is sent again, the record keeps the first time.
    fake_clock.advance(10)
    await buyer.close()
    await settle()
    drain(agent)
    await buyer.connect()
    again = await next_of(buyer, f.CallUpdate)
    assert (again.call.state, again.call.delivered_at) == ("invited", call.invited_at)
    await settle()
    assert [fr for fr in drain(agent) if isinstance(fr, f.CallUpdate)] == []  # nothing changed: nothing to tell
    assert calls_table(relay)[0]["delivered_at"] == call.invited_at


async def test_an_invitation_to_an_absent_buyer_is_delivered_when_the_buyer_comes_back(
        clients, relay: RunningRelay, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    supervisor = await clients("super1")
    await buyer.close()  # the buyer's page is gone (the phone locked, the tab closed)
    await settle()
    call = await invite(agent, conv)
    assert call.state == "invited" and call.delivered_at is None
    await settle()
    assert calls_table(relay)[0]["delivered_at"] is None

    fake_clock.advance(20)  # still inside the invitation's 60 s
    await settle()
    assert calls_table(relay)[0]["delivered_at"] is None  # time alone delivers nothing
    drain(agent)
    drain(supervisor)
    await buyer.connect()  # resumes from its cursor: the card comes in the catch-up, then the call
    card = await next_of(buyer, f.Message, kind="card")
    assert card.card.call_id == call.call_id
    update = await next_of(buyer, f.CallUpdate)
    delivered_at = call.invited_at + 20_000
    assert (update.call.call_id, update.call.state, update.call.delivered_at) == (call.call_id, "invited",
                                                                                  delivered_at)
    for watcher in (agent, supervisor):  # the agent's call view and the supervisors' figures hear it
        told = await next_of(watcher, f.CallUpdate, timeout=2)
        assert (told.call.call_id, told.call.state, told.call.delivered_at) == (call.call_id, "invited",
                                                                                delivered_at)
    await settle()
    assert calls_table(relay)[0]["delivered_at"] == delivered_at

    accepted = await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    assert isinstance(accepted, f.CallUpdate) and accepted.call.delivered_at == delivered_at


async def test_an_invitation_that_expired_while_the_buyer_was_away_was_never_delivered(
        clients, relay: RunningRelay, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    await buyer.close()
    await settle()
    call = await invite(agent, conv)
    fake_clock.advance(61)
    expired = await next_of(agent, f.CallUpdate)
    while expired.call.state != "expired":
        expired = await next_of(agent, f.CallUpdate)
    assert expired.call.delivered_at is None
    await buyer.connect()  # the card and the outcome reach the page, but nothing can be answered any more
    update = await next_of(buyer, f.CallUpdate)
    assert (update.call.call_id, update.call.state, update.call.delivered_at) == (call.call_id, "expired", None)
    await settle()
    row = calls_table(relay)[0]
    assert (row["state"], row["delivered_at"]) == ("expired", None)


async def test_an_invitation_refused_by_the_policy_is_neither_recorded_nor_delivered(clients, relay: RunningRelay):
    agent, buyer, conv = await chatting(clients)
    first = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=first.call_id, decision="decline")
    await settle()
    drain(buyer)
    await refused(agent, conv, "call_cooldown")  # the buyer is online, and yet nothing goes to the page
    await buyer.close()
    drain(buyer)
    await buyer.connect()
    await settle()
    assert [(fr.call.call_id, fr.call.state) for fr in call_frames_reached(buyer)
            if isinstance(fr, f.CallUpdate)] == [(first.call_id, "declined")]
    rows = calls_table(relay)
    assert [(r["id"], r["state"], r["delivered_at"]) for r in rows] == [(first.call_id, "declined", first.invited_at)]


def test_a_database_that_ran_0007_gets_delivered_at_empty_for_its_calls(tmp_path):
    from relay.store.migrations import MIGRATIONS
    from relay.store.sqlite import migrate

    until_0007 = MIGRATIONS[:[name for name, _ in MIGRATIONS].index("0007_calls") + 1]
    with closing(sqlite3.connect(tmp_path / "demo.sqlite3", isolation_level=None)) as db:  # a demo from before
        db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
        for name, sql in until_0007:
            db.executescript(sql)
            db.execute("INSERT INTO schema_migrations VALUES (?, 0)", (name,))
        db.executescript("""
            INSERT INTO shops VALUES (1, 'jiadian', '家电');
            INSERT INTO accounts (id, shop_id, username, display_name, role, password_hash)
                VALUES (1, 1, 'agent1', '小美', 'agent', 'x');
            INSERT INTO buyers (id, nickname) VALUES ('b-1', '小确幸');
            INSERT INTO conversations (id, shop_id, buyer_id, created_at) VALUES (1, 1, 'b-1', 0);
            INSERT INTO calls (id, shop_id, conversation_id, agent_id, agent_name, buyer_id, buyer_name, state,
                               invited_at, expires_at, max_duration_s)
                VALUES ('call-old', 1, 1, 1, '小美', 'b-1', '小确幸', 'declined', 1000, 61000, 1800);
        """)
        later = [name for name, _ in MIGRATIONS][len(until_0007):]
        assert later[0] == "0008_call_delivered"
        assert migrate(db) == later
        assert migrate(db) == []
        db.row_factory = sqlite3.Row
        row = dict(db.execute("SELECT * FROM calls").fetchone())
    assert (row["id"], row["state"], row["delivered_at"]) == ("call-old", "declined", None)


# --- the policy, from a hostile agent: each refusal has its code and nothing reaches the buyer ---


async def test_no_invitation_into_a_conversation_the_buyer_did_not_start(clients):
    agent = await clients("agent1")
    buyer = await clients(buyer="b-jiadian-0042")
    conv = await buyer.open_conversation("jiadian")  # opened, never written: nobody has it
    await settle()
    drain(buyer)
    await refused(agent, conv.conversation_id, "call_not_started")
    await settle()
    assert call_frames_reached(buyer) == []


async def test_no_invitation_into_a_conversation_silent_for_31_minutes(clients, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    await agent.send_text(conv, "您好，我看一下")
    fake_clock.advance(31 * 60)
    await settle()
    drain(buyer)
    await refused(agent, conv, "call_inactive")
    await settle()
    assert call_frames_reached(buyer) == []


async def test_the_fourth_invitation_of_a_day_is_refused(clients, relay: RunningRelay):
    agent, buyer, conv = await chatting(clients)
    for _ in range(3):
        call = await invite(agent, conv)
        await agent.call(f.HangUp, call_id=call.call_id)  # withdrawn: still counts
    await settle()
    drain(buyer)
    await refused(agent, conv, "call_daily_limit")
    await settle()
    assert call_frames_reached(buyer) == []
    assert len(calls_table(relay)) == 3


async def test_inside_the_cooldown_after_a_decline_then_allowed_again(clients, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="decline")
    await buyer.send_text(conv, "不用视频，文字说吧")
    fake_clock.advance(5 * 60)
    await settle()
    drain(buyer)
    err = await refused(agent, conv, "call_cooldown")
    assert err.retry_after is not None and 299 <= err.retry_after <= 300
    await settle()
    assert call_frames_reached(buyer) == []
    fake_clock.advance(5 * 60)
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and check.allowed


async def test_after_dont_invite_me_again_every_invitation_is_refused(clients, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    blocked = await buyer.call(f.AnswerCall, call_id=call.call_id, decision="block")
    assert isinstance(blocked, f.CallUpdate) and blocked.call.state == "declined"
    await buyer.send_text(conv, "我还有个问题")
    fake_clock.advance(24 * 3600)  # the next day, past any cooldown (both sessions have run out too)
    buyer = await clients(buyer="b-jiadian-0041")
    agent = await clients("agent1")
    await buyer.send_text(conv, "第二天又来问了")
    await next_of(agent, f.Assignment)
    await settle()
    drain(buyer)
    await refused(agent, conv, "call_blocked")
    await settle()
    assert call_frames_reached(buyer) == []


# --- only the buyer lifts their own "不再接收视频邀请" ---------------------------------------------------


async def blocked_by_buyer(agent: KefuClient, buyer: KefuClient, conv: int) -> f.CallInfo:
    """The buyer answered an invitation with "block"; the relay refuses the next one with `call_blocked`."""
    call = await invite(agent, conv)
    blocked = await buyer.call(f.AnswerCall, call_id=call.call_id, decision="block")
    assert isinstance(blocked, f.CallUpdate) and blocked.call.state == "declined"
    await next_of(agent, f.Message, kind="system", event="call_blocked")
    await refused(agent, conv, "call_blocked")
    return blocked.call


def unblock_events(relay: RunningRelay) -> list[dict[str, Any]]:
    return db_dicts(relay, "SELECT conversation_id, at, kind, actor, note FROM conversation_events"
                           " WHERE kind = 'call_unblocked' ORDER BY id")


def blocks_table(relay: RunningRelay) -> list[tuple[int, str, int]]:
    return db_rows(relay, "SELECT shop_id, buyer_id, at FROM call_blocks ORDER BY at, shop_id, buyer_id")


async def test_the_buyer_lifts_their_block_and_the_shop_may_invite_again(clients, relay: RunningRelay,
                                                                        fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    blocked_call = await blocked_by_buyer(agent, buyer, conv)
    listed = await buyer.call(f.GetCallBlocks)
    assert isinstance(listed, f.CallBlocks)
    assert [(b.conversation_id, b.shop, b.blocked_at) for b in listed.blocks] == [
        (conv, "jiadian", blocked_call.answered_at)]
    assert len(blocks_table(relay)) == 1

    fake_clock.advance(30)
    lifted = await buyer.call(f.UnblockCalls, conversation_id=conv)
    assert isinstance(lifted, f.CallBlocks) and lifted.blocks == []
    assert blocks_table(relay) == []
    # Recorded (when, by whom, since when it was blocked), and both sides of the chat are told: the agent's
    # workstation asks `call_check` again at a new message of the chat.
    assert unblock_events(relay) == [{"conversation_id": conv, "at": fake_clock.now_ms(), "kind": "call_unblocked",
                                      "actor": "buyer", "note": f"blocked_at={blocked_call.answered_at}"}]
    told = await next_of(agent, f.Message, kind="system", event="call_unblocked")
    assert told.text == "买家已重新接收本店的视频讲解邀请" and told.sender.kind == "system"
    assert (await next_of(buyer, f.Message, kind="system", event="call_unblocked")).seq == told.seq

    # The block is gone; the other rules stay: the invitation declined (with the block) half a minute ago
    # still has its cooldown.
    await refused(agent, conv, "call_cooldown")
    fake_clock.advance(600)
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and check.allowed
    drain(buyer)
    call = await invite(agent, conv)
    card = await next_of(buyer, f.Message, kind="card")
    assert card.card.call_id == call.call_id and call.delivered_at == call.invited_at

    # Blocked again from that card, and the list says since when.
    fake_clock.advance(5)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="block")
    again = await buyer.call(f.GetCallBlocks)
    assert isinstance(again, f.CallBlocks) and [b.blocked_at for b in again.blocks] == [fake_clock.now_ms()]
    await refused(agent, conv, "call_blocked")


async def test_nobody_but_the_buyer_lifts_the_buyers_block(clients, relay: RunningRelay):
    agent, buyer, conv = await chatting(clients)
    await blocked_by_buyer(agent, buyer, conv)
    colleague = await clients("agent2")
    supervisor = await clients("super1")
    tea = await clients("cha1", shop=OTHER_SHOP)
    other_buyer = await clients(buyer="b-jiadian-0043")
    own = await other_buyer.open_conversation("jiadian")
    attempts: list[tuple[KefuClient, type[Any], dict[str, Any]]] = [
        (agent, f.UnblockCalls, {"conversation_id": conv}),  # the agent who invited
        (colleague, f.UnblockCalls, {"conversation_id": conv}),
        (supervisor, f.UnblockCalls, {"conversation_id": conv}),
        (tea, f.UnblockCalls, {"conversation_id": conv}),
        (other_buyer, f.UnblockCalls, {"conversation_id": conv}),  # someone else's conversation
        (agent, f.GetCallBlocks, {}),  # staff have no list of blocks to read either
    ]
    for who, frame_type, fields in attempts:
        with pytest.raises(RelayError) as err:
            await who.call(frame_type, **fields)
        assert err.value.code == "forbidden", (who.session, frame_type, err.value)
    # Another buyer lifting their own (absent) block of the same shop changes nobody else's.
    mine = await other_buyer.call(f.UnblockCalls, conversation_id=own.conversation_id)
    assert isinstance(mine, f.CallBlocks) and mine.blocks == []
    theirs = await other_buyer.call(f.GetCallBlocks)
    assert isinstance(theirs, f.CallBlocks) and theirs.blocks == []  # the first buyer's block is not shown
    await settle()
    assert len(blocks_table(relay)) == 1 and unblock_events(relay) == []
    await refused(agent, conv, "call_blocked")
    assert not any(fr.event == "call_unblocked" for fr in drain(agent) if isinstance(fr, f.Message))


async def test_unblocking_what_is_not_blocked_changes_nothing(clients, relay: RunningRelay, fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    never = await buyer.call(f.UnblockCalls, conversation_id=conv)  # never blocked
    assert isinstance(never, f.CallBlocks) and never.blocks == []
    await blocked_by_buyer(agent, buyer, conv)
    for _ in range(2):  # the second one finds nothing to lift
        lifted = await buyer.call(f.UnblockCalls, conversation_id=conv)
        assert isinstance(lifted, f.CallBlocks) and lifted.blocks == []
    await next_of(agent, f.Message, kind="system", event="call_unblocked")
    await settle()
    assert len(unblock_events(relay)) == 1 and blocks_table(relay) == []
    history = (await buyer.history(conv)).messages
    assert [m.event for m in history if m.kind == "system" and (m.event or "").startswith("call_")] == [
        "call_blocked", "call_unblocked"]
    fake_clock.advance(601)
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and check.allowed


async def test_with_the_shop_switch_off_nobody_is_invited(clients):
    supervisor = await clients("super1")
    policy = await supervisor.call(f.CallSettings, enabled=False)
    assert isinstance(policy, f.CallPolicy) and not policy.enabled
    agent, buyer, conv = await chatting(clients)
    drain(buyer)
    await refused(agent, conv, "calls_off")
    await settle()
    assert call_frames_reached(buyer) == []


async def test_another_shops_buyer_cannot_be_invited(clients):
    _, buyer, conv = await chatting(clients)
    tea = await clients("cha1", shop=OTHER_SHOP)
    drain(buyer)
    for frame in (f.CheckCall, f.InviteCall):
        with pytest.raises(RelayError) as err:
            await tea.call(frame, conversation_id=conv)
        assert err.value.code == "forbidden"
    await settle()
    assert call_frames_reached(buyer) == []


async def test_call_frames_from_someone_not_in_the_call_are_refused(clients):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    colleague = await clients("agent2")
    stranger = await clients(buyer="b-jiadian-0043")
    supervisor = await clients("super1")
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    drain(buyer)
    drain(agent)
    attempts: list[tuple[KefuClient, type[Any], dict[str, Any], str]] = [
        (colleague, f.SignalCall, {"kind": "offer", "sdp": "v=0"}, "forbidden"),
        (colleague, f.HangUp, {}, "forbidden"),
        (supervisor, f.SignalCall, {"kind": "offer", "sdp": "v=0"}, "forbidden"),
        (stranger, f.SignalCall, {"kind": "answer", "sdp": "v=0"}, "forbidden"),
        (stranger, f.AnswerCall, {"decision": "accept"}, "forbidden"),
        (stranger, f.HangUp, {}, "forbidden"),
        (stranger, f.Complain, {"reason": "other"}, "not_found"),  # another buyer's call is not even named
        (agent, f.AnswerCall, {"decision": "accept"}, "forbidden"),  # the agent cannot answer for the buyer
        (buyer, f.SignalCall, {"kind": "offer", "sdp": "v=0"}, "invalid_field"),  # offers come from the agent
    ]
    for who, frame_type, fields, code in attempts:
        with pytest.raises(RelayError) as err:
            await who.call(frame_type, call_id=call.call_id, **fields)
        assert err.value.code == code, (frame_type, err.value)
    await settle()
    assert [fr for fr in drain(buyer) if isinstance(fr, f.RelayedSignal)] == []
    assert [fr for fr in drain(agent) if isinstance(fr, f.RelayedSignal)] == []


async def test_one_call_at_a_time_per_conversation(clients):
    agent, _, conv = await chatting(clients)
    await invite(agent, conv)
    await refused(agent, conv, "call_busy")


async def test_only_supervisors_set_the_policy_and_the_warning_comes_before_the_end(clients):
    agent = await clients("agent1")
    with pytest.raises(RelayError) as err:
        await agent.call(f.CallSettings, enabled=False)
    assert err.value.code == "forbidden"
    supervisor = await clients("super1")
    with pytest.raises(RelayError) as err:
        await supervisor.call(f.CallSettings, max_duration_s=300, warning_before_s=300)
    assert err.value.code == "invalid_field"


# --- ICE servers ---------------------------------------------------------------------------------


async def test_no_ice_servers_by_default(clients):
    agent = await clients("agent1")
    reply = await agent.call(f.GetIceServers)
    assert isinstance(reply, f.IceServers) and reply.servers == []


async def test_turn_credentials_follow_coturns_rest_scheme(make_config, fake_clock: FakeClock):
    from app.client import login
    from tests.conftest import start_relay

    config = replace(make_config(), ice_servers=("stun:127.0.0.1:3478", "turn:localhost:3478"),
                     turn_secret="s3cret")
    runner, relay = await start_relay(config, fake_clock)
    try:
        client = KefuClient(relay.url, (await login(relay.url, "jiadian", "agent1", "kefu-demo")).token)
        await client.connect()
        reply = await client.call(f.GetIceServers)
        await client.close()
    finally:
        await runner.cleanup()
    assert isinstance(reply, f.IceServers)
    stun, turn = reply.servers
    assert stun.urls == ["stun:127.0.0.1:3478"] and stun.username is None
    expiry, user = turn.username.split(":")  # type: ignore[union-attr]
    assert user == "1" and int(expiry) == fake_clock.now_ms() // 1000 + reply.ttl_s
    expected = base64.b64encode(hmac.new(b"s3cret", turn.username.encode(), hashlib.sha1).digest()).decode()  # type: ignore[union-attr]
    assert turn.credential == expected


async def test_a_reconnecting_buyer_hears_how_the_days_calls_ended(clients):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="decline")
    await buyer.close()
    drain(buyer)
    await buyer.connect()
    update = await next_of(buyer, f.CallUpdate)
    assert update.call.call_id == call.call_id and update.call.state == "declined"


async def test_the_workstation_that_invited_owns_the_call_another_one_only_watches(clients):
    agent, buyer, conv = await chatting(clients)
    other_desk = await clients("agent1")  # the same agent logged in on a second computer
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await buyer.call(f.SignalCall, call_id=call.call_id, kind="answer", sdp="v=0 answer")
    assert (await next_of(agent, f.RelayedSignal)).kind == "answer"
    await settle()
    seen = drain(other_desk)
    assert any(isinstance(fr, f.CallUpdate) and fr.call.state == "accepted" for fr in seen)
    assert not any(isinstance(fr, f.RelayedSignal) for fr in seen)


async def test_the_agent_back_within_the_grace_keeps_the_call_else_it_ends(clients, relay: RunningRelay,
                                                                         fake_clock: FakeClock):
    agent, buyer, conv = await chatting(clients)
    call = await invite(agent, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await agent.call(f.CallMedia, call_id=call.call_id)
    await agent.close()  # the socket dropped; the media (peer to peer) goes on
    await settle()
    fake_clock.advance(10)
    await agent.connect()
    await agent.call(f.CallMedia, call_id=call.call_id)  # "still here": the new connection owns the call
    fake_clock.advance(10)
    await settle()
    assert calls_table(relay)[0]["state"] == "connected"

    await agent.close()
    await settle()
    watcher = await clients("agent1")  # the agent is online, but not with the connection that owns the call
    fake_clock.advance(15)
    await settle()
    row = calls_table(relay)[0]
    assert (row["state"], row["ended_by"], row["end_reason"]) == ("ended", "agent", "disconnected")
    assert watcher.connected


# --- docs/protocol.md section 12 shows each call frame as the codec writes it ---------------------

CALL_FRAMES = {
    f.CheckCall, f.InviteCall, f.AnswerCall, f.SignalCall, f.CallMedia, f.HangUp, f.Complain, f.CallSettings,
    f.GetIceServers, f.CallUpdate, f.CallAllowed, f.RelayedSignal, f.CallNotice, f.CallPolicy, f.IceServers,
    f.GetCallBlocks, f.UnblockCalls, f.CallBlocks,
}


def _as_written(example: str) -> Any:
    """The frame an example is, if the codec writes that frame with exactly these fields in this order."""
    pairs = json.loads(example, object_pairs_hook=list)
    for decode in (decode_client, decode_server):
        try:
            frame = decode(example)
        except FrameError:
            continue
        if json.loads(encode(frame), object_pairs_hook=list) == pairs:
            return frame
    raise AssertionError(f"not what the codec writes for any frame:\n{example}")


def test_section_12_has_one_example_of_each_call_frame_as_the_codec_writes_it():
    text = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = text[text.index("## 12. Video calls"):]
    section = section[:m.start()] if (m := re.search(r"^## 13\.", section, re.M)) else section
    examples = re.findall(r"```json\n(.*?)```", section, re.S)
    frames = [_as_written(example) for example in examples]
    assert CALL_FRAMES - {type(frame) for frame in frames} == set()
    records = [fr.call for fr in frames if isinstance(fr, f.CallUpdate)]
    assert any(r.delivered_at is not None and r.delivered_at > r.invited_at for r in records)


async def test_a_buyer_syncing_while_the_card_is_stored_hears_of_the_call_only_with_its_card(
        clients, relay: RunningRelay, monkeypatch: pytest.MonkeyPatch):
    """The call is busy from the first moment (no second invitation), but nobody is told of it, and it
    is not delivered, before its card is stored."""
    agent, buyer, conv = await chatting(clients)
    await buyer.close()
    await settle()
    store = relay.relay.calls._store
    append = store.append_message
    storing = asyncio.Event()

    async def slow_append(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("kind") == "card":
            storing.set()
            await asyncio.sleep(0.3)
        return await append(*args, **kwargs)

    monkeypatch.setattr(store, "append_message", slow_append)
    invitation = asyncio.create_task(invite(agent, conv))
    await storing.wait()
    await buyer.connect()  # the page comes back while the card is being stored
    call = await invitation
    await settle()
    about = [fr for fr in call_frames_reached(buyer)
             if (fr.card.call_id if isinstance(fr, f.Message) else getattr(fr, "call", fr).call_id) == call.call_id]
    assert about and isinstance(about[0], f.Message), [type(fr).__name__ for fr in about]  # the card first
    assert call.delivered_at is not None  # delivered when the stored card went to the page that was back


async def test_invitations_sent_at_once_from_the_agents_workstations_make_one_call(clients, relay: RunningRelay):
    """The check that no call is being set up and the call's reservation must not be split by a read
    that waits (PostgreSQL's reads do): invitations sent at the same moment make one call."""
    agent, _buyer, conv = await chatting(clients)
    workstations = [agent, *[await clients("agent1") for _ in range(3)]]  # the same agent, logged in four times
    await settle()
    results = await asyncio.gather(
        *(w.call(f.InviteCall, conversation_id=conv, reason="演示安装") for w in workstations),
        return_exceptions=True)
    invited = [r for r in results if isinstance(r, f.CallUpdate)]
    busy = [r for r in results if isinstance(r, RelayError) and r.code == "call_busy"]
    assert (len(invited), len(busy)) == (1, 3), results
    await settle()
    assert [r["state"] for r in calls_table(relay)] == ["invited"]
