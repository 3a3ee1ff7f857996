"""The sums of whole shop-time days, kept in the store once a day is over.

A report over a date range is the sum of its days. A day that is over is summed once from its
facts (`metric_groups` for that day, its cells, then in total, by account and by hour) and the
sums are kept in the store's `figure_days`; the next report reads them instead of the facts. A
fact of a day that changes later (a rating, a complaint, a call that ends after midnight) makes
the store forget that day's sums in the same transaction (a trigger on the fact tables), and the
next report sums it again. Today, and days still to come, are always summed from their facts.

Sums are kept per (shop, time zone, `FORMAT`): a shop that changes its time zone has other days;
a release that changes what `Sums` holds raises `FORMAT`, and the old rows are ignored.

A day's sums are stored only if none of its facts changed while they were made: `claim_figure_days`
records a version before the facts are read, every fact write of that day raises it, and
`put_figure_day` keeps the sums only while the version is the one claimed.

A relay also remembers the last days it decoded (`KeptDays`, bounded), with their version and the
figures already made of their hours: a kept day still at that version is not read again. The
version comes from the store on each report, so a day another relay (or a fact write) changed is
read again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import msgspec

from relay.metrics import rules
from relay.metrics.cells import Key, Sums, from_groups, from_row, merged, settled, to_row
from relay.store import Store
from wire.figures import Figures

FORMAT = 1
"""Raised whenever `Sums` (and so a stored day's rows) changes shape."""

_decode = msgspec.json.Decoder()
_encode = msgspec.json.Encoder()


@dataclass(slots=True)
class Day:
    """One shop-time day summed: in total, by account and by hour; its cells when asked for.

    Every `Sums` here is settled (its buyer-days counted), so days add up but parts of a day do not:
    an agent's day is read from `agents`, never from their cells."""

    total: Sums
    agents: dict[int, Sums]
    hours: dict[int, Sums]
    cells: dict[Key, Sums] | None = None
    shown: dict[int, Figures] = field(default_factory=dict, compare=False)
    """Figures already made of this day (by hour start; TOTAL: the day's): a kept day's never change."""


TOTAL = -1
"""`Day.shown`'s key for the day's own figures."""

KEPT_DAYS = 256
"""Days a relay keeps decoded (a busy shop's day holds ~0.2 MB: 30-day reports of eight shops)."""


class KeptDays:
    """The days this relay decoded last, with their versions in the store (least recently used out)."""

    def __init__(self, limit: int = KEPT_DAYS) -> None:
        self.limit = limit
        self._days: OrderedDict[tuple[int, str, int], tuple[int, Day]] = OrderedDict()

    def versions(self, shop_id: int, tz: str, starts: list[int]) -> dict[int, int]:
        return {since: held[0] for since in starts if (held := self._days.get((shop_id, tz, since))) is not None}

    def get(self, shop_id: int, tz: str, since: int, version: int) -> Day | None:
        key = (shop_id, tz, since)
        held = self._days.get(key)
        if held is None or held[0] != version:
            return None
        self._days.move_to_end(key)
        return held[1]

    def put(self, shop_id: int, tz: str, since: int, version: int, day: Day) -> None:
        key = (shop_id, tz, since)
        self._days[key] = (version, replace(day, cells=None) if day.cells is not None else day)
        self._days.move_to_end(key)
        while len(self._days) > self.limit:
            self._days.popitem(last=False)

    def __len__(self) -> int:
        return len(self._days)


def summarize(cells: dict[Key, Sums], with_cells: bool = False) -> Day:
    """The day whose cells these are (the cells are not changed)."""
    agents: dict[int, list[Sums]] = defaultdict(list)
    hours: dict[int, list[Sums]] = defaultdict(list)
    for (hour, account), sums in cells.items():
        agents[account].append(sums)
        hours[hour].append(sums)
    return Day(
        total=merged(list(cells.values()), settle=True),
        agents={a: s for a, parts in agents.items() if not (s := merged(parts, settle=True)).empty()},
        hours={h: s for h, parts in hours.items() if not (s := merged(parts, settle=True)).empty()},
        cells={k: settled(s) for k, s in cells.items() if not s.empty()} if with_cells else None,
    )


def encode_day(day: Day) -> tuple[bytes, bytes]:
    """(the day's total, agents and hours; its cells) as stored."""
    assert day.cells is not None, "a stored day keeps its cells"
    sums = _encode.encode([to_row(day.total), [[a, to_row(s)] for a, s in day.agents.items()],
                           [[h, to_row(s)] for h, s in day.hours.items()]])
    cells = _encode.encode([[h, a, to_row(s)] for (h, a), s in day.cells.items()])
    return sums, cells


def decode_day(sums: bytes, cells: bytes | None) -> Day:
    total, agents, hours = _decode.decode(sums)
    return Day(total=from_row(total), agents={a: from_row(r) for a, r in agents},
               hours={h: from_row(r) for h, r in hours},
               cells={(h, a): from_row(r) for h, a, r in _decode.decode(cells)} if cells is not None else None)


def split_by_day(cells: dict[Key, Sums], tz: str) -> dict[date, dict[Key, Sums]]:
    """Cells of several days, by the shop-time day of their hour."""
    out: dict[date, dict[Key, Sums]] = defaultdict(dict)
    day_of: dict[int, date] = {}
    for key, sums in cells.items():
        hour = key[0]
        d = day_of.get(hour)
        if d is None:
            d = day_of[hour] = rules.local_date(hour, tz)
        out[d][key] = sums
    return out


async def days_of(store: Store, shop_id: int, tz: str, first: date, last: date, now_ms: int,
                  with_cells: bool = False, live: tuple[int, dict[Key, Sums]] | None = None,
                  kept: KeptDays | None = None) -> list[tuple[date, Day]]:
    """Every day first..last of a shop, summed: kept sums for days that are over (summing and
    keeping the ones missing), today's from `live` (the live book's start of today and cells)
    when it is today's, and otherwise, as later days', from their facts. `kept`: the days this
    relay decoded already (cells are never remembered: with_cells reads them)."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    bounds = {d: rules.window(d, d, tz) for d in days}
    over = [d for d in days if bounds[d][1] <= now_ms]
    starts = [bounds[d][0] for d in over]
    found: dict[date, Day] = {}
    held = kept.versions(shop_id, tz, starts) if kept is not None and not with_cells else {}
    rows = await store.figure_days(shop_id, tz, FORMAT, starts, with_cells, held)
    for i, d in enumerate(over):
        since = bounds[d][0]
        row = rows.get(since)
        if row is None:
            continue
        version, sums, cells = row
        if sums is None:
            day = kept.get(shop_id, tz, since, version) if kept is not None else None
            if day is not None:
                found[d] = day
            continue
        try:
            found[d] = decode_day(sums, cells)
        except (msgspec.DecodeError, ValueError, TypeError):
            continue  # summed again below and stored over
        if kept is not None:
            kept.put(shop_id, tz, since, version, found[d])
        if i % 16 == 15:
            await asyncio.sleep(0)  # long ranges: let the relay's chats through between days
    missing = [d for d in over if d not in found]
    if missing:
        versions = await store.claim_figure_days(shop_id, tz, FORMAT, [bounds[d] for d in missing])
        for d in missing:
            since, until = bounds[d]
            day = summarize(from_groups(await store.metric_groups(shop_id, since, until)), with_cells=True)
            sums, cells = encode_day(day)
            if await store.put_figure_day(shop_id, tz, FORMAT, since, versions[since], sums, cells) \
                    and kept is not None:
                kept.put(shop_id, tz, since, versions[since], day)
            found[d] = day if with_cells else replace(day, cells=None)
            await asyncio.sleep(0)
    still = [d for d in days if bounds[d][1] > now_ms]
    if still and live is not None and live[0] == bounds[still[0]][0]:
        found[still.pop(0)] = summarize(live[1], with_cells)
    if still:
        cells_by_day = split_by_day(
            from_groups(await store.metric_groups(shop_id, bounds[still[0]][0], bounds[still[-1]][1])), tz)
        for d in still:
            found[d] = summarize(cells_by_day.get(d, {}), with_cells)
    return [(d, found[d]) for d in days]

