"""Sums of the facts by (shop-time hour, account), and the figures made from them.

Every fact lands in exactly one cell per thing it counts: a round in its holder's cell, its reply
time in its replier's, a session in the cell of the agent who held it at its close, its first
response in its first replier's, a call in its agent's, a transfer in the cell of the agent it
left. Account 0 is nobody. The shop's figures are the sum of all cells; an agent's, the sum of
theirs; an hour's or a day's, the sum of its cells. The live figures keep today's cells and move
a fact out of its old cells and into its new ones when it changes (`apply_*` with sign -1, then
+1); the figures of any date range are the same cells filled from the store's grouped sums
(`from_groups`), so both give the same numbers for the same facts.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain

from relay.store.interface import CallRow, MetricGroups, RoundRow, SessionRow
from wire.figures import Figures

NOBODY = 0
Key = tuple[int, int]
"""(hour start in unix ms, account id)."""


@dataclass(slots=True)
class Sums:
    """What one cell (or a merge of cells) counts; `Figures` are derived from it by `figures`."""

    rounds: int = 0
    on_time: int = 0
    pending: int = 0
    outside: int = 0
    answered: int = 0
    reply_ms: int = 0
    buyer_days: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    """(buyer, day start) -> [decided rounds in hours, of which not on time]."""
    days_settled: int = 0
    """Buyer-days counted already (by `settled`: the sums of a whole day, kept as numbers)."""
    days_settled_ok: int = 0
    """Of which with every round on time."""
    sessions: int = 0
    resolved: int = 0
    resolution_ms: int = 0
    abandoned: int = 0
    reopened: int = 0
    ratings: int = 0
    positive: int = 0
    stars: int = 0
    frt_ms: list[int] = field(default_factory=list)
    transfers: int = 0
    takeovers: int = 0
    invited: int = 0
    delivered: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    cancelled: int = 0
    connected: int = 0
    complaints: int = 0
    connect_ms: list[int] = field(default_factory=list)
    durations_s: list[int] = field(default_factory=list)

    def empty(self) -> bool:
        return not (any(getattr(self, n) for n in _COUNTERS) or self.buyer_days or self.frt_ms or self.connect_ms
                    or self.durations_s)


_COUNTERS = tuple(n for n in Sums.__dataclass_fields__ if n not in
                  ("buyer_days", "frt_ms", "connect_ms", "durations_s"))
_counters = operator.attrgetter(*_COUNTERS)


def settled(s: Sums) -> Sums:
    """A copy of `s` with its buyer-days counted (`days_settled`, `days_settled_ok`) instead of listed.

    Only for the sums of one whole day or of part of one day: buyer-days of different days are
    different, so settled sums of different days add up; two parts of the same day would not.
    """
    return merged([s], settle=True)


def to_row(s: Sums) -> list[object]:
    """Settled sums as plain JSON values (the counters, then the three lists); `from_row` reads them."""
    assert not s.buyer_days, "settle the sums first"
    return [*_counters(s), sorted(s.frt_ms), sorted(s.connect_ms), sorted(s.durations_s)]  # sorted: cheap to sort again


def from_row(row: list[object]) -> Sums:
    *counts, frt, connect, durations = row
    if len(counts) != len(_COUNTERS):
        raise ValueError("a row of another format")
    s = Sums(**dict(zip(_COUNTERS, counts, strict=True)))  # type: ignore[arg-type]
    s.frt_ms, s.connect_ms, s.durations_s = frt, connect, durations  # type: ignore[assignment]
    return s

Cell = Callable[[int, int], Sums]
"""Gets (creating if needed) the cell of (hour, account)."""


def _move(values: list[int], value: int, sign: int) -> None:
    if sign > 0:
        values.append(value)
    else:
        values.remove(value)


# one fact in and out of its cells ---------------------------------------------------------


def apply_round(cell: Cell, r: RoundRow, sign: int) -> None:
    c = cell(r.hour, r.holder_id or NOBODY)
    if not r.in_hours:
        c.outside += sign
    elif r.decided_at is None:
        c.pending += sign
    else:
        c.rounds += sign
        c.on_time += sign * r.on_time
        day = c.buyer_days.setdefault((r.buyer_id, r.day), [0, 0])
        day[0] += sign
        day[1] += sign * (not r.on_time)
        if day[0] == 0:
            del c.buyer_days[(r.buyer_id, r.day)]
    if r.in_hours and r.reply_at is not None and r.reply_ms is not None:
        a = cell(r.hour, r.agent_id or NOBODY)
        a.answered += sign
        a.reply_ms += sign * r.reply_ms


def apply_session(cell: Cell, s: SessionRow, sign: int) -> None:
    c = cell(s.hour, s.agent_id or NOBODY)
    c.sessions += sign
    if s.close_reason == "resolved":
        c.resolved += sign
        c.resolution_ms += sign * (s.resolution_ms or 0)
    c.abandoned += sign * s.abandoned
    c.reopened += sign * s.reopened
    if s.rating is not None and 1 <= s.rating <= 5:
        c.ratings += sign
        c.positive += sign * (s.rating >= 4)
        c.stars += sign * s.rating
    if s.in_hours and s.frt_ms is not None:
        _move(cell(s.hour, s.first_reply_by or NOBODY).frt_ms, s.frt_ms, sign)


def apply_call(cell: Cell, row: CallRow, sign: int) -> None:
    c = cell(row.hour, row.agent_id)
    c.invited += sign
    c.delivered += sign * (row.delivered_at is not None)
    c.accepted += sign * (row.answered_at is not None and row.state != "declined")
    c.declined += sign * (row.state == "declined")
    c.expired += sign * (row.state == "expired")
    c.cancelled += sign * (row.state == "cancelled")
    c.complaints += sign * (row.complaint is not None)
    if row.connected_at is not None:
        c.connected += sign
        if row.answered_at is not None:
            _move(c.connect_ms, row.connected_at - row.answered_at, sign)
        if row.state == "ended" and row.duration_s is not None:
            _move(c.durations_s, row.duration_s, sign)


TRANSFER_KINDS = frozenset({"transfer", "reassign", "to_queue"})
"""Conversation events counted as transfers (docs/metrics.md); `takeover` is counted apart."""


def apply_transfer(cell: Cell, hour: int, from_agent: int | None, kind: str) -> None:
    c = cell(hour, from_agent or NOBODY)
    if kind in TRANSFER_KINDS:
        c.transfers += 1
    elif kind == "takeover":
        c.takeovers += 1


def from_groups(groups: MetricGroups) -> dict[Key, Sums]:
    """The cells of a date range, from the store's grouped sums (the same cells `apply_*` keeps)."""
    cells: dict[Key, Sums] = {}

    def cell(hour: int, account: int) -> Sums:
        found = cells.get((hour, account))
        if found is None:
            found = cells[(hour, account)] = Sums()
        return found

    for hour, holder, decided, on_time, pending, outside in groups.rounds:
        c = cell(hour, holder)
        c.rounds += decided or 0
        c.on_time += on_time or 0
        c.pending += pending or 0
        c.outside += outside or 0
    for hour, replier, answered, reply_ms in groups.answered:
        c = cell(hour, replier)
        c.answered += answered
        c.reply_ms += reply_ms or 0
    for hour, holder, buyer, day, n, missed in groups.buyer_days:
        days = cell(hour, holder).buyer_days
        entry = days.setdefault((buyer, day), [0, 0])
        entry[0] += n
        entry[1] += missed or 0
    for hour, agent, sessions, resolved, resolution_ms, abandoned, reopened, ratings, positive, stars \
            in groups.sessions:
        c = cell(hour, agent)
        c.sessions += sessions
        c.resolved += resolved or 0
        c.resolution_ms += resolution_ms or 0
        c.abandoned += abandoned or 0
        c.reopened += reopened or 0
        c.ratings += ratings or 0
        c.positive += positive or 0
        c.stars += stars or 0
    for hour, replier, frt in groups.first_responses:
        cell(hour, replier).frt_ms.append(frt)
    for hour, agent, invited, delivered, accepted, declined, expired, cancelled, connected, complaints \
            in groups.calls:
        c = cell(hour, agent)
        c.invited += invited
        c.delivered += delivered or 0
        c.accepted += accepted or 0
        c.declined += declined or 0
        c.expired += expired or 0
        c.cancelled += cancelled or 0
        c.connected += connected or 0
        c.complaints += complaints or 0
    for hour, agent, connect_ms, duration in groups.call_times:
        c = cell(hour, agent)
        if connect_ms is not None:
            c.connect_ms.append(connect_ms)
        if duration is not None:
            c.durations_s.append(duration)
    for hour, agent, transfers, takeovers in groups.transfers:
        c = cell(hour, agent)
        c.transfers += transfers or 0
        c.takeovers += takeovers or 0
    return cells


def merged(cells: Iterable[Sums], settle: bool = False) -> Sums:
    """The sum of many cells at once (a new `Sums`; the cells are not changed): column by column,
    much cheaper than adding them one by one. `settle`: with its buyer-days counted (see `settled`)."""
    many = cells if isinstance(cells, list) else list(cells)
    if not many:
        return Sums()
    columns = zip(*map(_counters, many), strict=True)
    total = Sums(**dict(zip(_COUNTERS, map(sum, columns), strict=True)))  # type: ignore[arg-type]
    total.frt_ms = list(chain.from_iterable(c.frt_ms for c in many))
    total.connect_ms = list(chain.from_iterable(c.connect_ms for c in many))
    total.durations_s = list(chain.from_iterable(c.durations_s for c in many))
    with_days = [c.buyer_days for c in many if c.buyer_days]
    if settle:
        if len(with_days) == 1:
            missed = [m for _, m in with_days[0].values()]
        else:
            by_day: dict[tuple[str, int], int] = {}
            for part in with_days:
                for key, (_, m) in part.items():
                    by_day[key] = by_day.get(key, 0) + m
            missed = list(by_day.values())
        total.days_settled += len(missed)
        total.days_settled_ok += missed.count(0)
    elif len(with_days) == 1:
        total.buyer_days = {key: list(v) for key, v in with_days[0].items()}
    elif with_days:
        days = total.buyer_days
        for part in with_days:
            for key, (n, m) in part.items():
                mine = days.get(key)
                if mine is None:
                    days[key] = [n, m]
                else:
                    mine[0] += n
                    mine[1] += m
    return total


# figures ----------------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 1000, 3)


def _mean(total: float, n: int) -> float | None:
    return total / n if n else None


def nearest_rank(ordered: list[int], q: float) -> int | None:
    """The q-quantile of sorted values by the nearest-rank method: the ceil(q * n)-th smallest."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def figures(s: Sums) -> Figures:
    """The figures of docs/metrics.md from one cell or a merge of cells."""
    frt = sorted(s.frt_ms)
    connect = sorted(s.connect_ms)
    durations = sorted(s.durations_s)
    days = len(s.buyer_days) + s.days_settled
    days_ok = sum(1 for _, missed in s.buyer_days.values() if missed == 0) + s.days_settled_ok
    return Figures(
        rounds=s.rounds, rounds_on_time=s.on_time, reply_rate_3min=_ratio(s.on_time, s.rounds),
        rounds_pending=s.pending, rounds_outside_hours=s.outside, rounds_answered=s.answered,
        avg_reply_s=_seconds(_mean(s.reply_ms, s.answered)),
        buyer_days=days, buyer_days_ok=days_ok, pdd_reply_rate=_ratio(days_ok, days),
        sessions=s.sessions, first_responses=len(frt), frt_mean_s=_seconds(_mean(sum(frt), len(frt))),
        frt_p50_s=_seconds(nearest_rank(frt, 0.5)), frt_p90_s=_seconds(nearest_rank(frt, 0.9)),
        resolved=s.resolved, resolution_mean_s=_seconds(_mean(s.resolution_ms, s.resolved)),
        abandoned=s.abandoned, reopened=s.reopened, transfers=s.transfers, takeovers=s.takeovers,
        calls_invited=s.invited, calls_delivered=s.delivered, calls_accepted=s.accepted, calls_declined=s.declined,
        calls_expired=s.expired, calls_cancelled=s.cancelled, calls_connected=s.connected,
        connect_rate_invited=_ratio(s.connected, s.invited), connect_rate_accepted=_ratio(s.connected, s.accepted),
        connect_median_s=_seconds(nearest_rank(connect, 0.5)),
        call_duration_mean_s=(round(sum(durations) / len(durations), 3) if durations else None),
        call_duration_median_s=(float(m) if (m := nearest_rank(durations, 0.5)) is not None else None),
        complaints=s.complaints,
        complaints_per_100=(s.complaints * 100 / s.accepted if s.accepted else None),
        ratings=s.ratings, ratings_positive=s.positive, csat=_ratio(s.positive, s.ratings),
        rating_mean=(round(s.stars / s.ratings, 3) if s.ratings else None),
    )
