"""The frame base class and the field types every frame module shares (no frames here)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire import MAX_TEXT_CHARS

DB_INT_MAX = 2**63 - 1
"""The largest integer the relay's databases hold (SQLite INTEGER, PostgreSQL BIGINT): a client's id or seq
above it is refused as `invalid_field`, not looked up (the driver cannot bind it)."""

RowId = Annotated[int, msgspec.Meta(ge=1, le=DB_INT_MAX)]
"""The id of a stored row (a conversation, a template, a chat session)."""

RequestId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
ClientMsgId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
ConversationId = RowId
Seq = Annotated[int, msgspec.Meta(ge=0, le=DB_INT_MAX)]
ShopSlug = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT_CHARS)]
AccountId = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Note = Annotated[str, msgspec.Meta(max_length=500)]
CallId = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Millis = int
"""Unix time in milliseconds (UTC)."""

Role = Literal["agent", "supervisor", "buyer"]
SenderKind = Literal["buyer", "agent", "system"]
Side = Literal["buyer", "agent"]


class Frame(msgspec.Struct, tag_field="type", omit_defaults=True, kw_only=True):
    """Base of all frames: the tag is the `type` field."""
