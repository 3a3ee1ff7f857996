"""Every frame of the Kefu WebSocket protocol and the bodies of its HTTP API, as msgspec Structs.

Frames are JSON objects with a `type` field (the msgspec tag). Requests from a client carry an
`id` chosen by the client; the relay's reply to a request (`ack`, `synced`, `opened`,
`history_page`, `ok` or `error`) repeats it. Frames the relay pushes on its own (`message`,
`conversation`, `receipt`) have no `id`. docs/protocol.md shows an example of each.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire import MAX_TEXT_CHARS
from wire.errors import ErrorCode

RequestId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
ClientMsgId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
ConversationId = Annotated[int, msgspec.Meta(ge=1)]
Seq = Annotated[int, msgspec.Meta(ge=0)]
ShopSlug = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT_CHARS)]
Millis = int
"""Unix time in milliseconds (UTC)."""

Role = Literal["agent", "supervisor", "buyer"]
SenderKind = Literal["buyer", "agent", "system"]
Side = Literal["buyer", "agent"]


class _Frame(msgspec.Struct, tag_field="type", omit_defaults=True, kw_only=True):
    """Base of all frames: the tag is the `type` field."""


# --- client -> relay -----------------------------------------------------------------------


class Sync(_Frame, tag="sync"):
    """Start (or resume) the session: for each conversation the client knows, the last seq it saw.

    The relay answers with every `message` after each cursor, in order, then `synced` with the
    conversations visible to the caller; live frames follow.
    """

    id: RequestId
    cursors: dict[int, Seq] = {}


class Open(_Frame, tag="open"):
    """Buyer only: open (or reopen) the buyer's conversation with a shop."""

    id: RequestId
    shop: ShopSlug


class Send(_Frame, tag="send"):
    """Send a chat text. `client_msg_id` makes it idempotent: resend with the same one after any doubt."""

    id: RequestId
    conversation_id: ConversationId
    client_msg_id: ClientMsgId
    text: Text


class History(_Frame, tag="history"):
    """Ask for older messages: up to `limit` messages with seq < `before_seq` (newest page if omitted)."""

    id: RequestId
    conversation_id: ConversationId
    before_seq: Seq | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = 50


class Read(_Frame, tag="read"):
    """Mark every message up to `seq` of a conversation as read by the caller's side."""

    id: RequestId
    conversation_id: ConversationId
    seq: Seq


ClientFrame = Sync | Open | Send | History | Read


# --- relay -> client -----------------------------------------------------------------------


class SessionInfo(msgspec.Struct, omit_defaults=True, kw_only=True):
    """Who the connection (or token) belongs to."""

    role: Role
    user_id: str
    display_name: str
    shop: str | None = None
    """The shop of an agent or supervisor; None for buyers (a buyer talks to many shops)."""


class Limits(msgspec.Struct, kw_only=True):
    """Limits the relay enforces on this connection."""

    max_frame_bytes: int
    max_text_chars: int
    rate_per_second: float
    burst: int


class Welcome(_Frame, tag="welcome"):
    """First frame after the handshake."""

    version: int
    session: SessionInfo
    server_time: Millis
    limits: Limits


class Sender(msgspec.Struct, omit_defaults=True, kw_only=True):
    """Author of a message."""

    kind: SenderKind
    id: str
    name: str


class Message(_Frame, tag="message"):
    """A stored chat message. `seq` is dense and increasing within its conversation, from 1."""

    conversation_id: int
    seq: int
    client_msg_id: str
    sender: Sender
    text: str
    ts: Millis


class ConversationInfo(msgspec.Struct, kw_only=True):
    """A conversation between one shop and one buyer, with its cursors."""

    conversation_id: int
    shop: str
    shop_name: str
    buyer_id: str
    buyer_name: str
    last_seq: int
    buyer_read_seq: int
    agent_read_seq: int
    created_at: Millis


class Ack(_Frame, tag="ack"):
    """The message is committed to durable storage: it will not be lost and has this seq."""

    id: str
    conversation_id: int
    client_msg_id: str
    seq: int
    ts: Millis
    duplicate: bool = False
    """True when this client_msg_id was already stored: the original seq is returned, nothing new stored."""


class Synced(_Frame, tag="synced"):
    """End of the catch-up that answers `sync`; the listed conversations are visible to the caller."""

    id: str
    conversations: list[ConversationInfo]


class Opened(_Frame, tag="opened"):
    """Answer to `open`."""

    id: str
    conversation: ConversationInfo


class Conversation(_Frame, tag="conversation"):
    """Pushed to a shop's agents when a conversation of the shop is opened for the first time."""

    conversation: ConversationInfo


class HistoryPage(_Frame, tag="history_page"):
    """Answer to `history`: messages in ascending seq."""

    id: str
    conversation_id: int
    messages: list[Message]
    has_more: bool


class Receipt(_Frame, tag="receipt"):
    """The other side has read up to `read_seq`."""

    conversation_id: int
    side: Side
    read_seq: int


class Ok(_Frame, tag="ok"):
    """A request without a richer answer succeeded."""

    id: str


class Error(_Frame, tag="error"):
    """A request failed, or the connection is about to be closed. Nothing was stored or changed."""

    code: ErrorCode
    message: str
    id: str | None = None
    retry_after: float | None = None


ServerFrame = (
    Welcome | Message | Ack | Synced | Opened | Conversation | HistoryPage | Receipt | Ok | Error
)


# --- HTTP bodies ---------------------------------------------------------------------------


class LoginRequest(msgspec.Struct, kw_only=True):
    """POST /api/login."""

    shop: ShopSlug
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class TokenResponse(msgspec.Struct, kw_only=True):
    """A bearer token for the WebSocket handshake and the HTTP API; only its hash is stored."""

    token: str
    expires_at: Millis
    session: SessionInfo


class BuyerSessionRequest(msgspec.Struct, kw_only=True):
    """POST /api/buyer/session: the platform stand-in signs a session for a demo buyer."""

    buyer_id: str | None = None
    """A demo buyer's id; None picks one at random."""


class ShopInfo(msgspec.Struct, kw_only=True):
    """A shop as the buyer page lists it."""

    slug: str
    name: str


class HttpError(msgspec.Struct, omit_defaults=True, kw_only=True):
    """Body of every HTTP error response."""

    code: ErrorCode
    message: str
    retry_after: float | None = None
