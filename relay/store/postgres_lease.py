"""The routing lease of several relays on one PostgreSQL database: a session-level advisory lock.

One relay of a cluster holds it and is the routing leader (`relay.leader`). The lock belongs to
one dedicated database session: PostgreSQL releases it the moment that session ends, so a relay
that dies (SIGKILL, power, its network) frees it as soon as the server sees its connection close
(at once for a process that dies; within the TCP keepalive settings below for a machine that
vanishes). The leader asks its session a question every poll: a session that does not answer
means the lease may be gone, and the relay must stop leading at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg

logger = logging.getLogger(__name__)

LEASE_KEY = 0x6B65666C  # "kefl": the lease; the migrations lock "kefu" (relay.store.postgres_writer)
ANSWER_WITHIN_S = 2.0
_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2}


class PgLease:
    """One relay's claim on the routing lease (see the module's docstring)."""

    def __init__(self, dsn: str, key: int = LEASE_KEY) -> None:
        self.dsn = dsn
        self.key = key
        self.held = False
        self._conn: psycopg.AsyncConnection[Any] | None = None

    async def try_acquire(self) -> bool:
        """Take the lease if nobody holds it; True if this relay holds it now."""
        if self.held:
            return await self.still_held()
        try:
            if self._conn is None or self._conn.closed:
                conninfo = psycopg.conninfo.make_conninfo(self.dsn, application_name="kefu-relay-lease", **_KEEPALIVE)
                self._conn = await asyncio.wait_for(psycopg.AsyncConnection.connect(conninfo, autocommit=True),
                                                    ANSWER_WITHIN_S)
            conn = self._conn
            assert conn is not None
            cursor = await asyncio.wait_for(conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)),
                                            ANSWER_WITHIN_S)
            row = await cursor.fetchone()
        except (psycopg.Error, OSError, TimeoutError) as exc:
            logger.info("routing lease: database not answering (%s)", exc)
            await self._drop()
            return False
        self.held = bool(row and row[0])
        return self.held

    async def still_held(self) -> bool:
        """Whether the lease's session still answers (it holds the lock as long as it lives)."""
        if not self.held or self._conn is None:
            return False
        try:
            await asyncio.wait_for(self._conn.execute("SELECT 1"), ANSWER_WITHIN_S)
        except (psycopg.Error, OSError, TimeoutError) as exc:
            logger.error("routing lease: its database session is gone (%s)", exc)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        """Give the lease up (on shutdown): another relay may take it at its next poll."""
        await self._drop()

    async def _drop(self) -> None:
        self.held = False
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            try:
                await asyncio.wait_for(conn.close(), ANSWER_WITHIN_S)
            except (psycopg.Error, OSError, TimeoutError):
                pass
