"""Qt tests on qasync: the test's event loop *is* Qt's, and a stray loop exception fails the test.

Each test gets a real relay on port 0 (the fake clock of tests/conftest.py), an in-memory
keyring (or none, for the tests about that), a data directory of its own, and a workstation
logged in through the real HTTP API and WebSocket.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from app.account import Accounts
from app.config import DeskConfig, PreferenceStore
from app.credentials import TokenVault
from app.services import DeskService
from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay, start_relay
from ui import theme
from ui.gc_guard import GuiThreadCollector
from ui.i18n import Languages
from ui.main_window import MainWindow

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")


_collector: GuiThreadCollector | None = None


class _TestQtLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, except that its "one last round" of Qt events after each run (pytest-asyncio runs
    every fixture and test separately) happens with the loop marked as running: a task stepped in that
    round (a store's checkpointer waking up) otherwise fails with "no running event loop"."""

    def run_until_complete(self, future: Any) -> Any:
        future = asyncio.ensure_future(future, loop=self)

        def stop(_future: Any) -> None:
            self.stop()

        future.add_done_callback(stop)
        try:
            self.run_forever()
        finally:
            future.remove_done_callback(stop)
        asyncio.events._set_running_loop(self)
        try:
            QApplication.processEvents()
        finally:
            asyncio.events._set_running_loop(None)
        if not future.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return future.result()


def _qt_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # closing a test's window must not stop the loop
    theme.apply(app)
    global _collector
    if _collector is None:  # as in ui.main: garbage is collected on the GUI thread only
        _collector = GuiThreadCollector(app)
    return _TestQtLoop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], Any]]:
    return {"qasync": _qt_loop}


@pytest.fixture(autouse=True)
async def fail_on_stray_loop_exceptions() -> AsyncIterator[None]:
    """Exceptions nobody awaited (a task that crashed, a callback that raised) fail the test."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield
    await asyncio.sleep(0)
    gc.collect()  # on this (the GUI) thread, while the loop still runs
    loop.set_exception_handler(None)
    assert not errors, [e.get("message") or repr(e.get("exception")) for e in errors]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives as long as the test (never a file)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


class RelayControl:
    """The test's relay, which a test may stop (the workstation goes offline) and start again on the
    same port and data directory (it comes back)."""

    def __init__(self, config: RelayConfig, clock: FakeClock) -> None:
        self.config = config
        self.clock = clock
        self.runner: Any = None
        self.running: RunningRelay | None = None
        self.port = 0

    async def start(self) -> RunningRelay:
        self.runner, running = await start_relay(self.config, self.clock, self.port)
        self.port = int(running.url.rsplit(":", 1)[1])
        if self.running is None:
            self.running = running
        else:  # keep the object tests hold, pointing at the new process state
            self.running.relay = running.relay
        return self.running

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


@pytest.fixture
async def relay_control(relay_config: RelayConfig, fake_clock: FakeClock) -> AsyncIterator[RelayControl]:
    control = RelayControl(relay_config, fake_clock)
    await control.start()
    yield control
    await control.stop()


@pytest.fixture
async def relay(relay_control: RelayControl) -> RunningRelay:
    """Here the relay is restartable (see RelayControl); otherwise the same as tests/conftest.py's."""
    assert relay_control.running is not None
    return relay_control.running


async def until(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
    """Poll on the loop (never block it, unlike qtbot.waitUntil inside async code)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.02)


@pytest.fixture
def desk_config(tmp_path: Path) -> DeskConfig:
    return DeskConfig(data_dir=tmp_path / "desk", reconnect_max_s=0.5, request_timeout_s=5.0)


@pytest.fixture
def accounts(desk_config: DeskConfig, memory_keyring: MemoryKeyring) -> Accounts:
    return Accounts(desk_config, TokenVault(), PreferenceStore(desk_config.data_dir / "settings.json"))


@pytest.fixture
async def open_desk(
    relay: RunningRelay, desk_config: DeskConfig, accounts: Accounts, qapp: QApplication
) -> AsyncIterator[Callable[..., Awaitable[MainWindow]]]:
    """`await open_desk("agent1")`: log in for real and show the main window, connected."""
    windows: list[MainWindow] = []
    languages = Languages()

    async def make(username: str = "agent1", shop: str = MAIN_SHOP, language: str = "zh_CN") -> MainWindow:
        await accounts.load()
        logged = await accounts.login(relay.url, shop, username, DEMO_PASSWORD, remember=True)
        service = await DeskService.open(desk_config, logged.relay_url, logged.token, logged.session)
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


def flush_deletes() -> None:
    """Delete (on this thread) every Qt object scheduled for deletion, then collect cycles."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


@pytest.fixture(scope="session", autouse=True)
def tidy_qt_at_the_end() -> Iterator[None]:
    """Leave no widget for interpreter shutdown to free in arbitrary order."""
    yield
    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    flush_deletes()
    if _collector is not None:
        _collector.stop()
