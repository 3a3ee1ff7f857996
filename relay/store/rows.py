"""Mapping between the stores' rows and the dataclasses of `relay.store.interface` (no SQL)."""

from __future__ import annotations

from typing import Any

from relay.store.interface import CallRow

CALL_COLUMN_NAMES = (
    "id", "shop_id", "conversation_id", "agent_id", "agent_name", "buyer_id", "buyer_name", "reason", "state",
    "invited_at", "expires_at", "max_duration_s", "audio_only", "answered_at", "connected_at", "ended_at", "ended_by",
    "end_reason", "duration_s", "complaint", "complaint_text", "complaint_at", "delivered_at", "hour", "handled_at",
    "handled_by", "handled_note",
)
CALL_COLUMNS = ", ".join(CALL_COLUMN_NAMES)
CALL_COLUMN_COUNT = len(CALL_COLUMN_NAMES)


def call_values(call: CallRow) -> tuple[Any, ...]:
    return tuple(int(v) if isinstance(v, bool) else v for v in (getattr(call, n) for n in CALL_COLUMN_NAMES))


def call_row(row: tuple[Any, ...]) -> CallRow:
    values = dict(zip(CALL_COLUMN_NAMES, row, strict=True))
    values["audio_only"] = bool(values["audio_only"])
    return CallRow(**values)
