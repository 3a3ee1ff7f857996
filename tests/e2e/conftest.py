"""Debian Chromium driven by Playwright, isolated and loopback-only."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
# Playwright adds --headless itself (headless=True); DEVELOPERS.md's other flags are ours.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Without this Chromium still looks up Google hosts through the machine's resolver at every start.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]


@pytest.fixture
async def browser_context() -> AsyncIterator[BrowserContext]:
    """A fresh Chromium profile (its own --user-data-dir) with a phone-sized viewport."""
    with tempfile.TemporaryDirectory(prefix="kefu-chromium-") as profile:
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai",
            )
            try:
                yield context
            finally:
                await context.close()


@pytest.fixture
async def page(browser_context: BrowserContext) -> AsyncIterator[Page]:
    """A page that records every dialog (none must ever open) and every page error."""
    page = browser_context.pages[0] if browser_context.pages else await browser_context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]

    async def on_dialog(dialog):  # type: ignore[no-untyped-def]
        page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    yield page
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
