"""A `FiguresReport` from a window's cells: the shop in total, by agent, by hour, by day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from relay.metrics import rules
from relay.metrics.cells import NOBODY, Key, Sums, figures, merged
from wire import figures as w

BREAKDOWNS = frozenset({"agent", "hour", "day", "agent_hour", "agent_day"})


@dataclass(frozen=True, slots=True)
class Member:
    """An account of the shop as the report lists it, with its live state."""

    account_id: int
    name: str
    role: str
    status: str = "offline"
    connected: bool = False
    active: int = 0
    cap: int = 0


def compose(cells: dict[Key, Sums], *, shop: str, tz: str, first: date, last: date, generated_at: int,
            members: Iterable[Member], by: frozenset[str] = frozenset({"agent", "hour", "day"})) -> w.FiguresReport:
    """The report of the days `first`..`last` (shop time) from their cells.

    Agents are listed in `members` order: every agent of the shop, then anybody else who has figures
    in the window (a supervisor who took chats over). Hours and days cover the whole window, empty
    ones included, so charts have every point; the per-agent breakdowns list only cells with facts.
    """
    by_account: dict[int, list[Sums]] = defaultdict(list)
    by_hour: dict[int, list[Sums]] = defaultdict(list)
    for (hour, account), sums in cells.items():
        by_account[account].append(sums)
        by_hour[hour].append(sums)
    report = w.FiguresReport(shop=shop, timezone=tz, start=first.isoformat(), end=last.isoformat(),
                             generated_at=generated_at, total=figures(merged(cells.values())))
    known = {m.account_id: m for m in members}
    if "agent" in by:
        listed = [m for m in known.values() if m.role == "agent" or by_account.get(m.account_id)]
        report.agents = [
            w.AgentFigures(agent_id=str(m.account_id), name=m.name, role=m.role,  # type: ignore[arg-type]
                           status=m.status, connected=m.connected,  # type: ignore[arg-type]
                           active=m.active, cap=m.cap, figures=figures(merged(by_account.get(m.account_id, []))))
            for m in listed
        ]
    hours = _hours(first, last, tz)
    if "hour" in by:
        report.hours = [w.Bucket(start=h, label=rules.hour_label(h, tz), figures=figures(merged(by_hour.get(h, []))))
                        for h in hours]
    if "day" in by or "agent_day" in by:
        day_of = {h: rules.local_date(h, tz) for h in hours} | {h: rules.local_date(h, tz) for h in by_hour}
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        day_start = {d: rules.window(d, d, tz)[0] for d in days}
        if "day" in by:
            per_day: dict[date, list[Sums]] = defaultdict(list)
            for hour, group in by_hour.items():
                per_day[day_of[hour]].extend(group)
            report.days = [
                w.Bucket(start=day_start[d], label=d.isoformat(), figures=figures(merged(per_day.get(d, []))))
                for d in days]
        if "agent_day" in by:
            per_agent_day: dict[tuple[int, date], list[Sums]] = defaultdict(list)
            for (hour, account), sums in cells.items():
                if account != NOBODY:
                    per_agent_day[(account, day_of[hour])].append(sums)
            report.days += [
                w.Bucket(start=day_start[d], label=d.isoformat(), agent_id=str(a), figures=figures(merged(group)))
                for (a, d), group in sorted(per_agent_day.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    if "agent_hour" in by:
        report.hours += [
            w.Bucket(start=h, label=rules.hour_label(h, tz), agent_id=str(a), figures=figures(sums))
            for (h, a), sums in sorted(cells.items()) if a != NOBODY and not sums.empty()]
    return report


def _hours(first: date, last: date, tz: str) -> list[int]:
    """Every shop-time hour start of the days first..last (23 or 25 on days when clocks change)."""
    since, until = rules.window(first, last, tz)
    hours: list[int] = []
    t = since
    while t < until:
        start = rules.hour_start(t, tz)
        if not hours or hours[-1] != start:
            hours.append(start)
        t += 3_600_000
    return hours
