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

Search. Terms are the whitespace-separated words of the query; a hit contains every term,
ignoring case. Newest first, at most `limit`, read from an index in rowid order and stopped early.
- Every term of 3+ characters: the FTS5 `trigram` index over `text` (an external-content table
  kept by sqlite-utils' triggers), one MATCH of the quoted terms: exact substrings.
- Any shorter term: trigram cannot look up 1-2 characters, and `LIKE` costs ~175 ms on 1M rows,
  so a second index serves them: a contentless FTS5 table (`detail=none`: rowids only, no
  positions) whose document is the text cut into every CJK (non-ASCII) character and adjacent
  pair within a run, every ASCII word, and the trigrams of longer ASCII words. Each 1-2
  character term is then one token, whatever the characters: `到` a character, `退货` a pair
  (never across punctuation), `5G` a word, `A款` the tokens `a` and `款`; so a rare pair of
  frequent characters is as cheap as any other. Longer terms in the same query become the
  pairs and trigrams they must contain, and the whole query is one AND inside FTS5, which
  intersects the doclists itself (a rare term anywhere keeps the query cheap).
- Candidates are then checked exactly: terms without case (CJK, punctuation) or with ASCII
  letters only by `instr` in the query (SQLite's `lower()` folds ASCII only), all of them by a
  Python check. Short ASCII terms match whole ASCII words (`ok` does not find `book`), everywhere.
- unicode61 drops punctuation and symbols, so the short-term index stores each one as a made-up
  token (`？` as `zz00ff1f`): a query of `？` or `☆` is a lookup too.
- Within one conversation of up to `SCAN_CONVERSATION_MAX` messages the conversation itself is
  scanned (same rules, bounded), instead of filtering a global index by conversation.
User text never reaches FTS5 as syntax: every term is a quoted string. Only `text` is indexed:
for cards and system messages the relay fills it; card JSON and sender names are not searched.
Changing `short_index_terms` needs a migration that rebuilds `messages_short`: a contentless
table deletes a row only given the very tokens it indexed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import datetime
import logging
import os
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app import history_notes
from app.errors import KefuError
from wire import frames as f

logger = logging.getLogger(__name__)

T = TypeVar("T")

ID_SHIFT = 20
"""Bits of `messages.id` below the millisecond: up to 2**20 messages share one ms."""
MAX_TS = (1 << (63 - ID_SHIFT)) - 1
SCAN_CONVERSATION_MAX = 20_000
"""Per-conversation search scans a conversation this small instead of filtering a global index."""


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


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One message matching a search, with its conversation's buyer for the result list."""

    conversation_id: int
    seq: int
    buyer_name: str
    sender_name: str
    text: str
    ts: int
    note_kind: str | None = None
    """"note" or "whisper" for a staff note (`seq` is then the message it follows), None for a message."""


class HistoryClosed(KefuError):
    """The local history is not open (not opened yet, or closed): reopen the workstation's data."""


# --- schema ---------------------------------------------------------------------------------

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


# --- the short-term index -------------------------------------------------------------------

_RUNS = re.compile(r"[0-9A-Za-z]+|[^\W_\x00-\x7f]+|[^\w\s]|_")
"""ASCII words, runs of other letters and digits (CJK), and single symbols (punctuation, emoji)."""


def _symbol(char: str) -> str:
    """A symbol as a token: unicode61 drops punctuation, so `？` is indexed as `zz00ff1f`."""
    return f"zz{ord(char):06x}"


def short_index_terms(text: str) -> str:
    """The document of `messages_short`: CJK characters and pairs, ASCII words and their trigrams, symbols."""
    out: list[str] = []
    for run in _RUNS.findall(text):
        if not run[0].isalnum():
            out.append(_symbol(run))
        elif run.isascii():
            out.append(run)
            if len(run) > 3:
                out.extend(run[i:i + 3] for i in range(len(run) - 2))
        else:
            out.extend(run)
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(out)


def _short_tokens(term: str) -> list[str]:
    """Tokens of the short-term index that every text containing `term` has (the rule of `_Query`)."""
    tokens: list[str] = []
    for run in _RUNS.findall(term):
        if not run[0].isalnum():
            tokens.append(_symbol(run))
        elif not run.isascii():
            tokens.extend(run if len(run) == 1 else (run[i:i + 2] for i in range(len(run) - 1)))
        elif len(term) < 3:
            tokens.append(run)  # a short ASCII term is a whole word
        elif len(run) >= 3:
            tokens.extend(run[i:i + 3] for i in range(len(run) - 2))
        # a 1-2 letter ASCII run inside a longer term may be part of a longer word: no token
    return tokens


def _quote(term: str) -> str:
    """An FTS5 string: whatever the user typed is matched literally, never parsed as syntax."""
    return '"' + term.replace('"', '""') + '"'


_WORD_EDGE = "0-9a-z"


@dataclass(frozen=True, slots=True)
class _Query:
    """A parsed search: what can drive it (an index) and the checks every hit passes.

    A hit contains every term, ignoring case; a term of 1-2 characters that starts (ends) with an
    ASCII letter or digit must not continue a longer ASCII word there. `contains` are the checks
    SQL can make (`instr`, with `lower()` for ASCII letters: the only case SQLite folds), `patterns`
    the exact rule.
    """

    patterns: tuple[re.Pattern[str], ...]
    contains: tuple[tuple[str, str], ...]  # (SQL condition, its parameter)
    trigram: str | None  # MATCH expression when every term has 3+ characters
    short: str  # MATCH expression over the short-term index (every character yields a token)

    def matches(self, text: str) -> bool:
        folded = text.casefold()
        return all(p.search(folded) for p in self.patterns)


def _parse(query: str) -> _Query | None:
    terms = list(dict.fromkeys(query.split()))
    if not terms:
        return None
    patterns, contains, tokens = [], [], []
    for term in terms:
        folded = re.escape(term.casefold())
        if len(term) < 3:
            head = f"(?<![{_WORD_EDGE}])" if term[0].isascii() and term[0].isalnum() else ""
            tail = f"(?![{_WORD_EDGE}])" if term[-1].isascii() and term[-1].isalnum() else ""
            folded = head + folded + tail
        patterns.append(re.compile(folded))
        if term.lower() == term.upper():  # no case: CJK, digits, punctuation
            contains.append(("instr(m.text, ?) > 0", term))
        elif all(c.isascii() or c.lower() == c.upper() for c in term):  # SQLite's lower() folds ASCII only
            contains.append(("instr(lower(m.text), ?) > 0", term.lower()))
        tokens += _short_tokens(term)
    return _Query(
        patterns=tuple(patterns),
        contains=tuple(contains),
        trigram=" ".join(_quote(t) for t in terms) if all(len(t) >= 3 for t in terms) else None,
        short=" ".join(_quote(t) for t in dict.fromkeys(tokens)),
    )


# --- one thread, one connection -------------------------------------------------------------

_Job = tuple[Callable[[Database], Any], "concurrent.futures.Future[Any]"]


class _Worker:
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


def _connect_writer(path: Path) -> Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(sqlite3.connect(path, isolation_level=None), execute_plugins=False)
    db.enable_wal()
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def _connect_reader(path: Path) -> Database:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def _close_writer(db: Database) -> None:
    db.execute("PRAGMA optimize")


def _no_op(db: Database) -> None:
    return None


# --- rows -----------------------------------------------------------------------------------

_STORED = ("SELECT conversation_id, client_msg_id, sender_kind, sender_id, sender_name, text, ts, kind, card_json,"
           " event, seq, 'sent', NULL, params_json FROM messages")
_QUEUED = ("SELECT conversation_id, client_msg_id, 'agent', sender_id, sender_name, text, ts, kind, card_json,"
           " NULL, NULL, state, error, NULL FROM outbox")
_HIT = ("SELECT m.conversation_id, m.seq, COALESCE(c.buyer_name, ''), m.sender_name, m.text, m.ts"
        " FROM {source} JOIN messages m ON m.id = {source}.rowid"
        " LEFT JOIN conversations c ON c.conversation_id = m.conversation_id"
        " WHERE {source} MATCH ?{where} ORDER BY {source}.rowid DESC")
_HIT_SCAN = ("SELECT m.conversation_id, m.seq, COALESCE(c.buyer_name, ''), m.sender_name, m.text, m.ts"
             " FROM messages m LEFT JOIN conversations c ON c.conversation_id = m.conversation_id")


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


def _index_short(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    conn.executemany("INSERT INTO messages_short (rowid, terms) VALUES (?, ?)",
                     ((i, short_index_terms(text)) for i, text in rows))


def _unindex_short(conn: sqlite3.Connection, msg_id: int, text: str) -> None:
    # contentless (and SQLite 3.40 has no contentless_delete): deleting takes the indexed document
    conn.execute("INSERT INTO messages_short (messages_short, rowid, terms) VALUES ('delete', ?, ?)",
                 (msg_id, short_index_terms(text)))


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
            _index_short(conn, ((r["id"], r["text"]) for r in rows))
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
        _unindex_short(conn, old.id, old.text)
        _index_short(conn, [(old.id, m.text)])


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


def _search(db: Database, query: str, limit: int, conversation_id: int | None) -> list[SearchHit]:
    parsed = _parse(query)
    if parsed is None or limit <= 0:
        return []
    conn = db.conn
    where = "".join(f" AND {condition}" for condition, _ in parsed.contains)
    params: list[Any] = [value for _, value in parsed.contains]
    if conversation_id is not None:
        where += " AND m.conversation_id = ?"
        params.append(conversation_id)
        low, high = conn.execute("SELECT min(seq), max(seq) FROM messages WHERE conversation_id = ?",
                                 (conversation_id,)).fetchone()
        if low is None:
            return []
    if conversation_id is not None and high - low < SCAN_CONVERSATION_MAX:
        sql, match = _HIT_SCAN + f" WHERE 1{where} ORDER BY m.seq DESC", None
    elif parsed.trigram is not None:  # every term has 3+ characters: the trigram index is exact
        sql, match = _HIT.format(source="messages_fts", where=where), parsed.trigram
    else:  # one AND over the short-term index, intersected inside FTS5
        sql, match = _HIT.format(source="messages_short", where=where), parsed.short
    cursor = conn.execute(sql, params if match is None else [match, *params])
    hits: list[SearchHit] = []
    try:
        for row in cursor:
            if parsed.matches(row[4]):
                hits.append(SearchHit(*row))
                if len(hits) >= limit:
                    break
    finally:
        cursor.close()  # ends the read at once, so checkpoints are not held back
    notes = history_notes.search_notes(db, parsed.matches, limit, conversation_id)
    if notes:
        hits += [SearchHit(n.conversation_id, n.after_seq, buyer, n.author_name, n.text, n.ts, n.kind)
                 for n, buyer in notes]
        hits = sorted(hits, key=lambda h: h.ts, reverse=True)[:limit]
    return hits


def _local_time(ts: int) -> str:
    return datetime.datetime.fromtimestamp(ts / 1000).strftime("%Y-%m-%d %H:%M:%S")


def _export(db: Database, conversation_id: int, path: Path, fmt: Literal["txt", "csv"]) -> int:
    if fmt not in ("txt", "csv"):
        raise ValueError(f"unknown export format {fmt!r}: use 'txt' or 'csv'")
    rows: Iterator[tuple[int, int, str, str, str]] = db.conn.execute(
        "SELECT seq, ts, sender_kind, sender_name, text FROM messages WHERE conversation_id = ? ORDER BY seq",
        (conversation_id,))
    partial = path.with_name(path.name + ".partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
            if fmt == "csv":
                writer = csv.writer(out)
                writer.writerow(["seq", "time", "sender_kind", "sender_name", "text"])
                for seq, ts, kind, name, text in rows:
                    writer.writerow([seq, _local_time(ts), kind, name, text])
                    count += 1
            else:
                for _seq, ts, _kind, name, text in rows:
                    body = text.replace("\r\n", "\n").replace("\n", "\n    ")
                    out.write(f"{_local_time(ts)}  {name}: {body}\n")
                    count += 1
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _stats(db: Database, path: Path) -> dict[str, int]:
    conn = db.conn

    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    wal = Path(str(path) + "-wal")
    return {
        "messages": one("SELECT count(*) FROM messages"),
        "conversations": one("SELECT count(*) FROM conversations"),
        "outbox": one("SELECT count(*) FROM outbox"),
        "outbox_failed": one("SELECT count(*) FROM outbox WHERE state = 'failed'"),
        "db_bytes": one("PRAGMA page_count") * one("PRAGMA page_size"),
        "wal_bytes": wal.stat().st_size if wal.exists() else 0,
    }


# --- the API --------------------------------------------------------------------------------


class History:
    """Local history in SQLite through sqlite-utils.

    One connection on one dedicated writer thread behind an async API; reads on a read-only
    connection with its own thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._writer: _Worker | None = None
        self._reader: _Worker | None = None
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
            writer = _Worker("kefu-history-writer", lambda: _connect_writer(self.path), _close_writer)
            reader: _Worker | None = None
            try:
                applied = await writer.submit(_migrate)
                reader = _Worker("kefu-history-reader", lambda: _connect_reader(self.path), _no_op)
                await reader.submit(_no_op)
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
                _index_short(conn, [(msg_id, moved.text)])
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
        return await self._read(lambda db: _search(db, query, limit, conversation_id))

    async def save_notes(self, notes: list[f.NoteInfo]) -> None:
        """Keep staff notes and whispers as the relay stored them (again: no change)."""
        await self._write(lambda db: history_notes.save_notes(db, notes))

    async def notes(self, conversation_id: int) -> list[f.NoteInfo]:
        """A conversation's kept notes and whispers, oldest first."""
        return await self._read(lambda db: history_notes.conversation_notes(db, conversation_id))

    async def export(self, conversation_id: int, path: Path, fmt: Literal["txt", "csv"]) -> int:
        """Write the whole stored conversation, ascending: readable text, or CSV with a BOM (Excel); rows written."""
        target = Path(path)
        return await self._read(lambda db: _export(db, conversation_id, target, fmt))

    async def stats(self) -> dict[str, int]:
        """Counts and sizes, for benchmarks and diagnostics."""
        return await self._read(lambda db: _stats(db, self.path))


def _migrate(db: Database) -> list[str]:
    pending = [m.name for m in MIGRATIONS.pending(db)]
    MIGRATIONS.apply(db)
    for name in pending:
        logger.info("applied local history migration %s", name)
    return pending
