"""What the desk shows: the queue and agents to the shop's staff, the queue status to waiting buyers,
service hours, and the live state the supervisors' figures need. A mixin of `Desk`."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from relay.metrics.report import Member
from relay.routing import Tier
from wire import figures as w
from wire import frames as f
from wire.codec import encode

if TYPE_CHECKING:
    from relay.clock import Clock
    from relay.desk_state import ConvState, ShopDesk
    from relay.hub_desk import Delivery
    from relay.metrics.book import MetricsBook

QUEUE_FLUSH_S = 0.2
QUEUE_SNAPSHOT_MAX = 200
DUE_LISTED_MAX = 50
SLA_WARNING_MS = w.WARNING_S * 1000
SLA_OVERDUE_MS = w.REPLY_BAR_S * 1000
EXCLUSIVE_WAIT_S = 60.0

TIER_NAMES = {Tier.RETURNED: "returned", Tier.AFTER_SALES: "after_sales", Tier.HIGH_VALUE: "high_value",
              Tier.NORMAL: "normal"}


class DeskView:
    """Mixin of `Desk` (which provides the attributes declared here)."""

    if TYPE_CHECKING:
        _shops: dict[int, ShopDesk]
        _convs: dict[int, ConvState]
        _by_buyer: dict[str, set[int]]
        _clock: Clock
        book: MetricsBook

        @property
        def hub(self) -> Delivery: ...

    # service hours ----------------------------------------------------------------------------

    def in_service_hours(self, desk: ShopDesk) -> bool:
        return self.seconds_until_open(desk) == 0

    def seconds_until_open(self, desk: ShopDesk) -> int:
        """0 inside the shop's service hours, else seconds until it opens."""
        tz = ZoneInfo(desk.settings.timezone)
        now = datetime.fromtimestamp(self._clock.now_ms() / 1000, tz)
        opens = time.fromisoformat(desk.settings.opens)
        closes_text = desk.settings.closes
        closes = time(23, 59, 59) if closes_text == "24:00" else time.fromisoformat(closes_text)
        if opens <= now.time() < closes or (closes_text == "24:00" and now.time() >= opens):
            return 0
        next_open = now.replace(hour=opens.hour, minute=opens.minute, second=0, microsecond=0)
        if next_open <= now:
            next_open += timedelta(days=1)
        return int((next_open - now).total_seconds())

    # the shop's staff and waiting buyers ------------------------------------------------------

    def _queue_changed(self, desk: ShopDesk) -> None:
        if desk.flush is None:
            desk.flush = asyncio.get_running_loop().call_later(QUEUE_FLUSH_S, self._flush, desk)
        self.book.live_changed(desk.shop.id)

    def _agents_changed(self, desk: ShopDesk) -> None:
        self._queue_changed(desk)

    def _flush(self, desk: ShopDesk) -> None:
        desk.flush = None
        self.hub.send_to_shop(desk.shop.id, encode(self._queue_snapshot(desk)))
        self.hub.send_to_shop(desk.shop.id, encode(self._agents_snapshot(desk)))
        seen: set[int] = set()
        for waiting in desk.router.waiting():
            seen.add(waiting.conversation_id)
            self._send_queue_status(desk, waiting.conversation_id, waiting.buyer_id)
        for conversation_id, agent_id in desk.router.assigned.items():
            if desk.sent_status.get(conversation_id, (None,))[0] != 0:
                seen.add(conversation_id)
                state = self._convs[conversation_id]
                self._send_status(desk, conversation_id, state.buyer_id, (0, None, None, desk.names.get(agent_id)))
        for stale in set(desk.sent_status) - seen - set(desk.router.assigned):
            desk.sent_status.pop(stale, None)

    def buyer_status(self, conversation_id: int) -> f.QueueStatus | None:
        """Where a buyer's conversation stands now (sent on sync)."""
        state = self._convs.get(conversation_id)
        if state is None or state.status not in ("queued", "assigned"):
            return None
        desk = self._shops[state.shop_id]
        position, eta, reason, name = self._status_of(desk, conversation_id)
        return f.QueueStatus(conversation_id=conversation_id, position=position, estimated_wait_s=eta,
                             reason=reason, agent_name=name)  # type: ignore[arg-type]

    def buyer_statuses(self, buyer_id: str) -> list[bytes]:
        """`buyer_status` of each of a buyer's conversations (for a buyer who synced on another relay)."""
        statuses = (self.buyer_status(c) for c in sorted(self._by_buyer.get(buyer_id, ())))
        return [encode(s) for s in statuses if s is not None]

    def refresh_all(self) -> None:
        """Send every shop's queue, agents and buyers' statuses anew (a relay that just took the lead)."""
        for desk in self._shops.values():
            desk.sent_status.clear()
            self._queue_changed(desk)

    def _status_of(self, desk: ShopDesk, conversation_id: int) -> tuple[int, int | None, str | None, str | None]:
        agent_id = desk.router.assigned.get(conversation_id)
        if agent_id is not None:
            return 0, None, None, desk.names.get(agent_id)
        position = desk.router.position(conversation_id) or 0
        closed_for = self.seconds_until_open(desk)
        online = [a for a in desk.router.agents.values() if a.status == "online" and a.takes_queue]
        if desk.router.is_reserved(conversation_id):
            return position, int(EXCLUSIVE_WAIT_S), "waiting_for_your_agent", None
        if closed_for and not online:
            return position, closed_for, "outside_hours", None
        if not online:
            return position, None, "no_agent_online", None
        if desk.router.mode == "manual":
            return position, None, "manual", None
        return position, int(position * desk.assign_interval), "all_busy", None

    def _send_queue_status(self, desk: ShopDesk, conversation_id: int, buyer_id: str) -> None:
        self._send_status(desk, conversation_id, buyer_id, self._status_of(desk, conversation_id))

    def _send_status(self, desk: ShopDesk, conversation_id: int, buyer_id: str, status: tuple[Any, ...]) -> None:
        if desk.sent_status.get(conversation_id) == status:
            return
        desk.sent_status[conversation_id] = status
        position, eta, reason, name = status
        self.hub.send_to_buyer(buyer_id, encode(f.QueueStatus(
            conversation_id=conversation_id, position=position, estimated_wait_s=eta, reason=reason,
            agent_name=name)))

    def _queue_snapshot(self, desk: ShopDesk) -> f.QueueSnapshot:
        entries = []
        for position, waiting in enumerate(desk.router.waiting()[:QUEUE_SNAPSHOT_MAX], start=1):
            state = self._convs.get(waiting.conversation_id)
            entries.append(f.QueueEntry(
                conversation_id=waiting.conversation_id, buyer_id=waiting.buyer_id,
                buyer_name=state.buyer_name if state else waiting.buyer_id, position=position,
                queued_at=self._queued_at_ms(waiting.queued_at), tier=TIER_NAMES[waiting.tier],  # type: ignore[arg-type]
                reserved_for=(str(waiting.reserved_for) if desk.router.is_reserved(waiting.conversation_id)
                              else None),
            ))
        return f.QueueSnapshot(entries=entries, total=desk.router.waiting_count(), mode=desk.router.mode)

    def _queued_at_ms(self, queued_monotonic: float) -> int:
        return self._clock.now_ms() - int((self._clock.monotonic() - queued_monotonic) * 1000)

    def _agents_snapshot(self, desk: ShopDesk) -> f.AgentsSnapshot:
        return f.AgentsSnapshot(agents=[
            f.AgentInfo(agent_id=str(a.account_id), name=a.name, role="agent", status=a.status,
                        connected=desk.connections.get(a.account_id, 0) > 0, active=len(a.active), cap=a.cap)
            for a in desk.router.agents.values() if a.takes_queue
        ])

    # for the figures (relay.metrics.book.ShopView) ----------------------------------------------

    def shop_ids(self) -> list[int]:
        return list(self._shops)

    def shop_slug(self, shop_id: int) -> str:
        return self._shops[shop_id].shop.slug

    def timezone(self, shop_id: int) -> str:
        desk = self._shops.get(shop_id)
        return desk.settings.timezone if desk is not None else "Asia/Shanghai"

    def members(self, shop_id: int) -> list[Member]:
        """Every account of the shop, agents first, with its live state."""
        desk = self._shops[shop_id]
        result = []
        for account_id, name in desk.names.items():
            slot = desk.router.agents.get(account_id)
            connected = desk.connections.get(account_id, 0) > 0
            status = slot.status if slot is not None else ("online" if connected else "offline")
            result.append(Member(account_id, name, desk.roles.get(account_id, "agent"), status, connected,
                                 len(slot.active) if slot else 0, slot.cap if slot and slot.takes_queue else 0))
        result.sort(key=lambda m: (m.role != "agent", m.account_id))
        return result

    def queue_figures(self, shop_id: int) -> w.QueueFigures:
        """The shop right now: its queue, and the open chats whose buyer waits 100 s or more."""
        desk = self._shops[shop_id]
        now = self._clock.now_ms()
        waiting = desk.router.waiting()
        oldest = min((x.queued_at for x in waiting), default=None)
        due = []
        near = overdue = 0
        for conversation_id in [*(x.conversation_id for x in waiting), *desk.router.assigned]:
            state = self._convs.get(conversation_id)
            if state is None or state.unanswered_since is None:
                continue
            waited = now - state.unanswered_since
            if waited < SLA_WARNING_MS:
                continue
            if waited >= SLA_OVERDUE_MS:
                overdue += 1
            else:
                near += 1
            due.append(w.DueChat(conversation_id=state.id, buyer_name=state.buyer_name, since=state.unanswered_since,
                                 agent_id=str(state.agent_id) if state.agent_id is not None else None,
                                 agent_name=desk.names.get(state.agent_id) if state.agent_id is not None else None))
        due.sort(key=lambda d: d.since)
        return w.QueueFigures(
            queued=len(waiting),
            longest_wait_s=round(self._clock.monotonic() - oldest, 3) if oldest is not None else None,
            near_due=near, overdue=overdue, due=due[:DUE_LISTED_MAX],
            agents_online=sum(1 for a in desk.router.agents.values() if a.takes_queue and a.status == "online"),
            active_chats=len(desk.router.assigned),
        )
