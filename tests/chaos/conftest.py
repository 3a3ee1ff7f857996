"""Chaos fixtures: a relay with a short heartbeat, the chaos proxy in front of it, and a printed seed."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from relay.clock import FakeClock
from relay.config import RelayConfig
from tests.chaos.proxy import ChaosProxy
from tests.conftest import RunningRelay, start_relay
from tests.e2e.conftest import browser_context, page  # noqa: F401  (the buyer page's Chromium fixtures)

HEARTBEAT_S = 3.0
"""The relay pings this often and drops a connection whose pong is 1.5 s late, so it lets go of its side
of a blackholed connection within seconds (the production 20 s would outlast the test), and idle sockets
carry pings that armed cuts can fall into. The clients find a blackhole out by their own timeouts."""


@pytest.fixture
def chaos_seed() -> int:
    """KEFU_CHAOS_SEED=<n> replays a run's faults and resend orders; printed so a failure shows it."""
    seed = int(os.environ.get("KEFU_CHAOS_SEED") or random.randrange(1 << 32))
    print(f"chaos seed: {seed} (rerun with KEFU_CHAOS_SEED={seed})")
    return seed


@pytest.fixture
async def chaos_relay(relay_config: RelayConfig, fake_clock: FakeClock) -> AsyncIterator[RunningRelay]:
    """A relay on the fake clock (no SLA, grace or auto-close timer fires) with a short heartbeat."""
    runner, running = await start_relay(replace(relay_config, heartbeat_s=HEARTBEAT_S), fake_clock)
    yield running
    await runner.cleanup()


@pytest.fixture
async def proxy(chaos_relay: RunningRelay, chaos_seed: int) -> AsyncIterator[ChaosProxy]:
    """The chaos proxy on a random loopback port, forwarding to `chaos_relay`; no fault until one is asked."""
    chaos = ChaosProxy(int(chaos_relay.url.rsplit(":", 1)[1]), seed=chaos_seed)
    await chaos.start()
    yield chaos
    await chaos.close()
