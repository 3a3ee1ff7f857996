"""A `FiguresReport` from a window's cells: the shop in total, by agent, by hour, by day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from relay.metrics import rules
from relay.metrics.cells import NOBODY, Sums, figures, merged
from relay.metrics.days import TOTAL, Day
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


def compose(days: list[tuple[date, Day]], *, shop: str, tz: str, first: date, last: date, generated_at: int,
            members: Iterable[Member], by: frozenset[str] = frozenset({"agent", "hour", "day"})) -> w.FiguresReport:
    """The report of the days `first`..`last` (shop time) from their sums (`relay.metrics.days`).

    Agents are listed in `members` order: every agent of the shop, then anybody else who has figures
    in the window (a supervisor who took chats over). Hours and days cover the whole window, empty
    ones included, so charts have every point; the per-agent breakdowns list only those with facts.
    """
    parts: dict[int, list[Sums]] = defaultdict(list)
    hours: dict[int, Sums] = {}
    for _, day in days:
        for account, sums in day.agents.items():
            parts[account].append(sums)
        hours.update(day.hours)
    agents = {account: merged(sums) for account, sums in parts.items()}
    day_of_hour = {h: day for _, day in days for h in day.hours}
    report = w.FiguresReport(shop=shop, timezone=tz, start=first.isoformat(), end=last.isoformat(),
                             generated_at=generated_at, total=figures(merged([day.total for _, day in days])))
    known = {m.account_id: m for m in members}
    if "agent" in by:
        listed = [m for m in known.values() if m.role == "agent" or m.account_id in agents]
        report.agents = [
            w.AgentFigures(agent_id=str(m.account_id), name=m.name, role=m.role,  # type: ignore[arg-type]
                           status=m.status, connected=m.connected,  # type: ignore[arg-type]
                           active=m.active, cap=m.cap, figures=figures(agents.get(m.account_id) or Sums()))
            for m in listed
        ]
    if "hour" in by:
        report.hours = [w.Bucket(start=h, label=rules.hour_label(h, tz),
                                 figures=_shown(day_of_hour[h], h, hours[h]) if h in hours else figures(Sums()))
                        for h in _hours(first, last, tz)]
    day_start = {d: rules.window(d, d, tz)[0] for d, _ in days}
    if "day" in by:
        report.days = [w.Bucket(start=day_start[d], label=d.isoformat(), figures=_shown(day, TOTAL, day.total))
                       for d, day in days]
    if "agent_day" in by:
        report.days += [
            w.Bucket(start=day_start[d], label=d.isoformat(), agent_id=str(a), figures=figures(sums))
            for d, day in days for a, sums in sorted(day.agents.items()) if a != NOBODY]
    if "agent_hour" in by:
        for _, day in days:
            assert day.cells is not None, "days summed without their cells"
            report.hours += [
                w.Bucket(start=h, label=rules.hour_label(h, tz), agent_id=str(a), figures=figures(sums))
                for (h, a), sums in sorted(day.cells.items()) if a != NOBODY]
    return report


def _shown(day: Day, key: int, sums: Sums) -> w.Figures:
    """The figures of one of a day's sums (an hour's, or TOTAL), made once per day object."""
    shown = day.shown.get(key)
    if shown is None:
        shown = day.shown[key] = figures(sums)
    return shown


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
