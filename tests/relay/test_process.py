"""The relay as a process: adduser CLI, SIGTERM shutdown, heartbeat."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
import pytest

from app.client import KefuClient, buyer_session, login
from app.relay_process import ROOT, spawn_relay
from tests.conftest import RunningRelay, start_relay


async def run_cli(*args: str, stdin: bytes = b"") -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "relay.cli", *args, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate(stdin)
    return proc.returncode or 0, out.decode()


async def test_adduser_creates_an_account_that_can_log_in(data_dir: Path) -> None:
    code, out = await run_cli("--data-dir", str(data_dir), "adduser", "--shop", "jiadian", "--username", "agent3",
                              "--display-name", "小林", "--password-stdin", stdin=b"s3cret-pass\n")
    assert code == 0, out
    relay = await spawn_relay(data_dir)
    try:
        reply = await login(relay.url, "jiadian", "agent3", "s3cret-pass")
        assert reply.session.display_name == "小林"
    finally:
        await relay.stop()


async def test_adduser_refuses_short_password_duplicate_and_unknown_shop(data_dir: Path) -> None:
    base = ("--data-dir", str(data_dir), "adduser", "--display-name", "x", "--password-stdin")
    code, out = await run_cli(*base, "--shop", "jiadian", "--username", "n1", stdin=b"short\n")
    assert code == 2 and "at least 8" in out
    code, out = await run_cli(*base, "--shop", "jiadian", "--username", "agent1", stdin=b"long-enough\n")
    assert code == 1 and "already exists" in out
    code, out = await run_cli(*base, "--shop", "nowhere", "--username", "n2", stdin=b"long-enough\n")
    assert code == 2 and "--shop-name" in out


async def test_password_is_never_taken_on_the_command_line(data_dir: Path) -> None:
    code, out = await run_cli("--data-dir", str(data_dir), "adduser", "--shop", "jiadian", "--username", "n3",
                              "--display-name", "x", "--password", "oops")
    assert code != 0 and "unrecognized arguments" in out


async def test_sigterm_closes_connections_with_going_away_and_keeps_acked_messages(data_dir: Path) -> None:
    relay = await spawn_relay(data_dir)
    client = KefuClient(relay.url, (await buyer_session(relay.url, "b-jiadian-0003")).token)
    try:
        await client.connect()
        conv = await client.open_conversation("jiadian")
        acks = await asyncio.gather(*(client.send_text(conv.conversation_id, f"关机前{i}") for i in range(20)))
        assert await relay.stop() == 0
        await asyncio.wait_for(client.closed.wait(), 5)
        assert client._ws is not None and client._ws.close_code == 1001
        await client.close()
        relay = await spawn_relay(data_dir)
        client.base_url = relay.url
        client.cursors.clear()
        await client.connect()
        page = await client.history(conv.conversation_id, limit=50)
        assert [m.seq for m in page.messages if m.kind == "text"] == sorted(a.seq for a in acks)
    finally:
        await client.close()
        await relay.stop()


async def test_peer_that_stops_answering_pings_is_disconnected(make_config) -> None:
    runner, running = await start_relay(make_config(heartbeat_s=0.2))
    try:
        token = (await buyer_session(running.url, "b-jiadian-0004")).token
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(running.ws_url, headers={"Authorization": f"Bearer {token}"},
                                       autoping=False)
            await ws.send_str('{"type": "sync", "id": "s"}')
            with pytest.raises(TimeoutError):
                while True:  # drain until the relay gives up on us
                    msg = await ws.receive(timeout=3)
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
                raise TimeoutError  # reached only when the relay closed us
            assert not running.relay.connections
    finally:
        await runner.cleanup()


__all__ = ["RunningRelay"]
