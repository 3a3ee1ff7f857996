"""The embedded store: SQLite in WAL mode, one writer, adaptive group commit.

Writes are small functions of the write connection. They run on the event loop inside the open
transaction; a commit starts as soon as the previous one returns and runs on a thread, so one
fsync covers every write that arrived meanwhile (`relay.store.sqlite_writer`). Reads run on a
separate read-only connection in the event loop; they are indexed and bounded, and WAL lets them
see only committed data. Checkpoints run off the commit path on their own connection.

This module holds only what is SQLite's own: the life cycle, the checkpointer and the helpers the
shared SQL runs through. The SQL itself is shared with the PostgreSQL store (`relay.store.sql`):
`sql_core` (accounts, conversations, messages, routing), `sql_facts` (the figures' facts, notes,
audit, complaints) and `sql_shop` (templates, calls, the marketplace stand-in, the demo data).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from relay.store.interface import StoreUnavailable
from relay.store.sql import Db, Done, Sequences, call_done
from relay.store.sql_core import SqlCore
from relay.store.sql_facts import SqlFacts
from relay.store.sql_shop import SqlShopData
from relay.store.sqlite_writer import Synchronous, Writer, connect, migrate

logger = logging.getLogger(__name__)

T = TypeVar("T")

CHECKPOINT_INTERVAL_S = 1.0
WAL_RESTART_FRAMES = 8192
"""WAL frames (pages, 4 KiB) above which the checkpointer makes the WAL start over (see `_checkpoint_loop`)."""


class SqliteStore(SqlCore, SqlFacts, SqlShopData):
    """`Store` on one SQLite file. `synchronous=FULL` (default) survives power loss; see docs."""

    def __init__(self, path: Path, *, synchronous: Synchronous = "FULL") -> None:
        self.path = path
        self.synchronous = synchronous
        self._writer: Writer | None = None
        self._seqs = Sequences()
        self._read: sqlite3.Connection | None = None
        self._checkpointer: asyncio.Task[None] | None = None
        self.wal_frames = 0
        self.wal_restarts = 0
        self.longest_hold_ms = 0.0

    # lifecycle ------------------------------------------------------------------------------

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

        def prepare() -> sqlite3.Connection:
            conn = connect(self.path, self.synchronous)
            migrate(conn)
            return conn

        ckpt = await asyncio.to_thread(prepare)
        self._read = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._read.execute("PRAGMA query_only=1")
        self._writer = Writer(self.path, self.synchronous, asyncio.get_running_loop(), self._seqs)
        self._checkpointer = asyncio.create_task(self._checkpoint_loop(ckpt), name="checkpoint")

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            try:
                await self._checkpointer
            except asyncio.CancelledError:
                pass
            self._checkpointer = None
        if self._writer is not None:
            await self._writer.stop()
            self._writer = None
        if self._read is not None:
            self._read.close()
            self._read = None

    async def _checkpoint_loop(self, conn: sqlite3.Connection) -> None:
        """PASSIVE checkpoints every CHECKPOINT_INTERVAL_S, off the commit path.

        Under steady writes a passive checkpoint never catches up with the last commit, and the WAL
        only starts over when a transaction begins after a checkpoint that copied everything: so
        once the WAL holds more than WAL_RESTART_FRAMES, a few passes catch up, then the writer is
        held (no new transaction; writes queue) for one last short pass, and its next commit
        starts the WAL over (truncated to `journal_size_limit`).
        """
        # One thread for this connection: a checkpoint still running when the loop is cancelled
        # finishes before the close, which is queued behind it (never two threads on one connection).
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-checkpoint")
        loop = asyncio.get_running_loop()

        def checkpoint() -> tuple[int, int, int]:
            busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return int(busy), int(log), int(done)

        try:
            while True:
                await asyncio.sleep(CHECKPOINT_INTERVAL_S)
                try:
                    _, log, done = await asyncio.shield(loop.run_in_executor(executor, checkpoint))
                    self.wal_frames = log
                    writer = self._writer
                    if log < WAL_RESTART_FRAMES or writer is None:
                        continue
                    for _ in range(4):
                        if log - done < WAL_RESTART_FRAMES // 16:
                            break
                        _, log, done = await asyncio.shield(loop.run_in_executor(executor, checkpoint))
                    started = loop.time()
                    try:
                        await writer.hold()
                        await asyncio.shield(loop.run_in_executor(executor, checkpoint))
                    finally:
                        writer.release()
                    self.wal_restarts += 1
                    self.longest_hold_ms = max(self.longest_hold_ms, (loop.time() - started) * 1000)
                except sqlite3.Error as exc:
                    logger.warning("checkpoint failed: %s", exc)
        finally:
            await asyncio.shield(loop.run_in_executor(executor, conn.close))
            executor.shutdown(wait=False)

    def health(self) -> dict[str, Any]:
        writer = self._writer
        ok = writer is not None and writer.alive() and writer.last_error is None
        return {
            "ok": ok,
            "engine": "sqlite",
            "journal_mode": "wal",
            "synchronous": self.synchronous,
            "pending_writes": writer.pending() if writer else 0,
            "commits": writer.commits if writer else 0,
            "writes": writer.writes if writer else 0,
            "last_error": writer.last_error if writer else "closed",
            "wal_frames": self.wal_frames,
            "wal_restarts": self.wal_restarts,
            "longest_checkpoint_hold_ms": round(self.longest_hold_ms, 1),
        }

    # helpers --------------------------------------------------------------------------------

    async def _write(self, fn: Callable[[Db], T], conversations: tuple[int, ...] = ()) -> T:
        # (`conversations`: for PostgreSQL's row locks; SQLite has one writer for the whole file)
        if self._writer is None:
            raise StoreUnavailable("store is not open")
        return cast(T, await self._writer.submit(fn))

    def _submit_then(self, fn: Callable[..., Any], args: tuple[Any, ...], done: Done,
                     conversation: int | None = None) -> None:
        if self._writer is None:
            call_done(done, None, StoreUnavailable("store is not open"))
            return
        self._writer.submit_then(fn, args, done)

    def _reader(self) -> sqlite3.Connection:
        if self._read is None:
            raise StoreUnavailable("store is not open")
        return self._read

    # Reads are indexed and bounded, and run on the event loop: a coroutine only so that both stores
    # share the code that reads (PostgreSQL's reads go over the network).
    async def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._reader().execute(sql, params).fetchone()
        return row

    async def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._reader().execute(sql, params).fetchall()
