"""Calls across a relay's stop and start: a relay that stops ends the calls it runs, and a relay that
starts ends the calls it finds still open in the database. A mixin of `Calls`.

A call's live state is one process's memory: which connection of the agent owns the media, the
timers (expiry, connect, duration, absence), and the signalling in flight. With several relays
only the routing leader holds it (`relay.cluster`). So when the relay that held a call is gone
(SIGTERM, SIGKILL, power, or a lost routing lease) the call cannot be carried on: the relay ends it
with `end_reason` `relay_restarted`, and both parties hear it with a `call` frame and a system line.

- **Stopping** (SIGTERM): before the sockets close, every call is ended now, so that the buyer's page
  and the agent's workstation close their peer connections at once rather than find out later.
- **Starting**, or taking the routing lease over: every call still `invited`, `accepted` or
  `connected` in the database belonged to a relay that is gone (one leader at a time holds calls,
  and a relay leads only once the previous leader's lease session has ended). An accepted or
  connected call is `ended`, `ended_by` `relay`; a pending invitation `expired` (nobody withdrew it,
  and nobody answered it). The parties hear it when they reconnect (`_send_recent` at their sync).

The record stays consistent with the figures: `ended_at` of a connected call is at most the shop's
limit after `connected_at` (a relay that was down for hours does not make a call last hours), and
`duration_s` is always `(ended_at - connected_at) // 1000`; the live figures change by the same
`call_changed` as any other end.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from relay.calls_live import OPEN_STATES, LiveCall

if TYPE_CHECKING:
    from relay.clock import Clock
    from relay.desk import Desk
    from relay.store import Store
    from relay.store.interface import CallRow, CallSettingsRow

logger = logging.getLogger(__name__)

RELAY_RESTARTED = "relay_restarted"
"""`end_reason` of a call whose relay stopped, or restarted, while it was open (docs/protocol.md, section 12)."""


class CallsRestart:
    """Mixin of `Calls` (which provides the attributes declared here)."""

    if TYPE_CHECKING:
        _store: Store
        _desk: Desk
        _clock: Clock
        _live: dict[str, LiveCall]

        async def settings(self, shop_id: int) -> CallSettingsRow: ...
        async def _change(self, live: LiveCall, **fields: Any) -> None: ...
        def _finish(self, live: LiveCall) -> None: ...
        def _announce(self, row: CallRow, conn: Any = None, rid: str | None = None, skip: Any = None) -> None: ...
        async def _system(self, conversation_id: int, event: str, **values: str) -> None: ...

    async def load(self) -> None:
        """At start-up, or on taking the routing lease: end every call the database still has open (its
        relay is gone, and its live state with it)."""
        rows = await self._store.open_calls()
        for row in rows:
            await self.settings(row.shop_id)
            live = self._live[row.id] = LiveCall(row)
            await self._end_for_relay(live)
        if rows:
            logger.info("ended %d call(s) left open by a relay that stopped", len(rows))

    async def shutdown(self) -> None:
        """The relay is stopping: end every call it runs now, while the parties' sockets are still open."""
        if not self._desk.leading:
            return  # a follower holds no call (relay.cluster)
        for call_id in list(self._live):
            live = self._live.get(call_id)
            if live is None or not live.stored:
                continue  # an invitation still being stored: the next relay to start ends it
            stored = await self._store.get_call(call_id)
            if stored is None or stored.state not in OPEN_STATES:
                self._finish(live)  # another relay leads now and has ended it (this one lost the lease)
                continue
            await self._end_for_relay(live)

    async def _end_for_relay(self, live: LiveCall) -> None:
        """End an open call because its relay stopped: a call frame to both parties and a system line."""
        row = live.row
        now = self._clock.now_ms()
        if row.state == "invited":
            if now >= row.expires_at:  # it ran out while nobody was there to expire it
                await self._change(live, state="expired", ended_at=row.expires_at, end_reason="expired")
            else:
                await self._change(live, state="expired", ended_at=now, ended_by="relay", end_reason=RELAY_RESTARTED)
            self._finish(live)
            self._announce(live.row)
            await self._system(row.conversation_id, "call_expired")
            return
        ended_at = now if row.connected_at is None else min(now, row.connected_at + row.max_duration_s * 1000)
        duration = (ended_at - row.connected_at) // 1000 if row.connected_at is not None else 0
        await self._change(live, state="ended", ended_at=ended_at, ended_by="relay", end_reason=RELAY_RESTARTED,
                           duration_s=duration)
        self._finish(live)
        self._announce(live.row)
        await self._system(row.conversation_id, "call_ended", duration_s=str(duration))
        logger.info("call %s ended: its relay stopped (after %d s)", row.id, duration)
