"""The shop settings dialog against a real relay: caps steer routing, agents are kept out, changes show live."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.account import Accounts
from app.config import DeskConfig, PreferenceStore
from app.credentials import TokenVault
from app.errors import RelayError
from app.services import DeskService
from app.shop_config import SettingRejected
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.ui.conftest import MemoryKeyring, until
from tests.ui.test_workstation import buyer_says
from ui.i18n import Languages
from ui.main_window import MainWindow
from ui.shop_settings_dialog import ShopSettingsDialog
from wire import frames as f
from wire.errors import ErrorCode


async def settings_dialog(window: MainWindow) -> ShopSettingsDialog:
    dialog = window.shop_actions.open_shop_settings()
    assert dialog is not None and dialog.isVisible()
    await until(lambda: dialog.save_button.isEnabled() and dialog.cap_boxes, what="the settings loaded")
    return dialog


@pytest.fixture
async def second_desk(
    relay: RunningRelay, tmp_path: Path, memory_keyring: MemoryKeyring, qapp: QApplication
) -> AsyncIterator[Callable[[str], Awaitable[MainWindow]]]:
    """Another workstation (its own data directory), e.g. the same supervisor on a second computer."""
    windows: list[MainWindow] = []

    async def make(username: str) -> MainWindow:
        config = DeskConfig(data_dir=tmp_path / f"desk2-{len(windows)}", reconnect_max_s=0.5, request_timeout_s=5.0)
        accounts = Accounts(config, TokenVault(), PreferenceStore(config.data_dir / "settings.json"))
        await accounts.load()
        logged = await accounts.login(relay.url, MAIN_SHOP, username, DEMO_PASSWORD, remember=False)
        service = await DeskService.open(config, logged.relay_url, logged.token, logged.session)
        window = MainWindow(service, accounts, Languages())
        window.show()
        windows.append(window)
        await service.start()
        await until(service.link.online.is_set, what="the second desk to connect")
        return window

    yield make
    for window in windows:
        if not window._closed:
            window.close()
            await until(lambda w=window: w._closed, what="the second window to close")
        window.deleteLater()


async def test_lowering_an_agents_cap_stops_new_assignments_to_that_agent(open_desk, clients, relay) -> None:
    agent = await open_desk("agent1")
    supervisor = await open_desk("super1")
    agent_id = agent.service.session.user_id
    _, first = await buyer_says(clients, "第一个问题", buyer="b-jiadian-0001")
    await until(lambda: relay.relay.desk.assigned_agent(first.conversation_id) == int(agent_id),
                what="the first chat with agent1")

    dialog = await settings_dialog(supervisor)
    assert dialog.cap_boxes[agent_id].value() == 8
    dialog.cap_boxes[agent_id].setValue(1)
    dialog.save_button.click()
    await until(lambda: dialog.message.text() == dialog.tr("Saved."), what=f"saved {dialog.message.text()}")
    await until(lambda: supervisor.shop_actions.book.cap_of(agent_id) == 1, what="the new cap pushed")
    assert agent.shop_actions.book.cap_of(agent_id) == 1  # every workstation hears it

    _, second = await buyer_says(clients, "第二个问题", buyer="b-jiadian-0002")
    await until(lambda: any(e.conversation_id == second.conversation_id for e in supervisor.service.queue.entries),
                what="the second chat queued")
    assert relay.relay.desk.assigned_agent(second.conversation_id) is None
    assert second.conversation_id not in agent.service.conversations or \
        not agent.service.conversations[second.conversation_id].active


async def test_an_invalid_change_is_explained_and_not_sent(open_desk) -> None:
    supervisor = await open_desk("super1")
    dialog = await settings_dialog(supervisor)
    before = supervisor.shop_actions.book.config
    dialog.opens.setText("18:00")
    dialog.closes.setText("09:00")
    dialog.save_button.click()
    assert dialog.message.text() == dialog.problem_text(SettingRejected("closes", "hours_order"))
    dialog.opens.setText("25:00")
    dialog.save_button.click()
    assert dialog.message.text() == dialog.problem_text(SettingRejected("opens", "time_format"))
    assert supervisor.shop_actions.book.config == before
    with pytest.raises(SettingRejected) as rejected:
        await supervisor.shop_actions.book.set_calls(max_duration_s=60)  # the warning is 5 minutes before the end
    assert rejected.value.problem == "warning_after_end"


async def test_an_agent_cannot_open_shop_settings_and_the_relay_refuses_if_forced(open_desk) -> None:
    agent = await open_desk("agent1")
    actions = agent.shop_actions
    assert not actions.shop_settings_action.isVisible() and not actions.shop_settings_action.isEnabled()
    assert actions.shop_settings_action not in agent.toolbar.actions()
    assert actions.templates_action in agent.toolbar.actions()
    assert actions.open_shop_settings() is None
    with pytest.raises(SettingRejected):
        await actions.book.set_cap(agent.service.session.user_id, 1)
    for frame_type, fields in ((f.SetCap, {"agent_id": agent.service.session.user_id, "cap": 1}),
                               (f.ShopSettings, {"mode": "manual"}), (f.CallSettings, {"enabled": False})):
        with pytest.raises(RelayError) as refused:
            await agent.service.request(frame_type, **fields)
        assert refused.value.code == ErrorCode.FORBIDDEN
    dialog = ShopSettingsDialog(agent.service, actions.book, agent)  # even if built: nothing can be changed
    await until(lambda: dialog.cap_boxes, what="the settings shown")
    assert not dialog.save_button.isEnabled() and not dialog.mode.isEnabled()
    assert not any(box.isEnabled() for box in dialog.cap_boxes.values())
    dialog.deleteLater()


async def test_a_change_shows_up_live_in_another_supervisors_open_dialog(open_desk, second_desk) -> None:
    first = await open_desk("super1")
    second = await second_desk("super1")
    mine = await settings_dialog(first)
    theirs = await settings_dialog(second)
    theirs.invites.setValue(7)  # being edited there: kept
    assert mine.calls_enabled.isChecked()
    mine.calls_enabled.setChecked(False)
    mine.duration.setValue(20)
    mine.save_button.click()
    await until(lambda: not theirs.calls_enabled.isChecked() and theirs.duration.value() == 20,
                what="the change in the other dialog")
    assert theirs.invites.value() == 7
    assert first.service.session.display_name in theirs.live_note.text()
    await until(lambda: any(theirs.audit_table.item(r, 2).text() == theirs.setting_name("calls.enabled")
                            for r in range(theirs.audit_table.rowCount())), what="the audit entry shown")
    config = second.shop_actions.book.config
    assert config is not None and not config.calls.enabled and config.calls.max_duration_s == 1200
