"""The bus between relays (relay/bus.py) against a real Redis: order, no echo, and every gap said."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from relay.bus import Bus
from tests.relay.helpers import until
from tests.servers import RedisServer


class Peer:
    """A bus and what it received."""

    def __init__(self, url: str, name: str, **kwargs: int) -> None:
        self.events: list[tuple[str, bytes]] = []
        self.gaps = 0
        self.bus = Bus(url, name, self._event, self._gap, **kwargs)  # type: ignore[arg-type]

    def _event(self, kind: str, payload: bytes) -> None:
        self.events.append((kind, payload))

    async def _gap(self) -> None:
        self.gaps += 1



async def publish_one_by_one(peer: Peer, numbers: range) -> None:
    """Each number its own stream entry (the bus writes what gathered meanwhile as one)."""
    for i in numbers:
        published = peer.bus.published
        peer.bus.publish("msg", str(i).encode())
        await until(lambda: peer.bus.published == published + 1)  # noqa: B023 (awaited at once)


@pytest.fixture
async def peers(redis_url: str) -> AsyncIterator[Callable[..., Peer]]:
    made: list[Peer] = []

    def make(name: str, **kwargs: int) -> Peer:
        peer = Peer(redis_url, name, **kwargs)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        await peer.bus.close()


async def test_events_reach_the_other_relays_in_order_and_never_come_back(peers: Callable[..., Peer]) -> None:
    a, b, c = peers("a"), peers("b"), peers("c")
    for peer in (a, b, c):
        await peer.bus.start()
    await until(lambda: all(p.bus.connected for p in (a, b, c)))
    for i in range(1000):
        (a if i % 2 else b).bus.publish("msg", str(i).encode())
    await until(lambda: len(c.events) == 1000)
    received = [int(p) for _, p in c.events]
    assert sorted(received) == list(range(1000))  # each once
    assert [i for i in received if i % 2] == list(range(1, 1000, 2))  # each relay's in its order
    assert [i for i in received if not i % 2] == list(range(0, 1000, 2))
    assert [int(p) for _, p in a.events] == [i for i in range(1000) if i % 2 == 0]  # b's only, in order
    assert [int(p) for _, p in b.events] == [i for i in range(1000) if i % 2 == 1]
    assert (a.gaps, b.gaps, c.gaps) == (0, 0, 0)


async def test_a_busy_relay_writes_what_gathered_as_one_entry_and_readers_get_every_event(
        peers: Callable[..., Peer], redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import relay.bus as bus_module

    monkeypatch.setattr(bus_module, "BATCH_BYTES", 10_000)
    a, b = peers("a"), peers("b")
    await a.bus.start()
    await b.bus.start()
    await until(lambda: a.bus.connected and b.bus.connected)
    sent = [("big", b"x" * 6_000) if i % 100 == 0 else ("msg", str(i).encode()) for i in range(1200)]
    for kind, payload in sent:  # all queued before the writer runs
        a.bus.publish(kind, payload)
    await until(lambda: len(b.events) == 1200)
    assert b.events == sent
    admin = aioredis.Redis.from_url(redis_url)
    try:
        entries = await admin.xlen("kefu:events")
    finally:
        await admin.aclose()
    assert entries == 12  # not 1200, nor 3 (BATCH a entry): two big events exceed BATCH_BYTES


async def test_redis_restarted_empty_is_a_gap_and_events_flow_again(
        peers: Callable[..., Peer], redis_server: RedisServer) -> None:
    a, b = peers("a"), peers("b")
    await a.bus.start()
    await b.bus.start()
    await until(lambda: a.bus.connected and b.bus.connected)
    a.bus.publish("msg", b"before")
    await until(lambda: b.events == [("msg", b"before")])
    redis_server.kill()
    a.bus.publish("msg", b"during")  # queued, never raises
    await until(lambda: not b.bus.connected)
    redis_server.restart()
    await until(lambda: b.gaps == 1 and b.bus.connected)
    await until(lambda: ("msg", b"during") in b.events)  # sent once Redis was back
    a.bus.publish("msg", b"after")
    await until(lambda: b.events[-1] == ("msg", b"after"))
    assert a.gaps == 1 and b.gaps == 1


async def test_a_relay_away_while_the_stream_was_trimmed_past_it_has_a_gap(
        peers: Callable[..., Peer], redis_url: str) -> None:
    a, b = peers("a"), peers("b")
    await a.bus.start()
    await b.bus.start()
    await until(lambda: b.bus.connected)
    a.bus.publish("msg", b"0")
    await until(lambda: len(b.events) == 1)
    reader = b.bus._tasks[0]  # b stops reading (a long pause), as if away
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    await publish_one_by_one(a, range(1, 30))
    admin = aioredis.Redis.from_url(redis_url)
    try:
        await admin.xtrim("kefu:events", maxlen=10, approximate=False)  # the entries of 1..19 are gone
    finally:
        await admin.aclose()
    b.bus._tasks[0] = asyncio.create_task(b.bus._read_loop())
    await until(lambda: b.gaps == 1 and len(b.events) == 11)
    assert [p for _, p in b.events[1:]] == [str(i).encode() for i in range(20, 30)]


async def test_a_relay_back_before_anything_was_trimmed_has_no_gap(peers: Callable[..., Peer]) -> None:
    a, b = peers("a"), peers("b")
    await a.bus.start()
    await b.bus.start()
    await until(lambda: b.bus.connected)
    reader = b.bus._tasks[0]
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    await publish_one_by_one(a, range(30))
    b.bus._tasks[0] = asyncio.create_task(b.bus._read_loop())
    await until(lambda: len(b.events) == 30)
    assert b.gaps == 0


async def test_a_relay_that_had_to_drop_events_tells_the_others(
        peers: Callable[..., Peer], redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import relay.bus as bus_module

    monkeypatch.setattr(bus_module, "MAX_PENDING", 5)
    a, b = peers("a"), peers("b")
    await a.bus.start()
    await b.bus.start()
    await until(lambda: a.bus.connected and b.bus.connected)
    redis_server.kill()
    await until(lambda: not b.bus.connected)
    for i in range(20):
        a.bus.publish("msg", str(i).encode())  # 15 of these are dropped
    redis_server.restart()
    await until(lambda: [p for _, p in b.events] == [str(i).encode() for i in range(15, 20)])
    assert b.gaps >= 2  # Redis restarted, and a said it dropped events


@pytest.mark.parametrize(("url", "logged"), [
    ("redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"),
    ("redis://kefu:s3cret@cache/1", "redis://kefu:***@cache/1"),
    ("redis://cache:6379/0", "redis://cache:6379/0"),
])
def test_the_redis_password_never_reaches_the_log(url: str, logged: str) -> None:
    from relay.bus import _redacted

    assert _redacted(url) == logged
