"""Offline and back, logging out elsewhere, closing, searching, claiming, resolving, exporting, notifying."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.client import logout
from tests.relay.helpers import next_chat, next_of
from tests.ui.conftest import RelayControl, until
from tests.ui.test_workstation import buyer_says, open_chat
from wire import frames as f


def stored(relay_control: RelayControl, text: str) -> int:
    with sqlite3.connect(relay_control.config.db_path) as db:
        return int(db.execute("SELECT COUNT(*) FROM messages WHERE text = ?", (text,)).fetchone()[0])


async def test_offline_banner_then_the_outbox_is_sent_once_when_the_relay_is_back(
    open_desk, clients, relay_control: RelayControl
) -> None:
    window = await open_desk("agent1")
    buyer, conv = await buyer_says(clients, "在吗？")
    await open_chat(window, conv.conversation_id, "在吗？")
    assert not window.banner.isVisible()

    await relay_control.stop()
    await until(lambda: window.banner.isVisible(), what="the offline banner")
    assert "保留" in window.banner.text.text()  # typed messages are kept
    composer = window.conversation.composer
    composer.edit.setPlainText("网络断了也能先写好")
    QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    await until(lambda: any(m.text == "网络断了也能先写好" and m.state == "sending" and m.seq is None
                            for m in window.conversation.messages()), what="a sending bubble")

    await relay_control.start()
    await until(lambda: not window.banner.isVisible(), timeout=10, what="back online")
    await until(lambda: any(m.text == "网络断了也能先写好" and m.seq is not None
                            for m in window.conversation.messages()), what="the message stored")
    assert stored(relay_control, "网络断了也能先写好") == 1
    bubbles = [m for m in window.conversation.messages() if m.text == "网络断了也能先写好"]
    assert len(bubbles) == 1 and bubbles[0].state == "sent"
    await buyer.connect()  # the buyer's page resumes too, and gets it once
    got = await next_chat(buyer)
    assert got.text == "网络断了也能先写好"


async def test_reconnect_now_skips_the_wait(open_desk, relay_control: RelayControl) -> None:
    window = await open_desk("agent1")
    await relay_control.stop()
    await until(lambda: window.banner.isVisible())
    await relay_control.start()
    window.banner.button.click()
    await until(lambda: not window.banner.isVisible(), timeout=3, what="reconnected at once")


async def test_logging_out_elsewhere_returns_to_the_login(open_desk, relay) -> None:
    window = await open_desk("agent1")
    ended: list[bool] = []
    window.logged_out.connect(lambda: ended.append(True))
    await logout(relay.url, window.service.client.token)
    await until(lambda: ended, what="logged_out")
    assert window._closed and window.accounts.prefs.username == "agent1"


async def test_closing_the_window_closes_the_connection_and_history(open_desk) -> None:
    window = await open_desk("agent1")
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    window.close()
    await until(lambda: closed, what="closed")
    assert not window.service.link.online.is_set() and not window.service.client.connected
    assert window.service._closed and not window.isVisible()


async def test_search_finds_a_one_character_word_and_opens_the_chat_at_it(open_desk, clients) -> None:
    window = await open_desk("agent1")
    _, conv = await buyer_says(clients, "路由器的灯一直闪红色")
    await open_chat(window, conv.conversation_id, "路由器的灯一直闪红色")
    window.open_conversation(conv.conversation_id)
    dialog = window.open_search()
    dialog.query.setText("灯")
    await until(lambda: dialog.results.count() >= 1, what="a search result")
    assert "路由器的灯一直闪红色" in dialog.results.item(0).text()
    seq = dialog.results.item(0).data(Qt.ItemDataRole.UserRole + 1)[1]
    dialog.results.itemActivated.emit(dialog.results.item(0))
    await until(lambda: window.conversation.view.currentIndex().isValid(), what="the hit selected")
    assert window.conversation.view.currentIndex().data(Qt.ItemDataRole.UserRole + 1).seq == seq


async def test_claiming_from_the_waiting_queue_in_manual_mode(open_desk, clients) -> None:
    supervisor = await clients("super1")
    await supervisor.call(f.ShopSettings, mode="manual")
    window = await open_desk("agent1")
    _, conv = await buyer_says(clients, "有人吗")
    panel = window.queue_panel
    await until(lambda: panel.waiting.topLevelItemCount() == 1, what="the chat waiting")
    assert panel.claim_button.isVisible() and not panel.claim_button.isEnabled()
    panel.waiting.topLevelItem(0).setSelected(True)
    assert panel.claim_button.isEnabled()
    panel.claim_button.click()
    await until(lambda: panel.model.row_of(conv.conversation_id) is not None, what="the chat claimed")
    await until(lambda: panel.waiting.topLevelItemCount() == 0, what="the queue emptied")


async def test_resolving_removes_the_chat_and_tells_the_buyer(open_desk, clients) -> None:
    window = await open_desk("agent1")
    buyer, conv = await buyer_says(clients, "好的谢谢")
    await open_chat(window, conv.conversation_id, "好的谢谢")
    window.conversation.resolve_button.click()
    await until(lambda: window.queue_panel.model.row_of(conv.conversation_id) is None, what="the chat gone")
    message = await next_of(buyer, f.Message)
    while message.event != "resolved":
        message = await next_of(buyer, f.Message)
    assert message.kind == "system"
    assert not window.conversation.composer.send_button.isEnabled()


async def test_export_writes_the_conversation_as_csv(open_desk, clients, tmp_path: Path) -> None:
    window = await open_desk("agent1")
    _, conv = await buyer_says(clients, "发票怎么开，抬头写公司")
    await open_chat(window, conv.conversation_id, "发票怎么开，抬头写公司")
    target = tmp_path / "chat.csv"
    window.conversation.export_to(conv.conversation_id, target)
    await until(target.exists, what="the file")
    await until(lambda: window.statusBar().currentMessage() != "", what="the confirmation")
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any(r["text"] == "发票怎么开，抬头写公司" and r["sender_kind"] == "buyer" for r in rows)


async def test_new_chat_notifications_can_be_switched_off(open_desk, clients) -> None:
    window = await open_desk("agent1")
    _, first = await buyer_says(clients, "第一位", buyer="b-jiadian-0021")
    await until(lambda: window.attention.history, what="a notification")
    assert window.attention.sounds_played == 1
    window.apply_preferences(window.accounts.prefs.with_changes(notify_new_chat=False, sound=False))
    count = len(window.attention.history)
    _, second = await buyer_says(clients, "第二位", buyer="b-jiadian-0022")
    await until(lambda: window.queue_panel.model.row_of(second.conversation_id) is not None)
    assert len(window.attention.history) == count and window.attention.sounds_played == 1
    assert first.conversation_id != second.conversation_id


async def test_help_lists_the_shortcuts(open_desk) -> None:
    window = await open_desk("agent1", language="en")
    dialog = window.open_help()
    keys = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert {"Alt+Down", "Ctrl+/", "Ctrl+F", "Ctrl+T", "Ctrl+Shift+R"} <= set(keys)
    dialog.close()


async def test_next_unread_jumps_to_the_chat_with_unread_messages(open_desk, clients) -> None:
    window = await open_desk("agent1")
    _, a = await buyer_says(clients, "甲的问题", buyer="b-jiadian-0031")
    _, b = await buyer_says(clients, "乙的问题", buyer="b-jiadian-0032")
    await open_chat(window, a.conversation_id, "甲的问题")
    await until(lambda: window.service.conversations[a.conversation_id].unread == 0)
    await until(lambda: b.conversation_id in window.service.conversations
                and window.service.conversations[b.conversation_id].unread == 1, what="the second chat unread")
    assert window.queue_panel.next_unread() == b.conversation_id
    await until(lambda: window.conversation.conversation_id == b.conversation_id)
