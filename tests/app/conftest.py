"""Desk core fixtures: the relay of tests/conftest.py made restartable, DeskServices on it, and a
check that no loop exception goes unnoticed."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.config import DeskConfig
from relay.clock import FakeClock
from relay.config import RelayConfig
from relay.server import Relay
from tests.app.helpers import Desks, RestartableRelay
from tests.conftest import start_relay


@pytest.fixture
async def relay(
    relay_config: RelayConfig, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RestartableRelay]:
    """Overrides tests/conftest.py's `relay` (so `clients` use it): restartable, with a handshake gate."""
    runner, running = await start_relay(relay_config, fake_clock)
    restartable = RestartableRelay(running.url, running.relay, running.config, running.clock, runner)
    check = Relay.principal_for

    async def principal_for(self: Relay, token: str) -> Any:
        gate = restartable.held.get(token)
        if gate is not None:
            await gate.wait()
        return await check(self, token)

    monkeypatch.setattr(Relay, "principal_for", principal_for)
    yield restartable
    for gate in restartable.held.values():
        gate.set()
    if restartable.runner is not None:
        await restartable.runner.cleanup()


@pytest.fixture
def desk_config(tmp_path: Path) -> DeskConfig:
    return DeskConfig(data_dir=tmp_path / "desk", reconnect_max_s=0.2, request_timeout_s=5.0)


@pytest.fixture
async def stray_loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Exceptions nobody awaited (a crashed task, a raising callback): the test fails on any."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield errors
    gc.collect()
    loop.set_exception_handler(None)
    assert not errors, [e.get("message") or repr(e.get("exception")) for e in errors]


@pytest.fixture
async def desks(
    relay: RestartableRelay, desk_config: DeskConfig, stray_loop_errors: list[dict[str, Any]]
) -> AsyncIterator[Desks]:
    made = Desks(relay, desk_config)
    yield made
    for desk in made.opened:
        await desk.service.close()
