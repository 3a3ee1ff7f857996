"""The frame base class and the field types every frame module shares (no frames here)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire import MAX_TEXT_CHARS

RequestId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
ClientMsgId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
ConversationId = Annotated[int, msgspec.Meta(ge=1)]
Seq = Annotated[int, msgspec.Meta(ge=0)]
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
