"""Requests from a shop's agents and supervisors to the desk: status, claim, transfer, resolve,
take over, an agent's cap and the shop's settings. A mixin of `Desk`; every refusal is a
`FrameError` and changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from relay.routing import Assignment, RoutingError, Tier
from relay.store.interface import ShopSettingsRow
from wire import frames as f
from wire.codec import FrameError
from wire.errors import ErrorCode

if TYPE_CHECKING:
    from relay.clock import Clock
    from relay.desk_facts import Facts
    from relay.desk_state import ConvState, ShopDesk
    from relay.sessions import Principal
    from relay.store import Store

ROUTING_FRAMES = (f.SetStatus, f.Claim, f.Transfer, f.Resolve, f.SetCap, f.ShopSettings, f.TakeOver)
"""The frames `DeskRequests.handle` answers; the desk registers them with the hub."""


class DeskRequests:
    """Mixin of `Desk` (which provides the attributes declared here)."""

    if TYPE_CHECKING:
        _convs: dict[int, ConvState]
        _clock: Clock
        _store: Store
        facts: Facts

        async def shop_desk(self, shop_id: int) -> ShopDesk: ...
        async def _apply(self, desk: ShopDesk, made: list[Assignment], *, by: str | None = None,
                         previous: dict[int, int | None] | None = None) -> None: ...
        async def _persist(self, state: ConvState, **fields: Any) -> None: ...
        async def _send_assignment(self, desk: ShopDesk, state: ConvState, reason: str, prev: int | None,
                                   note: str, by: str | None) -> int: ...
        async def post_system(self, state: ConvState, event: str, params: dict[str, str] | None = None, *,
                              also: int | None = None) -> None: ...
        async def close_conversation(self, conversation_id: int, event: str, by: str | None = None) -> None: ...
        def _arm_abandon(self, state: ConvState) -> None: ...
        def _agents_changed(self, desk: ShopDesk) -> None: ...
        def _queue_changed(self, desk: ShopDesk) -> None: ...
        def _config_changed(self, desk: ShopDesk, principal: Principal,
                            changes: list[tuple[str, str, str]]) -> None: ...

    # requests from agents and supervisors ---------------------------------------------------------

    async def handle(self, principal: Principal, frame: f.ClientFrame) -> f.ServerFrame:
        """Answer a routing request; raises FrameError when it is refused."""
        if principal.is_buyer or principal.shop_id is None:
            raise FrameError(ErrorCode.FORBIDDEN, "only a shop's agents may do this", frame.id)
        desk = await self.shop_desk(principal.shop_id)
        me = int(principal.user_id)
        supervisor = principal.role == "supervisor"
        try:
            if isinstance(frame, f.SetStatus):
                if supervisor:
                    raise FrameError(ErrorCode.FORBIDDEN, "supervisors do not take chats from the queue", frame.id)
                desk.last_status[me] = frame.status
                await self._apply(desk, desk.router.set_status(me, frame.status))
                self._agents_changed(desk)
            elif isinstance(frame, f.Claim):
                self._check_shop(desk, frame.conversation_id, frame.id)
                if supervisor:
                    raise FrameError(ErrorCode.FORBIDDEN, "supervisors take chats over with take_over", frame.id)
                claimed = desk.router.claim(me, frame.conversation_id)
                await self._apply(desk, [claimed], by=principal.user_id)
            elif isinstance(frame, f.Transfer):
                await self._transfer(desk, principal, frame, supervisor)
            elif isinstance(frame, f.Resolve):
                state = self._mine(desk, me, supervisor, frame.conversation_id, frame.id)
                await self.close_conversation(state.id, "resolved", by=principal.user_id)
            elif isinstance(frame, f.TakeOver):
                self._supervisor_only(supervisor, frame.id)
                state = self._check_shop(desk, frame.conversation_id, frame.id)
                prev = state.agent_id
                made = desk.router.take_over(state.id, me)
                await self._apply(desk, made, by=principal.user_id, previous={state.id: prev})
                self._queue_changed(desk)
            elif isinstance(frame, f.SetCap):
                self._supervisor_only(supervisor, frame.id)
                agent_id = self._agent_id(desk, frame.agent_id, frame.id)
                old = desk.router.agents[agent_id].cap
                made = desk.router.set_cap(agent_id, frame.cap)
                await self._store.set_cap(agent_id, frame.cap)
                await self._apply(desk, made)
                self._agents_changed(desk)
                if frame.cap != old:  # like the other settings: no audit line, no push for no change
                    self._config_changed(desk, principal, [(f"cap:{agent_id}", str(old), str(frame.cap))])
            elif isinstance(frame, f.ShopSettings):
                self._supervisor_only(supervisor, frame.id)
                await self._settings(desk, principal, frame)
        except RoutingError as exc:
            raise FrameError(ErrorCode(exc.code), exc.message, frame.id, reason=exc.reason) from None
        return f.Ok(id=frame.id)

    def _supervisor_only(self, supervisor: bool, rid: str) -> None:
        if not supervisor:
            raise FrameError(ErrorCode.FORBIDDEN, "only supervisors may do this", rid)

    def _agent_id(self, desk: ShopDesk, raw: str, rid: str) -> int:
        try:
            agent_id = int(raw)
        except ValueError:
            agent_id = -1
        slot = desk.router.agents.get(agent_id)
        if slot is None or not slot.takes_queue:
            raise FrameError(ErrorCode.NOT_FOUND, f"no agent {raw!r} in this shop", rid)
        return agent_id

    def _check_shop(self, desk: ShopDesk, conversation_id: int, rid: str) -> ConvState:
        state = self._convs.get(conversation_id)
        if state is None or state.shop_id != desk.shop.id:
            raise FrameError(ErrorCode.FORBIDDEN, f"conversation {conversation_id} is not visible to you", rid)
        return state

    def _mine(self, desk: ShopDesk, me: int, supervisor: bool, conversation_id: int, rid: str) -> ConvState:
        state = self._check_shop(desk, conversation_id, rid)
        if not supervisor and state.agent_id != me:
            raise FrameError(ErrorCode.FORBIDDEN, "this chat is not assigned to you", rid)
        return state

    async def _transfer(self, desk: ShopDesk, principal: Principal, frame: f.Transfer, supervisor: bool) -> None:
        me = int(principal.user_id)
        state = self._mine(desk, me, supervisor, frame.conversation_id, frame.id)
        to = frame.to_agent
        if to is not None and to.isdigit() and desk.roles.get(int(to)) == "supervisor":
            raise FrameError(ErrorCode.INVALID_FIELD, "chats go to agents, not supervisors", frame.id)
        target = self._agent_id(desk, frame.to_agent, frame.id) if frame.to_agent is not None else None
        prev = state.agent_id
        reason = "reassign" if supervisor and prev != me else "transfer"
        state.pending_note = frame.note
        try:
            made = desk.router.transfer(state.id, target, reason=reason)  # type: ignore[arg-type]
        except RoutingError:
            state.pending_note = ""
            raise
        if target is None:
            state.status, state.agent_id = "queued", None
            await self._persist(state, status="queued", agent_id=None, tier=int(Tier.RETURNED),
                                queued_at=self._clock.now_ms())
            await self.facts.event(state, self._clock.now_ms(), "to_queue", actor=principal.user_id, from_agent=prev,
                                   note=frame.note)
            await self._send_assignment(desk, state, "requeued", prev, frame.note, principal.user_id)
            await self.post_system(state, "requeued")
            self._arm_abandon(state)
        await self._apply(desk, made, by=principal.user_id, previous={state.id: prev})
        self._queue_changed(desk)

    async def _settings(self, desk: ShopDesk, principal: Principal, frame: f.ShopSettings) -> None:
        s = desk.settings
        new = ShopSettingsRow(s.shop_id, frame.mode or s.mode, frame.opens or s.opens, frame.closes or s.closes,
                              frame.timezone or s.timezone)
        if new.closes != "24:00" and new.opens >= new.closes:
            raise FrameError(ErrorCode.INVALID_FIELD, "the shop must open before it closes", frame.id)
        try:
            ZoneInfo(new.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise FrameError(ErrorCode.INVALID_FIELD, f"unknown time zone {new.timezone!r}", frame.id) from None
        await self._store.save_shop_settings(new)
        desk.settings = new
        desk.router.mode = new.mode  # type: ignore[assignment]
        changes = [(name, str(getattr(s, name)), str(getattr(new, name)))
                   for name in ("mode", "opens", "closes", "timezone") if getattr(s, name) != getattr(new, name)]
        await self._apply(desk, desk.router.dispatch())
        self._queue_changed(desk)
        self._config_changed(desk, principal, changes)
