"""The desk's facts for the figures: each chat's session and each reply round, as they move.

Each change is worked out by `relay.metrics.rules`, applied to the row the desk keeps in memory,
told to the live figures (`MetricsBook`) at once, and stored. Changes to one chat are computed
from the latest row in memory, so they chain in the order they happen even while earlier ones
are still being written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from relay.metrics import rules
from relay.metrics.book import MetricsBook
from relay.metrics.cells import TRANSFER_KINDS
from relay.store import Store
from relay.store.interface import RoundRow, SessionRow

if TYPE_CHECKING:
    from relay.desk_state import ConvState

logger = logging.getLogger(__name__)

COUNTED_EVENTS = TRANSFER_KINDS | {"takeover"}


class Facts:
    """Sessions and rounds of the desk's chats."""

    def __init__(self, store: Store, book: MetricsBook, timezone: Callable[[int], str]) -> None:
        self._store = store
        self.book = book
        self._tz = timezone

    async def restore(self, state: ConvState, session_id: int | None, unanswered_seq: int | None) -> None:
        """After a restart: the chat's current session and waiting round, as stored."""
        if session_id is not None:
            state.session = await self._store.get_session(session_id)
        if unanswered_seq is not None:
            state.round = await self._store.get_round(state.id, unanswered_seq)

    # sessions -------------------------------------------------------------------------------

    async def open_session(self, state: ConvState, opened_at: int) -> None:
        """The buyer wrote into a new or closed conversation: a new chat session."""
        previous = state.session
        if previous is None and state.session_id is not None:
            previous = await self._store.get_session(state.session_id)
        row = rules.new_session(state.id, state.shop_id, state.buyer_id, opened_at, self._tz(state.shop_id), previous)
        stored = await self._store.open_session(row)
        state.session, state.session_id = stored, stored.id
        self.book.session_changed(None, stored)

    async def _change_session(self, state: ConvState, changes: dict[str, Any]) -> None:
        old = state.session
        if old is None or not changes:
            return
        new = state.session = replace(old, **changes)
        self.book.session_changed(old, new)
        await self._store.update_session(old.id, **changes)

    # rounds ---------------------------------------------------------------------------------

    async def open_round(self, state: ConvState, seq: int, ts: int) -> None:
        """A buyer message while none of theirs waits: a new reply round."""
        row = rules.new_round(state.id, state.shop_id, state.buyer_id, seq, ts, state.session_id,
                              self._tz(state.shop_id))
        state.round = row
        self.book.round_changed(None, row)
        await self._store.open_round(row)

    async def _change_round(self, state: ConvState, row: RoundRow, changes: dict[str, Any]) -> None:
        if not changes:
            return
        new = replace(row, **changes)
        if state.round is row:
            state.round = new
        self.book.round_changed(row, new)
        await self._store.update_round(row.conversation_id, row.buyer_seq, **changes)

    async def replied(self, state: ConvState, ts: int, replier: int) -> None:
        """A human reply of the shop: it ends the waiting round and may be the session's first response."""
        row, state.round = state.round, None
        if row is not None:
            await self._change_round(state, row, rules.round_replied(row, ts, replier))
        if state.session is not None:
            await self._change_session(state, rules.session_replied(state.session, ts, replier))

    async def due(self, state: ConvState) -> None:
        """The waiting round reached 180 s without a reply: missed, and it belongs to the chat's holder now."""
        row = state.round
        if row is not None:
            await self._change_round(state, row, rules.round_due(row, state.agent_id))

    async def closed(self, state: ConvState, at: int, reason: str, by: int | None, holder: int | None) -> None:
        """The chat closed: a waiting round ends unanswered, and the session ends."""
        row, state.round = state.round, None
        if row is not None:
            await self._change_round(state, row, rules.round_ended(row, at, holder))
        if state.session is not None:
            await self._change_session(state, rules.session_closed(state.session, at, reason, by, holder))

    async def rated(self, session: SessionRow, state: ConvState | None, stars: int | None, comment: str,
                    at: int) -> SessionRow:
        """The buyer rated (or skipped rating) a closed session."""
        changes = rules.session_rated(stars, comment, at)
        new = replace(session, **changes)
        if state is not None and state.session is not None and state.session.id == session.id:
            state.session = new
        self.book.session_changed(session, new)
        await self._store.update_session(session.id, **changes)
        return new

    # events ---------------------------------------------------------------------------------

    async def event(self, state: ConvState, at: int, kind: str, *, actor: str | None = None,
                    from_agent: int | None = None, to_agent: int | None = None, note: str = "") -> None:
        """A line of the chat's audit trail; transfers and take-overs count in the figures."""
        hour = rules.hour_start(at, self._tz(state.shop_id))
        await self._store.record_event(state.id, state.shop_id, at, kind, actor=actor, from_agent=from_agent,
                                       to_agent=to_agent, note=note, hour=hour)
        if kind in COUNTED_EVENTS:
            self.book.transfer(state.shop_id, hour, from_agent, kind)
