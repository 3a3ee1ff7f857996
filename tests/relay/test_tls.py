"""The relay over TLS with a CA made in the test: the workstation core chats over https and wss when it
trusts the shop's CA file, and refuses, before sending anything, a certificate it cannot verify."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.client import KefuClient, buyer_session, login
from app.config import DeskConfig
from app.errors import CaFileUnusable, CertificateRejected, ConnectionLost
from app.events import ConnectionChanged, Event
from app.relay_process import ROOT, spawn_relay
from app.services import DeskService
from app.simulator import run_buyers
from app.supervision import Supervision
from app.tls import http_session
from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.relay.helpers import next_chat
from tests.tls_helpers import TlsFiles, make_tls, start_tls_relay

DOCS = ROOT / "docs" / "deploy.md"
BUYER = "b-jiadian-0002"
CORE_MESSAGE = re.compile(r"the certificate of the relay at (\S+) could not be verified \(([a-z ]+): (.+)\); "
                          r"nothing was sent to it")
"""CertificateRejected's own words (kefu-buyers and the logs print them), as docs/deploy.md shows them."""


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    """The shop's CA and the relay's certificate for 127.0.0.1 and localhost."""
    return make_tls(tmp_path / "tls")


@pytest.fixture
def other_ca(tmp_path: Path) -> TlsFiles:
    """Another CA altogether: not the one that issued the relay's certificate."""
    return make_tls(tmp_path / "other")


@pytest.fixture
async def tls_relay(relay_config: RelayConfig, fake_clock: FakeClock, tls: TlsFiles) -> AsyncIterator[RunningRelay]:
    runner, running = await start_tls_relay(relay_config, tls, fake_clock)
    yield running
    await runner.cleanup()


@pytest.fixture
async def tls_clients(tls_relay: RunningRelay, tls: TlsFiles) -> AsyncIterator[Callable[..., Any]]:
    """Connected KefuClients trusting the shop's CA file: `await tls_clients("agent1")` or `(buyer=...)`."""
    made: list[KefuClient] = []

    async def make(username: str | None = None, *, buyer: str | None = None) -> KefuClient:
        ca = str(tls.ca_file)
        if username is not None:
            token = (await login(tls_relay.url, MAIN_SHOP, username, DEMO_PASSWORD, ca_file=ca)).token
        else:
            token = (await buyer_session(tls_relay.url, buyer, ca_file=ca)).token
        client = KefuClient(tls_relay.url, token, ca_file=ca)
        made.append(client)
        await client.connect()
        return client

    yield make
    for client in made:
        await client.close()


def assert_documented(exc: CertificateRejected, url: str, reason: str) -> None:
    """The rejection names the relay and the reason, in the words docs/deploy.md shows."""
    match = CORE_MESSAGE.fullmatch(str(exc))
    assert match is not None, str(exc)
    assert match[1] == url and match[2] == reason.replace("_", " ") and exc.reason == reason


def test_the_deploy_guide_shows_the_cores_words() -> None:
    examples = [line for line in DOCS.read_text(encoding="utf-8").splitlines()
                if line.startswith("the certificate of the relay at")]
    assert examples and all(CORE_MESSAGE.fullmatch(line) for line in examples), examples


# --- working over TLS ------------------------------------------------------------------------------


async def test_agent_and_buyer_chat_over_https_and_wss_with_the_shops_ca_file(
    tls_relay: RunningRelay, tls_clients: Callable[..., Any]
) -> None:
    assert tls_relay.url.startswith("https://") and tls_relay.ws_url.startswith("wss://")
    agent = await tls_clients("agent1")
    buyer = await tls_clients(buyer=BUYER)
    conv = await buyer.open_conversation(MAIN_SHOP)
    await buyer.send_text(conv.conversation_id, "加密连接下的第一条")
    received = await next_chat(agent)
    assert received.text == "加密连接下的第一条"
    await agent.send_text(received.conversation_id, "收到，连接是加密的")
    reply = await next_chat(buyer)
    assert reply.text == "收到，连接是加密的" and reply.conversation_id == conv.conversation_id


async def test_the_relay_over_tls_sends_hsts_and_a_secure_buyer_cookie(tls_relay: RunningRelay, tls: TlsFiles) -> None:
    async with http_session(tls_relay.url, str(tls.ca_file)) as http:
        async with http.get(tls_relay.url + "/healthz") as resp:
            assert resp.status == 200
            assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
        async with http.post(tls_relay.url + "/api/buyer/session", json={"buyer_id": BUYER}) as resp:
            assert resp.status == 200
            cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


async def test_a_workstation_desk_goes_online_and_a_supervisor_reads_figures_over_tls(
    tls_relay: RunningRelay, tls: TlsFiles, tmp_path: Path
) -> None:
    config = DeskConfig(data_dir=tmp_path / "desk", reconnect_max_s=0.2, request_timeout_s=5.0)
    logged = await login(tls_relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD, ca_file=str(tls.ca_file))
    desk = await DeskService.open(config, tls_relay.url, logged.token, logged.session, ca_file=str(tls.ca_file))
    try:
        await desk.start()
        await asyncio.wait_for(desk.link.online.wait(), 5)
        today = datetime.now(UTC).date()
        report = await Supervision(desk).report(today, today, by="agent")
        assert report.total is not None
    finally:
        await desk.logout()


async def test_simulated_buyers_chat_over_tls_with_a_ca_file(tls_relay: RunningRelay, tls: TlsFiles,
                                                            other_ca: TlsFiles) -> None:
    ok = await run_buyers(tls_relay.url, buyers=1, messages=1, think=(0, 0), reply_wait=0, duration=5,
                          ca_file=str(tls.ca_file))
    assert ok.errors == [] and ok.sent == 1
    refused = await run_buyers(tls_relay.url, buyers=1, messages=1, think=(0, 0), reply_wait=0, duration=5,
                               ca_file=str(other_ca.ca_file))
    assert refused.sent == 0 and len(refused.errors) == 1
    assert "could not be verified (unknown issuer" in refused.errors[0]


async def test_a_relay_process_serves_https_and_says_so(data_dir: Path, tls: TlsFiles) -> None:
    relay = await spawn_relay(data_dir, "--tls-cert", str(tls.cert), "--tls-key", str(tls.key),
                              ca_file=str(tls.ca_file))
    client: KefuClient | None = None
    try:
        assert relay.url.startswith("https://127.0.0.1:")
        token = (await buyer_session(relay.url, BUYER, ca_file=str(tls.ca_file))).token
        client = KefuClient(relay.url, token, ca_file=str(tls.ca_file))
        await client.connect()
        conv = await client.open_conversation(MAIN_SHOP)
        ack = await client.send_text(conv.conversation_id, "进程里的中继也加密")
        assert ack.seq >= 1
    finally:
        if client is not None:
            await client.close()
        assert await relay.stop() == 0


async def test_the_printed_address_is_https(data_dir: Path, tls: TlsFiles, tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "relay.cli", "--data-dir", str(data_dir), "--port", "0", "--port-file", str(port_file),
        "--tls-cert", str(tls.cert), "--tls-key", str(tls.key), "--no-uvloop", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        assert line == f"relay: https://127.0.0.1:{port_file.read_text()}/"
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 15)


# --- refused ---------------------------------------------------------------------------------------


async def test_another_ca_is_refused_before_the_password_is_sent(
    tls_relay: RunningRelay, tls: TlsFiles, other_ca: TlsFiles
) -> None:
    # Six wrong passwords through an untrusting client: had any reached the relay, the sixth would be
    # throttled, and so would the right password after them (test_auth.py: five failures a minute).
    for _ in range(6):
        with pytest.raises(CertificateRejected) as info:
            await login(tls_relay.url, MAIN_SHOP, "agent1", "not-the-password", ca_file=str(other_ca.ca_file))
    assert_documented(info.value, tls_relay.url, "unknown_issuer")
    assert info.value.detail == "unable to get local issuer certificate"
    reply = await login(tls_relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD, ca_file=str(tls.ca_file))
    assert reply.session.user_id

    # The WebSocket is refused the same way, and is not a ConnectionLost to be retried quietly.
    client = KefuClient(tls_relay.url, reply.token, ca_file=str(other_ca.ca_file))
    with pytest.raises(CertificateRejected) as ws_info:
        await client.connect()
    assert not isinstance(ws_info.value, ConnectionLost)
    assert_documented(ws_info.value, tls_relay.url, "unknown_issuer")
    assert not client.connected


async def test_without_a_ca_file_a_shops_own_ca_is_not_trusted(tls_relay: RunningRelay) -> None:
    with pytest.raises(CertificateRejected) as info:
        await buyer_session(tls_relay.url, BUYER)
    assert_documented(info.value, tls_relay.url, "unknown_issuer")


@pytest.mark.parametrize(("issue", "reason", "detail"), [
    ({"not_before": datetime(2020, 1, 1), "not_after": datetime(2021, 1, 1)}, "expired", "certificate has expired"),
    ({"not_before": datetime.now(UTC) + timedelta(days=2)}, "not_yet_valid", "certificate is not yet valid"),
    ({"identities": ("relay.example.test",)}, "hostname_mismatch",
     "IP address mismatch, certificate is not valid for '127.0.0.1'."),
])
async def test_why_a_certificate_is_refused_is_told(
    issue: dict[str, Any], reason: str, detail: str, relay_config: RelayConfig, fake_clock: FakeClock, tmp_path: Path
) -> None:
    identities = issue.pop("identities", ())
    bad = make_tls(tmp_path / "bad", *identities, **issue)
    runner, running = await start_tls_relay(relay_config, bad, fake_clock, context=bad.context())
    try:
        with pytest.raises(CertificateRejected) as info:
            await login(running.url, MAIN_SHOP, "agent1", DEMO_PASSWORD, ca_file=str(bad.ca_file))
    finally:
        await runner.cleanup()
    assert_documented(info.value, running.url, reason)
    assert info.value.detail == detail


@pytest.mark.parametrize(("content", "detail"), [
    (None, "no such file"), (b"", "it holds no PEM certificate"), (b"not a certificate", "it holds no PEM certificate"),
])
async def test_an_unusable_ca_file_is_said_to_be_so(
    content: bytes | None, detail: str, tls_relay: RunningRelay, tmp_path: Path
) -> None:
    path = tmp_path / "shop-ca.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CaFileUnusable) as info:
        await login(tls_relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD, ca_file=str(path))
    assert info.value.path == str(path) and info.value.detail.startswith(detail)


async def test_the_link_shows_a_rejected_certificate_and_does_not_retry_quickly(
    tls_relay: RunningRelay, tls: TlsFiles, other_ca: TlsFiles, tmp_path: Path
) -> None:
    """The relay's certificate changed under a logged-in workstation (now from a CA it does not trust)."""
    config = DeskConfig(data_dir=tmp_path / "desk", reconnect_max_s=2.0, request_timeout_s=5.0)
    logged = await login(tls_relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD, ca_file=str(tls.ca_file))
    desk = await DeskService.open(config, tls_relay.url, logged.token, logged.session,
                                  ca_file=str(other_ca.ca_file))
    states: list[ConnectionChanged] = []
    changed = asyncio.Event()

    def on_event(event: Event) -> None:
        if isinstance(event, ConnectionChanged):
            states.append(event)
            changed.set()

    desk.events.subscribe(on_event)
    try:
        await desk.start()
        while not any(s.status == "offline" for s in states):
            changed.clear()
            await asyncio.wait_for(changed.wait(), 5)
        offline = next(s for s in states if s.status == "offline")
        assert "could not be verified (unknown issuer" in offline.detail
        assert offline.retry_in is not None and offline.retry_in >= 0.8 * config.reconnect_max_s
        rejected = desk.link.certificate_rejected
        assert isinstance(rejected, CertificateRejected) and rejected.reason == "unknown_issuer"
        await asyncio.sleep(1.0)  # a network blip would have been retried twice by now (0.5 s, then 1 s)
        assert [s.status for s in states] == ["connecting", "offline"]
        desk.link.retry_now()  # the agent presses "Reconnect now": tried at once, refused again
        while len(states) < 4:
            changed.clear()
            await asyncio.wait_for(changed.wait(), 5)
        assert [s.status for s in states] == ["connecting", "offline", "connecting", "offline"]
        assert not desk.link.online.is_set()
    finally:
        await desk.close()


async def test_plain_http_to_the_tls_port_is_not_mistaken_for_a_relay(tls_relay: RunningRelay) -> None:
    plain = tls_relay.url.replace("https://", "http://")
    with pytest.raises((aiohttp.ClientError, OSError)):
        await buyer_session(plain, BUYER)
