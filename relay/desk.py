"""The service desk: each shop's queue and assignments, agents' presence, SLA timers, automatic messages.

Decisions come from `routing.ShopRouter` (pure); this module applies them: persists them, tells
the agents, supervisors and buyers concerned, and keeps the timers (SLA warning at 100 s and
overdue at 180 s, 60 s disconnect grace, exclusive-agent wait, 30-minute auto-close, closing a
queued chat whose buyer left). All timing goes through the injected clock. Automatic messages
are system messages (`relay.system_lines`): they never count as a human reply. Each chat's
session and reply rounds are kept by `desk_facts.Facts` for the supervisors' figures. Its records
are in `desk_state`; its mixins: `desk_view` (what the staff and waiting buyers are shown),
`desk_timers` (SLA, auto-close, a queued chat whose buyer left) and `desk_requests` (the staff's
routing requests, whose frames it registers with the hub).

The desk reaches the chat hub only as a `relay.hub_desk.Delivery` and is, for the hub, an
`Assignments`: neither `relay.chat` nor this module imports the other.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec

from relay.clock import Clock
from relay.desk_facts import Facts
from relay.desk_requests import ROUTING_FRAMES, DeskRequests
from relay.desk_state import ConvState, ShopDesk
from relay.desk_timers import DeskTimers
from relay.desk_view import EXCLUSIVE_WAIT_S, DeskView
from relay.hub_desk import Delivery
from relay.metrics.book import MetricsBook
from relay.platform import Platform
from relay.routing import Assignment, ShopRouter, Tier
from relay.sessions import Connection, Principal
from relay.store import ConversationRow, MessageRow, Store
from relay.store.interface import ShopRow
from relay.system_lines import system_text
from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ErrorCode

logger = logging.getLogger(__name__)

GRACE_S = 60.0
EXCLUSIVE_WINDOW_MS = 30 * 86_400_000
ACTIVITY_PERSIST_MS = 60_000

ConfigListener = Callable[[int, Principal, list[tuple[str, str, str]]], None]
"""Told (shop id, who, [(setting, old, new)]) after a supervisor changed the shop's settings."""


class Desk(DeskView, DeskTimers, DeskRequests):
    """All shops' desks in this relay (the hub's `Assignments`)."""

    def __init__(self, store: Store, clock: Clock, platform: Platform, book: MetricsBook) -> None:
        self._store = store
        self._clock = clock
        self._platform = platform
        self.book = book
        self.facts = Facts(store, book, self.timezone)
        self._hub: Delivery | None = None
        self._shops: dict[int, ShopDesk] = {}
        self._convs: dict[int, ConvState] = {}
        self._by_buyer: dict[str, set[int]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.config_listeners: list[ConfigListener] = []
        self.leading = True
        """Whether this relay routes (always, alone; with several relays, only the leader: `relay.cluster`)."""
        self.forward_committed: Callable[..., None] | None = None
        """Where a relay that does not lead sends what `message_committed` hears (`Cluster.committed_here`)."""

    @property
    def hub(self) -> Delivery:
        assert self._hub is not None, "Desk.attach(hub) first"
        return self._hub

    def attach(self, hub: Delivery) -> None:
        """Work with this hub: answer the routing frames, hear of buyers coming and going."""
        self._hub = hub
        for frame_type in ROUTING_FRAMES:
            hub.route(frame_type, self._on_routing)
        hub.synced_listeners.append(self._on_synced)
        hub.gone_listeners.append(self._on_gone)

    async def _on_routing(self, conn: Connection, frame: Any) -> None:
        conn.send(encode(await self.handle(conn.principal, frame)))

    # loading --------------------------------------------------------------------------------

    async def load(self) -> None:
        """Rebuild every shop's routing state from the store (at start-up)."""
        for shop in await self._store.list_shops():
            await self._load_shop(shop)

    async def _load_shop(self, shop: ShopRow) -> ShopDesk:
        settings = await self._store.shop_settings(shop.id)
        desk = ShopDesk(shop, settings, ShopRouter(self._clock.monotonic, settings.mode))  # type: ignore[arg-type]
        self._shops[shop.id] = desk
        await self.book.load_shop(shop.id)
        for account in await self._store.shop_accounts(shop.id):
            # supervisors watch; they hold chats only by taking them over, never from the queue
            desk.router.add_agent(account.id, account.display_name, account.cap,
                                  takes_queue=account.role == "agent")
            desk.names[account.id] = account.display_name
            desk.roles[account.id] = account.role
        waiting_agents: set[int] = set()
        for row in await self._store.list_conversations(shop_id=shop.id, open_only=True):
            state = self._state_from(row)
            await self.facts.restore(state, row.session_id, row.unanswered_seq)
            if row.status == "queued":
                waited = (self._clock.now_ms() - (row.queued_at or self._clock.now_ms())) / 1000
                desk.router.restore_waiting(row.id, row.buyer_id, Tier(row.tier), waited)
                self._arm_abandon(state)  # nobody is connected yet
            elif row.status == "assigned" and row.agent_id in desk.router.agents:
                desk.router.restore_assigned(row.id, row.buyer_id, row.agent_id)
                waiting_agents.add(row.agent_id)
            if row.status in ("queued", "assigned"):
                self._arm_sla(state)
            if row.status == "assigned":
                self._arm_auto_close(state, row.last_activity_at)
        for agent_id in waiting_agents:  # nobody is connected yet: the usual grace applies
            self._start_grace(desk, agent_id)
        return desk

    def _state_from(self, row: ConversationRow) -> ConvState:
        state = self._convs.get(row.id)
        if state is None:
            state = self._convs[row.id] = ConvState(
                row.id, row.shop_id, row.buyer_id, row.buyer_name, row.status, row.agent_id,
                row.last_agent_id, row.last_agent_at, row.unanswered_since, row.unanswered_seq, row.session_id,
            )
            self._by_buyer.setdefault(row.buyer_id, set()).add(row.id)
        return state

    async def shop_desk(self, shop_id: int) -> ShopDesk:
        desk = self._shops.get(shop_id)
        if desk is None:
            if not self.leading:  # a follower never routes: loading a desk would arm its timers here
                raise FrameError(ErrorCode.UNAVAILABLE, "this relay does not route chats; retry", retry_after=2.0)
            shop = next((s for s in await self._store.list_shops() if s.id == shop_id), None)
            if shop is None:
                raise FrameError(ErrorCode.NOT_FOUND, f"no shop {shop_id}")
            desk = await self._load_shop(shop)
        return desk

    async def conversation(self, row: ConversationRow) -> ConvState:
        await self.shop_desk(row.shop_id)
        return self._state_from(row)

    async def track(self, row: ConversationRow) -> None:
        """Have the conversation's live state, if this relay routes (the leader's otherwise)."""
        if self.leading:
            await self.conversation(row)

    # queries used by chat ---------------------------------------------------------------------

    def now_ms(self) -> int:
        return self._clock.now_ms()

    def state(self, conversation_id: int) -> ConvState | None:
        return self._convs.get(conversation_id)

    def open_conversation_ids(self, shop_id: int | None) -> list[int]:
        """Conversations of the shop that are queued or assigned right now (live state)."""
        return [c.id for c in self._convs.values() if c.shop_id == shop_id and c.status in ("queued", "assigned")]

    def assigned_agent(self, conversation_id: int) -> int | None:
        state = self._convs.get(conversation_id)
        return state.agent_id if state else None

    def info(self, row: ConversationRow) -> f.ConversationInfo:
        """Wire form of a conversation with its live routing fields and its last session's rating."""
        state = self._convs.get(row.id)
        desk = self._shops.get(row.shop_id)
        agent_id = state.agent_id if state else row.agent_id
        status = state.status if state else row.status
        session = state.session if state is not None else None
        session_id: int | None
        if session is not None:
            session_id, closed, rating = session.id, session.close_reason, session.rating
        else:
            session_id, closed, rating = row.session_id, row.session_close_reason, row.session_rating
        return f.ConversationInfo(
            conversation_id=row.id, shop=row.shop_slug, shop_name=row.shop_name, buyer_id=row.buyer_id,
            buyer_name=row.buyer_name, last_seq=row.last_seq, buyer_read_seq=row.buyer_read_seq,
            agent_read_seq=row.agent_read_seq, created_at=row.created_at,
            status=status,  # type: ignore[arg-type]
            agent_id=str(agent_id) if agent_id is not None else None,
            agent_name=desk.names.get(agent_id) if desk and agent_id is not None else None,
            unanswered_since=state.unanswered_since if state else row.unanswered_since,
            session_id=session_id,
            rating_due=status == "closed" and closed == "resolved" and rating is None,
            rating=rating if rating else None,
        )

    # background work --------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run desk work in the background, keeping a reference until it is done."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("desk task failed", exc_info=task.exception())

    async def close(self) -> None:
        for state in self._convs.values():
            state.cancel()
        for desk in self._shops.values():
            for timer in desk.grace.values():
                timer.cancel()
            if desk.flush is not None:
                desk.flush.cancel()
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.book.close()

    async def _persist(self, state: ConvState, **fields: Any) -> None:
        await self._store.update_conversation(state.id, **fields)

    async def _touch(self, state: ConvState, ts: int) -> None:
        """Note activity; stored at most once a minute (it only matters for auto-close after a restart)."""
        state.last_activity = ts
        if ts - state.persisted_activity >= ACTIVITY_PERSIST_MS:
            state.persisted_activity = ts
            await self._persist(state, last_activity_at=ts)

    # messages ---------------------------------------------------------------------------------

    def message_committed(self, shop_id: int, row: MessageRow) -> None:
        """A new message was stored through the hub: count it; a buyer's starts (or keeps) their clock,
        an agent's answers it."""
        self.committed(shop_id, row.conversation_id, row.seq, row.sender_kind, row.sender_id, row.ts)

    def committed(self, shop_id: int, conversation_id: int, seq: int, sender_kind: str, sender_id: str,
                  ts: int) -> None:
        """`message_committed`, by its fields (also as another relay tells the leader)."""
        if not self.leading:
            if self.forward_committed is not None:
                self.forward_committed(shop_id, conversation_id, seq, sender_kind, sender_id, ts)
            return
        self.book.message(shop_id, sender_kind)
        if sender_kind == "buyer":
            self.note_buyer_message(conversation_id, seq, ts)
        elif sender_kind == "agent":
            self.spawn(self.on_agent_message(conversation_id, int(sender_id), ts))

    def note_buyer_message(self, conversation_id: int, seq: int, ts: int) -> None:
        """A buyer message was committed. The usual case (an open chat whose clock already runs) is
        handled here without a task; anything else (opening, starting the clock) runs as a task."""
        state = self._convs.get(conversation_id)
        if state is None or state.unanswered_since is None or state.status not in ("queued", "assigned"):
            self.spawn(self.on_buyer_message(conversation_id, seq, ts))
            return
        state.last_activity = max(state.last_activity, ts)
        if ts - state.persisted_activity >= ACTIVITY_PERSIST_MS:
            self.spawn(self._touch(state, ts))

    async def on_buyer_message(self, conversation_id: int, seq: int, ts: int) -> None:
        """A buyer message was committed: open the conversation if needed, start the 3-minute clock."""
        state = self._convs.get(conversation_id)
        if state is None:
            row = await self._store.get_conversation(conversation_id)
            if row is None:
                return
            state = await self.conversation(row)
        desk = self._shops[state.shop_id]
        opening = state.status in ("new", "closed")
        starts_round = state.unanswered_since is None
        if opening:
            state.status = "queued"  # before any await: a second message must not open it again
        if starts_round:
            state.unanswered_since, state.unanswered_seq = ts, seq
            self._arm_sla(state)
        if opening:
            await self.facts.open_session(state, ts)
        if starts_round:
            await self.facts.open_round(state, seq, ts)
            await self._persist(state, unanswered_since=ts, unanswered_seq=seq, last_activity_at=ts,
                                session_id=state.session_id)
        else:
            await self._touch(state, ts)
        if opening:
            await self._open(desk, state)
        elif state.status == "assigned":
            self._arm_auto_close(state, ts)

    async def on_agent_message(self, conversation_id: int, agent_id: int, ts: int) -> None:
        """A human reply was committed: it answers the buyer's waiting messages."""
        state = self._convs.get(conversation_id)
        if state is None:
            return
        state.last_agent_id, state.last_agent_at = agent_id, ts
        state.persisted_activity = ts
        fields: dict[str, Any] = {"last_agent_id": agent_id, "last_agent_at": ts, "last_activity_at": ts}
        if state.unanswered_since is not None:
            since = state.unanswered_since
            state.unanswered_since = state.unanswered_seq = None
            state.cancel("sla_warning", "sla_overdue")
            fields.update(unanswered_since=None, unanswered_seq=None)
            self._send_sla(state, "cleared", since)
        if state.status in ("queued", "assigned"):
            await self.facts.replied(state, ts, agent_id)
        await self._persist(state, **fields)
        if state.status == "assigned":
            self._arm_auto_close(state, ts)

    async def _open(self, desk: ShopDesk, state: ConvState) -> None:
        facts = await self._platform.routing_facts(state.shop_id, state.buyer_id)
        tier = Tier.AFTER_SALES if facts.open_case else Tier.HIGH_VALUE if facts.high_value else Tier.NORMAL
        now_ms = self._clock.now_ms()
        reserved_for = None
        if (state.last_agent_id in desk.router.agents and state.last_agent_at is not None
                and desk.router.agents[state.last_agent_id].takes_queue
                and now_ms - state.last_agent_at <= EXCLUSIVE_WINDOW_MS
                and desk.connections.get(state.last_agent_id, 0) > 0):
            reserved_for = state.last_agent_id
        await self._persist(state, status="queued", agent_id=None, tier=int(tier), queued_at=now_ms)
        if self.in_service_hours(desk):
            await self.post_system(state, "welcome", {"shop": desk.shop.name})
        else:
            hours = {"opens": desk.settings.opens, "closes": desk.settings.closes}
            await self.post_system(state, "out_of_hours", hours)
        made = desk.router.enqueue(state.id, state.buyer_id, tier, reserved_for,
                                   EXCLUSIVE_WAIT_S if reserved_for else 0.0)
        if reserved_for is not None and state.id not in desk.router.assigned:
            state.timers["reserve"] = self._clock.call_later(EXCLUSIVE_WAIT_S, lambda: self._redispatch(desk))
        self._arm_abandon(state)
        await self._apply(desk, made)
        self._queue_changed(desk)

    def _redispatch(self, desk: ShopDesk) -> None:
        made = desk.router.dispatch()
        self.spawn(self._apply(desk, made))
        self._queue_changed(desk)

    # applying decisions -------------------------------------------------------------------------

    async def _apply(self, desk: ShopDesk, made: list[Assignment], *, by: str | None = None,
                     previous: dict[int, int | None] | None = None) -> None:
        for decision in made:
            state = self._convs[decision.conversation_id]
            prev = (previous or {}).get(state.id, state.agent_id)
            state.status, state.agent_id = "assigned", decision.agent_id
            held = self.hub.hold(decision.agent_id) if decision.agent_id != prev else []
            state.cancel("reserve", "abandon")
            note, state.pending_note = state.pending_note, ""
            now = self._clock.monotonic()
            if desk.last_assign_at is not None and decision.reason != "takeover":
                desk.assign_interval = 0.8 * desk.assign_interval + 0.2 * max(1.0, now - desk.last_assign_at)
            desk.last_assign_at = now
            last_seq = 0
            try:
                await self._persist(state, status="assigned", agent_id=decision.agent_id)
                await self.facts.event(state, self._clock.now_ms(), decision.reason, actor=by, from_agent=prev,
                                       to_agent=decision.agent_id, note=note)
                self._arm_auto_close(state)
                last_seq = await self._send_assignment(desk, state, decision.reason, prev, note, by)
                self._tell_sla_so_far(state)
            finally:
                await self.hub.hand_over(held, state.id, last_seq, state.unanswered_seq)
            event = {"transfer": "transferred", "reassign": "transferred", "takeover": "taken_over"}.get(
                decision.reason, "agent_joined")
            await self.post_system(state, event, {"agent": desk.names.get(decision.agent_id, "")})
        if made:
            self._queue_changed(desk)
            self._agents_changed(desk)

    async def _send_assignment(self, desk: ShopDesk, state: ConvState, reason: str, prev: int | None, note: str,
                               by: str | None) -> int:
        """Tell the agents concerned and the supervisors; returns the conversation's last seq."""
        row = await self._store.get_conversation(state.id)
        assert row is not None
        frame = f.Assignment(
            conversation=self.info(row), reason=reason,  # type: ignore[arg-type]
            previous_agent_id=str(prev) if prev is not None else None, note=note, by=by,
        )
        data = encode(frame)
        targets = {a for a in (state.agent_id, prev) if a is not None}
        for agent_id in targets:
            self.hub.send_to_account(str(agent_id), data)
        self.hub.send_to_supervisors(state.shop_id, data, skip_accounts={str(a) for a in targets})
        return row.last_seq

    async def post_system(self, state: ConvState, event: str, params: dict[str, str] | None = None, *,
                          also: int | None = None) -> None:
        """Store and deliver an automatic message (never a human reply); `also`: an account that gets it
        too although the chat is no longer theirs (the agent of a rated chat)."""
        desk = self._shops[state.shop_id]
        result = await self._store.append_message(
            state.id, "system", "system", desk.shop.name, f"sys-{uuid.uuid4().hex}", system_text(event, params or {}),
            self._clock.now_ms(), kind="system", event=event,
            params_json=msgspec.json.encode(params).decode() if params else None,
        )
        self.book.message(state.shop_id, "system")
        self.hub.publish(result.message, (state.shop_id, state.buyer_id), also=also)

    # closing ----------------------------------------------------------------------------------

    async def close_conversation(self, conversation_id: int, event: str, by: str | None = None) -> None:
        """Resolve (by staff), auto-close (silence) or abandon (the buyer left the queue) a conversation."""
        state = self._convs.get(conversation_id)
        if state is None or state.status not in ("assigned", "queued"):
            return
        desk = self._shops[state.shop_id]
        prev = state.agent_id
        state.cancel()
        now = self._clock.now_ms()
        state.unanswered_since = state.unanswered_seq = None
        state.status, state.agent_id = "closed", None
        await self.facts.closed(state, now, event, int(by) if by is not None else None, prev)
        await self._persist(state, status="closed", agent_id=None, unanswered_since=None, unanswered_seq=None)
        await self.facts.event(state, now, event, actor=by, from_agent=prev)
        made = desk.router.release(state.id)
        reason = {"resolved": "resolved", "abandoned": "abandoned"}.get(event, "closed")
        await self._send_assignment(desk, state, reason, prev, "", by)
        # the buyer's page asks for a rating of a resolved chat: it needs the session's id
        await self.post_system(state, event, {"session_id": str(state.session_id)} if event == "resolved" else None)
        await self._apply(desk, made)
        self._queue_changed(desk)
        self._agents_changed(desk)

    # agents ---------------------------------------------------------------------------------

    async def agent_connected(self, principal: Principal) -> None:
        assert principal.shop_id is not None
        desk = await self.shop_desk(principal.shop_id)
        account_id = int(principal.user_id)
        if account_id not in desk.names:  # created while the relay was running
            desk.router.add_agent(account_id, principal.display_name, takes_queue=principal.role == "agent")
            desk.names[account_id] = principal.display_name
            desk.roles[account_id] = principal.role
        desk.connections[account_id] = desk.connections.get(account_id, 0) + 1
        timer = desk.grace.pop(account_id, None)
        if timer is not None:
            timer.cancel()
        made: list[Assignment] = []
        if desk.connections[account_id] == 1:
            status = desk.last_status.get(account_id, "online") if principal.role == "agent" else "online"
            made = desk.router.set_status(account_id, status)
        for data in (encode(self._queue_snapshot(desk)), encode(self._agents_snapshot(desk))):
            self.hub.send_to_account(principal.user_id, data)
        await self._apply(desk, made)
        self._agents_changed(desk)

    def agent_disconnected(self, principal: Principal) -> None:
        assert principal.shop_id is not None
        desk = self._shops.get(principal.shop_id)
        if desk is None:
            return
        account_id = int(principal.user_id)
        left = desk.connections.get(account_id, 0) - 1
        desk.connections[account_id] = max(0, left)
        if left > 0 or account_id not in desk.router.agents:
            return
        # Going offline ends the agent's reservations: the chats waiting for them may go to someone
        # else at once, so apply what `set_status` decided (the router has already made it).
        made = desk.router.set_status(account_id, "offline")
        if desk.router.agents[account_id].active or principal.role == "agent":
            self._start_grace(desk, account_id)
        self._agents_changed(desk)
        self.spawn(self._apply(desk, made))

    def _start_grace(self, desk: ShopDesk, account_id: int) -> None:
        if account_id in desk.grace:
            return
        desk.grace[account_id] = self._clock.call_later(GRACE_S, lambda: self._grace_over(desk, account_id))

    def _grace_over(self, desk: ShopDesk, account_id: int) -> None:
        desk.grace.pop(account_id, None)
        if desk.connections.get(account_id, 0) > 0:
            return
        returned = desk.router.hand_back(account_id)
        self.spawn(self._requeued(desk, returned, account_id))

    async def _requeued(self, desk: ShopDesk, returned: list[int], account_id: int) -> None:
        for conversation_id in returned:
            state = self._convs[conversation_id]
            state.status, state.agent_id = "queued", None
            await self._persist(state, status="queued", agent_id=None, tier=int(Tier.RETURNED),
                                queued_at=self._clock.now_ms())
            await self.facts.event(state, self._clock.now_ms(), "requeued", from_agent=account_id,
                                   note="agent disconnected")
            await self._send_assignment(desk, state, "requeued", account_id, "", None)
            await self.post_system(state, "requeued")
            self._arm_abandon(state)
        await self._apply(desk, desk.router.dispatch())
        self._queue_changed(desk)
        self._agents_changed(desk)

    def _config_changed(self, desk: ShopDesk, principal: Principal, changes: list[tuple[str, str, str]]) -> None:
        for listener in self.config_listeners:
            try:
                listener(desk.shop.id, principal, changes)
            except Exception:
                logger.exception("a settings listener failed")
