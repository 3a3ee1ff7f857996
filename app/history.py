"""Local history of the workstation: conversations, messages, the outbox and search, in SQLite.

Threads. One connection owned by one writer thread (Datasette's and Electrum's pattern): every
write is a small function of that connection, submitted through a queue and awaited as a future,
so writes run one at a time, in submission order, never on the event loop's thread. Reads
(`page`, `around`, `search`, `export`...) run the same way on a second, read-only connection with
its own thread: WAL lets them see every committed write while the writer works. An exception
raised by a job is set on its future (the awaiting caller gets it); the thread, the connection and
the transaction state survive it (a failed job's transaction is rolled back). `close()` queues a
stop after every job already submitted, so pending writes finish before the connections close.

Durability. WAL with `synchronous=NORMAL`: a commit is in the WAL file, in the OS's hands, before
the call returns, so it survives a crash (or SIGKILL) of the app process; only a power loss or OS
crash may lose the last commits. That is acceptable for messages and conversations, which the
relay holds durably and `sync` fetches again from `cursors()`. Outbox writes are the one thing
that exists nowhere else (typed, not yet acked), so they switch the connection to
`synchronous=FULL` for their transaction: one fsync per typed message, on the writer thread.

Message ids. `messages.id` (the rowid, shared by both search indexes) is `ts << 20` plus a
counter for messages of the same millisecond, so rowid order is time order even when older
history pages are fetched after newer messages. Search then reads the indexes with
`ORDER BY rowid DESC` and stops after `limit` hits: newest first without sorting the matches.

Search: `app.history_search`. Connections, their threads and the schema: `app.history_db`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec
from sqlite_utils import Database

from app import history_notes, history_search
from app.history_db import CONVERSATION_COLUMNS as CONVERSATION_COLUMNS
from app.history_db import MIGRATION_NAMES as MIGRATION_NAMES
from app.history_db import HistoryClosed as HistoryClosed
from app.history_db import Worker, close_writer, connect_reader, connect_writer, migrate, no_op
from app.history_search import SearchHit as SearchHit
from app.history_search import index_short, unindex_short
from wire import frames as f

logger = logging.getLogger(__name__)

T = TypeVar("T")

ID_SHIFT = 20
"""Bits of `messages.id` below the millisecond: up to 2**20 messages share one ms."""
MAX_TS = (1 << (63 - ID_SHIFT)) - 1


@dataclass(frozen=True, slots=True)
class LocalMessage:
    """A message as the workstation keeps it: stored by the relay (seq set) or still in the outbox (seq None)."""

    conversation_id: int
    client_msg_id: str
    sender_kind: str  # "buyer" | "agent" | "system"
    sender_id: str
    sender_name: str
    text: str
    ts: int  # unix ms
    kind: str = "text"  # "text" | "card" | "system"
    card_json: str | None = None  # the wire Card as JSON (msgspec), or for an outbox card: the CardRequest JSON
    event: str | None = None
    seq: int | None = None
    state: str = "sent"  # "sending" | "sent" | "failed"   (read state is derived by callers from receipts)
    error: str | None = None  # why it failed (outbox)
    params_json: str | None = None  # a system message's parameters (JSON object), to word it in the UI language


# --- rows -----------------------------------------------------------------------------------

_STORED = ("SELECT conversation_id, client_msg_id, sender_kind, sender_id, sender_name, text, ts, kind, card_json,"
           " event, seq, 'sent', NULL, params_json FROM messages")
_QUEUED = ("SELECT conversation_id, client_msg_id, 'agent', sender_id, sender_name, text, ts, kind, card_json,"
           " NULL, NULL, state, error, NULL FROM outbox")


@dataclass(frozen=True, slots=True)
class _Stored:
    """What `add_messages` needs to know of a message already stored."""

    id: int
    client_msg_id: str
    text: str
    provisional: int


def _message_row(m: f.Message, msg_id: int) -> dict[str, Any]:
    return {
        "id": msg_id, "conversation_id": m.conversation_id, "seq": m.seq, "client_msg_id": m.client_msg_id,
        "sender_kind": m.sender.kind, "sender_id": m.sender.id, "sender_name": m.sender.name, "text": m.text,
        "ts": m.ts, "kind": m.kind, "card_json": msgspec.json.encode(m.card).decode() if m.card else None,
        "event": m.event, "provisional": 0,
        "params_json": msgspec.json.encode(m.params).decode() if m.params else None,
    }


def _local(row: dict[str, Any]) -> LocalMessage:
    return LocalMessage(
        conversation_id=row["conversation_id"], client_msg_id=row["client_msg_id"], sender_kind=row["sender_kind"],
        sender_id=row["sender_id"], sender_name=row["sender_name"], text=row["text"], ts=row["ts"],
        kind=row["kind"], card_json=row["card_json"], event=row["event"], seq=row["seq"],
        params_json=row.get("params_json"),
    )


class _Ids:
    """Allocates time-ordered message ids within one transaction (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._last: dict[int, int] = {}

    def next(self, ts: int) -> int:
        base = min(max(ts, 0), MAX_TS) << ID_SHIFT
        last = self._last.get(base)
        if last is None:
            row = self._conn.execute("SELECT max(id) FROM messages WHERE id BETWEEN ? AND ?",
                                     (base, base | ((1 << ID_SHIFT) - 1))).fetchone()
            last = base - 1 if row[0] is None else int(row[0])
        if last + 1 > base | ((1 << ID_SHIFT) - 1):
            raise OverflowError(f"more than {1 << ID_SHIFT} messages in one millisecond")
        self._last[base] = last + 1
        return last + 1


def _stored_by_key(conn: sqlite3.Connection, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], _Stored]:
    by_conversation: dict[int, list[int]] = {}
    for conversation_id, seq in keys:
        by_conversation.setdefault(conversation_id, []).append(seq)
    found: dict[tuple[int, int], _Stored] = {}
    for conversation_id, seqs in by_conversation.items():
        for i in range(0, len(seqs), 500):
            chunk = seqs[i:i + 500]
            sql = (f"SELECT seq, id, client_msg_id, text, provisional FROM messages"
                   f" WHERE conversation_id = ? AND seq IN ({','.join('?' * len(chunk))})")
            for seq, *rest in conn.execute(sql, [conversation_id, *chunk]):
                found[(conversation_id, seq)] = _Stored(*rest)
    return found


def _add_messages(db: Database, messages: list[f.Message]) -> list[LocalMessage]:
    conn = db.conn
    wanted: dict[tuple[int, int], f.Message] = {}
    for m in messages:
        wanted.setdefault((m.conversation_id, m.seq), m)  # first copy wins, input order kept
    with db.atomic():
        stored = _stored_by_key(conn, wanted)
        ids = _Ids(conn)
        rows: list[dict[str, Any]] = []
        arrived: list[tuple[str, int]] = []
        for key, m in wanted.items():
            old = stored.get(key)
            if old is None:
                rows.append(_message_row(m, ids.next(m.ts)))
            elif old.provisional and old.client_msg_id == m.client_msg_id:
                _replace_provisional(conn, old, m)
            else:
                continue
            if m.sender.kind == "agent":
                arrived.append((m.client_msg_id, m.conversation_id))
        if rows:
            db.table("messages").insert_all(rows, batch_size=1000)
            index_short(conn, ((r["id"], r["text"]) for r in rows))
        if arrived:
            conn.executemany("DELETE FROM outbox WHERE client_msg_id = ? AND conversation_id = ?", arrived)
    return [_local(r) for r in rows]


def _replace_provisional(conn: sqlite3.Connection, old: _Stored, m: f.Message) -> None:
    """The relay's copy of a message this workstation sent replaces the one made from its outbox entry."""
    row = _message_row(m, old.id)
    conn.execute("UPDATE messages SET sender_name = :sender_name, text = :text, kind = :kind,"
                 " card_json = :card_json, event = :event, params_json = :params_json, provisional = 0 WHERE id = :id",
                 row)
    if old.text != m.text:
        unindex_short(conn, old.id, old.text)
        index_short(conn, [(old.id, m.text)])


def _durably(db: Database, fn: Callable[[], T]) -> T:
    """Run `fn` in a transaction whose commit is fsynced (outbox rows survive a power loss too)."""
    db.execute("PRAGMA synchronous=FULL")
    try:
        with db.atomic():
            return fn()
    finally:
        db.execute("PRAGMA synchronous=NORMAL")


def _fetch_queued(conn: sqlite3.Connection, client_msg_id: str) -> LocalMessage | None:
    row = conn.execute(_QUEUED + " WHERE client_msg_id = ?", (client_msg_id,)).fetchone()
    return None if row is None else LocalMessage(*row)


def _rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[LocalMessage]:
    return [LocalMessage(*row) for row in conn.execute(sql, tuple(params))]


# --- the API --------------------------------------------------------------------------------


class History:
    """Local history in SQLite through sqlite-utils.

    One connection on one dedicated writer thread behind an async API; reads on a read-only
    connection with its own thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._writer: Worker | None = None
        self._reader: Worker | None = None
        self._state: Literal["new", "open", "closed"] = "new"
        self._lock = asyncio.Lock()

    # lifecycle ----------------------------------------------------------------------------

    async def open(self) -> None:
        """Create or migrate the database (WAL) and start the writer and reader threads."""
        async with self._lock:
            if self._state == "open":
                return
            if self._state == "closed":
                raise HistoryClosed("the local history was closed; open a new History")
            writer = Worker("kefu-history-writer", lambda: connect_writer(self.path), close_writer)
            reader: Worker | None = None
            try:
                applied = await writer.submit(migrate)
                reader = Worker("kefu-history-reader", lambda: connect_reader(self.path), no_op)
                await reader.submit(no_op)
            except BaseException:
                for worker in (reader, writer):
                    if worker is not None:
                        await worker.stop()
                raise
            self._writer, self._reader, self._state = writer, reader, "open"
            logger.info("local history open at %s (migrations applied: %s)", self.path, ", ".join(applied) or "none")

    async def close(self) -> None:
        """Finish every write already submitted, then close both connections. Idempotent."""
        async with self._lock:
            if self._state == "closed":
                return
            self._state = "closed"  # from here on, new calls raise HistoryClosed
            for worker in (self._reader, self._writer):
                if worker is not None:
                    await worker.stop()
            self._reader = self._writer = None
            logger.info("local history closed")

    def _write(self, fn: Callable[[Database], T]) -> asyncio.Future[T]:
        if self._state != "open" or self._writer is None:
            raise HistoryClosed(self._why_not_open())
        return self._writer.submit(fn)

    def _read(self, fn: Callable[[Database], T]) -> asyncio.Future[T]:
        if self._state != "open" or self._reader is None:
            raise HistoryClosed(self._why_not_open())
        return self._reader.submit(fn)

    def _why_not_open(self) -> str:
        if self._state == "closed":
            return "the local history is closed"
        return "the local history is not open yet: await open() first"

    # conversations ------------------------------------------------------------------------

    async def save_conversations(self, infos: list[f.ConversationInfo]) -> None:
        """Upsert the relay's view of these conversations (every field)."""
        rows = [msgspec.structs.asdict(info) for info in infos]

        def save(db: Database) -> None:
            if not rows:
                return
            with db.atomic():
                db.table("conversations").upsert_all(rows, pk="conversation_id")

        await self._write(save)

    async def conversations(self) -> list[f.ConversationInfo]:
        """Every stored conversation, by id."""

        def load(db: Database) -> list[f.ConversationInfo]:
            sql = f"SELECT {', '.join(CONVERSATION_COLUMNS)} FROM conversations ORDER BY conversation_id"
            return [msgspec.convert(dict(zip(CONVERSATION_COLUMNS, row, strict=True)), f.ConversationInfo,
                                    strict=False)  # SQLite keeps booleans as 0 and 1
                    for row in db.conn.execute(sql)]

        return await self._read(load)

    async def cursors(self) -> dict[int, int]:
        """Per conversation: the seq `sync` resumes from.

        The highest seq received from the relay, carried on over the seqs stored right after it. A
        message of ours known only from its ack does not carry it past a hole: the relay may still
        hold a lower seq for us (protocol.md, section 8), and resuming after it would lose that one.
        """

        def load(db: Database) -> dict[int, int]:
            conn = db.conn
            # a skip-scan of the (conversation_id, seq) index: one seek per conversation, not a full scan
            sql = """
                WITH RECURSIVE c(id) AS (
                    SELECT min(conversation_id) FROM messages
                    UNION ALL
                    SELECT (SELECT min(conversation_id) FROM messages WHERE conversation_id > c.id)
                    FROM c WHERE c.id IS NOT NULL
                )
                SELECT id, (SELECT max(seq) FROM messages WHERE conversation_id = c.id),
                       (SELECT seq FROM messages WHERE conversation_id = c.id AND provisional = 0
                        ORDER BY seq DESC LIMIT 1)
                FROM c WHERE id IS NOT NULL
            """
            cursors: dict[int, int] = {}
            for cid, top, received in conn.execute(sql).fetchall():
                cursor = received or 0
                if top > cursor:  # only our own acked messages above it: follow them while there is no hole
                    for (seq,) in conn.execute("SELECT seq FROM messages WHERE conversation_id = ? AND seq > ?"
                                               " ORDER BY seq", (cid, cursor)):
                        if seq != cursor + 1:
                            break
                        cursor = seq
                cursors[int(cid)] = cursor
            return cursors

        return await self._read(load)

    # messages -----------------------------------------------------------------------------

    async def add_messages(self, messages: list[f.Message]) -> list[LocalMessage]:
        """Store relay messages in one transaction; return only those not stored before, in input order.

        Idempotent by (conversation_id, seq). An agent message whose client_msg_id is in the outbox
        removes that entry (it reached the relay). The relay's copy of a message acked from the
        outbox replaces the local copy (e.g. the built card instead of the CardRequest) but is not
        returned: it was already shown.
        """
        batch = list(messages)
        return await self._write(lambda db: _add_messages(db, batch) if batch else [])

    async def page(self, conversation_id: int, before_seq: int | None = None, limit: int = 50) -> list[LocalMessage]:
        """Up to `limit` stored messages with seq < before_seq (the newest when None), ascending by seq.

        With before_seq None the conversation's outbox entries follow, in the order they were added.
        """

        def load(db: Database) -> list[LocalMessage]:
            conn = db.conn
            bound = before_seq if before_seq is not None else (1 << 62)
            page = _rows(conn, _STORED + " WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                         (conversation_id, bound, max(limit, 0)))
            page.reverse()
            if before_seq is None:
                page += _rows(conn, _QUEUED + " WHERE conversation_id = ? ORDER BY id", (conversation_id,))
            return page

        return await self._read(load)

    async def message(self, conversation_id: int, seq: int) -> LocalMessage | None:
        """One stored message (e.g. to show the relay's card once `add_messages` replaced a sent one)."""

        def load(db: Database) -> LocalMessage | None:
            rows = _rows(db.conn, _STORED + " WHERE conversation_id = ? AND seq = ?", (conversation_id, seq))
            return rows[0] if rows else None

        return await self._read(load)

    async def around(self, conversation_id: int, seq: int, limit: int = 50) -> list[LocalMessage]:
        """A page of up to `limit` stored messages centred on `seq` (to open a search hit), ascending.

        Half come before `seq`, the rest from it on; near either end the other side fills the page.
        """

        def load(db: Database) -> list[LocalMessage]:
            if limit <= 0:
                return []
            conn = db.conn
            before = _rows(conn, _STORED + " WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                           (conversation_id, seq, limit))
            after = _rows(conn, _STORED + " WHERE conversation_id = ? AND seq >= ? ORDER BY seq LIMIT ?",
                          (conversation_id, seq, limit))
            n_before = max(limit // 2, limit - len(after))
            n_before = min(n_before, len(before))
            return list(reversed(before[:n_before])) + after[:limit - n_before]

        return await self._read(load)

    async def seqs_missing(self, conversation_id: int, low: int, high: int) -> list[int]:
        """The seqs in [low, high] that are not stored, ascending."""

        def load(db: Database) -> list[int]:
            have = {row[0] for row in db.conn.execute(
                "SELECT seq FROM messages WHERE conversation_id = ? AND seq BETWEEN ? AND ?",
                (conversation_id, low, high))}
            return [s for s in range(low, high + 1) if s not in have]

        return await self._read(load)

    # outbox -------------------------------------------------------------------------------

    async def outbox_add(self, conversation_id: int, client_msg_id: str, text: str, ts: int, *, sender_id: str,
                         sender_name: str, kind: str = "text", card_json: str | None = None) -> LocalMessage:
        """Keep a typed message durably (fsynced) before it is sent; state "sending".

        Adding a client_msg_id already in the outbox returns that entry unchanged.
        """
        row = {"client_msg_id": client_msg_id, "conversation_id": conversation_id, "sender_id": sender_id,
               "sender_name": sender_name, "text": text, "ts": ts, "kind": kind, "card_json": card_json,
               "state": "sending", "error": None}

        def add(db: Database) -> LocalMessage:
            def insert() -> LocalMessage:
                existing = _fetch_queued(db.conn, client_msg_id)
                if existing is not None:
                    return existing
                db.table("outbox").insert(row)
                added = _fetch_queued(db.conn, client_msg_id)
                assert added is not None
                return added

            return _durably(db, insert)

        return await self._write(add)

    async def outbox(self) -> list[LocalMessage]:
        """Entries not yet acked (sending and failed), in the order added, across conversations."""
        return await self._read(lambda db: _rows(db.conn, _QUEUED + " ORDER BY id"))

    async def outbox_acked(self, client_msg_id: str, seq: int, ts: int) -> LocalMessage | None:
        """Move the entry into messages with the relay's seq and ts (state "sent").

        None when no such entry is queued (already moved, or its message arrived first): idempotent.
        """

        def ack(db: Database) -> LocalMessage | None:
            conn = db.conn
            with db.atomic():
                queued = _fetch_queued(conn, client_msg_id)
                if queued is None:
                    return None
                conn.execute("DELETE FROM outbox WHERE client_msg_id = ?", (client_msg_id,))
                stored = _rows(conn, _STORED + " WHERE conversation_id = ? AND seq = ?",
                               (queued.conversation_id, seq))
                if stored:
                    return stored[0]
                moved = LocalMessage(
                    conversation_id=queued.conversation_id, client_msg_id=client_msg_id, sender_kind="agent",
                    sender_id=queued.sender_id, sender_name=queued.sender_name, text=queued.text, ts=ts,
                    kind=queued.kind, card_json=queued.card_json, seq=seq,
                )
                msg_id = _Ids(conn).next(ts)
                db.table("messages").insert({
                    "id": msg_id, "conversation_id": moved.conversation_id, "seq": seq,
                    "client_msg_id": client_msg_id, "sender_kind": "agent", "sender_id": moved.sender_id,
                    "sender_name": moved.sender_name, "text": moved.text, "ts": ts, "kind": moved.kind,
                    "card_json": moved.card_json, "event": None, "provisional": 1,
                })
                index_short(conn, [(msg_id, moved.text)])
                return moved

        return await self._write(ack)

    async def outbox_failed(self, client_msg_id: str, error: str) -> None:
        """Mark the entry failed, keeping the relay's reason for the logs (the agent sees "not sent" and may
        retry; the toast at the refusal is worded by the UI from the error code). Unknown ids are ignored."""

        def fail(db: Database) -> None:
            _durably(db, lambda: db.execute(
                "UPDATE outbox SET state = 'failed', error = ? WHERE client_msg_id = ?", (error, client_msg_id)))

        await self._write(fail)

    async def outbox_retry(self, client_msg_id: str) -> LocalMessage | None:
        """Put the entry back to "sending" (reason cleared); None if it is not queued."""

        def retry(db: Database) -> LocalMessage | None:
            def update() -> LocalMessage | None:
                db.execute("UPDATE outbox SET state = 'sending', error = NULL WHERE client_msg_id = ?",
                           (client_msg_id,))
                return _fetch_queued(db.conn, client_msg_id)

            return _durably(db, update)

        return await self._write(retry)

    # search, export, stats ----------------------------------------------------------------

    async def search(self, query: str, *, limit: int = 20, conversation_id: int | None = None) -> list[SearchHit]:
        """Messages and staff notes containing every word of `query`, newest first (see the module docstring)."""
        return await self._read(lambda db: history_search.search(db, query, limit, conversation_id))

    async def save_notes(self, notes: list[f.NoteInfo]) -> None:
        """Keep staff notes and whispers as the relay stored them (again: no change)."""
        await self._write(lambda db: history_notes.save_notes(db, notes))

    async def notes(self, conversation_id: int) -> list[f.NoteInfo]:
        """A conversation's kept notes and whispers, oldest first."""
        return await self._read(lambda db: history_notes.conversation_notes(db, conversation_id))

    async def export(self, conversation_id: int, path: Path, fmt: Literal["txt", "csv"]) -> int:
        """Write the whole stored conversation, ascending: readable text, or CSV with a BOM (Excel); rows written."""
        target = Path(path)
        return await self._read(lambda db: history_search.export(db, conversation_id, target, fmt))

    async def stats(self) -> dict[str, int]:
        """Counts and sizes, for benchmarks and diagnostics."""
        return await self._read(lambda db: history_search.stats(db, self.path))


