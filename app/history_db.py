"""The local history's connections, their threads and its schema (see `app.history`).

One connection owned by one writer thread, a second read-only one with its own thread; every job
is a small function of the connection, run one at a time in submission order. The schema is
sqlite-utils migrations, applied when the history opens.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app import history_notes
from app.errors import KefuError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class HistoryClosed(KefuError):
    """The local history is not open (not opened yet, or closed): reopen the workstation's data."""


MIGRATIONS = Migrations("kefu_history")
MIGRATIONS.migrations_table = "migrations"


CONVERSATION_COLUMNS = (
    "conversation_id", "shop", "shop_name", "buyer_id", "buyer_name", "last_seq", "buyer_read_seq",
    "agent_read_seq", "created_at", "status", "agent_id", "agent_name", "unanswered_since", "session_id",
    "rating_due", "rating",
)


@MIGRATIONS(name="0001_initial")
def _initial_schema(db: Database) -> None:
    db.table("conversations").create(
        {
            "conversation_id": int, "shop": str, "shop_name": str, "buyer_id": str, "buyer_name": str,
            "last_seq": int, "buyer_read_seq": int, "agent_read_seq": int, "created_at": int, "status": str,
            "agent_id": str, "agent_name": str, "unanswered_since": int,
        },
        pk="conversation_id",
        not_null=set(CONVERSATION_COLUMNS[:10]),
    )
    messages = db.table("messages")
    messages.create(
        {
            "id": int, "conversation_id": int, "seq": int, "client_msg_id": str, "sender_kind": str,
            "sender_id": str, "sender_name": str, "text": str, "ts": int, "kind": str, "card_json": str,
            "event": str, "provisional": int,
        },
        pk="id",
        not_null={"conversation_id", "seq", "client_msg_id", "sender_kind", "sender_id", "sender_name", "text",
                  "ts", "kind", "provisional"},
        defaults={"kind": "text", "provisional": 0},
    )
    messages.create_index(["conversation_id", "seq"], index_name="messages_conversation_seq", unique=True)
    messages.enable_fts(["text"], tokenize="trigram", create_triggers=True)
    db.execute("CREATE VIRTUAL TABLE messages_short USING fts5(terms, content='', columnsize=0, detail=none)")
    outbox = db.table("outbox")
    outbox.create(
        {
            "id": int, "client_msg_id": str, "conversation_id": int, "sender_id": str, "sender_name": str,
            "text": str, "ts": int, "kind": str, "card_json": str, "state": str, "error": str,
        },
        pk="id",
        not_null={"client_msg_id", "conversation_id", "sender_id", "sender_name", "text", "ts", "kind", "state"},
    )
    outbox.create_index(["client_msg_id"], index_name="outbox_client_msg_id", unique=True)


@MIGRATIONS(name="0002_sessions_and_parameters")
def _sessions_and_parameters(db: Database) -> None:
    """The relay's chat sessions and ratings on each conversation; system messages' parameters."""
    conversations = db.table("conversations")
    conversations.add_column("session_id", int)
    conversations.add_column("rating_due", int, not_null_default=0)
    conversations.add_column("rating", int)
    db.table("messages").add_column("params_json", str)


@MIGRATIONS(name="0003_staff_notes")
def _staff_notes(db: Database) -> None:
    """Internal notes and whispers (app/history_notes.py)."""
    history_notes.create_notes(db)


MIGRATION_NAMES = tuple(m.name for m in MIGRATIONS._migrations)
"""Every migration, in order; the last one names the schema version."""


_Job = tuple[Callable[[Database], Any], "concurrent.futures.Future[Any]"]


class Worker:
    """A thread that opens one connection and runs submitted jobs on it, one at a time, in order."""

    def __init__(self, name: str, connect: Callable[[], Database], on_close: Callable[[Database], None]) -> None:
        self._connect = connect
        self._on_close = on_close
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._stopped: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[Database], T]) -> asyncio.Future[T]:
        """Queue `fn(db)`; the returned future gets its result or exception."""
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((fn, done))
        return asyncio.wrap_future(done)

    async def stop(self) -> None:
        """Run every job already queued, close the connection, end the thread."""
        self._jobs.put(None)
        await asyncio.wrap_future(self._stopped)
        self._thread.join()  # the thread has returned from its last statement: immediate

    def _run(self) -> None:
        db: Database | None = None
        failure: BaseException | None = None
        try:
            db = self._connect()
        except BaseException as exc:  # surfaced to every job, starting with open()'s
            failure = exc
        while (item := self._jobs.get()) is not None:
            fn, done = item
            if not done.set_running_or_notify_cancel():
                continue  # its caller stopped waiting before it started
            if db is None:
                done.set_exception(HistoryClosed(f"the local history could not be opened: {failure}"))
                continue
            try:
                result = fn(db)
            except BaseException as exc:
                _rollback_leftover(db)
                done.set_exception(exc)
            else:
                done.set_result(result)
        try:
            if db is not None:
                self._on_close(db)
                db.close()
        except Exception:
            logger.exception("closing the local history connection failed")
        finally:
            self._stopped.set_result(None)


def _rollback_leftover(db: Database) -> None:
    """A failed job must not leave a transaction open for the next one."""
    try:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
    except sqlite3.Error:
        logger.exception("rolling back after a failed job failed")


def connect_writer(path: Path) -> Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(sqlite3.connect(path, isolation_level=None), execute_plugins=False)
    db.enable_wal()
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def connect_reader(path: Path) -> Database:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def close_writer(db: Database) -> None:
    db.execute("PRAGMA optimize")


def no_op(db: Database) -> None:
    return None


def migrate(db: Database) -> list[str]:
    pending = [m.name for m in MIGRATIONS.pending(db)]
    MIGRATIONS.apply(db)
    for name in pending:
        logger.info("applied local history migration %s", name)
    return pending
