"""Staff notes and whispers in the local history (docs/protocol.md section 13): kept as the relay
stored them, so a conversation shows them in place (after the message they followed) and the search
finds them offline. They are never messages: no seq of their own, no outbox, never sent to a buyer.

A shop's notes are few beside its messages (a supervisor's remarks, not the chat itself), so search
reads them newest first and checks each with the message search's own matcher, stopping at the
limit; no second index to keep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from sqlite_utils import Database

from wire import frames as f

NOTE_COLUMNS = tuple(f.NoteInfo.__struct_fields__)


def create_notes(db: Database) -> None:
    notes = db.table("notes")
    notes.create({"note_id": int, "conversation_id": int, "kind": str, "author_id": str, "author_name": str,
                  "author_role": str, "text": str, "ts": int, "after_seq": int, "client_msg_id": str,
                  "to_agent_id": str}, pk="note_id", not_null=set(NOTE_COLUMNS) - {"to_agent_id"})
    notes.create_index(["conversation_id", "note_id"], index_name="notes_conversation")


def save_notes(db: Database, notes: list[f.NoteInfo]) -> None:
    with db.atomic():
        db.table("notes").upsert_all([msgspec.structs.asdict(n) for n in notes], pk="note_id")


def conversation_notes(db: Database, conversation_id: int) -> list[f.NoteInfo]:
    sql = f"SELECT {', '.join(NOTE_COLUMNS)} FROM notes WHERE conversation_id = ? ORDER BY note_id"
    return [_note(row) for row in db.conn.execute(sql, (conversation_id,))]


def search_notes(db: Database, matches: Callable[[str], bool], limit: int,
                 conversation_id: int | None) -> list[tuple[f.NoteInfo, str]]:
    """Notes whose text `matches`, newest first, with the conversation's buyer name."""
    where, params = ("WHERE n.conversation_id = ?", [conversation_id]) if conversation_id is not None else ("", [])
    sql = (f"SELECT {', '.join('n.' + c for c in NOTE_COLUMNS)}, COALESCE(c.buyer_name, '') FROM notes n"
           f" LEFT JOIN conversations c ON c.conversation_id = n.conversation_id {where} ORDER BY n.note_id DESC")
    hits: list[tuple[f.NoteInfo, str]] = []
    cursor = db.conn.execute(sql, params)
    try:
        for row in cursor:
            if matches(row[NOTE_COLUMNS.index("text")]):
                hits.append((_note(row[:-1]), row[-1]))
                if len(hits) >= limit:
                    break
    finally:
        cursor.close()
    return hits


def _note(row: Any) -> f.NoteInfo:
    return msgspec.convert(dict(zip(NOTE_COLUMNS, row, strict=True)), f.NoteInfo)
