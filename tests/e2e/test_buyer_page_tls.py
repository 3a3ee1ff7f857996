"""The buyer page over HTTPS in Debian Chromium: a secure context, chatting over wss with a real agent.

Chromium trusts exactly the test's certificate, by the SHA-256 of its public key
(`--ignore-certificate-errors-spki-list`, honoured with a `--user-data-dir` of our own), not every
certificate (Playwright's `ignore_https_errors`).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from app.client import KefuClient, login
from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, nothing_unexpected_happened, watched_page
from tests.e2e.test_buyer_page import type_and_send, wait_js
from tests.relay.helpers import next_chat
from tests.tls_helpers import TlsFiles, make_tls, start_tls_relay

pytestmark = pytest.mark.e2e
BUYER = "b-jiadian-0001"


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return make_tls(tmp_path / "tls")


@pytest.fixture
async def tls_relay(relay_config: RelayConfig, fake_clock: FakeClock, tls: TlsFiles) -> AsyncIterator[RunningRelay]:
    runner, running = await start_tls_relay(relay_config, tls, fake_clock)
    yield running
    await runner.cleanup()


@pytest.fixture
async def tls_page(tls: TlsFiles) -> AsyncIterator[Page]:
    """A fresh Chromium profile trusting the relay's certificate by its key, and no other."""
    with tempfile.TemporaryDirectory(prefix="kefu-chromium-") as profile:
        async with async_playwright() as pw:
            context: BrowserContext = await pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True,
                args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={tls.spki_sha256()}"],
                viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai",
            )
            try:
                page = await watched_page(context)
                yield page
                nothing_unexpected_happened(page)
            finally:
                await context.close()


async def test_the_buyer_page_over_https_is_a_secure_context_and_chats_over_wss(
    tls_page: Page, tls_relay: RunningRelay, tls: TlsFiles
) -> None:
    agent = KefuClient(tls_relay.url, (await login(tls_relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD,
                                                   ca_file=str(tls.ca_file))).token, ca_file=str(tls.ca_file))
    try:
        await agent.connect()
        await tls_page.goto(f"{tls_relay.url}/?buyer={BUYER}&shop={MAIN_SHOP}")
        await expect(tls_page.get_by_test_id("composer-input")).to_be_visible()
        await wait_js(tls_page, "window.__kefu && window.__kefu.conversation !== null")
        assert await tls_page.evaluate("location.protocol") == "https:"
        assert await tls_page.evaluate("window.isSecureContext") is True
        assert (await tls_page.evaluate("window.__kefu.ws.url")).startswith(tls_relay.url.replace("https", "wss"))

        await type_and_send(tls_page, "通过 HTTPS 发来的消息")
        received = await next_chat(agent)
        assert received.text == "通过 HTTPS 发来的消息"
        with sqlite3.connect(tls_relay.config.db_path) as db:
            stored = db.execute("SELECT COUNT(*) FROM messages WHERE text = ?", (received.text,)).fetchone()[0]
        assert stored == 1
        await agent.send_text(received.conversation_id, "客服通过 WSS 回复")
        messages = tls_page.get_by_test_id("message-list")
        await expect(messages.get_by_text("客服通过 WSS 回复", exact=True)).to_be_visible()
    finally:
        await agent.close()


async def test_another_certificate_is_not_trusted_by_that_browser(
    tls_page: Page, relay_config: RelayConfig, fake_clock: FakeClock, tmp_path: Path
) -> None:
    """The SPKI list trusts one key, not any certificate: the same browser refuses a relay with another."""
    other = make_tls(tmp_path / "other")
    runner, running = await start_tls_relay(relay_config, other, fake_clock)
    try:
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            await tls_page.goto(f"{running.url}/?buyer={BUYER}&shop={MAIN_SHOP}")
    finally:
        await runner.cleanup()
