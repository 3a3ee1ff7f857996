"""Markup and paths (issue 14): whatever buyers, agents and the shop typed is shown as the characters
typed in every Qt view, never read as HTML, Qt rich text, a link, a mnemonic or a window-title mark.

The relay's demo data is made hostile before it starts (the shop's, the staff's and the buyer's names,
product and order lines, logistics, after-sales reasons, a template) and every message, note, whisper
and complaint carries the same payload; then a real workstation shows it all. Each row of a view
table says where the payload shows and what the agent sees there (a label's text, a model's display
or tooltip role, the strings a delegate draws, a window's title as the platform shows it); every row
is judged the same way, and a sweep over every label, button and window afterwards catches places no
row names.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QKeySequence, QPainter, Qt, QTextDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu, QTextBrowser, QWidget

from relay.clock import FakeClock
from tests.conftest import TEST_STORE
from tests.relay.helpers import next_of
from tests.relay.test_calls import invite
from tests.ui.conftest import until
from tests.ui.test_notes_and_monitor import monitoring, settle
from ui.main_window import MainWindow
from wire import frames as f

pytestmark = pytest.mark.skipif(TEST_STORE != "sqlite", reason="the hostile demo data is written into SQLite")

PAYLOAD = ('<b>bold</b><img src=x onerror=alert(1)><a href="javascript:alert(1)">tap</a> &lt;i&gt; [*] M&M '
           "a\u200bb\u200dc\ufeffd \u202egnp.exe")
"""HTML, an image with a handler, a javascript: link, an entity, Qt's window-title mark and a mnemonic,
zero-width characters and a right-to-left override (last: it turns what follows it around)."""
SHORT = "<b>b</b><img src=x onerror=1>[*]M&Ma\u200bb\u202e"
"""The same kinds, for a field of at most 40 characters (a template's title)."""
SHOP, AGENT, MATE, BOSS = "店" + PAYLOAD, "美" + PAYLOAD, "杰" + PAYLOAD, "王" + PAYLOAD
BUYER_NAME, ITEM, STEP, REASON = "客" + PAYLOAD, "品" + PAYLOAD, "流" + PAYLOAD, "因" + PAYLOAD
TEMPLATE_TITLE, TEMPLATE_BODY = "题" + SHORT, "文" + PAYLOAD
BUYER = "b-jiadian-0003"  # two order lines and an after-sales case in the demo data


def make_hostile(db_path: Path) -> None:
    """Every name and line the desk shows from the shop's data carries the payload."""
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE shops SET name = ? WHERE slug = 'jiadian'", (SHOP,))
        for username, name in (("agent1", AGENT), ("agent2", MATE), ("super1", BOSS)):
            db.execute("UPDATE accounts SET display_name = ? WHERE username = ?", (name, username))
        db.execute("UPDATE buyers SET nickname = ? WHERE id = ?", (BUYER_NAME, BUYER))
        orders = "SELECT order_no FROM orders WHERE buyer_id = ?"
        db.execute(f"UPDATE order_items SET title = ? WHERE order_no IN ({orders})", (ITEM, BUYER))
        db.execute(f"UPDATE products SET title = ? WHERE sku IN (SELECT sku FROM order_items WHERE order_no IN "
                   f"({orders}))", (ITEM, BUYER))
        db.execute(f"UPDATE logistics_events SET text = ? WHERE order_no IN ({orders})", (STEP, BUYER))
        db.execute("UPDATE after_sales SET reason = ? WHERE buyer_id = ?", (REASON, BUYER))
        db.execute("UPDATE templates SET title = ?, body = ? WHERE shop_id = 1 AND shortcut = 'hi'",
                   (TEMPLATE_TITLE, TEMPLATE_BODY))


@pytest.fixture
def data_dir(seeded_template: Path, tmp_path: Path) -> Path:
    """The demo data dir (as in tests/conftest.py), made hostile before the relay opens it."""
    target = tmp_path / "relay-data"
    shutil.copytree(seeded_template, target)
    make_hostile(target / "relay.sqlite3")
    return target


# --- what the agent sees -------------------------------------------------------------------------

@dataclass
class Shown:
    """One place the payload shows: the characters the agent sees there, and what could misread them."""

    where: str
    text: str
    document: QTextDocument | None = None
    """Where the place renders rich text: what it renders (no link, no image may come from data)."""
    shortcut: str = ""
    """For a button's or menu item's label: the shortcut Qt made of an `&` in it (none may be)."""


def rich(where: str, markup: str) -> Shown:
    document = QTextDocument()
    document.setHtml(markup)
    return Shown(where, document.toPlainText(), document)


def label(where: str, widget: QLabel) -> Shown:
    """A label's text as shown: plain text, or the rich text Qt makes of it (AutoText guesses)."""
    text = widget.text()
    fmt = widget.textFormat()
    if fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)):
        return rich(where, text)
    return Shown(where, text)


def tooltip(where: str, tip: str) -> Shown:
    """Qt shows a tooltip as rich text whenever it merely looks like markup."""
    return rich(where, tip) if Qt.mightBeRichText(tip) else Shown(where, tip)


def mnemonic(where: str, text: str) -> Shown:
    """A button's or menu item's label: `&x` is shown as an underlined x (and becomes Alt+X), `&&` as `&`."""
    return Shown(where, re.sub(r"&(.)", r"\1", text), shortcut=QKeySequence.mnemonic(text).toString())


def title(where: str, window: QWidget) -> Shown:
    """The window's title as the platform shows it (Qt removes a lone `[*]`)."""
    handle = window.windowHandle()
    assert handle is not None, where
    return Shown(where, handle.title())


def html_view(where: str, browser: QTextBrowser) -> Shown:
    return Shown(where, browser.toPlainText(), browser.document())


def links_and_images(document: QTextDocument) -> list[str]:
    """Every link and image the document would show."""
    found = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor() or fmt.anchorHref():
                found.append(f"link {fmt.anchorHref()!r}")
            if fmt.isImageFormat():
                found.append(f"image {fmt.toImageFormat().name()!r}")
            it += 1
        block = block.next()
    return found


def judge(rows: list[tuple[Shown, str]]) -> None:
    """Each place shows its expected text as characters: nothing was read as markup, link or shortcut."""
    wrong = []
    for shown, expected in rows:
        if expected not in shown.text:
            wrong.append(f"{shown.where}: {expected!r} not in what is shown, {shown.text!r}")
        if shown.document is not None and links_and_images(shown.document):
            wrong.append(f"{shown.where}: renders {links_and_images(shown.document)}")
        if shown.shortcut:
            wrong.append(f"{shown.where}: the label made the shortcut {shown.shortcut}")
    assert not wrong, "\n".join(wrong)


def sweep() -> list[tuple[Shown, str]]:
    """Every label, button and window that shows any of the payload, wherever it is (a place no row names
    fails here too): each must show the payload whole."""
    rows: list[tuple[Shown, str]] = []

    def whole(raw: str) -> str:
        return SHORT if PAYLOAD not in raw and SHORT in raw else PAYLOAD

    for widget in QApplication.allWidgets():
        name = f"{type(widget).__name__} {widget.objectName() or ''}".strip()
        if isinstance(widget, QLabel) and "onerror" in widget.text():
            rows.append((label(f"label {name}", widget), whole(widget.text())))
        if isinstance(widget, QAbstractButton) and "M&" in widget.text():
            rows.append((mnemonic(f"button {name}", widget.text()), whole(widget.text().replace("&&", "&"))))
        if widget.isWindow() and widget.isVisible() and "onerror" in widget.windowTitle():
            rows.append((title(f"title of {name}", widget), whole(widget.windowTitle().replace("[*][*]", "[*]"))))
        if "onerror" in widget.toolTip():
            rows.append((tooltip(f"tooltip of {name}", widget.toolTip()), PAYLOAD))
    return rows


class Painted:
    """The strings delegates hand to QPainter.drawText (always plain text) while a view is painted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.strings: list[str] = []
        original = QPainter.drawText

        def draw_text(painter: QPainter, *args: Any) -> Any:
            self.strings.extend(a for a in args if isinstance(a, str))
            return original(painter, *args)

        monkeypatch.setattr(QPainter, "drawText", draw_text)

    def of(self, where: str, view: Any) -> Shown:
        self.strings = []
        view.viewport().grab()
        return Shown(where, "\n".join(self.strings))

    async def settle(self, view: Any, *expected: str, timeout: float = 5.0) -> None:
        """Wait until the view's rows have been laid out and scrolled so that a paint draws every
        expected string, or the timeout passes (judge() then says which place did not show it): a row
        that just arrived is laid out and scrolled to on later turns of the event loop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            text = self.of("", view).text
            if all(e in text for e in expected):
                return
            view.scrollToBottom()
            await asyncio.sleep(0.05)


def display(model: Any, row: int, role: int = Qt.ItemDataRole.DisplayRole, column: int = 0) -> str:
    return str(model.index(row, column, QModelIndex()).data(role) or "")


def widen(window: MainWindow) -> None:
    """Wide enough that the queue's one-line rows draw the payload whole (not elided)."""
    window.resize(3200, 900)
    splitter = window.queue_panel.parentWidget()
    while splitter is not None and not hasattr(splitter, "setSizes"):
        splitter = splitter.parentWidget()
    assert splitter is not None
    splitter.setSizes([1600, 1000, 600])  # type: ignore[attr-defined]


@pytest.fixture
def painted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Painted]:
    yield Painted(monkeypatch)


# --- the agent's desk ----------------------------------------------------------------------------

async def test_the_agents_desk_shows_hostile_names_messages_orders_and_templates_as_text(
    open_desk: Any, clients: Any, painted: Painted
) -> None:
    window = await open_desk("agent1", language="en")
    await window.service.set_status("busy")  # the chat goes to the colleague, who hands it over with a note
    colleague = await clients("agent2")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    cid = conv.conversation_id
    await buyer.send_text(cid, PAYLOAD)
    while (await next_of(colleague, f.Assignment)).conversation.conversation_id != cid:
        pass
    await window.service.set_status("online")
    await colleague.call(f.Transfer, conversation_id=cid, to_agent=window.service.session.user_id,
                         note="注" + PAYLOAD)
    await until(lambda: window.queue_panel.model.row_of(cid) is not None, what="the chat handed over")
    widen(window)
    window.open_conversation(cid)
    panel = window.conversation
    await until(lambda: PAYLOAD in panel.view.visible_texts(), what="the buyer's message in the chat")
    await until(lambda: panel.note.isVisible(), what="the handover note")
    context = window.context_panel
    await until(lambda: context.context is not None and context.context.conversation_id == cid, what="the orders")

    # An internal note, and a product card from the context panel.
    panel.composer.note_mode.click()
    panel.composer.edit.setPlainText("记" + PAYLOAD)
    panel.composer.send_button.click()
    panel.composer.reply_mode.click()
    product = next(b for b in context.findChildren(QAbstractButton) if b.objectName() == "sendProductCard")
    product.click()
    await until(lambda: any("记" + PAYLOAD in t for t in panel.view.visible_texts()), what="the note in the chat")
    await until(lambda: any(m.kind == "card" and m.seq is not None for m in panel.model.messages()),
                what="the product card stored")

    queue = window.queue_panel.model
    qrow = queue.row_of(cid)
    assert qrow is not None
    chat = panel.model
    mrow = panel.view.visible_texts().index(PAYLOAD)
    await painted.settle(window.queue_panel.list, BUYER_NAME, PAYLOAD)
    await painted.settle(panel.view, PAYLOAD, BUYER_NAME, "记" + PAYLOAD, f"Internal note · {AGENT}", ITEM)
    rows: list[tuple[Shown, str]] = [
        (label("toolbar: who is logged in", window.who), AGENT),
        (Shown("queue row (model)", display(queue, qrow)), BUYER_NAME),
        (tooltip("queue row tooltip", display(queue, qrow, Qt.ItemDataRole.ToolTipRole)), PAYLOAD),
        (painted.of("queue row: buyer", window.queue_panel.list), BUYER_NAME),
        (painted.of("queue row: last message", window.queue_panel.list), PAYLOAD),
        (label("conversation title", panel.title), BUYER_NAME),
        (label("handover note", panel.note), "注" + PAYLOAD),
        (Shown("chat bubble (model)", display(chat, mrow)), PAYLOAD),
        (tooltip("chat bubble tooltip", display(chat, mrow, Qt.ItemDataRole.ToolTipRole)), PAYLOAD),
        (painted.of("chat bubble", panel.view), PAYLOAD),
        (painted.of("chat bubble: the buyer's name", panel.view), BUYER_NAME),
        (painted.of("internal note line: text", panel.view), "记" + PAYLOAD),
        (painted.of("internal note line: author", panel.view), f"Internal note · {AGENT}"),
        (painted.of("product card bubble", panel.view), ITEM),
        (label("context panel: buyer", context.title), BUYER_NAME),
    ]
    context_labels = [w for w in context.findChildren(QLabel) if "onerror" in w.text()]
    for expected, what in ((ITEM, "order line"), (STEP, "logistics step"), (REASON, "after-sales reason")):
        shown = [w for w in context_labels if expected in w.text()]
        assert shown, f"context panel: no {what} shown"
        rows += [(label(f"context panel: {what}", w), expected) for w in shown]
    for where, tip in window.attention.history:
        if "onerror" in tip:
            rows.append((Shown("notification " + where, tip), BUYER_NAME))
    assert any(BUYER_NAME in text for _, text in window.attention.history), "no notification named the buyer"
    if window.toast.text():
        rows.append((label("notification toast", window.toast), BUYER_NAME))

    # The card menu: an order's first line names its product.
    panel.composer.card_button.click()
    def card_menu() -> QMenu | None:
        return next((m for m in panel.findChildren(QMenu) if any(ITEM[:1] in a.text() for a in m.actions())), None)

    menu = await until(card_menu, what="the card menu listing the orders")
    rows += [(mnemonic("card menu item", a.text()), ITEM) for a in menu.actions() if ITEM[:1] in a.text()]
    menu.close()

    # Quick replies: the picker and the editor.
    await until(lambda: window.service.templates, what="templates loaded")
    panel.composer.edit.clear()
    panel.composer.open_picker()
    picker = panel.composer.picker
    prow = next((r for r in range(picker.count()) if TEMPLATE_TITLE in display(picker.model, r)), None)
    assert prow is not None, "the hostile template is not in the picker"
    rows += [(Shown("template picker row", display(picker.model, prow)), TEMPLATE_TITLE),
             (tooltip("template picker tooltip", display(picker.model, prow, Qt.ItemDataRole.ToolTipRole)),
              TEMPLATE_BODY)]
    picker.hide()
    panel.composer.edit.clear()
    editor = window.shop_actions.open_templates()
    template = next(t for t in window.service.templates if t.title == TEMPLATE_TITLE)
    assert editor.select_template(template.template_id)
    item = editor.tree.currentItem()
    rows += [(Shown("template editor list", item.text(0)), TEMPLATE_TITLE),
             (tooltip("template editor tooltip", item.toolTip(0)), TEMPLATE_BODY),
             (Shown("template editor title", editor.title_edit.text()), TEMPLATE_TITLE),
             (label("template editor preview", editor.preview), TEMPLATE_BODY)]

    # Search and transfer.
    search = window.open_search()
    search.query.setText("bold")
    search.run_search()
    await until(lambda: search.results.count(), what="search results")
    rows += [(Shown(f"search result {r}", search.results.item(r).text()), PAYLOAD)
             for r in range(search.results.count())]
    search.close()
    dialog = panel.open_transfer()
    assert dialog is not None
    await until(lambda: dialog.windowHandle() is not None, what="the transfer dialog shown")
    rows += [(title("transfer dialog title", dialog), BUYER_NAME),
             (Shown("transfer dialog: colleague", "\n".join(dialog.list.item(r).text()
                                                            for r in range(dialog.list.count()))), MATE)]
    rows += sweep()
    judge(rows)
    dialog.reject()
    editor.close()
    await settle()


# --- the supervisor's desk -----------------------------------------------------------------------

async def test_the_supervisors_desk_shows_hostile_names_whispers_and_complaints_as_text(
    open_desk: Any, clients: Any, painted: Painted, fake_clock: FakeClock
) -> None:
    agent = await clients("agent1")
    buyer = await clients(buyer=BUYER)
    conv = await buyer.open_conversation("jiadian")
    cid = conv.conversation_id
    await buyer.send_text(cid, PAYLOAD)
    await next_of(agent, f.Assignment)
    boss = await open_desk("super1", language="en")
    assert boss.workspace is not None and boss.bridge.supervision is not None
    board = boss.workspace.wallboard
    fake_clock.advance(150)  # near the 180 s bar: the chat is on the wallboard's due list
    await until(lambda: board.due_model.rowCount(), what="the chat on the due list", timeout=10)
    await agent.send_text(cid, "答" + PAYLOAD)
    call = await invite(agent, cid)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await buyer.call(f.Complain, call_id=call.call_id, reason="sales_pressure", text="诉" + PAYLOAD)

    await monitoring(boss, cid)
    bar = boss.conversation.monitor
    assert bar is not None
    await until(lambda: AGENT in bar.state.text(), what="the agent's name on the monitor bar")
    bar.whisper_edit.setText("悄" + PAYLOAD)
    bar.whisper_button.click()
    chat = boss.conversation.view
    await until(lambda: any("悄" + PAYLOAD in t for t in chat.visible_texts()), what="the whisper in the chat")
    await until(lambda: "答" + PAYLOAD in chat.visible_texts(), what="the agent's reply in the chat")
    await painted.settle(chat, "悄" + PAYLOAD, f"Whisper from {BOSS}", "答" + PAYLOAD)
    rows: list[tuple[Shown, str]] = [
        (label("monitor bar", bar.state), AGENT),
        (mnemonic("monitor bar: whisper button", bar.whisper_button.text()), AGENT),
        (Shown("monitor bar: whisper placeholder", bar.whisper_edit.placeholderText()), AGENT),
        (painted.of("whisper line: text", chat), "悄" + PAYLOAD),
        (painted.of("whisper line: author", chat), f"Whisper from {BOSS}"),
        (painted.of("agent's bubble", chat), "答" + PAYLOAD),
    ]
    reassign = bar.open_reassign()
    assert reassign is not None
    await until(lambda: reassign.windowHandle() is not None, what="the reassign dialog shown")
    rows.append((title("reassign dialog title", reassign), BUYER_NAME))

    # The wallboard: the agents table, the due list; the drill-down behind a figure with its transcript.
    boss.workspace.setCurrentWidget(board)
    me = agent.session.user_id
    def agent_ids() -> list[str]:
        return [board.model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(board.model.rowCount())]

    await until(lambda: me in agent_ids(), what="the agent on the wallboard")
    arow = agent_ids().index(me)
    rows += [(Shown("wallboard agents table", display(board.model, arow)), AGENT),
             (Shown("wallboard due list", display(board.due_model, 0)), BUYER_NAME)]
    drill = boss.workspace.drill("rounds", agent_id=me)
    await drill.loaded
    assert drill.table.rowCount(), "no rounds behind the figure"
    rows += [(label("drill-down heading", drill.heading), AGENT),
             (Shown("drill-down row: buyer", drill.table.item(0, 1).text()), BUYER_NAME),
             (Shown("drill-down row: agent", drill.table.item(0, 2).text()), AGENT)]
    drill.table.selectRow(0)
    await until(lambda: "悄" + PAYLOAD in drill.transcript.toPlainText(), what="the transcript with its whisper")
    for expected in (BUYER_NAME, PAYLOAD, AGENT, "答" + PAYLOAD, BOSS, "悄" + PAYLOAD):
        rows.append((html_view("drill-down transcript", drill.transcript), expected))

    # Complaints: the table, its tooltips, the details; the notification about it.
    complaints = boss.workspace.complaints
    await until(lambda: complaints.model.row_of(call.call_id) is not None, what="the complaint listed")
    crow = complaints.model.row_of(call.call_id)
    assert crow is not None
    from ui.supervisor.complaints import COLUMNS

    for column, expected in (("buyer", BUYER_NAME), ("agent", AGENT), ("text", "诉" + PAYLOAD)):
        rows.append((Shown(f"complaints table: {column}", display(complaints.model, crow,
                                                                 column=COLUMNS.index(column))), expected))
    tip = display(complaints.model, crow, Qt.ItemDataRole.ToolTipRole, COLUMNS.index("text"))
    rows.append((tooltip("complaints table: tooltip", tip), "诉" + PAYLOAD))
    complaints.table.selectRow(complaints.proxy.mapFromSource(complaints.model.index(crow, 0)).row())
    for key, expected in (("buyer", BUYER_NAME), ("agent", AGENT), ("text", "诉" + PAYLOAD)):
        rows.append((label(f"complaint details: {key}", complaints.fields[key]), expected))
    await until(lambda: any(BUYER_NAME in text for _, text in boss.attention.history), what="the notification")
    rows += sweep()
    judge(rows)
    reassign.reject()
    drill.close()
    await settle()
