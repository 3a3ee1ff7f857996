"""Small helpers shared by relay tests."""

from __future__ import annotations

import sqlite3
from typing import Any

from app.client import KefuClient
from tests.conftest import RunningRelay
from wire import frames as f


def stored_count(relay: RunningRelay, kind: str | None = None) -> int:
    """Messages stored (of one kind: text, card, system), read straight from the database."""
    with sqlite3.connect(relay.config.db_path) as db:
        if kind is None:
            return int(db.execute("SELECT COUNT(*) FROM messages").fetchone()[0])
        return int(db.execute("SELECT COUNT(*) FROM messages WHERE kind = ?", (kind,)).fetchone()[0])


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
