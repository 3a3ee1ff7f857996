"""The desk's timers on each chat: the SLA warning at 100 s and overdue at 180 s, the 30-minute
auto-close, and closing a queued chat whose buyer left (`ABANDON_S`). A mixin of `Desk`."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Literal

from wire import figures as w
from wire import frames as f
from wire.codec import encode

if TYPE_CHECKING:
    from relay.clock import Clock
    from relay.desk_facts import Facts
    from relay.desk_state import ConvState
    from relay.hub_desk import Delivery
    from relay.metrics.book import MetricsBook
    from relay.sessions import Connection

SLA_WARNING_S = float(w.WARNING_S)
SLA_OVERDUE_S = float(w.REPLY_BAR_S)
AUTO_CLOSE_S = 30 * 60.0
ABANDON_S = 10 * 60.0
"""A queued chat whose buyer has had no connection this long is closed as abandoned."""


class DeskTimers:
    """Mixin of `Desk` (which provides the attributes declared here)."""

    if TYPE_CHECKING:
        _convs: dict[int, ConvState]
        _by_buyer: dict[str, set[int]]
        _clock: Clock
        book: MetricsBook
        facts: Facts

        @property
        def hub(self) -> Delivery: ...
        def spawn(self, coro: Coroutine[Any, Any, Any]) -> None: ...
        async def close_conversation(self, conversation_id: int, event: str, by: str | None = None) -> None: ...

    # SLA and auto-close -------------------------------------------------------------------------

    def _arm_sla(self, state: ConvState) -> None:
        state.cancel("sla_warning", "sla_overdue")
        if state.unanswered_since is None:
            return
        waited = max(0.0, (self._clock.now_ms() - state.unanswered_since) / 1000)
        since = state.unanswered_since
        if waited < SLA_WARNING_S:
            state.timers["sla_warning"] = self._clock.call_later(
                SLA_WARNING_S - waited, lambda: self._send_sla(state, "warning", since))
        if waited < SLA_OVERDUE_S:
            state.timers["sla_overdue"] = self._clock.call_later(
                SLA_OVERDUE_S - waited, lambda: self._overdue(state, since))
        # Armed late (after a restart, or a slow start): say at once which bar is already passed.
        if waited >= SLA_OVERDUE_S:
            self._overdue(state, since)
        elif waited >= SLA_WARNING_S:
            self._send_sla(state, "warning", since)

    def _overdue(self, state: ConvState, since: int) -> None:
        self._send_sla(state, "overdue", since)
        self.spawn(self.facts.due(state))  # the round is missed; it belongs to the chat's holder now

    def _tell_sla_so_far(self, state: ConvState) -> None:
        """A chat handed to an agent after its buyer already waited 100 s: the agent hears it now."""
        since = state.unanswered_since
        if since is None or state.agent_id is None:
            return
        waited = (self._clock.now_ms() - since) / 1000
        if waited >= SLA_WARNING_S:
            level: Literal["warning", "overdue"] = "overdue" if waited >= SLA_OVERDUE_S else "warning"
            self.hub.send_to_account(str(state.agent_id), encode(f.Sla(
                conversation_id=state.id, level=level, since=since, agent_id=str(state.agent_id))))

    def _send_sla(self, state: ConvState, level: str, since: int) -> None:
        if level != "cleared":
            state.timers.pop(f"sla_{level}", None)
        agent = state.agent_id
        data = encode(f.Sla(conversation_id=state.id, level=level, since=since,  # type: ignore[arg-type]
                            agent_id=str(agent) if agent is not None else None))
        if agent is not None:
            self.hub.send_to_account(str(agent), data)
        self.hub.send_to_supervisors(state.shop_id, data, skip_accounts={str(agent)} if agent else set())
        self.book.live_changed(state.shop_id)

    def _arm_auto_close(self, state: ConvState, last_activity_ms: int | None = None) -> None:
        """Close the chat AUTO_CLOSE_S after its last activity. One timer per chat: when it fires
        early (activity since), it re-arms itself for the remaining time instead of closing."""
        state.last_activity = max(state.last_activity, last_activity_ms or self._clock.now_ms())
        if "auto_close" not in state.timers:
            self._schedule_auto_close(state)

    def _schedule_auto_close(self, state: ConvState) -> None:
        remaining = AUTO_CLOSE_S - (self._clock.now_ms() - state.last_activity) / 1000
        if remaining > 0:
            state.timers["auto_close"] = self._clock.call_later(remaining, lambda: self._auto_close_due(state))
        else:
            state.timers.pop("auto_close", None)
            self.spawn(self.close_conversation(state.id, "auto_closed"))

    def _auto_close_due(self, state: ConvState) -> None:
        state.timers.pop("auto_close", None)
        self._schedule_auto_close(state)

    # a queued chat whose buyer left ------------------------------------------------------------

    def _arm_abandon(self, state: ConvState) -> None:
        """A queued chat whose buyer has no connection is closed after ABANDON_S (unless they come back)."""
        if state.status != "queued" or "abandon" in state.timers or self.hub.online("buyer", state.buyer_id):
            return
        state.timers["abandon"] = self._clock.call_later(ABANDON_S, lambda: self._abandon_due(state))

    def _abandon_due(self, state: ConvState) -> None:
        state.timers.pop("abandon", None)
        if state.status == "queued" and not self.hub.online("buyer", state.buyer_id):
            self.spawn(self.close_conversation(state.id, "abandoned"))

    def _on_gone(self, conn: Connection) -> None:
        p = conn.principal
        if p.is_buyer and not self.hub.online("buyer", p.user_id):
            for conversation_id in self._by_buyer.get(p.user_id, ()):
                self._arm_abandon(self._convs[conversation_id])

    def _on_synced(self, conn: Connection) -> None:
        p = conn.principal
        if p.is_buyer:
            for conversation_id in self._by_buyer.get(p.user_id, ()):
                self._convs[conversation_id].cancel("abandon")
