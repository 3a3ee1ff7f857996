"""The workstation against a real relay: queue, conversation, templates, SLA, transfer, offers, HTML, language."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontMetrics, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.client import KefuClient
from app.errors import RelayError
from app.events import Notice
from relay.clock import FakeClock
from tests.relay.helpers import next_chat, next_of
from tests.ui.conftest import until
from ui import theme
from ui.chat_view import MessageRole
from ui.context_panel import OfferDialog
from ui.main_window import MainWindow
from ui.queue_panel import ViewRole
from wire import frames as f
from wire.errors import ErrorCode

BUYER = "b-jiadian-0007"


async def buyer_says(clients: Any, text: str, buyer: str = BUYER) -> tuple[KefuClient, f.ConversationInfo]:
    client = await clients(buyer=buyer)
    conv = await client.open_conversation("jiadian")
    await client.send_text(conv.conversation_id, text)
    return client, conv


async def open_chat(window: MainWindow, conversation_id: int, text: str) -> None:
    await until(lambda: window.queue_panel.model.row_of(conversation_id) is not None, what="the chat in the queue")
    window.open_conversation(conversation_id)
    await until(lambda: text in window.conversation.view.visible_texts(), what=f"{text!r} in the chat")


def stripe_colour(window: MainWindow, conversation_id: int) -> QColor:
    """The colour painted at the left edge of the chat's row in the queue panel."""
    view = window.queue_panel.list
    row = window.queue_panel.model.row_of(conversation_id)
    assert row is not None
    rect = view.visualRect(window.queue_panel.model.index(row))
    image = view.viewport().grab().toImage()
    return image.pixelColor(QPoint(1, rect.center().y()))


async def test_buyer_message_appears_in_the_queue_and_the_conversation(open_desk, clients) -> None:
    window = await open_desk("agent1")
    _, conv = await buyer_says(clients, "你好，油烟机怎么安装？")
    await open_chat(window, conv.conversation_id, "你好，油烟机怎么安装？")
    row = window.queue_panel.model.row_of(conv.conversation_id)
    view = window.queue_panel.model.data(window.queue_panel.model.index(row), ViewRole)
    assert view.info.buyer_name == conv.buyer_name and view.last_text == "你好，油烟机怎么安装？"
    assert window.conversation.title.text() == conv.buyer_name


async def test_unread_badge_counts_until_the_chat_is_opened(open_desk, clients) -> None:
    window = await open_desk("agent1")
    buyer, conv = await buyer_says(clients, "在吗")
    await buyer.send_text(conv.conversation_id, "想问下发货时间")
    service = window.service
    await until(lambda: conv.conversation_id in service.conversations
                and service.conversations[conv.conversation_id].unread == 2, what="two unread")
    assert window.attention.unread == 2
    window.activateWindow()
    await open_chat(window, conv.conversation_id, "想问下发货时间")
    await until(lambda: service.conversations[conv.conversation_id].unread == 0, what="read")
    receipt = await next_of(buyer, f.Receipt)
    assert receipt.side == "agent" and receipt.read_seq >= 2


async def test_reply_with_a_template_fills_its_variables(open_desk, clients) -> None:
    window = await open_desk("agent1")
    buyer, conv = await buyer_says(clients, "又来买东西啦")
    await open_chat(window, conv.conversation_id, "又来买东西啦")
    composer = window.conversation.composer
    await until(lambda: window.service.templates, what="templates loaded")
    composer.edit.setFocus()
    QTest.keyClicks(composer.edit, "/lgk")
    assert composer.picker.isVisible() and composer.picker.count() >= 1
    assert composer.picker.current().title == "老顾客问候"
    QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    await until(lambda: composer.edit.toPlainText().startswith(conv.buyer_name), what="the filled template")
    text = composer.edit.toPlainText()
    assert "{buyer_name}" not in text and "{agent_name}" not in text and "小美" in text
    composer.edit.insertPlainText("！")  # edited before sending (QTest types ASCII only)
    QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    reply = await next_chat(buyer)
    assert reply.text == text + "！" and reply.sender.kind == "agent"
    assert composer.edit.toPlainText() == ""


async def test_sla_colours_turn_amber_at_100_s_and_red_at_180_s(open_desk, clients, fake_clock: FakeClock) -> None:
    window = await open_desk("agent1")
    _, conv = await buyer_says(clients, "有人吗？")
    cid = conv.conversation_id
    panel = window.queue_panel
    await until(lambda: panel.model.row_of(cid) is not None)
    await until(lambda: panel.level_of(cid) == "waiting")
    window.open_conversation(cid)
    badge = window.conversation.sla_badge
    await until(lambda: badge.isVisible() and badge.property("level") == "waiting", what="the header badge")
    fake_clock.advance(99)
    await until(lambda: window.service.conversations[cid].unread >= 1)
    assert panel.level_of(cid) == "waiting"
    fake_clock.advance(1)
    await until(lambda: panel.level_of(cid) == "warning", what="amber at 100 s")
    await until(lambda: stripe_colour(window, cid) == theme.WARNING, what="the amber stripe")
    await until(lambda: badge.property("level") == "warning", what="the amber badge")
    assert "3 分钟" in badge.text()
    assert any("请尽快回复" in t for t, _ in window.attention.history)
    fake_clock.advance(80)
    await until(lambda: panel.level_of(cid) == "overdue", what="red at 180 s")
    await until(lambda: stripe_colour(window, cid) == theme.OVERDUE, what="the red stripe")
    await until(lambda: badge.property("level") == "overdue", what="the red badge")

    # A human reply clears it.
    await window.service.send_text(cid, "您好，在的")
    await until(lambda: panel.level_of(cid) == "none", what="cleared by the reply")
    await until(lambda: not badge.isVisible(), what="the badge gone")


async def test_most_urgent_chat_is_listed_first(open_desk, clients, fake_clock: FakeClock) -> None:
    window = await open_desk("agent1")
    _, first = await buyer_says(clients, "第一个问题", buyer="b-jiadian-0011")
    fake_clock.advance(120)
    _, second = await buyer_says(clients, "第二个问题", buyer="b-jiadian-0012")
    panel = window.queue_panel
    await until(lambda: panel.model.rowCount() == 2 and panel.level_of(first.conversation_id) == "warning")
    assert [v.conversation_id for v in panel.model.views()] == [first.conversation_id, second.conversation_id]


async def test_transfer_to_a_colleague_with_a_note(open_desk, clients) -> None:
    window = await open_desk("agent1")
    colleague = await clients("agent2")
    _, conv = await buyer_says(clients, "我要换货")
    await open_chat(window, conv.conversation_id, "我要换货")
    await until(lambda: any(a.agent_id != window.service.session.user_id and a.connected
                            for a in window.service.agents), what="the colleague online")
    dialog = window.conversation.open_transfer()
    assert dialog is not None
    mate = next(a.agent_id for a in window.service.agents if a.name == "阿杰")
    dialog.choose(mate)
    dialog.note.setPlainText("买家要换同款白色，已核实有货")
    dialog.accept()
    assignment = await next_of(colleague, f.Assignment)
    while assignment.conversation.agent_id != mate:
        assignment = await next_of(colleague, f.Assignment)
    assert assignment.note == "买家要换同款白色，已核实有货" and assignment.reason == "transfer"
    await until(lambda: window.queue_panel.model.row_of(conv.conversation_id) is None, what="the chat to leave")
    assert not window.conversation.composer.send_button.isEnabled()


async def test_a_refused_transfer_is_explained_in_the_agents_language(open_desk, clients) -> None:
    """The relay's refusal (`conflict`, reason `target_offline`) is worded by the workstation, in Chinese."""
    window = await open_desk("agent1", language="zh_CN")
    colleague = await clients("agent2")
    _, conv = await buyer_says(clients, "我要换货")
    await open_chat(window, conv.conversation_id, "我要换货")
    mate = await until(lambda: next((a.agent_id for a in window.service.agents if a.name == "阿杰" and a.connected),
                                    None), what="the colleague online")
    dialog = window.conversation.open_transfer()
    assert dialog is not None
    dialog.choose(mate)
    await colleague.close()  # goes offline while the dialog is open
    await until(lambda: not any(a.agent_id == mate and a.connected for a in window.service.agents),
                what="the colleague offline")
    dialog.accept()
    expected = "该客服已离线，请选择其他客服或转回队列。"
    await until(lambda: window.toast.isVisible() and window.toast.text() == expected, what="the refusal in words")
    assert window.service.conversations[conv.conversation_id].active  # still this agent's chat


async def test_a_refused_send_is_explained_in_the_agents_language(open_desk, clients) -> None:
    """A supervisor moves the chat away just as the agent presses Enter: the relay refuses the send
    (`forbidden`, with an English message), and the agent reads why in Chinese, not the relay's words."""
    window = await open_desk("agent1", language="zh_CN")
    _, conv = await buyer_says(clients, "我要换货")
    cid = conv.conversation_id
    await open_chat(window, cid, "我要换货")
    supervisor = await clients("super1")
    colleague = await clients("agent2")
    await supervisor.call(f.Transfer, conversation_id=cid, to_agent=colleague.session.user_id, note="")
    # What the composer emits on Enter, as if pressed a moment before the desk heard of the transfer.
    window.conversation.composer.send_requested.emit("好的，我帮您换")
    await until(lambda: any(m.text == "好的，我帮您换" and m.state == "failed" for m in window.conversation.messages()),
                what="the send to fail")
    await until(lambda: window.toast.isVisible() and window.toast.text(), what="the refusal in words")
    text = window.toast.text()
    assert text == "您无权执行此操作（会话可能已转给其他客服）。"
    assert not any("a" <= ch.lower() <= "z" for ch in text)  # none of the relay's English
    # An error the relay sends unprompted is worded the same way.
    window.service.events.emit(Notice(RelayError(ErrorCode.SLOW_CONSUMER, "you are reading too slowly")))
    await until(lambda: window.toast.text() == "连接跟不上服务器的速度，正在重新连接。", what="the notice in words")


async def test_transfer_note_is_shown_to_the_next_agent(open_desk, clients) -> None:
    window = await open_desk("agent2")
    await window.service.set_status("busy")  # the next chat goes to the colleague
    colleague = await clients("agent1")
    _, conv = await buyer_says(clients, "洗碗机漏水")
    assigned = await next_of(colleague, f.Assignment)
    assert assigned.conversation.agent_id == colleague.session.user_id
    await window.service.set_status("online")
    await colleague.call(f.Transfer, conversation_id=conv.conversation_id, to_agent=window.service.session.user_id,
                         note="已让买家拍照，等图片")
    await until(lambda: conv.conversation_id in window.service.conversations
                and window.service.conversations[conv.conversation_id].active, what="the chat to arrive")
    assert window.attention.history[-1][0] in ("新会话", "New chat")
    window.open_conversation(conv.conversation_id)
    await until(lambda: window.conversation.note.isVisible(), what="the note banner")
    assert "已让买家拍照，等图片" in window.conversation.note.text()
    await until(lambda: "洗碗机漏水" in window.conversation.view.visible_texts(), what="the buyer's question")


async def test_after_sales_refund_only_offer_reaches_the_buyer(open_desk, clients) -> None:
    window = await open_desk("agent1")
    buyer, conv = await buyer_says(clients, "收到的油烟机有划痕")
    await open_chat(window, conv.conversation_id, "收到的油烟机有划痕")
    panel = window.context_panel
    await until(lambda: panel.context is not None and panel.context.conversation_id == conv.conversation_id,
                what="the buyer's orders")
    paid = next(o for o in panel.context.orders if o.status != "pending_payment")
    dialog = panel.ask_offer(paid, "refund_only")
    assert isinstance(dialog, OfferDialog) and dialog.isVisible()
    dialog.amount.setValue(dialog.amount.maximum())
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    card = await next_chat(buyer)
    assert card.kind == "card" and isinstance(card.card, f.OfferCard)
    assert card.card.offer == "refund_only" and card.card.amount_cents == paid.amount_cents
    await until(lambda: any(m.kind == "card" and m.seq == card.seq for m in window.conversation.messages()),
                what="the card in the agent's chat")
    await buyer.call(f.AnswerOffer, conversation_id=conv.conversation_id, case_id=card.card.case_id, accept=True)
    await until(lambda: window.conversation.model.case_status.get(card.card.case_id) == "accepted",
                what="the case update")
    await until(lambda: any(c.case_id == card.card.case_id and c.status == "accepted"
                            for c in (panel.context.cases if panel.context else [])), what="the context refreshed")


async def test_offer_amount_is_checked_before_it_is_sent(open_desk, clients) -> None:
    window = await open_desk("agent1")
    _, conv = await buyer_says(clients, "能补偿点吗")
    await open_chat(window, conv.conversation_id, "能补偿点吗")
    panel = window.context_panel
    await until(lambda: panel.context is not None)
    paid = next(o for o in panel.context.orders if o.status != "pending_payment")
    dialog = panel.ask_offer(paid, "coupon")
    assert dialog.amount.maximum() * 100 <= min(50_000, paid.amount_cents)
    assert dialog.amount.minimum() == 0.01


async def test_html_in_a_message_is_shown_as_text(open_desk, clients, qapp: QApplication) -> None:
    window = await open_desk("agent1")
    hostile = '<b>粗体</b><img src=x onerror=alert(1)><a href="http://x">链接</a>'
    _, conv = await buyer_says(clients, hostile)
    await open_chat(window, conv.conversation_id, hostile)
    view = window.conversation.view
    row = view.visible_texts().index(hostile)
    index = window.conversation.model.index(row)
    assert index.data(MessageRole).text == hostile
    # The bubble is laid out for the characters of the markup, not for rendered HTML.
    layout = view.delegate.layout(_option(view, index), index)
    assert layout.text.width() >= QFontMetrics(view.font()).horizontalAdvance("<b>粗体</b>")
    # Tooltips are rich text whenever they look like markup: each one carries the characters escaped.
    qrow = window.queue_panel.model.row_of(conv.conversation_id)
    tips = {
        "queue": window.queue_panel.model.data(window.queue_panel.model.index(qrow), Qt.ItemDataRole.ToolTipRole),
        "bubble": index.data(Qt.ItemDataRole.ToolTipRole),
    }
    for where, tip in tips.items():
        assert "<img" not in tip and "<b>" not in tip, where
        assert _rendered(tip) == hostile, where


def _rendered(rich: str) -> str:
    """What a rich-text tooltip shows, as plain characters."""
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


def _option(view: Any, index: Any) -> Any:
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    return option


async def test_language_switches_between_chinese_and_english(open_desk) -> None:
    window = await open_desk("agent1", language="zh_CN")
    panel = window.conversation
    assert panel.transfer_button.text() == "转接"
    assert window.conversation.composer.send_button.text() == "发送"
    dialog = window.open_settings()
    dialog.choose_language("en")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    await until(lambda: panel.transfer_button.text() == "Transfer", what="English")
    assert window.conversation.composer.send_button.text() == "Send"
    assert window.queue_panel.claim_button.text() == "Claim"
    assert window.accounts.prefs.language == "en"
    window.apply_preferences(window.accounts.prefs.with_changes(language="zh_CN"))
    await until(lambda: panel.transfer_button.text() == "转接", what="Chinese again")
    assert window.windowTitle().startswith("客服工作台")
