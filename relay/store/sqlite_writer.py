"""The SQLite store's engine: connections, migrations, and its one writer with adaptive group commit.

Writes are small functions of the write connection. They run on the event loop inside the open
transaction; a commit starts as soon as the previous one returns and runs on a thread, so one
fsync covers every write that arrived meanwhile (see `Writer`).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Literal

from relay.store.interface import StoreConflict, StoreUnavailable
from relay.store.migrations import MIGRATIONS
from relay.store.sql import Done, Sequences, call_done, settle

logger = logging.getLogger(__name__)

WriteFn = Callable[..., Any]
"""A write: called with the write connection and the write's arguments, inside the open transaction."""
Synchronous = Literal["FULL", "NORMAL"]

WAL_SIZE_LIMIT = 64 * 1024 * 1024
"""`journal_size_limit`: a WAL that grew larger in a burst is cut back to this when it starts over."""

REFUSALS = frozenset({
    sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL,
    sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB,
})
"""Primary result codes by which the database, not the write, fails: disk full, an I/O error, a file that
became read-only or locked, memory. SQLite may then have rolled back the whole transaction, not only
the statement (https://sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction")."""


def refused(exc: BaseException) -> bool:
    """Whether `exc` is the database refusing to write (see REFUSALS), rather than a fault of one write."""
    return isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in REFUSALS


def connect(path: Path, synchronous: Synchronous) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def _statements(script: str) -> list[str]:
    """A migration's statements (a trigger's body holds semicolons of its own)."""
    out, pending = [], ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending)
            pending = ""
    if pending.strip(" \n;"):
        raise ValueError(f"an incomplete statement in a migration: {pending[:60]!r}")
    return out


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations this database lacks, in order; return the names applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (name, int(time.time() * 1000)),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
        logger.info("applied migration %s", name)
    return applied


class Writer:
    """The one writer: statements run on the event loop, only COMMIT runs on a thread.

    A write is a small function of the connection and its arguments, with a callback `done(value,
    error)`. Submitted while no commit is in flight, it runs at once inside the open transaction (a
    few microseconds: indexed inserts and updates); submitted while a commit is in flight, it waits
    for it. A commit is started as soon as the previous one returns (adaptive group commit: under
    load one fsync covers many writes), on a thread, so the loop keeps serving while the disk syncs;
    SQLite releases the GIL for the whole COMMIT, so the hand-off costs one GIL round trip per
    batch, not one per statement. Callbacks run only once their batch is committed, straight from
    the commit's completion (no future or task per write on the hot path).

    Write functions raise their expected refusals (StoreConflict, KeyError) before changing
    anything. Any other error rolls back the open transaction, which is then redone with a
    savepoint per write, so that only the faulty write fails. When the database itself refuses
    (`refused`: disk full, I/O error), every write of the open transaction fails with
    StoreUnavailable and nothing of it is acknowledged: SQLite may have rolled all of it back, and
    redoing it would meet the same refusal. The writer goes on; the next write tries again.
    """

    def __init__(self, path: Path, synchronous: Synchronous, loop: asyncio.AbstractEventLoop,
                 sequences: Sequences) -> None:
        self._loop = loop
        self._conn = connect(path, synchronous)
        # Checkpoints run on their own connection, off the commit path.
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        self._conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-commit")
        self._open: list[tuple[WriteFn, tuple[Any, ...], Done, Any, BaseException | None]] = []
        self._waiting: list[tuple[WriteFn, tuple[Any, ...], Done]] = []
        self._committing = False
        self._scheduled = False
        self._held = False
        self._quiet: asyncio.Future[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.sequences = sequences
        self.commits = 0
        self.writes = 0
        self.last_error: str | None = None
        self.closed = False

    def alive(self) -> bool:
        return not self.closed

    def pending(self) -> int:
        return len(self._open) + len(self._waiting)

    def submit(self, fn: WriteFn) -> asyncio.Future[Any]:
        """Run `fn(conn)` in the open transaction; the future resolves once it is committed."""
        fut: asyncio.Future[Any] = self._loop.create_future()
        self.submit_then(fn, (), partial(settle, fut))
        return fut

    def submit_then(self, fn: WriteFn, args: tuple[Any, ...], done: Done) -> None:
        """Run `fn(conn, *args)` in the open transaction; `done(value, error)` once committed."""
        if self.closed:
            call_done(done, None, StoreUnavailable("store is closed"))
            return
        if self._committing or self._held:
            self._waiting.append((fn, args, done))
        else:
            self._execute(fn, args, done)
            self._schedule()

    def hold(self) -> asyncio.Future[None]:
        """Start no transaction until `release`; resolves once none is open (writes queue meanwhile).

        For the checkpointer: the WAL can only start over from its beginning when a transaction
        begins after a checkpoint that copied every frame, which never happens while commits follow
        each other without a gap (the WAL would grow for ever).
        """
        self._held = True
        self._quiet = self._loop.create_future()
        quiet = self._quiet
        self._check_quiet()
        return quiet

    def release(self) -> None:
        self._held = False
        quiet, self._quiet = self._quiet, None
        if quiet is not None and not quiet.done():
            quiet.cancel()
        if not self._committing:
            self._run_waiting()

    def _check_quiet(self) -> None:
        quiet = self._quiet
        if quiet is not None and not self._committing and not self._open and not self._conn.in_transaction:
            self._quiet = None
            if not quiet.done():
                quiet.set_result(None)

    def _run_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for fn, args, callback in waiting:
            self._execute(fn, args, callback)
        if self._open:
            self._schedule()  # adaptive: the next commit starts as soon as the previous one returned
        else:
            self._idle.set()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._idle.clear()
            self._loop.call_soon(self._commit)

    def _execute(self, fn: WriteFn, args: tuple[Any, ...], done: Done) -> None:
        conn = self._conn
        try:
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")
            self._open.append((fn, args, done, fn(conn, *args), None))
        except (StoreConflict, KeyError) as exc:
            self._open.append((fn, args, done, None, exc))
        except Exception as exc:
            if refused(exc) or not conn.in_transaction:
                self._abandon([*(d for _, _, d, _, _ in self._open), done], exc)
                return
            logger.warning("a write failed (%s); redoing its transaction write by write", exc)
            self._redo_carefully([*((f, a, d) for f, a, d, _, _ in self._open), (fn, args, done)])

    def _redo_carefully(self, writes: list[tuple[WriteFn, tuple[Any, ...], Done]]) -> None:
        conn = self._conn
        self._rollback()
        self._open = []
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._fail([done for _, _, done in writes], exc)
            return
        for i, (fn, args, done) in enumerate(writes):
            try:
                conn.execute("SAVEPOINT w")
                try:
                    value = fn(conn, *args)
                except Exception as exc:
                    if refused(exc) or not conn.in_transaction:
                        raise
                    # one write's failure is that write's answer
                    conn.execute("ROLLBACK TO w")
                    conn.execute("RELEASE w")
                    self._open.append((fn, args, done, None, exc))
                else:
                    conn.execute("RELEASE w")
                    self._open.append((fn, args, done, value, None))
            except sqlite3.Error as exc:  # the database refused: the writes before this one are gone too
                self._abandon([*(d for _, _, d, _, _ in self._open), *(d for _, _, d in writes[i:])], exc)
                return

    def _abandon(self, dones: list[Done], exc: BaseException) -> None:
        """The database refused: roll back the open transaction; each of its writes fails, unacknowledged."""
        self._rollback()
        self._open = []
        self._fail(dones, exc)

    def _fail(self, dones: list[Done], exc: BaseException) -> None:
        logger.error("database write failed: %s", exc)
        self.last_error = str(exc)
        failure = StoreUnavailable(f"database write failed: {exc}")
        for done in dones:
            call_done(done, None, failure)

    def _commit(self) -> None:
        self._scheduled = False
        if self._committing:
            return
        if not self._open:
            self._check_quiet()
            self._idle.set()
            return
        batch, self._open = self._open, []
        try:
            self.sequences.flush(self._conn)
        except sqlite3.Error as exc:
            self._rollback()
            self._fail([done for _, _, done, _, _ in batch], exc)
            self._idle.set()
            return
        self._committing = True
        done = self._loop.run_in_executor(self._executor, self._conn.execute, "COMMIT")
        done.add_done_callback(partial(self._committed, batch))

    def _rollback(self) -> None:
        self.sequences.forget()
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error as exc:  # (SQLite may have rolled back already; the writer must go on)
                logger.warning("rollback failed: %s", exc)

    def _committed(self, batch: list[tuple[WriteFn, tuple[Any, ...], Done, Any, BaseException | None]],
                   done: asyncio.Future[Any]) -> None:
        self._committing = False
        exc = done.exception()
        if exc is not None:
            self._rollback()
            # The writes that waited for this commit fail with it, unattempted: a client's pipelined
            # sends stay in the order sent (it resends the failed one first).
            waiting, self._waiting = self._waiting, []
            self._fail([*(d for _, _, d, _, _ in batch), *(d for _, _, d in waiting)], exc)
        else:
            self.commits += 1
            self.writes += len(batch)
            self.last_error = None
            for _, _, callback, value, error in batch:
                try:
                    callback(value, error)
                except Exception:
                    logger.exception("a write's callback failed")
        if self._held:
            self._check_quiet()
            self._idle.set()
        else:
            self._run_waiting()

    async def stop(self) -> None:
        """Commit what is pending, then close."""
        while not self._idle.is_set() or self._committing or self._open or self._waiting:
            await self._idle.wait()
            await asyncio.sleep(0)
            if self._held:
                self.release()
            if self._open and not self._scheduled and not self._committing:
                self._schedule()
        self.closed = True
        self._executor.shutdown(wait=True)
        self._conn.close()
