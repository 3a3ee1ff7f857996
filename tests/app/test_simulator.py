"""`kefu-buyers`: bounded runs exit 0; a relay that is down, silent or lost makes it fail quickly,
saying so on stderr; bad arguments are argparse errors."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import Iterator

import pytest

from app import simulator
from app.simulator import main, run_buyers
from tests.app.helpers import RestartableRelay
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
])
def test_bad_arguments_are_usage_errors(args: list[str], expected: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("usage: kefu-buyers")
    assert err.strip().splitlines()[-1].startswith(f"kefu-buyers: error: {expected}"), err
