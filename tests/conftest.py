"""Shared fixtures: a real relay on a loopback port with a seeded demo database per test."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from relay.clock import Clock, FakeClock
from relay.config import RateLimit, RelayConfig
from relay.server import RELAY, Relay, create_app

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DEMO_PASSWORD = "kefu-demo"
MAIN_SHOP = "jiadian"
OTHER_SHOP = "chaye"


@pytest.fixture(autouse=True)
def no_relay_process_outlives_its_test() -> Iterator[None]:
    """A test that fails half-way must not leave a relay process behind."""
    from app.relay_process import kill_leftovers

    yield
    kill_leftovers()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir seeded with the demo shops once per session; tests get copies."""
    from relay.seeding import seed_demo
    from relay.store.sqlite import SqliteStore

    path = tmp_path_factory.mktemp("seeded")

    async def seed() -> None:
        store = SqliteStore(path / "relay.sqlite3")
        await store.open()
        await seed_demo(store, FakeClock().now_ms())
        await store.close()

    asyncio.run(seed())
    return path


@pytest.fixture
def data_dir(seeded_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "relay-data"
    shutil.copytree(seeded_template, target)
    return target


@dataclass
class RunningRelay:
    """A relay listening on 127.0.0.1 for one test."""

    url: str
    relay: Relay
    config: RelayConfig
    clock: Clock

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws", 1) + "/ws"


TEST_STORE = os.environ.get("KEFU_TEST_STORE", "sqlite")
"""The store relays under test run on: `sqlite` (default) or `postgresql` (KEFU_TEST_STORE=postgresql
runs every relay test on a copy of a seeded PostgreSQL database; `make test` runs tests/relay that way too)."""


@pytest.fixture
def relay_config(data_dir: Path, request: pytest.FixtureRequest) -> RelayConfig:
    database = request.getfixturevalue("pg_seeded_dsn") if TEST_STORE == "postgresql" else None
    # Generous rates so tests that are not about rate limits never hit them.
    return RelayConfig(
        data_dir=data_dir, port=0, synchronous="NORMAL", database=database,
        buyer_rate=RateLimit(rate=1000, burst=1000), agent_rate=RateLimit(rate=1000, burst=1000),
    )


async def start_relay(
    config: RelayConfig, clock: Clock | None = None, port: int = 0
) -> tuple[web.AppRunner, RunningRelay]:
    app = create_app(config, clock=clock)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    port = runner.addresses[0][1]
    relay = app[RELAY]
    return runner, RunningRelay(f"http://127.0.0.1:{port}", relay, config, relay.clock)


@pytest.fixture
def fake_clock() -> FakeClock:
    """Starts inside the demo shops' service hours; moves only when the test says so."""
    return FakeClock()


@pytest.fixture
async def relay(relay_config: RelayConfig, fake_clock: FakeClock) -> AsyncIterator[RunningRelay]:
    """A relay on the fake clock: timers (SLA, grace, auto-close) fire only when the test advances it."""
    runner, running = await start_relay(relay_config, fake_clock)
    yield running
    await runner.cleanup()


@pytest.fixture
def make_config(relay_config: RelayConfig) -> Callable[..., RelayConfig]:
    def make(**changes: Any) -> RelayConfig:
        return replace(relay_config, **changes)

    return make


@contextlib.asynccontextmanager
async def client_factory() -> AsyncIterator[Callable[..., Any]]:
    """`await make(url, "agent1")` or `await make(url, buyer="b-...")`: KefuClients of the relay at `url`,
    connected unless `connect=False`, all closed at the end."""
    from app.client import KefuClient, buyer_session, login

    made: list[KefuClient] = []

    async def make(url: str, username: str | None = None, *, shop: str = MAIN_SHOP, buyer: str | None = None,
                   connect: bool = True) -> KefuClient:
        if username is not None:
            token = (await login(url, shop, username, DEMO_PASSWORD)).token
        else:
            token = (await buyer_session(url, buyer)).token
        client = KefuClient(url, token)
        made.append(client)
        if connect:
            await client.connect()
        return client

    try:
        yield make
    finally:
        for client in made:
            await client.close()


@pytest.fixture
async def clients(relay: RunningRelay) -> AsyncIterator[Callable[..., Any]]:
    """Factory of connected KefuClients: `await clients("agent1")` or `await clients(buyer="b-...")`."""
    async with client_factory() as make:
        yield functools.partial(make, relay.url)


@pytest.fixture
def x_display() -> Iterator[str]:
    """A virtual X display (Xvfb), or skip."""
    import av  # not at the top: most tests never load the media stack

    if shutil.which("Xvfb") is None or "x11grab" not in av.formats_available:
        pytest.skip("no Xvfb or no x11grab here")
    # -displayfd: Xvfb picks a free display number itself and writes it once it accepts connections.
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write,))
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number.isdigit():
            pytest.fail(f"Xvfb did not start (exit code {proc.poll()})")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(5)


@pytest.fixture
def loopback() -> Iterator[None]:
    """aiortc peers in this test gather, answer and check on 127.0.0.1 only (`app.calls.loopback_only`):
    aioice would offer every interface of the machine."""
    from app.calls import loopback_only  # not at the top: relay tests never load the desk's call stack

    with loopback_only():
        yield


@pytest.fixture
async def phones() -> AsyncIterator[Callable[[Any], Any]]:
    """Makes buyer phones (`app.buyer_call.BuyerPhone`) for clients; every one is closed afterwards."""
    from app.buyer_call import BuyerPhone

    made: list[BuyerPhone] = []

    def make(client: Any) -> BuyerPhone:
        made.append(phone := BuyerPhone(client))
        return phone

    yield make
    for phone in made:
        await phone.close()


# --- Real PostgreSQL and Redis servers (tests/servers.py) -------------------------------------------------
# Started lazily, once per session, by the first test that asks; loopback only, in temporary directories.

import itertools  # noqa: E402
import re  # noqa: E402

from tests.servers import PostgresServer, RedisServer  # noqa: E402

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the session, fast rather than durable (fsync, synchronous_commit and
    full_page_writes off): contract tests are about semantics, not surviving a power cut."""
    with PostgresServer(durable=False) as server:
        yield server


@pytest.fixture
def pg_dsn(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh empty database for this test (named after it); dropped afterwards, open connections and all."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    name = f"t{next(_database_numbers)}_{slug}"[:63]
    dsn = postgres_server.create_database(name)
    yield dsn
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied (FLUSHALL) for this test; brought back first if a test killed it."""
    if not redis_server.running:
        redis_server.restart()
    redis_server.flushall()
    return redis_server.url


@pytest.fixture(scope="session")
def pg_seeded_template(postgres_server: PostgresServer) -> str:
    """A database seeded with the demo shops once per session (like `seeded_template`); tests get copies."""
    from relay.seeding import seed_demo
    from relay.store.postgres import PostgresStore

    name = "seeded_template"
    dsn = postgres_server.create_database(name)

    async def seed() -> None:
        store = PostgresStore(dsn)
        await store.open()
        await seed_demo(store, FakeClock().now_ms())
        await store.close()

    asyncio.run(seed())
    return name


@pytest.fixture
def pg_seeded_dsn(postgres_server: PostgresServer, pg_seeded_template: str, request: pytest.FixtureRequest
                  ) -> Iterator[str]:
    """A copy of the seeded database for this test; dropped afterwards."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    name = f"s{next(_database_numbers)}_{slug}"[:63]
    dsn = postgres_server.create_database(name, template=pg_seeded_template)
    yield dsn
    postgres_server.drop_database(name)
