"""The outbox: every typed message is stored by the relay exactly once, in the order typed, whatever
happens to the connection, the relay or the workstation's process in between."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import pytest

from app.config import DeskConfig
from app.events import ConnectionChanged, MessagesAdded, MessageUpdated, Notice
from app.history import History, LocalMessage
from tests.app.helpers import Desk, RestartableRelay, assigned_chat
from tests.relay.helpers import next_chat
from wire import frames as f

REPO = Path(__file__).resolve().parents[2]
BUYER = "b-jiadian-0007"
NOT_ASSIGNED = "this chat is not assigned to you; claim it or ask a supervisor"


@contextlib.asynccontextmanager
async def workstation_process(config: DeskConfig, relay_url: str, login: f.TokenResponse, cid: int, text: str,
                              count: int = 1) -> AsyncIterator[tuple[dict[str, Any], asyncio.subprocess.Process]]:
    """Run tests/app/outbox_child.py: it types `count` messages while the relay is down and reports
    them; it is SIGKILLed when the block ends (or the test kills it first)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.app.outbox_child", cwd=REPO,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        job = {"data_dir": str(config.data_dir), "relay_url": relay_url, "token": login.token,
               "session": msgspec.to_builtins(login.session), "conversation_id": cid, "text": text, "count": count}
        child.stdin.write(json.dumps(job).encode() + b"\n")
        await child.stdin.drain()
        line = await asyncio.wait_for(child.stdout.readline(), 60)
        assert line, "the child exited without typing"
        yield json.loads(line), child
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGKILL)
        code = await child.wait()
    assert code == -signal.SIGKILL


async def type_in_a_process_then_kill(config: DeskConfig, relay_url: str, login: f.TokenResponse, cid: int,
                                      text: str) -> dict[str, Any]:
    """The child types `text` while the relay is down and is SIGKILLed once it has."""
    async with workstation_process(config, relay_url, login, cid, text) as (typed, _):
        return typed


async def local_copies(desk: Desk, cid: int, client_msg_id: str) -> list[LocalMessage]:
    """Every copy of one message in the desk's history (stored or queued)."""
    return [m for m in await desk.service.history.page(cid, None, 200) if m.client_msg_id == client_msg_id]


def bubbles(desk: Desk, client_msg_id: str) -> list[LocalMessage]:
    """How often the event stream told the UI to add a row for this message."""
    return [m for e in desk.events.of(MessagesAdded) for m in e.messages if m.client_msg_id == client_msg_id]


def close_after_sending(monkeypatch: pytest.MonkeyPatch, text: str) -> asyncio.Event:
    """The first time a frame carrying `text` has been written to a WebSocket, the client closes that
    socket. The relay reads the frame before the close, so it stores the message; its ack has
    nowhere to go. The event is set as the socket closes."""
    send_frame = aiohttp.ClientWebSocketResponse.send_frame
    cut = asyncio.Event()

    async def send_then_close(ws: aiohttp.ClientWebSocketResponse, message: bytes, *args: Any, **kw: Any) -> None:
        await send_frame(ws, message, *args, **kw)
        if not cut.is_set() and b'"type":"send"' in message and text.encode() in message:
            cut.set()
            await ws.close()

    monkeypatch.setattr(aiohttp.ClientWebSocketResponse, "send_frame", send_then_close)
    return cut


# --- a crash of the workstation -------------------------------------------------------------


async def test_a_message_typed_offline_survives_a_kill_and_is_sent_once_by_the_next_start(
    desks, clients, relay: RestartableRelay, desk_config: DeskConfig
) -> None:
    first = await desks.open("agent1")
    _, cid = await assigned_chat(first, clients, BUYER, "在吗？")
    path = first.service.history.path
    await first.service.close()
    await relay.stop()

    typed = await type_in_a_process_then_kill(desk_config, relay.url, desks.logins["agent1"], cid, "您好，在的")
    assert typed["state"] == "sending" and typed["seq"] is None and typed["outbox"] == [typed["client_msg_id"]]
    cmid = typed["client_msg_id"]
    history = History(path)  # what the killed process left on disk
    await history.open()
    left = await history.outbox()
    await history.close()
    assert [(m.client_msg_id, m.state, m.text) for m in left] == [(cmid, "sending", "您好，在的")]
    assert relay.count(cmid) == 0

    await relay.start()
    second = await desks.open("agent1")
    sent = await second.events.stored(cmid)
    assert relay.count(cmid) == 1
    assert [(seq, kind) for seq, c, kind, _ in relay.messages(cid) if c == cmid] == [(sent.seq, "agent")]
    assert [(m.seq, m.state) for m in await local_copies(second, cid, cmid)] == [(sent.seq, "sent")]
    assert await second.service.history.outbox() == []
    reader = await clients(buyer=BUYER)  # the buyer sees it once, in the conversation's history
    page = await reader.history(cid)
    assert [m.seq for m in page.messages if m.client_msg_id == cmid] == [sent.seq]
    stored = len(relay.messages(cid))
    await second.service.close()

    third = await desks.open("agent1")
    await third.service.refresh_templates()  # a round trip after connecting
    assert await third.service.history.outbox() == []
    assert third.events.of(MessageUpdated) == []
    assert len(relay.messages(cid)) == stored and relay.count(cmid) == 1
    assert [m.seq for m in await local_copies(third, cid, cmid)] == [sent.seq]


async def test_a_workstation_killed_halfway_through_flushing_a_full_outbox_sends_the_rest_once(
    desks, clients, relay: RestartableRelay, desk_config: DeskConfig
) -> None:
    """300 replies typed while the relay was down; the relay comes back and the process is SIGKILLed
    while it flushes them (some stored and acked, one perhaps stored with its ack lost, the rest
    never sent). The next start sends what is left: each of the 300 stored once, in the order typed."""
    total = 300
    first = await desks.open("agent1")
    _, cid = await assigned_chat(first, clients, BUYER, "在吗？")
    path = first.service.history.path
    await first.service.close()
    await relay.stop()

    def stored(ids: list[str]) -> list[str]:
        ours = set(ids)
        return [c for _, c, _, _ in relay.messages(cid) if c in ours]

    async with workstation_process(desk_config, relay.url, desks.logins["agent1"], cid, "型号确认", total) as (
            job, child):
        typed: list[str] = job["typed"]
        assert job["outbox"] == typed and len(set(typed)) == total
        await relay.start()  # the child reconnects (0.2 s backoff) and flushes in order
        for _ in range(3000):
            if len(stored(typed)) >= 20:
                break
            await asyncio.sleep(0.005)
        child.send_signal(signal.SIGKILL)
    at_kill = stored(typed)
    assert 20 <= len(at_kill) < total, f"the kill came after {len(at_kill)} of {total}: not halfway"
    assert at_kill == typed[:len(at_kill)], "flushed in the order typed"

    history = History(path)  # what the killed process left: every unsent reply still queued, in order
    await history.open()
    left = [m.client_msg_id for m in await history.outbox()]
    await history.close()
    assert left == typed[total - len(left):] and len(left) >= total - len(at_kill)

    second = await desks.open("agent1")
    for _ in range(600):
        if len(stored(typed)) == total and not await second.service.history.outbox():
            break
        await asyncio.sleep(0.05)
    assert stored(typed) == typed, "every reply stored once, in the order typed"
    assert all(relay.count(c) == 1 for c in typed)
    local = {m.client_msg_id: m for m in await second.service.history.page(cid, None, total + 50)}
    assert all(local[c].state == "sent" and local[c].seq is not None for c in typed)
    assert await second.service.history.outbox() == []


# --- an ack that never arrives --------------------------------------------------------------


async def test_an_ack_lost_with_the_connection_leaves_one_stored_message_and_one_bubble(
    desks, clients, relay: RestartableRelay, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await desks.open("agent1")
    buyer, cid = await assigned_chat(desk, clients, BUYER, "在吗？")
    cut = close_after_sending(monkeypatch, "亲，这就帮您查")
    gate = relay.hold_handshakes(desk.token)  # keeps the desk away while we look at the relay
    mark = desk.events.mark()

    typed = await desk.service.send_text(cid, "亲，这就帮您查")
    await asyncio.wait_for(cut.wait(), 5)
    offline = await desk.events.first(ConnectionChanged, status="offline", since=mark)
    assert offline.retry_in is not None
    # stored by the relay (the buyer has it), yet the desk never heard: still "sending"
    assert (await next_chat(buyer)).client_msg_id == typed.client_msg_id
    assert relay.count(typed.client_msg_id) == 1
    assert desk.events.updates(typed.client_msg_id) == []
    assert [m.state for m in await desk.service.history.outbox()] == ["sending"]

    gate.set()
    sent = await desk.events.stored(typed.client_msg_id)
    await desk.events.first(ConnectionChanged, status="online", since=mark)
    assert relay.count(typed.client_msg_id) == 1
    assert [(m.seq, m.state) for m in await local_copies(desk, cid, typed.client_msg_id)] == [(sent.seq, "sent")]
    assert await desk.service.history.outbox() == []
    # one bubble: added once while sending, then updated with its seq (by the resumed copy or a duplicate ack)
    assert [(m.seq, m.state) for m in bubbles(desk, typed.client_msg_id)] == [(None, "sending")]
    assert [m.seq for m in desk.events.updates(typed.client_msg_id)] == [sent.seq]
    # nobody got it twice: the next reply is the next thing the buyer sees
    after = await desk.service.send_text(cid, "查到了，明天发货")
    assert (await next_chat(buyer)).client_msg_id == after.client_msg_id


# --- refused for good -----------------------------------------------------------------------


async def test_a_message_refused_for_good_fails_with_the_relays_reason_and_retry_sends_it_under_its_id(
    desks, clients, relay: RestartableRelay
) -> None:
    desk = await desks.open("agent1")
    colleague = await clients("agent2")
    _, cid = await assigned_chat(desk, clients, BUYER, "我要换货")
    await desk.service.transfer(cid, colleague.session.user_id, "买家要换白色")
    await desk.events.until(lambda: not desk.view(cid).active, "the chat to leave this desk")

    typed = await desk.service.send_text(cid, "好的，我帮您换")
    failed = await desk.events.until(
        lambda: next((m for m in desk.events.updates(typed.client_msg_id) if m.state == "failed"), None),
        "the message to fail")
    assert failed.error == NOT_ASSIGNED and failed.seq is None
    # The notice carries the error itself, for the UI to word; the core words nothing.
    assert [(n.code, n.error.message) for n in desk.events.of(Notice)] == [("forbidden", NOT_ASSIGNED)]
    assert [(m.client_msg_id, m.state, m.error) for m in await desk.service.history.outbox()] == [
        (typed.client_msg_id, "failed", NOT_ASSIGNED)]
    assert relay.count(typed.client_msg_id) == 0

    await colleague.call(f.Transfer, conversation_id=cid, to_agent=desk.user_id, note="还是你来吧")
    await desk.events.until(lambda: desk.view(cid).active, "the chat to come back")
    await desk.service.retry(typed.client_msg_id)
    sent = await desk.events.stored(typed.client_msg_id)
    assert [m.state for m in desk.events.updates(typed.client_msg_id)] == ["failed", "sending", "sent"]
    assert [(seq, kind) for seq, c, kind, _ in relay.messages(cid) if c == typed.client_msg_id] == [
        (sent.seq, "agent")]
    assert await desk.service.history.outbox() == []
    assert [m.seq for m in bubbles(desk, typed.client_msg_id)] == [None]


async def test_a_text_over_the_limit_fails_as_invalid_and_fails_again_on_retry(
    desks, clients, relay: RestartableRelay
) -> None:
    desk = await desks.open("agent1")
    _, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    typed = await desk.service.send_text(cid, "长" * 5001)

    def failures() -> list[LocalMessage]:
        return [m for m in desk.events.updates(typed.client_msg_id) if m.state == "failed"]

    await desk.events.until(failures, "the long text to fail")
    notice = desk.events.of(Notice)[0]
    assert notice.code == "invalid_field" and failures()[0].error == notice.error.message
    await desk.service.retry(typed.client_msg_id)
    await desk.events.until(lambda: len(failures()) == 2, "the retry to fail again")
    assert [n.code for n in desk.events.of(Notice)] == ["invalid_field", "invalid_field"]
    assert relay.count(typed.client_msg_id) == 0
    assert [m.state for m in await desk.service.history.outbox()] == ["failed"]


# --- order ----------------------------------------------------------------------------------


async def test_messages_typed_in_order_are_stored_in_that_order_across_a_reconnect(
    desks, clients, relay: RestartableRelay
) -> None:
    desk = await desks.open("agent1")
    _, cid = await assigned_chat(desk, clients, BUYER, "在吗")
    texts = [f"第{i}条回复" for i in range(1, 10)]
    gate: list[asyncio.Event] = []

    def drop_after_the_third(event: Any) -> None:
        if (isinstance(event, MessageUpdated) and event.message.text == texts[2] and event.message.seq
                and not gate):
            gate.append(relay.hold_handshakes(desk.token))  # stays away until the test lets it back
            relay.drop(desk.user_id)

    unsubscribe: Callable[[], None] = desk.service.events.subscribe(drop_after_the_third)
    mark = desk.events.mark()
    typed = [await desk.service.send_text(cid, text) for text in texts[:6]]
    await desk.events.first(ConnectionChanged, status="offline", since=mark)
    typed += [await desk.service.send_text(cid, text) for text in texts[6:]]  # typed while disconnected
    assert not desk.service.link.online.is_set()
    gate[0].set()
    for message in typed:
        await desk.events.stored(message.client_msg_id)
    unsubscribe()

    stored = [(seq, c) for seq, c, kind, _ in relay.messages(cid) if kind == "agent"]
    assert [c for _, c in stored] == [m.client_msg_id for m in typed]
    assert [seq for seq, _ in stored] == sorted(seq for seq, _ in stored)
    local = [m for m in await desk.service.page(cid, None, 200) if m.sender_kind == "agent"]
    assert [(m.seq, m.client_msg_id, m.text) for m in local] == [
        (seq, c, t) for (seq, c), t in zip(stored, texts, strict=True)]
    assert await desk.service.history.outbox() == []
