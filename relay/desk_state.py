"""The desk's records: one conversation's routing state (`ConvState`, mirrored in the store) and
everything kept for one shop (`ShopDesk`). Plain data, shared by `relay.desk` and its mixins."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from relay.clock import TimerHandle
from relay.routing import AgentStatus, ShopRouter
from relay.store.interface import RoundRow, SessionRow, ShopRow, ShopSettingsRow

DEFAULT_ASSIGN_INTERVAL_S = 60.0


@dataclass
class ConvState:
    """Routing state of one conversation, mirrored in the store."""

    id: int
    shop_id: int
    buyer_id: str
    buyer_name: str
    status: str = "new"
    agent_id: int | None = None
    last_agent_id: int | None = None
    last_agent_at: int | None = None
    unanswered_since: int | None = None
    unanswered_seq: int | None = None
    session_id: int | None = None
    session: SessionRow | None = None
    """The current session (or the last one, once closed), when the desk has it."""
    round: RoundRow | None = None
    """The reply round waiting for the shop's reply, if any."""
    pending_note: str = ""
    last_activity: int = 0
    persisted_activity: int = 0
    timers: dict[str, TimerHandle] = field(default_factory=dict)

    def cancel(self, *names: str) -> None:
        for name in names or tuple(self.timers):
            timer = self.timers.pop(name, None)
            if timer is not None:
                timer.cancel()


@dataclass
class ShopDesk:
    """Everything the desk keeps for one shop."""

    shop: ShopRow
    settings: ShopSettingsRow
    router: ShopRouter
    names: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    connections: dict[int, int] = field(default_factory=dict)
    last_status: dict[int, AgentStatus] = field(default_factory=dict)
    grace: dict[int, TimerHandle] = field(default_factory=dict)
    assign_interval: float = DEFAULT_ASSIGN_INTERVAL_S
    last_assign_at: float | None = None
    flush: asyncio.TimerHandle | None = None
    sent_status: dict[int, tuple[Any, ...]] = field(default_factory=dict)
