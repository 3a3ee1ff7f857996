"""`make screenshots` (second part): the supervisor's screens, from the real window under Xvfb.

Runs the scripted day of tests/scripted_day.py on the relay's fake clock (so the wallboard shows
a real day: replies at 179/180/181 s, transfers, an abandoned chat, calls, a complaint, ratings),
then a buyer writes once more and the supervisor 王主管 monitors that chat and whispers to 小美.
Writes docs/screenshots/: the wallboard (Chinese and English), the complaints list, monitor and
whisper, the shop settings dialog and the template editor, in Chinese.
"""

from __future__ import annotations

from pathlib import Path


async def shoot_supervisor(out: Path) -> None:
    from PySide6.QtWidgets import QWidget

    from app.account import Accounts
    from app.client import KefuClient, buyer_session, login
    from app.config import DeskConfig, PreferenceStore
    from app.credentials import TokenVault
    from app.services import DeskService
    from relay.clock import FakeClock
    from tests.conftest import DEMO_PASSWORD, MAIN_SHOP
    from tests.screenshots import demo_relay, save_png, settle, stop_demo_relay
    from tests.scripted_day import START_MS, Day
    from ui.i18n import Languages
    from ui.main_window import MainWindow

    def save(widget: QWidget, name: str) -> None:
        save_png(widget, out, name)

    clock = FakeClock(START_MS)
    tmp, runner, relay = await demo_relay("kefu-shots-supervisor-", clock, token_ttl_s=24 * 3600)
    made: list[KefuClient] = []

    async def clients(username: str | None = None, *, buyer: str | None = None) -> KefuClient:
        token = ((await login(relay.url, MAIN_SHOP, username, DEMO_PASSWORD)).token if username is not None
                 else (await buyer_session(relay.url, buyer)).token)
        client = KefuClient(relay.url, token)
        made.append(client)
        await client.connect()
        return client

    try:
        desk_config = DeskConfig(data_dir=tmp / "desk")
        accounts = Accounts(desk_config, TokenVault(), PreferenceStore(tmp / "desk" / "settings.json"))
        await accounts.load()
        languages = Languages()
        languages.use("zh_CN")
        logged = await accounts.login(relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD, remember=False)
        service = await DeskService.open(desk_config, logged.relay_url, logged.token, logged.session)
        window = MainWindow(service, accounts, languages)
        window.resize(1500, 940)
        window.show()
        await service.start()
        await service.link.online.wait()
        workspace = window.workspace
        assert workspace is not None

        day = await Day(relay, clients, clock).run()  # type: ignore[arg-type]
        await settle(1.5)
        workspace.setCurrentWidget(workspace.wallboard)
        await settle(1.5)
        workspace.wallboard.flush()
        await settle(0.5)
        save(window, "wallboard-zh")

        workspace.setCurrentWidget(workspace.complaints)
        await settle(0.5)
        workspace.complaints.table.selectRow(0)  # its details, the call record with it
        await settle(1.0)
        save(window, "complaints-zh")

        # One more buyer: 小美 has the chat, 王主管 monitors it and whispers.
        xiaomei = day["agent1"]
        buyer = await clients(buyer="b-jiadian-0031")
        conv = await buyer.open_conversation(MAIN_SHOP)
        await buyer.send_text(conv.conversation_id, "这台冰箱能放进 60 公分宽的柜子里吗？")
        await settle(0.5)
        await xiaomei.send_text(conv.conversation_id, "亲，您好～我帮您查一下尺寸")
        await settle(0.5)
        workspace.setCurrentWidget(workspace.chats)
        window.open_conversation(conv.conversation_id)
        await settle(1.0)
        assert window.bridge.notes is not None
        await window.bridge.notes.add(conv.conversation_id, "这款冰箱要留散热空间，提醒买家左右各留 5 公分",
                                      kind="whisper")
        await window.bridge.notes.add(conv.conversation_id, "买家上周问过同款，倾向买对开门", kind="note")
        await settle(1.0)
        save(window, "monitor-whisper-zh")

        settings = window.shop_actions.open_shop_settings()
        assert settings is not None  # a supervisor's window offers it
        templates = window.shop_actions.open_templates()
        for dialog, name in ((settings, "shop-settings-zh"), (templates, "template-editor-zh")):
            await settle(1.2)
            save(dialog, name)
            dialog.close()
            await settle(0.3)

        languages.use("en")
        workspace.setCurrentWidget(workspace.wallboard)
        await settle(1.0)
        save(window, "wallboard-en")
        window.close()
        await settle(1.0)
    finally:
        await stop_demo_relay(tmp, runner, made)
