"""The SQLite store's part for supervision: reply rounds and chat sessions (the facts behind the
figures), their grouped sums, drill-downs, staff notes, the settings audit, complaints, template order.

A mixin of `SqliteStore`: it uses the store's one writer (`_write`) and read connection (`_one`,
`_all`). Every read here is an indexed range scan: figures never scan a whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import astuple, fields
from typing import TYPE_CHECKING, Any, TypeVar

from relay.store.interface import (
    ROUND_FIELDS,
    SESSION_FIELDS,
    AuditRow,
    CallRow,
    MetricGroups,
    NoteRow,
    RoundRow,
    SessionRow,
    StoreConflict,
)
from relay.store.rows import CALL_COLUMNS, call_row
from relay.store.sql import Db, marks
from wire.errors import ConflictReason

T = TypeVar("T")

_ROUND_NAMES = tuple(f.name for f in fields(RoundRow))
_ROUND_COLUMNS = ", ".join(_ROUND_NAMES)
_SESSION_NAMES = tuple(f.name for f in fields(SessionRow))
_SESSION_COLUMNS = ", ".join(_SESSION_NAMES)
_NOTE_NAMES = tuple(f.name for f in fields(NoteRow))
_NOTE_COLUMNS = ", ".join(_NOTE_NAMES)
_BOOLS_ROUND = {"in_hours", "on_time"}
_BOOLS_SESSION = {"in_hours", "reopened", "abandoned"}
DRILL_LIMIT_MAX = 1000


def _sql_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _round(row: tuple[Any, ...]) -> RoundRow:
    values = dict(zip(_ROUND_NAMES, row, strict=True))
    for name in _BOOLS_ROUND:
        values[name] = bool(values[name])
    return RoundRow(**values)


def _session(row: tuple[Any, ...]) -> SessionRow:
    values = dict(zip(_SESSION_NAMES, row, strict=True))
    for name in _BOOLS_SESSION:
        values[name] = bool(values[name])
    return SessionRow(**values)


def _assignments(names: dict[str, Any], allowed: frozenset[str], what: str) -> tuple[str, tuple[Any, ...]]:
    unknown = set(names) - allowed
    if unknown:
        raise ValueError(f"not {what} fields: {sorted(unknown)}")
    return ", ".join(f"{name} = ?" for name in names), tuple(_sql_value(v) for v in names.values())


# The facts behind each drill-down figure: (conversation_id, buyer_name, at, kind, agent_id, agent_name,
# seconds, call_id, stars), newest first. `{agent}` is the column holding the attributed account.
_ROUND_DRILL = (
    "SELECT r.conversation_id, b.nickname, r.buyer_at,"
    " CASE WHEN r.on_time = 1 THEN 'on_time' WHEN r.reply_at IS NOT NULL THEN 'late' ELSE 'unanswered' END,"
    " r.holder_id, a.display_name, r.reply_ms / 1000.0, NULL, NULL"
    " FROM reply_rounds r JOIN buyers b ON b.id = r.buyer_id LEFT JOIN accounts a ON a.id = r.holder_id"
    " WHERE r.shop_id = ? AND r.buyer_at >= ? AND r.buyer_at < ? AND r.in_hours = 1 AND r.decided_at IS NOT NULL"
    " {extra}"
    " AND (CAST(? AS BIGINT) IS NULL OR r.holder_id = ?) ORDER BY r.buyer_at DESC LIMIT ?"
)
_SESSION_DRILL = (
    "SELECT s.conversation_id, b.nickname, s.opened_at, {kind}, s.{agent}, a.display_name, {seconds}, NULL, {stars}"
    " FROM chat_sessions s JOIN buyers b ON b.id = s.buyer_id LEFT JOIN accounts a ON a.id = s.{agent}"
    " WHERE s.shop_id = ? AND s.opened_at >= ? AND s.opened_at < ? {extra}"
    " AND (CAST(? AS BIGINT) IS NULL OR s.{agent} = ?) ORDER BY s.opened_at DESC LIMIT ?"
)
_CALL_DRILL = (
    "SELECT c.conversation_id, c.buyer_name, c.invited_at, {kind}, c.agent_id, c.agent_name,"
    " c.duration_s, c.id, NULL FROM calls c"
    " WHERE c.shop_id = ? AND c.invited_at >= ? AND c.invited_at < ? {extra}"
    " AND (CAST(? AS BIGINT) IS NULL OR c.agent_id = ?) ORDER BY c.invited_at DESC LIMIT ?"
)
_DRILL_SQL = {
    "rounds": _ROUND_DRILL.format(extra=""),
    "rounds_late": _ROUND_DRILL.format(extra="AND r.on_time = 0"),
    "first_responses": _SESSION_DRILL.format(
        kind="'first_response'", agent="first_reply_by", seconds="s.frt_ms / 1000.0", stars="NULL",
        extra="AND s.in_hours = 1 AND s.frt_ms IS NOT NULL"),
    "resolved": _SESSION_DRILL.format(
        kind="'resolved'", agent="agent_id", seconds="s.resolution_ms / 1000.0", stars="NULL",
        extra="AND s.close_reason = 'resolved'"),
    "abandoned": _SESSION_DRILL.format(
        kind="s.close_reason", agent="agent_id", seconds="(s.closed_at - s.opened_at) / 1000.0", stars="NULL",
        extra="AND s.abandoned = 1"),
    "reopened": _SESSION_DRILL.format(
        kind="'reopened'", agent="agent_id", seconds="NULL", stars="NULL", extra="AND s.reopened = 1"),
    "ratings": _SESSION_DRILL.format(
        kind="'rating'", agent="agent_id", seconds="NULL", stars="s.rating", extra="AND s.rating BETWEEN 1 AND 5"),
    "ratings_negative": _SESSION_DRILL.format(
        kind="'rating'", agent="agent_id", seconds="NULL", stars="s.rating", extra="AND s.rating BETWEEN 1 AND 3"),
    "calls": _CALL_DRILL.format(kind="c.state", extra=""),
    "calls_connected": _CALL_DRILL.format(kind="c.state", extra="AND c.connected_at IS NOT NULL"),
    "calls_declined": _CALL_DRILL.format(kind="c.state", extra="AND c.state = 'declined'"),
    "calls_expired": _CALL_DRILL.format(kind="c.state", extra="AND c.state = 'expired'"),
    "complaints": _CALL_DRILL.format(kind="c.complaint", extra="AND c.complaint IS NOT NULL"),
    "transfers": (
        "SELECT e.conversation_id, b.nickname, e.at, e.kind, e.from_agent, a.display_name, NULL, NULL, NULL"
        " FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id"
        " JOIN buyers b ON b.id = c.buyer_id LEFT JOIN accounts a ON a.id = e.from_agent"
        " WHERE e.shop_id = ? AND e.at >= ? AND e.at < ? AND e.kind IN ('transfer', 'reassign', 'to_queue', 'takeover')"
        " AND (CAST(? AS BIGINT) IS NULL OR e.from_agent = ?) ORDER BY e.at DESC LIMIT ?"
    ),
}


class SqlFacts:
    """Mixin of both stores (see the module's docstring)."""

    if TYPE_CHECKING:
        async def _write(self, fn: Callable[[Db], T], conversations: tuple[int, ...] = ()) -> T: ...
        async def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None: ...
        async def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]: ...

    # rounds ---------------------------------------------------------------------------------

    async def open_round(self, row: RoundRow) -> None:
        values = tuple(_sql_value(v) for v in astuple(row))

        def write(conn: Db) -> None:
            conn.execute(f"INSERT INTO reply_rounds ({_ROUND_COLUMNS}) VALUES ({marks(len(_ROUND_NAMES))})"
                         " ON CONFLICT (conversation_id, buyer_seq) DO NOTHING", values)

        await self._write(write)

    async def update_round(self, conversation_id: int, buyer_seq: int, **changes: Any) -> None:
        if not changes:
            return
        sets, params = _assignments(changes, ROUND_FIELDS, "round")

        def write(conn: Db) -> None:
            conn.execute(f"UPDATE reply_rounds SET {sets} WHERE conversation_id = ? AND buyer_seq = ?",
                         (*params, conversation_id, buyer_seq))

        await self._write(write)

    async def get_round(self, conversation_id: int, buyer_seq: int) -> RoundRow | None:
        row = await self._one(f"SELECT {_ROUND_COLUMNS} FROM reply_rounds WHERE conversation_id = ? AND buyer_seq = ?",
                        (conversation_id, buyer_seq))
        return _round(row) if row else None

    # sessions -------------------------------------------------------------------------------

    async def open_session(self, row: SessionRow) -> SessionRow:
        names = _SESSION_NAMES[1:]
        values = tuple(_sql_value(getattr(row, n)) for n in names)

        def write(conn: Db) -> SessionRow:
            session_id = int(conn.execute(f"INSERT INTO chat_sessions ({', '.join(names)})"
                                          f" VALUES ({marks(len(names))}) RETURNING id", values).fetchone()[0])
            conn.execute("UPDATE conversations SET session_id = ? WHERE id = ?", (session_id, row.conversation_id))
            stored = conn.execute(f"SELECT {_SESSION_COLUMNS} FROM chat_sessions WHERE id = ?",
                                  (session_id,)).fetchone()
            return _session(stored)

        return await self._write(write, (row.conversation_id,))

    async def update_session(self, session_id: int, **changes: Any) -> None:
        if not changes:
            return
        sets, params = _assignments(changes, SESSION_FIELDS, "session")

        def write(conn: Db) -> None:
            conn.execute(f"UPDATE chat_sessions SET {sets} WHERE id = ?", (*params, session_id))

        await self._write(write)

    async def get_session(self, session_id: int) -> SessionRow | None:
        row = await self._one(f"SELECT {_SESSION_COLUMNS} FROM chat_sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    # figures --------------------------------------------------------------------------------

    async def metric_groups(self, shop_id: int, since: int, until: int) -> MetricGroups:
        window = (shop_id, since, until)
        rounds = "FROM reply_rounds WHERE shop_id = ? AND buyer_at >= ? AND buyer_at < ?"
        sessions = "FROM chat_sessions WHERE shop_id = ? AND opened_at >= ? AND opened_at < ?"
        calls = "FROM calls WHERE shop_id = ? AND invited_at >= ? AND invited_at < ?"
        return MetricGroups(
            rounds=await self._all(
                "SELECT hour, COALESCE(holder_id, 0), COUNT(*) FILTER (WHERE in_hours = 1 AND decided_at IS NOT NULL),"
                " COUNT(*) FILTER (WHERE in_hours = 1 AND on_time = 1),"
                " COUNT(*) FILTER (WHERE in_hours = 1 AND decided_at IS NULL), COUNT(*) FILTER (WHERE in_hours = 0)"
                f" {rounds} GROUP BY 1, 2", window),
            answered=await self._all(
                f"SELECT hour, COALESCE(agent_id, 0), COUNT(*), SUM(reply_ms) {rounds}"
                " AND in_hours = 1 AND reply_at IS NOT NULL GROUP BY 1, 2", window),
            buyer_days=await self._all(
                "SELECT hour, COALESCE(holder_id, 0), buyer_id, day, COUNT(*), COUNT(*) FILTER (WHERE on_time = 0)"
                f" {rounds} AND in_hours = 1 AND decided_at IS NOT NULL GROUP BY 1, 2, 3, 4", window),
            sessions=await self._all(
                "SELECT hour, COALESCE(agent_id, 0), COUNT(*), COUNT(*) FILTER (WHERE close_reason = 'resolved'),"
                " COALESCE(SUM(CASE WHEN close_reason = 'resolved' THEN resolution_ms END), 0),"
                " COUNT(*) FILTER (WHERE abandoned = 1), COUNT(*) FILTER (WHERE reopened = 1),"
                " COUNT(*) FILTER (WHERE rating BETWEEN 1 AND 5), COUNT(*) FILTER (WHERE rating >= 4),"
                f" COALESCE(SUM(CASE WHEN rating BETWEEN 1 AND 5 THEN rating END), 0) {sessions} GROUP BY 1, 2",
                window),
            first_responses=await self._all(
                f"SELECT hour, COALESCE(first_reply_by, 0), frt_ms {sessions} AND in_hours = 1 AND frt_ms IS NOT NULL",
                window),
            calls=await self._all(
                "SELECT hour, agent_id, COUNT(*), COUNT(*) FILTER (WHERE delivered_at IS NOT NULL),"
                " COUNT(*) FILTER (WHERE answered_at IS NOT NULL AND state != 'declined'),"
                " COUNT(*) FILTER (WHERE state = 'declined'), COUNT(*) FILTER (WHERE state = 'expired'),"
                " COUNT(*) FILTER (WHERE state = 'cancelled'), COUNT(*) FILTER (WHERE connected_at IS NOT NULL),"
                f" COUNT(*) FILTER (WHERE complaint IS NOT NULL) {calls}"
                " GROUP BY 1, 2", window),
            call_times=await self._all(
                "SELECT hour, agent_id, connected_at - answered_at, CASE WHEN state = 'ended' THEN duration_s END"
                f" {calls} AND connected_at IS NOT NULL", window),
            transfers=await self._all(
                "SELECT hour, COALESCE(from_agent, 0),"
                " COUNT(*) FILTER (WHERE kind IN ('transfer', 'reassign', 'to_queue')),"
                " COUNT(*) FILTER (WHERE kind = 'takeover') FROM conversation_events"
                " WHERE shop_id = ? AND at >= ? AND at < ?"
                " AND kind IN ('transfer', 'reassign', 'to_queue', 'takeover') GROUP BY 1, 2",
                window),
        )

    async def figure_days(self, shop_id: int, tz: str, fmt: int, starts: list[int], with_cells: bool,
                          have: Mapping[int, int] | None = None) -> dict[int, tuple[int, bytes | None, bytes | None]]:
        if not starts:
            return {}
        have = have or {}
        where = (" FROM figure_days WHERE shop_id = ? AND since >= ? AND since <= ? AND timezone = ? AND format = ?"
                 " AND sums IS NOT NULL")
        params = (shop_id, min(starts), max(starts), tz, fmt)
        wanted = set(starts)
        versions = {since: version for since, version in await self._all("SELECT since, version" + where, params)
                    if since in wanted}
        out: dict[int, tuple[int, bytes | None, bytes | None]] = {
            since: (version, None, None) for since, version in versions.items() if have.get(since) == version}
        if len(out) < len(versions):
            for since, version, sums, cells in await self._all(
                    f"SELECT since, version, sums, {'cells' if with_cells else 'NULL'}" + where, params):
                if since in versions and since not in out and (cells is not None or not with_cells):
                    out[since] = (version, sums, cells)
        return out

    async def claim_figure_days(self, shop_id: int, tz: str, fmt: int,
                                days: list[tuple[int, int]]) -> dict[int, int]:
        def write(conn: Db) -> dict[int, int]:
            conn.executemany("INSERT INTO figure_days (shop_id, since, timezone, format, until) VALUES (?, ?, ?, ?, ?)"
                             " ON CONFLICT (shop_id, since, timezone, format) DO NOTHING",
                             [(shop_id, since, tz, fmt, until) for since, until in days])
            return {since: conn.execute("SELECT version FROM figure_days WHERE shop_id = ? AND since = ?"
                                        " AND timezone = ? AND format = ?", (shop_id, since, tz, fmt)).fetchone()[0]
                    for since, _ in days}

        return await self._write(write)

    async def put_figure_day(self, shop_id: int, tz: str, fmt: int, since: int, version: int, sums: bytes,
                             cells: bytes) -> bool:
        def write(conn: Db) -> bool:
            cursor = conn.execute("UPDATE figure_days SET sums = ?, cells = ? WHERE shop_id = ? AND since = ?"
                                  " AND timezone = ? AND format = ? AND version = ?",
                                  (sums, cells, shop_id, since, tz, fmt, version))
            return cursor.rowcount == 1

        return await self._write(write)

    async def drill(self, shop_id: int, figure: str, since: int, until: int, agent_id: int | None,
                    limit: int) -> list[tuple[Any, ...]]:
        sql = _DRILL_SQL.get(figure)
        if sql is None:
            raise KeyError(figure)
        return await self._all(sql, (shop_id, since, until, agent_id, agent_id, max(1, min(limit, DRILL_LIMIT_MAX))))

    # staff notes ----------------------------------------------------------------------------

    async def add_note(self, row: NoteRow) -> tuple[NoteRow, bool]:
        names = _NOTE_NAMES[1:]
        values = tuple(getattr(row, n) for n in names)

        def write(conn: Db) -> tuple[NoteRow, bool]:
            old = conn.execute(f"SELECT {_NOTE_COLUMNS} FROM staff_notes WHERE author_id = ? AND client_msg_id = ?",
                               (row.author_id, row.client_msg_id)).fetchone()
            if old is not None:
                stored = NoteRow(*old)
                if stored.text != row.text or stored.conversation_id != row.conversation_id:
                    raise StoreConflict("client_msg_id was already used for a different note", ConflictReason.ID_REUSED)
                return stored, True
            note_id = conn.execute(
                f"INSERT INTO staff_notes ({', '.join(names)}) VALUES ({marks(len(names))}) RETURNING id",
                values).fetchone()[0]
            return NoteRow(int(note_id), *values), False

        return await self._write(write)

    async def list_notes(self, conversation_id: int, after_id: int, limit: int) -> list[NoteRow]:
        rows = await self._all(f"SELECT {_NOTE_COLUMNS} FROM staff_notes WHERE conversation_id = ? AND id > ?"
                         " ORDER BY id LIMIT ?", (conversation_id, after_id, limit))
        return [NoteRow(*r) for r in rows]

    # settings audit, complaints, template order ---------------------------------------------

    async def record_audit(self, rows: list[AuditRow]) -> None:
        if not rows:
            return

        def write(conn: Db) -> None:
            conn.executemany("INSERT INTO settings_audit (shop_id, at, actor_id, actor_name, setting, old, new)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)", [astuple(r) for r in rows])

        await self._write(write)

    async def audit_log(self, shop_id: int, limit: int) -> list[AuditRow]:
        rows = await self._all("SELECT shop_id, at, actor_id, actor_name, setting, old, new FROM settings_audit"
                         " WHERE shop_id = ? ORDER BY id DESC LIMIT ?", (shop_id, limit))
        return [AuditRow(*r) for r in rows]

    async def complaints(self, shop_id: int, since: int, until: int) -> list[CallRow]:
        rows = await self._all(f"SELECT {CALL_COLUMNS} FROM calls WHERE shop_id = ? AND complaint_at >= ?"
                         " AND complaint_at < ? ORDER BY complaint_at DESC", (shop_id, since, until))
        return [call_row(r) for r in rows]

    async def reorder_templates(self, shop_id: int, owner_id: int | None, template_ids: list[int]) -> None:
        def write(conn: Db) -> None:
            current = [r[0] for r in conn.execute(
                "SELECT id FROM templates WHERE shop_id = ? AND owner_id IS NOT DISTINCT FROM ? ORDER BY position, id",
                (shop_id, owner_id))]
            named = [t for t in dict.fromkeys(template_ids) if t in set(current)]
            order = named + [t for t in current if t not in set(named)]
            conn.executemany("UPDATE templates SET position = ? WHERE id = ?", list(enumerate(order)))

        await self._write(write)
