"""Every frame of the Kefu WebSocket protocol and the bodies of its HTTP API, as msgspec Structs.

Frames are JSON objects with a `type` field (the msgspec tag). Requests from a client carry an
`id` chosen by the client; the relay's reply to a request (`ack`, `synced`, `opened`,
`history_page`, `ok` or `error`) repeats it. Frames the relay pushes on its own (`message`,
`conversation`, `receipt`) have no `id`. docs/protocol.md shows an example of each.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire.base import (
    AccountId,
    CallId,
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
from wire.errors import ErrorCode
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


AgentStatus = Literal["online", "busy", "away"]
RoutingMode = Literal["auto", "manual", "both"]
Cents = Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]
OfferKind = Literal["return_refund", "refund_only", "coupon"]


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
    opens: Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] | None = None
    closes: Annotated[str, msgspec.Meta(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")] | None = None
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class ListTemplates(_Frame, tag="templates"):
    """The shop's templates and the caller's own, optionally filtered (Chinese text or pinyin initials)."""

    id: RequestId
    query: Annotated[str, msgspec.Meta(max_length=50)] = ""


class TemplateDraft(msgspec.Struct, kw_only=True):
    """A template as written by an agent or supervisor."""

    scope: Literal["shop", "personal"]
    group: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    shortcut: Annotated[str, msgspec.Meta(max_length=16, pattern=r"^[a-z0-9]*$")] = ""


class SaveTemplate(_Frame, tag="template_save"):
    """Create (no `template_id`) or edit a template. Shop templates: supervisors only."""

    id: RequestId
    template: TemplateDraft
    template_id: Annotated[int, msgspec.Meta(ge=1)] | None = None


class DeleteTemplate(_Frame, tag="template_delete"):
    """Delete a template (the same permissions as editing it)."""

    id: RequestId
    template_id: Annotated[int, msgspec.Meta(ge=1)]


class RenderTemplate(_Frame, tag="template_render"):
    """Fill a template's variables from a conversation (and count one use)."""

    id: RequestId
    template_id: Annotated[int, msgspec.Meta(ge=1)]
    conversation_id: ConversationId
    order_no: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class GetContext(_Frame, tag="context"):
    """The buyer's orders, logistics and after-sales cases, for a conversation the caller may see."""

    id: RequestId
    conversation_id: ConversationId


class CardRequest(msgspec.Struct, kw_only=True):
    """What card to send: a product (`sku`), an order (`order_no`), or an after-sales offer."""

    kind: Literal["product", "order", "offer"]
    sku: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    order_no: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    offer: OfferKind | None = None
    amount_cents: Cents | None = None


class SendCard(_Frame, tag="send_card"):
    """Agent: send a product, order or after-sales offer card (idempotent like `send`)."""

    id: RequestId
    conversation_id: ConversationId
    client_msg_id: ClientMsgId
    card: CardRequest


class AnswerOffer(_Frame, tag="offer_reply"):
    """Buyer: accept or decline an after-sales offer."""

    id: RequestId
    conversation_id: ConversationId
    case_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    accept: bool


# --- video calls (docs/protocol.md, "Video calls") ---------------------------------------------

CallState = Literal["invited", "accepted", "declined", "expired", "connected", "ended", "cancelled"]
CallDecision = Literal["accept", "decline", "block"]
ComplaintReason = Literal["not_requested", "inappropriate", "sales_pressure", "privacy", "poor_quality", "other"]
SignalKind = Literal["offer", "answer", "candidate"]


class IceCandidate(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A trickled ICE candidate as a browser's RTCIceCandidate.toJSON() gives it (snake_case names);
    an empty `candidate` means the end of candidates."""

    candidate: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    sdp_mid: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    sdp_mline_index: Annotated[int, msgspec.Meta(ge=0, le=64)] | None = None


class CheckCall(_Frame, tag="call_check"):
    """Agent: may I invite this conversation's buyer to a video call now? Answered by `call_allowed`."""

    id: RequestId
    conversation_id: ConversationId


class InviteCall(_Frame, tag="call_invite"):
    """Agent: invite the conversation's buyer to a video explanation (a card in the chat). Answered by `call`."""

    id: RequestId
    conversation_id: ConversationId
    reason: Annotated[str, msgspec.Meta(max_length=60)] = ""
    """Why, in a few words the buyer reads on the card (e.g. 演示安装步骤)."""
    audio_only: bool = False
    """A voice call: the card says so, and the buyer's side joins without video."""


class AnswerCall(_Frame, tag="call_answer"):
    """Buyer: accept (optionally with audio only), decline, or decline and block this shop's invitations."""

    id: RequestId
    call_id: CallId
    decision: CallDecision
    audio_only: bool = False


class SignalCall(_Frame, tag="call_signal"):
    """Either party of an accepted call: SDP offer (agent) / answer (buyer), or an ICE candidate. Relayed as is."""

    id: RequestId
    call_id: CallId
    kind: SignalKind
    sdp: Annotated[str, msgspec.Meta(max_length=30_000)] | None = None
    candidate: IceCandidate | None = None


class CallMedia(_Frame, tag="call_media"):
    """Either party: the first media from the other side arrived (the call is connected)."""

    id: RequestId
    call_id: CallId


class HangUp(_Frame, tag="call_hangup"):
    """Either party: end the call; the agent may also withdraw an invitation not yet answered."""

    id: RequestId
    call_id: CallId


class Complain(_Frame, tag="call_complaint"):
    """Buyer: complain about a call, during it or after it (once per call)."""

    id: RequestId
    call_id: CallId
    reason: ComplaintReason
    text: Annotated[str, msgspec.Meta(max_length=200)] = ""


class CallSettings(_Frame, tag="call_settings"):
    """Supervisor: the shop's invitation policy (omitted fields stay). Answered by `call_policy`."""

    id: RequestId
    enabled: bool | None = None
    invites_per_day: Annotated[int, msgspec.Meta(ge=0, le=20)] | None = None
    decline_cooldown_s: Annotated[int, msgspec.Meta(ge=0, le=86_400)] | None = None
    activity_window_s: Annotated[int, msgspec.Meta(ge=60, le=86_400)] | None = None
    invite_ttl_s: Annotated[int, msgspec.Meta(ge=10, le=600)] | None = None
    max_duration_s: Annotated[int, msgspec.Meta(ge=60, le=4 * 3600)] | None = None
    warning_before_s: Annotated[int, msgspec.Meta(ge=0, le=3600)] | None = None


class GetIceServers(_Frame, tag="ice_servers"):
    """Either party: the STUN/TURN servers to use (TURN with short-lived credentials). Answered by `ice_servers`."""

    id: RequestId


class GetCallBlocks(_Frame, tag="call_blocks"):
    """Buyer: the shops whose video invitations the buyer chose not to receive. Answered by `call_blocks`."""

    id: RequestId


class UnblockCalls(_Frame, tag="call_unblock"):
    """Buyer: receive the video invitations of this conversation's shop again (undo the buyer's own
    "不再接收视频邀请"). Idempotent; answered by `call_blocks` (the blocks left)."""

    id: RequestId
    conversation_id: ConversationId


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


class Template(msgspec.Struct, kw_only=True):
    """A reply template; `initials` are the pinyin initials of the title, for client-side filtering."""

    template_id: int
    scope: Literal["shop", "personal"]
    group: str
    title: str
    body: str
    shortcut: str
    initials: str
    usage_count: int
    editable: bool
    position: int = 0
    """Where the editor put it within its scope (0 first); the picker lists unsearched templates in this order."""


class TemplateList(_Frame, tag="template_list"):
    """Answer to `templates`."""

    id: str
    templates: list[Template]


class TemplateSaved(_Frame, tag="template_saved"):
    """Answer to `template_save`."""

    id: str
    template: Template


class TemplateRendered(_Frame, tag="template_rendered"):
    """Answer to `template_render`: the text with its variables filled, ready to edit and send."""

    id: str
    text: str
    missing: list[str] = []
    """Variables that had no value for this conversation (left as written)."""


class LogisticsStep(msgspec.Struct, kw_only=True):
    at: str
    text: str


class OrderItemInfo(msgspec.Struct, kw_only=True):
    sku: str
    title: str
    quantity: int
    price_cents: int


class OrderInfo(msgspec.Struct, kw_only=True):
    order_no: str
    status: str
    status_label: str
    amount_cents: int
    created_at: str
    courier: str | None
    tracking_no: str | None
    items: list[OrderItemInfo]
    logistics: list[LogisticsStep]


class CaseInfo(msgspec.Struct, kw_only=True):
    case_id: str
    order_no: str
    kind: str
    reason: str
    status: str
    amount_cents: int | None = None


class ContextInfo(_Frame, tag="context_info"):
    """Answer to `context`: the conversation's buyer, their orders (newest first) and cases."""

    id: str
    conversation_id: int
    buyer_id: str
    buyer_name: str
    vip: bool
    orders: list[OrderInfo]
    cases: list[CaseInfo]


class CaseUpdate(_Frame, tag="case_update"):
    """An after-sales case changed (offer accepted or declined)."""

    conversation_id: int
    case: CaseInfo


class CallInfo(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A call and its record. Times are unix ms; `ended_by` is "agent", "buyer" or "relay"."""

    call_id: str
    conversation_id: int
    agent_id: str
    agent_name: str
    buyer_id: str
    buyer_name: str
    reason: str
    state: CallState
    invited_at: Millis
    expires_at: Millis
    max_duration_s: int
    audio_only: bool = False
    delivered_at: Millis | None = None
    """When the invitation first reached a connection of the buyer (its card sent live, or its `call` frame
    at the buyer's `sync`) while it was still `invited`; absent until then, and for good if it never did."""
    answered_at: Millis | None = None
    connected_at: Millis | None = None
    ended_at: Millis | None = None
    ended_by: str | None = None
    end_reason: str | None = None
    """"hangup", "duration_limit", "disconnected", "withdrawn"."""
    duration_s: int | None = None
    complaint: ComplaintReason | None = None


class CallUpdate(_Frame, tag="call"):
    """To both parties (and the shop's supervisors): a call changed. `id` is set when it answers a request."""

    call: CallInfo
    id: str | None = None


class CallAllowed(_Frame, tag="call_allowed"):
    """Answer to `call_check`: whether an invitation would be accepted now, and if not, why (the error code)."""

    id: str
    conversation_id: int
    allowed: bool
    code: ErrorCode | None = None
    message: str = ""
    retry_after: float | None = None


class RelayedSignal(_Frame, tag="call_signal"):
    """The other party's SDP or ICE candidate for a call."""

    call_id: str
    kind: SignalKind
    sdp: str | None = None
    candidate: IceCandidate | None = None


class CallNotice(_Frame, tag="call_notice"):
    """To both parties: the call will be ended at the shop's duration limit in `remaining_s`."""

    call_id: str
    remaining_s: int


class CallPolicy(_Frame, tag="call_policy"):
    """Answer to `call_settings`: the shop's invitation policy now."""

    id: str
    enabled: bool
    invites_per_day: int
    decline_cooldown_s: int
    activity_window_s: int
    invite_ttl_s: int
    max_duration_s: int
    warning_before_s: int


class IceServer(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One entry of RTCConfiguration.iceServers."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class IceServers(_Frame, tag="ice_servers"):
    """Answer to `ice_servers`; an empty list means host candidates only (loopback and LAN)."""

    id: str
    servers: list[IceServer]
    ttl_s: int = 0


class CallBlock(msgspec.Struct, kw_only=True):
    """A shop whose video invitations the buyer declines for good, until the buyer lifts it."""

    conversation_id: int
    """The buyer's conversation with that shop (the one to name in `call_unblock`)."""
    shop: str
    blocked_at: Millis


class CallBlocks(_Frame, tag="call_blocks"):
    """Answer to `call_blocks` and `call_unblock` (buyers): every shop the buyer blocked, now."""

    id: str
    blocks: list[CallBlock]


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
