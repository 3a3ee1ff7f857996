"""The relay restarts during a video call (issue 14): the call ends on both sides with `relay_restarted`,
its record gets an end time and that reason, the figures agree with the records, the agent can call again,
and the chat goes on with no gap.

The first two tests run the relay as a real process (`app.relay_process`), killed with SIGKILL or stopped
with SIGTERM, then started again on the same SQLite file and port, with the agent's real desk core
(`DeskService`, its `CallManager` and aiortc media) and an aiortc buyer (`BuyerPhone`, answering as the
buyer page does) in a connected call on loopback. The others run relays in this process, for what a real
process cannot show quickly: on the fake clock, an invitation ringing at the restart and a relay that was
down past the shop's limit; a follower, and a leader that lost its lease, stopping without ending calls
that are not theirs (any more); two relays on PostgreSQL and Redis whose leader goes mid-call; and the
buyer page in Chromium, told by a relay that stops.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.async_api import expect

from app.buyer_call import BuyerPhone
from app.client import KefuClient
from app.config import DeskConfig
from app.errors import KefuError
from app.events import CallChanged
from app.relay_process import RelayProcess, spawn_relay
from relay.calls import Calls
from relay.calls_restart import RELAY_RESTARTED
from relay.clock import FakeClock
from tests.app.conftest import (
    relay,  # noqa: F401  (the in-process relay, restartable, for `clients`)
    stray_loop_errors,  # noqa: F401  (fails the test on an exception nobody awaited)
)
from tests.app.helpers import Desk, Desks, RestartableRelay, assigned_chat
from tests.conftest import client_factory
from tests.e2e.call_agent import CallAgent
from tests.e2e.conftest import call_context, call_page  # noqa: F401  (Chromium with fake camera and microphone)
from tests.e2e.test_buyer_page import stored_count, type_and_send, wait_js
from tests.e2e.test_call import accept, agent, chatting  # noqa: F401  (`agent`: the e2e CallAgent fixture)
from tests.relay.conftest import cluster_of, on  # noqa: F401  (relays on one PostgreSQL and one Redis)
from tests.relay.helpers import db_dicts, db_rows, drain, next_of, until
from tests.relay.test_calls import calls_table, invite
from tests.relay.test_calls import chatting as relay_chatting
from wire import frames as f

pytestmark = pytest.mark.usefixtures("loopback")

BUYER = "b-jiadian-0021"
WAIT_S = 20.0
RATES = ("--buyer-rate", "1000/1000", "--agent-rate", "1000/1000")


# --- a relay process that can be killed, stopped and started again ---------------------------------


@dataclass
class RelayOnDisk:
    """A relay process on one data dir and one port, started again after each kill or stop."""

    data_dir: Path
    process: RelayProcess | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = await spawn_relay(self.data_dir, *RATES, port=self.port)
        self.port = int(self.process.url.rsplit(":", 1)[1])

    async def kill(self) -> None:
        assert self.process is not None
        await self.process.kill()

    async def stop(self) -> int:
        assert self.process is not None
        return await self.process.stop()

    def call(self, call_id: str) -> dict[str, Any]:
        with closing(sqlite3.connect(self.data_dir / "relay.sqlite3")) as db:
            db.row_factory = sqlite3.Row
            return dict(db.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone())

    def calls(self) -> list[dict[str, Any]]:
        with closing(sqlite3.connect(self.data_dir / "relay.sqlite3")) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM calls ORDER BY invited_at")]

    def seqs(self, conversation_id: int) -> list[int]:
        with closing(sqlite3.connect(self.data_dir / "relay.sqlite3")) as db:
            return [r[0] for r in db.execute("SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq",
                                             (conversation_id,))]


@pytest.fixture
async def relay_on_disk(data_dir: Path) -> AsyncIterator[RelayOnDisk]:
    on_disk = RelayOnDisk(data_dir)
    await on_disk.start()
    yield on_disk
    if on_disk.process is not None:
        await on_disk.process.stop()


@dataclass
class People:
    """The agents' desks and the buyers (clients with their phones) on one relay process."""

    desks: Desks
    buyer: Callable[..., Any]
    """`await people.buyer(buyer="b-...")`: a connected buyer's client."""
    phones: list[BuyerPhone]

    def phone(self, client: KefuClient) -> BuyerPhone:
        self.phones.append(phone := BuyerPhone(client))
        return phone


@pytest.fixture
async def people(relay_on_disk: RelayOnDisk, tmp_path: Path,
                 stray_loop_errors: list[dict[str, Any]]) -> AsyncIterator[People]:  # noqa: F811
    desks = Desks(SimpleNamespace(url=relay_on_disk.url),  # type: ignore[arg-type]
                  DeskConfig(data_dir=tmp_path / "desk", reconnect_max_s=0.2, request_timeout_s=5.0))
    async with client_factory() as make:
        made = People(desks, lambda buyer: make(relay_on_disk.url, buyer=buyer), [])
        try:
            yield made
        finally:
            for phone in made.phones:
                await phone.close()
            for desk in desks.opened:
                await desk.service.close()


async def reconnect(client: KefuClient, timeout: float = WAIT_S) -> None:
    """Connect again and sync, as the buyer page does after its socket closed (it retries until it can)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            await client.connect()
            return
        except KefuError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)


async def connected_call(desk: Desk, phone: BuyerPhone, cid: int) -> str:
    """Invite; the buyer accepts; return once the relay says connected and media flows both ways."""
    mark = desk.events.mark()
    view = await desk.service.calls.invite(cid, "演示安装步骤")
    await phone.answer((await phone.invitation()).call_id)
    await desk.events.first(CallChanged, since=mark, reason="connected", what="the call connected")
    await desk.events.until(lambda: view.media, "media from the buyer")
    await phone.until(lambda: phone.frames["video"] > 0, "the agent's video at the buyer")
    return view.call_id


async def chat_goes_on(disk: RelayOnDisk, desk: Desk, phone: BuyerPhone, cid: int) -> None:
    """A message each way after the restart, and the desk holds every seq the relay stored: no gap."""
    await phone.client.send_text(cid, "刚才视频断了，还在吗？")
    await desk.events.until(lambda: any(m.text == "刚才视频断了，还在吗？" for m in desk.events.added(cid)),
                            "the buyer's message at the desk")
    sent = await desk.service.send_text(cid, "在的，系统刚才重启了")
    await desk.events.stored(sent.client_msg_id)
    await phone.until(lambda: any(m.text == "在的，系统刚才重启了" for m in phone.messages), "the reply at the buyer")
    stored = disk.seqs(cid)
    assert stored == list(range(1, len(stored) + 1))
    assert [m.seq for m in await desk.service.page(cid, limit=500)] == stored


async def figures(disk: RelayOnDisk) -> Any:
    """Today's live figures of the shop, as a supervisor who connects now is sent them."""
    async with client_factory() as make:
        supervisor = await make(disk.url, "super1")
        update = await supervisor.next_event(f.FiguresUpdate, timeout=WAIT_S)
        return update.today.total


def assert_ended_by_the_restart(row: dict[str, Any]) -> None:
    assert (row["state"], row["ended_by"], row["end_reason"]) == ("ended", "relay", RELAY_RESTARTED)
    assert row["ended_at"] is not None and row["connected_at"] <= row["ended_at"]
    assert row["duration_s"] == (row["ended_at"] - row["connected_at"]) // 1000


# --- a real relay process ------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["sigkill", "sigterm"])
async def test_the_relay_restarting_mid_call_ends_it_on_both_sides_and_the_chat_goes_on(
    how: str, relay_on_disk: RelayOnDisk, people: People
) -> None:
    disk = relay_on_disk
    desk = await people.desks.open("agent1")
    buyer, cid = await assigned_chat(desk, people.buyer, BUYER, "热水器怎么点火？")
    phone = people.phone(buyer)
    call_id = await connected_call(desk, phone, cid)
    mark = desk.events.mark()

    if how == "sigterm":
        # A clean stop ends the call itself before it exits: both sides hear it while it still runs.
        assert await disk.stop() == 0
        assert_ended_by_the_restart(disk.call(call_id))
        assert (await phone.state(call_id, "ended", timeout=WAIT_S)).end_reason == RELAY_RESTARTED
        released = await desk.events.first(CallChanged, since=mark, reason="released", what="the call released")
        assert released.call.info.end_reason == RELAY_RESTARTED
        await disk.start()
    else:
        # A crash tells nobody: the media goes on peer to peer until the relay, started again, ends the call.
        await disk.kill()
        assert disk.call(call_id)["state"] == "connected"
        await disk.start()
        assert_ended_by_the_restart(disk.call(call_id))  # before anybody is back
        await reconnect(buyer)
        assert (await phone.state(call_id, "ended", timeout=WAIT_S)).end_reason == RELAY_RESTARTED
        released = await desk.events.first(CallChanged, since=mark, reason="released", what="the call released")
        assert released.call.info.end_reason == RELAY_RESTARTED
    if not buyer.connected:
        await reconnect(buyer)
    await desk.events.until(desk.service.link.online.is_set, "the desk back online")

    # Both peer connections are closed; the agent's workstation holds no call.
    await phone.until(lambda: phone.pc is None, "the buyer's peer connection closed")
    calls = desk.service.calls
    assert calls.call(call_id) is None and calls.for_conversation(cid) is None
    assert all(pc.connectionState == "closed" for pc in calls.peer_connections)

    # The figures agree with the record: one call connected, its duration the record's.
    row = disk.call(call_id)
    total = await figures(disk)
    assert (total.calls_invited, total.calls_connected) == (1, 1)
    assert total.call_duration_mean_s == row["duration_s"]

    await chat_goes_on(disk, desk, phone, cid)

    # The agent is not left "in a call": the next one connects and ends as usual.
    again = await connected_call(desk, phone, cid)
    await desk.service.calls.hang_up(again)
    assert (await phone.state(again, "ended")).end_reason == "hangup"
    assert [r["state"] for r in disk.calls()] == ["ended", "ended"]


# --- the relay in this process, on the fake clock --------------------------------------------------


async def die_and_start_again(relay: RestartableRelay, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                              down_s: float = 0.0, clock: FakeClock | None = None) -> None:
    """As SIGKILL does: the relay goes without ending its calls (its sockets close), then starts again."""
    with monkeypatch.context() as m:
        m.setattr(Calls, "shutdown", _nothing)
        await relay.stop()
    if clock is not None:
        clock.advance(down_s)
    await relay.start()


async def _nothing(self: Calls) -> None:
    return None


def system_lines(relay: RestartableRelay, conversation_id: int) -> list[tuple[str, str | None]]:  # noqa: F811
    return [(r[0], r[1]) for r in db_rows(relay, "SELECT event, params_json FROM messages"
                                          " WHERE conversation_id = ? AND kind = 'system' ORDER BY seq",
                                          (conversation_id,))]


async def test_an_invitation_ringing_when_the_relay_died_expires_as_it_starts_and_the_agent_may_invite_again(
    clients: Any, relay: RestartableRelay, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    agent_client, buyer, conv = await relay_chatting(clients)
    call = await invite(agent_client, conv)
    await die_and_start_again(relay, monkeypatch)
    row = calls_table(relay)[0]
    assert (row["state"], row["ended_by"], row["end_reason"]) == ("expired", "relay", RELAY_RESTARTED)
    assert row["ended_at"] is not None and row["ended_at"] < row["expires_at"]
    assert system_lines(relay, conv)[-1][0] == "call_expired"

    drain(buyer)
    await buyer.connect()
    told = await next_of(buyer, f.CallUpdate)
    assert (told.call.call_id, told.call.state, told.call.end_reason) == (call.call_id, "expired", RELAY_RESTARTED)
    await agent_client.connect()
    again = await invite(agent_client, conv)  # nothing left "busy"
    assert again.call_id != call.call_id


async def test_a_relay_down_past_the_shops_limit_records_the_call_as_long_as_the_limit_and_the_figures_agree(
    clients: Any, relay: RestartableRelay, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    agent_client, buyer, conv = await relay_chatting(clients)
    call = await invite(agent_client, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await agent_client.call(f.CallMedia, call_id=call.call_id)
    await die_and_start_again(relay, monkeypatch, down_s=3 * 3600, clock=fake_clock)
    row = calls_table(relay)[0]
    assert (row["state"], row["ended_by"], row["end_reason"]) == ("ended", "relay", RELAY_RESTARTED)
    assert row["duration_s"] == row["max_duration_s"] == 1800
    assert row["ended_at"] == row["connected_at"] + 1800 * 1000
    assert system_lines(relay, conv)[-1] == ("call_ended", '{"duration_s":"1800"}')
    total = relay.relay.book.today(row["shop_id"]).total
    assert (total.calls_invited, total.calls_accepted, total.calls_connected) == (1, 1, 1)
    assert total.call_duration_mean_s == 1800


async def test_a_relay_that_does_not_lead_ends_no_call_as_it_stops(
    clients: Any, relay: RestartableRelay  # noqa: F811
) -> None:
    """With several relays only the routing leader holds calls: a follower that stops leaves them alone."""
    agent_client, buyer, conv = await relay_chatting(clients)
    call = await invite(agent_client, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    relay.relay.desk.leading = False
    await relay.stop()
    assert calls_table(relay)[0]["state"] == "accepted"


async def test_a_leader_that_lost_its_lease_leaves_alone_a_call_the_new_leader_already_ended(
    clients: Any, relay: RestartableRelay  # noqa: F811
) -> None:
    """The new leader ended the call as it took the lease; the old one, stopping, must not end it twice."""
    agent_client, buyer, conv = await relay_chatting(clients)
    call = await invite(agent_client, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await agent_client.call(f.CallMedia, call_id=call.call_id)
    ended_at = calls_table(relay)[0]["connected_at"] + 1000
    await relay.relay.store.update_call(call.call_id, state="ended", ended_at=ended_at, ended_by="relay",
                                        end_reason=RELAY_RESTARTED, duration_s=1)  # what the new leader wrote
    lines = system_lines(relay, conv)
    await relay.stop()
    row = calls_table(relay)[0]
    assert (row["state"], row["ended_at"], row["duration_s"]) == ("ended", ended_at, 1)
    assert system_lines(relay, conv) == lines


async def test_when_the_leader_goes_mid_call_the_relay_that_takes_the_lease_ends_the_call_and_tells_both(
    cluster_of: Any, on: Any, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """Several relays: a call's live state is the routing leader's. Both parties are on the follower; the
    leader goes without a word (its lease session ends as when the process dies); the follower takes the
    lease, ends the call it finds open, and both parties hear it (the agent once it is back on the relay)."""
    a, b = await cluster_of(2)
    agent_client = await on(b, "agent1")  # served by the leader, through b
    buyer = await on(b, buyer="b-jiadian-0041")
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    await buyer.send_text(conv, "钢琴踏板怎么接？")
    await next_of(agent_client, f.Assignment)
    call = await invite(agent_client, conv)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await agent_client.call(f.CallMedia, call_id=call.call_id)
    assert a.relay.desk.leading and not b.relay.desk.leading
    drain(buyer)
    monkeypatch.setattr(Calls, "shutdown", _nothing)  # a is gone as in a crash, not as in a clean stop
    await a.relay.cluster.close()  # the lease is released as when the process dies

    told = await next_of(buyer, f.CallUpdate, timeout=10)  # b leads now, and ended the call at once
    assert (told.call.state, told.call.ended_by, told.call.end_reason) == ("ended", "relay", RELAY_RESTARTED)
    assert b.relay.desk.leading
    await agent_client.closed.wait()  # the socket the old leader served is closed; the agent comes back
    drain(agent_client)
    await agent_client.connect()
    update = await next_of(agent_client, f.CallUpdate, timeout=10)  # at its sync: how its calls ended
    assert (update.call.call_id, update.call.state, update.call.end_reason) == (call.call_id, "ended",
                                                                                 RELAY_RESTARTED)
    row = db_dicts(b, "SELECT state, ended_by, end_reason FROM calls WHERE id = ?", (call.call_id,))[0]
    assert row == {"state": "ended", "ended_by": "relay", "end_reason": RELAY_RESTARTED}
    await invite(agent_client, conv)  # nothing is left busy on the new leader


# --- the buyer page ------------------------------------------------------------------------------


@pytest.mark.e2e
async def test_the_buyer_page_ends_the_call_when_the_relay_stops_says_why_and_chats_on_after_it_restarts(
    call_page: Any, relay: RestartableRelay, agent: CallAgent  # noqa: F811
) -> None:
    page = call_page
    conv = await chatting(page, relay, agent)
    call = await agent.invite(conv)
    await accept(page, call.call_id)
    await agent.state(call.call_id, "connected")
    await wait_js(page, "window.__kefuCall.frames > 0")

    await relay.stop()
    await expect(page.get_by_test_id("call-summary")).to_be_visible()
    await expect(page.get_by_test_id("call-end-reason")).to_have_text("客服系统重启，通话已中断，可在聊天中继续咨询")
    await wait_js(page, "window.__kefuCall.last.pc.connectionState === 'closed'")
    assert await page.evaluate("window.__kefuCall.last.finalState") == "ended"
    assert await page.evaluate("window.__kefuCall.last.mic.readyState") == "ended"

    await relay.start()
    await wait_js(page, "window.__kefu.ready === true", timeout=15)
    await page.get_by_test_id("summary-close").click()
    await type_and_send(page, "视频断了，我在聊天里问吧")
    await until(lambda: stored_count(relay, "视频断了，我在聊天里问吧") == 1)
    seqs = [r[0] for r in db_rows(relay, "SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq", (conv,))]
    assert seqs == list(range(1, len(seqs) + 1))
