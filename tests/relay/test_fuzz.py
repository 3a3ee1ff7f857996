"""Fuzzing the relay over a real WebSocket: frames generated from the wire types, valid and mutated.

Each test sends its cases one at a time on one raw connection (a buyer, an agent, a supervisor) and
checks every answer against what docs/protocol.md promises for that case (`tests.fuzz_strategies.judge`):
the answer of a valid request or a documented refusal of it, and for a malformed frame its documented
error frame. Afterwards the relay still serves (a fresh connection syncs, `/healthz` is ok), it logged
no error and no task of its loop failed, and the database holds no malformed text: every stored text is
a str without lone surrogates, every message within MAX_TEXT_CHARS, every acked `send` stored as sent.

Hypothesis runs in a worker thread (`run_fuzz`) and hands each batch of cases to the test's event loop,
where the relay runs: so one open socket serves every example, and the checks run after the last one.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.client import buyer_session, login
from relay.config import RateLimit, RelayConfig
from relay.server import HARD_FRAME_LIMIT
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, OTHER_SHOP, RunningRelay
from tests.fuzz_strategies import FAVOUR, REFUSALS, Case, Hints, cases, is_answer, judge
from tests.relay.helpers import db_rows
from wire import MAX_FRAME_BYTES, MAX_TEXT_CHARS
from wire import frames as f
from wire.codec import FrameError, decode_client, decode_server

BUYER = "b-jiadian-0001"
OTHER_BUYER = "b-jiadian-0002"
BATCH = 25
"""Cases per Hypothesis example, sent on the same socket one after the other."""
EXAMPLES = {"buyer": 160, "agent": 120, "supervisor": 120}
"""4,000 + 3,000 + 3,000 = 10,000 cases."""
ANSWER_S = 10.0
SURROGATE = re.compile("[\ud800-\udfff]")
TEXT_COLUMNS = (
    ("messages", "text"), ("messages", "client_msg_id"), ("messages", "sender_name"), ("staff_notes", "text"),
    ("staff_notes", "client_msg_id"), ("templates", "grp"), ("templates", "title"), ("templates", "body"),
    ("templates", "shortcut"), ("chat_sessions", "rating_comment"), ("calls", "reason"), ("calls", "complaint_text"),
    ("calls", "handled_note"), ("conversation_events", "note"), ("shop_settings", "opens"),
    ("shop_settings", "closes"), ("shop_settings", "timezone"), ("settings_audit", "old"), ("settings_audit", "new"),
)
"""Every text column a client's frame can fill."""
UNLIMITED = RateLimit(rate=1_000_000, burst=1_000_000)


@pytest.fixture
def relay_config(relay_config: RelayConfig) -> RelayConfig:
    """No rate limit: every case is answered for what it is (rate limits: tests/relay/test_limits.py)."""
    return replace(relay_config, buyer_rate=UNLIMITED, agent_rate=UNLIMITED)


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Exceptions of the loop nobody awaited (a relay task that crashed)."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield errors
    loop.set_exception_handler(None)


class Closed(Exception):
    """The relay closed the connection."""


@dataclass
class Wire:
    """A raw WebSocket to the relay that sends cases one at a time and judges each answer."""

    url: str
    token: str
    http: aiohttp.ClientSession
    ws: aiohttp.ClientWebSocketResponse | None = None
    kinds: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    acked: dict[tuple[int, int], str] = field(default_factory=dict)
    """(conversation_id, seq) -> text of every acked `send`."""

    async def open(self) -> None:
        self.ws = await self.http.ws_connect(self.url.replace("http", "ws", 1) + "/ws?v=1", compress=0,
                                             max_msg_size=0, headers={"Authorization": f"Bearer {self.token}"})
        assert (await self.frame())["type"] == "welcome"
        await self.ws.send_str('{"type": "sync", "id": "fuzz-sync"}')
        while (await self.frame()).get("id") != "fuzz-sync":
            pass

    async def frame(self) -> dict[str, Any]:
        """The next frame from the relay, which must be one of the protocol's."""
        assert self.ws is not None
        msg = await self.ws.receive(timeout=ANSWER_S)
        if msg.type is not aiohttp.WSMsgType.TEXT:
            raise Closed(f"connection closed ({msg.type.name}, code {self.ws.close_code})")
        try:
            decode_server(msg.data)
        except FrameError as exc:
            raise AssertionError(f"the relay sent a frame outside the protocol: {msg.data[:300]!r}") from exc
        frame: dict[str, Any] = msgspec.json.decode(msg.data)
        return frame

    async def ask(self, case: Case) -> str | None:
        """Send one case and judge its answer (pushed frames in between are skipped)."""
        assert self.ws is not None
        await self.ws.send_frame(case.data, aiohttp.WSMsgType.BINARY if case.binary else aiohttp.WSMsgType.TEXT)
        while not is_answer(answer := await self.frame()):
            pass
        self.answers[f"error:{answer['code']}" if answer["type"] == "error" else answer["type"]] += 1
        if answer["type"] == "ack" and case.valid:
            sent = decode_client(case.data)
            if isinstance(sent, f.Send):
                self.acked[(answer["conversation_id"], answer["seq"])] = sent.text
        return judge(case, answer)

    async def run(self, batch: list[Case]) -> list[str]:
        """Every case of the batch in turn; what was wrong (a dropped connection is reopened)."""
        problems = []
        for case in batch:
            self.kinds[case.kind] += 1
            try:
                problem = await self.ask(case)
            except (Closed, TimeoutError) as exc:
                problem = f"{case.kind}: {type(exc).__name__} {exc}"
                await self.open()
            if problem is not None:
                problems.append(f"{problem}; frame {case.data[:200]!r}")
        return problems + await self.barrier()

    async def barrier(self) -> list[str]:
        """A request of its own after the batch: any answer before its own is one answer too many."""
        assert self.ws is not None
        barrier = f"barrier-{self.kinds.total()}"
        await self.ws.send_str(f'{{"type": "ice_servers", "id": "{barrier}"}}')
        extra = []
        while (answer := await self.frame()).get("id") != barrier:
            if is_answer(answer):
                extra.append(f"a second answer to a request of the batch: {answer}")
        return extra


async def run_fuzz(wire: Wire, strategy: st.SearchStrategy[Case], examples: int) -> None:
    """`examples` batches of BATCH cases drawn by Hypothesis (in a worker thread), sent on this loop."""
    loop = asyncio.get_running_loop()
    batches = st.lists(strategy, min_size=BATCH, max_size=BATCH)

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        batch = data.draw(batches, label="batch")
        problems = asyncio.run_coroutine_threadsafe(wire.run(batch), loop).result()
        assert not problems, "\n".join(problems)

    await asyncio.to_thread(fuzz)
    assert wire.kinds.total() == examples * BATCH
    print(f"\n{wire.kinds.total()} cases: {dict(wire.kinds.most_common())}")
    print(f"answers: {dict(wire.answers.most_common())}")


def known_values(relay: RunningRelay, conversations: list[int]) -> Hints:
    """Ids that exist, mixed into the generated ones so that frames reach past the access checks."""

    def column(sql: str) -> list[Any]:
        return [row[0] for row in db_rows(relay, sql)] or [1]

    accounts = [str(a) for a in column("SELECT id FROM accounts")]
    return {
        "conversation_id": st.sampled_from(conversations), "template_id": st.sampled_from(column(
            "SELECT id FROM templates")), "template_ids": st.lists(st.sampled_from(column("SELECT id FROM templates"))),
        "sku": st.sampled_from(column("SELECT sku FROM products")),
        "order_no": st.sampled_from(column(f"SELECT order_no FROM orders WHERE buyer_id = '{BUYER}'")),
        "case_id": st.sampled_from(column("SELECT case_id FROM after_sales")),
        "agent_id": st.sampled_from(accounts), "to_agent": st.sampled_from(accounts),
        "shop": st.sampled_from([MAIN_SHOP, OTHER_SHOP]), "session_id": st.integers(1, 4),
        "timezone": st.sampled_from(["Asia/Shanghai", "UTC", "Europe/Berlin", "Not/AZone", "../../etc/passwd",
                                     "Asia/Shanghai\n", "\u202eUTC"]),
    }


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def staff_token(relay: RunningRelay, username: str) -> str:
    return (await login(relay.url, MAIN_SHOP, username, DEMO_PASSWORD)).token


async def open_chats(clients: Callable[..., Any]) -> list[int]:
    """BUYER's conversations with both shops (BUYER has written to the main one, so it is routed) and
    OTHER_BUYER's with the main shop: the buyer's own, the shop's, another shop's, another buyer's."""
    buyer = await clients(buyer=BUYER)
    main = await buyer.open_conversation(MAIN_SHOP)
    await buyer.send_text(main.conversation_id, "你好，洗衣机能上门安装吗？")
    other_shop = await buyer.open_conversation(OTHER_SHOP)
    other_buyer = await (await clients(buyer=OTHER_BUYER)).open_conversation(MAIN_SHOP)
    return [main.conversation_id, other_shop.conversation_id, other_buyer.conversation_id, 9999]


async def fuzz_as(relay: RunningRelay, http: aiohttp.ClientSession, clients: Callable[..., Any], token: str,
                  role: str, caplog: pytest.LogCaptureFixture,
                  loop_errors: list[dict[str, Any]]) -> None:
    wire = Wire(relay.url, token, http)
    await wire.open()  # synced first: an agent is online when the buyer writes, and is given the chat
    conversations = await open_chats(clients)
    await run_fuzz(wire, cases(known_values(relay, conversations), FAVOUR[role]), EXAMPLES[role])
    await assert_still_serving(relay, http, token)
    assert_no_malformed_text(relay, wire.acked)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()} {r.exc_text or ''}" for r in errors]
    assert not loop_errors, [e.get("message") or repr(e.get("exception")) for e in loop_errors]


async def assert_still_serving(relay: RunningRelay, http: aiohttp.ClientSession, token: str) -> None:
    fresh = Wire(relay.url, token, http)
    await fresh.open()
    assert fresh.ws is not None
    await fresh.ws.close()
    async with http.get(relay.url + "/healthz") as resp:
        assert resp.status == 200
        assert (await resp.json())["status"] == "ok"


def assert_no_malformed_text(relay: RunningRelay, acked: dict[tuple[int, int], str]) -> None:
    for table, column in TEXT_COLUMNS:
        for (value,) in db_rows(relay, f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"):
            well_formed = isinstance(value, str) and not SURROGATE.search(value) and "\x00" not in value
            assert well_formed, (table, column, value)
    stored = {(c, s): (text, kind) for c, s, text, kind in db_rows(
        relay, "SELECT conversation_id, seq, text, kind FROM messages")}
    for text, kind in stored.values():
        assert text and (kind != "text" or (len(text) <= MAX_TEXT_CHARS and not text.isspace())), text
    for key, text in acked.items():
        assert stored[key][0] == text, key
    hours = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]|24:00")
    for opens, closes in db_rows(relay, "SELECT opens, closes FROM shop_settings"):
        assert hours.fullmatch(opens) and hours.fullmatch(closes), (opens, closes)
    for (shortcut,) in db_rows(relay, "SELECT shortcut FROM templates"):
        assert re.fullmatch(r"[a-z0-9]{0,16}", shortcut), shortcut


async def test_a_buyers_fuzzed_frames_get_their_documented_answers(
    relay: RunningRelay, http: aiohttp.ClientSession, clients: Callable[..., Any], caplog: pytest.LogCaptureFixture,
    loop_errors: list[dict[str, Any]],
) -> None:
    token = (await buyer_session(relay.url, BUYER)).token
    await fuzz_as(relay, http, clients, token, "buyer", caplog, loop_errors)


async def test_an_agents_fuzzed_frames_get_their_documented_answers(
    relay: RunningRelay, http: aiohttp.ClientSession, clients: Callable[..., Any], caplog: pytest.LogCaptureFixture,
    loop_errors: list[dict[str, Any]],
) -> None:
    await fuzz_as(relay, http, clients, await staff_token(relay, "agent1"), "agent", caplog, loop_errors)


async def test_a_supervisors_fuzzed_frames_get_their_documented_answers(
    relay: RunningRelay, http: aiohttp.ClientSession, clients: Callable[..., Any], caplog: pytest.LogCaptureFixture,
    loop_errors: list[dict[str, Any]],
) -> None:
    await fuzz_as(relay, http, clients, await staff_token(relay, "super1"), "supervisor", caplog, loop_errors)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_the_codec_alone_refuses_each_case_as_documented(case: Case) -> None:
    """The relay's decoder against the cases' answers, without a relay: a refusal is a FrameError of an
    allowed code (never another exception), and only valid cases decode."""
    if case.binary:
        return
    try:
        decode_client(case.data)
    except FrameError as exc:
        assert exc.code in case.codes or (case.valid and exc.code in REFUSALS), (case, exc.code, exc.message)
        if exc.code in ("invalid_field", "unknown_type") and case.request_id is not None:
            assert exc.request_id == case.request_id
    else:
        assert case.valid, case


@pytest.mark.parametrize("size", [MAX_FRAME_BYTES, MAX_FRAME_BYTES + 1, HARD_FRAME_LIMIT])
async def test_frames_up_to_the_hard_limit_are_answered_and_the_socket_stays_open(
    relay: RunningRelay, http: aiohttp.ClientSession, size: int
) -> None:
    wire = Wire(relay.url, (await buyer_session(relay.url, BUYER)).token, http)
    await wire.open()
    assert wire.ws is not None
    frame = {"type": "sync", "id": "big", "pad": ""}
    frame["pad"] = "p" * (size - len(msgspec.json.encode(frame)))
    await wire.ws.send_frame(msgspec.json.encode(frame), aiohttp.WSMsgType.TEXT)
    answer = await wire.frame()
    assert answer["type"] == ("synced" if size <= MAX_FRAME_BYTES else "error")
    if size > MAX_FRAME_BYTES:
        assert answer["code"] == "too_large"
    await wire.ws.send_frame(b'{"type": "sync", "id": "after"}', aiohttp.WSMsgType.TEXT)
    assert (await wire.frame())["id"] == "after"


async def test_a_frame_over_the_hard_limit_closes_the_socket_with_1009(
    relay: RunningRelay, http: aiohttp.ClientSession
) -> None:
    token = (await buyer_session(relay.url, BUYER)).token
    wire = Wire(relay.url, token, http)
    await wire.open()
    assert wire.ws is not None
    await wire.ws.send_bytes(b"x" * (HARD_FRAME_LIMIT + 1))
    with pytest.raises(Closed):
        await wire.frame()
    assert wire.ws.close_code == 1009
    await assert_still_serving(relay, http, token)

