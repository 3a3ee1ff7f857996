"""The real PostgreSQL and Redis servers of tests/servers.py and their fixtures (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.servers import PostgresServer, RedisServer, ServerError, pid_alive


def processes_mentioning(text: str) -> list[int]:
    """Pids whose command line holds `text` (e.g. a server's directory): what a stopped server must not leave."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and pid_alive(int(entry.name)):
                found.append(int(entry.name))
    return found


# -- PostgreSQL --------------------------------------------------------------------------------------------


async def test_postgres_transactions_commit_and_roll_back(pg_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(pg_dsn) as conn:
        await conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)")
        await conn.commit()
        async with conn.transaction():
            await conn.execute("INSERT INTO notes VALUES (1, '你好')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            async with conn.transaction():
                await conn.execute("INSERT INTO notes VALUES (2, 'kept?')")
                await conn.execute("INSERT INTO notes VALUES (1, 'duplicate')")
        cursor = await conn.execute("SELECT id, body FROM notes ORDER BY id")
        assert await cursor.fetchall() == [(1, "你好")]


async def test_each_test_database_is_fresh_and_isolated(postgres_server: PostgresServer, pg_dsn: str) -> None:
    other = postgres_server.create_database("isolation_other")
    try:
        async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as conn:
            cursor = await conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert await cursor.fetchone() == (0,)
            await conn.execute("CREATE TABLE only_here (x int)")
        async with await psycopg.AsyncConnection.connect(other, autocommit=True) as conn:
            with pytest.raises(psycopg.errors.UndefinedTable):
                await conn.execute("SELECT * FROM only_here")
    finally:
        postgres_server.drop_database("isolation_other")


def test_postgres_listens_on_loopback_and_its_socket_only(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.socket_dsn(), autocommit=True) as conn:
        settings: dict[str, str] = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('listen_addresses', 'unix_socket_directories', 'fsync', 'max_connections', 'server_encoding')"
        ).fetchall())
    assert settings == {"listen_addresses": "127.0.0.1", "unix_socket_directories": str(postgres_server.socket_dir),
                        "fsync": "off", "max_connections": "200", "server_encoding": "UTF8"}
    if os.geteuid() == 0:  # initdb refuses root: the cluster runs as an unprivileged user
        uid = next(line.split()[1] for line in Path(f"/proc/{postgres_server.pid}/status").read_text().splitlines()
                   if line.startswith("Uid:"))
        assert uid != "0"


def test_a_durable_server_stops_without_leaving_a_process_or_a_directory() -> None:
    with PostgresServer(durable=True) as server:
        assert server.start_seconds < 30
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            assert conn.execute("SHOW fsync").fetchone() == ("on",)
            assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)
        pid, base = server.pid, server.base
        assert pid is not None and base is not None
        assert processes_mentioning(str(base))  # the postmaster and its helpers
    assert not pid_alive(pid)
    assert not base.exists()
    assert processes_mentioning(str(base)) == []
    server.stop()  # idempotent


def test_missing_postgres_binaries_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="make setup"):
        PostgresServer(bindir=tmp_path).start()


def test_a_postgres_that_fails_to_start_shows_its_log() -> None:
    server = PostgresServer(durable=False, settings={"shared_buffers": "not-a-size"})
    with pytest.raises(ServerError, match="shared_buffers") as failure:
        server.start()
    assert "postgres.log" in str(failure.value)
    assert server.base is None and server.pid is None


# -- Redis -------------------------------------------------------------------------------------------------


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    conn = aioredis.Redis.from_url(redis_url)
    yield conn
    await conn.aclose()


async def test_redis_ping_set_get(client: aioredis.Redis) -> None:
    assert await client.ping()
    assert await client.dbsize() == 0  # flushed for this test
    await client.set("greeting", "您好")
    assert await client.get("greeting") == "您好".encode()


async def next_message(pubsub: aioredis.client.PubSub, timeout: float = 5.0) -> dict[str, object]:
    async with asyncio.timeout(timeout):
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if message is not None:
                return dict(message)


async def test_redis_pub_sub(client: aioredis.Redis, redis_url: str) -> None:
    pubsub = client.pubsub()
    await pubsub.subscribe("chat:1")
    try:
        async with aioredis.Redis.from_url(redis_url) as publisher:
            async with asyncio.timeout(5):
                while await publisher.publish("chat:1", "hello") == 0:  # until the subscription is in place
                    await asyncio.sleep(0.01)
        message = await next_message(pubsub)
        assert message["channel"] == b"chat:1" and message["data"] == b"hello"
    finally:
        await pubsub.aclose()


async def test_redis_killed_and_restarted_on_the_same_port_takes_clients_back() -> None:
    with RedisServer() as server:
        port, old_pid = server.port, server.pid
        assert old_pid is not None
        async with aioredis.Redis.from_url(server.url, socket_connect_timeout=1, socket_timeout=1) as conn:
            await conn.set("k", "v")
            server.kill()
            assert not server.running and not pid_alive(old_pid)
            with pytest.raises(RedisConnectionError):
                await conn.get("k")
            server.restart()
            assert server.port == port and server.pid != old_pid and server.running
            assert await conn.get("k") is None  # the same client reconnects; nothing persisted
            await conn.set("k", "again")
            assert await conn.get("k") == b"again"
        base = server.base
        assert base is not None
    assert not server.running and not base.exists()
    assert processes_mentioning(str(base)) == []


def test_redis_url_brings_back_a_session_server_a_test_killed(redis_server: RedisServer) -> None:
    redis_server.command("SET", "left", "over")
    redis_server.kill()
    # What the redis_url fixture does before the next test:
    redis_server.restart()
    redis_server.flushall()
    assert redis_server.ping() and redis_server.command("DBSIZE") == b":0"


def test_a_redis_that_fails_to_start_shows_its_log() -> None:
    server = RedisServer(args=("--no-such-directive", "1"))
    with pytest.raises(ServerError, match="Bad directive"):
        server.start()
    assert server.base is None and not server.running


def test_missing_redis_server_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="make setup"):
        RedisServer(binary=tmp_path / "redis-server").start()
