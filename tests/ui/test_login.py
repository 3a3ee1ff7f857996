"""Logging in through the dialog: the real HTTP API, the keyring, and what the agent is told."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.account import Accounts, LoggedIn
from app.config import DeskConfig, PreferenceStore
from app.credentials import SERVICE, TokenVault, account_key
from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.conftest import DEMO_PASSWORD, RunningRelay
from tests.tls_helpers import TlsFiles, make_tls, start_tls_relay
from tests.ui.conftest import MemoryKeyring, until
from ui.i18n import Languages
from ui.login_dialog import LoginDialog

WRONG_CA_EN = (
    "The relay's certificate could not be verified: it was not issued by an authority this computer trusts. "
    "Nothing was sent to it, not even your password. Check the relay address; if your shop runs its own relay, "
    "choose its CA file; otherwise tell your administrator.")


def fill(dialog: LoginDialog, relay: RunningRelay, password: str, user: str = "agent1") -> None:
    dialog.relay.setText(relay.url)
    dialog.shop.setText("jiadian")
    dialog.username.setText(user)
    dialog.password.setText(password)


async def submit(dialog: LoginDialog) -> list[LoggedIn]:
    got: list[LoggedIn] = []
    dialog.logged_in.connect(got.append)
    dialog.submit()
    return got


async def test_login_keeps_the_token_in_the_keyring_and_restores_the_session(
    relay: RunningRelay, accounts: Accounts, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, relay.url)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.keyring_note.isVisible()
    fill(dialog, relay, DEMO_PASSWORD)
    got = await submit(dialog)
    await until(lambda: got, what="logged_in")
    assert got[0].session.display_name == "小美" and got[0].remembered
    key = account_key(relay.url, "jiadian", "agent1")
    assert memory_keyring.store[(SERVICE, key)] == got[0].token
    assert not dialog.isVisible()

    # A new start with the same preferences and keyring restores the login without the dialog.
    again = Accounts(accounts.config, TokenVault(), PreferenceStore(accounts.prefs_store.path))
    await again.load()
    restored = await again.restore()
    assert restored is not None and restored.token == got[0].token


async def test_wrong_password_says_so_and_stores_nothing(
    relay: RunningRelay, accounts: Accounts, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, relay.url)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, relay, "not-the-password")
    got = await submit(dialog)
    await until(lambda: dialog.error.text() == "Wrong shop, account or password.", what="the error")
    assert got == [] and memory_keyring.store == {} and dialog.isVisible()
    assert dialog.buttons.isEnabled()


async def test_too_many_failures_tell_the_agent_how_long_to_wait(
    relay: RunningRelay, accounts: Accounts, qtbot: QtBot
) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, relay.url)
    qtbot.addWidget(dialog)
    fill(dialog, relay, "wrong")
    for _ in range(5):
        dialog.submit()
        await until(lambda: dialog.buttons.isEnabled() and "Logging" not in dialog.error.text())
    dialog.submit()
    await until(lambda: "Try again in" in dialog.error.text(), what="the throttling message")


async def test_unreachable_relay_is_explained(accounts: Accounts, qtbot: QtBot) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, "http://127.0.0.1:9")
    qtbot.addWidget(dialog)
    dialog.relay.setText("http://127.0.0.1:9")
    dialog.shop.setText("jiadian")
    dialog.username.setText("agent1")
    dialog.password.setText("x")
    dialog.submit()
    await until(lambda: "Cannot reach the relay" in dialog.error.text(), what="the network error")


async def test_without_a_keyring_the_login_works_and_is_kept_in_memory_only(
    relay: RunningRelay, desk_config: DeskConfig, no_keyring: None, qtbot: QtBot
) -> None:
    accounts = Accounts(desk_config, TokenVault(), PreferenceStore(desk_config.data_dir / "settings.json"))
    await accounts.load()
    dialog = LoginDialog(accounts, relay.url)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, relay, DEMO_PASSWORD)
    got = await submit(dialog)
    await until(lambda: got, what="logged_in")
    assert not got[0].remembered and not accounts.vault.persistent
    assert await accounts.restore() is not None  # in memory, for this run
    settings = (desk_config.data_dir / "settings.json").read_text(encoding="utf-8")
    assert got[0].token not in settings  # never in a file

    # The next dialog (say, after logging out) tells the agent plainly.
    second = LoginDialog(accounts, relay.url)
    qtbot.addWidget(second)
    second.show()
    assert second.keyring_note.isVisible() and "no keyring" in second.keyring_note.text()

    # A new process has nothing to restore.
    fresh = Accounts(desk_config, TokenVault(), PreferenceStore(desk_config.data_dir / "settings.json"))
    await fresh.load()
    assert await fresh.restore() is None


async def test_a_revoked_token_is_not_restored(
    relay: RunningRelay, accounts: Accounts, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    from app.client import logout

    await accounts.load()
    logged = await accounts.login(relay.url, "jiadian", "agent1", DEMO_PASSWORD, remember=True)
    await logout(relay.url, logged.token)
    assert await accounts.restore() is None
    assert memory_keyring.store == {}  # forgotten, not tried again at every start
    await asyncio.sleep(0)


@pytest.mark.parametrize("missing", ["shop", "password"])
async def test_empty_fields_are_refused_before_asking_the_relay(
    relay: RunningRelay, accounts: Accounts, missing: str, qtbot: QtBot
) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, relay.url)
    qtbot.addWidget(dialog)
    fill(dialog, relay, DEMO_PASSWORD)
    getattr(dialog, missing).clear()
    dialog.submit()
    assert dialog.error.text() == "Please fill in every field."


# TLS: the relay's certificate and the CA file -------------------------------------------------------


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return make_tls(tmp_path / "tls")


@pytest.fixture
async def tls_relay(relay_config: RelayConfig, fake_clock: FakeClock, tls: TlsFiles) -> AsyncIterator[RunningRelay]:
    """The relay over HTTPS, its certificate from the shop's own CA (not in the system store)."""
    runner, running = await start_tls_relay(relay_config, tls, fake_clock)
    yield running
    await runner.cleanup()


async def test_a_certificate_from_an_unknown_ca_is_explained_and_nothing_is_kept(
    tls_relay: RunningRelay, accounts: Accounts, memory_keyring: MemoryKeyring, qtbot: QtBot, tmp_path: Path
) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, tls_relay.url)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ca_file.text() == "" and dialog.ca_file.isVisible() and dialog.choose_ca.text() == "Choose…"
    fill(dialog, tls_relay, DEMO_PASSWORD)
    dialog.ca_file.setText(str(make_tls(tmp_path / "other").ca_file))  # another shop's CA
    got = await submit(dialog)
    await until(lambda: dialog.error.text() == WRONG_CA_EN, what="the certificate message")
    assert got == [] and memory_keyring.store == {} and dialog.isVisible() and dialog.buttons.isEnabled()
    assert dialog.error.textFormat() == Qt.TextFormat.PlainText


async def test_the_message_is_in_the_agents_language(
    tls_relay: RunningRelay, accounts: Accounts, qtbot: QtBot
) -> None:
    languages = Languages()
    languages.use("zh_CN")
    try:
        await accounts.load()
        dialog = LoginDialog(accounts, tls_relay.url)
        qtbot.addWidget(dialog)
        fill(dialog, tls_relay, DEMO_PASSWORD)  # no CA file: the shop's own CA is not in the system store
        dialog.submit()
        await until(lambda: "证书" in dialog.error.text(), what="the certificate message in Chinese")
        text = dialog.error.text()
        assert "无法验证" in text and "密码" in text and "CA 文件" in text and "管理员" in text
        assert dialog.choose_ca.text() == "选择…"
    finally:
        languages.reset()


async def test_with_the_shops_ca_file_the_login_works_and_the_file_is_remembered(
    tls_relay: RunningRelay, tls: TlsFiles, accounts: Accounts, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, tls_relay.url)
    qtbot.addWidget(dialog)
    fill(dialog, tls_relay, DEMO_PASSWORD)
    dialog.ca_file.setText(str(tls.ca_file))
    got = await submit(dialog)
    await until(lambda: got, what="logged_in")
    assert got[0].ca_file == str(tls.ca_file) and accounts.prefs.ca_file == str(tls.ca_file)

    # The next start restores the login over TLS with the remembered CA file, and shows it again.
    again = Accounts(accounts.config, TokenVault(), PreferenceStore(accounts.prefs_store.path))
    await again.load()
    restored = await again.restore()
    assert restored is not None and restored.ca_file == str(tls.ca_file)
    second = LoginDialog(again, tls_relay.url)
    qtbot.addWidget(second)
    assert second.ca_file.text() == str(tls.ca_file)


async def test_a_remembered_login_the_certificate_now_fails_says_why_at_start(
    tls_relay: RunningRelay, tls: TlsFiles, accounts: Accounts, memory_keyring: MemoryKeyring, qtbot: QtBot,
    tmp_path: Path
) -> None:
    await accounts.load()
    await accounts.login(tls_relay.url, "jiadian", "agent1", DEMO_PASSWORD, remember=True, ca_file=str(tls.ca_file))
    await accounts.save_prefs(accounts.prefs.with_changes(ca_file=str(make_tls(tmp_path / "other").ca_file)))
    assert await accounts.restore() is None
    assert memory_keyring.store != {}  # the token was never sent: it is kept for when the relay is fixed
    dialog = LoginDialog(accounts, tls_relay.url)
    qtbot.addWidget(dialog)
    assert dialog.error.text() == WRONG_CA_EN


async def test_an_unusable_ca_file_is_explained(tls_relay: RunningRelay, accounts: Accounts, qtbot: QtBot,
                                                 tmp_path: Path) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, tls_relay.url)
    qtbot.addWidget(dialog)
    fill(dialog, tls_relay, DEMO_PASSWORD)
    missing = tmp_path / "nowhere" / "ca.pem"
    dialog.ca_file.setText(str(missing))
    dialog.submit()
    await until(lambda: dialog.error.text().startswith(f"The CA file {missing} cannot be used"), what="the message")


async def test_choose_opens_a_file_dialog_without_blocking_and_fills_the_field(
    accounts: Accounts, qtbot: QtBot, tls: TlsFiles
) -> None:
    await accounts.load()
    dialog = LoginDialog(accounts, "https://127.0.0.1:9")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose_ca.click()  # returns at once: open(), not exec()
    chooser = dialog.ca_dialog
    assert chooser is not None and chooser.isVisible() and chooser.isModal()
    chooser.fileSelected.emit(str(tls.ca_file))
    chooser.reject()
    assert dialog.ca_file.text() == str(tls.ca_file)
