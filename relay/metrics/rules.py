"""The definitions of docs/metrics.md as code: how a reply round and a chat session move and what
their derived fields are. Pure functions of rows and times; no I/O, no clock of their own.

Each function returns the field changes to store (and to apply to the row in memory); whoever
holds the row (the desk) stores them and tells the live figures. The derived fields are computed
here and only here; figures, live or over any date range, only sum them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from relay.store.interface import RoundRow, SessionRow
from wire.figures import REPLY_BAR_S

REPLY_BAR_MS = REPLY_BAR_S * 1000
COUNTED_FROM_HOUR = 8
COUNTED_UNTIL_HOUR = 23
"""Rounds and first responses count when the buyer wrote in [08:00, 23:00) shop time."""
REOPEN_WINDOW_MS = 24 * 3600 * 1000
"""A chat opened this soon after the conversation's last one was resolved is a reopening."""
ABANDON_REASONS = frozenset({"abandoned", "auto_closed"})
"""Closes by the relay: a session so closed before any human reply was abandoned by its buyer."""


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(ts_ms: int, tz: str) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, zone(tz))


def hour_start(ts_ms: int, tz: str) -> int:
    """Unix ms of the start of the shop-time hour holding `ts_ms`."""
    t = local_time(ts_ms, tz).replace(minute=0, second=0, microsecond=0)
    return int(t.timestamp() * 1000)


def day_start(ts_ms: int, tz: str) -> int:
    """Unix ms of the shop-time midnight starting the day of `ts_ms`."""
    t = local_time(ts_ms, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(t.timestamp() * 1000)


def in_counted_hours(ts_ms: int, tz: str) -> bool:
    return COUNTED_FROM_HOUR <= local_time(ts_ms, tz).hour < COUNTED_UNTIL_HOUR


def window(first: date, last: date, tz: str) -> tuple[int, int]:
    """[since, until) in unix ms for the shop-time days `first` to `last`, inclusive."""
    since = datetime(first.year, first.month, first.day, tzinfo=zone(tz))
    after = last + timedelta(days=1)
    until = datetime(after.year, after.month, after.day, tzinfo=zone(tz))
    return int(since.timestamp() * 1000), int(until.timestamp() * 1000)


def local_date(ts_ms: int, tz: str) -> date:
    return local_time(ts_ms, tz).date()


def hour_label(hour_ms: int, tz: str) -> str:
    return local_time(hour_ms, tz).strftime("%Y-%m-%d %H:00")


# reply rounds ---------------------------------------------------------------------------------


def new_round(conversation_id: int, shop_id: int, buyer_id: str, buyer_seq: int, buyer_at: int,
              session_id: int | None, tz: str) -> RoundRow:
    """A round starts with a buyer message while none of theirs waits for a reply."""
    return RoundRow(conversation_id=conversation_id, buyer_seq=buyer_seq, shop_id=shop_id, buyer_id=buyer_id,
                    buyer_at=buyer_at, hour=hour_start(buyer_at, tz), day=day_start(buyer_at, tz),
                    in_hours=in_counted_hours(buyer_at, tz), session_id=session_id)


def round_replied(row: RoundRow, reply_at: int, replier: int) -> dict[str, Any]:
    """The first human reply of the shop (an agent's or a supervisor's text or card, a call invitation)
    ends the round. Within 180 s (exactly 180 s included) it is on time and the replier owns the
    round; later, the round was already decided at its 180 s mark and keeps its holder then."""
    waited = reply_at - row.buyer_at
    changes: dict[str, Any] = {"reply_at": reply_at, "agent_id": replier, "reply_ms": waited}
    if waited <= REPLY_BAR_MS:
        changes.update(on_time=True, decided_at=reply_at, holder_id=replier)
    elif row.decided_at is None:  # the 180 s mark passed unseen (the relay was down): decided now
        changes.update(decided_at=row.buyer_at + REPLY_BAR_MS, holder_id=replier)
    return changes


def round_due(row: RoundRow, holder: int | None) -> dict[str, Any]:
    """The 180 s mark passed without a reply: the round is missed, and belongs to whoever holds the chat."""
    if row.decided_at is not None or row.reply_at is not None:
        return {}
    return {"decided_at": row.buyer_at + REPLY_BAR_MS, "holder_id": holder}


def round_ended(row: RoundRow, at: int, holder: int | None) -> dict[str, Any]:
    """The chat closed while the round waited for its reply: missed, decided now if not already."""
    if row.reply_at is not None:
        return {}
    changes: dict[str, Any] = {"ended_at": at}
    if row.decided_at is None:
        changes.update(decided_at=min(at, row.buyer_at + REPLY_BAR_MS), holder_id=holder)
    return changes


def round_pending(row: RoundRow) -> bool:
    return row.decided_at is None


# chat sessions --------------------------------------------------------------------------------


def new_session(conversation_id: int, shop_id: int, buyer_id: str, opened_at: int, tz: str,
                previous: SessionRow | None) -> SessionRow:
    """A session opens with the buyer's message into a new or closed conversation."""
    reopened = (previous is not None and previous.close_reason == "resolved" and previous.closed_at is not None
                and opened_at - previous.closed_at < REOPEN_WINDOW_MS)
    return SessionRow(id=0, conversation_id=conversation_id, shop_id=shop_id, buyer_id=buyer_id, opened_at=opened_at,
                      hour=hour_start(opened_at, tz), in_hours=in_counted_hours(opened_at, tz), reopened=reopened)


def session_replied(row: SessionRow, at: int, replier: int) -> dict[str, Any]:
    """The session's first human reply: its first response time."""
    if row.first_reply_at is not None:
        return {}
    return {"first_reply_at": at, "first_reply_by": replier, "frt_ms": at - row.opened_at}


def session_closed(row: SessionRow, at: int, reason: str, by: int | None, holder: int | None) -> dict[str, Any]:
    """Resolved (by staff), auto-closed after silence, or abandoned (the buyer left while queued)."""
    if row.closed_at is not None:
        return {}
    return {
        "closed_at": at, "close_reason": reason, "closed_by": by, "agent_id": holder,
        "resolution_ms": at - row.opened_at if reason == "resolved" else None,
        "abandoned": reason in ABANDON_REASONS and row.first_reply_at is None,
    }


def session_rated(stars: int | None, comment: str, at: int) -> dict[str, Any]:
    """The buyer's rating (1-5), or 0 when they skipped it."""
    return {"rating": stars or 0, "rating_comment": comment.strip() if stars else "", "rated_at": at}
