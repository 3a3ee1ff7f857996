"""The service figures supervisors watch, as the relay sends them (docs/metrics.md defines each one).

One `Figures` is one scope (the shop, or one agent) over one window (a day, an hour, a date
range). Counts are exact integers; rates and times are derived from them (None when there is
nothing to divide by). Every field has a default, and frames omit defaults: a missing field is 0
(or None).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from wire.base import Millis, Role

REPLY_BAR_S = 180
"""A round is answered on time when its first human reply comes at most this long after its first buyer message."""
REPLY_RATE_BAR = 0.80
"""PDD's published service bar for the 3-minute reply rate; the wallboard draws it and alerts below it."""
WARNING_S = 100
"""A waiting buyer's chat is "near the bar" from this long (the SLA warning)."""


class Figures(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The figures of one scope over one window (docs/metrics.md, one section per group)."""

    # reply rounds started in counted hours (08:00-23:00 shop time)
    rounds: int = 0
    """Decided rounds: answered, closed without an answer, or 180 s old without one."""
    rounds_on_time: int = 0
    """Decided rounds whose first human reply came within 180 s (exactly 180 s is on time)."""
    reply_rate_3min: float | None = None
    """rounds_on_time / rounds: the 3-minute manual reply rate (Taobao/Douyin style)."""
    rounds_pending: int = 0
    """Rounds still open and younger than 180 s: not decided yet, in no rate."""
    rounds_outside_hours: int = 0
    """Rounds started before 08:00 or from 23:00 shop time: in no rate and no reply time."""
    rounds_answered: int = 0
    """Counted rounds with a human reply, however late."""
    avg_reply_s: float | None = None
    """Mean of (first human reply - first buyer message) over rounds_answered."""
    buyer_days: int = 0
    """(buyer, shop day) pairs with at least one decided counted round (PDD style)."""
    buyer_days_ok: int = 0
    """buyer_days whose every decided counted round was answered on time."""
    pdd_reply_rate: float | None = None
    """buyer_days_ok / buyer_days: the PDD-style effective reply rate."""

    # chats (a session: from the buyer's first message into a new or closed conversation to its close)
    sessions: int = 0
    first_responses: int = 0
    """Sessions started in counted hours whose first round got a human reply."""
    frt_mean_s: float | None = None
    frt_p50_s: float | None = None
    frt_p90_s: float | None = None
    """First response time over first_responses: mean, and nearest-rank 50th and 90th percentiles."""
    resolved: int = 0
    resolution_mean_s: float | None = None
    """Mean of (resolved - opened) over resolved sessions."""
    abandoned: int = 0
    """Sessions closed by the relay (the buyer left, or silence) before any human reply."""
    reopened: int = 0
    """Sessions opened within 24 h of the same conversation's previous session being resolved."""
    transfers: int = 0
    """Chats moved by a transfer, a reassignment or a hand-back to the queue."""
    takeovers: int = 0

    # video calls (by the time of the invitation)
    calls_invited: int = 0
    calls_delivered: int = 0
    calls_accepted: int = 0
    calls_declined: int = 0
    calls_expired: int = 0
    calls_cancelled: int = 0
    calls_connected: int = 0
    connect_rate_invited: float | None = None
    """calls_connected / calls_invited."""
    connect_rate_accepted: float | None = None
    """calls_connected / calls_accepted."""
    connect_median_s: float | None = None
    """Nearest-rank median of (connected - accepted) over connected calls."""
    call_duration_mean_s: float | None = None
    call_duration_median_s: float | None = None
    """Over connected calls that ended."""
    complaints: int = 0
    complaints_per_100: float | None = None
    """complaints / calls_accepted x 100 (only an accepted call can be complained about)."""

    # satisfaction (by the session's opening time)
    ratings: int = 0
    ratings_positive: int = 0
    """Ratings of 4 or 5 stars."""
    csat: float | None = None
    """ratings_positive / ratings."""
    rating_mean: float | None = None


class AgentFigures(msgspec.Struct, kw_only=True):
    """One agent (or a supervisor who held chats) in the window, with their live state."""

    agent_id: str
    name: str
    role: Role
    status: Literal["online", "busy", "away", "offline"] = "offline"
    connected: bool = False
    active: int = 0
    cap: int = 0
    figures: Figures = msgspec.field(default_factory=Figures)


class Bucket(msgspec.Struct, kw_only=True):
    """One hour or one day of the window (shop time), for the shop or for one agent (`agent_id`)."""

    start: Millis
    label: str
    """"2026-12-06 08:00" for an hour, "2026-12-06" for a day, in the shop's time zone."""
    figures: Figures
    agent_id: str | None = None


class FiguresReport(msgspec.Struct, kw_only=True):
    """GET /api/supervisor/figures: a shop's figures over a date range, in total and broken down."""

    shop: str
    timezone: str
    start: str
    """First day of the window (YYYY-MM-DD, shop time)."""
    end: str
    """Last day of the window, inclusive."""
    generated_at: Millis
    total: Figures
    agents: list[AgentFigures] = []
    hours: list[Bucket] = []
    days: list[Bucket] = []


class DueChat(msgspec.Struct, kw_only=True):
    """An open chat whose buyer waits for a reply for WARNING_S or more."""

    conversation_id: int
    buyer_name: str
    since: Millis
    agent_id: str | None = None
    agent_name: str | None = None


class QueueFigures(msgspec.Struct, kw_only=True):
    """The shop right now."""

    queued: int = 0
    longest_wait_s: float | None = None
    """How long the oldest queued chat has waited for an agent."""
    near_due: int = 0
    """Open chats whose buyer has waited between 100 s and 180 s for a reply."""
    overdue: int = 0
    """Open chats whose buyer has waited 180 s or more."""
    due: list[DueChat] = []
    """The chats counted in near_due and overdue, longest waiting first (at most 50)."""
    agents_online: int = 0
    active_chats: int = 0


class DrillRow(msgspec.Struct, kw_only=True):
    """One fact behind a figure: the conversation to open, and what happened in it."""

    conversation_id: int
    buyer_name: str
    at: Millis
    kind: str
    """What the row is: "on_time", "late", "unanswered", "abandoned", a call's state, "rating"..."""
    agent_id: str | None = None
    agent_name: str | None = None
    seconds: float | None = None
    """The wait, the first response time, the call's duration... whatever the figure measures."""
    call_id: str | None = None
    stars: int | None = None


class DrillRows(msgspec.Struct, kw_only=True):
    """GET /api/supervisor/drill: the facts behind one figure, newest first (at most `limit`)."""

    figure: str
    rows: list[DrillRow]
    more: bool = False


class ComplaintInfo(msgspec.Struct, kw_only=True):
    """A buyer's complaint about a call, with its handling."""

    call_id: str
    conversation_id: int
    buyer_id: str
    buyer_name: str
    agent_id: str
    agent_name: str
    reason: str
    text: str
    at: Millis
    invited_at: Millis
    duration_s: int | None = None
    handled_at: Millis | None = None
    handled_by: str | None = None
    handled_note: str = ""


class ComplaintList(msgspec.Struct, kw_only=True):
    """GET /api/supervisor/complaints."""

    complaints: list[ComplaintInfo]


DRILL_FIGURES = (
    "rounds", "rounds_late", "first_responses", "resolved", "abandoned", "reopened", "transfers",
    "calls", "calls_connected", "calls_declined", "calls_expired", "complaints", "ratings", "ratings_negative",
)
"""The figures GET /api/supervisor/drill can open."""
