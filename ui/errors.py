"""Errors in the agent's language: one sentence saying what happened and what to do.

The relay's `message` is English, for logs and developers; the agent reads words chosen here from
the stable `code` (and, for a conflict, its `reason`): every `ErrorCode` has its own sentence, which
never embeds the relay's words. Only a code this version does not know falls back to a general
sentence with the relay's message in brackets, so nothing is ever silently blank.

This is the one place relay errors are worded: the login dialog and the call button add only what
their context changes (a wrong password at login, who may invite).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject

from app.errors import CaFileUnusable, CertificateRejected, ConnectionLost, RelayError, SourceUnavailable
from wire.errors import ConflictReason, ErrorCode

THROTTLED_WAIT_S = 60
"""How long to tell the agent to wait after too many failed logins when the relay does not say
(it always does: `retry_after`); a minute, so the agent does not try again straight into the block."""


class ErrorTexts(QObject):
    """The sentences (a QObject for Qt's translation context "ErrorTexts")."""

    def conflict_text(self, reason: str | None) -> str | None:
        texts = {
            ConflictReason.TAKEN: self.tr("Another agent took this chat first."),
            ConflictReason.NOT_ONLINE: self.tr("Set your status to online before taking chats."),
            ConflictReason.AT_CAP: self.tr("You already have as many chats as your maximum; finish one first."),
            ConflictReason.UNASSIGNED: self.tr("This chat is not with any agent now."),
            ConflictReason.SAME_AGENT: self.tr("The chat is already with that agent."),
            ConflictReason.TARGET_OFFLINE: self.tr("That agent is offline; choose another one or the queue."),
            ConflictReason.TARGET_AT_CAP: self.tr("That agent has as many chats as their maximum; choose another."),
            ConflictReason.NOT_PAID: self.tr("The order is not paid yet: there is nothing to refund."),
            ConflictReason.ALREADY_ANSWERED: self.tr("The buyer has already answered this offer."),
            ConflictReason.ID_REUSED: self.tr("This message clashes with one already sent; write it again."),
            ConflictReason.TEMPLATE_LIMIT: self.tr("You have the most personal templates allowed; delete one first."),
            ConflictReason.ALREADY_RATED: self.tr("This chat has been rated already."),
            ConflictReason.NOT_RESOLVED: self.tr("Only a resolved chat can be rated."),
        }
        return texts.get(reason) if reason else None  # type: ignore[call-overload]

    def call_refusal_text(self, code: str, retry_after: float | None = None) -> str | None:
        """Why a video invitation cannot be sent (the relay's policy codes), or None for another code."""
        if code == ErrorCode.CALLS_OFF:
            return self.tr("Video calls are switched off for this shop.")
        if code == ErrorCode.CALL_NOT_STARTED:
            return self.tr("The buyer has not written in this chat: only a buyer who started a chat can be invited.")
        if code == ErrorCode.CALL_INACTIVE:
            return self.tr("The chat has been quiet for too long; invite once the buyer writes again.")
        if code == ErrorCode.CALL_DAILY_LIMIT:
            return self.tr("This buyer has had today's invitations already; try again tomorrow.")
        if code == ErrorCode.CALL_COOLDOWN:
            minutes = max(1, math.ceil((retry_after or 60) / 60))
            return self.tr("The buyer declined a moment ago; you can invite again in %n minute(s).", "", minutes)
        if code == ErrorCode.CALL_BLOCKED:
            return self.tr("The buyer chose not to receive video invitations from this shop.")
        if code == ErrorCode.CALL_BUSY:
            return self.tr("A video call is already being set up or running.")
        if code == ErrorCode.CALL_STATE:
            return self.tr("The call has already ended or changed; nothing was done.")
        return None

    def relay_error_text(self, exc: RelayError) -> str:
        code = exc.code
        if code == ErrorCode.CONFLICT:
            return self.conflict_text(exc.reason) or self.tr("Not possible any more: the chat changed meanwhile.")
        if (text := self.call_refusal_text(code, exc.retry_after)) is not None:
            return text
        if code == ErrorCode.THROTTLED:
            wait = max(1, math.ceil(exc.retry_after or THROTTLED_WAIT_S))
            return self.tr("Too many failed attempts. Try again in {0} s.").format(wait)
        texts = {
            ErrorCode.BAD_FRAME: self.tr(
                "The relay could not read what this workstation sent (a fault in the workstation); "
                "update the workstation."),
            ErrorCode.UNKNOWN_TYPE: self.tr(
                "The relay does not know a request this workstation sent (a fault in the workstation); "
                "update the workstation."),
            ErrorCode.INVALID_FIELD: self.tr(
                "The relay did not accept this: something in it is missing, too long or not allowed."),
            ErrorCode.TOO_LARGE: self.tr("Too long to send; shorten it."),
            ErrorCode.RATE_LIMITED: self.tr("Too fast; wait a moment and try again."),
            ErrorCode.UNAUTHORIZED: self.tr("Your session has ended; log in again."),
            ErrorCode.FORBIDDEN: self.tr("You are not allowed to do this (the chat may be with another agent now)."),
            ErrorCode.NOT_FOUND: self.tr("It no longer exists, or it is not visible to you."),
            ErrorCode.BAD_ORIGIN: self.tr(
                "The relay does not accept connections from this workstation; ask your administrator."),
            ErrorCode.UNSUPPORTED_VERSION: self.tr("This workstation is too old for the relay; update it."),
            ErrorCode.SLOW_CONSUMER: self.tr("The connection could not keep up with the relay; reconnecting."),
            ErrorCode.GOING_AWAY: self.tr("The relay is restarting; reconnecting."),
            # Said after the outbox has stopped retrying a send, and for a claim or a transfer, which
            # nothing retries by itself: no promise of a retry.
            ErrorCode.UNAVAILABLE: self.tr("The relay cannot save anything right now; try again in a moment."),
            ErrorCode.INTERNAL: self.tr("The relay had a problem; try again."),
        }
        text = texts.get(code)  # type: ignore[call-overload]
        if text is not None:
            return str(text)
        return self.tr("The relay refused this ({0}).").format(exc.message or code)

    def certificate_text(self, exc: CertificateRejected) -> str:
        """The relay's certificate failed verification: why, that nothing was sent, and what to do."""
        reasons = {
            "expired": self.tr("it has expired"),
            "not_yet_valid": self.tr("it is not valid yet (check this computer's date and time)"),
            "unknown_issuer": self.tr("it was not issued by an authority this computer trusts"),
            "hostname_mismatch": self.tr("it was issued for another address"),
        }
        why = reasons.get(exc.reason) or self.tr("OpenSSL says: {0}").format(exc.detail)
        return self.tr(
            "The relay's certificate could not be verified: {0}. Nothing was sent to it, not even your "
            "password. Check the relay address; if your shop runs its own relay, choose its CA file; "
            "otherwise tell your administrator.").format(why)

    def error_text(self, exc: BaseException) -> str:
        """One sentence for the agent about any error an action ended with."""
        if isinstance(exc, CertificateRejected):
            return self.certificate_text(exc)
        if isinstance(exc, CaFileUnusable):
            return self.tr("The CA file {0} cannot be used: it is missing, unreadable or holds no PEM certificate. "
                           "Choose the file your administrator gave you, or clear the field.").format(exc.path)
        if isinstance(exc, ConnectionLost):
            return self.tr("Not connected to the relay; try again when the connection is back.")
        if isinstance(exc, RelayError):
            return self.relay_error_text(exc)
        if isinstance(exc, SourceUnavailable):
            return self.tr("This picture source cannot be used on this computer.")
        return self.tr("Something went wrong: {0}").format(str(exc) or type(exc).__name__)


_texts: ErrorTexts | None = None


def _the_texts() -> ErrorTexts:
    global _texts
    if _texts is None:
        _texts = ErrorTexts()
    return _texts


def error_text(exc: BaseException) -> str:
    """One sentence for the agent about any error an action ended with."""
    return _the_texts().error_text(exc)

