"""Property tests of the routing engine over random arrivals, departures, statuses and caps.

The oracle is `Model`: the rules of docs/routing.md written out plainly, on its own state; it takes
nothing from `ShopRouter`. The state machine gives both the same inputs and checks every decision the
router returns (which chat, which agent, which reason, which refusal) and what waits afterwards.
Where the document leaves a choice open (two agents equally loaded and equally idle, two chats queued
at the same instant) the model accepts any of the documented candidates.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import TypeVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from relay.routing import Assignment, RoutingError, ShopRouter, Tier

T = TypeVar("T")
AGENTS = list(range(1, 7))
RESERVE_S = 60.0  # docs/routing.md, "Exclusive agent": reserved for that agent for 60 s

SEEN: Counter[str] = Counter()


@dataclass
class ModelAgent:
    status: str = "offline"
    cap: int = 8
    chats: set[int] = field(default_factory=set)
    idle_since: float = 0.0  # see set_status


@dataclass
class ModelChat:
    conversation_id: int
    tier: Tier
    queued_at: float
    reserved_for: int | None = None
    reserved_until: float = -math.inf


class Model:
    """docs/routing.md as a plain model: who may get which chat, and which requests are refused."""

    def __init__(self, now: float, mode: str) -> None:
        self.now = now
        self.mode = mode
        self.agents: dict[int, ModelAgent] = {}
        self.queue: dict[int, ModelChat] = {}
        self.owner: dict[int, int] = {}

    # the rules ----------------------------------------------------------------------------------

    def eligible(self, agent_id: int) -> bool:
        """'Eligible: status online and fewer active chats than their cap.'"""
        a = self.agents[agent_id]
        return a.status == "online" and len(a.chats) < a.cap

    def waits_for_its_agent(self, chat: ModelChat) -> bool:
        """Reserved for 60 s for a connected exclusive agent ('or the agent disconnects, normal rules apply').

        While the agent is disconnected normal rules apply; back within the 60 s, the chat is theirs
        again, as 'reconnecting within [the grace] changes nothing'.
        """
        return (chat.reserved_for is not None and self.now < chat.reserved_until
                and self.agents[chat.reserved_for].status != "offline")

    def best_agents(self) -> set[int]:
        """'The eligible agent with the fewest active chats; ties go to the agent idle longest.'"""
        eligible = [i for i in self.agents if self.eligible(i)]
        if not eligible:
            return set()
        fewest = min(len(self.agents[i].chats) for i in eligible)
        tied = [i for i in eligible if len(self.agents[i].chats) == fewest]
        oldest = min(self.agents[i].idle_since for i in tied)
        return {i for i in tied if self.agents[i].idle_since == oldest}

    def in_order(self) -> list[list[ModelChat]]:
        """The queue 'ordered by tier, then by the time queued (oldest first)', as groups of equals."""
        def key(c: ModelChat) -> tuple[int, float]:
            return int(c.tier), c.queued_at

        return [list(g) for _, g in groupby(sorted(self.queue.values(), key=key), key=key)]

    def next_decisions(self) -> dict[int, tuple[set[int], str]]:
        """The chats the rules let the relay assign next, each with the agents it may go to and why."""
        if self.mode == "manual":
            return {}
        for group in self.in_order():
            legal: dict[int, tuple[set[int], str]] = {}
            for chat in group:
                if self.waits_for_its_agent(chat):
                    assert chat.reserved_for is not None
                    if self.eligible(chat.reserved_for):
                        legal[chat.conversation_id] = ({chat.reserved_for}, "exclusive")
                    # else it waits for its agent, and does not block the chats behind it
                elif best := self.best_agents():
                    legal[chat.conversation_id] = (best, "auto")
            if legal:
                return legal
        return {}

    # changes ------------------------------------------------------------------------------------

    def assign(self, conversation_id: int, agent_id: int) -> None:
        self.queue.pop(conversation_id, None)
        self.owner[conversation_id] = agent_id
        agent = self.agents[agent_id]
        agent.chats.add(conversation_id)
        agent.idle_since = self.now

    def unassign(self, conversation_id: int) -> None:
        agent_id = self.owner.pop(conversation_id, None)
        if agent_id is not None:
            self.agents[agent_id].chats.discard(conversation_id)

    def enqueue(self, conversation_id: int, tier: Tier, reserved_for: int | None = None) -> None:
        chat = ModelChat(conversation_id, tier, self.now)
        if reserved_for is not None:
            chat.reserved_for, chat.reserved_until = reserved_for, self.now + RESERVE_S
        self.queue[conversation_id] = chat

    def set_status(self, agent_id: int, status: str) -> None:
        """Ties go to the agent 'idle longest (the oldest last assignment)'. The document does not say
        when an agent who comes online with no chat became idle; the model (like the relay) takes
        that moment, not an assignment made before they went away."""
        agent = self.agents[agent_id]
        if agent.status != "online" and status == "online" and not agent.chats:
            agent.idle_since = self.now
        agent.status = status

    def claim_refusals(self, agent_id: int, conversation_id: int) -> set[str]:
        """docs/routing.md, Errors: the codes a claim may be refused with (empty: it must succeed)."""
        codes = set()
        if self.mode == "auto":
            codes.add("forbidden")
        if conversation_id in self.owner:
            codes.add("conflict")
        elif conversation_id not in self.queue:
            codes.add("not_found")
        agent = self.agents[agent_id]
        if agent.status == "offline" or len(agent.chats) >= agent.cap:
            codes.add("conflict")
        return codes

    def transfer_refusals(self, to_agent: int | None) -> set[str]:
        """Errors table: 'transfer to an offline or full agent: conflict' (busy or away agents may receive)."""
        if to_agent is None:
            return set()
        target = self.agents[to_agent]
        return {"conflict"} if target.status == "offline" or len(target.chats) >= target.cap else set()


class RoutingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.time = 0.0
        self.router = ShopRouter(lambda: self.time)
        self.model = Model(self.time, "auto")
        self.next_conv = 1

    # lockstep helpers ----------------------------------------------------------------------------

    def tick(self, seconds: float) -> None:
        self.time += seconds
        self.model.now = self.time

    def check(self, made: list[Assignment], first: tuple[int, int, str] | None = None) -> None:
        """Every decision the router returned is one the rules allow, in order, and none is missing."""
        decisions = list(made)
        if first is not None:
            assert decisions, f"expected {first}, the router made no decision"
            d = decisions.pop(0)
            assert (d.conversation_id, d.agent_id, d.reason) == first
            self.model.assign(d.conversation_id, d.agent_id)
        for d in decisions:
            legal = self.model.next_decisions()
            assert d.conversation_id in legal, f"{d} but the rules assign next: {legal or 'nothing'}"
            agents, reason = legal[d.conversation_id]
            assert d.agent_id in agents and d.reason == reason, f"{d} but the rules say {agents}, {reason}"
            if reason == "auto":
                SEEN["auto with a choice"] += sum(self.model.eligible(a) for a in self.model.agents) > 1
                head = self.model.queue[d.conversation_id]
                SEEN["auto past a reserved chat"] += any(
                    self.model.waits_for_its_agent(c) and (c.tier, c.queued_at) < (head.tier, head.queued_at)
                    for c in self.model.queue.values())
            SEEN[reason] += 1
            self.model.assign(d.conversation_id, d.agent_id)
        assert not self.model.next_decisions(), f"left waiting: {self.model.next_decisions()}"

    def attempt(self, call: Callable[[], T], codes: set[str]) -> T | None:
        """Run a request the rules may refuse: None if refused (with a code the rules allow), else its result."""
        try:
            result = call()
        except RoutingError as exc:
            assert codes, f"refused with {exc.code!r} ({exc.message}); the rules allow it"
            assert exc.code in codes, f"refused with {exc.code!r}, the rules say {codes}"
            SEEN[f"refused {exc.code}"] += 1
            return None
        assert not codes, f"accepted; the rules refuse it with {codes}"
        return result

    # rules ---------------------------------------------------------------------------------------

    @initialize(
        mode=st.sampled_from(["auto", "auto", "both", "manual"]),
        caps=st.lists(st.integers(1, 4), min_size=6, max_size=6),
        online=st.lists(st.booleans(), min_size=6, max_size=6),
    )
    def setup(self, mode: str, caps: list[int], online: list[bool]) -> None:
        self.router.mode = mode  # type: ignore[assignment]
        self.model.mode = mode
        for agent, cap, on in zip(AGENTS, caps, online, strict=True):
            self.router.add_agent(agent, f"agent{agent}", cap)
            self.model.agents[agent] = ModelAgent(cap=cap)
            if on:
                self.tick(1)
                self.model.set_status(agent, "online")
                self.check(self.router.set_status(agent, "online"))

    @rule(seconds=st.floats(0, 90))
    def time_passes(self, seconds: float) -> None:
        self.tick(seconds)
        self.check(self.router.dispatch())  # what the relay's reservation timer does

    def _arrive(self, conversation_id: int, tier: Tier, exclusive: int | None) -> None:
        # The relay reserves a chat only for an exclusive agent who is connected (relay/desk.py).
        if exclusive is not None and self.model.agents[exclusive].status == "offline":
            exclusive = None
        self.model.enqueue(conversation_id, tier, exclusive)
        self.check(self.router.enqueue(conversation_id, f"b{conversation_id}", tier, exclusive,
                                       RESERVE_S if exclusive else 0.0))

    @rule(
        arrivals=st.lists(st.tuples(st.sampled_from(list(Tier)), st.none() | st.sampled_from(AGENTS)),
                          min_size=1, max_size=6),
    )
    def buyers_arrive(self, arrivals: list[tuple[Tier, int | None]]) -> None:
        for tier, exclusive in arrivals:
            self._arrive(self.next_conv, tier, exclusive)
            self.next_conv += 1
            self.tick(0.5)
        self.check(self.router.dispatch())  # time moved: a reservation may have ended

    @precondition(lambda self: len(self.model.queue) + len(self.model.owner) < self.next_conv - 1)
    @rule(data=st.data(), tier=st.sampled_from(list(Tier)), exclusive=st.none() | st.sampled_from(AGENTS))
    def closed_chat_reopens(self, data: st.DataObject, tier: Tier, exclusive: int | None) -> None:
        """'The buyer's next message reopens a closed conversation: it enters the queue again.'"""
        closed = [c for c in range(1, self.next_conv) if c not in self.model.queue and c not in self.model.owner]
        self._arrive(data.draw(st.sampled_from(closed)), tier, exclusive)

    @rule(agent=st.sampled_from(AGENTS), status=st.sampled_from(["online", "online", "online", "busy", "away",
                                                                "offline"]))
    def status_changes(self, agent: int, status: str) -> None:
        self.model.set_status(agent, status)
        self.check(self.router.set_status(agent, status))  # type: ignore[arg-type]

    @rule(agent=st.sampled_from(AGENTS), cap=st.integers(1, 5))
    def cap_changes(self, agent: int, cap: int) -> None:
        self.model.agents[agent].cap = cap
        self.check(self.router.set_cap(agent, cap))

    @rule(agent=st.sampled_from(AGENTS))
    def agent_leaves_for_good(self, agent: int) -> None:
        """Grace over: 'their chats go to the head of the queue (tier returned)'."""
        theirs = sorted(self.model.agents[agent].chats)
        self.model.set_status(agent, "offline")
        for conversation_id in theirs:
            self.model.unassign(conversation_id)
            self.model.enqueue(conversation_id, Tier.RETURNED)
        assert sorted(self.router.hand_back(agent)) == theirs
        SEEN["handed back"] += len(theirs)
        self.check(self.router.dispatch())

    @precondition(lambda self: self.next_conv > 1)
    @rule(data=st.data())
    def chat_ends(self, data: st.DataObject) -> None:
        conversation_id = data.draw(st.integers(1, self.next_conv - 1))
        self.model.queue.pop(conversation_id, None)
        self.model.unassign(conversation_id)
        self.check(self.router.release(conversation_id))

    @precondition(lambda self: self.next_conv > 1)
    @rule(data=st.data(), agent=st.sampled_from(AGENTS))
    def agent_claims(self, data: st.DataObject, agent: int) -> None:
        conversation_id = data.draw(st.integers(1, self.next_conv - 1))
        claimed = self.attempt(lambda: self.router.claim(agent, conversation_id),
                               self.model.claim_refusals(agent, conversation_id))
        if claimed is not None:
            SEEN["claim"] += 1
            self.check([claimed], first=(conversation_id, agent, "claim"))

    @precondition(lambda self: bool(self.model.owner))
    @rule(data=st.data(), to=st.none() | st.sampled_from(AGENTS))
    def transfer(self, data: st.DataObject, to: int | None) -> None:
        conversation_id = data.draw(st.sampled_from(sorted(self.model.owner)))
        if to == self.model.owner[conversation_id]:
            return  # to the agent who has it: docs/routing.md does not say, so neither does the model
        made = self.attempt(lambda: self.router.transfer(conversation_id, to), self.model.transfer_refusals(to))
        if made is None:
            return
        self.model.unassign(conversation_id)
        if to is None:  # 'back to the queue': tier returned
            SEEN["transfer to the queue"] += 1
            self.model.enqueue(conversation_id, Tier.RETURNED)
            self.check(made)
        else:
            SEEN["transfer to an agent"] += 1
            self.check(made, first=(conversation_id, to, "transfer"))

    # what must hold between steps ----------------------------------------------------------------

    @invariant()
    def the_router_agrees_with_the_model(self) -> None:
        assert self.router.assigned == self.model.owner
        for agent_id, agent in self.model.agents.items():
            assert self.router.agents[agent_id].active == agent.chats
        waiting = self.router.waiting()
        assert {w.conversation_id for w in waiting} == set(self.model.queue)
        # Head first, by tier then time queued; chats queued at the same instant may be in any order.
        groups = [{c.conversation_id for c in g} for g in self.model.in_order()]
        seen = 0
        for group in groups:
            assert {w.conversation_id for w in waiting[seen:seen + len(group)]} == group, "queue out of order"
            for w in waiting[seen:seen + len(group)]:
                assert self.router.position(w.conversation_id) in range(seen + 1, seen + len(group) + 1)
            seen += len(group)

    @invariant()
    def the_chats_shown_as_reserved_are_the_reserved_ones(self) -> None:
        # `is_reserved` is what the buyer ('waiting_for_your_agent') and the queue panel are shown:
        # exactly the chats that wait for their agent, so not one whose agent is disconnected.
        for chat in self.model.queue.values():
            if self.model.waits_for_its_agent(chat):
                SEEN["shown reserved"] += 1
            elif chat.reserved_for is not None and self.time < chat.reserved_until:
                SEEN["not shown reserved, agent offline"] += 1
            assert self.router.is_reserved(chat.conversation_id) == self.model.waits_for_its_agent(chat)


RoutingMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
TestRouting = RoutingMachine.TestCase


class SeededRouting(RoutingMachine.TestCase):  # type: ignore[misc,valid-type]
    """The same machine on a fixed seed, so the vacuity check below does not depend on luck."""

    __test__ = False  # run by the test below, not collected on its own
    settings = settings(max_examples=200, stateful_step_count=40, deadline=None, derandomize=True)


def test_the_machine_exercised_real_choices() -> None:
    """Guards the properties above against vacuity: every kind of decision and refusal did happen."""
    SEEN.clear()
    SeededRouting("runTest").runTest()
    assert SEEN["auto with a choice"] > 100
    assert SEEN["auto past a reserved chat"] > 5
    for kind in ("exclusive", "claim", "transfer to the queue", "transfer to an agent", "handed back",
                 "refused conflict", "refused forbidden", "refused not_found", "shown reserved",
                 "not shown reserved, agent offline"):
        assert SEEN[kind] > 5, f"{kind}: {SEEN[kind]}"


def test_a_reservation_is_not_shown_while_its_agent_is_disconnected() -> None:
    """'When the 60 s are over, or the agent disconnects, normal rules apply': the buyer should not be
    told 'waiting_for_your_agent' (relay/desk.py asks `is_reserved`) while that agent is offline."""
    now = 0.0
    router = ShopRouter(lambda: now)
    router.add_agent(1, "agent1", cap=1)
    router.set_status(1, "online")
    router.enqueue(1, "b1")  # agent1 is full
    router.enqueue(2, "b2", Tier.NORMAL, reserved_for=1, reserve_s=RESERVE_S)
    assert router.is_reserved(2)
    now = 10.0
    router.set_status(1, "offline")
    assert not router.is_reserved(2)


def test_an_agent_back_within_the_60_s_has_the_reservation_again_until_it_ends() -> None:
    """The model's reading ('reconnecting within [the grace] changes nothing'): offline, the chat follows
    normal rules (here nobody can take it); back online within the 60 s, it waits for them again."""
    now = 0.0
    router = ShopRouter(lambda: now)
    router.add_agent(1, "agent1", cap=1)
    router.set_status(1, "online")
    router.enqueue(1, "b1")  # agent1 is full
    router.enqueue(2, "b2", Tier.NORMAL, reserved_for=1, reserve_s=RESERVE_S)
    now = 10.0
    assert router.set_status(1, "offline") == [] and not router.is_reserved(2)
    now = 30.0
    assert router.set_status(1, "online") == [] and router.is_reserved(2)
    now = RESERVE_S
    assert router.dispatch() == [] and not router.is_reserved(2)
    assert [w.conversation_id for w in router.waiting()] == [2]


# set_cap: docs/routing.md ('per agent, default 8, 1-50') and docs/protocol.md (`cap`: integer 1-50).

@pytest.mark.parametrize("cap", [1, 50])
def test_a_cap_at_the_documented_limits_is_accepted(cap: int) -> None:
    router = ShopRouter(lambda: 0.0)
    router.add_agent(1, "agent1")
    router.set_cap(1, cap)
    assert router.agents[1].cap == cap


@pytest.mark.parametrize("cap", [0, 51, 100])
def test_a_cap_outside_the_documented_limits_is_refused_and_changes_nothing(cap: int) -> None:
    router = ShopRouter(lambda: 0.0)
    router.add_agent(1, "agent1", cap=8)
    with pytest.raises(RoutingError) as err:
        router.set_cap(1, cap)
    assert err.value.code == "invalid_field" and err.value.message == "cap must be between 1 and 50"
    assert router.agents[1].cap == 8
