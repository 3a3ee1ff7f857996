"""A logged-in workstation whose relay's certificate stops passing verification (the relay now serves one
from another authority, the shop's CA file was removed) says why in its banner, in the agent's language,
for as long as it lasts, keeps "Reconnect now", and goes back to normal once it connects again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from PySide6.QtWidgets import QApplication

from app.account import Accounts
from app.config import DeskConfig
from app.errors import CaFileUnusable, CertificateRejected
from app.services import DeskService
from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP
from tests.tls_helpers import TlsFiles, make_tls, start_tls_relay
from tests.ui.conftest import flush_deletes, until
from ui.i18n import Languages
from ui.main_window import MainWindow

ZH_UNKNOWN_ISSUER = ("无法验证中继服务器的证书：证书不是由这台电脑信任的机构签发的。"
                     "没有向它发送任何内容，包括您的密码。"
                     "请检查中继地址；如果您的店铺自建中继，请选择它的 CA 文件；否则请联系管理员。")
EN_UNKNOWN_ISSUER = ("The relay's certificate could not be verified: it was not issued by an authority this computer "
                     "trusts. Nothing was sent to it, not even your password. Check the relay address; if your shop "
                     "runs its own relay, choose its CA file; otherwise tell your administrator.")


class TlsRelayControl:
    """The test's relay over HTTPS and WSS, which a test may start again on the same port and data with
    other certificate files."""

    def __init__(self, config: RelayConfig, clock: FakeClock) -> None:
        self.config = config
        self.clock = clock
        self.runner: web.AppRunner | None = None
        self.port = 0
        self.url = ""

    async def start(self, tls: TlsFiles) -> str:
        self.runner, running = await start_tls_relay(self.config, tls, self.clock, port=self.port)
        self.url = running.url
        self.port = int(running.url.rsplit(":", 1)[1])
        return self.url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def restart(self, tls: TlsFiles) -> None:
        await self.stop()
        await self.start(tls)


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    """The shop's CA (its file is what the agent chose at login) and the relay's certificate."""
    return make_tls(tmp_path / "tls")


@pytest.fixture
def other_ca(tmp_path: Path) -> TlsFiles:
    """A certificate for the same addresses from another authority (a replaced certificate, a proxy)."""
    return make_tls(tmp_path / "other")


@pytest.fixture
async def tls_relay(relay_config: RelayConfig, fake_clock: FakeClock, tls: TlsFiles) -> AsyncIterator[TlsRelayControl]:
    control = TlsRelayControl(relay_config, fake_clock)
    await control.start(tls)
    yield control
    await control.stop()


@pytest.fixture
async def open_tls_desk(
    tls_relay: TlsRelayControl, tls: TlsFiles, desk_config: DeskConfig, accounts: Accounts, qapp: QApplication
) -> AsyncIterator[Callable[..., Awaitable[MainWindow]]]:
    """`await open_tls_desk("agent1")`: log in over HTTPS trusting the shop's CA file, show the window, connected."""
    windows: list[MainWindow] = []
    languages = Languages()

    async def make(username: str = "agent1", language: str = "zh_CN") -> MainWindow:
        await accounts.load()
        logged = await accounts.login(tls_relay.url, MAIN_SHOP, username, DEMO_PASSWORD, remember=True,
                                      ca_file=str(tls.ca_file))
        service = await DeskService.open(desk_config, logged.relay_url, logged.token, logged.session,
                                         ca_file=logged.ca_file)
        languages.use(language)
        window = MainWindow(service, accounts, languages)
        window.show()
        windows.append(window)
        await service.start()
        await until(service.link.online.is_set, what="the desk to connect")
        return window

    yield make
    for window in windows:
        if not window._closed:
            window.close()
            await until(lambda w=window: w._closed, what="the window to close")
        window.deleteLater()
    languages.reset()
    flush_deletes()


async def texts_for(window: MainWindow, seconds: float) -> list[str]:
    """Every text the banner showed over `seconds` (while the link keeps trying)."""
    seen: list[str] = []
    end = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < end:
        assert window.banner.isVisible(), "the banner went away while the problem lasted"
        if not seen or seen[-1] != window.banner.text.text():
            seen.append(window.banner.text.text())
        await asyncio.sleep(0.02)
    return seen


async def test_a_certificate_from_another_authority_is_said_in_the_banner_until_the_link_connects(
    open_tls_desk: Any, tls_relay: TlsRelayControl, tls: TlsFiles, other_ca: TlsFiles
) -> None:
    window = await open_tls_desk("agent1", language="zh_CN")
    banner = window.banner
    assert not banner.isVisible()

    await tls_relay.restart(other_ca)  # the relay's certificate changed under the logged-in agent
    await until(lambda: banner.isVisible() and banner.text.text().startswith(ZH_UNKNOWN_ISSUER), timeout=10,
                what="the certificate problem in the banner")
    error = window.service.connection.error
    assert isinstance(error, CertificateRejected) and error.reason == "unknown_issuer"
    assert banner.text.text().startswith(ZH_UNKNOWN_ISSUER)
    assert "保留" in banner.text.text()  # typed messages are still kept
    assert banner.button.isVisible() and banner.button.text() == "立即重连"
    # While it lasts (the link keeps checking, about twice a second here), it never reads as a network blip.
    for text in await texts_for(window, 1.5):
        assert text.startswith(ZH_UNKNOWN_ISSUER) and "服务器无法连接" not in text, text

    window.languages.use("en")
    await until(lambda: banner.text.text().startswith(EN_UNKNOWN_ISSUER), what="the banner in English")
    assert "Messages you type are kept" in banner.text.text() and "unreachable" not in banner.text.text()
    assert banner.button.text() == "Reconnect now"

    await tls_relay.restart(tls)  # the administrator put the shop's certificate back
    banner.button.click()
    await until(lambda: not banner.isVisible(), timeout=5, what="the banner gone once connected")
    assert window.service.link.online.is_set() and window.service.connection.error is None


async def test_a_removed_ca_file_is_said_in_the_supervisors_banner_until_it_is_back(
    open_tls_desk: Any, tls_relay: TlsRelayControl, tls: TlsFiles
) -> None:
    window = await open_tls_desk("super1", language="en")
    assert window.workspace is not None  # the supervisor's window: the same banner above the workspace
    banner = window.banner

    tls.ca_file.unlink()
    await tls_relay.restart(tls)  # the connection drops; reconnecting needs the CA file again
    expected = (f"The CA file {tls.ca_file} cannot be used: it is missing, unreadable or holds no PEM certificate. "
                "Choose the file your administrator gave you, or clear the field.")
    await until(lambda: banner.isVisible() and banner.text.text().startswith(expected), timeout=10,
                what="the CA file problem in the banner")
    assert isinstance(window.service.connection.error, CaFileUnusable)
    assert "unreachable" not in banner.text.text() and banner.button.text() == "Reconnect now"
    window.languages.use("zh_CN")
    await until(lambda: banner.text.text().startswith(f"无法使用 CA 文件 {tls.ca_file}：文件不存在、无法读取"),
                what="the banner in Chinese")

    tls.ca.cert_pem.write_to_path(str(tls.ca_file))
    banner.button.click()
    await until(lambda: not banner.isVisible(), timeout=5, what="the banner gone once connected")
    assert window.service.connection.error is None
