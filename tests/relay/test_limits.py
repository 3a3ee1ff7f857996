"""Bad input gets its documented error and stores nothing; limits hold."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import psycopg
import pytest

from app.client import buyer_session
from relay.config import RateLimit
from relay.server import HARD_FRAME_LIMIT
from tests.conftest import RunningRelay, start_relay
from tests.relay.helpers import db_rows, stored_count
from wire import MAX_FRAME_BYTES

BUYER = "b-jiadian-0001"


class RawBuyer:
    """A buyer speaking raw frames, to send what a well-behaved client never would."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def recv(self) -> dict:  # type: ignore[type-arg]
        return json.loads(await self.ws.receive_str(timeout=5))

    async def request(self, frame: dict | str | bytes) -> dict:  # type: ignore[type-arg]
        if isinstance(frame, dict):
            await self.ws.send_str(json.dumps(frame))
        elif isinstance(frame, bytes):
            await self.ws.send_bytes(frame)
        else:
            await self.ws.send_str(frame)
        return await self.recv()


async def raw_buyer(url: str, http: aiohttp.ClientSession) -> tuple[RawBuyer, int]:
    token = (await buyer_session(url, BUYER)).token
    ws = await http.ws_connect(url.replace("http", "ws", 1) + "/ws", headers={"Authorization": f"Bearer {token}"},
                               max_msg_size=0)
    raw = RawBuyer(ws)
    assert (await raw.recv())["type"] == "welcome"
    assert (await raw.request({"type": "sync", "id": "s"}))["type"] == "synced"
    opened = await raw.request({"type": "open", "id": "o", "shop": "jiadian"})
    return raw, opened["conversation"]["conversation_id"]


@pytest.fixture
async def buyer(relay: RunningRelay) -> AsyncIterator[tuple[RawBuyer, int]]:
    async with aiohttp.ClientSession() as http:
        raw, conv = await raw_buyer(relay.url, http)
        yield raw, conv
        await raw.ws.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_frame"),
        ("[1, 2]", "bad_frame"),
        ('"just a string"', "bad_frame"),
        ({"id": "x1"}, "unknown_type"),
        ({"type": "teleport", "id": "x2"}, "unknown_type"),
        ({"type": "ack", "id": "x3"}, "unknown_type"),
        ({"type": "send", "id": "x4", "client_msg_id": "c", "text": "hi"}, "invalid_field"),
        ({"type": "send", "id": "x5", "conversation_id": "1", "client_msg_id": "c", "text": "hi"}, "invalid_field"),
        ({"type": "send", "id": "x6", "conversation_id": 1, "client_msg_id": "", "text": "hi"}, "invalid_field"),
        ({"type": "send", "id": "x7", "conversation_id": 1, "client_msg_id": "c", "text": ""}, "invalid_field"),
        ({"type": "send", "id": "x8", "conversation_id": 1, "client_msg_id": "c", "text": "长" * 5001},
         "invalid_field"),
        ({"type": "history", "id": "x9", "conversation_id": 1, "limit": 100000}, "invalid_field"),
        (b'{"type": "sync", "id": "b"}', "bad_frame"),
    ],
)
async def test_bad_frames_get_their_error_and_store_nothing(buyer, relay: RunningRelay, frame, code) -> None:
    raw, _ = buyer
    reply = await raw.request(frame)
    assert reply["type"] == "error"
    assert reply["code"] == code
    assert reply["message"]
    assert stored_count(relay, "text") == 0
    # The connection survives bad input.
    assert (await raw.request({"type": "sync", "id": "again"}))["type"] == "synced"


async def test_error_echoes_the_request_id_when_it_can(buyer) -> None:
    raw, _ = buyer
    reply = await raw.request({"type": "send", "id": "abc", "conversation_id": "nope"})
    assert reply["id"] == "abc"


async def test_frame_over_64_kib_is_refused_and_not_stored(buyer, relay: RunningRelay) -> None:
    raw, conv = buyer
    frame = {"type": "send", "id": "big", "conversation_id": conv, "client_msg_id": "big", "text": "x" * 4000,
             "padding": "p" * (65 * 1024)}
    data = json.dumps(frame)
    assert len(data) > MAX_FRAME_BYTES
    reply = await raw.request(data)
    assert reply["code"] == "too_large"
    assert stored_count(relay, "text") == 0
    ok = await raw.request({"type": "send", "id": "small", "conversation_id": conv, "client_msg_id": "s", "text": "ok"})
    assert ok["type"] == "ack"


async def test_flood_past_the_rate_limit_is_refused(make_config) -> None:
    config = make_config(buyer_rate=RateLimit(rate=2, burst=5))
    runner, running = await start_relay(config)
    try:
        async with aiohttp.ClientSession() as http:
            raw, conv = await raw_buyer(running.url, http)  # sync + open use 2 of the 5
            for i in range(10):
                await raw.ws.send_str(json.dumps({"type": "send", "id": f"f{i}", "conversation_id": conv,
                                                  "client_msg_id": f"f{i}", "text": f"刷屏{i}"}))
            replies = [await raw.recv() for _ in range(10)]
            acks = [r for r in replies if r["type"] == "ack"]
            limited = [r for r in replies if r.get("code") == "rate_limited"]
            assert len(acks) == 3 and len(limited) == 7
            assert all(r["retry_after"] > 0 for r in limited)
            assert stored_count(running, "text") == 3
            await raw.ws.close()
    finally:
        await runner.cleanup()


async def test_no_permessage_deflate_is_negotiated(relay: RunningRelay) -> None:
    token = (await buyer_session(relay.url, BUYER)).token
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(relay.ws_url, headers={"Authorization": f"Bearer {token}"}, compress=15)
        assert ws.compress == 0
        await ws.close()


async def test_connection_that_never_syncs_is_closed(make_config) -> None:
    runner, running = await start_relay(make_config(sync_timeout_s=0.3))
    try:
        token = (await buyer_session(running.url, BUYER)).token
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(running.ws_url, headers={"Authorization": f"Bearer {token}"})
            assert (await ws.receive_json())["type"] == "welcome"
            closing = await ws.receive(timeout=5)
            assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert ws.close_code == 1008
    finally:
        await runner.cleanup()


async def test_slow_consumer_is_disconnected_with_reason(make_config) -> None:
    runner, running = await start_relay(make_config(send_queue_frames=3))
    try:
        token = (await buyer_session(running.url, BUYER)).token
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(running.ws_url, headers={"Authorization": f"Bearer {token}"})
            conn = next(iter(running.relay.connections))
            # Fill the queue faster than the pump can drain it, in one loop step.
            for _ in range(10):
                conn.send(b'{"type":"ok","id":"x"}')
            while True:
                msg = await ws.receive(timeout=5)
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    break
            assert ws.close_code == 4008
    finally:
        await runner.cleanup()


async def test_rate_limited_error_names_the_request_and_the_client_waits_and_retries(make_config) -> None:
    from app.client import KefuClient

    runner, running = await start_relay(make_config(buyer_rate=RateLimit(rate=20, burst=4)))
    try:
        client = KefuClient(running.url, (await buyer_session(running.url, BUYER)).token)
        await client.connect()
        conv = await client.open_conversation("jiadian")
        acks = await asyncio.gather(*(client.send_text(conv.conversation_id, f"快速{i}") for i in range(12)))
        assert len({a.seq for a in acks}) == 12
        assert stored_count(running, "text") == 12
        await client.close()
    finally:
        await runner.cleanup()


async def hold_commits(relay: RunningRelay, conversation_id: int) -> Callable[[], None]:
    """Commit nothing until the function returned is called. SQLite: the writer starts no transaction.
    PostgreSQL: another connection holds the conversation's row lock, as another relay's batch would,
    so the writer's next batch that appends to it waits (and everything queued behind it)."""
    if relay.config.database is None:
        writer = relay.relay.store._writer  # type: ignore[attr-defined]
        await writer.hold()
        return writer.release  # type: ignore[no-any-return]
    other = psycopg.connect(relay.config.database)
    other.execute("SELECT id FROM conversations WHERE id = %s FOR UPDATE", (conversation_id,))

    def release() -> None:
        if not other.closed:
            other.commit()
            other.close()

    return release


async def test_a_client_sending_faster_than_commits_is_held_back_not_dropped(
    relay: RunningRelay, buyer: tuple[RawBuyer, int]
) -> None:
    from relay.sessions import MAX_PENDING_WRITES

    raw, conv = buyer
    store = relay.relay.store
    release = await hold_commits(relay, conv)  # nothing commits: every send stays pending
    sent = 3 * MAX_PENDING_WRITES
    try:
        for i in range(sent):
            await raw.ws.send_str(json.dumps({"type": "send", "id": f"r{i}", "conversation_id": conv,
                                              "client_msg_id": f"flood-{i}", "text": f"第{i}条"}))
        await asyncio.sleep(0.2)
        assert store.health()["pending_writes"] <= MAX_PENDING_WRITES  # the relay stopped reading this socket
    finally:
        release()  # even when the test failed: the relay's writer would wait for ever
    acks = [await raw.recv() for _ in range(sent)]
    assert [a["type"] for a in acks] == ["ack"] * sent
    assert [a["id"] for a in acks] == [f"r{i}" for i in range(sent)]
    assert [a["seq"] for a in acks] == list(range(1, sent + 1))
    assert stored_count(relay, "text") == sent


# Found by tests/relay/test_fuzz.py: each of these was answered `internal` (with a traceback in the relay's log)
# or stored as sent.

DEEP = b"[" * 10_000 + b"]" * 10_000


@pytest.mark.parametrize(("data", "code"), [
    (b'{"type":"send","id":"u","conversation_id":CONV,"client_msg_id":"c","text":"\xff\xfe"}', "bad_frame"),
    (b'{"type":"sync","id":"d","x":' + DEEP + b"}", "bad_frame"),
    (b'{"type":"sync","id":"n","cursors":null}', "invalid_field"),
    (b'{"type":"history","id":"h","conversation_id":9223372036854775808}', "invalid_field"),
    (b'{"type":"sync","id":"s","cursors":{"CONV":18446744073709551616}}', "invalid_field"),
    (b'{"type":"send","id":"z","conversation_id":CONV,"client_msg_id":"c","text":"a\\u0000"}', "invalid_field"),
])
async def test_frames_msgspec_let_through_get_their_documented_error_not_internal(
    buyer: tuple[RawBuyer, int], relay: RunningRelay, caplog: pytest.LogCaptureFixture, data: bytes, code: str
) -> None:
    raw, conv = buyer
    await raw.ws.send_frame(data.replace(b"CONV", str(conv).encode()), aiohttp.WSMsgType.TEXT)
    reply = await raw.recv()
    assert (reply["type"], reply["code"]) == ("error", code)
    assert stored_count(relay, "text") == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await raw.request({"type": "sync", "id": "again"}))["type"] == "synced"


async def test_a_frame_of_exactly_the_hard_limit_is_too_large_and_the_socket_stays_open(
    buyer: tuple[RawBuyer, int],
) -> None:
    raw, _ = buyer
    frame = {"type": "sync", "id": "big", "pad": ""}
    frame["pad"] = "p" * (HARD_FRAME_LIMIT - len(json.dumps(frame, separators=(",", ":"))))
    data = json.dumps(frame, separators=(",", ":"))
    assert len(data) == HARD_FRAME_LIMIT
    assert (await raw.request(data))["code"] == "too_large"
    assert (await raw.request({"type": "sync", "id": "again"}))["type"] == "synced"


@pytest.mark.parametrize("change", [{"opens": "08:00\n"}, {"closes": "22:00\n"}])
async def test_service_hours_with_a_final_line_break_are_refused_and_not_stored(
    relay: RunningRelay, clients: Callable[..., Any], change: dict[str, str]
) -> None:
    from app.errors import RelayError
    from wire import frames as f

    supervisor = await clients("super1")
    with pytest.raises(RelayError) as err:
        await supervisor.call(f.ShopSettings, **change)
    assert err.value.code == "invalid_field"
    assert db_rows(relay, "SELECT opens, closes FROM shop_settings") == []
    config = await supervisor.call(f.GetShopConfig)  # the desk still answers (it raised in a timer before)
    assert isinstance(config, f.ShopConfig) and "\n" not in config.opens + config.closes
