"""Debian Chromium driven by Playwright, isolated and loopback-only."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import BrowserContext, Page, Playwright, async_playwright

CHROMIUM = "/usr/bin/chromium"
# Playwright adds --headless itself (headless=True); the other flags are ours: a quiet, loopback-only
# browser on a fresh profile (docs/architecture.md, "Tests").
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


async def watched_page(context: BrowserContext) -> Page:
    """The context's page, recording every dialog (none must ever open) and every page error."""
    page = context.pages[0] if context.pages else await context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]

    async def on_dialog(dialog):  # type: ignore[no-untyped-def]
        page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    return page


def nothing_unexpected_happened(page: Page) -> None:
    """Teardown of `page` and `call_page`: any page error or dialog fails the test (docs/architecture.md)."""
    errors: list[str] = page.errors  # type: ignore[attr-defined]
    dialogs: list[str] = page.dialogs  # type: ignore[attr-defined]
    assert not errors, f"uncaught errors in the page: {errors}"
    assert not dialogs, f"the page opened dialogs (none may open; each was dismissed): {dialogs}"


@pytest.fixture
async def page(browser_context: BrowserContext) -> AsyncIterator[Page]:
    """A page that records every dialog (none must ever open) and every page error; either fails the test."""
    page = await watched_page(browser_context)
    yield page
    nothing_unexpected_happened(page)


# --- calls: WebRTC on loopback with fake camera and microphone --------------------------------

CALL_ARGS = [
    "--allow-loopback-in-peer-connection",  # 127.0.0.1 host candidates
    "--use-fake-ui-for-media-stream",  # grant camera and microphone without a prompt
    "--use-fake-device-for-media-stream",  # a synthetic camera (no facingMode) and a beeping microphone
]
# Chromium hides local addresses behind mDNS names in candidates; aioice would have to resolve
# them over multicast. Switched off so the agent sees 127.0.0.1.
CALL_DISABLED_FEATURES = ["WebRtcHideLocalIpsWithMdns"]
# Every getUserMedia call, recorded from outside the page's own code (its test hook records too).
GUM_RECORDER = """
(() => {
  const media = navigator.mediaDevices;
  if (!media || !media.getUserMedia) return;
  const original = media.getUserMedia.bind(media);
  window.__gumAsked = [];
  media.getUserMedia = (constraints) => {
    window.__gumAsked.push(JSON.parse(JSON.stringify(constraints)));
    return original(constraints);
  };
})();
"""
_playwright_disable_features: list[str] = []


async def playwright_disable_features(pw: Playwright) -> str:
    """Playwright's own `--disable-features=...` switch. Chromium honours only the last copy of a
    switch, so ours must be merged into it; Playwright does not expose its default arguments, so they
    are read once per run from chrome://version of a throw-away browser."""
    if not _playwright_disable_features:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            probe = await browser.new_page()
            await probe.goto("chrome://version")
            command_line = await probe.inner_text("#command_line")
        finally:
            await browser.close()
        found = [arg for arg in command_line.split() if arg.startswith("--disable-features=")]
        assert len(found) == 1, found
        _playwright_disable_features.append(found[0])
    return _playwright_disable_features[0]


@pytest.fixture
async def call_context(loopback: None) -> AsyncIterator[BrowserContext]:
    """Like `browser_context`, able to make calls: loopback candidates, fake camera and mic granted."""
    with tempfile.TemporaryDirectory(prefix="kefu-chromium-") as profile:
        async with async_playwright() as pw:
            theirs = await playwright_disable_features(pw)
            merged = ",".join([theirs, *CALL_DISABLED_FEATURES])
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *CALL_ARGS, merged],
                ignore_default_args=[theirs], viewport={"width": 390, "height": 844}, locale="zh-CN",
                timezone_id="Asia/Shanghai",
            )
            await context.add_init_script(GUM_RECORDER)
            try:
                yield context
            finally:
                await context.close()


@pytest.fixture
async def call_page(call_context: BrowserContext) -> AsyncIterator[Page]:
    """A call-capable page that records dialogs and page errors like `page`; either fails the test."""
    page = await watched_page(call_context)
    yield page
    nothing_unexpected_happened(page)
