"""Buyers, agents and the buyer page in Chromium talk to the relay through the chaos proxy (tests/chaos/
proxy.py), which delays, cuts connections mid-frame, refuses, drops and blackholes them on a seeded
schedule. The clients reconnect on their own, resume by seq and resend what was not acked, in a shuffled
order and some twice. Every message is stored once, under the seq its acks named, each conversation's seqs
are dense, and every receiver gets each message once, in seq order, with no gap: what it missed while cut
comes with the resuming `sync`."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.async_api import Page, expect

from app.client import KefuClient, buyer_session, login
from app.errors import ConnectionLost, RelayError
from tests.chaos.proxy import ChaosProxy
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.e2e.test_buyer_page import bubble_texts, type_and_send, wait_js
from tests.relay.helpers import db_rows, next_chat, until
from wire import frames as f
from wire.errors import ErrorCode

BUYERS = 20
PER_BUYER = 50
IN_FLIGHT = 5
REPLY_EVERY = 5
"""An agent answers every fifth message of a buyer."""
CHAOS_S = 12.0
"""How long the proxy's fault schedule runs; the bursts go on (and end) under it."""
BUYER_PAUSE = (0.3, 1.5)
"""Seconds between a buyer's groups of IN_FLIGHT messages: the bursts last about as long as the faults."""
RESEND_TWICE = 0.3
"""After a reconnect, the share of unacked messages sent twice (at once, pipelined)."""
DOUBT = (ConnectionLost, TimeoutError)
"""What a client cannot tell from a lost message: reconnect and resend."""


@dataclass(eq=False)
class Peer:
    """A KefuClient with what it was told: every ack, and every message pushed to it (after its dedup)."""

    name: str
    client: KefuClient
    rng: random.Random
    acks: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    """client_msg_id -> the seq of every ack of it (first, resent, duplicate)."""
    own: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    """conversation -> the seqs of this peer's own messages (it is told them by acks, not pushed them)."""
    seen: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    assigned: set[int] = field(default_factory=set)
    online: asyncio.Event = field(default_factory=asyncio.Event)
    doubt: asyncio.Event = field(default_factory=asyncio.Event)
    reconnects: int = 0
    slowest_connect: float = 0.0
    doubts: Counter[str] = field(default_factory=Counter)
    resent_twice: int = 0
    resumed: int = 0

    async def send(self, conversation_id: int, text: str, client_msg_id: str) -> f.Ack:
        ack = await self.client.send_text(conversation_id, text, client_msg_id)
        assert ack.conversation_id == conversation_id and ack.client_msg_id == client_msg_id, ack
        self.acks[client_msg_id].append(ack.seq)
        self.own[conversation_id].add(ack.seq)
        return ack

    def watched(self, conversations: dict[str, int]) -> list[int]:
        """The conversations this peer receives: a buyer's own, an agent's assigned ones."""
        return [conversations[self.name]] if self.name in conversations else sorted(self.assigned)

    def missing(self, conversation_id: int, last_seq: int) -> set[int]:
        """Seqs up to `last_seq` this peer was neither pushed nor acked."""
        return set(range(1, last_seq + 1)) - set(self.seen[conversation_id]) - self.own[conversation_id]


def failed(peer: Peer, results: list[Any]) -> bool:
    """Whether any of a gather's results is a doubt (counted by kind); anything else unexpected is raised."""
    doubts = False
    for res in results:
        if isinstance(res, BaseException):
            if not isinstance(res, DOUBT) and not (isinstance(res, RelayError) and res.code == ErrorCode.UNAVAILABLE):
                raise res
            peer.doubts[type(res).__name__] += 1
            doubts = True
    return doubts


async def recover(peer: Peer) -> None:
    """Connect again (resuming from the client's cursors), then resend every unacked message: shuffled,
    and some twice at once. Raises a doubt if the new connection fails too."""
    peer.online.clear()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await peer.client.connect()
    peer.slowest_connect = max(peer.slowest_connect, loop.time() - started)
    peer.reconnects += 1
    frames = list(peer.client.unacked.values())
    peer.rng.shuffle(frames)
    twice = [frame for frame in frames if peer.rng.random() < RESEND_TWICE]
    peer.resent_twice += len(twice)
    resends = [*frames, *twice]
    peer.rng.shuffle(resends)
    results = await asyncio.gather(*(peer.send(fr.conversation_id, fr.text, fr.client_msg_id) for fr in resends),
                                   return_exceptions=True)
    if failed(peer, results):
        raise ConnectionLost("a resend failed")
    peer.doubt.clear()
    peer.online.set()


async def supervise(peer: Peer, stop: asyncio.Event) -> None:
    """The peer's own reconnect loop: whenever its connection closes or a request went unanswered."""
    while not stop.is_set():
        if peer.online.is_set() and peer.client.connected and not peer.doubt.is_set():
            waits = [asyncio.ensure_future(e.wait()) for e in (peer.client.closed, peer.doubt, stop)]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for w in waits:
                w.cancel()
            continue
        try:
            await recover(peer)
        except DOUBT:
            await asyncio.sleep(peer.rng.uniform(0.05, 0.25))
        except RelayError as exc:
            if exc.code not in (ErrorCode.UNAVAILABLE, ErrorCode.GOING_AWAY):
                raise
            await asyncio.sleep(peer.rng.uniform(0.05, 0.25))


def answered(client_msg_id: str) -> bool:
    """Whether an agent answers this buyer message (`m-<buyer>-<i>`: every REPLY_EVERY-th)."""
    return client_msg_id.startswith("m-") and int(client_msg_id.rsplit("-", 1)[1]) % REPLY_EVERY == REPLY_EVERY - 1


async def consume(peer: Peer, replies: asyncio.Queue[f.Message] | None) -> None:
    """Record what is pushed to the peer; an agent queues a reply to every REPLY_EVERY-th buyer message."""
    while True:
        frame = await peer.client.events.get()
        if isinstance(frame, f.Assignment) and frame.conversation.agent_id == peer.client.session.user_id:  # type: ignore[union-attr]
            peer.assigned.add(frame.conversation.conversation_id)
        if not isinstance(frame, f.Message):
            continue
        peer.seen[frame.conversation_id].append(frame.seq)
        if not peer.online.is_set():
            peer.resumed += 1  # pushed while reconnecting: a gap the resuming `sync` filled
        if replies is not None and frame.sender.kind == "buyer" and answered(frame.client_msg_id):
            replies.put_nowait(frame)


async def until_sent(peer: Peer, conversation_id: int, items: list[tuple[str, str]],
                     pause: tuple[float, float] | None = None) -> None:
    """Send (text, client_msg_id) pairs, IN_FLIGHT at a time, until each is acked, whatever the proxy does;
    `pause` seconds (drawn between the two) after each group spreads a burst over the fault schedule."""
    for start in range(0, len(items), IN_FLIGHT):
        chunk = items[start:start + IN_FLIGHT]
        if pause is not None and start:
            await asyncio.sleep(peer.rng.uniform(*pause))
        while True:
            await peer.online.wait()
            todo = [(text, cmid) for text, cmid in chunk if cmid not in peer.acks]
            results = await asyncio.gather(*(peer.send(conversation_id, t, c) for t, c in todo),
                                           return_exceptions=True)
            if not failed(peer, results):
                break
            peer.online.clear()
            peer.doubt.set()  # the supervisor reconnects and resends; then this chunk goes again if need be
            await asyncio.sleep(0)


async def answer(peer: Peer, replies: asyncio.Queue[f.Message], stop: asyncio.Event) -> None:
    """An agent answers what `consume` queued, a few at a time."""
    while not stop.is_set():
        try:
            first = await asyncio.wait_for(replies.get(), 0.2)
        except TimeoutError:
            continue
        batch = [first]
        while len(batch) < IN_FLIGHT and not replies.empty():
            batch.append(replies.get_nowait())
        groups: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for m in batch:
            groups[m.conversation_id].append((f"回复 {m.client_msg_id}", f"r-{m.client_msg_id}"))
        await asyncio.gather(*(until_sent(peer, conv, items) for conv, items in groups.items()))


async def make_peer(url: str, name: str, seed: int, *, buyer: str | None = None) -> Peer:
    if buyer is not None:
        token = (await buyer_session(url, buyer)).token
    else:
        token = (await login(url, MAIN_SHOP, name, DEMO_PASSWORD)).token
    peer = Peer(name, KefuClient(url, token, request_timeout=3.0), random.Random(f"{seed}-{name}"))
    await peer.client.connect()
    peer.online.set()
    return peer


async def test_buyers_and_agents_through_the_chaos_proxy_store_and_see_every_message_once(
        chaos_relay: RunningRelay, proxy: ChaosProxy, chaos_seed: int) -> None:
    supervisor = KefuClient(chaos_relay.url, (await login(chaos_relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD)).token)
    agents = [await make_peer(proxy.url, name, chaos_seed) for name in ("agent1", "agent2")]
    buyers = [await make_peer(proxy.url, f"b-jiadian-{n + 1:04d}", chaos_seed, buyer=f"b-jiadian-{n + 1:04d}")
              for n in range(BUYERS)]
    replies: dict[str, asyncio.Queue[f.Message]] = {a.name: asyncio.Queue() for a in agents}
    stop = asyncio.Event()
    tasks = [asyncio.create_task(consume(p, replies.get(p.name))) for p in (*agents, *buyers)]
    conversations: dict[str, int] = {}
    try:
        await supervisor.connect()
        for agent in agents:
            assert agent.client.session is not None
            await supervisor.call(f.SetCap, agent_id=agent.client.session.user_id, cap=BUYERS)
        # Fault-free warm-up: every chat opened, written to once and assigned, each side holding a cursor.
        for buyer in buyers:
            conv = (await buyer.client.open_conversation(MAIN_SHOP)).conversation_id
            conversations[buyer.name] = conv
            await buyer.send(conv, "你好", f"hello-{buyer.name}")
        await until(lambda: sum(len(a.assigned) for a in agents) == BUYERS)
        await until(lambda: all(buyer.client.cursors.get(conversations[buyer.name]) for buyer in buyers))
        await until(lambda: all(a.client.cursors.get(c) for a in agents for c in a.assigned))

        tasks += [asyncio.create_task(supervise(p, stop)) for p in (*agents, *buyers)]
        tasks += [asyncio.create_task(answer(a, replies[a.name], stop)) for a in agents]
        schedule = asyncio.create_task(proxy.run_schedule(CHAOS_S))
        await asyncio.gather(*(
            until_sent(b, conversations[b.name], [(f"{b.name} 第{i}条", f"m-{b.name}-{i}") for i in range(PER_BUYER)],
                       pause=BUYER_PAUSE) for b in buyers))
        log = await schedule
        print("faults:", " ".join(log))
        print("proxy:", dict(proxy.stats))
        expected_replies = BUYERS * (PER_BUYER // REPLY_EVERY)
        with contextlib.suppress(AssertionError):  # what is still missing is described below
            await until(lambda: sum(len(a.acks) for a in agents) == expected_replies
                        and not any(a.client.unacked for a in agents), timeout=30)
        last = {conv: seq for conv, seq in db_rows(
            chaos_relay, "SELECT conversation_id, MAX(seq) FROM messages GROUP BY conversation_id")}

        with contextlib.suppress(AssertionError):
            await until(lambda: not any(p.missing(c, last[c]) for p in (*agents, *buyers)
                                        for c in p.watched(conversations)), timeout=15)
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for peer in (*agents, *buyers):
            await peer.client.close()
        await supervisor.close()
    crashed = [r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
    assert not crashed, crashed
    print("reconnects:", {p.name: p.reconnects for p in (*agents, *buyers) if p.reconnects},
          "resent twice:", sum(p.resent_twice for p in (*agents, *buyers)),
          "pushed while resuming:", sum(p.resumed for p in (*agents, *buyers)),
          "doubts:", sum((p.doubts for p in (*agents, *buyers)), Counter()),
          f"slowest reconnect: {max(p.slowest_connect for p in (*agents, *buyers)):.1f} s")
    check_store_and_receivers(chaos_relay, conversations, buyers, agents)
    assert sum(p.resumed for p in (*agents, *buyers)) > 0, "no gap was ever filled by a resume: the test proved little"
    assert sum(p.resent_twice for p in (*agents, *buyers)) > 0


def check_store_and_receivers(relay: RunningRelay, conversations: dict[str, int], buyers: list[Peer],
                              agents: list[Peer]) -> None:
    ids = ",".join(str(c) for c in conversations.values())
    rows = db_rows(relay, "SELECT conversation_id, seq, client_msg_id, sender_kind FROM messages"
                          f" WHERE conversation_id IN ({ids}) ORDER BY conversation_id, seq")
    by_cmid: dict[str, list[tuple[int, int]]] = defaultdict(list)
    seqs: dict[int, list[int]] = defaultdict(list)
    for conv, seq, cmid, _ in rows:
        by_cmid[cmid].append((conv, seq))
        seqs[conv].append(seq)
    # Every message stored exactly once: each buyer's burst and each agent's reply.
    twice = {cmid: where for cmid, where in by_cmid.items() if len(where) > 1}
    assert not twice, f"stored more than once: {twice}"
    stored = {cmid: where[0] for cmid, where in by_cmid.items()}
    # Dense seqs, and every ack (first, resent, duplicate) named the stored seq.
    for conv, conv_seqs in seqs.items():
        assert conv_seqs == list(range(1, len(conv_seqs) + 1)), f"conversation {conv}: seqs {conv_seqs}"
    for peer in (*buyers, *agents):
        for cmid, acked in peer.acks.items():
            assert cmid in stored, f"{peer.name} {cmid}: acked at {acked}, never stored"
            assert all(seq == stored[cmid][1] for seq in acked), f"{peer.name} {cmid}: acks {acked}, at {stored[cmid]}"
    # Every receiver: each message once, in seq order, and none missing (its own come by ack).
    assert sorted(c for a in agents for c in a.assigned) == sorted(conversations.values())
    for peer in (*buyers, *agents):
        for conv in peer.watched(conversations):
            seen = peer.seen[conv]
            assert seen == sorted(set(seen)), f"{peer.name}, conversation {conv}: pushed {seen}"
            gap = peer.missing(conv, len(seqs[conv]))
            assert not gap, f"{peer.name}, conversation {conv}: never got seqs {sorted(gap)} (pushed {seen})"
    # Every buyer message and every reply to it (an agent answers what it was pushed) is there.
    planned = {f"m-{b.name}-{i}" for b in buyers for i in range(PER_BUYER)}
    planned |= {f"r-{m}" for m in planned if answered(m)}
    missing = planned - set(by_cmid)
    assert not missing, f"{len(missing)} planned messages never stored, e.g. {sorted(missing)[:5]}"


# --- the buyer page in Chromium, through the proxy ----------------------------------------------

PAGE_BUYER = "b-jiadian-0001"
PAGE_ROUNDS = ["cut_up", "cut_down", "cut_up", "cut_down", "drop", "blackhole"]
"""One fault on the page's socket per message it sends, in an order drawn from the seed."""


@pytest.mark.e2e
async def test_the_buyer_page_through_the_chaos_proxy_reconnects_and_shows_every_message_once(
        page: Page, chaos_relay: RunningRelay, proxy: ChaosProxy, chaos_seed: int) -> None:
    rng = random.Random(chaos_seed)
    rounds = PAGE_ROUNDS.copy()
    rng.shuffle(rounds)
    print("page rounds:", rounds)
    agent = KefuClient(chaos_relay.url, (await login(chaos_relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token)
    try:
        await agent.connect()
        # The page's origin is the proxy's: its HTTP requests and its WebSocket both go through it.
        await page.goto(f"{proxy.url}/?buyer={PAGE_BUYER}&shop={MAIN_SHOP}")
        await wait_js(page, "window.__kefu && window.__kefu.ready && window.__kefu.conversation !== null")
        await type_and_send(page, "你好")
        conv = (await next_chat(agent)).conversation_id
        proxy.set_delay(0.0, 0.03)
        sent, replies = [], []
        for n, kind in enumerate(rounds):
            text, reply, away = f"第{n}句（{kind}）", f"回复第{n}句", f"断线时第{n}句"
            print("round", n, kind)
            (ws,) = proxy.websockets()
            if kind == "blackhole":
                proxy.blackhole(ws)
            else:
                proxy.cut_after(rng.randint(5, 60), "up" if kind == "cut_up" else "down", ws)
                # The page stays away a while, so the agent's reply is written during the cut.
                (proxy.drop if kind == "drop" else proxy.refuse)(1.5)
            await type_and_send(page, text)
            sent.append(text)
            await agent.send_text(conv, reply)  # into the fault: cut, swallowed, or just before
            await wait_js(page, "window.__kefu.ready === false", timeout=30)
            await agent.send_text(conv, away)  # while the page is away: only its resume can bring it
            replies += [reply, away]
            await wait_js(page, "window.__kefu.ready === true", timeout=30)
            for line in (reply, away):
                await expect(page.get_by_test_id("message-list").get_by_text(line, exact=True)).to_be_visible()
            failed = page.locator("[data-testid=message][data-state=failed]")
            if await failed.count():  # a send that timed out on a dead socket: the buyer taps retry
                await failed.get_by_test_id("retry").click()
            await expect(page.locator("[data-testid=message].pending")).to_have_count(0, timeout=20_000)
        proxy.heal()
        print("proxy:", dict(proxy.stats))
        assert proxy.stats["cuts_mid_chunk"] >= 1  # the page's socket was cut inside what it was sent
    finally:
        await agent.close()

    rows = db_rows(chaos_relay, "SELECT seq, text FROM messages WHERE conversation_id = ? ORDER BY seq", (conv,))
    stored = [text for _, text in rows]
    for text in ["你好", *sent, *replies]:
        assert stored.count(text) == 1, f"{text!r} stored {stored.count(text)} times"
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
    await wait_js(page, f"document.querySelectorAll('[data-testid=message][data-seq]').length === {len(rows)}")
    seqs = await page.eval_on_selector_all("[data-testid=message][data-seq]", "els => els.map(e => +e.dataset.seq)")
    assert seqs == [seq for seq, _ in rows]  # every stored message on the page once, in order, no gap
    texts = await bubble_texts(page)
    for text in ["你好", *sent, *replies]:
        assert texts.count(text) == 1, f"{text!r} shown {texts.count(text)} times"
