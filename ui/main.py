"""`kefu-desk` (or `python -m ui`): start the workstation with asyncio running on Qt's loop (qasync).

Start-up: preferences, language, then the remembered login if its token is still valid, else the
login dialog; then the main window. Logging out returns to the login dialog; closing the window
ends the program after the core has closed its connection and history.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Before Qt is loaded: QtMultimedia's backends log their probing (pipewire, VA-API) as they load.
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")

import qasync
from PySide6.QtCore import QCoreApplication, Qt, SignalInstance
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.account import Accounts, LoggedIn
from app.config import DEFAULT_RELAY_URL, DeskConfig, PreferenceStore, default_data_dir
from app.credentials import TokenVault
from app.errors import KefuError
from app.services import DeskService
from ui import theme
from ui.gc_guard import GuiThreadCollector
from ui.i18n import Languages
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow

logger = logging.getLogger(__name__)

READY_MARK = "kefu-desk: queue ready"
"""Printed (with --print-ready) when the queue is usable; benchmarks time the start-up with it."""


async def next_emission(*signals: SignalInstance) -> tuple[int, tuple[Any, ...]]:
    """Wait for the first of these signals; returns (which, its arguments)."""
    future: asyncio.Future[tuple[int, tuple[Any, ...]]] = asyncio.get_running_loop().create_future()
    slots = []
    for i, signal in enumerate(signals):
        def slot(*args: Any, i: int = i) -> None:
            if not future.done():
                future.set_result((i, args))
        signal.connect(slot)
        slots.append((signal, slot))
    try:
        return await future
    finally:
        for signal, slot in slots:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass  # the sender is already gone


class Workstation:
    """The application's flow: login, main window, logout, again."""

    def __init__(self, app: QApplication, args: argparse.Namespace) -> None:
        self.app = app
        self.args = args
        self.config = DeskConfig(data_dir=args.data_dir, relay_url=args.relay_url)
        self.accounts = Accounts(self.config, TokenVault(), PreferenceStore(args.data_dir / "settings.json"))
        self.languages = Languages()
        self.window: MainWindow | None = None
        self.started = time.perf_counter()

    async def run(self) -> int:
        prefs = await self.accounts.load()
        self.languages.use(self.args.language or prefs.language)
        first = True
        while True:
            logged = await self._login(auto=first)
            first = False
            if logged is None:
                return 0
            service = await DeskService.open(self.config, logged.relay_url, logged.token, logged.session,
                                             ca_file=logged.ca_file)
            window = self.window = MainWindow(service, self.accounts, self.languages)
            window.show()
            await service.start()
            if self.args.print_ready:
                await service.link.online.wait()
                print(f"{READY_MARK} {time.perf_counter() - self.started:.3f}", flush=True)
                if self.args.exit_when_ready:
                    window.close()
            which, _ = await next_emission(window.closed, window.logged_out)
            window.deleteLater()
            self.window = None
            if which == 0:
                return 0

    async def _login(self, *, auto: bool) -> LoggedIn | None:
        a = self.args
        if auto and a.user:
            password = os.environ.get(a.password_env, "") if a.password_env else ""
            if password:
                try:
                    return await self.accounts.login(a.relay_url, a.shop, a.user, password, remember=False)
                except KefuError as exc:
                    logger.warning("automatic login failed: %s", exc)
        if auto:
            restored = await self.accounts.restore()
            if restored is not None:
                return restored
        dialog = LoginDialog(self.accounts, a.relay_url)
        dialog.setWindowIcon(QIcon(str(theme.ICON_FILE)))
        if a.shop and not self.accounts.prefs.shop:
            dialog.shop.setText(a.shop)
        dialog.open()
        which, args = await next_emission(dialog.logged_in, dialog.rejected)
        dialog.deleteLater()
        return args[0] if which == 0 else None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kefu-desk", description="Kefu Desk customer-service workstation")
    parser.add_argument("--relay-url", default=os.environ.get("KEFU_RELAY_URL", DEFAULT_RELAY_URL))
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--shop", default="")
    parser.add_argument("--user", default="", help="log in as this account at start (with --password-env)")
    parser.add_argument("--password-env", default="",
                        help="name of an environment variable holding the password (never the password itself)")
    parser.add_argument("--language", choices=["", "zh_CN", "en"], default="")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--print-ready", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("QT_API", "pyside6")
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Kefu Desk")
    app.setOrganizationName("Kefu")
    app.setWindowIcon(QIcon(str(theme.ICON_FILE)))
    app.setQuitOnLastWindowClosed(False)  # the flow decides when to quit (logout shows the login again)
    theme.apply(app)
    collector = GuiThreadCollector(app)
    workstation = Workstation(app, args)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        try:
            return runner.run(workstation.run())
        finally:
            collector.stop()


if __name__ == "__main__":
    sys.exit(main())
