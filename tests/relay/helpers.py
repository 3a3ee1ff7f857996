"""Small helpers shared by relay tests."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from typing import Any

import aiohttp
import psycopg

from app.client import KefuClient
from relay.config import RelayConfig
from relay.store.postgres_writer import ADAPTERS, pg_sql
from tests.conftest import RunningRelay
from wire import frames as f

Rows = list[tuple[Any, ...]]


def _query(where: RunningRelay | RelayConfig, sql: str, params: Sequence[Any]) -> tuple[list[str], Rows]:
    config = where if isinstance(where, RelayConfig) else where.config
    if config.database is not None:
        # Numbers as the store reads them (ADAPTERS: numeric as int or float, never Decimal).
        with psycopg.connect(config.database, autocommit=True, context=ADAPTERS) as conn:
            cursor = conn.execute(pg_sql(sql), tuple(params))
            names = [d.name for d in cursor.description or ()]
            return names, [tuple(row) for row in cursor.fetchall()]
    if not config.db_path.exists():
        raise FileNotFoundError(config.db_path)  # never read a database sqlite3.connect just created
    with closing(sqlite3.connect(config.db_path)) as db:
        cursor = db.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description or ()]
        return names, [tuple(row) for row in cursor.fetchall()]


def db_rows(where: RunningRelay | RelayConfig, sql: str, params: Sequence[Any] = ()) -> Rows:
    """The rows of `sql` (shared dialect, `?` placeholders) as tuples, read straight from the database the
    relay runs on: its SQLite file, or its PostgreSQL database (`config.database`)."""
    return _query(where, sql, params)[1]


def db_dicts(where: RunningRelay | RelayConfig, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """`db_rows`, each row as a dict by column name."""
    names, rows = _query(where, sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


def db_one(where: RunningRelay | RelayConfig, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    """The first row of `sql`, or None."""
    rows = db_rows(where, sql, params)
    return rows[0] if rows else None


def db_value(where: RunningRelay | RelayConfig, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row of `sql` (which must return a row)."""
    row = db_one(where, sql, params)
    assert row is not None, f"no row for {sql!r} {tuple(params)!r}"
    return row[0]


def stored_count(relay: RunningRelay, kind: str | None = None) -> int:
    """Messages stored (of one kind: text, card, system), read straight from the database."""
    if kind is None:
        return int(db_value(relay, "SELECT COUNT(*) FROM messages"))
    return int(db_value(relay, "SELECT COUNT(*) FROM messages WHERE kind = ?", (kind,)))


async def next_chat(client: KefuClient, timeout: float = 5.0) -> f.Message:
    """The next human (buyer or agent) message, skipping automatic ones."""
    while True:
        msg = await client.next_event(f.Message, timeout=timeout)
        if msg.kind != "system":
            return msg


async def next_of(client: KefuClient, frame_type: type[Any], timeout: float = 5.0, **match: Any) -> Any:
    """The next pushed frame of `frame_type` whose fields equal `match`."""
    while True:
        frame = await client.next_event(frame_type, timeout=timeout)
        if all(getattr(frame, k) == v for k, v in match.items()):
            return frame


def drain(client: KefuClient) -> list[Any]:
    """Every frame pushed to `client` and not read yet (the queue is left empty)."""
    taken = []
    while not client.events.empty():
        taken.append(client.events.get_nowait())
    return taken


async def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait until `condition()` is true (polled every 20 ms); fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def api_get(relay: RunningRelay, path: str, token: str | None, *,
                  header: str | None = None) -> tuple[int, bytes]:
    """GET an HTTP API path of the relay with a bearer token (or this whole Authorization header)."""
    headers = {"Authorization": header if header is not None else f"Bearer {token}"} if (
        token is not None or header is not None) else {}
    async with aiohttp.ClientSession() as http, http.get(relay.url + path, headers=headers) as resp:
        return resp.status, await resp.read()


STATE_QUERIES = {
    "notes": "SELECT * FROM staff_notes ORDER BY id",
    "conversations": "SELECT id, status, agent_id, tier FROM conversations ORDER BY id",
    "events": "SELECT conversation_id, kind, from_agent, to_agent FROM conversation_events ORDER BY id",
    "templates": "SELECT id, shop_id, owner_id, grp, title, body, shortcut, position FROM templates ORDER BY id",
    "calls": "SELECT id, state, complaint, handled_at, handled_by, handled_note FROM calls ORDER BY id",
    "caps": "SELECT id, cap FROM accounts ORDER BY id",
    "shop_settings": "SELECT * FROM shop_settings ORDER BY shop_id",
    "call_settings": "SELECT * FROM call_settings ORDER BY shop_id",
    "audit": "SELECT * FROM settings_audit ORDER BY id",
    "messages": "SELECT conversation_id, seq, sender_kind, text FROM messages ORDER BY conversation_id, seq",
    "cases": "SELECT * FROM after_sales ORDER BY 1",
    "case_audit": "SELECT * FROM case_audit ORDER BY 1",
    "call_blocks": "SELECT * FROM call_blocks ORDER BY 1, 2",
    "sessions": "SELECT * FROM chat_sessions ORDER BY 1",
    "buyers": "SELECT * FROM buyers ORDER BY 1",
}


def state(relay: RunningRelay) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a frame could change, straight from the database."""
    return {name: db_rows(relay, sql) for name, sql in STATE_QUERIES.items()}
