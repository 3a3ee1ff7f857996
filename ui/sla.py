"""The 3-minute reply bar as the workstation shows it: levels and countdowns from the relay's clock."""

from __future__ import annotations

from app.events import ConversationView
from wire.figures import REPLY_BAR_S as SLA_OVERDUE_S
from wire.figures import WARNING_S as SLA_WARNING_S

RANK = {"overdue": 0, "warning": 1, "waiting": 2, "none": 3}


def sla_level(view: ConversationView, now_ms: int) -> str:
    """The more urgent of the relay's last SLA event and our own reading of the clock."""
    since = view.info.unanswered_since
    local = "none"
    if since is not None:
        waited = (now_ms - since) / 1000
        local = "overdue" if waited >= SLA_OVERDUE_S else "warning" if waited >= SLA_WARNING_S else "waiting"
    relay = view.sla if since is not None else "none"
    return min(local, relay, key=lambda level: RANK[level])


def countdown(view: ConversationView, now_ms: int) -> str:
    """Time left to the 3-minute bar ("1:25"), or how far past it ("+0:40"); empty when answered."""
    since = view.info.unanswered_since
    if since is None:
        return ""
    left = SLA_OVERDUE_S - max(0, (now_ms - since) // 1000)
    sign = "" if left >= 0 else "+"
    left = abs(left)
    return f"{sign}{left // 60}:{left % 60:02d}"
