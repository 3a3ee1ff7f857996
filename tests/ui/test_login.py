"""Logging in through the dialog: the real HTTP API, the keyring, and what the agent is told."""

from __future__ import annotations

import asyncio

import pytest
from pytestqt.qtbot import QtBot

from app.account import Accounts, LoggedIn
from app.config import DeskConfig, PreferenceStore
from app.credentials import SERVICE, TokenVault, account_key
from tests.conftest import DEMO_PASSWORD, RunningRelay
from tests.ui.conftest import MemoryKeyring, until
from ui.login_dialog import LoginDialog


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
