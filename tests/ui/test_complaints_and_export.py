"""The supervisor's complaints panel and CSV export against a real relay: a buyer's complaint appears
live, is marked handled (and reopened) on the relay, opens its conversation; the export writes the
figures with progress and a row count, and a cancelled one leaves no file; agents get neither."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.client import KefuClient
from app.events import ConnectionChanged
from app.supervision import CSV_HEADER, Supervision
from tests.relay.test_calls import chatting, invite
from tests.ui.conftest import until
from ui.main_window import MainWindow
from ui.supervisor.complaints import COLUMNS, ComplaintsPanel
from ui.supervisor.export_dialog import ExportDialog
from wire import frames as f

WORDS = "一直推销<b>别的</b>"


async def complain(agent: KefuClient, buyer: KefuClient, conversation_id: int) -> str:
    """The agent invites, the buyer accepts and complains about the call: its call id."""
    call = await invite(agent, conversation_id)
    await buyer.call(f.AnswerCall, call_id=call.call_id, decision="accept")
    await buyer.call(f.Complain, call_id=call.call_id, reason="sales_pressure", text=WORDS)
    return call.call_id


async def supervising(open_desk: Any) -> tuple[MainWindow, Supervision, ComplaintsPanel]:
    """王主管's window and a complaints panel of its own, loaded."""
    window = await open_desk("super1", language="en")
    supervision = window.bridge.supervision
    assert supervision is not None
    panel = ComplaintsPanel(window.bridge)
    panel.show()
    await panel.loaded
    return window, supervision, panel


def cell(panel: ComplaintsPanel, call_id: str, column: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    row = panel.model.row_of(call_id)
    assert row is not None
    return panel.model.index(row, COLUMNS.index(column)).data(role)


def shown(panel: ComplaintsPanel, call_id: str) -> bool:
    """The row is in the table as filtered."""
    return any(panel.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) == call_id
               for r in range(panel.proxy.rowCount()))


async def test_a_new_complaint_appears_at_once_in_an_open_panel_marked_new(open_desk, clients) -> None:
    agent, buyer, conv = await chatting(clients, "b-jiadian-0061")
    _window, _supervision, panel = await supervising(open_desk)
    call_id = await complain(agent, buyer, conv)
    await until(lambda: panel.model.row_of(call_id) is not None, what="the complaint in the panel")
    assert panel.model.row_of(call_id) == 0 and shown(panel, call_id)  # newest first, and open
    assert cell(panel, call_id, "time").startswith("● ")
    assert cell(panel, call_id, "time", Qt.ItemDataRole.FontRole).bold()
    assert cell(panel, call_id, "agent") == "小美" and cell(panel, call_id, "buyer")
    assert cell(panel, call_id, "reason") == "Sales pressure"
    assert cell(panel, call_id, "text") == WORDS and cell(panel, call_id, "state") == "Open"
    tip = cell(panel, call_id, "text", Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tip and "&lt;b&gt;" in tip  # the buyer's words shown as typed, never rendered
    assert panel.select(call_id)
    assert not cell(panel, call_id, "time").startswith("● ")  # seen
    assert panel.fields["call_id"].text() == call_id and panel.fields["text"].text() == WORDS
    assert panel.fields["text"].textFormat() == Qt.TextFormat.PlainText
    assert panel.fields["reason"].text() == "Sales pressure"
    await panel.stop()
    await buyer.close()


async def test_complaints_made_before_the_panel_opened_are_listed(open_desk, clients) -> None:
    agent, buyer, conv = await chatting(clients, "b-jiadian-0062")
    call_id = await complain(agent, buyer, conv)
    _window, _supervision, panel = await supervising(open_desk)
    assert panel.model.row_of(call_id) is not None and shown(panel, call_id)
    assert not cell(panel, call_id, "time").startswith("● ")  # not new: it was there when the list was read
    assert "1 open" in panel.summary.text()
    await panel.stop()
    await buyer.close()


async def test_the_list_is_read_again_when_the_connection_comes_back(open_desk, clients) -> None:
    agent, buyer, conv = await chatting(clients, "b-jiadian-0065")
    call_id = await complain(agent, buyer, conv)
    _window, _supervision, panel = await supervising(open_desk)
    panel.model.set_all([])  # as if it had been made while the desk was away
    panel.bridge.connection_changed.emit(ConnectionChanged("offline"))
    panel.bridge.connection_changed.emit(ConnectionChanged("online"))
    await until(lambda: panel.model.row_of(call_id) is not None, what="the complaint read again")
    await panel.stop()
    await buyer.close()


async def test_marking_handled_with_a_note_reaches_the_relay_and_the_row(open_desk, clients) -> None:
    agent, buyer, conv = await chatting(clients, "b-jiadian-0063")
    _window, supervision, panel = await supervising(open_desk)
    call_id = await complain(agent, buyer, conv)
    await until(lambda: panel.model.row_of(call_id) is not None, what="the complaint in the panel")
    panel.select(call_id)
    note = "已致电买家道歉，提醒小美不再推销"
    panel.note_edit.setText(note)
    panel.handle_button.click()
    await until(lambda: cell(panel, call_id, "state").startswith("Handled by 王主管 at "), what="the row handled")
    assert cell(panel, call_id, "note") == note
    assert not shown(panel, call_id)  # the filter shows open complaints only
    assert panel.fields["state"].text().startswith("Handled by 王主管")  # the details stay
    listed = {c.call_id: c for c in await supervision.load_complaints()}
    assert (listed[call_id].handled_by, listed[call_id].handled_note) == ("王主管", note)
    assert listed[call_id].handled_at is not None

    panel.filter.setCurrentIndex(1)  # all
    assert shown(panel, call_id)
    await until(lambda: panel.reopen_button.isEnabled(), what="Reopen offered")
    panel.reopen_button.click()
    await until(lambda: cell(panel, call_id, "state") == "Open", what="the row open again")
    listed = {c.call_id: c for c in await supervision.load_complaints()}
    assert listed[call_id].handled_at is None and listed[call_id].handled_by is None
    await panel.stop()
    await buyer.close()


async def test_open_conversation_asks_for_the_complaints_chat(open_desk, clients) -> None:
    agent, buyer, conv = await chatting(clients, "b-jiadian-0064")
    _window, _supervision, panel = await supervising(open_desk)
    call_id = await complain(agent, buyer, conv)
    await until(lambda: panel.model.row_of(call_id) is not None, what="the complaint in the panel")
    asked: list[int] = []
    panel.open_conversation.connect(asked.append)
    assert not panel.open_button.isEnabled()  # nothing selected yet
    panel.select(call_id)
    panel.open_button.click()
    assert asked == [conv]
    await panel.stop()
    await buyer.close()


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


async def test_a_ten_day_export_writes_the_figures_with_progress_and_a_row_count(
    open_desk, tmp_path: Path
) -> None:
    window = await open_desk("super1", language="en")
    supervision = window.bridge.supervision
    assert supervision is not None
    await until(lambda: supervision.live is not None, what="the first figures push")
    dialog = ExportDialog(window.bridge)
    dialog.open()
    assert not dialog.isModal() and not dialog.export_button.isEnabled()  # no file chosen yet
    end = dialog.today()
    assert supervision.live is not None and end.isoformat() == supervision.live.today.end
    dialog.set_range(end - timedelta(days=9), end)
    path = tmp_path / "figures.csv"
    dialog.set_path(path)
    assert dialog.export_button.isEnabled()
    steps: list[tuple[int, bool]] = []
    dialog.progress.valueChanged.connect(lambda v: steps.append((v, dialog.cancel_button.isEnabled())))
    dialog.export_button.click()
    assert dialog.running() and dialog.cancel_button.text() == "Cancel"
    assert dialog.task is not None
    await dialog.task
    rows = read_csv(path)
    assert dialog.rows is not None and tuple(rows[0]) == CSV_HEADER and len(rows) == dialog.rows + 1
    assert dialog.progress.maximum() == 10 and dialog.progress.value() == 10
    assert (7, True) in steps and (10, False) in steps  # no cancelling once the file is being written
    assert dialog.status.text().startswith(f"{dialog.rows} row") and dialog.status.text().endswith(f"{path}.")
    assert dialog.cancel_button.text() == "Close" and dialog.export_button.isEnabled()
    assert not path.with_name(path.name + ".part").exists()
    dialog.close()
    assert not dialog.isVisible()


async def test_cancelling_an_export_leaves_no_file(open_desk, tmp_path: Path) -> None:
    window = await open_desk("super1", language="en")
    dialog = ExportDialog(window.bridge)
    dialog.open()
    dialog.preset.setCurrentIndex(2)  # the last 30 days: five requests
    start, end = dialog.chosen_range()
    assert (end - start).days == 29
    path = tmp_path / "cancelled.csv"
    dialog.set_path(path)

    def cancel_at_first_step(value: int) -> None:
        if value == 7:
            dialog.cancel_button.click()

    dialog.progress.valueChanged.connect(cancel_at_first_step)
    dialog.export_button.click()
    assert dialog.task is not None
    task = dialog.task
    with pytest.raises(BaseException):  # noqa: B017 - asyncio.CancelledError
        await task
    assert task.cancelled() and not dialog.running()
    assert dialog.status.text() == "Export cancelled; no file was written."
    assert not path.exists() and not path.with_name(path.name + ".part").exists()
    assert dialog.progress.value() == 0 and dialog.export_button.isEnabled()
    dialog.close()


async def test_the_export_range_is_checked(open_desk) -> None:
    window = await open_desk("super1", language="en")
    dialog = ExportDialog(window.bridge)
    dialog.open()
    dialog.set_path("/tmp/unused.csv")
    today = dialog.today()
    dialog.set_range(today, today - timedelta(days=1))
    assert dialog.range_error.text() == "The last day is before the first." and not dialog.export_button.isEnabled()
    dialog.set_range(today - timedelta(days=400), today)
    assert dialog.range_error.text() == "At most 400 days at a time; shorten the range."
    assert not dialog.export_button.isEnabled()
    dialog.set_range(today - timedelta(days=399), today)
    assert dialog.range_error.text() == "" and dialog.export_button.isEnabled()
    dialog.preset.setCurrentIndex(0)  # today
    assert dialog.chosen_range() == (today, today) and not dialog.start_edit.isEnabled()
    dialog.close()


async def test_an_agent_gets_neither_the_complaints_nor_the_export(open_desk) -> None:
    window = await open_desk("agent1")
    assert window.bridge.supervision is None
    with pytest.raises(ValueError):
        ComplaintsPanel(window.bridge)
    with pytest.raises(ValueError):
        ExportDialog(window.bridge)
