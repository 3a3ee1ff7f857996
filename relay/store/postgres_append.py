"""PostgreSQL: the plain message appends of one batch in two statements, whatever their number.

One at a time (`SqlCore._insert_plain`), each message is an INSERT, and a resend one more SELECT:
against PostgreSQL, a round trip each, all waited for by the writer thread. Here the writes that
follow each other in a batch are done together, with the same answers in the same order:

1. one SELECT finds which of their client ids are stored already (resends);
2. in Python, in the batch's order: a missing conversation is a KeyError, a stored id is that
   message again (or a conflict: `resend_answer`), an id used earlier in this batch likewise, and
   every other message takes its conversation's next seq (refusals take none, as one by one);
3. one INSERT of the new messages from arrays (`unnest`), ON CONFLICT DO NOTHING as one by one.

If the INSERT stored fewer rows than it was given, another relay stored one of these client ids
between 1 and 3 (it commits while this one waits on the unique index): the seqs taken here would
leave a gap, so the batch is redone write by write (`Raced`; the writer's `_redo_carefully`). Any
database error does the same, so one bad message still fails only itself. The conversations' rows
are already locked by the writer, in id order, for the whole batch.
"""

from __future__ import annotations

from typing import Any

from relay.store.interface import AppendResult, MessageRow, StoreConflict
from relay.store.postgres_writer import PgConnection
from relay.store.sql import Sequences
from relay.store.sql_core import MESSAGE_COLUMNS, resend_answer

# psycopg's own placeholders, binary (`%b`): PostgreSQL reads binary arrays several times faster than text ones.
# One probe of the idempotency index per client id, whatever the planner thinks of the table: a plan cached
# while `messages` was empty (psycopg prepares a statement at its 5th run) would otherwise keep scanning it
# whole, as it grows, until autovacuum's next ANALYZE.
_STORED = (
    "SELECT m.* FROM unnest(%b::text[], %b::text[], %b::text[]) AS k(sender_kind, sender_id, client_msg_id)"
    f" CROSS JOIN LATERAL (SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_kind = k.sender_kind"
    " AND sender_id = k.sender_id AND client_msg_id = k.client_msg_id LIMIT 1) AS m"
)
_INSERT = (
    f"INSERT INTO messages ({MESSAGE_COLUMNS})"
    " SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[],"
    " %b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[])"
    " ON CONFLICT (sender_kind, sender_id, client_msg_id) DO NOTHING"
)

Answer = tuple[AppendResult | None, BaseException | None]


class Raced(Exception):
    """Another relay stored one of the batch's client ids meanwhile: redo the batch write by write."""


def append_messages(conn: PgConnection, seqs: Sequences, writes: list[tuple[Any, ...]]) -> list[Answer]:
    """Run `SqlCore._insert_plain(conn, row)` for each `(row,)` of `writes`, together (see the module's
    docstring): each write's (value, None) or (None, error), in order. Raises (and the batch must be
    redone write by write) when the database refused or another relay raced us."""
    rows = [w[0] for w in writes]
    stored: dict[tuple[str, str, str], MessageRow] = {}
    keys = list(zip(*((r[2], r[3], r[5]) for r in rows), strict=True))
    for old in conn.conn.execute(_STORED, [list(k) for k in keys]).fetchall():
        message = MessageRow(*old)
        stored[(message.sender_kind, message.sender_id, message.client_msg_id)] = message
    answers: list[Answer] = []
    new: list[tuple[Any, ...]] = []
    taken: dict[int, int] = {}
    for row in rows:
        conversation_id = row[0]
        try:
            last = taken.get(conversation_id) or seqs.current(conn, conversation_id)
        except KeyError as exc:
            answers.append((None, exc))
            continue
        key = (row[2], row[3], row[5])
        old = stored.get(key)
        if old is not None:
            try:
                answers.append((resend_answer(old, conversation_id, row[6]), None))
            except StoreConflict as exc:
                answers.append((None, exc))
            continue
        seq = taken[conversation_id] = last + 1
        row = (conversation_id, seq, *row[2:])
        message = stored[key] = MessageRow(*row)  # a resend later in this batch is this message
        new.append(row)
        answers.append((AppendResult(message, duplicate=False), None))
    if new:
        inserted = conn.conn.execute(_INSERT, [list(c) for c in zip(*new, strict=True)]).rowcount
        if inserted != len(new):
            raise Raced(f"{len(new) - inserted} of {len(new)} client ids were stored meanwhile")
    for conversation_id, seq in taken.items():  # last: a batch that fails leaves the cache untouched
        seqs.taken(conversation_id, seq)
    return answers
