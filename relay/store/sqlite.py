"""The embedded store: SQLite in WAL mode, one writer, adaptive group commit.

Writes are small functions of the write connection. They run on the event loop inside the open
transaction; a commit starts as soon as the previous one returns and runs on a thread, so one
fsync covers every write that arrived meanwhile (`relay.store.sqlite_writer`). Reads run on a
separate read-only connection in the event loop; they are indexed and bounded, and WAL lets them
see only committed data. Checkpoints run off the commit path on their own connection.

This module holds the store's life cycle, accounts, conversations, messages and routing; its
mixins the rest: `sqlite_facts` (the figures' facts, notes, audit, complaints) and `sqlite_shop`
(templates, calls, the marketplace stand-in, the demo data).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from relay.store.interface import (
    CONVERSATION_FIELDS,
    AccountRow,
    AppendResult,
    BuyerRow,
    CallRow,
    ConversationRow,
    MessageRow,
    NewCase,
    ShopRow,
    ShopSettingsRow,
    StoreConflict,
    StoreUnavailable,
)
from relay.store.rows import CALL_COLUMN_COUNT, CALL_COLUMNS, call_values
from relay.store.sqlite_facts import SqliteFacts
from relay.store.sqlite_shop import SqliteShopData
from relay.store.sqlite_writer import Sequences, Synchronous, Writer, call_done, connect, migrate, settle
from wire.errors import ConflictReason

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

T = TypeVar("T")

CHECKPOINT_INTERVAL_S = 1.0
WAL_RESTART_FRAMES = 8192
"""WAL frames (pages, 4 KiB) above which the checkpointer makes the WAL start over (see `_checkpoint_loop`)."""

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

class SqliteStore(SqliteFacts, SqliteShopData):
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
        self.append_message_then(partial(settle, fut), conversation_id, sender_kind, sender_id, sender_name,
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
            call_done(done, None, StoreUnavailable("store is not open"))
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
