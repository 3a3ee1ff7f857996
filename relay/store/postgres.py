"""The PostgreSQL store: for shops that outgrow one machine, and for several relays sharing one database.

Selected by `--database postgresql://...` (or KEFU_DATABASE_URL). It runs the same SQL as the
SQLite store (`relay.store.sql`) with the same guarantees: a write is acknowledged only after
its transaction committed, each conversation's seq is dense (the conversation's row is locked
while a batch takes seqs, so relays appending to one conversation take turns), a `client_msg_id`
is stored once (a unique index), and a client resumes by seq.

Writes go through one writer thread with group commit (`relay.store.postgres_writer`); reads go
through a small pool of autocommit connections on the event loop (psycopg's asyncio API), so they
see only committed data. Why psycopg 3: see docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

import psycopg
from psycopg_pool import AsyncConnectionPool

from relay.store.interface import StoreUnavailable
from relay.store.postgres_append import append_messages
from relay.store.postgres_writer import ADAPTERS, PgSequences, PgWriter, migrate, pg_sql
from relay.store.sql import Db, Done, call_done
from relay.store.sql_core import SqlCore
from relay.store.sql_facts import SqlFacts
from relay.store.sql_shop import SqlShopData

logger = logging.getLogger(__name__)

T = TypeVar("T")

READ_POOL_SIZE = 4


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def redacted(dsn: str) -> str:
    """The URL without its password, for logs and health reports."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "postgresql://?"
    host = info.get("host") or "localhost"
    return f"postgresql://{info.get('user') or ''}@{host}:{info.get('port') or 5432}/{info.get('dbname') or ''}"


class PostgresStore(SqlCore, SqlFacts, SqlShopData):
    """`Store` on a PostgreSQL database (see the module's docstring)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._seqs = PgSequences()
        self._writer: PgWriter | None = None
        self._pool: AsyncConnectionPool[Any] | None = None

    async def open(self) -> None:
        try:
            await asyncio.to_thread(migrate, self.dsn)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"cannot reach PostgreSQL at {redacted(self.dsn)}: {exc}") from None

        self._pool = AsyncConnectionPool(
            self.dsn, min_size=1, max_size=READ_POOL_SIZE, open=False, name="kefu-read",
            kwargs={"autocommit": True, "application_name": "kefu-relay-read", "context": ADAPTERS},
        )
        await self._pool.open(wait=True, timeout=30.0)
        self._writer = PgWriter(self.dsn, asyncio.get_running_loop(), self._seqs,
                                together={self._insert_plain: append_messages})
        self._writer.start()

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.stop()
            self._writer = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def health(self) -> dict[str, Any]:
        writer = self._writer
        ok = writer is not None and writer.alive() and writer.last_error is None
        return {
            "ok": ok,
            "engine": "postgresql",
            "database": redacted(self.dsn),
            "pending_writes": writer.pending() if writer else 0,
            "commits": writer.commits if writer else 0,
            "writes": writer.writes if writer else 0,
            "deadlocks_retried": writer.deadlocks if writer else 0,
            "batches_redone": writer.redone if writer else 0,  # write by write, after one write failed
            "last_error": writer.last_error if writer else "closed",
        }

    # helpers --------------------------------------------------------------------------------

    async def _write(self, fn: Callable[[Db], T], conversations: tuple[int, ...] = ()) -> T:
        if self._writer is None:
            raise StoreUnavailable("store is not open")
        return cast(T, await self._writer.submit(fn, conversations))

    def _submit_then(self, fn: Callable[..., Any], args: tuple[Any, ...], done: Done,
                     conversation: int | None = None) -> None:
        if self._writer is None:
            call_done(done, None, StoreUnavailable("store is not open"))
            return
        self._writer.submit_then(fn, args, done, () if conversation is None else (conversation,))

    async def _rows(self, sql: str, params: tuple[Any, ...], one: bool) -> Any:
        if self._pool is None:
            raise StoreUnavailable("store is not open")
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(pg_sql(sql), params)
                return await (cursor.fetchone() if one else cursor.fetchall())
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"database read failed: {exc}") from None

    async def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return cast("tuple[Any, ...] | None", await self._rows(sql, params, True))

    async def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return cast("list[tuple[Any, ...]]", await self._rows(sql, params, False))
