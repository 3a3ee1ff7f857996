"""`kefu-buyers`: bounded runs exit 0; a relay that is down, silent or lost makes it fail quickly,
saying so on stderr; bad arguments are argparse errors. Simulated buyers answer video invitations
from a real desk (its CallManager) like real buyers: accept after a pause and show a product clip,
then hang up by themselves; or decline; or let the invitation ring out. Media on loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app import simulator
from app.events import CallAudio, CallChanged
from app.simulator import CallHabits, SimStats, build_parser, habits_of, main, run_buyers
from relay.calls import Calls
from relay.clock import FakeClock
from tests.app.helpers import Desk, RestartableRelay
from tests.app.test_call_manager import all_released, calls_table, non_black
from tests.relay.helpers import stored_count

FAST = ["--think", "0:0.05", "--reply-wait", "0.05"]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel does) but never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield int(s.getsockname()[1])


def summary(out: str) -> tuple[int, int, int]:
    match = re.search(r"(\d+) buyers sent (\d+) messages, got \d+ replies, (\d+) errors", out)
    assert match, out
    return int(match[1]), int(match[2]), int(match[3])


def test_unreachable_relay_fails_quickly_with_a_clear_message(closed_port: int, capsys) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    start = time.monotonic()
    code = main(["--url", url, "--buyers", "3", "--duration", "60", *FAST])
    elapsed = time.monotonic() - start
    out, err = capsys.readouterr()
    assert code == 1
    assert elapsed < 5, f"took {elapsed:.1f} s to give up"
    assert summary(out) == (0, 0, 3)
    assert "kefu-buyers: 3 of 3 buyers failed:" in err
    for buyer in ("b-jiadian-0001", "b-jiadian-0002", "b-jiadian-0003"):
        assert f"  {buyer}: cannot reach the relay at {url}: " in err


def test_relay_that_never_answers_fails_after_the_connect_timeout(capsys) -> None:
    with silent_listener() as port:
        start = time.monotonic()
        code = main(["--url", f"http://127.0.0.1:{port}", "--buyers", "2", "--duration", "60",
                     "--connect-timeout", "0.5", *FAST])
        elapsed = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 1
    assert 0.5 <= elapsed < 5
    assert "kefu-buyers: 2 of 2 buyers failed:" in err
    assert f"b-jiadian-0001: the relay at http://127.0.0.1:{port} did not answer within 0.5 s" in err


async def test_bounded_run_against_a_live_relay_exits_0(relay: RestartableRelay, capsys) -> None:
    before = stored_count(relay, "text")
    code = await asyncio.to_thread(main, ["--url", relay.url, "--buyers", "2", "--messages", "3",
                                          "--duration", "60", *FAST])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert summary(out) == (2, 6, 0)
    assert stored_count(relay, "text") - before == 6
    assert "failed" not in err


async def test_run_stopped_by_its_duration_is_not_a_failure(relay: RestartableRelay, capsys) -> None:
    start = time.monotonic()
    code = await asyncio.to_thread(main, ["--url", relay.url, "--buyers", "2", "--messages", "50", "--think", "10",
                                          "--reply-wait", "0", "--duration", "1"])
    elapsed = time.monotonic() - start
    out, err = capsys.readouterr()
    assert code == 0, err
    assert elapsed < 5
    buyers, sent, errors = summary(out)
    assert buyers == 2 and 2 <= sent < 100 and errors == 0


async def test_relay_lost_mid_run_fails_without_waiting_for_the_duration(relay: RestartableRelay, capsys) -> None:
    run = asyncio.create_task(asyncio.to_thread(
        main, ["--url", relay.url, "--buyers", "2", "--messages", "1000", "--think", "0.05", "--reply-wait", "0",
               "--duration", "60"]))
    before = stored_count(relay, "text")
    for _ in range(100):
        if stored_count(relay, "text") >= before + 4:
            break
        await asyncio.sleep(0.05)
    await relay.stop()
    start = time.monotonic()
    code = await asyncio.wait_for(run, 10)
    assert time.monotonic() - start < 5
    out, err = capsys.readouterr()
    assert code == 1
    buyers, sent, errors = summary(out)
    assert buyers == 2 and sent >= 4 and errors == 2
    assert "kefu-buyers: 2 of 2 buyers failed:" in err
    assert "b-jiadian-0001: " in err and "b-jiadian-0002: " in err


async def test_a_buyer_that_crashes_is_reported_not_ignored(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    async def crashing_buyer(url: str, buyer_id: str, *args: object, **kwargs: object) -> None:
        calls.append(buyer_id)
        if buyer_id.endswith("2"):
            raise RuntimeError("simulated bug")

    monkeypatch.setattr(simulator, "simulate_buyer", crashing_buyer)
    stats = await run_buyers(f"http://127.0.0.1:{closed_port}", buyers=3, think=(0, 0.01), duration=10)
    assert sorted(calls) == ["b-jiadian-0001", "b-jiadian-0002", "b-jiadian-0003"]
    assert stats.errors == ["b-jiadian-0002: RuntimeError: simulated bug"]


@pytest.mark.parametrize(("args", "expected"), [
    (["--buyers", "0"], "argument --buyers: '0' must be at least 1"),
    (["--buyers", "-2"], "argument --buyers: '-2' must be at least 1"),
    (["--buyers", "many"], "argument --buyers: 'many' is not a whole number"),
    (["--buyers", "2.5"], "argument --buyers: '2.5' is not a whole number"),
    (["--messages", "0"], "argument --messages: '0' must be at least 1"),
    (["--duration", "0"], "argument --duration: '0' must be above 0 seconds"),
    (["--duration", "nan"], "argument --duration: 'nan' must be above 0 seconds"),
    (["--duration", "soon"], "argument --duration: 'soon' is not a number of seconds"),
    (["--connect-timeout", "-1"], "argument --connect-timeout: '-1' must be above 0 seconds"),
    (["--reply-wait", "-0.5"], "argument --reply-wait: '-0.5' must be at least 0 seconds"),
    (["--think", "8:2"], "argument --think: '8:2': MIN must not exceed MAX"),
    (["--think", "a:b"], "argument --think: 'a:b': expected MIN:MAX"),
    (["--url", "127.0.0.1:8765"], "argument --url: '127.0.0.1:8765' is not an http:// or https:// URL"),
    (["--url", "ws://127.0.0.1:8765"], "argument --url: 'ws://127.0.0.1:8765' is not an http:// or https:// URL"),
    (["--answer-calls", "maybe"], "argument --answer-calls: invalid choice: 'maybe'"),
    (["--answer-delay", "4:1"], "argument --answer-delay: '4:1': MIN must not exceed MAX"),
    (["--call-length", "soon"], "argument --call-length: 'soon': expected MIN:MAX, seconds at least 0, as in 20:60"),
    (["--camera-after", "-1"], "argument --camera-after: '-1': expected MIN:MAX, seconds at least 0, as in 2:6"),
])
def test_bad_arguments_are_usage_errors(args: list[str], expected: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("usage: kefu-buyers")
    assert err.strip().splitlines()[-1].startswith(f"kefu-buyers: error: {expected}"), err


# --- video invitations --------------------------------------------------------------------------------

BUYER = "b-jiadian-0001"
QUICK = CallHabits(delay=(0.5, 1.0), camera_after=(0.5, 0.5), length=(3.0, 3.0))
"""Answers within a second, the rear camera half a second into the call, hangs up 3 s into it."""


def peer_connections_closed() -> bool:
    from aiortc import RTCPeerConnection

    gc.collect()
    return all(pc.connectionState == "closed" for pc in gc.get_objects() if isinstance(pc, RTCPeerConnection))


def buyers(relay: RestartableRelay, habits: CallHabits, **run: Any) -> asyncio.Task[SimStats]:
    """One simulated buyer (b-jiadian-0001) in the background: it greets, then stays `think` seconds."""
    options: dict[str, Any] = {"buyers": 1, "messages": 1, "think": (3.0, 3.0), "reply_wait": 0, "duration": 30,
                               **run}
    return asyncio.create_task(run_buyers(relay.url, calls=habits, **options))


async def chat_with(desk: Desk, buyer: str = BUYER) -> int:
    """The simulated buyer's conversation, once it is on the desk."""
    view = await desk.events.until(
        lambda: next((v for v in desk.service.conversations.values() if v.info.buyer_id == buyer and v.active), None),
        f"the chat with {buyer} on the desk")
    return int(view.conversation_id)


async def test_an_invited_buyer_accepts_shows_a_product_clip_and_hangs_up_by_itself(
    desks, relay: RestartableRelay, loopback
) -> None:
    desk = await desks.open("agent1")
    calls = desk.service.calls
    run = buyers(relay, QUICK)
    cid = await chat_with(desk)
    invited = time.monotonic()
    view = await calls.invite(cid, "演示安装步骤")
    call_id = view.call_id
    await desk.events.first(CallChanged, reason="accepted", what="the buyer to accept")
    assert 0.5 <= time.monotonic() - invited < 2.0  # after the buyer's pause, not at once
    await desk.events.first(CallChanged, reason="connected", what="the call to connect")
    await desk.events.until(lambda: view.media, "media from the buyer")
    # Its voice (a tone), the camera off at first (like the buyer page), then the rear camera: a demo clip.
    await desk.events.until(lambda: len(desk.events.of(CallAudio, call_id=call_id)) >= 10, "the buyer's voice")
    remote = await desk.events.until(lambda: calls.frame(call_id, "remote"), "the buyer's rear camera")
    assert (remote.width, remote.height) == (320, 240) and non_black(remote.rgb)
    released = await desk.events.first(CallChanged, reason="released", what="the buyer to hang up", timeout=10)
    assert released.call.info.ended_by == "buyer" and released.call.info.end_reason == "hangup"

    stats = await asyncio.wait_for(run, 10)
    assert stats.errors == []
    assert (stats.invitations, stats.accepted, stats.connected, stats.hung_up, stats.declined) == (1, 1, 1, 1, 0)
    record = calls_table(relay)[call_id]
    assert (record["state"], record["ended_by"], record["end_reason"]) == ("ended", "buyer", "hangup")
    assert record["connected_at"] is not None
    assert all_released(calls) and peer_connections_closed()


async def test_a_declining_buyer_declines_after_its_pause(desks, relay: RestartableRelay) -> None:
    desk = await desks.open("agent1")
    run = buyers(relay, CallHabits(answer="decline", delay=(0.3, 0.6)))
    cid = await chat_with(desk)
    invited = time.monotonic()
    view = await desk.service.calls.invite(cid, "查看商品问题")
    await desk.events.first(CallChanged, reason="declined", what="the buyer to decline")
    assert 0.3 <= time.monotonic() - invited < 2.0
    stats = await asyncio.wait_for(run, 10)
    assert stats.errors == []
    assert (stats.invitations, stats.declined, stats.accepted, stats.ignored) == (1, 1, 0, 0)
    assert calls_table(relay)[view.call_id]["state"] == "declined"
    assert not list(desk.service.calls.peer_connections)


async def test_a_buyer_who_ignores_invitations_lets_them_expire(
    desks, relay: RestartableRelay, fake_clock: FakeClock
) -> None:
    desk = await desks.open("agent1")
    run = buyers(relay, CallHabits(answer="ignore", delay=(0.1, 0.2)))
    cid = await chat_with(desk)
    view = await desk.service.calls.invite(cid, "讲解产品功能")
    await asyncio.sleep(0.6)  # longer than an answer would take
    assert view.state == "invited"
    fake_clock.advance(61)
    await desk.events.first(CallChanged, reason="expired", what="the invitation to expire")
    stats = await asyncio.wait_for(run, 10)
    assert stats.errors == []
    assert (stats.invitations, stats.ignored, stats.accepted, stats.declined) == (1, 1, 0, 0)
    assert calls_table(relay)[view.call_id]["state"] == "expired"


async def test_a_buyer_on_a_call_stops_typing_and_finishes_the_call_past_the_deadline(
    desks, relay: RestartableRelay, loopback
) -> None:
    desk = await desks.open("agent1")
    start = time.monotonic()
    run = buyers(relay, CallHabits(delay=(0.2, 0.2), camera_after=(1.0, 1.0), length=(5.0, 5.0)),
                 messages=1000, think=(0.1, 0.1), duration=3)
    cid = await chat_with(desk)
    view = await desk.service.calls.invite(cid)
    await desk.events.first(CallChanged, reason="connected", what="the call to connect")
    typed = len(relay.messages(cid))
    released = await desk.events.first(CallChanged, reason="released", what="the buyer to hang up", timeout=15)
    assert released.call.info.ended_by == "buyer"
    stats = await asyncio.wait_for(run, 10)
    assert time.monotonic() - start > 5  # the deadline (3 s) came during the call, which went on
    assert stats.errors == [] and stats.hung_up == 1
    buyer_texts = [m for m in relay.messages(cid)[typed:] if m[2] == "buyer"]
    assert buyer_texts == []  # nobody types during a call, and the deadline came before it ended
    assert calls_table(relay)[view.call_id]["ended_by"] == "buyer"
    assert peer_connections_closed()


async def test_stopping_a_run_mid_call_hangs_up_and_closes_the_peer_connection(
    desks, relay: RestartableRelay, loopback
) -> None:
    desk = await desks.open("agent1")
    run = buyers(relay, CallHabits(delay=(0.2, 0.2), length=(60.0, 60.0)))
    cid = await chat_with(desk)
    view = await desk.service.calls.invite(cid)
    await desk.events.first(CallChanged, reason="connected", what="the call to connect")
    await desk.events.until(lambda: view.media, "media from the buyer")
    run.cancel()  # Ctrl-C
    with pytest.raises(asyncio.CancelledError):
        await run
    released = await desk.events.first(CallChanged, reason="released", what="the call to end")
    assert released.call.info.ended_by == "buyer"
    assert calls_table(relay)[view.call_id]["ended_by"] == "buyer"
    assert all_released(desk.service.calls) and peer_connections_closed()


async def test_a_buyer_on_a_call_who_loses_the_relay_gives_up_at_once(
    desks, relay: RestartableRelay, loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await desks.open("agent1")
    run = buyers(relay, CallHabits(delay=(0.2, 0.2), length=(60.0, 60.0)))
    cid = await chat_with(desk)
    await desk.service.calls.invite(cid)
    await desk.events.first(CallChanged, reason="connected", what="the call to connect")
    monkeypatch.setattr(Calls, "shutdown", _relay_says_nothing)  # gone as in a crash: a clean stop ends the call
    await relay.stop()
    stats = await asyncio.wait_for(run, 5)  # not at the end of its 60 s call
    assert stats.errors == [f"{BUYER}: connection to the relay lost"]
    assert stats.connected == 1 and stats.hung_up == 0
    await desk.service.close()
    assert peer_connections_closed()


async def _relay_says_nothing(self: Calls) -> None:
    return None


def test_mixed_buyers_mostly_accept_and_sometimes_decline_or_ignore() -> None:
    habits = CallHabits(answer="mixed")
    rng = random.Random(3)
    decisions = [habits.decide(rng) for _ in range(2000)]
    assert 1400 < decisions.count("accept") < 1800
    assert 200 < decisions.count("decline") < 400
    assert 40 < decisions.count("ignore") < 180
    plain = ("accept", "decline", "ignore")
    assert tuple(CallHabits(answer=a).decide(rng) for a in plain) == plain


def test_call_habits_from_the_command_line() -> None:
    assert habits_of(build_parser().parse_args([])) == CallHabits()
    args = build_parser().parse_args(["--answer-calls", "mixed", "--answer-delay", "0.5:2", "--camera-after", "3",
                                      "--call-length", "10:30"])
    assert habits_of(args) == CallHabits(answer="mixed", delay=(0.5, 2.0), camera_after=(3.0, 3.0),
                                         length=(10.0, 30.0))
    assert CallHabits(answer="ignore").grace == 0
    assert CallHabits().grace > 60  # a call of up to 60 s may still be finishing after the deadline


def test_a_run_without_calls_does_not_load_aiortc() -> None:
    code = ("import sys, app.simulator\n"
            "print(__import__('json').dumps(sorted(m for m in ('aiortc', 'av', 'app.buyer_call', 'app.media')"
            " if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
