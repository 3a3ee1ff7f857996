"""Fixtures of the relay tests with several relays on one PostgreSQL and one Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from relay.clock import Clock
from relay.config import RateLimit, RelayConfig
from tests.conftest import RunningRelay, client_factory, start_relay
from tests.relay.helpers import until


@pytest.fixture
async def cluster_of(data_dir: Path, pg_seeded_dsn: str, redis_url: str) -> AsyncIterator[Callable[..., Any]]:
    """`await cluster_of(2)`: relays on one database and one Redis, started in order, so the first one
    leads routing (one data directory: the buyer-session key is shared). Stopped at the end."""
    runners: list[web.AppRunner] = []

    async def start(count: int, clock: Clock | None = None) -> list[RunningRelay]:
        config = RelayConfig(data_dir=data_dir, port=0, database=pg_seeded_dsn, redis_url=redis_url,
                             buyer_rate=RateLimit(rate=1000, burst=1000), agent_rate=RateLimit(rate=1000, burst=1000))
        relays = []
        for _ in range(count):
            runner, running = await start_relay(config, clock=clock)
            runners.append(runner)
            relays.append(running)
        leader = relays[0].relay.cluster
        assert leader is not None and relays[0].relay.desk.leading
        for running in relays:  # each has read the stream once and knows who leads
            cluster = running.relay.cluster
            assert cluster is not None
            await until(lambda c=cluster: c.bus.connected and c.leader == leader.relay_id)
        return relays

    yield start
    for runner in reversed(runners):
        await runner.cleanup()


@pytest.fixture
async def two_relays(cluster_of: Callable[..., Any]) -> tuple[RunningRelay, ...]:
    """Relays A (the leader) and B."""
    return tuple(await cluster_of(2))


@pytest.fixture
async def on() -> AsyncIterator[Callable[..., Any]]:
    """`await on(relay, "agent1")` or `await on(relay, buyer=...)`: a connected client of that relay."""
    async with client_factory() as make:
        yield lambda relay, *args, **kwargs: make(relay.url, *args, **kwargs)
