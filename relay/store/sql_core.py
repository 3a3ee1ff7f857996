"""The stores' shared part for accounts, tokens, conversations, messages and routing (see `relay.store.sql`).

A mixin of both stores: it writes through the store's writer (`_write`, `_submit_then`), reads
through `_one` and `_all`, and takes each conversation's next seq from `_seqs`.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

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
)
from relay.store.rows import CALL_COLUMN_COUNT, CALL_COLUMNS, call_values
from relay.store.sql import Db, Done, Sequences, marks, settle
from wire.errors import ConflictReason

T = TypeVar("T")

CONVERSATION_SELECT = """
    SELECT c.id, c.shop_id, s.slug, s.name, c.buyer_id, b.nickname, c.created_at,
           c.last_seq, c.buyer_read_seq, c.agent_read_seq, c.status, c.agent_id, a.display_name, c.tier,
           c.queued_at, c.last_agent_id, c.last_agent_at, c.last_activity_at, c.unanswered_since,
           c.unanswered_seq, c.session_id, ls.close_reason, ls.rating
    FROM conversations c JOIN shops s ON s.id = c.shop_id JOIN buyers b ON b.id = c.buyer_id
    LEFT JOIN accounts a ON a.id = c.agent_id LEFT JOIN chat_sessions ls ON ls.id = c.session_id
"""
ACCOUNT_SELECT = """
    SELECT a.id, a.shop_id, s.slug, a.username, a.display_name, a.role, a.password_hash, a.cap
    FROM accounts a JOIN shops s ON s.id = a.shop_id
"""
MESSAGE_COLUMNS = (
    "conversation_id, seq, sender_kind, sender_id, sender_name, client_msg_id, text, ts, kind, card_json, event,"
    " params_json"
)
_INSERT_MESSAGE = (f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({marks(12)})"
                   " ON CONFLICT (sender_kind, sender_id, client_msg_id) DO NOTHING")


def resend_answer(stored: MessageRow, conversation_id: int, text: str) -> AppendResult:
    """The answer to a message whose client id `stored` already has: the same message, nothing stored;
    a conflict when the id now comes with another conversation or text."""
    if stored.conversation_id != conversation_id or stored.text != text:
        raise StoreConflict("client_msg_id was already used for a different message", ConflictReason.ID_REUSED)
    return AppendResult(stored, duplicate=True)


class SqlCore:
    """Mixin of both stores (see the module's docstring)."""

    _seqs: Sequences

    if TYPE_CHECKING:
        async def _write(self, fn: Callable[[Db], T], conversations: tuple[int, ...] = ()) -> T: ...
        def _submit_then(self, fn: Callable[..., Any], args: tuple[Any, ...], done: Done,
                         conversation: int | None = None) -> None: ...
        async def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None: ...
        async def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]: ...

    # shops and accounts ---------------------------------------------------------------------

    async def ensure_shop(self, slug: str, name: str) -> ShopRow:
        def write(conn: Db) -> ShopRow:
            conn.execute("INSERT INTO shops (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING", (slug, name))
            row = conn.execute("SELECT id, slug, name FROM shops WHERE slug = ?", (slug,)).fetchone()
            return ShopRow(*row)

        return await self._write(write)

    async def get_shop(self, slug: str) -> ShopRow | None:
        row = await self._one("SELECT id, slug, name FROM shops WHERE slug = ?", (slug,))
        return ShopRow(*row) if row else None

    async def list_shops(self) -> list[ShopRow]:
        return [ShopRow(*r) for r in await self._all("SELECT id, slug, name FROM shops ORDER BY id", ())]

    async def probe_write(self) -> None:
        """Commit a write of a message's size that no reader ever sees: whether the database takes writes now
        (`/readyz` after a write failed: reads may answer while writes are refused).

        A row of `schema_migrations` named "probe " and 2,000 random characters is inserted and deleted in
        one transaction: the commit has pages to write as any other, and SQLite needs a fresh page for the
        name's index entry (over its ~1,000 bytes kept in place), as a message that finds no room does. (An
        UPDATE that leaves a row as it was would not do: SQLite skips writing a page whose bytes are unchanged.
        2,000 stays under PostgreSQL's largest index entry.)"""
        name = "probe " + secrets.token_hex(1000)

        def write(conn: Db) -> None:
            conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, 0)", (name,))
            conn.execute("DELETE FROM schema_migrations WHERE name = ?", (name,))

        await self._write(write)

    async def create_account(
        self, shop_slug: str, username: str, display_name: str, role: str, password_hash: str
    ) -> AccountRow:
        def write(conn: Db) -> AccountRow:
            shop = conn.execute("SELECT id FROM shops WHERE slug = ?", (shop_slug,)).fetchone()
            if shop is None:
                raise KeyError(f"no shop {shop_slug!r}")
            try:
                conn.execute(
                    "INSERT INTO accounts (shop_id, username, display_name, role, password_hash)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (shop[0], username, display_name, role, password_hash),
                )
            except conn.IntegrityError:
                raise StoreConflict(f"account {username!r} already exists in {shop_slug!r}") from None
            row = conn.execute(
                ACCOUNT_SELECT + " WHERE s.slug = ? AND a.username = ?", (shop_slug, username)
            ).fetchone()
            return AccountRow(*row)

        return await self._write(write)

    async def find_account(self, shop_slug: str, username: str) -> AccountRow | None:
        row = await self._one(ACCOUNT_SELECT + " WHERE s.slug = ? AND a.username = ?", (shop_slug, username))
        return AccountRow(*row) if row else None

    # tokens ---------------------------------------------------------------------------------

    async def save_token(self, token_hash: str, account_id: int, expires_at: int) -> None:
        def write(conn: Db) -> None:
            conn.execute(
                "INSERT INTO tokens (token_hash, account_id, expires_at) VALUES (?, ?, ?)",
                (token_hash, account_id, expires_at),
            )
            # Expired tokens are useless: drop them while we are here.
            conn.execute("DELETE FROM tokens WHERE expires_at < ?", (expires_at - 30 * 86_400_000,))

        await self._write(write)

    async def account_for_token(self, token_hash: str, now: int) -> AccountRow | None:
        row = await self._one(
            ACCOUNT_SELECT + " JOIN tokens t ON t.account_id = a.id"
            " WHERE t.token_hash = ? AND t.expires_at > ?",
            (token_hash, now),
        )
        return AccountRow(*row) if row else None

    async def token_expires_at(self, token_hash: str) -> int | None:
        row = await self._one("SELECT expires_at FROM tokens WHERE token_hash = ?", (token_hash,))
        return int(row[0]) if row else None

    async def revoke_token(self, token_hash: str) -> bool:
        def write(conn: Db) -> bool:
            return conn.execute("DELETE FROM tokens WHERE token_hash = ?", (token_hash,)).rowcount > 0

        return await self._write(write)

    async def change_password(self, account_id: int, old_hash: str, new_hash: str,
                              token_hash: str, expires_at: int) -> bool:
        def write(conn: Db) -> bool:
            changed = conn.execute(
                "UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?",
                (new_hash, account_id, old_hash),
            ).rowcount > 0
            if changed:
                conn.execute("DELETE FROM tokens WHERE account_id = ?", (account_id,))
                conn.execute("INSERT INTO tokens (token_hash, account_id, expires_at) VALUES (?, ?, ?)",
                             (token_hash, account_id, expires_at))
            return changed

        return await self._write(write)

    async def live_tokens(self, token_hashes: list[str], now: int) -> set[str]:
        if not token_hashes:
            return set()
        rows = await self._all(f"SELECT token_hash FROM tokens WHERE expires_at > ? AND token_hash IN"
                               f" ({marks(len(token_hashes))})", (now, *token_hashes))
        return {r[0] for r in rows}

    # buyers and conversations ---------------------------------------------------------------

    async def get_buyer(self, buyer_id: str) -> BuyerRow | None:
        row = await self._one("SELECT id, nickname FROM buyers WHERE id = ?", (buyer_id,))
        return BuyerRow(*row) if row else None

    async def buyer_ids(self) -> list[str]:
        return [r[0] for r in await self._all("SELECT id FROM buyers ORDER BY id", ())]

    async def open_conversation(
        self, shop_id: int, buyer_id: str, now: int
    ) -> tuple[ConversationRow, bool]:
        def write(conn: Db) -> tuple[ConversationRow, bool]:
            created = (
                conn.execute(
                    "INSERT INTO conversations (shop_id, buyer_id, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (shop_id, buyer_id) DO NOTHING",
                    (shop_id, buyer_id, now),
                ).rowcount
                > 0
            )
            row = conn.execute(
                CONVERSATION_SELECT + " WHERE c.shop_id = ? AND c.buyer_id = ?", (shop_id, buyer_id)
            ).fetchone()
            return ConversationRow(*row), created

        return await self._write(write)

    async def get_conversation(self, conversation_id: int) -> ConversationRow | None:
        row = await self._one(CONVERSATION_SELECT + " WHERE c.id = ?", (conversation_id,))
        return ConversationRow(*row) if row else None

    async def list_conversations(
        self, *, shop_id: int | None = None, buyer_id: str | None = None, open_only: bool = False
    ) -> list[ConversationRow]:
        if shop_id is not None and open_only:
            rows = await self._all(CONVERSATION_SELECT + " WHERE c.shop_id = ? AND c.status IN ('queued', 'assigned')"
                             " ORDER BY c.id", (shop_id,))
        elif shop_id is not None:
            rows = await self._all(CONVERSATION_SELECT + " WHERE c.shop_id = ? ORDER BY c.id", (shop_id,))
        elif buyer_id is not None:
            rows = await self._all(CONVERSATION_SELECT + " WHERE c.buyer_id = ? ORDER BY c.id", (buyer_id,))
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
        row = (conversation_id, 0, sender_kind, sender_id, sender_name, client_msg_id, text, ts, kind, card_json,
               event, params_json)
        if new_case is None and new_call is None:
            self._submit_then(self._insert_plain, (row,), done, conversation_id)
        else:
            self._submit_then(self._insert_message, (row, new_case, new_call), done, conversation_id)

    def _insert_plain(self, conn: Db, row: tuple[Any, ...]) -> AppendResult:
        """The write of a message that brings no case nor call. A writer may run several of these
        together instead (PostgreSQL: `postgres_append.append_messages`), with the same results."""
        return self._insert_message(conn, row, None, None)

    def _insert_message(
        self, conn: Db, row: tuple[Any, ...], new_case: NewCase | None, new_call: CallRow | None,
    ) -> AppendResult:
        """The write of `append_message_then`: `row` is a messages row whose seq (0) is filled in here."""
        conversation_id = row[0]
        seq = self._seqs.current(conn, conversation_id) + 1
        row = (conversation_id, seq, *row[2:])
        if conn.execute(_INSERT_MESSAGE, row).rowcount == 0:
            # The client id was used before (a resend): the same answer as then, nothing stored.
            sender_kind, sender_id, client_msg_id, text = row[2], row[3], row[5], row[6]
            old = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages"
                " WHERE sender_kind = ? AND sender_id = ? AND client_msg_id = ?",
                (sender_kind, sender_id, client_msg_id),
            ).fetchone()
            return resend_answer(MessageRow(*old), conversation_id, text)
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
                f"INSERT INTO calls ({CALL_COLUMNS}, card_seq) VALUES ({marks(CALL_COLUMN_COUNT + 1)})",
                (*call_values(new_call), seq),
            )
        self._seqs.taken(conversation_id, seq)  # last: a write that fails leaves the cache untouched
        return AppendResult(MessageRow(*row), duplicate=False)

    async def messages_after(
        self, conversation_id: int, after_seq: int, limit: int
    ) -> list[MessageRow]:
        rows = await self._all(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            (conversation_id, after_seq, limit),
        )
        return [MessageRow(*r) for r in rows]

    async def unheard_buyer_messages(self) -> list[tuple[int, int, int]]:
        rows = await self._all(
            "SELECT c.id, m.seq, m.ts FROM conversations c"
            " JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq"
            " WHERE m.sender_kind = 'buyer' AND (c.status NOT IN ('queued', 'assigned') OR c.unanswered_since IS NULL)"
            " ORDER BY m.ts", ())
        return [(r[0], r[1], r[2]) for r in rows]

    async def messages_before(
        self, conversation_id: int, before_seq: int | None, limit: int
    ) -> list[MessageRow]:
        bound = before_seq if before_seq is not None else 2**62
        rows = await self._all(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq < ?"
            " ORDER BY seq DESC LIMIT ?",
            (conversation_id, bound, limit),
        )
        return [MessageRow(*r) for r in reversed(rows)]

    async def mark_read(self, conversation_id: int, side: str, seq: int) -> int:
        column = {"buyer": "buyer_read_seq", "agent": "agent_read_seq"}[side]

        seqs = self._seqs

        def write(conn: Db) -> int:
            last = seqs.current(conn, conversation_id)
            row = conn.execute(
                f"UPDATE conversations SET {column} = CASE WHEN {column} > ? THEN {column} ELSE ? END"
                f" WHERE id = ? RETURNING {column}",
                (min(seq, last), min(seq, last), conversation_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"no conversation {conversation_id}")
            return int(row[0])

        return await self._write(write, (conversation_id,))

    # routing ------------------------------------------------------------------------------

    async def shop_settings(self, shop_id: int) -> ShopSettingsRow:
        row = await self._one("SELECT shop_id, mode, opens, closes, timezone FROM shop_settings WHERE shop_id = ?",
                        (shop_id,))
        return ShopSettingsRow(*row) if row else ShopSettingsRow(shop_id)

    async def save_shop_settings(self, settings: ShopSettingsRow) -> None:
        def write(conn: Db) -> None:
            conn.execute(
                "INSERT INTO shop_settings (shop_id, mode, opens, closes, timezone) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (shop_id) DO UPDATE SET mode = excluded.mode, opens = excluded.opens,"
                " closes = excluded.closes, timezone = excluded.timezone",
                (settings.shop_id, settings.mode, settings.opens, settings.closes, settings.timezone),
            )

        await self._write(write)

    async def shop_accounts(self, shop_id: int) -> list[AccountRow]:
        rows = await self._all(ACCOUNT_SELECT + " WHERE a.shop_id = ? ORDER BY a.id", (shop_id,))
        return [AccountRow(*r) for r in rows]

    async def set_cap(self, account_id: int, cap: int) -> None:
        def write(conn: Db) -> None:
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

        def write(conn: Db) -> None:
            conn.execute(f"UPDATE conversations SET {assignments} WHERE id = ?", params)

        await self._write(write, (conversation_id,))

    async def record_event(
        self, conversation_id: int, shop_id: int, at: int, kind: str, *, actor: str | None = None,
        from_agent: int | None = None, to_agent: int | None = None, note: str = "", hour: int = 0,
    ) -> None:
        def write(conn: Db) -> None:
            conn.execute(
                "INSERT INTO conversation_events (conversation_id, shop_id, at, kind, actor, from_agent, to_agent,"
                " note, hour) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, shop_id, at, kind, actor, from_agent, to_agent, note, hour),
            )

        await self._write(write)
