"""The rows of the facts behind the supervisors' figures (reply rounds, chat sessions, their
grouped sums), of staff notes and of the settings' audit (docs/metrics.md). Re-exported by
`relay.store.interface`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RoundRow:
    """A reply round (docs/metrics.md): from the buyer's first unanswered message to the shop's first
    human reply. The derived fields (`hour`, `day`, `in_hours`, `decided_at`, `on_time`, `reply_ms`)
    are computed by `relay.metrics.rules` whenever the round changes, so figures only sum them."""

    conversation_id: int
    buyer_seq: int
    shop_id: int
    buyer_id: str
    buyer_at: int
    hour: int
    """Start of the shop-time hour of `buyer_at` (unix ms)."""
    day: int
    """Start of the shop-time day of `buyer_at` (unix ms)."""
    in_hours: bool
    """`buyer_at` falls in the counted hours (08:00-23:00 shop time)."""
    session_id: int | None = None
    reply_at: int | None = None
    agent_id: int | None = None
    """Who sent the first human reply (an agent, or a supervisor)."""
    decided_at: int | None = None
    """When the round's outcome was settled: the reply (within 180 s), the 180 s mark, or the close."""
    holder_id: int | None = None
    """Who held the chat when the round was decided (the replier for a reply on time); None: queued."""
    on_time: bool = False
    reply_ms: int | None = None
    ended_at: int | None = None
    """The chat closed while this round waited for its reply."""


ROUND_FIELDS = frozenset({"reply_at", "agent_id", "decided_at", "holder_id", "on_time", "reply_ms", "ended_at"})
"""The fields `update_round` may change."""


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One chat: from the buyer's message into a new or closed conversation until it is closed again."""

    id: int
    conversation_id: int
    shop_id: int
    buyer_id: str
    opened_at: int
    hour: int
    in_hours: bool
    reopened: bool = False
    """Opened within 24 h of the same conversation's previous session being resolved."""
    first_reply_at: int | None = None
    first_reply_by: int | None = None
    frt_ms: int | None = None
    closed_at: int | None = None
    close_reason: str | None = None
    """"resolved", "auto_closed" (silence), "abandoned" (the buyer left while queued)."""
    closed_by: int | None = None
    agent_id: int | None = None
    """Who held the chat when it closed."""
    resolution_ms: int | None = None
    abandoned: bool = False
    """Closed by the relay before any human reply."""
    rating: int | None = None
    """1-5 stars; 0: the buyer skipped the rating; None: not asked yet or not answered."""
    rating_comment: str = ""
    rated_at: int | None = None


SESSION_FIELDS = frozenset({
    "first_reply_at", "first_reply_by", "frt_ms", "closed_at", "close_reason", "closed_by", "agent_id",
    "resolution_ms", "abandoned", "rating", "rating_comment", "rated_at",
})
"""The fields `update_session` may change."""


@dataclass(frozen=True, slots=True)
class NoteRow:
    """A staff-only line on a conversation: an internal note or a supervisor's whisper."""

    id: int
    conversation_id: int
    shop_id: int
    kind: str
    author_id: int
    author_name: str
    author_role: str
    text: str
    ts: int
    after_seq: int
    client_msg_id: str
    to_agent_id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One change of a shop setting."""

    shop_id: int
    at: int
    actor_id: int
    actor_name: str
    setting: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class MetricGroups:
    """A shop's facts over a time range, grouped by (shop-time hour, account) as the figures need them.

    Each list holds plain tuples; `relay.metrics.cells` reads them. Account 0 stands for "nobody"
    (a round decided while queued, a session still open...).
    """

    rounds: list[tuple[int, int, int, int, int, int]]
    """(hour, holder, decided in hours, on time, pending in hours, outside hours)."""
    answered: list[tuple[int, int, int, int]]
    """(hour, replier, answered rounds in hours, sum of reply_ms)."""
    buyer_days: list[tuple[int, int, str, int, int, int]]
    """(hour, holder, buyer, day, decided rounds in hours, of which not on time)."""
    sessions: list[tuple[int, int, int, int, int, int, int, int, int, int]]
    """(hour, agent, sessions, resolved, sum of resolution_ms, abandoned, reopened, ratings, positive, stars)."""
    first_responses: list[tuple[int, int, int]]
    """(hour, first replier, frt_ms) of sessions opened in counted hours."""
    calls: list[tuple[int, int, int, int, int, int, int, int, int, int]]
    """(hour, agent, invited, delivered, accepted, declined, expired, cancelled, connected, complaints)."""
    call_times: list[tuple[int, int, int | None, int | None]]
    """(hour, agent, connect_ms, duration_s) of connected calls (duration None while running)."""
    transfers: list[tuple[int, int, int, int]]
    """(hour, from agent, transfers, takeovers)."""
