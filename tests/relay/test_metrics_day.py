"""The scripted day of tests/scripted_day.py: every figure exact, per agent and per shop, from the
supervisors' HTTP API, from the live `figures` frames and from /metrics."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

import aiohttp
import msgspec
import pytest

from app.client import KefuClient, login
from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.relay.helpers import db_rows
from tests.scripted_day import (
    AJIE,
    DAY,
    EXPECTED_AJIE,
    EXPECTED_HOURS,
    EXPECTED_TOTAL,
    EXPECTED_XIAOMEI,
    START_MS,
    XIAOMEI,
    Day,
)
from wire import figures as w
from wire import frames as f


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(START_MS)


@pytest.fixture
def relay_config(relay_config: RelayConfig) -> RelayConfig:
    """Tokens outlive the scripted day (16 hours on the fake clock; they last 12 by default)."""
    return replace(relay_config, token_ttl_s=24 * 3600)


async def test_the_scripted_day_gives_the_same_exact_figures_everywhere(
        relay: RunningRelay, clients: Any, fake_clock: FakeClock) -> None:
    """One run of the day (it takes a while), every view of it checked."""
    day = await Day(relay, clients, fake_clock).run()
    await the_api_gives_every_figure_of_the_day_exactly(relay)
    await the_cells_add_up_whichever_way_they_are_cut(relay)
    await the_live_figures_pushed_to_supervisors_equal_the_stored_ones(relay, day)
    await metrics_shows_the_same_figures(relay)
    await the_facts_behind_a_figure_open_the_right_conversations(relay)
    await a_later_range_and_another_shop_show_none_of_it(relay)


def check(figures: w.Figures, expected: dict[str, Any], what: str) -> None:
    got = {name: getattr(figures, name) for name in expected}
    assert got == expected, f"{what}: " + ", ".join(
        f"{n} is {got[n]!r}, expected {v!r}" for n, v in expected.items() if got[n] != v)


async def supervisor_get(relay: RunningRelay, path: str, username: str = "super1", shop: str = MAIN_SHOP) -> Any:
    token = (await login(relay.url, shop, username, DEMO_PASSWORD)).token
    async with aiohttp.ClientSession() as http, http.get(
            relay.url + path, headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.read()


async def report_of_the_day(relay: RunningRelay, by: str = "agent,hour,day") -> w.FiguresReport:
    raw = await supervisor_get(relay, f"/api/supervisor/figures?start={DAY}&end={DAY}&by={by}")
    return msgspec.json.decode(raw, type=w.FiguresReport)


def agent(report: w.FiguresReport, agent_id: str) -> w.Figures:
    return next(a.figures for a in report.agents if a.agent_id == agent_id)


async def the_api_gives_every_figure_of_the_day_exactly(relay: RunningRelay) -> None:
    report = await report_of_the_day(relay)
    check(report.total, EXPECTED_TOTAL, "the shop")
    check(agent(report, XIAOMEI), EXPECTED_XIAOMEI, "小美")
    check(agent(report, AJIE), EXPECTED_AJIE, "阿杰")
    hours = {b.label[-5:]: b.figures for b in report.hours}
    assert len(report.hours) == 24
    for hour, expected in EXPECTED_HOURS.items():
        check(hours[hour], expected, f"the hour {hour}")
    assert [b.label for b in report.days] == [DAY] and report.days[0].figures == report.total


async def the_cells_add_up_whichever_way_they_are_cut(relay: RunningRelay) -> None:
    report = await report_of_the_day(relay, "agent,hour,agent_hour,agent_day")
    by_agent_hour = [b for b in report.hours if b.agent_id is not None]
    assert sum(b.figures.rounds for b in by_agent_hour if b.agent_id == XIAOMEI) == EXPECTED_XIAOMEI["rounds"]
    assert sum(b.figures.calls_invited for b in by_agent_hour) == EXPECTED_TOTAL["calls_invited"]
    assert sum(h.figures.rounds for h in report.hours if h.agent_id is None) == EXPECTED_TOTAL["rounds"]
    agent_days = {b.agent_id: b.figures for b in report.days if b.agent_id is not None}
    assert agent_days[XIAOMEI] == agent(report, XIAOMEI)


async def the_live_figures_pushed_to_supervisors_equal_the_stored_ones(
    relay: RunningRelay, day: dict[str, KefuClient]
) -> None:
    supervisor = day["super1"]
    await asyncio.sleep(1.3)  # pushes are coalesced to one a second
    latest: f.FiguresUpdate | None = None
    while not supervisor.events.empty():
        frame = supervisor.events.get_nowait()
        if isinstance(frame, f.FiguresUpdate):
            latest = frame
    assert latest is not None
    stored = await report_of_the_day(relay, "agent,hour")
    check(latest.today.total, EXPECTED_TOTAL, "the live shop")
    assert latest.today.total == stored.total
    assert [a.figures for a in latest.today.agents] == [a.figures for a in stored.agents]
    assert [b.figures for b in latest.today.hours] == [b.figures for b in stored.hours]
    assert latest.queue.queued == 0 and latest.queue.overdue == 0


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    raise AssertionError(f"no {name}{{{wanted}}} in /metrics")


async def metrics_shows_the_same_figures(relay: RunningRelay) -> None:
    async with aiohttp.ClientSession() as http, http.get(relay.url + "/metrics") as resp:
        assert resp.status == 200 and resp.content_type == "text/plain"
        text = await resp.text()
    for name, agent_id, value in (
        ("kefu_today_rounds", "all", 11), ("kefu_today_rounds_on_time", "all", 7),
        ("kefu_today_reply_rate_3min", "all", 7 / 11), ("kefu_today_reply_rate_3min", XIAOMEI, 5 / 7),
        ("kefu_today_reply_rate_3min", AJIE, 2 / 3), ("kefu_today_pdd_reply_rate", "all", 0.6),
        ("kefu_today_first_response_mean_seconds", "all", 108.889), ("kefu_today_abandoned", "all", 2),
        ("kefu_today_transfers", XIAOMEI, 2), ("kefu_today_calls_invited", "all", 3),
        ("kefu_today_calls_connected", "all", 1), ("kefu_today_connect_rate", "all", 1 / 3),
        ("kefu_today_complaints", XIAOMEI, 1), ("kefu_today_csat", "all", 0.5),
    ):
        assert metric(text, name, shop=MAIN_SHOP, agent=agent_id) == pytest.approx(value, abs=1e-12), name
    assert metric(text, "kefu_first_response_seconds_count", shop=MAIN_SHOP) == 9
    assert metric(text, "kefu_first_response_seconds_bucket", shop=MAIN_SHOP, le="180.0") == 7
    assert metric(text, "kefu_call_duration_seconds_sum", shop=MAIN_SHOP) == 100
    for line in text.splitlines():  # labels are bounded: shop and agent at most, never a buyer
        labels = re.findall(r'(\w+)="', line.partition(" ")[0]) if not line.startswith("#") else []
        assert set(labels) <= {"shop", "agent", "le", "sender", "role"}, line
    assert "b-jiadian" not in text


async def the_facts_behind_a_figure_open_the_right_conversations(relay: RunningRelay) -> None:
    raw = await supervisor_get(relay, f"/api/supervisor/drill?figure=rounds_late&start={DAY}&end={DAY}")
    late = msgspec.json.decode(raw, type=w.DrillRows)
    assert sorted((r.buyer_name, r.kind, r.agent_id) for r in late.rows) == sorted(
        (name, kind, holder) for name, kind, holder in late_rounds(relay))
    raw = await supervisor_get(relay, f"/api/supervisor/drill?figure=complaints&start={DAY}&end={DAY}")
    complaints = msgspec.json.decode(raw, type=w.DrillRows)
    assert [(r.kind, r.agent_id, r.seconds) for r in complaints.rows] == [("sales_pressure", XIAOMEI, 100.0)]


def late_rounds(relay: RunningRelay) -> list[tuple[str, str, str | None]]:
    """0004 (小美, late), 0006 (阿杰, late), 0007 (小美, never), 0008 (nobody, never): by buyer nickname."""
    names = dict(db_rows(relay, "SELECT id, nickname FROM buyers"))
    return [(names["b-jiadian-0004"], "late", XIAOMEI), (names["b-jiadian-0006"], "late", AJIE),
            (names["b-jiadian-0007"], "unanswered", XIAOMEI), (names["b-jiadian-0008"], "unanswered", None)]


async def a_later_range_and_another_shop_show_none_of_it(relay: RunningRelay) -> None:
    raw = await supervisor_get(relay, "/api/supervisor/figures?start=2026-11-03&end=2026-11-03")
    assert msgspec.json.decode(raw, type=w.FiguresReport).total == w.Figures()
    raw = await supervisor_get(relay, f"/api/supervisor/figures?start={DAY}&end={DAY}", "cha_boss", "chaye")
    assert msgspec.json.decode(raw, type=w.FiguresReport).total == w.Figures()
