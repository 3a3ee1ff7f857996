"""Stable error codes carried by `error` frames and HTTP error bodies.

Codes never change meaning once released; the human message may. Clients branch on the code.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every error a client can receive, documented in docs/protocol.md."""

    BAD_FRAME = "bad_frame"
    """The frame is not a JSON object (malformed JSON, binary frame, not an object)."""
    UNKNOWN_TYPE = "unknown_type"
    """The frame's `type` is missing or not one the relay knows."""
    INVALID_FIELD = "invalid_field"
    """A field is missing, of the wrong type, or out of range."""
    TOO_LARGE = "too_large"
    """The frame exceeds 64 KiB; it was not processed."""
    RATE_LIMITED = "rate_limited"
    """Too many frames; `retry_after` says when to try again. The frame was not processed."""
    UNAUTHORIZED = "unauthorized"
    """Missing, wrong, expired or revoked credentials."""
    FORBIDDEN = "forbidden"
    """The credentials are valid but do not allow this (another shop's data, wrong role)."""
    NOT_FOUND = "not_found"
    """The conversation, shop or account does not exist (or is not visible to the caller)."""
    CONFLICT = "conflict"
    """The request conflicts with the current state (e.g. a client id reused for other content)."""
    THROTTLED = "throttled"
    """Too many failed logins; `retry_after` says when to try again."""
    BAD_ORIGIN = "bad_origin"
    """The WebSocket handshake came from an Origin that is not allowed."""
    UNSUPPORTED_VERSION = "unsupported_version"
    """The client speaks a protocol version the relay does not."""
    SLOW_CONSUMER = "slow_consumer"
    """The connection could not keep up; it is closed and should resume by sequence."""
    GOING_AWAY = "going_away"
    """The relay is shutting down; reconnect later and resume by sequence."""
    UNAVAILABLE = "unavailable"
    """The relay cannot store right now (database error); retry with the same client id."""
    INTERNAL = "internal"
    """An unexpected relay error; the request may be retried with the same client id."""
    CALLS_OFF = "calls_off"
    """Video invitations are switched off for this shop."""
    CALL_NOT_STARTED = "call_not_started"
    """The buyer has not written in this conversation: only a conversation the buyer started may carry an invitation."""
    CALL_INACTIVE = "call_inactive"
    """The conversation has been silent longer than the shop's activity window (30 min by default)."""
    CALL_DAILY_LIMIT = "call_daily_limit"
    """This buyer already had the shop's daily number of invitations (3 by default)."""
    CALL_COOLDOWN = "call_cooldown"
    """The buyer declined an invitation recently; `retry_after` says when another may be sent."""
    CALL_BLOCKED = "call_blocked"
    """The buyer chose not to receive video invitations from this shop."""
    CALL_BUSY = "call_busy"
    """A call is already being set up or running in this conversation or for this agent."""
    CALL_STATE = "call_state"
    """The call is not in a state that allows this (answering an expired invitation, signalling a call that ended)."""


class ConflictReason(StrEnum):
    """Why a `conflict` happened, in the `reason` field of its error frame: clients word it in the
    agent's language from this key (the `message` is English, for logs and developers)."""

    TAKEN = "taken"
    """Claiming a chat another agent already has."""
    NOT_ONLINE = "not_online"
    """Claiming while one's own status is offline."""
    AT_CAP = "at_cap"
    """Claiming with as many chats as one's maximum."""
    UNASSIGNED = "unassigned"
    """Transferring a chat that nobody has."""
    SAME_AGENT = "same_agent"
    """Transferring a chat to the agent who already has it."""
    TARGET_OFFLINE = "target_offline"
    """Transferring to an agent who is offline."""
    TARGET_AT_CAP = "target_at_cap"
    """Transferring to an agent who has as many chats as their maximum."""
    NOT_PAID = "not_paid"
    """Offering a refund or coupon on an order that is not paid."""
    ALREADY_ANSWERED = "already_answered"
    """Answering an offer that was already accepted or declined."""
    ID_REUSED = "id_reused"
    """A `client_msg_id` sent again with different content."""
    TEMPLATE_LIMIT = "template_limit"
    """Saving a personal template beyond the 200 allowed."""
    ALREADY_RATED = "already_rated"
    """Rating (or skipping the rating of) a chat that was rated already."""
    NOT_RESOLVED = "not_resolved"
    """Rating a chat that is open, or was closed without being resolved."""


class WebSocketClose:
    """Close codes the relay uses (RFC 6455 and the 4000-4999 private range)."""

    GOING_AWAY = 1001
    POLICY = 1008
    TOO_BIG = 1009
    UNAUTHORIZED = 4001
    SLOW_CONSUMER = 4008
    REVOKED = 4003
