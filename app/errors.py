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


class CertificateRejected(KefuError):
    """The relay's TLS certificate failed verification, so nothing was sent to it (no password, no token).

    Not a `ConnectionLost`: trying again does not help until the certificate, the address or the CA file
    changes, so it is shown to the agent rather than retried quietly. `reason` is one of `REASONS`;
    `detail` is OpenSSL's own words, for logs and administrators."""

    REASONS = ("expired", "not_yet_valid", "unknown_issuer", "hostname_mismatch", "other")

    def __init__(self, url: str, reason: str, detail: str) -> None:
        super().__init__(f"the certificate of the relay at {url} could not be verified"
                         f" ({reason.replace('_', ' ')}: {detail}); nothing was sent to it")
        self.url = url
        self.reason = reason
        self.detail = detail


class CaFileUnusable(KefuError):
    """The custom CA file chosen for a self-hosted relay cannot be read as PEM certificates."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"the CA file {path} cannot be used: {detail}")
        self.path = path
        self.detail = detail
