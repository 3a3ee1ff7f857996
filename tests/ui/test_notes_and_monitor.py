"""Staff-only lines in the chat (notes, whispers), the supervisor's monitor bar (whisper, take over),
the buyer's rating on the agent's chat, and the agent's voice-call invitation, against a real relay."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from PySide6.QtCore import Qt

from app.client import KefuClient
from tests.conftest import RunningRelay
from tests.relay.helpers import next_of
from tests.ui.conftest import until
from tests.ui.test_workstation import buyer_says, open_chat
from ui.main_window import MainWindow
from wire import frames as f


def db_rows(relay: RunningRelay, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(relay.config.db_path) as db:
        return db.execute(sql, args).fetchall()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


def texts_reaching(buyer: KefuClient) -> list[str]:
    """Every message text pushed to the buyer so far (the queue drained)."""
    texts = []
    while not buyer.events.empty():
        frame = buyer.events.get_nowait()
        if isinstance(frame, f.Message):
            texts.append(frame.text)
    return texts


async def monitoring(boss: MainWindow, cid: int) -> None:
    """The supervisor opens the chat (another agent's): the monitor bar replaces the composer."""
    await until(lambda: cid in boss.service.conversations, what="the chat on the supervisor's desk")
    boss.open_conversation(cid)
    panel = boss.conversation
    await until(lambda: panel.monitor is not None and not panel.monitor.isHidden(), what="the monitor bar")
    assert panel.composer.isHidden()


async def test_a_whisper_from_the_supervisor_shows_in_the_agents_chat_and_never_reaches_the_buyer(
    open_desk, clients, relay: RunningRelay
) -> None:
    agent = await open_desk("agent1", language="en")
    buyer, conv = await buyer_says(clients, "洗碗机漏水怎么办", buyer="b-jiadian-0051")
    cid = conv.conversation_id
    await open_chat(agent, cid, "洗碗机漏水怎么办")
    boss = await open_desk("super1", language="en")
    await monitoring(boss, cid)
    bar = boss.conversation.monitor
    assert bar is not None
    assert bar.state.text().startswith("Monitoring — the buyer is not told.") and "小美" in bar.state.text()
    assert bar.whisper_button.text() == "Whisper to 小美"
    whisper = "先道歉 <b>再补发</b> 一个新外箱"
    bar.whisper_edit.setText(whisper)
    bar.whisper_button.click()
    panel = agent.conversation
    line = await until(lambda: next((m for m in panel.model.staff_lines() if m.text == whisper), None),
                       what="the whisper in the agent's chat")
    assert line.kind == "whisper" and line.sender_name == "王主管"
    row = next(r for r in range(panel.model.rowCount()) if panel.model.message_at(r) is line)
    before = panel.model.message_at(row - 1)
    assert before.seq == line.seq and before.sender_kind != "staff"  # right after the message it followed
    assert panel.view.visible_texts()[row] == f"Whisper from 王主管 · staff only: {whisper}"
    tip = panel.model.data(panel.model.index(row), Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tip and "&lt;b&gt;" in tip  # escaped: Qt shows the characters, never renders them
    # The supervisor's own chat shows it too; the buyer never hears of it.
    await until(lambda: any(m.text == whisper for m in boss.conversation.model.staff_lines()), what="on the boss's")
    await settle()
    assert whisper not in texts_reaching(buyer)
    assert db_rows(relay, "SELECT kind FROM staff_notes WHERE text = ?", whisper) == [("whisper",)]
    assert db_rows(relay, "SELECT COUNT(*) FROM messages WHERE text = ?", whisper) == [(0,)]


async def test_an_internal_note_typed_in_note_mode_is_stored_as_a_note_not_a_message(
    open_desk, clients, relay: RunningRelay
) -> None:
    window = await open_desk("agent1", language="en")
    buyer, conv = await buyer_says(clients, "上次的订单还没到", buyer="b-jiadian-0052")
    cid = conv.conversation_id
    await open_chat(window, cid, "上次的订单还没到")
    composer = window.conversation.composer
    assert not composer.note_mode.isHidden()
    composer.note_mode.click()
    assert composer.in_note_mode() and composer.send_button.text() == "Add note"
    composer.edit.setPlainText("老客户，上次快递压坏过外箱")
    composer.send_button.click()
    await until(lambda: any(n.text == "老客户，上次快递压坏过外箱"
                            for n in window.bridge.notes.by_conversation.get(cid, {}).values()), what="the note")
    await until(lambda: "Internal note · 小美 · staff only: 老客户，上次快递压坏过外箱"
                in window.conversation.view.visible_texts(), what="the note in the chat")
    assert not any(m.text == "老客户，上次快递压坏过外箱" for m in window.conversation.messages())
    await settle()
    assert db_rows(relay, "SELECT kind FROM staff_notes WHERE conversation_id = ?", cid) == [("note",)]
    assert db_rows(relay, "SELECT COUNT(*) FROM messages WHERE text = ?", "老客户，上次快递压坏过外箱") == [(0,)]
    assert "老客户，上次快递压坏过外箱" not in texts_reaching(buyer)
    composer.reply_mode.click()  # back to replies: Enter sends to the buyer again
    assert composer.send_button.text() == "Send"


async def test_a_refused_note_gives_its_text_back(open_desk, clients, relay: RunningRelay) -> None:
    window = await open_desk("agent1", language="en")
    _, conv = await buyer_says(clients, "发票怎么开", buyer="b-jiadian-0055")
    cid = conv.conversation_id
    await open_chat(window, cid, "发票怎么开")
    composer = window.conversation.composer
    composer.note_mode.click()
    too_long = "备注" * 2501  # over the relay's 5,000 characters
    composer.edit.setPlainText(too_long)
    composer.send_button.click()
    assert composer.edit.toPlainText() == ""  # cleared at once, as a reply is
    await until(lambda: composer.edit.toPlainText() == too_long, what="the refused note back in the box")
    await settle()
    assert db_rows(relay, "SELECT COUNT(*) FROM staff_notes WHERE conversation_id = ?", cid) == [(0,)]
    # Something typed meanwhile is never overwritten.
    composer.edit.setPlainText(too_long)
    composer.send_button.click()
    composer.edit.setPlainText("新的备注")
    await settle()
    await asyncio.sleep(0.3)
    assert composer.edit.toPlainText() == "新的备注"


async def test_a_supervisor_takes_over_from_the_monitor_bar_and_gets_the_composer(
    open_desk, clients, relay: RunningRelay
) -> None:
    agent = await open_desk("agent1", language="en")
    _, conv = await buyer_says(clients, "能便宜点吗", buyer="b-jiadian-0053")
    cid = conv.conversation_id
    await open_chat(agent, cid, "能便宜点吗")
    boss = await open_desk("super1", language="en")
    await monitoring(boss, cid)
    bar = boss.conversation.monitor
    assert bar is not None
    bar.take_over_button.click()
    me = int(boss.service.session.user_id)
    await until(lambda: db_rows(relay, "SELECT agent_id FROM conversations WHERE id = ?", cid) == [(me,)],
                what="the chat moved to the supervisor (relay)")
    panel = boss.conversation
    await until(lambda: bar.isHidden() and not panel.composer.isHidden(), what="the composer back")
    await until(lambda: panel.composer.send_button.isEnabled(), what="the composer writable")
    mine = agent.service.session.user_id
    await until(lambda: (v := agent.service.conversations.get(cid)) is None or v.info.agent_id != mine,
                what="the chat gone from the agent")
    await settle()  # the desks' follow-up requests (reads, notes) finish before the windows close


async def test_the_agent_sees_the_buyers_rating(open_desk, clients) -> None:
    window = await open_desk("agent1", language="en")
    buyer, conv = await buyer_says(clients, "好的谢谢", buyer="b-jiadian-0054")
    cid = conv.conversation_id
    await open_chat(window, cid, "好的谢谢")
    window.conversation.resolve()
    resolved = await next_of(buyer, f.Message, event="resolved")
    assert resolved.params is not None
    await buyer.call(f.Rate, conversation_id=cid, session_id=int(resolved.params["session_id"]), stars=4,
                     comment="很耐心 <i>!</i>")
    label = window.conversation.rating_label
    await until(lambda: not label.isHidden() and "★★★★☆" in label.text(), what="the rating in the header")
    assert label.text() == "Buyer's rating: ★★★★☆ “很耐心 <i>!</i>”"
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert any(t.startswith("The buyer rated this chat 4 of 5 stars") for t in window.conversation.view.visible_texts())


async def test_the_voice_call_button_sends_an_audio_only_invitation(open_desk, clients, relay: RunningRelay) -> None:
    window = await open_desk("agent1", language="en")
    buyer, conv = await buyer_says(clients, "想看看怎么接水管", buyer="b-jiadian-0055")
    cid = conv.conversation_id
    await open_chat(window, cid, "想看看怎么接水管")
    voice = window.conversation.voice_button
    await until(lambda: voice.isEnabled() and not voice.isHidden(), what="the voice call button")
    assert voice.text() == "Voice call" and window.conversation.call_button.text() == "Video call"
    menu = voice.menu()
    assert menu is not None and len(menu.actions()) == 3
    menu.actions()[0].trigger()
    await until(lambda: db_rows(relay, "SELECT audio_only FROM calls WHERE conversation_id = ?", cid) == [(1,)],
                what="the call record, audio only")
    card = await next_of(buyer, f.Message, kind="card")
    assert isinstance(card.card, f.CallCard) and card.card.audio_only
    await until(lambda: window.conversation.call_button.property("mode") == "ringing", what="ringing")
    assert voice.isHidden()
