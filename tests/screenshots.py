"""`make screenshots`: PNGs of the workstation's main screens, from the real window under Xvfb.

Runs the relay in-process on a fake clock (so the SLA colours can be shown: one chat waiting
past 100 s, one past 180 s), simulated buyers writing over the real protocol, and the real
workstation logged in as the demo agent 小美. Writes docs/screenshots/*.png: each screen in
Chinese, and the main window in English. Look at them after a UI change.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def ensure_display() -> subprocess.Popen[bytes] | None:
    """Start Xvfb when there is no display; returns the process to stop at the end."""
    if os.environ.get("DISPLAY"):
        return None
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        sys.exit("Xvfb is not installed: run `make screenshots` (it installs it)")
    display = f":{90 + os.getpid() % 50}"
    proc = subprocess.Popen([xvfb, display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
            break
        time.sleep(0.05)
    os.environ["DISPLAY"] = display
    return proc


async def settle(seconds: float = 0.4) -> None:
    # Only ever await here: processEvents() inside a coroutine would run other tasks re-entrantly.
    await asyncio.sleep(seconds)


def save_png(widget: Any, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"  {path}")


async def demo_relay(prefix: str, clock: Any, **config: Any) -> tuple[Path, Any, Any]:
    """A relay on the demo shops in a new temporary directory: (the directory, its runner, the relay)."""
    from relay.config import RateLimit, RelayConfig
    from relay.seeding import seed_demo
    from relay.store.sqlite import SqliteStore
    from tests.conftest import start_relay

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    (tmp / "relay").mkdir()
    store = SqliteStore(tmp / "relay" / "relay.sqlite3")
    await store.open()
    await seed_demo(store, clock.now_ms())
    await store.close()
    runner, relay = await start_relay(RelayConfig(
        data_dir=tmp / "relay", port=0, synchronous="NORMAL", buyer_rate=RateLimit(1000, 1000),
        agent_rate=RateLimit(1000, 1000), **config), clock)
    return tmp, runner, relay


async def stop_demo_relay(tmp: Path, runner: Any, clients: list[Any]) -> None:
    """Close the clients, stop the relay of `demo_relay`, remove its directory."""
    for client in clients:
        await client.close()
    await runner.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)


async def shoot(out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    from app.account import Accounts
    from app.client import KefuClient, buyer_session, login
    from app.config import DeskConfig, PreferenceStore
    from app.credentials import TokenVault
    from app.services import DeskService
    from relay.clock import FakeClock
    from tests.conftest import start_relay
    from ui.i18n import Languages
    from ui.login_dialog import LoginDialog
    from ui.main_window import MainWindow
    from wire import frames as f

    def save(widget: QWidget, name: str) -> None:
        save_png(widget, out, name)

    clock = FakeClock()
    tmp, runner, relay = await demo_relay("kefu-shots-", clock)
    buyers: list[KefuClient] = []
    try:
        async def buyer(buyer_id: str, *texts: str) -> tuple[KefuClient, int]:
            client = KefuClient(relay.url, (await buyer_session(relay.url, buyer_id)).token)
            await client.connect()
            buyers.append(client)
            conv = await client.open_conversation("jiadian")
            for text in texts:
                await client.send_text(conv.conversation_id, text)
            return client, conv.conversation_id

        desk_config = DeskConfig(data_dir=tmp / "desk")
        accounts = Accounts(desk_config, TokenVault(), PreferenceStore(tmp / "desk" / "settings.json"))
        await accounts.load()
        languages = Languages()
        languages.use("zh_CN")

        login_dialog = LoginDialog(accounts, relay.url)
        login_dialog.shop.setText("jiadian")
        login_dialog.username.setText("agent1")
        login_dialog.password.setText("kefu-demo")
        login_dialog.show()
        await settle()
        save(login_dialog, "login-zh")
        login_dialog.close()

        logged = await accounts.login(relay.url, "jiadian", "agent1", "kefu-demo", remember=False)
        service = await DeskService.open(desk_config, logged.relay_url, logged.token, logged.session)
        window = MainWindow(service, accounts, languages)
        window.resize(1440, 880)
        window.show()
        await service.start()
        await service.link.online.wait()

        colleague = KefuClient(relay.url, (await login(relay.url, "jiadian", "agent2", "kefu-demo")).token)
        await colleague.connect()  # 阿杰 is online too, so a transfer has somewhere to go
        await colleague.call(f.SetStatus, status="busy")
        buyers.append(colleague)
        # Three buyers, one waiting past 180 s, one past 100 s, one just now.
        _, hood = await buyer("b-jiadian-0003", "你好，我家灶台到吊柜只有70公分，这款油烟机能装吗？", "在吗？急")
        clock.advance(130)
        _, piano = await buyer("b-jiadian-0008", "数码钢琴的踏板怎么接？说明书没看懂")
        clock.advance(60)
        hostile = "路由器后台打不开 <b>192.168.1.1</b> 是这个地址吗"
        router_client, router = await buyer("b-jiadian-0015", hostile)
        await buyer("b-jiadian-0021", "衣柜什么时候能安排安装师傅？")
        await settle(1.0)
        # The chat the agent works in: a reply, an order card, an after-sales offer.
        window.open_conversation(router)
        await settle(0.6)
        await service.send_text(router, "您好，我是小美～是的，浏览器地址栏输入 192.168.1.1 即可，"
                                        "初始密码在路由器底部标签上。")
        context = await service.context(router)
        order = next((o for o in context.orders if o.status != "pending_payment"), None)
        if order is not None:
            await service.send_card(router, f.CardRequest(kind="order", order_no=order.order_no), order.order_no)
        await router_client.send_text(router, "好的，我试试，谢谢！")
        await settle(1.5)
        window.queue_panel.select(router)
        await settle(0.8)
        save(window, "main-zh")

        # The template picker, filtered by pinyin initials.
        composer = window.conversation.composer
        composer.edit.setFocus()
        QTest.keyClicks(composer.edit, "/lyq")
        await settle(0.5)
        save(window, "templates-zh")
        save(composer.picker, "template-picker-zh")
        QTest.keyClick(composer.edit, Qt.Key.Key_Return)
        await settle(0.8)
        save(window, "template-filled-zh")
        composer.edit.clear()

        if order is not None:
            dialog = window.context_panel.ask_offer(order, "refund_only")
            await settle()
            save(dialog, "offer-dialog-zh")
            dialog.reject()

        await colleague.call(f.SetStatus, status="online")
        await settle(0.6)
        transfer = window.conversation.open_transfer()
        if transfer is not None:
            transfer.note.setPlainText("买家路由器型号 AX3000，已告知后台地址，等买家试完")
            await settle()
            save(transfer, "transfer-dialog-zh")
            transfer.reject()

        search = window.open_search()
        search.query.setText("安装")
        await settle(0.8)
        save(search, "search-zh")
        search.close()

        window.open_conversation(hood)
        await settle(0.8)
        save(window, "conversation-overdue-zh")
        window.open_conversation(piano)
        await settle(0.8)
        save(window, "conversation-warning-zh")

        await runner.cleanup()
        await settle(2.0)
        composer.edit.setPlainText("网络恢复后这条会自动发出")
        QTest.keyClick(composer.edit, Qt.Key.Key_Return)
        await settle(0.3)
        save(window, "offline-zh")
        runner, relay = await start_relay(relay.config, clock, int(relay.url.rsplit(":", 1)[1]))
        await service.link.online.wait()
        await settle(1.0)

        # A video explanation: the buyer accepts and turns the camera on (an aiortc phone with a test pattern).
        from app.buyer_call import BuyerPhone
        from app.calls import loopback_only

        with loopback_only():
            client, video_conv = await buyer("b-jiadian-0030", "这台洗碗机的安装要注意什么？能视频看看吗")
            phone = BuyerPhone(client)
            await settle(1.0)
            window.open_conversation(video_conv)
            await settle(1.0)
            call_button = window.conversation.call_button
            save(window, "video-invite-zh")
            menu = call_button.menu()
            if menu is not None and call_button.isEnabled():
                menu.actions()[0].trigger()
                invited = await phone.invitation()
                await settle(0.8)
                save(window, "video-ringing-zh")
                await phone.answer(invited.call_id)
                await settle(1.5)
                phone.camera_on()
                await settle(3.0)
                call_window = window.call_windows.get(invited.call_id)
                if call_window is not None:
                    save(call_window, "video-call-window-zh")
                    await window.service.calls.hang_up(invited.call_id)
                await settle(1.0)
            await phone.close()

        languages.use("en")
        window.open_conversation(router)
        await settle(1.0)
        save(window, "main-en")
        window.close()
        await settle(1.0)
    finally:
        await stop_demo_relay(tmp, runner, buyers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--part", choices=("all", "agent", "supervisor"), default="all",
                        help="the agent's screens, the supervisor's (tests/screenshots_supervisor.py), or both")
    args = parser.parse_args(argv)
    xvfb = ensure_display()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false;qt.qpa.*=false")
    try:
        import qasync
        from PySide6.QtWidgets import QApplication

        from ui import theme
        from ui.gc_guard import GuiThreadCollector

        app: Any = QApplication.instance() or QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)
        theme.apply(app)
        collector = GuiThreadCollector(app)
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"writing screenshots to {args.out}")
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            if args.part in ("all", "agent"):
                runner.run(shoot(args.out))
            if args.part in ("all", "supervisor"):
                from tests.screenshots_supervisor import shoot_supervisor

                runner.run(shoot_supervisor(args.out))
        collector.stop()
    finally:
        if xvfb is not None:
            xvfb.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
