"""What the two stores share: the connection they write through, and each conversation's seq.

Both stores run the same SQL (`sql_core`, `sql_facts`, `sql_shop`), written in the part of the
language SQLite and PostgreSQL agree on, with `?` placeholders:

- `INSERT ... ON CONFLICT ... DO NOTHING / DO UPDATE` (never `INSERT OR IGNORE`), `RETURNING id`
  (never `lastrowid`), `COUNT(*) FILTER (WHERE ...)` for counts of a condition (never `SUM(flag)`),
  `IS NOT DISTINCT FROM` (never `IS ?`), `CAST(? AS BIGINT) IS NULL` where a parameter may be NULL,
  `CASE` for the larger of two values (SQLite has no `GREATEST`, PostgreSQL no two-argument `MAX`);
- flags are integers 0/1 in both schemas and are compared as such (`in_hours = 1`);
- `rowid` is SQLite's own; the PostgreSQL schema names an identity column `rowid` where a query
  orders by insertion.

Only what the engines do differently lives in `sqlite*.py` and `postgres*.py`: connections, the
writer (how a batch of writes becomes one commit), migrations' DDL and triggers, and how a
conversation's last seq is read (PostgreSQL locks the row for the batch, because several relays
may append to one conversation).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]
"""Called with (value, None) once a write is committed, or (None, error)."""


class Cursor(Protocol):
    """The part of a DB-API cursor the shared SQL uses."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """A write connection inside the open transaction: `sqlite3.Connection`, or `postgres_writer.PgConnection`."""

    @property
    def IntegrityError(self) -> type[Exception]: ...

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


def settle(fut: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if fut.done():
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(value)


def call_done(done: Done, value: Any, error: BaseException | None) -> None:
    try:
        done(value, error)
    except Exception:
        logger.exception("a write's callback failed")


def marks(count: int) -> str:
    """`?, ?, ?` for `count` values."""
    return ", ".join("?" * count)


class Sequences:
    """Each conversation's last seq, as the writer sees it.

    Appends take the next seq from memory and the conversations table is updated once per
    conversation per batch, just before the commit: one row write per batch instead of one per
    message. Forgotten whenever a transaction is rolled back, then reloaded from the table.

    `lock`: read the row `FOR NO KEY UPDATE` and forget everything after each commit (PostgreSQL, where
    other relays append to the same conversations: the row lock holds them off until this batch
    commits, and the next batch reads what they wrote). SQLite has one writer for the whole file,
    so its cache stays valid across batches.
    """

    def __init__(self, *, lock: bool = False) -> None:
        self.last: dict[int, int] = {}
        self.dirty: set[int] = set()
        self.lock = lock
        self._select = "SELECT last_seq FROM conversations WHERE id = ?" + (" FOR NO KEY UPDATE" if lock else "")

    def current(self, conn: Db, conversation_id: int) -> int:
        last = self.last.get(conversation_id)
        if last is None:
            row = conn.execute(self._select, (conversation_id,)).fetchone()
            if row is None:
                raise KeyError(f"no conversation {conversation_id}")
            last = self.last[conversation_id] = int(row[0])
        return last

    def lock_all(self, conn: Db, conversation_ids: list[int]) -> None:
        """Read (and, with `lock`, lock) these conversations' last seq at once, in the order given."""
        if not conversation_ids:
            return
        wanted = [c for c in conversation_ids if c not in self.last]
        for start in range(0, len(wanted), 500):
            for conversation_id, last in self._read_many(conn, wanted[start:start + 500]):
                self.last[int(conversation_id)] = int(last)

    def _read_many(self, conn: Db, conversation_ids: list[int]) -> list[Any]:
        """(id, last_seq) of these conversations, locked (with `lock`) in id order. An engine may do it its own way."""
        return conn.execute(f"SELECT id, last_seq FROM conversations WHERE id IN ({marks(len(conversation_ids))})"
                            " ORDER BY id" + (" FOR NO KEY UPDATE" if self.lock else ""), conversation_ids).fetchall()

    def drop(self, conversation_ids: set[int]) -> None:
        for conversation_id in conversation_ids:
            self.last.pop(conversation_id, None)

    def taken(self, conversation_id: int, seq: int) -> None:
        self.last[conversation_id] = seq
        self.dirty.add(conversation_id)

    def flush(self, conn: Db) -> None:
        if self.dirty:
            self._write_back(conn, [(self.last[c], c) for c in sorted(self.dirty)])
            self.dirty.clear()
        if self.lock or len(self.last) > 200_000:  # bound memory; reloaded on demand
            self.last.clear()

    def _write_back(self, conn: Db, seqs: list[tuple[int, int]]) -> None:
        """Store these (last_seq, id), in id order. An engine may do it its own way."""
        conn.executemany("UPDATE conversations SET last_seq = ? WHERE id = ?", seqs)

    def forget(self) -> None:
        self.last.clear()
        self.dirty.clear()
