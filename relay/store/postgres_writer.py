"""The PostgreSQL store's engine: the connection the shared SQL writes through, migrations, and the
writer that turns the writes arriving meanwhile into one transaction and one commit.

The shared write functions (`relay.store.sql_core` and the mixins) are synchronous functions of a
connection, as SQLite's are. Against PostgreSQL each statement is a round trip, so they do not run
on the event loop: one writer thread owns one connection, takes every write queued since its last
commit, runs them in one transaction and commits (group commit: under load one WAL flush covers
many writes). Callbacks run on the event loop once the batch is committed, never before: an ack
means the message is in PostgreSQL's WAL.

Each statement costing a round trip (and PostgreSQL's parsing of it), the writes that allow it run
together: consecutive plain message appends of a batch are two statements whatever their number
(`relay.store.postgres_append`, registered as `together`), and the conversations' last seqs are locked
and written back with one statement each (`PgSequences`), from binary arrays.

A write that fails aborts a PostgreSQL transaction (unlike SQLite, where the statement alone
fails), so the batch is then rolled back and redone with a savepoint per write: only the faulty
write fails. A deadlock with another relay, or a lost connection, fails or retries the batch as
a whole (see `PgWriter._apply`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import AdaptersMap, Loader
from psycopg.pq import TransactionStatus

from relay.store.interface import StoreConflict, StoreUnavailable
from relay.store.postgres_schema import POSTGRES_MIGRATIONS
from relay.store.sql import Db, Done, Sequences, call_done, settle

logger = logging.getLogger(__name__)

MIGRATION_LOCK = 0x6B656675  # "kefu": relays starting together migrate one after the other
DEADLOCK_RETRIES = 3
WriteFn = Callable[..., Any]
Write = tuple[WriteFn, tuple[Any, ...], Done, tuple[int, ...]]
"""A write, its arguments, its callback, and the conversations whose rows it writes (its seq, its state)."""
Together = Callable[["PgConnection", Sequences, list[tuple[Any, ...]]], list[tuple[Any, BaseException | None]]]
"""Runs several writes of one function at once, given each write's arguments: each one's (value, error),
in order, as the function would have answered them one after the other (`postgres_append`)."""


class _NumericLoader(Loader):
    """`numeric` (what PostgreSQL's SUM of BIGINT and `/ 1000.0` give) as int when whole, else float,
    as SQLite gives them: never Decimal."""

    def load(self, data: Any) -> Any:
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


ADAPTERS = AdaptersMap(psycopg.adapters)
ADAPTERS.register_loader("numeric", _NumericLoader)


@lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """The shared SQL's `?` placeholders as psycopg's `%s` (and a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """`relay.store.sql.Db` over a psycopg connection."""

    IntegrityError: type[Exception] = pg_errors.IntegrityError

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self.conn.execute(pg_sql(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self.conn.cursor()
        cursor.executemany(pg_sql(sql), [tuple(p) for p in parameters])
        return cursor


def connect(dsn: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=autocommit, context=ADAPTERS,
                           application_name="kefu-relay")


def migrate(dsn: str) -> list[str]:
    """Apply the migrations this database lacks, in one transaction under an advisory lock; return their names."""
    with connect(dsn) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        applied = []
        for name, ddl in POSTGRES_MIGRATIONS:
            if name in done:
                continue
            if ddl:
                conn.execute(ddl)
            conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (%s, %s)",
                         (name, int(time.time() * 1000)))
            applied.append(name)
        conn.commit()
    for name in applied:
        logger.info("applied migration %s", name)
    return applied


class PgSequences(Sequences):
    """`Sequences` with the conversations' rows locked and written back in one fixed statement each
    (arrays, not a statement per row nor a list of placeholders per batch size: prepared once)."""

    def __init__(self) -> None:
        super().__init__(lock=True)

    def _read_many(self, conn: Db, conversation_ids: list[int]) -> list[Any]:
        assert isinstance(conn, PgConnection)
        return conn.conn.execute("SELECT id, last_seq FROM conversations WHERE id = ANY(%b::bigint[])"
                                 " ORDER BY id FOR NO KEY UPDATE", (conversation_ids,)).fetchall()

    def _write_back(self, conn: Db, seqs: list[tuple[int, int]]) -> None:
        assert isinstance(conn, PgConnection)
        last, ids = zip(*seqs, strict=True)
        conn.conn.execute("UPDATE conversations c SET last_seq = v.last FROM unnest(%b::bigint[], %b::bigint[])"
                          " AS v(last, id) WHERE c.id = v.id", (list(last), list(ids)))


def _locked(batch: list[Write]) -> list[int]:
    return sorted({c for *_, conversations in batch for c in conversations})


class PgWriter:
    """One thread, one connection, one transaction per batch of queued writes (see the module's docstring)."""

    def __init__(self, dsn: str, loop: asyncio.AbstractEventLoop, sequences: Sequences,
                 together: dict[WriteFn, Together] | None = None) -> None:
        self.dsn = dsn
        self._together = together or {}
        self._loop = loop
        self.sequences = sequences
        self._queue: list[Write] = []
        self._cond = threading.Condition()
        self._closing = False
        self._conn: psycopg.Connection[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="store-pg-writer", daemon=True)
        self.commits = 0
        self.writes = 0
        self.deadlocks = 0
        self.redone = 0
        self.last_error: str | None = None
        self.in_flight = 0

    def start(self) -> None:
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive() and not self._closing

    def pending(self) -> int:
        return len(self._queue) + self.in_flight

    def submit(self, fn: WriteFn, conversations: tuple[int, ...] = ()) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = self._loop.create_future()
        self.submit_then(fn, (), partial(settle, fut), conversations)
        return fut

    def submit_then(self, fn: WriteFn, args: tuple[Any, ...], done: Done, conversations: tuple[int, ...] = ()) -> None:
        """Queue `fn(conn, *args)`; `done(value, error)` once committed. `conversations`: those whose row
        the write changes (the seq it takes, a status, a read cursor): the batch locks all its writes'
        conversations first, at once and in id order."""
        with self._cond:
            if self._closing:
                call_done(done, None, StoreUnavailable("store is closed"))
                return
            self._queue.append((fn, args, done, conversations))
            self._cond.notify()

    async def stop(self) -> None:
        """Commit what is queued, then close."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        await asyncio.to_thread(self._thread.join)

    # the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    break
                batch, self._queue = self._queue, []
                self.in_flight = len(batch)
            results = self._apply(batch)
            results += self._behind_failed(batch, results)
            self._loop.call_soon_threadsafe(self._deliver, results)
        if self._conn is not None:
            self._conn.close()

    def _behind_failed(self, batch: list[Write], results: list[tuple[Done, Any, BaseException | None]]
                       ) -> list[tuple[Done, Any, BaseException | None]]:
        """The writes queued meanwhile behind a write that failed as unavailable, into the same
        conversations, fail with it unattempted: a client's pipelined sends stay in the order sent
        (it resends the failed one first). Without this the next one could commit, the database back,
        before the failed one's resend."""
        failed = {c for (_, _, _, convs), (_, _, error) in zip(batch, results, strict=True)
                  if isinstance(error, StoreUnavailable) for c in convs}
        if not failed:
            return []
        with self._cond:
            behind = [w for w in self._queue if failed.intersection(w[3])]
            self._queue = [w for w in self._queue if not failed.intersection(w[3])]
            self.in_flight += len(behind)
        failure = StoreUnavailable("not attempted: an earlier write into this conversation failed")
        return [(done, None, failure) for _, _, done, _ in behind]

    def _deliver(self, results: list[tuple[Done, Any, BaseException | None]]) -> None:
        self.in_flight = 0
        for done, value, error in results:
            call_done(done, value, error)

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.dsn)
        return self._conn

    def _apply(self, batch: list[Write]) -> list[tuple[Done, Any, BaseException | None]]:
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                conn = self._connection()
                try:
                    results = self._run_batch(conn, batch)
                    self.sequences.flush(PgConnection(conn))
                    conn.commit()
                except BaseException:
                    self.sequences.forget()
                    if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                        conn.rollback()
                    raise
            except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure) as exc:
                # Another relay's batch locked the same rows in the other order: PostgreSQL picked this
                # one to abort. Nothing of it was kept; run it again.
                self.deadlocks += 1
                if attempt < DEADLOCK_RETRIES:
                    logger.info("write batch aborted by %s; retrying", type(exc).__name__)
                    continue
                return self._failed(batch, exc)
            except psycopg.Error as exc:
                if self._conn is not None and self._conn.closed:
                    self._conn = None  # the next batch reconnects
                return self._failed(batch, exc)
            self.commits += 1
            self.writes += len(batch)
            self.last_error = None
            return results
        raise AssertionError("unreachable")

    def _failed(self, batch: list[Write], exc: BaseException) -> list[tuple[Done, Any, BaseException | None]]:
        logger.error("database write failed: %s", exc)
        self.last_error = str(exc) or type(exc).__name__
        failure = StoreUnavailable(f"database write failed: {exc}")
        return [(done, None, failure) for _, _, done, _ in batch]

    def _run_batch(self, conn: psycopg.Connection[Any], batch: list[Write]
                   ) -> list[tuple[Done, Any, BaseException | None]]:
        db = PgConnection(conn)
        # The conversations whose rows this batch changes are locked first, all at once and in id order,
        # so that two relays writing to the same conversations (one appending, the other routing) wait
        # for each other instead of deadlocking. (FOR NO KEY UPDATE, as an UPDATE of them takes: rows
        # that refer to a conversation, its messages and events, can still be inserted meanwhile.)
        self.sequences.lock_all(db, _locked(batch))
        results: list[tuple[Done, Any, BaseException | None]] = []
        i = 0
        while i < len(batch):
            fn, args, done, _ = batch[i]
            together = self._together.get(fn)
            end = i + 1
            while together is not None and end < len(batch) and batch[end][0] == fn:
                end += 1
            if end - i > 1:  # writes of one function in a row: run them at once
                assert together is not None
                run = batch[i:end]
                try:
                    answers = together(db, self.sequences, [w[1] for w in run])
                except psycopg.OperationalError:
                    raise
                except Exception as exc:
                    logger.warning("%d writes run together failed (%s); redoing the batch write by write",
                                   len(run), exc)
                    return self._redo_carefully(conn, batch)
                results += [(w[2], value, error) for w, (value, error) in zip(run, answers, strict=True)]
                i = end
                continue
            i = end
            try:
                results.append((done, fn(db, *args), None))
            except (StoreConflict, KeyError) as exc:
                if conn.info.transaction_status == TransactionStatus.INERROR:
                    return self._redo_carefully(conn, batch)
                results.append((done, None, exc))  # refused before it changed anything
            except psycopg.OperationalError:
                raise
            except Exception as exc:
                logger.warning("a write failed (%s); redoing its transaction write by write", exc)
                return self._redo_carefully(conn, batch)
        return results

    def _redo_carefully(self, conn: psycopg.Connection[Any], batch: list[Write]
                        ) -> list[tuple[Done, Any, BaseException | None]]:
        self.redone += 1
        conn.rollback()
        self.sequences.forget()
        db = PgConnection(conn)
        self.sequences.lock_all(db, _locked(batch))
        results: list[tuple[Done, Any, BaseException | None]] = []
        for fn, args, done, _ in batch:
            known = set(self.sequences.last)
            conn.execute("SAVEPOINT w")
            try:
                value = fn(db, *args)
            except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, psycopg.OperationalError):
                raise
            except Exception as exc:  # one write's failure is that write's answer
                conn.execute("ROLLBACK TO SAVEPOINT w")
                # A row this write locked is unlocked again by the rollback: read it anew next time.
                self.sequences.drop(set(self.sequences.last) - known)
                results.append((done, None, exc))
            else:
                results.append((done, value, None))
            conn.execute("RELEASE SAVEPOINT w")
        return results
