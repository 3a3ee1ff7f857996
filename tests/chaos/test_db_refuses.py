"""The relay's database refusing writes mid-chat (issue 14): a full disk, a file that may not grow, a stopped
PostgreSQL. While it refuses, a `send` gets an `unavailable` error frame and never an ack; nothing acked
before is lost; the relay neither crashes nor wedges its writer, and `/readyz` says the database fails; once
the database takes writes again, new sends succeed without a restart, the relay is ready again by itself, and
the clients' resends (same `client_msg_id`) store every message exactly once, at dense seqs.

How each test makes the database refuse, without a hook in the relay for it:

- SQLite, refused at the INSERT: `PRAGMA max_page_count` set to the file's page count. The pragma is per
  connection, so a second connection to the file could not impose it on the relay: it is set by a write the
  test submits to the relay's own writer, which runs writes as functions of its connection. SQLite then
  answers SQLITE_FULL ("database or disk is full") the moment a write needs a new page, the way a real full
  disk answers a transaction whose page cache spills before its commit.
- SQLite, refused at the COMMIT: the relay runs as its own process and the test lowers that process's
  RLIMIT_FSIZE (prlimit(2)) to 0, so the kernel refuses to grow any file of it, the WAL included, as a full
  file system does (EFBIG instead of ENOSPC: "disk I/O error" instead of "database or disk is full", the
  same path in the writer). Raising the limit again is the space coming back.
- PostgreSQL: the server is stopped (`pg_ctl stop -m fast`) mid-chat and started again on its port.
"""

from __future__ import annotations

import asyncio
import resource
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import pytest

from app import outbox
from app.client import KefuClient
from app.config import DeskConfig
from app.errors import RelayError
from app.events import Notice
from app.relay_process import spawn_relay
from relay.clock import FakeClock
from relay.config import RateLimit, RelayConfig
from relay.seeding import seed_demo
from relay.store.interface import AppendResult, StoreUnavailable
from relay.store.postgres import PostgresStore
from relay.store.sqlite import SqliteStore
from tests.app.helpers import Desk, Desks, assigned_chat
from tests.conftest import RunningRelay, client_factory, start_relay
from tests.relay.helpers import db_rows, next_chat, until
from tests.servers import PostgresServer
from wire import frames as f
from wire.errors import ErrorCode

BUYER = "b-jiadian-0001"
ROUNDS = 40
"""Most rounds of pipelined sends before the page limit must have refused one."""
IN_FLIGHT = 20
OUTBOX_WAIT_S = 15.0
"""The outbox retries `unavailable` with a pause growing to 5 s: a message waits at most that after recovery."""
UNLIMITED_PAGES = 1073741823


def fast_config(data_dir: Path, database: str | None = None) -> RelayConfig:
    """The relay of the tests on this data dir (SQLite unless `database`), rate limits out of the way."""
    return RelayConfig(data_dir=data_dir, port=0, synchronous="NORMAL", database=database,
                       buyer_rate=RateLimit(rate=1000, burst=1000), agent_rate=RateLimit(rate=1000, burst=1000))


@pytest.fixture
async def sqlite_relay(data_dir: Path, fake_clock: FakeClock) -> AsyncIterator[RunningRelay]:
    """A relay on a real SQLite file whatever KEFU_TEST_STORE says (these tests choose their database)."""
    runner, running = await start_relay(fast_config(data_dir), fake_clock)
    yield running
    await runner.cleanup()


@pytest.fixture
async def make_clients() -> AsyncIterator[Callable[..., Any]]:
    async with client_factory() as make:
        yield make


async def desk_on(relay: RunningRelay, tmp_path: Path) -> tuple[Desks, Desk]:
    """agent1's workstation core (DeskService: outbox, local history) connected to `relay`."""
    desks = Desks(relay, DeskConfig(data_dir=tmp_path / "desk", reconnect_max_s=0.2, request_timeout_s=5.0))
    return desks, await desks.open("agent1")


def count_sends(desk: Desk, monkeypatch: pytest.MonkeyPatch, enough: int) -> asyncio.Event:
    """Make the outbox's pauses between attempts short, and set the event once it has sent `enough` `send`s."""
    monkeypatch.setattr(outbox, "RETRY_PAUSE_MAX_S", 0.05)
    client = desk.service.client
    call = client.call
    sends: list[Any] = []
    reached = asyncio.Event()

    async def counted(frame_type: type[Any], **fields: Any) -> f.ServerFrame:
        if frame_type is f.Send:
            sends.append(fields)
            if len(sends) >= enough:
                reached.set()
        return await call(frame_type, **fields)

    monkeypatch.setattr(client, "call", counted)
    return reached


async def close_desks(desks: Desks) -> None:
    for desk in desks.opened:
        await desk.service.close()


async def get_json(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status, msgspec.json.decode(await resp.read())


def long_text(first_words: str) -> str:
    return first_words + "很长" * 100


LONG_REPLY = long_text("稍等，我查一下")


async def pipelined(buyer: KefuClient, cid: int, first: int, count: int) -> list[f.Ack | BaseException]:
    return await asyncio.gather(*(buyer.send_text(cid, long_text(f"买家第{n}条消息"), f"buyer-{n}")
                                  for n in range(first, first + count)), return_exceptions=True)


def sort_answers(answers: list[f.Ack | BaseException], acked: dict[str, int], refused: list[BaseException]) -> None:
    """Acks into `acked` (client_msg_id -> seq); every other answer must be `unavailable`."""
    for answer in answers:
        if isinstance(answer, f.Ack):
            acked[answer.client_msg_id] = answer.seq
        else:
            assert isinstance(answer, RelayError) and answer.code == ErrorCode.UNAVAILABLE, repr(answer)
            assert answer.message in ("message not stored; retry with the same client_msg_id",  # refused
                                      # (a later one, pipelined behind a refused one: it waits for its resend)
                                      "message not stored: an earlier one into this conversation was not;"
                                      " resend that one first"), answer.message
            refused.append(answer)


def assert_stored_once_at_dense_seqs(relay: RunningRelay | RelayConfig, cid: int, acked: dict[str, int],
                                     expected: set[str]) -> None:
    """Every ack names its message's seq, each expected client_msg_id is stored once, the seqs are 1..n."""
    rows = db_rows(relay, "SELECT seq, client_msg_id FROM messages WHERE conversation_id = ? ORDER BY seq", (cid,))
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
    stored = [cmid for _, cmid in rows if cmid is not None]
    assert len(stored) == len(set(stored)), "a message stored twice"
    at = {cmid: seq for seq, cmid in rows}
    lost = {cmid: seq for cmid, seq in acked.items() if at.get(cmid) != seq}
    assert not lost, f"acked but not stored at the acked seq: {lost}"
    assert expected <= set(stored), f"never stored: {expected - set(stored)}"


async def ready(relay_url: str) -> tuple[int, dict[str, Any]]:
    return await get_json(relay_url + "/readyz")


async def until_ready(relay_url: str, timeout: float = 20.0) -> None:
    """Poll /readyz (as a load balancer does) until it answers 200; fail after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while (await ready(relay_url))[0] != 200:
            await asyncio.sleep(0.1)


# --- SQLite: the page limit, refused at the INSERT -------------------------------------------------------


async def test_sqlite_full_mid_chat_refuses_sends_loses_no_ack_and_recovers_by_itself(
    sqlite_relay: RunningRelay, make_clients: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = sqlite_relay
    desks, desk = await desk_on(relay, tmp_path)
    try:
        buyer, cid = await assigned_chat(desk, lambda **kw: make_clients(relay.url, **kw), BUYER, "你好，在吗？")
        hello = await desk.service.send_text(cid, "在的，亲")
        await desk.events.stored(hello.client_msg_id)
        writer = relay.relay.store._writer  # type: ignore[attr-defined]  (its own connection: see the docstring)
        pages = await writer.submit(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0])
        await writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}").fetchone())

        acked: dict[str, int] = {}
        refused: list[BaseException] = []
        sent = 0
        for _ in range(ROUNDS):  # free room in the last pages takes a few more messages first
            sort_answers(await pipelined(buyer, cid, sent, IN_FLIGHT), acked, refused)
            sent += IN_FLIGHT
            if refused:
                break
        assert refused, f"{sent} messages and the page limit refused none"
        # A refused transaction leaves the room it would have used: one message at a time until even one
        # has no room (from then on no message this long has any).
        # (The earliest refused one first: the later ones wait for it, see the test below.)
        refused_in_bulk = len(refused)
        for _ in range(IN_FLIGHT):
            if buyer.unacked:
                earliest = next(iter(buyer.unacked.values()))
                sort_answers(await asyncio.gather(buyer.send_text(cid, earliest.text, earliest.client_msg_id),
                                                  return_exceptions=True), acked, refused)
            else:
                sort_answers(await pipelined(buyer, cid, sent, 1), acked, refused)
                sent += 1
            if len(refused) > refused_in_bulk:
                break
        else:
            raise AssertionError("the page limit keeps taking messages")
        assert buyer.unacked and not set(buyer.unacked) & set(acked)  # kept for the resend

        # The workstation's reply waits in its outbox ("sending", not failed); the agent is told why. (As long
        # as the refused messages: the room left in the last page is as it was, too small for it.)
        # Refused more often than the outbox retries `internal`: still not failed.
        mark = desk.events.mark()
        attempts = count_sends(desk, monkeypatch, outbox.RETRY_LIMIT + 2)
        typed = await desk.service.send_text(cid, LONG_REPLY)
        notice = await desk.events.first(Notice, since=mark, code=ErrorCode.UNAVAILABLE)
        assert notice.error.message == "message not stored; retry with the same client_msg_id"
        await asyncio.wait_for(attempts.wait(), OUTBOX_WAIT_S)
        assert [m.state for m in await desk.service.history.outbox()] == ["sending"]
        assert [e for e in desk.events.events[mark:] if isinstance(e, Notice)] == [notice]  # told once

        status, body = await ready(relay.url)
        assert status == 503 and body["checks"]["database"].startswith("unavailable"), body
        assert "full" in body["checks"]["database"], body
        status, health = await get_json(relay.url + "/healthz")
        assert status == 503 and health["db"]["last_error"] == "database or disk is full", health

        await writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}").fetchone())
        # Nobody restarts anything: readiness comes back by itself, the resends are stored once.
        status, body = await ready(relay.url)
        assert status == 200 and body["checks"]["database"] == "ok", body
        acked |= {ack.client_msg_id: ack.seq for ack in await buyer.resend_unacked()}
        assert not buyer.unacked
        after: list[BaseException] = []
        sort_answers(await pipelined(buyer, cid, sent, IN_FLIGHT), acked, after)
        assert not after
        stored = await desk.events.until(
            lambda: next((m for m in desk.events.updates(typed.client_msg_id) if m.seq is not None), None),
            "the reply stored once the database takes writes", timeout=OUTBOX_WAIT_S)
        assert (await next_of_text(buyer, LONG_REPLY)).seq == stored.seq
        assert await desk.service.history.outbox() == []
        expected = {f"buyer-{n}" for n in range(sent + IN_FLIGHT)} | {hello.client_msg_id, typed.client_msg_id}
        assert_stored_once_at_dense_seqs(relay, cid, acked, expected)
    finally:
        await close_desks(desks)


async def test_a_send_refused_as_unavailable_keeps_its_place_the_later_ones_wait_for_its_resend(
    sqlite_relay: RunningRelay, make_clients: Callable[..., Any]
) -> None:
    """Found by the chaos run with PostgreSQL restarted mid-burst: a buyer's pipelined send was refused
    (the database away) and the next one, read a moment later, was stored before the refused one's
    resend. Now a later send into that conversation on that connection is refused, unattempted, until
    the refused one is sent again; then both are stored in the order sent."""
    relay = sqlite_relay
    buyer = await make_clients(relay.url, buyer=BUYER)
    cid = (await buyer.open_conversation("jiadian")).conversation_id
    writer = relay.relay.store._writer  # type: ignore[attr-defined]
    pages = await writer.submit(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0])
    await writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}").fetchone())
    acked: dict[str, int] = {}
    refused: list[BaseException] = []
    sent = 0
    while not refused:  # free room in the last pages takes a few first
        assert sent < ROUNDS * IN_FLIGHT, "the page limit refused nothing"
        sort_answers(await pipelined(buyer, cid, sent, 1), acked, refused)
        sent += 1
    first_refused = f"buyer-{sent - 1}"
    await writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}").fetchone())

    with pytest.raises(RelayError) as held:  # the database takes writes again, but this one must wait
        await buyer.send_text(cid, "后来的一条", "later")
    assert held.value.code == ErrorCode.UNAVAILABLE and "resend that one first" in held.value.message
    assert list(buyer.unacked) == [first_refused, "later"]
    acked |= {ack.client_msg_id: ack.seq for ack in await buyer.resend_unacked()}
    assert acked[first_refused] < acked["later"]
    assert_stored_once_at_dense_seqs(relay, cid, acked, {f"buyer-{n}" for n in range(sent)} | {"later"})


async def next_of_text(client: KefuClient, text: str) -> f.Message:
    """The next chat message pushed to `client` with this text (the ones before it skipped)."""
    while True:
        msg = await next_chat(client, timeout=OUTBOX_WAIT_S)
        if msg.text == text:
            return msg


async def test_sqlite_writes_refused_inside_one_transaction_fail_every_write_of_it_and_ack_none(
    data_dir: Path
) -> None:
    """The writer's own regression: appends that share a transaction when SQLite refuses one of them.

    Before: the refused INSERT was redone with a savepoint per write; SQLITE_FULL had rolled back the whole
    transaction, so `ROLLBACK TO` raised out of `append_message_then` into the caller, the writes after it
    were never answered, and the ones before it stayed in the writer's batch and were acked at the next
    commit although SQLite had rolled them back: acked and lost."""
    store = SqliteStore(data_dir / "relay.sqlite3", synchronous="NORMAL")
    await store.open()
    try:
        shop = await store.get_shop("jiadian")
        assert shop is not None
        conv, _ = await store.open_conversation(shop.id, BUYER, FakeClock().now_ms())
        writer = store._writer
        assert writer is not None
        pages = await writer.submit(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0])
        await writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}").fetchone())
        answers: dict[str, list[tuple[AppendResult | None, BaseException | None]]] = {}

        def append(cmid: str) -> None:
            answers[cmid] = []
            store.append_message_then(lambda value, error: answers[cmid].append((value, error)), conv.id,
                                      "buyer", BUYER, "买家", cmid, "一条很长的消息" * 60, FakeClock().now_ms())

        for n in range(200):  # all in this loop turn: one open transaction until the refusal
            append(f"m{n}")
        await until(lambda: all(answers.values()), timeout=5)
        assert all(len(a) == 1 for a in answers.values()), "a write answered twice"
        acked = {cmid: a[0][0].message.seq for cmid, a in answers.items() if a[0][0] is not None}
        errors = [a[0][1] for a in answers.values() if a[0][1] is not None]
        assert errors and all(isinstance(e, StoreUnavailable) for e in errors), errors
        assert store.health()["last_error"] == "database or disk is full"
        with pytest.raises(StoreUnavailable):
            await store.probe_write()

        await writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}").fetchone())
        await store.probe_write()
        assert store.health()["ok"]
        for n in range(200, 210):
            append(f"m{n}")
        await until(lambda: all(answers.values()), timeout=5)
        assert all(a[0][1] is None for cmid, a in answers.items() if int(cmid[1:]) >= 200)
        acked |= {cmid: a[0][0].message.seq for cmid, a in answers.items() if a[0][0] is not None}
    finally:
        await store.close()
    with closing(sqlite3.connect(data_dir / "relay.sqlite3")) as db:
        rows = db.execute("SELECT seq, client_msg_id FROM messages WHERE conversation_id = ? ORDER BY seq",
                          (conv.id,)).fetchall()
    assert {cmid: seq for seq, cmid in rows if cmid in acked} == acked, "an acked write is not stored"
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))


# --- SQLite: a file that may not grow, refused at the COMMIT ---------------------------------------------


async def test_sqlite_file_that_may_not_grow_refuses_sends_and_readyz_says_so_until_it_may(
    data_dir: Path, make_clients: Callable[..., Any]
) -> None:
    relay = await spawn_relay(data_dir, "--buyer-rate", "1000/1000", "--agent-rate", "1000/1000")
    pid = relay.proc.pid
    try:
        agent = await make_clients(relay.url, "agent1")
        buyer = await make_clients(relay.url, buyer=BUYER)
        cid = (await buyer.open_conversation("jiadian")).conversation_id
        first = await buyer.send_text(cid, "你好", "before")
        assert (await next_chat(agent)).seq == first.seq
        reply = await agent.send_text(cid, "在的", "agent-before")
        assert (await next_chat(buyer)).seq == reply.seq
        limits = resource.prlimit(pid, resource.RLIMIT_FSIZE)
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, limits[1]))
        try:
            acked: dict[str, int] = {first.client_msg_id: first.seq, reply.client_msg_id: reply.seq}
            refused: list[BaseException] = []
            sort_answers(await pipelined(buyer, cid, 0, IN_FLIGHT), acked, refused)
            assert len(refused) == IN_FLIGHT  # nothing can be committed
            with pytest.raises(RelayError) as agent_refused:
                await agent.send_text(cid, "稍等", "agent-during")
            assert agent_refused.value.code == ErrorCode.UNAVAILABLE
            status, body = await ready(relay.url)
            assert status == 503 and body["checks"]["database"].startswith("unavailable"), body
            status, health = await get_json(relay.url + "/healthz")
            assert status == 503 and health["db"]["last_error"], health
        finally:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, limits)
        assert relay.proc.returncode is None, "the relay died"
        status, body = await ready(relay.url)
        assert status == 200 and body["checks"]["database"] == "ok", body
        acked |= {ack.client_msg_id: ack.seq for ack in await buyer.resend_unacked()}
        acked |= {ack.client_msg_id: ack.seq for ack in await agent.resend_unacked()}
        assert not buyer.unacked and not agent.unacked
        expected = {f"buyer-{n}" for n in range(IN_FLIGHT)} | {"before", "agent-before", "agent-during"}
    finally:
        await relay.stop()
    assert_stored_once_at_dense_seqs(fast_config(data_dir), cid, acked, expected)


# --- PostgreSQL: the server stopped mid-chat -------------------------------------------------------------


@pytest.fixture
async def own_postgres(data_dir: Path) -> AsyncIterator[tuple[PostgresServer, str]]:
    """A PostgreSQL server of this test alone (it is stopped and started again), seeded with the demo shops."""
    server = await asyncio.to_thread(PostgresServer(durable=False).start)
    try:
        dsn = await asyncio.to_thread(server.create_database, "kefu")
        store = PostgresStore(dsn)
        await store.open()
        await seed_demo(store, FakeClock().now_ms())
        await store.close()
        yield server, dsn
    finally:
        await asyncio.to_thread(server.stop)


@pytest.mark.slow
async def test_postgresql_stopped_mid_chat_refuses_sends_and_the_chat_resumes_when_it_is_back(
    own_postgres: tuple[PostgresServer, str], data_dir: Path, fake_clock: FakeClock,
    make_clients: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, dsn = own_postgres
    runner, relay = await start_relay(fast_config(data_dir, dsn), fake_clock)
    desks, desk = await desk_on(relay, tmp_path)
    try:
        buyer, cid = await assigned_chat(desk, lambda **kw: make_clients(relay.url, **kw), BUYER, "你好，在吗？")
        hello = await desk.service.send_text(cid, "在的，亲")
        await desk.events.stored(hello.client_msg_id)
        await asyncio.to_thread(server.halt)

        acked: dict[str, int] = {}
        refused: list[BaseException] = []
        sort_answers(await pipelined(buyer, cid, 0, IN_FLIGHT), acked, refused)
        assert len(refused) == IN_FLIGHT
        mark = desk.events.mark()
        attempts = count_sends(desk, monkeypatch, outbox.RETRY_LIMIT + 2)
        typed = await desk.service.send_text(cid, "稍等，我查一下")
        await desk.events.first(Notice, since=mark, code=ErrorCode.UNAVAILABLE)
        await asyncio.wait_for(attempts.wait(), OUTBOX_WAIT_S)
        assert [m.state for m in await desk.service.history.outbox()] == ["sending"]
        status, body = await ready(relay.url)
        assert status == 503 and body["checks"]["database"].startswith("unavailable"), body

        await asyncio.to_thread(server.resume)
        await until_ready(relay.url)  # the read pool reconnects with a pause of its own
        acked |= {ack.client_msg_id: ack.seq for ack in await buyer.resend_unacked()}
        assert not buyer.unacked
        stored = await desk.events.until(
            lambda: next((m for m in desk.events.updates(typed.client_msg_id) if m.seq is not None), None),
            "the reply stored once PostgreSQL is back", timeout=OUTBOX_WAIT_S)
        assert (await next_of_text(buyer, "稍等，我查一下")).seq == stored.seq
        expected = {f"buyer-{n}" for n in range(IN_FLIGHT)} | {hello.client_msg_id, typed.client_msg_id}
        assert_stored_once_at_dense_seqs(relay, cid, acked, expected)
    finally:
        await close_desks(desks)
        await runner.cleanup()
