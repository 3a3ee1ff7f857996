"""The scripted day (tests/scripted_day.py) on a supervisor's workstation: the wallboard's tiles,
agents table and charts read the figures worked out by hand, live; the CSV export has them too;
an agent's window has no supervisor workspace."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.supervision import CSV_HEADER
from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.conftest import RunningRelay
from tests.scripted_day import AJIE, DAY, EXPECTED_AJIE, EXPECTED_TOTAL, EXPECTED_XIAOMEI, START_MS, XIAOMEI, Day
from tests.ui.conftest import until
from ui.supervisor.wallboard_model import COLUMNS


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(START_MS)


@pytest.fixture
def relay_config(relay_config: RelayConfig) -> RelayConfig:
    return replace(relay_config, token_ttl_s=24 * 3600)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


async def test_the_wallboard_and_the_csv_show_the_days_exact_figures(
    relay: RunningRelay, clients: Any, fake_clock: FakeClock, open_desk: Any, tmp_path: Path
) -> None:
    window = await open_desk("super1", language="en")
    assert window.workspace is not None
    board = window.workspace.wallboard
    await Day(relay, clients, fake_clock).run()
    t = EXPECTED_TOTAL
    await until(lambda: board.tile_text("rate") == pct(t["reply_rate_3min"]) and board.tile_text("csat") != "—",
                timeout=10, what="the day's last figures on the wallboard")
    await until(lambda: board.tile_text("csat") == pct(t["csat"]) and board.tile_text("abandoned") == "2",
                timeout=10, what="the ratings and closures pushed")
    assert board.tile_text("rate") == "63.6%"  # 7 of 11 rounds: 179 s and 180 s on time, 181 s late
    assert board.tile_text("pdd") == pct(t["pdd_reply_rate"])
    assert board.tile_text("frt") == "1 min 49 s"  # 108.889 s
    assert board.tile_text("connect") == pct(t["connect_rate_invited"])
    assert board.tile_text("complaints") == str(t["complaints"])
    assert board.tile_text("transfers") == str(t["transfers"])
    assert board.tiles["rate"].property("alarm") is True  # below the 80% bar
    assert "7 of 11 rounds on time" in board.tiles["rate"].note.text()

    rows = {board.model.data(board.model.index(r, 0), 256): [board.model.index(r, c).data()
                                                               for c in range(len(COLUMNS))]
            for r in range(board.model.rowCount())}
    for agent_id, expected in ((XIAOMEI, EXPECTED_XIAOMEI), (AJIE, EXPECTED_AJIE)):
        row = dict(zip(COLUMNS, rows[agent_id], strict=True))
        assert row["rate"] == pct(expected["reply_rate_3min"]), agent_id
        assert row["calls"] == f"{expected['calls_connected']} / {expected['calls_invited']}", agent_id
        assert row["complaints"] == str(expected["complaints"]), agent_id
        assert row["csat"] == pct(expected["csat"]), agent_id
    hours = {9: 200 / 3, 10: 50.0, 11: 0.0, 12: 0.0, 13: 100.0, 14: 100.0}  # no point where no round was decided
    await until(lambda: dict(board.hours_chart.points()) == pytest.approx(hours), timeout=8,
                what="the hourly chart (redrawn at most every 5 s)")

    window.workspace.setCurrentWidget(board)  # shown: the days chart loads
    await until(lambda: board.days_chart.points() and board.days_chart.points()[-1][1] == pytest.approx(700 / 11),
                what="today's rate as the days chart's last point")

    supervision = window.bridge.supervision
    assert supervision is not None
    path = tmp_path / "day.csv"
    await supervision.export_csv(path, date.fromisoformat(DAY), date.fromisoformat(DAY))
    with path.open(encoding="utf-8-sig", newline="") as f:
        table = [dict(zip(CSV_HEADER, r, strict=True)) for r in list(csv.reader(f))[1:]]
    total = next(r for r in table if r["scope"] == "total")
    for name, value in t.items():
        cell = total[name]
        assert (cell == "" if value is None else float(cell) == pytest.approx(value, rel=1e-5, abs=1e-3)), name
    for agent_id, expected in ((XIAOMEI, EXPECTED_XIAOMEI), (AJIE, EXPECTED_AJIE)):
        row = next(r for r in table if r["scope"] == "agent" and r["agent_id"] == agent_id)
        for name, value in expected.items():
            assert (row[name] == "" if value is None else float(row[name]) == pytest.approx(value, rel=1e-5,
                                                                                          abs=1e-3)), name
    nine = next(r for r in table if r["scope"] == "hour" and r["period"] == f"{DAY} 09:00" and not r["agent_id"])
    assert (nine["rounds"], nine["rounds_on_time"]) == ("3", "2")

    window.workspace.export_button.click()  # the corner's Export figures…: one non-modal dialog
    export = window.workspace.exports[0]
    assert export.isVisible() and not export.isModal()
    assert window.workspace.open_export() is export

    window.languages.use("zh_CN")  # the board, its table's headers and cells follow the language at once
    await until(lambda: board.model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "客服",
                what="the table's headers in Chinese")
    assert board.tiles["rate"].title.text() == "3 分钟回复率"
    assert board.tile_text("frt") == "1 分 49 秒"


async def test_an_agent_never_gets_the_supervisors_workspace(open_desk: Any) -> None:
    window = await open_desk("agent1")
    assert window.workspace is None and window.bridge.supervision is None
