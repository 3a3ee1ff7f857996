"""Typed errors of the desktop core; each says what happened in words a user can act on."""

from __future__ import annotations

from wire.errors import ErrorCode


class KefuError(Exception):
    """Base of every error the core raises on purpose."""


class RelayError(KefuError):
    """The relay refused a request; `code` is the stable protocol error code."""

    def __init__(self, code: ErrorCode | str, message: str, retry_after: float | None = None,
                 reason: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.reason = reason
        """Which conflict (`wire.errors.ConflictReason`), when the relay says."""


class SourceUnavailable(KefuError):
    """The chosen video source cannot be used on this computer (no X11 display to share, say)."""


class ConnectionLost(KefuError):
    """The connection to the relay dropped; unacknowledged messages stay queued for resend."""
