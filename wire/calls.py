"""Frames of one-to-one video (and voice) calls: the invitation, the answer, signalling, media
state, complaints, the shop's call policy, ICE servers and a buyer's blocks (docs/protocol.md,
"Video calls").

`wire.frames` re-exports every one of them and includes them in `ClientFrame` and `ServerFrame`.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire.base import (
    CallId,
    ConversationId,
    Millis,
    RequestId,
)
from wire.base import Frame as _Frame
from wire.errors import ErrorCode

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
    """"hangup", "duration_limit", "disconnected", "not_connected", "withdrawn", "expired", "relay_restarted"
    (the relay stopped or restarted while the call was open)."""
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
