"""Queue and assignment for one shop: pure in-memory decisions on an injected clock, no I/O.

Rules (docs/routing.md has the full text):
- The queue is ordered by tier, then by time queued. Tiers: chats handed back by an agent
  (disconnect grace expired, transfer to queue) go to the head; then buyers with an open
  after-sales case; then buyers with a high-value order; then everybody else.
- Auto-assignment gives the head of the queue to the eligible agent (status online, under their
  cap) with the fewest active chats; ties go to the agent idle longest (oldest last assignment).
- A returning buyer may be reserved for their exclusive agent (专属客服) for a while: if that agent
  is online with room they get the chat at once; if the agent is connected but full or busy the
  chat waits for them; when the reservation ends, or the agent goes offline, normal rules apply
  (and `is_reserved` says no). An agent back within the reservation's time has it again.
  A reserved chat never blocks the chats queued behind it.
- Modes: `auto` assigns automatically; `manual` only by claim; `both` does both.
- Supervisors are slots that never take chats from the queue (`takes_queue` False): they hold a
  chat only by taking it over, whatever their status and cap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

from sortedcontainers import SortedList

from wire.errors import ConflictReason

logger = logging.getLogger(__name__)

AgentStatus = Literal["online", "busy", "away", "offline"]
Mode = Literal["auto", "manual", "both"]
Reason = Literal["auto", "exclusive", "claim", "transfer", "reassign", "takeover"]
DEFAULT_CAP = 8
MAX_CAP = 50  # docs/routing.md and docs/protocol.md (`set_cap`: 1-50); wire/frames.py SetCap agrees


class Tier(IntEnum):
    """Queue priority, lowest first."""

    RETURNED = 0
    AFTER_SALES = 1
    HIGH_VALUE = 2
    NORMAL = 3


class RoutingError(Exception):
    """A routing request that cannot be done; `code` is a wire error code, `reason` refines a conflict."""

    def __init__(self, code: str, message: str, reason: ConflictReason | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason


@dataclass(slots=True)
class AgentSlot:
    """An agent as routing sees them."""

    account_id: int
    name: str
    cap: int = DEFAULT_CAP
    status: AgentStatus = "offline"
    active: set[int] = field(default_factory=set)
    idle_since: float = 0.0
    takes_queue: bool = True
    """False for supervisors: they hold chats only by taking them over."""

    @property
    def eligible(self) -> bool:
        """May receive a new chat now."""
        return self.takes_queue and self.status == "online" and len(self.active) < self.cap


@dataclass(slots=True)
class Waiting:
    """A queued conversation."""

    conversation_id: int
    buyer_id: str
    tier: Tier
    queued_at: float
    order: int
    reserved_for: int | None = None
    reserved_until: float = 0.0

    @property
    def key(self) -> tuple[int, float, int]:
        return (int(self.tier), self.queued_at, self.order)


@dataclass(frozen=True, slots=True)
class Assignment:
    """A decision: this conversation now belongs to this agent."""

    conversation_id: int
    agent_id: int
    reason: Reason


class ShopRouter:
    """All routing state of one shop."""

    def __init__(self, now: Callable[[], float], mode: Mode = "auto") -> None:
        self._now = now
        self.mode: Mode = mode
        self.agents: dict[int, AgentSlot] = {}
        self.assigned: dict[int, int] = {}
        self._waiting: dict[int, Waiting] = {}
        self._queue: SortedList = SortedList()  # of (tier, queued_at, order, conversation_id)
        self._order = 0
        self._buyer_of: dict[int, str] = {}

    # agents ---------------------------------------------------------------------------------

    def add_agent(self, account_id: int, name: str, cap: int = DEFAULT_CAP, *, takes_queue: bool = True) -> AgentSlot:
        slot = self.agents.get(account_id)
        if slot is None:
            slot = self.agents[account_id] = AgentSlot(account_id, name, cap, idle_since=self._now(),
                                                       takes_queue=takes_queue)
        return slot

    def agent(self, account_id: int) -> AgentSlot:
        slot = self.agents.get(account_id)
        if slot is None:
            raise RoutingError("not_found", f"no agent {account_id} in this shop")
        return slot

    def set_status(self, account_id: int, status: AgentStatus) -> list[Assignment]:
        slot = self.agent(account_id)
        if slot.status != "online" and status == "online" and not slot.active:
            slot.idle_since = self._now()
        slot.status = status
        return self.dispatch()

    def set_cap(self, account_id: int, cap: int) -> list[Assignment]:
        if not 1 <= cap <= MAX_CAP:
            raise RoutingError("invalid_field", f"cap must be between 1 and {MAX_CAP}")
        self.agent(account_id).cap = cap
        return self.dispatch()

    def hand_back(self, account_id: int) -> list[int]:
        """The agent is gone for good (grace expired): their chats go to the head of the queue."""
        slot = self.agent(account_id)
        slot.status = "offline"
        returned = sorted(slot.active)
        for conversation_id in returned:
            buyer = self._buyer_of.pop(conversation_id, "")
            self._unassign(conversation_id)
            self._enqueue(conversation_id, buyer, Tier.RETURNED)
        return returned

    # conversations --------------------------------------------------------------------------

    def restore_waiting(self, conversation_id: int, buyer_id: str, tier: Tier, waited_s: float = 0.0) -> None:
        """Put back a conversation that was queued before a restart (no dispatch yet), keeping its
        place: `waited_s` is how long it has been queued already."""
        if conversation_id not in self._waiting and conversation_id not in self.assigned:
            self._enqueue(conversation_id, buyer_id, tier, queued_at=self._now() - max(0.0, waited_s))

    def restore_assigned(self, conversation_id: int, buyer_id: str, agent_id: int) -> None:
        """Put back an assignment that existed before a restart, even above a since-lowered cap."""
        slot = self.agent(agent_id)
        self.assigned[conversation_id] = agent_id
        self._buyer_of[conversation_id] = buyer_id
        slot.active.add(conversation_id)

    def enqueue(
        self, conversation_id: int, buyer_id: str, tier: Tier = Tier.NORMAL,
        reserved_for: int | None = None, reserve_s: float = 0.0,
    ) -> list[Assignment]:
        """A conversation needs an agent; returns the assignments this makes possible."""
        if conversation_id in self.assigned or conversation_id in self._waiting:
            return []
        self._enqueue(conversation_id, buyer_id, tier, reserved_for, reserve_s)
        return self.dispatch()

    def _enqueue(
        self, conversation_id: int, buyer_id: str, tier: Tier,
        reserved_for: int | None = None, reserve_s: float = 0.0, queued_at: float | None = None,
    ) -> None:
        self._order += 1
        w = Waiting(conversation_id, buyer_id, tier, self._now() if queued_at is None else queued_at, self._order)
        if reserved_for is not None and reserve_s > 0:
            w.reserved_for, w.reserved_until = reserved_for, self._now() + reserve_s
        self._waiting[conversation_id] = w
        self._queue.add((*w.key, conversation_id))

    def _dequeue(self, conversation_id: int) -> Waiting | None:
        w = self._waiting.pop(conversation_id, None)
        if w is not None:
            self._queue.remove((*w.key, conversation_id))
        return w

    def _unassign(self, conversation_id: int) -> int | None:
        agent_id = self.assigned.pop(conversation_id, None)
        if agent_id is not None:
            self.agents[agent_id].active.discard(conversation_id)
        return agent_id

    def _assign(self, conversation_id: int, buyer_id: str, slot: AgentSlot, reason: Reason) -> Assignment:
        self.assigned[conversation_id] = slot.account_id
        self._buyer_of[conversation_id] = buyer_id
        slot.active.add(conversation_id)
        slot.idle_since = self._now()
        return Assignment(conversation_id, slot.account_id, reason)

    def release(self, conversation_id: int) -> list[Assignment]:
        """The conversation is resolved or closed: free its place or its agent's slot."""
        self._dequeue(conversation_id)
        self._buyer_of.pop(conversation_id, None)
        self._unassign(conversation_id)
        return self.dispatch()

    def claim(self, account_id: int, conversation_id: int) -> Assignment:
        """Manual claim of a queued conversation."""
        if self.mode == "auto":
            raise RoutingError("forbidden", "this shop assigns chats automatically; claiming is off")
        slot = self.agent(account_id)
        if conversation_id in self.assigned:
            raise RoutingError("conflict", "this chat was already taken", ConflictReason.TAKEN)
        if conversation_id not in self._waiting:
            raise RoutingError("not_found", "this chat is not waiting in the queue")
        if slot.status == "offline":
            raise RoutingError("conflict", "go online before claiming chats", ConflictReason.NOT_ONLINE)
        if len(slot.active) >= slot.cap:
            raise RoutingError("conflict", f"you already have {len(slot.active)} chats, your maximum",
                               ConflictReason.AT_CAP)
        w = self._dequeue(conversation_id)
        assert w is not None
        return self._assign(conversation_id, w.buyer_id, slot, "claim")

    def transfer(self, conversation_id: int, to_agent: int | None, *, reason: Reason = "transfer") -> list[Assignment]:
        """Move an assigned chat to a named agent of the shop, or back to the head of the queue."""
        if conversation_id not in self.assigned:
            raise RoutingError("conflict", "this chat is not assigned to anybody", ConflictReason.UNASSIGNED)
        if to_agent is not None:
            target = self.agent(to_agent)
            if not target.takes_queue:
                raise RoutingError("invalid_field", "chats go to agents, not supervisors")
            if target.account_id == self.assigned[conversation_id]:
                raise RoutingError("conflict", "the chat is already with this agent", ConflictReason.SAME_AGENT)
            if target.status == "offline":
                raise RoutingError("conflict", f"{target.name} is offline", ConflictReason.TARGET_OFFLINE)
            if len(target.active) >= target.cap:
                raise RoutingError("conflict", f"{target.name} is at their maximum of {target.cap} chats",
                                   ConflictReason.TARGET_AT_CAP)
        buyer = self._buyer_of.get(conversation_id, "")
        self._unassign(conversation_id)
        if to_agent is None:
            self._enqueue(conversation_id, buyer, Tier.RETURNED)
            return self.dispatch()
        moved = self._assign(conversation_id, buyer, self.agents[to_agent], reason)
        return [moved, *self.dispatch()]

    def take_over(self, conversation_id: int, account_id: int) -> list[Assignment]:
        """A supervisor takes a chat (assigned or queued) to answer it themselves, above any cap."""
        slot = self.agent(account_id)
        holder = self.assigned.get(conversation_id)
        if holder == account_id:
            raise RoutingError("conflict", "you already have this chat", ConflictReason.SAME_AGENT)
        waiting = self._dequeue(conversation_id)
        if holder is None and waiting is None:
            raise RoutingError("not_found", "this chat is neither queued nor assigned")
        buyer = waiting.buyer_id if waiting is not None else self._buyer_of.get(conversation_id, "")
        self._unassign(conversation_id)
        moved = self._assign(conversation_id, buyer, slot, "takeover")
        return [moved, *self.dispatch()]

    # decisions ------------------------------------------------------------------------------

    def best_agent(self) -> AgentSlot | None:
        """The least-loaded eligible agent, longest idle first on ties."""
        best: AgentSlot | None = None
        for slot in self.agents.values():
            if slot.eligible and (
                best is None
                or (len(slot.active), slot.idle_since, slot.account_id)
                < (len(best.active), best.idle_since, best.account_id)
            ):
                best = slot
        return best

    def dispatch(self) -> list[Assignment]:
        """Assign queued conversations while an eligible agent has room."""
        made: list[Assignment] = []
        if self.mode == "manual":
            return made
        now = self._now()
        i = 0
        while i < len(self._queue):
            conversation_id = self._queue[i][-1]
            w = self._waiting[conversation_id]
            mine = self._reserved_agent(w, now)
            if mine is not None:
                if mine.eligible:
                    self._dequeue(conversation_id)
                    made.append(self._assign(conversation_id, w.buyer_id, mine, "exclusive"))
                else:
                    i += 1  # keeps waiting for its agent without blocking the rest
                continue
            best = self.best_agent()
            if best is None:
                break
            self._dequeue(conversation_id)
            made.append(self._assign(conversation_id, w.buyer_id, best, "auto"))
        return made

    # what buyers and supervisors see --------------------------------------------------------

    def position(self, conversation_id: int) -> int | None:
        """1-based place in the queue, or None if not waiting."""
        w = self._waiting.get(conversation_id)
        if w is None:
            return None
        return int(self._queue.bisect_left((*w.key, conversation_id))) + 1

    def waiting(self) -> list[Waiting]:
        """Queued conversations, head first."""
        return [self._waiting[key[-1]] for key in self._queue]

    def waiting_count(self) -> int:
        return len(self._queue)

    def is_reserved(self, conversation_id: int) -> bool:
        """The conversation waits for its exclusive agent right now (what `dispatch` honours): queued,
        within its 60 s, and that agent connected. While the agent is offline normal rules apply (the
        buyer is not told to wait for them); back within the 60 s, the chat is reserved for them again."""
        w = self._waiting.get(conversation_id)
        return w is not None and self._reserved_agent(w, self._now()) is not None

    def _reserved_agent(self, w: Waiting, now: float) -> AgentSlot | None:
        """The agent `w` is reserved for, if the reservation holds at `now`: the one rule that both
        `dispatch` and `is_reserved` follow."""
        if w.reserved_for is None or w.reserved_until <= now:
            return None
        mine = self.agents.get(w.reserved_for)
        return mine if mine is not None and mine.status != "offline" else None
