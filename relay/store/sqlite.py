"""The embedded store: SQLite in WAL mode, one writer, adaptive group commit.

Writes are small functions of the write connection. They run on the event loop inside the open
transaction; a commit starts as soon as the previous one returns and runs on a thread, so one
fsync covers every write that arrived meanwhile (see `_Writer`). Reads run on a separate
read-only connection in the event loop; they are indexed and bounded, and WAL lets them see only
committed data. Checkpoints run off the commit path on their own connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from relay.store.interface import (
    CALL_FIELDS,
    CONVERSATION_FIELDS,
    AccountRow,
    AppendResult,
    BuyerRow,
    CallBlockRow,
    CallFacts,
    CallRow,
    CallSettingsRow,
    ConversationRow,
    MessageRow,
    NewCase,
    ShopRow,
    ShopSettingsRow,
    StoreConflict,
    StoreUnavailable,
    TemplateRow,
)
from relay.store.migrations import MIGRATIONS
from relay.store.rows import CALL_COLUMN_COUNT, CALL_COLUMNS, call_row, call_values
from relay.store.sqlite_facts import SqliteFacts
from wire import frames as f
from wire.errors import ConflictReason

if TYPE_CHECKING:
    from relay.demo_data import DemoDataset

logger = logging.getLogger(__name__)

T = TypeVar("T")
WriteFn = Callable[..., Any]
"""A write: called with the write connection and the write's arguments, inside the open transaction."""
Done = Callable[[Any, BaseException | None], None]
"""Called with (value, None) once the write is committed, or (None, error)."""
Synchronous = Literal["FULL", "NORMAL"]

CHECKPOINT_INTERVAL_S = 1.0
WAL_RESTART_FRAMES = 8192
"""WAL frames (pages, 4 KiB) above which the checkpointer makes the WAL start over (see `_checkpoint_loop`)."""
WAL_SIZE_LIMIT = 64 * 1024 * 1024
"""`journal_size_limit`: a WAL that grew larger in a burst is cut back to this when it starts over."""

_CONVERSATION_SELECT = """
    SELECT c.id, c.shop_id, s.slug, s.name, c.buyer_id, b.nickname, c.created_at,
           c.last_seq, c.buyer_read_seq, c.agent_read_seq, c.status, c.agent_id, a.display_name, c.tier,
           c.queued_at, c.last_agent_id, c.last_agent_at, c.last_activity_at, c.unanswered_since,
           c.unanswered_seq, c.session_id, ls.close_reason, ls.rating
    FROM conversations c JOIN shops s ON s.id = c.shop_id JOIN buyers b ON b.id = c.buyer_id
    LEFT JOIN accounts a ON a.id = c.agent_id LEFT JOIN chat_sessions ls ON ls.id = c.session_id
"""
_ACCOUNT_SELECT = """
    SELECT a.id, a.shop_id, s.slug, a.username, a.display_name, a.role, a.password_hash, a.cap
    FROM accounts a JOIN shops s ON s.id = a.shop_id
"""
_MESSAGE_COLUMNS = (
    "conversation_id, seq, sender_kind, sender_id, sender_name, client_msg_id, text, ts, kind, card_json, event,"
    " params_json"
)
_INSERT_MESSAGE = f"INSERT INTO messages ({_MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _connect(path: Path, synchronous: Synchronous) -> sqlite3.Connection:
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


def _settle(fut: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if fut.done():
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(value)


def _call(done: Done, value: Any, error: BaseException | None) -> None:
    try:
        done(value, error)
    except Exception:
        logger.exception("a write's callback failed")


class _Sequences:
    """Each conversation's last seq, owned by the writer thread.

    Appends take the next seq from memory and the conversations table is updated once per
    conversation per batch, just before the commit: one row write per batch instead of one per
    message. Forgotten whenever a transaction is rolled back, then reloaded from the table.
    """

    def __init__(self) -> None:
        self.last: dict[int, int] = {}
        self.dirty: set[int] = set()

    def current(self, conn: sqlite3.Connection, conversation_id: int) -> int:
        last = self.last.get(conversation_id)
        if last is None:
            row = conn.execute("SELECT last_seq FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
            if row is None:
                raise KeyError(f"no conversation {conversation_id}")
            last = self.last[conversation_id] = int(row[0])
        return last

    def taken(self, conversation_id: int, seq: int) -> None:
        self.last[conversation_id] = seq
        self.dirty.add(conversation_id)

    def flush(self, conn: sqlite3.Connection) -> None:
        if self.dirty:
            conn.executemany("UPDATE conversations SET last_seq = ? WHERE id = ?",
                             [(self.last[c], c) for c in self.dirty])
            self.dirty.clear()
        if len(self.last) > 200_000:  # bound memory; reloaded on demand
            self.last.clear()

    def forget(self) -> None:
        self.last.clear()
        self.dirty.clear()


class _Writer:
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
    savepoint per write, so that only the faulty write fails.
    """

    def __init__(self, path: Path, synchronous: Synchronous, loop: asyncio.AbstractEventLoop,
                 sequences: _Sequences) -> None:
        self._loop = loop
        self._conn = _connect(path, synchronous)
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
        self.submit_then(fn, (), partial(_settle, fut))
        return fut

    def submit_then(self, fn: WriteFn, args: tuple[Any, ...], done: Done) -> None:
        """Run `fn(conn, *args)` in the open transaction; `done(value, error)` once committed."""
        if self.closed:
            _call(done, None, StoreUnavailable("store is closed"))
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
            logger.warning("a write failed (%s); redoing its transaction write by write", exc)
            self._redo_carefully([*((f, a, d) for f, a, d, _, _ in self._open), (fn, args, done)])

    def _redo_carefully(self, writes: list[tuple[WriteFn, tuple[Any, ...], Done]]) -> None:
        conn = self._conn
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        self.sequences.forget()
        self._open = []
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._fail([done for _, _, done in writes], exc)
            return
        for fn, args, done in writes:
            conn.execute("SAVEPOINT w")
            try:
                value = fn(conn, *args)
            except Exception as exc:  # one write's failure is that write's answer
                conn.execute("ROLLBACK TO w")
                conn.execute("RELEASE w")
                self._open.append((fn, args, done, None, exc))
            else:
                conn.execute("RELEASE w")
                self._open.append((fn, args, done, value, None))

    def _fail(self, dones: list[Done], exc: BaseException) -> None:
        logger.error("database write failed: %s", exc)
        self.last_error = str(exc)
        failure = StoreUnavailable(f"database write failed: {exc}")
        for done in dones:
            _call(done, None, failure)

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
            self._conn.execute("ROLLBACK")

    def _committed(self, batch: list[tuple[WriteFn, tuple[Any, ...], Done, Any, BaseException | None]],
                   done: asyncio.Future[Any]) -> None:
        self._committing = False
        exc = done.exception()
        if exc is not None:
            self._rollback()
            self._fail([d for _, _, d, _, _ in batch], exc)
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


class SqliteStore(SqliteFacts):
    """`Store` on one SQLite file. `synchronous=FULL` (default) survives power loss; see docs."""

    def __init__(self, path: Path, *, synchronous: Synchronous = "FULL") -> None:
        self.path = path
        self.synchronous = synchronous
        self._writer: _Writer | None = None
        self._seqs = _Sequences()
        self._read: sqlite3.Connection | None = None
        self._checkpointer: asyncio.Task[None] | None = None
        self.wal_frames = 0
        self.wal_restarts = 0
        self.longest_hold_ms = 0.0

    # lifecycle ------------------------------------------------------------------------------

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

        def prepare() -> sqlite3.Connection:
            conn = _connect(self.path, self.synchronous)
            migrate(conn)
            return conn

        ckpt = await asyncio.to_thread(prepare)
        self._read = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._read.execute("PRAGMA query_only=1")
        self._writer = _Writer(self.path, self.synchronous, asyncio.get_running_loop(), self._seqs)
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

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._writer is None:
            raise StoreUnavailable("store is not open")
        return cast(T, await self._writer.submit(fn))

    def _reader(self) -> sqlite3.Connection:
        if self._read is None:
            raise StoreUnavailable("store is not open")
        return self._read

    def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._reader().execute(sql, params).fetchone()
        return row

    def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._reader().execute(sql, params).fetchall()

    # shops and accounts ---------------------------------------------------------------------

    async def ensure_shop(self, slug: str, name: str) -> ShopRow:
        def write(conn: sqlite3.Connection) -> ShopRow:
            conn.execute("INSERT OR IGNORE INTO shops (slug, name) VALUES (?, ?)", (slug, name))
            row = conn.execute("SELECT id, slug, name FROM shops WHERE slug = ?", (slug,)).fetchone()
            return ShopRow(*row)

        return await self._write(write)

    async def get_shop(self, slug: str) -> ShopRow | None:
        row = self._one("SELECT id, slug, name FROM shops WHERE slug = ?", (slug,))
        return ShopRow(*row) if row else None

    async def list_shops(self) -> list[ShopRow]:
        return [ShopRow(*r) for r in self._all("SELECT id, slug, name FROM shops ORDER BY id", ())]

    async def create_account(
        self, shop_slug: str, username: str, display_name: str, role: str, password_hash: str
    ) -> AccountRow:
        def write(conn: sqlite3.Connection) -> AccountRow:
            shop = conn.execute("SELECT id FROM shops WHERE slug = ?", (shop_slug,)).fetchone()
            if shop is None:
                raise KeyError(f"no shop {shop_slug!r}")
            try:
                conn.execute(
                    "INSERT INTO accounts (shop_id, username, display_name, role, password_hash)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (shop[0], username, display_name, role, password_hash),
                )
            except sqlite3.IntegrityError:
                raise StoreConflict(f"account {username!r} already exists in {shop_slug!r}") from None
            row = conn.execute(
                _ACCOUNT_SELECT + " WHERE s.slug = ? AND a.username = ?", (shop_slug, username)
            ).fetchone()
            return AccountRow(*row)

        return await self._write(write)

    async def find_account(self, shop_slug: str, username: str) -> AccountRow | None:
        row = self._one(_ACCOUNT_SELECT + " WHERE s.slug = ? AND a.username = ?", (shop_slug, username))
        return AccountRow(*row) if row else None

    # tokens ---------------------------------------------------------------------------------

    async def save_token(self, token_hash: str, account_id: int, expires_at: int) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO tokens (token_hash, account_id, expires_at) VALUES (?, ?, ?)",
                (token_hash, account_id, expires_at),
            )
            # Expired tokens are useless: drop them while we are here.
            conn.execute("DELETE FROM tokens WHERE expires_at < ?", (expires_at - 30 * 86_400_000,))

        await self._write(write)

    async def account_for_token(self, token_hash: str, now: int) -> AccountRow | None:
        row = self._one(
            _ACCOUNT_SELECT + " JOIN tokens t ON t.account_id = a.id"
            " WHERE t.token_hash = ? AND t.expires_at > ?",
            (token_hash, now),
        )
        return AccountRow(*row) if row else None

    async def token_expires_at(self, token_hash: str) -> int | None:
        row = self._one("SELECT expires_at FROM tokens WHERE token_hash = ?", (token_hash,))
        return int(row[0]) if row else None

    async def revoke_token(self, token_hash: str) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM tokens WHERE token_hash = ?", (token_hash,)).rowcount > 0

        return await self._write(write)

    # buyers and conversations ---------------------------------------------------------------

    async def get_buyer(self, buyer_id: str) -> BuyerRow | None:
        row = self._one("SELECT id, nickname FROM buyers WHERE id = ?", (buyer_id,))
        return BuyerRow(*row) if row else None

    async def buyer_ids(self) -> list[str]:
        return [r[0] for r in self._all("SELECT id FROM buyers ORDER BY id", ())]

    async def open_conversation(
        self, shop_id: int, buyer_id: str, now: int
    ) -> tuple[ConversationRow, bool]:
        def write(conn: sqlite3.Connection) -> tuple[ConversationRow, bool]:
            created = (
                conn.execute(
                    "INSERT OR IGNORE INTO conversations (shop_id, buyer_id, created_at)"
                    " VALUES (?, ?, ?)",
                    (shop_id, buyer_id, now),
                ).rowcount
                > 0
            )
            row = conn.execute(
                _CONVERSATION_SELECT + " WHERE c.shop_id = ? AND c.buyer_id = ?", (shop_id, buyer_id)
            ).fetchone()
            return ConversationRow(*row), created

        return await self._write(write)

    async def get_conversation(self, conversation_id: int) -> ConversationRow | None:
        row = self._one(_CONVERSATION_SELECT + " WHERE c.id = ?", (conversation_id,))
        return ConversationRow(*row) if row else None

    async def list_conversations(
        self, *, shop_id: int | None = None, buyer_id: str | None = None, open_only: bool = False
    ) -> list[ConversationRow]:
        if shop_id is not None and open_only:
            rows = self._all(_CONVERSATION_SELECT + " WHERE c.shop_id = ? AND c.status IN ('queued', 'assigned')"
                             " ORDER BY c.id", (shop_id,))
        elif shop_id is not None:
            rows = self._all(_CONVERSATION_SELECT + " WHERE c.shop_id = ? ORDER BY c.id", (shop_id,))
        elif buyer_id is not None:
            rows = self._all(_CONVERSATION_SELECT + " WHERE c.buyer_id = ? ORDER BY c.id", (buyer_id,))
        else:
            raise ValueError("list_conversations needs shop_id or buyer_id")
        return [ConversationRow(*r) for r in rows]

    # messages -------------------------------------------------------------------------------

    def append_message(
        self,
        conversation_id: int,
        sender_kind: str,
        sender_id: str,
        sender_name: str,
        client_msg_id: str,
        text: str,
        ts: int,
        *,
        kind: str = "text",
        card_json: str | None = None,
        event: str | None = None,
        params_json: str | None = None,
        new_case: NewCase | None = None,
        new_call: CallRow | None = None,
    ) -> asyncio.Future[AppendResult]:
        fut: asyncio.Future[AppendResult] = asyncio.get_running_loop().create_future()
        self.append_message_then(partial(_settle, fut), conversation_id, sender_kind, sender_id, sender_name,
                                 client_msg_id, text, ts, kind=kind, card_json=card_json, event=event,
                                 params_json=params_json, new_case=new_case, new_call=new_call)
        return fut

    def append_message_then(
        self,
        done: Callable[[AppendResult | None, BaseException | None], None],
        conversation_id: int,
        sender_kind: str,
        sender_id: str,
        sender_name: str,
        client_msg_id: str,
        text: str,
        ts: int,
        *,
        kind: str = "text",
        card_json: str | None = None,
        event: str | None = None,
        params_json: str | None = None,
        new_case: NewCase | None = None,
        new_call: CallRow | None = None,
    ) -> None:
        if self._writer is None:
            _call(done, None, StoreUnavailable("store is not open"))
            return
        row = (conversation_id, 0, sender_kind, sender_id, sender_name, client_msg_id, text, ts, kind, card_json,
               event, params_json)
        self._writer.submit_then(self._insert_message, (row, new_case, new_call), done)

    def _insert_message(
        self, conn: sqlite3.Connection, row: tuple[Any, ...], new_case: NewCase | None, new_call: CallRow | None,
    ) -> AppendResult:
        """The write of `append_message_then`: `row` is a messages row whose seq (0) is filled in here."""
        conversation_id = row[0]
        seq = self._seqs.current(conn, conversation_id) + 1
        row = (conversation_id, seq, *row[2:])
        try:
            conn.execute(_INSERT_MESSAGE, row)
        except sqlite3.IntegrityError:
            # The client id was used before (a resend): the same answer as then, nothing stored.
            sender_kind, sender_id, client_msg_id, text = row[2], row[3], row[5], row[6]
            old = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages"
                " WHERE sender_kind = ? AND sender_id = ? AND client_msg_id = ?",
                (sender_kind, sender_id, client_msg_id),
            ).fetchone()
            if old is None:
                raise
            stored = MessageRow(*old)
            if stored.conversation_id != conversation_id or stored.text != text:
                raise StoreConflict("client_msg_id was already used for a different message",
                                    ConflictReason.ID_REUSED) from None
            return AppendResult(stored, duplicate=True)
        if new_case is not None:
            c = new_case
            ts, sender_kind, sender_id = row[7], row[2], row[3]
            conn.execute(
                "INSERT INTO after_sales (case_id, shop_id, order_no, buyer_id, kind, reason, status, amount_cents,"
                " conversation_id, card_seq, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'offered', ?, ?, ?, ?)",
                (c.case_id, c.shop_id, c.order_no, c.buyer_id, c.kind, c.reason, c.amount_cents,
                 conversation_id, seq, ts),
            )
            conn.execute(
                "INSERT INTO case_audit (case_id, at, actor_kind, actor_id, action, detail)"
                " VALUES (?, ?, ?, ?, 'offered', ?)",
                (c.case_id, ts, sender_kind, sender_id, f"{c.kind} {c.amount_cents}"),
            )
        if new_call is not None:
            conn.execute(
                f"INSERT INTO calls ({CALL_COLUMNS}, card_seq) VALUES ({', '.join('?' * CALL_COLUMN_COUNT)}, ?)",
                (*call_values(new_call), seq),
            )
        self._seqs.taken(conversation_id, seq)  # last: a write that fails leaves the cache untouched
        return AppendResult(MessageRow(*row), duplicate=False)

    async def messages_after(
        self, conversation_id: int, after_seq: int, limit: int
    ) -> list[MessageRow]:
        rows = self._all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            (conversation_id, after_seq, limit),
        )
        return [MessageRow(*r) for r in rows]

    async def messages_before(
        self, conversation_id: int, before_seq: int | None, limit: int
    ) -> list[MessageRow]:
        bound = before_seq if before_seq is not None else 2**62
        rows = self._all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq < ?"
            " ORDER BY seq DESC LIMIT ?",
            (conversation_id, bound, limit),
        )
        return [MessageRow(*r) for r in reversed(rows)]

    async def mark_read(self, conversation_id: int, side: str, seq: int) -> int:
        column = {"buyer": "buyer_read_seq", "agent": "agent_read_seq"}[side]

        seqs = self._seqs

        def write(conn: sqlite3.Connection) -> int:
            last = seqs.current(conn, conversation_id)
            row = conn.execute(
                f"UPDATE conversations SET {column} = MAX({column}, ?) WHERE id = ? RETURNING {column}",
                (min(seq, last), conversation_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"no conversation {conversation_id}")
            return int(row[0])

        return await self._write(write)

    # routing ------------------------------------------------------------------------------

    async def shop_settings(self, shop_id: int) -> ShopSettingsRow:
        row = self._one("SELECT shop_id, mode, opens, closes, timezone FROM shop_settings WHERE shop_id = ?",
                        (shop_id,))
        return ShopSettingsRow(*row) if row else ShopSettingsRow(shop_id)

    async def save_shop_settings(self, settings: ShopSettingsRow) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO shop_settings (shop_id, mode, opens, closes, timezone) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (shop_id) DO UPDATE SET mode = excluded.mode, opens = excluded.opens,"
                " closes = excluded.closes, timezone = excluded.timezone",
                (settings.shop_id, settings.mode, settings.opens, settings.closes, settings.timezone),
            )

        await self._write(write)

    async def shop_accounts(self, shop_id: int) -> list[AccountRow]:
        rows = self._all(_ACCOUNT_SELECT + " WHERE a.shop_id = ? ORDER BY a.id", (shop_id,))
        return [AccountRow(*r) for r in rows]

    async def set_cap(self, account_id: int, cap: int) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE accounts SET cap = ? WHERE id = ?", (cap, account_id))

        await self._write(write)

    async def update_conversation(self, conversation_id: int, **fields: int | str | None) -> None:
        unknown = set(fields) - CONVERSATION_FIELDS
        if unknown:
            raise ValueError(f"not routing fields: {sorted(unknown)}")
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        params = (*fields.values(), conversation_id)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(f"UPDATE conversations SET {assignments} WHERE id = ?", params)

        await self._write(write)

    async def record_event(
        self, conversation_id: int, shop_id: int, at: int, kind: str, *, actor: str | None = None,
        from_agent: int | None = None, to_agent: int | None = None, note: str = "", hour: int = 0,
    ) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO conversation_events (conversation_id, shop_id, at, kind, actor, from_agent, to_agent,"
                " note, hour) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, shop_id, at, kind, actor, from_agent, to_agent, note, hour),
            )

        await self._write(write)

    # templates ------------------------------------------------------------------------------

    _TEMPLATE_COLUMNS = "id, shop_id, owner_id, grp, title, body, shortcut, initials, usage_count, updated_at, position"

    # video calls ----------------------------------------------------------------------------

    async def call_settings(self, shop_id: int) -> CallSettingsRow:
        row = self._one(
            "SELECT shop_id, enabled, invites_per_day, decline_cooldown_s, activity_window_s, invite_ttl_s,"
            " max_duration_s, warning_before_s FROM call_settings WHERE shop_id = ?", (shop_id,))
        if row is None:
            return CallSettingsRow(shop_id)
        return CallSettingsRow(row[0], bool(row[1]), *row[2:])

    async def save_call_settings(self, settings: CallSettingsRow) -> None:
        s = settings

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO call_settings (shop_id, enabled, invites_per_day, decline_cooldown_s,"
                " activity_window_s, invite_ttl_s, max_duration_s, warning_before_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (s.shop_id, int(s.enabled), s.invites_per_day, s.decline_cooldown_s, s.activity_window_s,
                 s.invite_ttl_s, s.max_duration_s, s.warning_before_s),
            )

        await self._write(write)

    async def call_facts(self, conversation_id: int, shop_id: int, buyer_id: str, day_start_ms: int) -> CallFacts:
        wrote = self._one("SELECT 1 FROM messages WHERE conversation_id = ? AND sender_kind = 'buyer' LIMIT 1",
                          (conversation_id,))
        last = self._one("SELECT MAX(ts) FROM messages WHERE conversation_id = ? AND sender_kind IN ('buyer', 'agent')",
                         (conversation_id,))
        today = self._one("SELECT COUNT(*) FROM calls WHERE shop_id = ? AND buyer_id = ? AND invited_at >= ?",
                          (shop_id, buyer_id, day_start_ms))
        declined = self._one(
            "SELECT MAX(answered_at) FROM calls WHERE shop_id = ? AND buyer_id = ? AND state = 'declined'",
            (shop_id, buyer_id))
        blocked = self._one("SELECT 1 FROM call_blocks WHERE shop_id = ? AND buyer_id = ?", (shop_id, buyer_id))
        return CallFacts(
            buyer_wrote=wrote is not None, last_human_at=last[0] if last else None,
            invites_today=int(today[0]) if today else 0, last_decline_at=declined[0] if declined else None,
            blocked=blocked is not None,
        )

    async def get_call(self, call_id: str) -> CallRow | None:
        row = self._one(f"SELECT {CALL_COLUMNS} FROM calls WHERE id = ?", (call_id,))
        return call_row(row) if row else None

    async def open_calls(self) -> list[CallRow]:
        rows = self._all(f"SELECT {CALL_COLUMNS} FROM calls WHERE state IN ('invited', 'accepted', 'connected')",
                         ())
        return [call_row(r) for r in rows]

    async def recent_calls(self, *, buyer_id: str | None = None, agent_id: int | None = None,
                           since_ms: int) -> list[CallRow]:
        column, value = ("buyer_id", buyer_id) if buyer_id is not None else ("agent_id", agent_id)
        rows = self._all(f"SELECT {CALL_COLUMNS} FROM calls WHERE {column} = ? AND invited_at >= ?"
                         " ORDER BY invited_at", (value, since_ms))
        return [call_row(r) for r in rows]

    async def update_call(self, call_id: str, **fields: int | str | bool | None) -> None:
        unknown = set(fields) - CALL_FIELDS
        if unknown:
            raise ValueError(f"not call fields: {sorted(unknown)}")
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        params = (*(int(v) if isinstance(v, bool) else v for v in fields.values()), call_id)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(f"UPDATE calls SET {assignments} WHERE id = ?", params)

        await self._write(write)

    async def block_calls(self, shop_id: int, buyer_id: str, at: int) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT OR IGNORE INTO call_blocks (shop_id, buyer_id, at) VALUES (?, ?, ?)",
                         (shop_id, buyer_id, at))

        await self._write(write)

    async def call_blocks(self, buyer_id: str) -> list[CallBlockRow]:
        rows = self._all(
            "SELECT b.shop_id, s.slug, c.id, b.at FROM call_blocks b JOIN shops s ON s.id = b.shop_id"
            " JOIN conversations c ON c.shop_id = b.shop_id AND c.buyer_id = b.buyer_id"
            " WHERE b.buyer_id = ? ORDER BY b.shop_id", (buyer_id,))
        return [CallBlockRow(*r) for r in rows]

    async def unblock_calls(self, shop_id: int, buyer_id: str, conversation_id: int, at: int) -> int | None:
        def write(conn: sqlite3.Connection) -> int | None:
            row = conn.execute("SELECT at FROM call_blocks WHERE shop_id = ? AND buyer_id = ?",
                               (shop_id, buyer_id)).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM call_blocks WHERE shop_id = ? AND buyer_id = ?", (shop_id, buyer_id))
            conn.execute(
                "INSERT INTO conversation_events (conversation_id, shop_id, at, kind, actor, note)"
                " VALUES (?, ?, ?, 'call_unblocked', 'buyer', ?)",
                (conversation_id, shop_id, at, f"blocked_at={row[0]}"))
            return int(row[0])

        return await self._write(write)

    async def list_templates(self, shop_id: int, owner_id: int) -> list[TemplateRow]:
        rows = self._all(
            f"SELECT {self._TEMPLATE_COLUMNS} FROM templates WHERE shop_id = ? AND (owner_id IS NULL OR owner_id = ?)"
            " ORDER BY position, id", (shop_id, owner_id))
        return [TemplateRow(*r) for r in rows]

    async def get_template(self, template_id: int) -> TemplateRow | None:
        row = self._one(f"SELECT {self._TEMPLATE_COLUMNS} FROM templates WHERE id = ?", (template_id,))
        return TemplateRow(*row) if row else None

    async def save_template(self, row: TemplateRow) -> TemplateRow:
        def write(conn: sqlite3.Connection) -> TemplateRow:
            values = (row.group, row.title, row.body, row.shortcut, row.initials, row.updated_at)
            if row.id:
                conn.execute("UPDATE templates SET grp = ?, title = ?, body = ?, shortcut = ?, initials = ?,"
                             " updated_at = ? WHERE id = ?", (*values, row.id))
                template_id = row.id
            else:
                last = conn.execute("SELECT MAX(position) FROM templates WHERE shop_id = ? AND owner_id IS ?",
                                    (row.shop_id, row.owner_id)).fetchone()[0]
                template_id = int(conn.execute(
                    "INSERT INTO templates (grp, title, body, shortcut, initials, updated_at, shop_id, owner_id,"
                    " position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, row.shop_id, row.owner_id, 0 if last is None else last + 1)).lastrowid or 0)
            stored = conn.execute(f"SELECT {self._TEMPLATE_COLUMNS} FROM templates WHERE id = ?",
                                  (template_id,)).fetchone()
            return TemplateRow(*stored)

        return await self._write(write)

    async def delete_template(self, template_id: int) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM templates WHERE id = ?", (template_id,))

        await self._write(write)

    async def seed_templates(self, shop_id: int, rows: list[TemplateRow]) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM templates WHERE shop_id = ? AND owner_id IS NULL LIMIT 1",
                            (shop_id,)).fetchone():
                return False
            conn.executemany(
                "INSERT INTO templates (shop_id, owner_id, grp, title, body, shortcut, initials, usage_count,"
                " updated_at, position) VALUES (?, NULL, ?, ?, ?, ?, ?, 0, ?, ?)",
                [(shop_id, r.group, r.title, r.body, r.shortcut, r.initials, r.updated_at, i)
                 for i, r in enumerate(rows)])
            return True

        return await self._write(write)

    async def count_template_use(self, template_id: int) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE templates SET usage_count = usage_count + 1 WHERE id = ?", (template_id,))

        await self._write(write)

    # platform stand-in ----------------------------------------------------------------------

    async def platform_orders(self, shop_id: int, buyer_id: str) -> list[f.OrderInfo]:
        orders = self._all(
            "SELECT order_no, status, amount_cents, created_at, courier, tracking_no FROM orders"
            " WHERE shop_id = ? AND buyer_id = ? ORDER BY created_at DESC", (shop_id, buyer_id))
        result = []
        for order_no, status, amount, created_at, courier, tracking_no in orders:
            items = [f.OrderItemInfo(sku=r[0], title=r[1], quantity=r[2], price_cents=r[3]) for r in self._all(
                "SELECT sku, title, quantity, price_cents FROM order_items WHERE order_no = ? ORDER BY rowid",
                (order_no,))]
            steps = [f.LogisticsStep(at=r[0], text=r[1]) for r in self._all(
                "SELECT at, text FROM logistics_events WHERE order_no = ? ORDER BY at DESC", (order_no,))]
            result.append(f.OrderInfo(order_no=order_no, status=status, status_label=status, amount_cents=amount,
                                      created_at=created_at, courier=courier, tracking_no=tracking_no, items=items,
                                      logistics=steps))
        return result

    async def platform_cases(self, shop_id: int, buyer_id: str) -> list[f.CaseInfo]:
        rows = self._all(
            "SELECT case_id, order_no, kind, reason, status, amount_cents FROM after_sales"
            " WHERE shop_id = ? AND buyer_id = ? ORDER BY rowid DESC", (shop_id, buyer_id))
        return [f.CaseInfo(case_id=r[0], order_no=r[1], kind=r[2], reason=r[3], status=r[4], amount_cents=r[5])
                for r in rows]

    async def answer_offer(
        self, case_id: str, conversation_id: int, buyer_id: str, accept: bool, at: int
    ) -> tuple[f.CaseInfo, int]:
        status = "accepted" if accept else "declined"

        def write(conn: sqlite3.Connection) -> tuple[f.CaseInfo, int]:
            row = conn.execute(
                "SELECT order_no, kind, reason, status, amount_cents, card_seq FROM after_sales"
                " WHERE case_id = ? AND conversation_id = ? AND buyer_id = ?",
                (case_id, conversation_id, buyer_id)).fetchone()
            if row is None:
                raise KeyError(case_id)
            order_no, kind, reason, current, amount, card_seq = row
            if current != "offered":
                raise StoreConflict(f"this offer was already {current}", ConflictReason.ALREADY_ANSWERED)
            conn.execute("UPDATE after_sales SET status = ?, updated_at = ? WHERE case_id = ?", (status, at, case_id))
            card = conn.execute("SELECT card_json FROM messages WHERE conversation_id = ? AND seq = ?",
                                (conversation_id, card_seq)).fetchone()
            if card is not None and card[0]:
                updated = json.loads(card[0])
                updated["status"] = status
                conn.execute("UPDATE messages SET card_json = ? WHERE conversation_id = ? AND seq = ?",
                             (json.dumps(updated, ensure_ascii=False), conversation_id, card_seq))
            conn.execute(
                "INSERT INTO case_audit (case_id, at, actor_kind, actor_id, action) VALUES (?, ?, 'buyer', ?, ?)",
                (case_id, at, buyer_id, status))
            return f.CaseInfo(case_id=case_id, order_no=order_no, kind=kind, reason=reason, status=status,
                              amount_cents=amount), int(card_seq)

        return await self._write(write)

    async def platform_product(self, shop_id: int, sku: str) -> f.ProductCard | None:
        row = self._one("SELECT sku, title, price_cents FROM products WHERE shop_id = ? AND sku = ?", (shop_id, sku))
        return f.ProductCard(sku=row[0], title=row[1], price_cents=row[2]) if row else None

    async def platform_buyer(self, buyer_id: str) -> tuple[str, bool] | None:
        row = self._one("SELECT nickname, vip FROM buyers WHERE id = ?", (buyer_id,))
        return (row[0], bool(row[1])) if row else None

    # demo -----------------------------------------------------------------------------------

    async def seed_demo(self, dataset: DemoDataset, hash_password: Callable[[str], str]) -> bool:
        """Insert the demo shops, accounts, buyers and orders that are missing; True if any were."""

        def write(conn: sqlite3.Connection) -> bool:
            before = conn.total_changes
            for shop in dataset.shops:
                conn.execute("INSERT OR IGNORE INTO shops (slug, name) VALUES (?, ?)", (shop.slug, shop.name))
                (shop_id,) = conn.execute("SELECT id FROM shops WHERE slug = ?", (shop.slug,)).fetchone()
                for acc in shop.accounts:
                    exists = conn.execute(
                        "SELECT 1 FROM accounts WHERE shop_id = ? AND username = ?", (shop_id, acc.username)
                    ).fetchone()
                    if not exists:
                        conn.execute(
                            "INSERT INTO accounts (shop_id, username, display_name, role, password_hash)"
                            " VALUES (?, ?, ?, ?, ?)",
                            (shop_id, acc.username, acc.display_name, acc.role,
                             hash_password(dataset.demo_password)),
                        )
                conn.executemany(
                    "INSERT OR IGNORE INTO products VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(shop_id, p.sku, p.title, p.price_cents, p.category, p.needs,
                      json.dumps(p.specs, ensure_ascii=False)) for p in shop.products],
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO buyers (id, nickname, city, vip) VALUES (?, ?, ?, ?)",
                    [(b.buyer_id, b.nickname, b.city, int(b.vip)) for b in shop.buyers],
                )
                for o in shop.orders:
                    if conn.execute("INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    (o.order_no, shop_id, o.buyer_id, o.amount_cents, o.status,
                                     o.created_at, o.tracking_no, o.courier)).rowcount:
                        conn.executemany(
                            "INSERT INTO order_items VALUES (?, ?, ?, ?, ?)",
                            [(o.order_no, i.sku, i.title, i.quantity, i.price_cents) for i in o.items],
                        )
                        conn.executemany(
                            "INSERT INTO logistics_events VALUES (?, ?, ?)",
                            [(e.order_no, e.at, e.text) for e in shop.logistics if e.order_no == o.order_no],
                        )
                conn.executemany(
                    "INSERT OR IGNORE INTO after_sales (case_id, shop_id, order_no, buyer_id, kind, reason, status)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(a.case_id, shop_id, a.order_no, a.buyer_id, a.kind, a.reason, a.status)
                     for a in shop.after_sales],
                )
            return conn.total_changes != before

        return await self._write(write)
