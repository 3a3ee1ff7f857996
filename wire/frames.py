"""Every frame of the Kefu WebSocket protocol and the bodies of its HTTP API, as msgspec Structs.

Frames are JSON objects with a `type` field (the msgspec tag). Requests from a client carry an
`id` chosen by the client; the relay's reply to a request (`ack`, `synced`, `opened`,
`history_page`, `ok` or `error`) repeats it. Frames the relay pushes on its own (`message`,
`conversation`, `receipt`) have no `id`. docs/protocol.md shows an example of each.

The frames of calls (`wire.calls`), of templates and the buyer's context (`wire.shop`) and of the
staff's own work (`wire.staff`) live in their own modules; this one re-exports them all, so every
frame is `wire.frames.<Name>`, and `ClientFrame` / `ServerFrame` list them all.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire import MIN_PASSWORD_CHARS
from wire.base import (
    AccountId,
    ClientMsgId,
    ConversationId,
    Millis,
    Note,
    RequestId,
    Role,
    SenderKind,
    Seq,
    ShopSlug,
    Text,
)
from wire.base import Frame as _Frame
from wire.base import Side as Side
from wire.calls import AnswerCall as AnswerCall
from wire.calls import CallAllowed as CallAllowed
from wire.calls import CallBlock as CallBlock
from wire.calls import CallBlocks as CallBlocks
from wire.calls import CallDecision as CallDecision
from wire.calls import CallInfo as CallInfo
from wire.calls import CallMedia as CallMedia
from wire.calls import CallNotice as CallNotice
from wire.calls import CallPolicy as CallPolicy
from wire.calls import CallSettings as CallSettings
from wire.calls import CallState as CallState
from wire.calls import CallUpdate as CallUpdate
from wire.calls import CheckCall as CheckCall
from wire.calls import Complain as Complain
from wire.calls import ComplaintReason as ComplaintReason
from wire.calls import GetCallBlocks as GetCallBlocks
from wire.calls import GetIceServers as GetIceServers
from wire.calls import HangUp as HangUp
from wire.calls import IceCandidate as IceCandidate
from wire.calls import IceServer as IceServer
from wire.calls import IceServers as IceServers
from wire.calls import InviteCall as InviteCall
from wire.calls import RelayedSignal as RelayedSignal
from wire.calls import SignalCall as SignalCall
from wire.calls import SignalKind as SignalKind
from wire.calls import UnblockCalls as UnblockCalls
from wire.errors import ErrorCode
from wire.shop import AnswerOffer as AnswerOffer
from wire.shop import CardRequest as CardRequest
from wire.shop import CaseInfo as CaseInfo
from wire.shop import CaseUpdate as CaseUpdate
from wire.shop import Cents as Cents
from wire.shop import ContextInfo as ContextInfo
from wire.shop import DeleteTemplate as DeleteTemplate
from wire.shop import GetContext as GetContext
from wire.shop import ListTemplates as ListTemplates
from wire.shop import LogisticsStep as LogisticsStep
from wire.shop import OfferKind as OfferKind
from wire.shop import OrderInfo as OrderInfo
from wire.shop import OrderItemInfo as OrderItemInfo
from wire.shop import RenderTemplate as RenderTemplate
from wire.shop import SaveTemplate as SaveTemplate
from wire.shop import SendCard as SendCard
from wire.shop import Template as Template
from wire.shop import TemplateDraft as TemplateDraft
from wire.shop import TemplateList as TemplateList
from wire.shop import TemplateRendered as TemplateRendered
from wire.shop import TemplateSaved as TemplateSaved
from wire.staff import AddNote as AddNote
from wire.staff import AgentCap as AgentCap
from wire.staff import AuditEntry as AuditEntry
from wire.staff import CallPolicyInfo as CallPolicyInfo
from wire.staff import ComplaintUpdate as ComplaintUpdate
from wire.staff import FiguresUpdate as FiguresUpdate
from wire.staff import GetShopConfig as GetShopConfig
from wire.staff import HandleComplaint as HandleComplaint
from wire.staff import ListNotes as ListNotes
from wire.staff import NoteInfo as NoteInfo
from wire.staff import NoteKind as NoteKind
from wire.staff import NoteList as NoteList
from wire.staff import OrderTemplates as OrderTemplates
from wire.staff import Rate as Rate
from wire.staff import ShopConfig as ShopConfig
from wire.staff import StaffNote as StaffNote
from wire.staff import TakeOver as TakeOver
from wire.staff import TemplatesChanged as TemplatesChanged

# --- client -> relay -----------------------------------------------------------------------


class Sync(_Frame, tag="sync"):
    """Start (or resume) the session: for each conversation the client knows, the last seq it saw.

    The relay answers with every `message` after each cursor, in order, then `synced` with the
    conversations visible to the caller; live frames follow.
    """

    id: RequestId
    cursors: dict[ConversationId, Seq] = {}


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


AgentStatus = Literal["online", "busy", "away"]
RoutingMode = Literal["auto", "manual", "both"]


class SetStatus(_Frame, tag="status"):
    """Agent: online (takes new chats), busy (keeps chats, no new ones) or away."""

    id: RequestId
    status: AgentStatus


class Claim(_Frame, tag="claim"):
    """Agent: take a queued conversation (shops in manual or both mode)."""

    id: RequestId
    conversation_id: ConversationId


class Transfer(_Frame, tag="transfer"):
    """Hand a conversation to a named agent of the shop, or back to the queue (`to_agent` null).

    Agents transfer their own chats; supervisors may reassign any chat of the shop.
    """

    id: RequestId
    conversation_id: ConversationId
    to_agent: AccountId | None = None
    note: Note = ""


class Resolve(_Frame, tag="resolve"):
    """Close a conversation as handled; the buyer's next message opens it again."""

    id: RequestId
    conversation_id: ConversationId


class SetCap(_Frame, tag="set_cap"):
    """Supervisor: the most chats an agent may hold at once."""

    id: RequestId
    agent_id: AccountId
    cap: Annotated[int, msgspec.Meta(ge=1, le=50)]


class ShopSettings(_Frame, tag="shop_settings"):
    """Supervisor: change the shop's routing mode, service hours and time zone (omitted fields stay).
    `opens` must come before `closes` ("24:00" closes at midnight); `timezone` is an IANA name."""

    id: RequestId
    mode: RoutingMode | None = None
    # \Z, not $: msgspec matches with re.search, where $ also matches before a final line break ("09:00\n")
    opens: Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")] | None = None
    closes: Annotated[str, msgspec.Meta(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)\Z")] | None = None
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


ClientFrame = (
    Sync | Open | Send | History | Read | SetStatus | Claim | Transfer | Resolve | SetCap | ShopSettings
    | ListTemplates | SaveTemplate | DeleteTemplate | RenderTemplate | GetContext | SendCard | AnswerOffer
    | CheckCall | InviteCall | AnswerCall | SignalCall | CallMedia | HangUp | Complain | CallSettings | GetIceServers
    | GetCallBlocks | UnblockCalls | AddNote | ListNotes | TakeOver | GetShopConfig | OrderTemplates | HandleComplaint
    | Rate
)


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


class _Card(msgspec.Struct, tag_field="kind", kw_only=True):
    """Base of the cards a message can carry."""


class ProductCard(_Card, tag="product"):
    """A product of the shop."""

    sku: str
    title: str
    price_cents: int


class OrderCard(_Card, tag="order"):
    """One of the buyer's orders."""

    order_no: str
    status: str
    amount_cents: int
    summary: str


class OfferCard(_Card, tag="offer"):
    """An after-sales solution offered to the buyer; `status` moves with `case_update` frames."""

    case_id: str
    order_no: str
    offer: str
    amount_cents: int
    status: str


class CallCard(_Card, tag="call"):
    """A video explanation invitation; its state moves with `call` frames (the card keeps the state it was sent in)."""

    call_id: str
    agent_name: str
    reason: str
    expires_at: Millis
    status: str = "invited"
    audio_only: bool = False


Card = ProductCard | OrderCard | OfferCard | CallCard


class Message(_Frame, tag="message"):
    """A stored chat message. `seq` is dense and increasing within its conversation, from 1.

    `kind` is `text`, `card` (see `card`) or `system` (an automatic message; `event` names it,
    e.g. `welcome`, `out_of_hours`, `auto_closed`, so clients may show it in their language).
    """

    conversation_id: int
    seq: int
    client_msg_id: str
    sender: Sender
    text: str
    ts: Millis
    kind: Literal["text", "card", "system"] = "text"
    card: Card | None = None
    event: str | None = None
    params: dict[str, str] | None = None
    """A system message's values (`event` and `params` let every client word it in its reader's
    language; `text` is the relay's Chinese wording of the same)."""


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
    status: Literal["new", "queued", "assigned", "closed"] = "new"
    agent_id: str | None = None
    agent_name: str | None = None
    unanswered_since: Millis | None = None
    """When the buyer's oldest unanswered message arrived (the 3-minute clock), if any."""
    session_id: int | None = None
    """The current chat (from the buyer's first message into a new or closed conversation to its close), or the last."""
    rating_due: bool = False
    """The last chat was resolved and not yet rated or skipped: the buyer may `rate` it."""
    rating: int | None = None
    """The stars the buyer gave the last chat (None: not rated)."""


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
    reason: str | None = None
    """For `conflict`: which one (`wire.errors.ConflictReason`), so a client can say it in its own words."""


QueueReason = Literal["all_busy", "no_agent_online", "outside_hours", "waiting_for_your_agent", "manual"]


class QueueStatus(_Frame, tag="queue_status"):
    """To a buyer: where their conversation stands. `position` 0 means an agent has it."""

    conversation_id: int
    position: int
    estimated_wait_s: int | None = None
    reason: QueueReason | None = None
    agent_name: str | None = None


class Assignment(_Frame, tag="assignment"):
    """To agents and supervisors: who has a conversation now (`agent_id` null: back in the queue)."""

    conversation: ConversationInfo
    reason: Literal["auto", "exclusive", "claim", "transfer", "reassign", "takeover", "requeued", "resolved",
                    "closed", "abandoned"]
    previous_agent_id: str | None = None
    note: str = ""
    by: str | None = None


class QueueEntry(msgspec.Struct, kw_only=True):
    """A waiting conversation as agents see it in the queue panel."""

    conversation_id: int
    buyer_id: str
    buyer_name: str
    position: int
    queued_at: Millis
    tier: Literal["returned", "after_sales", "high_value", "normal"]
    reserved_for: str | None = None


class QueueSnapshot(_Frame, tag="queue"):
    """To a shop's agents: the head of the queue (at most 200 entries) and its length."""

    entries: list[QueueEntry]
    total: int
    mode: RoutingMode


class Sla(_Frame, tag="sla"):
    """A buyer has waited 100 s (`warning`) or 180 s (`overdue`) for a reply; `cleared` when answered."""

    conversation_id: int
    level: Literal["warning", "overdue", "cleared"]
    since: Millis
    agent_id: str | None = None


class AgentInfo(msgspec.Struct, kw_only=True):
    """An agent's state as supervisors see it."""

    agent_id: str
    name: str
    role: Role
    status: Literal["online", "busy", "away", "offline"]
    connected: bool
    active: int
    cap: int


class AgentsSnapshot(_Frame, tag="agents"):
    """To supervisors (and agents, for transfers): every agent of the shop."""

    agents: list[AgentInfo]


ServerFrame = (
    Welcome | Message | Ack | Synced | Opened | HistoryPage | Receipt | Ok | Error
    | QueueStatus | Assignment | QueueSnapshot | Sla | AgentsSnapshot | TemplateList | TemplateSaved
    | TemplateRendered | ContextInfo | CaseUpdate | CallUpdate | CallAllowed | RelayedSignal | CallNotice
    | CallPolicy | IceServers | CallBlocks | StaffNote | NoteList | ShopConfig | TemplatesChanged | ComplaintUpdate
    | FiguresUpdate
)


# --- HTTP bodies ---------------------------------------------------------------------------


class LoginRequest(msgspec.Struct, kw_only=True):
    """POST /api/login."""

    shop: ShopSlug
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class PasswordChange(msgspec.Struct, kw_only=True):
    """POST /api/password: every token of the account is revoked and a new one returned."""

    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    new_password: Annotated[str, msgspec.Meta(min_length=MIN_PASSWORD_CHARS, max_length=1024)]


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
